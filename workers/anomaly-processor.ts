import type { AnomalyJob } from "../queues/index.js";
import { detectAnomalies } from "../rca/anomaly.js";
import type { WorkerContext } from "./context.js";

const MAX_EVENTS = 200_000;

/**
 * Runs the detectors over a cluster's events around a time bucket; anomalies are upserted by id.
 * A request for the window made from now on is a job of its own: `dedupe` (the job's) stops
 * merging requests into this one before the events are read, whether the job runs after its
 * delay or was promoted early. Without it a request merged in after the read would be lost.
 */
export async function processAnomaly(
  ctx: WorkerContext,
  job: AnomalyJob,
  dedupe?: { removeDeduplicationKey(): Promise<boolean> },
): Promise<{ anomalies: number }> {
  await dedupe?.removeDeduplicationKey();
  const events = await ctx.store.eventsInCluster(job.cluster, job.fromMs, job.toMs, MAX_EVENTS);
  const found = detectAnomalies(job.cluster, events);
  const changed = await ctx.store.upsertAnomalies(found);
  if (changed) for (const a of found) ctx.metrics.anomaliesDetected.inc({ type: a.type });
  return { anomalies: found.length };
}
