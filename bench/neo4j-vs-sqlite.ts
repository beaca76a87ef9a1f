/**
 * Neo4j beside the embedded store, in one run: write throughput (events/s through `applyBatch`),
 * RCA query latency (`analyze()` on each scenario's symptom), and whether both stores rank the
 * same causes for every scenario of the corpus.
 *
 *   npm run infra:up && . tests/infra/.run/env.sh
 *   npx tsx bench/neo4j-vs-sqlite.ts [--events 20000] [--batch 500] [--scenarios all|N] [--repeat 5]
 *
 * Needs the real Redis (rca-score queues follow-up jobs) and NEO4J_URL. Figures are printed, never
 * asserted: they depend on the machine.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { listReplayFiles, readScenario } from "../bridge/replay/index.js";
import { openRuntime, type Runtime } from "../cli/runtime.js";
import { tuneV8 } from "../cli/v8-tuning.js";
import { loadConfig } from "../config/index.js";
import { StoreUnavailableError } from "../graph/index.js";
import type { Neo4jGraphStore } from "../graph/neo4j/index.js";
import { replayAndRank } from "../graph/neo4j/scenario-replay.js";
import { analyze } from "../rca/analyze.js";
import type { EventInput, IngestBatch, ResourceUpsert } from "../rca/model.js";
import { tempDir, testPrefix } from "../tests/helpers.js";

// As every kgrca process does (cli/v8-tuning.ts).
tuneV8();

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    batch: { type: "string", default: "500" },
    scenarios: { type: "string", default: "all" },
    repeat: { type: "string", default: "5" },
  },
});
const EVENTS = Number(args.events);
const BATCH = Number(args.batch);
const REPEAT = Number(args.repeat);

type Kind = "sqlite" | "neo4j";

async function open(kind: Kind): Promise<{ rt: Runtime; close: () => Promise<void> }> {
  const t = tempDir("kgrca-bench-");
  const config = loadConfig({
    ...process.env,
    KG_DATA_DIR: t.dir,
    KG_QUEUE_PREFIX: testPrefix("bench-n4"),
    LOG_LEVEL: "silent",
    GRAPH_STORE: kind,
  });
  const rt = await openRuntime(config, "bench");
  if (kind === "neo4j") await (rt.rawStore as Neo4jGraphStore).deleteEverything();
  return {
    rt,
    close: async () => {
      await rt.queues.obliterate();
      await rt.close();
      rmSync(t.dir, { recursive: true, force: true });
    },
  };
}

/** A cluster of 200 pods behind 10 services on 20 nodes, then events on them with log lines naming peers. */
function syntheticLoad(): { topology: IngestBatch; events: IngestBatch[] } {
  const T0 = Date.UTC(2025, 9, 8, 10, 0, 0);
  const resources: ResourceUpsert[] = [];
  for (let s = 0; s < 10; s++)
    resources.push({
      cluster: "bench",
      kind: "Service",
      namespace: `ns-${s % 5}`,
      name: `svc-${s}`,
      labels: {},
      props: { serviceSelector: { app: `app-${s}` }, clusterIP: `10.96.0.${s + 1}` },
      atMs: T0,
      deleted: false,
    });
  for (let p = 0; p < 200; p++)
    resources.push({
      cluster: "bench",
      kind: "Pod",
      namespace: `ns-${p % 5}`,
      name: `pod-${p}`,
      labels: { app: `app-${p % 10}` },
      props: {
        node: `node-${p % 20}`,
        podIP: `10.1.${p >> 8}.${p & 255}`,
        ownerRefs: [{ kind: "ReplicaSet", name: `rs-${p % 10}` }],
      },
      atMs: T0,
      deleted: false,
    });
  const reasons = ["BackOff", "Unhealthy", "OOMKilled", "FailedScheduling", "Pulled"] as const;
  const all: EventInput[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const p = (i * 7919) % 200;
    const isLog = i % 3 === 0;
    all.push({
      id: `ev-${i}`,
      baseId: `ev-${i}`,
      cluster: "bench",
      etype: isLog ? "k8s.log" : "k8s.event",
      severity: i % 4 === 0 ? "ERROR" : "WARNING",
      reason: isLog ? "" : reasons[i % reasons.length]!,
      message: isLog ? `dial tcp 10.96.0.${(i % 10) + 1}:5432: connect: connection refused` : `event ${i}`,
      timeMs: T0 + i * 50,
      count: 1,
      subject: { cluster: "bench", kind: "Pod", namespace: `ns-${p % 5}`, name: `pod-${p}` },
    });
  }
  const events: IngestBatch[] = [];
  for (let i = 0; i < all.length; i += BATCH)
    events.push({ resources: [], resourceDeletes: [], edges: [], events: all.slice(i, i + BATCH) });
  return { topology: { resources, resourceDeletes: [], edges: [], events: [] }, events };
}

/**
 * The shared test server may be restarted under us (other suites stop and start it): an outage
 * is waited out and the unit of work redone from scratch, so the figures cover complete runs.
 */
