import neo4j, { type Driver, Neo4jError, type Session } from "neo4j-driver";
import type { IngestBatch, Severity } from "../../rca/model.js";
import { levelSeverity, SEVERITIES, severityLevel } from "../../rca/model.js";
import type {
  Anomaly,
  AnomalyFilter,
  ApplyResult,
  CauseLink,
  CleanupResult,
  EventFilter,
  GraphCounts,
  GraphStats,
  GraphStore,
  Incident,
  IncidentSummary,
  IncidentUpdate,
  IncidentFilter,
  Page,
  Reach,
  ResourceQuery,
  StoredEdge,
  StoredEvent,
  StoredResource,
} from "../graph-store.js";
import { StoreUnavailableError } from "../graph-store.js";
import { adjacencyBuilder, expandNeighborhood } from "../neighborhood.js";
import { ApplyBatchWork, runStatement, type TxLike } from "./apply-batch.js";
import { SCHEMA_STATEMENTS, type StatementName } from "./statements.js";

/** Connection settings (config `store.neo4j`) plus test seams. */
export interface Neo4jGraphStoreOptions {
  /** `neo4j://`, `bolt://`, or with `+s`/`+ssc` for TLS. */
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly maxPoolSize: number;
  readonly connectionTimeoutMs: number;
  /**
   * How long the driver retries a transient failure (deadlock, leader switch, lost connection)
   * inside one call before the call fails as an outage and the job is delayed instead.
   */
  readonly maxTransactionRetryTimeMs?: number;
  /** A driver to use instead of connecting (tests hand in a fake that throws the driver's errors). */
  readonly driver?: Pick<Driver, "session" | "close" | "verifyConnectivity">;
  readonly now?: () => number;
}

/** The two metrics the adapter reports (telemetry's `Metrics` has them). */
export interface Neo4jMetrics {
  readonly neo4jOperations: { inc(labels: { operation: string; outcome: string }): void };
  readonly neo4jQueryDuration: {
    startTimer(labels: { operation: string }): (labels?: Record<string, string>) => number;
  };
}

type Row = Record<string, unknown>;
const MAX_PAGE = 1000;
/**
 * Long enough for deadlock and leader-switch retries to succeed inside the call; short enough that
 * an outage reaches the circuit breaker (and the job is delayed) in seconds, not half a minute.
 */
const DEFAULT_RETRY_TIME_MS = 5_000;
const int = (n: number) => (Number.isSafeInteger(n) ? neo4j.int(n) : n);

/** Driver errors that mean "the store is not reachable or overloaded right now": retry later. */
const OUTAGE_CODES = new Set([
  "ServiceUnavailable",
  "SessionExpired",
  "Neo.ClientError.Cluster.NotALeader",
  "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
]);

/** Maps a driver failure to the port's retryable `StoreUnavailableError` when it is an outage. */
export function toStoreError(err: unknown): unknown {
  if (err instanceof StoreUnavailableError) return err;
  if (err instanceof Neo4jError) {
    const code = err.code ?? "";
    if (OUTAGE_CODES.has(code) || code.startsWith("Neo.TransientError.") || neo4j.isRetryableError(err))
      return new StoreUnavailableError(`neo4j: ${err.message}`, { cause: err });
  }
  const code = (err as { code?: string })?.code ?? "";
  if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH"].includes(code))
    return new StoreUnavailableError(`neo4j: ${(err as Error).message}`, { cause: err });
  return err;
}

/**
 * The production graph store on Neo4j 5. Every operation is one managed transaction
 * (`executeRead`/`executeWrite`, so the driver retries deadlocks and lost connections), every
 * statement is a named constant from `statements.ts` with values as parameters, and writes go in
 * `UNWIND $rows` batches. Outages surface as `StoreUnavailableError`, which the circuit breaker
 * and the workers turn into delayed jobs.
 */
