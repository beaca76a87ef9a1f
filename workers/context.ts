import type { GraphStore } from "../graph/index.js";
import type { Queues } from "../queues/index.js";
import type { NormalizeOptions } from "../rca/normalize.js";
import type { RuleSet } from "../rca/rules.js";
import type { Logger, Metrics } from "../telemetry/index.js";

/** What every processor gets: chosen once at start-up by the CLI. */
export interface WorkerContext {
  readonly store: GraphStore;
  /** The store as ingest uses it: its calls do not wait for background work (default: `store`). */
  readonly ingestStore?: GraphStore;
  readonly queues: Queues;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly rules: RuleSet;
  readonly normalize: NormalizeOptions;
  readonly rca: { readonly windowMs: number; readonly maxHops: number };
  readonly retention: { readonly days: number; readonly batchSize: number };
  readonly now?: () => number;
  /** Called after each ingest batch is stored (benchmarks measure ingest-to-queryable latency with it). */
  readonly onStored?: (enqueuedMs: number, storedMs: number, messages: number) => void;
}

/** Ids per follow-up job; large batches are split so no job grows without bound. */
export const FOLLOW_UP_CHUNK = 2_000;

export function chunks<T>(items: readonly T[], size = FOLLOW_UP_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
