import { describe, expect, it } from "vitest";
import type { GraphStore, Reach } from "../graph/index.js";
import { cachedReader } from "./cached-reader.js";

/** A store whose neighbourhood of `id` has `size(id)` resources, counting the walks asked of it. */
function countingStore(size: (id: string) => number) {
  const walks = new Map<string, number>();
  const store = {
    async neighborhood(id: string): Promise<ReadonlyMap<string, Reach>> {
      walks.set(id, (walks.get(id) ?? 0) + 1);
      const nb = new Map<string, Reach>();
      for (let i = 0; i < size(id); i++) nb.set(`${id}-${i}`, { hops: 1, path: [id, "T", `${id}-${i}`] });
      return nb;
    },
  } as unknown as GraphStore;
  return { store, walks };
}

describe("cachedReader", () => {
  it("walks a neighbourhood once per job, and keeps at most ~50k resources reached, the oldest going first", async () => {
    const { store, walks } = countingStore(() => 20_000);
    const view = cachedReader(store);
    const a1 = await view.neighborhood("a", 3);
    expect(await view.neighborhood("a", 3)).toBe(a1);
    await view.neighborhood("b", 3);
    expect(walks.get("a")).toBe(1);
    // a, b and c reach 60k: `a`, the oldest, goes; `b` and `c` stay.
    await view.neighborhood("c", 3);
    await view.neighborhood("b", 3);
    await view.neighborhood("c", 3);
    expect([walks.get("b"), walks.get("c")]).toEqual([1, 1]);
    await view.neighborhood("a", 3);
    expect(walks.get("a")).toBe(2);
  });

  it("keeps the newest neighbourhood even when it alone is larger than the bound", async () => {
    const { store, walks } = countingStore(() => 80_000);
    const view = cachedReader(store);
    await view.neighborhood("big", 3);
    await view.neighborhood("big", 3);
    expect(walks.get("big")).toBe(1);
  });
});
