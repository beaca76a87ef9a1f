import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { startApi, startPool, waitIdle } from "../cli/pipeline.js";
import { configOrExit, ensureRedis, openRuntime, type Runtime } from "../cli/runtime.js";
import type { Config } from "../config/index.js";
import type { StoredEvent } from "../graph/index.js";
import { createRedis } from "../queues/index.js";
import { analyze } from "../rca/analyze.js";
import { classifyLogLine } from "../rca/log-filter.js";
import { emptyBatch } from "../rca/model.js";
import { normalizeMessage, type WireMessage } from "../rca/normalize.js";
import { progressBar } from "./progress.js";
import { DEFAULT_SYNTHETIC, type SyntheticOptions, syntheticCluster, syntheticStream } from "./synthetic.js";
import { startWorkers, type WorkerFleet } from "./worker-ipc.js";
import { heavyJobs } from "../workers/memory-gate.js";

export interface BenchOptions {
  readonly events: number;
  readonly resources: number;
  readonly namespaces: number;
  readonly nodes: number;
  /** Stored-event sizes at which RCA latency is measured. */
  readonly rcaSizes: readonly number[];
  readonly rcaQueries: number;
  /**
   * Queries asked before the timed ones at each size, on the ERROR events just older than theirs
   * (none of the timed queries' effects), reported apart (`warmup_*` in `rca_by_size`).
   */
  readonly rcaWarmup: number;
  readonly latencyRate: number;
  readonly latencySeconds: number;
  readonly baselineJobs: number;
  readonly concurrency: number;
  /**
   * 0: one process runs every pool (the `kgrca start` shape). N >= 1: this process only enqueues,
   * measures and answers the RCA queries (the API/source role) and N `kgrca worker` processes run
   * the pools during the pipeline and latency phases.
   */
  readonly workers: number;
  readonly progress: boolean;
}

export const DEFAULT_BENCH: BenchOptions = {
  events: 200_000,
  resources: 10_000,
  namespaces: 20,
  nodes: 50,
  rcaSizes: [100_000, 1_000_000],
  // The p99 of 1,000 is the tenth slowest; of 100 it would be the second, i.e. the first queries
  // after start-up (code not yet optimised) or one collection.
  rcaQueries: 1_000,
  // A fresh process's first queries run code V8 has not optimised yet and fill the topology
  // mirror: 200 of them, on other effects, are timed apart from the 1,000.
  rcaWarmup: 200,
  latencyRate: 5_000,
  latencySeconds: 10,
  baselineJobs: 30_000,
  concurrency: 4,
  workers: 0,
  progress: true,
};

export interface BenchReport {
  machine: { cpus: number; node: string; platform: string };
  events: number;
  resources: number;
  events_per_s: number;
  baseline_jobs_per_s: number;
  ratio: number;
  ingest_to_queryable_p50_ms: number;
  ingest_to_queryable_p99_ms: number;
  /** Ingest jobs and messages behind the two figures above (the messages sent in the latency phase; more when a job was retried). */
  ingest_to_queryable_jobs: number;
  ingest_to_queryable_messages: number;
  latency_rate_events_per_s: number;
  rca_p50_ms: number;
  rca_p99_ms: number;
  rca_by_size: Array<{
    stored_events: number;
    rca_p50_ms: number;
    rca_p99_ms: number;
    queries: number;
    /** The warm-up queries asked first (`--rca-warmup`): a fresh process's first answers. */
    warmup_queries: number;
    warmup_p50_ms: number;
    warmup_p99_ms: number;
  }>;
  stored_events: number;
  /** The maximum of `peak_rss_mb_by_process`. */
  peak_rss_mb: number;
  /** Max RSS of each process: `bench` (this one) and, with `--workers N`, `worker_1` … `worker_N`. */
  peak_rss_mb_by_process: Record<string, number>;
  /** Peak RSS of this process so far at the end of each phase (RSS never shrinks in this figure), to see which phase sets it. */
  peak_rss_mb_after: Record<string, number>;
  /** V8 heap in use at the end of each phase (live objects and garbage not yet collected). */
  heap_used_mb_after: Record<string, number>;
  /**
   * What the resident memory was made of at its highest (sampled every 250 ms): `rss`, the V8 heap
   * reserved (`heap_total`) and in use (`heap_used`, garbage included), memory outside the heap
   * held by JS objects (`external`, of which `array_buffers`), the phase it happened in, and the
   * rest (`rss - heap_total - external`: code, native libraries, SQLite's cache, allocator slack).
   */
  peak_rss_breakdown_mb: Record<string, number | string>;
  /** Worker processes (0: the one-process shape). */
  workers: number;
  redis_cmds_per_event: number;
  /**
   * Scoring and clustering jobs that waited for the others under memory pressure
   * (`workers/memory-gate.ts`); the pools of this process only, so absent with `--workers`.
   */
  heavy_jobs_waited?: number;
  log_filter_lines_per_s: number;
  mode: string;
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};

