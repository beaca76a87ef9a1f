import type { Logger } from "../../telemetry/index.js";
import type {
  CommonClientOptions,
  KafkaAdminLike,
  KafkaBatch,
  KafkaClient,
  KafkaConsumerLike,
  KafkaProducerLike,
  TopicPartitionOffset,
} from "./client.js";

/**
 * The Kafka port over `@confluentinc/kafka-javascript` (librdkafka) through its KafkaJS-compatible
 * API (`require("@confluentinc/kafka-javascript").KafkaJS`). Loaded only when `KAFKA_CLIENT=confluent`;
 * the package is an optional install, so its types are not imported and the surface used here is
 * typed structurally. Not exercised by the test suite (the package is not installed there).
 */

// biome-ignore lint/suspicious/noExplicitAny: optional dependency without installed types
type Any = any;

/** librdkafka's rebalance codes (ErrorCodes.ERR__ASSIGN_PARTITIONS / ERR__REVOKE_PARTITIONS). */
const ERR_ASSIGN_PARTITIONS = -175;

export class ConfluentClient implements KafkaClient {
  private readonly kafka: Any;

  constructor(
    api: { Kafka: new (cfg: unknown) => unknown },
    options: CommonClientOptions,
    private readonly logger: Logger,
  ) {
    this.kafka = new api.Kafka({
      kafkaJS: {
        clientId: options.clientId,
        brokers: options.brokers,
        ...(options.ssl ? { ssl: options.ssl } : {}),
        ...(options.sasl ? { sasl: options.sasl } : {}),
      },
    });
  }

  consumer(groupId: string): KafkaConsumerLike {
    const listeners: Array<(a: ReadonlyArray<{ topic: string; partitions: number[] }>) => void> = [];
    let fromBeginning = true;
    let consumer: Any;
    const make = () => {
      consumer = this.kafka.consumer({
        kafkaJS: { groupId, autoCommit: false, fromBeginning },
        rebalance_cb: (err: Any, assignment: Array<{ topic: string; partition: number }>) => {
          if (err?.code !== ERR_ASSIGN_PARTITIONS) return;
          const byTopic = new Map<string, number[]>();
          for (const a of assignment) byTopic.set(a.topic, [...(byTopic.get(a.topic) ?? []), a.partition]);
          const list = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
          for (const l of listeners) l(list);
        },
      });
      return consumer;
    };
    const get = () => consumer ?? make();
    return {
      connect: () => get().connect(),
      async subscribe(topics: readonly string[], begin: boolean) {
        // In this API the offset reset policy is consumer configuration, not a subscribe option.
        if (!consumer) fromBeginning = begin;
        await get().subscribe({ topics: [...topics] });
      },
      run: (eachBatch: (b: KafkaBatch) => Promise<number>) =>
        get().run({
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset }: Any) => {
            const consumed = await eachBatch({
              topic: batch.topic,
              partition: batch.partition,
              messages: batch.messages.map((m: Any) => ({
                key: m.key ?? null,
                value: m.value ?? null,
                offset: String(m.offset),
                timestampMs: Number(m.timestamp),
              })),
            });
            if (consumed > 0) resolveOffset(batch.messages[consumed - 1].offset);
          },
        }),
      pause: (topics: readonly string[]) => get().pause(topics.map((topic) => ({ topic }))),
      resume: (topics: readonly string[]) => get().resume(topics.map((topic) => ({ topic }))),
      commitOffsets: (offsets: readonly TopicPartitionOffset[]) => get().commitOffsets([...offsets]),
      onAssignment: (cb) => {
        listeners.push(cb);
      },
      onCrash: (cb) => {
        // librdkafka retries internally; fatal errors surface as rejected run()/commit promises.
        void cb;
      },
      disconnect: () => get().disconnect(),
    };
  }

  producer(): KafkaProducerLike {
    const producer = this.kafka.producer({ kafkaJS: { acks: -1 } });
    return {
      connect: () => producer.connect(),
      send: async (topic, messages) => {
        if (messages.length) await producer.send({ topic, messages: [...messages] });
      },
      disconnect: () => producer.disconnect(),
    };
  }

  admin(): KafkaAdminLike {
    const admin = this.kafka.admin();
    const logger = this.logger;
    return {
      connect: () => admin.connect(),
      disconnect: () => admin.disconnect(),
      async createTopics(topics) {
        const existing = new Set<string>(await admin.listTopics());
        const missing = topics.filter((t) => !existing.has(t.topic));
        if (missing.length === 0) return;
        logger.info({ topics: missing.map((t) => t.topic) }, "creating topics");
        await admin.createTopics({
          topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })),
        });
      },
      async committedOffsets(groupId, topic) {
        const res: Any[] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return (res[0]?.partitions ?? []).map((p: Any) => ({
          partition: p.partition,
          offset: String(p.offset),
        }));
      },
    };
  }
}
