import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Cooperative scheduling for one process that runs ingest, scoring, clustering and queries side
 * by side. The embedded store works synchronously, so a long loop over many events keeps the event
 * loop (Redis replies, timers, HTTP, new ingest batches) waiting unless it pauses.
 *
 * Background work (scoring, clustering, store calls outside ingest) pauses through
 * `backgroundPause`. All background loops share one slice of `SLICE_MS` per turn of the event loop:
 * with a slice per loop, nine busy jobs took ~70 ms between two turns, and a new ingest job needs a
 * few turns (Redis round trips) before it starts. And while foreground work (ingest, which makes
 * data queryable) runs, a pause waits for it to finish, at most `MAX_HOLD_MS`, so a foreground task
 * that hangs cannot stop the background.
 */
const SLICE_MS = 8;
const MAX_HOLD_MS = 200;

let sliceStart = performance.now();
let sliceRestartQueued = false;
let foreground = 0;
let held: Array<() => void> = [];

/** Runs `fn` as foreground work: background pauses wait while it runs. */
export async function inForeground<T>(fn: () => Promise<T>): Promise<T> {
  foreground++;
  try {
    return await fn();
  } finally {
    if (--foreground === 0) {
      const resume = held;
      held = [];
      for (const r of resume) r();
    }
  }
}

function foregroundDone(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, MAX_HOLD_MS);
    held.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The shared slice starts again at the next turn, before the paused loops resume. */
function restartSliceNextTurn(): void {
  if (sliceRestartQueued) return;
  sliceRestartQueued = true;
  setImmediate(() => {
    sliceRestartQueued = false;
    sliceStart = performance.now();
  });
}

async function pauseNow(): Promise<void> {
  let heldOnce = false;
  for (;;) {
    restartSliceNextTurn();
    await nextTurn();
    if (foreground > 0 && !heldOnce) {
      heldOnce = true;
      await foregroundDone();
      continue;
    }
    if (performance.now() - sliceStart < SLICE_MS) return;
  }
}

/**
 * A pause point for background work: resolves at once (`undefined`, no promise to await) while the
 * shared slice lasts and no foreground work runs; otherwise after the event loop has turned (and
 * the foreground work has finished).
 */
export function backgroundPause(): Promise<void> | undefined {
  if (foreground === 0 && performance.now() - sliceStart < SLICE_MS) return undefined;
  return pauseNow();
}
