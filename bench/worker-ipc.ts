import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { WorkerContext } from "../workers/index.js";

/**
 * What a `kgrca worker` started by the bench (`kgrca worker --bench-ipc`, forked with an IPC
 * channel) tells it: that its pools take jobs, when each ingest job was committed (the same
 * `onStored` hook the one-process bench uses: enqueue time set by the bench, commit time taken in
 * the worker right after the store transaction), and its max RSS (every second, and a last time
 * after a graceful stop).
 */
export type WorkerReport =
  | { readonly t: "ready"; readonly pid: number }
  | { readonly t: "stored"; readonly enqueuedMs: number; readonly storedMs: number; readonly messages: number }
  | { readonly t: "rss"; readonly maxRssKb: number; readonly final: boolean };

/** Child side: reports over the IPC channel this process was forked with. */
export interface BenchReporter {
  /** The worker's pools take jobs. */
  ready(): void;
  /** Sends the final max RSS; resolves once it has been handed to the channel. */
  final(): Promise<void>;
}

/**
 * Hooks `ctx.onStored` and starts the periodic RSS report. When the parent goes away (the channel
 * closes), the worker stops gracefully as on SIGTERM, so a killed bench leaves no workers behind.
 */
export function benchReporter(ctx: WorkerContext): BenchReporter {
  const send = process.send?.bind(process);
  if (!send) throw new Error("--bench-ipc: this process has no IPC channel (it is started by `kgrca bench --workers N`)");
  const post = (m: WorkerReport, done?: () => void) => {
    try {
      send(m, undefined, {}, () => done?.());
    } catch {
      done?.();
    }
  };
  (ctx as { onStored?: WorkerContext["onStored"] }).onStored = (enqueuedMs, storedMs, messages) =>
    post({ t: "stored", enqueuedMs, storedMs, messages });
  const rss = () => process.resourceUsage().maxRSS;
  const timer = setInterval(() => post({ t: "rss", maxRssKb: rss(), final: false }), 1_000);
  timer.unref();
  const orphaned = () => process.kill(process.pid, "SIGTERM");
  process.once("disconnect", orphaned);
  return {
    ready: () => post({ t: "ready", pid: process.pid }),
    final: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        process.off("disconnect", orphaned);
        post({ t: "rss", maxRssKb: rss(), final: true }, resolve);
      }),
  };
}

/** The CLI entry the workers run: this build's `cli/main.js`, or `cli/main.ts` under tsx when run from source. */
function workerEntry(): { entry: string; execArgv: string[] } {
  const js = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  if (existsSync(js)) return { entry: js, execArgv: process.execArgv };
  const ts = fileURLToPath(new URL("../cli/main.ts", import.meta.url));
  const hasTsx = process.execArgv.some((a) => a.includes("tsx"));
  return { entry: ts, execArgv: hasTsx ? process.execArgv : [...process.execArgv, "--import", "tsx"] };
}

interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  maxRssKb: number;
  finalRss: boolean;
  readonly exited: Promise<void>;
}

/** N `kgrca worker` processes started by the bench. */
export interface WorkerFleet {
  /** Rejects as soon as a worker exits before `stop()` was called; race long waits against it. */
  readonly failed: Promise<never>;
  /** Resolves `p`, or rejects when a worker dies first. */
  guard<T>(p: Promise<T>): Promise<T>;
  /** SIGTERM to every worker (graceful drain), waits for them to exit; peak RSS in MB by worker. */
  stop(): Promise<Record<string, number>>;
  /** SIGKILL to the workers still running (error paths). */
  kill(): void;
}

/**
 * Forks `n` workers (`kgrca worker --bench-ipc`, every pool) with `env` (the bench's data dir,
 * queue prefix, Redis URL…) and the bench's own Node flags (a heap cap applies to each worker),
 * and resolves once every one reports its pools ready. Worker stdout (its start-up line) is
 * dropped so `--json` stays one line; stderr (logs) is inherited.
 */
export async function startWorkers(
  n: number,
  env: NodeJS.ProcessEnv,
  onStored: (enqueuedMs: number, storedMs: number, messages: number) => void,
  onReady: (ready: number) => void = () => {},
  readyTimeoutMs = 120_000,
): Promise<WorkerFleet> {
  const { entry, execArgv } = workerEntry();
  let stopping = false;
  let fail: (err: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  let ready = 0;
  let allReady: () => void = () => {};
  const readyP = new Promise<void>((resolve) => {
    allReady = resolve;
  });
  const children: Child[] = [];
  for (let i = 1; i <= n; i++) {
    const proc = fork(entry, ["worker", "--bench-ipc"], { env, execArgv, stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const name = `worker_${i}`;
    const exited = new Promise<void>((resolve) => {
      proc.once("exit", (code, signal) => {
        if (!stopping) fail(new Error(`bench: ${name} (pid ${proc.pid}) exited early (code ${code}, signal ${signal})`));
        resolve();
      });
    });
    const child: Child = { name, proc, maxRssKb: 0, finalRss: false, exited };
    proc.on("message", (m: WorkerReport) => {
      if (m.t === "stored") onStored(m.enqueuedMs, m.storedMs, m.messages);
      else if (m.t === "rss") {
        child.maxRssKb = Math.max(child.maxRssKb, m.maxRssKb);
        if (m.final) child.finalRss = true;
      } else if (m.t === "ready") {
        onReady(++ready);
        if (ready === n) allReady();
      }
    });
    proc.on("error", (err) => fail(new Error(`bench: ${name}: ${err.message}`)));
    children.push(child);
  }
  const kill = () => {
    stopping = true;
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  };
  const guard = <T>(p: Promise<T>) => Promise.race([p, failed]);
  let timer: NodeJS.Timeout | undefined;
  try {
    await guard(
      Promise.race([
        readyP,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`bench: workers not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
        }),
      ]),
    );
  } catch (err) {
    kill();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    failed,
    guard,
    kill,
    async stop() {
      stopping = true;
      await Promise.all(
        children.map(async (c) => {
          if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
          c.proc.kill("SIGTERM");
          const t = setTimeout(() => c.proc.kill("SIGKILL"), 60_000);
          await c.exited;
          clearTimeout(t);
        }),
      );
      const out: Record<string, number> = {};
      for (const c of children) {
        if (c.proc.exitCode !== 0)
          process.stderr.write(`bench: ${c.name} did not stop cleanly (code ${c.proc.exitCode}, signal ${c.proc.signalCode})\n`);
        if (!c.finalRss) process.stderr.write(`bench: ${c.name} sent no final RSS; using its last periodic report\n`);
        out[c.name] = Math.round(c.maxRssKb / 1024);
      }
      return out;
    },
  };
}
