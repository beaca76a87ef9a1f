import type { StoredEvent } from "../graph-store.js";
import { type Numbering, reachIdNumbers } from "../neighborhood.js";
import { type Severity, severityLevel } from "../../rca/model.js";

/** Order of `ORDER BY time_ms, id` (ids compare by code unit, as the store's other sorts do). */
export const byTimeId = (a: StoredEvent, b: StoredEvent): number =>
  a.timeMs - b.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Order of `ORDER BY time_ms DESC, id`. */
export const byTimeDescId = (a: StoredEvent, b: StoredEvent): number =>
  b.timeMs - a.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Eviction moves the floor a whole second at a time. */
const BUCKET_MS = 1_000;
/**
 * The span of time one list of `bySpan` covers. A list per second costs ~70 bytes (an array, its
 * store, a map entry) for each second that has events: in a sparse stream most seconds hold one
 * (the bench's store fill: 2 MB more live heap after it than with spans).
 */
const SPAN_MS = 16_000;

/** Distinct field values kept for sharing (cluster, type, reason, kind, namespace, status) before starting over. */
const SHARED_MAX = 20_000;

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One resource's events by (time, id), with their times beside them in a packed array of numbers:
 * a read finds where its window starts by probing `times`, contiguous in memory, not the event
 * objects spread over the heap. The probes were three quarters of the reads' time: in a 50k-event
 * bench run, 1,636 of the 2,019 profile ticks in reads near resources were loads of an event's
 * `timeMs` by the search.
 */
interface ResourceEvents {
  readonly events: StoredEvent[];
  readonly times: number[];
  /** The `onResources` read that last took this list's slice (a resource named twice is read once). */
  read: number;
}

/**
 * The recent events of the embedded store, in memory: every event whose time is at or after
 * `floor` is here, by id and, ordered by (time, id), by resource. Scoring, escalation and
 * clustering read the last window of events around each new one thousands of times per second;
 * answering those reads from here instead of SQL (a row, a JSON parse and an object per event
 * per read) is the difference between hundreds and thousands of events per second.
 *
 * The store keeps it exact: every committed change to an event row is mirrored (`put`/`drop`),
 * and a change by another process (seen by the caller through SQLite's `data_version`) resets it.
 * It holds the newest `maxEvents` events by time (whole seconds; the floor only rises): reads
 * that start below the floor go to SQL.
 *
 * Memory: the events are the rows as the store reads them, one object each, but every row read
 * brings its own copy of each string, and most are repeats (the cluster, type, reason, kind and
 * namespace of thousands of events; the resource, name, uid and message of the previous event on
 * the same resource). `put` swaps those for the equal strings already held, which halves what an
 * event costs (~700 to ~350 bytes; the resource's packed times and the time index add ~16).
 * Eviction, every tenth of the cap, drops the oldest whole seconds.
 */
export class HotEvents {
  private readonly byId = new Map<string, StoredEvent>();
  private readonly byResource = new Map<string, ResourceEvents>();
  /**
   * `byResource` by resource number in `numbering` (the newest a read has named its resources
   * in): reads of a neighbourhood's ids (`reachIds`) index it instead of looking every id up in
   * `byResource`. In a 50k-event bench run 108k reads looked up 7.0M ids, 1.5M of them held:
   * the look-ups were a third of the reads' time. Every resource with a list is numbered.
   */
  private byNum: Array<ResourceEvents | undefined> = [];
  private numbering: Numbering | undefined;
  /**
   * The events by the span (`SPAN_MS`) of their time, in no order: reads of a cluster's window
   * (anomaly detection reads its whole 15 minutes per job: in a 50k-event bench run 139 jobs read
   * 95k rows from SQL, ~6 µs each) and eviction (which drops the oldest seconds) visit only the
   * spans they need.
   */
  private readonly bySpan = new Map<number, StoredEvent[]>();
  /** Reads by `onResources` so far (numbers the reads, see `ResourceEvents.read`). */
  private reads = 0;
  /** One string object per distinct value of the low-variety fields. */
  private readonly shared = new Map<string, string>();
  /** Every event with `timeMs >= floor` is held. +Infinity: nothing is (not loaded yet). */
  floor = Number.POSITIVE_INFINITY;

  constructor(readonly maxEvents: number) {}

  get size(): number {
    return this.byId.size;
  }

