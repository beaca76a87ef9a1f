import { constants, PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

let liveAfterFullGc = 0;
let watching: PerformanceObserver | undefined;

/** Heap in use right after the last full collection (0 before the first), as a share of the limit. */
export function liveHeapShare(): number {
  if (!watching) {
    watching = new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
          liveAfterFullGc = getHeapStatistics().used_heap_size;
    });
    watching.observe({ entryTypes: ["gc"] });
  }
  return liveAfterFullGc / getHeapStatistics().heap_size_limit;
}
