import fc from "fast-check";
import { DEFAULT_TOPICS } from "../../rca/normalize.js";

/**
 * Hostile inputs shared by the fuzzers: the strings attackers and broken producers send, JSON of
 * every shape, and CONTRACT messages with one field broken at a time.
 */

/** What a string becomes after UTF-8 (HTTP): lone surrogates turn into U+FFFD. */
export const wellFormed = (s: string): string =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

/**
 * Whether text came back from the store as sent. A lone surrogate is not valid UTF-8: in a text
 * column SQLite keeps its three bytes and they come back as U+FFFD each, so those positions are
 * compared loosely; inside a JSON column (alert labels) `JSON.stringify` escapes it as `\udxxx`
 * and it comes back verbatim.
 */
export const sameText = (stored: string | undefined, sent: string): boolean =>
  stored !== undefined &&
  (stored === sent || stored.replace(/\ufffd/g, "") === wellFormed(sent).replace(/\ufffd/g, ""));

/** Injection strings that must travel as plain data (no colon: names may not contain one). */
export const INJECTIONS = [
  "'); DROP TABLE events;--",
  '" OR 1=1 --',
  "x' UNION SELECT * FROM resources --",
  '"}) MATCH (n) DETACH DELETE n //',
  "' }) CALL db.clear() //",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection, sent as data on purpose
  "${process.exit(1)}",
  "{{constructor.constructor('return process')()}}",
  "__proto__",
  "constructor",
  "../../../../etc/passwd",
  "<script>alert(1)</script>",
  "%00%27",
  "\\' ; SELECT sqlite_version(); --",
  "Robert'); DROP TABLE cause_links; --",
] as const;

export const injection = fc.constantFrom(...INJECTIONS);

/** Strings that break naive code: unicode, emoji, RTL, lone surrogates, control characters, NUL. */
export const weirdString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\n\r\t",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "\ud800",
    "\udfff\ud800",
    "😀🔥💥",
    "Ω≈ç√∫",
    "\u001b[31mred\u001b[0m",
    "null",
    "undefined",
    "NaN",
    "-1",
    "1e309",
  ),
  injection,
);

/** Strings too long for any field (kept to a size that does not make the test itself slow). */
export const hugeString = fc.integer({ min: 300, max: 200_000 }).map((n) => "x".repeat(n));

export const anyString = fc.oneof(
  { weight: 5, arbitrary: weirdString },
  { weight: 1, arbitrary: hugeString },
);

/** JSON nested `depth` levels deep (arrays and objects). */
export const deepJson = fc.integer({ min: 50, max: 3_000 }).chain((depth) =>
  fc.boolean().map((arrays) => {
    let v: unknown = "bottom";
    for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
    return v;
  }),
);

/** Any JSON-ish value, including the ones JSON.stringify mangles. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: anyString },
  { weight: 1, arbitrary: fc.array(fc.integer(), { minLength: 1_000, maxLength: 20_000 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, undefined, 0, -0, Number.NaN, Number.POSITIVE_INFINITY, true, []),
  },
);

export const TOPICS = Object.values(DEFAULT_TOPICS);
export const topic = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TOPICS) },
  { weight: 1, arbitrary: anyString },
);

const iso = fc
  .integer({ min: Date.parse("2025-01-01T00:00:00Z"), max: Date.parse("2026-01-01T00:00:00Z") })
  .map((t) => new Date(t).toISOString());

/** A valid message of each CONTRACT topic; `n` keeps names and ids unique in a batch. */
export function validMessage(n: number, label = "plain") {
  return fc.record({ kind: fc.constantFrom(0, 1, 2, 3, 4), at: iso }).map(({ kind, at }) => {
    const name = `svc-${n}`;
    switch (kind) {
      case 0:
        return {
          topic: DEFAULT_TOPICS.resources,
          key: `pod:fuzz:${name}`,
          value: { op: "UPSERT", at, kind: "Pod", namespace: "fuzz", name, labels: { app: label } },
        };
      case 1:
        return {
          topic: DEFAULT_TOPICS.topology,
          key: `edge-${n}`,
          value: {
            op: "UPSERT",
            at,
            id: `edge-${n}`,
            from: `pod:fuzz:${name}`,
            to: `node:n-${n}`,
            type: "RUNS_ON",
          },
        };
      case 2:
        return {
          topic: DEFAULT_TOPICS.events,
          key: `fuzz-ev-${n}`,
          value: {
            event_id: `fuzz-ev-${n}`,
            event_time: at,
            etype: "k8s.event",
            severity: "ERROR",
            reason: "BackOff",
            message: label,
            subject: { kind: "Pod", ns: "fuzz", name },
          },
        };
      case 3:
        return {
          topic: DEFAULT_TOPICS.logs,
          key: null,
          value: {
            event_id: `fuzz-log-${n}`,
            event_time: at,
            severity: "ERROR",
            message: label,
            pod_namespace: "fuzz",
            pod_name: name,
          },
        };
      default:
        return {
          topic: DEFAULT_TOPICS.alerts,
          key: `fuzz-alert-${n}`,
          value: {
            event_id: `fuzz-alert-${n}`,
            event_time: at,
            etype: "prom.alert",
            reason: "HighErrorRate",
            status: "firing",
            labels: { alertname: "HighErrorRate", namespace: "fuzz", pod: name, note: label },
          },
        };
    }
  });
}

/** A message with one field replaced by garbage, or removed, or the whole value replaced. */
export const brokenMessage = fc
  .record({
    base: validMessage(0),
    how: fc.constantFrom("replace-field", "remove-field", "replace-value", "add-junk", "replace-topic"),
    field: fc.constantFrom(
      "kind",
      "name",
      "namespace",
      "at",
      "op",
      "from",
      "to",
      "type",
      "event_id",
      "event_time",
      "etype",
      "severity",
      "reason",
      "message",
      "subject",
      "labels",
      "cluster",
      "count",
      "status",
      "involvedObject",
      "pod_name",
    ),
    junk: anyValue,
    topic,
  })
  .map(({ base, how, field, junk, topic: t }) => {
    const value = { ...(base.value as Record<string, unknown>) };
    switch (how) {
      case "replace-field":
        value[field] = junk;
        return { topic: base.topic, key: base.key, value };
      case "remove-field":
        delete value[field];
        return { topic: base.topic, key: base.key, value };
      case "replace-value":
        return { topic: base.topic, key: base.key, value: junk };
      case "add-junk":
        value[`x-${field}`] = junk;
        return { topic: base.topic, key: base.key, value };
      default:
        return { topic: typeof t === "string" ? t : String(t), key: base.key, value };
    }
  });

/** Anything at all in the shape of a wire message (or not even that). */
export const anyMessage = fc.oneof(
  { weight: 3, arbitrary: brokenMessage },
  { weight: 1, arbitrary: fc.record({ topic, key: fc.option(anyString), value: anyValue }) },
);