  /** Empties the index; it holds everything from `floor` on once `events` (all such events) are put. */
  reset(floor: number, events: Iterable<StoredEvent> = []): void {
    this.byId.clear();
    this.byResource.clear();
    this.byNum = [];
    this.numbering = undefined;
    this.bySpan.clear();
    this.shared.clear();
    this.floor = floor;
    for (const e of events) this.put(e);
  }

  /**
   * Mirrors a committed row (inserted or changed). The index keeps `e` (the caller hands it over):
   * its string fields may be replaced by equal strings already held.
   */
  put(e: StoredEvent): void {
    this.drop(e.id);
    if (e.timeMs < this.floor) return;
    this.share(e as Writable<StoredEvent>);
    this.byId.set(e.id, e);
    const span = Math.floor(e.timeMs / SPAN_MS);
    const bucket = this.bySpan.get(span);
    if (bucket) bucket.push(e);
    else this.bySpan.set(span, [e]);
    if (e.resourceId) {
      const list = this.byResource.get(e.resourceId);
      if (!list) {
        const created = { events: [e], times: [e.timeMs], read: 0 };
        this.byResource.set(e.resourceId, created);
        if (this.numbering) this.setNum(this.numbering.number(e.resourceId), created);
      } else if (byTimeId(list.events[list.events.length - 1]!, e) < 0) {
        list.events.push(e);
        list.times.push(e.timeMs);
      } else {
        const i = this.lowerBound(list, e);
        list.events.splice(i, 0, e);
        list.times.splice(i, 0, e.timeMs);
      }
    }
    if (this.byId.size > this.maxEvents) this.shrink();
  }

  /** Replaces the string fields of `e` with equal ones held already (values are unchanged). */
  private share(e: Writable<StoredEvent>): void {
    e.cluster = this.sharedString(e.cluster);
    e.etype = this.sharedString(e.etype) as StoredEvent["etype"];
    e.reason = this.sharedString(e.reason);
    if (e.baseId === e.id) e.baseId = e.id;
    if (e.subjectKind !== undefined) e.subjectKind = this.sharedString(e.subjectKind);
    if (e.subjectNamespace !== undefined) e.subjectNamespace = this.sharedString(e.subjectNamespace);
    if (e.status !== undefined) e.status = this.sharedString(e.status);
    if (e.incidentId !== undefined) e.incidentId = this.sharedString(e.incidentId);
    // The resource's own fields: from the newest event held on the same resource.
    const list = e.resourceId === undefined ? undefined : this.byResource.get(e.resourceId)?.events;
    const prev = list?.[list.length - 1];
    if (!prev) return;
    e.resourceId = prev.resourceId;
    if (e.subjectName !== undefined && e.subjectName === prev.subjectName) e.subjectName = prev.subjectName;
    if (e.subjectUid !== undefined && e.subjectUid === prev.subjectUid) e.subjectUid = prev.subjectUid;
    if (e.message === prev.message) e.message = prev.message;
  }

  private sharedString(v: string): string {
    const held = this.shared.get(v);
    if (held !== undefined) return held;
    if (this.shared.size >= SHARED_MAX) this.shared.clear();
    this.shared.set(v, v);
    return v;
  }

  /** Mirrors a deleted row (or the old version of a changed one). */
  drop(id: string): void {
    const old = this.byId.get(id);
    if (!old) return;
    this.byId.delete(id);
    const span = Math.floor(old.timeMs / SPAN_MS);
    const bucket = this.bySpan.get(span)!;
    // From the end: a span of a dense stream holds thousands, and the events changed (levels,
    // incidents) are mostly the newest.
    if (bucket.length === 1) this.bySpan.delete(span);
    else bucket.splice(bucket.lastIndexOf(old), 1);
    if (old.resourceId) {
      const list = this.byResource.get(old.resourceId)!;
      let i = this.lowerBound(list, old);
      if (list.events[i]?.id !== id) i = list.events.indexOf(old);
      list.events.splice(i, 1);
      list.times.splice(i, 1);
      if (list.events.length === 0) this.removeList(old.resourceId);
    }
  }

  get(id: string): StoredEvent | undefined {
    return this.byId.get(id);
  }

  /** Whether a read of times from `fromMs` on can be answered here. */
  covers(fromMs: number): boolean {
    return fromMs >= this.floor;
  }

