import { liveHeapShare } from "../telemetry/heap.js";

/**
 * Share of the V8 heap limit that, live after a full collection, counts as memory pressure
 * (`KG_MEMORY_PRESSURE_PERCENT`). The bench's dense 200k-event default run with the image's 192 MB
 * heap ran out of memory with the gate at 60 % or 70 % (the heap live after full collections
 * climbed to 73 %), and completed at 50 %. Its 50k-event runs kept 40-57 % live, so at 50 % the
 * gate engaged in them too (~12 % fewer events/s in two pairs of runs) until the store's kept
 * neighbourhoods were packed (session 12): it holds no job back in them now. A larger heap cap
 * leaves it shut.
 */
export const DEFAULT_PRESSURE_SHARE = 0.5;
let pressureShare = DEFAULT_PRESSURE_SHARE;

/** Sets the share of the heap limit above which jobs run one at a time (1: never). */
export function setMemoryPressureShare(share: number): void {
  pressureShare = share;
}

/**
 * Scoring and clustering jobs hold working sets that grow with the stream's density (candidate
 * windows, scored pairs, incidents read back), and a pool runs several at once. In a dense stream
 * under a small heap they ran the process out of memory: the bench's 200k-event default run with
 * the image's 192 MB heap died 40-60 s in (a heap snapshot at the limit: four scoring jobs of
 * 6-11 MB each and a clustering job of 45 MB in flight beside 60 MB of store caches). Under
 * pressure (`underPressure`), a job that passes this gate waits until no other one is running, so
 * such jobs run one at a time; otherwise they run as the pools' concurrency allows. With the gate
 * that run completed in 192 MB (709 events/s, peak RSS 296 MB).
 *
 * Jobs wait before they read anything, so a waiting job holds none of its working set; a running
 * one always finishes (or fails), which wakes the waiters to look again.
 */
export class MemoryGate {
  private running = 0;
  private waiters: Array<() => void> = [];
  /** Jobs that waited for others to finish, for metrics and tests. */
  waited = 0;

  constructor(private readonly underPressure: () => boolean) {}

  get inFlight(): number {
    return this.running;
  }

  /** Runs `fn` when the gate lets it; `onWait` is called when it has to wait first. */
  async run<T>(fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    if (this.running > 0 && this.underPressure()) {
      this.waited++;
      onWait?.();
      do await new Promise<void>((resolve) => this.waiters.push(resolve));
      while (this.running > 0 && this.underPressure());
    }
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      const wake = this.waiters;
      this.waiters = [];
      for (const w of wake) w();
    }
  }
}

/** The gate the scoring and clustering jobs of this process pass (memory is per process). */
export const heavyJobs = new MemoryGate(() => pressureShare < 1 && liveHeapShare() > pressureShare);
