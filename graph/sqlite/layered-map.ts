/**
 * A read-only map made of a shared base and a small overlay of changed keys (`undefined`: removed).
 * The store keeps the topology in memory and, on every write that changes edges, needs a new
 * version of it while the one before stays valid (kept neighbourhoods and reach diffs read it):
 * copying a map of every resource per write cost more than the write's own SQL. `patch` copies
 * only the overlay, and folds it into a new base once it has grown to `maxOverlay` keys.
 */
export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  private sizeMemo = -1;

  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly overlay: ReadonlyMap<K, V | undefined>,
  ) {}

  /** `from` with `changes` applied (a value of `undefined` removes the key); `from` is not changed. */
  static patch<K, V>(
    from: ReadonlyMap<K, V>,
    changes: ReadonlyMap<K, V | undefined>,
    maxOverlay: number,
  ): ReadonlyMap<K, V> {
    const layered = from instanceof LayeredMap ? (from as LayeredMap<K, V>) : undefined;
    const base = layered ? layered.base : from;
    const overlay = new Map<K, V | undefined>(layered?.overlay);
    for (const [k, v] of changes) overlay.set(k, v);
    if (overlay.size <= maxOverlay) return new LayeredMap(base, overlay);
    const flat = new Map(base);
    for (const [k, v] of overlay) {
      if (v === undefined) flat.delete(k);
      else flat.set(k, v);
    }
    return flat;
  }

  get(key: K): V | undefined {
    return this.overlay.has(key) ? this.overlay.get(key) : this.base.get(key);
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  get size(): number {
    if (this.sizeMemo < 0) {
      let n = 0;
      for (const _ of this.keys()) n++;
      this.sizeMemo = n;
    }
    return this.sizeMemo;
  }

  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) if (!this.overlay.has(k)) yield [k, v];
    for (const [k, v] of this.overlay) if (v !== undefined) yield [k, v];
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}
