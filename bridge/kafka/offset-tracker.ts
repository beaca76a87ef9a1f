/**
 * Which offset of one partition may be committed (DESIGN idea 6).
 *
 * Terminology: a *unit* is what one flush of the bridge put on the `ingest` queue (one or more
 * jobs); a *segment* is a run of consecutive offsets of the partition that share a unit. A message
 * that needs no job (dead-lettered, or a log line the filter dropped) has no unit and is done at
 * once. The committable offset is one past the last offset of the longest done prefix, so an
 * offset is committed only when that message and every earlier one of the partition is done.
 */

/** Something the tracker can ask whether its jobs are finished. */
export interface Completion {
  readonly done: boolean;
}

interface Segment {
  last: bigint;
  count: number;
  readonly unit: Completion | null;
}

export class OffsetTracker {
  private readonly segments: Segment[] = [];
  private lastAppended: bigint | undefined;
  /** One past the last offset of the done prefix dropped so far. */
  private doneUpTo: bigint | undefined;
  /** The offset last committed (next offset to read), when this tracker committed one. */
  committed: bigint | undefined;

  /**
   * Records the message at `offset`. Offsets must grow; a smaller one means the consumer went
   * back (a re-delivery), so everything tracked so far is forgotten and tracking starts again.
   */
  append(offset: bigint, unit: Completion | null): void {
    if (this.lastAppended !== undefined && offset <= this.lastAppended) {
      this.segments.length = 0;
      this.committed = undefined;
      this.doneUpTo = undefined;
    }
    this.lastAppended = offset;
    const tail = this.segments[this.segments.length - 1];
    if (tail && tail.unit === unit && tail.last === offset - 1n) {
      tail.last = offset;
      tail.count++;
    } else {
      this.segments.push({ last: offset, count: 1, unit });
    }
  }

  /**
   * Drops the done prefix and returns the offset to commit (last done + 1) while it is ahead of
   * what was committed, else undefined. A failed commit is simply offered again next time.
   */
  advance(): bigint | undefined {
    let n = 0;
    while (n < this.segments.length) {
      const s = this.segments[n]!;
      if (s.unit && !s.unit.done) break;
      this.doneUpTo = s.last + 1n;
      n++;
    }
    if (n > 0) this.segments.splice(0, n);
    if (this.doneUpTo === undefined) return undefined;
    if (this.committed !== undefined && this.doneUpTo <= this.committed) return undefined;
    return this.doneUpTo;
  }

  /** Messages consumed but not yet committable. */
  lag(): number {
    let n = 0;
    for (const s of this.segments) n += s.count;
    return n;
  }
}
