import type { CauseLink, GraphStore, Reach, StoredEvent, StoredResource } from "../graph/graph-store.js";
import { parseResourceId } from "./identity.js";
import type { Severity } from "./model.js";
import { severityLevel } from "./model.js";
import type { RuleSet } from "./rules.js";
import { type CauseScore, scoreCause, type ScoredEventLike } from "./score-cause.js";

/** The reads the analysis needs; a `GraphStore` provides them. */
export type GraphReader = Pick<
  GraphStore,
  | "getEvent"
  | "getResources"
  | "neighborhood"
  | "eventsOnResources"
  | "edgesOf"
  | "getIncident"
  | "listAnomalies"
>;

export interface AnalyzeOptions {
  readonly windowMs: number;
  readonly maxHops: number;
  readonly minConfidence?: number;
  readonly limit?: number;
  readonly rules: RuleSet;
  /** `seed` reproduces the predecessor: seed scoring, no same-resource causes, no chain reasoning. */
  readonly mode?: "full" | "seed";
}

export interface RankedCause extends CauseScore {
  readonly event: StoredEvent;
  readonly hops: number;
  readonly path: readonly string[];
  readonly explanation: string;
}

export interface Analysis {
  readonly effect: StoredEvent;
  readonly causes: RankedCause[];
  /** Every scored candidate link (before truncation), for materialising cause links. */
  readonly links: CauseLink[];
  readonly blastRadius: StoredResource[];
  readonly timeline: StoredEvent[];
}

export const toScored = (e: StoredEvent, resource?: { kind: string; name: string }): ScoredEventLike => ({
  id: e.id,
  timeMs: e.timeMs,
  level: e.level,
  reason: e.reason,
  message: e.message,
  etype: e.etype,
  ...(resource
    ? { kind: resource.kind, name: resource.name }
    : e.subjectKind
      ? { kind: e.subjectKind, name: e.subjectName ?? "" }
      : {}),
});

const resourceLabel = (id: string | undefined): string => {
  if (!id) return "?";
  const p = parseResourceId(id);
  return p ? `${p.kind} ${p.namespace ? `${p.namespace}/` : ""}${p.name}` : id;
};

export function explain(
  cause: StoredEvent,
  effect: StoredEvent,
  s: CauseScore,
  hops: number,
  path: readonly string[],
): string {
  const dt = Math.round((effect.timeMs - cause.timeMs) / 1000);
  const where =
    hops === 0
      ? "on the same resource"
      : `${hops} hop${hops > 1 ? "s" : ""} away (${path
          .filter((_, i) => i % 2 === 1)
          .join(" → ")
          .toLowerCase()})`;
  return `${cause.reason || cause.etype} on ${resourceLabel(cause.resourceId)} ${dt}s before ${effect.reason || effect.etype} on ${resourceLabel(effect.resourceId)}, ${where}; rule ${s.rule} (${s.domain})`;
}

/** Candidate causes of one event, scored (no ranking adjustments). */
export async function scoreCandidates(
  store: GraphReader,
  effect: StoredEvent,
  opts: AnalyzeOptions,
): Promise<Array<{ event: StoredEvent; score: CauseScore; reach: Reach }>> {
  if (!effect.resourceId) return [];
  const reach = await store.neighborhood(effect.resourceId, opts.maxHops);
  const ids = [...reach.keys()];
  const candidates = await store.eventsOnResources(ids, effect.timeMs - opts.windowMs, effect.timeMs);
  const resources = new Map((await store.getResources(ids)).map((r) => [r.id, r]));
  const effectRes = resources.get(effect.resourceId);
  const effectScored = toScored(effect, effectRes);
  const out: Array<{ event: StoredEvent; score: CauseScore; reach: Reach }> = [];
  for (const c of candidates) {
    if (c.id === effect.id || c.baseId === effect.baseId) continue;
    const r = reach.get(c.resourceId!)!;
    // A repeat of the symptom on the same resource is the symptom, not its cause.
    if (r.hops === 0 && c.reason === effect.reason && c.etype === effect.etype) continue;
    if (opts.mode === "seed" && r.hops === 0) continue;
    const s = scoreCause(
      toScored(c, resources.get(c.resourceId!)),
      effectScored,
      r.hops,
      opts.windowMs,
      opts.rules,
    );
    if (s) out.push({ event: c, score: s, reach: r });
  }
  return out;
}

