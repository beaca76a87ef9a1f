import type { GraphStore } from "../graph/index.js";
import type { Queues } from "../queues/index.js";
import type { RuleSet } from "../rca/rules.js";
import type { Logger, Metrics } from "../telemetry/index.js";

/** An API key and what it may do: `read` keys query, `write` keys also send data and re-drive. */
export interface ApiKey {
  readonly key: string;
  readonly scope: "read" | "write";
}

/** What `createApp` needs; the CLI builds it from the runtime, tests from temp stores. */
export interface AppDeps {
  readonly store: GraphStore;
  readonly queues: Queues;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly rules: RuleSet;
  readonly rca: { readonly windowMs: number; readonly maxHops: number };
  readonly api: {
    readonly maxBodyBytes: number;
    readonly maxBatch: number;
    readonly corsOrigins: readonly string[];
    /** When empty or missing, the API is open (a warning is logged at start-up). */
    readonly keys?: readonly ApiKey[];
  };
  /** Extra readiness checks (e.g. Redis); each throws when not ready. */
  readonly readiness?: ReadonlyArray<() => Promise<void>>;
  /** Mount Bull Board at /admin/queues (default true). */
  readonly bullBoard?: boolean;
}
