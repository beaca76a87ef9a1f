import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Metrics } from "../../telemetry/index.js";
import { tempDir } from "../helpers.js";
import { ROOT, runTool } from "./cli-process.js";

const dir = join(ROOT, "dashboards");
const read = (p: string) => readFileSync(join(dir, p), "utf8");

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
  datasource?: { uid: string };
}
const dashboard = JSON.parse(read("grafana/dashboards/kg-rca.json")) as { uid: string; panels: Panel[] };
const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const rules = parse(read("alert-rules.yml")) as {
  groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
};
const ruleExprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr));

/** Every series name a kg-rca process can export: telemetry/metrics.ts, the API's graph gauge, histogram parts. */
function knownNames(): Set<string> {
  const m = new Metrics("names");
  const names = new Set<string>(["kg_graph_objects", "up"]);
  for (const metric of m.registry.getMetricsAsArray()) {
    const n = (metric as unknown as { name: string }).name;
    names.add(n);
    for (const s of ["_bucket", "_sum", "_count"]) names.add(n + s);
  }
  return names;
}

const referenced = (expr: string) =>
  [...expr.matchAll(/\b((?:kg|process|nodejs)_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)].map((m) => m[1]!);

describe("dashboards/", () => {
  it("promtool check config passes on prometheus.yml (and the rule file it loads)", () => {
    const r = runTool("promtool", ["check", "config", "dashboards/prometheus.yml"]);
    expect(r.output).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  it("promtool check rules passes on alert-rules.yml", () => {
    const r = runTool("promtool", ["check", "rules", "dashboards/alert-rules.yml"]);
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
    const alerts = rules.groups.flatMap((g) => g.rules.map((x) => x.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        "KgRcaIngestBacklogGrowing",
        "KgRcaDeadLetterGrowing",
        "KgRcaCircuitBreakerOpen",
        "KgRcaWorkerDown",
      ]),
    );
  });

  it("scrapes every component", () => {
    const prom = parse(read("prometheus.yml")) as { scrape_configs: Array<{ job_name: string }> };
    expect(prom.scrape_configs.map((s) => s.job_name)).toEqual(
      expect.arrayContaining(["kg-rca-api", "kg-rca-worker", "kg-rca-bridge", "kg-rca-watcher"]),
    );
  });

  it("uses only metric names kg-rca exports", () => {
    const known = knownNames();
    const used = new Set([...exprs, ...ruleExprs].flatMap(referenced));
    expect(used.size).toBeGreaterThan(15);
    const unknown = [...used].filter(
      (n) => !known.has(n) && !n.startsWith("process_") && !n.startsWith("nodejs_"),
    );
    expect(unknown).toEqual([]);
    // the process metrics used are ones prom-client exports
    for (const n of [...used].filter((x) => x.startsWith("process_") || x.startsWith("nodejs_"))) {
      expect(known.has(n) || known.has(n.replace(/_(bucket|sum|count)$/, "")), n).toBe(true);
    }
  });

  it("covers what an operator watches", () => {
    const all = exprs.join("\n");
    for (const name of [
      "kg_messages_processed_total",
      "kg_message_processing_duration_seconds_bucket",
      "kg_neo4j_query_duration_seconds_bucket",
      "kg_store_query_duration_seconds_bucket",
      "kg_graph_objects",
      "kg_rca_links_created_total",
      "kg_severity_escalations_total",
      "kg_anomalies_detected_total",
      "kg_queue_jobs",
      "kg_dlq_messages_total",
      "kg_circuit_breaker_state",
    ]) {
      expect(all, name).toContain(name);
    }
    expect(all).toContain("histogram_quantile(0.95");
    expect(all).toContain('queue="dead-letter"');
    for (const p of dashboard.panels.filter((x) => x.type !== "row")) {
      expect(p.datasource?.uid, p.title).toBe("prometheus");
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });

  it("every dashboard query is valid PromQL (checked by promtool as recording rules)", () => {
    const t = tempDir("kgrca-promql-");
    try {
      const file = join(t.dir, "queries.yml");
      const groups = [
        {
          name: "dashboard-queries",
          rules: exprs.map((e, i) => ({
            record: `kgrca:dashboard_query:${i}`,
            expr: e.replaceAll("$__rate_interval", "5m"),
          })),
        },
      ];
      writeFileSync(file, JSON.stringify({ groups }));
      const r = runTool("promtool", ["check", "rules", file]);
      expect(r.output).toContain(`SUCCESS: ${exprs.length} rules found`);
      expect(r.status).toBe(0);
    } finally {
      t.remove();
    }
  });

  it("provisions the datasource uid the dashboard uses, and the dashboard folder compose mounts", () => {
    const ds = parse(read("grafana/provisioning/datasources/prometheus.yml")) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    expect(ds.datasources[0]).toMatchObject({ uid: "prometheus", url: "http://prometheus:9090" });
    const prov = parse(read("grafana/provisioning/dashboards/kg-rca.yml")) as {
      providers: Array<{ options: { path: string } }>;
    };
    const compose = readFileSync(join(ROOT, "docker-compose.yml"), "utf8");
    expect(compose).toContain(`./dashboards/grafana/dashboards:${prov.providers[0]!.options.path}`);
    expect(compose).toContain("./dashboards/grafana/provisioning:/etc/grafana/provisioning");
  });
});
