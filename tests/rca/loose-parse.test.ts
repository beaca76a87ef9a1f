import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type LooseShape, parseLoose } from "../../rca/loose-parse.js";
import {
  EVENT_SHAPE,
  eventSchema,
  labelsText as labels,
  normalizeMessage,
  RAW_K8S_EVENT_SHAPE,
  rawK8sEventSchema,
} from "../../rca/normalize.js";
import type { IngestBatch } from "../../rca/model.js";

/** The value's keys at every depth, in order: zod's copy and the fast path's must agree on them. */
function keyOrder(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(keyOrder);
  return Object.keys(v).map((k) => [k, keyOrder((v as Record<string, unknown>)[k])]);
}

/** Every key of a zod loose object and its nested loose objects, as `a.b` paths. */
function zodKeys(schema: z.ZodType, prefix = ""): string[] {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  if (!(s instanceof z.ZodObject)) return [];
  return Object.entries(s.shape).flatMap(([k, v]) => [
    `${prefix}${k}`,
    ...zodKeys(v as z.ZodType, `${prefix}${k}.`),
  ]);
}
function shapeKeys(shape: LooseShape, prefix = ""): string[] {
  return Object.entries(shape).flatMap(([k, f]) => [
    `${prefix}${k}`,
    ...(typeof f === "object" ? shapeKeys(f.shape, `${prefix}${k}.`) : []),
  ]);
}

/** Values of every kind a message field may hold, good and bad. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom("", "Pod", "warning", "__proto__", "2026-11-28T10:00:00Z"),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e21),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(
    fc.constantFrom("a", "b", "__proto__", "1"),
    fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    {
      maxKeys: 3,
    },
  ),
);

/** A value for a field of `kind`: mostly of the kind's own type, sometimes anything. */
function fieldValue(kind: LooseShape[string]): fc.Arbitrary<unknown> {
  const own =
    typeof kind === "object"
      ? objectOf(kind.shape)
      : kind === "text" || kind === "textOrNumber"
        ? fc.oneof(fc.string({ maxLength: 8 }), fc.integer())
        : kind === "count" || kind === "countNotNull"
          ? fc.oneof(fc.integer({ min: -3, max: 50 }), fc.constantFrom("7", "x", null))
          : kind === "record" || kind === "labels"
            ? fc.dictionary(fc.constantFrom("app", "severity", "alertname", "x"), anyValue, { maxKeys: 4 })
            : anyValue;
  return fc.oneof({ weight: 4, arbitrary: own }, { weight: 1, arbitrary: anyValue });
}

/** Objects with any subset of the shape's keys, in any order, and keys it does not name. */
function objectOf(shape: LooseShape): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(shape).map(([k, kind]) =>
    fc.option(fc.tuple(fc.constant(k), fieldValue(kind)), { nil: undefined, freq: 2 }),
  );
  return fc
    .tuple(
      fc.tuple(...fields),
      fc.array(fc.tuple(fc.constantFrom("cluster", "extra", "zeta", "0"), anyValue), { maxLength: 2 }),
      fc.nat(),
    )
    .map(([chosen, extra, seed]) => {
      const entries = [...(chosen.filter(Boolean) as Array<[string, unknown]>), ...extra];
      // Shuffle by the seed: the input's key order is not the shape's.
      const order = entries.map((e, i) => ({ e, k: (seed * (i + 7919)) % 104_729 }));
      order.sort((a, b) => a.k - b.k);
      const out: Record<string, unknown> = {};
      for (const { e } of order) out[e[0]] = e[1];
      return out;
    });
}

describe("the fast path of message parsing", () => {
  for (const [name, schema, shape] of [
    ["event", eventSchema, EVENT_SHAPE],
    ["kubernetes event", rawK8sEventSchema, RAW_K8S_EVENT_SHAPE],
  ] as const) {
    it(`names the ${name} schema's fields, nested ones too`, () => {
      expect(shapeKeys(shape)).toEqual(zodKeys(schema));
    });

    it(`copies a ${name} as zod does, or leaves it to zod`, () => {
      let fast = 0;
      let runs = 0;
      fc.assert(
        fc.property(objectOf(shape), (value) => {
          runs++;
          const mine = parseLoose(shape, value, labels);
          const theirs = schema.safeParse(value);
          if (mine === undefined) return;
          fast++;
          expect(theirs.success).toBe(true);
          expect(mine).toStrictEqual(theirs.data);
          expect(keyOrder(mine)).toEqual(keyOrder(theirs.data));
        }),
        { numRuns: 3_000 },
      );
      // Not vacuous: a good share of the generated messages took the fast path.
      expect(fast).toBeGreaterThan(runs / 20);
    });
  }

  it("leaves to zod what it does not copy, with zod's reason", () => {
    const out: IngestBatch = { resources: [], resourceDeletes: [], edges: [], events: [] };
    const msg = (value: unknown) => ({ topic: "logs.normalized", key: null, value });
    expect(() => normalizeMessage(msg({ message: "x", subject: [] }), { defaultCluster: "c" }, out)).toThrow(
      /^event: subject: /,
    );
    expect(() =>
      normalizeMessage(
        { topic: "events.normalized", value: { involvedObject: { kind: true }, reason: "X" } },
        { defaultCluster: "c" },
        out,
      ),
    ).toThrow(/^kubernetes event: involvedObject\.kind: /);
    // A number where text goes is text after either path.
    normalizeMessage(
      msg({ message: "boom", event_id: 42, severity: "ERROR", event_time: 1_000 }),
      { defaultCluster: "c" },
      out,
    );
    expect(out.events.at(-1)?.baseId).toBe("42");
  });
});
