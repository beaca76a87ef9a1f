import type { Queues } from "../../queues/index.js";
import type { WireMessage } from "../../rca/normalize.js";
import type { Logger } from "../../telemetry/index.js";
import type { KafkaProducerLike } from "../kafka/index.js";

/**
 * Where the watcher's messages go: the CONTRACT Kafka topics when Kafka is configured (so the
 * bridge and any other consumer see them), otherwise straight onto the `ingest` queue.
 */
export interface MessageSink {
  publish(messages: readonly WireMessage[]): Promise<void>;
}

/** Straight into `ingest` (the embedded default without Kafka). */
export class QueueSink implements MessageSink {
  constructor(private readonly queues: Queues) {}

  async publish(messages: readonly WireMessage[]): Promise<void> {
    await this.queues.enqueueMessages(messages, "watch");
  }
}

/** Onto the Kafka topics, keyed as CONTRACT.md says (the producer must be connected). */
export class KafkaSink implements MessageSink {
  constructor(private readonly producer: KafkaProducerLike) {}

  async publish(messages: readonly WireMessage[]): Promise<void> {
    const byTopic = new Map<string, Array<{ key: string | null; value: string | null }>>();
    for (const m of messages) {
      const list = byTopic.get(m.topic) ?? [];
      list.push({
        key: m.key ?? null,
        value: m.value === null || m.value === undefined ? null : JSON.stringify(m.value),
      });
      byTopic.set(m.topic, list);
    }
    for (const [topic, list] of byTopic) await this.producer.send(topic, list);
  }
}

/**
 * Collects messages and hands them to a sink in bounded batches (size or linger, whichever comes
 * first). A failed publish is retried with backoff and nothing behind it overtakes it, so the
 * order of a resource's updates is kept.
 */
export class BatchPublisher {
  private buffer: WireMessage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  published = 0;

  constructor(
    private readonly sink: MessageSink,
    private readonly opts: { batchSize: number; lingerMs: number; logger: Logger },
  ) {}

  push(messages: readonly WireMessage[]): void {
    if (messages.length === 0) return;
    this.buffer.push(...messages);
    if (this.buffer.length >= this.opts.batchSize) void this.flush();
    else if (!this.timer)
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.opts.lingerMs);
  }

  /** Publishes everything pushed so far; resolves when it is out. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.opts.batchSize);
      this.chain = this.chain.then(() => this.send(batch));
    }
    return this.chain;
  }

  private async send(batch: WireMessage[]): Promise<void> {
    let delay = 200;
    for (;;) {
      try {
        await this.sink.publish(batch);
        this.published += batch.length;
        return;
      } catch (err) {
        if (this.closed) {
          this.opts.logger.error(
            { err: (err as Error).message, messages: batch.length },
            "watcher: dropping unpublished messages at shutdown",
          );
          return;
        }
        this.opts.logger.warn(
          { err: (err as Error).message, retryInMs: delay },
          "watcher: publish failed; retrying",
        );
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  /** Flushes, then stops retrying failed publishes. */
  async close(): Promise<void> {
    const done = this.flush();
    const timeout = new Promise<void>((r) => setTimeout(r, 10_000).unref());
    await Promise.race([done, timeout]);
    this.closed = true;
  }
}
