import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../../config/index.js";
import { listReplayFiles, readScenario, type Scenario } from "../../bridge/replay/index.js";
import { analyze } from "../../rca/analyze.js";
import { blastRadiusCovers, hitAt, type RankedForEval, rankingOf } from "../../rca/evaluate.js";
import { startPool, waitIdle } from "../pipeline.js";
import { configOrExit, ensureRedis, openRuntime } from "../runtime.js";

export interface ScenarioResult {
  name: string;
  fault?: string;
  symptom: string;
  causes: RankedForEval[];
  blast_radius: Array<{ kind: string; namespace: string; name: string }>;
  hit_at_1: boolean;
  hit_at_3: boolean;
  blast_radius_ok?: boolean;
  baseline?: { causes: RankedForEval[]; hit_at_1: boolean; hit_at_3: boolean };
  error?: string;
}

export interface EvalReport {
  scenarios: ScenarioResult[];
  ac_at_1: number;
  ac_at_3: number;
  /** Share of scenarios with a truth blast radius whose expected resources are all reported. */
  blast_radius_ok?: number;
  baseline?: { name: string; ac_at_1: number; ac_at_3: number };
  by_fault?: Record<
    string,
    { n: number; ac_at_1: number; ac_at_3: number; baseline_ac_at_1?: number; baseline_ac_at_3?: number }
  >;
}

/**
 * Replays each scenario into an empty store through the production path (messages -> ingest
 * queue -> worker pools -> graph), then asks the RCA for the symptom's causes.
 */
export async function evaluate(
  files: readonly string[],
  opts: {
    baseline?: "seed";
    overrides?: Record<string, string>;
    onProgress?: (done: number, total: number, name: string) => void;
    /** Scenarios replayed at once, each into its own store and queue prefix. */
    concurrency?: number;
  },
): Promise<EvalReport> {
  const scenarios: Scenario[] = listReplayFiles(files)
    .filter((f) => f.endsWith(".json"))
    .map(readScenario);
  const base = configOrExit(opts.overrides);
  const redis = await ensureRedis(base, { info: () => {} });
  const results: ScenarioResult[] = new Array(scenarios.length);
  try {
    let next = 0;
    let done = 0;
    const lanes = Math.max(1, Math.min(opts.concurrency ?? 2, scenarios.length));
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < scenarios.length) {
          const i = next++;
          const s = scenarios[i]!;
          opts.onProgress?.(done, scenarios.length, s.name);
          results[i] = await evaluateOne(s, base, redis.url, opts.baseline);
          done++;
        }
      }),
    );
    opts.onProgress?.(scenarios.length, scenarios.length, "");
  } finally {
    redis.stop();
  }
  const n = results.length || 1;
  const report: EvalReport = {
    scenarios: results,
    ac_at_1: round(results.filter((r) => r.hit_at_1).length / n),
    ac_at_3: round(results.filter((r) => r.hit_at_3).length / n),
  };
  const withBlast = results.filter((r) => r.blast_radius_ok !== undefined);
  if (withBlast.length)
    report.blast_radius_ok = round(withBlast.filter((r) => r.blast_radius_ok).length / withBlast.length);
  if (opts.baseline) {
    report.baseline = {
      name: opts.baseline,
      ac_at_1: round(results.filter((r) => r.baseline?.hit_at_1).length / n),
      ac_at_3: round(results.filter((r) => r.baseline?.hit_at_3).length / n),
    };
  }
  const byFault: NonNullable<EvalReport["by_fault"]> = {};
  for (const r of results) {
    const f = r.fault ?? "unknown";
    byFault[f] ??= {
      n: 0,
      ac_at_1: 0,
      ac_at_3: 0,
      ...(opts.baseline ? { baseline_ac_at_1: 0, baseline_ac_at_3: 0 } : {}),
    };
    const cur = byFault[f];
    cur.n++;
    cur.ac_at_1 += r.hit_at_1 ? 1 : 0;
    cur.ac_at_3 += r.hit_at_3 ? 1 : 0;
    if (opts.baseline) {
      cur.baseline_ac_at_1! += r.baseline?.hit_at_1 ? 1 : 0;
      cur.baseline_ac_at_3! += r.baseline?.hit_at_3 ? 1 : 0;
    }
  }
  for (const v of Object.values(byFault)) {
    v.ac_at_1 = round(v.ac_at_1 / v.n);
    v.ac_at_3 = round(v.ac_at_3 / v.n);
    if (v.baseline_ac_at_1 !== undefined) v.baseline_ac_at_1 = round(v.baseline_ac_at_1 / v.n);
    if (v.baseline_ac_at_3 !== undefined) v.baseline_ac_at_3 = round(v.baseline_ac_at_3 / v.n);
  }
  report.by_fault = byFault;
  return report;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

