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
  return a;
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
      for (const a of map.values()) sortAdjacency(a);
      return map;
    },
  };
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
): Promise<Map<string, ReachStep>> {
  const out = new Map<string, ReachStep>([[start, startReach(start)]]);
  // Frontier: resource -> the edge type it may not be left by inwards (sibling rule), "" for none.
  // An arrival along a fan-in type blocks that type; any other blocks nothing; a resource reached
  // along several edges at the same distance keeps a block only if every arrival sets it, so at
  // most one type is ever blocked.
  let frontier = new Map<string, string>([[start, ""]]);
  for (let hop = 1; hop <= maxHops && frontier.size; hop++) {
    const expand = [...frontier.keys()].filter((id) => id === start || !isHub(id));
    if (expand.length === 0) break;
    const adj = await fetch(expand);
    const next = new Map<string, string>();
    const visit = (from: string, other: string, type: string, fanIn: boolean) => {
      const seen = out.get(other);
      if (seen && seen.hops < hop) return;
      if (!seen) {
        out.set(other, new ReachStep(hop, out.get(from)!, type, other));
        next.set(other, fanIn ? type : "");
        return;
      }
      // Reached again at the same distance: it may expand wherever any of its arrivals allows.
      const cur = next.get(other);
      if (cur && !(fanIn && cur === type)) next.set(other, "");
    };
    for (const id of expand) {
      const a = adj.get(id);
      if (!a) continue;
      const blocked = frontier.get(id)!;
      for (let k = 0; k < a.out.length; k++) {
        const [other, type] = a.out[k]!;
        visit(id, other, type, FAN_IN_TYPES.has(type));
      }
      for (let k = 0; k < a.in.length; k++) {
        const [other, type] = a.in[k]!;
        if (type === blocked) continue;
        visit(id, other, type, false);
      }
    }
    frontier = next;
  }
  return out;
}
