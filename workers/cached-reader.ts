import type { GraphStore, Reach, StoredResource } from "../graph/index.js";

/**
 * A store view for the length of one job: neighbourhoods and resources are read once and reused,
 * since a batch's events share resources. Writes go straight through. Not for use across jobs
 * (topology changes between them).
 */
export function cachedReader(store: GraphStore): GraphStore {
  const reach = new Map<string, Promise<Map<string, Reach>>>();
  const resources = new Map<string, StoredResource | null>();
  const view: Partial<GraphStore> = {
    neighborhood(id: string, maxHops: number) {
      const key = `${maxHops}\u0000${id}`;
      let p = reach.get(key);
      if (!p) {
        p = store.neighborhood(id, maxHops);
        reach.set(key, p);
        p.catch(() => reach.delete(key));
      }
      return p;
    },
    async getResources(ids: readonly string[]) {
      const missing = ids.filter((id) => !resources.has(id));
      if (missing.length) {
        const found = new Map((await store.getResources(missing)).map((r) => [r.id, r]));
        for (const id of missing) resources.set(id, found.get(id) ?? null);
      }
      return ids.map((id) => resources.get(id)).filter((r): r is StoredResource => !!r);
    },
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop in view) return view[prop as keyof GraphStore];
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
