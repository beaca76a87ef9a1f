import { randomUUID } from "node:crypto";
import type { Queues } from "../../queues/index.js";
import { Queues as QueuesClass } from "../../queues/index.js";
import { InvalidMessageError } from "../../rca/errors.js";
import { classifyLogLine } from "../../rca/log-filter.js";
import { emptyBatch } from "../../rca/model.js";
import {
  DEFAULT_TOPICS,
  type NormalizeOptions,
  normalizeMessage,
  type TopicRole,
  topicRole,
  type WireMessage,
} from "../../rca/normalize.js";
import type { Logger, Metrics } from "../../telemetry/index.js";
import type { KafkaBatch, KafkaConsumerLike, KafkaRecord, TopicPartitionOffset } from "./client.js";
import { type Completion, OffsetTracker } from "./offset-tracker.js";

/** Messages larger than this are dead-lettered without being parsed. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** How much of a rejected value the dead-letter entry keeps. */
const DEAD_LETTER_PREVIEW_CHARS = 64 * 1024;

export interface KafkaBridgeOptions {
  readonly consumer: KafkaConsumerLike;
  readonly queues: Queues;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly topics?: Readonly<Record<TopicRole, string>>;
  readonly defaultCluster: string;
  /** Most messages per ingest unit (KAFKA_BATCH_SIZE). */
  readonly batchSize: number;
  /** How long a partly filled unit waits for more messages (KAFKA_BATCH_LINGER_MS). */
  readonly batchLingerMs: number;
  /** Pause above `high` ingest backlog (jobs), resume below `low`. */
  readonly backpressure: { readonly high: number; readonly low: number };
  /** How often job completion, commits and backpressure are checked. */
  readonly pollMs?: number;
  /** How long `stop()` waits for in-flight jobs before it gives up on them (they are redelivered). */
  readonly drainTimeoutMs?: number;
  readonly fromBeginning?: boolean;
  readonly maxMessageBytes?: number;
  /**
   * Called when the client gave up for good (kafkajs does not restart itself after a
   * non-retriable error). The CLI exits so the orchestrator restarts the bridge; nothing is lost,
   * consumption resumes from the last commit.
   */
  readonly onFatal?: (err: Error) => void;
}

/** One flush of the bridge onto `ingest`: its messages (kept until done, for re-enqueueing) and jobs. */
class Unit implements Completion {
  readonly messages: WireMessage[] = [];
  jobIds: string[] = [];
  done = false;
}

type Verdict =
  | { readonly kind: "accept"; readonly msg: WireMessage }
  | { readonly kind: "dead"; readonly msg: WireMessage; readonly reason: string }
  | { readonly kind: "drop" };

/**
 * The Kafka bridge: a consumer group over the CONTRACT topics that validates each record, puts the
 * good ones on `ingest` in bounded units, and commits an offset only once every job holding that
 * record or an earlier one of its partition has finished (at-least-once; Kafka is the log of
 * record). Invalid records go to the dead-letter queue and their offsets advance. Consumption
 * pauses while the ingest backlog is above the high-water mark.
 *
 * Jobs are followed by polling their state. A job that vanished without finishing (Redis lost or
 * flushed) is re-enqueued from the unit's messages, which the bridge keeps until the unit is done;
 * a Redis key under the queue prefix tells a flushed Redis apart from a job removed after
 * completion. A job that failed for good counts as finished: the worker pool dead-letters it.
 */
export class KafkaBridge {
  private readonly topics: Readonly<Record<TopicRole, string>>;
  private readonly topicList: string[];
  private readonly normalize: NormalizeOptions;
  private readonly trackers = new Map<string, { topic: string; partition: number; tracker: OffsetTracker }>();
  private readonly pending = new Set<Unit>();
  private generation = 0;
  private open: Unit;
  private lingerTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private flushChain: Promise<void> = Promise.resolve();
  private polling: Promise<void> = Promise.resolve();
  private paused = false;
  private stopping = false;
  private running = false;
  private failed = false;
  private readonly sentinelKey: string;
  private assigned: ReadonlyArray<{ topic: string; partitions: number[] }> = [];

