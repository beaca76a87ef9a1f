import type { EventInput, IngestBatch, ResourceProps, Severity } from "../rca/model.js";

/**
 * The graph store port. Everything the workers, the RCA, the API and cleanup read or write goes
 * through it; `graph/sqlite` (embedded default) and `graph/neo4j` implement it and are held to
 * one contract suite (`graph-store.contract.ts`).
 *
 * Covers: resources with one canonical id each (uid and references resolved to it), topology
 * edges (sent, derived from resource fields, inferred from logs), event occurrences with their
 * effective (escalated) severity, cause links, incidents, anomalies, retention.
 * Leaves out: scoring, clustering and detection rules (pure logic in `rca/`), queueing, HTTP.
 *
 * Every write is an idempotent upsert on a stable key, and derived facts only grow (cause links
 * keep their highest confidence, incidents only merge), so replays in any order converge.
 */
export interface GraphStore {
  /** Creates the schema if missing; safe to call from every replica at start-up. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Cheap liveness probe of the backing store. */
  ping(): Promise<void>;

  /** Writes one normalized batch atomically; returns what changed, for scoring. */
  applyBatch(batch: IngestBatch): Promise<ApplyResult>;
  /** Raises effective severities (escalation); never lowers them. */
  setEventLevels(updates: ReadonlyArray<{ eventId: string; level: Severity }>): Promise<number>;
  /** Adds cause links, keeping the highest confidence per (cause, effect) pair. Returns links created. */
  upsertCauseLinks(links: readonly CauseLink[]): Promise<number>;
  /**
   * Stores incident rows as clustering grows and merges them (`IncidentUpdate`): sets the incident
   * of the joining events, moves the events of each absorbed incident to the one that absorbs it,
   * and removes the absorbed rows.
   */
  saveIncidents(updates: readonly IncidentUpdate[]): Promise<void>;
  upsertAnomalies(anomalies: readonly Anomaly[]): Promise<number>;
  /** Deletes events older than the cutoff (in batches) and what only they held. */
  cleanup(cutoffMs: number, batchSize: number, dryRun: boolean): Promise<CleanupResult>;

  getEvent(id: string): Promise<StoredEvent | undefined>;
  getEvents(ids: readonly string[]): Promise<StoredEvent[]>;
  getResource(id: string): Promise<StoredResource | undefined>;
  /** The stored resources among `ids`, each once, in no particular order. */
  getResources(ids: readonly string[]): Promise<StoredResource[]>;
  /**
   * Resources within `maxHops` of `resourceId` over any edge in either direction, with the shortest
   * path. Hubs (Node, Namespace) are reached but not passed through: two pods on one node are not
   * neighbours through it. Ties between equally short paths go to the lexicographically first
   * neighbour id, so both stores give the same paths. The map may be the store's own (read-only).
   */
  neighborhood(resourceId: string, maxHops: number): Promise<ReadonlyMap<string, Reach>>;
  /** Events on the given resources in [fromMs, toMs], oldest first, at or above `minLevel`. */
  eventsOnResources(
    resourceIds: readonly string[],
    fromMs: number,
    toMs: number,
    minLevel?: Severity,
  ): Promise<StoredEvent[]>;
  /**
   * The newest `limit` events on one resource at or above `minLevel`, newest first (by time
   * descending, then id): `listEvents({ resourceId, minSeverity, limit }).items` without the total.
   * With `upTo` (an `ApplyResult.eventsUpTo`), only events stored by then (`seq <= upTo`).
   * Optional: callers fall back to `listEvents`.
   */
  recentEventsOn?(
    resourceId: string,
    minLevel: Severity,
    limit: number,
    upTo?: number,
  ): Promise<StoredEvent[]>;
  /** Events of one reason on one resource in [fromMs, toMs] (escalation). */
  eventsByReason(resourceId: string, reason: string, fromMs: number, toMs: number): Promise<StoredEvent[]>;
  /** Events in a cluster in [fromMs, toMs] (anomaly detection), newest last, at most `limit`. */
  eventsInCluster(cluster: string, fromMs: number, toMs: number, limit: number): Promise<StoredEvent[]>;
  edgesOf(resourceIds: readonly string[]): Promise<StoredEdge[]>;
  /**
   * A number that changes whenever any process changes the topology (adds or removes an edge),
   * for callers that keep what they derive from neighbourhoods and edges. Optional: without it
   * nothing derived is kept.
   */
  topologyVersion?(): Promise<number>;
  causeLinksTo(effectId: string): Promise<CauseLink[]>;
  causeLinksFrom(causeId: string): Promise<CauseLink[]>;
  getIncident(id: string): Promise<Incident | undefined>;
  /** The rows of the incidents that exist among `ids`, without their events (any order). */
  incidentSummaries(ids: readonly string[]): Promise<IncidentSummary[]>;
  incidentEvents(incidentId: string, limit: number): Promise<StoredEvent[]>;
  listIncidents(filter: IncidentFilter): Promise<Page<Incident>>;
  listEvents(filter: EventFilter): Promise<Page<StoredEvent>>;
  listAnomalies(filter: AnomalyFilter): Promise<Page<Anomaly>>;
  searchResources(query: ResourceQuery): Promise<Page<StoredResource>>;
  stats(): Promise<GraphStats>;
  /** The object counts of `stats` alone, for the `/metrics` gauge (a scrape must not scan events). */
  counts(): Promise<GraphCounts>;
}

