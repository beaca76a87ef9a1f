import { describe, expect, it } from "vitest";
import { toScored } from "../../rca/analyze.js";
import { escalate } from "../../rca/escalation.js";
import { defaultRules, loadRules } from "../../rca/rules.js";
import { type ScoredEventLike, scoreCause, withConfidence } from "../../rca/score-cause.js";
import { sameHiddenClass } from "../helpers.js";

const ev = (
  id: string,
  timeMs: number,
  reason: string,
  level: ScoredEventLike["level"] = "ERROR",
  message = "",
): ScoredEventLike => ({
  id,
  timeMs,
  reason,
  message,
  level,
  etype: "k8s.event",
  kind: "Pod",
  name: "p",
});

describe("seed scoring", () => {
  const rules = defaultRules();
  const W = 15 * 60_000;

  it("is 0.3 temporal + 0.3 distance + 0.4 domain", () => {
    const s = scoreCause(
      ev("c", 0, "OOMKilled", "FATAL"),
      ev("e", W / 2, "BackOff", "WARNING"),
      1,
      W,
      rules,
    )!;
    expect(s.temporal).toBeCloseTo(0.5);
    expect(s.distance).toBeCloseTo(0.5);
    expect(s.domain).toBeGreaterThanOrEqual(0.95);
    expect(s.confidence).toBeCloseTo(0.3 * 0.5 + 0.3 * 0.5 + 0.4 * s.domain, 3);
  });

  it("counts causes on the same resource (distance 0 is valid)", () => {
    const s = scoreCause(ev("c", 0, "OOMKilled", "FATAL"), ev("e", 1000, "BackOff", "WARNING"), 0, W, rules)!;
    expect(s.distance).toBe(1);
    expect(s.rule).not.toBe("default");
  });

  it("rejects causes after the effect or outside the window", () => {
    expect(scoreCause(ev("c", 2000, "OOMKilled"), ev("e", 1000, "BackOff"), 0, W, rules)).toBeUndefined();
    expect(scoreCause(ev("c", 0, "OOMKilled"), ev("e", W + 1, "BackOff"), 0, W, rules)).toBeUndefined();
  });

  it("keeps the seed domain pairs as a floor", () => {
    const pair = (c: string, e: string, cm = "", el: ScoredEventLike["level"] = "ERROR") =>
      scoreCause(ev("c", 0, c, "ERROR", cm), ev("e", 10, e, el), 1, W, rules)!.domain;
    expect(pair("OOMKilled", "CrashLoopBackOff")).toBeGreaterThanOrEqual(0.95);
    expect(pair("ErrImagePull", "FailedScheduling")).toBeGreaterThanOrEqual(0.9);
    expect(pair("NodeNotReady", "Evicted")).toBeGreaterThanOrEqual(0.9);
    expect(pair("Whatever", "Other", "dial tcp: connection refused")).toBeGreaterThanOrEqual(0.7);
    expect(pair("Whatever", "Other")).toBeGreaterThanOrEqual(0.5);
  });

  it("rejects a rules file with a bad rule, naming it", () => {
    expect(() => loadRules("/nonexistent/rules.yaml")).toThrow(/KG_RULES_FILE/);
  });
});

describe("one hidden class per hot type", () => {
  it("every compiled rule matcher shares one, whichever fields its rule names", () => {
    const matchers = defaultRules().rules.flatMap((r) => [r.cause, r.effect]);
    expect(matchers.length).toBeGreaterThan(10);
    for (const m of matchers) expect(sameHiddenClass(m, matchers[0]!)).toBe(true);
  });

  it("match targets share one with and without a resource or subject", () => {
    const e = {
      id: "e",
      baseId: "e",
      cluster: "c",
      etype: "k8s.event" as const,
      severity: "ERROR" as const,
      level: "ERROR" as const,
      reason: "BackOff",
      message: "m",
      timeMs: 1,
      count: 1,
    };
    const a = toScored(e);
    const b = toScored({ ...e, subjectKind: "Pod", subjectName: "p" });
    const c = toScored(e, { kind: "Pod", name: "p" });
    expect([a.kind, b.kind, c.kind]).toEqual([undefined, "Pod", "Pod"]);
    expect(sameHiddenClass(a, b) && sameHiddenClass(a, c)).toBe(true);
  });

  it("withConfidence changes the confidence alone, in the hidden class of a computed score", () => {
    const s = scoreCause(
      ev("c", 0, "OOMKilled", "FATAL"),
      ev("e", 1000, "BackOff", "WARNING"),
      1,
      60_000,
      defaultRules(),
    )!;
    const c = withConfidence(s, 0.25);
    expect(c).toEqual({ ...s, confidence: 0.25 });
    expect(sameHiddenClass(c, s)).toBe(true);
    expect(sameHiddenClass({ ...s, confidence: 0.25 }, s)).toBe(false); // why it exists
  });
});

describe("severity escalation", () => {
  it("raises a level for every 3 occurrences within 5 minutes, in any order", () => {
    const occ = [0, 60_000, 120_000, 180_000, 240_000, 250_000].map((t, i) => ({
      id: `e${i}`,
      timeMs: t,
      severity: "WARNING" as const,
      level: "WARNING" as const,
    }));
    const a = escalate(occ);
    const b = escalate([...occ].reverse());
    expect(a).toEqual(b);
    const levels = Object.fromEntries(a.map((x) => [x.eventId, x.level]));
    expect(levels.e0).toBeUndefined();
    expect(levels.e2).toBe("ERROR");
    expect(levels.e5).toBe("FATAL");
  });

  it("does not escalate repeats spread beyond the window or INFO events", () => {
    const spread = [0, 400_000, 800_000].map((t, i) => ({
      id: `s${i}`,
      timeMs: t,
      severity: "WARNING" as const,
      level: "WARNING" as const,
    }));
    expect(escalate(spread)).toEqual([]);
    const info = [0, 1, 2].map((t, i) => ({
      id: `i${i}`,
      timeMs: t,
      severity: "INFO" as const,
      level: "INFO" as const,
    }));
    expect(escalate(info)).toEqual([]);
  });
});