async function resilient<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof StoreUnavailableError) || attempt >= 5) throw err;
      process.stdout.write(`  (${what}: Neo4j unavailable, waiting and redoing it)\n`);
      await new Promise((r) => setTimeout(r, 15_000));
    }
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const f1 = (x: number) => x.toFixed(1);

async function writeThroughput(
  kind: Kind,
): Promise<{ eventsPerSec: number; batchMsP50: number; batchMsP95: number }> {
  const { rt, close } = await open(kind);
  try {
    const load = syntheticLoad();
    await rt.store.applyBatch(load.topology);
    const times: number[] = [];
    const t0 = performance.now();
    for (const b of load.events) {
      const s = performance.now();
      await rt.store.applyBatch(b);
      times.push(performance.now() - s);
    }
    const secs = (performance.now() - t0) / 1000;
    return { eventsPerSec: EVENTS / secs, batchMsP50: pct(times, 50), batchMsP95: pct(times, 95) };
  } finally {
    await close();
  }
}

async function main() {
  const scenarioDir = fileURLToPath(new URL("../scenarios", import.meta.url));
  let files = listReplayFiles([scenarioDir]).filter((f) => f.endsWith(".json"));
  if (args.scenarios !== "all") files = files.slice(0, Number(args.scenarios));

  process.stdout.write(`write throughput: ${EVENTS} events in batches of ${BATCH} (200 pods, 10 services)\n`);
  const write: Record<Kind, Awaited<ReturnType<typeof writeThroughput>>> = {
    sqlite: await resilient("write sqlite", () => writeThroughput("sqlite")),
    neo4j: await resilient("write neo4j", () => writeThroughput("neo4j")),
  };
  for (const k of ["sqlite", "neo4j"] as const)
    process.stdout.write(
      `  ${k.padEnd(6)} ${f1(write[k].eventsPerSec).padStart(9)} events/s   batch p50 ${f1(write[k].batchMsP50)} ms  p95 ${f1(write[k].batchMsP95)} ms\n`,
    );

  process.stdout.write(
    `\nscenario corpus: ${files.length} scenarios, replay + rca-score + analyze on both stores\n`,
  );
  const lat: Record<Kind, number[]> = { sqlite: [], neo4j: [] };
  const replay: Record<Kind, { writeMs: number; scoreMs: number; events: number }> = {
    sqlite: { writeMs: 0, scoreMs: 0, events: 0 },
    neo4j: { writeMs: 0, scoreMs: 0, events: 0 },
  };
  let same = 0;
  const differ: string[] = [];
  for (const file of files) {
    const scenario = readScenario(file);
    const rankings: Partial<Record<Kind, string>> = {};
    for (const kind of ["sqlite", "neo4j"] as const) {
      const r = await resilient(`${scenario.name} on ${kind}`, async () => {
        const { rt, close } = await open(kind);
        try {
          const replayed = await replayAndRank(rt.workerContext, scenario);
          const opts = {
            windowMs: rt.config.rca.windowMs,
            maxHops: rt.config.rca.maxHops,
            rules: rt.rules,
            limit: 10,
          };
          const times: number[] = [];
          for (let i = 0; i < REPEAT; i++) {
            const s = performance.now();
            await analyze(rt.store, scenario.symptom.event_id, opts);
            times.push(performance.now() - s);
          }
          return { ...replayed, times };
        } finally {
          await close();
        }
      });
      rankings[kind] = JSON.stringify(r.ranking);
      replay[kind].writeMs += r.timing.writeMs;
      replay[kind].scoreMs += r.timing.scoreMs;
      replay[kind].events += r.timing.events;
      lat[kind].push(...r.times);
    }
    const ok = rankings.sqlite === rankings.neo4j;
    if (ok) same++;
    else differ.push(scenario.name);
    process.stdout.write(`  ${ok ? "same " : "DIFF "} ${scenario.name}\n`);
  }
  process.stdout.write(
    `\nidentical rankings: ${same}/${files.length}${differ.length ? ` (differ: ${differ.join(", ")})` : ""}\n`,
  );
  process.stdout.write("RCA query latency, analyze() on the symptom (warm, after replay):\n");
  for (const k of ["sqlite", "neo4j"] as const)
    process.stdout.write(
      `  ${k.padEnd(6)} p50 ${f1(pct(lat[k], 50)).padStart(7)} ms   p95 ${f1(pct(lat[k], 95)).padStart(7)} ms   (n=${lat[k].length})\n`,
    );
  process.stdout.write("scenario replay totals (ingest-sized batches of 100 messages):\n");
  for (const k of ["sqlite", "neo4j"] as const)
    process.stdout.write(
      `  ${k.padEnd(6)} ${replay[k].events} events written in ${f1(replay[k].writeMs / 1000)} s (${f1(replay[k].events / (replay[k].writeMs / 1000))} events/s), rca-score ${f1(replay[k].scoreMs / 1000)} s\n`,
    );
  process.stdout.write(
    `\n${JSON.stringify({ write, latencyMs: { sqlite: { p50: pct(lat.sqlite, 50), p95: pct(lat.sqlite, 95) }, neo4j: { p50: pct(lat.neo4j, 50), p95: pct(lat.neo4j, 95) } }, identical: `${same}/${files.length}`, replay })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
