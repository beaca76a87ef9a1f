import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { backgroundPause, inForeground } from "./time-slice.js";

/** Busy-waits `ms` (the embedded store's synchronous work). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

describe("background scheduling", () => {
  it("does not pause while the shared slice lasts", async () => {
    // The clock stands still: on a loaded machine the process can be descheduled for longer than
    // a slice between two calls, and then the second pauses as it should.
    const now = vi.spyOn(performance, "now").mockReturnValue(performance.now() + 60_000);
    try {
      await sleep(1); // a fresh turn
      await backgroundPause(); // the slice starts again at the next turn, at the clock's time
      expect(backgroundPause()).toBeUndefined();
      expect(backgroundPause()).toBeUndefined();
      now.mockReturnValue(performance.now() + 60_000 + 8); // the slice is over
      const paused = backgroundPause();
      expect(paused).toBeInstanceOf(Promise);
      await paused;
    } finally {
      now.mockRestore();
    }
  });

  it("a background loop waits while foreground work runs", async () => {
    const order: string[] = [];
    let release!: () => void;
    const fg = inForeground(async () => {
      order.push("fg start");
      await new Promise<void>((r) => {
        release = r;
      });
      order.push("fg end");
    });
    const bg = (async () => {
      await backgroundPause();
      order.push("bg resumed");
    })();
    await sleep(20);
    expect(order).toEqual(["fg start"]);
    release();
    await Promise.all([fg, bg]);
    expect(order).toEqual(["fg start", "fg end", "bg resumed"]);
  });

  it("a foreground task that hangs holds the background for a bounded time only", async () => {
    let release!: () => void;
    const fg = inForeground(
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    const t0 = performance.now();
    await backgroundPause();
    const held = performance.now() - t0;
    expect(held).toBeGreaterThanOrEqual(150);
    release();
    await fg;
  });

  it("busy background loops share one slice per turn: a timer runs between their slices", async () => {
    let timerRanAfter = -1;
    let steps = 0;
    const loop = async () => {
      for (let i = 0; i < 40; i++) {
        spin(1);
        steps++;
        await backgroundPause();
      }
    };
    const timer = sleep(0).then(() => {
      timerRanAfter = steps;
    });
    await Promise.all([loop(), loop(), loop(), loop(), timer]);
    // Four loops of 1 ms steps: without a shared slice each would run 8 ms before the first
    // yield (32 steps); with it the timer runs after about one slice of work.
    expect(timerRanAfter).toBeGreaterThanOrEqual(0);
    expect(timerRanAfter).toBeLessThan(24);
  });
});
