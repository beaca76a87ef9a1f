import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitIdle } from "../../cli/pipeline.js";
import type { WireMessage } from "../../rca/normalize.js";
import { testPipeline } from "../helpers.js";

const C = "prod-eu";
const UID = "9c1f6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
const msgs: WireMessage[] = [
  // topology first, with all three endpoint forms, before the resources exist
  { topic: "state.k8s.topology", key: "e1", value: { op: "UPSERT", cluster: C, id: "e1", from: `pod:${UID}`, to: "node:node-2", type: "RUNS_ON" } },
  { topic: "state.k8s.topology", key: "e2", value: { op: "UPSERT", cluster: C, id: "e2", from: "service:shop:cart", to: "pod:shop:cart-1", type: "SELECTS" } },
  { topic: "state.k8s.topology", key: "e3", value: { op: "UPSERT", cluster: C, id: "e3", from: "deployment:shop:cart", to: "replicaset:shop:cart-7d", type: "CONTROLS" } },
  // an event that names the pod only by uid, before the pod record
  { topic: "events.normalized", key: "e-uid", value: { event_id: "e-uid", event_time: "2025-10-08T10:00:30Z", etype: "k8s.event", severity: "warning", reason: "BackOff", message: "Back-off restarting failed container", subject: { kind: "Pod", uid: UID }, cluster: C } },
  { topic: "state.k8s.resource", key: `pod:${UID}`, value: { op: "UPSERT", at: "2025-10-08T10:00:00Z", cluster: C, kind: "Pod", uid: UID, namespace: "shop", name: "cart-1", labels: { app: "cart" }, ownerRefs: [{ kind: "ReplicaSet", name: "cart-7d" }], node: "node-2", podIP: "10.1.2.3", image: "shop/cart:1.4.2", status: { phase: "Running", restartCount: 0 } } },
  { topic: "state.k8s.resource", key: "node:node-2", value: { op: "UPSERT", at: "2025-10-08T09:00:00Z", cluster: C, kind: "Node", name: "node-2" } },
  // the same pod name in another cluster must not merge
  { topic: "state.k8s.resource", key: "pod:other", value: { op: "UPSERT", cluster: "prod-us", kind: "Pod", uid: "other", namespace: "shop", name: "cart-1" } },
  // a raw kubernetes-event-exporter event and its in-place repeat
  { topic: "events.normalized", key: "k1", value: { metadata: { uid: "k1" }, involvedObject: { kind: "Pod", namespace: "shop", name: "cart-1" }, type: "Warning", reason: "OOMKilled", message: "Container cart was OOMKilled", count: 1, firstTimestamp: "2025-10-08T10:00:10Z", lastTimestamp: "2025-10-08T10:00:10Z", cluster: C } },
  { topic: "events.normalized", key: "k2", value: { metadata: { uid: "k2" }, involvedObject: { kind: "Pod", namespace: "shop", name: "cart-1" }, type: "Warning", reason: "BackOff", message: "Back-off", count: 1, firstTimestamp: "2025-10-08T10:00:20Z", lastTimestamp: "2025-10-08T10:00:20Z", cluster: C } },
  { topic: "events.normalized", key: "k2", value: { metadata: { uid: "k2" }, involvedObject: { kind: "Pod", namespace: "shop", name: "cart-1" }, type: "Warning", reason: "BackOff", message: "Back-off", count: 2, firstTimestamp: "2025-10-08T10:00:20Z", lastTimestamp: "2025-10-08T10:00:50Z", cluster: C } },
  // logs with legacy pod fields and without an event id
  { topic: "logs.normalized", key: UID, value: { event_time: "2025-10-08T10:01:00Z", severity: "ERROR", message: "dial tcp 10.1.4.7:5432: connect: connection refused", pod_namespace: "shop", pod_name: "cart-1", cluster: C } },
  { topic: "logs.normalized", key: UID, value: { event_time: "2025-10-08T10:01:05Z", message: "panic: runtime error", kubernetes: { pod_uid: UID }, cluster: C } },
  // an alert whose subject comes from its labels
  { topic: "alerts.enriched", key: "a1", value: { event_id: "a1", event_time: "2025-10-08T10:02:00Z", etype: "prom.alert", reason: "KubePodCrashLooping", status: "firing", labels: { alertname: "KubePodCrashLooping", namespace: "shop", pod: "cart-1", severity: "critical" }, cluster: C } },
  // the image changes: a change event
  { topic: "state.k8s.resource", key: "deployment:shop:cart", value: { op: "UPSERT", at: "2025-10-08T09:50:00Z", cluster: C, kind: "Deployment", namespace: "shop", name: "cart", image: "shop/cart:1.4.1", replicas: 3 } },
  { topic: "state.k8s.resource", key: "deployment:shop:cart", value: { op: "UPSERT", at: "2025-10-08T09:59:00Z", cluster: C, kind: "Deployment", namespace: "shop", name: "cart", image: "shop/cart:1.4.2", replicas: 3 } },
  // a service selecting the pod by labels (no edge sent), and a tombstone
  { topic: "state.k8s.resource", key: "service:shop:api", value: { op: "UPSERT", cluster: C, kind: "Service", namespace: "shop", name: "api", serviceSelector: { app: "cart" } } },
  { topic: "state.k8s.resource", key: "pod:gone", value: { op: "UPSERT", cluster: C, kind: "Pod", uid: "gone", namespace: "shop", name: "old-pod" } },
  { topic: "state.k8s.resource", key: "pod:gone", value: null },
];

