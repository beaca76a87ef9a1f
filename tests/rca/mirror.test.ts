import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_SYNTHETIC, syntheticCluster, syntheticStream } from "../../bench/synthetic.js";
import { readScenario } from "../../bridge/replay/index.js";
import { waitIdle } from "../../cli/pipeline.js";
import { type AnalyzeOptions, analyze, type GraphReader } from "../../rca/analyze.js";
import type { WireMessage } from "../../rca/normalize.js";
import { testPipeline } from "../helpers.js";

const dir = new URL("../../scenarios/", import.meta.url).pathname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .slice(0, 4);

/** The store's reads without its topology version: every read goes to the store, nothing is kept. */
const plain = (s: GraphReader): GraphReader => ({
  getEvent: (id) => s.getEvent(id),
  getResources: (ids) => s.getResources(ids),
  neighborhood: (id, maxHops) => s.neighborhood(id, maxHops),
  eventsOnResources: (ids, from, to, min) => s.eventsOnResources(ids, from, to, min),
  edgesOf: (ids) => s.edgesOf(ids),
  getIncident: (id) => s.getIncident(id),
  listAnomalies: (f) => s.listAnomalies(f),
});

/** Loads `messages` (one list per enqueue) into a fresh store, then checks every warning. */
async function sameAnswers(name: string, batches: WireMessage[][], sample = 1) {
  const { rt, close } = await testPipeline(name);
  const config = rt.config;
  try {
    for (const b of batches) await rt.queues.enqueueMessages(b, "replay");
    await waitIdle(rt.queues, 120_000);
    const opts: AnalyzeOptions = {
      windowMs: config.rca.windowMs,
      maxHops: config.rca.maxHops,
      rules: rt.rules,
    };
    const events = (await rt.store.listEvents({ minSeverity: "WARNING", limit: 1000 })).items;
    expect(events.length).toBeGreaterThan(20);
    const strip = (x: unknown) => JSON.parse(JSON.stringify(x));
    for (let pass = 0; pass < 2; pass++)
      for (const e of events.filter((_, i) => i % sample === 0)) {
        const want = strip(await analyze(plain(rt.store), e.id, opts));
        expect(strip(await analyze(rt.store, e.id, opts))).toEqual(want);
      }
  } finally {
    await close();
  }
}

describe("analyze with the topology mirror", () => {
  it("answers as reads straight from the store do, cold and warm, for every warning", async () => {
    await sameAnswers(
      "mirror",
      files.map((f) => readScenario(`${dir}${f}`).messages as WireMessage[]),
    );
  }, 300_000);

  it("does so on a cluster whose hubs reach beyond what a query reads", async () => {
    // Services called by many, pods sharing nodes: the mirror knows edges a query did not read.
    const o = { ...DEFAULT_SYNTHETIC, resources: 1_500, namespaces: 4, nodes: 6 };
    const cluster = syntheticCluster(o);
    const stream = syntheticStream(cluster, 3_000, o);
    await sameAnswers("mirror-synthetic", [cluster.state, [...stream]], 7);
  }, 300_000);
});
