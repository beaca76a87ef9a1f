import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { QueueEvents } from "bullmq";
import { createRedis, QUEUE_NAMES } from "../../queues/index.js";
import { REDIS_URL, tempDir, testPrefix } from "../helpers.js";
import { generateMessages, writeNdjson } from "./generate-messages.js";
import {
  CliProcess,
  type Comparison,
  compare,
  deadLetterPayloads,
  duplicateEvents,
  fingerprintFile,
  freePort,
  lockStore,
  PrivateRedis,
  referenceRun,
  sleep,
  watchQueues,
} from "./harness.js";

/**
 * One fault-injection run: `kgrca api` + two `kgrca worker` replicas + `kgrca replay FILE` as
 * separate processes on one Redis and one data dir, while faults are injected on a schedule;
 * then the store is compared with a clean in-process run of the same messages.
 */
export interface FaultPlan {
  readonly messages: number;
  readonly seed: number;
  /** Simulated time the generated stream covers. */
  readonly spanMs: number;
  /** SIGKILLs of a worker (each restarted after `restartAfterMs`). */
  readonly kills: number;
  readonly restartAfterMs: number;
  /** Restart a private Redis (append-only file on) once; false = use the shared test Redis. */
  readonly redisRestart: boolean;
  /** How long the store is held locked by another connection (0 = never). */
  readonly storeLockMs: number;
  /** Worker concurrency per pool. */
  readonly concurrency: number;
  /** Log what happens on stderr as it happens. */
  readonly verbose?: boolean;
}

export interface FaultFault {
  readonly kind: "sigkill-worker" | "redis-restart" | "store-lock";
  readonly atMs: number;
  readonly endMs: number;
  /** Time from the end of the fault until the pipeline made progress again (ms). */
  recoverMs?: number;
  /** For a kill: time from the kill until its in-flight jobs were reclaimed as stalled (ms). */
  reclaimedMs?: number;
  readonly detail: string;
}

export interface FaultReport {
  readonly messages: number;
  readonly faults: FaultFault[];
  readonly comparison: Comparison;
  readonly lost: number;
  readonly duplicated: number;
  readonly dlq: {
    readonly expected: number;
    readonly actual: number;
    readonly entries: number;
    readonly expectedEntries: number;
    readonly same: boolean;
  };
  readonly faultedMs: number;
  readonly referenceMs: number;
  readonly breakerOpened: number;
  readonly delayedJobs: number;
  readonly stalledJobs: number;
  readonly apiStatuses: Record<string, number>;
  readonly shutdown: Array<{ label: string; code: number | null; signal: string | null; ms: number }>;
  readonly workerCrashes: string[];
}

