import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { SEVERITIES, type Severity } from "../../rca/model.js";
import {
  defaultRules,
  domainScore,
  domainScoreAt,
  loadRules,
  type MatchTarget,
  matches,
  matchTable,
  RulesError,
  type RuleVectors,
  ruleVectors,
  seedRules,
} from "../../rca/rules.js";
import { tempDir } from "../helpers.js";

type T = Partial<MatchTarget> & { reason: string };
const t = (x: T): MatchTarget => ({
  message: "",
  level: "WARNING" as Severity,
  etype: "k8s.event",
  kind: "Pod",
  name: "p",
  ...x,
});
const change = (reason: string, kind: string, message = ""): MatchTarget =>
  t({ reason, kind, etype: "k8s.change", level: "INFO", message });
const alert = (reason: string, message: string, kind = "Service"): MatchTarget =>
  t({ reason, kind, etype: "prom.alert", level: "ERROR", message });
const log = (reason: string, message: string): MatchTarget =>
  t({ reason, etype: "k8s.log", level: "ERROR", message });

/** One cause/effect pair per fault family, with real Kubernetes reasons and messages. */
const FAMILIES: Array<{ family: string; cause: MatchTarget; effect: MatchTarget; hops: number }> = [
  {
    family: "oomkill",
    cause: t({
      reason: "OOMKilled",
      level: "FATAL",
      message: "Container cart terminated with OOMKilled (exit code 137)",
    }),
    effect: t({
      reason: "BackOff",
      message: "Back-off restarting failed container cart in pod cart-1_shop(uid)",
    }),
    hops: 0,
  },
  {
    family: "oomkill (alert)",
    cause: t({ reason: "OOMKilled", level: "FATAL" }),
    effect: alert(
      "KubeDeploymentReplicasMismatch",
      "Deployment shop/cart has not matched the expected number of replicas",
      "Deployment",
    ),
    hops: 2,
  },
  {
    family: "bad-image",
    cause: change("ImageChanged", "Deployment", "image changed from shop/cart:1.4.2 to shop/cart:v1.4.3"),
    effect: t({
      reason: "ErrImagePull",
      level: "ERROR",
      message: "Container cart waiting: ErrImagePull: manifest unknown",
    }),
    hops: 2,
  },
  {
    family: "bad-image (kubelet Failed)",
    cause: change("ImageChanged", "Deployment"),
    effect: t({
      reason: "Failed",
      message: 'Failed to pull image "shop/cart:v1.4.3": rpc error: code = NotFound',
    }),
    hops: 2,
  },
  {
    family: "config-change",
    cause: change("ConfigChanged", "ConfigMap", "ConfigMap data changed"),
    effect: t({ reason: "CrashLoopBackOff", level: "FATAL" }),
    hops: 1,
  },
  {
    family: "missing-config",
    cause: change("ResourceDeleted", "Secret", "Secret deleted"),
    effect: t({
      reason: "FailedMount",
      level: "ERROR",
      message: 'MountVolume.SetUp failed for volume "creds" : secret "db-creds" not found',
    }),
    hops: 1,
  },
  {
    family: "missing-config (CreateContainerConfigError)",
    cause: change("ConfigReferenceChanged", "Deployment"),
    effect: t({ reason: "Failed", message: 'Error: secret "db-creds" not found' }),
    hops: 2,
  },
  {
    family: "scheduling",
    cause: change("ReplicasChanged", "Deployment", "replicas changed from 4 to 12"),
    effect: t({
      reason: "FailedScheduling",
      level: "ERROR",
      message: "0/6 nodes are available: 6 Insufficient memory.",
    }),
    hops: 2,
  },
  {
    family: "scheduling (unbound PVC)",
    cause: t({
      reason: "ProvisioningFailed",
      kind: "PersistentVolumeClaim",
      message: 'storageclass.storage.k8s.io "fast" not found',
    }),
    effect: t({
      reason: "FailedScheduling",
      level: "ERROR",
      message: "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.",
    }),
    hops: 1,
  },
  {
    family: "node",
    cause: t({
      reason: "NodeNotReady",
      kind: "Node",
      level: "ERROR",
      message: "Node node-2 status is now: NodeNotReady",
    }),
    effect: t({ reason: "Evicted", level: "ERROR", message: "The node was low on resource: memory." }),
    hops: 1,
  },
  {
    family: "node pressure",
    cause: change("NodeDiskPressure", "Node", "node condition DiskPressure is True"),
    effect: t({
      reason: "Evicted",
      level: "ERROR",
      message: "The node was low on resource: ephemeral-storage.",
    }),
    hops: 1,
  },
  {
    family: "probe",
    cause: t({
      reason: "Unhealthy",
      level: "ERROR",
      message: "Liveness probe failed: HTTP probe failed with statuscode: 500",
    }),
    effect: t({
      reason: "Killing",
      level: "INFO",
      message: "Container api failed liveness probe, will be restarted",
    }),
    hops: 0,
  },
  {
    family: "database down",
    cause: t({ reason: "CrashLoopBackOff", level: "FATAL", name: "postgres-0" }),
    effect: log(
      "ConnectionFailed",
      "failed to connect to `host=postgres user=app`: dial tcp 10.1.4.7:5432: connect: connection refused",
    ),
    hops: 2,
  },
  {
    family: "dns",
    cause: t({ reason: "OOMKilled", level: "FATAL", name: "coredns-5d78c9869d-abcde" }),
    effect: log("DNSFailure", "dial tcp: lookup cart on 10.96.0.10:53: no such host"),
    hops: 2,
  },
  {
    family: "tls",
    cause: alert(
      "CertManagerCertNotReady",
      "The cert `shop-tls` is not ready to serve traffic.",
      "Certificate",
    ),
    effect: log(
      "TLSError",
      "tls: failed to verify certificate: x509: certificate has expired or is not yet valid",
    ),
    hops: 3,
  },
  {
    family: "volume",
    cause: t({
      reason: "FailedAttachVolume",
      level: "ERROR",
      message: 'Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one node',
    }),
    effect: t({
      reason: "FailedMount",
      level: "ERROR",
      message:
        "Unable to attach or mount volumes: unmounted volumes=[data]: timed out waiting for the condition",
    }),
    hops: 0,
  },
  {
    family: "init-container",
    cause: t({
      reason: "Error",
      level: "FATAL",
      message: "Init container migrate terminated with Error (exit code 1)",
    }),
    effect: alert(
      "KubePodNotReady",
      "Pod shop/cart-1 has been in a non-ready state for longer than 15 minutes.",
      "Pod",
    ),
    hops: 0,
  },
  {
    family: "quota",
    cause: change("SpecChanged", "ResourceQuota", "ResourceQuota spec changed"),
    effect: t({
      reason: "FailedCreate",
      kind: "ReplicaSet",
      message:
        'Error creating: pods "cart-1" is forbidden: exceeded quota: compute, requested: limits.memory=2Gi',
    }),
    hops: 2,
  },
  {
    family: "cpu-throttling",
    cause: alert("CPUThrottlingHigh", "75.99% throttling of CPU in namespace shop for container cart", "Pod"),
    effect: alert("APILatencyP99High", "p99 latency of shop/cart is 5.38s (threshold 1s)."),
    hops: 1,
  },
  {
    family: "port-conflict",
    cause: log("AddressInUse", "listen tcp 0.0.0.0:9100: bind: address already in use"),
    effect: t({ reason: "CrashLoopBackOff", level: "FATAL" }),
    hops: 0,
  },
  {
    family: "no-endpoints",
    cause: change("SpecChanged", "Service", "Service spec changed"),
    effect: log("HTTP5xx", "upstream connect error: 503 no healthy upstream"),
    hops: 2,
  },
  {
    family: "hpa",
    cause: change("SpecChanged", "HorizontalPodAutoscaler", "HorizontalPodAutoscaler spec changed"),
    effect: change("ReplicasChanged", "Deployment", "replicas changed from 8 to 4"),
    hops: 1,
  },
  {
    family: "network-policy",
    cause: change("ResourceCreated", "NetworkPolicy", "NetworkPolicy created"),
    effect: log("ConnectionFailed", "dial tcp 10.1.2.3:8080: i/o timeout"),
    hops: 2,
  },
];

