import type { Logger, Metrics } from "../telemetry/index.js";
import type { QueueName, Queues } from "../queues/index.js";
import { ANOMALY_COALESCE_MS } from "./ingest-processor.js";

/** The queues whose jobs ask for anomaly detection (`enqueueAnomaly`). */
export const ANOMALY_SOURCES: readonly QueueName[] = ["ingest", "rca-score"];

/** Time between two looks at the source queues (each is one Redis round trip per source queue). */
const CHECK_SPACING_MS = 100;

/** Delayed anomaly jobs promoted per flush. */
const FLUSH_MAX = 1_000;

/**
 * Runs coalesced anomaly detections once nothing is left to coalesce. A request for a window waits
 * `ANOMALY_COALESCE_MS` so that the requests of the jobs after it merge into one detection
 * (`enqueueAnomaly`). When ingest and scoring go idle, no request follows, and the wait only makes
 * the anomalies late: the waiting detections are promoted to run now.
 *
 * Idle means: no source job in flight in this process, and none waiting, delayed or in flight in
 * Redis (another replica's job may still ask). A flush runs at most once per `ANOMALY_COALESCE_MS`
 * per process, so a stream that leaves the pool idle between small ingest jobs does no more than
 * double the detections (each may read a 15-minute window of a busy cluster). Only jobs never
 * started are promoted: a job put back after an outage or waiting for a retry keeps its delay.
 */
export class AnomalyFlush {
  private readonly inFlight = new Map<QueueName, number>();
  private timer: NodeJS.Timeout | undefined;
  private lastCheckMs = Number.NEGATIVE_INFINITY;
  private lastFlushMs = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | undefined;
  private closed = false;

  private readonly queues: Queues;
  private readonly sources: readonly QueueName[];
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly now: () => number;

  constructor(o: {
    queues: Queues;
    sources: readonly QueueName[];
    logger: Logger;
    metrics?: Metrics;
    now?: () => number;
  }) {
    this.queues = o.queues;
    this.sources = o.sources;
    this.logger = o.logger;
    this.metrics = o.metrics;
    this.now = o.now ?? (() => performance.now());
  }

  /** Detections promoted so far by this pool (`kg_anomaly_detections_promoted_total` counts every pool's). */
  promoted = 0;

  started(name: QueueName): void {
    if (this.sources.includes(name)) this.inFlight.set(name, (this.inFlight.get(name) ?? 0) + 1);
  }

  ended(name: QueueName): void {
    if (this.sources.includes(name)) this.inFlight.set(name, (this.inFlight.get(name) ?? 1) - 1);
  }

  /**
   * A source job's outcome is recorded in Redis (BullMQ's `completed` or `failed`; before it, Redis
   * still counts the job as active): if nothing is in flight here, look whether all is idle.
   */
  settled(name: QueueName): void {
    if (this.sources.includes(name) && this.localIdle()) this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.lastCheckMs + CHECK_SPACING_MS - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A look under way may have seen the job that has just settled: look again after it.
      if (this.running) return this.schedule();
      this.running = this.flushIfIdle().finally(() => {
        this.running = undefined;
      });
    }, wait);
    this.timer.unref();
  }

  /** Stops looking; waits for a flush under way. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private localIdle(): boolean {
    for (const n of this.inFlight.values()) if (n > 0) return false;
    return true;
  }

  private async flushIfIdle(): Promise<void> {
    this.lastCheckMs = this.now();
    if (this.closed || !this.localIdle() || this.lastCheckMs - this.lastFlushMs < ANOMALY_COALESCE_MS) return;
    try {
      for (const name of this.sources) {
        const c = await this.queues.get(name).getJobCounts("waiting", "prioritized", "active", "delayed");
        if ((c.waiting ?? 0) + (c.prioritized ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) > 0) return;
      }
      if (!this.localIdle()) return;
      this.lastFlushMs = this.now();
      for (const job of await this.queues.get("anomaly").getDelayed(0, FLUSH_MAX - 1)) {
        if (!job.deduplicationId || (job.attemptsStarted ?? 0) > 0 || job.attemptsMade > 0) continue;
        try {
          await job.promote();
          this.promoted++;
          this.metrics?.anomalyDetectionsPromoted.inc();
        } catch {
          // Started, removed or promoted meanwhile: nothing to do.
        }
      }
    } catch (err) {
      // Redis away: the jobs run after their delay, as they would have anyway.
      this.logger.warn({ err: (err as Error).message }, "could not promote waiting anomaly detections");
    }
  }
}