describe("ingest of every CONTRACT format", () => {
  let p: Awaited<ReturnType<typeof testPipeline>>;
  beforeAll(async () => {
    p = await testPipeline("ingest", { KG_CLUSTER: C });
    // Duplicates too: idempotent writes.
    await p.rt.queues.enqueueMessages([...msgs, ...msgs.slice(0, 6)], "replay");
    await waitIdle(p.rt.queues, 60_000);
  });
  afterAll(async () => p?.close());

  it("lands every reference form on one canonical node, with no orphans", async () => {
    const { store } = p.rt;
    const pod = await store.getResource(`${C}:pod:shop:cart-1`);
    expect(pod?.uid).toBe(UID);
    expect(pod?.props.podIP).toBe("10.1.2.3");
    const edges = await store.edgesOf([`${C}:pod:shop:cart-1`]);
    const types = edges.map((e) => `${e.fromId}-${e.type}->${e.toId}`).sort();
    expect(types).toContain(`${C}:pod:shop:cart-1-RUNS_ON->${C}:node::node-2`);
    expect(types).toContain(`${C}:service:shop:cart-SELECTS->${C}:pod:shop:cart-1`);
    expect(types).toContain(`${C}:service:shop:api-SELECTS->${C}:pod:shop:cart-1`);
    expect(types).toContain(`${C}:replicaset:shop:cart-7d-CONTROLS->${C}:pod:shop:cart-1`);
    const page = await store.searchResources({ name: "cart-1", limit: 10 });
    expect(page.items.map((r) => r.id).sort()).toEqual([`${C}:pod:shop:cart-1`, "prod-us:pod:shop:cart-1"]);
    const stats = await store.stats();
    expect(stats.resources_by_kind.Pod).toBe(3);
    expect((await store.getResource(`${C}:pod:shop:old-pod`))?.deleted).toBe(true);
  });

  it("stores events of every kind on the resolved resource, repeats as occurrences", async () => {
    const { store } = p.rt;
    const e = await store.getEvent("e-uid");
    expect(e?.resourceId).toBe(`${C}:pod:shop:cart-1`);
    expect((await store.getEvent("k2#2"))?.timeMs).toBe(Date.parse("2025-10-08T10:00:50Z"));
    expect((await store.getEvent("k2"))?.count).toBe(1);
    expect((await store.getEvent("k1"))?.level).toBe("FATAL");
    const alert = await store.getEvent("a1");
    expect(alert?.resourceId).toBe(`${C}:pod:shop:cart-1`);
    expect(alert?.level).toBe("ERROR");
    const logs = await store.listEvents({ etype: "k8s.log", limit: 10 });
    expect(logs.total).toBe(2);
    expect(logs.items.every((l) => l.resourceId === `${C}:pod:shop:cart-1`)).toBe(true);
    expect(logs.items.map((l) => l.reason).sort()).toEqual(["ConnectionFailed", "Panic"]);
    const changes = await store.listEvents({ etype: "k8s.change", resourceId: `${C}:deployment:shop:cart`, limit: 10 });
    expect(changes.items.map((c) => c.reason)).toEqual(["ImageChanged"]);
  });

  it("scores causes, clusters incidents and answers RCA", async () => {
    const { store } = p.rt;
    const links = await store.causeLinksTo("a1");
    expect(links.length).toBeGreaterThan(0);
    const alert = await store.getEvent("a1");
    expect(alert?.incidentId).toBeDefined();
    const k1 = await store.getEvent("k1");
    expect(k1?.incidentId).toBe(alert?.incidentId);
    const stats = await store.stats();
    expect(stats.incidents).toBe(1);
  });
});
