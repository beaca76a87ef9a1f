import { parseResourceId } from "../rca/identity.js";
import type { Reach } from "./graph-store.js";

/** Edges of one resource: `out` it points to, `in` that point to it, as [other id, edge type]. */
export interface Adjacency {
  readonly out: ReadonlyArray<readonly [string, string]>;
  readonly in: ReadonlyArray<readonly [string, string]>;
}

/** Kinds that link unrelated resources; neighbourhoods reach them but do not pass through them. */
export const HUB_KINDS: ReadonlySet<string> = new Set(["Node", "Namespace"]);
const hubMemo = new Map<string, boolean>();
/** Whether a resource id names a hub kind (memoised: every walk asks it of every resource it reaches). */
export const isHub = (id: string): boolean => {
  let h = hubMemo.get(id);
  if (h === undefined) {
    h = HUB_KINDS.has(parseResourceId(id)?.kind ?? "");
    if (hubMemo.size >= 200_000) hubMemo.clear();
    hubMemo.set(id, h);
  }
  return h;
};

/**
 * Edge types many resources point at one shared target with (pods on a node, callers of a
 * service, pods mounting a ConfigMap). Sharing a target is not a causal link between the
 * dependants, so a path that went forward along one of these into the target does not come back
 * out along another edge of the same type to a sibling.
 */
export const FAN_IN_TYPES: ReadonlySet<string> = new Set([
  "RUNS_ON",
  "DEPENDS_ON",
  "MOUNTS",
  "REFERENCES",
  "BINDS",
]);

/**
 * A resource's reach in a walk, kept as one step from the reach it was reached from: the paths of
 * a walk share their prefixes, so a kept neighbourhood costs ~106 bytes per resource instead of
 * ~317 with a path array each (measured with 79k reaches at up to 3 hops). `path` is built when
 * read; what scoring asks of paths per candidate (`passesThrough`, `lastTypes`) walks the steps.
 */
export class ReachStep implements Reach {
  constructor(
    readonly hops: number,
    /** The reach this one extends (undefined at the start). */
    readonly via: ReachStep | undefined,
    /** The edge type crossed from `via` to `id` ("" at the start). */
    readonly type: string,
    readonly id: string,
  ) {}

  get path(): string[] {
    // Counted, not taken from `hops`: a reach may count more hops than it has steps (the RCA's
    // namespace fallback).
    let steps = 0;
    for (let s: ReachStep = this; s.via; s = s.via) steps++;
    const out = new Array<string>(2 * steps + 1);
    let s: ReachStep = this;
    for (let i = out.length - 1; i > 0; i -= 2) {
      out[i] = s.id;
      out[i - 1] = s.type;
      s = s.via!;
    }
    out[0] = s.id;
    return out;
  }

  toJSON(): Reach {
    return { hops: this.hops, path: this.path };
  }
}

/** The reach at the start of a walk. */
export const startReach = (id: string): ReachStep => new ReachStep(0, undefined, "", id);

/** As a chain of steps (reaches made elsewhere, e.g. by tests, are plain objects). */
function asStep(r: Reach): ReachStep {
  if (r instanceof ReachStep) return r;
  const p = r.path;
  let s = startReach(p[0]!);
  for (let i = 1; i + 1 < p.length; i += 2) s = new ReachStep(s.hops + 1, s, p[i]!, p[i + 1]!);
  return s;
}

/** `base` one edge further: along `type` to `id`, `hops` away (by default one more than `base`). */
export const extendReach = (base: Reach, type: string, id: string, hops = base.hops + 1): ReachStep =>
  new ReachStep(hops, asStep(base), type, id);

/** Whether two reaches have the same hops and path. */
export function sameReach(x: Reach, y: Reach): boolean {
  if (x.hops !== y.hops) return false;
  let a: ReachStep | undefined = asStep(x);
  let b: ReachStep | undefined = asStep(y);
  // Steps shared by both (a walk extends the same kept steps) end the comparison early.
  while (a !== b) {
    if (!a || !b || a.id !== b.id || a.type !== b.type) return false;
    a = a.via;
    b = b.via;
  }
  return true;
}

