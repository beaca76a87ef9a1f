import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import defaultRulesJson from "./rules/default-rules.json" with { type: "json" };
import type { Severity } from "./model.js";
import { SEVERITIES } from "./model.js";

/**
 * Domain rules are data: each names what a cause and an effect look like and how strongly the
 * first explains the second. The shipped file is `rca/rules/default-rules.json`; `KG_RULES_FILE`
 * (JSON or YAML) adds rules and overrides shipped ones with the same name.
 */

const list = z.union([z.string(), z.array(z.string()).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

const matcherSchema = z.strictObject({
  reason: list.optional(),
  message: z.string().optional(),
  /** A pattern the message must not match (e.g. BackOff pulling an image is not a crash loop). */
  not_message: z.string().optional(),
  severity: z.array(z.enum(SEVERITIES as [Severity, ...Severity[]])).optional(),
  min_severity: z.enum(SEVERITIES as [Severity, ...Severity[]]).optional(),
  kind: list.optional(),
  etype: list.optional(),
  name: z.string().optional(),
});

const ruleSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and -"),
  description: z.string().optional(),
  family: z.string().optional(),
  cause: matcherSchema,
  effect: matcherSchema,
  score: z.number().min(0).max(1),
  same_resource: z.boolean().optional(),
  max_hops: z.number().int().min(0).max(10).optional(),
  /** A generic rule that only applies when no specific rule matches the pair. */
  fallback: z.boolean().optional(),
  /**
   * Trouble this rule describes travels between pods through the node they share (a node agent
   * such as the CNI or node-local DNS, a pod hogging the node's memory, a DaemonSet taking every
   * node's pod slots or host ports): a path through the Node is not discounted as a hub.
   */
  through_node: z.boolean().optional(),
  disabled: z.boolean().optional(),
});

const rulesFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  default_score: z.number().min(0).max(1).optional(),
  /** Named reason lists; a matcher's `reason` may name one as `@group`. */
  groups: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), z.array(z.string()).min(1)).optional(),
  rules: z.array(ruleSchema),
});

export type RuleSpec = z.infer<typeof ruleSchema>;

/** What a matcher looks at: an event and the resource it happened on. */
export interface MatchTarget {
  readonly reason: string;
  readonly message: string;
  readonly level: Severity;
  readonly etype: string;
  readonly kind?: string;
  readonly name?: string;
}

export interface CompiledMatcher {
  readonly reasons?: ReadonlySet<string>;
  readonly message?: RegExp;
  readonly notMessage?: RegExp;
  readonly severities?: ReadonlySet<Severity>;
  readonly minLevel?: number;
  readonly kinds?: ReadonlySet<string>;
  readonly etypes?: ReadonlySet<string>;
  readonly name?: RegExp;
}

export interface Rule {
  readonly name: string;
  readonly description?: string;
  readonly family?: string;
  readonly cause: CompiledMatcher;
  readonly effect: CompiledMatcher;
  readonly score: number;
  /** true: only on the same resource; false: only across resources; undefined: either. */
  readonly sameResource?: boolean;
  readonly maxHops?: number;
  readonly fallback?: boolean;
  readonly throughNode?: boolean;
}

export interface RuleSet {
  readonly rules: readonly Rule[];
  readonly defaultScore: number;
}

export class RulesError extends Error {
  override readonly name = "RulesError";
}

function expandReasons(
  where: string,
  reasons: readonly string[],
  groups: Record<string, string[]>,
): string[] {
  const out: string[] = [];
  for (const r of reasons) {
    if (!r.startsWith("@")) {
      out.push(r);
      continue;
    }
    const g = groups[r.slice(1)];
    if (!g) throw new RulesError(`${where}.reason: unknown group "${r}"`);
    out.push(...g);
  }
  return out;
}

