import type {
  CauseLink,
  GraphStore,
  Reach,
  StoredEdge,
  StoredEvent,
  StoredResource,
} from "../graph/graph-store.js";
import { eventWith } from "../graph/graph-store.js";
import { extendReach, lastTypes, passesThrough, reachIds, startReach } from "../graph/neighborhood.js";
import { parseResourceId } from "./identity.js";
import { backgroundPause } from "./time-slice.js";
import type { Severity } from "./model.js";
import { levelSeverity, severityLevel } from "./model.js";
import {
  domainScoreAt,
  domainScoreOf,
  matchTable,
  type RuleSet,
  type RuleVectors,
  ruleVectors,
  seedRules,
} from "./rules.js";
import {
  type CauseScore,
  combineScore,
  round4,
  type ScoredEventLike,
  type ScoreWeights,
  WEIGHTS,
  withConfidence,
} from "./score-cause.js";

/** The reads the analysis needs; a `GraphStore` provides them. */
export type GraphReader = Pick<
  GraphStore,
  | "getEvent"
  | "getResources"
  | "neighborhood"
  | "eventsOnResources"
  | "edgesOf"
  | "topologyVersion"
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
  /** Receives one line per ranked signal (direct score, chain, discount) for debugging a ranking. */
  readonly trace?: (line: string) => void;
}

export interface RankedCause extends CauseScore {
  readonly event: StoredEvent;
  readonly hops: number;
  readonly path: readonly string[];
  readonly explanation: string;
  /** Events (first occurrences) this cause explains on its way to the effect, nearest first. */
  readonly chain?: readonly string[];
}

export interface Analysis {
  readonly effect: StoredEvent;
  readonly causes: RankedCause[];
  /** Every scored candidate link (before truncation), for materialising cause links. */
  readonly links: CauseLink[];
  readonly blastRadius: StoredResource[];
  readonly timeline: StoredEvent[];
}

/**
 * `e` as a rule's match target: of the resource's kind and name if read, else of its subject's.
 * `kind` and `name` are always set (undefined for neither), so that targets have one shape.
 */
