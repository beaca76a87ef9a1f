import type { StoredEvent } from "../../graph/graph-store.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import type { Severity } from "../../rca/model.js";
import { emptyBatch } from "../../rca/model.js";
import { normalizeMessage, type WireMessage } from "../../rca/normalize.js";

/** Wire messages in the CONTRACT.md formats, for building small graphs in tests. */
export const CLUSTER = "prod-eu";
export const T0 = Date.UTC(2025, 9, 8, 10, 0, 0);
export const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();

export const resource = (v: Record<string, unknown>, sec = 0): WireMessage => ({
  topic: "state.k8s.resource",
  key: `${String(v.kind).toLowerCase()}:${v.namespace ?? ""}:${v.name}`,
  value: { op: "UPSERT", at: at(sec), cluster: CLUSTER, ...v },
});

export const edge = (from: string, to: string, type: string, sec = 0): WireMessage => ({
  topic: "state.k8s.topology",
  key: `edge:${from}->${to}`,
  value: { op: "UPSERT", at: at(sec), cluster: CLUSTER, id: `edge:${from}->${to}`, from, to, type },
});

export const event = (
  id: string,
  sec: number,
  reason: string,
  subject: { kind: string; ns?: string; name?: string; uid?: string },
  o: { severity?: string; message?: string; etype?: string } = {},
): WireMessage => ({
  topic: o.etype === "prom.alert" ? "alerts.enriched" : "events.normalized",
  key: id,
  value: {
    event_id: id,
    event_time: at(sec),
    etype: o.etype ?? "k8s.event",
    severity: o.severity ?? "WARNING",
    reason,
    message: o.message ?? reason,
    subject,
    cluster: CLUSTER,
  },
});

export const logLine = (
  id: string,
  sec: number,
  pod: { ns: string; name: string },
  message: string,
  severity = "ERROR",
): WireMessage => ({
  topic: "logs.normalized",
  key: id,
  value: {
    event_id: id,
    event_time: at(sec),
    etype: "k8s.log",
    severity,
    message,
    subject: { kind: "Pod", ...pod },
    cluster: CLUSTER,
  },
});

/** Normalizes and writes messages one by one (each its own batch, like separate deliveries). */
export async function apply(store: SqliteGraphStore, messages: readonly WireMessage[]): Promise<void> {
  for (const m of messages) {
    const b = emptyBatch();
    normalizeMessage(m, { defaultCluster: CLUSTER }, b);
    await store.applyBatch(b);
  }
}

export const id = (kind: string, ns: string, name: string) =>
  `${CLUSTER}:${kind.toLowerCase()}:${ns}:${name}`;

/** A small shop: cart (Deployment -> ReplicaSet -> Pod, Service) and a frontend that calls it. */
export function shop(): WireMessage[] {
  return [
    resource({ kind: "Node", name: "node-1", status: { conditions: { Ready: "True" } } }),
    resource({ kind: "Node", name: "node-2", status: { conditions: { Ready: "True" } } }),
    resource({
      kind: "Deployment",
      namespace: "shop",
      name: "cart",
      image: "shop/cart:1.0",
      replicas: 1,
      labels: { app: "cart" },
    }),
    resource({
      kind: "ReplicaSet",
      namespace: "shop",
      name: "cart-7d9f8",
      ownerRefs: [{ kind: "Deployment", name: "cart" }],
    }),
    resource({
      kind: "Pod",
      namespace: "shop",
      name: "cart-7d9f8-x2k4p",
      uid: "9c1f6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
      labels: { app: "cart" },
      ownerRefs: [{ kind: "ReplicaSet", name: "cart-7d9f8" }],
      node: "node-2",
      podIP: "10.1.2.3",
      status: { phase: "Running", restartCount: 0 },
    }),
    resource({
      kind: "Service",
      namespace: "shop",
      name: "cart",
      serviceSelector: { app: "cart" },
      clusterIP: "10.96.12.40",
    }),
    resource({
      kind: "Deployment",
      namespace: "shop",
      name: "frontend",
      image: "shop/frontend:3.1",
      replicas: 1,
      labels: { app: "frontend" },
    }),
    resource({
      kind: "ReplicaSet",
      namespace: "shop",
      name: "frontend-5c6d7",
      ownerRefs: [{ kind: "Deployment", name: "frontend" }],
    }),
    resource({
      kind: "Pod",
      namespace: "shop",
      name: "frontend-5c6d7-abcde",
      labels: { app: "frontend" },
      ownerRefs: [{ kind: "ReplicaSet", name: "frontend-5c6d7" }],
      node: "node-1",
      podIP: "10.1.1.9",
    }),
    resource({
      kind: "Service",
      namespace: "shop",
      name: "frontend",
      serviceSelector: { app: "frontend" },
      clusterIP: "10.96.12.41",
    }),
  ];
}

/** A stored event as the detectors and clustering read it (cluster `c`). */
export function storedEvent(
  id: string,
  timeMs: number,
  reason: string,
  level: Severity = "ERROR",
  resourceId = "c:pod:shop:cart-1",
  ns = "shop",
): StoredEvent {
  return {
    id,
    baseId: id,
    cluster: "c",
    etype: "k8s.event",
    severity: level,
    level,
    reason,
    message: "",
    timeMs,
    count: 1,
    resourceId,
    subjectNamespace: ns,
  };
}