function compileMatcher(
  where: string,
  m: z.infer<typeof matcherSchema>,
  groups: Record<string, string[]> = {},
): CompiledMatcher {
  const regex = (field: string, src: string | undefined) => {
    if (src === undefined) return undefined;
    try {
      return new RegExp(src, "i");
    } catch (err) {
      throw new RulesError(`${where}.${field}: invalid regular expression: ${(err as Error).message}`);
    }
  };
  // Every key set (undefined when the rule leaves it out), in one order: matchers of one shape keep
  // the rule checks monomorphic (conditional spreads made a shape per combination of fields, and
  // the checks megamorphic).
  return {
    reasons: m.reason
      ? new Set(expandReasons(where, m.reason, groups).map((r) => r.toLowerCase()))
      : undefined,
    message: regex("message", m.message),
    notMessage: regex("not_message", m.not_message),
    severities: m.severity ? new Set(m.severity) : undefined,
    minLevel: m.min_severity ? SEVERITIES.indexOf(m.min_severity) : undefined,
    kinds: m.kind ? new Set(m.kind.map((k) => k.toLowerCase())) : undefined,
    etypes: m.etype ? new Set(m.etype.map((e) => e.toLowerCase())) : undefined,
    name: regex("name", m.name),
  };
}

export function matches(m: CompiledMatcher, t: MatchTarget): boolean {
  if (m.reasons && !m.reasons.has(t.reason.toLowerCase())) return false;
  return matchesBeyondReason(m, t, SEVERITIES.indexOf(t.level), t.kind?.toLowerCase());
}

/** `matches` but for the reason, with the target's level index and lower-case kind given. */
function matchesBeyondReason(
  m: CompiledMatcher,
  t: MatchTarget,
  level: number,
  kind: string | undefined,
): boolean {
  if (m.severities && !m.severities.has(t.level)) return false;
  if (m.minLevel !== undefined && level < m.minLevel) return false;
  if (m.kinds && !(t.kind && m.kinds.has(kind!))) return false;
  if (m.etypes && !m.etypes.has(t.etype)) return false;
  if (m.name && !(t.name && m.name.test(t.name))) return false;
  if (m.message && !m.message.test(t.message) && !m.message.test(t.reason)) return false;
  if (m.notMessage?.test(t.message)) return false;
  return true;
}

function compile(
  source: string,
  data: unknown,
  inherited: Record<string, string[]> = {},
): { rules: Rule[]; defaultScore?: number; groups: Record<string, string[]> } {
  const parsed = rulesFileSchema.safeParse(data);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new RulesError(`${source}: ${i.path.join(".")}: ${i.message}`);
  }
  // A user file sees the shipped groups and may redefine them for its own rules.
  const groups = { ...inherited, ...(parsed.data.groups ?? {}) };
  for (const [g, members] of Object.entries(groups))
    if (members.some((m) => m.startsWith("@")))
      throw new RulesError(`${source}: groups.${g}: groups cannot nest`);
  const seen = new Set<string>();
  const rules: Rule[] = [];
  for (const [idx, r] of parsed.data.rules.entries()) {
    if (seen.has(r.name)) throw new RulesError(`${source}: rules.${idx}: duplicate rule name "${r.name}"`);
    seen.add(r.name);
    if (r.disabled) continue;
    rules.push({
      name: r.name,
      ...(r.description ? { description: r.description } : {}),
      ...(r.family ? { family: r.family } : {}),
      cause: compileMatcher(`${source}: rules.${idx}.cause`, r.cause, groups),
      effect: compileMatcher(`${source}: rules.${idx}.effect`, r.effect, groups),
      score: r.score,
      ...(r.same_resource !== undefined ? { sameResource: r.same_resource } : {}),
      ...(r.max_hops !== undefined ? { maxHops: r.max_hops } : {}),
      ...(r.fallback ? { fallback: true } : {}),
      ...(r.through_node ? { throughNode: true } : {}),
    });
  }
  return {
    rules,
    groups,
    ...(parsed.data.default_score !== undefined ? { defaultScore: parsed.data.default_score } : {}),
  };
}