describe("shipped rules", () => {
  const rules = defaultRules();

  it.each(FAMILIES)("$family: a specific rule explains the effect", ({ cause, effect, hops }) => {
    const d = domainScore(rules, cause, effect, hops);
    expect(d.rule).not.toBe("default");
    expect(d.rule).not.toBe("error-to-error");
    expect(d.score).toBeGreaterThanOrEqual(0.7);
  });

  it("keeps the DESIGN.md seed pairs as a floor", () => {
    const pair = (c: string, e: string, cm = "") =>
      domainScore(rules, t({ reason: c, level: "ERROR", message: cm }), t({ reason: e, level: "ERROR" }), 1)
        .score;
    expect(pair("OOMKilled", "CrashLoopBackOff")).toBeGreaterThanOrEqual(0.95);
    expect(pair("ErrImagePull", "FailedScheduling")).toBeGreaterThanOrEqual(0.9);
    expect(pair("NodeNotReady", "Evicted")).toBeGreaterThanOrEqual(0.9);
    expect(pair("Whatever", "Other", "dial tcp: connection refused")).toBeGreaterThanOrEqual(0.7);
    expect(pair("Whatever", "Other")).toBeGreaterThanOrEqual(0.5);
  });

  it("scores normal lifecycle events and infra storms as weak causes, whatever the effect", () => {
    for (const reason of ["Pulled", "Started", "Scheduled", "SuccessfulCreate", "ScalingReplicaSet"]) {
      const d = domainScore(
        rules,
        t({ reason, level: "INFO" }),
        t({ reason: "CrashLoopBackOff", level: "FATAL" }),
        0,
      );
      expect(d.score, reason).toBeLessThanOrEqual(0.15);
    }
    const sandbox = t({
      reason: "FailedCreatePodSandBox",
      level: "ERROR",
      message:
        'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "abc"',
    });
    expect(domainScore(rules, sandbox, log("HTTP5xx", "503 Service Unavailable"), 2).score).toBeLessThan(0.4);
  });

  it("lets a specific low rule win over a generic fallback (noise is not error -> error)", () => {
    const storm = t({ reason: "FailedCreatePodSandBox", level: "ERROR" });
    const d = domainScore(rules, storm, t({ reason: "Whatever", level: "ERROR" }), 2);
    expect(d.rule).toBe("sandbox-noise");
  });

  it("respects rule direction: an owner's change explains its ReplicaSet, not the reverse", () => {
    const dep = change("SpecChanged", "Deployment");
    const rs = change("ReplicasChanged", "ReplicaSet", "replicas changed from 2 to 1");
    expect(domainScore(rules, dep, rs, 1).score).toBeGreaterThanOrEqual(0.85);
    expect(domainScore(rules, rs, dep, 1).score).toBeLessThan(0.6);
  });

  it("treats a node's kernel OOM report and the pod's OOMKilled as one fact", () => {
    const node = t({
      reason: "OOMKilling",
      kind: "Node",
      level: "ERROR",
      message: "Memory cgroup out of memory: Killed process 1 (java)",
    });
    const pod = t({ reason: "OOMKilled", kind: "Pod", level: "FATAL" });
    expect(domainScore(rules, node, pod, 1).score).toBeLessThan(0.6);
    expect(domainScore(rules, pod, node, 1).score).toBeGreaterThanOrEqual(0.6);
  });

  it("gives the same answer from a match table as pair by pair", () => {
    const targets = FAMILIES.flatMap((f) => [f.cause, f.effect]);
    const table = matchTable(rules, targets);
    for (let i = 0; i < targets.length; i++)
      for (let j = 0; j < targets.length; j++)
        for (const hops of [0, 2])
          expect(domainScoreAt(rules, table, i, j, hops)).toEqual(
            domainScore(rules, targets[i]!, targets[j]!, hops),
          );
  });
});

