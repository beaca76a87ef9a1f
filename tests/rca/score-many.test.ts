import { afterEach, describe, expect, it } from "vitest";
import { type AnalyzeOptions, scoreCandidates, scoreCandidatesMany } from "../../rca/analyze.js";
import type { WireMessage } from "../../rca/normalize.js";
import { defaultRules } from "../../rca/rules.js";
import { cachedReader } from "../../workers/cached-reader.js";
import { tempStore } from "../helpers.js";
import { apply, event, logLine, shop } from "./fixtures.js";

const opts: AnalyzeOptions = { windowMs: 15 * 60_000, maxHops: 3, rules: defaultRules() };
const CART = { kind: "Pod", ns: "shop", name: "cart-7d9f8-x2k4p" };
const FRONTEND = { ns: "shop", name: "frontend-5c6d7-abcde" };

/** Bursts on two pods, hours apart, so a job's effects fall into several runs of windows. */
function bursts(): WireMessage[] {
  const out: WireMessage[] = [...shop()];
  for (const base of [100, 400, 3 * 3600, 3 * 3600 + 50, 9 * 3600]) {
    out.push(
      event(`oom-${base}`, base, "OOMKilled", CART, {
        severity: "FATAL",
        message: "OOMKilled (exit code 137)",
      }),
    );
    out.push(event(`bo-${base}`, base + 3, "BackOff", CART));
    out.push(
      logLine(`fe-${base}`, base + 20, FRONTEND, "dial tcp 10.96.12.40:80: connect: connection refused"),
    );
  }
  return out;
}

describe("scoreCandidatesMany", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it("scores every effect exactly as scoring it alone does", async () => {
    const t = await tempStore();
    close = t.close;
    await apply(t.store, bursts());
    const all = (await t.store.listEvents({ limit: 500 })).items;
    expect(all.length).toBeGreaterThan(10);
    const many = await scoreCandidatesMany(cachedReader(t.store), all, opts);
    let compared = 0;
    for (const e of all) {
      const alone = await scoreCandidates(t.store, e, opts);
      expect(many.get(e.id)).toEqual(alone);
      compared += alone.length;
    }
    expect(compared).toBeGreaterThan(0);
  });
});
