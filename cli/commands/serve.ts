import { redactUrl } from "../../telemetry/index.js";
import { latestTime, readReplayMessages, shiftTimes } from "../../bridge/replay/index.js";
import { type QueueName, QUEUE_NAMES } from "../../queues/index.js";
import { analyze } from "../../rca/analyze.js";
import { rcaView } from "../../api/views.js";
import { enqueueWithProgress, scheduleCleanup, startApi, startPool, waitIdle } from "../pipeline.js";
import { configOrExit, ensureRedis, onShutdown, openRuntime } from "../runtime.js";
import { fileURLToPath } from "node:url";
import { type BenchReporter, benchReporter } from "../../bench/worker-ipc.js";

export const DEMO_SCENARIO = fileURLToPath(
  new URL("../../../scenarios/demo/demo-checkout-oomkill.json", import.meta.url),
);

/** `kgrca start`: API + every worker pool in one process, with a private Redis if none is around. */
export async function startAll(overrides: Record<string, string>, opts: { demo?: boolean }): Promise<void> {
  let config = configOrExit(overrides);
  const redis = await ensureRedis(config, {
    info: (o: unknown, m?: string) => process.stderr.write(`kgrca: ${m ?? ""} ${JSON.stringify(o)}\n`),
  } as never).catch((err: Error) => {
    process.stderr.write(`kgrca: ${err.message}\n`);
    process.exit(3);
  });
  config = { ...config, redis: { ...config.redis, url: redis.url } };
  const rt = await openRuntime(config, "start");
  const pool = startPool(rt);
  await scheduleCleanup(rt);
  const api = await startApi(rt);
  process.stdout.write(
    `kg-rca is running: API ${api.url}  (redis ${redactUrl(config.redis.url)}, store ${config.store.kind} in ${config.dataDir})\n`,
  );
  process.stdout.write(
    `  docs ${api.url}/docs   metrics ${api.url}/metrics   queues ${api.url}/admin/queues\n`,
  );
  onShutdown(rt.logger, async () => {
    await api.stop();
    await pool.close();
    await rt.close();
    redis.stop();
  });
  if (opts.demo) {
    const raw = readReplayMessages(DEMO_SCENARIO);
    const latest = latestTime(raw) ?? Date.now();
    const messages = shiftTimes(raw, Date.now() - 60_000 - latest);
    process.stdout.write(
      `demo: replaying ${messages.length} messages of a recorded incident (checkout's cart service is OOM-killed)...\n`,
    );
    await enqueueWithProgress(rt.queues, messages, "replay", true);
    await waitIdle(rt.queues);
    const symptom = "demo-alert-checkout-5xx";
    const a = await analyze(rt.store, symptom, {
      windowMs: config.rca.windowMs,
      maxHops: config.rca.maxHops,
      rules: rt.rules,
      limit: 5,
    });
    if (a) {
      const view = rcaView(a, undefined);
      process.stdout.write(`\nRCA for ${symptom} (${a.effect.reason}: ${a.effect.message})\n`);
      for (const [i, c] of view.potential_causes.entries()) {
        process.stdout.write(`  ${i + 1}. ${c.confidence.toFixed(2)}  ${c.explanation}\n`);
      }
      process.stdout.write(
        `\n  curl ${api.url}/api/v1/rca/${symptom}\n  open ${api.url}/ui/rca/${symptom}\n`,
      );
    }
  }
}

/** `kgrca api`: the HTTP API only. */
export async function runApi(overrides: Record<string, string>): Promise<void> {
  const config = configOrExit(overrides);
  const rt = await openRuntime(config, "api");
  await scheduleCleanup(rt);
  const api = await startApi(rt);
  process.stdout.write(`kg-rca API listening on ${api.url}\n`);
  onShutdown(rt.logger, async () => {
    await api.stop();
    await rt.close();
  });
}

/**
 * `kgrca worker`: worker pools only; run as many replicas as needed. Exposes /metrics on PORT when
 * set. `benchIpc`: started by `kgrca bench --workers N`; reports readiness, commit times and max
 * RSS to it over the IPC channel (bench/worker-ipc.ts).
 */
export async function runWorker(
  overrides: Record<string, string>,
  pools: readonly QueueName[] = QUEUE_NAMES,
  metricsPort?: number,
  benchIpc = false,
): Promise<void> {
  const config = configOrExit(overrides);
  const rt = await openRuntime(config, "worker");
  let report: BenchReporter | undefined;
  if (benchIpc) {
    try {
      report = benchReporter(rt.workerContext);
    } catch (err) {
      process.stderr.write(`kgrca worker: ${(err as Error).message}\n`);
      process.exit(2);
    }
  }
  const pool = startPool(rt, pools);
  if (pools.includes("cleanup")) await scheduleCleanup(rt);
  let stopMetrics: (() => Promise<void>) | undefined;
  if (metricsPort !== undefined) {
    const { serve } = await import("@hono/node-server");
    const server = serve({
      port: metricsPort,
      hostname: config.host,
      fetch: async (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/metrics")
          return new Response(await rt.metrics.render(), {
            headers: { "content-type": rt.metrics.registry.contentType },
          });
        if (path === "/healthz") return Response.json({ status: "ok" });
        return new Response("not found", { status: 404 });
      },
    });
    stopMetrics = () => new Promise((r) => server.close(() => r()));
  }
  process.stdout.write(
    `kg-rca worker (pid ${process.pid}) pools: ${pools.join(", ")}; concurrency ${config.workers.concurrency}\n`,
  );
  onShutdown(rt.logger, async () => {
    await pool.close();
    await stopMetrics?.();
    await rt.close();
    await report?.final();
  });
  if (report) {
    await pool.ready();
    report.ready();
  }
}
