import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { StoreUnavailableError } from "../graph/index.js";
import type { JobPayloads, QueueName } from "../queues/index.js";
import { createRedis } from "../queues/index.js";
import { InvalidMessageError } from "../rca/errors.js";
import { inForeground } from "../rca/time-slice.js";
import { ANOMALY_SOURCES, AnomalyFlush } from "./anomaly-flush.js";
import { processAnomaly } from "./anomaly-processor.js";
import { processCleanup } from "./cleanup-processor.js";
import { ClusterLockBusy, processCluster } from "./cluster-processor.js";
import type { WorkerContext } from "./context.js";
import { processIngest } from "./ingest-processor.js";
import { heavyJobs } from "./memory-gate.js";
import { processRcaScore } from "./rca-score-processor.js";

export interface PoolOptions {
  readonly pools: readonly QueueName[];
  readonly concurrency: number;
  readonly redisUrl: string;
  readonly redisTlsCaFile?: string;
  readonly prefix: string;
  /** How long jobs wait while the store is unavailable before they are tried again. */
  readonly outageDelayMs: number;
}

/**
 * A worker pool: one BullMQ worker per queue, each with `concurrency` slots. Any number of pools may
 * run against the same Redis and store (replicas). `close()` stops taking jobs and waits for the
 * jobs in flight to finish (graceful drain on SIGTERM).
 */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly lockRedis: Redis;
  private readonly connections: Redis[] = [];
  readonly processed = new Map<QueueName, number>();
  /** Runs waiting anomaly detections when this pool's ingest and scoring go idle (if it runs either). */
  readonly anomalyFlush: AnomalyFlush | undefined;

  constructor(
    private readonly ctx: WorkerContext,
    private readonly opts: PoolOptions,
  ) {
    this.lockRedis = createRedis({ url: opts.redisUrl, tlsCaFile: opts.redisTlsCaFile }, "producer");
    const sources = ANOMALY_SOURCES.filter((q) => opts.pools.includes(q));
    this.anomalyFlush = sources.length
      ? new AnomalyFlush({ queues: ctx.queues, sources, logger: ctx.logger, metrics: ctx.metrics })
      : undefined;
  }

  start(): void {
    for (const name of this.opts.pools) {
      const connection = createRedis(
        { url: this.opts.redisUrl, tlsCaFile: this.opts.redisTlsCaFile },
        "worker",
      );
      this.connections.push(connection);
      const worker = new Worker(name, (job, token) => this.run(name, job, token), {
        connection,
        prefix: this.opts.prefix,
        concurrency: name === "cleanup" ? 1 : this.opts.concurrency,
        autorun: true,
        lockDuration: 60_000,
        stalledInterval: 30_000,
        maxStalledCount: 5,
      });
      worker.on("failed", (job, err) => {
        this.anomalyFlush?.settled(name);
        void this.onFailed(name, job, err);
      });
      worker.on("completed", () => this.anomalyFlush?.settled(name));
      worker.on("error", (err) => this.ctx.logger.error({ err: err.message, queue: name }, "worker error"));
      this.workers.push(worker);
    }
  }

  private async run(name: QueueName, job: Job, token?: string): Promise<unknown> {
    const end = this.ctx.metrics.processingDuration.startTimer({ queue: name });
    this.anomalyFlush?.started(name);
    try {
      const out = await this.dispatch(name, job);
      this.ctx.metrics.jobsProcessed.inc({ queue: name, outcome: "completed" });
      this.processed.set(name, (this.processed.get(name) ?? 0) + 1);
      return out;
    } catch (err) {
      if (err instanceof StoreUnavailableError || err instanceof ClusterLockBusy) {
        // An outage or a busy lock is not the job's fault: put it back without using an attempt.
        // A busy clustering lock backs off with the number of times the job found it busy: with a
        // backlog, a fixed 50-250 ms made every waiting cluster job re-read its events several
        // times a second while one replica held the lock (seen in tests/faults: jobs started 180
        // times), starving the replica doing the work.
        const delay =
          err instanceof StoreUnavailableError
            ? this.opts.outageDelayMs
            : Math.min(5_000, 50 * 1.5 ** Math.min(job.attemptsStarted ?? 0, 12)) * (0.5 + Math.random());
        if (err instanceof StoreUnavailableError)
          this.ctx.logger.warn({ queue: name, err: err.message }, "graph store unavailable; job delayed");
        this.ctx.metrics.jobsProcessed.inc({ queue: name, outcome: "delayed" });
        await job.moveToDelayed(Date.now() + delay, token);
        throw new DelayedError();
      }
      if (err instanceof InvalidMessageError) throw new UnrecoverableError(err.reason);
      this.ctx.metrics.jobsProcessed.inc({ queue: name, outcome: "failed" });
      throw err;
    } finally {
      end();
      this.anomalyFlush?.ended(name);
    }
  }

  private readonly waitedForMemory = () => this.ctx.metrics.heavyJobsWaited.inc();

  private dispatch(name: QueueName, job: Job): Promise<unknown> {
    const data = job.data as JobPayloads[QueueName];
    if (data === null || typeof data !== "object")
      throw new InvalidMessageError(`${name} job data is not an object`);
    switch (name) {
      case "ingest": {
        const d = data as JobPayloads["ingest"];
        if (!Array.isArray(d.messages)) throw new InvalidMessageError("ingest job without a messages array");
        // attemptsStarted counts every start: retries, stalled re-runs and runs after an outage delay.
        // Ingest goes first: background loops in this process wait while it runs.
        const ctx = this.ctx.ingestStore ? { ...this.ctx, store: this.ctx.ingestStore } : this.ctx;
        return inForeground(() => processIngest(ctx, d, job.id, (job.attemptsStarted ?? 1) > 1));
      }
      case "rca-score": {
        const d = data as JobPayloads["rca-score"];
        if (!Array.isArray(d.eventIds) || !Array.isArray(d.resourceIds))
          throw new InvalidMessageError("rca-score job needs eventIds and resourceIds");
        return heavyJobs.run(() => processRcaScore(this.ctx, d), this.waitedForMemory);
      }
      case "cluster": {
        const d = data as JobPayloads["cluster"];
        if (!Array.isArray(d.eventIds)) throw new InvalidMessageError("cluster job needs eventIds");
        // Through the gate before the clustering lock is taken: a job never waits holding it.
        return heavyJobs.run(
          () => processCluster(this.ctx, d, this.lockRedis, this.opts.prefix),
          this.waitedForMemory,
        );
      }
      case "anomaly":
        return processAnomaly(this.ctx, data as JobPayloads["anomaly"], job);
      case "cleanup":
        return processCleanup(this.ctx, data as JobPayloads["cleanup"]);
    }
  }

  /** A job that will not be tried again lands in the dead-letter queue with its payload and reason. */
  private async onFailed(name: QueueName, job: Job | undefined, err: Error): Promise<void> {
    if (!job) return;
    if (err instanceof DelayedError || err.name === "DelayedError") return;
    const attempts = job.opts.attempts ?? 1;
    const final = err.name === "UnrecoverableError" || job.attemptsMade >= attempts;
    if (!final) {
      this.ctx.logger.warn(
        { queue: name, jobId: job.id, attempt: job.attemptsMade, err: err.message },
        "job failed; will retry",
      );
      return;
    }
    this.ctx.logger.error(
      { queue: name, jobId: job.id, err: err.message },
      "job failed for good; dead-lettered",
    );
    this.ctx.metrics.dlqMessages.inc({ queue: name });
    try {
      await this.ctx.queues.deadLetter({
        queue: name,
        payload: job.data,
        reason: err.message,
        retryable: err.name !== "UnrecoverableError",
        failedMs: Date.now(),
        attempts: job.attemptsMade,
        ...(job.id ? { jobId: job.id } : {}),
      });
    } catch (e) {
      // The job stays in the failed set (visible in Bull Board), so nothing is lost.
      this.ctx.logger.error({ err: (e as Error).message }, "could not dead-letter a failed job");
    }
  }

  /** Resolves once every worker of the pool is connected to Redis and taking jobs. */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await this.anomalyFlush?.close();
    for (const c of this.connections) c.disconnect();
    this.lockRedis.disconnect();
  }
}
