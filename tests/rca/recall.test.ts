import { afterEach, describe, expect, it } from "vitest";
import { type AnalyzeOptions, analyze } from "../../rca/analyze.js";
import { isBareDelete, isBareDeleteVersion, versionOf } from "../../rca/changes.js";
import {
  certificateServices,
  credentialReferenceKey,
  dependencyHints,
  ownedReferenceKeys,
  referenceHints,
  workloadStem,
} from "../../rca/implied-edges.js";
import type { ResourceUpsert } from "../../rca/model.js";
import { defaultRules, domainScore } from "../../rca/rules.js";
import { tempStore } from "../helpers.js";
import { apply, CLUSTER, event, id, logLine, resource } from "./fixtures.js";

const opts: AnalyzeOptions = { windowMs: 15 * 60_000, maxHops: 3, rules: defaultRules() };
const del = (kind: string, namespace: string, name: string, sec: number) => ({
  topic: "state.k8s.resource",
  key: `${kind.toLowerCase()}:${namespace}:${name}`,
  value: {
    op: "DELETE",
    at: new Date(Date.UTC(2025, 9, 8, 10, 0, sec)).toISOString(),
    cluster: CLUSTER,
    kind,
    namespace,
    name,
  },
});

describe("a DELETE that carries only the resource's name", () => {
  const bare: ResourceUpsert = {
    cluster: "c",
    kind: "Pod",
    namespace: "kube-system",
    name: "coredns-1",
    labels: {},
    props: {},
    atMs: 10,
    deleted: true,
  };

  it("is recognised, and so is its stored version", () => {
    expect(isBareDelete(bare)).toBe(true);
    expect(isBareDelete({ ...bare, labels: { app: "x" } })).toBe(false);
    expect(isBareDelete({ ...bare, deleted: false })).toBe(false);
    expect(isBareDeleteVersion(JSON.stringify(versionOf(bare)))).toBe(true);
    expect(isBareDeleteVersion(JSON.stringify(versionOf({ ...bare, kind: "Secret" })))).toBe(true);
    expect(isBareDeleteVersion(JSON.stringify(versionOf({ ...bare, props: { image: "a:1" } })))).toBe(false);
  });

  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  const dnsGraph = [
    resource({ kind: "Deployment", namespace: "kube-system", name: "coredns", replicas: 1 }, 0),
    resource(
      {
        kind: "Pod",
        namespace: "kube-system",
        name: "coredns-7d9f-abcde",
        labels: { "k8s-app": "coredns" },
        ownerRefs: [{ kind: "ReplicaSet", name: "coredns-7d9f" }],
      },
      1,
    ),
    resource(
      {
        kind: "ReplicaSet",
        namespace: "kube-system",
        name: "coredns-7d9f",
        ownerRefs: [{ kind: "Deployment", name: "coredns" }],
      },
      1,
    ),
    resource(
      {
        kind: "Service",
        namespace: "kube-system",
        name: "kube-dns",
        serviceSelector: { "k8s-app": "coredns" },
      },
      1,
    ),
  ];

  it("keeps the deleted resource's derived edges, in either arrival order", async () => {
    for (const order of ["state-first", "delete-first"]) {
      const t = await tempStore();
      const msgs =
        order === "state-first"
          ? [...dnsGraph, del("Pod", "kube-system", "coredns-7d9f-abcde", 50)]
          : [del("Pod", "kube-system", "coredns-7d9f-abcde", 50), ...dnsGraph];
      await apply(t.store, msgs);
      const pod = id("Pod", "kube-system", "coredns-7d9f-abcde");
      const edges = (await t.store.edgesOf([pod]))
        .filter((e) => e.type !== "IN_NAMESPACE")
        .map((e) => `${e.fromId} ${e.type}`)
        .sort();
      expect(edges, order).toEqual([
        `${id("ReplicaSet", "kube-system", "coredns-7d9f")} CONTROLS`,
        `${id("Service", "kube-system", "kube-dns")} SELECTS`,
      ]);
      expect((await t.store.getResource(pod))?.deleted, order).toBe(true);
      await t.close();
    }
  });

  it("still lets a lookup failure reach the Deployment scaled to zero", async () => {
    const t = await tempStore();
    close = t.close;
    await apply(t.store, [
      ...dnsGraph,
      resource({ kind: "Pod", namespace: "shop", name: "cart-5c8d-x1", labels: { app: "cart" } }, 2),
      resource({ kind: "Deployment", namespace: "kube-system", name: "coredns", replicas: 0 }, 40),
      del("Pod", "kube-system", "coredns-7d9f-abcde", 45),
      logLine(
        "dns-1",
        60,
        { ns: "shop", name: "cart-5c8d-x1" },
        "dial tcp: lookup payments.shop.svc.cluster.local on 10.96.0.10:53: read udp 10.1.2.3:5353->10.96.0.10:53: i/o timeout",
      ),
    ]);
    const a = (await analyze(t.store, "dns-1", opts))!;
    expect(a.causes.slice(0, 3).map((c) => c.event.resourceId)).toContain(
      id("Deployment", "kube-system", "coredns"),
    );
  });
});

