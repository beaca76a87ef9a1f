import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * Every setting kg-rca reads, parsed once from the environment (and CLI flags, which the CLI
 * turns into the same variable names) and validated. `process.env` is read nowhere else.
 */

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(min, `must be >= ${min}`)
    .max(max, `must be <= ${max}`);
const csv = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

const envSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().default("0.0.0.0"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),

  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
    .default("redis://127.0.0.1:6379"),
  REDIS_TLS_CA_FILE: z.string().optional(),
  KG_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 characters of letters, digits, _ . -")
    .default("kgrca"),

  KG_DATA_DIR: z.string().min(1).default("./data"),
  KG_CLUSTER: z.string().min(1).max(128).default("default"),
  GRAPH_STORE: z.enum(["sqlite", "neo4j"]).default("sqlite"),
  NEO4J_URL: z
    .string()
    .regex(/^(neo4j|bolt)(\+s|\+ssc)?:\/\//, "must be a neo4j:// or bolt:// URL (+s for TLS)")
    .optional(),
  NEO4J_USER: z.string().default("neo4j"),
  NEO4J_PASSWORD: z.string().optional(),
  NEO4J_PASSWORD_FILE: z.string().optional(),
  NEO4J_DATABASE: z.string().default("neo4j"),
  NEO4J_MAX_POOL_SIZE: int(1, 1000).default(50),
  NEO4J_CONNECTION_TIMEOUT_MS: int(100).default(30_000),

  KAFKA_BROKERS: csv.optional(),
  KAFKA_CLIENT: z.enum(["kafkajs", "confluent"]).default("kafkajs"),
  KAFKA_CLIENT_ID: z.string().default("kg-rca"),
  KAFKA_GROUP_ID: z.string().default("kg-rca-bridge"),
  KAFKA_SASL_MECHANISM: z.enum(["plain", "scram-sha-256", "scram-sha-512"]).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().optional(),
  KAFKA_TLS: bool.default(false),
  KAFKA_TLS_CA_FILE: z.string().optional(),
  KAFKA_TOPIC_RESOURCES: z.string().default("state.k8s.resource"),
  KAFKA_TOPIC_TOPOLOGY: z.string().default("state.k8s.topology"),
  KAFKA_TOPIC_EVENTS: z.string().default("events.normalized"),
  KAFKA_TOPIC_LOGS: z.string().default("logs.normalized"),
  KAFKA_TOPIC_ALERTS: z.string().default("alerts.enriched"),
  KAFKA_BATCH_SIZE: int(1, 10_000).default(500),
  KAFKA_BATCH_LINGER_MS: int(0, 60_000).default(50),
  KG_BACKPRESSURE_HIGH: int(1).default(2_000),
  KG_BACKPRESSURE_LOW: int(0).default(500),

  KUBECONFIG: z.string().optional(),
  KG_KUBE_CONTEXT: z.string().optional(),

  KG_API_KEYS: z.string().optional(),
  KG_API_KEYS_FILE: z.string().optional(),
  KG_CORS_ORIGINS: csv.default([]),
  KG_MAX_BODY_BYTES: int(1024).default(5 * 1024 * 1024),
  KG_MAX_BATCH: int(1, 100_000).default(5_000),

  KG_RETENTION_DAYS: int(0, 36_500).default(7),
  KG_CLEANUP_CRON: z.string().default("17 3 * * *"),
  KG_CLEANUP_BATCH: int(1, 1_000_000).default(5_000),

  KG_RCA_WINDOW_MINUTES: int(1, 24 * 60).default(15),
  KG_RCA_MAX_HOPS: int(0, 6).default(3),
  KG_RULES_FILE: z.string().optional(),
  KG_HOT_EVENTS: int(0, 10_000_000).default(100_000),
  KG_SQLITE_CACHE_MB: int(1, 65_536).default(16),
  KG_SQLITE_CHECKPOINT_PAGES: int(100, 10_000_000).default(10_000),
  KG_SQLITE_CHECKPOINT_THREAD: bool.default(true),

  KG_WORKER_CONCURRENCY: int(1, 256).default(4),
  KG_MEMORY_PRESSURE_PERCENT: int(1, 100).default(50),
  KG_JOB_ATTEMPTS: int(1, 100).default(6),
  KG_JOB_BACKOFF_MS: int(1).default(1_000),
  KG_INGEST_BATCH: int(1, 10_000).default(2_000),
  KG_KEEP_COMPLETED: int(0).default(1_000),
  KG_KEEP_FAILED: int(0).default(10_000),
  KG_BREAKER_THRESHOLD: int(1).default(5),
  KG_BREAKER_COOLDOWN_MS: int(10).default(5_000),
});