  constructor(private readonly opts: KafkaBridgeOptions) {
    this.topics = opts.topics ?? DEFAULT_TOPICS;
    this.topicList = Object.values(this.topics);
    this.normalize = { defaultCluster: opts.defaultCluster, topics: this.topics };
    this.open = new Unit();
    this.sentinelKey = `${opts.queues.settings.prefix}:bridge:${randomUUID()}`;
  }

  /** True while consumption is paused by backpressure. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** False once the Kafka client gave up (see `onFatal`). */
  get healthy(): boolean {
    return !this.failed;
  }

  /** This member's partitions since the last (re)join of the group. */
  get assignment(): ReadonlyArray<{ topic: string; partitions: number[] }> {
    return this.assigned;
  }

  /** Messages consumed and not yet committable, over all partitions. */
  get uncommitted(): number {
    let n = 0;
    for (const t of this.trackers.values()) n += t.tracker.lag();
    return n;
  }

  async start(): Promise<void> {
    const { consumer, logger } = this.opts;
    consumer.onAssignment((assigned) => {
      // A new generation: partitions may have moved. Whatever this member tracked is dropped; the
      // group resumes every partition from its committed offset, so nothing is lost (only re-read).
      this.generation++;
      this.assigned = assigned;
      this.trackers.clear();
      // Units enqueued so far are no longer followed: no tracker of this generation points at them.
      this.pending.clear();
      logger.info({ assigned, generation: this.generation }, "kafka partitions assigned");
    });
    consumer.onCrash((err) => {
      this.failed = true;
      logger.error({ err: err.message }, "kafka consumer crashed and will not restart");
      this.opts.onFatal?.(err);
    });
    await this.opts.queues.connection.set(this.sentinelKey, "1", "EX", 86_400);
    await consumer.connect();
    await consumer.subscribe(this.topicList, this.opts.fromBeginning ?? true);
    this.running = true;
    await consumer.run((batch) => this.eachBatch(batch));
    this.schedulePoll();
    logger.info({ topics: this.topicList }, "kafka bridge consuming");
  }

