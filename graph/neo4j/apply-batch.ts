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
  dependencyHints,
  impliedEdges,
  ownedReferenceKeys,
  POD_SELECTING_KINDS,
  podSelected,
  referenceHints,
  referenceKey,
  serviceNameHints,
  serviceTechnologies,
  technologyHints,
  resolveTechnology,
} from "../../rca/implied-edges.js";
import type { EventInput, IngestBatch, ResourceRef, ResourceUpsert } from "../../rca/model.js";
import { severityLevel } from "../../rca/model.js";
import type { ApplyResult, StoredEdge } from "../graph-store.js";
import { STATEMENTS, type StatementName } from "./statements.js";

/** The part of a managed transaction the adapter uses (the driver's `ManagedTransaction` fits). */
export interface TxLike {
  run(
    cypher: string,
    params?: Record<string, unknown>,
  ): PromiseLike<{ records: Array<{ toObject(): Record<string, unknown> }> }>;
}

type Row = Record<string, unknown>;
/** Integers go to Neo4j as integers (not floats), so stored times and counts read back exactly. */
export type IntFn = (n: number) => unknown;

/** Runs one named statement and returns its records as plain objects. */
export async function runStatement(tx: TxLike, name: StatementName, params: Row = {}): Promise<Row[]> {
  const res = await tx.run(STATEMENTS[name], params);
  return res.records.map((r) => r.toObject());
}

const DERIVED_OUT = new Set(DERIVED_OUT_TYPES);
const K = (...parts: string[]) => parts.join("\u0000");
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

interface ResState {
  id: string;
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string | null;
  labels: string;
  props: string;
  atMs: number;
  deleted: boolean;
  podIP: string | null;
  clusterIP: string | null;
}

interface EvState {
  id: string;
  baseId: string;
  cluster: string;
  etype: string;
  severity: number;
  level: number;
  reason: string;
  message: string;
  timeMs: number;
  count: number;
  resourceId: string | null;
  subjectKind: string | null;
  subjectNs: string | null;
  subjectName: string | null;
  subjectUid: string | null;
  extra: string | null;
  ingestedMs: number;
}

interface SentState {
  cluster: string;
  key: string;
  type: string;
  fromId: string | null;
  toId: string | null;
  fromUid: string | null;
  toUid: string | null;
  atMs: number;
}

interface ChangeRow {
  id: string;
  baseId: string;
  cluster: string;
  severity: number;
  level: number;
  reason: string;
  message: string;
  timeMs: number;
  resourceId: string;
  subjectKind: string;
  subjectNs: string;
  subjectName: string;
}

interface EdgeAdd {
  fromId: string;
  type: string;
  toId: string;
  origin: StoredEdge["origin"];
  cluster: string;
  /** The caller's touched set: a created edge marks both ends there (as the embedded store does). */
  touched: Set<string>;
  /** Deleted earlier in this batch and added again: created, whatever the store held before. */
  readded: boolean;
}

function toResState(r: Row): ResState {
  return {
    id: String(r.id),
    cluster: String(r.cluster),
    kind: String(r.kind),
    namespace: String(r.namespace ?? ""),
    name: String(r.name),
    uid: str(r.uid),
    labels: String(r.labels ?? "{}"),
    props: String(r.props ?? "{}"),
    atMs: Number(r.atMs ?? -1),
    deleted: r.deleted === true,
    podIP: str(r.podIP),
    clusterIP: str(r.clusterIP),
  };
}

function toEvState(e: Row): EvState {
  return {
    id: String(e.id),
    baseId: String(e.baseId),
    cluster: String(e.cluster),
    etype: String(e.etype),
    severity: Number(e.severity),
    level: Number(e.level),
    reason: String(e.reason ?? ""),
    message: String(e.message ?? ""),
    timeMs: Number(e.timeMs),
    count: Number(e.count ?? 1),
    resourceId: str(e.resourceId),
    subjectKind: str(e.subjectKind),
    subjectNs: str(e.subjectNs),
    subjectName: str(e.subjectName),
    subjectUid: str(e.subjectUid),
    extra: str(e.extra),
    ingestedMs: Number(e.ingestedMs ?? 0),
  };
}

function toSentState(s: Row): SentState {
  return {
    cluster: String(s.cluster),
    key: String(s.key),
    type: String(s.type),
    fromId: str(s.fromId),
    toId: str(s.toId),
    fromUid: str(s.fromUid),
    toUid: str(s.toUid),
    atMs: Number(s.atMs),
  };
}

const parseJson = <T>(s: string, fallback: T): T => {
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
};

const namespaceOfId = (id: string): string | undefined => {
  const parts = id.split(":");
  return parts.length < 4 ? undefined : parts[parts.length - 2];
};

/**
 * One `applyBatch` as a unit of work inside one write transaction. It follows the embedded
 * store's algorithm step by step (so both stores build the same graph), but against an in-memory
 * view: everything the batch can touch is loaded up front with a few `UNWIND` look-ups (anything
 * missed is loaded lazily), all decisions are taken in memory, and the outcome is written back
 * with one `UNWIND $rows` statement per kind of change, rows sorted by key so concurrent
 * replicas take locks in the same order. The write statements re-check their conditions
 * (newest state wins, highest level wins), so a replica racing on the same keys cannot regress
 * what another wrote.
 */
export class ApplyBatchWork {
  private readonly res = new Map<string, ResState | null>();
  private readonly resCreated = new Set<string>();
  private readonly resStateDirty = new Set<string>();
  private readonly resUidSets = new Map<string, string>();
  private readonly resDeletes = new Set<string>();
  private readonly uids = new Map<string, string | null>();
  private readonly uidPuts = new Map<string, { cluster: string; uid: string; resourceId: string }>();
  private readonly versionInfo = new Map<
    string,
    { present: boolean; prev?: { atMs: number; version: string }; next?: { atMs: number; version: string } }
  >();
  private readonly versionsAdded = new Map<string, Map<number, string>>();
  private readonly events = new Map<string, EvState | null>();
  private readonly eventsDirty = new Set<string>();
  private readonly eventsResolved = new Map<string, string>();
  private readonly pendingLoaded = new Set<string>();
  private readonly changeRows = new Map<string, ChangeRow>();
  private readonly changeBaseDeletes = new Set<string>();
  private readonly sent = new Map<string, SentState | null>();
  private readonly sentAnyLoaded = new Set<string>();
  private readonly sentDirty = new Set<string>();
  private readonly hints = new Map<string, Set<string>>();
  private readonly hintPuts: Array<{ cluster: string; hint: string; fromId: string }> = [];
  private readonly scopes = new Map<string, Set<string>>();
  private readonly ips = new Map<string, Set<string>>();
  private readonly svcNames = new Map<string, Set<string>>();
  private readonly svcClusters = new Map<string, Set<string>>();
  /** Derived edges of a resource as stored when the batch began, by resource id. */
  private readonly derivedLoaded = new Map<string, Array<[string, string, string]>>();
  private readonly edgeDeletes = new Map<
    string,
    { fromId: string; type: string; toId: string; origin: string }
  >();
  private readonly edgeAdds = new Map<string, EdgeAdd>();

