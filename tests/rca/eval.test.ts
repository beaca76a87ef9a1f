import { beforeAll, describe, expect, it } from "vitest";
import { type EvalReport, evaluate } from "../../cli/commands/eval.js";
import { REDIS_URL } from "../helpers.js";

const corpus = new URL("../../scenarios/", import.meta.url).pathname;
const AC1_FLOOR = 0.92;
const AC3_FLOOR = 0.98;

/**
 * RCA accuracy on the scenario corpus: every scenario replayed through the real pipeline (ingest
 * queue, worker pools, SQLite store), then the RCA asked for the symptom's causes, next to the
 * seed's scoring. An accuracy bar, not a timing: replaying the corpus takes minutes.
 */
describe("RCA accuracy on the scenario corpus", () => {
  let report: EvalReport;
  const misses = () =>
    report.scenarios
      .filter((s) => !s.hit_at_1)
      .map(
        (s) =>
          `${s.name}: ${s.causes[0] ? `${s.causes[0].kind}/${s.causes[0].name} ${s.causes[0].reason}` : (s.error ?? "no cause")}`,
      )
      .join("\n");

  beforeAll(async () => {
    report = await evaluate([corpus], {
      baseline: "seed",
      overrides: { REDIS_URL, LOG_LEVEL: "silent" },
      concurrency: 2,
    });
  }, 900_000);

  it("replays every scenario and beats the seed baseline by a wide margin", () => {
    expect(report.scenarios.length).toBeGreaterThanOrEqual(60);
    expect(report.scenarios.filter((s) => s.error)).toEqual([]);
    expect(report.ac_at_1).toBeGreaterThanOrEqual(report.baseline!.ac_at_1 + 0.4);
    expect(report.ac_at_3).toBeGreaterThan(report.baseline!.ac_at_3);
  });

  // A regression floor a little below the accuracy measured today (AC@1 0.933, AC@3 0.989 on 90
  // scenarios; seed 0.189 / 0.378). Raise these as the ranking improves.
  it(`keeps AC@1 >= ${AC1_FLOOR} and AC@3 >= ${AC3_FLOOR} (issue bar: 0.90 / 0.98)`, () => {
    expect(report.ac_at_3, misses()).toBeGreaterThanOrEqual(AC3_FLOOR);
    expect(report.ac_at_1, misses()).toBeGreaterThanOrEqual(AC1_FLOOR);
  });
});
