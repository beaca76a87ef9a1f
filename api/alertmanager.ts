import { createHash } from "node:crypto";
import type { z } from "@hono/zod-openapi";
import type { WireMessage } from "../rca/normalize.js";
import { DEFAULT_TOPICS } from "../rca/normalize.js";
import type { AlertmanagerWebhook } from "./schemas.js";

/** Alertmanager sends this for "not ended yet". */
const ZERO_TIME = /^0001-01-01/;

const labelsHash = (labels: Record<string, string>) =>
  createHash("sha256")
    .update(JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))))
    .digest("hex")
    .slice(0, 16);

/**
 * Alertmanager's webhook payload (version 4) as `alerts.enriched` messages, one per alert.
 * The event id is (fingerprint, startsAt, status): Alertmanager re-sends the same alert on every
 * group interval, and those repeats must land on the same event, while firing and resolved are
 * two different facts. A resolved alert is timed at `endsAt`.
 */
export function alertmanagerToMessages(body: z.infer<typeof AlertmanagerWebhook>): WireMessage[] {
  const out: WireMessage[] = [];
  for (const a of body.alerts) {
    const labels = { ...(body.commonLabels ?? {}), ...a.labels };
    const annotations = { ...(body.commonAnnotations ?? {}), ...(a.annotations ?? {}) };
    const startMs = Date.parse(a.startsAt);
    const resolvedAt =
      a.status === "resolved" && a.endsAt && !ZERO_TIME.test(a.endsAt) ? a.endsAt : undefined;
    const fingerprint = a.fingerprint || labelsHash(labels);
    const eventId = `am-${fingerprint}-${Number.isFinite(startMs) ? startMs : a.startsAt}-${a.status}`;
    out.push({
      topic: DEFAULT_TOPICS.alerts,
      key: eventId,
      value: {
        event_id: eventId,
        event_time: resolvedAt ?? a.startsAt,
        etype: "prom.alert",
        reason: labels.alertname ?? "",
        status: a.status,
        labels,
        annotations,
        ...(labels.cluster ? { cluster: labels.cluster } : {}),
        ...(a.generatorURL ? { source: { component: "alertmanager", url: a.generatorURL } } : {}),
      },
    });
  }
  return out;
}
