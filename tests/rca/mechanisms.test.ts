import { afterEach, describe, expect, it } from "vitest";
import { type AnalyzeOptions, analyze } from "../../rca/analyze.js";
import { impliedEdges, referenceHints } from "../../rca/implied-edges.js";
import { emptyBatch, type Severity } from "../../rca/model.js";
import { normalizeMessage } from "../../rca/normalize.js";
import { defaultRules, domainScore, type MatchTarget } from "../../rca/rules.js";
import { tempStore } from "../helpers.js";
import { apply, CLUSTER, edge, event, id, logLine, resource } from "./fixtures.js";

const opts: AnalyzeOptions = { windowMs: 15 * 60_000, maxHops: 3, rules: defaultRules() };

const normalized = (v: Record<string, unknown>) => {
  const b = emptyBatch();
  normalizeMessage(resource(v), { defaultCluster: CLUSTER }, b);
  return b.resources[0]!;
};

describe("references named by messages", () => {
  it("links the image pull secrets kubelet cannot retrieve", () => {
    expect(
      referenceHints(
        "Unable to retrieve some image pull secrets (regcred, mirror-creds); attempting to pull the image may not succeed.",
        "shop",
      ),
    ).toEqual([
      { kind: "Secret", namespace: "shop", name: "regcred" },
      { kind: "Secret", namespace: "shop", name: "mirror-creds" },
    ]);
  });

  it("links the service account a forbidden request names", () => {
    expect(
      referenceHints(
        'pods is forbidden: User "system:serviceaccount:ops:reaper" cannot list resource "pods" in API group ""',
        "ops",
      ),
    ).toEqual([{ kind: "ServiceAccount", namespace: "ops", name: "reaper" }]);
  });

  it("links a pending pod to every node when pod slots or host ports run out", () => {
    for (const msg of [
      "0/4 nodes are available: 4 Too many pods.",
      "0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports.",
    ])
      expect(referenceHints(msg, "shop")).toEqual([{ kind: "Node", namespace: "" }]);
  });
  it("finds every mention of one pattern in a message, and the same again on the next call", () => {
    const msg = 'secret "db-creds" not found; secret "api-key" not found';
    const want = [
      { kind: "Secret", namespace: "shop", name: "db-creds" },
      { kind: "Secret", namespace: "shop", name: "api-key" },
    ];
    expect(referenceHints(msg, "shop")).toEqual(want);
    expect(referenceHints("nothing named here", "shop")).toEqual([]);
    expect(referenceHints(msg, "shop")).toEqual(want);
  });
});

describe("topology implied by specs and annotations", () => {
  it("a pod spec's imagePullSecrets are mounted", () => {
    const r = normalized({
      kind: "Pod",
      namespace: "shop",
      name: "cart-1",
      spec: { imagePullSecrets: [{ name: "regcred" }], containers: [{ name: "cart" }] },
    });
    expect(r.props.mounts).toEqual([{ kind: "Secret", name: "regcred" }]);
  });

  it("a workload depends on the Secrets and ConfigMaps its reload annotations name", () => {
    const r = normalized({
      kind: "Deployment",
      namespace: "shop",
      name: "cart",
      annotations: { "secret.reloader.stakater.com/reload": "db-creds,api-key" },
      spec: {
        template: {
          metadata: {
            annotations: {
              "reloader.stakater.com/last-reloaded-from":
                '{"type":"CONFIGMAP","name":"cart-config","hash":"ab12"}',
              "checksum/config": "9f86d081884c7d65",
            },
          },
          spec: { containers: [{ name: "cart" }] },
        },
      },
    });
    expect(r.props.mounts).toEqual([
      { kind: "Secret", name: "db-creds" },
      { kind: "Secret", name: "api-key" },
      { kind: "ConfigMap", name: "cart-config" },
    ]);
  });

  it("a RoleBinding grants its ServiceAccount subjects", () => {
    const r = normalized({
      kind: "RoleBinding",
      namespace: "ops",
      name: "reaper-read",
      roleRef: { kind: "Role", name: "pod-reader" },
      subjects: [
        { kind: "ServiceAccount", name: "reaper" },
        { kind: "User", name: "alice" },
      ],
    });
    expect(impliedEdges(r)).toContainEqual({
      fromId: id("RoleBinding", "ops", "reaper-read"),
      toId: id("ServiceAccount", "ops", "reaper"),
      type: "GRANTS",
    });
    expect(impliedEdges(r).filter((e) => e.type === "GRANTS")).toHaveLength(1);
  });
});

