import type { GraphStore, Reach, StoredEvent, StoredResource } from "../graph/index.js";
import { firstAtOrAfterTime } from "../rca/analyze.js";
import type { Severity } from "../rca/model.js";

/**
 * Resources reached, summed over the neighbourhoods one job's reader keeps; the oldest go first
 * beyond it. Most are the store's own kept maps (no extra memory), but the store keeps only what
 * its cache holds, and a job of the bench's dense 200k-event stream kept 210k reach steps (19 MB)
 * of walks the store had no room for, four such jobs at a time.
 */
const JOB_REACH_MAX = 50_000;

/**
 * A store view for the length of one job: neighbourhoods and resources are read once and reused,
 * since a batch's events share resources. Writes go straight through. Not for use across jobs
 * (topology changes between them).
 */
export function cachedReader(store: GraphStore): GraphStore {
  const reach = new Map<string, Promise<ReadonlyMap<string, Reach>>>();
  const sizes = new Map<string, number>();
  let kept = 0;
  const resources = new Map<string, StoredResource | null>();
  const view: Partial<GraphStore> = {
    neighborhood(id: string, maxHops: number) {
      const key = `${maxHops}\u0000${id}`;
      let p = reach.get(key);
      if (!p) {
        p = store.neighborhood(id, maxHops);
        reach.set(key, p);
        p.then(
          (nb) => {
            if (reach.get(key) !== p) return;
            sizes.set(key, nb.size);
            kept += nb.size;
            // Oldest first (a Map iterates in insertion order); the newest stays.
            for (const [k, n] of sizes) {
              if (kept <= JOB_REACH_MAX || k === key) break;
              sizes.delete(k);
              reach.delete(k);
              kept -= n;
            }
          },
          () => reach.delete(key),
        );
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
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop in view) return view[prop as keyof GraphStore];
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      let fn = bound.get(prop);
      if (!fn) {
        fn = v.bind(target);
        bound.set(prop, fn);
      }
      return fn;
    },
  });
}

/**
 * Event reads over resource sets within one job: a read of a wide time range, made once up front
 * with `prefetch`, answers every later read of the same resources and level inside that range
 * (a time slice of a list ordered by time and id is the narrower read). Anything else goes to the
 * store. A resource set is named by the caller (`set`: e.g. the resource whose neighbourhood it
 * is): the same name must mean the same resources within the job.
 */
export function windowedEvents(store: GraphStore) {
  const reads = new Map<string, Array<{ lo: number; hi: number; events: StoredEvent[] }>>();
  const keyOf = (set: string, minLevel: Severity) => `${minLevel}\u0001${set}`;
  return {
    async prefetch(
      set: string,
      ids: readonly string[],
      lo: number,
      hi: number,
      minLevel: Severity,
    ): Promise<void> {
      const key = keyOf(set, minLevel);
      const events = await store.eventsOnResources(ids, lo, hi, minLevel);
      const list = reads.get(key);
      if (list) list.push({ lo, hi, events });
      else reads.set(key, [{ lo, hi, events }]);
    },
    async eventsOnResources(
      set: string,
      ids: readonly string[],
      fromMs: number,
      toMs: number,
      minLevel: Severity = "INFO",
    ): Promise<StoredEvent[]> {
      const hit = reads.get(keyOf(set, minLevel))?.find((r) => r.lo <= fromMs && toMs <= r.hi);
      if (!hit) return store.eventsOnResources(ids, fromMs, toMs, minLevel);
      const ev = hit.events;
      const out: StoredEvent[] = [];
      for (let k = firstAtOrAfterTime(ev, fromMs); k < ev.length && ev[k]!.timeMs <= toMs; k++)
        out.push(ev[k]!);
      return out;
    },
  };
}
