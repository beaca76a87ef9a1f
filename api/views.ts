import type { Anomaly, Incident, StoredEvent, StoredResource } from "../graph/index.js";
import type { DeadLetterJob } from "../queues/index.js";
import type { Analysis } from "../rca/analyze.js";
import { parseResourceId } from "../rca/identity.js";

const iso = (ms: number) => new Date(ms).toISOString();

export function resourceSummary(id: string | undefined, r?: StoredResource) {
  if (r) return { id: r.id, cluster: r.cluster, kind: r.kind, namespace: r.namespace, name: r.name };
  if (!id) return null;
  const p = parseResourceId(id);
  return p ? { id, ...p } : null;
}

export function eventView(e: StoredEvent) {
  return {
    event_id: e.id,
    base_id: e.baseId,
    cluster: e.cluster,
    etype: e.etype,
    severity: e.level,
    original_severity: e.severity,
    reason: e.reason,
    message: e.message,
    event_time: iso(e.timeMs),
    count: e.count,
    resource: resourceSummary(e.resourceId),
    incident_id: e.incidentId ?? null,
  };
}

export function incidentView(i: Incident) {
  return {
    incident_id: i.id,
    cluster: i.cluster,
    severity: i.severity,
    start_time: iso(i.startMs),
    end_time: iso(i.endMs),
    event_count: i.eventCount,
    resources: [...i.resourceIds],
    root_event_id: i.rootEventId ?? null,
  };
}

export function rcaView(a: Analysis, incident: Incident | undefined) {
  return {
    event: eventView(a.effect),
    potential_causes: a.causes.map((c) => ({
      event_id: c.event.id,
      reason: c.event.reason,
      message: c.event.message,
      severity: c.event.level,
      event_time: iso(c.event.timeMs),
      etype: c.event.etype,
      confidence: c.confidence,
      temporal_score: c.temporal,
      distance_score: c.distance,
      domain_score: c.domain,
      hops: c.hops,
      subject: resourceSummary(c.event.resourceId),
      explanation: c.explanation,
      evidence: { rule: c.rule, path: [...c.path] },
    })),
    blast_radius: a.blastRadius.map((r) => resourceSummary(r.id, r)!),
    related_incident: incident ? incidentView(incident) : null,
    timeline: a.timeline.map(eventView),
  };
}

export type RcaView = ReturnType<typeof rcaView>;

/** A resource with everything the store keeps about it. */
export function resourceDetailView(r: StoredResource) {
  return {
    ...resourceSummary(r.id, r)!,
    uid: r.uid ?? null,
    labels: { ...r.labels },
    props: { ...r.props } as Record<string, unknown>,
    deleted: r.deleted,
    updated_at: iso(r.atMs),
  };
}

export function anomalyView(a: Anomaly) {
  return {
    id: a.id,
    cluster: a.cluster,
    type: a.type,
    resource: resourceSummary(a.resourceId),
    reason: a.reason ?? null,
    window_start: iso(a.windowStartMs),
    window_end: iso(a.windowEndMs),
    count: a.count,
    score: a.score,
    event_ids: [...a.eventIds],
    detail: a.detail,
  };
}

/** The best-ranked cause of an analysis, in the short form incident lists show. */
export function topCauseView(a: Analysis | undefined) {
  const c = a?.causes[0];
  if (!c) return undefined;
  return {
    event_id: c.event.id,
    reason: c.event.reason,
    resource: resourceSummary(c.event.resourceId),
    confidence: c.confidence,
    explanation: c.explanation,
  };
}

export function deadLetterView(id: string, d: DeadLetterJob) {
  return {
    id,
    queue: String(d.queue),
    reason: String(d.reason ?? ""),
    retryable: !!d.retryable,
    failed_at: iso(Number(d.failedMs) || 0),
    attempts: Number(d.attempts) || 0,
    origin: d.origin ? ({ ...d.origin } as Record<string, unknown>) : null,
    job_id: d.jobId ?? null,
    payload: d.payload,
  };
}
