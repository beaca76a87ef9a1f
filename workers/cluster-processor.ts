import type { Redis } from "ioredis";
import type { Incident, StoredEvent } from "../graph/index.js";
import type { ClusterJob } from "../queues/index.js";
import { incidentOf, isIncidentWorthy } from "../rca/cluster-incidents.js";
import type { WorkerContext } from "./context.js";

const MAX_INCIDENT_EVENTS = 100_000;

/** Another replica holds the clustering lock of this cluster; retry shortly. */
export class ClusterLockBusy extends Error {
  override readonly name = "ClusterLockBusy";
  readonly retryable = true;
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
  for (const e of events) byCluster.set(e.cluster, [...(byCluster.get(e.cluster) ?? []), e]);
  let saved = 0;
  for (const [cluster, list] of byCluster) {
    const lockKey = `${lockPrefix}:lock:cluster:${cluster}`;
    const token = `${process.pid}:${Math.random()}`;
    if ((await redis.set(lockKey, token, "PX", 30_000, "NX")) !== "OK")
      throw new ClusterLockBusy(`clustering lock of ${cluster} is busy`);
    try {
      saved += await clusterEvents(ctx, cluster, list);
    } finally {
      // Release only our own lock.
      await redis.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
        1,
        lockKey,
        token,
      );
    }
  }
  if (saved) ctx.metrics.incidentsClustered.inc(saved);
  return { incidents: saved };
}

async function clusterEvents(ctx: WorkerContext, cluster: string, events: StoredEvent[]): Promise<number> {
  const { windowMs, maxHops } = ctx.rca;
  const members = new Map<string, StoredEvent>();
  const incidents = new Set<string>();
  const pending = [...events];
  const expanded = new Set<string>();
  // Grow the component from the new events through their neighbours (and the incidents those are in).
  while (pending.length) {
    const e = pending.pop()!;
    if (expanded.has(e.id)) continue;
    expanded.add(e.id);
    members.set(e.id, e);
    if (e.incidentId) incidents.add(e.incidentId);
    if (!events.includes(e)) continue; // only new events look for neighbours; old ones are already grouped
    const near = await ctx.store.neighborhood(e.resourceId!, maxHops);
    const neighbours = await ctx.store.eventsOnResources(
      [...near.keys()],
      e.timeMs - windowMs,
      e.timeMs + windowMs,
      "ERROR",
    );
    for (const n of neighbours) {
      if (n.cluster !== cluster || members.has(n.id)) continue;
      members.set(n.id, n);
      if (n.incidentId) incidents.add(n.incidentId);
      else pending.push(n);
    }
  }
  for (const id of incidents) {
    for (const e of await ctx.store.incidentEvents(id, MAX_INCIDENT_EVENTS)) members.set(e.id, e);
  }
  // Events with no incident yet that joined through a neighbour: they are new to grouping too.
  const all = [...members.values()];
  const incident: Incident = incidentOf(cluster, all);
  const removed = [...incidents].filter((id) => id !== incident.id);
  await ctx.store.saveIncidents([incident], removed);
  return 1;
}
