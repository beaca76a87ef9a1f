import type { z } from "@hono/zod-openapi";
import type { WireMessage } from "../rca/normalize.js";
import { DEFAULT_TOPICS } from "../rca/normalize.js";
import type { UpdatesRequest } from "./schemas.js";

/**
 * The seed's `POST /api/v1/updates` body as CONTRACT messages: resources -> state.k8s.resource,
 * edges -> state.k8s.topology, events -> events.normalized (logs and alerts by their etype).
 */
export function updatesToMessages(body: z.infer<typeof UpdatesRequest>): WireMessage[] {
  const out: WireMessage[] = [];
  const at = body.timestamp;
  for (const r of body.resources ?? []) {
    const op = String(r.op ?? r.action ?? "UPSERT").toUpperCase() === "DELETE" ? "DELETE" : "UPSERT";
    const { action: _a, ...rest } = r;
    out.push({
      topic: DEFAULT_TOPICS.resources,
      key: `${r.kind.toLowerCase()}:${r.uid ?? `${r.namespace ?? ""}:${r.name}`}`,
      value: { ...rest, op, at: (r as { at?: string }).at ?? at, cluster: r.cluster ?? body.cluster },
    });
  }
  for (const e of body.edges ?? []) {
    const op = String(e.action ?? "UPSERT").toUpperCase() === "DELETE" ? "DELETE" : "UPSERT";
    out.push({
      topic: DEFAULT_TOPICS.topology,
      key: e.id ?? null,
      value: { ...e, op, at, cluster: e.cluster ?? body.cluster },
    });
  }
  for (const e of body.events ?? []) {
    const { action: _a, subject_uid, ...rest } = e;
    const subject = e.subject ?? (subject_uid ? { uid: subject_uid } : undefined);
    const topic =
      e.etype === "k8s.log"
        ? DEFAULT_TOPICS.logs
        : e.etype === "prom.alert"
          ? DEFAULT_TOPICS.alerts
          : DEFAULT_TOPICS.events;
    out.push({
      topic,
      key: e.event_id ?? null,
      value: { ...rest, ...(subject ? { subject } : {}), cluster: e.cluster ?? body.cluster },
    });
  }
  return out;
}
