import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ReplayFileError, readReplayMessages, readScenario } from "../../bridge/replay/index.js";
import { InvalidMessageError } from "../../rca/errors.js";
import { emptyBatch } from "../../rca/model.js";
import { normalizeMessage } from "../../rca/normalize.js";
import { tempDir } from "../helpers.js";
import { anyString, anyValue, deepJson, validMessage } from "./arbitraries.js";

/**
 * Scenario and NDJSON replay files, fuzzed: a broken file is a `ReplayFileError` that names the
 * file; a broken NDJSON line becomes a message the pipeline dead-letters with the parse error as
 * its reason, and every good line around it is still read, in order.
 */
const tmp = tempDir("kgrca-fuzz-replay-");
afterAll(() => tmp.remove());
let n = 0;
const fileOf = (ext: string, text: string) => {
  const f = join(tmp.dir, `f${n++}${ext}`);
  writeFileSync(f, text);
  return f;
};
const opts = { defaultCluster: "fuzz" };

const garbageLine = fc
  .oneof(
    anyString,
    anyValue.map((v) => JSON.stringify(v) ?? "undefined"),
    fc.constantFrom(
      "{",
      '{"topic": 1}',
      '{"topic": null, "value": {}}',
      "[]",
      "null",
      '"topic"',
      '{"value": {}}',
    ),
    deepJson.map((v) => JSON.stringify({ topic: "events.normalized", value: v })),
  )
  .map((s) => s.replace(/[\r\n\u2028\u2029]/g, " "));

describe("fuzz: replay files", () => {
  it("reads every good NDJSON line in order and turns each bad one into a dead-letter message", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc
              .nat(100_000)
              .chain((i) => validMessage(i))
              .map((m) => ({ good: true as const, m })),
            garbageLine.map((line) => ({ good: false as const, line })),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        (lines) => {
          const text = lines.map((l) => (l.good ? JSON.stringify(l.m) : l.line)).join("\n");
          const file = fileOf(".ndjson", text);
          const msgs = readReplayMessages(file);
          const nonBlank = lines.filter((l) => l.good || l.line.trim());
          expect(msgs).toHaveLength(nonBlank.length);
          for (const [i, l] of nonBlank.entries()) {
            const m = msgs[i]!;
            if (l.good) {
              expect(m.topic).toBe(l.m.topic);
              expect(m.value).toEqual(l.m.value);
              normalizeMessage(m, opts, emptyBatch());
              continue;
            }
            // A line that parses as a {topic,...} object is a message like any other; the rest
            // are marked so the pipeline dead-letters them with the reason.
            if (m.topic.startsWith("invalid-line:")) {
              expect(m.topic).toContain(file);
              expect(typeof (m.value as { error: string }).error).toBe("string");
            }
            try {
              normalizeMessage(m, opts, emptyBatch());
            } catch (err) {
              expect(err).toBeInstanceOf(InvalidMessageError);
              expect((err as InvalidMessageError).reason.length).toBeGreaterThan(0);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rejects a broken scenario file with a ReplayFileError that names the file", () => {
    const scenarioish = fc.oneof(
      anyValue,
      fc.record(
        {
          name: anyValue,
          messages: fc.oneof(
            anyValue,
            fc.array(fc.record({ topic: anyValue, key: anyValue, value: anyValue }, { requiredKeys: [] }), {
              maxLength: 5,
            }),
          ),
          symptom: fc.oneof(anyValue, fc.record({ event_id: anyValue }, { requiredKeys: [] })),
          truth: anyValue,
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          scenarioish.map((v) => JSON.stringify(v) ?? ""),
          anyString,
          fc.constantFrom("{", '{"name": "x", "messages": [', "\u0000\u0001", ""),
        ),
        (text) => {
          const file = fileOf(".json", text);
          for (const read of [() => readScenario(file), () => readReplayMessages(file)]) {
            try {
              const out = read();
              expect(out).toBeDefined();
            } catch (err) {
              expect(err).toBeInstanceOf(ReplayFileError);
              expect((err as Error).message).toContain(file);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads a valid scenario whatever junk its messages carry, and the junk is dead-lettered", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            topic: fc.string(),
            key: fc.option(fc.string()),
            value: anyValue.map((v) => v ?? null),
          }),
          { maxLength: 10 },
        ),
        (messages) => {
          const file = fileOf(
            ".json",
            JSON.stringify({ name: "fuzz", messages, symptom: { event_id: "e-1" } }),
          );
          const got = readReplayMessages(file);
          expect(got).toHaveLength(messages.length);
          for (const m of got) {
            try {
              normalizeMessage(m, opts, emptyBatch());
            } catch (err) {
              expect(err).toBeInstanceOf(InvalidMessageError);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