export interface StoredResource {
  readonly id: string;
  readonly cluster: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly labels: Record<string, string>;
  readonly props: ResourceProps;
  readonly atMs: number;
  readonly deleted: boolean;
}

export interface StoredEvent extends Omit<EventInput, "subject"> {
  /** Effective severity after escalation; `severity` is what the producer said. */
  readonly level: Severity;
  readonly resourceId?: string;
  readonly subjectKind?: string;
  readonly subjectNamespace?: string;
  readonly subjectName?: string;
  readonly subjectUid?: string;
  readonly incidentId?: string;
  /**
   * The embedded store numbers events in the order it stored them (a rewritten change event keeps
   * its number); other stores leave it out.
   */
  readonly seq?: number;
}

/**
 * A copy of `e` with some fields changed. Every key of `StoredEvent` is set, in the order the
 * embedded store's rows give them (`toEvent`): events built one way share one hidden class, and
 * the code that reads thousands of them stays monomorphic. A spread copy (`{ ...e, level }`) has
 * another: with clustering changing the incident of most held events, the pipeline's code
 * deoptimised again and again on the second shape.
 */
export function eventWith(
  e: StoredEvent,
  change: { readonly level?: Severity; readonly incidentId?: string | undefined; readonly timeMs?: number },
): StoredEvent {
  return {
    id: e.id,
    baseId: e.baseId,
    cluster: e.cluster,
    etype: e.etype,
    severity: e.severity,
    level: change.level ?? e.level,
    reason: e.reason,
    message: e.message,
    timeMs: change.timeMs ?? e.timeMs,
    count: e.count,
    resourceId: e.resourceId,
    subjectKind: e.subjectKind,
    subjectNamespace: e.subjectNamespace,
    subjectName: e.subjectName,
    subjectUid: e.subjectUid,
    incidentId: "incidentId" in change ? change.incidentId : e.incidentId,
    seq: e.seq,
    source: e.source,
    labels: e.labels,
    annotations: e.annotations,
    status: e.status,
  };
}

export interface StoredEdge {
  readonly fromId: string;
  readonly toId: string;
  readonly type: string;
  /** `sent` by a producer, `derived` from resource fields, `inferred` from log evidence. */
  readonly origin: "sent" | "derived" | "inferred";
}

export interface Reach {
  readonly hops: number;
  /** Resource ids and edge types from the start to this resource: [start, type, id, type, id ...]. */
  readonly path: readonly string[];
}

export interface CauseLink {
  readonly causeId: string;
  readonly effectId: string;
  readonly confidence: number;
  readonly temporal: number;
  readonly distance: number;
  readonly domain: number;
  readonly hops: number;
  readonly rule: string;
  readonly path: readonly string[];
}

/**
 * An incident's row: what it aggregates over the events it has held (a group of related
 * ERROR/FATAL events; `rca/cluster-incidents.ts`). Clustering grows and merges incidents from
 * these rows alone, so the aggregates stay as they were when an event joined: retention removing
 * old member events does not move an incident's start or lower its count.
 */