async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info("stats");
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

function stage(progress: boolean, name: string, total: number) {
  if (!progress) return { update: (_n: number) => {}, stop: () => {} };
  const bar = progressBar(`${name.padEnd(22)} [{bar}] {value}/{total} {unit}`);
  bar.start(total, 0, { unit: "" });
  return { update: (n: number) => bar.update(n), stop: () => bar.stop() };
}

/** The naive pipeline: one BullMQ job per message and a trivial processor. */
async function baseline(config: Config, jobs: number, progress: boolean): Promise<number> {
  const connection = createRedis({ url: config.redis.url }, "worker");
  const prefix = `${config.queuePrefix}-naive`;
  const q = new Queue("naive", { connection, prefix });
  const bar = stage(progress, "baseline (enqueue)", jobs);
  for (let i = 0; i < jobs; i += 1000) {
    await q.addBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: "m", data: { i: i + k }, opts: { removeOnComplete: true } })));
    bar.update(Math.min(jobs, i + 1000));
  }
  bar.stop();
  let done = 0;
  const run = stage(progress, "baseline (process)", jobs);
  const start = performance.now();
  let resolveDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const workerConnection = createRedis({ url: config.redis.url }, "worker");
  const w = new Worker(
    "naive",
    async () => {
      done++;
      if (done % 1000 === 0) run.update(done);
      if (done === jobs) resolveDone();
    },
    { connection: workerConnection, prefix, concurrency: 100, autorun: true },
  );
  await finished;
  const seconds = (performance.now() - start) / 1000;
  await w.close();
  workerConnection.disconnect();
  run.stop();
  await q.obliterate({ force: true }).catch(() => {});
  await q.close();
  connection.disconnect();
  return jobs / seconds;
}

async function loadState(rt: Runtime, state: WireMessage[]) {
  await rt.queues.enqueueMessages(state, "bench");
  await waitIdle(rt.queues, 600_000);
}

/** Bulk-loads synthetic events straight into the store (no queues) up to `target` stored events. */
async function fillStore(rt: Runtime, gen: Generator<WireMessage>, target: number, progress: boolean) {
  let stored = (await rt.store.stats()).episodic_events;
  const bar = stage(progress, `fill store to ${target / 1000}k`, target);
  while (stored < target) {
    const batch = emptyBatch();
    for (let i = 0; i < 5000; i++) {
      const m = gen.next();
      if (m.done) break;
      try {
        normalizeMessage(m.value, rt.workerContext.normalize, batch);
      } catch {
        // synthetic messages are valid
      }
    }
    const r = await rt.store.applyBatch(batch);
    stored += r.counts.events + r.counts.changeEvents;
    bar.update(Math.min(stored, target));
  }
  bar.stop();
  return stored;
}

