import { afterAll, beforeAll, expect, it } from "vitest";
import { startPool, waitIdle } from "../../cli/pipeline.js";
import { openRuntime } from "../../cli/runtime.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { tempDir, testConfig } from "../../tests/helpers.js";
import { describeIfKafka } from "../../tests/infra/services.js";
import type { WorkerPool } from "../../workers/index.js";
import type { KafkaClient, ProducedMessage } from "./client.js";
import {
  committedTotal,
  counterValue,
  createTopics,
  deletePrefix,
  makeBridge,
  produceAll,
  testKafkaClient,
  uniq,
  uniqueTopics,
  until,
} from "./test-kit.js";

const iso = (ms: number) => new Date(ms).toISOString();
const json = (key: string | null, value: unknown): ProducedMessage => ({
  key,
  value: value === null ? null : JSON.stringify(value),
});

/** A runtime on its own queue prefix and store; workers start only when asked (to hold jobs back). */
async function pipeline(name: string, env: Record<string, string>) {
  const config = testConfig(name, env);
  const rt = await openRuntime(config, "test");
  let pool: WorkerPool | undefined;
  return {
    rt,
    store: rt.rawStore as SqliteGraphStore,
    startWorkers: () => {
      pool ??= startPool(rt, undefined, 2);
    },
    close: async () => {
      await pool?.close();
      await rt.queues.obliterate();
      await rt.close();
    },
  };
}

const podMsg = (i: number, at: number) =>
  json(`pod:uid-${i}`, {
    op: "UPSERT",
    at: iso(at),
    kind: "Pod",
    uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    namespace: "load",
    name: `pod-${i}`,
    labels: { app: `app-${i % 7}` },
    node: `node-${i % 3}`,
    status: { phase: "Running", restartCount: 0 },
  });

describeIfKafka("kafka bridge: backpressure and Redis loss on a real broker", () => {
  let client: KafkaClient;
  const tmp = tempDir("kgrca-kafka-");

  beforeAll(async () => {
    client = await testKafkaClient();
  });
  afterAll(() => tmp.remove());

  const produce = (topic: string, messages: ProducedMessage[]) => produceAll(client, topic, messages);

  it("pauses above the high-water mark and resumes below the low one", async () => {
    const { env, topics } = uniqueTopics("bp");
    await createTopics(client, topics, 1);
    const p = await pipeline("kafka-bp", env);
    const group = uniq("g-bp");
    const { bridge, metrics } = makeBridge(client, group, p.rt.queues, topics, {
      batchSize: 10,
      backpressure: { high: 5, low: 1 },
    });
    try {
      const now = Date.now();
      await produce(
        topics.resources,
        Array.from({ length: 200 }, (_, i) => podMsg(i, now)),
      );
      await bridge.start();
      // No workers yet: the backlog grows past 5 jobs and the bridge stops consuming.
      await until("paused", () => bridge.isPaused);
      expect(await counterValue(metrics, "kg_bridge_paused", {})).toBe(1);
      await new Promise((r) => setTimeout(r, 500));
      const held = await p.rt.queues.backlog("ingest");
      expect(held).toBeLessThanOrEqual(8); // bounded near the mark, not the 20 jobs 200 messages make
      expect(await committedTotal(client, group, [topics.resources])).toBe(0);
      p.startWorkers();
      await until("resumed", () => !bridge.isPaused);
      await until(
        "all committed",
        async () => (await committedTotal(client, group, [topics.resources])) === 200,
        45_000,
      );
      expect(await counterValue(metrics, "kg_bridge_paused", {})).toBe(0);
      await waitIdle(p.rt.queues, 30_000);
      expect((await p.store.searchResources({ kind: "Pod", limit: 1000 })).items.length).toBe(200);
    } finally {
      await bridge.stop();
      await p.close();
    }
  });

  it("loses nothing when Redis loses its keys mid-run", async () => {
    const { env, topics } = uniqueTopics("flush");
    await createTopics(client, topics, 2);
    const p = await pipeline("kafka-flush", env);
    const group = uniq("g-flush");
    const { bridge } = makeBridge(client, group, p.rt.queues, topics, { batchSize: 50 });
    try {
      const now = Date.now();
      await produce(
        topics.resources,
        Array.from({ length: 300 }, (_, i) => podMsg(i, now)),
      );
      await bridge.start();
      await until("jobs enqueued", async () => (await p.rt.queues.backlog("ingest")) >= 6);
      expect(await committedTotal(client, group, [topics.resources])).toBe(0);
      // Redis "restarts empty": every key of this deployment's prefix is gone, jobs included.
      expect(await deletePrefix(p.rt.redis, p.rt.config.queuePrefix)).toBeGreaterThan(0);
      p.startWorkers();
      await until(
        "all committed",
        async () => (await committedTotal(client, group, [topics.resources])) === 300,
        45_000,
      );
      await waitIdle(p.rt.queues, 30_000);
      const pods = await p.store.searchResources({ kind: "Pod", limit: 1000 });
      expect(pods.items.length).toBe(300);
    } finally {
      await bridge.stop();
      await p.close();
    }
  });
});
