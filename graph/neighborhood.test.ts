import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Reach } from "./graph-store.js";
import {
  type Adjacency,
  adjacencyBuilder,
  expandNeighborhood,
  extendReach,
  FAN_IN_TYPES,
  isHub,
  lastTypes,
  passesThrough,
  type ReachStep,
  reachIds,
  ResourceMarks,
  sameReach,
  startReach,
} from "./neighborhood.js";

/** A plain reach, as other code (tests, other stores) may make one. */
const plain = (path: string[], hops = (path.length - 1) / 2): Reach => ({ hops, path });

/** Adjacency of a test graph: each [from, type, to] is an out edge of `from` and an in edge of `to`. */
function graph(edges: Array<[string, string, string]>): Map<string, Adjacency> {
  const lists = adjacencyBuilder();
  for (const [from, type, to] of edges) {
    lists.add(from, "out", to, type);
    lists.add(to, "in", from, type);
  }
  return lists.sorted();
}

describe("ReachStep", () => {
  it("gives a walk's paths from shared steps: each reach points at the one it was reached from", async () => {
    const adj = graph([
      ["c:pod:ns:a", "SELECTS", "c:service:ns:s"],
      ["c:service:ns:s", "TALKS_TO", "c:pod:ns:b"],
    ]);
    const nb = await expandNeighborhood("c:pod:ns:a", 3, () => adj);
    const b = nb.get("c:pod:ns:b")!;
    expect(b.path).toEqual(["c:pod:ns:a", "SELECTS", "c:service:ns:s", "TALKS_TO", "c:pod:ns:b"]);
    expect(b.hops).toBe(2);
    expect(sameReach(b.via!, nb.get("c:service:ns:s")!)).toBe(true);
    // Read in one iteration, the step to `b` extends the very step to the service: the prefix is
    // not copied.
    const steps = new Map(nb);
    expect(steps.get("c:pod:ns:b")!.via).toBe(steps.get("c:service:ns:s"));
    expect(nb.get("c:pod:ns:a")!.path).toEqual(["c:pod:ns:a"]);
    // Serialised as the values it gives, not as its chain of steps.
    expect(JSON.parse(JSON.stringify(b))).toEqual({ hops: 2, path: b.path });
  });

  it("counts the path from its steps when a reach counts more hops than it has (the namespace fallback)", () => {
    const ns = extendReach(startReach("e"), "IN_NAMESPACE", "ns");
    const pod = extendReach(ns, "IN_NAMESPACE", "p", 3);
    expect(pod.hops).toBe(3);
    expect(pod.path).toEqual(["e", "IN_NAMESPACE", "ns", "IN_NAMESPACE", "p"]);
    expect(extendReach(pod, "CONTROLS", "rs").hops).toBe(4);
    // A plain reach is extended the same way.
    expect(extendReach(plain(["x", "T", "y"]), "U", "z").path).toEqual(["x", "T", "y", "U", "z"]);
  });

  it("compares, tests and reads reaches as their paths say, for steps and plain reaches alike", () => {
    const id = fc.constantFrom("a", "b", "c", "node:n");
    const type = fc.constantFrom("CONTROLS", "RUNS_ON", "SELECTS");
    const path = fc
      .tuple(id, fc.array(fc.tuple(type, id), { maxLength: 4 }))
      .map(([start, steps]) => [start, ...steps.flat()]);
    const asSteps = (p: string[]): ReachStep => {
      let r = startReach(p[0]!);
      for (let i = 1; i < p.length; i += 2) r = extendReach(r, p[i]!, p[i + 1]!);
      return r;
    };
    // Paths that differ only in one edge type, or one id.
    expect(
      sameReach(
        asSteps(["a", "CONTROLS", "b", "RUNS_ON", "c"]),
        asSteps(["a", "CONTROLS", "b", "SELECTS", "c"]),
      ),
    ).toBe(false);
    expect(
      sameReach(
        asSteps(["a", "CONTROLS", "b", "RUNS_ON", "c"]),
        plain(["a", "RUNS_ON", "b", "RUNS_ON", "c"]),
      ),
    ).toBe(false);
    expect(sameReach(asSteps(["a", "CONTROLS", "b"]), asSteps(["c", "CONTROLS", "b"]))).toBe(false);
    fc.assert(
      fc.property(path, path, fc.boolean(), (p, q, mixed) => {
        const x = asSteps(p);
        const y: Reach = mixed ? plain(q) : asSteps(q);
        expect(x.path).toEqual(p);
        expect(sameReach(x, y)).toBe(JSON.stringify(p) === JSON.stringify(q));
        expect(sameReach(x, asSteps(p))).toBe(true);
        expect(sameReach(x, plain(p, x.hops + 1))).toBe(false);
        const hub = (s: string) => s.startsWith("node:");
        expect(passesThrough(y, hub)).toBe(q.slice(2, -1).some((s, i) => i % 2 === 0 && hub(s)));
        expect(lastTypes(y, 2)).toEqual(q.filter((_, i) => i % 2 === 1).slice(-2));
      }),
    );
  });
});

