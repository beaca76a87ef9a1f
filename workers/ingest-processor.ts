import { StoreUnavailableError } from "../graph/index.js";
import type { IngestJob } from "../queues/index.js";
import { Queues } from "../queues/index.js";
import { InvalidMessageError } from "../rca/errors.js";
import { resourceId } from "../rca/identity.js";
import { emptyBatch, type IngestBatch } from "../rca/model.js";
import { normalizeMessage, type WireMessage } from "../rca/normalize.js";
import { chunks, type WorkerContext } from "./context.js";

export interface IngestResult {
  readonly messages: number;
  readonly invalid: number;
  readonly events: number;
  readonly resources: number;
  readonly edges: number;
}

/**
 * Anomaly detection runs per cluster and 15-minute bucket (the detectors' 1-, 5- and 15-minute
 * windows all nest in it), at most once per `ANOMALY_COALESCE_MS` while events keep arriving
 * (requests wait that long to be merged; `WorkerPool` runs them sooner once ingest and scoring
 * are idle).
 */
const ANOMALY_BUCKET_MS = 15 * 60_000;
export const ANOMALY_COALESCE_MS = 2_000;

/**
 * Ingest: normalizes every message on its own (a bad one goes to dead-letter with its reason and
 * the rest go on), writes the batch in one store transaction, and queues scoring and anomaly
 * detection for what changed. A store failure that is not an outage is bisected until the one
 * message that causes it is alone; only that message is dead-lettered. With `jobId` (the BullMQ
 * job's), each dead-letter entry is keyed by job and position, so a retried job adds none twice.
 * `rerun` (a later attempt of the same job) queues scoring for the whole batch, not only for what
 * this attempt changed.
 */
export async function processIngest(
  ctx: WorkerContext,
  job: IngestJob,
  jobId?: string,
  rerun = false,
): Promise<IngestResult> {
  let invalid = 0;
  const good: Array<{ msg: WireMessage; batch: IngestBatch; dedupeId?: string }> = [];
  for (const [i, msg] of job.messages.entries()) {
    const batch = emptyBatch();
    // Same job, same position: the same entry, however often a crash makes the job run again.
    const dedupeId = jobId ? `dl-ingest-${jobId}-${i}` : undefined;
    try {
      normalizeMessage(msg, ctx.normalize, batch);
      good.push({ msg, batch, ...(dedupeId ? { dedupeId } : {}) });
    } catch (err) {
      if (!(err instanceof InvalidMessageError)) throw err;
      invalid++;
      await deadLetter(ctx, msg, err.reason, job.source, dedupeId);
    }
  }
  const totals = { events: 0, resources: 0, edges: 0 };
  const eventIds = new Set<string>();
  const resourceIds = new Set<string>();
  // Where the store said which reaches changed (a resource some apply did not say it of is
  // rescored in full).
  const reach = new Map<string, Set<string>>();
  const fullRescore = new Set<string>();
  // The highest any apply gave (a batch may be applied in parts); unknown if any part gave none.
  let eventsUpTo: number | undefined;
  let upToKnown = true;
  await applyBisecting(ctx, good, job.source, (r) => {
    if (r.eventsUpTo === undefined) upToKnown = false;
    else eventsUpTo = Math.max(eventsUpTo ?? 0, r.eventsUpTo);
    totals.events += r.counts.events + r.counts.changeEvents;
    totals.resources += r.counts.resources;
    totals.edges += r.counts.edges;
    for (const id of r.eventIds) eventIds.add(id);
    for (const id of r.resourceIds) {
      resourceIds.add(id);
      const changed = r.reachChanged?.[id];
      if (!changed) fullRescore.add(id);
      else {
        const set = reach.get(id) ?? new Set<string>();
        for (const x of changed) set.add(x);
        reach.set(id, set);
      }
    }
  });
  if (rerun) {
    // The attempt that died (crash, stall, Redis gone) may have committed the batch but not queued
    // its follow-ups; this attempt then finds nothing changed and would queue none, so those events
    // were never scored (found by tests/faults: cause links missing after a SIGKILL). A re-run
    // therefore queues scoring for everything in its batch.
    upToKnown = false;
    for (const { batch } of good) {
      for (const e of batch.events) eventIds.add(e.id);
      for (const r of batch.resources) {
        const id = resourceId(r.cluster, r.kind, r.namespace, r.name);
        resourceIds.add(id);
        fullRescore.add(id);
      }
    }
  }
  for (const { msg } of good) ctx.metrics.messagesProcessed.inc({ topic: msg.topic, outcome: "ok" });
  const storedMs = (ctx.now ?? Date.now)();
  ctx.metrics.ingestToQueryable.observe(Math.max(0, storedMs - job.enqueuedMs) / 1000);
  ctx.onStored?.(job.enqueuedMs, storedMs, job.messages.length);

  const followUps: Promise<unknown>[] = [];
  const ev = [...eventIds];
  const res = [...resourceIds];
  if (ev.length || res.length) {
    const resChunks = chunks(res);
    const evChunks = chunks(ev);
    const n = Math.max(resChunks.length, evChunks.length);
    for (let i = 0; i < n; i++) {
      const reachChanged: Record<string, string[]> = {};
      for (const id of resChunks[i] ?? []) {
        const set = reach.get(id);
        if (set && !fullRescore.has(id)) reachChanged[id] = [...set].sort();
      }
      followUps.push(
        ctx.queues.add("rca-score", {
          eventIds: evChunks[i] ?? [],
          resourceIds: resChunks[i] ?? [],
          ...(Object.keys(reachChanged).length ? { reachChanged } : {}),
          ...(upToKnown && eventsUpTo !== undefined ? { eventsUpTo } : {}),
          enqueuedMs: job.enqueuedMs,
        }),
      );
    }
  }
  for (const a of anomalyWindows(good.flatMap((g) => g.batch.events)))
    followUps.push(enqueueAnomaly(ctx, a.cluster, a.bucket));
  await Promise.all(followUps);
  return { messages: job.messages.length, invalid, ...totals };
}

