import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitIdle } from "../../cli/pipeline.js";
import { ALL_QUEUES } from "../../queues/index.js";
import { REDIS_URL, tempDir, dropTestQueues, testPrefix, testQueues } from "../helpers.js";
import { freePort, runTool, startCli, stopCli, waitHttp } from "./cli-process.js";
import { incidentMessages } from "./fixture.js";

/** The metric names of DESIGN.md; every process registers all of them. */
const DESIGN_METRICS = [
  "kg_messages_processed_total",
  "kg_message_processing_duration_seconds",
  "kg_neo4j_operations_total",
  "kg_neo4j_query_duration_seconds",
  "kg_rca_links_created_total",
  "kg_severity_escalations_total",
  "kg_incidents_clustered_total",
  "kg_anomalies_detected_total",
  "kg_circuit_breaker_state",
  "kg_dlq_messages_total",
];

const prefix = testPrefix("metrics");
const data = tempDir("kgrca-metrics-");
let api: ChildProcess | undefined;
let worker: ChildProcess | undefined;
let apiUrl: string;
let workerUrl: string;
const queues = testQueues(prefix);

beforeAll(async () => {
  const env = { REDIS_URL, KG_QUEUE_PREFIX: prefix, KG_DATA_DIR: data.dir };
  const apiPort = await freePort();
  const metricsPort = await freePort();
  api = startCli(["api"], { ...env, PORT: String(apiPort), HOST: "127.0.0.1" });
  worker = startCli(["worker", "--metrics-port", String(metricsPort)], { ...env, HOST: "127.0.0.1" });
  apiUrl = `http://127.0.0.1:${apiPort}`;
  workerUrl = `http://127.0.0.1:${metricsPort}`;
  // Generous: each process transpiles the CLI with tsx, and CI machines are often busy.
  await Promise.all([
    waitHttp(`${apiUrl}/healthz`, 100_000, api),
    waitHttp(`${workerUrl}/healthz`, 100_000, worker),
  ]);
  await queues.enqueueMessages(incidentMessages("metrics"), "api");
  await waitIdle(queues, 30_000);
  await fetch(`${apiUrl}/api/v1/rca/fx-backoff`);
  await fetch(`${apiUrl}/api/v1/incidents`);
});

afterAll(async () => {
  await Promise.all([stopCli(api), stopCli(worker)]);
  await dropTestQueues(queues);
  data.remove();
  rmSync(data.dir, { recursive: true, force: true });
});

async function scrape(url: string): Promise<string> {
  const r = await fetch(`${url}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toContain("text/plain");
  return r.text();
}

describe("/metrics of real processes", () => {
  it("API: promtool check metrics passes; queue gauges, HTTP durations, process metrics", async () => {
    const text = await scrape(apiUrl);
    const check = runTool("promtool", ["check", "metrics"], text);
    expect(check.output).toBe("");
    expect(check.status).toBe(0);
    for (const q of ALL_QUEUES) {
      for (const state of ["waiting", "active", "failed"])
        expect(text).toContain(`kg_queue_jobs{queue="${q}",state="${state}",process="api"}`);
    }
    expect(text).toMatch(/kg_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/rca\/:event_id"/);
    expect(text).toContain("process_resident_memory_bytes");
    expect(text).toMatch(/kg_graph_objects\{type="events",process="api"\} [1-9]/);
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    expect(text).toMatch(/kg_rca_query_duration_seconds_count\{[^}]*\} [1-9]/);
    for (const m of DESIGN_METRICS) expect(text, m).toContain(`# TYPE ${m} `);
  });

  it("worker: promtool check metrics passes and the pipeline metrics count what it did", async () => {
    const text = await scrape(workerUrl);
    const check = runTool("promtool", ["check", "metrics"], text);
    expect(check.output).toBe("");
    expect(check.status).toBe(0);
    for (const m of DESIGN_METRICS) expect(text, m).toContain(`# TYPE ${m} `);
    expect(text).toMatch(/kg_messages_processed_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/kg_message_processing_duration_seconds_count\{[^}]*queue="ingest"[^}]*\} [1-9]/);
    expect(text).toMatch(/kg_rca_links_created_total\{[^}]*\} [1-9]/);
  });
});