export async function runFaults(plan: FaultPlan): Promise<FaultReport> {
  const log = (s: string) => {
    if (plan.verbose) process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
  };
  const tmp = tempDir("kgrca-faults-");
  const dataDir = join(tmp.dir, "data");
  mkdirSync(dataDir);
  const redisDir = join(tmp.dir, "redis");
  mkdirSync(redisDir);
  const messages = generateMessages({ count: plan.messages, seed: plan.seed, spanMs: plan.spanMs });
  const file = join(tmp.dir, "messages.ndjson");
  writeNdjson(file, messages);
  const dbFile = join(dataDir, "kg-rca.sqlite");

  let rnd = plan.seed >>> 0;
  const random = () => {
    rnd = (Math.imul(rnd, 1664525) + 1013904223) >>> 0;
    return rnd / 4294967296;
  };

  const redis = plan.redisRestart ? new PrivateRedis(await freePort(), redisDir) : undefined;
  if (redis) await redis.start();
  const redisUrl = redis?.url ?? REDIS_URL;
  const prefix = testPrefix("faults");
  const apiPort = await freePort();
  const env: Record<string, string> = {
    REDIS_URL: redisUrl,
    KG_DATA_DIR: dataDir,
    KG_QUEUE_PREFIX: prefix,
    LOG_LEVEL: "warn",
    KG_RETENTION_DAYS: "0",
    KG_WORKER_CONCURRENCY: String(plan.concurrency),
    KG_JOB_BACKOFF_MS: "200",
    // Open the breaker on the second outage in a row and probe every 2 s.
    KG_BREAKER_THRESHOLD: "2",
    KG_BREAKER_COOLDOWN_MS: "2000",
    PORT: String(apiPort),
    HOST: "127.0.0.1",
  };
  const procs: CliProcess[] = [];
  const faults: FaultFault[] = [];
  const crashes: string[] = [];
  const apiStatuses: Record<string, number> = {};
  const watcher = watchQueues(redisUrl, prefix);
  // Connections of our own that ride out the Redis restart quietly.
  const eventConnections = QUEUE_NAMES.filter((q) => q !== "cleanup").map(() =>
    createRedis({ url: redisUrl }, "worker"),
  );
  const queueEvents = QUEUE_NAMES.filter((q) => q !== "cleanup").map(
    (q, i) => new QueueEvents(q, { connection: eventConnections[i]!, prefix }),
  );
  const completedAt: number[] = [];
  const stalledAt: number[] = [];
  for (const qe of queueEvents) {
    qe.on("completed", () => {
      completedAt.push(Date.now());
    });
    qe.on("stalled", () => {
      stalledAt.push(Date.now());
    });
    qe.on("error", () => {});
  }
  const startWorker = async (label: string) => {
    const w = new CliProcess(label, ["worker"], env);
    procs.push(w);
    w.exited.then(({ code, signal }) => {
      if (signal !== "SIGKILL" && signal !== "SIGTERM" && code !== 0)
        crashes.push(`${label} exited ${code}: ${w.err.slice(-500)}`);
    });
    await w.waitFor("kg-rca worker (pid");
    return w;
  };
  const report = { faultedMs: 0 };
  let stopAt = 0;
  const exitedAt = new Map<CliProcess, number>();
  let polling = true;
  try {
    await Promise.all(queueEvents.map((qe) => qe.waitUntilReady()));
    const api = new CliProcess("api", ["api"], env);
    procs.push(api);
    await api.waitFor("listening");
    const workers = [await startWorker("worker-a"), await startWorker("worker-b")];

    // The API keeps answering during the faults: 503 when a dependency is down, never a 500.
    const poll = (async () => {
      while (polling) {
        for (const path of ["/readyz", "/api/v1/graph/stats", "/healthz"]) {
          const status = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
            signal: AbortSignal.timeout(20_000),
          })
            .then((r) => String(r.status))
            .catch(() => "no answer");
          const k = `${path} ${status}`;
          apiStatuses[k] = (apiStatuses[k] ?? 0) + 1;
        }
        await sleep(1_000);
      }
    })();

    const t0 = Date.now();
    const replay = new CliProcess("replay", ["replay", file], env);
    const r = await replay.exited;
    if (r.code !== 0) throw new Error(`replay failed (${r.code}): ${replay.err.slice(-2000)}`);
    log(`replayed ${plan.messages} messages in ${Date.now() - t0} ms`);

    const busy = async () => {
      try {
        return !(await watcher.idle());
      } catch {
        return true;
      }
    };
    const kill = async () => {
      const i = Math.floor(random() * workers.length);
      const w = workers[i]!;
      const at = Date.now();
      w.signal("SIGKILL");
      await w.exited;
      log(`SIGKILL ${w.label} (pid ${w.pid})`);
      await sleep(plan.restartAfterMs);
      workers[i] = await startWorker(w.label);
      faults.push({ kind: "sigkill-worker", atMs: at, endMs: Date.now(), detail: `${w.label} pid ${w.pid}` });
    };

    // The schedule: kills at random moments, the Redis restart and the store lock in between.
    // A single kill happens while the store is locked, when the pipeline is surely still busy (its
    // work is held up behind the lock). Scheduled after the lock instead, it could land on a worker
    // with nothing in flight, and the pipeline drained before the lock was injected (seen once in
    // `npm test`, which asserts both faults). Jobs that meet the lock are delayed, not held, so the
    // killed worker may or may not leave stalled jobs behind.
    const killInLock = plan.kills === 1 && plan.storeLockMs > 0;
    const steps: Array<() => Promise<void>> = [];
    for (let k = killInLock ? 1 : 0; k < plan.kills; k++) steps.push(kill);
    if (plan.storeLockMs > 0)
      steps.splice(Math.min(1, steps.length), 0, async () => {
        const at = Date.now();
        const lock = await lockStore(dbFile, plan.storeLockMs);
        log(`store locked for ${plan.storeLockMs} ms`);
        // A worker dies while the store is down too.
        if (plan.kills > 1 || killInLock) {
          await sleep(plan.storeLockMs / 2);
          await kill();
        }
        await lock.released;
        log("store lock released");
        faults.push({
          kind: "store-lock",
          atMs: at,
          endMs: Date.now(),
          detail: `exclusive lock ${plan.storeLockMs} ms`,
        });
      });
    // The Redis restart comes right after the first kill, before the lock: that kill's stalled jobs
    // keep the pipeline busy until their locks expire. Later in the schedule (it was fourth) it was
    // skipped once the pipeline got fast enough to drain after the lock and the kill behind it.
    if (redis)
      steps.splice(Math.min(1, steps.length), 0, async () => {
        const at = Date.now();
        await redis.stop();
        log("redis stopped");
        await sleep(2_000);
        await redis.start();
        log("redis back");
        faults.push({
          kind: "redis-restart",
          atMs: at,
          endMs: Date.now(),
          detail: "SIGTERM, 2 s down, restart from AOF",
        });
      });
    await sleep(1_000 + random() * 2_000);
    for (const step of steps) {
      if (!(await busy())) {
        log("pipeline idle before all faults were injected");
        break;
      }
      await step();
      await sleep(3_000 + random() * 7_000);
    }

    // Wait for the pipeline to drain (stalled jobs of killed workers come back after their lock expires).
    const deadline = Date.now() + 1_800_000;
    let quiet = 0;
    while (quiet < 3) {
      if (Date.now() > deadline) throw new Error("pipeline did not drain in 30 min");
      quiet = (await busy()) ? 0 : quiet + 1;
      await sleep(1_000);
    }
    report.faultedMs = Date.now() - t0;
    log(`faulted run drained in ${report.faultedMs} ms`);
    polling = false;
    await poll;

    // Time to recover: from the end of each fault to the first job completed after it; for a kill
    // also when the killed worker's jobs came back (BullMQ reclaims them once their lock expires).
    for (const f of faults) {
      const next = completedAt.find((t) => t >= f.endMs);
      if (next !== undefined) f.recoverMs = next - f.endMs;
      if (f.kind === "sigkill-worker") {
        const reclaimed = stalledAt.find((t) => t >= f.atMs);
        if (reclaimed !== undefined) f.reclaimedMs = reclaimed - f.atMs;
      }
    }
  } finally {
    polling = false;
    // Graceful stop of what is left: SIGTERM, bounded.
    stopAt = Date.now();
    for (const p of procs) {
      p.exited.then(() => exitedAt.set(p, Date.now()));
      p.signal("SIGTERM");
    }
  }
  const shutdown: FaultReport["shutdown"] = [];
  for (const p of procs) {
    // Every process still running at the end got SIGTERM at `stopAt`; the SIGKILLed ones are the faults.
    if (p.child.signalCode === "SIGKILL") continue;
    const res = await Promise.race([
      p.exited,
      sleep(40_000).then(() => ({ code: null, signal: "timeout" as const })),
    ]);
    shutdown.push({
      label: p.label,
      code: res.code,
      signal: res.signal,
      ms: (exitedAt.get(p) ?? Date.now()) - stopAt,
    });
  }
  const breakerOpened = procs.reduce(
    (n, p) => n + p.logLines(/circuit breaker/).filter((l) => l.state === "open").length,
    0,
  );
  const delayedJobs = procs.reduce((n, p) => n + p.logLines(/job delayed/).length, 0);

  const dlq = await deadLetterPayloads(watcher);
  await Promise.all(queueEvents.map((qe) => qe.close().catch(() => {})));
  for (const c of eventConnections) c.disconnect();
  await watcher.obliterate();
  await watcher.close();
  watcher.connection.disconnect();
  await redis?.stop();

  const actual = fingerprintFile(dbFile);
  const dups = duplicateEvents(dbFile);
  const reference = await referenceRun("faults-ref", messages, {
    KG_WORKER_CONCURRENCY: String(plan.concurrency),
  });
  const comparison = compare(reference.fingerprint, actual, dups);
  const sameDlq =
    reference.dlqDistinct.size === dlq.distinct.size &&
    [...reference.dlqDistinct].every((p) => dlq.distinct.has(p));
  rmSync(tmp.dir, { recursive: true, force: true });
  return {
    messages: plan.messages,
    faults,
    comparison,
    lost: comparison.lost,
    duplicated: comparison.duplicated,
    dlq: {
      expected: reference.dlqDistinct.size,
      actual: dlq.distinct.size,
      entries: dlq.entries,
      expectedEntries: reference.dlqEntries,
      same: sameDlq,
    },
    faultedMs: report.faultedMs,
    referenceMs: reference.ms,
    breakerOpened,
    delayedJobs,
    stalledJobs: stalledAt.length,
    apiStatuses,
    shutdown,
    workerCrashes: crashes,
  };
}

