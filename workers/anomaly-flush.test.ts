import { afterEach, describe, expect, it } from "vitest";
import { CLUSTER, event, T0 } from "../tests/rca/fixtures.js";
import { testPipeline, testRuntime } from "../tests/helpers.js";
import { AnomalyFlush } from "./anomaly-flush.js";
import { processAnomaly } from "./anomaly-processor.js";
import { ANOMALY_COALESCE_MS } from "./ingest-processor.js";

const BUCKET = Math.floor(T0 / (15 * 60_000)) * 15 * 60_000;
const WINDOW = { cluster: CLUSTER, fromMs: BUCKET, toMs: BUCKET + 15 * 60_000 - 1 };
const DEDUPE = `anomaly:${CLUSTER}:${BUCKET}`;
/** Far longer than any test waits: a detection that ran was promoted, not let through by its delay. */
const LONG = 600_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function until<T>(what: string, read: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("coalesced anomaly detections", () => {
  it("run once ingest and scoring are idle, without waiting out their delay", async () => {
    const p = await testPipeline("anomaly-flush");
    cleanups.push(p.close);
    const anomaly = p.rt.queues.get("anomaly");
    // A request for the window, waiting to be merged with the ones after it (as `enqueueAnomaly`
    // makes them, with a delay no test waits out). The ingest job's own request merges into it.
    const waiting = await anomaly.add("anomaly", WINDOW, {
      delay: LONG,
      deduplication: { id: DEDUPE, ttl: LONG },
    });
    // Twelve errors in a minute on one pod: an error spike (more than ten).
    const pod = { kind: "Pod", ns: "shop", name: "cart-1" };
    const msgs = Array.from({ length: 12 }, (_, i) =>
      event(`e-${i}`, i, "Failed", pod, { severity: "ERROR" }),
    );
    await p.rt.queues.enqueueMessages(msgs, "replay");

    const spikes = await until("the error spike", async () => {
      const page = await p.rt.store.listAnomalies({ cluster: CLUSTER, type: "error_spike", limit: 10 });
      return page.items.length ? page.items : undefined;
    });
    expect(spikes.map((a) => a.count)).toEqual([12]);
    const done = await anomaly.getJob(waiting.id!);
    expect(await done?.getState()).toBe("completed");
    expect(p.pool.anomalyFlush?.promoted).toBe(1);
    expect((await p.rt.metrics.anomalyDetectionsPromoted.get()).values[0]?.value).toBe(1);
    // The ingest job's request merged into the waiting one: one detection, nothing left waiting.
    expect(await anomaly.getJobCounts("delayed", "waiting", "completed")).toEqual({
      delayed: 0,
      waiting: 0,
      completed: 1,
    });
  });

  it("promote only merged requests never started, at most once per coalescing period", async () => {
    const { rt, close } = await testRuntime("anomaly-flush-unit");
    cleanups.push(close);
    const anomaly = rt.queues.get("anomaly");
    let now = 1_000_000;
    const flush = new AnomalyFlush({
      queues: rt.queues,
      sources: ["ingest", "rca-score"],
      logger: rt.logger,
      now: () => now,
    });
    cleanups.push(() => flush.close());
    const merged = await anomaly.add("anomaly", WINDOW, {
      delay: LONG,
      deduplication: { id: DEDUPE, ttl: LONG },
    });
    // Delayed for another reason (no merging): keeps its delay.
    const other = await anomaly.add("anomaly", { ...WINDOW, cluster: "other" }, { delay: LONG });
    // Started once and put back (as after a store outage: BullMQ counts the start): keeps its delay.
    const putBack = await anomaly.add(
      "anomaly",
      { ...WINDOW, cluster: "put-back" },
      { delay: LONG, deduplication: { id: "put-back", ttl: LONG } },
    );
    await rt.redis.hset(`${rt.config.queuePrefix}:anomaly:${putBack.id}`, "ats", "1");

    // A job still in flight here: not idle.
    flush.started("ingest");
    flush.started("rca-score");
    flush.ended("ingest");
    flush.settled("ingest");
    await new Promise((r) => setTimeout(r, 300));
    expect(await merged.getState()).toBe("delayed");

    flush.ended("rca-score");
    flush.settled("rca-score");
    await until("the promotion", async () => ((await merged.getState()) === "waiting" ? true : undefined));
    expect(await other.getState()).toBe("delayed");
    expect(await putBack.getState()).toBe("delayed");
    expect(flush.promoted).toBe(1);

    // A second request soon after: it waits out the coalescing period, or its delay.
    const next = await anomaly.add(
      "anomaly",
      { ...WINDOW, cluster: "next" },
      {
        delay: LONG,
        deduplication: { id: "next", ttl: LONG },
      },
    );
    now += ANOMALY_COALESCE_MS / 2;
    flush.started("ingest");
    flush.ended("ingest");
    flush.settled("ingest");
    await new Promise((r) => setTimeout(r, 300));
    expect(await next.getState()).toBe("delayed");
    now += ANOMALY_COALESCE_MS;
    flush.started("ingest");
    flush.ended("ingest");
    flush.settled("ingest");
    await until("the second promotion", async () =>
      (await next.getState()) === "waiting" ? true : undefined,
    );
    expect(flush.promoted).toBe(2);
  });

  it("a request made once detection has started is a job of its own", async () => {
    const { rt, close } = await testRuntime("anomaly-dedupe");
    cleanups.push(close);
    const anomaly = rt.queues.get("anomaly");
    const first = await anomaly.add("anomaly", WINDOW, {
      delay: LONG,
      deduplication: { id: DEDUPE, ttl: LONG },
    });
    // Merged while the first waits.
    const merged = await anomaly.add("anomaly", WINDOW, {
      delay: LONG,
      deduplication: { id: DEDUPE, ttl: LONG },
    });
    expect(merged.id).toBe(first.id);

    await processAnomaly(rt.workerContext, WINDOW, first);
    // The first has read the window: a later request must not merge into it.
    const later = await anomaly.add("anomaly", WINDOW, {
      delay: LONG,
      deduplication: { id: DEDUPE, ttl: LONG },
    });
    expect(later.id).not.toBe(first.id);
    expect(await anomaly.getDelayedCount()).toBe(2);
  });
});
