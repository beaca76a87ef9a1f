import { beforeAll, expect, it } from "vitest";
import { waitIdle } from "../../cli/pipeline.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { testPipeline } from "../../tests/helpers.js";
import { describeIfKafka } from "../../tests/infra/services.js";
import type { KafkaClient, ProducedMessage } from "./client.js";
import {
  committedTotal,
  counterValue,
  createTopics,
  makeBridge,
  produceAll,
  testKafkaClient,
  uniq,
  uniqueTopics,
  until,
} from "./test-kit.js";

describeIfKafka("kafka bridge: replicas in one consumer group on a real broker", () => {
  let client: KafkaClient;

  beforeAll(async () => {
    client = await testKafkaClient();
  });

  const produce = (topic: string, messages: ProducedMessage[]) => produceAll(client, topic, messages);

  it("two replicas in one group share the partitions and survive a rebalance", async () => {
    const { env, topics } = uniqueTopics("replicas");
    await createTopics(client, topics, 4);
    const p = await testPipeline("kafka-replicas", env);
    const group = uniq("g-replicas");
    const a = makeBridge(client, group, p.rt.queues, topics);
    const b = makeBridge(client, group, p.rt.queues, topics);
    const partitionsOf = (x: typeof a) =>
      x.bridge.assignment.find((t) => t.topic === topics.resources)?.partitions.length ?? 0;
    const base = Date.now() - 600_000;
    const pods = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) => {
        const i = from + k;
        return {
          key: `pod:${i}`,
          value: JSON.stringify({
            kind: "Pod",
            namespace: "rep",
            name: `pod-${i}`,
            at: new Date(base + i).toISOString(),
          }),
        };
      });
    try {
      await a.bridge.start();
      await until("A owns all partitions", () => partitionsOf(a) === 4);
      await b.bridge.start();
      await until(
        "partitions shared",
        () => partitionsOf(a) > 0 && partitionsOf(b) > 0 && partitionsOf(a) + partitionsOf(b) === 4,
        45_000,
      );
      await produce(topics.resources, pods(0, 400));
      await until(
        "first 400 committed",
        async () => (await committedTotal(client, group, [topics.resources])) === 400,
        45_000,
      );
      for (const x of [a, b])
        expect(
          await counterValue(x.metrics, "kg_messages_processed_total", {
            topic: topics.resources,
            outcome: "accepted",
          }),
        ).toBeGreaterThan(0);
      await b.bridge.stop(); // leaves the group: A takes over B's partitions
      await until("A owns all partitions again", () => partitionsOf(a) === 4, 45_000);
      await produce(topics.resources, pods(400, 400));
      await until(
        "all 800 committed",
        async () => (await committedTotal(client, group, [topics.resources])) === 800,
        45_000,
      );
      await waitIdle(p.rt.queues, 30_000);
      const stored = await (p.rt.rawStore as SqliteGraphStore).searchResources({
        kind: "Pod",
        namespace: "rep",
        limit: 1000,
      });
      expect(stored.total).toBe(800);
    } finally {
      await a.bridge.stop();
      await b.bridge.stop();
      await p.close();
    }
  });
});