export type RawEnv = Record<string, string | undefined>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  readonly redis: { readonly url: string; readonly tlsCaFile?: string; readonly explicit: boolean };
  readonly queuePrefix: string;
  readonly dataDir: string;
  readonly defaultCluster: string;
  readonly store: {
    readonly kind: "sqlite" | "neo4j";
    readonly neo4j?: {
      readonly url: string;
      readonly user: string;
      readonly password: string;
      readonly database: string;
      readonly maxPoolSize: number;
      readonly connectionTimeoutMs: number;
    };
  };
  readonly kafka?: {
    readonly brokers: readonly string[];
    readonly client: "kafkajs" | "confluent";
    readonly clientId: string;
    readonly groupId: string;
    readonly sasl?: {
      readonly mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
      readonly username: string;
      readonly password: string;
    };
    readonly tls: boolean;
    readonly tlsCaFile?: string;
    readonly topics: {
      readonly resources: string;
      readonly topology: string;
      readonly events: string;
      readonly logs: string;
      readonly alerts: string;
    };
    readonly batchSize: number;
    readonly batchLingerMs: number;
  };
  readonly backpressure: { readonly high: number; readonly low: number };
  readonly kube: { readonly kubeconfig?: string; readonly context?: string };
  readonly api: {
    readonly keys: ReadonlyArray<{ readonly key: string; readonly scope: "read" | "write" }>;
    readonly corsOrigins: readonly string[];
    readonly maxBodyBytes: number;
    readonly maxBatch: number;
  };
  readonly retention: { readonly days: number; readonly cron: string; readonly batchSize: number };
  readonly rca: {
    readonly windowMs: number;
    readonly maxHops: number;
    readonly rulesFile?: string;
    /** Recent events the embedded store keeps in memory in single-writer processes (0: none). */
    readonly hotEvents: number;
    /** The embedded store's page cache per connection, in MiB. */
    readonly sqliteCacheMb: number;
    /** Write-ahead-log pages (4 KiB) at which a commit checkpoints by itself (ten times as many with the checkpoint thread). */
    readonly sqliteCheckpointPages: number;
    /** Checkpoint the embedded store from a worker thread every second (~9 MB of memory). */
    readonly sqliteCheckpointThread: boolean;
  };
  readonly workers: {
    readonly concurrency: number;
    /**
     * Heap live after a full collection, in percent of the V8 heap limit, above which scoring and
     * clustering jobs run one at a time (`workers/memory-gate.ts`); 100: never.
     */
    readonly memoryPressurePercent: number;
    readonly attempts: number;
    readonly backoffMs: number;
    readonly ingestBatch: number;
    readonly keepCompleted: number;
    readonly keepFailed: number;
  };
  readonly breaker: { readonly failureThreshold: number; readonly cooldownMs: number };
}

/** A setting that stops start-up; the message names the variable and what is wrong. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}`);
  }
}

function readSecretFile(variable: string, path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new ConfigError([
      { variable, message: `cannot read file ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}` },
    ]);
  }
}

/** Parses `key1:write,key2:read` (a bare key means read). */
export function parseApiKeys(spec: string, variable = "KG_API_KEYS"): Config["api"]["keys"] {
  const keys: Array<{ key: string; scope: "read" | "write" }> = [];
  for (const item of spec
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith("#"))) {
    const idx = item.lastIndexOf(":");
    const key = idx > 0 ? item.slice(0, idx) : item;
    const scope = idx > 0 ? item.slice(idx + 1) : "read";
    if (scope !== "read" && scope !== "write") {
      throw new ConfigError([{ variable, message: `scope must be read or write (got "${scope}")` }]);
    }
    if (key.length < 8)
      throw new ConfigError([{ variable, message: "each key must be at least 8 characters" }]);
    keys.push({ key, scope });
  }
  return keys;
}