/**
 * The walk as it was before neighbourhoods were packed (a `Map` of reaches with their paths), kept
 * here as the reference the packed form must read as.
 */
function referenceWalk(start: string, maxHops: number, adj: ReadonlyMap<string, Adjacency>) {
  const out = new Map<string, { hops: number; path: string[] }>([[start, { hops: 0, path: [start] }]]);
  let frontier = new Map<string, string>([[start, ""]]);
  for (let hop = 1; hop <= maxHops && frontier.size; hop++) {
    const expand = [...frontier.keys()].filter((id) => id === start || !isHub(id));
    if (expand.length === 0) break;
    const next = new Map<string, string>();
    const visit = (from: string, other: string, type: string, fanIn: boolean) => {
      const seen = out.get(other);
      if (seen && seen.hops < hop) return;
      if (!seen) {
        out.set(other, { hops: hop, path: [...out.get(from)!.path, type, other] });
        next.set(other, fanIn ? type : "");
        return;
      }
      const cur = next.get(other);
      if (cur && !(fanIn && cur === type)) next.set(other, "");
    };
    for (const id of expand) {
      const a = adj.get(id);
      if (!a) continue;
      const blocked = frontier.get(id)!;
      for (const [other, type] of a.out) visit(id, other, type, FAN_IN_TYPES.has(type));
      for (const [other, type] of a.in) if (type !== blocked) visit(id, other, type, false);
    }
    frontier = next;
  }
  return out;
}

