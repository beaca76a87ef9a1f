/**
 * Writes the RCA-quality corpus: `scenarios/*.json` (main) and `tests/scenarios-holdout/*.json`
 * (held out), then validates both. Deterministic: same code, same bytes.
 *
 *   npx tsx scenarios/src/generate.ts            # write and validate
 *   npx tsx scenarios/src/generate.ts --check    # validate only
 */
import { mkdirSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MAIN_FAMILIES } from "./families/index.js";
import { HOLDOUT_SCENARIOS } from "./holdout/index.js";
import { HOLDOUT, MAIN } from "./lib/names.js";
import type { NoiseLevel } from "./lib/noise.js";
import { Rng } from "./lib/rng.js";
import { runScenario, serialize } from "./lib/scenario.js";
import { validateDir } from "./validate.js";

const SEED = "kg-rca-corpus-v1";
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const mainDir = join(repo, "scenarios");
const holdoutDir = join(repo, "tests", "scenarios-holdout");

/**
 * Writes a generated file, first removing a stale one at the same position (same family and
 * number, an older slug). Files this generator does not write (other generators' scenarios under
 * `scenarios/src/probes/`, higher numbers) are left alone.
 */
function writeScenario(dir: string, prefix: string, name: string, text: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir))
    if (f.startsWith(prefix) && f.endsWith(".json") && f !== `${name}.json`) unlinkSync(join(dir, f));
  writeFileSync(join(dir, `${name}.json`), text);
}

function generate(): void {
  const pick = new Rng(`${SEED}/noise-levels`);
  for (const fam of MAIN_FAMILIES) {
    fam.variants.forEach((v, i) => {
      const prefix = `${fam.fault}-${String(i + 1).padStart(2, "0")}-`;
      const name = `${prefix}${v.slug}`;
      const noise: NoiseLevel = pick.weighted([
        ["light", 2],
        ["normal", 5],
        ["heavy", 1],
      ] as const);
      const s = runScenario(name, fam.fault, v, { profile: MAIN, noise, seed: SEED });
      writeScenario(mainDir, prefix, name, serialize(s));
    });
  }
  HOLDOUT_SCENARIOS.forEach((h, i) => {
    const prefix = `ho${String(i + 1).padStart(2, "0")}-`;
    const name = `${prefix}${h.fault}-${h.variant.slug}`;
    const s = runScenario(name, h.fault, h.variant, {
      profile: HOLDOUT,
      noise: "heavy",
      seed: `${SEED}/holdout`,
    });
    writeScenario(holdoutDir, prefix, name, serialize(s));
  });
}

function check(): boolean {
  let ok = true;
  for (const [label, dir] of [
    ["main", mainDir],
    ["holdout", holdoutDir],
  ] as const) {
    const { files, problems, faults } = validateDir(dir);
    const counts = [...faults.entries()]
      .sort()
      .map(([f, n]) => `${f}=${n}`)
      .join(" ");
    console.log(`${label}: ${files} files, ${faults.size} fault families: ${counts}`);
    for (const p of problems) console.log(`  PROBLEM ${p.file}: ${p.message}`);
    if (problems.length > 0) ok = false;
  }
  return ok;
}

if (!process.argv.includes("--check")) generate();
if (!check()) process.exitCode = 1;
