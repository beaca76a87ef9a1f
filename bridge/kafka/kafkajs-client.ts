import {
  type Consumer,
  Kafka,
  type KafkaConfig,
  type LogEntry,
  logLevel,
  type Producer,
  type SASLOptions,
} from "kafkajs";
import type { Logger } from "../../telemetry/index.js";
import type {
  CommonClientOptions,
  KafkaAdminLike,
  KafkaBatch,
  KafkaClient,
  KafkaConsumerLike,
  KafkaProducerLike,
  ProducedMessage,
  TopicPartitionOffset,
} from "./client.js";

/** kafkajs log levels mapped onto the process logger (kafkajs is chatty at INFO). */
function logCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const fields = { kafkajs: rest.logger ?? "kafkajs", broker: rest.broker, error: rest.error };
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else logger.debug(fields, message);
    };
}

/** The default implementation of the Kafka port, over kafkajs 2.x. */
export class KafkajsClient implements KafkaClient {
  private readonly kafka: Kafka;

  constructor(options: CommonClientOptions, logger: Logger) {
    const cfg: KafkaConfig = {
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: logCreator(logger),
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    };
    if (options.ssl) cfg.ssl = options.ssl;
    if (options.sasl) cfg.sasl = options.sasl as SASLOptions;
    this.kafka = new Kafka(cfg);
  }

  consumer(groupId: string): KafkaConsumerLike {
    return new KafkajsConsumer(
      this.kafka.consumer({
        groupId,
        // A crashed replica's partitions move after this long; the bridge's eachBatch never blocks
        // for long (it only enqueues), so a short session is safe.
        sessionTimeout: 10_000,
        rebalanceTimeout: 60_000,
        heartbeatInterval: 3_000,
        maxBytesPerPartition: 4 * 1024 * 1024,
        retry: { retries: 10 },
      }),
    );
  }

  producer(): KafkaProducerLike {
    return new KafkajsProducer(this.kafka.producer({ allowAutoTopicCreation: false, idempotent: false }));
  }

  admin(): KafkaAdminLike {
    const admin = this.kafka.admin();
    return {
      connect: () => admin.connect(),
      disconnect: () => admin.disconnect(),
      async createTopics(topics) {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter((t) => !existing.has(t.topic));
        if (missing.length === 0) return;
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })),
        });
      },
      async committedOffsets(groupId, topic) {
        const res = await admin.fetchOffsets({ groupId, topics: [topic] });
        return (res[0]?.partitions ?? []).map((p) => ({ partition: p.partition, offset: p.offset }));
      },
    };
  }
}

class KafkajsConsumer implements KafkaConsumerLike {
  constructor(private readonly consumer: Consumer) {}

  connect() {
    return this.consumer.connect();
  }

  subscribe(topics: readonly string[], fromBeginning: boolean) {
    return this.consumer.subscribe({ topics: [...topics], fromBeginning });
  }

  run(eachBatch: (batch: KafkaBatch) => Promise<number>) {
    return this.consumer.run({
      autoCommit: false,
      // Resolving moves the fetch position only; commits are the bridge's business.
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset }) => {
        const consumed = await eachBatch({
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages.map((m) => ({
            key: m.key ?? null,
            value: m.value ?? null,
            offset: m.offset,
            timestampMs: Number(m.timestamp),
          })),
        });
        if (consumed > 0) resolveOffset(batch.messages[consumed - 1]!.offset);
      },
    });
  }

  pause(topics: readonly string[]) {
    this.consumer.pause(topics.map((topic) => ({ topic })));
  }

  resume(topics: readonly string[]) {
    this.consumer.resume(topics.map((topic) => ({ topic })));
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]) {
    await this.consumer.commitOffsets(
      offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
    );
  }

  onAssignment(cb: (assigned: ReadonlyArray<{ topic: string; partitions: number[] }>) => void) {
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      cb(Object.entries(e.payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions })));
    });
  }

  onCrash(cb: (err: Error) => void) {
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      // kafkajs restarts the consumer itself when the error is retriable.
      if (!e.payload.restart) cb(e.payload.error);
    });
  }

  disconnect() {
    return this.consumer.disconnect();
  }
}

class KafkajsProducer implements KafkaProducerLike {
  constructor(private readonly producer: Producer) {}

  connect() {
    return this.producer.connect();
  }

  async send(topic: string, messages: readonly ProducedMessage[]) {
    if (messages.length === 0) return;
    await this.producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: m.value })),
    });
  }

  disconnect() {
    return this.producer.disconnect();
  }
}
