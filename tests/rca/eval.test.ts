import { describe, expect, it } from "vitest";
import { evaluate } from "../../cli/commands/eval.js";
import { REDIS_URL } from "../helpers.js";

const corpus = new URL("../../scenarios/", import.meta.url).pathname;

/**
 * The quality bar of issue 3: every scenario replayed through the real pipeline (ingest queue,
 * worker pools, SQLite store), then the RCA asked for the symptom's causes. This is an accuracy
 * bar, not a timing: the corpus takes minutes to replay, hence the generous timeout.
 */
describe("RCA accuracy on the scenario corpus", () => {
  it("reaches AC@1 >= 0.90 and AC@3 >= 0.98 and beats the seed baseline", async () => {
    const report = await evaluate([corpus], {
      baseline: "seed",
      overrides: { REDIS_URL, LOG_LEVEL: "silent" },
      concurrency: 2,
    });
    const misses = report.scenarios
      .filter((s) => !s.hit_at_1)
      .map((s) => `${s.name}: ${s.causes[0] ? `${s.causes[0].kind}/${s.causes[0].name} ${s.causes[0].reason}` : (s.error ?? "no cause")}`);
    expect(report.scenarios.length).toBeGreaterThanOrEqual(60);
    expect(report.scenarios.filter((s) => s.error)).toEqual([]);
    expect(report.ac_at_3, misses.join("\n")).toBeGreaterThanOrEqual(0.98);
    expect(report.ac_at_1, misses.join("\n")).toBeGreaterThanOrEqual(0.9);
    expect(report.ac_at_1).toBeGreaterThan(report.baseline!.ac_at_1);
  }, 900_000);
});