  constructor(
    private readonly tx: TxLike,
    private readonly int: IntFn,
    private readonly ingestedMs: number,
  ) {}

  async run(batch: IngestBatch): Promise<ApplyResult> {
    const clusters = new Set<string>();
    for (const r of batch.resources) clusters.add(r.cluster);
    for (const d of batch.resourceDeletes) clusters.add(d.ref.cluster);
    for (const e of batch.edges) clusters.add(e.cluster);
    for (const e of batch.events) clusters.add(e.cluster);
    // Write skew would lose derived edges (a pod and the service selecting it written by two
    // replicas at once, each not seeing the other): batches of one cluster take turns.
    if (clusters.size) await runStatement(this.tx, "lockClusters", { keys: [...clusters].sort() });
    await this.preload(batch);
    const touchedEvents = new Set<string>();
    const touchedResources = new Set<string>();
    const counts = { resources: 0, edges: 0, events: 0, changeEvents: 0 };
    // Resources first (oldest state first), so edges and events in the same batch resolve.
    const resources = [...batch.resources].sort((a, b) => a.atMs - b.atMs);
    for (const r of resources) {
      counts.resources++;
      await this.upsertResource(r, touchedEvents, touchedResources, counts);
    }
    for (const d of batch.resourceDeletes) {
      // A tombstone is a DELETE that names the resource and nothing else: the same change event.
      const id = (await this.resolveRef(d.ref)) ?? (await this.uidInAnyCluster(d.ref.uid));
      const p = id && (await this.getRes(id)) ? parseResourceId(id) : undefined;
      if (p) await this.upsertResource(tombstoneUpsert(p, d), touchedEvents, touchedResources, counts);
    }
    for (const e of batch.edges) {
      counts.edges++;
      await this.upsertSentEdge(e, touchedResources);
    }
    for (const e of batch.events) {
      counts.events++;
      if (await this.insertEvent(e, touchedResources)) touchedEvents.add(e.id);
    }
    await this.flush();
    return { eventIds: [...touchedEvents], resourceIds: [...touchedResources], counts };
  }

  // ------------------------------------------------------------------ bulk look-ups

  private async preload(batch: IngestBatch): Promise<void> {
    const resIds = new Set<string>();
    const uidRows = new Map<string, { cluster: string; uid: string }>();
    const addRef = (ref: ResourceRef) => {
      const id = refToId(ref);
      if (id) resIds.add(id);
      if (ref.uid) uidRows.set(K(ref.cluster, ref.uid), { cluster: ref.cluster, uid: ref.uid });
    };
    const versionRows: Array<{ id: string; atMs: number }> = [];
    const hintRows = new Map<string, { cluster: string; hint: string }>();
    const scopeRows = new Map<string, { cluster: string; namespace: string; kind: string }>();
    const ipRows = new Map<string, { cluster: string; ip: string }>();
    const svcNameRows = new Map<string, { cluster: string; name: string }>();
    for (const r of batch.resources) {
      const id = resourceId(r.cluster, r.kind, r.namespace, r.name);
      resIds.add(id);
      if (r.uid) uidRows.set(K(r.cluster, r.uid), { cluster: r.cluster, uid: r.uid });
      versionRows.push({ id, atMs: r.atMs });
      for (const e of impliedEdges(r)) resIds.add(e.fromId === id ? e.toId : e.fromId);
      for (const h of this.hintKeysOf(r)) hintRows.set(K(r.cluster, h), { cluster: r.cluster, hint: h });
      if (r.kind === "Service")
        for (const tech of serviceTechnologies(r.name, r.props))
          hintRows.set(K(r.cluster, `tech:${tech}`), { cluster: r.cluster, hint: `tech:${tech}` });
      const scopeOf = (kind: string) =>
        scopeRows.set(K(r.cluster, r.namespace, kind), { cluster: r.cluster, namespace: r.namespace, kind });
      if (POD_SELECTING_KINDS.includes(r.kind)) scopeOf("Pod");
      if (r.kind === "Pod") for (const kind of POD_SELECTING_KINDS) scopeOf(kind);
    }
    for (const d of batch.resourceDeletes) addRef(d.ref);
    const sentRows = new Map<string, { cluster: string; key: string }>();
    const sentAny = new Set<string>();
    for (const e of batch.edges) {
      addRef(e.from);
      addRef(e.to);
      if (e.deleted && e.type === "") sentAny.add(e.key);
      else sentRows.set(K(e.cluster, e.key), { cluster: e.cluster, key: e.key });
    }
    for (const e of batch.events) {
      if (e.subject) addRef(e.subject);
      if ((e.etype === "k8s.log" || e.etype === "k8s.event") && e.message && e.subject) {
        const rid = refToId(e.subject);
        const ns = rid ? namespaceOfId(rid) || undefined : e.subject.namespace;
        for (const h of referenceHints(e.message, ns)) {
          hintRows.set(K(e.cluster, referenceKey(h)), { cluster: e.cluster, hint: referenceKey(h) });
          if (h.name) resIds.add(resourceId(e.cluster, h.kind, h.namespace, h.name));
          else
            scopeRows.set(K(e.cluster, h.namespace, h.kind), {
              cluster: e.cluster,
              namespace: h.namespace,
              kind: h.kind,
            });
        }
        for (const h of dependencyHints(e.message, ns)) {
          const key = h.ip ? `ip:${h.ip}` : `svc:${h.service!.namespace}/${h.service!.name}`;
          hintRows.set(K(e.cluster, key), { cluster: e.cluster, hint: key });
          if (h.ip) ipRows.set(K(e.cluster, h.ip), { cluster: e.cluster, ip: h.ip });
          else resIds.add(resourceId(e.cluster, "Service", h.service!.namespace, h.service!.name));
        }
        for (const tech of e.etype === "k8s.log" ? technologyHints(e.message) : [])
          hintRows.set(K(e.cluster, `tech:${tech}`), { cluster: e.cluster, hint: `tech:${tech}` });
        for (const name of e.etype === "k8s.log" ? serviceNameHints(e.message) : []) {
          hintRows.set(K(e.cluster, `svcname:${name}`), { cluster: e.cluster, hint: `svcname:${name}` });
          svcNameRows.set(K(e.cluster, name), { cluster: e.cluster, name });
        }
      }
    }
    // Independent look-ups, pipelined on the transaction's connection: one round trip, not eleven.
    await Promise.all([
      this.loadRes([...resIds]),
      this.loadUids([...uidRows.values()]),
      this.loadPending([...uidRows.values()]),
      this.loadVersions(versionRows),
      this.loadEvents(batch.events.map((e) => e.id)),
      this.loadSent([...sentRows.values()]),
      this.loadSentAny([...sentAny]),
      this.loadHints([...hintRows.values()]),
      this.loadScopes([...scopeRows.values()]),
      this.loadIps([...ipRows.values()]),
      this.loadServicesByName([...svcNameRows.values()]),
      this.loadDerived(batch.resources.map((r) => resourceId(r.cluster, r.kind, r.namespace, r.name))),
    ]);
  }

