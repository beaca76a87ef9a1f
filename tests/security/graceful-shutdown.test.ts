import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateMessages, writeNdjson } from "../faults/generate-messages.js";
import {
  CliProcess,
  compare,
  duplicateEvents,
  fingerprintFile,
  referenceRun,
  sleep,
  watchQueues,
} from "../faults/harness.js";
import { REDIS_URL, tempDir, testPrefix } from "../helpers.js";

/**
 * SIGTERM during load: a worker stops taking jobs, finishes the ones in flight and exits 0 within
 * the shutdown bound (30 s); the other replica carries on, and nothing is lost or duplicated.
 */
describe("graceful shutdown", () => {
  it("SIGTERM to a busy worker drains it, exits 0 in bounded time and loses nothing", async () => {
    const tmp = tempDir("kgrca-sigterm-");
    const dataDir = join(tmp.dir, "data");
    mkdirSync(dataDir);
    const messages = generateMessages({ count: 6_000, seed: 99, spanMs: 2 * 24 * 3_600_000 });
    const file = join(tmp.dir, "m.ndjson");
    writeNdjson(file, messages);
    const prefix = testPrefix("sigterm");
    const env = {
      REDIS_URL,
      KG_DATA_DIR: dataDir,
      KG_QUEUE_PREFIX: prefix,
      LOG_LEVEL: "warn",
      KG_RETENTION_DAYS: "0",
      KG_WORKER_CONCURRENCY: "4",
    };
    const watcher = watchQueues(REDIS_URL, prefix);
    const a = new CliProcess("worker-a", ["worker"], env);
    const b = new CliProcess("worker-b", ["worker"], env);
    try {
      await Promise.all([a.waitFor("kg-rca worker", 60_000), b.waitFor("kg-rca worker", 60_000)]);
      const replay = new CliProcess("replay", ["replay", file], env);
      expect((await replay.exited).code, replay.err).toBe(0);
      // Wait until worker A is busy, then ask it to stop.
      const total = await watcher.backlog("ingest");
      while ((await watcher.backlog("ingest")) >= total && total > 0) await sleep(100);
      expect(await watcher.idle()).toBe(false);
      const t0 = Date.now();
      a.signal("SIGTERM");
      const exit = await a.exited;
      const stopMs = Date.now() - t0;
      process.stdout.write(`SIGTERM: worker exited ${exit.code} after ${stopMs} ms under load\n`);
      expect(exit.code).toBe(0);
      expect(stopMs).toBeLessThan(35_000);
      // B finishes the rest; a drained worker leaves nothing behind for the stall check, so no
      // job waits for a lock to expire.
      const t1 = Date.now();
      let quiet = 0;
      while (quiet < 3) {
        quiet = (await watcher.idle()) ? quiet + 1 : 0;
        expect(Date.now() - t1, "pipeline drains").toBeLessThan(170_000);
        await sleep(300);
      }
      b.signal("SIGTERM");
      expect((await b.exited).code).toBe(0);
    } finally {
      a.signal("SIGKILL");
      b.signal("SIGKILL");
      await watcher.obliterate();
      await watcher.close();
      watcher.connection.disconnect();
    }
    const dbFile = join(dataDir, "kg-rca.sqlite");
    const ref = await referenceRun("sigterm-ref", messages);
    const c = compare(ref.fingerprint, fingerprintFile(dbFile), duplicateEvents(dbFile));
    tmp.remove();
    expect(c.lost).toBe(0);
    expect(c.duplicated).toBe(0);
    expect(c.samples).toEqual([]);
    expect(c.identical).toBe(true);
  }, 300_000);
});