export class Neo4jGraphStore implements GraphStore {
  private readonly driver: Pick<Driver, "session" | "close" | "verifyConnectivity">;
  private readonly now: () => number;
  private initialized = false;

  constructor(
    private readonly options: Neo4jGraphStoreOptions,
    private readonly metrics?: Neo4jMetrics,
  ) {
    this.now = options.now ?? Date.now;
    this.driver =
      options.driver ??
      neo4j.driver(options.url, neo4j.auth.basic(options.user, options.password), {
        maxConnectionPoolSize: options.maxPoolSize,
        connectionTimeout: options.connectionTimeoutMs,
        connectionAcquisitionTimeout: options.connectionTimeoutMs,
        maxTransactionRetryTime: options.maxTransactionRetryTimeMs ?? DEFAULT_RETRY_TIME_MS,
        // Times are ms since the epoch: far inside 2^53, so plain numbers are exact.
        disableLosslessIntegers: true,
        userAgent: "kg-rca",
      });
  }

  /** Runs one operation in a managed transaction, with metrics and outage mapping. */
  private async tx<T>(
    operation: string,
    mode: "read" | "write",
    work: (tx: TxLike) => Promise<T>,
  ): Promise<T> {
    const end = this.metrics?.neo4jQueryDuration.startTimer({ operation });
    let session: Session | undefined;
    try {
      session = this.driver.session({
        database: this.options.database,
        defaultAccessMode: mode === "read" ? neo4j.session.READ : neo4j.session.WRITE,
      });
      const out =
        mode === "read"
          ? await session.executeRead((t) => work(t as unknown as TxLike))
          : await session.executeWrite((t) => work(t as unknown as TxLike));
      this.metrics?.neo4jOperations.inc({ operation, outcome: "success" });
      return out;
    } catch (err) {
      const mapped = toStoreError(err);
      this.metrics?.neo4jOperations.inc({
        operation,
        outcome: mapped instanceof StoreUnavailableError ? "unavailable" : "error",
      });
      throw mapped;
    } finally {
      end?.();
      await session?.close().catch(() => {});
    }
  }

  private read(operation: string, name: StatementName, params: Row = {}): Promise<Row[]> {
    return this.tx(operation, "read", (t) => runStatement(t, name, params));
  }