describe("rule vectors", () => {
  it("flag exactly the rules whose matchers accept the target", () => {
    const rules = defaultRules();
    // Reasons and messages the rules name, in any case, and others.
    const reasons = [
      ...new Set(rules.rules.flatMap((r) => [...(r.cause.reasons ?? []), ...(r.effect.reasons ?? [])])),
    ];
    const words = [
      "connection refused",
      "OOMKilled",
      "x509",
      "timeout",
      "503",
      "quota",
      "no such host",
      "api",
    ];
    const target = fc.record({
      reason: fc.oneof(
        fc.constantFrom(...reasons, "Whatever"),
        fc.constantFrom(...reasons).map((r) => r.toUpperCase()),
      ),
      message: fc.array(fc.constantFrom(...words, "a", "service"), { maxLength: 4 }).map((w) => w.join(" ")),
      level: fc.constantFrom(...SEVERITIES),
      etype: fc.constantFrom("k8s.event", "k8s.change", "k8s.log", "prom.alert"),
      kind: fc.option(fc.constantFrom("Pod", "node", "Deployment", "DaemonSet", "Service"), {
        nil: undefined,
      }),
      name: fc.option(fc.constantFrom("p", "coredns-1", "kube-proxy-x"), { nil: undefined }),
    });
    // Every vector handed out, with what it held then: none may change afterwards (they are
    // computed in scratch arrays and shared between targets).
    const given: Array<{ v: RuleVectors; cause: number[]; effectRules: number[] }> = [];
    fc.assert(
      fc.property(target, (x) => {
        const v = ruleVectors(rules, x);
        expect([...v.cause]).toEqual(rules.rules.map((r) => (matches(r.cause, x) ? 1 : 0)));
        expect([...v.effectRules]).toEqual(rules.rules.flatMap((r, k) => (matches(r.effect, x) ? [k] : [])));
        given.push({ v, cause: [...v.cause], effectRules: [...v.effectRules] });
      }),
      { numRuns: 2000 },
    );
    for (const g of given) {
      expect([...g.v.cause]).toEqual(g.cause);
      expect([...g.v.effectRules]).toEqual(g.effectRules);
    }
  });
});

