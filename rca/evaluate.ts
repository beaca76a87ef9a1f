import type { Analysis } from "./analyze.js";
import { canonicalKind, isClusterScoped, parseResourceId } from "./identity.js";

/** A root cause or blast-radius entry in a scenario's truth (scenarios/FORMAT.md). */
export interface TruthResource {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly reason?: string;
}

export interface RankedForEval {
  readonly event_id: string;
  readonly reason: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly confidence: number;
}

/** The ranking as FORMAT.md prints it: best first, at most 10, distinct events. */
export function rankingOf(a: Analysis | undefined): RankedForEval[] {
  if (!a) return [];
  return a.causes.slice(0, 10).map((c) => {
    const r = c.event.resourceId ? parseResourceId(c.event.resourceId) : undefined;
    return {
      event_id: c.event.id,
      reason: c.event.reason,
      kind: r?.kind ?? c.event.subjectKind ?? "",
      namespace: r?.namespace ?? "",
      name: r?.name ?? c.event.subjectName ?? "",
      confidence: c.confidence,
    };
  });
}

const sameResource = (
  a: { kind: string; namespace?: string; name: string },
  b: { kind: string; namespace?: string; name: string },
) => {
  // Ids keep kinds lower-case, so a custom kind (ExternalSecret) comes back as "Externalsecret".
  const ka = canonicalKind(a.kind);
  if (ka.toLowerCase() !== canonicalKind(b.kind).toLowerCase() || a.name !== b.name) return false;
  if (isClusterScoped(ka)) return true;
  return (a.namespace ?? "") === (b.namespace ?? "");
};

/** Whether a ranked cause matches a root cause: same resource and, where the truth gives one, same reason (any case). */
export function causeMatches(cause: RankedForEval, truth: TruthResource): boolean {
  if (!sameResource(cause, truth)) return false;
  return truth.reason === undefined || truth.reason.toLowerCase() === cause.reason.toLowerCase();
}

export function hitAt(
  k: number,
  ranking: readonly RankedForEval[],
  truths: readonly TruthResource[],
): boolean {
  return ranking.slice(0, k).some((c) => truths.some((t) => causeMatches(c, t)));
}

export function blastRadiusCovers(
  blast: ReadonlyArray<{ kind: string; namespace: string; name: string }>,
  expected: readonly TruthResource[],
): boolean {
  return expected.every((t) => blast.some((b) => sameResource(b, t)));
}
