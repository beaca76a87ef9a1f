import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import { stampReplayTimes } from "../../bridge/replay/scenario-file.js";
import { waitIdle } from "../../cli/pipeline.js";
import { fingerprintOf, type SqliteGraphStore } from "../../graph/sqlite/index.js";
import { createRedis, Queues, redisAnswers } from "../../queues/index.js";
import type { WireMessage } from "../../rca/normalize.js";
import { testPipeline } from "../helpers.js";

/**
 * Shared machinery of the fault-injection suites: the real CLI as separate processes, a private
 * Redis that can be restarted, a second SQLite connection that locks the store, and the
 * comparison of a faulted store with a clean reference run of the same messages.
 */

export const ROOT = join(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "dist", "cli", "main.js");
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A redis-server of our own, with an append-only file so queued jobs survive a restart. */
export class PrivateRedis {
  private child?: ChildProcess;
  constructor(
    readonly port: number,
    readonly dir: string,
    /** With a password, the server requires it (and `url` carries it). */
    readonly password?: string,
  ) {}

  get url(): string {
    return `redis://${this.password ? `:${encodeURIComponent(this.password)}@` : ""}127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--dir",
        this.dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
        "--maxmemory-policy",
        "noeviction",
        ...(this.password ? ["--requirepass", this.password] : []),
      ],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 100; i++) {
      if (await redisAnswers(this.url, 500)) return;
      await sleep(100);
    }
    throw new Error(`private redis-server on ${this.port} did not start`);
  }

  /** Stops it hard (SIGKILL: no final save, only what the append-only file already holds). */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await Promise.race([exited, sleep(5_000).then(() => c.kill("SIGKILL"))]);
  }
}

/** One `kgrca` process; stdout/stderr are kept (the last 2 MB) for the report and for assertions. */
export class CliProcess {
  readonly child: ChildProcess;
  out = "";
  err = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly label: string,
    args: readonly string[],
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (s: string) => (s.length > 2_000_000 ? s.slice(-1_000_000) : s);
    this.child.stdout!.on("data", (d: Buffer) => {
      this.out = keep(this.out + d.toString());
    });
    this.child.stderr!.on("data", (d: Buffer) => {
      this.err = keep(this.err + d.toString());
    });
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when stdout contains `text` (the CLI prints a line once it is up). */
  async waitFor(text: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.out.includes(text)) {
      if (!this.running) throw new Error(`${this.label} exited before "${text}":\n${this.err.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`${this.label}: no "${text}" after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** Log lines (pino JSON on stderr) whose `msg` matches. */
  logLines(msg: RegExp): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const line of this.err.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const o = JSON.parse(line) as Record<string, unknown>;
        if (typeof o.msg === "string" && msg.test(o.msg)) out.push(o);
      } catch {
        // a line cut by the 2 MB window
      }
    }
    return out;
  }
}

/**
 * Holds an exclusive lock on the SQLite file from another process for `holdMs`: every writer
 * waits for its busy timeout and then fails with SQLITE_BUSY (a `StoreUnavailableError`).
 * Resolves once the lock is taken, with a promise of its release.
 */
export async function lockStore(dbFile: string, holdMs: number): Promise<{ released: Promise<void> }> {
  const script = `
    const Database = require("better-sqlite3");
    const db = new Database(process.argv[1], { timeout: 60000 });
    db.exec("BEGIN EXCLUSIVE");
    process.stdout.write("locked\\n");
    setTimeout(() => { db.exec("COMMIT"); db.close(); process.stdout.write("released\\n"); process.exit(0); }, Number(process.argv[2]));
  `;
  const child = spawn(process.execPath, ["-e", script, dbFile, String(holdMs)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const released = new Promise<void>((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`store locker exited ${code}`)))),
  );
  while (!out.includes("locked")) {
    if (child.exitCode !== null) throw new Error("store locker failed");
    await sleep(20);
  }
  return { released };
}

export type Fingerprint = Record<string, unknown[]>;

/** Opens a store file read-only (after the processes that wrote it stopped) and fingerprints it. */
export function fingerprintFile(dbFile: string): Fingerprint & { dlqReasons?: never } {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return fingerprintOf(db);
  } finally {
    db.close();
  }
}

/** Event ids that appear more than once (a UNIQUE constraint makes this impossible; checked anyway). */
export function duplicateEvents(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return Number(
      (
        db
          .prepare("SELECT COUNT(*) AS n FROM (SELECT id FROM events GROUP BY id HAVING COUNT(*) > 1)")
          .get() as {
          n: number;
        }
      ).n,
    );
  } finally {
    db.close();
  }
}

export interface Comparison {
  readonly tables: Record<string, { expected: number; actual: number; missing: number; extra: number }>;
  readonly lost: number;
  readonly duplicated: number;
  readonly identical: boolean;
  readonly samples: string[];
}

/** Compares two fingerprints table by table; `lost`/`duplicated` count events. */
export function compare(expected: Fingerprint, actual: Fingerprint, dupEvents = 0): Comparison {
  const tables: Comparison["tables"] = {};
  const samples: string[] = [];
  let identical = true;
  for (const t of Object.keys(expected)) {
    const e = (expected[t] ?? []).map((r) => JSON.stringify(r));
    const a = (actual[t] ?? []).map((r) => JSON.stringify(r));
    const aSet = new Set(a);
    const eSet = new Set(e);
    const missing = e.filter((x) => !aSet.has(x));
    const extra = a.filter((x) => !eSet.has(x));
    tables[t] = { expected: e.length, actual: a.length, missing: missing.length, extra: extra.length };
    if (missing.length || extra.length || e.length !== a.length) identical = false;
    for (const m of missing.slice(0, 3)) samples.push(`${t} missing ${m}`);
    for (const x of extra.slice(0, 3)) samples.push(`${t} extra   ${x}`);
  }
  const evIds = new Set((actual.events ?? []).map((r) => (r as { id: string }).id));
  const lost = (expected.events ?? []).filter((r) => !evIds.has((r as { id: string }).id)).length;
  const expIds = new Set((expected.events ?? []).map((r) => (r as { id: string }).id));
  const extraEvents = (actual.events ?? []).filter((r) => !expIds.has((r as { id: string }).id)).length;
  return { tables, lost, duplicated: dupEvents + extraEvents, identical, samples };
}

export const hashOf = (rows: unknown[]) =>
  createHash("sha1").update(JSON.stringify(rows)).digest("hex").slice(0, 12);

/** Distinct dead-lettered payloads (a retried job may dead-letter the same bad message twice). */
export async function deadLetterPayloads(
  queues: Queues,
): Promise<{ entries: number; distinct: Set<string> }> {
  const q = queues.get("dead-letter");
  const jobs = await q.getJobs(["waiting", "completed", "failed", "delayed", "active", "prioritized"], 0, -1);
  const distinct = new Set<string>();
  for (const j of jobs) distinct.add(JSON.stringify((j.data as { payload: unknown }).payload));
  return { entries: jobs.length, distinct };
}

/**
 * The clean run: the same messages through an in-process pipeline into a fresh store, with the
 * times `kgrca replay` gives messages that carry none (the faulted run replays the file).
 */
export async function referenceRun(
  name: string,
  input: readonly WireMessage[],
  env: Record<string, string> = {},
): Promise<{ fingerprint: Fingerprint; dlqDistinct: Set<string>; dlqEntries: number; ms: number }> {
  const messages = stampReplayTimes(input);
  const p = await testPipeline(name, env);
  try {
    const t0 = Date.now();
    for (let i = 0; i < messages.length; i += 10_000)
      await p.rt.queues.enqueueMessages(messages.slice(i, i + 10_000), "replay");
    await waitIdle(p.rt.queues, 1_800_000);
    const ms = Date.now() - t0;
    const fingerprint = (p.rt.rawStore as SqliteGraphStore).fingerprintRows();
    const dlq = await deadLetterPayloads(p.rt.queues);
    return { fingerprint, dlqDistinct: dlq.distinct, dlqEntries: dlq.entries, ms };
  } finally {
    await p.close();
  }
}

/** A producer-side handle on a deployment's queues, for watching the backlog from the test. */
export function watchQueues(redisUrl: string, prefix: string): Queues {
  const redis = createRedis({ url: redisUrl }, "worker");
  return new Queues(redis, {
    prefix,
    attempts: 6,
    backoffMs: 1000,
    keepCompleted: 1000,
    keepFailed: 10_000,
    ingestBatch: 500,
  });
}
