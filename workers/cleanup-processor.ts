import type { CleanupResult } from "../graph/index.js";
import type { CleanupJob } from "../queues/index.js";
import type { WorkerContext } from "./context.js";

/** Retention: deletes events older than the retention period (0 days keeps everything). */
export async function processCleanup(
  ctx: WorkerContext,
  job: CleanupJob,
): Promise<CleanupResult | { skipped: true }> {
  const days = job.retentionDays ?? ctx.retention.days;
  if (days <= 0) return { skipped: true };
  const cutoff = (ctx.now ?? Date.now)() - days * 86_400_000;
  const result = await ctx.store.cleanup(cutoff, ctx.retention.batchSize, job.dryRun ?? false);
  ctx.logger.info({ ...result, cutoff: new Date(cutoff).toISOString() }, "retention cleanup");
  return result;
}