async function rcaLatency(
  rt: Runtime,
  queries: number,
  warmup: number,
  progress: boolean,
): Promise<{ times: number[]; warm: number[] }> {
  const stats = await rt.store.stats();
  const newest = Date.parse(stats.newest_event ?? new Date().toISOString());
  // Symptoms an operator would start from: recent ERROR events (the newest 1,000 of the last
  // hour). The warm-up asks about the 1,000 before those.
  const recent = (
    await rt.store.listEvents({ minSeverity: "ERROR", sinceMs: newest - 3_600_000, limit: 1000 })
  ).items;
  const oldest = recent.length ? Math.min(...recent.map((e) => e.timeMs)) : newest;
  const older = (await rt.store.listEvents({ minSeverity: "ERROR", untilMs: oldest - 1, limit: 1000 })).items;
  const ask = async (list: readonly StoredEvent[], n: number, label: string): Promise<number[]> => {
    const times: number[] = [];
    const bar = stage(progress, label, n);
    for (let i = 0; i < n && list.length; i++) {
      const e = list[(i * 7919) % list.length]!;
      const t0 = performance.now();
      await analyze(rt.store, e.id, { windowMs: rt.config.rca.windowMs, maxHops: rt.config.rca.maxHops, rules: rt.rules, limit: 10 });
      times.push(performance.now() - t0);
      bar.update(i + 1);
    }
    bar.stop();
    return times;
  };
  const warm = await ask(older, Math.min(warmup, older.length), "rca warm-up");
  const times = await ask(recent, queries, "rca queries");
  return { times, warm };
}

function logFilterRate(): number {
  const lines = [
    "GET /healthz 200 1ms",
    "user 4411 logged in",
    "dial tcp 10.1.4.7:5432: connect: connection refused",
    "cache warm-up finished in 120ms",
    "upstream returned status 503",
    "processed 120 items in batch 7",
    "INFO request completed",
    "x509: certificate has expired or is not yet valid",
  ];
  const n = 400_000;
  let kept = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (classifyLogLine(lines[i & 7]!, i % 10 === 0 ? "ERROR" : "INFO").keep) kept++;
  const s = (performance.now() - t0) / 1000;
  return kept >= 0 ? Math.round(n / s) : 0;
}

