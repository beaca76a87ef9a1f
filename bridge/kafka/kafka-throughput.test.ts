import { expect, it } from "vitest";
import { waitIdle } from "../../cli/pipeline.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { testPipeline } from "../../tests/helpers.js";
import { describeIfKafka } from "../../tests/infra/services.js";
import {
  committedTotal,
  createTopics,
  makeBridge,
  testKafkaClient,
  uniq,
  uniqueTopics,
  until,
} from "./test-kit.js";

/**
 * Not a timed assertion: prints the bridge's sustained rate from a real topic into the graph
 * (consume, validate, enqueue, ingest workers, SQLite store, commit), for the README.
 */
describeIfKafka("kafka bridge throughput (prints figures)", () => {
  it("measures messages/s from a real topic into the graph", async () => {
    const N = Number(process.env.KG_BRIDGE_BENCH_MESSAGES ?? 20_000);
    const client = await testKafkaClient();
    const { env, topics } = uniqueTopics("tput");
    await createTopics(client, topics, 4);
    const p = await testPipeline("kafka-tput", { ...env, KG_INGEST_BATCH: "500" });
    const group = uniq("g-tput");
    const { bridge } = makeBridge(client, group, p.rt.queues, topics, {
      batchSize: 500,
      batchLingerMs: 50,
      backpressure: { high: 200, low: 50 },
    });
    const base = Date.now() - 3_600_000;
    const producer = client.producer();
    await producer.connect();
    const t0 = Date.now();
    for (let i = 0; i < N; i += 1000) {
      const batch = [];
      for (let k = i; k < Math.min(N, i + 1000); k++) {
        batch.push({
          key: `pod:${k}`,
          value: JSON.stringify({
            op: "UPSERT",
            at: new Date(base + k).toISOString(),
            kind: "Pod",
            namespace: `ns-${k % 20}`,
            name: `pod-${k}`,
            labels: { app: `app-${k % 50}` },
            node: `node-${k % 10}`,
            status: { phase: "Running", restartCount: 0 },
          }),
        });
      }
      await producer.send(topics.resources, batch);
    }
    await producer.disconnect();
    const produceMs = Date.now() - t0;
    try {
      const start = Date.now();
      await bridge.start();
      await until(
        "all committed",
        async () => (await committedTotal(client, group, [topics.resources])) === N,
        120_000,
      );
      const committedMs = Date.now() - start;
      await waitIdle(p.rt.queues, 60_000);
      const idleMs = Date.now() - start;
      const pods = await (p.rt.rawStore as SqliteGraphStore).searchResources({ kind: "Pod", limit: 1 });
      expect(pods.total).toBe(N);
      const rate = Math.round((N / committedMs) * 1000);
      console.log(
        `[bridge throughput] ${N} messages (Pod state, 4 partitions, batch 500, 2 ingest workers, SQLite): ` +
          `produced in ${produceMs} ms; all committed (= in the graph) after ${committedMs} ms -> ${rate} msg/s; ` +
          `pipeline idle (follow-up jobs done) after ${idleMs} ms`,
      );

      // The bridge alone (consume, validate, filter, enqueue; no workers): a second group on the
      // same topic into a queue prefix nobody works on.
      const q = await testPipeline("kafka-tput-bridge-only", { ...env, KG_INGEST_BATCH: "500" });
      await q.pool.close();
      const only = makeBridge(client, uniq("g-tput-only"), q.rt.queues, topics, {
        batchSize: 500,
        batchLingerMs: 50,
        backpressure: { high: 1_000_000, low: 1 },
        drainTimeoutMs: 0,
      });
      try {
        const s2 = Date.now();
        await only.bridge.start();
        await until("all enqueued", () => only.bridge.uncommitted === N, 120_000);
        const onlyMs = Date.now() - s2;
        console.log(
          `[bridge throughput] bridge alone (consume + validate + enqueue, no workers): ${N} messages in ${onlyMs} ms -> ${Math.round((N / onlyMs) * 1000)} msg/s (includes the group join)`,
        );
      } finally {
        await only.bridge.stop().catch(() => {});
        await q.close();
      }
    } finally {
      await bridge.stop();
      await p.close();
    }
  }, 180_000);
});
