import { describe, expect, it } from "vitest";
import { CircuitBreaker, withCircuitBreaker } from "./circuit-breaker.js";
import { type GraphStore, StoreUnavailableError } from "./graph-store.js";

/** A store of three methods whose outcome each test sets: resolve, reject, or throw synchronously. */
function fakeStore() {
  const calls: unknown[][] = [];
  let outcome: "ok" | "outage" | "bug" | "sync-throw" = "ok";
  const store = {
    name: "fake",
    init: async () => "init",
    async getEvent(this: unknown, id: string) {
      calls.push([this, id]);
      if (outcome === "outage") throw new StoreUnavailableError("down");
      if (outcome === "bug") throw new TypeError("bug");
      return { id };
    },
    getStats(a: number, b: number) {
      calls.push([a, b]);
      if (outcome === "sync-throw") throw new StoreUnavailableError("sync");
      return Promise.resolve(a + b);
    },
  };
  return { store, calls, set: (o: typeof outcome) => (outcome = o) };
}

function breakerAt(now: { t: number }, states: string[] = []) {
  return new CircuitBreaker({
    failureThreshold: 2,
    cooldownMs: 1_000,
    now: () => now.t,
    onStateChange: (s) => states.push(s),
  });
}

describe("CircuitBreaker", () => {
  it("passes calls, their arguments and `this` through while closed", async () => {
    const { store, calls } = fakeStore();
    const wrapped = withCircuitBreaker(
      store as unknown as GraphStore,
      breakerAt({ t: 0 }),
    ) as unknown as typeof store;
    await expect(wrapped.getEvent("e1")).resolves.toEqual({ id: "e1" });
    await expect(wrapped.getStats(2, 3)).resolves.toBe(5);
    expect(calls).toEqual([
      [store, "e1"],
      [2, 3],
    ]);
    expect(wrapped.name).toBe("fake");
    // One wrapper per method.
    expect(wrapped.getEvent).toBe(wrapped.getEvent);
  });

  it("opens after the threshold of outages, fails fast, and closes after a good probe", async () => {
    const now = { t: 0 };
    const states: string[] = [];
    const breaker = breakerAt(now, states);
    const { store, calls, set } = fakeStore();
    const wrapped = withCircuitBreaker(store as unknown as GraphStore, breaker, {
      foreground: true,
    }) as unknown as typeof store;
    set("bug");
    // Errors that are not outages are the caller's: they do not count.
    await expect(wrapped.getEvent("a")).rejects.toThrow(TypeError);
    await expect(wrapped.getEvent("a")).rejects.toThrow(TypeError);
    expect(breaker.current).toBe("closed");
    set("outage");
    await expect(wrapped.getEvent("b")).rejects.toThrow(StoreUnavailableError);
    expect(breaker.current).toBe("closed");
    // A synchronous throw counts as a rejection does.
    set("sync-throw");
    await expect(wrapped.getStats(1, 1)).rejects.toThrow("sync");
    expect(breaker.current).toBe("open");
    const before = calls.length;
    await expect(wrapped.getEvent("c")).rejects.toThrow(/circuit open; retry in 1000 ms/);
    expect(calls.length).toBe(before); // failed fast, the store was not called
    now.t = 1_000;
    expect(breaker.current).toBe("half-open");
    // One probe at a time; a failed probe opens again at once.
    set("outage");
    const probe = wrapped.getEvent("d");
    await expect(wrapped.getEvent("e")).rejects.toThrow(/circuit open/);
    await expect(probe).rejects.toThrow("down");
    expect(breaker.current).toBe("open");
    now.t = 2_500;
    set("ok");
    await expect(wrapped.getEvent("f")).resolves.toEqual({ id: "f" });
    expect(breaker.current).toBe("closed");
    expect(states).toEqual(["closed", "open", "half-open", "open", "half-open", "closed"]);
    // Closed again: one outage does not open it (the count started over).
    set("outage");
    await expect(wrapped.getEvent("g")).rejects.toThrow("down");
    expect(breaker.current).toBe("closed");
  });

  it("`call` runs a function through the breaker", async () => {
    const breaker = breakerAt({ t: 0 });
    await expect(breaker.call(async () => 7)).resolves.toBe(7);
    await expect(breaker.call(() => Promise.reject(new StoreUnavailableError("x")))).rejects.toThrow("x");
    await expect(breaker.call(() => Promise.reject(new StoreUnavailableError("y")))).rejects.toThrow("y");
    expect(breaker.current).toBe("open");
  });

  it("background calls (not foreground) go through the shared pause and still resolve", async () => {
    const { store } = fakeStore();
    const wrapped = withCircuitBreaker(
      store as unknown as GraphStore,
      breakerAt({ t: 0 }),
    ) as unknown as typeof store;
    // Many calls in a row outlast the shared slice: some of them pause for a turn of the event loop.
    const results = await Promise.all(Array.from({ length: 2_000 }, (_, i) => wrapped.getStats(i, 1)));
    expect(results[1_999]).toBe(2_000);
    await expect(wrapped.init()).resolves.toBe("init");
  });
});
