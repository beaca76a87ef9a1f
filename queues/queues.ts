import { type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { WireMessage } from "../rca/normalize.js";
import { ALL_QUEUES, type AnyQueueName, DEAD_LETTER, QUEUE_NAMES, type QueueName } from "./names.js";
import type { DeadLetterJob, IngestJob, JobPayloads, MessageOrigin } from "./payloads.js";

export interface QueueSettings {
  readonly prefix: string;
  readonly attempts: number;
  readonly backoffMs: number;
  readonly keepCompleted: number;
  readonly keepFailed: number;
  readonly ingestBatch: number;
}

/** The queues whose jobs are the pipeline's work: all but the scheduled `cleanup`. */
const PIPELINE_QUEUES = QUEUE_NAMES.filter((q) => q !== "cleanup");

/** Job options every queue uses unless a producer says otherwise. */
export function defaultJobOptions(s: QueueSettings): JobsOptions {
  return {
    attempts: s.attempts,
    backoff: { type: "exponential", delay: s.backoffMs },
    removeOnComplete: { count: s.keepCompleted },
    removeOnFail: { count: s.keepFailed },
  };
}

/**
 * The producer side of every queue, over one shared Redis connection. Workers live in `workers/`.
 */
export class Queues {
  readonly byName: ReadonlyMap<AnyQueueName, Queue>;

  constructor(
    readonly connection: Redis,
    readonly settings: QueueSettings,
  ) {
    const map = new Map<AnyQueueName, Queue>();
    for (const name of ALL_QUEUES) {
      map.set(
        name,
        new Queue(name, {
          connection,
          prefix: settings.prefix,
          defaultJobOptions:
            name === DEAD_LETTER
              ? {
                  attempts: 1,
                  removeOnComplete: { count: settings.keepFailed },
                  removeOnFail: { count: settings.keepFailed },
                }
              : defaultJobOptions(settings),
        }),
      );
    }
    this.byName = map;
  }

  get(name: AnyQueueName): Queue {
    return this.byName.get(name)!;
  }

  async add<Q extends QueueName>(
    name: Q,
    data: JobPayloads[Q],
    opts?: JobsOptions,
  ): Promise<string | undefined> {
    const job = await this.get(name).add(name, data, opts);
    return job.id;
  }

  /** Enqueues messages into `ingest` in bounded batches; returns the job ids in order. */
  async enqueueMessages(messages: readonly WireMessage[], source: IngestJob["source"]): Promise<string[]> {
    const size = this.settings.ingestBatch;
    const bulk: Array<{ name: string; data: IngestJob }> = [];
    const now = Date.now();
    for (let i = 0; i < messages.length; i += size) {
      bulk.push({ name: "ingest", data: { messages: messages.slice(i, i + size), source, enqueuedMs: now } });
    }
    if (bulk.length === 0) return [];
    const jobs = await this.get("ingest").addBulk(bulk);
    return jobs.map((j) => j.id!);
  }

  /**
   * Adds a dead-letter entry. With `dedupeId`, adding it again while the entry exists is a no-op:
   * a job that is retried after a crash dead-letters its bad messages once, not once per attempt.
   */
  async deadLetter(entry: DeadLetterJob, dedupeId?: string): Promise<void> {
    await this.get(DEAD_LETTER).add("dead-letter", entry, dedupeId ? { jobId: dedupeId } : undefined);
  }

  /** A dead-lettered message, as it was, for a later re-drive. */
  static deadLetterForMessage(
    msg: WireMessage,
    reason: string,
    source: MessageOrigin["source"],
  ): DeadLetterJob {
    return {
      queue: "ingest",
      payload: msg,
      reason,
      retryable: false,
      failedMs: Date.now(),
      attempts: 1,
      origin: {
        source,
        topic: msg.topic,
        ...(msg.partition !== undefined ? { partition: msg.partition } : {}),
        ...(msg.offset !== undefined ? { offset: msg.offset } : {}),
        key: msg.key ?? null,
      },
    };
  }

  /** waiting + delayed + active per queue: the backlog gauges and backpressure read this. */
  async counts(): Promise<Record<AnyQueueName, Record<string, number>>> {
    const out = {} as Record<AnyQueueName, Record<string, number>>;
    await Promise.all(
      ALL_QUEUES.map(async (n) => {
        out[n] = await this.get(n).getJobCounts(
          "waiting",
          "active",
          "delayed",
          "failed",
          "completed",
          "prioritized",
        );
      }),
    );
    return out;
  }

  async backlog(name: QueueName): Promise<number> {
    const c = await this.get(name).getJobCounts("waiting", "delayed", "active", "prioritized");
    return (c.waiting ?? 0) + (c.delayed ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
  }

  /** Jobs waiting, delayed or active in the pipeline's queues (all but the scheduled `cleanup`). */
  async pipelineBacklog(): Promise<number> {
    let n = 0;
    for (const q of PIPELINE_QUEUES) n += await this.backlog(q);
    return n;
  }

  /** True when every pipeline queue is empty (nothing waiting, delayed or active). */
  async idle(): Promise<boolean> {
    for (const q of PIPELINE_QUEUES) if ((await this.backlog(q)) > 0) return false;
    return true;
  }

  /**
   * Removes every queue's jobs and keys, dead-letter included, each queue's failure ignored: for
   * runs that own their queue prefix (tests, `kgrca eval`, benches) and leave nothing behind.
   */
  async obliterate(): Promise<void> {
    await Promise.all([...this.byName.values()].map((q) => q.obliterate({ force: true }).catch(() => {})));
  }

  async close(): Promise<void> {
    await Promise.all([...this.byName.values()].map((q) => q.close()));
  }
}