  /** Events on the resources within [fromMs, toMs] at `minLevel` or above, by (time, id). */
  onResources(
    resourceIds: readonly string[],
    fromMs: number,
    toMs: number,
    minLevel: Severity,
  ): StoredEvent[] {
    const min = severityLevel(minLevel);
    const out: StoredEvent[] = [];
    // Where each resource's slice starts in `out`.
    const runs: number[] = [];
    // A resource named twice is read once: each list taken is stamped with this read's number.
    const read = ++this.reads;
    const numbered = reachIdNumbers(resourceIds);
    if (numbered && numbered.numbering !== this.numbering) this.renumber(numbered.numbering);
    const nums = numbered?.numbering === this.numbering ? numbered?.records : undefined;
    const stride = numbered?.stride ?? 0;
    const byNum = this.byNum;
    for (let i = 0; i < resourceIds.length; i++) {
      const list = nums ? byNum[nums[i * stride]!] : this.byResource.get(resourceIds[i]!);
      if (!list) continue;
      const { events, times } = list;
      const start = recentAtOrAfter(times, fromMs);
      if (start === times.length || times[start]! > toMs || list.read === read) continue;
      list.read = read;
      const before = out.length;
      for (let k = start; k < times.length && times[k]! <= toMs; k++)
        if (severityLevel(events[k]!.level) >= min) out.push(events[k]!);
      if (out.length > before) runs.push(before);
    }
    // One resource's slice is ordered already; several are merged.
    return runs.length > 1 ? mergeRuns(out, runs) : out;
  }

  /**
   * Indexes the lists by `numbering` from now on, if it is newer than the one they are indexed by
   * (reads with ids of neighbourhoods walked before a new numbering look their lists up by id).
   */
  private renumber(numbering: Numbering): void {
    if (this.numbering && this.numbering.generation > numbering.generation) return;
    this.numbering = numbering;
    this.byNum = [];
    for (const [rid, list] of this.byResource) this.setNum(numbering.number(rid), list);
  }

  private setNum(n: number, list: ResourceEvents | undefined): void {
    const byNum = this.byNum;
    // Filled up to `n`: holes would make the array a dictionary.
    while (byNum.length <= n) byNum.push(undefined);
    byNum[n] = list;
  }

  private removeList(resourceId: string): void {
    this.byResource.delete(resourceId);
    const n = this.numbering?.find(resourceId);
    if (n !== undefined && n < this.byNum.length) this.byNum[n] = undefined;
  }

  /** Events on one resource with `reason` within [fromMs, toMs], by (time, id). */
  byReason(resourceId: string, reason: string, fromMs: number, toMs: number): StoredEvent[] {
    const list = this.byResource.get(resourceId);
    if (!list) return [];
    const { events, times } = list;
    const out: StoredEvent[] = [];
    for (let k = recentAtOrAfter(times, fromMs); k < times.length && times[k]! <= toMs; k++)
      if (events[k]!.reason === reason) out.push(events[k]!);
    return out;
  }

  /**
   * Events in `cluster` within [fromMs, toMs]: the newest `limit` by (time descending, id), in
   * reverse, as the store's `eventsInCluster` reads them from SQL.
   */
  inCluster(cluster: string, fromMs: number, toMs: number, limit: number): StoredEvent[] {
    const out: StoredEvent[] = [];
    const take = (list: readonly StoredEvent[]) => {
      for (const e of list) if (e.cluster === cluster && e.timeMs >= fromMs && e.timeMs <= toMs) out.push(e);
    };
    const first = Math.floor(fromMs / SPAN_MS);
    const last = Math.floor(toMs / SPAN_MS);
    // Span by span, unless the window covers more spans than are held.
    if (last - first < this.bySpan.size)
      for (let b = first; b <= last; b++) {
        const list = this.bySpan.get(b);
        if (list) take(list);
      }
    else for (const [b, list] of this.bySpan) if (b >= first && b <= last) take(list);
    out.sort(byTimeDescId);
    if (out.length > limit) out.length = Math.max(0, limit);
    return out.reverse();
  }

  /** Forgets every event before `to`. */
  private raiseFloor(to: number): void {
    if (to <= this.floor) return;
    this.floor = to;
    const affected = new Set<string>();
    for (const [span, list] of this.bySpan) {
      if (span * SPAN_MS >= to) continue;
      const keep = list.filter((e) => e.timeMs >= to);
      for (const e of list) {
        if (e.timeMs >= to) continue;
        this.byId.delete(e.id);
        if (e.resourceId) affected.add(e.resourceId);
      }
      if (keep.length) this.bySpan.set(span, keep);
      else this.bySpan.delete(span);
    }
    // Resource lists lose a prefix (everything below the new floor).
    for (const rid of affected) {
      const list = this.byResource.get(rid)!;
      const keep = firstAtOrAfter(list.times, to);
      if (keep >= list.times.length) this.removeList(rid);
      else {
        list.events.splice(0, keep);
        list.times.splice(0, keep);
      }
    }
  }

