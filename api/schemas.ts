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
    event_count: z.number().openapi({
      description:
        "ERROR/FATAL events it has held; like start_time and root_event_id, not changed when retention removes old events",
    }),
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

// ---------------------------------------------------------------- operator surface (issue 6)

/** Filters take these severities (any case); they mean "at or above". */
const SeverityParam = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(["INFO", "WARNING", "ERROR", "FATAL"]))
  .openapi({ type: "string", enum: ["INFO", "WARNING", "ERROR", "FATAL"], example: "ERROR" });

/** RFC 3339 time or epoch milliseconds, as a query parameter. */
const TimeParam = z
  .string()
  .max(64)
  .refine((s) => Number.isFinite(/^\d+$/.test(s) ? Number(s) : Date.parse(s)), {
    message: "must be an RFC 3339 time or epoch milliseconds",
  })
  .transform((s) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s)))
  .openapi({ type: "string", example: "2025-10-08T10:00:00Z" });

export const PageQuery = z.object({
  offset: z.coerce.number().int().min(0).max(1_000_000).optional().openapi({ example: 0 }),
  limit: z.coerce.number().int().min(1).max(500).optional().openapi({ example: 50 }),
});

const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      total: z.number().int(),
      offset: z.number().int(),
      limit: z.number().int(),
    })
    .openapi(name);

export const UpdatesBatchRequest = (maxBatch: number) =>
  z.array(UpdatesRequest).min(1).max(maxBatch).openapi("UpdatesBatchRequest");

export const ResourceQueryParams = PageQuery.extend({
  cluster: z.string().max(128).optional(),
  kind: z.string().max(63).optional().openapi({ example: "Pod" }),
  namespace: z.string().max(253).optional(),
  name: z.string().max(253).optional().openapi({ description: "substring of the name" }),
});

export const ResourcePage = pageOf(ResourceSummary, "ResourcePage");

export const ResourceDetail = ResourceSummary.extend({
  uid: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  props: z.record(z.string(), z.unknown()),
  deleted: z.boolean(),
  updated_at: z.string(),
}).openapi("ResourceDetail");

export const ResourceResponse = z
  .object({ resource: ResourceDetail, events: z.array(EventView) })
  .openapi("ResourceResponse");

export const ResourceIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(1024)
    .openapi({ param: { name: "id", in: "path" }, example: "prod-eu:pod:shop:cart-7d9f8-x2k4p" }),
});

export const TopologyQuery = z.object({
  depth: z.coerce.number().int().min(0).max(6).optional().openapi({ example: 1 }),
});

export const TopologyEdge = z
  .object({
    from: z.string(),
    to: z.string(),
    type: z.string(),
    origin: z.enum(["sent", "derived", "inferred"]),
  })
  .openapi("TopologyEdge");

export const TopologyResponse = z
  .object({
    root: z.string().openapi({ description: "id of the resource the walk started from" }),
    nodes: z.array(ResourceSummary),
    edges: z.array(TopologyEdge),
  })
  .openapi("Topology");

export const TopCause = z
  .object({
    event_id: z.string(),
    reason: z.string(),
    resource: ResourceSummary.nullable(),
    confidence: z.number(),
    explanation: z.string(),
  })
  .openapi("TopCause");

export const IncidentSummary = Incident.extend({
  top_cause: TopCause.optional().openapi({
    description:
      "best-ranked cause of the root event, or of the latest event when nothing explains the root event",
  }),
}).openapi("IncidentSummary");

export const IncidentQuery = PageQuery.extend({
  // Each incident is returned with its top cause (one RCA each), so pages are smaller.
  limit: z.coerce.number().int().min(1).max(200).optional().openapi({ example: 50 }),
  cluster: z.string().max(128).optional(),
  namespace: z.string().max(253).optional(),
  severity: SeverityParam.optional(),
  since: TimeParam.optional(),
  until: TimeParam.optional(),
});

export const IncidentPage = pageOf(IncidentSummary, "IncidentPage");