  async init(): Promise<void> {
    if (this.initialized) return;
    try {
      await this.driver.verifyConnectivity({ database: this.options.database });
    } catch (err) {
      throw toStoreError(err);
    }
    for (const cypher of Object.values(SCHEMA_STATEMENTS)) {
      // Replicas start together: an index another one is creating right now may fail once.
      try {
        await this.tx("schema", "write", (t) => t.run(cypher) as Promise<never>);
      } catch (err) {
        if (err instanceof StoreUnavailableError) throw err;
        await this.tx("schema", "write", (t) => t.run(cypher) as Promise<never>);
      }
    }
    this.initialized = true;
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  async ping(): Promise<void> {
    await this.read("ping", "ping");
  }

  // ------------------------------------------------------------------ writes

  async applyBatch(batch: IngestBatch): Promise<ApplyResult> {
    const ingestedMs = this.now();
    // A fresh unit of work per attempt: a retried transaction must not see the last attempt's view.
    return this.tx("applyBatch", "write", (t) => new ApplyBatchWork(t, int, ingestedMs).run(batch));
  }

  async setEventLevels(updates: ReadonlyArray<{ eventId: string; level: Severity }>): Promise<number> {
    if (updates.length === 0) return 0;
    const rows = [...updates]
      .map((u) => ({ id: u.eventId, level: int(severityLevel(u.level)) }))
      .sort((a, b) => cmp(a.id, b.id));
    return this.tx("setEventLevels", "write", async (t) =>
      Number((await runStatement(t, "setEventLevels", { rows }))[0]?.n ?? 0),
    );
  }

  async upsertCauseLinks(links: readonly CauseLink[]): Promise<number> {
    if (links.length === 0) return 0;
    // One row per pair (the best one), in lock order: effect then cause.
    const best = new Map<string, Row>();
    for (const l of links) {
      const row = {
        causeId: l.causeId,
        effectId: l.effectId,
        confidence: l.confidence,
        temporal: l.temporal,
        distance: l.distance,
        domain: l.domain,
        hops: int(l.hops),
        rule: l.rule,
        path: JSON.stringify(l.path),
      };
      const k = `${l.effectId}\u0000${l.causeId}`;
      const cur = best.get(k);
      if (
        !cur ||
        row.confidence > Number(cur.confidence) ||
        (row.confidence === Number(cur.confidence) && row.path < String(cur.path))
      )
        best.set(k, row);
    }
    const rows = [...best.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, r]) => r);
    return this.tx("upsertCauseLinks", "write", async (t) =>
      Number((await runStatement(t, "upsertCauseLinks", { rows }))[0]?.n ?? 0),
    );
  }

  async saveIncidents(updates: readonly IncidentUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const rows = updates.map((inc) => ({
      id: inc.id,
      cluster: inc.cluster,
      severity: int(severityLevel(inc.severity)),
      startMs: int(inc.startMs),
      endMs: int(inc.endMs),
      eventCount: int(inc.eventCount),
      resourceIds: [...inc.resourceIds],
      namespaces: [...new Set(inc.resourceIds.map((r) => namespaceOf(r)))].sort(),
      rootEventId: inc.rootEventId ?? null,
    }));
    // The last update naming an event wins, as with sequential updates.
    const membership = new Map<string, string>();
    for (const inc of updates) for (const e of inc.joiningEventIds) membership.set(e, inc.id);
    const members = [...membership]
      .map(([eventId, incidentId]) => ({ eventId, incidentId }))
      .sort((a, b) => cmp(a.eventId, b.eventId));
    const moves = updates
      .flatMap((inc) => inc.absorbedIds.map((fromId) => ({ fromId, toId: inc.id })))
      .sort((a, b) => cmp(a.fromId, b.fromId));
    await this.tx("saveIncidents", "write", async (t) => {
      if (moves.length) {
        await runStatement(t, "moveIncidentEvents", { rows: moves });
        await runStatement(t, "deleteIncidents", { ids: moves.map((m) => m.fromId) });
      }
      await runStatement(t, "upsertIncidents", { rows: rows.sort((a, b) => cmp(a.id, b.id)) });
      if (members.length) await runStatement(t, "setEventIncidents", { rows: members });
    });
  }

  async upsertAnomalies(anomalies: readonly Anomaly[]): Promise<number> {
    if (anomalies.length === 0) return 0;
    const best = new Map<string, Anomaly>();
    for (const a of anomalies) {
      const cur = best.get(a.id);
      if (!cur || a.count > cur.count) best.set(a.id, a);
    }
    const rows = [...best.values()]
      .sort((a, b) => cmp(a.id, b.id))
      .map((a) => ({
        id: a.id,
        cluster: a.cluster,
        type: a.type,
        resourceId: a.resourceId ?? null,
        reason: a.reason ?? null,
        windowStartMs: int(a.windowStartMs),
        windowEndMs: int(a.windowEndMs),
        count: int(a.count),
        score: a.score,
        eventIds: [...a.eventIds],
        detail: a.detail,
      }));
    return this.tx("upsertAnomalies", "write", async (t) =>
      Number((await runStatement(t, "upsertAnomalies", { rows }))[0]?.n ?? 0),
    );
  }

  async cleanup(cutoffMs: number, batchSize: number, dryRun: boolean): Promise<CleanupResult> {
    const cutoff = int(cutoffMs);
    const size = neo4j.int(Math.max(1, Math.floor(batchSize)));
    const one = async (name: StatementName, params: Row) =>
      (await this.tx("cleanup", "write", (t) => runStatement(t, name, params)))[0] ?? {};
    if (dryRun) {
      const n = async (name: StatementName) =>
        Number((await this.read("cleanup", name, { cutoffMs: cutoff }))[0]?.n ?? 0);
      return {
        cutoffMs,
        dryRun,
        events: await n("countOldEvents"),
        causeLinks: await n("countOldCauseLinks"),
        incidents: await n("countOldIncidents"),
        anomalies: await n("countOldAnomalies"),
      };
    }
    // Each batch is its own short transaction: a large clean-up never holds one huge transaction.
    const loop = async (name: StatementName, each?: (r: Row) => void) => {
      let total = 0;
      for (;;) {
        const r = await one(name, { cutoffMs: cutoff, batchSize: size });
        const n = Number(r.events ?? r.n ?? 0);
        each?.(r);
        total += n;
        if (n < batchSize) return total;
      }
    };
    let causeLinks = 0;
    const events = await loop("deleteOldEventsBatch", (r) => {
      causeLinks += Number(r.links ?? 0);
    });
    const incidents = await loop("deleteOldIncidentsBatch");
    await loop("clearDanglingIncidentRefsBatch");
    const anomalies = await loop("deleteOldAnomaliesBatch");
    await loop("pruneVersionsBatch");
    return { cutoffMs, dryRun, events, causeLinks, incidents, anomalies };
  }

  /**
   * Deletes every node of the database, in batches. For tests and benchmarks that need an empty
   * graph; the workers never call it.
   */
  async deleteEverything(): Promise<void> {
    const batchSize = neo4j.int(10_000);
    for (;;) {
      const r = await this.tx("deleteEverything", "write", (t) =>
        runStatement(t, "deleteAllBatch", { batchSize }),
      );
      if (Number(r[0]?.n ?? 0) < 10_000) return;
    }
  }

  // ------------------------------------------------------------------ reads

  async getEvent(id: string): Promise<StoredEvent | undefined> {
    return this.tx("getEvent", "read", async (t) => {
      const rows = await runStatement(t, "getEvent", { id });
      const row = rows[0] ?? (await runStatement(t, "getLatestEventOfBase", { id }))[0];
      return row ? toEvent(row.e as Row) : undefined;
    });
  }

  async getEvents(ids: readonly string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    return (await this.read("getEvents", "getEvents", { ids: [...ids] })).map((r) => toEvent(r.e as Row));
  }

  async getResource(id: string): Promise<StoredResource | undefined> {
    const row = (await this.read("getResource", "getResource", { id }))[0];
    return row ? toResource(row.r as Row) : undefined;
  }

  async getResources(ids: readonly string[]): Promise<StoredResource[]> {
    if (ids.length === 0) return [];
    return (await this.read("getResources", "getResources", { ids: [...ids] })).map((r) =>
      toResource(r.r as Row),
    );
  }

  async neighborhood(start: string, maxHops: number): Promise<ReadonlyMap<string, Reach>> {
    // The walk itself is shared with the embedded store (graph/neighborhood.ts), so both give the
    // same reach and paths; here each hop's adjacency is one round trip.
    return this.tx("neighborhood", "read", (t) =>
      expandNeighborhood(start, maxHops, async (ids) => {
        const lists = adjacencyBuilder();
        for (const r of await runStatement(t, "neighbours", { ids: [...ids] }))
          lists.add(String(r.id), r.outgoing === true ? "out" : "in", String(r.other), String(r.type));
        return lists.sorted();
      }),
    );
  }

  async eventsOnResources(
    resourceIds: readonly string[],
    fromMs: number,
    toMs: number,
    minLevel: Severity = "INFO",
  ): Promise<StoredEvent[]> {
    if (resourceIds.length === 0) return [];
    return (
      await this.read("eventsOnResources", "eventsOnResources", {
        ids: [...new Set(resourceIds)],
        fromMs,
        toMs,
        minLevel: int(severityLevel(minLevel)),
      })
    ).map((r) => toEvent(r.e as Row));
  }

  async eventsByReason(
    resourceId: string,
    reason: string,
    fromMs: number,
    toMs: number,
  ): Promise<StoredEvent[]> {
    return (await this.read("eventsByReason", "eventsByReason", { resourceId, reason, fromMs, toMs })).map(
      (r) => toEvent(r.e as Row),
    );
  }

  async eventsInCluster(
    cluster: string,
    fromMs: number,
    toMs: number,
    limit: number,
  ): Promise<StoredEvent[]> {
    return (
      await this.read("eventsInCluster", "eventsInCluster", {
        cluster,
        fromMs,
        toMs,
        limit: neo4j.int(Math.max(0, Math.floor(limit))),
      })
    )
      .map((r) => toEvent(r.e as Row))
      .reverse();
  }

  async edgesOf(resourceIds: readonly string[]): Promise<StoredEdge[]> {
    if (resourceIds.length === 0) return [];
    return (await this.read("edgesOf", "edgesOf", { ids: [...new Set(resourceIds)] })).map((r) => ({
      fromId: String(r.fromId),
      toId: String(r.toId),
      type: String(r.type),
      origin: r.origin as StoredEdge["origin"],
    }));
  }

  async causeLinksTo(effectId: string): Promise<CauseLink[]> {
    return (await this.read("causeLinksTo", "causeLinksTo", { id: effectId })).map(toLink);
  }

  async causeLinksFrom(causeId: string): Promise<CauseLink[]> {
    return (await this.read("causeLinksFrom", "causeLinksFrom", { id: causeId })).map(toLink);
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return this.tx("getIncident", "read", async (t) => {
      const [rows, events] = await Promise.all([
        runStatement(t, "getIncident", { id }),
        runStatement(t, "incidentEventIds", { id }),
      ]);
      const row = rows[0];
      return row
        ? toIncident(
            row.i as Row,
            events.map((r) => String(r.id)),
          )
        : undefined;
    });
  }

  async incidentSummaries(ids: readonly string[]): Promise<IncidentSummary[]> {
    if (ids.length === 0) return [];
    return (await this.read("incidentSummaries", "incidentSummaries", { ids: [...ids] })).map((r) =>
      toIncidentSummary(r.i as Row),
    );
  }

  async incidentEvents(incidentId: string, limit: number): Promise<StoredEvent[]> {
    return (
      await this.read("incidentEvents", "incidentEvents", {
        id: incidentId,
        limit: neo4j.int(Math.max(0, Math.floor(limit))),
      })
    ).map((r) => toEvent(r.e as Row));
  }

  /** A page: the count and the slice, read in one transaction so they agree. */
  private page<T>(
    operation: string,
    count: StatementName,
    list: StatementName,
    params: Row,
    q: { offset?: number; limit?: number },
    map: (r: Row) => T,
  ): Promise<Page<T>> {
    const offset = Math.max(0, q.offset ?? 0);
    const limit = Math.min(MAX_PAGE, Math.max(1, q.limit ?? 50));
    return this.tx(operation, "read", async (t) => {
      // Both statements pipelined in one read transaction, so count and page agree.
      const [counted, rows] = await Promise.all([
        runStatement(t, count, params),
        runStatement(t, list, { ...params, offset: neo4j.int(offset), limit: neo4j.int(limit) }),
      ]);
      return { items: rows.map(map), total: Number(counted[0]?.n ?? 0), offset, limit };
    });
  }

  async listIncidents(f: IncidentFilter): Promise<Page<Incident>> {
    const params = {
      cluster: f.cluster || null,
      namespace: f.namespace || null,
      severity: f.severity ? int(severityLevel(f.severity)) : null,
      sinceMs: f.sinceMs ?? null,
      untilMs: f.untilMs ?? null,
    };
    return this.page("listIncidents", "countIncidents", "listIncidents", params, f, (r) =>
      toIncident(r.i as Row, []),
    );
  }

  async listEvents(f: EventFilter): Promise<Page<StoredEvent>> {
    const params = {
      cluster: f.cluster || null,
      namespace: f.namespace || null,
      resourceId: f.resourceId || null,
      reason: f.reason || null,
      etype: f.etype || null,
      minLevel: f.minSeverity ? int(severityLevel(f.minSeverity)) : null,
      sinceMs: f.sinceMs ?? null,
      untilMs: f.untilMs ?? null,
      incidentId: f.incidentId || null,
    };
    return this.page("listEvents", "countEvents", "listEvents", params, f, (r) => toEvent(r.e as Row));
  }

  async listAnomalies(f: AnomalyFilter): Promise<Page<Anomaly>> {
    const params = { cluster: f.cluster || null, type: f.type || null, sinceMs: f.sinceMs ?? null };
    return this.page("listAnomalies", "countAnomalies", "listAnomalies", params, f, (r) =>
      toAnomaly(r.a as Row),
    );
  }

  async searchResources(q: ResourceQuery): Promise<Page<StoredResource>> {
    const params = {
      cluster: q.cluster || null,
      kind: q.kind || null,
      namespace: q.namespace || null,
      name: q.name || null,
    };
    return this.page("searchResources", "countResources", "searchResources", params, q, (r) =>
      toResource(r.r as Row),
    );
  }

  async counts(): Promise<GraphCounts> {
    return this.tx("counts", "read", async (t) => {
      const [rows, byType] = await Promise.all([
        runStatement(t, "countObjects"),
        runStatement(t, "statsEdgesByType"),
      ]);
      const c = rows[0] ?? {};
      return {
        resources: Number(c.resources ?? 0),
        episodic_events: Number(c.events ?? 0),
        incidents: Number(c.incidents ?? 0),
        edges: byType.reduce((a, r) => a + Number(r.n), 0),
        cause_links: Number(c.causeLinks ?? 0),
        anomalies: Number(c.anomalies ?? 0),
      };
    });
  }

  async stats(): Promise<GraphStats> {
    return this.tx("stats", "read", async (t) => {
      const group = async (name: StatementName) =>
        Object.fromEntries((await runStatement(t, name)).map((r) => [String(r.k), Number(r.n)]));
      // All pipelined in one read transaction: one consistent snapshot, about one round trip.
      const [counts, edgesByType, byLevel, byKind, cRes, cEv, cInc] = await Promise.all([
        runStatement(t, "statsCounts"),
        group("statsEdgesByType"),
        group("statsEventsByLevel"),
        group("statsResourcesByKind"),
        group("statsClusterResources"),
        group("statsClusterEvents"),
        group("statsClusterIncidents"),
      ]);
      const c = counts[0] ?? {};
      const clusters: GraphStats["clusters"] = {};
      const add = (g: Record<string, number>, field: "resources" | "events" | "incidents") => {
        for (const [k, n] of Object.entries(g)) {
          clusters[k] ??= { resources: 0, events: 0, incidents: 0 };
          clusters[k]![field] = n;
        }
      };
      add(cRes, "resources");
      add(cEv, "events");
      add(cInc, "incidents");
      const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());
      return {
        resources: Number(c.resources ?? 0),
        episodic_events: Number(c.events ?? 0),
        incidents: Number(c.incidents ?? 0),
        edges: Object.values(edgesByType).reduce((a, b) => a + b, 0),
        cause_links: Number(c.causeLinks ?? 0),
        anomalies: Number(c.anomalies ?? 0),
        oldest_event: iso(c.oldest),
        newest_event: iso(c.newest),
        resources_by_kind: byKind,
        edges_by_type: edgesByType,
        events_by_severity: Object.fromEntries(
          Object.entries(byLevel).map(([k, v]) => [SEVERITIES[Number(k)] ?? k, v]),
        ),
        clusters,
      };
    });
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function namespaceOf(id: string): string {
  const parts = id.split(":");
  return parts.length < 4 ? "" : parts[parts.length - 2]!;
}