/** The shipped rules, plus the user's file when given (its rules override shipped ones by name). */
export function loadRules(userFile?: string): RuleSet {
  const base = compile("default-rules.json", defaultRulesJson);
  let rules = base.rules;
  let defaultScore = base.defaultScore ?? 0.4;
  if (userFile) {
    let text: string;
    try {
      text = readFileSync(userFile, "utf8");
    } catch (err) {
      throw new RulesError(
        `KG_RULES_FILE: cannot read ${userFile}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
    let data: unknown;
    try {
      data = parseYaml(text);
    } catch (err) {
      throw new RulesError(`KG_RULES_FILE: ${userFile} is not valid JSON or YAML: ${(err as Error).message}`);
    }
    const user = compile(userFile, data, base.groups);
    const names = new Set(user.rules.map((r) => r.name));
    rules = [...user.rules, ...rules.filter((r) => !names.has(r.name))];
    if (user.defaultScore !== undefined) defaultScore = user.defaultScore;
  }
  return { rules, defaultScore };
}

/**
 * The best rule for a (cause, effect) pair at the given distance, or the default. Specific rules
 * win over fallback rules whatever their scores, so a low-scoring specific rule (noise) is not
 * overruled by a generic one (error -> error); among rules of one kind the highest score wins.
 */
export function domainScore(
  set: RuleSet,
  cause: MatchTarget,
  effect: MatchTarget,
  hops: number,
): { score: number; rule: string } {
  return bestRule(set, ruleVectors(set, cause).cause, ruleVectors(set, effect).effectRules, hops);
}

/**
 * Which rules a target satisfies: as a cause (one flag per rule) and as an effect (the indexes of
 * the rules, ascending). A pure function of the fields `matches` reads, so it is memoised on them:
 * scoring compares each event with many others, and the regexes are the cost.
 */
export interface RuleVectors {
  readonly cause: Uint8Array;
  readonly effectRules: Int32Array;
}

/**
 * Entries kept per rule set. Targets share their vectors with many others (the bench's stream:
 * 12 distinct vectors for 13,500 distinct targets), so each distinct vector is kept once
 * (`vectorIntern`) and an entry costs its key and a map slot, ~250 bytes (the key holds the
 * message). 40k held 10 MB of live heap; 10k scored as fast in the bench (see `LINK_MEMO_MAX` in the SQLite store).
 */
const VECTOR_MEMO_MAX = 10_000;
const vectorMemo = new WeakMap<RuleSet, Map<string, RuleVectors>>();
/** Distinct vectors by a hash of their contents (a bucket holds those whose hashes collide). */
const vectorIntern = new WeakMap<RuleSet, Map<number, RuleVectors[]>>();

export function ruleVectors(set: RuleSet, t: MatchTarget): RuleVectors {
  let memo = vectorMemo.get(set);
  if (!memo) {
    memo = new Map();
    vectorMemo.set(set, memo);
  }
  // Every field `matches` looks at, and nothing else.
  const key = `${t.reason}\u0000${t.level}\u0000${t.kind ?? "\u0001"}\u0000${t.etype}\u0000${t.name ?? "\u0001"}\u0000${t.message}`;
  let v = memo.get(key);
  if (v) return v;
  const index = matcherIndex(set);
  const n = set.rules.length;
  // Matched into scratch arrays, copied only for a vector not seen before (the bench's stream
  // has 12 for 24k targets computed): two typed arrays per target were ~1 % of its pipeline.
  if (causeFlags.length < n) {
    causeFlags = new Uint8Array(n);
    effectFlags = new Uint8Array(n);
    effectIndexes = new Int32Array(n);
  }
  causeFlags.fill(0, 0, n);
  markMatching(set, index.cause, true, t, causeFlags);
  effectFlags.fill(0, 0, n);
  const m = markMatching(set, index.effect, false, t, effectFlags);
  for (let k = 0, i = 0; k < n; k++) if (effectFlags[k]) effectIndexes[i++] = k;
  let shared = vectorIntern.get(set);
  if (!shared) {
    shared = new Map();
    vectorIntern.set(set, shared);
  }
  // By a hash, not a text of the flags: a text per target was ~90 MB of a 50k-event bench run.
  const h = vectorsHash(causeFlags, n, effectIndexes, m);
  const bucket = shared.get(h);
  v = bucket?.find((o) => sameItems(o.cause, causeFlags, n) && sameItems(o.effectRules, effectIndexes, m));
  if (!v) {
    v = { cause: causeFlags.slice(0, n), effectRules: effectIndexes.slice(0, m) };
    if (shared.size >= VECTOR_MEMO_MAX) shared.clear();
    const list = shared.get(h);
    if (list) list.push(v);
    else shared.set(h, [v]);
  }
  if (memo.size >= VECTOR_MEMO_MAX) memo.clear();
  memo.set(key, v);
  return v;
}

/** FNV-1a over the first `n` cause flags, then the first `m` effect rules' indexes. */
function vectorsHash(cause: Uint8Array, n: number, effectRules: Int32Array, m: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ cause[i]!, 0x01000193);
  h = Math.imul(h ^ 0xff, 0x01000193);
  for (let i = 0; i < m; i++) h = Math.imul(h ^ effectRules[i]!, 0x01000193);
  return h >>> 0;
}

/** Whether `a` holds the first `n` items of `b`, and nothing else. */
function sameItems(a: ArrayLike<number>, b: ArrayLike<number>, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A target's cause flags, effect flags and effect rules' indexes while its vectors are computed. */
let causeFlags = new Uint8Array(0);
let effectFlags = new Uint8Array(0);
let effectIndexes = new Int32Array(0);

/**
 * Sets `flags[k]` for each rule k whose cause (or effect) matcher `t` satisfies; returns how
 * many. Only the matchers the target's reason can satisfy are looked at: most require one of a
 * few reasons.
 */
function markMatching(
  set: RuleSet,
  side: MatcherSide,
  cause: boolean,
  t: MatchTarget,
  flags: Uint8Array,
): number {
  const level = SEVERITIES.indexOf(t.level);
  const kind = t.kind?.toLowerCase();
  let n = 0;
  const check = (ks: readonly number[]) => {
    for (let i = 0; i < ks.length; i++) {
      const r = set.rules[ks[i]!]!;
      if (matchesBeyondReason(cause ? r.cause : r.effect, t, level, kind)) {
        flags[ks[i]!] = 1;
        n++;
      }
    }
  };
  check(side.anyReason);
  const some = side.byReason.get(t.reason.toLowerCase());
  if (some) check(some);
  return n;
}

/** A rule set's cause or effect matchers (by rule index): by each reason they require, and those requiring none. */
interface MatcherSide {
  readonly byReason: ReadonlyMap<string, readonly number[]>;
  readonly anyReason: readonly number[];
}

const indexMemo = new WeakMap<RuleSet, { cause: MatcherSide; effect: MatcherSide }>();

function matcherIndex(set: RuleSet): { cause: MatcherSide; effect: MatcherSide } {
  let index = indexMemo.get(set);
  if (index) return index;
  const side = (pick: (r: Rule) => CompiledMatcher): MatcherSide => {
    const byReason = new Map<string, number[]>();
    const anyReason: number[] = [];
    set.rules.forEach((r, k) => {
      const reasons = pick(r).reasons;
      if (!reasons) anyReason.push(k);
      else
        for (const reason of reasons) {
          const l = byReason.get(reason);
          if (l) l.push(k);
          else byReason.set(reason, [k]);
        }
    });
    return { byReason, anyReason };
  };
  index = { cause: side((r) => r.cause), effect: side((r) => r.effect) };
  indexMemo.set(set, index);
  return index;
}

/** `domainScore` from the targets' rule vectors (`ruleVectors`). */
export const domainScoreOf = (set: RuleSet, cause: RuleVectors, effect: RuleVectors, hops: number) =>
  bestRule(set, cause.cause, effect.effectRules, hops);

/**
 * The best rule among those whose cause side `cause` flags and whose effect side `effectRules`
 * lists (see `domainScore` for the order of preference), at `hops`.
 */
function bestRule(
  set: RuleSet,
  cause: Uint8Array,
  effectRules: ArrayLike<number>,
  hops: number,
): { score: number; rule: string } {
  let best: Rule | undefined;
  for (let i = 0; i < effectRules.length; i++) {
    const k = effectRules[i]!;
    if (!cause[k]) continue;
    const r = set.rules[k]!;
    if (best) {
      if (r.fallback && !best.fallback) continue;
      if (!!r.fallback === !!best.fallback && r.score <= best.score) continue;
    }
    if (r.sameResource === true && hops !== 0) continue;
    if (r.sameResource === false && hops === 0) continue;
    if (r.maxHops !== undefined && hops > r.maxHops) continue;
    best = r;
  }
  return best ? { score: best.score, rule: best.name } : { score: set.defaultScore, rule: "default" };
}

/**
 * The predecessor's domain pairs exactly as DESIGN.md lists them, for `kgrca eval --baseline seed`:
 * measuring the improvement needs the old rules, not the new ones.
 */
const SEED_RULES = {
  version: 1,
  default_score: 0.4,
  rules: [
    {
      name: "oom-to-crashloop",
      cause: { reason: ["OOMKilled"] },
      effect: { reason: ["CrashLoopBackOff"] },
      score: 0.95,
    },
    {
      name: "imagepull-to-failedscheduling",
      cause: { message: "imagepull|errimagepull" },
      effect: { reason: ["FailedScheduling"] },
      score: 0.9,
    },
    {
      name: "node-notready-to-evicted",
      cause: { reason: ["NodeNotReady"] },
      effect: { reason: ["Evicted"] },
      score: 0.9,
    },
    {
      name: "connection-failure-to-error",
      cause: { message: "connection refused|timeout" },
      effect: { severity: ["ERROR"] },
      score: 0.7,
    },
    {
      name: "database-to-service",
      cause: { message: "database|deadlock" },
      effect: { message: "api|service" },
      score: 0.65,
    },
    { name: "error-to-error", cause: { severity: ["ERROR"] }, effect: { severity: ["ERROR"] }, score: 0.5 },
  ],
};

let seed: RuleSet | undefined;
/** The seed's rules (see `SEED_RULES`). */
export const seedRules = (): RuleSet => {
  seed ??= { rules: compile("seed-rules", SEED_RULES).rules, defaultScore: 0.4 };
  return seed;
};

let shipped: RuleSet | undefined;
export const defaultRules = (): RuleSet => {
  shipped ??= loadRules();
  return shipped;
};

/**
 * Which rules' cause and effect matchers each of a list of targets satisfies, computed once so
 * that scoring every pair of n targets costs n² cheap lookups instead of n² regex runs.
 */
export interface MatchTable {
  readonly vectors: readonly RuleVectors[];
}

/** The rule vectors of the targets (`ruleVectors`, memoised by content). */
export function matchTable(set: RuleSet, targets: readonly MatchTarget[]): MatchTable {
  return { vectors: targets.map((t) => ruleVectors(set, t)) };
}

/** `domainScore` for targets `i` (cause) and `j` (effect) of a match table. */
export function domainScoreAt(
  set: RuleSet,
  table: MatchTable,
  i: number,
  j: number,
  hops: number,
): { score: number; rule: string } {
  return domainScoreOf(set, table.vectors[i]!, table.vectors[j]!, hops);
}
