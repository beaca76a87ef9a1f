import { describe, expect, it } from "vitest";
import { OffsetTracker } from "./offset-tracker.js";

const unit = () => ({ done: false });

describe("OffsetTracker", () => {
  it("commits only the contiguous done prefix, one past its last offset", () => {
    const t = new OffsetTracker();
    const a = unit();
    const b = unit();
    t.append(10n, a);
    t.append(11n, a);
    t.append(12n, null); // dead-lettered: done at once
    t.append(13n, b);
    expect(t.advance()).toBeUndefined();
    expect(t.lag()).toBe(4);
    b.done = true; // a later unit finishing first moves nothing
    expect(t.advance()).toBeUndefined();
    a.done = true;
    expect(t.advance()).toBe(14n);
    t.committed = 14n;
    expect(t.lag()).toBe(0);
    expect(t.advance()).toBeUndefined();
  });

  it("offers the same offset again until a commit succeeds", () => {
    const t = new OffsetTracker();
    const u = { done: true };
    t.append(0n, u);
    expect(t.advance()).toBe(1n); // the commit fails: committed is not set
    expect(t.advance()).toBe(1n);
    t.committed = 1n;
    expect(t.advance()).toBeUndefined();
  });

  it("leading messages without jobs are committable at once", () => {
    const t = new OffsetTracker();
    t.append(0n, null);
    t.append(1n, null);
    const u = unit();
    t.append(2n, u);
    expect(t.advance()).toBe(2n);
  });

  it("forgets its state when offsets go back (a re-delivery after a seek or rebalance)", () => {
    const t = new OffsetTracker();
    const u = unit();
    t.append(5n, u);
    t.append(6n, u);
    t.committed = 5n;
    const v = unit();
    t.append(3n, v);
    expect(t.lag()).toBe(1);
    expect(t.committed).toBeUndefined();
    v.done = true;
    expect(t.advance()).toBe(4n);
  });
});
