import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPool, waitIdle } from "../../cli/pipeline.js";
import { openRuntime, type Runtime } from "../../cli/runtime.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { DEFAULT_TOPICS } from "../../rca/normalize.js";
import { createLogger, Metrics } from "../../telemetry/index.js";
import { testConfig } from "../../tests/helpers.js";
import type { WorkerPool } from "../../workers/index.js";
import type { KafkaBatch, KafkaConsumerLike, KafkaRecord, TopicPartitionOffset } from "./client.js";
import { KafkaBridge } from "./kafka-bridge.js";

/**
 * HONEST FAKE, used only here: a consumer surface the test steers by hand, because a real broker
 * cannot be made to rebalance at an exact moment (between the enqueue of a unit and the
 * completion of its jobs). Everything else (queues, workers, store) is real. The same properties
 * on a real broker are covered by kafka-bridge-replicas.test.ts and kafka-bridge-crash.test.ts.
 */
class SteeredConsumer implements KafkaConsumerLike {
  private handler: ((b: KafkaBatch) => Promise<number>) | undefined;
  private readonly assignment: Array<(a: ReadonlyArray<{ topic: string; partitions: number[] }>) => void> =
    [];
  readonly commits: TopicPartitionOffset[] = [];
  paused = false;

  async connect() {}
  async subscribe() {}
  async run(h: (b: KafkaBatch) => Promise<number>) {
    this.handler = h;
  }
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  async commitOffsets(o: readonly TopicPartitionOffset[]) {
    this.commits.push(...o);
  }
  onAssignment(cb: (a: ReadonlyArray<{ topic: string; partitions: number[] }>) => void) {
    this.assignment.push(cb);
  }
  onCrash() {}
  async disconnect() {}

  rebalance(partitions: number[]) {
    for (const cb of this.assignment) cb([{ topic: DEFAULT_TOPICS.resources, partitions }]);
  }
  deliver(partition: number, records: KafkaRecord[]) {
    return this.handler!({ topic: DEFAULT_TOPICS.resources, partition, messages: records });
  }
}

const record = (offset: number): KafkaRecord => ({
  key: Buffer.from(`pod:${offset}`),
  value: Buffer.from(
    JSON.stringify({ kind: "Pod", namespace: "rb", name: `pod-${offset}`, at: "2026-11-26T10:00:00Z" }),
  ),
  offset: String(offset),
});

describe("kafka bridge: a rebalance between enqueue and completion (steered fake consumer)", () => {
  let rt: Runtime;
  let pool: WorkerPool | undefined;

  beforeAll(async () => {
    rt = await openRuntime(testConfig("kafka-rebalance"), "test");
  });
  afterAll(async () => {
    await pool?.close();
    await rt.queues.obliterate();
    await rt.close();
  });

  it("never commits offsets tracked in a previous generation; the redelivery commits them", async () => {
    const consumer = new SteeredConsumer();
    const bridge = new KafkaBridge({
      consumer,
      queues: rt.queues,
      metrics: new Metrics("rebalance-test"),
      logger: createLogger("rebalance-test", "silent"),
      defaultCluster: "default",
      batchSize: 5,
      batchLingerMs: 10,
      backpressure: { high: 1_000, low: 10 },
      pollMs: 20,
    });
    await bridge.start();
    consumer.rebalance([0]);
    expect(
      await consumer.deliver(
        0,
        Array.from({ length: 10 }, (_, i) => record(i)),
      ),
    ).toBe(10);
    await new Promise((r) => setTimeout(r, 100));
    expect(bridge.uncommitted).toBe(10); // enqueued, no worker yet
    // The group rebalances (this member keeps partition 0): the broker will resend from the last
    // commit, so what was tracked must not be committed by this member any more.
    consumer.rebalance([0]);
    pool = startPool(rt, undefined, 2);
    await waitIdle(rt.queues, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(consumer.commits).toEqual([]);
    // The redelivery after the rebalance: processed again (idempotently) and committed.
    await consumer.deliver(
      0,
      Array.from({ length: 10 }, (_, i) => record(i)),
    );
    const deadline = Date.now() + 20_000;
    while (!consumer.commits.some((c) => c.offset === "10") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(consumer.commits.at(-1)).toEqual({ topic: DEFAULT_TOPICS.resources, partition: 0, offset: "10" });
    const pods = await (rt.rawStore as SqliteGraphStore).searchResources({ namespace: "rb", limit: 100 });
    expect(pods.total).toBe(10);
    await bridge.stop();
  });
});
