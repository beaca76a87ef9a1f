import { setFlagsFromString } from "node:v8";

/**
 * V8 flags every `kgrca` process sets for itself, before it does any work.
 *
 * `--no-allocation-site-pretenuring`: V8 watches each allocation site (an object or array
 * literal, a `new Map()`) and, once most of its objects survived a young-generation collection,
 * allocates that site's objects in the old generation from then on. Here that decision misfires:
 * scoring and RCA build their candidates, scores and signal groups at the same sites whether a
 * batch is long (a scoring job over thousands of candidates, whose objects do survive a
 * collection) or a query is short (a 3 ms RCA query, whose objects die with it). Once tenured,
 * every query's temporaries went straight to the old generation (~175 KB per query), and a full
 * collection, whose marking lands in the queries running then, came every ~170 queries. Without
 * it, 1,000 queries on a 1M-event store made 10 full collections instead of 22-23, ran ~15 % faster,
 * and their p99 went from 12-16 to 6-8 ms (bench/README.md, session 11).
 *
 * A flag given to `node` itself wins: `node --allocation-site-pretenuring dist/cli/main.js ...`
 * keeps V8's default.
 */
export const V8_FLAGS = ["--no-allocation-site-pretenuring"] as const;

/** A V8 flag's name without its `--`/`--no-` and value, dashes for underscores. */
const flagName = (arg: string): string =>
  arg
    .replace(/^--(no-)?/, "")
    .replace(/_/g, "-")
    .split("=")[0]!;

/** The flags of `V8_FLAGS` that `execArgv` does not set either way. */
export function v8FlagsToSet(execArgv: readonly string[]): string[] {
  const given = new Set(execArgv.map(flagName));
  return V8_FLAGS.filter((f) => !given.has(flagName(f)));
}

/** Sets `V8_FLAGS` in this process (those not given to `node`); returns what it set. */
export function tuneV8(execArgv: readonly string[] = process.execArgv): string[] {
  const flags = v8FlagsToSet(execArgv);
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