describe("Neighbourhood (a walk's reaches, packed)", () => {
  const ids = [
    "c:pod:ns:a",
    "c:pod:ns:b",
    "c:pod:ns:c",
    "c:service:ns:s",
    "c:deployment:ns:d",
    "c:node::n1",
    "c:node::n2",
  ];
  const types = ["RUNS_ON", "SELECTS", "CONTROLS", "DEPENDS_ON", "TALKS_TO", "MOUNTS"];
  const edges = fc.array(
    fc.tuple(fc.constantFrom(...ids), fc.constantFrom(...types), fc.constantFrom(...ids)),
    {
      maxLength: 24,
    },
  );

  it("reads as the map of reaches the walk found: same order, hops, paths and lookups", async () => {
    await fc.assert(
      fc.asyncProperty(
        edges,
        fc.constantFrom(...ids),
        fc.integer({ min: 0, max: 4 }),
        async (es, start, hops) => {
          const adj = graph(es);
          const nb = await expandNeighborhood(start, hops, () => adj);
          const ref = referenceWalk(start, hops, adj);
          expect([...nb.keys()]).toEqual([...ref.keys()]);
          // The kept list is the keys in order, the same list each time; a plain map's is its own.
          expect(reachIds(nb)).toEqual([...ref.keys()]);
          expect(reachIds(nb)).toBe(reachIds(nb));
          expect(reachIds(ref)).toEqual([...ref.keys()]);
          expect([...nb].map(([id, r]) => [id, r.hops, r.path])).toEqual(
            [...ref].map(([id, r]) => [id, r.hops, r.path]),
          );
          expect(nb.size).toBe(ref.size);
          for (const id of [...ids, "c:pod:ns:elsewhere"]) {
            const want = ref.get(id);
            expect(nb.has(id)).toBe(!!want);
            expect(nb.hopsTo(id)).toBe(want?.hops);
            const got = nb.get(id);
            expect(got && { hops: got.hops, path: got.path }).toEqual(want);
            // The walk read `id`'s adjacency: reached below the hop limit and not a hub (but the start).
            expect(nb.expands(id)).toBe(!!want && want.hops < hops && (want.hops === 0 || !isHub(id)));
          }
          // Walked again over the same lists (kept by number since the first walk): the same reaches.
          const again = await expandNeighborhood(start, hops, () => adj);
          expect([...again].map(([id, r]) => [id, r.hops, r.path])).toEqual(
            [...ref].map(([id, r]) => [id, r.hops, r.path]),
          );
          const values: ReachStep[] = [];
          nb.forEach((r, id) => {
            expect(r.id).toBe(id);
            values.push(r);
          });
          expect(values.map((r) => r.path)).toEqual([...nb.values()].map((r) => r.path));
        },
      ),
    );
  });

  it("keeps a sibling block when every arrival at the same distance sets it, and drops it when one does not", async () => {
    // x and y both reach s one hop from a; x calls it (DEPENDS_ON, a fan-in type). When y does
    // too, s may not be left inwards along DEPENDS_ON to another caller (z). Random graphs rarely
    // build this shape.
    const cases: Array<[[string, string, string], boolean]> = [
      [["c:pod:ns:y", "DEPENDS_ON", "c:service:ns:s"], false],
      [["c:pod:ns:y", "TALKS_TO", "c:service:ns:s"], true],
      [["c:pod:ns:y", "REFERENCES", "c:service:ns:s"], true],
      // The same type, but y arrives against the edge's direction (s depends on y): no fan-in.
      [["c:service:ns:s", "DEPENDS_ON", "c:pod:ns:y"], true],
    ];
    for (const [yAndS, reachesZ] of cases) {
      const adj = graph([
        ["c:pod:ns:a", "TALKS_TO", "c:pod:ns:x"],
        ["c:pod:ns:a", "TALKS_TO", "c:pod:ns:y"],
        ["c:pod:ns:x", "DEPENDS_ON", "c:service:ns:s"],
        yAndS,
        ["c:pod:ns:z", "DEPENDS_ON", "c:service:ns:s"],
      ]);
      const nb = await expandNeighborhood("c:pod:ns:a", 4, () => adj);
      const ref = referenceWalk("c:pod:ns:a", 4, adj);
      expect([...nb].map(([id, r]) => [id, r.hops, r.path])).toEqual(
        [...ref].map(([id, r]) => [id, r.hops, r.path]),
      );
      // Any other arrival (another type, fan-in or not, or against the edge) lifts the block: z is
      // then reached through s.
      expect(nb.has("c:pod:ns:z")).toBe(reachesZ);
    }
  });

  it("tells whether any of many resources was expanded, as asking each would", async () => {
    await fc.assert(
      fc.asyncProperty(edges, fc.constantFrom(...ids), fc.subarray(ids), async (es, start, marked) => {
        const adj = graph(es);
        const nb = await expandNeighborhood(start, 3, () => adj);
        expect(nb.expandsAny(new ResourceMarks(marked))).toBe(marked.some((id) => nb.expands(id)));
      }),
    );
  });

  it("tells which reaches a change of the topology changed, as comparing the reaches would", async () => {
    await fc.assert(
      fc.asyncProperty(edges, edges, fc.constantFrom(...ids), async (es, more, start) => {
        const before = graph(es);
        const after = graph([...es.slice(0, Math.floor(es.length / 2)), ...more]);
        const a = await expandNeighborhood(start, 3, () => before);
        const b = await expandNeighborhood(start, 3, () => after);
        const want: string[] = [];
        for (const [id, r] of b) if (!a.has(id) || !sameReach(a.get(id)!, r)) want.push(id);
        for (const id of a.keys()) if (!b.has(id)) want.push(id);
        expect(a.changedReaches(b)).toEqual(want.sort());
        expect(a.changedReaches(await expandNeighborhood(start, 3, () => before))).toEqual([]);
      }),
    );
  });

  it("tells hubs apart in a walk that an asynchronous fetch paused while another started a new numbering", async () => {
    // Numbers more resources than a numbering holds: the next walk starts a new numbering.
    const fill = async () => {
      const many = adjacencyBuilder();
      for (let i = 0; i < 200_001; i++) many.add("c:service:ns:big", "out", `c:pod:ns:q${i}`, "TALKS_TO");
      await expandNeighborhood("c:service:ns:big", 1, () => many.sorted());
    };
    await fill();
    // A walk in a new numbering: a (number 0) calls s (number 1, not a hub), which b calls.
    const calls = graph([
      ["c:pod:ns:a", "TALKS_TO", "c:service:ns:s"],
      ["c:pod:ns:b", "TALKS_TO", "c:service:ns:s"],
    ]);
    await expandNeighborhood("c:pod:ns:a", 2, () => calls);
    // Walk A, in the same numbering, pauses at its first fetch.
    let resume!: () => void;
    const paused = new Promise<void>((r) => {
      resume = r;
    });
    let first = true;
    const walkA = expandNeighborhood("c:pod:ns:a", 2, async (ids) => {
      if (first) {
        first = false;
        await paused;
      }
      return new Map(ids.flatMap((id) => (calls.has(id) ? [[id, calls.get(id)!] as const] : [])));
    });
    // Meanwhile walk B, in the numbering after A's: x (number 0) runs on node n1 (number 1, a hub).
    await fill();
    const onNode = graph([["c:pod:ns:x", "RUNS_ON", "c:node::n1"]]);
    const b = await expandNeighborhood("c:pod:ns:x", 2, () => onNode);
    expect(b.expands("c:node::n1")).toBe(false);
    resume();
    const a = await walkA;
    // A's number 1 is the service, not B's node: A goes through it to b.
    expect(a.expands("c:service:ns:s")).toBe(true);
    expect(a.get("c:pod:ns:b")?.path).toEqual([
      "c:pod:ns:a",
      "TALKS_TO",
      "c:service:ns:s",
      "TALKS_TO",
      "c:pod:ns:b",
    ]);
  });

  it("keeps answering after walks start a new numbering of resources", async () => {
    const star = graph(ids.slice(0, 3).map((id) => [id, "TALKS_TO", "c:service:ns:s"]));
    const before = await expandNeighborhood("c:pod:ns:a", 2, () => star);
    // A walk that numbers more resources than a numbering holds: the next walk starts a new one.
    const many = adjacencyBuilder();
    for (let i = 0; i < 200_001; i++) many.add("c:service:ns:big", "out", `c:pod:ns:p${i}`, "TALKS_TO");
    const big = await expandNeighborhood("c:service:ns:big", 1, () => many.sorted());
    expect(big.size).toBe(200_002);
    const after = await expandNeighborhood("c:pod:ns:a", 2, () => star);
    for (const nb of [before, after]) {
      expect(nb.get("c:pod:ns:b")!.path).toEqual([
        "c:pod:ns:a",
        "TALKS_TO",
        "c:service:ns:s",
        "TALKS_TO",
        "c:pod:ns:b",
      ]);
      // Marks made in either numbering.
      expect(nb.expandsAny(new ResourceMarks(["c:pod:ns:a"]))).toBe(true);
      expect(nb.expandsAny(new ResourceMarks(["c:pod:ns:b"]))).toBe(false);
    }
    // Compared across the two numberings: the same reaches.
    expect(before.changedReaches(after)).toEqual([]);
    expect(after.changedReaches(await expandNeighborhood("c:pod:ns:a", 1, () => star))).toEqual([
      "c:pod:ns:b",
      "c:pod:ns:c",
    ]);
  });
});
