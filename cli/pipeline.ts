import cliProgress from "cli-progress";
import { QUEUE_NAMES, type QueueName, type Queues } from "../queues/index.js";
import type { WireMessage } from "../rca/normalize.js";
import { WorkerPool } from "../workers/index.js";
import { setMemoryPressureShare } from "../workers/memory-gate.js";
import type { Runtime } from "./runtime.js";

/** Starts worker pools for `pools` on this runtime. */
export function startPool(
  rt: Runtime,
  pools: readonly QueueName[] = QUEUE_NAMES,
  concurrency = rt.config.workers.concurrency,
): WorkerPool {
  setMemoryPressureShare(rt.config.workers.memoryPressurePercent / 100);
  const pool = new WorkerPool(rt.workerContext, {
    pools,
    concurrency,
    redisUrl: rt.config.redis.url,
    ...(rt.config.redis.tlsCaFile ? { redisTlsCaFile: rt.config.redis.tlsCaFile } : {}),
    prefix: rt.config.queuePrefix,
    outageDelayMs: rt.config.breaker.cooldownMs,
  });
  pool.start();
  return pool;
}

/** Registers the retention job scheduler (idempotent: every replica may call it). */
export async function scheduleCleanup(rt: Runtime): Promise<void> {
  await rt.queues
    .get("cleanup")
    .upsertJobScheduler("retention", { pattern: rt.config.retention.cron }, { name: "cleanup", data: {} });
}

/** Serves the API; resolves once listening, with a function that stops it. */
export async function startApi(rt: Runtime): Promise<{ url: string; stop: () => Promise<void> }> {
  // Loaded here, not at start-up: processes without the API (`kgrca worker`, the bridge, the
  // watcher, one-shot commands) do not carry its code (OpenAPI, Bull Board, Swagger; ~13 MB RSS).
  const [{ serve }, { createApp }] = await Promise.all([import("@hono/node-server"), import("../api/index.js")]);
  const app = createApp({
    store: rt.store,
    queues: rt.queues,
    metrics: rt.metrics,
    logger: rt.logger,
    rules: rt.rules,
    rca: rt.config.rca,
    api: rt.config.api,
    readiness: [
      async () => {
        if ((await rt.redis.ping()) !== "PONG") throw new Error("redis does not answer");
      },
    ],
  });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: rt.config.port, hostname: rt.config.host }, (info) => {
      const host = rt.config.host === "0.0.0.0" || rt.config.host === "::" ? "localhost" : rt.config.host;
      resolve({
        url: `http://${host}:${info.port}`,
        stop: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
    server.once("error", reject);
  });
}

/** Enqueues messages in batches, with a progress bar on stderr when it is a terminal or `progress` is set. */
export async function enqueueWithProgress(
  queues: Queues,
  messages: readonly WireMessage[],
  source: "replay" | "bench",
  progress: boolean,
): Promise<number> {
  const bar = progress
    ? new cliProgress.SingleBar(
        {
          format: "replay [{bar}] {value}/{total} messages | {eta_formatted} left",
          stream: process.stderr,
          noTTYOutput: !process.stderr.isTTY,
          notTTYSchedule: 2000,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(messages.length, 0);
  const step = queues.settings.ingestBatch * 20;
  let jobs = 0;
  for (let i = 0; i < messages.length; i += step) {
    jobs += (await queues.enqueueMessages(messages.slice(i, i + step), source)).length;
    bar?.update(Math.min(messages.length, i + step));
  }
  bar?.stop();
  return jobs;
}

/** Pipeline jobs left at or below which `waitIdle` looks again after `FINE_POLL_MS`, not 100 ms. */
const FEW_JOBS = 4;
const FINE_POLL_MS = 20;

/**
 * Waits until every pipeline queue is empty twice in a row, 100 ms apart (follow-up jobs are
 * queued by jobs; a source may be between two enqueues). Resolves with the `performance.now()` of
 * the first of the two looks: when the work was seen done. With a few jobs left it looks every
 * 20 ms, so that time is within ~20 ms of the last job's end (at 100 ms, `kgrca bench` counted
 * 50-150 ms of polling into a pipeline run of a few seconds).
 */
export async function waitIdle(
  queues: Queues,
  timeoutMs = 600_000,
  onTick?: (backlog: number) => void,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | undefined;
  while (Date.now() < deadline) {
    const n = await queues.pipelineBacklog();
    const at = performance.now();
    if (n === 0) {
      if (quietSince !== undefined && at - quietSince >= 100) return quietSince;
      quietSince ??= at;
    } else quietSince = undefined;
    onTick?.(n);
    await new Promise((r) => setTimeout(r, n > 0 && n <= FEW_JOBS ? FINE_POLL_MS : 100));
  }
  throw new Error(`queues still busy after ${timeoutMs} ms`);
}
