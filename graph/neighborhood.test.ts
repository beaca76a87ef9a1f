import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Reach } from "./graph-store.js";
import {
  type Adjacency,
  adjacencyBuilder,
  expandNeighborhood,
  extendReach,
  lastTypes,
  passesThrough,
  type ReachStep,
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
    // The step to `b` extends the very step to the service: the prefix is not copied.
    expect(b.via).toBe(nb.get("c:service:ns:s"));
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