export const IncidentResponse = z
  .object({ incident: IncidentSummary, events: z.array(EventView) })
  .openapi("IncidentResponse");

export const IncidentIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(1024)
    .openapi({ param: { name: "id", in: "path" } }),
});

export const EventQuery = PageQuery.extend({
  cluster: z.string().max(128).optional(),
  namespace: z.string().max(253).optional(),
  resource_id: z.string().max(1024).optional(),
  reason: z.string().max(256).optional(),
  severity: SeverityParam.optional(),
  etype: z.enum(["k8s.event", "k8s.log", "prom.alert", "k8s.change"]).optional(),
  since: TimeParam.optional(),
  until: TimeParam.optional(),
  incident_id: z.string().max(1024).optional(),
});

export const EventPage = pageOf(EventView, "EventPage");

export const AnomalyView = z
  .object({
    id: z.string(),
    cluster: z.string(),
    type: z.enum(["error_spike", "cascade", "oom_leak", "churn"]),
    resource: ResourceSummary.nullable(),
    reason: z.string().nullable(),
    window_start: z.string(),
    window_end: z.string(),
    count: z.number(),
    score: z.number(),
    event_ids: z.array(z.string()),
    detail: z.string(),
  })
  .openapi("Anomaly");

export const AnomalyQuery = PageQuery.extend({
  cluster: z.string().max(128).optional(),
  type: z.enum(["error_spike", "cascade", "oom_leak", "churn"]).optional(),
  since: TimeParam.optional(),
});

export const AnomalyPage = pageOf(AnomalyView, "AnomalyPage");

/** One alert of Alertmanager's webhook (version 4); other fields are accepted and ignored. */
export const AlertmanagerAlert = z
  .object({
    status: z.enum(["firing", "resolved"]),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).optional(),
    startsAt: z.string().max(64),
    endsAt: z.string().max(64).optional(),
    generatorURL: z.string().optional(),
    fingerprint: z.string().max(256).optional(),
  })
  .passthrough()
  .openapi("AlertmanagerAlert");

export const AlertmanagerWebhook = z
  .object({
    version: z.string().optional().openapi({ example: "4" }),
    groupKey: z.string().optional(),
    truncatedAlerts: z.number().optional(),
    status: z.string().optional(),
    receiver: z.string().optional(),
    groupLabels: z.record(z.string(), z.string()).optional(),
    commonLabels: z.record(z.string(), z.string()).optional(),
    commonAnnotations: z.record(z.string(), z.string()).optional(),
    externalURL: z.string().optional(),
    alerts: z.array(AlertmanagerAlert),
  })
  .passthrough()
  .openapi("AlertmanagerWebhook");

export const DeadLetterEntry = z
  .object({
    id: z.string(),
    queue: z.string().openapi({ description: "the queue the message or job failed in" }),
    reason: z.string(),
    retryable: z.boolean(),
    failed_at: z.string(),
    attempts: z.number(),
    origin: z.record(z.string(), z.unknown()).nullable(),
    job_id: z.string().nullable(),
    payload: z.unknown().openapi({ description: "the original message (ingest) or job data" }),
  })
  .openapi("DeadLetterEntry");

export const DeadLetterPage = pageOf(DeadLetterEntry, "DeadLetterPage");

export const RedriveRequest = z
  .object({
    ids: z.array(z.string().min(1).max(256)).min(1).max(10_000).optional(),
    all: z.boolean().optional(),
  })
  .refine((b) => (b.ids !== undefined) !== (b.all === true), {
    message: "give either ids or all: true",
    path: ["ids"],
  })
  .openapi("RedriveRequest");

export const RedriveResponse = z
  .object({
    redriven: z.number(),
    ids: z.array(z.string()),
    missing: z.array(z.string()),
    failed: z.array(z.object({ id: z.string(), reason: z.string() })),
    remaining: z.number().openapi({ description: "dead-letter entries left after this call" }),
  })
  .openapi("RedriveResponse");