/** The figures, as printed at the end of a run. */
export function formatReport(r: FaultReport): string {
  const lines = [
    `messages            ${r.messages}`,
    `faults injected     ${r.faults.length} (${r.faults.map((f) => f.kind).join(", ")})`,
    ...r.faults.map(
      (f) =>
        `  ${f.kind.padEnd(16)} ${f.detail}; down ${f.endMs - f.atMs} ms; progress ${f.recoverMs ?? "?"} ms after${
          f.reclaimedMs !== undefined ? `; in-flight jobs reclaimed ${f.reclaimedMs} ms after the kill` : ""
        }`,
    ),
    `lost                ${r.lost}`,
    `duplicated          ${r.duplicated}`,
    `identical to clean  ${r.comparison.identical}`,
    ...Object.entries(r.comparison.tables).map(
      ([t, c]) =>
        `  ${t.padEnd(12)} expected ${c.expected}, got ${c.actual}, missing ${c.missing}, extra ${c.extra}`,
    ),
    `dead-lettered       ${r.dlq.actual} distinct payloads, ${r.dlq.entries} entries (clean run ${r.dlq.expected}, ${r.dlq.expectedEntries})`,
    `breaker opened      ${r.breakerOpened} times; jobs delayed by outages ${r.delayedJobs}; stalled jobs reclaimed ${r.stalledJobs}`,
    `faulted run         ${(r.faultedMs / 1000).toFixed(1)} s (clean in-process run ${(r.referenceMs / 1000).toFixed(1)} s)`,
    `api answers         ${JSON.stringify(r.apiStatuses)}`,
    `shutdown (SIGTERM)  ${r.shutdown.map((s) => `${s.label} ${s.code ?? s.signal} in ${s.ms} ms`).join(", ")}`,
    ...r.comparison.samples.map((s) => `  sample: ${s}`),
  ];
  return lines.join("\n");
}
