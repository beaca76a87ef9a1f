import type { AnomalyJob } from "../queues/index.js";
import { detectAnomalies } from "../rca/anomaly.js";
import type { WorkerContext } from "./context.js";

const MAX_EVENTS = 200_000;

/** Runs the detectors over a cluster's events around a time bucket; anomalies are upserted by id. */
export async function processAnomaly(ctx: WorkerContext, job: AnomalyJob): Promise<{ anomalies: number }> {
  const events = await ctx.store.eventsInCluster(job.cluster, job.fromMs, job.toMs, MAX_EVENTS);
  const found = detectAnomalies(job.cluster, events);
  const changed = await ctx.store.upsertAnomalies(found);
  if (changed) for (const a of found) ctx.metrics.anomaliesDetected.inc({ type: a.type });
  return { anomalies: found.length };
}
