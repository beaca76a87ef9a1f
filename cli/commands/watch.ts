import type { Command } from "commander";
import type { createKafkaClient, loadKubeConfig, MessageSink } from "../../bridge/index.js";
import { DEFAULT_TOPICS } from "../../rca/normalize.js";
import { createLogger, Metrics } from "../../telemetry/index.js";
import { configOrExit, onShutdown } from "../runtime.js";
import { addSourceFlags, openQueues, serveMetrics, sourceOverrides } from "./bridge.js";

/**
 * `kgrca watch`: Kubernetes informers -> CONTRACT messages, to Kafka when KAFKA_BROKERS is set,
 * else straight into `ingest`. Run ONE replica (deploy it with replicas: 1 and the Recreate
 * strategy): two watchers would publish everything twice (harmless, processing is idempotent,
 * but wasteful), so the single publisher is a documented single replica, not a Lease.
 */
export async function runWatch(overrides: Record<string, string>, metricsPort?: number): Promise<void> {
  // Loaded here, not at start-up (see runBridge).
  const {
    BatchPublisher,
    createKafkaClient,
    KafkaClientUnavailableError,
    KafkaSink,
    KubeWatcher,
    loadKubeConfig,
    QueueSink,
  } = await import("../../bridge/index.js");
  const config = configOrExit(overrides);
  const logger = createLogger("kgrca-watch", config.logLevel);
  const metrics = new Metrics("watch");
  let kc: ReturnType<typeof loadKubeConfig>;
  try {
    kc = loadKubeConfig(config.kube);
  } catch (err) {
    process.stderr.write(`kgrca watch: cannot load kubeconfig: ${(err as Error).message}\n`);
    process.exit(2);
  }
  let sink: MessageSink;
  let closeSink: () => Promise<void>;
  let target: string;
  if (config.kafka) {
    let client: Awaited<ReturnType<typeof createKafkaClient>>;
    try {
      client = await createKafkaClient(config.kafka, logger);
    } catch (err) {
      if (err instanceof KafkaClientUnavailableError) {
        process.stderr.write(`kgrca watch: ${err.message}\n`);
        process.exit(2);
      }
      throw err;
    }
    const producer = client.producer();
    await producer.connect();
    sink = new KafkaSink(producer);
    closeSink = () => producer.disconnect();
    target = `kafka ${config.kafka.brokers.join(",")}`;
  } else {
    const q = openQueues(config);
    sink = new QueueSink(q.queues);
    closeSink = q.close;
    target = "ingest queue";
  }
  const publisher = new BatchPublisher(sink, {
    batchSize: config.kafka?.batchSize ?? config.workers.ingestBatch,
    lingerMs: Math.max(50, config.kafka?.batchLingerMs ?? 100),
    logger,
  });
  const watcher = new KubeWatcher({
    kubeConfig: kc!,
    publisher,
    cluster: config.defaultCluster,
    topics: config.kafka?.topics ?? DEFAULT_TOPICS,
    logger,
    metrics,
  });
  const server =
    metricsPort !== undefined ? await serveMetrics(metrics, metricsPort, config.host) : undefined;
  await watcher.start();
  process.stdout.write(
    `kg-rca watcher (pid ${process.pid}) on ${kc!.getCurrentCluster()?.server} -> ${target}${server ? `; metrics :${server.port}` : ""}\n`,
  );
  onShutdown(logger, async () => {
    await watcher.stop();
    await server?.stop();
    await closeSink();
  });
}

/** Registers the `kgrca watch` command(s). */
export function register(program: Command): void {
  addSourceFlags(
    program
      .command("watch")
      .description("watch a Kubernetes cluster (list/watch informers) and publish its state and events")
      .option("--kubeconfig <file>", "kubeconfig file (KUBECONFIG; default ~/.kube/config, or in-cluster)")
      .option("--context <name>", "kubeconfig context (KG_KUBE_CONTEXT)"),
  ).action(async (opts) => {
    const overrides = sourceOverrides(opts);
    if (opts.kubeconfig) overrides.KUBECONFIG = String(opts.kubeconfig);
    if (opts.context) overrides.KG_KUBE_CONTEXT = String(opts.context);
    await runWatch(overrides, opts.metricsPort);
  });
}