  /**
   * Stops fetching, waits for in-flight jobs (up to the drain timeout), commits what finished, and
   * disconnects. What did not finish in time is simply redelivered on the next start.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const { consumer, logger } = this.opts;
    if (this.running) consumer.pause(this.topicList);
    clearTimeout(this.lingerTimer);
    await this.flush();
    await this.polling;
    clearTimeout(this.pollTimer);
    const deadline = Date.now() + (this.opts.drainTimeoutMs ?? 20_000);
    while (this.pending.size > 0 && Date.now() < deadline) {
      await this.pollOnce().catch((err) =>
        logger.warn({ err: (err as Error).message }, "bridge poll failed"),
      );
      if (this.pending.size > 0) await sleep(this.opts.pollMs ?? 100);
    }
    await this.pollOnce().catch(() => {});
    if (this.pending.size > 0)
      logger.warn({ units: this.pending.size }, "stopping with unfinished jobs; they will be redelivered");
    await this.opts.queues.connection.del(this.sentinelKey).catch(() => {});
    if (this.running) await consumer.disconnect();
    this.running = false;
    logger.info("kafka bridge stopped");
  }

  private key(topic: string, partition: number) {
    return `${topic}\u0000${partition}`;
  }

  /** Consumes records of one partition until done, paused or stopping; returns how many it took. */
  private async eachBatch(batch: KafkaBatch): Promise<number> {
    const gen = this.generation;
    const { metrics, queues } = this.opts;
    let consumed = 0;
    for (const record of batch.messages) {
      // Records left here are fetched again after resume (or by the next owner after stop).
      if (this.paused || this.stopping) break;
      const verdict = this.judge(batch.topic, batch.partition, record);
      let unit: Unit | null = null;
      if (verdict.kind === "dead") {
        metrics.messagesProcessed.inc({ topic: batch.topic, outcome: "invalid" });
        metrics.dlqMessages.inc({ queue: "ingest" });
        await this.retrying("dead-letter", () =>
          queues.deadLetter(QueuesClass.deadLetterForMessage(verdict.msg, verdict.reason, "kafka")),
        );
      } else if (verdict.kind === "drop") {
        metrics.messagesProcessed.inc({ topic: batch.topic, outcome: "filtered" });
      } else {
        unit = this.open;
        unit.messages.push(verdict.msg);
        metrics.messagesProcessed.inc({ topic: batch.topic, outcome: "accepted" });
      }
      if (gen === this.generation) {
        const k = this.key(batch.topic, batch.partition);
        let t = this.trackers.get(k);
        if (!t) {
          t = { topic: batch.topic, partition: batch.partition, tracker: new OffsetTracker() };
          this.trackers.set(k, t);
        }
        t.tracker.append(BigInt(record.offset), unit);
      }
      consumed++;
      if (this.open.messages.length >= this.opts.batchSize) {
        await this.flush();
        // A large fetch must not run past the high-water mark between two polls.
        await this.checkBackpressure();
      }
    }
    if (this.open.messages.length > 0 && !this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        void this.flush();
      }, this.opts.batchLingerMs);
    }
    return consumed;
  }

  /** Validates one record: size, JSON, CONTRACT shape; then the log filter on the log topic. */
  private judge(topic: string, partition: number, record: KafkaRecord): Verdict {
    const key = record.key ? record.key.toString("utf8") : null;
    const base = {
      topic,
      key,
      partition,
      offset: record.offset,
      ...(Number.isFinite(record.timestampMs) ? { timestampMs: record.timestampMs } : {}),
    };
    const max = this.opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    if (record.value && record.value.length > max) {
      return {
        kind: "dead",
        msg: { ...base, value: record.value.toString("utf8", 0, DEAD_LETTER_PREVIEW_CHARS) },
        reason: `message of ${record.value.length} bytes is larger than ${max} bytes`,
      };
    }
    let value: unknown = null;
    if (record.value) {
      const text = record.value.toString("utf8");
      try {
        value = JSON.parse(text);
      } catch (err) {
        return {
          kind: "dead",
          msg: { ...base, value: text.slice(0, DEAD_LETTER_PREVIEW_CHARS) },
          reason: `value is not JSON: ${(err as Error).message}`,
        };
      }
    }
    const msg: WireMessage = { ...base, value };
    const scratch = emptyBatch();
    try {
      normalizeMessage(msg, this.normalize, scratch);
    } catch (err) {
      if (err instanceof InvalidMessageError) return { kind: "dead", msg, reason: err.reason };
      throw err;
    }
    if (topicRole(topic, this.topics) === "logs") {
      const ev = scratch.events[0];
      const keep = ev ? classifyLogLine(ev.message, ev.severity).keep : false;
      this.opts.metrics.logLines.inc({ outcome: keep ? "kept" : "dropped" });
      if (!keep) return { kind: "drop" };
    }
    return { kind: "accept", msg };
  }

  /** Puts the open unit on `ingest`. Flushes run one after another, in order. */
  private flush(): Promise<void> {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    const unit = this.open;
    if (unit.messages.length === 0) return this.flushChain;
    this.open = new Unit();
    this.flushChain = this.flushChain.then(async () => {
      unit.jobIds = await this.retrying("enqueue", () =>
        this.opts.queues.enqueueMessages(unit.messages, "kafka"),
      );
      const perTopic = new Map<string, number>();
      for (const m of unit.messages) perTopic.set(m.topic, (perTopic.get(m.topic) ?? 0) + 1);
      for (const [topic, n] of perTopic) this.opts.metrics.bridgeBatchSize.observe({ topic }, n);
      // Always followed, even across a rebalance: a tracker of the new generation may point at it.
      this.pending.add(unit);
    });
    return this.flushChain;
  }

  /** Retries a Redis operation until it succeeds: Kafka waits, nothing is skipped. */
  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    let delay = 100;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        this.opts.logger.warn(
          { err: (err as Error).message, what, retryInMs: delay },
          "bridge: redis operation failed",
        );
        await sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private schedulePoll() {
    if (this.stopping) return;
    this.pollTimer = setTimeout(() => {
      this.polling = this.pollOnce()
        .catch((err) => this.opts.logger.warn({ err: (err as Error).message }, "bridge poll failed"))
        .finally(() => this.schedulePoll());
    }, this.opts.pollMs ?? 100);
  }

  /** One round: job completion (and loss), commits, commit lag, backpressure. */
  private async pollOnce(): Promise<void> {
    const { queues, logger, metrics, consumer } = this.opts;
    const ingest = queues.get("ingest");
    const flushed = (await queues.connection.exists(this.sentinelKey)) === 0;
    if (flushed) {
      logger.warn(
        { units: this.pending.size },
        "bridge: Redis lost its keys; re-enqueueing unfinished units",
      );
      await queues.connection.set(this.sentinelKey, "1", "EX", 86_400);
    }
    const units = [...this.pending];
    const states = await Promise.all(
      units.map((u) =>
        flushed ? Promise.resolve(null) : Promise.all(u.jobIds.map((id) => ingest.getJobState(id))),
      ),
    );
    for (const [i, u] of units.entries()) {
      const s = states[i];
      if (s?.every((x) => x === "completed" || x === "failed")) {
        u.done = true;
        this.pending.delete(u);
      } else if (!s || s.some((x) => x === "unknown")) {
        logger.warn(
          { messages: u.messages.length },
          "bridge: ingest jobs vanished before finishing; re-enqueueing",
        );
        u.jobIds = await this.retrying("re-enqueue", () => queues.enqueueMessages(u.messages, "kafka"));
      }
    }
    if (this.running) {
      const commits: TopicPartitionOffset[] = [];
      const advanced: Array<{ t: OffsetTracker; next: bigint }> = [];
      for (const { topic, partition, tracker } of this.trackers.values()) {
        const next = tracker.advance();
        if (next !== undefined) {
          commits.push({ topic, partition, offset: next.toString() });
          advanced.push({ t: tracker, next });
        }
        metrics.bridgeCommitLag.set({ topic, partition: String(partition) }, tracker.lag());
      }
      if (commits.length > 0) {
        try {
          await consumer.commitOffsets(commits);
          for (const a of advanced) a.t.committed = a.next;
        } catch (err) {
          // A rebalance in progress: the next generation re-reads from the last good commit.
          logger.warn({ err: (err as Error).message }, "bridge: offset commit failed");
        }
      }
    }
    await this.checkBackpressure();
  }

  /** Pauses every topic above the high-water mark of the ingest backlog, resumes below the low one. */
  private async checkBackpressure(): Promise<void> {
    const { queues, logger, metrics, consumer } = this.opts;
    if (!this.stopping && this.running) {
      const backlog = await this.retrying("backlog", () => queues.backlog("ingest"));
      const { high, low } = this.opts.backpressure;
      if (!this.paused && backlog > high) {
        this.paused = true;
        consumer.pause(this.topicList);
        metrics.bridgePaused.set(1);
        logger.warn({ backlog, high }, "bridge: ingest backlog above high-water mark; pausing consumption");
      } else if (this.paused && backlog < low) {
        this.paused = false;
        consumer.resume(this.topicList);
        metrics.bridgePaused.set(0);
        logger.info({ backlog, low }, "bridge: ingest backlog below low-water mark; resuming consumption");
      }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
