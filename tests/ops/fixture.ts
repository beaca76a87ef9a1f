import type { WireMessage } from "../../rca/normalize.js";

/**
 * A small incident in CONTRACT messages, timed `baseMs`: the `cart` pod of a Deployment is
 * OOM-killed, then backs off; a Service selects it; it runs on node-1. Enough to give the API
 * resources, topology, events, an incident and ranked causes. Event ids are `${idPrefix}-oom`,
 * `-backoff`, `-unhealthy`; the incident is `inc-${idPrefix}-oom`.
 */
export function incidentMessages(
  cluster: string,
  baseMs = Date.now() - 10 * 60_000,
  idPrefix = "fx",
): WireMessage[] {
  const at = (s: number) => new Date(baseMs + s * 1000).toISOString();
  const res = (value: Record<string, unknown>): WireMessage => ({
    topic: "state.k8s.resource",
    key: `${String(value.kind).toLowerCase()}:${value.uid}`,
    value: { op: "UPSERT", at: at(0), cluster, ...value },
  });
  const ev = (value: Record<string, unknown>): WireMessage => ({
    topic: "events.normalized",
    key: `${idPrefix}-${value.event_id}`,
    value: { etype: "k8s.event", cluster, ...value, event_id: `${idPrefix}-${value.event_id}` },
  });
  return [
    res({ kind: "Node", uid: "n-1", name: "node-1" }),
    res({
      kind: "Deployment",
      uid: "d-1",
      namespace: "shop",
      name: "cart",
      labels: { app: "cart" },
      replicas: 1,
    }),
    res({
      kind: "ReplicaSet",
      uid: "rs-1",
      namespace: "shop",
      name: "cart-7d9f8",
      ownerRefs: [{ kind: "Deployment", name: "cart" }],
    }),
    res({
      kind: "Pod",
      uid: "p-1",
      namespace: "shop",
      name: "cart-7d9f8-x2k4p",
      labels: { app: "cart" },
      node: "node-1",
      ownerRefs: [{ kind: "ReplicaSet", name: "cart-7d9f8" }],
      image: "shop/cart:1.4.2",
      status: { phase: "Running", restartCount: 4 },
    }),
    res({ kind: "Service", uid: "s-1", namespace: "shop", name: "cart", serviceSelector: { app: "cart" } }),
    {
      topic: "state.k8s.topology",
      key: "edge:service:shop:cart->pod:shop:cart-7d9f8-x2k4p",
      value: {
        op: "UPSERT",
        at: at(0),
        cluster,
        from: "service:shop:cart",
        to: "pod:shop:cart-7d9f8-x2k4p",
        type: "SELECTS",
      },
    },
    ev({
      event_id: "oom",
      event_time: at(60),
      severity: "FATAL",
      reason: "OOMKilled",
      message: "Container cart was OOM-killed (memory limit 256Mi)",
      subject: { kind: "Pod", ns: "shop", name: "cart-7d9f8-x2k4p" },
    }),
    ev({
      event_id: "backoff",
      event_time: at(90),
      severity: "ERROR",
      reason: "CrashLoopBackOff",
      message: "Back-off restarting failed container cart",
      subject: { kind: "Pod", ns: "shop", name: "cart-7d9f8-x2k4p" },
    }),
    ev({
      event_id: "unhealthy",
      event_time: at(100),
      severity: "WARNING",
      reason: "Unhealthy",
      message: "Readiness probe failed: connection refused",
      subject: { kind: "Pod", ns: "shop", name: "cart-7d9f8-x2k4p" },
    }),
  ];
}
