import type { Redis } from "ioredis";
import type { IncidentSummary, StoredEvent } from "../graph/index.js";
import { reachIds } from "../graph/neighborhood.js";
import type { ClusterJob } from "../queues/index.js";
import { isIncidentWorthy, mergeIncident } from "../rca/cluster-incidents.js";
import { backgroundPause } from "../rca/time-slice.js";
import { cachedReader, windowedEvents } from "./cached-reader.js";
import type { WorkerContext } from "./context.js";

const MAX_INCIDENT_EVENTS = 100_000;

/** Another replica holds the clustering lock of this cluster; retry shortly. */
export class ClusterLockBusy extends Error {
  override readonly name = "ClusterLockBusy";
  readonly retryable = true;
}

/**
 * Clustering jobs of one process take their turn here before asking Redis for the lock, so the
 * pool's concurrency does not turn into jobs that find the lock busy and go back to the queue
 * (Redis commands and delays for nothing) while a sibling in the same process holds it.
 */
const localTurns = new Map<string, Promise<void>>();

async function inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = localTurns.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((r) => {
    done = r;
  });
  const tail = before.then(() => mine);
  localTurns.set(key, tail);
  await before;
  try {
    return await fn();
  } finally {
    done();
    if (localTurns.get(key) === tail) localTurns.delete(key);
  }
}

/**
 * Clustering: an ERROR/FATAL event joins every incident that has an ERROR/FATAL event on the
 * same resource or within the hop limit, inside the window; incidents that meet merge. Runs under
 * a short Redis lock per cluster so that concurrent replicas merge consistently.
 */
export async function processCluster(
  ctx: WorkerContext,
  job: ClusterJob,
  redis: Redis,
  lockPrefix: string,
): Promise<{ incidents: number }> {
  const events = (await ctx.store.getEvents(job.eventIds)).filter(isIncidentWorthy);
  const byCluster = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const list = byCluster.get(e.cluster);
    if (list) list.push(e);
    else byCluster.set(e.cluster, [e]);
  }
  let saved = 0;
  for (const [cluster, list] of byCluster) {
    const lockKey = `${lockPrefix}:lock:cluster:${cluster}`;
    saved += await inTurn(lockKey, async () => {
      const token = `${process.pid}:${Math.random()}`;
      if ((await redis.set(lockKey, token, "PX", 30_000, "NX")) !== "OK")
        throw new ClusterLockBusy(`clustering lock of ${cluster} is busy`);
      try {
        // Read again under the lock: the holder before us may have put these events in incidents.
        const fresh = (await ctx.store.getEvents(list.map((e) => e.id))).filter(isIncidentWorthy);
        return await clusterEvents(ctx, cluster, fresh);
      } finally {
        // Release only our own lock.
        await redis.eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
          1,
          lockKey,
          token,
        );
      }
    });
  }
  if (saved) ctx.metrics.incidentsClustered.inc(saved);
  return { incidents: saved };
}

/**
 * Groups the new events with the events near them (same resource or within the hop limit, within
 * the window) and with the incidents those belong to, then saves one incident per connected
 * group: unrelated events in one job stay in separate incidents, and incidents that a new event
 * connects merge into one (named after their earliest event, so any order ends the same).
 */
async function clusterEvents(ctx: WorkerContext, cluster: string, events: StoredEvent[]): Promise<number> {
  const { windowMs, maxHops } = ctx.rca;
  // Events of one job share resources: read each neighbourhood once.
  const store = cachedReader(ctx.store);
  const members = new Map<string, StoredEvent>();
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let y = x; parent.get(y) !== r; ) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  const add = (e: StoredEvent) => {
    if (members.has(e.id)) return;
    members.set(e.id, e);
    parent.set(e.id, e.id);
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    // The smaller id becomes the root, so the union does not depend on the order of calls.
    // (String ids: Math.min/max do not apply.)
    if (ra !== rb) {
      const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
      parent.set(child, root);
    }
  };
  for (const e of events) add(e);
  // The job's events cluster on a few resources and moments: one read per resource and run of
  // overlapping windows answers each event's own read below.
  const reads = windowedEvents(store);
  const byResource = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const list = byResource.get(e.resourceId!);
    if (list) list.push(e);
    else byResource.set(e.resourceId!, [e]);
  }
  for (const [rid, list] of byResource) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.timeMs - b.timeMs);
    const ids = reachIds(await store.neighborhood(rid, maxHops));
    for (let i = 0; i < list.length; ) {
      let j = i + 1;
      while (j < list.length && list[j]!.timeMs - list[j - 1]!.timeMs <= 2 * windowMs) j++;
      if (j - i > 1)
        await reads.prefetch(rid, ids, list[i]!.timeMs - windowMs, list[j - 1]!.timeMs + windowMs, "ERROR");
      i = j;
    }
  }
  // Each new event links to its neighbours; events without an incident yet are new to grouping
  // too, so they look for their own neighbours in turn.
  const pending = [...events];
  const expanded = new Set<string>();
  while (pending.length) {
    await backgroundPause();
    const e = pending.pop()!;
    if (expanded.has(e.id)) continue;
    expanded.add(e.id);
    const near = await store.neighborhood(e.resourceId!, maxHops);
    // Named by the resource: its neighbourhood is the same read all job long (`cachedReader`).
    const neighbours = await reads.eventsOnResources(
      e.resourceId!,
      reachIds(near),
      e.timeMs - windowMs,
      e.timeMs + windowMs,
      "ERROR",
    );
    for (const n of neighbours) {
      if (n.cluster !== cluster || !isIncidentWorthy(n)) continue;
      add(n);
      union(e.id, n.id);
      if (!n.incidentId && !expanded.has(n.id)) pending.push(n);
    }
  }
  // An incident is one group already: its events join through a node of its own, and its row
  // stands for them (`mergeIncident`), so no incident is read back whole.
  const incidentIds = new Set<string>();
  for (const e of members.values()) if (e.incidentId) incidentIds.add(e.incidentId);
  const rows = new Map((await store.incidentSummaries([...incidentIds])).map((i) => [i.id, i]));
  const node = (incidentId: string) => `\u0000${incidentId}`;
  for (const id of [...incidentIds].sort()) {
    if (rows.has(id)) {
      parent.set(node(id), node(id));
      continue;
    }
    // Events naming an incident without a row (not left so by this store's writes): its events
    // group as they were and join as new ones.
    const evs = await store.incidentEvents(id, MAX_INCIDENT_EVENTS);
    for (const e of evs) {
      add(e);
      union(evs[0]!.id, e.id);
    }
  }
  for (const e of members.values())
    if (e.incidentId && rows.has(e.incidentId)) union(e.id, node(e.incidentId));
  const groups = new Map<string, { events: StoredEvent[]; incidents: IncidentSummary[] }>();
  const groupOf = (key: string) => {
    const root = find(key);
    const g = groups.get(root) ?? { events: [], incidents: [] };
    groups.set(root, g);
    return g;
  };
  for (const e of members.values()) groupOf(e.id).events.push(e);
  for (const [id, row] of rows) groupOf(node(id)).incidents.push(row);
  const saved = [...groups.values()].map((g) => mergeIncident(cluster, g.events, g.incidents));
  await store.saveIncidents(saved);
  return saved.length;
}