/** Reads and validates the configuration. Throws `ConfigError` naming every bad variable. */
export function loadConfig(env: RawEnv = process.env): Config {
  const cleaned: RawEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") cleaned[k] = v;
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? "?"), message: i.message })),
    );
  }
  const e = parsed.data;
  const problems: Array<{ variable: string; message: string }> = [];
  if (e.KG_BACKPRESSURE_LOW >= e.KG_BACKPRESSURE_HIGH) {
    problems.push({ variable: "KG_BACKPRESSURE_LOW", message: "must be lower than KG_BACKPRESSURE_HIGH" });
  }
  let neo4j: Config["store"]["neo4j"];
  if (e.GRAPH_STORE === "neo4j") {
    if (!e.NEO4J_URL) problems.push({ variable: "NEO4J_URL", message: "is required when GRAPH_STORE=neo4j" });
    const password = e.NEO4J_PASSWORD_FILE
      ? readSecretFile("NEO4J_PASSWORD_FILE", e.NEO4J_PASSWORD_FILE)
      : (e.NEO4J_PASSWORD ?? "");
    if (e.NEO4J_URL) {
      neo4j = {
        url: e.NEO4J_URL,
        user: e.NEO4J_USER,
        password,
        database: e.NEO4J_DATABASE,
        maxPoolSize: e.NEO4J_MAX_POOL_SIZE,
        connectionTimeoutMs: e.NEO4J_CONNECTION_TIMEOUT_MS,
      };
    }
  }
  let kafka: Config["kafka"];
  if (e.KAFKA_BROKERS && e.KAFKA_BROKERS.length > 0) {
    for (const b of e.KAFKA_BROKERS) {
      if (!/^[^\s:]+:\d{1,5}$/.test(b))
        problems.push({ variable: "KAFKA_BROKERS", message: `"${b}" is not host:port` });
    }
    let sasl: NonNullable<Config["kafka"]>["sasl"];
    if (e.KAFKA_SASL_MECHANISM) {
      const password = e.KAFKA_SASL_PASSWORD_FILE
        ? readSecretFile("KAFKA_SASL_PASSWORD_FILE", e.KAFKA_SASL_PASSWORD_FILE)
        : e.KAFKA_SASL_PASSWORD;
      if (!e.KAFKA_SASL_USERNAME)
        problems.push({ variable: "KAFKA_SASL_USERNAME", message: "is required with KAFKA_SASL_MECHANISM" });
      if (!password)
        problems.push({ variable: "KAFKA_SASL_PASSWORD", message: "is required with KAFKA_SASL_MECHANISM" });
      sasl = {
        mechanism: e.KAFKA_SASL_MECHANISM,
        username: e.KAFKA_SASL_USERNAME ?? "",
        password: password ?? "",
      };
    }
    kafka = {
      brokers: e.KAFKA_BROKERS,
      client: e.KAFKA_CLIENT,
      clientId: e.KAFKA_CLIENT_ID,
      groupId: e.KAFKA_GROUP_ID,
      sasl,
      tls: e.KAFKA_TLS,
      tlsCaFile: e.KAFKA_TLS_CA_FILE,
      topics: {
        resources: e.KAFKA_TOPIC_RESOURCES,
        topology: e.KAFKA_TOPIC_TOPOLOGY,
        events: e.KAFKA_TOPIC_EVENTS,
        logs: e.KAFKA_TOPIC_LOGS,
        alerts: e.KAFKA_TOPIC_ALERTS,
      },
      batchSize: e.KAFKA_BATCH_SIZE,
      batchLingerMs: e.KAFKA_BATCH_LINGER_MS,
    };
  }
  let keys: Config["api"]["keys"] = [];
  try {
    if (e.KG_API_KEYS_FILE)
      keys = parseApiKeys(readSecretFile("KG_API_KEYS_FILE", e.KG_API_KEYS_FILE), "KG_API_KEYS_FILE");
    else if (e.KG_API_KEYS) keys = parseApiKeys(e.KG_API_KEYS);
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    redis: { url: e.REDIS_URL, tlsCaFile: e.REDIS_TLS_CA_FILE, explicit: cleaned.REDIS_URL !== undefined },
    queuePrefix: e.KG_QUEUE_PREFIX,
    dataDir: e.KG_DATA_DIR,
    defaultCluster: e.KG_CLUSTER,
    store: { kind: e.GRAPH_STORE, neo4j },
    kafka,
    backpressure: { high: e.KG_BACKPRESSURE_HIGH, low: e.KG_BACKPRESSURE_LOW },
    kube: { kubeconfig: e.KUBECONFIG, context: e.KG_KUBE_CONTEXT },
    api: {
      keys,
      corsOrigins: e.KG_CORS_ORIGINS,
      maxBodyBytes: e.KG_MAX_BODY_BYTES,
      maxBatch: e.KG_MAX_BATCH,
    },
    retention: { days: e.KG_RETENTION_DAYS, cron: e.KG_CLEANUP_CRON, batchSize: e.KG_CLEANUP_BATCH },
    rca: {
      windowMs: e.KG_RCA_WINDOW_MINUTES * 60_000,
      maxHops: e.KG_RCA_MAX_HOPS,
      rulesFile: e.KG_RULES_FILE,
      hotEvents: e.KG_HOT_EVENTS,
      sqliteCacheMb: e.KG_SQLITE_CACHE_MB,
      sqliteCheckpointPages: e.KG_SQLITE_CHECKPOINT_PAGES,
      sqliteCheckpointThread: e.KG_SQLITE_CHECKPOINT_THREAD,
    },
    workers: {
      concurrency: e.KG_WORKER_CONCURRENCY,
      memoryPressurePercent: e.KG_MEMORY_PRESSURE_PERCENT,
      attempts: e.KG_JOB_ATTEMPTS,
      backoffMs: e.KG_JOB_BACKOFF_MS,
      ingestBatch: e.KG_INGEST_BATCH,
      keepCompleted: e.KG_KEEP_COMPLETED,
      keepFailed: e.KG_KEEP_FAILED,
    },
    breaker: { failureThreshold: e.KG_BREAKER_THRESHOLD, cooldownMs: e.KG_BREAKER_COOLDOWN_MS },
  });
}
