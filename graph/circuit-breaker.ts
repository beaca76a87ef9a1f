import { backgroundPause } from "../rca/time-slice.js";
import type { GraphStore } from "./graph-store.js";
import { StoreUnavailableError } from "./graph-store.js";

export type BreakerState = "closed" | "open" | "half-open";
const STATE_VALUE: Record<BreakerState, number> = { closed: 0, open: 1, "half-open": 2 };

export interface BreakerOptions {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  readonly now?: () => number;
  readonly onStateChange?: (state: BreakerState, value: number) => void;
}

/**
 * A circuit breaker in front of a store: after `failureThreshold` consecutive outages
 * (`StoreUnavailableError`) it opens and fails calls fast for `cooldownMs`, then lets one probe
 * through (half-open). Workers turn the error into a delay, so an outage never fails jobs.
 */
export class CircuitBreaker {
  private state: BreakerState = "closed";
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly opts: BreakerOptions) {
    this.now = opts.now ?? Date.now;
    opts.onStateChange?.("closed", 0);
  }

  get current(): BreakerState {
    if (this.state === "open" && this.now() - this.openedAt >= this.opts.cooldownMs)
      this.transition("half-open");
    return this.state;
  }

  /** Milliseconds until the breaker lets a probe through (0 when closed). */
  get retryInMs(): number {
    return this.state === "open" ? Math.max(0, this.opts.cooldownMs - (this.now() - this.openedAt)) : 0;
  }

  private transition(s: BreakerState) {
    if (this.state === s) return;
    this.state = s;
    this.opts.onStateChange?.(s, STATE_VALUE[s]);
  }

  /** `fn()` through the breaker: fails fast while open, lets one probe through when half-open. */
  call<T>(fn: () => Promise<T>): Promise<T> {
    return this.apply(fn, undefined, []);
  }

  /**
   * `fn.apply(self, args)` through the breaker, as `call`. Neither an async function nor a closure
   * per call: a store is called ~250k times in a 50k-event bench run, and the wrapper's promises,
   * closures and argument arrays were 292 MB of the ~5 GB the run allocated (35 MB since: the
   * argument arrays).
   */
  apply<T>(fn: (...a: never[]) => Promise<T>, self: unknown, args: readonly unknown[]): Promise<T> {
    const s = this.current;
    if (s === "open" || (s === "half-open" && this.probing)) {
      return Promise.reject(
        new StoreUnavailableError(`graph store circuit open; retry in ${this.retryInMs} ms`),
      );
    }
    const probe = s === "half-open";
    if (probe) this.probing = true;
    let out: Promise<T>;
    try {
      out = Promise.resolve(Reflect.apply(fn, self, args) as Promise<T>);
    } catch (err) {
      // Thrown, not rejected: the caller still gets a rejection.
      if (probe) this.probing = false;
      this.count(err, probe);
      return Promise.reject(err);
    }
    return probe ? out.then(this.probeSucceeded, this.probeFailed) : out.then(this.succeeded, this.failed);
  }

  private readonly succeeded = <T>(out: T): T => {
    this.failures = 0;
    this.transition("closed");
    return out;
  };

  private readonly failed = (err: unknown): never => {
    this.count(err, false);
    throw err;
  };

  private readonly probeSucceeded = <T>(out: T): T => {
    this.probing = false;
    return this.succeeded(out);
  };

  private readonly probeFailed = (err: unknown): never => {
    this.probing = false;
    this.count(err, true);
    throw err;
  };

  /** An outage counts towards opening (a probe's opens at once); other errors are the caller's. */
  private count(err: unknown, probe: boolean): void {
    if (!(err instanceof StoreUnavailableError)) return;
    this.failures++;
    if (probe || this.failures >= this.opts.failureThreshold) {
      this.openedAt = this.now();
      this.transition("open");
    }
  }
}

/**
 * Wraps every method of a store in the breaker. `init`/`close` pass straight through. Calls are
 * background pause points (`rca/time-slice.ts`); with `foreground` (the store ingest uses) they
 * do not pause, so new data is committed first.
 */
export function withCircuitBreaker(
  store: GraphStore,
  breaker: CircuitBreaker,
  opts: { readonly foreground?: boolean } = {},
): GraphStore {
  // One wrapper per method (made on first use): a store is called hundreds of thousands of times.
  const wrapped = new Map<PropertyKey, { of: unknown; fn: unknown }>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      const known = wrapped.get(prop);
      if (known && known.of === v) return known.fn;
      const fn = wrap(target, prop, v as (...a: unknown[]) => unknown);
      wrapped.set(prop, { of: v, fn });
      return fn;
    },
  });

  function wrap(target: GraphStore, prop: PropertyKey, v: (...a: unknown[]) => unknown): unknown {
    if (prop === "init" || prop === "close") return v.bind(target);
    const fn = v as (...a: never[]) => Promise<unknown>;
    return (...args: unknown[]) => {
      // The embedded store works synchronously, and awaiting it resumes as a microtask: a job
      // making thousands of calls (scoring, clustering) would never let timers run, BullMQ could
      // not renew the locks of the jobs in flight, and other replicas took them over as stalled
      // (found by tests/faults).
      const pause = opts.foreground ? undefined : backgroundPause();
      if (pause === undefined) return breaker.apply(fn, target, args);
      return pause.then(() => breaker.apply(fn, target, args));
    };
  }
}
