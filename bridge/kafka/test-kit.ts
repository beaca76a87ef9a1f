import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Queues } from "../../queues/index.js";
import type { TopicRole } from "../../rca/normalize.js";
import { createLogger, Metrics } from "../../telemetry/index.js";
import { createKafkaClient, type KafkaClient, type ProducedMessage } from "./client.js";
import { KafkaBridge, type KafkaBridgeOptions } from "./kafka-bridge.js";

/**
 * Shared set-up of the bridge tests against a real broker (`KAFKA_BROKERS`, started by
 * tests/infra): unique topic names and group ids per test, a client, and bridges on a runtime.
 */

export { kafkaBrokers as KAFKA_BROKERS } from "../../tests/infra/services.js";

import { kafkaBrokers as KAFKA_BROKERS } from "../../tests/infra/services.js";

export const uniq = (name: string) => `${name}-${process.pid}-${randomBytes(4).toString("hex")}`;

/** Five CONTRACT topics with a unique prefix, as KAFKA_TOPIC_* variables and as a role map. */
export function uniqueTopics(prefix: string): {
  env: Record<string, string>;
  topics: Record<TopicRole, string>;
} {
  const p = uniq(prefix);
  const topics: Record<TopicRole, string> = {
    resources: `${p}.state.k8s.resource`,
    topology: `${p}.state.k8s.topology`,
    events: `${p}.events.normalized`,
    logs: `${p}.logs.normalized`,
    alerts: `${p}.alerts.enriched`,
  };
  return {
    topics,
    env: {
      KAFKA_BROKERS: KAFKA_BROKERS ?? "",
      KAFKA_TOPIC_RESOURCES: topics.resources,
      KAFKA_TOPIC_TOPOLOGY: topics.topology,
      KAFKA_TOPIC_EVENTS: topics.events,
      KAFKA_TOPIC_LOGS: topics.logs,
      KAFKA_TOPIC_ALERTS: topics.alerts,
    },
  };
}

export async function testKafkaClient(): Promise<KafkaClient> {
  return createKafkaClient(
    {
      brokers: (KAFKA_BROKERS ?? "").split(","),
      client: "kafkajs",
      clientId: "kgrca-test",
      groupId: "unused",
      tls: false,
      topics: { resources: "", topology: "", events: "", logs: "", alerts: "" },
      batchSize: 100,
      batchLingerMs: 20,
    },
    createLogger("kafka-test", process.env.TEST_LOG_LEVEL ?? "silent"),
  );
}

export async function createTopics(
  client: KafkaClient,
  topics: Record<TopicRole, string>,
  partitions: number,
) {
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics(Object.values(topics).map((topic) => ({ topic, partitions })));
  } finally {
    await admin.disconnect();
  }
}

/** Sum of committed offsets of a group over a topic's partitions (-1 counts as 0). */
export async function committedTotal(client: KafkaClient, groupId: string, topics: readonly string[]) {
  const admin = client.admin();
  await admin.connect();
  try {
    let n = 0;
    for (const t of topics)
      for (const p of await admin.committedOffsets(groupId, t)) n += Math.max(0, Number(p.offset));
    return n;
  } finally {
    await admin.disconnect();
  }
}

export function makeBridge(
  client: KafkaClient,
  groupId: string,
  queues: Queues,
  topics: Record<TopicRole, string>,
  over: Partial<KafkaBridgeOptions> = {},
): { bridge: KafkaBridge; metrics: Metrics } {
  const metrics = new Metrics("bridge-test");
  const bridge = new KafkaBridge({
    consumer: client.consumer(groupId),
    queues,
    metrics,
    logger: createLogger("bridge-test", process.env.TEST_LOG_LEVEL ?? "silent"),
    topics,
    defaultCluster: "default",
    batchSize: 100,
    batchLingerMs: 20,
    backpressure: { high: 1_000, low: 100 },
    pollMs: 50,
    ...over,
  });
  return { bridge, metrics };
}

/** Deletes every Redis key of a queue prefix (what losing Redis looks like to one deployment). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) n += await redis.del(...keys);
  } while (cursor !== "0");
  return n;
}

export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const counterValue = async (m: Metrics, name: string, labels: Record<string, string>) => {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = metric?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return Number(v?.value ?? 0);
};

/** Sends messages to a topic in chunks of 500 with a short-lived producer. */
export async function produceAll(
  client: KafkaClient,
  topic: string,
  messages: ProducedMessage[],
): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  for (let i = 0; i < messages.length; i += 500) await producer.send(topic, messages.slice(i, i + 500));
  await producer.disconnect();
}
