import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryGate } from "./memory-gate.js";

/** A job that records when it starts and ends, and finishes when told to. */
function job(log: string[], name: string) {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = () => resolve(name);
    fail = reject;
  });
  return {
    run: async () => {
      log.push(`start ${name}`);
      try {
        return await done;
      } finally {
        log.push(`end ${name}`);
      }
    },
    finish: () => finish(),
    fail: (err: Error) => fail(err),
  };
}

const turn = () => new Promise((r) => setImmediate(r));

describe("MemoryGate", () => {
  it("lets jobs run side by side while there is no pressure", async () => {
    const gate = new MemoryGate(() => false);
    const log: string[] = [];
    const a = job(log, "a");
    const b = job(log, "b");
    const pa = gate.run(a.run);
    const pb = gate.run(b.run);
    await turn();
    expect(log).toEqual(["start a", "start b"]);
    expect(gate.inFlight).toBe(2);
    a.finish();
    b.finish();
    expect(await Promise.all([pa, pb])).toEqual(["a", "b"]);
    expect(gate.waited).toBe(0);
  });

  it("runs them one at a time under pressure: a job waits until none runs", async () => {
    const gate = new MemoryGate(() => true);
    const log: string[] = [];
    const [a, b, c] = ["a", "b", "c"].map((n) => job(log, n));
    const pa = gate.run(a!.run);
    const pb = gate.run(b!.run);
    const pc = gate.run(c!.run);
    await turn();
    expect(log).toEqual(["start a"]);
    a!.finish();
    await pa;
    await turn();
    // b and c both woke; the first to look again runs, the other waits for it.
    expect(log).toEqual(["start a", "end a", "start b"]);
    expect(gate.inFlight).toBe(1);
    b!.finish();
    await pb;
    await turn();
    expect(log.at(-1)).toBe("start c");
    c!.finish();
    await pc;
    expect(gate.waited).toBe(2);
  });

  it("wakes the waiters when a job fails, and lets them run once the pressure is gone", async () => {
    let pressure = true;
    const gate = new MemoryGate(() => pressure);
    const log: string[] = [];
    const [a, b, c] = ["a", "b", "c"].map((n) => job(log, n));
    const pa = gate.run(a!.run);
    const pb = gate.run(b!.run);
    await turn();
    expect(log).toEqual(["start a"]);
    a!.fail(new Error("boom"));
    await expect(pa).rejects.toThrow("boom");
    await turn();
    expect(log).toEqual(["start a", "end a", "start b"]);
    pressure = false;
    const pc = gate.run(c!.run); // no pressure: beside b
    await turn();
    expect(log.at(-1)).toBe("start c");
    b!.finish();
    c!.finish();
    expect(await Promise.all([pb, pc])).toEqual(["b", "c"]);
  });

  it("measures the live heap after full collections", () => {
    // A process of its own, so that `gc()` can force a full collection.
    const script = `
      const { liveHeapShare } = await import(${JSON.stringify(join(import.meta.dirname, "..", "telemetry", "heap.ts"))});
      const before = liveHeapShare();
      globalThis.keep = Array.from({ length: 200_000 }, (_, i) => ({ i, s: "x" + i }));
      gc();
      await new Promise((r) => setTimeout(r, 50));
      console.log(before, liveHeapShare());
    `;
    const r = spawnSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script],
      {
        cwd: join(import.meta.dirname, ".."),
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const [before, after] = r.stdout.trim().split(" ").map(Number);
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(1);
  });
});
