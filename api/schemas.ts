import { z } from "@hono/zod-openapi";

/** Request and response schemas: they validate requests and generate the OpenAPI document. */

export const RcaRequest = z
  .object({
    event_id: z.string().min(1).max(512).openapi({ example: "e-42" }),
    min_confidence: z.number().min(0).max(1).optional().openapi({ example: 0.5 }),
    time_window_minutes: z.number().int().min(1).max(1440).optional(),
    max_hops: z.number().int().min(0).max(6).optional(),
    limit: z.number().int().min(1).max(50).optional(),
  })
  .openapi("RcaRequest");

export const RcaQuery = z.object({
  min_confidence: z.coerce.number().min(0).max(1).optional(),
  time_window_minutes: z.coerce.number().int().min(1).max(1440).optional(),
  max_hops: z.coerce.number().int().min(0).max(6).optional(),
  limit: z.coerce.number().int().min(1).max(50).optional(),
});

export const ResourceSummary = z
  .object({
    id: z.string(),
    cluster: z.string(),
    kind: z.string(),
    namespace: z.string(),
    name: z.string(),
  })
  .openapi("ResourceSummary");

export const EventView = z
  .object({
    event_id: z.string(),
    base_id: z.string(),
    cluster: z.string(),
    etype: z.string(),
    severity: z.string().openapi({ description: "effective severity (after escalation)" }),
    original_severity: z.string(),
    reason: z.string(),
    message: z.string(),
    event_time: z.string(),
    count: z.number(),
    resource: ResourceSummary.nullable(),
    incident_id: z.string().nullable(),
  })
  .openapi("Event");

export const Cause = z
  .object({
    event_id: z.string(),
    reason: z.string(),
    message: z.string(),
    severity: z.string(),
    event_time: z.string(),
    etype: z.string(),
    confidence: z.number(),
    temporal_score: z.number(),
    distance_score: z.number(),
    domain_score: z.number(),
    hops: z.number(),
    subject: ResourceSummary.nullable(),
    explanation: z.string(),
    evidence: z.object({ rule: z.string(), path: z.array(z.string()) }),
  })
  .openapi("Cause");

export const Incident = z
  .object({
    incident_id: z.string(),
    cluster: z.string(),
    severity: z.string(),
    start_time: z.string(),
    end_time: z.string(),
    event_count: z.number(),
    resources: z.array(z.string()),
    root_event_id: z.string().nullable(),
  })
  .openapi("Incident");

export const RcaResponse = z
  .object({
    event: EventView,
    potential_causes: z.array(Cause),
    blast_radius: z.array(ResourceSummary),
    related_incident: Incident.nullable(),
    timeline: z.array(EventView),
  })
  .openapi("RcaResponse");

const Labels = z.record(z.string(), z.string()).optional();

export const UpdateResource = z
  .object({
    action: z
      .enum(["CREATE", "UPDATE", "UPSERT", "DELETE", "create", "update", "upsert", "delete"])
      .optional(),
    op: z.string().optional(),
    kind: z.string().min(1).max(63),
    uid: z.string().max(253).optional(),
    name: z.string().min(1).max(253),
    namespace: z.string().max(253).optional(),
    cluster: z.string().max(128).optional(),
    labels: Labels,
    status: z.record(z.string(), z.unknown()).optional(),
    spec: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough()
  .openapi("UpdateResource");

export const UpdateEdge = z
  .object({
    id: z.string().max(1024).optional(),
    from: z.string().min(1).max(600),
    to: z.string().min(1).max(600),
    type: z.string().min(1).max(64),
    action: z.string().optional(),
    cluster: z.string().max(128).optional(),
  })
  .passthrough()
  .openapi("UpdateEdge");

export const UpdateEvent = z
  .object({
    action: z.string().optional(),
    event_id: z.string().min(1).max(512).optional(),
    event_time: z.string().min(1).max(64),
    etype: z.enum(["k8s.event", "k8s.log", "prom.alert"]).optional(),
    severity: z.string().max(16).optional(),
    reason: z.string().max(256).optional(),
    message: z.string().max(65_536).optional(),
    subject_uid: z.string().max(253).optional(),
    subject: z
      .object({
        kind: z.string().max(63).optional(),
        uid: z.string().max(253).optional(),
        ns: z.string().max(253).optional(),
        namespace: z.string().max(253).optional(),
        name: z.string().max(253).optional(),
      })
      .optional(),
    cluster: z.string().max(128).optional(),
  })
  .passthrough()
  .openapi("UpdateEvent");

export const UpdatesRequest = z
  .object({
    timestamp: z.string().max(64).optional(),
    cluster: z.string().max(128).optional(),
    resources: z.array(UpdateResource).optional(),
    edges: z.array(UpdateEdge).optional(),
    events: z.array(UpdateEvent).optional(),
  })
  .openapi("UpdatesRequest");

export const Accepted = z
  .object({
    accepted: z.number(),
    job_ids: z.array(z.string()),
  })
  .openapi("Accepted");

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

export const GraphStatsSchema = z
  .object({
    resources: z.number(),
    episodic_events: z.number(),
    incidents: z.number(),
    edges: z.number(),
    cause_links: z.number(),
    anomalies: z.number(),
    oldest_event: z.string().nullable(),
    newest_event: z.string().nullable(),
    resources_by_kind: z.record(z.string(), z.number()),
    edges_by_type: z.record(z.string(), z.number()),
    events_by_severity: z.record(z.string(), z.number()),
    clusters: z.record(
      z.string(),
      z.object({ resources: z.number(), events: z.number(), incidents: z.number() }),
    ),
  })
  .openapi("GraphStats");
