import type { Severity } from "./model.js";
import { domainScore, type MatchTarget, type RuleSet } from "./rules.js";

/** Weights of the seed scoring (DESIGN.md): confidence = 0.3 temporal + 0.3 distance + 0.4 domain. */
export const WEIGHTS = { temporal: 0.3, distance: 0.3, domain: 0.4 } as const;

export interface ScoredEventLike extends MatchTarget {
  readonly id: string;
  readonly timeMs: number;
  readonly level: Severity;
}

export interface CauseScore {
  readonly confidence: number;
  readonly temporal: number;
  readonly distance: number;
  readonly domain: number;
  readonly rule: string;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * Scores `cause` as an explanation of `effect` `hops` apart. Undefined when the cause is after the
 * effect or outside the window. Pure and deterministic: the same pair always gets the same score.
 */
export function scoreCause(
  cause: ScoredEventLike,
  effect: ScoredEventLike,
  hops: number,
  windowMs: number,
  rules: RuleSet,
): CauseScore | undefined {
  const dt = effect.timeMs - cause.timeMs;
  if (dt < 0 || dt > windowMs) return undefined;
  const temporal = 1 - dt / windowMs;
  const distance = 1 / (hops + 1);
  const d = domainScore(rules, cause, effect, hops);
  const confidence = WEIGHTS.temporal * temporal + WEIGHTS.distance * distance + WEIGHTS.domain * d.score;
  return {
    confidence: round(confidence),
    temporal: round(temporal),
    distance: round(distance),
    domain: d.score,
    rule: d.rule,
  };
}
