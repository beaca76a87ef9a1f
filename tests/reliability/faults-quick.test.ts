import { describe, expect, it } from "vitest";
import { formatReport, runFaults } from "../faults/fault-run.js";

/**
 * The fault suite in small, for every `npm test`: 10,000 messages through `kgrca api` + two
 * `kgrca worker` processes (shared test Redis, own prefix), one exclusive lock on the SQLite store
 * held past the store's busy timeout and, while it is held, one SIGKILL of a worker; the store must end
 * identical to a clean run. Its time is mostly the lock (20 s) and, when the killed worker had jobs
 * in flight, their BullMQ lock expiring (60 s) before another worker takes them over.
 */
describe("fault injection (quick)", () => {
  it("loses nothing through a SIGKILL and a locked store", async () => {
    const report = await runFaults({
      messages: 10_000,
      seed: 8,
      spanMs: 4 * 24 * 3_600_000,
      kills: 1,
      restartAfterMs: 1_000,
      redisRestart: false,
      storeLockMs: 20_000,
      concurrency: 4,
    });
    process.stdout.write(`\n==== quick fault-injection figures ====\n${formatReport(report)}\n\n`);
    expect(report.workerCrashes).toEqual([]);
    expect(report.faults.map((f) => f.kind).sort()).toEqual(["sigkill-worker", "store-lock"]);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.comparison.samples).toEqual([]);
    expect(report.comparison.identical).toBe(true);
    expect(report.dlq.same).toBe(true);
    expect(report.dlq.entries).toBe(report.dlq.expectedEntries);
    expect(Object.keys(report.apiStatuses).filter((k) => / 5\d\d$/.test(k) && !k.endsWith(" 503"))).toEqual(
      [],
    );
    for (const s of report.shutdown) expect(s.code, `${s.label} exit`).toBe(0);
  }, 420_000);
});