async function evaluateOne(
  s: Scenario,
  base: Config,
  redisUrl: string,
  baseline?: "seed",
): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), "kgrca-eval-"));
  const prefix = `kgrca-eval-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const config: Config = {
    ...base,
    dataDir: dir,
    queuePrefix: prefix,
    redis: { ...base.redis, url: redisUrl },
    store: { kind: "sqlite" },
    retention: { ...base.retention, days: 0 },
    logLevel: "error",
  };
  const rt = await openRuntime(config, "eval");
  const pool = startPool(rt, undefined, 4);
  try {
    await rt.queues.enqueueMessages(s.messages as never, "replay");
    await waitIdle(rt.queues, 300_000);
    const opts = { windowMs: config.rca.windowMs, maxHops: config.rca.maxHops, rules: rt.rules, limit: 10 };
    const a = await analyze(rt.store, s.symptom.event_id, opts);
    const causes = rankingOf(a);
    const truths = s.truth?.root_causes ?? [];
    const blast = (a?.blastRadius ?? []).map((r) => ({ kind: r.kind, namespace: r.namespace, name: r.name }));
    const result: ScenarioResult = {
      name: s.name,
      ...(s.fault ? { fault: s.fault } : {}),
      symptom: s.symptom.event_id,
      causes,
      blast_radius: blast,
      hit_at_1: hitAt(1, causes, truths),
      hit_at_3: hitAt(3, causes, truths),
      ...(s.truth?.blast_radius ? { blast_radius_ok: blastRadiusCovers(blast, s.truth.blast_radius) } : {}),
      ...(a ? {} : { error: `symptom event ${s.symptom.event_id} not found after replay` }),
    };
    if (baseline) {
      const b = rankingOf(await analyze(rt.store, s.symptom.event_id, { ...opts, mode: "seed" }));
      result.baseline = { causes: b, hit_at_1: hitAt(1, b, truths), hit_at_3: hitAt(3, b, truths) };
    }
    return result;
  } finally {
    await pool.close();
    await rt.queues.obliterate();
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printEvalTable(r: EvalReport, out: NodeJS.WritableStream = process.stdout): void {
  const rows = r.scenarios.map((s) => [
    s.name,
    s.fault ?? "",
    s.hit_at_1 ? "yes" : "no",
    s.hit_at_3 ? "yes" : "no",
    ...(r.baseline ? [s.baseline?.hit_at_1 ? "yes" : "no"] : []),
    s.causes[0]
      ? `${s.causes[0].kind}/${s.causes[0].name} ${s.causes[0].reason} (${s.causes[0].confidence.toFixed(2)})`
      : (s.error ?? "-"),
  ]);
  const header = [
    "scenario",
    "fault",
    "@1",
    "@3",
    ...(r.baseline ? [`${r.baseline.name}@1`] : []),
    "top cause",
  ];
  const widths = header.map((h, i) =>
    Math.min(60, Math.max(h.length, ...rows.map((row) => String(row[i]).length))),
  );
  const line = (cells: string[]) => cells.map((c, i) => String(c).slice(0, 60).padEnd(widths[i]!)).join("  ");
  out.write(`${line(header)}\n`);
  for (const row of rows) out.write(`${line(row as string[])}\n`);
  out.write(
    `\nAC@1 ${r.ac_at_1.toFixed(3)}   AC@3 ${r.ac_at_3.toFixed(3)}   (${r.scenarios.length} scenarios)\n`,
  );
  if (r.baseline)
    out.write(
      `baseline ${r.baseline.name}: AC@1 ${r.baseline.ac_at_1.toFixed(3)}   AC@3 ${r.baseline.ac_at_3.toFixed(3)}\n`,
    );
  if (r.blast_radius_ok !== undefined)
    out.write(`blast radius covers the truth in ${(r.blast_radius_ok * 100).toFixed(0)}% of scenarios\n`);
  if (r.by_fault && Object.keys(r.by_fault).length > 1) {
    out.write("\nby fault family:\n");
    for (const [fault, v] of Object.entries(r.by_fault).sort(([a], [b]) => a.localeCompare(b))) {
      const base =
        v.baseline_ac_at_1 !== undefined
          ? `   ${r.baseline?.name ?? "baseline"} @1 ${v.baseline_ac_at_1.toFixed(2)} @3 ${v.baseline_ac_at_3!.toFixed(2)}`
          : "";
      out.write(
        `  ${fault.padEnd(24)} n=${String(v.n).padEnd(3)} @1 ${v.ac_at_1.toFixed(2)}  @3 ${v.ac_at_3.toFixed(2)}${base}\n`,
      );
    }
  }
}