describe("rules for the new mechanisms", () => {
  const rules = defaultRules();
  const t = (reason: string, kind: string, message = reason, level: Severity = "WARNING"): MatchTarget => ({
    reason,
    kind,
    message,
    level,
    etype: "k8s.event",
  });

  it("a deleted RoleBinding explains forbidden errors", () => {
    const d = domainScore(
      rules,
      t("ResourceDeleted", "RoleBinding"),
      {
        ...t("LogError", "Pod", 'pods is forbidden: User "system:serviceaccount:ops:reaper"', "ERROR"),
        etype: "k8s.log",
      },
      3,
    );
    expect(d.rule).toBe("rbac-change-to-forbidden");
  });

  it("a DaemonSet's new pods explain pods that no longer fit", () => {
    const d = domainScore(
      rules,
      t("SuccessfulCreate", "DaemonSet", "Created pod: agent-x2"),
      t("FailedScheduling", "Pod", "0/3 nodes are available: 3 Too many pods."),
      3,
    );
    expect(d.rule).toBe("daemonset-takes-node-capacity");
  });

  it("a pod using far more memory than it requests explains its node's memory pressure", () => {
    const d = domainScore(
      rules,
      { ...t("LogError", "Pod", "batch 7/40 loaded, rss=11.2GiB", "INFO"), etype: "k8s.log" },
      t("NodeMemoryPressure", "Node"),
      1,
    );
    expect(d.rule).toBe("pod-memory-hog-to-node-pressure");
  });
});

describe("co-tenants: causes that travel through a shared node", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it("ranks the pod hogging a node's memory above the node pressure that evicts its neighbour", async () => {
    const t = await tempStore();
    close = t.close;
    const node = { kind: "Node", name: "node-7" };
    await apply(t.store, [
      resource({ kind: "Node", name: "node-7", status: { conditions: { Ready: "True" } } }),
      resource({
        kind: "Pod",
        namespace: "batch",
        name: "backfill-x1",
        node: "node-7",
        status: { phase: "Running" },
      }),
      resource({
        kind: "Pod",
        namespace: "web",
        name: "api-7d9f8-k2",
        node: "node-7",
        status: { phase: "Running" },
      }),
      logLine("hog-1", 100, { ns: "batch", name: "backfill-x1" }, "chunk 3 loaded, rss=9.8GiB", "INFO"),
      logLine("hog-2", 200, { ns: "batch", name: "backfill-x1" }, "chunk 6 loaded, rss=12.4GiB", "INFO"),
      event("mp-1", 300, "NodeHasInsufficientMemory", node, {
        message: "Node node-7 status is now: NodeHasInsufficientMemory",
      }),
      event(
        "ev-1",
        320,
        "Evicted",
        { kind: "Pod", ns: "web", name: "api-7d9f8-k2" },
        {
          severity: "ERROR",
          message: "The node was low on resource: memory. Container api was using 480Mi, request is 256Mi.",
        },
      ),
    ]);
    const a = (await analyze(t.store, "ev-1", opts))!;
    expect(a.causes[0]!.event.resourceId).toBe(id("Pod", "batch", "backfill-x1"));
  });
});

describe("symptom echoes", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it("an unclassified log line that restates the symptom ranks below an unrelated error beside it", async () => {
    const t = await tempStore();
    close = t.close;
    const pod = (name: string) =>
      resource({ kind: "Pod", namespace: "q", name, node: "node-1", status: { phase: "Running" } });
    await apply(t.store, [
      resource({ kind: "Service", namespace: "q", name: "broker", serviceSelector: { app: "broker" } }),
      pod("producer-a"),
      pod("producer-b"),
      edge("pod:q:producer-a", "service:q:broker", "DEPENDS_ON"),
      edge("pod:q:producer-b", "service:q:broker", "DEPENDS_ON"),
      logLine(
        "echo-1",
        100,
        { ns: "q", name: "producer-a" },
        'level=warn msg="render backlog growing" queue=render-jobs depth=4100',
        "WARN",
      ),
      logLine(
        "other-1",
        100,
        { ns: "q", name: "producer-b" },
        "upload handler aborted: bucket index corrupt",
        "WARN",
      ),
      event(
        "alert-1",
        300,
        "RenderQueueBacklog",
        { kind: "Service", ns: "q", name: "broker" },
        { etype: "prom.alert", message: "Queue render-jobs has more than 5000 ready messages" },
      ),
    ]);
    const a = (await analyze(t.store, "alert-1", opts))!;
    const ids = a.causes.map((c) => c.event.id);
    expect(ids).toContain("echo-1");
    expect(ids.indexOf("other-1")).toBeLessThan(ids.indexOf("echo-1"));
  });
});
