import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { z } from "zod";
import type { WireMessage } from "../../rca/normalize.js";

/** A scenario file (scenarios/FORMAT.md). */
const scenarioSchema = z.looseObject({
  name: z.string().min(1),
  fault: z.string().optional(),
  description: z.string().optional(),
  messages: z.array(
    z.looseObject({ topic: z.string(), key: z.string().nullable().optional(), value: z.unknown() }),
  ),
  symptom: z.object({ event_id: z.string().min(1) }),
  truth: z
    .object({
      root_causes: z.array(
        z.object({
          kind: z.string(),
          namespace: z.string().optional(),
          name: z.string(),
          reason: z.string().optional(),
        }),
      ),
      blast_radius: z
        .array(z.object({ kind: z.string(), namespace: z.string().optional(), name: z.string() }))
        .optional(),
    })
    .optional(),
});

export type Scenario = z.infer<typeof scenarioSchema> & { readonly file: string };

export class ReplayFileError extends Error {
  override readonly name = "ReplayFileError";
}

/** Lists `*.json` and `*.ndjson` files: files as given, directories one level deep, sorted. */
export function listReplayFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      throw new ReplayFileError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      for (const f of readdirSync(p).sort()) {
        if ([".json", ".ndjson", ".jsonl"].includes(extname(f))) out.push(join(p, f));
      }
    } else out.push(p);
  }
  return out;
}

export function readScenario(file: string): Scenario {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ReplayFileError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ReplayFileError(`${file}: ${i.path.join(".")}: ${i.message}`);
  }
  return { ...parsed.data, messages: stampReplayTimes(parsed.data.messages), file };
}

/**
 * Messages of a replay file: a scenario's `messages`, or NDJSON of `{topic,key,value}` per line.
 * A malformed NDJSON line is returned as a message with an unknown topic so that it ends in the
 * dead-letter queue with its reason like any bad message, and the rest still flows.
 */
export function readReplayMessages(file: string): WireMessage[] {
  const text = readFileSync(file, "utf8");
  if (extname(file) === ".json") {
    const trimmed = text.trimStart();
    if (trimmed.startsWith("{")) return readScenario(file).messages as WireMessage[];
  }
  const out: WireMessage[] = [];
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as { topic?: unknown; key?: unknown; value?: unknown };
      if (v === null || typeof v !== "object" || typeof v.topic !== "string")
        throw new Error("needs a topic");
      out.push({ topic: v.topic, key: typeof v.key === "string" ? v.key : null, value: v.value ?? null });
    } catch (err) {
      out.push({
        topic: `invalid-line:${file}:${i + 1}`,
        key: null,
        value: { error: (err as Error).message, line: line.slice(0, 1000) },
      });
    }
  }
  return stampReplayTimes(out);
}

/**
 * Gives each message without one the timestamp Kafka would have given it: the latest time any
 * message so far in the file carries (the earliest in the file before that). A tombstone, or a
 * record whose producer left its time out, is then placed where it was recorded, not at "now".
 */
export function stampReplayTimes<M extends { readonly value: unknown; readonly timestampMs?: number }>(
  messages: readonly M[],
): M[] {
  const own = messages.map((m) => latestTime([m as unknown as WireMessage]));
  let mark = own.find((t) => t !== undefined);
  return messages.map((m, i) => {
    const t = own[i];
    if (t !== undefined && (mark === undefined || t > mark)) mark = t;
    return m.timestampMs !== undefined || mark === undefined ? m : { ...m, timestampMs: mark };
  });
}

const TIME_FIELDS = new Set([
  "at",
  "event_time",
  "timestamp",
  "firstTimestamp",
  "lastTimestamp",
  "eventTime",
  "startsAt",
  "endsAt",
  "lastObservedTime",
  "@timestamp",
  "time",
  "creationTimestamp",
  "deprecatedLastTimestamp",
]);

/** Shifts every timestamp in the messages by `deltaMs` (the demo replays a past incident as recent). */
export function shiftTimes(messages: readonly WireMessage[], deltaMs: number): WireMessage[] {
  const shift = (v: unknown, key?: string): unknown => {
    if (key && TIME_FIELDS.has(key) && typeof v === "string") {
      const t = Date.parse(v);
      return Number.isFinite(t) ? new Date(t + deltaMs).toISOString() : v;
    }
    if (Array.isArray(v)) return v.map((x) => shift(x));
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shift(x, k)]));
    return v;
  };
  return messages.map((m) => ({ ...m, value: shift(m.value) }));
}

/** The latest timestamp in the messages (ms), or undefined. */
export function latestTime(messages: readonly WireMessage[]): number | undefined {
  let max: number | undefined;
  const walk = (v: unknown, key?: string) => {
    if (key && TIME_FIELDS.has(key) && typeof v === "string") {
      const t = Date.parse(v);
      if (Number.isFinite(t) && (max === undefined || t > max)) max = t;
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x);
    }
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  for (const m of messages) walk(m.value);
  return max;
}