describe("seed rules (baseline)", () => {
  it("are the DESIGN.md pairs only", () => {
    const s = seedRules();
    expect(s.rules.map((r) => r.name).sort()).toEqual(
      [
        "connection-failure-to-error",
        "database-to-service",
        "error-to-error",
        "imagepull-to-failedscheduling",
        "node-notready-to-evicted",
        "oom-to-crashloop",
      ].sort(),
    );
    expect(
      domainScore(s, change("ImageChanged", "Deployment"), t({ reason: "ErrImagePull", level: "ERROR" }), 2)
        .rule,
    ).toBe("default");
  });
});

describe("user rules file", () => {
  const tmp = tempDir("kgrca-rules-");
  afterAll(() => tmp.remove());

  it("adds rules, overrides shipped ones by name and may use shipped groups", () => {
    const file = join(tmp.dir, "rules.yaml");
    writeFileSync(
      file,
      [
        "rules:",
        "  - name: oom-to-crashloop",
        "    cause: { reason: [OOMKilled] }",
        "    effect: { reason: [BackOff] }",
        "    score: 0.5",
        "  - name: my-batch-rule",
        "    cause: { reason: ['@oom'], kind: Pod }",
        "    effect: { reason: [JobFailed] }",
        "    score: 0.99",
      ].join("\n"),
    );
    const r = loadRules(file);
    const oom = t({ reason: "OOMKilled", level: "FATAL" });
    expect(domainScore(r, oom, t({ reason: "JobFailed" }), 1)).toEqual({
      score: 0.99,
      rule: "my-batch-rule",
    });
    expect(r.rules.find((x) => x.name === "oom-to-crashloop")!.score).toBe(0.5);
  });

  it("rejects unknown groups, bad patterns and unknown fields, naming the place", () => {
    const bad = (name: string, body: string) => {
      const f = join(tmp.dir, name);
      writeFileSync(f, body);
      return () => loadRules(f);
    };
    expect(
      bad(
        "g.yaml",
        "rules:\n  - name: x\n    cause: { reason: ['@nope'] }\n    effect: {}\n    score: 0.5\n",
      ),
    ).toThrow(/rules\.0\.cause\.reason: unknown group "@nope"/);
    expect(
      bad("r.yaml", "rules:\n  - name: x\n    cause: { message: '(' }\n    effect: {}\n    score: 0.5\n"),
    ).toThrow(RulesError);
    expect(
      bad("u.yaml", "rules:\n  - name: x\n    cause: { colour: red }\n    effect: {}\n    score: 0.5\n"),
    ).toThrow(/rules\.0\.cause/);
  });
});
