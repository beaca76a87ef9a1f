import { type Command, InvalidArgumentError, Option } from "commander";
import type { createKafkaClient } from "../../bridge/index.js";
import type { Config } from "../../config/index.js";
import { createRedis, Queues } from "../../queues/index.js";
import { createLogger, type Metrics, Metrics as MetricsClass, redactUrl } from "../../telemetry/index.js";
import { configOrExit, onShutdown } from "../runtime.js";

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number");
  return n;
};

/** Flags of the source commands that mirror environment variables; a flag wins over the variable. */
export const SOURCE_FLAGS: Array<[string, string, string]> = [
  ["--redis-url <url>", "REDIS_URL", "Redis URL (default redis://127.0.0.1:6379)"],
  ["--queue-prefix <p>", "KG_QUEUE_PREFIX", "Redis key prefix (default kgrca)"],
  ["--log-level <level>", "LOG_LEVEL", "trace|debug|info|warn|error|silent (default info)"],
  ["--brokers <list>", "KAFKA_BROKERS", "Kafka bootstrap brokers host:port,... (KAFKA_BROKERS)"],
  ["--group-id <id>", "KAFKA_GROUP_ID", "consumer group id (default kg-rca-bridge)"],
  ["--cluster <name>", "KG_CLUSTER", "cluster name for messages that carry none (default default)"],
];

export function addSourceFlags(cmd: Command): Command {
  for (const [flag, , help] of SOURCE_FLAGS) cmd.option(flag, help);
  return cmd.addOption(
    new Option("--metrics-port <n>", "serve /metrics and /healthz on this port").argParser(port),
  );
}

export function sourceOverrides(opts: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [flag, env] of SOURCE_FLAGS) {
    const key = flag
      .replace(/^--/, "")
      .split(" ")[0]!
      .replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (opts[key] !== undefined) out[env] = String(opts[key]);
  }
  return out;
}

/** Serves /metrics and /healthz of a source process; resolves with a function that stops it. */
export async function serveMetrics(
  metrics: Metrics,
  portNumber: number,
  host: string,
  healthy: () => boolean = () => true,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const { serve } = await import("@hono/node-server");
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        port: portNumber,
        hostname: host,
        fetch: async (req) => {
          const path = new URL(req.url).pathname;
          if (path === "/metrics")
            return new Response(await metrics.render(), {
              headers: { "content-type": metrics.registry.contentType },
            });
          if (path === "/healthz")
            return healthy()
              ? Response.json({ status: "ok" })
              : Response.json({ status: "unhealthy" }, { status: 503 });
          return new Response("not found", { status: 404 });
        },
      },
      (info) => resolve({ port: info.port, stop: () => new Promise<void>((r) => server.close(() => r())) }),
    );
    server.once("error", reject);
  });
}

/** Opens the producer side of the queues without a graph store (sources never touch the store). */
export function openQueues(config: Config) {
  const redis = createRedis({ url: config.redis.url, tlsCaFile: config.redis.tlsCaFile }, "producer");
  const queues = new Queues(redis, {
    prefix: config.queuePrefix,
    attempts: config.workers.attempts,
    backoffMs: config.workers.backoffMs,
    keepCompleted: config.workers.keepCompleted,
    keepFailed: config.workers.keepFailed,
    ingestBatch: config.workers.ingestBatch,
  });
  return {
    queues,
    close: async () => {
      await queues.close().catch(() => {});
      redis.disconnect();
    },
  };
}

/** `kgrca bridge`: the Kafka consumer group that feeds `ingest`. */
export async function runBridge(overrides: Record<string, string>, metricsPort?: number): Promise<void> {
  // Loaded here, not at start-up: the Kafka and Kubernetes clients weigh ~70 MB of memory that
  // every other command (start, worker, api) would carry for nothing.
  const { createKafkaClient, KafkaBridge, KafkaClientUnavailableError } = await import(
    "../../bridge/index.js"
  );
  const config = configOrExit(overrides);
  if (!config.kafka) {
    process.stderr.write("kgrca bridge: KAFKA_BROKERS (or --brokers) is required\n");
    process.exit(2);
  }
  const logger = createLogger("kgrca-bridge", config.logLevel);
  const metrics = new MetricsClass("bridge");
  let client: Awaited<ReturnType<typeof createKafkaClient>>;
  try {
    client = await createKafkaClient(config.kafka, logger);
  } catch (err) {
    if (err instanceof KafkaClientUnavailableError) {
      process.stderr.write(`kgrca bridge: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const q = openQueues(config);
  const bridge = new KafkaBridge({
    consumer: client.consumer(config.kafka.groupId),
    queues: q.queues,
    metrics,
    logger,
    topics: config.kafka.topics,
    defaultCluster: config.defaultCluster,
    batchSize: config.kafka.batchSize,
    batchLingerMs: config.kafka.batchLingerMs,
    backpressure: config.backpressure,
    onFatal: () => {
      // Uncommitted work is redelivered to the restarted process (or another replica).
      setTimeout(() => process.exit(1), 25_000).unref();
      void bridge.stop().finally(() => process.exit(1));
    },
  });
  const server =
    metricsPort !== undefined
      ? await serveMetrics(metrics, metricsPort, config.host, () => bridge.healthy)
      : undefined;
  await bridge.start();
  process.stdout.write(
    `kg-rca bridge (pid ${process.pid}) group ${config.kafka.groupId} on ${config.kafka.brokers.join(",")} -> ingest (redis ${redactUrl(config.redis.url)}, client ${config.kafka.client})${server ? `; metrics :${server.port}` : ""}\n`,
  );
  onShutdown(logger, async () => {
    await bridge.stop();
    await server?.stop();
    await q.close();
  });
}

/** Registers the `kgrca bridge` command(s). */
export function register(program: Command): void {
  addSourceFlags(
    program
      .command("bridge")
      .description(
        "consume the CONTRACT Kafka topics into the ingest queue (at-least-once; commits after the jobs finished)",
      ),
  ).action(async (opts) => runBridge(sourceOverrides(opts), opts.metricsPort));
}