/**
 * Runs the benchmark: with `workers: 0` all in this process (API-less `kgrca start` shape: every
 * pool in one process); with `workers: N` the pools run in N `kgrca worker` child processes and
 * this one plays the API/source (enqueues, measures, runs the RCA queries; its store reads SQL
 * only, as `kgrca api` does). Ingest→queryable is enqueue → committed either way: the ingest
 * processor's `onStored` hook, called in-process or reported by the workers over IPC.
 */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const rssAfter: Record<string, number> = {};
  const heapAfter: Record<string, number> = {};
  const mb = (n: number) => Math.round(n / 1024 / 1024);
  const phases = ["baseline", "state", "pipeline", "latency", ...o.rcaSizes.flatMap((s) => [`fill_${s}`, `rca_${s}`])];
  let phaseNow = phases[0]!;
  let peak: Record<string, number | string> = { rss: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    if (mb(m.rss) <= (peak.rss as number)) return;
    peak = {
      rss: mb(m.rss),
      heap_total: mb(m.heapTotal),
      heap_used: mb(m.heapUsed),
      external: mb(m.external),
      array_buffers: mb(m.arrayBuffers),
      other: mb(m.rss - m.heapTotal - m.external),
      phase: phaseNow,
    };
  };
  const sampler = setInterval(sample, 250);
  sampler.unref();
  // KG_BENCH_HEAP_SNAPSHOTS=<dir>: a V8 heap snapshot at the end of each phase (diagnosis only:
  // writing one takes seconds and memory of its own).
  const snapshots = process.env.KG_BENCH_HEAP_SNAPSHOTS;
  const mark = (phase: string) => {
    sample();
    rssAfter[phase] = Math.round(process.resourceUsage().maxRSS / 1024);
    // With --expose-gc, the heap after a full collection: what the phase left alive.
    (globalThis as { gc?: () => void }).gc?.();
    heapAfter[phase] = Math.round(process.memoryUsage().heapUsed / 1024 / 1024);
    if (snapshots) writeHeapSnapshot(join(snapshots, `${phase}.heapsnapshot`));
    phaseNow = phases[phases.indexOf(phase) + 1] ?? "report";
  };
  const dir = mkdtempSync(join(tmpdir(), "kgrca-bench-"));
  const overrides = {
    KG_DATA_DIR: dir,
    KG_QUEUE_PREFIX: `kgrca-bench-${process.pid}`,
    KG_RETENTION_DAYS: "0",
    LOG_LEVEL: "error",
    // The API is served, as `kgrca start` (or `kgrca api`) does, on a free local port.
    HOST: "127.0.0.1",
    PORT: "0",
  };
  const base = configOrExit(overrides);
  const redisHandle = await ensureRedis(base, { info: () => {} } as never);
  const config: Config = { ...base, redis: { ...base.redis, url: redisHandle.url } };
  const synth: SyntheticOptions = { ...DEFAULT_SYNTHETIC, resources: o.resources, namespaces: o.namespaces, nodes: o.nodes };
  const cluster = syntheticCluster(synth);
  let rt: Runtime | undefined;
  let fleet: WorkerFleet | undefined;
  let api: { stop: () => Promise<void> } | undefined;
  const multi = o.workers > 0;
  try {
    const baselineRate = await baseline(config, o.baselineJobs, o.progress);
    mark("baseline");

    // 1. Sustained end-to-end throughput.
    // The API shape reads SQL only (no recent events in memory): open it as `kgrca api` does.
    rt = await openRuntime(config, multi ? "api" : "bench");
    // Its code and state count in this process's memory, as in the shapes it plays.
    api = await startApi(rt);
    const latencies: number[] = [];
    let recordLatency = false;
    // Multi-process: the workers' commit reports arrive over IPC, possibly after the queues are
    // idle; a report counts when its job was enqueued during the latency phase.
    let latencyFromMs = Number.POSITIVE_INFINITY;
    let latencyToMs = Number.POSITIVE_INFINITY;
    let latencyMessages = 0;
    const onStored = (enq: number, stored: number, messages: number) => {
      if (multi ? enq >= latencyFromMs && enq <= latencyToMs : recordLatency) {
        latencies.push(stored - enq);
        latencyMessages += messages;
      }
    };
    let pool: { close(): Promise<void> } | undefined;
    if (multi) {
      const ready = stage(o.progress, `start ${o.workers} worker(s)`, o.workers);
      fleet = await startWorkers(
        o.workers,
        { ...process.env, ...overrides, REDIS_URL: config.redis.url, KG_WORKER_CONCURRENCY: String(o.concurrency) },
        onStored,
        (n) => ready.update(n),
      );
      ready.stop();
    } else {
      (rt.workerContext as { onStored?: typeof onStored }).onStored = onStored;
      pool = startPool(rt, undefined, o.concurrency);
    }
    // Waits end early with an error when a worker process dies.
    const guard = <T>(p: Promise<T>): Promise<T> => (fleet ? fleet.guard(p) : p);
    await guard(loadState(rt, cluster.state));
    mark("state");
    const stream = syntheticStream(cluster, o.events + 10_000_000, synth);
    const cmds0 = await redisCommands(rt.redis);
    const bar = stage(o.progress, "pipeline", o.events);
    const t0 = performance.now();
    // Generated a chunk at a time (a few ms each), so the run does not hold every message at once.
    for (let i = 0; i < o.events; i += 10_000) {
      const chunk: WireMessage[] = [];
      for (let k = i; k < Math.min(o.events, i + 10_000); k++) chunk.push(stream.next().value as WireMessage);
      await guard(rt.queues.enqueueMessages(chunk, "bench"));
      bar.update(Math.min(o.events, i + 10_000));
    }
    // Until the queues were seen empty (within ~20 ms of the last job's end), not until the look
    // 100 ms later that confirms it.
    const done = await guard(waitIdle(rt.queues, 3_600_000));
    const seconds = (done - t0) / 1000;
    bar.stop();
    const cmds = (await redisCommands(rt.redis)) - cmds0;
    const eventsPerS = o.events / seconds;
    mark("pipeline");

    // 2. Ingest-to-queryable latency at a steady rate.
    recordLatency = true;
    latencyFromMs = Date.now();
    const perTick = Math.max(1, Math.round(o.latencyRate / 10));
    const ticks = o.latencySeconds * 10;
    const lbar = stage(o.progress, `latency @${o.latencyRate}/s`, ticks);
    const lt0 = performance.now();
    for (let k = 0; k < ticks; k++) {
      const batch: WireMessage[] = [];
      for (let i = 0; i < perTick; i++) batch.push(stream.next().value as WireMessage);
      await guard(rt.queues.enqueueMessages(batch, "bench"));
      lbar.update(k + 1);
      const wait = lt0 + (k + 1) * 100 - performance.now();
      if (wait > 0) await guard(new Promise((r) => setTimeout(r, wait)));
    }
    latencyToMs = Date.now();
    await guard(waitIdle(rt.queues, 600_000));
    lbar.stop();
    recordLatency = false;
    // Graceful stop (SIGTERM: drain, close, last RSS report); every commit report has arrived once they exit.
    const rssByProcess: Record<string, number> = { bench: 0, ...(fleet ? await fleet.stop() : {}) };
    await pool?.close();
    mark("latency");

    // 3. RCA latency at growing store sizes.
    const bySize: BenchReport["rca_by_size"] = [];
    let stored = 0;
    for (const size of o.rcaSizes) {
      stored = await fillStore(rt, stream, size, o.progress);
      mark(`fill_${size}`);
      const { times, warm } = await rcaLatency(rt, o.rcaQueries, o.rcaWarmup, o.progress);
      mark(`rca_${size}`);
      bySize.push({
        stored_events: stored,
        rca_p50_ms: pct(times, 50),
        rca_p99_ms: pct(times, 99),
        queries: times.length,
        warmup_queries: warm.length,
        warmup_p50_ms: pct(warm, 50),
        warmup_p99_ms: pct(warm, 99),
      });
    }
    const last = bySize[bySize.length - 1] ?? { rca_p50_ms: 0, rca_p99_ms: 0 };
    rssByProcess.bench = Math.round(process.resourceUsage().maxRSS / 1024);
    const peakRssMb = Math.max(...Object.values(rssByProcess));
    return {
      machine: { cpus: (await import("node:os")).cpus().length, node: process.version, platform: process.platform },
      events: o.events,
      resources: cluster.state.length,
      events_per_s: Math.round(eventsPerS),
      baseline_jobs_per_s: Math.round(baselineRate),
      ratio: Math.round((eventsPerS / baselineRate) * 100) / 100,
      ingest_to_queryable_p50_ms: pct(latencies, 50),
      ingest_to_queryable_p99_ms: pct(latencies, 99),
      ingest_to_queryable_jobs: latencies.length,
      ingest_to_queryable_messages: latencyMessages,
      latency_rate_events_per_s: o.latencyRate,
      rca_p50_ms: last.rca_p50_ms,
      rca_p99_ms: last.rca_p99_ms,
      rca_by_size: bySize,
      stored_events: stored,
      peak_rss_mb: peakRssMb,
      peak_rss_mb_by_process: rssByProcess,
      peak_rss_mb_after: rssAfter,
      heap_used_mb_after: heapAfter,
      peak_rss_breakdown_mb: peak,
      workers: o.workers,
      redis_cmds_per_event: Math.round((cmds / o.events) * 100) / 100,
      ...(multi ? {} : { heavy_jobs_waited: heavyJobs.waited }),
      log_filter_lines_per_s: logFilterRate(),
      mode: multi
        ? `api + ${o.workers} worker process(es) (kgrca worker, all pools, concurrency ${o.concurrency} each); ingest→queryable from the workers' onStored over IPC`
        : `one process (kgrca start shape), all pools, concurrency ${o.concurrency}`,
    };
  } finally {
    clearInterval(sampler);
    fleet?.kill();
    await api?.stop().catch(() => {});
    if (rt) {
      await rt!.queues.obliterate();
      await rt.close();
    }
    redisHandle.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
