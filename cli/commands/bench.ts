import { type Command, InvalidArgumentError } from "commander";
import { type BenchReport, DEFAULT_BENCH, runBench } from "../../bench/run-bench.js";

const count = (v: string) => {
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

const atLeastZero = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be an integer >= 0");
  return n;
};

/** Registers `kgrca bench`. */
export function register(program: Command): void {
  program
    .command("bench")
    .description(
      "benchmark the real pipeline on a synthetic cluster: sustained events/s end to end, the naive one-job-per-message baseline, ingest-to-queryable and RCA latency, peak RSS, Redis commands per event",
    )
    .option("--json", "print one JSON object")
    .option("--events <n>", "events in the throughput run", count, DEFAULT_BENCH.events)
    .option("--resources <n>", "resources in the synthetic cluster", count, DEFAULT_BENCH.resources)
    .option("--namespaces <n>", "namespaces", count, DEFAULT_BENCH.namespaces)
    .option("--nodes <n>", "nodes", count, DEFAULT_BENCH.nodes)
    .option("--rca-sizes <list>", "stored-event sizes for RCA latency, comma-separated", DEFAULT_BENCH.rcaSizes.join(","))
    .option("--rca-queries <n>", "RCA queries per size", count, DEFAULT_BENCH.rcaQueries)
    .option(
      "--rca-warmup <n>",
      "RCA queries asked first at each size, on ERROR events older than the timed ones, and reported apart (a fresh process's first answers)",
      atLeastZero,
      DEFAULT_BENCH.rcaWarmup,
    )
    .option("--latency-rate <n>", "events/s for the ingest-to-queryable measurement", count, DEFAULT_BENCH.latencyRate)
    .option("--latency-seconds <n>", "how long to ingest at that rate", count, DEFAULT_BENCH.latencySeconds)
    .option("--baseline-jobs <n>", "jobs in the naive baseline", count, DEFAULT_BENCH.baselineJobs)
    .option("--concurrency <n>", "jobs in flight per pool (in each worker process with --workers)", count, DEFAULT_BENCH.concurrency)
    .option(
      "--workers <n>",
      "run the pools in N `kgrca worker` child processes (this process enqueues, measures and queries, as the API would); 0 = every pool in this process (the `kgrca start` shape)",
      atLeastZero,
      DEFAULT_BENCH.workers,
    )
    .action(async (opts) => {
      const report = await runBench({
        events: opts.events,
        resources: opts.resources,
        namespaces: opts.namespaces,
        nodes: opts.nodes,
        rcaSizes: String(opts.rcaSizes)
          .split(",")
          .map((s) => count(s.trim())),
        rcaQueries: opts.rcaQueries,
        rcaWarmup: opts.rcaWarmup,
        latencyRate: opts.latencyRate,
        latencySeconds: opts.latencySeconds,
        baselineJobs: opts.baselineJobs,
        concurrency: opts.concurrency,
        workers: opts.workers,
        progress: true,
      });
      if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else printReport(report);
      process.exit(0);
    });
}

function printReport(r: BenchReport) {
  const line = (k: string, v: string) => process.stdout.write(`${k.padEnd(34)} ${v}\n`);
  line("mode", r.mode);
  line("throughput (end to end)", `${r.events_per_s} events/s over ${r.events} events`);
  line("naive baseline", `${r.baseline_jobs_per_s} jobs/s  (ratio ${r.ratio}x)`);
  line(`ingest→queryable @${r.latency_rate_events_per_s}/s`, `p50 ${r.ingest_to_queryable_p50_ms} ms, p99 ${r.ingest_to_queryable_p99_ms} ms`);
  for (const s of r.rca_by_size) {
    line(`RCA @ ${s.stored_events} stored events`, `p50 ${s.rca_p50_ms} ms, p99 ${s.rca_p99_ms} ms (${s.queries} queries)`);
    if (s.warmup_queries)
      line("  first queries (warm-up)", `p50 ${s.warmup_p50_ms} ms, p99 ${s.warmup_p99_ms} ms (${s.warmup_queries} queries)`);
  }
  line("peak RSS", `${r.peak_rss_mb} MB`);
  if (r.workers > 0)
    line("peak RSS by process", Object.entries(r.peak_rss_mb_by_process).map(([p, mb]) => `${p} ${mb} MB`).join(", "));
  line("Redis commands per event", String(r.redis_cmds_per_event));
  if (r.heavy_jobs_waited !== undefined)
    line("jobs that waited for memory", `${r.heavy_jobs_waited} (scoring and clustering, one at a time under pressure)`);
  line("log filter", `${r.log_filter_lines_per_s} lines/s`);
}
