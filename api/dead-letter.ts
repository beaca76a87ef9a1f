import type { DeadLetterJob, IngestJob, QueueName, Queues } from "../queues/index.js";
import { DEAD_LETTER, QUEUE_NAMES } from "../queues/index.js";
import type { WireMessage } from "../rca/normalize.js";

/** A job of the dead-letter queue (typed through `Queues`, so only `queues/` imports bullmq). */
type Job = NonNullable<Awaited<ReturnType<ReturnType<Queues["get"]>["getJob"]>>>;

/** Dead-letter entries are never processed, so they wait; these are the states they can be in. */
const STATES = ["waiting", "delayed", "prioritized", "failed", "completed"] as const;

/** A page of dead-letter entries, newest first. */
export async function listDeadLetters(
  queues: Queues,
  offset: number,
  limit: number,
): Promise<{ items: Array<{ id: string; data: DeadLetterJob }>; total: number }> {
  const q = queues.get(DEAD_LETTER);
  const counts = await q.getJobCounts(...STATES);
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  const jobs = await q.getJobs([...STATES], offset, offset + limit - 1, false);
  return {
    items: jobs.filter((j): j is Job => !!j?.id).map((j) => ({ id: j.id!, data: j.data as DeadLetterJob })),
    total,
  };
}

const isWireMessage = (p: unknown): p is WireMessage =>
  !!p && typeof p === "object" && typeof (p as { topic?: unknown }).topic === "string" && "value" in p;

/**
 * Puts a dead-lettered message or job back where it failed. An ingest entry holds either one
 * message (split out of a batch) or a whole ingest job; other queues hold the job data.
 */
async function redriveOne(queues: Queues, entry: DeadLetterJob): Promise<void> {
  const queue = entry.queue as QueueName;
  if (!(QUEUE_NAMES as readonly string[]).includes(queue))
    throw new Error(`unknown queue "${String(queue)}"`);
  if (queue === "ingest") {
    const p = entry.payload;
    if (isWireMessage(p)) {
      await queues.enqueueMessages([p], "redrive");
      return;
    }
    if (p && typeof p === "object" && Array.isArray((p as IngestJob).messages)) {
      await queues.add("ingest", { ...(p as IngestJob), source: "redrive", enqueuedMs: Date.now() });
      return;
    }
    throw new Error("ingest entry holds neither a message nor an ingest job");
  }
  if (!entry.payload || typeof entry.payload !== "object") throw new Error("entry has no job data");
  await queues.add(queue, entry.payload as never);
}

export interface RedriveResult {
  redriven: number;
  ids: string[];
  missing: string[];
  failed: Array<{ id: string; reason: string }>;
  remaining: number;
}

/** At most this many entries per call for `all`, so one request stays bounded. */
export const REDRIVE_ALL_LIMIT = 10_000;

/**
 * Re-enqueues dead-letter entries (the given ids, or all of them) and removes each entry once its
 * message is back in its queue. The set is fixed before re-driving: messages that fail again
 * come back as new entries and are not re-driven twice by one call.
 */
export async function redrive(queues: Queues, ids: readonly string[] | "all"): Promise<RedriveResult> {
  const q = queues.get(DEAD_LETTER);
  let jobs: Array<{ id: string; job: Job | undefined }>;
  if (ids === "all") {
    const all = await q.getJobs([...STATES], 0, REDRIVE_ALL_LIMIT - 1, true);
    jobs = all.filter((j): j is Job => !!j?.id).map((j) => ({ id: j.id!, job: j }));
  } else {
    jobs = await Promise.all([...new Set(ids)].map(async (id) => ({ id, job: await q.getJob(id) })));
  }
  const out: RedriveResult = { redriven: 0, ids: [], missing: [], failed: [], remaining: 0 };
  for (const { id, job } of jobs) {
    if (!job) {
      out.missing.push(id);
      continue;
    }
    try {
      await redriveOne(queues, job.data as DeadLetterJob);
    } catch (err) {
      out.failed.push({ id, reason: (err as Error).message });
      continue;
    }
    await job.remove().catch(() => {});
    out.redriven++;
    out.ids.push(id);
  }
  const counts = await q.getJobCounts(...STATES);
  out.remaining = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  return out;
}