describe("names in messages that reach configuration", () => {
  it("a workload's pods name its stem", () => {
    expect(workloadStem("snapshot-export-28744860-wcwrv")).toBe("snapshot-export");
    expect(workloadStem("checkout-api-7d9f8b6c5d-x2k4p")).toBe("checkout-api");
    expect(workloadStem("postgres-0")).toBe("postgres");
    expect(workloadStem("fluent-bit-x7k2p")).toBe("fluent-bit");
  });

  it("refused credentials in a pod's log reference the Secrets named after its workload", () => {
    const key = credentialReferenceKey(
      'FATAL:  password authentication failed for user "reconciler"',
      "Pod",
      "finance",
      "ledger-reconcile-29322060-k2x9p",
    );
    expect(key).toBe("refapp:Secret/finance/ledger-reconcile");
    expect(ownedReferenceKeys("Secret", "finance", "ledger-reconcile-db")).toContain(key);
    expect(ownedReferenceKeys("Secret", "finance", "ledger-api-tls")).not.toContain(key);
    expect(
      credentialReferenceKey("request completed status=200", "Pod", "finance", "ledger-reconcile-1"),
    ).toBe(undefined);
  });

  it("a store's relayed disk-full error references the claims of the namespace", () => {
    expect(
      referenceHints("put object failed: cause(write /export/thumbs/a1: no space left on device)", "media"),
    ).toEqual([{ kind: "PersistentVolumeClaim", namespace: "media" }]);
  });

  it("an explicit <svc>.<ns>.svc name is a Service whether or not its state was sent", () => {
    const hints = dependencyHints(
      "x509: certificate signed by unknown authority, server=nats://nats-1.nats-headless.messaging.svc.cluster.local:4222",
      "orders",
    );
    expect(hints).toContainEqual({
      service: { name: "nats-headless", namespace: "messaging" },
      explicit: true,
    });
  });

  it("a wildcard certificate for a headless Service's pods names that Service", () => {
    expect(certificateServices(["*.nats-headless.messaging.svc.cluster.local"], "messaging")).toEqual([
      { name: "nats-headless", namespace: "messaging" },
    ]);
  });

  it("a certificate re-issued by another CA explains unknown-authority handshake failures", () => {
    const d = domainScore(
      defaultRules(),
      {
        reason: "SpecChanged",
        kind: "Certificate",
        message: "Certificate spec changed",
        level: "INFO",
        etype: "k8s.change",
      },
      {
        reason: "TLSError",
        kind: "Pod",
        message: "tls: failed to verify certificate: x509: certificate signed by unknown authority",
        level: "ERROR",
        etype: "k8s.log",
      },
      2,
    );
    expect(d.rule).toBe("ca-rotation-to-tls-errors");
  });
});

describe("causes reported after the symptom", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it("an OOM kill stamped shortly after the alert it explains is still its cause", async () => {
    const t = await tempStore();
    close = t.close;
    await apply(t.store, [
      resource({ kind: "Deployment", namespace: "billing", name: "dunning", replicas: 1 }, 0),
      resource(
        {
          kind: "ReplicaSet",
          namespace: "billing",
          name: "dunning-6f7c",
          ownerRefs: [{ kind: "Deployment", name: "dunning" }],
        },
        0,
      ),
      resource(
        {
          kind: "Pod",
          namespace: "billing",
          name: "dunning-6f7c-q2x8z",
          ownerRefs: [{ kind: "ReplicaSet", name: "dunning-6f7c" }],
        },
        1,
      ),
      event(
        "alert-1",
        100,
        "KubeDeploymentReplicasMismatch",
        { kind: "Deployment", ns: "billing", name: "dunning" },
        {
          etype: "prom.alert",
          message: "Deployment billing/dunning has not matched the expected number of replicas.",
        },
      ),
      event(
        "oom-1",
        140,
        "OOMKilled",
        { kind: "Pod", ns: "billing", name: "dunning-6f7c-q2x8z" },
        {
          severity: "FATAL",
          message: "Container warm-cache terminated with OOMKilled (exit code 137), restart count 1",
        },
      ),
    ]);
    const a = (await analyze(t.store, "alert-1", opts))!;
    expect(a.causes[0]?.event.id).toBe("oom-1");
  });
});
