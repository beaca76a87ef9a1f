import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LayeredMap } from "./layered-map.js";

const sorted = (m: ReadonlyMap<string, number>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe("LayeredMap", () => {
  it("reads like a plain map after any sequence of patches, and earlier versions stay as they were", () => {
    const key = fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h");
    const patch = fc.array(fc.tuple(key, fc.option(fc.integer(), { nil: undefined })), { maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(patch, { maxLength: 12 }),
        fc.integer({ min: 0, max: 6 }),
        (patches, maxOverlay) => {
          let layered: ReadonlyMap<string, number> = new Map([
            ["a", 0],
            ["b", 1],
          ]);
          let plain = new Map(layered);
          const versions: Array<[ReadonlyMap<string, number>, Map<string, number>]> = [];
          for (const p of patches) {
            layered = LayeredMap.patch(layered, new Map(p), maxOverlay);
            plain = new Map(plain);
            for (const [k, v] of new Map(p)) {
              if (v === undefined) plain.delete(k);
              else plain.set(k, v);
            }
            versions.push([layered, plain]);
          }
          for (const [l, m] of versions) {
            expect(sorted(l)).toEqual(sorted(m));
            expect(l.size).toBe(m.size);
            for (const k of ["a", "b", "c", "d", "e", "f", "g", "h"]) {
              expect(l.get(k)).toBe(m.get(k));
              expect(l.has(k)).toBe(m.has(k));
            }
            expect(new Set(l.keys())).toEqual(new Set(m.keys()));
            expect([...l.values()].sort()).toEqual([...m.values()].sort());
            const seen: string[] = [];
            l.forEach((_, k) => {
              seen.push(k);
            });
            expect(seen.sort()).toEqual([...m.keys()].sort());
          }
        },
      ),
    );
  });

  it("folds the overlay into a plain map once it outgrows the limit", () => {
    const base = new Map([["a", 1]]);
    const one = LayeredMap.patch(base, new Map([["b", 2]]), 1);
    expect(one).toBeInstanceOf(LayeredMap);
    const two = LayeredMap.patch(one, new Map([["c", 3]]), 1);
    expect(two).toBeInstanceOf(Map);
    expect(sorted(two)).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    expect(sorted(base)).toEqual([["a", 1]]);
  });
});
