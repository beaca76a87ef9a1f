/**
 * A fast path for the loose message schemas of `normalize.ts`: a message whose fields already
 * have the types their schema turns them into (strings, finite numbers, plain objects) is copied
 * as zod would copy it, without zod's per-field work (~3.5 µs and ~5 KB of garbage per message,
 * about half of normalisation). Anything else — a number where text goes, a `null` a field does not
 * take, an array for an object, an own `__proto__` key — returns `undefined`, and the caller
 * parses with the zod schema, which gives the value or the error text as before.
 *
 * The copy is zod 4's: the shape's keys first (in the shape's order; a key absent from the input
 * stays absent, present-but-undefined stays present), then the other keys as the input has them.
 * Key order matters: a Kubernetes event's involved object is hashed into its id when it has no uid.
 * `tests/rca/loose-parse.test.ts` holds both paths to the same output on generated messages.
 */

/** Which zod type a field has, by what the fast path accepts for it. */
export type LooseField =
  /** `union([string, number]).transform(String).optional().nullable()` */
  | "text"
  /** `union([string, number]).optional().nullable()` */
  | "textOrNumber"
  /** `unknown().optional()` */
  | "unknown"
  /** `coerce.number().optional().nullable()` */
  | "count"
  /** `coerce.number().optional()` (a `null` becomes 0 there: left to zod) */
  | "countNotNull"
  /** `record(string, unknown).optional().nullable()` */
  | "record"
  /** `record(string, unknown).optional().nullable().transform(labels)` */
  | "labels"
  | LooseObject;

/** `looseObject(shape)`, required, or `.optional().nullable()`. */
export interface LooseObject {
  readonly shape: LooseShape;
  readonly optional: boolean;
}

export type LooseShape = Readonly<Record<string, LooseField>>;

/** Why the fast path gave up: nothing (the caller parses with zod). */
const NO = undefined;

/** A plain object zod's record and object types take (not an array, a Date, a class instance). */
function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  // An own `__proto__` (JSON.parse makes one) is dropped by zod's record: left to it.
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(v, "__proto__");
}

/**
 * `value` parsed by the loose object `shape` describes, or `undefined` when it is not in the
 * form the fast path copies (then zod decides). `labels` is the labels schema's transform.
 */
export function parseLoose(
  shape: LooseShape,
  value: unknown,
  labels: (v: Record<string, unknown> | null | undefined) => Record<string, string>,
): Record<string, unknown> | undefined {
  if (!isPlain(value)) return NO;
  const out: Record<string, unknown> = {};
  for (const key in shape) {
    const kind = shape[key]!;
    const present = Object.hasOwn(value, key);
    const v = present ? value[key] : undefined;
    if (v === undefined) {
      if (kind === "labels") out[key] = labels(v);
      else if (typeof kind === "object" && !kind.optional) return NO;
      else if (present) out[key] = undefined;
      continue;
    }
    if (v === null) {
      if (kind === "countNotNull" || (typeof kind === "object" && !kind.optional)) return NO;
      out[key] = kind === "labels" ? labels(null) : null;
      continue;
    }
    switch (kind) {
      case "text":
        if (typeof v === "string") out[key] = v;
        else if (typeof v === "number" && Number.isFinite(v)) out[key] = String(v);
        else return NO;
        break;
      case "textOrNumber":
        if (typeof v !== "string" && !(typeof v === "number" && Number.isFinite(v))) return NO;
        out[key] = v;
        break;
      case "unknown":
        out[key] = v;
        break;
      case "count":
      case "countNotNull":
        if (typeof v !== "number" || !Number.isFinite(v)) return NO;
        out[key] = v;
        break;
      case "record":
      case "labels": {
        if (!isPlain(v)) return NO;
        const copy: Record<string, unknown> = {};
        for (const k of Object.keys(v)) copy[k] = v[k];
        out[key] = kind === "labels" ? labels(copy) : copy;
        break;
      }
      default: {
        const inner = parseLoose(kind.shape, v, labels);
        if (inner === undefined) return NO;
        out[key] = inner;
      }
    }
  }
  for (const key of Object.keys(value)) if (!Object.hasOwn(shape, key)) out[key] = value[key];
  return out;
}