export interface IncidentSummary {
  /** `inc-` and the id of its earliest event (`rootEventId`). */
  readonly id: string;
  readonly cluster: string;
  /** The highest effective severity of its events. */
  readonly severity: Severity;
  readonly startMs: number;
  readonly endMs: number;
  readonly eventCount: number;
  /** Sorted. */
  readonly resourceIds: readonly string[];
  readonly rootEventId?: string;
}

export interface Incident extends IncidentSummary {
  /** Its events in the store, by time then id (`getIncident`; `listIncidents` leaves it empty). */
  readonly eventIds: readonly string[];
}

/** An incident as clustering saves it: its row, the events that join it, the incidents it absorbs. */
export interface IncidentUpdate extends IncidentSummary {
  /** Events not yet in it nor in an absorbed incident; they are set to it. */
  readonly joiningEventIds: readonly string[];
  /** Other incidents merged into it: their events move to it, their rows are removed. */
  readonly absorbedIds: readonly string[];
}

export interface Anomaly {
  readonly id: string;
  readonly cluster: string;
  readonly type: "error_spike" | "cascade" | "oom_leak" | "churn";
  readonly resourceId?: string;
  readonly reason?: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly count: number;
  readonly score: number;
  readonly eventIds: readonly string[];
  readonly detail: string;
}

export interface ApplyResult {
  /** Events written or newly attached to a resource: to score, escalate, cluster. */
  readonly eventIds: string[];
  /** Resources whose edges changed: events near them are rescored. */
  readonly resourceIds: string[];
  /**
   * For resources of `resourceIds`, when the store knows it: the resources whose reach from that
   * resource (within the hop limit) the batch changed, appeared or went. Scoring then rescores a
   * resource's events as effects against candidates on those resources only: every other pair
   * has the reach, and so the score, it had. A resource without an entry is rescored in full.
   */
  readonly reachChanged?: Readonly<Record<string, readonly string[]>>;
  /**
   * When the store numbers events (`StoredEvent.seq`): the highest number stored when the batch
   * committed. Events stored later, and so scored later, by then with the batch's topology, have
   * higher ones.
   */
  readonly eventsUpTo?: number;
  readonly counts: { resources: number; edges: number; events: number; changeEvents: number };
}

export interface CleanupResult {
  readonly cutoffMs: number;
  readonly events: number;
  readonly causeLinks: number;
  readonly incidents: number;
  readonly anomalies: number;
  readonly dryRun: boolean;
}

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
}

export interface PageQuery {
  readonly offset?: number;
  readonly limit?: number;
}

export interface IncidentFilter extends PageQuery {
  readonly cluster?: string;
  readonly namespace?: string;
  readonly severity?: Severity;
  readonly sinceMs?: number;
  readonly untilMs?: number;
}

export interface EventFilter extends PageQuery {
  readonly cluster?: string;
  readonly namespace?: string;
  readonly resourceId?: string;
  readonly reason?: string;
  readonly minSeverity?: Severity;
  readonly etype?: string;
  readonly sinceMs?: number;
  readonly untilMs?: number;
  readonly incidentId?: string;
}

export interface AnomalyFilter extends PageQuery {
  readonly cluster?: string;
  readonly type?: string;
  readonly sinceMs?: number;
}

export interface ResourceQuery extends PageQuery {
  readonly cluster?: string;
  readonly kind?: string;
  readonly namespace?: string;
  /** Substring of the name. */
  readonly name?: string;
}

export type GraphCounts = Pick<
  GraphStats,
  "resources" | "episodic_events" | "incidents" | "edges" | "cause_links" | "anomalies"
>;

export interface GraphStats {
  readonly resources: number;
  readonly episodic_events: number;
  readonly incidents: number;
  readonly edges: number;
  readonly cause_links: number;
  readonly anomalies: number;
  readonly oldest_event: string | null;
  readonly newest_event: string | null;
  readonly resources_by_kind: Record<string, number>;
  readonly edges_by_type: Record<string, number>;
  readonly events_by_severity: Record<string, number>;
  readonly clusters: Record<string, { resources: number; events: number; incidents: number }>;
}

/** The store is unreachable or failing; retryable (the job is delayed, not failed). */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
