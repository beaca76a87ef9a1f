import { rmSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readScenario } from "../../bridge/replay/index.js";
import { openRuntime } from "../../cli/runtime.js";
import { startPool, waitIdle } from "../../cli/pipeline.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { analyze } from "../../rca/analyze.js";
import type { WireMessage } from "../../rca/normalize.js";
import { testConfig } from "../helpers.js";

const scenarioPath = new URL("../../scenarios/demo/demo-checkout-oomkill.json", import.meta.url).pathname;
const demo = readScenario(scenarioPath);
const messages = demo.messages as WireMessage[];

/**
 * Replays `batches` into a fresh store with two worker pools (two replicas on the same queue
 * prefix and store), each batch enqueued separately, and returns the symptom's ranking and a
 * fingerprint of the whole graph.
 */
async function replay(batches: WireMessage[][], replicas: number) {
  const config = testConfig("order-prop");
  const rt = await openRuntime(config, "test");
  const pools = Array.from({ length: replicas }, () => startPool(rt, undefined, 2));
  try {
    for (const b of batches) if (b.length) await rt.queues.enqueueMessages(b, "replay");
    await waitIdle(rt.queues, 60_000);
    const a = await analyze(rt.store, demo.symptom.event_id, {
      windowMs: config.rca.windowMs,
      maxHops: config.rca.maxHops,
      rules: rt.rules,
    });
    return {
      ranking: a?.causes.map((c) => [c.event.id, c.confidence, c.rule]),
      blast: a?.blastRadius.map((r) => r.id),
      fingerprint: (rt.rawStore as SqliteGraphStore).fingerprintRows(),
    };
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    await rt.queues.obliterate();
    await rt.close();
    rmSync(config.dataDir, { recursive: true, force: true });
  }
}

describe("order independence (property)", () => {
  it("gives the same ranking and graph for shuffled, duplicated messages on two replicas", async () => {
    const reference = await replay([messages], 1);
    expect(reference.ranking?.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { minLength: messages.length, maxLength: messages.length }),
        fc.array(fc.nat({ max: messages.length - 1 }), { maxLength: 10 }),
        fc.nat({ max: messages.length }),
        async (keys, dupIdx, cut) => {
          // A permutation from random sort keys, plus some messages delivered twice.
          const order = messages
            .map((m, i) => ({ m, k: keys[i]!, i }))
            .sort((a, b) => a.k - b.k || a.i - b.i)
            .map((x) => x.m);
          const all = [...order, ...dupIdx.map((i) => messages[i]!)];
          const got = await replay([all.slice(0, cut), all.slice(cut)], 2);
          expect(got.ranking).toEqual(reference.ranking);
          expect(got.blast).toEqual(reference.blast);
          expect(got.fingerprint).toEqual(reference.fingerprint);
        },
      ),
      { numRuns: 5, seed: 20251126 },
    );
  }, 120_000);
});
