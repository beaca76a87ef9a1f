import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { type Config, ConfigError, loadConfig, type RawEnv } from "../config/index.js";
import { CircuitBreaker, type GraphStore, openGraphStore, withCircuitBreaker } from "../graph/index.js";
import { createRedis, Queues, redisAnswers } from "../queues/index.js";
import { loadRules, type RuleSet, RulesError } from "../rca/rules.js";
import { createLogger, type Logger, Metrics, redactUrl } from "../telemetry/index.js";
import type { WorkerContext } from "../workers/index.js";

/** Everything a process needs, chosen once at start-up; `close()` releases it in reverse order. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly store: GraphStore;
  readonly rawStore: GraphStore;
  readonly queues: Queues;
  readonly redis: Redis;
  readonly rules: RuleSet;
  readonly workerContext: WorkerContext;
  close(): Promise<void>;
}

/** Reads the configuration or exits with a message naming the bad variable. */
export function configOrExit(overrides: RawEnv = {}): Config {
  try {
    return loadConfig({ ...process.env, ...overrides });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kgrca: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** Processes that do (nearly) all of the writing to the store they open. */
const SINGLE_WRITER_PROCESSES = new Set(["start", "replay", "eval", "bench", "test"]);

export async function openRuntime(config: Config, processName: string): Promise<Runtime> {
  const logger = createLogger(`kgrca-${processName}`, config.logLevel);
  const metrics = new Metrics(processName);
  let rules: RuleSet;
  try {
    rules = loadRules(config.rca.rulesFile);
  } catch (err) {
    if (err instanceof RulesError) {
      process.stderr.write(`kgrca: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const rawStore = await openGraphStore(
    config,
    { neo4jMetrics: metrics },
    SINGLE_WRITER_PROCESSES.has(processName),
  );
  const breaker = new CircuitBreaker({
    failureThreshold: config.breaker.failureThreshold,
    cooldownMs: config.breaker.cooldownMs,
    onStateChange: (state, value) => {
      metrics.circuitBreakerState.set({ store: config.store.kind }, value);
      if (value !== 0) logger.warn({ state }, "graph store circuit breaker");
      else logger.info({ state }, "graph store circuit breaker");
    },
  });
  const store = withCircuitBreaker(rawStore, breaker);
  const ingestStore = withCircuitBreaker(rawStore, breaker, { foreground: true });
  const redis = createRedis({ url: config.redis.url, tlsCaFile: config.redis.tlsCaFile }, "producer");
  const queues = new Queues(redis, {
    prefix: config.queuePrefix,
    attempts: config.workers.attempts,
    backoffMs: config.workers.backoffMs,
    keepCompleted: config.workers.keepCompleted,
    keepFailed: config.workers.keepFailed,
    ingestBatch: config.workers.ingestBatch,
  });
  const workerContext: WorkerContext = {
    store,
    ingestStore,
    queues,
    metrics,
    logger,
    rules,
    normalize: {
      defaultCluster: config.defaultCluster,
      ...(config.kafka ? { topics: config.kafka.topics } : {}),
    },
    rca: config.rca,
    retention: { days: config.retention.days, batchSize: config.retention.batchSize },
  };
  logger.debug({ redis: redactUrl(config.redis.url), store: config.store.kind }, "runtime open");
  return {
    config,
    logger,
    metrics,
    store,
    rawStore,
    queues,
    redis,
    rules,
    workerContext,
    async close() {
      await queues.close().catch(() => {});
      redis.disconnect();
      await rawStore.close();
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * For newcomers: when no Redis is configured and none answers on the default address, start a
 * private `redis-server` from PATH (stopped on exit). Returns the URL to use.
 */
export async function ensureRedis(
  config: Config,
  logger: Pick<Logger, "info">,
): Promise<{ url: string; stop: () => void }> {
  if (await redisAnswers(config.redis.url)) return { url: config.redis.url, stop: () => {} };
  if (config.redis.explicit) {
    throw new Error(`Redis at ${redactUrl(config.redis.url)} does not answer; check REDIS_URL`);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "kgrca-redis-"));
  let child: ChildProcess;
  try {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      {
        stdio: "ignore",
      },
    );
  } catch {
    throw new Error(noRedisHelp);
  }
  const spawned = await new Promise<boolean>((resolve) => {
    child.once("error", () => resolve(false));
    child.once("spawn", () => resolve(true));
  });
  if (!spawned) throw new Error(noRedisHelp);
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisAnswers(url, 500)); i++)
    await new Promise((r) => setTimeout(r, 100));
  logger.info({ url }, "started a private redis-server (no Redis was configured or running)");
  return {
    url,
    stop: () => {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const noRedisHelp =
  "no Redis answers on 127.0.0.1:6379 and redis-server is not on PATH.\n" +
  "  Install one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)\n" +
  "  or point REDIS_URL (or --redis-url) at a running Redis.";

/** Runs `stop` once on SIGTERM/SIGINT; a second signal exits at once. */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, "shutting down: draining in-flight jobs");
    const timer = setTimeout(() => {
      logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, 30_000);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err: (err as Error).message }, "error during shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