const parseJson = <T>(s: unknown, fallback: T): T => {
  if (typeof s !== "string" || !s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
};

function toResource(r: Row): StoredResource {
  return {
    id: String(r.id),
    cluster: String(r.cluster),
    kind: String(r.kind),
    namespace: String(r.namespace ?? ""),
    name: String(r.name),
    ...(r.uid ? { uid: String(r.uid) } : {}),
    labels: parseJson(r.labels, {}),
    props: parseJson(r.props, {}),
    atMs: Number(r.atMs ?? -1),
    deleted: r.deleted === true,
  };
}

/** As the embedded store's `toEvent`: every key present, so every event has one shape. */
function toEvent(r: Row): StoredEvent {
  const extra = parseJson<Record<string, unknown>>(r.extra, {});
  return {
    id: String(r.id),
    baseId: String(r.baseId),
    cluster: String(r.cluster),
    etype: r.etype as StoredEvent["etype"],
    severity: levelSeverity(Number(r.severity)),
    level: levelSeverity(Number(r.level)),
    reason: String(r.reason ?? ""),
    message: String(r.message ?? ""),
    timeMs: Number(r.timeMs),
    count: Number(r.count),
    resourceId: r.resourceId ? String(r.resourceId) : undefined,
    subjectKind: r.subjectKind ? String(r.subjectKind) : undefined,
    subjectNamespace: r.subjectNs ? String(r.subjectNs) : undefined,
    subjectName: r.subjectName ? String(r.subjectName) : undefined,
    subjectUid: r.subjectUid ? String(r.subjectUid) : undefined,
    incidentId: r.incidentId ? String(r.incidentId) : undefined,
    source: extra.source ? (extra.source as Record<string, unknown>) : undefined,
    labels: extra.labels ? (extra.labels as Record<string, string>) : undefined,
    annotations: extra.annotations ? (extra.annotations as Record<string, string>) : undefined,
    status: extra.status ? String(extra.status) : undefined,
  };
}

function toLink(r: Row): CauseLink {
  const l = r.l as Row;
  return {
    causeId: String(r.causeId),
    effectId: String(r.effectId),
    confidence: Number(l.confidence),
    temporal: Number(l.temporal),
    distance: Number(l.distance),
    domain: Number(l.domain),
    hops: Number(l.hops),
    rule: String(l.rule),
    path: parseJson(l.path, []),
  };
}

function toIncidentSummary(r: Row): IncidentSummary {
  return {
    id: String(r.id),
    cluster: String(r.cluster),
    severity: levelSeverity(Number(r.severity)),
    startMs: Number(r.startMs),
    endMs: Number(r.endMs),
    eventCount: Number(r.eventCount),
    resourceIds: ((r.resourceIds as unknown[] | null) ?? []).map(String),
    ...(r.rootEventId ? { rootEventId: String(r.rootEventId) } : {}),
  };
}

const toIncident = (r: Row, eventIds: string[]): Incident => ({ ...toIncidentSummary(r), eventIds });

function toAnomaly(r: Row): Anomaly {
  return {
    id: String(r.id),
    cluster: String(r.cluster),
    type: r.type as Anomaly["type"],
    ...(r.resourceId ? { resourceId: String(r.resourceId) } : {}),
    ...(r.reason ? { reason: String(r.reason) } : {}),
    windowStartMs: Number(r.windowStartMs),
    windowEndMs: Number(r.windowEndMs),
    count: Number(r.count),
    score: Number(r.score),
    eventIds: ((r.eventIds as unknown[] | null) ?? []).map(String),
    detail: String(r.detail),
  };
}
