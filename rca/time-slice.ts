import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * A pause for long loops over many events: resolves at once until `sliceMs` have passed since the
 * last pause, then after the event loop has run what is waiting (I/O, other jobs). One process
 * runs ingest, scoring and clustering side by side; a scoring job that never yields keeps the
 * next ingest batch waiting for its whole run (ingest-to-queryable latency).
 */
export function timeSlicer(sliceMs = 8): () => Promise<void> | undefined {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < sliceMs) return undefined;
    return nextTurn().then(() => {
      last = performance.now();
    });
  };
}
