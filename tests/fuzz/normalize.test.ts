import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidMessageError } from "../../rca/errors.js";
import { emptyBatch, SEVERITIES } from "../../rca/model.js";
import {
  MAX_MESSAGE_LENGTH,
  MAX_NAME_LENGTH,
  normalizeMessage,
  type WireMessage,
} from "../../rca/normalize.js";
import { anyMessage, injection, validMessage } from "./arbitraries.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: what we check for
const CONTROL = /[\u0000-\u001f\u007f]/;
const opts = { defaultCluster: "fuzz" };

/** The first entrance: every message from any source goes through normalizeMessage. */
describe("fuzz: normalizeMessage", () => {
  it("accepts or rejects with InvalidMessageError and a reason; a rejection leaves the batch untouched", () => {
    fc.assert(
      fc.property(anyMessage, (msg) => {
        const out = emptyBatch();
        out.events.push({ sentinel: true } as never);
        try {
          normalizeMessage(msg as WireMessage, opts, out);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidMessageError);
          const reason = (err as InvalidMessageError).reason;
          expect(reason.length).toBeGreaterThan(0);
          expect(reason.length).toBeLessThan(2_000);
          expect(out.events).toHaveLength(1);
          expect(out.resources.length + out.edges.length + out.resourceDeletes.length).toBe(0);
          return;
        }
        // Accepted: what comes out is well formed, whatever went in.
        for (const e of out.events.slice(1)) {
          expect(typeof e.id).toBe("string");
          expect(e.id.length).toBeGreaterThan(0);
          expect(Number.isNaN(new Date(e.timeMs).getTime())).toBe(false);
          expect(SEVERITIES).toContain(e.severity);
          expect(e.message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH + 1);
          expect(CONTROL.test(e.reason)).toBe(false);
          expect(Number.isInteger(e.count) && e.count >= 1).toBe(true);
        }
        for (const r of out.resources) {
          expect(r.name.length).toBeGreaterThan(0);
          expect(r.name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
          expect(CONTROL.test(r.name) || CONTROL.test(r.namespace) || CONTROL.test(r.cluster)).toBe(false);
          expect(Number.isNaN(new Date(r.atMs).getTime())).toBe(false);
        }
        for (const e of out.edges) expect(typeof e.key).toBe("string");
      }),
      { numRuns: 3_000 },
    );
  });

  it("rejects a time a Date cannot hold, which a finite number can be", () => {
    for (const t of [1e20, -1e20, 8.64e15 + 1]) {
      const msg = {
        topic: "events.normalized",
        key: null,
        value: { event_id: "t", event_time: t, message: "m" },
      };
      expect(() => normalizeMessage(msg as WireMessage, opts, emptyBatch())).toThrow(
        /event_time is out of range/,
      );
    }
    const ok = emptyBatch();
    normalizeMessage(
      {
        topic: "events.normalized",
        key: null,
        value: { event_id: "t", event_time: 8.64e15, message: "m" },
      } as WireMessage,
      opts,
      ok,
    );
    expect(new Date(ok.events[0]!.timeMs).toISOString()).toBe("+275760-09-13T00:00:00.000Z");
  });

  it("accepts every valid message of each topic", () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000).chain((n) => validMessage(n)),
        (msg) => {
          const out = emptyBatch();
          normalizeMessage(msg, opts, out);
          expect(out.resources.length + out.edges.length + out.events.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("keeps injection strings in labels, reasons and messages as plain data", () => {
    fc.assert(
      fc.property(injection, injection, (a, b) => {
        const out = emptyBatch();
        normalizeMessage(
          {
            topic: "alerts.enriched",
            key: null,
            value: {
              event_id: "inj-1",
              event_time: "2025-10-08T10:00:00Z",
              etype: "prom.alert",
              reason: a,
              message: b,
              labels: { alertname: a, note: b, [a]: b },
            },
          },
          opts,
          out,
        );
        const e = out.events[0]!;
        expect(e.reason).toBe(a);
        expect(e.message).toBe(b);
        expect(e.labels?.note).toBe(b);
        // A label named "__proto__" is dropped by the plain-object label map in rca/normalize.ts
        // (reported); it must never reach the prototype.
        if (a !== "__proto__") expect(Object.hasOwn(e.labels ?? {}, a) && e.labels?.[a]).toBe(b);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.getPrototypeOf(e.labels)).toBe(Object.prototype);
      }),
      { numRuns: 200 },
    );
  });
});