const byScore = (
  a: { score: CauseScore; event: StoredEvent },
  b: { score: CauseScore; event: StoredEvent },
) =>
  b.score.confidence - a.score.confidence ||
  a.event.timeMs - b.event.timeMs ||
  a.event.id.localeCompare(b.event.id);

/** Ranks the causes of one event and derives its blast radius and timeline. */
export async function analyze(
  store: GraphReader,
  effectId: string,
  opts: AnalyzeOptions,
): Promise<Analysis | undefined> {
  const effect = await store.getEvent(effectId);
  if (!effect) return undefined;
  const direct = await scoreCandidates(store, effect, opts);
  direct.sort(byScore);
  const scored = opts.mode === "seed" ? direct : await rankByChains(store, direct, opts);
  const links: CauseLink[] = scored.map((c) => ({
    causeId: c.event.id,
    effectId: effect.id,
    confidence: c.score.confidence,
    temporal: c.score.temporal,
    distance: c.score.distance,
    domain: c.score.domain,
    hops: c.reach.hops,
    rule: c.score.rule,
    path: c.reach.path,
  }));
  const min = opts.minConfidence ?? 0;
  const limit = opts.limit ?? 10;
  const seenBase = new Set<string>();
  const causes: RankedCause[] = [];
  for (const c of scored) {
    if (c.score.confidence < min) continue;
    if (seenBase.has(c.event.baseId)) continue;
    seenBase.add(c.event.baseId);
    causes.push({
      ...c.score,
      event: c.event,
      hops: c.reach.hops,
      path: c.reach.path,
      explanation: explain(c.event, effect, c.score, c.reach.hops, c.reach.path),
    });
    if (causes.length >= limit) break;
  }
  const blastRadius = causes[0] ? await blastRadiusOf(store, causes[0].event, effect, opts) : [];
  const timeline = await timelineOf(store, effect, causes, opts);
  return { effect, causes, links, blastRadius, timeline };
}

/** How many of the best direct candidates take part in chain reasoning. */
export const CHAIN_CANDIDATES = 15;
/** How much being explained by another candidate discounts a candidate (0..1). */
export const EXPLAINED_DISCOUNT = 0.5;
/** Explanations weaker than this do not count as explaining a candidate away. */
const MIN_EXPLAINING_DOMAIN = 0.6;

type Scored = { event: StoredEvent; score: CauseScore; reach: Reach };

/**
 * Chain reasoning: the root cause is the candidate that explains the others, not the nearest
 * symptom. Among the best candidates, each pair (R earlier than C, within the hop limit) is scored
 * with the same rules; R inherits the strength of the chain R -> C -> effect, and a candidate that
 * a specific rule explains by another candidate is discounted as an intermediate symptom.
 */
async function rankByChains(store: GraphReader, direct: Scored[], opts: AnalyzeOptions): Promise<Scored[]> {
  const top = direct.slice(0, CHAIN_CANDIDATES);
  if (top.length < 2) return direct;
  const reaches = new Map<string, Map<string, Reach>>();
  for (const c of top) {
    const rid = c.event.resourceId!;
    if (!reaches.has(rid)) reaches.set(rid, await store.neighborhood(rid, opts.maxHops));
  }
  const resources = new Map(
    (await store.getResources([...new Set(top.map((c) => c.event.resourceId!))])).map((r) => [r.id, r]),
  );
  const asTarget = (e: StoredEvent) => toScored(e, resources.get(e.resourceId!));
  const inherited = new Map<string, number>();
  const explained = new Map<string, number>();
  for (const c of top) {
    const reach = reaches.get(c.event.resourceId!)!;
    for (const r of top) {
      if (r === c || r.event.timeMs > c.event.timeMs) continue;
      if (r.event.timeMs === c.event.timeMs && r.event.id > c.event.id) continue;
      const hop = reach.get(r.event.resourceId!);
      if (!hop) continue;
      const p = scoreCause(asTarget(r.event), asTarget(c.event), hop.hops, opts.windowMs, opts.rules);
      if (!p) continue;
      const chain = p.confidence * c.score.confidence;
      if (chain > (inherited.get(r.event.id) ?? 0)) inherited.set(r.event.id, chain);
      if (p.domain >= MIN_EXPLAINING_DOMAIN && p.confidence > (explained.get(c.event.id) ?? 0))
        explained.set(c.event.id, p.confidence);
    }
  }
  const adjusted = direct.map((c) => {
    const base = Math.max(c.score.confidence, inherited.get(c.event.id) ?? 0);
    const final = base * (1 - EXPLAINED_DISCOUNT * (explained.get(c.event.id) ?? 0));
    return final === c.score.confidence
      ? c
      : { ...c, score: { ...c.score, confidence: Math.round(final * 10_000) / 10_000 } };
  });
  return adjusted.sort(byScore);
}