  private hintKeysOf(r: ResourceUpsert): string[] {
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
    return hints;
  }

  private async loadRes(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.res.has(id));
    if (!missing.length) return;
    for (const row of await runStatement(this.tx, "loadResources", { ids: missing })) {
      const r = toResState(row.r as Row);
      this.res.set(r.id, r);
    }
    for (const id of missing) if (!this.res.has(id)) this.res.set(id, null);
  }

  private async loadUids(rows: Array<{ cluster: string; uid: string }>): Promise<void> {
    const missing = rows.filter((r) => !this.uids.has(K(r.cluster, r.uid)));
    if (!missing.length) return;
    for (const row of await runStatement(this.tx, "loadUids", { rows: missing }))
      this.uids.set(K(String(row.cluster), String(row.uid)), String(row.resourceId));
    for (const r of missing)
      if (!this.uids.has(K(r.cluster, r.uid))) this.uids.set(K(r.cluster, r.uid), null);
  }

  /** Events and producer edges that name a uid not yet known; they resolve when it is registered. */
  private async loadPending(rows: Array<{ cluster: string; uid: string }>): Promise<void> {
    const missing = rows.filter((r) => !this.pendingLoaded.has(K(r.cluster, r.uid)));
    if (!missing.length) return;
    for (const r of missing) this.pendingLoaded.add(K(r.cluster, r.uid));
    for (const row of await runStatement(this.tx, "loadPendingEvents", { rows: missing })) {
      const e = toEvState(row.e as Row);
      if (!this.events.has(e.id)) this.events.set(e.id, e);
    }
    for (const row of await runStatement(this.tx, "loadPendingSentEdges", { rows: missing })) {
      const s = toSentState(row.s as Row);
      if (!this.sent.has(K(s.cluster, s.key))) this.sent.set(K(s.cluster, s.key), s);
    }
  }

  private async loadVersions(rows: Array<{ id: string; atMs: number }>): Promise<void> {
    const missing = rows.filter((r) => !this.versionInfo.has(K(r.id, String(r.atMs))));
    if (!missing.length) return;
    const params = missing.map((r) => ({ id: r.id, atMs: this.int(r.atMs) }));
    for (const row of await runStatement(this.tx, "loadVersionNeighbours", { rows: params })) {
      this.versionInfo.set(K(String(row.id), String(Number(row.atMs))), {
        present: row.present === true,
        ...(row.prevAtMs !== null && row.prevAtMs !== undefined
          ? { prev: { atMs: Number(row.prevAtMs), version: String(row.prevVersion) } }
          : {}),
        ...(row.nextAtMs !== null && row.nextAtMs !== undefined
          ? { next: { atMs: Number(row.nextAtMs), version: String(row.nextVersion) } }
          : {}),
      });
    }
  }

  private async loadEvents(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.events.has(id));
    if (!missing.length) return;
    for (const row of await runStatement(this.tx, "loadEvents", { ids: missing })) {
      const e = toEvState(row.e as Row);
      this.events.set(e.id, e);
    }
    for (const id of missing) if (!this.events.has(id)) this.events.set(id, null);
  }

  private async loadSent(rows: Array<{ cluster: string; key: string }>): Promise<void> {
    const missing = rows.filter((r) => !this.sent.has(K(r.cluster, r.key)));
    if (!missing.length) return;
    for (const row of await runStatement(this.tx, "loadSentEdges", { rows: missing })) {
      const s = toSentState(row.s as Row);
      this.sent.set(K(s.cluster, s.key), s);
    }
    for (const r of missing)
      if (!this.sent.has(K(r.cluster, r.key))) this.sent.set(K(r.cluster, r.key), null);
  }

  private async loadSentAny(keys: string[]): Promise<void> {
    const missing = keys.filter((k) => !this.sentAnyLoaded.has(k));
    if (!missing.length) return;
    for (const k of missing) this.sentAnyLoaded.add(k);
    for (const row of await runStatement(this.tx, "loadSentEdgesAnyCluster", { keys: missing })) {
      const s = toSentState(row.s as Row);
      if (!this.sent.has(K(s.cluster, s.key))) this.sent.set(K(s.cluster, s.key), s);
    }
  }

  private async loadHints(rows: Array<{ cluster: string; hint: string }>): Promise<void> {
    const missing = rows.filter((r) => !this.hints.has(K(r.cluster, r.hint)));
    if (!missing.length) return;
    for (const r of missing) this.hints.set(K(r.cluster, r.hint), new Set());
    for (const row of await runStatement(this.tx, "loadHints", { rows: missing }))
      this.hints.get(K(String(row.cluster), String(row.hint)))?.add(String(row.fromId));
  }

  private async loadScopes(rows: Array<{ cluster: string; namespace: string; kind: string }>): Promise<void> {
    const missing = rows.filter((r) => !this.scopes.has(K(r.cluster, r.namespace, r.kind)));
    if (!missing.length) return;
    for (const r of missing) this.scopes.set(K(r.cluster, r.namespace, r.kind), new Set());
    for (const row of await runStatement(this.tx, "loadScope", { rows: missing })) {
      const r = toResState(row.r as Row);
      if (!this.res.has(r.id) || this.res.get(r.id) === null) this.res.set(r.id, r);
      this.scopes.get(K(String(row.cluster), String(row.namespace), String(row.kind)))?.add(r.id);
    }
  }

  private async loadServicesByName(rows: Array<{ cluster: string; name: string }>): Promise<void> {
    const missing = rows.filter((r) => !this.svcNames.has(K(r.cluster, r.name)));
    if (!missing.length) return;
    for (const r of missing) this.svcNames.set(K(r.cluster, r.name), new Set());
    for (const row of await runStatement(this.tx, "loadServicesByName", { rows: missing })) {
      const r = toResState(row.r as Row);
      if (!this.res.has(r.id) || this.res.get(r.id) === null) this.res.set(r.id, r);
      this.svcNames.get(K(String(row.cluster), String(row.name)))?.add(r.id);
    }
  }

  private async loadIps(rows: Array<{ cluster: string; ip: string }>): Promise<void> {
    const missing = rows.filter((r) => !this.ips.has(K(r.cluster, r.ip)));
    if (!missing.length) return;
    for (const r of missing) this.ips.set(K(r.cluster, r.ip), new Set());
    for (const row of await runStatement(this.tx, "loadByIp", { rows: missing })) {
      const r = toResState(row.r as Row);
      if (!this.res.has(r.id) || this.res.get(r.id) === null) this.res.set(r.id, r);
      this.ips.get(K(String(row.cluster), String(row.ip)))?.add(r.id);
    }
  }

  // ------------------------------------------------------------------ the embedded store's steps

  private async getRes(id: string): Promise<ResState | null> {
    if (!this.res.has(id)) await this.loadRes([id]);
    return this.res.get(id) ?? null;
  }

  /** `INSERT ... ON CONFLICT DO NOTHING`: true when the resource is new. */
  private async ensureRes(id: string, cluster: string, kind: string, namespace: string, name: string) {
    if (await this.getRes(id)) return false;
    this.res.set(id, {
      id,
      cluster,
      kind,
      namespace,
      name,
      uid: null,
      labels: "{}",
      props: "{}",
      atMs: -1,
      deleted: false,
      podIP: null,
      clusterIP: null,
    });
    this.resCreated.add(id);
    return true;
  }

  private async getUid(cluster: string, uid: string): Promise<string | null> {
    if (!this.uids.has(K(cluster, uid))) await this.loadUids([{ cluster, uid }]);
    return this.uids.get(K(cluster, uid)) ?? null;
  }

  /**
   * A tombstone's key carries no cluster; a uid is unique across clusters, so one not found in
   * the default cluster is looked for in all of them.
   */
  private async uidInAnyCluster(uid: string | undefined): Promise<string | undefined> {
    if (!uid) return undefined;
    // Stored aliases, and those registered earlier in this batch (written at its end).
    const ids = new Set<string>();
    for (const r of await runStatement(this.tx, "uidInAnyCluster", { uid })) {
      const id = str(r.resourceId);
      if (id) ids.add(id);
    }
    const suffix = K("", uid);
    for (const [key, id] of this.uids) if (id && key.endsWith(suffix)) ids.add(id);
    return ids.size === 1 ? [...ids][0] : undefined;
  }

  private async resolveRef(ref: ResourceRef): Promise<string | undefined> {
    const byName = refToId(ref);
    if (byName) return byName;
    if (ref.uid) return (await this.getUid(ref.cluster, ref.uid)) ?? undefined;
    return undefined;
  }

  private async ensureRef(ref: ResourceRef, touched: Set<string>, events: Set<string>) {
    const byName = refToId(ref);
    if (byName) {
      const created = await this.ensureRes(
        byName,
        ref.cluster,
        ref.kind,
        isClusterScoped(ref.kind) ? "" : (ref.namespace ?? ""),
        ref.name!,
      );
      if (ref.uid) await this.registerUid(ref.cluster, ref.uid, byName, touched, events);
      if (created) touched.add(byName);
      return byName;
    }
    return this.resolveRef(ref);
  }

  private async registerUid(
    cluster: string,
    uid: string,
    id: string,
    touched: Set<string>,
    events: Set<string>,
  ): Promise<void> {
    if ((await this.getUid(cluster, uid)) === id) return;
    this.uids.set(K(cluster, uid), id);
    this.uidPuts.set(K(cluster, uid), { cluster, uid, resourceId: id });
    const r = await this.getRes(id);
    if (r && r.uid === null) {
      r.uid = uid;
      this.resUidSets.set(id, uid);
    }
    await this.loadPending([{ cluster, uid }]);
    // Events and edges that named this resource only by uid now resolve.
    for (const ev of this.events.values()) {
      if (!ev || ev.cluster !== cluster || ev.subjectUid !== uid || ev.resourceId !== null) continue;
      ev.resourceId = id;
      this.eventsResolved.set(ev.id, id);
      await this.addHints(cluster, id, ev.message, touched, ev.etype);
      events.add(ev.id);
    }
    for (const [k, s] of this.sent) {
      if (!s || s.cluster !== cluster || s.fromUid !== uid) continue;
      s.fromId = id;
      s.fromUid = null;
      this.sentDirty.add(k);
      if (s.toId) this.addEdge(id, s.type, s.toId, "sent", cluster, touched);
    }
    for (const [k, s] of this.sent) {
      if (!s || s.cluster !== cluster || s.toUid !== uid) continue;
      s.toId = id;
      s.toUid = null;
      this.sentDirty.add(k);
      const from = s.fromUid ? undefined : s.fromId;
      if (from) this.addEdge(from, s.type, id, "sent", cluster, touched);
    }
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
    const k = K(fromId, type, toId, origin);
    if (this.edgeAdds.has(k)) return;
    const readded = this.edgeDeletes.delete(k);
    this.edgeAdds.set(k, { fromId, type, toId, origin, cluster, touched, readded });
  }

  private deleteEdge(fromId: string, type: string, toId: string, origin: StoredEdge["origin"]) {
    const k = K(fromId, type, toId, origin);
    this.edgeAdds.delete(k);
    this.edgeDeletes.set(k, { fromId, type, toId, origin });
  }

  private async loadDerived(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.derivedLoaded.has(id));
    if (!missing.length) return;
    for (const id of missing) this.derivedLoaded.set(id, []);
    const rows = await runStatement(this.tx, "loadDerivedEdges", {
      ids: missing,
      derivedOutTypes: [...DERIVED_OUT_TYPES],
    });
    for (const r of rows)
      this.derivedLoaded.get(String(r.id))?.push([String(r.fromId), String(r.type), String(r.toId)]);
  }

  /** The derived edges of `id` now: stored ones not deleted in this batch, plus this batch's. */
  private async currentDerived(id: string): Promise<Array<[string, string, string]>> {
    if (!this.derivedLoaded.has(id)) await this.loadDerived([id]);
    const out = new Map<string, [string, string, string]>();
    for (const [f, t, o] of this.derivedLoaded.get(id)!)
      if (!this.edgeDeletes.has(K(f, t, o, "derived"))) out.set(K(f, t, o), [f, t, o]);
    for (const e of this.edgeAdds.values()) {
      if (e.origin !== "derived") continue;
      if (
        (e.fromId === id && DERIVED_OUT.has(e.type)) ||
        (e.toId === id && e.type === "CONTROLS") ||
        (e.type === "SELECTS" && (e.fromId === id || e.toId === id))
      )
        out.set(K(e.fromId, e.type, e.toId), [e.fromId, e.type, e.toId]);
    }
    return [...out.values()];
  }

  private async versionExists(id: string, atMs: number): Promise<boolean> {
    if (this.versionsAdded.get(id)?.has(atMs)) return true;
    if (!this.versionInfo.has(K(id, String(atMs)))) await this.loadVersions([{ id, atMs }]);
    return this.versionInfo.get(K(id, String(atMs)))?.present ?? false;
  }

  /** The nearest version before (`dir` -1) or after (+1) `atMs`: stored ones and this batch's. */
  private nearestVersion(
    id: string,
    atMs: number,
    dir: -1 | 1,
  ): { atMs: number; version: string } | undefined {
    const info = this.versionInfo.get(K(id, String(atMs)));
    let best = dir < 0 ? info?.prev : info?.next;
    for (const [at, version] of this.versionsAdded.get(id) ?? []) {
      if (dir < 0 ? at < atMs && (!best || at > best.atMs) : at > atMs && (!best || at < best.atMs))
        best = { atMs: at, version };
    }
    return best;
  }

  private async upsertResource(
    r: ResourceUpsert,
    touchedEvents: Set<string>,
    touched: Set<string>,
    counts: ApplyResult["counts"],
  ): Promise<void> {
    const id = resourceId(r.cluster, r.kind, r.namespace, r.name);
    if (await this.ensureRes(id, r.cluster, r.kind, r.namespace, r.name)) touched.add(id);
    if (r.uid) await this.registerUid(r.cluster, r.uid, id, touched, touchedEvents);

    // Version history -> change events, independent of arrival order.
    const version = versionOf(r);
    if (!(await this.versionExists(id, r.atMs))) {
      const prev = this.nearestVersion(id, r.atMs, -1);
      const next = this.nearestVersion(id, r.atMs, 1);
      let added = this.versionsAdded.get(id);
      if (!added) {
        added = new Map();
        this.versionsAdded.set(id, added);
      }
      added.set(r.atMs, JSON.stringify(version));
      const here = prev
        ? diffVersions(r.kind, JSON.parse(prev.version) as ResourceVersion, version)
        : initialConditionEvents(r.kind, version);
      counts.changeEvents += this.writeChangeEvents(r, id, r.atMs, here, touchedEvents);
      if (next) {
        this.deleteChangeBase(`chg:${id}:${next.atMs}`, touchedEvents);
        const after = JSON.parse(next.version) as ResourceVersion;
        counts.changeEvents += this.writeChangeEvents(
          r,
          id,
          next.atMs,
          diffVersions(r.kind, version, after),
          touchedEvents,
        );
      }
    }

    // Current state: the newest version wins; equal times are ordered by content, so any order agrees.
    const current = (await this.getRes(id))!;
    const propsJson = JSON.stringify(r.props);
    const labelsJson = JSON.stringify(r.labels);
    if (isBareDelete(r)) {
      // Gone, with its last-known state (and the edges it implies) kept.
      if (r.atMs > current.atMs || (r.atMs === current.atMs && !current.deleted)) {
        current.uid = r.uid ?? current.uid;
        current.atMs = r.atMs;
        current.deleted = true;
        this.resStateDirty.add(id);
      }
      return;
    }
    const newer =
      r.atMs > current.atMs ||
      (r.atMs === current.atMs && `${propsJson}${labelsJson}` > `${current.props}${current.labels}`);
    if (!newer) {
      // A state older than a bare DELETE, with none between them, is the deleted resource's last known.
      const next = this.nearestVersion(id, r.atMs, 1);
      if (!(current.deleted && next && next.atMs === current.atMs && isBareDeleteVersion(next.version)))
        return;
      current.uid = r.uid ?? current.uid;
      current.labels = labelsJson;
      current.props = propsJson;
      current.podIP = r.props.podIP ?? null;
      current.clusterIP = r.props.clusterIP ?? null;
      this.resStateDirty.add(id);
      await this.rederiveEdges(r, id, touched);
      return;
    }
    current.uid = r.uid ?? current.uid;
    current.labels = labelsJson;
    current.props = propsJson;
    current.atMs = r.atMs;
    current.deleted = r.deleted;
    current.podIP = r.props.podIP ?? null;
    current.clusterIP = r.props.clusterIP ?? null;
    this.resStateDirty.add(id);
    await this.rederiveEdges(r, id, touched);
  }

  private deleteChangeBase(baseId: string, touchedEvents: Set<string>) {
    this.changeBaseDeletes.add(baseId);
    for (const [id, row] of this.changeRows) {
      if (row.baseId !== baseId) continue;
      this.changeRows.delete(id);
      touchedEvents.delete(id);
    }
  }

  private writeChangeEvents(
    r: ResourceUpsert,
    id: string,
    atMs: number,
    changes: ReturnType<typeof diffVersions>,
    touchedEvents: Set<string>,
  ): number {
    const baseId = `chg:${id}:${atMs}`;
    for (const c of changes) {
      const eventId = `${baseId}:${c.reason}`;
      const sev = severityLevel(c.severity);
      const prev = this.changeRows.get(eventId);
      this.changeRows.set(eventId, {
        id: eventId,
        baseId,
        cluster: r.cluster,
        severity: sev,
        level: Math.max(prev?.level ?? sev, sev),
        reason: c.reason,
        message: c.message,
        timeMs: atMs,
        resourceId: id,
        subjectKind: prev?.subjectKind ?? r.kind,
        subjectNs: prev?.subjectNs ?? r.namespace,
        subjectName: prev?.subjectName ?? r.name,
      });
      touchedEvents.add(eventId);
    }
    return changes.length;
  }

  private async scope(cluster: string, namespace: string, kind: string): Promise<ResState[]> {
    if (!this.scopes.has(K(cluster, namespace, kind))) await this.loadScopes([{ cluster, namespace, kind }]);
    const ids = new Set(this.scopes.get(K(cluster, namespace, kind)));
    for (const r of this.res.values())
      if (r && r.cluster === cluster && r.namespace === namespace && r.kind === kind) ids.add(r.id);
    const out: ResState[] = [];
    for (const id of ids) {
      const r = this.res.get(id);
      if (r && r.cluster === cluster && r.namespace === namespace && r.kind === kind) out.push(r);
    }
    return out;
  }

  private async hintsFor(cluster: string, hint: string): Promise<Set<string>> {
    if (!this.hints.has(K(cluster, hint))) await this.loadHints([{ cluster, hint }]);
    return this.hints.get(K(cluster, hint))!;
  }

  private async rederiveEdges(r: ResourceUpsert, id: string, touched: Set<string>): Promise<void> {
    // The derived edges this state implies, applied as a difference so that an unchanged state
    // leaves the topology untouched (and its ends are not rescored).
    const wanted = new Map<string, [string, string, string]>();
    const want = (from: string, type: string, to: string) => {
      if (from !== to) wanted.set(K(from, type, to), [from, type, to]);
    };
    for (const e of impliedEdges(r)) {
      const other = e.fromId === id ? e.toId : e.fromId;
      const o = parseResourceId(other);
      if (o) await this.ensureRes(other, o.cluster, o.kind, o.namespace, o.name);
      want(e.fromId, e.type, e.toId);
    }
    // Services and NetworkPolicies select pods by label; matched from whichever side arrives last.
    if (POD_SELECTING_KINDS.includes(r.kind)) {
      for (const pod of await this.scope(r.cluster, r.namespace, "Pod")) {
        if (podSelected(r.kind, r.props, parseJson(pod.labels, {}))) want(id, "SELECTS", pod.id);
      }
    }
    if (r.kind === "Pod") {
      for (const kind of POD_SELECTING_KINDS) {
        for (const sel of await this.scope(r.cluster, r.namespace, kind)) {
          if (podSelected(kind, parseJson(sel.props, {}), r.labels)) want(sel.id, "SELECTS", id);
        }
      }
    }
    for (const [f, t, o] of await this.currentDerived(id)) {
      if (wanted.has(K(f, t, o))) wanted.delete(K(f, t, o));
      else this.deleteEdge(f, t, o, "derived");
    }
    for (const [f, t, o] of wanted.values()) this.addEdge(f, t, o, "derived", r.cluster, touched);
    // Callers that named this Service's technology (`redis:`, port 5432) when it is the only match.
    if (r.kind === "Service") {
      for (const tech of serviceTechnologies(r.name, r.props)) {
        for (const fromId of await this.hintsFor(r.cluster, `tech:${tech}`))
          if ((await this.resolveTechnologyHint(r.cluster, fromId, tech)) === id)
            this.addEdge(fromId, "DEPENDS_ON", id, "inferred", r.cluster, touched);
      }
    }
    // Log lines that named this resource's IP or service name become DEPENDS_ON edges; events and
    // logs that named the resource itself become REFERENCES edges.
    for (const h of this.hintKeysOf(r)) {
      const type = h.startsWith("ref") ? "REFERENCES" : "DEPENDS_ON";
      for (const fromId of await this.hintsFor(r.cluster, h))
        this.addEdge(fromId, type, id, "inferred", r.cluster, touched);
    }
  }

  private async byIp(cluster: string, ip: string): Promise<string[]> {
    if (!this.ips.has(K(cluster, ip))) await this.loadIps([{ cluster, ip }]);
    const ids = new Set(this.ips.get(K(cluster, ip)));
    for (const r of this.res.values())
      if (r && r.cluster === cluster && (r.podIP === ip || r.clusterIP === ip)) ids.add(r.id);
    return [...ids]
      .filter((id) => {
        const r = this.res.get(id);
        return r && r.cluster === cluster && (r.podIP === ip || r.clusterIP === ip);
      })
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private async addHints(
    cluster: string,
    fromId: string,
    message: string,
    touched: Set<string>,
    etype: string,
  ) {
    if (!message) return;
    const ns = namespaceOfId(fromId);
    // Resources a K8s event or a log names (a missing Secret, a quota): REFERENCES edges.
    if (etype === "k8s.event" || etype === "k8s.log") {
      for (const h of referenceHints(message, ns || undefined)) {
        const key = referenceKey(h);
        const known = await this.hintsFor(cluster, key);
        if (known.has(fromId)) continue;
        known.add(fromId);
        this.hintPuts.push({ cluster, hint: key, fromId });
        let targets: string[];
        if (h.name) {
          const rid = resourceId(cluster, h.kind, h.namespace, h.name);
          targets = (await this.getRes(rid)) ? [rid] : [];
        } else targets = (await this.scope(cluster, h.namespace, h.kind)).map((x) => x.id);
        for (const t of targets) this.addEdge(fromId, "REFERENCES", t, "inferred", cluster, touched);
      }
      const p = parseResourceId(fromId);
      const cred = p && credentialReferenceKey(message, p.kind, p.namespace, p.name);
      if (cred) {
        const known = await this.hintsFor(cluster, cred);
        if (!known.has(fromId)) {
          known.add(fromId);
          this.hintPuts.push({ cluster, hint: cred, fromId });
          for (const x of await this.scope(cluster, p.namespace, "Secret"))
            if (ownedReferenceKeys("Secret", x.namespace, x.name).includes(cred))
              this.addEdge(fromId, "REFERENCES", x.id, "inferred", cluster, touched);
        }
      }
    }
    if (etype !== "k8s.log" && etype !== "k8s.event") return;
    for (const h of dependencyHints(message, ns || undefined)) {
      const key = h.ip ? `ip:${h.ip}` : `svc:${h.service!.namespace}/${h.service!.name}`;
      const known = await this.hintsFor(cluster, key);
      if (known.has(fromId)) continue;
      known.add(fromId);
      this.hintPuts.push({ cluster, hint: key, fromId });
      let targets: string[];
      if (h.ip) targets = await this.byIp(cluster, h.ip);
      else {
        const sid = resourceId(cluster, "Service", h.service!.namespace, h.service!.name);
        if (
          h.explicit &&
          (await this.ensureRes(sid, cluster, "Service", h.service!.namespace, h.service!.name))
        )
          touched.add(sid);
        targets = (await this.getRes(sid)) ? [sid] : [];
      }
      for (const t of targets) this.addEdge(fromId, "DEPENDS_ON", t, "inferred", cluster, touched);
    }
    if (etype !== "k8s.log") return;
    // Service names without a namespace (client class names, upstream= fields): any Service so named.
    for (const name of serviceNameHints(message)) {
      const known = await this.hintsFor(cluster, `svcname:${name}`);
      if (known.has(fromId)) continue;
      known.add(fromId);
      this.hintPuts.push({ cluster, hint: `svcname:${name}`, fromId });
      for (const t of await this.servicesNamed(cluster, name))
        this.addEdge(fromId, "DEPENDS_ON", t, "inferred", cluster, touched);
    }
    for (const tech of technologyHints(message)) {
      const known = await this.hintsFor(cluster, `tech:${tech}`);
      if (known.has(fromId)) continue;
      known.add(fromId);
      this.hintPuts.push({ cluster, hint: `tech:${tech}`, fromId });
      const t = await this.resolveTechnologyHint(cluster, fromId, tech);
      if (t) this.addEdge(fromId, "DEPENDS_ON", t, "inferred", cluster, touched);
    }
  }

  private async resolveTechnologyHint(
    cluster: string,
    fromId: string,
    tech: string,
  ): Promise<string | undefined> {
    const p = parseResourceId(fromId);
    if (!p?.namespace) return undefined;
    const self = await this.getRes(fromId);
    if (!this.svcClusters.has(cluster)) {
      const ids = new Set<string>();
      this.svcClusters.set(cluster, ids);
      for (const row of await runStatement(this.tx, "loadServicesInCluster", { rows: [cluster] })) {
        const r = toResState(row.r as Row);
        if (!this.res.has(r.id) || this.res.get(r.id) === null) this.res.set(r.id, r);
        ids.add(r.id);
      }
    }
    const ids = new Set(this.svcClusters.get(cluster));
    for (const r of this.res.values()) if (r && r.cluster === cluster && r.kind === "Service") ids.add(r.id);
    const services = [...ids]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((id) => this.res.get(id))
      .filter((r): r is ResState => !!r && r.cluster === cluster && r.kind === "Service" && !r.deleted)
      .map((r) => ({ id: r.id, namespace: r.namespace, name: r.name, props: parseJson(r.props, {}) }));
    return resolveTechnology(
      tech,
      { namespace: p.namespace, name: p.name, labels: self ? parseJson(self.labels, {}) : {} },
      services,
    );
  }

  private async servicesNamed(cluster: string, name: string): Promise<string[]> {
    if (!this.svcNames.has(K(cluster, name))) await this.loadServicesByName([{ cluster, name }]);
    const ids = new Set(this.svcNames.get(K(cluster, name)));
    for (const r of this.res.values())
      if (r && r.cluster === cluster && r.kind === "Service" && r.name === name) ids.add(r.id);
    return [...ids]
      .filter((id) => {
        const r = this.res.get(id);
        return r && r.cluster === cluster && r.kind === "Service" && r.name === name;
      })
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private async upsertSentEdge(e: IngestBatch["edges"][number], touched: Set<string>): Promise<void> {
    let existing: Array<[string, SentState]>;
    if (e.deleted && e.type === "") {
      await this.loadSentAny([e.key]);
      existing = [...this.sent].filter((x): x is [string, SentState] => !!x[1] && x[1].key === e.key);
    } else {
      const k = K(e.cluster, e.key);
      if (!this.sent.has(k)) await this.loadSent([{ cluster: e.cluster, key: e.key }]);
      const s = this.sent.get(k);
      existing = s ? [[k, s]] : [];
    }
    if (e.deleted) {
      for (const [k, s] of existing) {
        if (s.fromId && s.toId) this.deleteEdge(s.fromId, s.type, s.toId, "sent");
        this.sent.set(k, null);
        this.sentDirty.add(k);
      }
      return;
    }
    const old = existing[0]?.[1];
    if (old && old.atMs > e.atMs) return;
    if (old?.fromId && old.toId) this.deleteEdge(old.fromId, old.type, old.toId, "sent");
    const dummy = new Set<string>();
    const fromId = await this.ensureRef(e.from, touched, dummy);
    const toId = await this.ensureRef(e.to, touched, dummy);
    const k = K(e.cluster, e.key);
    this.sent.set(k, {
      cluster: e.cluster,
      key: e.key,
      type: e.type,
      fromId: fromId ?? null,
      toId: toId ?? null,
      fromUid: fromId ? null : (e.from.uid ?? null),
      toUid: toId ? null : (e.to.uid ?? null),
      atMs: e.atMs,
    });
    this.sentDirty.add(k);
    if (fromId && toId) this.addEdge(fromId, e.type, toId, "sent", e.cluster, touched);
  }

  private async insertEvent(e: EventInput, touched: Set<string>): Promise<boolean> {
    // `touched` is the batch's: a DEPENDS_ON edge a log line adds gets its endpoints rescored.
    const dummy = new Set<string>();
    const rid = e.subject ? await this.ensureRef(e.subject, touched, dummy) : undefined;
    const extra: Record<string, unknown> = {};
    if (e.source && Object.keys(e.source).length) extra.source = e.source;
    if (e.labels) extra.labels = e.labels;
    if (e.annotations) extra.annotations = e.annotations;
    if (e.status) extra.status = e.status;
    const extraJson = Object.keys(extra).length ? JSON.stringify(extra) : null;
    const sev = severityLevel(e.severity);
    if (!this.events.has(e.id)) await this.loadEvents([e.id]);
    const cur = this.events.get(e.id);
    let changed = false;
    if (!cur) {
      this.events.set(e.id, {
        id: e.id,
        baseId: e.baseId,
        cluster: e.cluster,
        etype: e.etype,
        severity: sev,
        level: sev,
        reason: e.reason,
        message: e.message,
        timeMs: e.timeMs,
        count: e.count,
        resourceId: rid ?? null,
        subjectKind: e.subject?.kind ?? null,
        subjectNs: e.subject?.namespace ?? null,
        subjectName: e.subject?.name ?? null,
        subjectUid: e.subject?.uid ?? null,
        extra: extraJson,
        ingestedMs: this.ingestedMs,
      });
      changed = true;
    } else if (e.timeMs > cur.timeMs || (e.timeMs === cur.timeMs && e.message > cur.message)) {
      cur.severity = sev;
      cur.level = Math.max(cur.level, sev);
      cur.reason = e.reason;
      cur.message = e.message;
      cur.timeMs = e.timeMs;
      cur.extra = extraJson;
      changed = true;
    }
    if (changed) this.eventsDirty.add(e.id);
    if (changed && rid) await this.addHints(e.cluster, rid, e.message, touched, e.etype);
    return changed;
  }

  // ------------------------------------------------------------------ write-back

  private async flush(): Promise<void> {
    const i = this.int;
    const byKey = <T>(rows: T[], key: (r: T) => string) =>
      rows.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        return x < y ? -1 : x > y ? 1 : 0;
      });
    // Statements are sent without waiting for each other: the server runs them in order within
    // the transaction, and the batch costs about one round trip.
    const pending: Promise<unknown>[] = [];
    const exec = (name: StatementName, params: Row, n: number) => {
      if (n > 0) pending.push(runStatement(this.tx, name, params));
    };

    const created = byKey(
      [...this.resCreated].map((id) => this.res.get(id)!),
      (r) => r.id,
    ).map((r) => ({ id: r.id, cluster: r.cluster, kind: r.kind, namespace: r.namespace, name: r.name }));
    exec("mergeResources", { rows: created }, created.length);
    const uidRows = byKey([...this.uidPuts.values()], (u) => K(u.cluster, u.uid));
    exec("putUids", { rows: uidRows }, uidRows.length);
    const uidSets = byKey(
      [...this.resUidSets].map(([id, uid]) => ({ id, uid })),
      (r) => r.id,
    );
    exec("setResourceUids", { rows: uidSets }, uidSets.length);
    const states = byKey(
      [...this.resStateDirty].map((id) => this.res.get(id)!),
      (r) => r.id,
    ).map((r) => ({
      id: r.id,
      uid: r.uid,
      labels: r.labels,
      props: r.props,
      atMs: i(r.atMs),
      deleted: r.deleted,
      podIP: r.podIP,
      clusterIP: r.clusterIP,
    }));
    exec("setResourceStates", { rows: states }, states.length);
    const deletes = [...this.resDeletes].sort();
    exec("markResourcesDeleted", { ids: deletes }, deletes.length);

    const versions: Row[] = [];
    for (const [id, m] of this.versionsAdded)
      for (const [at, version] of m)
        versions.push({ resourceId: id, atMs: i(at), version, k: K(id, String(at)) });
    byKey(versions, (v) => String(v.k));
    exec("putVersions", { rows: versions }, versions.length);

    const bases = [...this.changeBaseDeletes].sort();
    exec("deleteChangeEventsOfBase", { bases }, bases.length);
    const changes = byKey([...this.changeRows.values()], (c) => c.id).map((c) => ({
      ...c,
      severity: i(c.severity),
      level: i(c.level),
      timeMs: i(c.timeMs),
      ingestedMs: i(this.ingestedMs),
    }));
    exec("upsertChangeEvents", { rows: changes }, changes.length);
    const events = byKey(
      [...this.eventsDirty].map((id) => this.events.get(id)!),
      (e) => e.id,
    ).map((e) => ({
      ...e,
      severity: i(e.severity),
      level: i(e.level),
      timeMs: i(e.timeMs),
      count: i(e.count),
      ingestedMs: i(e.ingestedMs),
    }));
    exec("upsertEvents", { rows: events }, events.length);
    const resolved = byKey(
      [...this.eventsResolved].map(([id, rid]) => ({ id, resourceId: rid })),
      (r) => r.id,
    );
    exec("resolveEvents", { rows: resolved }, resolved.length);

    const sentDeletes: Row[] = [];
    const sentPuts: Row[] = [];
    for (const k of [...this.sentDirty].sort()) {
      const s = this.sent.get(k);
      if (s) sentPuts.push({ ...s, atMs: i(s.atMs) });
      else {
        const [cluster, key] = k.split("\u0000");
        sentDeletes.push({ cluster, key });
      }
    }
    exec("deleteSentEdgeRecords", { rows: sentDeletes }, sentDeletes.length);
    exec("putSentEdgeRecords", { rows: sentPuts }, sentPuts.length);
    const hints = byKey([...this.hintPuts], (h) => K(h.cluster, h.hint, h.fromId));
    exec("putHints", { rows: hints }, hints.length);

    // Edge writes last, ordered by endpoints, so concurrent batches lock resources in one order.
    const edgeDeletes = byKey([...this.edgeDeletes.values()], (e) => K(e.fromId, e.toId, e.type, e.origin));
    exec("deleteTopologyEdges", { rows: edgeDeletes }, edgeDeletes.length);
    const adds = byKey([...this.edgeAdds.values()], (e) => K(e.fromId, e.toId, e.type, e.origin));
    if (!adds.length) await Promise.all(pending);
    else {
      const rows = adds.map((e) => ({
        fromId: e.fromId,
        toId: e.toId,
        type: e.type,
        origin: e.origin,
        cluster: e.cluster,
      }));
      const merged = runStatement(this.tx, "mergeTopology", { rows });
      pending.push(merged);
      await Promise.all(pending);
      const out = await merged;
      const createdKeys = new Set(
        out
          .filter((r) => r.created === true)
          .map((r) => K(String(r.fromId), String(r.toId), String(r.type), String(r.origin))),
      );
      for (const e of adds) {
        if (!e.readded && !createdKeys.has(K(e.fromId, e.toId, e.type, e.origin))) continue;
        e.touched.add(e.fromId);
        e.touched.add(e.toId);
      }
    }
  }
}