/** Whether a reach's path passes through a resource `test` holds of (its two ends not counted). */
export function passesThrough(r: Reach, test: (id: string) => boolean): boolean {
  for (let s = asStep(r).via; s?.via; s = s.via) if (test(s.id)) return true;
  return false;
}

/** The edge types of a reach's last `n` steps, nearest the start first (fewer when it is shorter). */
export function lastTypes(r: Reach, n: number): string[] {
  const out: string[] = [];
  for (let s: ReachStep | undefined = asStep(r); s?.via && out.length < n; s = s.via) out.unshift(s.type);
  return out;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byOtherThenType = (x: readonly [string, string], y: readonly [string, string]) =>
  cmp(x[0], y[0]) || cmp(x[1], y[1]);

/** Sorts adjacency lists in place into the order `expandNeighborhood` breaks ties by. */
export function sortAdjacency(a: { out: Array<[string, string]>; in: Array<[string, string]> }): Adjacency {
  a.out.sort(byOtherThenType);
  a.in.sort(byOtherThenType);
  // With the slot walks keep its numbers in (`Numbered`), in the object itself.
  const sorted: Adjacency & Numbered = { out: a.out, in: a.in, numbered: undefined };
  return sorted;
}

/**
 * Adjacency lists being built: `add` gives one end of an edge its entry (`out`: `id` points to
 * `other`; `in`: `other` points to `id`), `sorted` sorts every list with `sortAdjacency`.
 */
export function adjacencyBuilder(): {
  add(id: string, dir: "out" | "in", other: string, type: string): void;
  sorted(): Map<string, Adjacency>;
} {
  const map = new Map<string, { out: Array<[string, string]>; in: Array<[string, string]> }>();
  return {
    add(id, dir, other, type) {
      let a = map.get(id);
      if (!a) {
        a = { out: [], in: [] };
        map.set(id, a);
      }
      a[dir].push([other, type]);
    },
    sorted() {
      const out = new Map<string, Adjacency>();
      for (const [id, a] of map) out.set(id, sortAdjacency(a));
      return out;
    },
  };
}

/**
 * Strings as small numbers, shared by the neighbourhoods walked while it lasts: a kept
 * neighbourhood stores the numbers of its resources and edge types, not references to them.
 */
export class Numbering {
  private static made = 0;
  private readonly numOf = new Map<string, number>();
  readonly names: string[] = [];
  /** Numberings made later have higher generations. */
  readonly generation = ++Numbering.made;

  number(s: string): number {
    let n = this.numOf.get(s);
    if (n === undefined) {
      n = this.names.length;
      this.names.push(s);
      this.numOf.set(s, n);
    }
    return n;
  }

  find(s: string): number | undefined {
    return this.numOf.get(s);
  }
}

/**
 * Resources numbered beyond which walks start a new numbering: ids of removed resources (pods come
 * and go) would pile up. Neighbourhoods walked before keep the numbering they were walked with.
 */
const NUMBERING_MAX = 200_000;
/** Edge types fit 24 bits of a reach's record (with its hops in the other 8). */
const TYPES_MAX = 0xffffff;
let resourceNumbers = new Numbering();
let typeNumbers = new Numbering();

function numberings(): { ids: Numbering; types: Numbering } {
  if (resourceNumbers.names.length > NUMBERING_MAX || typeNumbers.names.length > TYPES_MAX) {
    resourceNumbers = new Numbering();
    typeNumbers = new Numbering();
  }
  return { ids: resourceNumbers, types: typeNumbers };
}

/**
 * Which resources of the numbering `of` are hubs, by number (0 not known yet, 1 no, 2 yes). With
 * adjacency lists by number (`numberedEdges`), a walk's steps index arrays where they looked each
 * neighbour's id, its edge type and the hub test up in hash maps (~4 % of the main thread's time
 * in a 30k-event bench run, `perf`).
 */
interface HubFlags {
  readonly of: Numbering;
  flags: Uint8Array;
}
let hubFlags: HubFlags = { of: resourceNumbers, flags: new Uint8Array(1024) };

/**
 * The hub flags of `ids`, taken by a walk at its start and held to its end. Walks that interleave
 * at their awaits (a store that fetches adjacency asynchronously) may use two numberings across a
 * new one's start: each holds flags of its own numbering.
 */
function hubFlagsOf(ids: Numbering): HubFlags {
  if (hubFlags.of !== ids) hubFlags = { of: ids, flags: new Uint8Array(1024) };
  return hubFlags;
}

/**
 * An adjacency as walks keep it: its edges by number in one resource numbering, the numbering's
 * `generation` first, then per edge, `out`'s then `in`'s in the lists' order, the other end's
 * number and `type number << 1 | fan-in` (fan-in: `FAN_IN_TYPES`, for edges out of it).
 * Adjacency lists are not changed once made (a change makes new lists), so the numbers stay
 * right as long as the numbering does. `sortAdjacency` makes every list with the slot, in the
 * object (one shape, no property store of its own: ~1.3 MB for a 10,000-resource cluster's).
 */
interface Numbered {
  numbered?: number[] | undefined;
}

/** `a`'s edges by number (see `Numbered`), made once per adjacency and numbering. */
function numberedEdges(a: Adjacency, ids: Numbering, types: Numbering): number[] {
  const held = a as Adjacency & Numbered;
  const kept = held.numbered;
  if (kept !== undefined && kept[0] === ids.generation) return kept;
  const out = [ids.generation];
  for (let k = 0; k < a.out.length; k++) {
    const [other, type] = a.out[k]!;
    out.push(ids.number(other), (types.number(type) << 1) | (FAN_IN_TYPES.has(type) ? 1 : 0));
  }
  for (let k = 0; k < a.in.length; k++) {
    const [other, type] = a.in[k]!;
    out.push(ids.number(other), types.number(type) << 1);
  }
  // A copy without the room `push` left for growth: it is kept as long as the list.
  held.numbered = out.slice();
  return held.numbered;
}

/** `isHub` of resource number `num` (named `id`) in the numbering of `hubs`, kept there. */
function isHubNumber(hubs: HubFlags, num: number, id: string): boolean {
  if (num >= hubs.flags.length) {
    const grown = new Uint8Array(Math.max(num + 1, hubs.flags.length * 2));
    grown.set(hubs.flags);
    hubs.flags = grown;
  }
  let h = hubs.flags[num]!;
  if (h === 0) {
    h = isHub(id) ? 2 : 1;
    hubs.flags[num] = h;
  }
  return h === 2;
}

/** Resources to test many neighbourhoods against at once (`Neighbourhood.expandsAny`), by number. */
export class ResourceMarks {
  readonly ids = resourceNumbers;
  readonly bits: Uint8Array;

  constructor(readonly list: readonly string[]) {
    this.bits = new Uint8Array(this.ids.names.length);
    for (const id of list) {
      const n = this.ids.find(id);
      if (n !== undefined) this.bits[n] = 1;
    }
  }
}

/** Slots of a reach's record: resource number, index of the reach it extends (-1: the start), hops | type << 8. */
const REC = 3;

/**
 * A walk's reaches, packed: one `Int32Array` holds a record per reach, in the order the walk found
 * them (the order a Map of them would iterate in), and an open-addressing table from resource
 * number to record. ~27 bytes per reach, the typed array's own overhead included (measured over
 * 283k reaches of 3-hop walks), against ~99 for a `Map` of `ReachStep`s, so the store can keep
 * every neighbourhood of a 10,000-resource cluster (~350k reaches) within its share of the heap.
 * A reach read from it (`get`, iteration) is made then, as a chain of `ReachStep`s; the steps of
 * one iteration share their prefixes.
 */
export class Neighbourhood implements ReadonlyMap<string, ReachStep> {
  /** Records, then the table (record index + 1 per slot, 0 for none). */
  private readonly data: Int32Array;
  private readonly n: number;
  private readonly shift: number;

  constructor(
    private readonly ids: Numbering,
    private readonly types: Numbering,
    /** The walk's hop limit. */
    readonly maxHops: number,
    records: ArrayLike<number>,
  ) {
    const n = records.length / REC;
    let cap = 4;
    let bits = 2;
    while (cap * 3 < n * 4) {
      cap *= 2;
      bits++;
    }
    const data = new Int32Array(records.length + cap);
    data.set(records);
    const mask = cap - 1;
    const table = records.length;
    this.shift = 32 - bits;
    for (let i = 0; i < n; i++) {
      let h = Math.imul(records[i * REC]!, 0x9e3779b1) >>> this.shift;
      while (data[table + h] !== 0) h = (h + 1) & mask;
      data[table + h] = i + 1;
    }
    this.data = data;
    this.n = n;
  }

  get size(): number {
    return this.n;
  }

  /** The record index of `id`, -1 if it is not reached. */
  private indexOf(id: string): number {
    const num = this.ids.find(id);
    return num === undefined ? -1 : this.indexOfNumber(num);
  }

  private indexOfNumber(num: number): number {
    const d = this.data;
    const table = this.n * REC;
    const mask = d.length - table - 1;
    for (let h = Math.imul(num, 0x9e3779b1) >>> this.shift; ; h = (h + 1) & mask) {
      const i = d[table + h]! - 1;
      if (i < 0) return -1;
      if (d[i * REC] === num) return i;
    }
  }

  private step(i: number, via: ReachStep | undefined): ReachStep {
    const d = this.data;
    const meta = d[i * REC + 2]!;
    return new ReachStep(meta & 0xff, via, this.types.names[meta >>> 8]!, this.ids.names[d[i * REC]!]!);
  }

  /** The reach at record `i`, with the chain of steps it extends. */
  private reachAt(i: number): ReachStep {
    const via = this.data[i * REC + 1]!;
    return this.step(i, via < 0 ? undefined : this.reachAt(via));
  }

  get(id: string): ReachStep | undefined {
    const i = this.indexOf(id);
    return i < 0 ? undefined : this.reachAt(i);
  }

  has(id: string): boolean {
    return this.indexOf(id) >= 0;
  }

  /** Hops to `id`, undefined if it is not reached (no reach made). */
  hopsTo(id: string): number | undefined {
    const i = this.indexOf(id);
    return i < 0 ? undefined : this.data[i * REC + 2]! & 0xff;
  }

  /**
   * Whether the walk read the adjacency of `id`: it expands the resources it reaches in fewer than
   * its hop limit, hubs excepted (`expandNeighborhood`), and what it gives is a function of their
   * adjacency alone.
   */
  expands(id: string): boolean {
    const hops = this.hopsTo(id);
    return hops !== undefined && this.expandsAt(hops, id);
  }

  /** Whether the walk expands a resource it reached `hops` away: below its limit, and no hub but its start. */
  private expandsAt(hops: number, id: string): boolean {
    return hops < this.maxHops && (hops === 0 || !isHub(id));
  }

  /** Whether the walk read the adjacency of any resource `marks` holds (see `expands`). */
  expandsAny(marks: ResourceMarks): boolean {
    if (marks.ids !== this.ids) return marks.list.some((id) => this.expands(id));
    const d = this.data;
    const bits = marks.bits;
    for (let i = 0; i < this.n; i++) {
      const hops = d[i * REC + 2]! & 0xff;
      if (hops >= this.maxHops) break; // in the order found: by hops
      const num = d[i * REC]!;
      if (num < bits.length && bits[num] === 1 && this.expandsAt(hops, this.ids.names[num]!)) return true;
    }
    return false;
  }

  /**
   * The resources reached differently (hops, path) or only in one of this walk and `other` (from
   * the same start), sorted: what a topology change changed of the walk. Read from the records,
   * without making reaches.
   */
  changedReaches(other: Neighbourhood): string[] {
    const out: string[] = [];
    if (other.ids !== this.ids || other.types !== this.types) {
      // Walked in different numberings (rare): as reaches.
      for (const [id, r] of other) {
        const o = this.get(id);
        if (!o || !sameReach(o, r)) out.push(id);
      }
      for (const id of this.keys()) if (!other.has(id)) out.push(id);
      return out.sort();
    }
    const a = this.data;
    const b = other.data;
    for (let j = 0; j < other.n; j++) {
      const num = b[j * REC]!;
      let x = this.indexOfNumber(num);
      let y = j;
      // Same reach: the same resource and step (hops and type) all the way back to the start.
      while (x >= 0 && y >= 0 && a[x * REC] === b[y * REC] && a[x * REC + 2] === b[y * REC + 2]) {
        x = a[x * REC + 1]!;
        y = b[y * REC + 1]!;
      }
      if (x !== -1 || y !== -1) out.push(this.ids.names[num]!);
    }
    for (let i = 0; i < this.n; i++)
      if (other.indexOfNumber(a[i * REC]!) < 0) out.push(this.ids.names[a[i * REC]!]!);
    return out.sort();
  }

  /**
   * The resource numbers of `idList`, in its order (`records[i * stride]`: the walk's own records,
   * not a copy), and their numbering.
   */
  numbered(): ReachNumbers {
    return { numbering: this.ids, records: this.data, stride: REC };
  }

  /** The reached resources' ids, in the order the walk found them. */
  idList(): string[] {
    const out = new Array<string>(this.n);
    const names = this.ids.names;
    for (let i = 0; i < this.n; i++) out[i] = names[this.data[i * REC]!]!;
    return out;
  }

  keys(): MapIterator<string> {
    return this.idList().values();
  }

  *entries(): MapIterator<[string, ReachStep]> {
    // The walk found every reach after the one it extends: their steps are made first and shared.
    const steps = new Array<ReachStep>(this.n);
    for (let i = 0; i < this.n; i++) {
      const via = this.data[i * REC + 1]!;
      const s = this.step(i, via < 0 ? undefined : steps[via]);
      steps[i] = s;
      yield [s.id, s];
    }
  }

  *values(): MapIterator<ReachStep> {
    for (const [, s] of this.entries()) yield s;
  }

  [Symbol.iterator](): MapIterator<[string, ReachStep]> {
    return this.entries();
  }

  forEach(
    fn: (value: ReachStep, key: string, map: ReadonlyMap<string, ReachStep>) => void,
    thisArg?: unknown,
  ): void {
    for (const [id, s] of this.entries()) fn.call(thisArg, s, id, this);
  }

  get [Symbol.toStringTag](): string {
    return "Neighbourhood";
  }
}

/** The resource numbers behind an id list of a packed neighbourhood (see `reachIdNumbers`). */
export interface ReachNumbers {
  readonly numbering: Numbering;
  /** The number of the `i`-th id is `records[i * stride]`. */
  readonly records: Int32Array;
  readonly stride: number;
}

const numbersOfIds = new WeakMap<readonly string[], ReachNumbers>();

/**
 * The numbers (in a numbering of resource ids shared by the neighbourhoods walked while it lasts)
 * of the ids in a list `reachIds` made, if it made it: readers index arrays by them instead of
 * looking each id up in a map (a look-up per id, most of them of resources with nothing to read).
 */
export function reachIdNumbers(ids: readonly string[]): ReachNumbers | undefined {
  return numbersOfIds.get(ids);
}

/**
 * Ids `reachIds` keeps, over all its lists (~0.8 MB); the oldest lists go first. In a 50k-event
 * bench run 75 % of the asks found their list kept (44 % with only the last 64 lists).
 */
const REACH_IDS_KEPT = 100_000;
const reachIdLists = new Map<Neighbourhood, readonly string[]>();
let reachIdsHeld = 0;

/**
 * The resources a reach map holds, in its order. A packed `Neighbourhood` makes each id list
 * anew, and scoring and clustering ask for the same neighbourhood's list once per event (in a
 * 50k-event bench run ~0.4 s of spreading its keys): the newest lists are kept (a neighbourhood
 * never changes; a topology change makes new ones). Read-only.
 */
export function reachIds(reach: ReadonlyMap<string, unknown>): readonly string[] {
  if (!(reach instanceof Neighbourhood)) return [...reach.keys()];
  let ids = reachIdLists.get(reach);
  if (ids === undefined) {
    ids = reach.idList();
    numbersOfIds.set(ids, reach.numbered());
    reachIdLists.set(reach, ids);
    reachIdsHeld += ids.length;
    for (const [old, list] of reachIdLists) {
      if (reachIdsHeld <= REACH_IDS_KEPT || old === reach) break;
      reachIdLists.delete(old);
      reachIdsHeld -= list.length;
    }
  }
  return ids;
}

/**
 * Resources whose walk (`expandNeighborhood`, `maxHops`) may expand `id`: `id` itself, and, unless
 * it is a hub, those within `maxHops - 1` hops of it along edges either way through resources that
 * are not hubs (a walk expands no hub but its start). A superset: the sibling rule is not applied.
 */
export function startsThatMayExpand(
  adj: ReadonlyMap<string, Adjacency>,
  id: string,
  maxHops: number,
): string[] {
  if (maxHops < 1) return [];
  const out = [id];
  if (isHub(id)) return out;
  const seen = new Set(out);
  let frontier = out;
  for (let d = 1; d < maxHops && frontier.length; d++) {
    const next: string[] = [];
    for (const at of frontier) {
      if (at !== id && isHub(at)) continue;
      const a = adj.get(at);
      if (!a) continue;
      for (const list of [a.out, a.in])
        for (let k = 0; k < list.length; k++) {
          const other = list[k]![0];
          if (seen.has(other)) continue;
          seen.add(other);
          next.push(other);
        }
    }
    out.push(...next);
    frontier = next;
  }
  return out;
}

/**
 * Breadth-first neighbourhood with shortest paths, shared by every store so that all of them
 * give the same answer: hubs are reached but not expanded, no sibling hops through a fan-in
 * target, ties broken by (neighbour id, edge type) with outgoing edges before incoming ones.
 * `fetch` returns the adjacency of a set of resources (one call per hop), each list sorted with
 * `sortAdjacency`.
 */
export async function expandNeighborhood(
  start: string,
  maxHops: number,
  fetch: (ids: readonly string[]) => Promise<ReadonlyMap<string, Adjacency>> | ReadonlyMap<string, Adjacency>,
): Promise<Neighbourhood> {
  if (maxHops > 0xff) throw new RangeError(`a neighbourhood reaches at most 255 hops, not ${maxHops}`);
  const { ids, types } = numberings();
  const hubs = hubFlagsOf(ids);
  const marks = walkMarks.pop() ?? new WalkMarks();
  try {
    const walk = marks.begin();
    // Records as in `Neighbourhood`, and each reached resource's record index, are in `marks`.
    const s = ids.number(start);
    marks.reach(s, walk, 0);
    marks.record(s, -1, types.number("") << 8);
    // Frontier: resources by number, and (`blocks`) the edge type each may not be left by inwards
    // (sibling rule), by type number, -1 for none. An arrival along a fan-in type blocks that type;
    // any other blocks nothing; a resource reached along several edges at the same distance keeps a
    // block only if every arrival sets it, so at most one type is ever blocked. The frontier's
    // resources are the records the last hop added, in order: `frontier[k]` is record
    // `frontierFirst + k`.
    let frontier = [s];
    let frontierFirst = 0;
    let blocks = [-1];
    for (let hop = 1; hop <= maxHops && frontier.length; hop++) {
      const expand: string[] = [];
      // Where each resource expanded is in the frontier.
      const at: number[] = [];
      for (let k = 0; k < frontier.length; k++) {
        const num = frontier[k]!;
        const id = ids.names[num]!;
        if (id !== start && isHubNumber(hubs, num, id)) continue;
        expand.push(id);
        at.push(k);
      }
      if (expand.length === 0) break;
      // Awaited only when it is a promise: a walk over adjacency in memory (the embedded store's)
      // runs without a pause, so walks do not interleave and each finds marks kept for it (in a
      // 50k-event bench run, awaiting every hop made 4,591 walks of 40k allocate marks of their
      // own, ~160 KB each, and the process's RSS outside the heap grew by ~45 MB).
      const got = fetch(expand);
      const adj = isPromise(got) ? await got : got;
      const first = marks.records;
      const next: number[] = [];
      const nextBlocks: number[] = [];
      // `typed`: the edge's type number << 1 | fan-in (`Numbered`: only edges out of `via` block).
      const visit = (via: number, num: number, typed: number) => {
        const fanIn = (typed & 1) === 1;
        const type = typed >>> 1;
        const seen = marks.recordOf(num, walk);
        if (seen < 0) {
          marks.reach(num, walk, marks.records);
          marks.record(num, via, hop | (type << 8));
          next.push(num);
          nextBlocks.push(fanIn ? type : -1);
          return;
        }
        if (seen < first) return; // reached in fewer hops
        // Reached again at the same distance: it may expand wherever any of its arrivals allows.
        const cur = nextBlocks[seen - first]!;
        if (cur >= 0 && !(fanIn && cur === type)) nextBlocks[seen - first] = -1;
      };
      for (let e = 0; e < expand.length; e++) {
        const a = adj.get(expand[e]!);
        if (!a) continue;
        const edges = numberedEdges(a, ids, types);
        const via = frontierFirst + at[e]!;
        const block = blocks[at[e]!]!;
        const outEnd = 1 + 2 * a.out.length;
        for (let k = 1; k < outEnd; k += 2) visit(via, edges[k]!, edges[k + 1]!);
        for (let k = outEnd; k < edges.length; k += 2) {
          if (edges[k + 1]! >>> 1 === block) continue;
          visit(via, edges[k]!, edges[k + 1]!);
        }
      }
      frontier = next;
      frontierFirst = first;
      blocks = nextBlocks;
    }
    return new Neighbourhood(ids, types, maxHops, marks.written());
  } finally {
    if (walkMarks.length < WALK_MARKS_KEPT) walkMarks.push(marks);
  }
}

const isPromise = <T>(v: T | Promise<T>): v is Promise<T> =>
  typeof (v as { then?: unknown } | undefined)?.then === "function";

/**
 * Each reached resource's record index during one walk, by resource number (stamped with the
 * walk's number, so nothing is cleared between walks). A `Map` by id per walk was ~8 % of what a
 * 50k-event bench run allocated (40k walks reaching 1.2M resources) and a second look-up per
 * resource reached. Walks interleave at their awaits: each takes marks of its own.
 */
class WalkMarks {
  private stamps = new Int32Array(1024);
  private places = new Int32Array(1024);
  private walks = 0;
  /** The current walk's records (as in `Neighbourhood`), `records` of them so far. */
  private data = new Int32Array(1024 * REC);
  records = 0;

  /** A new walk's number. */
  begin(): number {
    if (this.walks === 0x7fffffff) {
      this.stamps.fill(0);
      this.walks = 0;
    }
    this.records = 0;
    return ++this.walks;
  }

  /** Adds a record to the current walk's. */
  record(num: number, via: number, meta: number): void {
    const at = this.records * REC;
    if (at + REC > this.data.length) {
      const data = new Int32Array(this.data.length * 2);
      data.set(this.data);
      this.data = data;
    }
    this.data[at] = num;
    this.data[at + 1] = via;
    this.data[at + 2] = meta;
    this.records++;
  }

  /** The current walk's records (a view: valid until the next walk with these marks begins). */
  written(): Int32Array {
    return this.data.subarray(0, this.records * REC);
  }

  reach(num: number, walk: number, record: number): void {
    if (num >= this.stamps.length) {
      const n = Math.max(num + 1, this.stamps.length * 2);
      const stamps = new Int32Array(n);
      stamps.set(this.stamps);
      const places = new Int32Array(n);
      places.set(this.places);
      this.stamps = stamps;
      this.places = places;
    }
    this.stamps[num] = walk;
    this.places[num] = record;
  }

  /** The record index of resource `num` in `walk`, -1 if the walk has not reached it. */
  recordOf(num: number, walk: number): number {
    return num < this.stamps.length && this.stamps[num] === walk ? this.places[num]! : -1;
  }
}

/** Marks kept for the next walks (8 bytes per numbered resource each; more walks at once make their own). */
const WALK_MARKS_KEPT = 2;
const walkMarks: WalkMarks[] = [];
