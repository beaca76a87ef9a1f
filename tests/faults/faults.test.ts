import { describe, expect, it } from "vitest";
import { formatReport, runFaults } from "./fault-run.js";

/**
 * The fault-injection suite (`npm run test:faults`): 100,000 generated CONTRACT messages through
 * `kgrca api` + two `kgrca worker` replicas (separate processes), while a worker is SIGKILLed
 * several times and restarted, the (private, append-only) Redis is restarted once, and the SQLite
 * store is locked by another connection long enough for the circuit breaker to open. The store is
 * then compared with a clean run of the same messages: nothing lost, nothing duplicated, the
 * same cause links and incidents.
 */
const MESSAGES = Number(process.env.KG_FAULT_MESSAGES ?? 100_000);

describe("fault injection: kill it, starve it - it loses nothing", () => {
  it(`replays ${MESSAGES} messages through faults and ends identical to a clean run`, async () => {
    const report = await runFaults({
      messages: MESSAGES,
      seed: 20_251_008,
      // Four simulated days per 10,000 messages: at ten times that density the cause links of two
      // clean runs already differ (RELIABILITY.md, known gaps), which would hide what faults do.
      spanMs: Math.max(1, MESSAGES / 10_000) * 4 * 24 * 3_600_000,
      kills: 4,
      restartAfterMs: 1_500,
      redisRestart: true,
      storeLockMs: 40_000,
      concurrency: 4,
      verbose: true,
    });
    process.stdout.write(`\n==== fault-injection figures ====\n${formatReport(report)}\n\n`);
    expect(report.workerCrashes).toEqual([]);
    expect(report.faults.filter((f) => f.kind === "sigkill-worker").length).toBeGreaterThanOrEqual(3);
    expect(report.faults.some((f) => f.kind === "redis-restart")).toBe(true);
    expect(report.faults.some((f) => f.kind === "store-lock")).toBe(true);
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
  }, 3_000_000);
});