export const toScored = (e: StoredEvent, resource?: { kind: string; name: string }): ScoredEventLike => ({
  id: e.id,
  timeMs: e.timeMs,
  level: e.level,
  reason: e.reason,
  message: e.message,
  etype: e.etype,
  kind: targetKind(e, resource),
  name: targetName(e, resource),
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

export type Scored = { event: StoredEvent; score: CauseScore; reach: Reach };

/**
 * Weights of the full ranking. The seed's 0.3/0.3/0.4 sum let any recent event next to the
 * symptom (Pulled, Started) outrank the rule-backed cause; here the rule's score gates the
 * result and time and distance scale it.
 */
export const FULL_WEIGHTS: ScoreWeights = { temporal: 0.15, distance: 0.3, domain: 0.55, gated: true };
/**
 * How far back the full ranking looks, in windows: alerts fire after their `for:` period and the
 * change behind a symptom often precedes it by more than one window.
 */
export const LOOKBACK_WINDOWS = 2;

const rulesFor = (opts: AnalyzeOptions): RuleSet => (opts.mode === "seed" ? seedRules() : opts.rules);
const weightsFor = (opts: AnalyzeOptions): ScoreWeights => (opts.mode === "seed" ? WEIGHTS : FULL_WEIGHTS);
const lookbackFor = (opts: AnalyzeOptions): number =>
  opts.mode === "seed" ? opts.windowMs : opts.windowMs * LOOKBACK_WINDOWS;

/** Candidate causes of one event (events within the window and hop limit), scored one by one. */
export async function scoreCandidates(
  store: GraphReader,
  effect: StoredEvent,
  opts: AnalyzeOptions,
): Promise<Scored[]> {
  return (await collect(store, effect, opts)).scored;
}

/**
 * Candidate causes of many events at once, each exactly as `scoreCandidates` would score it,
 * with one candidate read per resource and run of nearby events instead of one per event: the
 * events of a scoring job cluster on a few resources and moments, so their windows overlap.
 * Returns the scored candidates by effect id, those below `minConfidence` left out as they are
 * scored (a job of thousands of effects would otherwise hold every candidate of each at once).
 */
export async function scoreCandidatesMany(
  store: GraphReader,
  effects: Iterable<StoredEvent>,
  opts: AnalyzeOptions,
  minConfidence = 0,
): Promise<Map<string, Scored[]>> {
  const kept = (scored: Scored[]) =>
    minConfidence > 0 ? scored.filter((s) => s.score.confidence >= minConfidence) : scored;
  const out = new Map<string, Scored[]>();
  const byResource = new Map<string, StoredEvent[]>();
  for (const e of effects) {
    if (!e.resourceId) {
      out.set(e.id, []);
      continue;
    }
    const list = byResource.get(e.resourceId);
    if (list) list.push(e);
    else byResource.set(e.resourceId, [e]);
  }
  const lookback = lookbackFor(opts);
  const late = opts.mode === "seed" ? 0 : LATE_DETECTION_MS;
  for (const [rid, list] of byResource) {
    await backgroundPause();
    list.sort((a, b) => a.timeMs - b.timeMs);
    const ids = reachIds(await store.neighborhood(rid, opts.maxHops));
    // Runs of events whose candidate windows overlap share one read; a gap starts a new run, so
    // no read covers more time than the separate ones would have.
    for (let i = 0; i < list.length; ) {
      let j = i + 1;
      while (j < list.length && list[j]!.timeMs - lookback <= list[j - 1]!.timeMs + late) j++;
      const run = list.slice(i, j);
      i = j;
      if (run.length === 1) {
        out.set(run[0]!.id, kept((await collect(store, run[0]!, opts)).scored));
        continue;
      }
      const lo = run[0]!.timeMs - lookback;
      const hi = run[run.length - 1]!.timeMs + late;
      // Ordered by (time, id) like every per-event read, so a time slice of it is that read.
      const read = await store.eventsOnResources(ids, lo, hi);
      const view = windowView(store, rid, ids.length, lo, hi, read);
      for (const e of run) out.set(e.id, kept((await collect(view, e, opts)).scored));
    }
  }
  return out;
}

/** The first index of `events` (ordered by time) whose time is at or after `t`. */
export function firstAtOrAfterTime(events: ReadonlyArray<{ readonly timeMs: number }>, t: number): number {
  let a = 0;
  let b = events.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (events[m]!.timeMs < t) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * A reader whose candidate read for one neighbourhood (the one starting at `start`, of `size`
 * resources) inside [lo, hi] is answered from `read`, a read of the whole range; anything else
 * goes to the store.
 */
function windowView(
  store: GraphReader,
  start: string,
  size: number,
  lo: number,
  hi: number,
  read: readonly StoredEvent[],
): GraphReader {
  return {
    getEvent: (id) => store.getEvent(id),
    getResources: (ids) => store.getResources(ids),
    neighborhood: (id, maxHops) => store.neighborhood(id, maxHops),
    edgesOf: (ids) => store.edgesOf(ids),
    getIncident: (id) => store.getIncident(id),
    listAnomalies: (f) => store.listAnomalies(f),
    eventsOnResources: async (ids, fromMs, toMs, minLevel = "INFO") => {
      if (ids[0] !== start || ids.length !== size || fromMs < lo || toMs > hi)
        return store.eventsOnResources(ids, fromMs, toMs, minLevel);
      const min = severityLevel(minLevel);
      const out: StoredEvent[] = [];
      for (let k = firstAtOrAfterTime(read, fromMs); k < read.length && read[k]!.timeMs <= toMs; k++)
        if (severityLevel(read[k]!.level) >= min) out.push(read[k]!);
      return out;
    },
  };
}

/** Edge types whose source is upstream of (configures) its target: owners, autoscalers, issuers. */
const UPSTREAM_FROM = new Set(["CONTROLS", "SCALES", "ISSUES", "GRANTS"]);
/**
 * Edge types whose target is upstream of its source: what a pod mounts, the volume a claim
 * binds, what an event references, the service a caller depends on, the pods behind a Service,
 * the node a pod runs on.
 */
const UPSTREAM_TO = new Set(["MOUNTS", "BINDS", "REFERENCES", "DEPENDS_ON", "SELECTS", "RUNS_ON"]);
/** Which end of an edge of each type is upstream, for a walk that asks once per edge. */
const UPSTREAM = new Map<string, "from" | "to">([
  ...[...UPSTREAM_FROM].map((t) => [t, "from"] as const),
  ...[...UPSTREAM_TO].map((t) => [t, "to"] as const),
]);
/** How many levels of owners, configuration and dependencies beyond the hop limit are searched. */
export const UPSTREAM_LEVELS = 3;

/**
 * Whether the path `base` + [type, up] joined comes before `other` joined, as strings: told by
 * the first element they differ in unless one of the two is a prefix of the other (a comma then
 * meets a character), which joining tells.
 */
function joinedBefore(base: readonly string[], type: string, up: string, other: readonly string[]): boolean {
  const length = base.length + 2;
  const n = Math.min(length, other.length);
  for (let i = 0; i < n; i++) {
    const x = i < base.length ? base[i]! : i === base.length ? type : up;
    const y = other[i]!;
    if (x === y) continue;
    // Only the shorter of two different strings can be a prefix of the other.
    const before = x < y;
    if (before ? !y.startsWith(x) : !x.startsWith(y)) return before;
    break;
  }
  return [...base, type, up].join() < other.join();
}

/** One read of edges: every edge that touches one of `ids`. */
interface EdgeRead {
  readonly ids: readonly string[];
  readonly edges: readonly StoredEdge[];
  /** When a mirror answered the read: its nodes for `ids`. */
  readonly nodes?: Int32Array;
}

/**
 * Reads the edges of `ids` and appends the read to `out`; returns the edges. From `mirror` when it
 * knows the edges of every one of them (the same edges as the store's read, not in its order:
 * nothing that reads edges depends on their order), else from the store.
 */
async function readEdges(
  store: GraphReader,
  ids: readonly string[],
  out: EdgeRead[],
  mirror?: TopologyMirror,
): Promise<StoredEdge[]> {
  const nodes = mirror?.known(ids);
  if (nodes) {
    const edges = mirror!.edgesOf(nodes);
    out.push({ ids, edges, nodes });
    return edges;
  }
  const edges = await store.edgesOf(ids);
  out.push({ ids, edges });
  return edges;
}

interface Collected {
  scored: Scored[];
  reach: ReadonlyMap<string, Reach>;
  resources: Map<string, StoredResource>;
  /** The edges read around the effect, one entry per read (a resource's edges may be in several). */
  edges: EdgeRead[];
}

/** What `expansion` found around one resource. */
interface Expansion {
  readonly reach: ReadonlyMap<string, Reach>;
  readonly edges: readonly EdgeRead[];
}

/** How many expansions a reader keeps (the largest seen since its topology last changed). */
const EXPANSIONS_KEPT = 16;

/**
 * The largest expansions of recent queries, kept for one topology version of a reader. A
 * resource beside a service everything calls reaches thousands of others, and an incident's
 * symptoms cluster on such resources: their expansions are the costliest part of a query and the
 * likeliest to be asked for again, while small ones are cheap to find again.
 */
class KeptExpansions {
  private readonly entries = new Map<string, { expansion: Expansion; size: number }>();

  constructor(readonly version: number) {}

  get(key: string): Expansion | undefined {
    return this.entries.get(key)?.expansion;
  }

  keep(key: string, expansion: Expansion): void {
    let size = expansion.reach.size;
    for (const read of expansion.edges) size += read.edges.length;
    this.entries.set(key, { expansion, size });
    if (this.entries.size <= EXPANSIONS_KEPT) return;
    let smallest: string | undefined;
    let least = Number.POSITIVE_INFINITY;
    for (const [k, e] of this.entries)
      if (e.size < least) {
        least = e.size;
        smallest = k;
      }
    this.entries.delete(smallest!);
  }
}
const keptByReader = new WeakMap<GraphReader, KeptExpansions>();

/** The reader's kept expansions for its current topology; none if it cannot tell its topology version. */
async function keptExpansions(store: GraphReader): Promise<KeptExpansions | undefined> {
  if (!store.topologyVersion) return undefined;
  const version = await store.topologyVersion();
  let kept = keptByReader.get(store);
  if (kept?.version !== version) {
    kept = new KeptExpansions(version);
    keptByReader.set(store, kept);
  }
  return kept;
}

/**
 * The neighbourhood of `start` expanded upstream and to its co-tenants: where `collect` looks
 * for candidates, from the topology alone. The edges read are appended to `edges`, one list per
 * read.
 */
async function expansion(
  store: GraphReader,
  start: string,
  opts: AnalyzeOptions,
  edges: EdgeRead[],
  mirror?: TopologyMirror,
): Promise<Map<string, Reach>> {
  const reach = new Map(await store.neighborhood(start, opts.maxHops));
  // Causes of causes: the owners and configuration (Deployment, HPA, ConfigMap, Certificate...)
  // of resources near the effect may lie beyond the hop limit, yet explain what lies within it.
  // The frontier is the neighbourhood, then each level's additions. Nothing depends on the order
  // resources enter `reach` in: every read of events orders them by time and id.
  let frontier: ReadonlyMap<string, Reach> = reach;
  // An edge that leads upstream of the frontier touches it: each level looks at the frontier's
  // own edges only.
  let frontierEdges = await readEdges(store, [...reach.keys()], edges, mirror);
  for (let level = 1; level <= UPSTREAM_LEVELS && frontier.size; level++) {
    const next = new Map<string, Reach>();
    for (let i = 0; i < frontierEdges.length; i++) {
      const e = frontierEdges[i]!;
      const upstream = UPSTREAM.get(e.type);
      let up: string | undefined;
      let down: string | undefined;
      if (upstream === "from") {
        up = e.fromId;
        down = e.toId;
      } else if (upstream === "to") {
        up = e.toId;
        down = e.fromId;
      }
      if (!up || !down) continue;
      // The frontier's entries are its resources' entries in `reach`.
      const base = frontier.get(down);
      if (!base || reach.has(up)) continue;
      const hops = base.hops + 1;
      const cur = next.get(up);
      // Equally near candidates are told apart by their joined paths.
      if (cur && (hops > cur.hops || (hops === cur.hops && !joinedBefore(base.path, e.type, up, cur.path))))
        continue;
      next.set(up, extendReach(base, e.type, up));
    }
    next.forEach((r, id) => {
      reach.set(id, r);
    });
    frontier = next;
    if (next.size) frontierEdges = await readEdges(store, [...next.keys()], edges, mirror);
  }
  await coTenants(store, reach, opts, edges, mirror);
  return reach;
}

async function collect(
  store: GraphReader,
  effect: StoredEvent,
  opts: AnalyzeOptions,
  expand = false,
  mirror?: TopologyMirror,
): Promise<Collected> {
  if (!effect.resourceId) return { scored: [], reach: new Map(), resources: new Map(), edges: [] };
  let reach: ReadonlyMap<string, Reach>;
  // `reach` when this call made it and nothing else holds it (the namespace fallback adds to it).
  let own: Map<string, Reach> | undefined;
  let edges: EdgeRead[] = [];
  // Whether `edges` (and `reach`) are a kept expansion's own (read-only here).
  let shared = false;
  if (expand) {
    const kept = await keptExpansions(store);
    // A kept expansion is read at its version: the mirror answers only for the same one.
    if (mirror && kept?.version !== mirror.version) mirror = undefined;
    const key = `${opts.maxHops}\u0000${effect.resourceId}`;
    const known = kept?.get(key);
    if (known) {
      // Shared with the kept expansion: the namespace fallback below copies before adding.
      reach = known.reach;
      edges = known.edges as EdgeRead[];
      shared = true;
    } else {
      own = await expansion(store, effect.resourceId, opts, edges, mirror);
      reach = own;
      if (kept && (await store.topologyVersion!()) === kept.version) {
        kept.keep(key, { reach, edges });
        shared = true;
        own = undefined;
      }
    }
  } else reach = await store.neighborhood(effect.resourceId, opts.maxHops); // the store's: read-only
  const ids = reachIds(reach);
  const lookback = lookbackFor(opts);
  const late = opts.mode === "seed" ? 0 : LATE_DETECTION_MS;
  let candidates = await store.eventsOnResources(ids, effect.timeMs - lookback, effect.timeMs + late);
  if (expand) {
    // A deleted or changed Secret/ConfigMap/claim/binding bites only when its dependants next
    // start, which may be long after the change: such changes are looked for further back, and
    // scored as if at the edge of the window.
    const latentIds = ids.filter((id) => LATENT_KINDS.has(kindOf(id)));
    const from = effect.timeMs - LATENT_LOOKBACK_MS;
    const to = effect.timeMs - lookback - 1;
    const latent = latentIds.length && to > from ? await store.eventsOnResources(latentIds, from, to) : [];
    for (const c of latent)
      if (c.etype === "k8s.change" && LATENT_REASONS.has(c.reason))
        candidates.push(eventWith(c, { timeMs: effect.timeMs - lookback }));
  }
  if (expand && !candidates.some((c) => c.resourceId !== effect.resourceId && severityLevel(c.level) >= 1)) {
    // Nothing near the effect went wrong: it is tied to its cause by what the graph cannot see (a
    // queue, an external name). The workloads of its namespace are the next best suspects.
    own ??= new Map(reach);
    reach = own;
    const more = await namespaceFallback(store, effect.resourceId, own, opts, mirror);
    if (more.some((read) => read.edges.length)) {
      if (shared) edges = [...edges];
      edges.push(...more);
      // The fallback only adds resources, after those already there.
      const added = [...reach.keys()].slice(ids.length);
      candidates = candidates.concat(
        await store.eventsOnResources(added, effect.timeMs - lookback, effect.timeMs + late),
      );
    }
  }
  // Only the resources that have candidates (and the effect's) are looked at: reading the whole
  // neighbourhood's resources would cost a row and two JSON documents each for nothing.
  const withEvents = new Set<string>([effect.resourceId]);
  for (const c of candidates) withEvents.add(c.resourceId!);
  const resources = new Map((await store.getResources([...withEvents])).map((r) => [r.id, r]));
  const effectScored = toScored(effect, resources.get(effect.resourceId));
  const scored: Scored[] = [];
  // One reach per resource: a kept neighbourhood makes a new one per look-up, and the candidates
  // on one resource share it (and so their links' path, see `processRcaScore`).
  const reachOf = new Map<string, Reach>();
  for (const c of candidates) {
    let r = reachOf.get(c.resourceId!);
    if (r === undefined) {
      r = reach.get(c.resourceId!)!;
      reachOf.set(c.resourceId!, r);
    }
    const s = scoreCandidate(c, effect, effectScored, r, resources, opts);
    if (s) scored.push(s);
  }
  return { scored, reach, resources, edges };
}

/** Rule vectors by event object (stored events are immutable; a changed event is a new object). */
const vectorMemo = new WeakMap<
  StoredEvent,
  { set: RuleSet; kind: string | undefined; name: string | undefined; v: RuleVectors }
>();
function vectorsOf(set: RuleSet, e: StoredEvent, t: ScoredEventLike): RuleVectors {
  return keptVectors(set, e, t.kind, t.name) ?? newVectors(set, e, t);
}

/** The vectors kept for `e` matched as `kind`/`name`, if any. */
function keptVectors(
  set: RuleSet,
  e: StoredEvent,
  kind: string | undefined,
  name: string | undefined,
): RuleVectors | undefined {
  const m = vectorMemo.get(e);
  return m && m.set === set && m.kind === kind && m.name === name ? m.v : undefined;
}

/** `e`'s vectors matched as `t`, computed and kept. */
function newVectors(set: RuleSet, e: StoredEvent, t: ScoredEventLike): RuleVectors {
  const v = ruleVectors(set, t);
  vectorMemo.set(e, { set, kind: t.kind, name: t.name, v });
  return v;
}

/**
 * `vectorsOf` a candidate on `resource` (its record, if read), building its match target only
 * when the vectors are not kept: scoring builds hundreds of thousands of candidates, most of them
 * events scored before (in a 50k-event bench run ~45 MB of targets made only to be compared).
 */
function candidateVectors(set: RuleSet, c: StoredEvent, resource: StoredResource | undefined): RuleVectors {
  return (
    keptVectors(set, c, targetKind(c, resource), targetName(c, resource)) ??
    newVectors(set, c, toScored(c, resource))
  );
}

/** The kind `toScored` gives `e` on `resource` (its record, if read). */
function targetKind(e: StoredEvent, resource: { kind: string } | undefined): string | undefined {
  return resource ? resource.kind : e.subjectKind ? e.subjectKind : undefined;
}

/** The name `toScored` gives `e` on `resource` (its record, if read). */
function targetName(e: StoredEvent, resource: { name: string } | undefined): string | undefined {
  return resource ? resource.name : e.subjectKind ? (e.subjectName ?? "") : undefined;
}

/**
 * Candidate `c` scored as a cause of `effect` (`effectScored` is its match target), `r` away from
 * it; undefined when it is no candidate (the effect itself, a repeat of the symptom, after the
 * effect without being reported late, outside the window). The one scoring of a pair that both
 * `collect` and `scorePairs` use.
 */
function scoreCandidate(
  c: StoredEvent,
  effect: StoredEvent,
  effectScored: ScoredEventLike,
  r: Reach,
  resources: ReadonlyMap<string, StoredResource>,
  opts: AnalyzeOptions,
): Scored | undefined {
  if (c.id === effect.id || c.baseId === effect.baseId) return undefined;
  // A repeat of the symptom on the same resource is the symptom, not its cause.
  if (r.hops === 0 && c.reason === effect.reason && c.etype === effect.etype) return undefined;
  if (opts.mode === "seed" && r.hops === 0) return undefined;
  const rules = rulesFor(opts);
  const weights = weightsFor(opts);
  const lookback = lookbackFor(opts);
  const resource = resources.get(c.resourceId!);
  const dt = effect.timeMs - c.timeMs;
  if (dt < 0) {
    // Only what is known to be reported late may be stamped after the symptom it explains.
    if (opts.mode === "seed" || -dt > LATE_DETECTION_MS) return undefined;
    if (!reportedLate(c, targetKind(c, resource))) return undefined;
    const d = domainScoreOf(
      rules,
      candidateVectors(rules, c, resource),
      vectorsOf(rules, effect, effectScored),
      r.hops,
    );
    const s = combineScore(0, r.hops, d, lookback, weights)!;
    return { event: c, score: withConfidence(s, round4(s.confidence * LATE_PENALTY)), reach: r };
  }
  if (dt > lookback) return undefined;
  // `scoreCause`, with each event's rule vectors computed once.
  const d = domainScoreOf(
    rules,
    candidateVectors(rules, c, resource),
    vectorsOf(rules, effect, effectScored),
    r.hops,
  );
  const s = combineScore(dt, r.hops, d, lookback, weights);
  if (!s) return undefined;
  // Trouble does not travel between two pods because they share a node or a policy.
  const penalty =
    opts.mode !== "seed" &&
    ((passesThrough(r, isHub) && !throughNodeRules(rules).has(s.rule)) ||
      siblingLifecycle(c, r) ||
      siblingEcho(c, effect, r))
      ? HUB_PENALTY
      : 1;
  return {
    event: c,
    score: penalty === 1 ? s : withConfidence(s, round4(s.confidence * penalty)),
    reach: r,
  };
}

/**
 * Pairs scored one by one: each `cause` as a candidate of each of its `effects`, exactly as
 * scoring the effect (`scoreCandidates`) scores that candidate, and only when it would be one (the
 * cause's resource within the effect's neighbourhood, its time within the effect's window). For an
 * event that arrives after the events it explains: the links it adds are these pairs; the
 * effects' other candidates are unchanged. Returns the scored pairs by effect id, those below
 * `minConfidence` left out.
 */
export async function scorePairs(
  store: GraphReader,
  pairs: ReadonlyArray<{ readonly cause: StoredEvent; readonly effects: readonly StoredEvent[] }>,
  opts: AnalyzeOptions,
  minConfidence = 0,
): Promise<Map<string, Scored[]>> {
  const out = new Map<string, Scored[]>();
  const lookback = lookbackFor(opts);
  const late = opts.mode === "seed" ? 0 : LATE_DETECTION_MS;
  // One neighbourhood per effect resource and one resource read for the lot.
  const reaches = new Map<string, ReadonlyMap<string, Reach>>();
  const ids = new Set<string>();
  for (const { cause, effects } of pairs) {
    if (!cause.resourceId) continue;
    ids.add(cause.resourceId);
    for (const e of effects) {
      if (!e.resourceId || reaches.has(e.resourceId)) continue;
      reaches.set(e.resourceId, await store.neighborhood(e.resourceId, opts.maxHops));
      ids.add(e.resourceId);
    }
  }
  const resources = new Map((await store.getResources([...ids])).map((x) => [x.id, x]));
  const targets = new Map<StoredEvent, ScoredEventLike>();
  // The reach from each effect resource to the current cause's resource, made once while the
  // causes' resource stays the same (their pairs come grouped by it): shared by the pairs, as in
  // `collect`.
  let reachTo: Map<string, Reach | undefined> | undefined;
  let reachToOf: string | undefined;
  for (const { cause, effects } of pairs) {
    if (!cause.resourceId) continue;
    await backgroundPause();
    if (reachToOf !== cause.resourceId || reachTo === undefined) {
      reachTo = new Map();
      reachToOf = cause.resourceId;
    }
    for (const effect of effects) {
      if (!effect.resourceId) continue;
      if (cause.timeMs < effect.timeMs - lookback || cause.timeMs > effect.timeMs + late) continue;
      let r = reachTo.get(effect.resourceId);
      if (r === undefined && !reachTo.has(effect.resourceId)) {
        r = reaches.get(effect.resourceId)!.get(cause.resourceId);
        reachTo.set(effect.resourceId, r);
      }
      if (!r) continue;
      let effectScored = targets.get(effect);
      if (!effectScored) {
        effectScored = toScored(effect, resources.get(effect.resourceId));
        targets.set(effect, effectScored);
      }
      const s = scoreCandidate(cause, effect, effectScored, r, resources, opts);
      if (!s || s.score.confidence < minConfidence) continue;
      const list = out.get(effect.id);
      if (list) list.push(s);
      else out.set(effect.id, [s]);
    }
  }
  return out;
}

/** How far from the effect a node may be for the pods sharing it to be searched. */
const CO_TENANT_NODE_HOPS = 2;
/** At most this many pods sharing those nodes (nearest nodes first) are searched. */
export const MAX_CO_TENANTS = 400;
const isNode = (id: string): boolean => kindOf(id).toLowerCase() === "node";

/**
 * Pods sharing a node with the resources near the effect, and their controllers (ReplicaSet,
 * Deployment, DaemonSet, Job...): a node agent that crashed, a pod that hogs the node's memory, a
 * DaemonSet that took every node's pod slots or host ports. They are added to `reach` through
 * the node (a hub: only rules marked `through_node` score them undiscounted). The edges read are
 * appended to `out`.
 */
async function coTenants(
  store: GraphReader,
  reach: Map<string, Reach>,
  opts: AnalyzeOptions,
  out: EdgeRead[],
  mirror?: TopologyMirror,
): Promise<void> {
  const nodes: Array<[string, Reach]> = [];
  const maxNodeHops = Math.min(CO_TENANT_NODE_HOPS, opts.maxHops - 1);
  reach.forEach((r, id) => {
    if (r.hops > 0 && r.hops <= maxNodeHops && isNode(id)) nodes.push([id, r]);
  });
  nodes.sort((a, b) => a[1].hops - b[1].hops || a[0].localeCompare(b[0]));
  if (nodes.length === 0) return;
  const nodeEdges = await readEdges(
    store,
    nodes.map(([id]) => id),
    out,
    mirror,
  );
  const podsOn = new Map<string, string[]>();
  for (const e of nodeEdges) {
    if (e.type !== "RUNS_ON") continue;
    const l = podsOn.get(e.toId);
    if (l) l.push(e.fromId);
    else podsOn.set(e.toId, [e.fromId]);
  }
  const added: string[] = [];
  for (const [nodeId, r] of nodes) {
    const pods = (podsOn.get(nodeId) ?? []).filter((pod) => !reach.has(pod)).sort();
    for (const pod of pods) {
      if (added.length >= MAX_CO_TENANTS) break;
      if (reach.has(pod)) continue;
      reach.set(pod, extendReach(r, "RUNS_ON", pod));
      added.push(pod);
    }
  }
  // Their controllers, two levels up (Pod <- ReplicaSet <- Deployment, Pod <- Job <- CronJob).
  await addControllers(store, reach, added, out, mirror);
}

/**
 * The controllers of `pods`, two levels up (Pod <- ReplicaSet <- Deployment, Pod <- Job <-
 * CronJob), added to `reach` one hop beyond what they control; the edges read are appended to
 * `out`. Returns the controllers added and the last level's (whose own edges were not read).
 */
async function addControllers(
  store: GraphReader,
  reach: Map<string, Reach>,
  pods: readonly string[],
  out: EdgeRead[],
  mirror?: TopologyMirror,
): Promise<{ added: string[]; last: string[] }> {
  const added: string[] = [];
  let frontier = [...pods];
  for (let level = 0; level < 2 && frontier.length; level++) {
    const edges = await readEdges(store, frontier, out, mirror);
    const inFrontier = new Set(frontier);
    const next: string[] = [];
    // Ordered by controller and what it controls, so that a controller of several is reached
    // through the first of them; only the frontier's controls are worth ordering.
    const controls = edges.filter((e) => e.type === "CONTROLS" && inFrontier.has(e.toId));
    for (const e of controls.sort(
      (a, b) => a.fromId.localeCompare(b.fromId) || a.toId.localeCompare(b.toId),
    )) {
      if (reach.has(e.fromId)) continue;
      const base = reach.get(e.toId)!;
      reach.set(e.fromId, extendReach(base, "CONTROLS", e.fromId));
      next.push(e.fromId);
    }
    frontier = next;
    added.push(...next);
  }
  return { added, last: frontier };
}

/** Kinds whose changes take effect only when their dependants next (re)start. */
const LATENT_KINDS: ReadonlySet<string> = new Set([
  "Secret",
  "ConfigMap",
  "PersistentVolumeClaim",
  "ServiceAccount",
  "RoleBinding",
  "Role",
]);
const LATENT_REASONS: ReadonlySet<string> = new Set(["ResourceDeleted", "ConfigChanged", "MetadataChanged"]);
/** How far back such latent changes are looked for. */
export const LATENT_LOOKBACK_MS = 24 * 3_600_000;

/** At most this many pods of the effect's namespace are searched when nothing nearer went wrong. */
export const MAX_NAMESPACE_FALLBACK = 200;

/**
 * Pods of the effect's namespace (and their controllers), reached through the Namespace, a hub:
 * the last resort when the effect's neighbourhood holds no warning at all. Returns the edges read,
 * one list per read.
 */
async function namespaceFallback(
  store: GraphReader,
  effectId: string,
  reach: Map<string, Reach>,
  opts: AnalyzeOptions,
  mirror?: TopologyMirror,
): Promise<EdgeRead[]> {
  const p = parseResourceId(effectId);
  if (!p?.namespace) return [];
  const nsId = `${p.cluster}:namespace::${p.namespace}`;
  const out: EdgeRead[] = [];
  const nsEdges = await readEdges(store, [nsId], out, mirror);
  const nsReach: Reach = reach.get(nsId) ?? extendReach(startReach(effectId), "IN_NAMESPACE", nsId);
  const hops = Math.max(nsReach.hops + 1, opts.maxHops);
  const pods = nsEdges
    .filter((e) => e.type === "IN_NAMESPACE" && e.toId === nsId && !reach.has(e.fromId))
    .map((e) => e.fromId)
    .sort()
    .slice(0, MAX_NAMESPACE_FALLBACK);
  for (const pod of pods) reach.set(pod, extendReach(nsReach, "IN_NAMESPACE", pod, hops));
  const controllers = await addControllers(store, reach, pods, out, mirror);
  const added = [...pods, ...controllers.added];
  const frontier = controllers.last;
  // What those workloads use or name (a quota their controller was refused by, a ConfigMap).
  const inAdded = new Set(added);
  if (frontier.length) await readEdges(store, frontier, out, mirror);
  const uses = out
    .flatMap((read) => read.edges)
    .filter((e) => UPSTREAM_TO.has(e.type) && e.type !== "RUNS_ON" && inAdded.has(e.fromId));
  for (const e of uses.sort((a, b) => a.fromId.localeCompare(b.fromId) || a.toId.localeCompare(b.toId))) {
    if (reach.has(e.toId)) continue;
    const base = reach.get(e.fromId)!;
    reach.set(e.toId, extendReach(base, e.type, e.toId));
  }
  return out;
}

/** Best first: by confidence, then time, then id (signs only: sorting many compares allocates no numbers). */
const byScore = (
  a: { score: CauseScore; event: StoredEvent },
  b: { score: CauseScore; event: StoredEvent },
): number => {
  const confidence = b.score.confidence - a.score.confidence;
  if (confidence) return confidence > 0 ? 1 : -1;
  const time = a.event.timeMs - b.event.timeMs;
  if (time) return time > 0 ? 1 : -1;
  return a.event.id.localeCompare(b.event.id);
};

/** Ranks the causes of one event and derives its blast radius and timeline. */
export async function analyze(
  store: GraphReader,
  effectId: string,
  opts: AnalyzeOptions,
): Promise<Analysis | undefined> {
  const effect = await store.getEvent(effectId);
  if (!effect) return undefined;
  // The topology version before and after the reads: when it is the same, every edge read was
  // read at it, and hop counts can use what earlier queries read at that version.
  const full = opts.mode !== "seed";
  const before = full && store.topologyVersion ? await store.topologyVersion() : undefined;
  const mirror = before !== undefined ? mirrorOf(store, before) : undefined;
  let collected = await collect(store, effect, opts, full, mirror);
  const version = before !== undefined && (await store.topologyVersion!()) === before ? before : undefined;
  // The topology changed while it was read: what the mirror answered may be older than what the
  // store would have. All of it is read from the store again.
  if (mirror && version === undefined) collected = await collect(store, effect, opts, full);
  const { scored: direct, resources, edges } = collected;
  direct.sort(byScore);
  const links: CauseLink[] = direct.map((c) => ({
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
  const causes: RankedCause[] = [];
  if (opts.mode === "seed") {
    const seenBase = new Set<string>();
    for (const c of direct) {
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
  } else {
    causes.push(...(await rankByChains(store, effect, direct, edges, resources, opts, min, limit, version)));
  }
  const blastRadius = causes[0]
    ? await blastRadiusOf(
        store,
        causes[0].event,
        effect,
        opts,
        causes[0].path,
        version !== undefined ? mirrorOf(store, version) : undefined,
      )
    : [];
  const timeline = await timelineOf(store, effect, causes, opts);
  return { effect, causes, links, blastRadius, timeline };
}

/** How many signals (distinct resource + reason) take part in chain reasoning. */
export const CHAIN_SIGNALS = 60;
/** Change signals taken beyond those, whatever their direct score. */
export const CHANGE_SIGNALS = 20;
/** How much being explained by another candidate discounts a candidate (0..1). */
export const EXPLAINED_DISCOUNT = 0.5;
/** Explanations weaker than this do not count as explaining a candidate away. */
const MIN_EXPLAINING_DOMAIN = 0.6;
/** Clock skew between producers: a cause may be stamped this much after what it explains. */
export const SKEW_MS = 5_000;
/** How much earlier than its firing time an alert's condition may have started (its `for:`). */
export const ALERT_ONSET_MS = 10 * 60_000;
/**
 * Node conditions are reported after the node-monitor grace period (40 s by default), alerts
 * after their `for:`: such causes may be stamped up to this long after the symptom they explain.
 */
export const LATE_DETECTION_MS = 60_000;
/** A cause stamped after its effect is scored a little lower than one stamped before it. */
const LATE_PENALTY = 0.9;
/**
 * An OOM kill is reported when the container dies, after its memory had been growing (and the pod
 * not ready, its init not done) for a while: what it explains may be stamped before it.
 */
const LATE_REASONS = new Set(["oomkilled", "oomkilling", "containeroomkilled", "systemoom"]);
const reportedLate = (e: StoredEvent, kind: string | undefined): boolean =>
  e.etype === "prom.alert" || kind === "Node" || LATE_REASONS.has(e.reason.toLowerCase());
/**
 * Whether `e` may be a cause reported late (`reportedLate`) whatever resource record its kind is
 * read from (its resource id's kind, or the subject's when the record is missing). When not, it
 * explains nothing stamped before it, and pairs with earlier events need not be scored.
 */
export const mayBeReportedLate = (e: StoredEvent): boolean =>
  reportedLate(e, undefined) ||
  (e.resourceId !== undefined && kindOf(e.resourceId).toLowerCase() === "node") ||
  e.subjectKind?.toLowerCase() === "node";
/** How much time and distance between two linked signals weaken a chain (the rule carries the rest). */
const CHAIN_PROXIMITY = 0.15;
/** How much a chain through an explained signal adds to an independent direct link (noisy-or weight). */
const CHAIN_EVIDENCE = 1;
/** Rounds of chain propagation (chains up to this many links deep). */
const CHAIN_ROUNDS = 4;
/** How much an anomaly that implicates a cause raises its confidence, at most (relative). */
export const ANOMALY_BOOST = { resource: 0.08, other: 0.03 } as const;

/**
 * An unclassified log line (no specific reason was recognised in it) that describes what the
 * symptom describes (a queue backlog beside a backlog alert, latency beside a latency alert) is
 * the symptom seen from inside a workload, not its cause: it is discounted as if explained.
 */
const ECHO_REASON = "logerror";
/** Distinctive words the line and the symptom must share to count as an echo. */
const ECHO_MIN_SHARED = 2;
/** How strongly an echo counts as explained (as a rule's domain score would). */
const ECHO_DOMAIN = 0.8;
/** Words that say something went wrong without saying what: shared by unrelated lines. */
const ECHO_STOPWORDS: ReadonlySet<string> = new Set(
  (
    "the and for with from into over than more less has have had are was were been not but " +
    "this that last any all per its error errors err failed failing failure fail warn warning " +
    "info debug level msg message above below high low request requests"
  ).split(" "),
);
/** Lower-case words of a text (camelCase split), without numbers and stopwords. */
function echoWords(text: string): Set<string> {
  const out = new Set<string>();
  for (const raw of text.replace(/([a-z])([A-Z])/g, "$1 $2").split(/[^A-Za-z0-9]+/)) {
    const w = raw.toLowerCase();
    if (w.length < 3 || !/[a-z]/.test(w) || /^\d+[a-z]{0,2}$/.test(w) || ECHO_STOPWORDS.has(w)) continue;
    out.add(w);
  }
  return out;
}
function symptomEcho(s: StoredEvent, symptom: ReadonlySet<string>): boolean {
  if (s.etype !== "k8s.log" || s.reason.toLowerCase() !== ECHO_REASON) return false;
  let shared = 0;
  for (const w of echoWords(s.message)) if (symptom.has(w) && ++shared >= ECHO_MIN_SHARED) return true;
  return false;
}

/** One kind of thing happening to one resource: the repeats of a reason are one signal. */
interface Signal {
  readonly key: string;
  readonly resourceId: string;
  readonly first: StoredEvent;
  readonly best: Scored;
  readonly ids: Set<string>;
  readonly target: ScoredEventLike;
}

function signalsOf(direct: readonly Scored[], resources: Map<string, StoredResource>): Signal[] {
  const groups = new Map<string, Scored[]>();
  for (const c of direct) {
    const key = `${c.event.resourceId}\u0000${c.event.etype}\u0000${c.event.reason.toLowerCase()}`;
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  const out: Signal[] = [];
  for (const [key, members] of groups) {
    // The earliest (by time, then id) and the best scored; of equals, the first listed.
    let first = members[0]!.event;
    let best = members[0]!;
    let level = 0;
    for (const c of members) {
      const e = c.event;
      if (e.timeMs < first.timeMs || (e.timeMs === first.timeMs && e.id.localeCompare(first.id) < 0))
        first = e;
      if (byScore(c, best) < 0) best = c;
      level = Math.max(level, severityLevel(e.level));
    }
    out.push({
      key,
      resourceId: first.resourceId!,
      first,
      best,
      ids: new Set(members.map((m) => m.event.id)),
      target: { ...toScored(first, resources.get(first.resourceId!)), level: levelSeverity(level) },
    });
  }
  return out.sort(
    (a, b) =>
      b.best.score.confidence - a.best.score.confidence ||
      a.first.timeMs - b.first.timeMs ||
      a.key.localeCompare(b.key),
  );
}

/**
 * Kinds that connect many unrelated resources (every pod of a node, every pod a policy selects):
 * a path may end at one but does not pass through it.
 */
const HUB_KINDS = new Set(["node", "networkpolicy", "namespace"]);
const HUB_PENALTY = 0.5;
const kindMemo = new Map<string, string>();
/** The kind of a resource id ("" if it is none), memoised: a query asks it of every resource near the effect. */
const kindOf = (id: string): string => {
  let k = kindMemo.get(id);
  if (k === undefined) {
    k = parseResourceId(id)?.kind ?? "";
    if (kindMemo.size >= 200_000) kindMemo.clear();
    kindMemo.set(id, k);
  }
  return k;
};

const hubMemo = new Map<string, boolean>();
/** Whether a resource id names a hub kind (memoised: ranking asks it of every path and walk). */
const isHub = (id: string): boolean => {
  let h = hubMemo.get(id);
  if (h === undefined) {
    h = HUB_KINDS.has(parseResourceId(id)?.kind.toLowerCase() ?? "");
    if (hubMemo.size >= 200_000) hubMemo.clear();
    hubMemo.set(id, h);
  }
  return h;
};
/** Whether a reach's path is [start, CONTROLS, owner, CONTROLS, sibling]: two replicas of one owner. */
function viaCommonOwner(r: Reach): boolean {
  const types = lastTypes(r, 3);
  return types.length === 2 && types[0] === "CONTROLS" && types[1] === "CONTROLS";
}

/**
 * A pod created or deleted beside the effect's pod by their common owner (a rollout, a
 * scale-down, a replacement): the owner's work, not a cause of its sibling's trouble.
 */
function siblingLifecycle(c: StoredEvent, r: Reach): boolean {
  if (c.etype !== "k8s.change" || (c.reason !== "ResourceDeleted" && c.reason !== "ResourceCreated"))
    return false;
  return viaCommonOwner(r);
}

/**
 * The effect's own symptom on a sibling replica (same controller, same reason, same kind of
 * event): the same trouble seen twice, not one replica's error causing another's.
 */
function siblingEcho(c: StoredEvent, effect: StoredEvent, r: Reach): boolean {
  return c.reason === effect.reason && c.etype === effect.etype && viaCommonOwner(r);
}

const throughNodeCache = new WeakMap<RuleSet, ReadonlySet<string>>();
/** Names of the rules whose trouble travels through a shared node. */
function throughNodeRules(rules: RuleSet): ReadonlySet<string> {
  let set = throughNodeCache.get(rules);
  if (!set) {
    set = new Set(rules.rules.filter((r) => r.throughNode).map((r) => r.name));
    throughNodeCache.set(rules, set);
  }
  return set;
}

const throughNodeFlagCache = new WeakMap<RuleSet, Uint8Array>();
/** Per rule (by index): whether its name is one of `throughNodeRules`. */
function throughNodeFlags(rules: RuleSet): Uint8Array {
  let flags = throughNodeFlagCache.get(rules);
  if (!flags) {
    const names = throughNodeRules(rules);
    flags = Uint8Array.from(rules.rules, (r) => (names.has(r.name) ? 1 : 0));
    throughNodeFlagCache.set(rules, flags);
  }
  return flags;
}

/**
 * Resource ids numbered for `HopGraph`, kept across queries with whether each is a hub: the ids
 * are mostly the store's own string objects, so once the topology has been seen a number is a
 * look-up, not an entry added to a map built per query.
 */
const hopNumbers = new Map<string, number>();
const hopIds: string[] = [];
const HOP_NUMBERS_MAX = 1_000_000;
const grown = <T extends Int32Array | Uint8Array>(a: T, size: number): T => {
  if (a.length >= size) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  b.set(a);
  return b;
};

/**
 * What a breadth-first walk over numbered nodes needs per node, for one numbering of resource ids
 * (`HopGraph`'s, shared by every graph, or one `TopologyMirror`'s). Entries are stamped with the
 * number of the graph (places) or walk that set them, so none is cleared per query.
 */
class WalkScratch {
  /** Per node: 0 not known yet, 1 a hub, 2 not a hub. */
  hub = new Uint8Array(1024);
  /** Per node: the graph whose places `place` holds, the place it is (+1). */
  placeOf = new Int32Array(1024);
  place = new Int32Array(1024);
  /** Per node: the walk that reached it last, at what distance; and the walk's queue. */
  walkOf = new Int32Array(1024);
  dist = new Int32Array(1024);
  queue = new Int32Array(1024);
  private walks = 0;

  /** Room for node numbers below `n`. */
  grow(n: number): void {
    this.hub = grown(this.hub, n);
    this.placeOf = grown(this.placeOf, n);
    this.place = grown(this.place, n);
    this.walkOf = grown(this.walkOf, n);
    this.dist = grown(this.dist, n);
    this.queue = grown(this.queue, n);
  }

  /** Whether node `i` (resource `ids[i]`) is a hub, memoised. */
  isHub(i: number, ids: readonly string[]): boolean {
    let h = this.hub[i]!;
    if (h === 0) {
      h = isHub(ids[i]!) ? 1 : 2;
      this.hub[i] = h;
    }
    return h === 1;
  }

  /** The places, as nodes (`nodeOf`: -1 when not in the graph), stamped with the graph `g`. */
  setPlaces(g: number, ids: readonly string[], nodeOf: (id: string) => number): Int32Array {
    return Int32Array.from(ids, (id, p) => {
      const i = nodeOf(id);
      if (i < 0) return -1;
      this.placeOf[i] = g;
      this.place[i] = p + 1;
      return i;
    });
  }

  /**
   * Starts a walk from place `from`: the distances out (-1 each, 0 at `from`), and, when `from` is
   * in the graph, its node (queued at distance 0), the walk's number and the places left to reach.
   */
  startWalk(
    places: Int32Array,
    from: number,
  ): { out: Int32Array; start: number; walk: number; left: number } {
    const out = new Int32Array(places.length).fill(-1);
    out[from] = 0;
    const start = places[from]!;
    if (start < 0) return { out, start, walk: 0, left: 0 };
    let left = -1;
    for (const i of places) if (i >= 0) left++;
    if (this.walks === 0x7fffffff) {
      this.walkOf.fill(0);
      this.walks = 0;
    }
    const walk = ++this.walks;
    this.walkOf[start] = walk;
    this.dist[start] = 0;
    this.queue[0] = start;
    return { out, start, walk, left };
  }
}

/**
 * Arrays by node number and by adjacency slot, shared by every graph (grown as needed): a graph
 * stamps the entries it sets with its own number, so none is cleared or allocated per query.
 */
const hopScratch = {
  walk: new WalkScratch(),
  /** Per node: the graph whose adjacency `head` holds, the first slot of its list. */
  headOf: new Int32Array(1024),
  head: new Int32Array(1024),
  /** Per slot: the next slot of the same list, and the node it leads to. */
  link: new Int32Array(4096),
  to: new Int32Array(4096),
  graphs: 0,
};

/** Hop counts between places (distinct resource ids) over the edges read around an effect. */
interface HopCounter {
  /** The places, as nodes (-1: not in the graph). One set of places per graph. */
  setPlaces(ids: readonly string[]): Int32Array;
  /**
   * Shortest hop counts (at most `maxHops`, else -1) from place `from` to every place, not through
   * hubs unless `viaHubs`.
   */
  distancesFrom(places: Int32Array, from: number, maxHops: number, viaHubs: boolean): Int32Array;
}

/**
 * The edges around the effect as an undirected graph, for hop counts between signals: the hubs'
 * edges make it thousands of edges, walked from every signal, so nodes are numbers, adjacency
 * lists are linked through shared arrays and a walk stamps the nodes it reaches instead of
 * filling a map. A graph is valid until the next one is built: it is used synchronously.
 */
class HopGraph implements HopCounter {
  private readonly graph: number;

  constructor(reads: readonly EdgeRead[]) {
    const x = hopScratch;
    if (hopNumbers.size > HOP_NUMBERS_MAX) {
      hopNumbers.clear();
      hopIds.length = 0;
      x.walk.hub.fill(0);
    }
    if (x.graphs === 0x7fffffff) {
      x.headOf.fill(0);
      x.walk.placeOf.fill(0);
      x.graphs = 0;
    }
    this.graph = ++x.graphs;
    let slots = 0;
    for (const read of reads) slots += read.edges.length * 2;
    x.link = grown(x.link, slots);
    x.to = grown(x.to, slots);
    const g = this.graph;
    let k = 0;
    const attach = (a: number, b: number) => {
      if (x.headOf[a] !== g) {
        x.headOf[a] = g;
        x.head[a] = -1;
      }
      x.to[k] = b;
      x.link[k] = x.head[a]!;
      x.head[a] = k++;
    };
    // A read lists the edges of a resource together (by source, then target): the number of the
    // last source and target seen is reused instead of looked up again.
    let lastFrom = "";
    let lastTo = "";
    let a = -1;
    let b = -1;
    for (let r = 0; r < reads.length; r++) {
      const edges = reads[r]!.edges;
      for (let i = 0; i < edges.length; i++) {
        const e = edges[i]!;
        if (e.fromId !== lastFrom || a < 0) {
          lastFrom = e.fromId;
          a = this.node(lastFrom);
        }
        if (e.toId !== lastTo || b < 0) {
          lastTo = e.toId;
          b = this.node(lastTo);
        }
        attach(a, b);
        attach(b, a);
      }
    }
  }

  private node(id: string): number {
    let i = hopNumbers.get(id);
    if (i === undefined) {
      i = hopIds.length;
      hopNumbers.set(id, i);
      hopIds.push(id);
      const x = hopScratch;
      if (i >= x.headOf.length) {
        const n = i + 1;
        x.headOf = grown(x.headOf, n);
        x.head = grown(x.head, n);
        x.walk.grow(n);
      }
    }
    return i;
  }

  /**
   * The places hop counts are asked between (distinct resource ids), as nodes (-1: no edges
   * here). One set of places per graph.
   */
  setPlaces(ids: readonly string[]): Int32Array {
    const x = hopScratch;
    return x.walk.setPlaces(this.graph, ids, (id) => {
      const i = hopNumbers.get(id);
      return i === undefined || x.headOf[i] !== this.graph ? -1 : i;
    });
  }

  /**
   * Shortest hop counts (at most `maxHops`, else -1) from place `from` to every place (`places`
   * from `setPlaces`), not through hubs unless `viaHubs`: a breadth-first walk that stops once
   * every place is reached.
   */
  distancesFrom(places: Int32Array, from: number, maxHops: number, viaHubs: boolean): Int32Array {
    const x = hopScratch;
    if (x.graphs !== this.graph) throw new Error("HopGraph used after another was built");
    const w = x.walk;
    const started = w.startWalk(places, from);
    const { out, start, walk } = started;
    if (start < 0) return out;
    let { left } = started;
    const g = this.graph;
    const { head, link, to } = x;
    const { walkOf, dist, queue, placeOf, place } = w;
    let end = 1;
    search: for (let q = 0; q < end && left > 0; q++) {
      const u = queue[q]!;
      const d = dist[u]!;
      // The queue holds nodes in order of distance: the rest are at the limit too.
      if (d >= maxHops) break;
      if (u !== start && !viaHubs && w.isHub(u, hopIds)) continue;
      // Every node reached has edges in this graph: it was reached along one.
      for (let k = head[u]!; k !== -1; k = link[k]!) {
        const v = to[k]!;
        if (walkOf[v] === walk) continue;
        walkOf[v] = walk;
        dist[v] = d + 1;
        queue[end++] = v;
        if (placeOf[v] === g && place[v]! > 0) {
          out[place[v]! - 1] = d + 1;
          if (--left === 0) break search;
        }
      }
    }
    return out;
  }
}

/** Above this many resources a mirror starts afresh (ids of removed resources would pile up). */
const MIRROR_MAX = 1_000_000;

/**
 * The edges of the topology read so far, by resource number, for one topology version of a
 * reader. A read of the edges of some resources gives every edge of each of them: from then on
 * their adjacency is known (`full`), and the resources at the other ends know those edges
 * (`partial`, until their own are read). The edges read around an effect are then the known
 * edges with an end among the resources read (`S`): a query marks those resources instead of
 * building a graph of the thousands of edges around the hubs it passes, which most queries read
 * again (every pod's node and namespace). Only a read that has a resource not known yet is looked
 * at edge by edge.
 */
class TopologyMirror {
  private readonly numbers = new Map<string, number>();
  private readonly ids: string[] = [];
  /** Per node: the other end of each of its edges, once they were read. */
  private readonly full: Array<Int32Array | undefined> = [];
  /** Per node: its edges, once they were read (the other end of `edges[k]` is `full[k]`). */
  private readonly edges: Array<StoredEdge[] | undefined> = [];
  /**
   * Per node whose edges were read: 1 where trouble travels from it across `edges[k]` (`IMPACT`),
   * else 0. The blast radius's walk asks it of thousands of edges per query: looking up each edge's
   * type and comparing its ends' ids was ~10 % of an RCA query's CPU at 1M stored events.
   */
  private readonly onward: Array<Uint8Array | undefined> = [];
  /** Per node whose edges were not read: the other ends of its edges to nodes whose edges were. */
  private readonly partial: Array<number[] | undefined> = [];
  /** Per node: the query whose read resources (`S`) include it. */
  private inS = new Int32Array(1024);
  /** Walks over this mirror's node numbers (places stamped with the query's number). */
  private readonly walk = new WalkScratch();
  private queries = 0;

  constructor(readonly version: number) {}

  get size(): number {
    return this.ids.length;
  }

  private node(id: string): number {
    let i = this.numbers.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.numbers.set(id, i);
      this.ids.push(id);
      this.full.push(undefined);
      this.edges.push(undefined);
      this.onward.push(undefined);
      this.partial.push(undefined);
      if (i >= this.inS.length) {
        const n = i + 1;
        this.inS = grown(this.inS, n);
        this.walk.grow(n);
        this.readOf = grown(this.readOf, n);
        this.learnOf = grown(this.learnOf, n);
        this.count = grown(this.count, n);
      }
    }
    return i;
  }

  /** Per node: the last edge read (`edgesOf`) that named it, and that took its edges. */
  private readOf = new Int32Array(1024);
  private edgeReads = 0;

  /** The nodes of `ids` if the edges of every one of them are known, else undefined. */
  known(ids: readonly string[]): Int32Array | undefined {
    const out = new Int32Array(ids.length);
    for (let k = 0; k < ids.length; k++) {
      const i = this.numbers.get(ids[k]!);
      if (i === undefined || !this.edges[i]) return undefined;
      out[k] = i;
    }
    return out;
  }

  /**
   * Every edge that touches one of `nodes` (all known), once: as a store's read gives them, but
   * in the order of the nodes and of their edges.
   */
  edgesOf(nodes: Int32Array): StoredEdge[] {
    if (this.edgeReads >= 0x7ffffffd) {
      this.readOf.fill(0);
      this.edgeReads = 0;
    }
    // Named: `read`; edges taken: `read + 1`.
    this.edgeReads += 2;
    const read = this.edgeReads - 1;
    const { readOf, full, edges } = this;
    for (let k = 0; k < nodes.length; k++) readOf[nodes[k]!] = read;
    const out: StoredEdge[] = [];
    for (let k = 0; k < nodes.length; k++) {
      const i = nodes[k]!;
      if (readOf[i] !== read) continue;
      readOf[i] = read + 1;
      const other = full[i]!;
      const list = edges[i]!;
      // An edge between two of the nodes is taken from the first of them to be taken.
      for (let e = 0; e < list.length; e++) {
        const o = other[e]!;
        if (o === i || readOf[o] !== read + 1) out.push(list[e]!);
      }
    }
    return out;
  }

  /** Takes in the edges of the resources of `read` whose edges are not known yet. */
  private learn(read: EdgeRead): void {
    if (this.learns === 0x7fffffff) {
      this.learnOf.fill(0);
      this.learns = 0;
    }
    const stamp = ++this.learns;
    // The resources learnt (stamped), then each edge's ends by number, counting their edges.
    const owners: number[] = [];
    for (const id of read.ids) {
      const i = this.node(id);
      if (this.full[i] || this.learnOf[i] === stamp) continue;
      this.learnOf[i] = stamp;
      this.count[i] = 0;
      owners.push(i);
    }
    const n = read.edges.length;
    this.ends = grown(this.ends, 2 * n);
    let lastFrom = "";
    let lastTo = "";
    let a = -1;
    let b = -1;
    for (let k = 0; k < n; k++) {
      const e = read.edges[k]!;
      if (e.fromId !== lastFrom || a < 0) {
        lastFrom = e.fromId;
        a = this.node(lastFrom);
      }
      if (e.toId !== lastTo || b < 0) {
        lastTo = e.toId;
        b = this.node(lastTo);
      }
      this.ends[2 * k] = a;
      this.ends[2 * k + 1] = b;
      if (this.learnOf[a] === stamp) this.count[a]!++;
      if (b !== a && this.learnOf[b] === stamp) this.count[b]!++;
    }
    const { ends, learnOf, count, full, edges, onward } = this;
    const lists: StoredEdge[][] = [];
    for (const i of owners) {
      full[i] = new Int32Array(count[i]!);
      lists[i] = edges[i] = new Array(count[i]!);
      onward[i] = new Uint8Array(count[i]!);
      count[i] = 0;
    }
    for (let k = 0; k < n; k++) {
      const x = ends[2 * k]!;
      const y = ends[2 * k + 1]!;
      const dir = IMPACT[read.edges[k]!.type] ?? "both";
      // From the source forward to the target, or from the target back to the source (a loop
      // counts as from its target).
      if (learnOf[x] === stamp) {
        onward[x]![count[x]!] = (y === x ? dir !== "forward" : dir !== "back") ? 1 : 0;
        full[x]![count[x]!] = y;
        lists[x]![count[x]!++] = read.edges[k]!;
      }
      if (y !== x && learnOf[y] === stamp) {
        onward[y]![count[y]!] = dir !== "forward" ? 1 : 0;
        full[y]![count[y]!] = x;
        lists[y]![count[y]!++] = read.edges[k]!;
      }
    }
    // The other ends whose own edges are not known learn these edges of theirs.
    for (const i of owners) {
      this.partial[i] = undefined;
      const other = full[i]!;
      for (let k = 0; k < other.length; k++) {
        const w = other[k]!;
        if (full[w]) continue;
        const p = this.partial[w];
        if (p) p.push(i);
        else this.partial[w] = [i];
      }
    }
  }

  /** Per node: the learning (`learn`) that takes its edges, and how many it has taken. */
  private learnOf = new Int32Array(1024);
  private count = new Int32Array(1024);
  private learns = 0;
  /** The two ends (nodes) of each edge of the read being learnt. */
  private ends = new Int32Array(4096);

  /**
   * The walk of `blastRadiusOf` from `start` (at most `maxDepth` steps, along the way trouble
   * travels over each edge): the resources reached, first the start, and the step each was first
   * reached at. Undefined when it would pass a resource whose edges are not known.
   */
  impactWalk(
    start: string,
    maxDepth: number,
  ): { ids: string[]; depth: (id: string) => number | undefined } | undefined {
    const s = this.numbers.get(start);
    if (s === undefined) return undefined;
    const { full, onward, ids, numbers } = this;
    // Per node: the step it was first reached at, plus one (0: not reached).
    const reached = new Int32Array(ids.length);
    reached[s] = 1;
    const order = [start];
    let frontier = [s];
    for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
      const next: number[] = [];
      for (const f of frontier) {
        const pass = onward[f];
        if (!pass) return undefined;
        const other = full[f]!;
        for (let k = 0; k < pass.length; k++) {
          const o = other[k]!;
          if (pass[k] === 0 || reached[o]) continue;
          reached[o] = depth + 1;
          next.push(o);
          order.push(ids[o]!);
        }
      }
      frontier = next;
    }
    return {
      ids: order,
      depth: (id) => {
        const i = numbers.get(id);
        const d = i === undefined || i >= reached.length ? 0 : reached[i]!;
        return d ? d - 1 : undefined;
      },
    };
  }

  /** Takes in the edges of the resources of `reads` (made at this mirror's version) not known yet. */
  learnReads(reads: readonly EdgeRead[]): void {
    for (const read of reads) {
      if (read.nodes) continue;
      for (const id of read.ids) {
        const i = this.numbers.get(id);
        if (i === undefined || !this.full[i]) {
          this.learn(read);
          break;
        }
      }
    }
  }

  /** The graph of the edges `reads` read (all made at this mirror's version). */
  graph(reads: readonly EdgeRead[]): HopCounter {
    if (this.queries === 0x7fffffff) {
      this.inS.fill(0);
      this.walk.placeOf.fill(0);
      this.queries = 0;
    }
    const q = ++this.queries;
    for (const read of reads) {
      if (read.nodes) {
        for (let k = 0; k < read.nodes.length; k++) this.inS[read.nodes[k]!] = q;
        continue;
      }
      let unknown = false;
      for (const id of read.ids) {
        const i = this.node(id);
        this.inS[i] = q;
        if (!this.full[i]) unknown = true;
      }
      if (unknown) this.learn(read);
    }
    return {
      setPlaces: (ids) => this.setPlaces(q, ids),
      distancesFrom: (places, from, maxHops, viaHubs) =>
        this.distancesFrom(q, places, from, maxHops, viaHubs),
    };
  }

  /** Whether node `i` has an edge read by query `q` (an end among the resources read). */
  private inGraph(q: number, i: number): boolean {
    const f = this.full[i];
    if (f) {
      if (f.length && this.inS[i] === q) return true;
      for (let k = 0; k < f.length; k++) if (this.inS[f[k]!] === q) return true;
      return false;
    }
    const p = this.partial[i];
    if (p) for (let k = 0; k < p.length; k++) if (this.inS[p[k]!] === q) return true;
    return false;
  }

  private setPlaces(q: number, ids: readonly string[]): Int32Array {
    if (this.queries !== q) throw new Error("hop graph used after another was built");
    return this.walk.setPlaces(q, ids, (id) => {
      const i = this.numbers.get(id);
      return i === undefined || !this.inGraph(q, i) ? -1 : i;
    });
  }

  /** As `HopGraph.distancesFrom`, over the edges with an end among query `q`'s resources read. */
  private distancesFrom(
    q: number,
    places: Int32Array,
    from: number,
    maxHops: number,
    viaHubs: boolean,
  ): Int32Array {
    if (this.queries !== q) throw new Error("hop graph used after another was built");
    const w = this.walk;
    const started = w.startWalk(places, from);
    const { out, start, walk } = started;
    if (start < 0) return out;
    let { left } = started;
    const { full, partial, inS } = this;
    const { walkOf, dist, queue, placeOf, place } = w;
    let end = 1;
    search: for (let h = 0; h < end && left > 0; h++) {
      const u = queue[h]!;
      const d = dist[u]!;
      // The queue holds nodes in order of distance: the rest are at the limit too.
      if (d >= maxHops) break;
      if (u !== start && !viaHubs && w.isHub(u, this.ids)) continue;
      // A node whose edges were read passes along all of them; any other, along its edges to one.
      const f = full[u];
      const all = f !== undefined && inS[u] === q;
      const next = f ?? partial[u];
      if (!next) continue;
      for (let k = 0; k < next.length; k++) {
        const v = next[k]!;
        if (walkOf[v] === walk || (!all && inS[v] !== q)) continue;
        walkOf[v] = walk;
        dist[v] = d + 1;
        queue[end++] = v;
        if (placeOf[v] === q && place[v]! > 0) {
          out[place[v]! - 1] = d + 1;
          if (--left === 0) break search;
        }
      }
    }
    return out;
  }
}
const mirrors = new WeakMap<GraphReader, TopologyMirror>();

/** The reader's mirror for topology `version` (a new one when its topology changed). */
function mirrorOf(store: GraphReader, version: number): TopologyMirror {
  let m = mirrors.get(store);
  if (m?.version !== version || m.size > MIRROR_MAX) {
    m = new TopologyMirror(version);
    mirrors.set(store, m);
  }
  return m;
}

/**
 * Hop counts between places (distinct resource ids) over `graph`, by place index (see
 * `HopGraph.distancesFrom`); the walk from a place is made when first asked for and serves every
 * pair that starts there.
 */
function hopsBetween(
  graph: HopCounter,
  places: Int32Array,
  maxHops: number,
  viaHubs: boolean,
): (from: number, to: number) => number | undefined {
  const rows: Array<Int32Array | undefined> = new Array(places.length);
  return (from, to) => {
    let row = rows[from];
    if (!row) {
      row = graph.distancesFrom(places, from, maxHops, viaHubs);
      rows[from] = row;
    }
    const h = row[to]!;
    return h < 0 ? undefined : h;
  };
}

/**
 * Chain reasoning: the root cause is the candidate that explains the others, not the nearest
 * symptom. Repeats of a reason on a resource form one signal. Each pair of signals (R starting
 * no later than C, within the hop limit) is scored with the same rules; R inherits the strength
 * of the best chain R -> C -> ... -> effect, and a signal that a specific rule explains by another
 * is discounted as an intermediate symptom. Anomalies that implicate a signal raise it a little.
 * Pair distances come from one read of the edges around the effect, not one query per candidate.
 * Returns the causes to report: the first `limit` (at least one) of confidence `min` or more.
 */
async function rankByChains(
  store: GraphReader,
  effect: StoredEvent,
  direct: readonly Scored[],
  edges: readonly EdgeRead[],
  resources: Map<string, StoredResource>,
  opts: AnalyzeOptions,
  min: number,
  limit: number,
  /** The reader's topology version, when every read of `edges` was made at it. */
  version?: number,
): Promise<RankedCause[]> {
  // The best signals by direct score, plus changes (rollouts, edits, deletes): a change far from
  // the symptom scores low on its own yet is often the root of the chain.
  const all = signalsOf(direct, resources);
  const signals = [
    ...all.slice(0, CHAIN_SIGNALS),
    ...all
      .slice(CHAIN_SIGNALS)
      .filter((s) => s.first.etype === "k8s.change")
      .slice(0, CHANGE_SIGNALS),
  ];
  const n = signals.length;
  if (n === 0) return [];
  const rules = rulesFor(opts);
  const weights = weightsFor(opts);
  // Pair distances between the signals' resources, over the edges read around the effect.
  const placeIndex = new Map<string, number>();
  const placeOf = signals.map((s) => {
    let p = placeIndex.get(s.resourceId);
    if (p === undefined) {
      p = placeIndex.size;
      placeIndex.set(s.resourceId, p);
    }
    return p;
  });
  const graph = version === undefined ? new HopGraph(edges) : mirrorOf(store, version).graph(edges);
  const places = graph.setPlaces([...placeIndex.keys()]);
  const hops = hopsBetween(graph, places, opts.maxHops, false);
  const nodeRules = throughNodeRules(rules);
  const hopsViaNode = nodeRules.size ? hopsBetween(graph, places, opts.maxHops, true) : undefined;
  const table = matchTable(
    rules,
    signals.map((s) => s.target),
  );
  const nodeRule = throughNodeFlags(rules);
  // Whether a rule about trouble that travels through a node could link signal r to signal c:
  // only then is the walk through hubs worth making.
  const mayTravelThroughNode = (r: number, c: number): boolean => {
    if (nodeRules.has("default")) return true;
    const cause = table.vectors[r]!.cause;
    const effectRules = table.vectors[c]!.effectRules;
    for (let i = 0; i < effectRules.length; i++)
      if (cause[effectRules[i]!] && nodeRule[effectRules[i]!]) return true;
    return false;
  };
  // pair[r][c]: how well signal r explains signal c.
  const pair: Array<Array<CauseScore | undefined>> = signals.map(() => new Array(n));
  const lookback = lookbackFor(opts);
  for (let r = 0; r < n; r++) {
    const R = signals[r]!;
    // An alert fires after its `for:` period, a node is marked NotReady after a grace period:
    // the condition they report began earlier than their time stamp.
    const lag =
      R.first.etype === "prom.alert"
        ? ALERT_ONSET_MS
        : reportedLate(R.first, R.target.kind)
          ? LATE_DETECTION_MS
          : SKEW_MS;
    for (let c = 0; c < n; c++) {
      if (r === c) continue;
      const C = signals[c]!;
      const dt = C.first.timeMs - R.first.timeMs;
      if (dt < -lag) continue;
      let h = hops(placeOf[r]!, placeOf[c]!);
      let domain: { score: number; rule: string } | undefined;
      if (h !== undefined) domain = domainScoreAt(rules, table, r, c, h);
      else if (hopsViaNode && mayTravelThroughNode(r, c)) {
        // Through a shared node: only a rule about trouble that travels that way links the two.
        h = hopsViaNode(placeOf[r]!, placeOf[c]!);
        if (h !== undefined) {
          const d = domainScoreAt(rules, table, r, c, h);
          if (nodeRules.has(d.rule)) domain = d;
        }
      }
      if (h === undefined || !domain) continue;
      pair[r]![c] = combineScore(Math.max(0, dt), h, domain, lookback, weights);
    }
  }
  // Generic rules (error -> error, the default) say two events are near, not that one explains the other.
  const generic = new Set(["default", ...rules.rules.filter((r) => r.fallback).map((r) => r.name)]);
  const specific = (p: CauseScore | undefined): p is CauseScore =>
    !!p && p.domain >= MIN_EXPLAINING_DOMAIN && !generic.has(p.rule);
  const directStrength = signals.map((s) => s.best.score.confidence);
  let strength = [...directStrength];
  const via: Array<number | undefined> = new Array(n);
  for (let round = 0; round < CHAIN_ROUNDS; round++) {
    const next = [...directStrength];
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const p = pair[r]![c];
        // Only a specific rule carries strength along a chain, not proximity or a generic rule.
        if (!specific(p)) continue;
        const chain =
          strength[c]! * p.domain * (1 - CHAIN_PROXIMITY + CHAIN_PROXIMITY * ((p.temporal + p.distance) / 2));
        if (chain > next[r]!) {
          next[r] = chain;
          via[r] = c;
        }
      }
      if (next[r] === directStrength[r]) via[r] = undefined;
    }
    strength = next;
  }
  // When two signals explain each other, only the stronger direction counts (on a tie, the one
  // that started first explains the other), so a cycle does not discount its own root.
  const explains = (r: number, c: number): boolean => {
    const p = pair[r]![c];
    if (!specific(p)) return false;
    const back = pair[c]![r];
    if (!specific(back)) return true;
    if (p.domain !== back.domain) return p.domain > back.domain;
    const a = signals[r]!.first;
    const b = signals[c]!.first;
    return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.id < b.id);
  };
  const symptomWords = echoWords(
    [effect.reason, effect.message, ...Object.values(effect.annotations ?? {})].join(" "),
  );
  const explained = signals.map((s, c) => {
    let e = symptomEcho(s.first, symptomWords) ? ECHO_DOMAIN : 0;
    for (let r = 0; r < n; r++)
      if (r !== c && explains(r, c) && pair[r]![c]!.domain > e) e = pair[r]![c]!.domain;
    return e;
  });
  // A candidate linked to the symptom directly and also explaining another signal has two pieces
  // of evidence, combined as a noisy-or (once, after propagation, so chains do not compound) --
  // unless its direct link reaches the symptom through a signal it explains: that is the chain
  // itself, counted once. A signal explained by another leaves that evidence to its explainer.
  const corroborated = [...strength];
  for (let r = 0; r < n; r++) {
    const path = signals[r]!.best.reach.path;
    const on = new Set<string>();
    for (let k = 2; k < path.length - 1; k += 2) on.add(path[k]!);
    let best = 0;
    let bestC: number | undefined;
    let dependent = false;
    for (let c = 0; c < n; c++) {
      const p = pair[r]![c];
      if (c === r || !specific(p)) continue;
      if (on.has(signals[c]!.resourceId)) dependent = true;
      const chain =
        strength[c]! * p.domain * (1 - CHAIN_PROXIMITY + CHAIN_PROXIMITY * ((p.temporal + p.distance) / 2));
      if (chain > best) [best, bestC] = [chain, c];
    }
    if (explained[r]! > 0 || dependent || best === 0 || best >= strength[r]!) continue;
    const combined = 1 - (1 - directStrength[r]!) * (1 - CHAIN_EVIDENCE * best);
    if (combined > strength[r]!) {
      corroborated[r] = combined;
      via[r] = bestC;
    }
  }
  strength = corroborated;
  const boost = await anomalyBoosts(store, effect, signals, opts);
  const ranked = signals.map((s, i) => {
    const final = Math.min(1, strength[i]! * (1 - EXPLAINED_DISCOUNT * explained[i]!) * boost[i]!);
    return { s, i, final: round4(final) };
  });
  ranked.sort(
    (a, b) => b.final - a.final || a.s.first.timeMs - b.s.first.timeMs || a.s.key.localeCompare(b.s.key),
  );
  if (opts.trace) {
    for (const { s, i, final } of ranked.slice(0, 15)) {
      let by = "";
      let best: CauseScore | undefined;
      let bestFrom = -1;
      for (let r = 0; r < n; r++) {
        const p = pair[r]![i];
        if (p && explains(r, i) && p.domain === explained[i])
          by = `${signals[r]!.first.reason}@${signals[r]!.resourceId} (${p.rule})`;
        if (p && r !== i && (!best || p.domain > best.domain)) [best, bestFrom] = [p, r];
      }
      if (!by && best)
        by = `(strongest link ${best.domain} ${best.rule} from ${signals[bestFrom]!.first.reason})`;
      opts.trace(
        `${final.toFixed(3)} direct=${directStrength[i]!.toFixed(3)} chain=${strength[i]!.toFixed(3)} explained=${explained[i]!.toFixed(2)}${by ? ` by ${by}` : ""} boost=${boost[i]!.toFixed(2)} ${s.first.reason}@${s.resourceId}`,
      );
    }
  }
  // Only the causes reported are explained.
  const reported: typeof ranked = [];
  for (const r of ranked) {
    if (r.final < min) continue;
    reported.push(r);
    if (reported.length >= limit) break;
  }
  return reported.map(({ s, i, final }) => {
    const chain: string[] = [];
    const rulesOnChain: string[] = [];
    for (let k = i, guard = 0; via[k] !== undefined && guard < CHAIN_ROUNDS; guard++) {
      const nextK = via[k]!;
      rulesOnChain.push(pair[k]![nextK]!.rule);
      chain.push(signals[nextK]!.first.id);
      k = nextK;
    }
    const last = chain.length ? signals.find((x) => x.first.id === chain[chain.length - 1])! : s;
    if (chain.length) rulesOnChain.push(last.best.score.rule);
    const score: CauseScore = {
      ...s.best.score,
      confidence: final,
      ...(chain.length ? { rule: rulesOnChain.join(" > ") } : {}),
    };
    const reachOf = s.best.reach;
    const base = explain(s.first, effect, score, reachOf.hops, reachOf.path);
    const through = chain.length
      ? `; explains ${chain
          .map((id) => {
            const x = signals.find((y) => y.first.id === id)!;
            return `${x.first.reason || x.first.etype} on ${resourceLabel(x.resourceId)}`;
          })
          .join(" → ")}`
      : "";
    return {
      ...score,
      event: s.first,
      hops: reachOf.hops,
      path: reachOf.path,
      explanation: `${base}${through}`,
      ...(chain.length ? { chain } : {}),
    };
  });
}

/** Anomalies that implicate a signal (same resource, or its events) raise its confidence a bit. */
async function anomalyBoosts(
  store: GraphReader,
  effect: StoredEvent,
  signals: readonly Signal[],
  opts: AnalyzeOptions,
): Promise<number[]> {
  const out = signals.map(() => 1);
  const page = await store.listAnomalies({
    cluster: effect.cluster,
    sinceMs: effect.timeMs - lookbackFor(opts),
    limit: 200,
  });
  const anomalies = page.items.filter((a) => a.windowStartMs <= effect.timeMs);
  if (anomalies.length === 0) return out;
  signals.forEach((s, i) => {
    let b = 0;
    for (const a of anomalies) {
      if (a.resourceId && a.resourceId === s.resourceId) b = Math.max(b, ANOMALY_BOOST.resource * a.score);
      else if (a.eventIds.some((id) => s.ids.has(id))) b = Math.max(b, ANOMALY_BOOST.other * a.score);
    }
    out[i] = 1 + b;
  });
  return out;
}

/** Which way trouble travels over each edge type: `back` means from the edge's target to its source. */
const IMPACT: Record<string, "back" | "forward" | "both"> = {
  RUNS_ON: "back",
  SELECTS: "back",
  MOUNTS: "back",
  ROUTES_TO: "back",
  DEPENDS_ON: "back",
  BINDS: "back",
  REFERENCES: "back",
  SCALES: "forward",
  ISSUES: "forward",
  GRANTS: "forward",
  CONTROLS: "both",
};

/** The walk of `blastRadiusOf` from `start` over the edges `edgesOf` reads (see `TopologyMirror.impactWalk`). */
async function impactWalk(
  start: string,
  maxDepth: number,
  edgesOf: (ids: readonly string[]) => Promise<readonly StoredEdge[]>,
): Promise<{ ids: string[]; depth: (id: string) => number | undefined }> {
  const seen = new Map<string, number>([[start, 0]]);
  let frontier = [start];
  for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
    const edges = await edgesOf(frontier);
    // The frontier is what was first reached one step before.
    const inFrontier = (id: string) => seen.get(id) === depth - 1;
    const next: string[] = [];
    const reached = (t: string) => {
      if (seen.has(t)) return;
      seen.set(t, depth);
      next.push(t);
    };
    for (let i = 0; i < edges.length; i++) {
      const e = edges[i]!;
      const dir = IMPACT[e.type] ?? "both";
      if (dir !== "forward" && inFrontier(e.toId)) reached(e.fromId);
      if (dir !== "back" && inFrontier(e.fromId)) reached(e.toId);
    }
    // In the order the edges gave them: the events read on them are ordered by time and id, and
    // the blast radius by distance and id.
    frontier = next;
  }
  return { ids: [...seen.keys()], depth: (id) => seen.get(id) };
}

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
  /** The graph path from the effect to the root (resources the failure travelled through). */
  via: readonly string[] = [],
  /** Answers reads of edges it knows (see `readEdges`), at the reader's current topology version. */
  mirror?: TopologyMirror,
): Promise<StoredResource[]> {
  if (!root.resourceId) return [];
  const reads: EdgeRead[] = [];
  const edgesOf = (ids: readonly string[]) => readEdges(store, ids, reads, mirror);
  const maxDepth = opts.maxHops + 2;
  const walk =
    mirror?.impactWalk(root.resourceId, maxDepth) ?? (await impactWalk(root.resourceId, maxDepth, edgesOf));
  const ids = walk.ids;
  // The resources reached (by the step they were first reached at), and those of `via` below.
  const added = new Map<string, number>();
  const seen = {
    has: (id: string) => added.has(id) || walk.depth(id) !== undefined,
    get: (id: string) => walk.depth(id) ?? added.get(id),
    set: (id: string, depth: number) => added.set(id, depth),
  };
  // Symptoms: warnings, errors and alerts (whatever their severity) from the root cause until the
  // symptom asked about, or one window after the root if that is later.
  const until = Math.max(root.timeMs + opts.windowMs, effect.timeMs) + LATE_DETECTION_MS;
  const events = await store.eventsOnResources(ids, root.timeMs - SKEW_MS, until);
  const symptomatic = new Set(
    events
      .filter((e) => e.id !== root.id && (severityLevel(e.level) >= 1 || e.etype === "prom.alert"))
      .map((e) => e.resourceId!),
  );
  if (effect.resourceId) symptomatic.add(effect.resourceId);
  // The resources between the symptom and its root carried the failure.
  for (let i = 0; i < via.length; i += 2) {
    const rid = via[i]!;
    if (!seen.has(rid)) seen.set(rid, maxDepth);
    symptomatic.add(rid);
  }
  // Aggregators (Services, Ingresses, workload owners) of symptomatic resources are hit too.
  const keep = new Set<string>();
  for (const id of symptomatic) if (seen.has(id)) keep.add(id);
  // The edge's type first: most edges of a blast radius's resources are of other types, and the
  // look-ups took ~3 % of the bench's RCA queries when made first.
  const edges = await edgesOf([...keep]);
  for (const e of edges) {
    if (
      (e.type === "SELECTS" || e.type === "ROUTES_TO" || e.type === "CONTROLS") &&
      keep.has(e.toId) &&
      seen.has(e.fromId)
    ) {
      keep.add(e.fromId);
    }
  }
  for (const e of await edgesOf([...keep])) {
    if ((e.type === "ROUTES_TO" || e.type === "CONTROLS") && keep.has(e.toId) && seen.has(e.fromId))
      keep.add(e.fromId);
  }
  if (mirror) {
    // Read at the mirror's version: what the store gave is known from now on. Else the topology
    // changed meanwhile, and what the mirror answered may be older: all is read again.
    if ((await store.topologyVersion!()) !== mirror.version)
      return blastRadiusOf(store, root, effect, opts, via);
    mirror.learnReads(reads);
  }
  keep.delete(root.resourceId);
  // Each resource's depth looked up once, not twice per comparison: the bench's blast radii are
  // 300-900 resources, and the comparisons' look-ups took ~2 % of its RCA queries' time.
  const byDepth = (await store.getResources([...keep])).map((r) => ({ r, depth: seen.get(r.id)! }));
  byDepth.sort((a, b) => a.depth - b.depth || a.r.id.localeCompare(b.r.id));
  return byDepth.map((d) => d.r);
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
