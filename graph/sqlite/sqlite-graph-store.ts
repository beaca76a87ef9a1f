import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { getHeapStatistics } from "node:v8";
import Database from "better-sqlite3";
import {
  diffVersions,
  initialConditionEvents,
  isBareDelete,
  isBareDeleteVersion,
  type ResourceVersion,
  tombstoneUpsert,
  versionOf,
} from "../../rca/changes.js";
import { isClusterScoped, parseResourceId, refToId, resourceId } from "../../rca/identity.js";
import {
  credentialReferenceKey,
  DERIVED_OUT_TYPES,
  impliedEdges,
  messageHints,
  ownedReferenceKeys,
  POD_SELECTING_KINDS,
  podSelected,
  referenceKey,
  serviceTechnologies,
  resolveTechnology,
} from "../../rca/implied-edges.js";
import type { EventInput, IngestBatch, ResourceRef, ResourceUpsert, Severity } from "../../rca/model.js";
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
  ResourceQuery,
  StoredEdge,
  StoredEvent,
  StoredResource,
} from "../graph-store.js";
import { eventWith, StoreUnavailableError } from "../graph-store.js";
import {
  type Adjacency,
  adjacencyBuilder,
  expandNeighborhood,
  type Neighbourhood,
  ResourceMarks,
  sortAdjacency,
  startsThatMayExpand,
} from "../neighborhood.js";
import { BackgroundCheckpointer } from "./checkpointer.js";
import { byTimeDescId, byTimeId, HotEvents } from "./hot-events.js";
import { LayeredMap } from "./layered-map.js";

/** Beyond this many known resource rows the set starts again (it only saves statements). */
const KNOWN_ROWS_MAX = 500_000;

/**
 * Commits made through this process's connections, per database file. A connection keeps the
 * `PRAGMA data_version` it read until the current macrotask ends or another connection of this
 * process commits to the same file (see `dataVersionNow`).
 */
const commitEpochs = new Map<string, { n: number }>();
const commitEpoch = (path: string): { n: number } => {
  if (path === ":memory:") return { n: 0 }; // a database of its own
  const key = resolve(path);
  let e = commitEpochs.get(key);
  if (!e) {
    e = { n: 0 };
    commitEpochs.set(key, e);
  }
  return e;
};

import { copyEventTablesToSeq, renameEventTablesBeforeSeq, SCHEMA, SCHEMA_VERSION } from "./schema.js";

export interface SqliteGraphStoreOptions {
  /** Database file; `:memory:` for a private in-memory store. */
  readonly path: string;
  /** How long a writer waits for another process's lock before failing (retryable). */
  readonly busyTimeoutMs?: number;
  /**
   * SQLite's page cache, in MiB (default 16). Recent events and the topology are served from
   * memory already; a bigger cache mostly adds resident memory.
   */
  readonly cacheMb?: number;
  /**
   * Log pages at which a commit checkpoints by itself (SQLite `wal_autocheckpoint`; default
   * 10,000 = 40 MiB). With the checkpoint thread, ten times as many: only a safety net.
   */
  readonly checkpointPages?: number;
  /**
   * Checkpoint from a worker thread every second (`BackgroundCheckpointer`); the automatic
   * checkpoint above stays as the safety net. For the long-running processes; off by default.
   */
  readonly backgroundCheckpoint?: boolean;
  /** The checkpoint thread failed (SQLite's automatic checkpoint carries on alone). */
  readonly onCheckpointError?: (err: Error) => void;
  readonly now?: () => number;
  /**
   * Keep the newest `maxEvents` events in memory (see `HotEvents`). For the process that does
   * most of the writing (`kgrca start`); another process's commit makes it reload, so it stays
   * exact but gains nothing under many writers.
   */
  readonly hotEvents?: { readonly maxEvents: number };
  /**
   * The RCA hop limit: when set, `applyBatch` reports for each resource whose edges changed which
   * reaches from it changed (`ApplyResult.reachChanged`), so scoring rescores only those pairs.
   */
  readonly reachHops?: number;
  /**
   * Build the edge index RCA reads (`edgesOf`) when the store opens, and keep it current through
   * this connection's writes, so that no query pays for reading every edge. For a process that
   * does the writing and answers queries (`kgrca start`); elsewhere it is built on first use.
   */
  readonly keepEdgeIndex?: boolean;
}

type Row = Record<string, unknown>;

const sameEdges = (a: Adjacency["out"], b: Adjacency["out"]): boolean =>
  a.length === b.length && a.every((x, i) => x[0] === b[i]![0] && x[1] === b[i]![1]);

/**
 * The store's rows in a fixed order, for comparing two stores' contents (order-independence and
 * fault tests); `db` may be a read-only connection of its own.
 */
export function fingerprintOf(db: Database.Database): Record<string, unknown[]> {
  const q = (sql: string) => db.prepare(sql).all();
  return {
    resources: q("SELECT id, kind, namespace, name, uid, labels, props, deleted FROM resources ORDER BY id"),
    edges: q("SELECT DISTINCT from_id, type, to_id FROM edges ORDER BY from_id, type, to_id"),
    events: q("SELECT id, resource_id, reason, level, time_ms, incident_id FROM events ORDER BY id"),
    cause_links: q(
      `SELECT f.id AS effect_id, c.id AS cause_id, l.confidence, l.hops, l.rule FROM cause_links l
       JOIN events f ON f.seq = l.effect_seq JOIN events c ON c.seq = l.cause_seq ORDER BY f.id, c.id`,
    ),
    incidents: q(
      "SELECT id, severity, start_ms, end_ms, event_count, resource_ids, root_event_id FROM incidents ORDER BY id",
    ),
    anomalies: q("SELECT id, type, count FROM anomalies ORDER BY id"),
  };
}

/** An event row's insert, before its conflict clause (the two event inserts differ only there). */
const EVENT_INSERT = `INSERT INTO events (id, base_id, cluster, etype, severity, level, reason, message, time_ms, count,
    resource_id, subject_kind, subject_ns, subject_name, subject_uid, extra, ingested_ms)
  VALUES (@id, @base_id, @cluster, @etype, @severity, @severity, @reason, @message, @time_ms, @count, @resource_id,
    @subject_kind, @subject_ns, @subject_name, @subject_uid, @extra, @ingested_ms)`;

/**
 * The ids a base id's events can have, as a range of the id index: from the base itself up to
 * (not including) the base followed by the last code point. Every id of the base's events starts
 * with it (`base`, `base#n`, `base:reason`); the range holds other ids too, which `base_id = ?`
 * leaves out. As the three parameters of such a statement.
 */
const idPrefixRange = (baseId: string): [string, string, string] => [baseId, `${baseId}\u{10FFFF}`, baseId];

const DERIVED_OUT = DERIVED_OUT_TYPES;
const MAX_PAGE = 1000;
/**
 * Links remembered by `upsertCauseLinks` (~160 bytes each with text keys, fewer since the keys are
 * numbers). 100k held 16 MB of the ~120 MB live heap; 50k gave the same throughput in
 * back-to-back bench runs (3,371 / 3,357 against 3,320 / 3,267 events/s, together with
 * `VECTOR_MEMO_MAX` at 10k) and 8-13 MB less live heap.
 */
const LINK_MEMO_MAX = 50_000;

/** What the link memo keeps of a stored link: its two events' numbers, confidence and path hash. */
interface LinkMemo {
  readonly effectSeq: number;
  readonly causeSeq: number;
  readonly confidence: number;
  readonly pathHash: number;
}

/**
 * The link memo's key for two event numbers: a number, built and hashed without a string (a text
 * key was ~1 % of a 30k-event bench run's pipeline in its look-ups). Not one-to-one (the cause's
 * number counts modulo 2^20, and beyond 2^33 events the effect's loses precision): an entry under
 * it is another link's unless its own numbers match.
 */
const linkMemoKey = (effectSeq: number, causeSeq: number): number =>
  effectSeq * 1_048_576 + (causeSeq % 1_048_576);
/** Changed resources up to which `dropChangedNeighbourhoods` walks back from each (beyond it, tests every kept one). */
const FEW_CHANGED = 64;

/**
 * Resources reached, summed over the neighbourhoods kept. Each costs ~27 bytes packed
 * (`Neighbourhood`: its record and table slot, most of it outside the V8 heap), and a walk not
 * kept is walked again, which took a tenth of the pipeline's CPU: so 5 % of the V8 heap limit goes
 * to them, at ~30 bytes each, between 60k and 2M. The bench's 10,000-resource cluster reaches
 * ~350k in all at 3 hops: with the image's 192 MB heap (a 216 MB limit with new space) ~360k are
 * kept (~10 MB). As `ReachStep`s in a `Map` (~110 bytes each) only ~103k were, and a third of the
 * reads found theirs.
 */
const NEIGHBOURHOOD_CACHE_MAX = Math.max(
  60_000,
  Math.min(2_000_000, Math.floor((getHeapStatistics().heap_size_limit * 0.05) / 30)),
);
/** Another process's commits closer together than this turn the in-memory recent events off. */
const HOT_RELOAD_MIN_MS = 10_000;
const RESOURCE_MEMO_MAX = 200_000;
const TOPOLOGY_STRINGS_MAX = 1_000_000;
/** Resources whose edges changed that a topology version keeps beside the shared map (`LayeredMap`). */
const TOPOLOGY_OVERLAY_MAX = 4_096;
/** Edge rows changed since the edge index was built beyond which it is patched at once (or dropped). */
const EDGE_PATCH_MAX = 4_096;
/** With the checkpoint thread, commits checkpoint by themselves only at this many times `checkpointPages`. */
const THREAD_CHECKPOINT_FACTOR = 10;

/** Topology versions whose edge changes stay in `edge_log`, pruned every `EDGE_LOG_PRUNE_EVERY`. */
const EDGE_LOG_VERSIONS = 1_024;
const EDGE_LOG_PRUNE_EVERY = 64;

const parseJson = <T>(s: unknown, fallback: T): T => {
  if (typeof s !== "string" || !s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
};

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? "";
  return (
    code.startsWith("SQLITE_BUSY") ||
    code.startsWith("SQLITE_LOCKED") ||
    code === "SQLITE_READONLY" ||
    code.startsWith("SQLITE_IOERR") ||
    code === "SQLITE_CANTOPEN" ||
    code === "SQLITE_FULL"
  );
}

/**
 * The embedded graph store: one SQLite file in WAL mode. Several processes on one machine may
 * open the same file; writes take the database lock (`BEGIN IMMEDIATE`) and wait up to
 * `busyTimeoutMs` for it. Every statement is prepared once and takes parameters only.
 */
export class SqliteGraphStore implements GraphStore {
  private db!: Database.Database;
  private stmts!: ReturnType<SqliteGraphStore["prepare"]>;
  private readonly now: () => number;
  private hotStmts:
    | {
        dirty: Database.Statement;
        clear: Database.Statement;
        newest: Database.Statement;
        resDirty: Database.Statement;
        resClear: Database.Statement;
      }
    | undefined;
  private adjCache: ReadonlyMap<string, Adjacency> | undefined;
  private adjVersion = -1;
  /** Neighbourhoods of the topology in `adjCache`, by hop limit and start; dropped with it. */
  /** `gen`: the topology generation it was walked in (kept through changes that do not touch it). */
  private nbCache = new Map<string, { nb: Neighbourhood; gen: number }>();
  private adjGen = 0;
  /** The topology before the last change and the kept neighbourhoods it changed, as they were. */
  private prevNb:
    | { adj: ReadonlyMap<string, Adjacency>; dropped: ReadonlyMap<string, Neighbourhood> }
    | undefined;
  private nbCacheSize = 0;
  /** How many neighbourhoods are kept per hop limit. */
  private readonly nbCacheHops = new Map<number, number>();
  /** Every edge row by each of its two ends, loaded on demand for one topology version. */
  private edgeIndex: EdgeIndex | undefined;
  private edgeIndexVersion = -1;
  /** Times the whole topology was read (`fullTopologyReads`). */
  private topologyReads = 0;
  /**
   * The edge rows this connection's writes inserted or deleted since `edgeIndex`'s version (by
   * `edgeKey`; null: deleted), up to the topology version they lead to: the next read patches the
   * index with them instead of reading every edge again (undefined: another connection changed
   * the topology, or too many).
   */
  private edgeIndexPending: { version: number; delta: Map<string, EdgeChange> } | undefined;
  /**
   * One string object per resource id and edge type in the topology caches: each row read
   * makes its own copy, and every set and map a query fills with ids compares them, which is a
   * pointer comparison when they are the same object and a character-by-character one otherwise.
   */
  private readonly topologyStrings = new Map<string, string>();
  /** Statements whose text is built at run time (filters, pages), prepared once per distinct text. */
  private readonly dynamic = new Map<string, Database.Statement>();
  /** Set by any edge insert or delete inside the current write transaction. */
  private topologyChanged = false;
  /** Resources whose edges the current write changed. */
  private readonly edgesChanged = new Set<string>();
  /** Edge rows the current write inserted or deleted, by `edgeKey` (the last change of a row wins). */
  private readonly edgeDelta = new Map<string, EdgeChange>();
  private readonly hot: HotEvents | undefined;
  private checkpointer: BackgroundCheckpointer | undefined;
  /** `PRAGMA data_version` when `hot` was last known to match the database. */
  private hotVersion = -1;
  /** When `hot` was last (re)loaded, and whether foreign writes made this process give it up. */
  private hotLoadedMs = 0;
  private hotOff = false;
  /**
   * `PRAGMA data_version` as last read, and this file's in-process commit count then
   * (`commitEpochs`); forgotten at the end of the macrotask it was read in.
   */
  private dataVersionRead: number | undefined;
  private dataVersionEpoch = -1;
  private dataVersionExpiry = false;
  private readonly epoch: { n: number };
  /**
   * Resource rows and uid mappings known to be committed (written or found by this connection's
   * writes), so that events naming a known resource skip the row's insert-if-missing and the uid
   * lookup. Rows and mappings are never deleted; a mapping can move, and then it is written here.
   * Cleared when another connection commits (`knownDataVersion`). `pendingKnown`: the current
   * write's, known once it commits.
   */
  private readonly knownResources = new Set<string>();
  private readonly knownUids = new Map<string, string>();
  private knownDataVersion = -1;
  private pendingKnown: { resources: string[]; uids: Array<[string, string]> } | undefined;
  /**
   * The event rows the current write transaction inserted, to mirror into the recent events after
   * it commits (with recent events in memory only). `seqFloor`: the highest event number before
   * the transaction (read at its first insert): a row the insert statement returns with a higher
   * number is new; a lower one is an existing row its upsert changed, which the update trigger
   * lists for reading back.
   */
  private pendingInserts:
    | {
        seqFloor: number | undefined;
        events: StoredEvent[];
        /**
         * Events whose incident alone (null: none) or level alone the transaction changed, with
         * the new value, in statement order: the update trigger leaves out updates of
         * `incident_id` or `level` alone, and the held event is copied with the new value instead
         * of its row being read back.
         */
        patches: EventPatch[];
      }
    | undefined;
  /** The topology version row as last read or bumped here, and the data_version it was read at. */
  private topologyKnown: { dataVersion: number; version: number } | undefined;
  /** Cause links this process wrote (best known confidence and path), kept while `hot` is valid. */
  private readonly linkMemo = new Map<number, LinkMemo>();
  /**
   * Resource rows read (null: no such row), kept while `hot` is valid: each RCA query reads
   * hundreds, two JSON documents each. This connection's changes to a row drop it.
   */
  private readonly resourceMemo = new Map<string, StoredResource | null>();

