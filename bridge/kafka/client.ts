import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Config } from "../../config/index.js";
import type { Logger } from "../../telemetry/index.js";

/**
 * The small Kafka surface the bridge and the watcher use, so the client library is chosen once at
 * start-up (`KAFKA_CLIENT`): kafkajs (default, pure JS, no release since 2023) or Confluent's
 * maintained `@confluentinc/kafka-javascript` through its KafkaJS-compatible API.
 *
 * Covers: a consumer group reading batches per partition with manual commits, pause/resume, a
 * rebalance notification; a producer sending keyed JSON; topic creation for tests and set-up.
 * Leaves out: transactions, headers, seeking, per-message callbacks, consumer lag queries.
 */

export type KafkaSettings = NonNullable<Config["kafka"]>;

/** One record as the bridge sees it; `value` null is a tombstone. */
export interface KafkaRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Decimal offset (Kafka offsets are 64-bit). */
  readonly offset: string;
  readonly timestampMs?: number;
}

/** The records of one partition, in offset order. */
export interface KafkaBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaRecord[];
}

export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read, i.e. last processed + 1. */
  readonly offset: string;
}

export interface KafkaConsumerLike {
  connect(): Promise<void>;
  subscribe(topics: readonly string[], fromBeginning: boolean): Promise<void>;
  /**
   * Starts the fetch loop. `eachBatch` is awaited before the same partition is fetched again and
   * returns how many records (from the first) it consumed; the next fetch of the partition starts
   * after those, so records it left (it stopped early, e.g. to pause) are fetched again later.
   * Nothing is committed except through `commitOffsets`.
   */
  run(eachBatch: (batch: KafkaBatch) => Promise<number>): Promise<void>;
  pause(topics: readonly string[]): void;
  resume(topics: readonly string[]): void;
  commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Called after each (re)join of the group, with this member's partitions. */
  onAssignment(cb: (assigned: ReadonlyArray<{ topic: string; partitions: number[] }>) => void): void;
  /** Called when the client gave up (e.g. a crash it does not retry). */
  onCrash(cb: (err: Error) => void): void;
  disconnect(): Promise<void>;
}

export interface ProducedMessage {
  readonly key: string | null;
  /** JSON text, or null for a tombstone. */
  readonly value: string | null;
}

export interface KafkaProducerLike {
  connect(): Promise<void>;
  send(topic: string, messages: readonly ProducedMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaAdminLike {
  connect(): Promise<void>;
  /** Creates missing topics; existing ones are left alone. */
  createTopics(topics: ReadonlyArray<{ topic: string; partitions: number }>): Promise<void>;
  /** Committed offsets of a group, per partition (-1 when nothing is committed). */
  committedOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string }>>;
  disconnect(): Promise<void>;
}

export interface KafkaClient {
  consumer(groupId: string): KafkaConsumerLike;
  producer(): KafkaProducerLike;
  admin(): KafkaAdminLike;
}

/** The selected client library is not installed (or failed to load). */
export class KafkaClientUnavailableError extends Error {
  override readonly name = "KafkaClientUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const CONFLUENT_PACKAGE = "@confluentinc/kafka-javascript";

/**
 * Opens the client named by `KAFKA_CLIENT`. Confluent's package is imported only when selected;
 * when it is missing the error says how to install it.
 */
export async function createKafkaClient(settings: KafkaSettings, logger: Logger): Promise<KafkaClient> {
  const ssl: CommonClientOptions["ssl"] = settings.tls
    ? settings.tlsCaFile
      ? { ca: [readFileSync(settings.tlsCaFile, "utf8")] }
      : (true as const)
    : undefined;
  const sasl = settings.sasl
    ? {
        mechanism: settings.sasl.mechanism,
        username: settings.sasl.username,
        password: settings.sasl.password,
      }
    : undefined;
  const common: CommonClientOptions = {
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    ...(ssl !== undefined ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
  };
  if (settings.client === "confluent") {
    let mod: { KafkaJS: { Kafka: new (cfg: unknown) => unknown } };
    try {
      // createRequire: the package is optional and CommonJS; a static import would fail to build.
      mod = createRequire(import.meta.url)(CONFLUENT_PACKAGE);
    } catch (err) {
      throw new KafkaClientUnavailableError(
        `KAFKA_CLIENT=confluent but ${CONFLUENT_PACKAGE} is not installed; run \`npm install ${CONFLUENT_PACKAGE}\` (it builds librdkafka natively) or unset KAFKA_CLIENT to use kafkajs`,
        { cause: err },
      );
    }
    const { ConfluentClient } = await import("./confluent-client.js");
    return new ConfluentClient(mod.KafkaJS, common, logger);
  }
  const { KafkajsClient } = await import("./kafkajs-client.js");
  return new KafkajsClient(common, logger);
}

/** Connection options shared by both implementations. */
export interface CommonClientOptions {
  readonly clientId: string;
  readonly brokers: string[];
  readonly ssl?: { ca: string[] } | true;
  readonly sasl?: { mechanism: string; username: string; password: string };
}
