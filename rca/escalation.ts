import type { Severity } from "./model.js";
import { levelSeverity, severityLevel } from "./model.js";

/** Seed rule: each 3 occurrences of a reason on a resource within 5 minutes raise the severity a level. */
export const ESCALATION = { repeats: 3, windowMs: 5 * 60_000 } as const;

export interface Occurrence {
  readonly id: string;
  readonly timeMs: number;
  readonly severity: Severity;
  readonly level: Severity;
}

/**
 * Effective severities for occurrences of one (resource, reason): an occurrence with n occurrences
 * (itself included) in the 5 minutes up to it is raised floor(n / 3) levels, capped at FATAL,
 * and never starts from below WARNING. Defined on the set, so arrival order does not matter.
 * Returns only the occurrences whose level rises.
 */
export function escalate(occurrences: readonly Occurrence[]): Array<{ eventId: string; level: Severity }> {
  const sorted = [...occurrences].sort((a, b) => a.timeMs - b.timeMs || a.id.localeCompare(b.id));
  const out: Array<{ eventId: string; level: Severity }> = [];
  let lo = 0;
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    while (sorted[lo]!.timeMs < e.timeMs - ESCALATION.windowMs) lo++;
    const n = i - lo + 1;
    const base = severityLevel(e.severity);
    if (base < 1) continue; // INFO events (Pulled, Started...) repeat by design
    const target = levelSeverity(base + Math.floor(n / ESCALATION.repeats));
    if (severityLevel(target) > severityLevel(e.level)) out.push({ eventId: e.id, level: target });
  }
  return out;
}
