import { describe, expect, it } from "vitest";
import { REDIS_URL } from "../helpers.js";
import { runCliAsync } from "./cli-process.js";

/** The smallest bench that still goes through every phase. */
const TINY = [
  "bench",
  "--json",
  "--events",
  "300",
  "--resources",
  "150",
  "--namespaces",
  "2",
  "--nodes",
  "3",
  "--rca-sizes",
  "1",
  "--rca-queries",
  "1",
  "--latency-rate",
  "50",
  "--latency-seconds",
  "1",
  "--baseline-jobs",
  "10",
];

describe("kgrca bench --workers", () => {
  it("runs the pools in kgrca worker processes and reports each one's peak RSS", async () => {
    const r = await runCliAsync([...TINY, "--workers", "2"], { REDIS_URL, LOG_LEVEL: "error" }, 150_000);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim());
    expect(report.workers).toBe(2);
    expect(report.mode).toMatch(/^api \+ 2 worker process/);
    expect(Object.keys(report.peak_rss_mb_by_process).sort()).toEqual(["bench", "worker_1", "worker_2"]);
    for (const mb of Object.values(report.peak_rss_mb_by_process)) expect(mb).toBeGreaterThan(20);
    expect(report.peak_rss_mb).toBe(Math.max(...(Object.values(report.peak_rss_mb_by_process) as number[])));
    expect(report.events_per_s).toBeGreaterThan(0);
    // Every message of the latency phase was committed by a worker and reported over IPC.
    expect(report.ingest_to_queryable_messages).toBe(50);
    expect(report.ingest_to_queryable_jobs).toBeGreaterThan(0);
    expect(report.ingest_to_queryable_p99_ms).toBeGreaterThanOrEqual(report.ingest_to_queryable_p50_ms);
    expect(report.rca_by_size[0].stored_events).toBeGreaterThan(300);
    // Waits of the memory gate happen in the workers: not this process's to report.
    expect(report).not.toHaveProperty("heavy_jobs_waited");
  }, 180_000);

  it("keeps the one-process shape by default, with the same keys", async () => {
    const r = await runCliAsync(TINY, { REDIS_URL, LOG_LEVEL: "error" }, 120_000);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim());
    expect(report.workers).toBe(0);
    expect(report.mode).toMatch(/^one process/);
    expect(report.peak_rss_mb_by_process).toEqual({ bench: report.peak_rss_mb });
    expect(report.ingest_to_queryable_messages).toBe(50);
    // The warm-up queries are reported apart from the timed ones (none here: no hour before).
    const [size] = report.rca_by_size;
    expect(size.queries).toBe(1);
    expect(size.warmup_queries).toBeGreaterThanOrEqual(0);
    expect(size.warmup_queries).toBeLessThanOrEqual(200);
    expect(size.warmup_p99_ms).toBeGreaterThanOrEqual(size.warmup_p50_ms);
    // A tiny run in a big heap: no memory pressure, so no job waited.
    expect(report.heavy_jobs_waited).toBe(0);
  }, 150_000);

  it("rejects a negative worker count", async () => {
    const r = await runCliAsync(["bench", "--workers", "-1"], { REDIS_URL }, 60_000);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--workers/);
  }, 90_000);
});