  /** Over the cap: drop the oldest seconds until a tenth of the room is free again. */
  private shrink(): void {
    const target = Math.floor(this.maxEvents * 0.9);
    let n = this.byId.size;
    let to = this.floor;
    // Whole spans while they fit; in the span that reaches the target, whole seconds.
    for (const span of [...this.bySpan.keys()].sort((a, b) => a - b)) {
      if (n <= target) break;
      const list = this.bySpan.get(span)!;
      if (n - list.length >= target) {
        // Up to the end of its last second that has events, as second by second would.
        let last = list[0]!.timeMs;
        for (const e of list) last = Math.max(last, e.timeMs);
        n -= list.length;
        to = (Math.floor(last / BUCKET_MS) + 1) * BUCKET_MS;
        continue;
      }
      const perSecond = new Map<number, number>();
      for (const e of list) {
        const b = Math.floor(e.timeMs / BUCKET_MS);
        perSecond.set(b, (perSecond.get(b) ?? 0) + 1);
      }
      for (const b of [...perSecond.keys()].sort((x, y) => x - y)) {
        if (n <= target) break;
        n -= perSecond.get(b)!;
        to = (b + 1) * BUCKET_MS;
      }
    }
    this.raiseFloor(to);
  }

  /** Where `e` goes in the resource's (time, id) order. */
  private lowerBound({ events, times }: ResourceEvents, e: StoredEvent): number {
    let a = firstAtOrAfter(times, e.timeMs);
    while (a < events.length && times[a] === e.timeMs && events[a]!.id < e.id) a++;
    return a;
  }
}

/**
 * The other array `mergeRuns` merges into, kept from call to call (reads are synchronous): a sort
 * allocated a copy of every read it ordered (~115 MB in a 50k-event bench run). What it holds
 * from the last merges may keep as many events from being collected until it is overwritten.
 */
let mergeScratch: StoredEvent[] = [];

/**
 * Orders `events` by (time, id) in place, given runs each ordered so (starting at `runs`,
 * ascending, the first at 0), no event twice: merged pairwise, back and forth between it and a
 * scratch array, without a call per comparison as a sort with `byTimeId` makes.
 */
function mergeRuns(events: StoredEvent[], runs: readonly number[]): StoredEvent[] {
  const n = events.length;
  if (mergeScratch.length < n) mergeScratch = new Array<StoredEvent>(Math.max(n, 2 * mergeScratch.length));
  let src = events;
  let dst = mergeScratch;
  let bounds = [...runs, n];
  while (bounds.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const lo = bounds[r]!;
      const mid = bounds[r + 1]!;
      const hi = r + 2 < bounds.length ? bounds[r + 2]! : mid;
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const a = src[i]!;
        const b = src[j]!;
        if (b.timeMs < a.timeMs || (b.timeMs === a.timeMs && b.id < a.id)) {
          dst[k++] = b;
          j++;
        } else {
          dst[k++] = a;
          i++;
        }
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
      next.push(hi);
    }
    bounds = next;
    [src, dst] = [dst, src];
  }
  if (src !== events) for (let k = 0; k < n; k++) events[k] = src[k]!;
  return events;
}

/**
 * `firstAtOrAfter` searching from the newest end, in steps that double: reads ask about the last
 * minutes of lists that span hours.
 */
function recentAtOrAfter(times: readonly number[], t: number): number {
  let b = times.length;
  let step = 1;
  while (b > 0 && times[b - 1]! >= t) {
    const a = Math.max(0, b - 1 - step);
    if (times[a]! < t) return firstAtOrAfter(times, t, a + 1, b - 1);
    b = a;
    step *= 2;
  }
  return b;
}

/** The first index whose time is at or after `t` within [from, to). */
function firstAtOrAfter(times: readonly number[], t: number, from = 0, to = times.length): number {
  let a = from;
  let b = to;
  while (a < b) {
    const m = (a + b) >> 1;
    if (times[m]! < t) a = m + 1;
    else b = m;
  }
  return a;
}