/** The anomaly jobs (cluster, 15-minute bucket) that events fall in. */
export function anomalyWindows(
  events: ReadonlyArray<{ readonly cluster: string; readonly timeMs: number }>,
): Array<{ cluster: string; bucket: number }> {
  const seen = new Map<string, { cluster: string; bucket: number }>();
  for (const e of events) {
    const bucket = Math.floor(e.timeMs / ANOMALY_BUCKET_MS) * ANOMALY_BUCKET_MS;
    seen.set(`${e.cluster}\u0000${bucket}`, { cluster: e.cluster, bucket });
  }
  return [...seen.values()];
}

/** One anomaly job per cluster and 15-minute bucket, coalesced while it waits (BullMQ deduplication). */
export async function enqueueAnomaly(ctx: WorkerContext, cluster: string, bucket: number): Promise<void> {
  const id = `anomaly:${cluster}:${bucket}`;
  await ctx.queues.add(
    "anomaly",
    { cluster, fromMs: bucket, toMs: bucket + ANOMALY_BUCKET_MS - 1 },
    // A job added while another waits is absorbed by it; the waiting one has not read the store yet.
    { delay: ANOMALY_COALESCE_MS, deduplication: { id, ttl: ANOMALY_COALESCE_MS } },
  );
}

async function applyBisecting(
  ctx: WorkerContext,
  items: Array<{ msg: WireMessage; batch: IngestBatch; dedupeId?: string }>,
  source: IngestJob["source"],
  onApplied: (r: Awaited<ReturnType<WorkerContext["store"]["applyBatch"]>>) => void,
): Promise<void> {
  if (items.length === 0) return;
  const merged = emptyBatch();
  for (const { batch } of items) {
    merged.resources.push(...batch.resources);
    merged.resourceDeletes.push(...batch.resourceDeletes);
    merged.edges.push(...batch.edges);
    merged.events.push(...batch.events);
  }
  try {
    onApplied(await ctx.store.applyBatch(merged));
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw err;
    if (items.length === 1) {
      ctx.logger.warn(
        { err: (err as Error).message, topic: items[0]!.msg.topic },
        "message rejected by the store",
      );
      await deadLetter(
        ctx,
        items[0]!.msg,
        `store rejected message: ${(err as Error).message}`,
        source,
        items[0]!.dedupeId,
      );
      return;
    }
    const mid = items.length >> 1;
    await applyBisecting(ctx, items.slice(0, mid), source, onApplied);
    await applyBisecting(ctx, items.slice(mid), source, onApplied);
  }
}

async function deadLetter(
  ctx: WorkerContext,
  msg: WireMessage,
  reason: string,
  source: IngestJob["source"],
  dedupeId?: string,
) {
  ctx.metrics.messagesProcessed.inc({ topic: String(msg.topic).slice(0, 64), outcome: "invalid" });
  ctx.metrics.dlqMessages.inc({ queue: "ingest" });
  ctx.logger.debug({ reason, topic: msg.topic }, "message dead-lettered");
  await ctx.queues.deadLetter(Queues.deadLetterForMessage(msg, reason, source), dedupeId);
}