/** Which way trouble travels over each edge type: `back` means from the edge's target to its source. */
const IMPACT: Record<string, "back" | "forward" | "both"> = {
  RUNS_ON: "back",
  SELECTS: "back",
  MOUNTS: "back",
  ROUTES_TO: "back",
  DEPENDS_ON: "back",
  BINDS: "back",
  CONTROLS: "both",
};

/**
 * Resources downstream of the root cause that show symptoms: walk from the root's resource in the
 * direction trouble travels, keep resources with WARNING+ events after the root cause within the
 * window, and the Services/Ingresses/owners that front them.
 */
export async function blastRadiusOf(
  store: GraphReader,
  root: StoredEvent,
  effect: StoredEvent,
  opts: AnalyzeOptions,
): Promise<StoredResource[]> {
  if (!root.resourceId) return [];
  const maxDepth = opts.maxHops + 1;
  const seen = new Map<string, number>([[root.resourceId, 0]]);
  let frontier = [root.resourceId];
  for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
    const edges = await store.edgesOf(frontier);
    const inFrontier = new Set(frontier);
    const next: string[] = [];
    for (const e of edges) {
      const dir = IMPACT[e.type] ?? "both";
      const targets: string[] = [];
      if (inFrontier.has(e.toId) && (dir === "back" || dir === "both")) targets.push(e.fromId);
      if (inFrontier.has(e.fromId) && (dir === "forward" || dir === "both")) targets.push(e.toId);
      for (const t of targets) {
        if (seen.has(t)) continue;
        seen.set(t, depth);
        next.push(t);
      }
    }
    frontier = next.sort();
  }
  const ids = [...seen.keys()];
  const events = await store.eventsOnResources(ids, root.timeMs, root.timeMs + opts.windowMs, "WARNING");
  const symptomatic = new Set(events.filter((e) => e.id !== root.id).map((e) => e.resourceId!));
  if (effect.resourceId) symptomatic.add(effect.resourceId);
  // Aggregators (Services, Ingresses, workload owners) of symptomatic resources are hit too.
  const keep = new Set<string>();
  for (const id of symptomatic) if (seen.has(id)) keep.add(id);
  const edges = await store.edgesOf([...keep]);
  for (const e of edges) {
    if (
      keep.has(e.toId) &&
      seen.has(e.fromId) &&
      (e.type === "SELECTS" || e.type === "ROUTES_TO" || e.type === "CONTROLS")
    ) {
      keep.add(e.fromId);
    }
  }
  for (const e of await store.edgesOf([...keep])) {
    if (keep.has(e.toId) && seen.has(e.fromId) && (e.type === "ROUTES_TO" || e.type === "CONTROLS"))
      keep.add(e.fromId);
  }
  keep.delete(root.resourceId);
  const resources = await store.getResources([...keep]);
  return resources.sort((a, b) => seen.get(a.id)! - seen.get(b.id)! || a.id.localeCompare(b.id));
}

async function timelineOf(
  store: GraphReader,
  effect: StoredEvent,
  causes: RankedCause[],
  opts: AnalyzeOptions,
): Promise<StoredEvent[]> {
  const ids = new Set<string>();
  if (effect.resourceId) ids.add(effect.resourceId);
  for (const c of causes.slice(0, 5)) if (c.event.resourceId) ids.add(c.event.resourceId);
  if (ids.size === 0) return [effect];
  const from = Math.min(effect.timeMs - opts.windowMs, ...causes.map((c) => c.event.timeMs));
  const events = await store.eventsOnResources([...ids], from, effect.timeMs + 60_000);
  const minLevel: Severity = "WARNING";
  const out = events.filter(
    (e) =>
      severityLevel(e.level) >= severityLevel(minLevel) || e.etype === "k8s.change" || e.id === effect.id,
  );
  return out.slice(-200);
}
