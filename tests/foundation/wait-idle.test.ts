import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { waitIdle } from "../../cli/pipeline.js";
import { createRedis } from "../../queues/index.js";
import { REDIS_URL, dropTestQueues, testPrefix, testQueues } from "../helpers.js";

const prefix = testPrefix("wait-idle");
const queues = testQueues(prefix);

afterAll(async () => {
  await dropTestQueues(queues);
});

describe("waitIdle", () => {
  it("resolves with when the queues were seen empty, after a second look 100 ms later", async () => {
    const t0 = performance.now();
    const seen = await waitIdle(queues, 10_000);
    const back = performance.now();
    expect(seen).toBeGreaterThanOrEqual(t0);
    expect(back - seen).toBeGreaterThanOrEqual(100);
  });

  it("is not done while a job runs, nor while its follow-up job waits: done after the last one ends", async () => {
    let ended = 0;
    const connections = [
      createRedis({ url: REDIS_URL }, "worker"),
      createRedis({ url: REDIS_URL }, "worker"),
    ];
    const worker = new Worker(
      "ingest",
      async (job) => {
        await sleep(300);
        // The first job queues a follow-up before it completes, as the pipeline's jobs do.
        if (job.data.first) await queues.get("rca-score").add("next", {});
      },
      { connection: connections[0]!, prefix },
    );
    const scorer = new Worker(
      "rca-score",
      async () => {
        await sleep(200);
        ended = performance.now();
      },
      { connection: connections[1]!, prefix },
    );
    try {
      await queues.get("ingest").add("first", { first: true });
      const seen = await waitIdle(queues, 10_000);
      expect(ended).toBeGreaterThan(0);
      expect(seen).toBeGreaterThanOrEqual(ended);
    } finally {
      await Promise.all([worker.close(), scorer.close()]);
      for (const c of connections) c.disconnect();
    }
  });
});
