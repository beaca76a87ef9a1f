/**
 * RCA latency in the `kgrca api` process while another process ingests: the embedded store's
 * two-process shape (`kgrca api` beside `kgrca worker`, one SQLite file). A child process (opened
 * as a `kgrca worker` opens the store) loads the synthetic cluster and some history, then ingests
 * `--rate` messages/s for `--seconds`; this process (opened as `kgrca api` opens it: SQL only, no
 * recent events in memory, no edge index kept) times RCA queries on recent ERROR events meanwhile.
 * The worker's batches change the topology several times a second (new pods' edges, dependencies
 * learnt from log lines), which the API process must follow.
 *
 *   npm run build && node dist/bench/api-under-ingest.js [--rate 5000] [--seconds 20] [--json]
 *
 * Figures are printed, never asserted: they depend on the machine. No Redis needed (the store is
 * written directly, as the worker's ingest processor does).
 */
import { fork } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { tuneV8 } from "../cli/v8-tuning.js";
import { SqliteGraphStore } from "../graph/sqlite/index.js";
import { analyze } from "../rca/analyze.js";
import { emptyBatch, type IngestBatch } from "../rca/model.js";
import { normalizeMessage, type WireMessage } from "../rca/normalize.js";
import { loadRules } from "../rca/rules.js";
import { tempDir } from "../tests/helpers.js";
import { progressBar } from "./progress.js";
import { DEFAULT_SYNTHETIC, syntheticCluster, syntheticStream } from "./synthetic.js";

// As every kgrca process does (cli/v8-tuning.ts).
tuneV8();

const { values: args } = parseArgs({
  options: {
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "20" },
    history: { type: "string", default: "20000" },
    json: { type: "boolean", default: false },
    writer: { type: "string" },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const HISTORY = Number(args.history);
const TICK_MS = 100;
const MAX_HOPS = 3;

/** As `openGraphStore` opens it in a process that is not the only writer (api, worker). */
const openShared = async (path: string) => {
  const store = new SqliteGraphStore({ path, reachHops: MAX_HOPS, backgroundCheckpoint: true });
  await store.init();
  return store;
};

function batches(messages: Iterable<WireMessage>, size: number): IngestBatch[] {
  const out: IngestBatch[] = [];
  let batch = emptyBatch();
  let n = 0;
  for (const m of messages) {
    normalizeMessage(m, { defaultCluster: DEFAULT_SYNTHETIC.cluster }, batch);
    if (++n % size === 0) {
      out.push(batch);
      batch = emptyBatch();
    }
  }
  out.push(batch);
  return out;
}

type FromWriter = { ready: true } | { done: true; messages: number };

async function writer(path: string): Promise<void> {
  const send = (m: FromWriter) => process.send!(m);
  const store = await openShared(path);
  const cluster = syntheticCluster(DEFAULT_SYNTHETIC);
  for (const b of batches(cluster.state, 2_000)) await store.applyBatch(b);
  const stream = syntheticStream(cluster, Number.MAX_SAFE_INTEGER);
  const take = (n: number) => Array.from({ length: n }, () => stream.next().value as WireMessage);
  for (const b of batches(take(HISTORY), 2_000)) await store.applyBatch(b);
  send({ ready: true });
  const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
  const end = Date.now() + SECONDS * 1000;
  let messages = 0;
  while (Date.now() < end) {
    const t0 = Date.now();
    for (const b of batches(take(perTick), perTick)) await store.applyBatch(b);
    messages += perTick;
    await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (Date.now() - t0))));
  }
  await store.close();
  send({ done: true, messages });
}

async function main(): Promise<void> {
  const t = tempDir("kgrca-api-bench-");
  const path = join(t.dir, "kg-rca.sqlite");
  const child = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), "--writer", path], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const messages = new Promise<number>((resolve, reject) => {
    child.on("message", (m: FromWriter) => "done" in m && resolve(m.messages));
    child.on("exit", (code) => code !== 0 && reject(new Error(`the writer exited with ${code}`)));
  });
  let finished = false;
  const stop = () => {
    finished = true;
  };
  messages.then(stop, stop); // a failed writer: its error is thrown below
  process.stderr.write(`loading the synthetic cluster and ${HISTORY} messages of history...\n`);
  await new Promise<void>((resolve, reject) => {
    child.on("message", (m: FromWriter) => "ready" in m && resolve());
    child.on("exit", (code) => reject(new Error(`the writer exited with ${code}`)));
  });
  const store = await openShared(path);
  const rules = loadRules();
  const bar = progressBar("rca during ingest     [{bar}] {value}/{total} s  {queries} queries");
  bar.start(SECONDS, 0, { queries: 0 });
  const started = Date.now();
  const versionBefore = await store.topologyVersion();
  const times: number[] = [];
  try {
    while (!finished) {
      const page = await store.listEvents({ minSeverity: "ERROR", limit: 50 });
      for (const e of page.items.slice(0, 10)) {
        const t0 = performance.now();
        await analyze(store, e.id, { windowMs: 15 * 60_000, maxHops: MAX_HOPS, rules, limit: 10 });
        times.push(performance.now() - t0);
      }
      bar.update(Math.min(SECONDS, Math.floor((Date.now() - started) / 1000)), { queries: times.length });
      await new Promise((r) => setTimeout(r, 50));
    }
    bar.stop();
    const ingested = await messages;
    times.sort((a, b) => a - b);
    const at = (p: number) =>
      Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 10) / 10;
    const result = {
      rca_queries: times.length,
      rca_p50_ms: at(0.5),
      rca_p90_ms: at(0.9),
      rca_p99_ms: at(0.99),
      rca_max_ms: at(1),
      ingested_messages_per_s: Math.round(ingested / SECONDS),
      topology_versions: (await store.topologyVersion()) - versionBefore,
      full_topology_reads: store.fullTopologyReads,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else
      process.stdout.write(
        `RCA in the API process while a worker ingests ${result.ingested_messages_per_s} msg/s: ` +
          `${result.rca_queries} queries, p50 ${result.rca_p50_ms} / p90 ${result.rca_p90_ms} / ` +
          `p99 ${result.rca_p99_ms} / max ${result.rca_max_ms} ms; the worker changed the topology ` +
          `${result.topology_versions} times, the API read it whole ${result.full_topology_reads} times\n`,
      );
  } finally {
    await store.close();
    t.remove();
  }
}

if (args.writer) await writer(args.writer);
else await main();
