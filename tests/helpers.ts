import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { type Config, loadConfig } from "../config/index.js";
import { SqliteGraphStore } from "../graph/sqlite/index.js";
import { openRuntime, type Runtime } from "../cli/runtime.js";
import { startPool } from "../cli/pipeline.js";
import type { WorkerPool } from "../workers/index.js";
import { createRedis, Queues } from "../queues/index.js";

/** The Redis the tests use (a real one; `.ci/run` makes sure it answers). */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A queue prefix no other test uses, so test files can share one Redis. */
export const testPrefix = (name: string) =>
  `kgrca-test-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/** The pipeline's queues under `prefix`, as a producer (the API, a bridge) holds them, on a connection of their own. */
export function testQueues(prefix: string, attempts = 2): Queues {
  return new Queues(createRedis({ url: REDIS_URL }, "producer"), {
    prefix,
    attempts,
    backoffMs: 50,
    keepCompleted: 100,
    keepFailed: 100,
    ingestBatch: 100,
  });
}

/** Removes what `testQueues` made under its prefix, and closes it and its connection. */
export async function dropTestQueues(queues: Queues): Promise<void> {
  await queues.obliterate();
  await queues.close();
  queues.connection.disconnect();
}

export function tempDir(name = "kgrca-test-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), name));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh SQLite store in a temp file. */
export async function tempStore(): Promise<{
  store: SqliteGraphStore;
  dir: string;
  close: () => Promise<void>;
}> {
  const t = tempDir("kgrca-store-");
  const store = new SqliteGraphStore({ path: join(t.dir, "kg.sqlite") });
  await store.init();
  return {
    store,
    dir: t.dir,
    close: async () => {
      await store.close();
      t.remove();
    },
  };
}

/** A test configuration: temp data dir, random queue prefix, real Redis, quiet logs. */
export function testConfig(name: string, env: Record<string, string> = {}): Config {
  const t = tempDir();
  return loadConfig({
    REDIS_URL,
    KG_DATA_DIR: t.dir,
    KG_QUEUE_PREFIX: testPrefix(name),
    LOG_LEVEL: "silent",
    KG_RETENTION_DAYS: "0",
    KG_JOB_BACKOFF_MS: "50",
    KG_BREAKER_COOLDOWN_MS: "200",
    ...env,
  });
}

/** A runtime (store and queues, no worker pools) on a test config; `close` removes its queues and data. */
export async function testRuntime(
  name: string,
  env: Record<string, string> = {},
): Promise<{ rt: Runtime; close: () => Promise<void> }> {
  const config = testConfig(name, env);
  const rt = await openRuntime(config, "test");
  return {
    rt,
    close: async () => {
      await rt.queues.obliterate();
      await rt.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** A whole pipeline in-process (runtime + all worker pools) on a test config. */
export async function testPipeline(
  name: string,
  env: Record<string, string> = {},
): Promise<{ rt: Runtime; pool: WorkerPool; close: () => Promise<void> }> {
  const { rt, close } = await testRuntime(name, env);
  const pool = startPool(rt, undefined, 2);
  return {
    rt,
    pool,
    close: async () => {
      await pool.close();
      await close();
    },
  };
}

/**
 * Whether V8 gives two objects one hidden class (map): code that reads objects of one shape stays
 * monomorphic, and a second shape of a hot type made the pipeline deoptimise again and again.
 */
export const sameHiddenClass: (a: object, b: object) => boolean = (() => {
  setFlagsFromString("--allow-natives-syntax");
  return new Function("a", "b", "return %HaveSameMap(a, b)") as (a: object, b: object) => boolean;
})();
