import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { V8_FLAGS, v8FlagsToSet } from "../../cli/v8-tuning.js";
import { ROOT } from "./cli-process.js";

/**
 * Young-generation collections while 3M objects from one allocation site are kept: with
 * pretenuring, V8 soon allocates the site's objects in the old generation and the young one
 * fills slowly; without it, every object is allocated young (and copied out), so there are
 * more collections. `tune` runs `tuneV8()` first, as `kgrca` does at start.
 */
function minorCollections(tune: boolean, nodeFlags: readonly string[] = []): number {
  const script = `
    import { PerformanceObserver, constants } from "node:perf_hooks";
    const { tuneV8 } = await import(${JSON.stringify(join(ROOT, "cli", "v8-tuning.ts"))});
    if (${tune}) tuneV8();
    let minor = 0;
    const obs = new PerformanceObserver((l) => {
      for (const e of l.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
    });
    obs.observe({ entryTypes: ["gc"] });
    // Kept alive by the module's scope. Nothing reads it later: a closure over it made V8 compile
    // the loop differently and hid the difference.
    const keep = [];
    const make = (i) => ({ a: i, b: i + 1, c: "x" });
    for (let i = 0; i < 3_000_000; i++) keep.push(make(i));
    setTimeout(() => console.log(minor), 50);
  `;
  const r = spawnSync(
    process.execPath,
    [...nodeFlags, "--import", "tsx", "--input-type=module", "-e", script],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim().split(" ")[0]);
}

describe("V8 tuning (cli/v8-tuning)", () => {
  it("turns allocation-site pretenuring off unless node was told either way", () => {
    expect(V8_FLAGS).toContain("--no-allocation-site-pretenuring");
    expect(v8FlagsToSet([])).toEqual(["--no-allocation-site-pretenuring"]);
    expect(v8FlagsToSet(["--max-old-space-size=192", "--expose-gc"])).toEqual([
      "--no-allocation-site-pretenuring",
    ]);
    expect(v8FlagsToSet(["--allocation-site-pretenuring"])).toEqual([]);
    expect(v8FlagsToSet(["--allocation_site_pretenuring"])).toEqual([]);
    expect(v8FlagsToSet(["--no-allocation-site-pretenuring"])).toEqual([]);
  });

  it("takes effect in a running process: objects of a busy site stay young", () => {
    const untuned = minorCollections(false);
    const tuned = minorCollections(true);
    const overridden = minorCollections(true, ["--allocation-site-pretenuring"]);
    expect(tuned).toBeGreaterThan(untuned * 1.3);
    expect(overridden).toBeLessThan(tuned / 1.3);
  });
});