  constructor(private readonly options: SqliteGraphStoreOptions) {
    this.now = options.now ?? Date.now;
    this.epoch = commitEpoch(options.path);
    this.hot =
      options.hotEvents && options.hotEvents.maxEvents > 0
        ? new HotEvents(options.hotEvents.maxEvents)
        : undefined;
  }

  async init(): Promise<void> {
    if (this.db) return;
    try {
      if (this.options.path !== ":memory:") mkdirSync(dirname(this.options.path), { recursive: true });
      this.db = new Database(this.options.path, { timeout: this.options.busyTimeoutMs ?? 15_000 });
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma("temp_store = MEMORY");
      // Checkpoint (copy the log into the database file, with an fsync) every N log pages: at
      // SQLite's default of 1,000 (4 MiB) a third of commit time went to checkpoints under load;
      // fewer, larger ones write each often-changed page (index roots, the newest leaves) once.
      // With the checkpoint thread the threshold is only a safety net, set ten times higher: at
      // 5,000 events/s the log outgrew 10,000 pages within the thread's second, and the commit
      // that crossed it checkpointed inline (75-107 ms, against 4-13 ms, ~7 times per 10 s).
      const threaded = this.options.backgroundCheckpoint === true && this.options.path !== ":memory:";
      const pages = this.checkpointPagesAlone;
      this.db.pragma(`wal_autocheckpoint = ${threaded ? pages * THREAD_CHECKPOINT_FACTOR : pages}`);
      // After a checkpoint the log is reused from its start; cap what stays on disk.
      this.db.pragma("journal_size_limit = 67108864");
      this.db.pragma(`cache_size = -${Math.round((this.options.cacheMb ?? 16) * 1024)}`);
      const current = this.db.pragma("user_version", { simple: true }) as number;
      if (current < SCHEMA_VERSION) {
        this.db
          .transaction(() => {
            const renamed = renameEventTablesBeforeSeq(this.db);
            this.db.exec(SCHEMA);
            if (renamed) copyEventTablesToSeq(this.db);
            this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
          })
          .immediate();
      }
      this.stmts = this.prepare();
      if (threaded)
        this.checkpointer = new BackgroundCheckpointer(this.options.path, (err) =>
          this.checkpointThreadFailed(err),
        );
      if (this.hot) {
        // This connection's changes to event rows, collected per transaction to mirror them in
        // memory after commit. Temp triggers belong to this connection only; other processes'
        // commits show as a new data_version instead. Inserted rows are not listed: the two
        // statements that insert events hand theirs over (`pendingInserts`), instead of each
        // new row going through the list, the list's read back by id, and its parse. Nor are
        // updates of `incident_id` or `level` alone (clustering sets the incident of every event
        // that joins one, escalation raises levels): their statements list the events they change
        // (`pendingInserts.patches`).
        const listed = (
          this.db
            .prepare(
              "SELECT name FROM pragma_table_info('events') WHERE name NOT IN ('incident_id', 'level')",
            )
            .pluck()
            .all() as string[]
        ).join(", ");
        this.db.exec(`
          CREATE TEMP TABLE IF NOT EXISTS hot_dirty (id TEXT NOT NULL);
          CREATE TEMP TRIGGER IF NOT EXISTS hot_upd AFTER UPDATE OF ${listed} ON main.events
            BEGIN INSERT INTO hot_dirty (id) VALUES (NEW.id); INSERT INTO hot_dirty (id) VALUES (OLD.id); END;
          CREATE TEMP TRIGGER IF NOT EXISTS hot_del AFTER DELETE ON main.events
            BEGIN INSERT INTO hot_dirty (id) VALUES (OLD.id); END;
          CREATE TEMP TABLE IF NOT EXISTS res_dirty (id TEXT NOT NULL);
          CREATE TEMP TRIGGER IF NOT EXISTS res_ins AFTER INSERT ON main.resources
            BEGIN INSERT INTO res_dirty (id) VALUES (NEW.id); END;
          CREATE TEMP TRIGGER IF NOT EXISTS res_upd AFTER UPDATE ON main.resources
            BEGIN INSERT INTO res_dirty (id) VALUES (NEW.id); INSERT INTO res_dirty (id) VALUES (OLD.id); END;
          CREATE TEMP TRIGGER IF NOT EXISTS res_del AFTER DELETE ON main.resources
            BEGIN INSERT INTO res_dirty (id) VALUES (OLD.id); END;`);
        this.hotStmts = {
          dirty: this.db.prepare(
            "SELECT d.id AS dirty_id, e.* FROM (SELECT DISTINCT id FROM temp.hot_dirty) d LEFT JOIN main.events e ON e.id = d.id",
          ),
          clear: this.db.prepare("DELETE FROM temp.hot_dirty"),
          newest: this.db.prepare("SELECT * FROM events ORDER BY time_ms DESC, id DESC LIMIT ?"),
          resDirty: this.db.prepare("SELECT DISTINCT id FROM temp.res_dirty").pluck(),
          resClear: this.db.prepare("DELETE FROM temp.res_dirty"),
        };
      }
      if (this.options.keepEdgeIndex) this.run(() => this.edgesByResource());
    } catch (err) {
      throw isBusy(err)
        ? new StoreUnavailableError(`sqlite: ${(err as Error).message}`, { cause: err })
        : err;
    }
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.db?.open) this.db.close();
  }

  async ping(): Promise<void> {
    this.run(() => this.stmts.ping.get());
  }

  /** Runs `fn`, turning lock/IO failures into the retryable `StoreUnavailableError`. */
  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (isBusy(err)) throw new StoreUnavailableError(`sqlite: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }

  /** Log pages at which a commit checkpoints by itself when no checkpoint thread runs. */
  private get checkpointPagesAlone(): number {
    return Math.max(1, Math.floor(this.options.checkpointPages ?? 10_000));
  }

  /** The checkpoint thread failed: commits checkpoint by themselves from now on, as without it. */
  private checkpointThreadFailed(err: Error): void {
    this.checkpointer = undefined;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${this.checkpointPagesAlone}`);
    this.options.onCheckpointError?.(err);
  }

  /**
   * `PRAGMA data_version`: it changes when another connection commits. Each read starts a read
   * transaction (WAL locks, system calls), and a job's store calls asked for it ~10 times per
   * event: 12 % of the pipeline's CPU. So it is read once per macrotask. Another process's commit
   * can only be known here through I/O (a Redis reply, an HTTP request, IPC), which runs in a
   * later macrotask, so no read that follows it in time can miss it; a commit by another connection
   * of this process bumps `commitEpochs`, which forgets the value at once. Inside a write
   * transaction it is read afresh (`writeOnce`), under the write lock.
   */
  private dataVersionNow(): number {
    if (this.dataVersionRead !== undefined && this.dataVersionEpoch === this.epoch.n)
      return this.dataVersionRead;
    const v = Number(this.stmts.dataVersion.get());
    this.dataVersionRead = v;
    this.dataVersionEpoch = this.epoch.n;
    if (!this.dataVersionExpiry) {
      this.dataVersionExpiry = true;
      setImmediate(() => {
        this.dataVersionExpiry = false;
        this.dataVersionRead = undefined;
      }).unref();
    }
    return v;
  }

  private write<T>(fn: () => T): T {
    try {
      return this.writeOnce(fn);
    } catch (err) {
      this.pendingKnown = undefined; // rolled back: nothing of it is known committed
      this.pendingInserts = undefined;
      this.topologyKnown = undefined; // a bump may have been rolled back
      this.edgeIndexPending = undefined; // so may the edge changes it lists
      throw err;
    }
  }

  private writeOnce<T>(fn: () => T): T {
    const outer = this.pendingKnown === undefined; // a write inside a write is part of it
    let patch: { version: number; adj: ReadonlyMap<string, Adjacency>; ids: string[] } | undefined;
    let edgesPending: { from: number; version: number } | undefined;
    let inserted: StoredEvent[] | undefined;
    let patches: EventPatch[] | undefined;
    let changed: Row[] | undefined;
    let changedResources: string[] | undefined;
    const out = this.run(() =>
      this.db
        .transaction(() => {
          // What is known committed holds until another connection commits.
          if (outer) {
            // A write inside a write adds to the outer one's changes, which are handled once, below.
            this.topologyChanged = false;
            this.edgesChanged.clear();
            this.edgeDelta.clear();
            this.dataVersionRead = undefined; // read under the write lock
            const dv = this.dataVersionNow();
            if (dv !== this.knownDataVersion || this.knownResources.size > KNOWN_ROWS_MAX) {
              this.knownResources.clear();
              this.knownUids.clear();
              this.knownDataVersion = dv;
            }
            this.pendingKnown = { resources: [], uids: [] };
            if (this.hotStmts) this.pendingInserts = { seqFloor: undefined, events: [], patches: [] };
          }
          const out = fn();
          if (!outer) return out;
          if (this.topologyChanged) {
            // The topology in memory was the database's before this write: patch the resources
            // whose edges changed instead of reading every edge again after it.
            const from = this.topologyVersionNow();
            const current = this.adjCache !== undefined && this.adjVersion === from;
            const indexed =
              this.edgeIndex !== undefined &&
              (this.edgeIndexVersion === from || this.edgeIndexPending?.version === from);
            this.topologyKnown = undefined;
            this.stmts.bumpTopology.run();
            const to = this.topologyVersionNow();
            this.logEdgeChanges(to);
            if (indexed) edgesPending = { from, version: to };
            if (current)
              patch = {
                version: to,
                adj: this.patchedAdjacency(),
                ids: [...this.edgesChanged],
              };
          }
          if (this.hotStmts) {
            inserted = this.pendingInserts?.events;
            patches = this.pendingInserts?.patches;
            changed = this.hotStmts.dirty.all() as Row[];
            if (changed.length) this.hotStmts.clear.run();
            changedResources = this.hotStmts.resDirty.all() as string[];
            if (changedResources.length) this.hotStmts.resClear.run();
          }
          return out;
        })
        .immediate(),
    );
    // Committed. Other connections of this process must read data_version again; this one's
    // value, read under the write lock, still holds (its own commits do not change it).
    if (outer) {
      this.epoch.n++;
      this.dataVersionEpoch = this.epoch.n;
    }
    // Mirror the inserted rows, then the changed ones (a row changed after its insert in the same
    // transaction is in both; a rolled-back transaction took its lists with it).
    const known = outer ? this.pendingKnown : undefined;
    if (outer) {
      this.pendingKnown = undefined;
      this.pendingInserts = undefined;
    }
    if (known) {
      for (const id of known.resources) this.knownResources.add(id);
      for (const [k, id] of known.uids) this.knownUids.set(k, id);
    }
    if (!outer) return out;
    if (this.topologyChanged) this.pendEdgeChanges(edgesPending);
    if (patch) {
      this.dropChangedNeighbourhoods(this.adjCache, patch.adj, patch.ids);
      this.adjCache = patch.adj;
      this.adjVersion = patch.version;
    }
    if (inserted?.length && this.hot) for (const e of inserted) this.hot.put(e);
    if (changed?.length && this.hot)
      for (const r of changed) {
        if (r.id === null || r.id === undefined) this.hot.drop(String(r.dirty_id));
        else this.hot.put(toEvent(r));
      }
    // Then the events whose incident or level alone changed, unless read back above (as they are
    // at commit).
    if (patches?.length && this.hot) {
      const reread = changed?.length ? new Set(changed.map((r) => String(r.dirty_id))) : undefined;
      for (const p of patches) {
        const e = reread?.has(p.id) ? undefined : this.hot.get(p.id);
        if (!e) continue;
        if (p.level !== undefined) {
          if (e.level !== p.level) this.hot.put(eventWith(e, { level: p.level }));
        } else if (e.incidentId !== (p.incidentId ?? undefined))
          this.hot.put(eventWith(e, { incidentId: p.incidentId ?? undefined }));
      }
    }
    if (changedResources) for (const id of changedResources) this.resourceMemo.delete(id);
    return out;
  }

  /** The in-memory recent events, once they are known to match the database; else undefined. */
  private hotEvents(): HotEvents | undefined {
    const hot = this.hot;
    if (!hot || !this.hotStmts || this.hotOff) return undefined;
    const version = this.dataVersionNow();
    if (version === this.hotVersion) return hot;
    // Other processes write here all the time (a `kgrca worker` beside `kgrca start`): reloading
    // after each of their commits would cost more than it saves, so this process reads SQL from now on.
    const now = Date.now();
    if (this.hotVersion !== -1 && now - this.hotLoadedMs < HOT_RELOAD_MIN_MS) {
      this.hotOff = true;
      hot.reset(Number.POSITIVE_INFINITY);
      this.linkMemo.clear();
      this.resourceMemo.clear();
      return undefined;
    }
    this.hotLoadedMs = now;
    // First use, or another process committed (it may have removed links, changed resources):
    // load the newest events again.
    this.linkMemo.clear();
    this.resourceMemo.clear();
    const events = eventsOf(this.hotStmts.newest, hot.maxEvents + 1);
    // Capped: keep whole milliseconds only, so that every event at or after the floor is held.
    const floor =
      events.length > hot.maxEvents ? events[events.length - 1]!.timeMs + 1 : Number.NEGATIVE_INFINITY;
    hot.reset(floor, events);
    this.hotVersion = version;
    return hot;
  }

  /** A statement for SQL built at run time: the filter shapes are few, so each is prepared once. */
  private sql(text: string): Database.Statement {
    let st = this.dynamic.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.dynamic.set(text, st);
    }
    return st;
  }

  private prepare() {
    const d = this.db;
    return {
      ping: d.prepare("SELECT 1"),
      dataVersion: d.prepare("PRAGMA data_version").pluck(),
      resById: d.prepare("SELECT * FROM resources WHERE id = ?"),
      resEnsure: d.prepare(
        "INSERT INTO resources (id, cluster, kind, namespace, name) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
      ),
      resUpdate: d.prepare(
        `UPDATE resources SET uid = COALESCE(@uid, uid), labels = @labels, props = @props, at_ms = @at_ms, deleted = @deleted,
         pod_ip = @pod_ip, cluster_ip = @cluster_ip WHERE id = @id`,
      ),
      resSetUid: d.prepare("UPDATE resources SET uid = ? WHERE id = ? AND uid IS NULL"),
      resMarkDeleted: d.prepare("UPDATE resources SET deleted = 1 WHERE id = ?"),
      resInScope: d.prepare(
        "SELECT id, labels, props FROM resources WHERE cluster = ? AND namespace = ? AND kind = ?",
      ),
      resByIp: d.prepare(
        `SELECT id FROM resources WHERE cluster = @cluster AND pod_ip = @ip
         UNION SELECT id FROM resources WHERE cluster = @cluster AND cluster_ip = @ip ORDER BY id`,
      ),
      uidGet: d.prepare("SELECT resource_id FROM uids WHERE cluster = ? AND uid = ?"),
      uidAny: d.prepare("SELECT resource_id FROM uids WHERE uid = ? LIMIT 2"),
      uidPut: d.prepare(
        "INSERT INTO uids (cluster, uid, resource_id) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET resource_id = excluded.resource_id",
      ),
      versionInsert: d.prepare(
        "INSERT INTO resource_versions (resource_id, at_ms, version) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      ),
      versionPrev: d.prepare(
        "SELECT at_ms, version FROM resource_versions WHERE resource_id = ? AND at_ms < ? ORDER BY at_ms DESC LIMIT 1",
      ),
      versionNext: d.prepare(
        "SELECT at_ms, version FROM resource_versions WHERE resource_id = ? AND at_ms > ? ORDER BY at_ms ASC LIMIT 1",
      ),
      edgeInsert: d.prepare(
        "INSERT INTO edges (from_id, type, to_id, origin, cluster) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      ),
      derivedEdgesOf: d.prepare(
        `SELECT from_id, type, to_id FROM edges WHERE origin = 'derived' AND from_id = @id AND type IN (${DERIVED_OUT.map((t) => `'${t}'`).join(",")})
         UNION SELECT from_id, type, to_id FROM edges WHERE origin = 'derived' AND to_id = @id AND type = 'CONTROLS'
         UNION SELECT from_id, type, to_id FROM edges WHERE origin = 'derived' AND type = 'SELECTS' AND from_id = @id
         UNION SELECT from_id, type, to_id FROM edges WHERE origin = 'derived' AND type = 'SELECTS' AND to_id = @id`,
      ),
      edgeDeleteOne: d.prepare(
        "DELETE FROM edges WHERE from_id = ? AND type = ? AND to_id = ? AND origin = ?",
      ),
      edgeDeleteSent: d.prepare(
        "DELETE FROM edges WHERE origin = 'sent' AND from_id = ? AND type = ? AND to_id = ?",
      ),
      allEdges: d.prepare("SELECT DISTINCT from_id, type, to_id FROM edges"),
      adjOut: d.prepare("SELECT DISTINCT to_id AS other, type FROM edges WHERE from_id = ?"),
      adjIn: d.prepare("SELECT DISTINCT from_id AS other, type FROM edges WHERE to_id = ?"),
      topologyVersion: d.prepare("SELECT value FROM meta WHERE key = 'topology_version'"),
      bumpTopology: d.prepare(
        "INSERT INTO meta (key, value) VALUES ('topology_version', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1",
      ),
      allEdgeRows: d.prepare("SELECT from_id, to_id, type, origin FROM edges"),
      edgeLogInsert: d.prepare("INSERT INTO edge_log (version, changes) VALUES (?, ?)"),
      edgeLogRange: d
        .prepare("SELECT changes FROM edge_log WHERE version > ? AND version <= ? ORDER BY version")
        .pluck(),
      edgeLogPrune: d.prepare("DELETE FROM edge_log WHERE version <= ?"),
      sentGet: d.prepare("SELECT * FROM sent_edges WHERE cluster = ? AND key = ?"),
      sentGetAnyCluster: d.prepare("SELECT * FROM sent_edges WHERE key = ?"),
      sentPut: d.prepare(
        `INSERT INTO sent_edges (cluster, key, type, from_id, to_id, from_uid, to_uid, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET type = excluded.type, from_id = excluded.from_id, to_id = excluded.to_id,
         from_uid = excluded.from_uid, to_uid = excluded.to_uid, at_ms = excluded.at_ms`,
      ),
      sentDelete: d.prepare("DELETE FROM sent_edges WHERE cluster = ? AND key = ?"),
      sentPendingFrom: d.prepare("SELECT * FROM sent_edges WHERE cluster = ? AND from_uid = ?"),
      sentPendingTo: d.prepare("SELECT * FROM sent_edges WHERE cluster = ? AND to_uid = ?"),
      sentResolveFrom: d.prepare(
        "UPDATE sent_edges SET from_id = ?, from_uid = NULL WHERE cluster = ? AND key = ?",
      ),
      sentResolveTo: d.prepare(
        "UPDATE sent_edges SET to_id = ?, to_uid = NULL WHERE cluster = ? AND key = ?",
      ),
      hintInsert: d.prepare(
        "INSERT INTO dependency_hints (cluster, hint, from_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      ),
      hintsFor: d.prepare("SELECT from_id FROM dependency_hints WHERE cluster = ? AND hint = ?"),
      svcInCluster: d.prepare(
        "SELECT id, namespace, name, props FROM resources WHERE cluster = ? AND kind = 'Service' AND deleted = 0 ORDER BY id",
      ),
      svcByName: d.prepare(
        "SELECT id FROM resources WHERE cluster = ? AND kind = 'Service' AND name = ? ORDER BY id",
      ),
      // A new event's row, and nothing where its id is stored: `run` tells which (its `changes`)
      // and gives the new row's number. `RETURNING` made the statement buffer its result row:
      // 28 -> 23 µs per insert into 200k stored events (8 MB page cache).
      eventInsertNew: d.prepare(`${EVENT_INSERT} ON CONFLICT(id) DO NOTHING`),
      // An event sent again: the stored row takes the later version (its number if it changed).
      eventInsert: d.prepare(
        `${EVENT_INSERT}
         ON CONFLICT(id) DO UPDATE SET severity = excluded.severity, level = MAX(events.level, excluded.severity),
           reason = excluded.reason, message = excluded.message, time_ms = excluded.time_ms, extra = excluded.extra
         WHERE excluded.time_ms > events.time_ms OR (excluded.time_ms = events.time_ms AND excluded.message > events.message)
         RETURNING seq`,
      ),
      eventUpsertChange: d.prepare(
        `INSERT INTO events (seq, id, base_id, cluster, etype, severity, level, reason, message, time_ms, count, resource_id,
           subject_kind, subject_ns, subject_name, subject_uid, extra, ingested_ms)
         VALUES (@seq, @id, @base_id, @cluster, 'k8s.change', @severity, @severity, @reason, @message, @time_ms, 1, @resource_id,
           @subject_kind, @subject_ns, @subject_name, NULL, NULL, @ingested_ms)
         ON CONFLICT(id) DO UPDATE SET message = excluded.message, severity = excluded.severity, level = MAX(events.level, excluded.severity)
         RETURNING *`,
      ),
      eventDeleteBase: d.prepare(
        "DELETE FROM events WHERE id >= ? AND id < ? AND base_id = ? AND etype = 'k8s.change' RETURNING id, seq",
      ),
      eventById: d.prepare("SELECT * FROM events WHERE id = ?"),
      eventLatestByBase: d.prepare(
        "SELECT * FROM events WHERE id >= ? AND id < ? AND base_id = ? ORDER BY time_ms DESC, count DESC LIMIT 1",
      ),
      eventsPending: d.prepare(
        "SELECT id, message, etype FROM events WHERE cluster = ? AND subject_uid = ? AND resource_id IS NULL",
      ),
      eventResolve: d.prepare("UPDATE events SET resource_id = ? WHERE id = ?"),
      eventsOnResources: d.prepare(
        `SELECT * FROM events WHERE resource_id IN (SELECT value FROM json_each(?)) AND time_ms BETWEEN ? AND ? AND level >= ?
         ORDER BY time_ms, id`,
      ),
      // `seq` is the rowid, which the index entries hold: the bound costs no row read.
      eventsRecentOn: d.prepare(
        "SELECT * FROM events WHERE resource_id = ? AND level >= ? AND seq <= ? ORDER BY time_ms DESC, id LIMIT ?",
      ),
      // AUTOINCREMENT's counter: the highest `seq` ever given (none yet: no row).
      eventsUpTo: d.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").pluck(),
      eventsByReason: d.prepare(
        "SELECT * FROM events WHERE resource_id = ? AND reason = ? AND time_ms BETWEEN ? AND ? ORDER BY time_ms, id",
      ),
      eventsInCluster: d.prepare(
        "SELECT * FROM events WHERE cluster = ? AND time_ms BETWEEN ? AND ? ORDER BY time_ms DESC, id LIMIT ?",
      ),
      eventSetLevel: d.prepare("UPDATE events SET level = ? WHERE id = ? AND level < ?"),
      // Only rows whose incident changes: a re-saved incident rewrites (and re-mirrors) nothing else.
      eventSetIncident: d.prepare("UPDATE events SET incident_id = ? WHERE id = ? AND incident_id IS NOT ?"),
      eventsByIncident: d.prepare("SELECT * FROM events WHERE incident_id = ? ORDER BY time_ms, id LIMIT ?"),
      // Both events must be stored (as in Neo4j, whose MERGE matches both): the link is keyed by
      // their `seq`. Positional, in this order: confidence … path, then the effect's and the cause's id.
      linkUpsert: d.prepare(
        `INSERT INTO cause_links (effect_seq, cause_seq, confidence, temporal, distance, domain, hops, rule, path)
         SELECT f.seq, c.seq, ?, ?, ?, ?, ?, ?, ? FROM events f, events c WHERE f.id = ? AND c.id = ?
         ON CONFLICT DO UPDATE SET confidence = excluded.confidence, temporal = excluded.temporal, distance = excluded.distance,
           domain = excluded.domain, hops = excluded.hops, rule = excluded.rule, path = excluded.path
         WHERE excluded.confidence > cause_links.confidence
           OR (excluded.confidence = cause_links.confidence AND excluded.path < cause_links.path)`,
      ),
      // The same with both events' `seq` known (from the recent events in memory, which mirror the
      // committed rows): no look-up of either id.
      linkUpsertSeqs: d.prepare(
        `INSERT INTO cause_links (confidence, temporal, distance, domain, hops, rule, path, effect_seq, cause_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET confidence = excluded.confidence, temporal = excluded.temporal, distance = excluded.distance,
           domain = excluded.domain, hops = excluded.hops, rule = excluded.rule, path = excluded.path
         WHERE excluded.confidence > cause_links.confidence
           OR (excluded.confidence = cause_links.confidence AND excluded.path < cause_links.path)`,
      ),
      linksOfSeqsDelete: d.prepare(
        "DELETE FROM cause_links WHERE effect_seq IN (SELECT value FROM json_each(?)) OR cause_seq IN (SELECT value FROM json_each(?))",
      ),
      linksTo: d.prepare(
        `SELECT f.id AS effect_id, c.id AS cause_id, l.* FROM events f JOIN cause_links l ON l.effect_seq = f.seq
         JOIN events c ON c.seq = l.cause_seq WHERE f.id = ? ORDER BY l.confidence DESC, c.id`,
      ),
      linksFrom: d.prepare(
        `SELECT f.id AS effect_id, c.id AS cause_id, l.* FROM events c JOIN cause_links l ON l.cause_seq = c.seq
         JOIN events f ON f.seq = l.effect_seq WHERE c.id = ? ORDER BY l.confidence DESC, f.id`,
      ),
      incidentUpsert: d.prepare(
        `INSERT INTO incidents (id, cluster, severity, start_ms, end_ms, event_count, resource_ids, namespaces, root_event_id)
         VALUES (@id, @cluster, @severity, @start_ms, @end_ms, @event_count, @resource_ids, @namespaces, @root_event_id)
         ON CONFLICT(id) DO UPDATE SET severity = excluded.severity, start_ms = excluded.start_ms, end_ms = excluded.end_ms,
           event_count = excluded.event_count, resource_ids = excluded.resource_ids, namespaces = excluded.namespaces,
           root_event_id = excluded.root_event_id`,
      ),
      incidentDelete: d.prepare("DELETE FROM incidents WHERE id = ?"),
      incidentById: d.prepare("SELECT * FROM incidents WHERE id = ?"),
      incidentsByIds: d.prepare("SELECT * FROM incidents WHERE id IN (SELECT value FROM json_each(?))"),
      incidentMove: d.prepare("UPDATE events SET incident_id = ? WHERE incident_id = ? RETURNING id").pluck(),
      anomalyUpsert: d.prepare(
        `INSERT INTO anomalies (id, cluster, type, resource_id, reason, window_start_ms, window_end_ms, count, score, event_ids, detail)
         VALUES (@id, @cluster, @type, @resource_id, @reason, @window_start_ms, @window_end_ms, @count, @score, @event_ids, @detail)
         ON CONFLICT(id) DO UPDATE SET count = excluded.count, score = excluded.score, event_ids = excluded.event_ids,
           detail = excluded.detail, window_start_ms = excluded.window_start_ms, window_end_ms = excluded.window_end_ms
         WHERE excluded.count > anomalies.count`,
      ),
    };
  }

  // ------------------------------------------------------------------ writes

  async applyBatch(batch: IngestBatch): Promise<ApplyResult> {
    // The topology before the batch, to tell which reaches it changed (only when it is known to be
    // the database's at the start of the write: another process may commit in between).
    const hops = this.options.reachHops;
    const before = hops === undefined ? undefined : this.run(() => this.adjacency());
    const beforeVersion = this.adjVersion;
    let sameStart = false;
    const result = this.write(() => {
      sameStart = before !== undefined && this.topologyVersionNow() === beforeVersion;
      const touchedEvents = new Set<string>();
      const touchedResources = new Set<string>();
      const counts = { resources: 0, edges: 0, events: 0, changeEvents: 0 };
      const ingestedMs = this.now();
      // Resources first (oldest state first), so edges and events in the same batch resolve.
      const resources = [...batch.resources].sort((a, b) => a.atMs - b.atMs);
      for (const r of resources) {
        counts.resources++;
        this.upsertResource(r, ingestedMs, touchedEvents, touchedResources, counts);
      }
      for (const d of batch.resourceDeletes) {
        // A tombstone is a DELETE that names the resource and nothing else: the same change event.
        // Its key carries no cluster; a uid is unique across clusters.
        let id = this.resolveRef(d.ref);
        if (!id && d.ref.uid) {
          const rows = this.stmts.uidAny.all(d.ref.uid) as Array<{ resource_id: string }>;
          if (rows.length === 1) id = rows[0]!.resource_id;
        }
        const p = id && this.stmts.resById.get(id) ? parseResourceId(id) : undefined;
        if (p)
          this.upsertResource(tombstoneUpsert(p, d), ingestedMs, touchedEvents, touchedResources, counts);
      }
      for (const e of batch.edges) {
        counts.edges++;
        this.upsertSentEdge(e, touchedResources);
      }
      for (const e of batch.events) {
        counts.events++;
        if (this.insertEvent(e, ingestedMs, touchedResources)) touchedEvents.add(e.id);
      }
      // Read under the write lock: whatever any process stores after this commit numbers higher.
      const eventsUpTo = Number(this.stmts.eventsUpTo.get() ?? 0);
      return { eventIds: [...touchedEvents], resourceIds: [...touchedResources], eventsUpTo, counts };
    });
    if (!sameStart || hops === undefined || !before || result.resourceIds.length === 0) return result;
    const reachChanged: Record<string, string[]> = {};
    const after = this.run(() => this.adjacency());
    for (const id of result.resourceIds) {
      if (after === before) {
        reachChanged[id] = []; // no edge changed: resources that are new, or edges sent again
        continue;
      }
      const key = `${hops}\u0000${id}`;
      const kept = this.nbCache.get(key);
      if (this.prevNb?.adj === before && kept && kept.gen < this.adjGen) {
        reachChanged[id] = []; // kept through the change: it reaches no resource whose edges changed
        continue;
      }
      const old = this.prevNb?.adj === before ? this.prevNb.dropped.get(key) : undefined;
      const now = await this.neighborhood(id, hops);
      reachChanged[id] = (old ?? (await expandNeighborhood(id, hops, () => before))).changedReaches(now);
    }
    return { ...result, reachChanged };
  }

  /** An edge row was inserted (`present`) or deleted by the current write. */
  private edgeChanged(fromId: string, type: string, toId: string, origin: string, present: boolean): void {
    this.topologyChanged = true;
    this.edgesChanged.add(fromId);
    this.edgesChanged.add(toId);
    this.edgeDelta.set(edgeKey(fromId, toId, type, origin), {
      edge: { fromId, toId, type, origin: origin as StoredEdge["origin"] },
      present,
    });
  }

  /**
   * The topology in memory with the adjacency of the resources whose edges changed (by default the
   * current write's) read again.
   */
  private patchedAdjacency(changedIds: Iterable<string> = this.edgesChanged): ReadonlyMap<string, Adjacency> {
    const map = new Map<string, Adjacency | undefined>();
    const one = this.topologyString();
    for (const id of changedIds) {
      const a = {
        out: (this.stmts.adjOut.all(id) as Array<{ other: string; type: string }>).map(
          (r): [string, string] => [one(r.other), one(r.type)],
        ),
        in: (this.stmts.adjIn.all(id) as Array<{ other: string; type: string }>).map(
          (r): [string, string] => [one(r.other), one(r.type)],
        ),
      };
      map.set(one(id), a.out.length || a.in.length ? sortAdjacency(a) : undefined);
    }
    return LayeredMap.patch(this.adjCache ?? new Map(), map, TOPOLOGY_OVERLAY_MAX);
  }

  /**
   * The topology version row. This connection's own bumps are known (`write` forgets the value
   * when it bumps or fails), so it is read again only when another connection has committed.
   */
  private topologyVersionNow(): number {
    const dv = this.dataVersionNow();
    if (this.topologyKnown?.dataVersion === dv) return this.topologyKnown.version;
    const version = Number((this.stmts.topologyVersion.get() as { value: number } | undefined)?.value ?? 0);
    this.topologyKnown = { dataVersion: dv, version };
    return version;
  }

  private resolveRef(ref: ResourceRef): string | undefined {
    const byName = refToId(ref);
    if (byName) return byName;
    if (ref.uid)
      return (this.stmts.uidGet.get(ref.cluster, ref.uid) as { resource_id: string } | undefined)
        ?.resource_id;
    return undefined;
  }

  /**
   * Inserts the resource row if it is missing; whether it was. A row known committed
   * (`knownResources`) is not asked for again; one asked for is known once this write commits.
   */
  private ensureRow(id: string, cluster: string, kind: string, namespace: string, name: string): boolean {
    if (this.knownResources.has(id)) return false;
    this.pendingKnown?.resources.push(id);
    return this.stmts.resEnsure.run(id, cluster, kind, namespace, name).changes > 0;
  }

  /** Resolves a reference to an id, creating the resource row when the reference names it. */
  private ensureRef(
    ref: ResourceRef,
    touched: Set<string>,
    ingestedMs: number,
    events: Set<string>,
  ): string | undefined {
    const byName = refToId(ref);
    if (byName) {
      const created = this.ensureRow(
        byName,
        ref.cluster,
        ref.kind,
        isClusterScoped(ref.kind) ? "" : (ref.namespace ?? ""),
        ref.name!,
      );
      if (ref.uid) this.registerUid(ref.cluster, ref.uid, byName, touched, ingestedMs, events);
      if (created) touched.add(byName);
      return byName;
    }
    return this.resolveRef(ref);
  }

  private registerUid(
    cluster: string,
    uid: string,
    id: string,
    touched: Set<string>,
    ingestedMs: number,
    events: Set<string>,
  ) {
    const key = `${cluster}\u0000${uid}`;
    if (this.knownUids.get(key) === id) return;
    this.pendingKnown?.uids.push([key, id]);
    const existing = this.stmts.uidGet.get(cluster, uid) as { resource_id: string } | undefined;
    if (existing?.resource_id === id) return;
    this.stmts.uidPut.run(cluster, uid, id);
    this.stmts.resSetUid.run(uid, id);
    // Events and edges that named this resource only by uid now resolve.
    for (const ev of this.stmts.eventsPending.all(cluster, uid) as Array<{
      id: string;
      message: string;
      etype: string;
    }>) {
      this.stmts.eventResolve.run(id, ev.id);
      this.addHints(cluster, id, ev.message, touched, ev.etype);
      events.add(ev.id);
    }
    for (const s of this.stmts.sentPendingFrom.all(cluster, uid) as Row[]) {
      this.stmts.sentResolveFrom.run(id, cluster, s.key);
      if (s.to_id) this.addEdge(id, String(s.type), String(s.to_id), "sent", cluster, touched);
    }
    for (const s of this.stmts.sentPendingTo.all(cluster, uid) as Row[]) {
      this.stmts.sentResolveTo.run(id, cluster, s.key);
      const from = s.from_uid ? undefined : (s.from_id as string | null);
      if (from) this.addEdge(from, String(s.type), id, "sent", cluster, touched);
    }
    void ingestedMs;
  }

  private addEdge(
    fromId: string,
    type: string,
    toId: string,
    origin: StoredEdge["origin"],
    cluster: string,
    touched: Set<string>,
  ) {
    if (fromId === toId) return;
    if (this.stmts.edgeInsert.run(fromId, type, toId, origin, cluster).changes > 0) {
      this.edgeChanged(fromId, type, toId, origin, true);
      touched.add(fromId);
      touched.add(toId);
    }
  }

  private upsertResource(
    r: ResourceUpsert,
    ingestedMs: number,
    touchedEvents: Set<string>,
    touched: Set<string>,
    counts: ApplyResult["counts"],
  ) {
    const id = resourceId(r.cluster, r.kind, r.namespace, r.name);
    if (this.ensureRow(id, r.cluster, r.kind, r.namespace, r.name)) touched.add(id);
    if (r.uid) this.registerUid(r.cluster, r.uid, id, touched, ingestedMs, touchedEvents);

    // Version history -> change events, independent of arrival order.
    const version = versionOf(r);
    const versionJson = JSON.stringify(version);
    if (this.stmts.versionInsert.run(id, r.atMs, versionJson).changes > 0) {
      const prev = this.stmts.versionPrev.get(id, r.atMs) as { at_ms: number; version: string } | undefined;
      const next = this.stmts.versionNext.get(id, r.atMs) as { at_ms: number; version: string } | undefined;
      const here = prev
        ? diffVersions(r.kind, JSON.parse(prev.version) as ResourceVersion, version)
        : initialConditionEvents(r.kind, version);
      counts.changeEvents += this.writeChangeEvents(r, id, r.atMs, here, ingestedMs, touchedEvents);
      if (next) {
        const after = JSON.parse(next.version) as ResourceVersion;
        // Rewritten change events keep their `seq`, and so the cause links that name them.
        const seqs = new Map<string, number>();
        for (const old of this.stmts.eventDeleteBase.all(
          ...idPrefixRange(`chg:${id}:${next.at_ms}`),
        ) as Array<{
          id: string;
          seq: number;
        }>) {
          touchedEvents.delete(old.id);
          seqs.set(old.id, old.seq);
        }
        counts.changeEvents += this.writeChangeEvents(
          r,
          id,
          next.at_ms,
          diffVersions(r.kind, version, after),
          ingestedMs,
          touchedEvents,
          seqs,
        );
        // The ones not written again go with their links, as a deleted event's do in cleanup.
        if (seqs.size) {
          const j = JSON.stringify([...seqs.values()]);
          if (this.stmts.linksOfSeqsDelete.run(j, j).changes > 0) this.linkMemo.clear();
        }
      }
    }

    // Current state: the newest version wins; equal times are ordered by content, so any order agrees.
    const current = this.stmts.resById.get(id) as Row;
    const propsJson = JSON.stringify(r.props);
    const labelsJson = JSON.stringify(r.labels);
    const curAt = Number(current.at_ms);
    if (isBareDelete(r)) {
      // Gone, with its last-known state (and the edges it implies) kept.
      if (r.atMs > curAt || (r.atMs === curAt && Number(current.deleted) === 0))
        this.stmts.resUpdate.run({
          id,
          uid: r.uid ?? null,
          labels: current.labels,
          props: current.props,
          at_ms: r.atMs,
          deleted: 1,
          pod_ip: current.pod_ip ?? null,
          cluster_ip: current.cluster_ip ?? null,
        });
      return;
    }
    const newer =
      r.atMs > curAt ||
      (r.atMs === curAt && `${propsJson}${labelsJson}` > `${current.props}${current.labels}`);
    if (!newer) {
      // A state older than a bare DELETE, with none between them, is the deleted resource's last known.
      const next = this.stmts.versionNext.get(id, r.atMs) as { at_ms: number; version: string } | undefined;
      if (
        !(
          Number(current.deleted) === 1 &&
          next &&
          Number(next.at_ms) === curAt &&
          isBareDeleteVersion(next.version)
        )
      )
        return;
      this.stmts.resUpdate.run({
        id,
        uid: r.uid ?? null,
        labels: labelsJson,
        props: propsJson,
        at_ms: curAt,
        deleted: 1,
        pod_ip: r.props.podIP ?? null,
        cluster_ip: r.props.clusterIP ?? null,
      });
      this.rederiveEdges(r, id, touched, ingestedMs, touchedEvents);
      return;
    }
    this.stmts.resUpdate.run({
      id,
      uid: r.uid ?? null,
      labels: labelsJson,
      props: propsJson,
      at_ms: r.atMs,
      deleted: r.deleted ? 1 : 0,
      pod_ip: r.props.podIP ?? null,
      cluster_ip: r.props.clusterIP ?? null,
    });
    // Status-only updates (restart counts, phases: most of a pod's updates) imply the same edges:
    // what the old state implied is in place, and other resources' changes were matched from their
    // side. (`at_ms` -1: a row only named so far, whose edges were never derived.)
    if (
      curAt !== -1 &&
      Number(current.deleted) === (r.deleted ? 1 : 0) &&
      current.labels === labelsJson &&
      withoutStatus(parseJson<Record<string, unknown>>(current.props, {})) === withoutStatus(r.props)
    )
      return;
    this.rederiveEdges(r, id, touched, ingestedMs, touchedEvents);
  }

  private writeChangeEvents(
    r: ResourceUpsert,
    id: string,
    atMs: number,
    changes: ReturnType<typeof diffVersions>,
    ingestedMs: number,
    touchedEvents: Set<string>,
    seqs?: Map<string, number>,
  ): number {
    const baseId = `chg:${id}:${atMs}`;
    for (const c of changes) {
      const eventId = `${baseId}:${c.reason}`;
      const seq = seqs?.get(eventId);
      seqs?.delete(eventId);
      const row = this.stmts.eventUpsertChange.get({
        seq: seq ?? null,
        id: eventId,
        base_id: baseId,
        cluster: r.cluster,
        severity: severityLevel(c.severity),
        reason: c.reason,
        message: c.message,
        time_ms: atMs,
        resource_id: id,
        subject_kind: r.kind,
        subject_ns: r.namespace,
        subject_name: r.name,
        ingested_ms: ingestedMs,
      }) as Row | undefined;
      // Inserted or changed: the row as it is now (a change is listed by the update trigger too).
      if (row && this.pendingInserts) this.pendingInserts.events.push(toEvent(row));
      touchedEvents.add(eventId);
    }
    return changes.length;
  }

  private rederiveEdges(
    r: ResourceUpsert,
    id: string,
    touched: Set<string>,
    ingestedMs: number,
    events: Set<string>,
  ) {
    // The derived edges this state implies, applied as a difference so that an unchanged state
    // leaves the topology (and its version) untouched.
    const wanted = new Map<string, [string, string, string]>();
    const want = (from: string, type: string, to: string) => {
      if (from !== to) wanted.set(`${from}\u0000${type}\u0000${to}`, [from, type, to]);
    };
    for (const e of impliedEdges(r)) {
      const other = e.fromId === id ? e.toId : e.fromId;
      const o = parseResourceId(other);
      if (o) this.ensureRow(other, o.cluster, o.kind, o.namespace, o.name);
      want(e.fromId, e.type, e.toId);
    }
    // Services and NetworkPolicies select pods by label; matched from whichever side arrives last.
    if (POD_SELECTING_KINDS.includes(r.kind)) {
      for (const pod of this.stmts.resInScope.all(r.cluster, r.namespace, "Pod") as Row[]) {
        if (podSelected(r.kind, r.props, parseJson(pod.labels, {}))) want(id, "SELECTS", String(pod.id));
      }
    }
    if (r.kind === "Pod") {
      for (const kind of POD_SELECTING_KINDS) {
        for (const sel of this.stmts.resInScope.all(r.cluster, r.namespace, kind) as Row[]) {
          if (podSelected(kind, parseJson(sel.props, {}), r.labels)) want(String(sel.id), "SELECTS", id);
        }
      }
    }
    for (const e of this.stmts.derivedEdgesOf.all({ id }) as Array<{
      from_id: string;
      type: string;
      to_id: string;
    }>) {
      const key = `${e.from_id}\u0000${e.type}\u0000${e.to_id}`;
      if (wanted.has(key)) wanted.delete(key);
      else if (this.stmts.edgeDeleteOne.run(e.from_id, e.type, e.to_id, "derived").changes > 0)
        this.edgeChanged(e.from_id, e.type, e.to_id, "derived", false);
    }
    for (const [from, type, to] of wanted.values())
      this.addEdge(from, type, to, "derived", r.cluster, touched);
    // Log lines that named this resource's IP or service name become DEPENDS_ON edges.
    const hints: string[] = [];
    if (r.props.podIP) hints.push(`ip:${r.props.podIP}`);
    if (r.props.clusterIP) hints.push(`ip:${r.props.clusterIP}`);
    if (r.kind === "Service") hints.push(`svc:${r.namespace}/${r.name}`, `svcname:${r.name}`);
    if (r.namespace)
      hints.push(
        referenceKey({ kind: r.kind, namespace: r.namespace, name: r.name }),
        referenceKey({ kind: r.kind, namespace: r.namespace }),
        ...ownedReferenceKeys(r.kind, r.namespace, r.name),
      );
    // Callers that named this Service's technology (`redis:`, port 5432) when it is the only match.
    if (r.kind === "Service") {
      for (const tech of serviceTechnologies(r.name, r.props)) {
        for (const row of this.stmts.hintsFor.all(r.cluster, `tech:${tech}`) as Array<{ from_id: string }>) {
          if (this.resolveTechnologyHint(r.cluster, row.from_id, tech) === id)
            this.addEdge(row.from_id, "DEPENDS_ON", id, "inferred", r.cluster, touched);
        }
      }
    }
    for (const h of hints) {
      const type = h.startsWith("ref") ? "REFERENCES" : "DEPENDS_ON";
      for (const row of this.stmts.hintsFor.all(r.cluster, h) as Array<{ from_id: string }>) {
        this.addEdge(row.from_id, type, id, "inferred", r.cluster, touched);
      }
    }
    void ingestedMs;
    void events;
  }

  private addHints(cluster: string, fromId: string, message: string, touched: Set<string>, etype: string) {
    if (!message) return;
    if (etype !== "k8s.event" && etype !== "k8s.log") return;
    const p = parseResourceId(fromId);
    const hints = messageHints(message, p?.namespace || undefined, etype === "k8s.log");
    // Resources a K8s event or a log names (a missing Secret, a quota): REFERENCES edges.
    for (const h of hints.references) {
      const key = referenceKey(h);
      if (this.stmts.hintInsert.run(cluster, key, fromId).changes === 0) continue;
      const targets = h.name
        ? [resourceId(cluster, h.kind, h.namespace, h.name)].filter((rid) => this.stmts.resById.get(rid))
        : (this.stmts.resInScope.all(cluster, h.namespace, h.kind) as Row[]).map((x) => String(x.id));
      for (const t of targets) this.addEdge(fromId, "REFERENCES", t, "inferred", cluster, touched);
    }
    const cred = p && credentialReferenceKey(message, p.kind, p.namespace, p.name);
    if (cred && this.stmts.hintInsert.run(cluster, cred, fromId).changes > 0) {
      for (const x of this.stmts.resInScope.all(cluster, p.namespace, "Secret") as Row[]) {
        const sec = parseResourceId(String(x.id));
        if (sec && ownedReferenceKeys("Secret", sec.namespace, sec.name).includes(cred))
          this.addEdge(fromId, "REFERENCES", String(x.id), "inferred", cluster, touched);
      }
    }
    for (const h of hints.dependencies) {
      const key = h.ip ? `ip:${h.ip}` : `svc:${h.service!.namespace}/${h.service!.name}`;
      if (this.stmts.hintInsert.run(cluster, key, fromId).changes === 0) continue;
      if (h.explicit) {
        const sid = resourceId(cluster, "Service", h.service!.namespace, h.service!.name);
        if (this.ensureRow(sid, cluster, "Service", h.service!.namespace, h.service!.name)) touched.add(sid);
      }
      const targets = h.ip
        ? (this.stmts.resByIp.all({ cluster, ip: h.ip }) as Array<{ id: string }>).map((x) => x.id)
        : [resourceId(cluster, "Service", h.service!.namespace, h.service!.name)].filter((sid) =>
            this.stmts.resById.get(sid),
          );
      for (const t of targets) this.addEdge(fromId, "DEPENDS_ON", t, "inferred", cluster, touched);
    }
    if (etype !== "k8s.log") return;
    // Service names without a namespace (client class names, upstream= fields): any Service so named.
    for (const name of hints.serviceNames) {
      if (this.stmts.hintInsert.run(cluster, `svcname:${name}`, fromId).changes === 0) continue;
      for (const t of this.stmts.svcByName.all(cluster, name) as Array<{ id: string }>)
        this.addEdge(fromId, "DEPENDS_ON", t.id, "inferred", cluster, touched);
    }
    for (const tech of hints.technologies) {
      if (this.stmts.hintInsert.run(cluster, `tech:${tech}`, fromId).changes === 0) continue;
      const t = this.resolveTechnologyHint(cluster, fromId, tech);
      if (t) this.addEdge(fromId, "DEPENDS_ON", t, "inferred", cluster, touched);
    }
  }

  private resolveTechnologyHint(cluster: string, fromId: string, tech: string): string | undefined {
    const p = parseResourceId(fromId);
    if (!p?.namespace) return undefined;
    const self = this.stmts.resById.get(fromId) as Row | undefined;
    const services = (this.stmts.svcInCluster.all(cluster) as Row[]).map((x) => ({
      id: String(x.id),
      namespace: String(x.namespace),
      name: String(x.name),
      props: parseJson(x.props, {}),
    }));
    return resolveTechnology(
      tech,
      { namespace: p.namespace, name: p.name, labels: parseJson(self?.labels, {}) },
      services,
    );
  }

  private upsertSentEdge(e: IngestBatch["edges"][number], touched: Set<string>) {
    const existing = (
      e.deleted && e.type === ""
        ? this.stmts.sentGetAnyCluster.all(e.key)
        : [this.stmts.sentGet.get(e.cluster, e.key)]
    ).filter(Boolean) as Row[];
    if (e.deleted) {
      for (const s of existing) {
        if (s.from_id && s.to_id && this.stmts.edgeDeleteSent.run(s.from_id, s.type, s.to_id).changes > 0)
          this.edgeChanged(String(s.from_id), String(s.type), String(s.to_id), "sent", false);
        this.stmts.sentDelete.run(s.cluster, s.key);
      }
      return;
    }
    const old = existing[0];
    if (old && Number(old.at_ms) > e.atMs) return;
    if (
      old?.from_id &&
      old.to_id &&
      this.stmts.edgeDeleteSent.run(old.from_id, old.type, old.to_id).changes > 0
    ) {
      this.edgeChanged(String(old.from_id), String(old.type), String(old.to_id), "sent", false);
    }
    const dummy = new Set<string>();
    const fromId = this.ensureRef(e.from, touched, 0, dummy);
    const toId = this.ensureRef(e.to, touched, 0, dummy);
    this.stmts.sentPut.run(
      e.cluster,
      e.key,
      e.type,
      fromId ?? null,
      toId ?? null,
      fromId ? null : (e.from.uid ?? null),
      toId ? null : (e.to.uid ?? null),
      e.atMs,
    );
    if (fromId && toId) this.addEdge(fromId, e.type, toId, "sent", e.cluster, touched);
  }

  private insertEvent(e: EventInput, ingestedMs: number, touched: Set<string>): boolean {
    // `touched` is the batch's: a DEPENDS_ON edge a log line adds must get its endpoints rescored,
    // or the cause links over the new path depend on which events happened to arrive after it.
    const dummy = new Set<string>();
    const rid = e.subject ? this.ensureRef(e.subject, touched, ingestedMs, dummy) : undefined;
    const extra: Record<string, unknown> = {};
    if (e.source && Object.keys(e.source).length) extra.source = e.source;
    if (e.labels) extra.labels = e.labels;
    if (e.annotations) extra.annotations = e.annotations;
    if (e.status) extra.status = e.status;
    const pending = this.pendingInserts;
    if (pending && pending.seqFloor === undefined)
      pending.seqFloor = Number(this.stmts.eventsUpTo.get() ?? 0);
    const severity = severityLevel(e.severity);
    const params = {
      id: e.id,
      base_id: e.baseId,
      cluster: e.cluster,
      etype: e.etype,
      severity,
      reason: e.reason,
      message: e.message,
      time_ms: e.timeMs,
      count: e.count,
      resource_id: rid ?? null,
      subject_kind: e.subject?.kind ?? null,
      subject_ns: e.subject?.namespace ?? null,
      subject_name: e.subject?.name ?? null,
      subject_uid: e.subject?.uid ?? null,
      extra: Object.keys(extra).length ? JSON.stringify(extra) : null,
      ingested_ms: ingestedMs,
      // Not bound (the statement names none of these): with them the parameters are the new row
      // as `toEvent` reads it (`insertedEvent`), without a copy.
      level: severity,
      incident_id: null,
      seq: 0,
    };
    const added = this.stmts.eventInsertNew.run(params);
    const row = added.changes
      ? { seq: Number(added.lastInsertRowid) }
      : (this.stmts.eventInsert.get(params) as { seq: number } | undefined);
    if (row && pending && row.seq > pending.seqFloor!)
      pending.events.push(this.insertedEvent(params, row.seq));
    if (row && rid) this.addHints(e.cluster, rid, e.message, touched, e.etype);
    return row !== undefined;
  }

  /**
   * The event row `insertEvent` has just inserted (its statement's parameters and number), as
   * `toEvent` reads it back. A string SQLite would not store as given (not well-formed UTF-16: a
   * lone surrogate) is read back instead.
   */
  private insertedEvent(params: Row & { id: string; seq: number }, seq: number): StoredEvent {
    for (const v of Object.values(params))
      if (typeof v === "string" && !v.isWellFormed())
        return toEvent(this.stmts.eventById.get(params.id) as Row);
    params.seq = seq;
    return toEvent(params);
  }

  async setEventLevels(updates: ReadonlyArray<{ eventId: string; level: Severity }>): Promise<number> {
    if (updates.length === 0) return 0;
    return this.write(() => {
      let n = 0;
      for (const u of updates) {
        const l = severityLevel(u.level);
        const changed = this.stmts.eventSetLevel.run(l, u.eventId, l).changes;
        // Level alone: see `pendingInserts.patches`.
        if (changed) this.pendingInserts?.patches.push({ id: u.eventId, level: levelSeverity(l) });
        n += changed;
      }
      return n;
    });
  }

  async upsertCauseLinks(links: readonly CauseLink[]): Promise<number> {
    if (links.length === 0) return 0;
    // With recent events in memory, so are the links this process wrote between events held
    // (confidence and a 32-bit hash of the path): an upsert that cannot win (a link only ever
    // takes a higher confidence, or a smaller path at equal confidence) is not sent. Scoring
    // re-derives the same links many times (repeated events, rescoring after topology changes).
    // Links are only removed by cleanup, which forgets them here too.
    return this.write(() => {
      // Read under the write lock: what it holds is what is committed.
      const hot = this.hotEvents();
      const memo = hot ? this.linkMemo : undefined;
      // Each path's text and hash once per call: the links of candidates on one resource share
      // its path array.
      const texts = new Map<readonly string[], { text: string; hash: number }>();
      let n = 0;
      for (const l of links) {
        // Both events held: their numbers are known (a held event is a stored one). Else the
        // statement finds them by id, and writes nothing if either is not stored. Remembered by
        // the two numbers (`linkMemoKey`; two ids made keys of ~90 characters to build and hash).
        const effectSeq = hot?.get(l.effectId)?.seq;
        const causeSeq = effectSeq === undefined ? undefined : hot!.get(l.causeId)?.seq;
        const key = memo && causeSeq !== undefined ? linkMemoKey(effectSeq!, causeSeq) : undefined;
        let known = key === undefined ? undefined : memo!.get(key);
        if (known && (known.effectSeq !== effectSeq || known.causeSeq !== causeSeq)) known = undefined;
        // Skipped only when the stored link certainly wins: a higher confidence, or the same link.
        if (known && known.confidence > l.confidence) continue;
        let text = texts.get(l.path);
        if (text === undefined) {
          const t = JSON.stringify(l.path);
          text = { text: t, hash: hashString(t) };
          texts.set(l.path, text);
        }
        const path = text.text;
        const h = key === undefined ? 0 : text.hash;
        if (known && known.confidence === l.confidence && known.pathHash === h) continue;
        // Positional: binding by name (an object per link) cost ~5 % of the upsert.
        const stmt = causeSeq === undefined ? this.stmts.linkUpsert : this.stmts.linkUpsertSeqs;
        n += stmt.run(
          l.confidence,
          l.temporal,
          l.distance,
          l.domain,
          l.hops,
          l.rule,
          path,
          causeSeq === undefined ? l.effectId : effectSeq,
          causeSeq ?? l.causeId,
        ).changes;
        if (key !== undefined && (!known || l.confidence >= known.confidence)) {
          if (memo!.size >= LINK_MEMO_MAX) memo!.clear();
          memo!.set(key, {
            effectSeq: effectSeq!,
            causeSeq: causeSeq!,
            confidence: l.confidence,
            pathHash: h,
          });
        }
      }
      return n;
    });
  }

  /** Notes, inside a write, that `id`'s incident alone changed (see `pendingInserts.patches`). */
  private incidentChanged(id: string, incidentId: string | null): void {
    this.pendingInserts?.patches.push({ id, incidentId });
  }

  async saveIncidents(updates: readonly IncidentUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    this.write(() => {
      for (const inc of updates) {
        for (const from of inc.absorbedIds) {
          const moved = this.stmts.incidentMove.all(inc.id, from) as string[];
          for (const id of moved) this.incidentChanged(id, inc.id);
          this.stmts.incidentDelete.run(from);
        }
        this.stmts.incidentUpsert.run({
          id: inc.id,
          cluster: inc.cluster,
          severity: severityLevel(inc.severity),
          start_ms: inc.startMs,
          end_ms: inc.endMs,
          event_count: inc.eventCount,
          resource_ids: JSON.stringify(inc.resourceIds),
          namespaces: `,${[...new Set(inc.resourceIds.map((r) => parseResourceId(r)?.namespace ?? ""))].sort().join(",")},`,
          root_event_id: inc.rootEventId ?? null,
        });
        for (const e of inc.joiningEventIds)
          if (this.stmts.eventSetIncident.run(inc.id, e, inc.id).changes) this.incidentChanged(e, inc.id);
      }
    });
  }

  async upsertAnomalies(anomalies: readonly Anomaly[]): Promise<number> {
    if (anomalies.length === 0) return 0;
    return this.write(() => {
      let n = 0;
      for (const a of anomalies) {
        n += this.stmts.anomalyUpsert.run({
          id: a.id,
          cluster: a.cluster,
          type: a.type,
          resource_id: a.resourceId ?? null,
          reason: a.reason ?? null,
          window_start_ms: a.windowStartMs,
          window_end_ms: a.windowEndMs,
          count: a.count,
          score: a.score,
          event_ids: JSON.stringify(a.eventIds),
          detail: a.detail,
        }).changes;
      }
      return n;
    });
  }

  async cleanup(cutoffMs: number, batchSize: number, dryRun: boolean): Promise<CleanupResult> {
    const count = (sql: string, ...args: unknown[]) =>
      Number((this.db.prepare(sql).get(...args) as { n: number }).n);
    if (dryRun) {
      return this.run(() => ({
        cutoffMs,
        dryRun,
        events: count("SELECT COUNT(*) AS n FROM events WHERE time_ms < ?", cutoffMs),
        causeLinks: count(
          `SELECT COUNT(*) AS n FROM cause_links WHERE effect_seq IN (SELECT seq FROM events WHERE time_ms < ?)
           OR cause_seq IN (SELECT seq FROM events WHERE time_ms < ?)`,
          cutoffMs,
          cutoffMs,
        ),
        incidents: count("SELECT COUNT(*) AS n FROM incidents WHERE end_ms < ?", cutoffMs),
        anomalies: count("SELECT COUNT(*) AS n FROM anomalies WHERE window_end_ms < ?", cutoffMs),
      }));
    }
    this.linkMemo.clear();
    let events = 0;
    let causeLinks = 0;
    const delEvents = this.db.prepare(
      "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time_ms < ? LIMIT ?) RETURNING seq",
    );
    for (;;) {
      // Each batch is its own short transaction, so other writers get the lock between batches.
      const n = this.write(() => {
        const seqs = (delEvents.all(cutoffMs, batchSize) as Array<{ seq: number }>).map((r) => r.seq);
        if (seqs.length) {
          const j = JSON.stringify(seqs);
          causeLinks += this.stmts.linksOfSeqsDelete.run(j, j).changes;
        }
        return seqs.length;
      });
      events += n;
      if (n < batchSize) break;
    }
    const incidents = this.write(() => {
      const n = this.db.prepare("DELETE FROM incidents WHERE end_ms < ?").run(cutoffMs).changes;
      const orphans = this.db
        .prepare(
          "UPDATE events SET incident_id = NULL WHERE incident_id IS NOT NULL AND incident_id NOT IN (SELECT id FROM incidents) RETURNING id",
        )
        .pluck()
        .all() as string[];
      for (const id of orphans) this.incidentChanged(id, null);
      return n;
    });
    const anomalies = this.write(
      () => this.db.prepare("DELETE FROM anomalies WHERE window_end_ms < ?").run(cutoffMs).changes,
    );
    this.write(() =>
      this.db
        .prepare(
          `DELETE FROM resource_versions WHERE at_ms < ? AND at_ms < (SELECT MAX(v2.at_ms) FROM resource_versions v2
           WHERE v2.resource_id = resource_versions.resource_id)`,
        )
        .run(cutoffMs),
    );
    return { cutoffMs, dryRun, events, causeLinks, incidents, anomalies };
  }

  // ------------------------------------------------------------------ reads

  async getEvent(id: string): Promise<StoredEvent | undefined> {
    return this.run(() => {
      const hit = this.hotEvents()?.get(id);
      if (hit) return hit;
      const row = (this.stmts.eventById.get(id) ?? this.stmts.eventLatestByBase.get(...idPrefixRange(id))) as
        | Row
        | undefined;
      return row ? toEvent(row) : undefined;
    });
  }

  async getEvents(ids: readonly string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    return this.run(() => {
      const hot = this.hotEvents();
      const found: StoredEvent[] = [];
      const missing: string[] = [];
      for (const id of hot ? new Set(ids) : []) {
        const e = hot!.get(id);
        if (e) found.push(e);
        else missing.push(id);
      }
      const rest = hot ? missing : ids;
      if (rest.length)
        found.push(
          ...(
            this.sql("SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?))").all(
              JSON.stringify(rest),
            ) as Row[]
          ).map(toEvent),
        );
      return found.sort(byTimeId);
    });
  }

  async getResource(id: string): Promise<StoredResource | undefined> {
    return this.run(() => {
      const memo = this.hotEvents() ? this.resourceMemo : undefined;
      const known = memo?.get(id);
      if (known !== undefined) return known ?? undefined;
      const row = this.stmts.resById.get(id) as Row | undefined;
      const r = row ? toResource(row) : undefined;
      memo?.set(id, r ?? null);
      return r;
    });
  }

  async getResources(ids: readonly string[]): Promise<StoredResource[]> {
    if (ids.length === 0) return [];
    return this.run(() => {
      const read = (rest: readonly string[]) =>
        (
          this.sql("SELECT * FROM resources WHERE id IN (SELECT value FROM json_each(?))").all(
            JSON.stringify(rest),
          ) as Row[]
        ).map(toResource);
      if (!this.hotEvents()) return read(ids);
      const memo = this.resourceMemo;
      const found: StoredResource[] = [];
      const missing: string[] = [];
      for (const id of new Set(ids)) {
        const r = memo.get(id);
        if (r) found.push(r);
        else if (r === undefined) missing.push(id);
      }
      if (missing.length) {
        if (memo.size + missing.length > RESOURCE_MEMO_MAX) memo.clear();
        for (const id of missing) memo.set(id, null);
        for (const r of read(missing)) {
          memo.set(r.id, r);
          found.push(r);
        }
      }
      // Unsorted (see `GraphStore.getResources`): sorting a blast radius's ~500 by id took ~4 % of
      // the bench's RCA queries' time, and every caller looks them up by id or sorts them anew.
      return found;
    });
  }

  /**
   * Kept until the topology changes: every scoring and clustering job walks the neighbourhoods of
   * the resources its events are on, and those are mostly the same resources job after job.
   * Callers get the kept map itself, read-only (the RCA query copies it to add owners and
   * configuration).
   */
  async neighborhood(start: string, maxHops: number): Promise<Neighbourhood> {
    const adj = this.run(() => this.adjacency());
    const key = `${maxHops}\u0000${start}`;
    let nb = this.nbCache.get(key)?.nb;
    if (!nb) {
      nb = await expandNeighborhood(start, maxHops, () => adj);
      if (this.adjCache === adj) {
        // Full: the oldest go first (a Map iterates in insertion order).
        for (const [k, v] of this.nbCache) {
          if (this.nbCacheSize + nb.size <= NEIGHBOURHOOD_CACHE_MAX) break;
          this.forgetNeighbourhood(k, v);
        }
        this.keepNeighbourhood(key, nb);
      }
    }
    return nb; // read-only to callers: kept as it is, not copied per read
  }

  async topologyVersion(): Promise<number> {
    return this.run(() => this.topologyVersionNow());
  }

  /**
   * The whole topology in memory, reloaded when any process changed it (a version row bumped in
   * the same transaction as the change). Topology is small next to events and changes rarely, and
   * every RCA and scoring step walks it.
   */
  private adjacency(): ReadonlyMap<string, Adjacency> {
    const version = this.topologyVersionNow();
    if (this.adjCache && this.adjVersion === version) return this.adjCache;
    // Another connection changed it: patch the resources its logged changes touch.
    const logged = this.adjCache
      ? this.loggedEdgeChanges(this.adjVersion, version, TOPOLOGY_OVERLAY_MAX)
      : undefined;
    if (logged) {
      const ids = new Set<string>();
      for (const { edge } of logged.values()) ids.add(edge.fromId).add(edge.toId);
      const map = this.patchedAdjacency(ids);
      this.dropChangedNeighbourhoods(this.adjCache, map, [...ids]);
      this.adjCache = map;
      this.adjVersion = version;
      return map;
    }
    this.topologyReads++;
    const lists = adjacencyBuilder();
    const one = this.topologyString();
    for (const r of this.stmts.allEdges.iterate() as Iterable<{
      from_id: string;
      type: string;
      to_id: string;
    }>) {
      const from = one(r.from_id);
      const to = one(r.to_id);
      const type = one(r.type);
      lists.add(from, "out", to, type);
      lists.add(to, "in", from, type);
    }
    const map = lists.sorted();
    this.dropChangedNeighbourhoods(this.adjCache, map);
    this.adjCache = map;
    this.adjVersion = version;
    return map;
  }

  /**
   * A walk reads only the adjacency of the resources it expands: those it reaches in fewer than
   * its hop limit, hubs excepted (`expandNeighborhood`); what it gives is a function of those
   * lists alone. So a kept neighbourhood that expands no resource whose edges changed is still
   * right (a changed edge it would now cross has an end it expands); the others are dropped, and
   * kept aside as they were (`prevNb`) for the reach diff of the batch that changed them.
   */
  private dropChangedNeighbourhoods(
    old: ReadonlyMap<string, Adjacency> | undefined,
    now: ReadonlyMap<string, Adjacency>,
    changedIds?: readonly string[],
  ): void {
    const dropped = new Map<string, Neighbourhood>();
    if (!old) {
      for (const [k, { nb }] of this.nbCache) dropped.set(k, nb);
      this.nbCache = new Map();
      this.nbCacheSize = 0;
      this.nbCacheHops.clear();
    } else {
      const changed: string[] = changedIds ? [...changedIds] : [];
      if (!changedIds) {
        for (const [id, a] of now) {
          const o = old.get(id);
          if (!o || !sameEdges(o.out, a.out) || !sameEdges(o.in, a.in)) changed.push(id);
        }
        for (const id of old.keys()) if (!now.has(id)) changed.push(id);
      }
      const drop = (k: string, kept: { nb: Neighbourhood }) => {
        dropped.set(k, kept.nb);
        this.forgetNeighbourhood(k, kept);
      };
      // Testing every kept walk against each changed resource by id took ~8 % of the pipeline's
      // CPU once the cache held every walk (a 30k-event bench run: batches that changed the edges
      // of ~850 resources); this way ~0.2 %.
      if (changed.length > FEW_CHANGED) {
        // Many: each kept walk's expanded resources against all of them, by number.
        const marks = new ResourceMarks(changed);
        for (const [k, kept] of this.nbCache) if (kept.nb.expandsAny(marks)) drop(k, kept);
      } else {
        // A few: only walks that start near them can have expanded them, and those are found by
        // walking back from each over the old topology.
        for (const [maxHops, count] of this.nbCacheHops) {
          if (count === 0) continue;
          for (const id of changed)
            for (const start of startsThatMayExpand(old, id, maxHops)) {
              const k = `${maxHops}\u0000${start}`;
              const kept = this.nbCache.get(k);
              if (kept?.nb.expands(id)) drop(k, kept);
            }
        }
      }
    }
    this.prevNb = old ? { adj: old, dropped } : undefined;
    this.adjGen++;
  }

  private keepNeighbourhood(key: string, nb: Neighbourhood): void {
    this.nbCache.set(key, { nb, gen: this.adjGen });
    this.nbCacheSize += nb.size;
    this.nbCacheHops.set(nb.maxHops, (this.nbCacheHops.get(nb.maxHops) ?? 0) + 1);
  }

  private forgetNeighbourhood(key: string, kept: { nb: Neighbourhood }): void {
    this.nbCache.delete(key);
    this.nbCacheSize -= kept.nb.size;
    this.nbCacheHops.set(kept.nb.maxHops, (this.nbCacheHops.get(kept.nb.maxHops) ?? 1) - 1);
  }

  /** The shared copy of a string of the topology (see `topologyStrings`), for one reload. */
  private topologyString(): (s: string) => string {
    const pool = this.topologyStrings;
    // Ids of removed resources would pile up: start afresh once it holds many more than a topology.
    if (pool.size > TOPOLOGY_STRINGS_MAX) pool.clear();
    return (s) => {
      const known = pool.get(s);
      if (known !== undefined) return known;
      pool.set(s, s);
      return s;
    };
  }

  async eventsOnResources(
    resourceIds: readonly string[],
    fromMs: number,
    toMs: number,
    minLevel: Severity = "INFO",
  ): Promise<StoredEvent[]> {
    if (resourceIds.length === 0) return [];
    return this.run(() => {
      const hot = this.hotEvents();
      if (hot?.covers(fromMs)) return hot.onResources(resourceIds, fromMs, toMs, minLevel);
      return eventsOf(
        this.stmts.eventsOnResources,
        JSON.stringify(resourceIds),
        fromMs,
        toMs,
        severityLevel(minLevel),
      );
    });
  }

  async recentEventsOn(
    resourceId: string,
    minLevel: Severity,
    limit: number,
    upTo?: number,
  ): Promise<StoredEvent[]> {
    const n = Math.max(0, Math.floor(limit));
    return this.run(() => {
      // Every event at or after the floor is held: the held ones are the newest, and they are all
      // there is when there are at least `n` of them or nothing is below the floor.
      const hot = this.hotEvents();
      if (hot) {
        let held = hot.onResources([resourceId], hot.floor, Number.POSITIVE_INFINITY, minLevel);
        if (upTo !== undefined) held = held.filter((e) => e.seq! <= upTo);
        if (held.length >= n || hot.floor === Number.NEGATIVE_INFINITY)
          return held.sort(byTimeDescId).slice(0, n);
      }
      const bound = upTo ?? Number.MAX_SAFE_INTEGER;
      return (this.stmts.eventsRecentOn.all(resourceId, severityLevel(minLevel), bound, n) as Row[]).map(
        toEvent,
      );
    });
  }

  async eventsByReason(
    resourceId: string,
    reason: string,
    fromMs: number,
    toMs: number,
  ): Promise<StoredEvent[]> {
    return this.run(() => {
      const hot = this.hotEvents();
      if (hot?.covers(fromMs)) return hot.byReason(resourceId, reason, fromMs, toMs);
      return (this.stmts.eventsByReason.all(resourceId, reason, fromMs, toMs) as Row[]).map(toEvent);
    });
  }

  async eventsInCluster(
    cluster: string,
    fromMs: number,
    toMs: number,
    limit: number,
  ): Promise<StoredEvent[]> {
    return this.run(() => {
      const hot = this.hotEvents();
      if (hot?.covers(fromMs)) return hot.inCluster(cluster, fromMs, toMs, limit);
      return eventsOf(this.stmts.eventsInCluster, cluster, fromMs, toMs, limit).reverse();
    });
  }

  /**
   * Edges touching any of the resources, from an in-memory index of the topology (reloaded on a
   * topology version like the adjacency), in the order the SQL `UNION` gave them: by from, to,
   * type, origin. RCA asks for the edges around hundreds of resources several times per query.
   */
  async edgesOf(resourceIds: readonly string[]): Promise<StoredEdge[]> {
    if (resourceIds.length === 0) return [];
    const index = this.run(() => this.edgesByResource());
    const { edges, slot, starts, positions, seen, found } = index;
    // A read marks the positions it found with its own number, so an edge of two of the
    // resources is taken once, without a set.
    if (index.reads === 0x7fffffff) {
      index.seen.fill(0);
      index.reads = 0;
    }
    const read = ++index.reads;
    let n = 0;
    for (let i = 0; i < resourceIds.length; i++) {
      const r = slot.get(resourceIds[i]!);
      if (r === undefined) continue;
      for (let k = starts[r]!, end = starts[r + 1]!; k < end; k++) {
        const pos = positions[k]!;
        if (seen[pos] === read) continue;
        seen[pos] = read;
        found[n++] = pos;
      }
    }
    // The index's edge objects themselves, in position order: nothing changes an edge it was given.
    const out: StoredEdge[] = new Array(n);
    if (n > edges.length >> 4) {
      // Many: a pass over the marks is cheaper than sorting them.
      let k = 0;
      for (let pos = 0; pos < edges.length; pos++) if (seen[pos] === read) out[k++] = edges[pos]!;
    } else {
      const order = found.subarray(0, n).sort();
      for (let k = 0; k < n; k++) out[k] = edges[order[k]!]!;
    }
    return out;
  }

  /**
   * Inside the write that bumped the topology to `version`: logs its edge row changes for other
   * connections (`loggedEdgeChanges`), and every `EDGE_LOG_PRUNE_EVERY` versions forgets those
   * more than `EDGE_LOG_VERSIONS` behind.
   */
  private logEdgeChanges(version: number): void {
    const changes: Array<[string, string, string, string, 0 | 1]> = [];
    for (const { edge: e, present } of this.edgeDelta.values())
      changes.push([e.fromId, e.type, e.toId, e.origin, present ? 1 : 0]);
    this.stmts.edgeLogInsert.run(version, JSON.stringify(changes));
    if (version % EDGE_LOG_PRUNE_EVERY === 0) this.stmts.edgeLogPrune.run(version - EDGE_LOG_VERSIONS);
  }

  /**
   * The edge row changes that led from topology version `from` to `to` (the last change of a row
   * wins), read from the log in one statement; undefined when the log does not hold them all, or
   * they change more than `max` rows.
   */
  private loggedEdgeChanges(from: number, to: number, max: number): Map<string, EdgeChange> | undefined {
    if (to <= from) return undefined;
    // One row per version (its primary key): a version without one was pruned, or written by code
    // that keeps no log (an older kgrca beside this one during an upgrade).
    const versions = this.stmts.edgeLogRange.all(from, to) as string[];
    if (versions.length !== to - from) return undefined;
    const delta = new Map<string, EdgeChange>();
    for (const json of versions) {
      for (const [fromId, type, toId, origin, present] of JSON.parse(json) as Array<
        [string, string, string, StoredEdge["origin"], number]
      >)
        delta.set(edgeKey(fromId, toId, type, origin), {
          edge: { fromId, toId, type, origin },
          present: present === 1,
        });
      if (delta.size > max) return undefined;
    }
    return delta;
  }

  /** Full reads of the topology (adjacency or edge index) since the store opened (tests, bench). */
  get fullTopologyReads(): number {
    return this.topologyReads;
  }

  /**
   * After a committed write that changed edges (`edgeDelta`, from topology version `p.from` to
   * `p.version`): what the edge index must be patched with.
   */
  private pendEdgeChanges(p: { from: number; version: number } | undefined): void {
    if (!p) {
      this.edgeIndexPending = undefined;
      return;
    }
    const before = this.edgeIndexPending;
    // Continues the changes pending since the index was built (later changes of a row win), or
    // starts them; `edgeDelta` itself is the next write's.
    const delta = before?.version === p.from ? before.delta : new Map<string, EdgeChange>();
    for (const [k, c] of this.edgeDelta) delta.set(k, c);
    this.edgeIndexPending = { version: p.version, delta };
    if (delta.size <= EDGE_PATCH_MAX) return;
    if (this.options.keepEdgeIndex) this.run(() => this.edgesByResource());
    else this.edgeIndexPending = undefined; // read whole on next use
  }

  private edgesByResource(): EdgeIndex {
    const version = this.topologyVersionNow();
    if (this.edgeIndex && this.edgeIndexVersion === version) return this.edgeIndex;
    const one = this.topologyString();
    const pending = this.edgeIndexPending;
    // Only this connection changed edges since the index was built, and it knows how; or the log
    // says how others did: drop the rows deleted (or written again), merge in the ones inserted.
    // No full read, no full sort.
    const delta =
      this.edgeIndex && pending?.version === version
        ? pending.delta
        : this.edgeIndex
          ? this.loggedEdgeChanges(this.edgeIndexVersion, version, EDGE_PATCH_MAX)
          : undefined;
    let edges: StoredEdge[];
    if (this.edgeIndex && delta) {
      const fromIds = new Set<string>();
      const added: StoredEdge[] = [];
      for (const { edge: e, present } of delta.values()) {
        fromIds.add(e.fromId);
        if (present)
          added.push({ fromId: one(e.fromId), toId: one(e.toId), type: one(e.type), origin: e.origin });
      }
      const kept = this.edgeIndex.edges.filter(
        (e) => !fromIds.has(e.fromId) || !delta.has(edgeKey(e.fromId, e.toId, e.type, e.origin)),
      );
      edges = mergeSorted(kept, added.sort(byEdgeColumns));
    } else {
      this.topologyReads++;
      edges = (this.stmts.allEdgeRows.all() as Row[]).map((r) => toStoredEdge(one, r));
      // Sorted once here, so a look-up orders by position instead of comparing strings.
      edges.sort(byEdgeColumns);
    }
    this.edgeIndexPending = undefined;
    this.edgeIndex = edgeIndexOf(edges);
    this.edgeIndexVersion = version;
    return this.edgeIndex;
  }

  async causeLinksTo(effectId: string): Promise<CauseLink[]> {
    return this.run(() => (this.stmts.linksTo.all(effectId) as Row[]).map(toLink));
  }

  async causeLinksFrom(causeId: string): Promise<CauseLink[]> {
    return this.run(() => (this.stmts.linksFrom.all(causeId) as Row[]).map(toLink));
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return this.run(() => {
      const row = this.stmts.incidentById.get(id) as Row | undefined;
      if (!row) return undefined;
      const eventIds = (
        this.sql("SELECT id FROM events WHERE incident_id = ? ORDER BY time_ms, id").all(id) as Array<{
          id: string;
        }>
      ).map((r) => r.id);
      return toIncident(row, eventIds);
    });
  }

  async incidentSummaries(ids: readonly string[]): Promise<IncidentSummary[]> {
    if (ids.length === 0) return [];
    return this.run(() =>
      (this.stmts.incidentsByIds.all(JSON.stringify(ids)) as Row[]).map(toIncidentSummary),
    );
  }

  async incidentEvents(incidentId: string, limit: number): Promise<StoredEvent[]> {
    return this.run(() => eventsOf(this.stmts.eventsByIncident, incidentId, limit));
  }

  async listIncidents(f: IncidentFilter): Promise<Page<Incident>> {
    const w = new Where()
      .add(f.cluster, "cluster = ?")
      .add(f.namespace, "namespaces LIKE ? ESCAPE '\\'", (ns) => `%,${escapeLike(ns)},%`)
      .add(f.severity, "severity >= ?", severityLevel)
      .add(f.sinceMs, "end_ms >= ?")
      .add(f.untilMs, "start_ms <= ?");
    return this.page("incidents", w, "end_ms DESC, id", f, (r) => toIncident(r, []));
  }

  async listEvents(f: EventFilter): Promise<Page<StoredEvent>> {
    const w = new Where()
      .add(f.cluster, "cluster = ?")
      .add(f.namespace, "subject_ns = ?")
      .add(f.resourceId, "resource_id = ?")
      .add(f.reason, "reason = ?")
      .add(f.etype, "etype = ?")
      .add(f.minSeverity, "level >= ?", severityLevel)
      .add(f.sinceMs, "time_ms >= ?")
      .add(f.untilMs, "time_ms <= ?")
      .add(f.incidentId, "incident_id = ?");
    return this.page("events", w, "time_ms DESC, id", f, toEvent);
  }

  async listAnomalies(f: AnomalyFilter): Promise<Page<Anomaly>> {
    const w = new Where()
      .add(f.cluster, "cluster = ?")
      .add(f.type, "type = ?")
      .add(f.sinceMs, "window_end_ms >= ?");
    return this.page("anomalies", w, "window_end_ms DESC, id", f, toAnomaly);
  }

  async searchResources(q: ResourceQuery): Promise<Page<StoredResource>> {
    const w = new Where()
      .add(q.cluster, "cluster = ?")
      .add(q.kind, "kind = ?")
      .add(q.namespace, "namespace = ?")
      .add(q.name, "name LIKE ? ESCAPE '\\'", (name) => `%${escapeLike(name)}%`);
    return this.page("resources", w, "id", q, toResource);
  }

  /** A page of rows; table, columns and order are constants of this file, values are parameters. */
  private page<T>(
    table: "incidents" | "events" | "anomalies" | "resources",
    where: Where,
    order: string,
    q: { offset?: number; limit?: number },
    map: (r: Row) => T,
  ): Page<T> {
    const offset = Math.max(0, q.offset ?? 0);
    const limit = Math.min(MAX_PAGE, Math.max(1, q.limit ?? 50));
    const args = where.args;
    const w = where.clauses.length ? `WHERE ${where.clauses.join(" AND ")}` : "";
    return this.run(() => {
      const total = Number(
        (this.sql(`SELECT COUNT(*) AS n FROM ${table} ${w}`).get(...args) as { n: number }).n,
      );
      const rows = this.sql(`SELECT * FROM ${table} ${w} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
        ...args,
        limit,
        offset,
      ) as Row[];
      return { items: rows.map(map), total, offset, limit };
    });
  }

  async stats(): Promise<GraphStats> {
    return this.run(() => {
      const group = (sql: string) =>
        Object.fromEntries(
          (this.db.prepare(sql).all() as Array<{ k: string; n: number }>).map((r) => [r.k, Number(r.n)]),
        );
      // Apart, each is one step down the time index; together they scanned it (43 ms at 1M).
      const range = this.db
        .prepare("SELECT (SELECT MIN(time_ms) FROM events) AS lo, (SELECT MAX(time_ms) FROM events) AS hi")
        .get() as {
        lo: number | null;
        hi: number | null;
      };
      const clusters: GraphStats["clusters"] = {};
      const add = (sql: string, field: "resources" | "events" | "incidents") => {
        for (const r of this.db.prepare(sql).all() as Array<{ k: string; n: number }>) {
          clusters[r.k] ??= { resources: 0, events: 0, incidents: 0 };
          clusters[r.k]![field] = Number(r.n);
        }
      };
      add("SELECT cluster AS k, COUNT(*) AS n FROM resources GROUP BY cluster", "resources");
      add("SELECT cluster AS k, COUNT(*) AS n FROM events GROUP BY cluster", "events");
      add("SELECT cluster AS k, COUNT(*) AS n FROM incidents GROUP BY cluster", "incidents");
      // One pass with a sum per level: `GROUP BY level` (no index has it) sorted every event's
      // level in a temp b-tree, held in memory (`temp_store`): at 1M stored events 47 MB of
      // malloc that the allocator kept (the RSS stayed up by ~26 MB), and twice the time.
      const levels = this.db
        .prepare(`SELECT ${SEVERITIES.map((_, i) => `SUM(level = ${i}) AS l${i}`).join(", ")} FROM events`)
        .get() as Record<string, number | null>;
      return {
        ...this.countsNow(),
        oldest_event: range.lo === null ? null : new Date(range.lo).toISOString(),
        newest_event: range.hi === null ? null : new Date(range.hi).toISOString(),
        resources_by_kind: group("SELECT kind AS k, COUNT(*) AS n FROM resources GROUP BY kind"),
        edges_by_type: group(
          "SELECT type AS k, COUNT(*) AS n FROM (SELECT DISTINCT from_id, type, to_id FROM edges) GROUP BY type",
        ),
        events_by_severity: Object.fromEntries(
          SEVERITIES.map((sev, i) => [sev, Number(levels[`l${i}`] ?? 0)] as const).filter(([, n]) => n > 0),
        ),
        clusters,
      };
    });
  }

  async counts(): Promise<GraphCounts> {
    return this.run(() => this.countsNow());
  }

  /** Each a count over the smallest index of its table (~15 ms in all at 1M stored events). */
  private countsNow(): GraphCounts {
    const n = (sql: string) => Number((this.sql(sql).get() as { n: number }).n);
    return {
      resources: n("SELECT COUNT(*) AS n FROM resources"),
      episodic_events: n("SELECT COUNT(*) AS n FROM events"),
      incidents: n("SELECT COUNT(*) AS n FROM incidents"),
      edges: n("SELECT COUNT(*) AS n FROM (SELECT DISTINCT from_id, type, to_id FROM edges)"),
      cause_links: n("SELECT COUNT(*) AS n FROM cause_links"),
      anomalies: n("SELECT COUNT(*) AS n FROM anomalies"),
    };
  }

  /** Raw access for tests and the fingerprint used by order-independence tests. */
  fingerprintRows(): Record<string, unknown[]> {
    return fingerprintOf(this.db);
  }
}

/**
 * A WHERE clause built from optional filters: a filter that is absent (undefined, null or "")
 * adds nothing; the clauses are constants of this file and every value is a parameter.
 */
class Where {
  readonly clauses: string[] = [];
  readonly args: unknown[] = [];

  add<V>(value: V | undefined | null, clause: string, toParam: (v: V) => unknown = (v) => v): this {
    if (value === undefined || value === null || value === "") return this;
    this.clauses.push(clause);
    this.args.push(toParam(value));
    return this;
  }
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function toResource(r: Row): StoredResource {
  return {
    id: String(r.id),
    cluster: String(r.cluster),
    kind: String(r.kind),
    namespace: String(r.namespace),
    name: String(r.name),
    ...(r.uid ? { uid: String(r.uid) } : {}),
    labels: parseJson(r.labels, {}),
    props: parseJson(r.props, {}),
    atMs: Number(r.at_ms),
    deleted: Number(r.deleted) === 1,
  };
}

/**
 * Every edge row in `byEdgeColumns` order, and the positions of the rows touching each resource:
 * resource `slot` r's positions are `positions[starts[r] .. starts[r + 1])`, ascending (one array
 * for all of them: a typed array per resource cost more to make than the rest of the index).
 */
interface EdgeIndex {
  readonly edges: readonly StoredEdge[];
  readonly slot: ReadonlyMap<string, number>;
  readonly starts: Int32Array;
  readonly positions: Int32Array;
  /** Per position: the number of the last read that took it. */
  readonly seen: Int32Array;
  /** The positions a read took, in the order it found them (scratch space for one read). */
  readonly found: Int32Array;
  reads: number;
}

function edgeIndexOf(edges: readonly StoredEdge[]): EdgeIndex {
  const slot = new Map<string, number>();
  const degree: number[] = [];
  const count = (id: string) => {
    const r = slot.get(id);
    if (r === undefined) {
      slot.set(id, degree.length);
      degree.push(1);
    } else degree[r]!++;
  };
  for (const e of edges) {
    count(e.fromId);
    if (e.toId !== e.fromId) count(e.toId);
  }
  const starts = new Int32Array(degree.length + 1);
  for (let r = 0; r < degree.length; r++) starts[r + 1] = starts[r]! + degree[r]!;
  const positions = new Int32Array(starts[degree.length]!);
  const fill = starts.slice(0, degree.length);
  edges.forEach((e, pos) => {
    positions[fill[slot.get(e.fromId)!]!++] = pos;
    if (e.toId !== e.fromId) positions[fill[slot.get(e.toId)!]!++] = pos;
  });
  return {
    edges,
    slot,
    starts,
    positions,
    seen: new Int32Array(edges.length),
    found: new Int32Array(edges.length),
    reads: 0,
  };
}

/** An edge row a write inserted (`present`) or deleted. */
interface EdgeChange {
  readonly edge: StoredEdge;
  readonly present: boolean;
}

/** An edge row's columns joined with NUL (names with control characters are refused at ingest). */
const edgeKey = (fromId: string, toId: string, type: string, origin: string): string =>
  `${fromId}\u0000${toId}\u0000${type}\u0000${origin}`;

const toStoredEdge = (one: (s: string) => string, r: Row): StoredEdge => ({
  fromId: one(String(r.from_id)),
  toId: one(String(r.to_id)),
  type: one(String(r.type)),
  origin: r.origin as StoredEdge["origin"],
});

/** Two lists sorted by `byEdgeColumns`, merged (no row is in both). */
function mergeSorted(a: readonly StoredEdge[], b: readonly StoredEdge[]): StoredEdge[] {
  const out: StoredEdge[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = byEdgeColumns(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** FNV-1a of a string (32 bits): tells a link's path apart from another's in the link memo. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Resource properties as JSON without `status`, which no edge derives from. */
const withoutStatus = (props: object): string => JSON.stringify({ ...props, status: undefined });

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** The order of `SELECT DISTINCT from_id, to_id, type, origin ... UNION ...` (ids are ASCII). */
const byEdgeColumns = (a: StoredEdge, b: StoredEdge) =>
  cmpStr(a.fromId, b.fromId) ||
  cmpStr(a.toId, b.toId) ||
  cmpStr(a.type, b.type) ||
  cmpStr(a.origin, b.origin);

/**
 * The events of a statement's rows, converted as they are stepped: `.all()` first builds every row
 * (an object of ~20 columns with its own strings), and holds them all beside the events until the
 * last is converted. Loading the recent events (100k of a 1M-event store, 192 MB heap) took
 * 0.64-0.74 s and peaked at 140-142 MB resident this way, against 0.89-1.27 s and 197-199 MB; a
 * dense stream's fallback reads of windows below them return tens of thousands of rows.
 */
function eventsOf(st: Database.Statement, ...params: unknown[]): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (const r of st.iterate(...params) as IterableIterator<Row>) out.push(toEvent(r));
  return out;
}

/**
 * An event row as a `StoredEvent`. Every event has every key, in one order (absent optional
 * fields are `undefined`), so all events share one hidden class: scoring and RCA read the same
 * fields of thousands of events per query, and events of a dozen shapes (built with conditional
 * spreads) made those reads megamorphic. 1,000 RCA queries at 1M stored events: ~10-20 % less
 * time warm (tools in bench/README, session 10).
 */
export function toEvent(r: Row): StoredEvent {
  const extra = parseJson<Record<string, unknown>>(r.extra, {});
  return {
    id: String(r.id),
    baseId: String(r.base_id),
    cluster: String(r.cluster),
    etype: r.etype as StoredEvent["etype"],
    severity: levelSeverity(Number(r.severity)),
    level: levelSeverity(Number(r.level)),
    reason: String(r.reason),
    message: String(r.message),
    timeMs: Number(r.time_ms),
    count: Number(r.count),
    resourceId: r.resource_id ? String(r.resource_id) : undefined,
    subjectKind: r.subject_kind ? String(r.subject_kind) : undefined,
    subjectNamespace: r.subject_ns ? String(r.subject_ns) : undefined,
    subjectName: r.subject_name ? String(r.subject_name) : undefined,
    subjectUid: r.subject_uid ? String(r.subject_uid) : undefined,
    incidentId: r.incident_id ? String(r.incident_id) : undefined,
    seq: r.seq === undefined || r.seq === null ? undefined : Number(r.seq),
    source: extra.source ? (extra.source as Record<string, unknown>) : undefined,
    labels: extra.labels ? (extra.labels as Record<string, string>) : undefined,
    annotations: extra.annotations ? (extra.annotations as Record<string, string>) : undefined,
    status: extra.status ? String(extra.status) : undefined,
  };
}

/** A change of one event's incident or level alone (see `pendingInserts.patches`). */
type EventPatch =
  | { id: string; incidentId?: string | null; level?: undefined }
  | { id: string; level: Severity };

function toLink(r: Row): CauseLink {
  return {
    causeId: String(r.cause_id),
    effectId: String(r.effect_id),
    confidence: Number(r.confidence),
    temporal: Number(r.temporal),
    distance: Number(r.distance),
    domain: Number(r.domain),
    hops: Number(r.hops),
    rule: String(r.rule),
    path: parseJson(r.path, []),
  };
}

function toIncidentSummary(r: Row): IncidentSummary {
  return {
    id: String(r.id),
    cluster: String(r.cluster),
    severity: levelSeverity(Number(r.severity)),
    startMs: Number(r.start_ms),
    endMs: Number(r.end_ms),
    eventCount: Number(r.event_count),
    resourceIds: parseJson(r.resource_ids, []),
    ...(r.root_event_id ? { rootEventId: String(r.root_event_id) } : {}),
  };
}

const toIncident = (r: Row, eventIds: string[]): Incident => ({ ...toIncidentSummary(r), eventIds });

function toAnomaly(r: Row): Anomaly {
  return {
    id: String(r.id),
    cluster: String(r.cluster),
    type: r.type as Anomaly["type"],
    ...(r.resource_id ? { resourceId: String(r.resource_id) } : {}),
    ...(r.reason ? { reason: String(r.reason) } : {}),
    windowStartMs: Number(r.window_start_ms),
    windowEndMs: Number(r.window_end_ms),
    count: Number(r.count),
    score: Number(r.score),
    eventIds: parseJson(r.event_ids, []),
    detail: String(r.detail),
  };
}
