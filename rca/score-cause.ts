import type { Severity } from "./model.js";
import { domainScore, type MatchTarget, type RuleSet } from "./rules.js";

/** Weights of the seed scoring (DESIGN.md): confidence = 0.3 temporal + 0.3 distance + 0.4 domain. */
export const WEIGHTS = { temporal: 0.3, distance: 0.3, domain: 0.4 } as const;

export interface ScoreWeights {
  readonly temporal: number;
  readonly distance: number;
  readonly domain: number;
  /**
   * Gated: confidence = domain score x (domain + temporal x t + distance x d), so time and
   * distance only scale what a rule says, and a pair no rule connects stays weak however close.
   */
  readonly gated?: boolean;
}

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

export const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * The weighted score of a cause `dtMs` before its effect, `hops` apart, with a domain score from a
 * rule. Undefined when the cause is after the effect or outside the window.
 */
export function combineScore(
  dtMs: number,
  hops: number,
  domain: { score: number; rule: string },
  windowMs: number,
  weights: ScoreWeights = WEIGHTS,
): CauseScore | undefined {
  if (dtMs < 0 || dtMs > windowMs) return undefined;
  const temporal = 1 - dtMs / windowMs;
  const distance = 1 / (hops + 1);
  const confidence = weights.gated
    ? domain.score * (weights.domain + weights.temporal * temporal + weights.distance * distance)
    : weights.temporal * temporal + weights.distance * distance + weights.domain * domain.score;
  return {
    confidence: round4(confidence),
    temporal: round4(temporal),
    distance: round4(distance),
    domain: domain.score,
    rule: domain.rule,
  };
}

/**
 * `s` with another confidence, its keys in `combineScore`'s order: a spread copy (`{ ...s,
 * confidence }`) has another hidden class, and scores of two shapes make every read of them
 * polymorphic.
 */
export const withConfidence = (s: CauseScore, confidence: number): CauseScore => ({
  confidence,
  temporal: s.temporal,
  distance: s.distance,
  domain: s.domain,
  rule: s.rule,
});

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
  weights: ScoreWeights = WEIGHTS,
): CauseScore | undefined {
  const dt = effect.timeMs - cause.timeMs;
  if (dt < 0 || dt > windowMs) return undefined;
  return combineScore(dt, hops, domainScore(rules, cause, effect, hops), windowMs, weights);
}
