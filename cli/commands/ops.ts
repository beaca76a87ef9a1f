import { readFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { RcaView } from "../../api/index.js";
import { configOrExit, openRuntime, type Runtime } from "../runtime.js";

/**
 * `kgrca rca`, `kgrca stats`, `kgrca incidents`: the questions an SRE asks, answered readably
 * (or as JSON with --json).
 *
 * Two ways to reach the data, one code path: by default the command opens the configured graph
 * store itself (the same environment variables as the server: KG_DATA_DIR, GRAPH_STORE,
 * NEO4J_URL...) and asks an in-process copy of the API; with `--api-url` it asks a running API
 * over HTTP instead (needed when the store is not reachable from where you are, e.g. an
 * embedded store inside a pod). Both give the same JSON the REST API documents.
 */

/** Flags shared by the people-facing commands. */
export interface ReadOptions {
  json?: boolean;
  apiUrl?: string;
  apiKey?: string;
  apiKeyFile?: string;
  dataDir?: string;
  redisUrl?: string;
  queuePrefix?: string;
}

/** Flags that mirror environment variables (as the other commands have them). */
export function storeFlags(cmd: Command): Command {
  return cmd
    .option("--data-dir <dir>", "directory of the embedded store (KG_DATA_DIR, default ./data)")
    .option("--redis-url <url>", "Redis URL (REDIS_URL)")
    .option("--queue-prefix <p>", "Redis key prefix (KG_QUEUE_PREFIX)");
}

export function envOverrides(opts: ReadOptions): Record<string, string> {
  const out: Record<string, string> = { LOG_LEVEL: "silent" };
  if (opts.dataDir) out.KG_DATA_DIR = opts.dataDir;
  if (opts.redisUrl) out.REDIS_URL = opts.redisUrl;
  if (opts.queuePrefix) out.KG_QUEUE_PREFIX = opts.queuePrefix;
  return out;
}

function readFlags(cmd: Command): Command {
  return storeFlags(cmd)
    .option("--json", "print the API's JSON instead of text")
    .option(
      "--api-url <url>",
      "ask a running kg-rca API (e.g. http://localhost:8080) instead of opening the store",
    )
    .option("--api-key <key>", "API key for --api-url (prefer --api-key-file: flags show up in ps)")
    .option("--api-key-file <path>", "file holding the API key for --api-url");
}

/** A GET against the API, remote or in-process; returns the parsed body or throws with the problem detail. */
type Getter = (path: string) => Promise<unknown>;

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  if (res.ok) return JSON.parse(text);
  let detail = text.slice(0, 500);
  try {
    detail = (JSON.parse(text) as { detail?: string }).detail ?? detail;
  } catch {
    // not problem JSON: keep the text
  }
  throw new ApiError(res.status, `${res.status}: ${detail}`);
}

async function withGetter<T>(opts: ReadOptions, fn: (get: Getter) => Promise<T>): Promise<T> {
  if (opts.apiUrl) {
    const base = opts.apiUrl.replace(/\/+$/, "");
    const key = opts.apiKeyFile ? readFileSync(opts.apiKeyFile, "utf8").trim() : opts.apiKey;
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    return fn(async (path) => parse(await fetch(`${base}${path}`, { headers })));
  }
  const config = configOrExit(envOverrides(opts));
  const rt: Runtime = await openRuntime(config, "cli");
  try {
    const { createApp } = await import("../../api/index.js");
    const app = createApp({
      store: rt.store,
      queues: rt.queues,
      metrics: rt.metrics,
      logger: rt.logger,
      rules: rt.rules,
      rca: rt.config.rca,
      // In-process: this user already holds the store's credentials; no key check, no Bull Board.
      api: { ...rt.config.api, keys: [] },
      bullBoard: false,
    });
    return await fn(async (path) => parse(await app.request(path)));
  } finally {
    await rt.close();
  }
}

/** Runs a command body, turning API errors into a message and exit code 1. */
async function run(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    process.stderr.write(`kgrca ${name}: ${(err as Error).message}\n`);
    process.exitCode = err instanceof ApiError && err.status === 404 ? 1 : process.exitCode || 1;
  }
}

const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const when = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
const label = (r: { kind: string; namespace: string; name: string } | null | undefined) =>
  r ? `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}` : "(no resource)";

/** `30m`, `2h`, `7d` before now, or any time Date.parse reads; as ISO. */
export function parseSince(v: string): string {
  const rel = /^(\d+)\s*(s|m|h|d)$/.exec(v.trim());
  if (rel) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as "s" | "m" | "h" | "d"];
    return new Date(Date.now() - Number(rel[1]) * unit).toISOString();
  }
  const t = Date.parse(v);
  if (!Number.isFinite(t))
    throw new InvalidArgumentError("give a duration (30m, 2h, 7d) or a time (2025-10-08T10:00:00Z)");
  return new Date(t).toISOString();
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};
const fraction = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError("must be between 0 and 1");
  return n;
};

/** The readable form of an RCA answer. */
export function formatRca(v: RcaView): string {
  const e = v.event;
  const lines = [
    `${e.reason || e.etype} on ${label(e.resource)} at ${when(e.event_time)} (${e.severity})`,
    `  ${e.message.slice(0, 200)}`,
    "",
  ];
  if (v.potential_causes.length === 0) {
    lines.push("No potential causes found in the time window (nothing earlier nearby explains it).");
  } else {
    lines.push("Potential causes, most likely first:");
    v.potential_causes.forEach((c, i) => {
      lines.push(
        `  ${String(i + 1).padStart(2)}. ${c.confidence.toFixed(2)}  ${c.reason || c.etype} on ${label(c.subject)} (${c.severity}, ${when(c.event_time)}) [${c.event_id}]`,
      );
      lines.push(`        ${c.explanation}`);
    });
  }
  if (v.blast_radius.length) {
    lines.push("", `Blast radius (${v.blast_radius.length}): ${v.blast_radius.map(label).join(", ")}`);
  }
  if (v.related_incident) {
    const i = v.related_incident;
    lines.push(
      "",
      `Incident ${i.incident_id}: ${i.severity}, ${i.event_count} events, ${when(i.start_time)} .. ${when(i.end_time)}`,
    );
  }
  if (v.timeline.length) {
    lines.push("", "Timeline:");
    for (const t of v.timeline.slice(0, 20)) {
      lines.push(
        `  ${when(t.event_time)}  ${t.severity.padEnd(7)} ${(t.reason || t.etype).padEnd(22)} ${label(t.resource)}`,
      );
    }
  }
  return lines.join("\n");
}

interface IncidentItem {
  incident_id: string;
  cluster: string;
  severity: string;
  start_time: string;
  end_time: string;
  event_count: number;
  resources: string[];
  top_cause?: {
    event_id: string;
    reason: string;
    resource: { kind: string; namespace: string; name: string } | null;
    confidence: number;
    explanation: string;
  };
}

export function formatIncidents(page: { items: IncidentItem[]; total: number; offset: number }): string {
  if (page.items.length === 0) return "No incidents match.";
  const lines = [
    `${page.total} incident(s); showing ${page.offset + 1}-${page.offset + page.items.length}`,
    "",
  ];
  for (const i of page.items) {
    lines.push(
      `${i.incident_id}  ${i.severity.padEnd(7)} ${i.cluster}  ${when(i.start_time)} .. ${when(i.end_time)}  ${i.event_count} events, ${i.resources.length} resource(s)`,
    );
    if (i.top_cause) {
      lines.push(
        `    likely cause ${i.top_cause.confidence.toFixed(2)}: ${i.top_cause.reason} on ${label(i.top_cause.resource)} [${i.top_cause.event_id}]`,
      );
    }
  }
  return lines.join("\n");
}

interface Stats {
  resources: number;
  episodic_events: number;
  incidents: number;
  edges: number;
  cause_links: number;
  anomalies: number;
  oldest_event: string | null;
  newest_event: string | null;
  resources_by_kind: Record<string, number>;
  edges_by_type: Record<string, number>;
  events_by_severity: Record<string, number>;
  clusters: Record<string, { resources: number; events: number; incidents: number }>;
}

export function formatStats(s: Stats): string {
  const kv = (o: Record<string, number>) =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "-";
  const lines = [
    `resources   ${s.resources}   (${kv(s.resources_by_kind)})`,
    `edges       ${s.edges}   (${kv(s.edges_by_type)})`,
    `events      ${s.episodic_events}   (${kv(s.events_by_severity)})`,
    `cause links ${s.cause_links}`,
    `incidents   ${s.incidents}`,
    `anomalies   ${s.anomalies}`,
    `events from ${s.oldest_event ? when(s.oldest_event) : "-"} to ${s.newest_event ? when(s.newest_event) : "-"}`,
  ];
  const clusters = Object.entries(s.clusters);
  if (clusters.length) {
    lines.push(
      "",
      "cluster".padEnd(24) + "resources".padStart(10) + "events".padStart(10) + "incidents".padStart(10),
    );
    for (const [name, c] of clusters) {
      lines.push(
        name.padEnd(24) +
          String(c.resources).padStart(10) +
          String(c.events).padStart(10) +
          String(c.incidents).padStart(10),
      );
    }
  }
  return lines.join("\n");
}

/** Registers `kgrca rca`, `kgrca stats` and `kgrca incidents`. */
export function register(program: Command): void {
  const help =
    "\nBy default the command opens the configured graph store directly (same environment as the server);" +
    "\nwith --api-url it asks a running API instead. --json prints the API's JSON.";

  readFlags(
    program
      .command("rca")
      .description("rank the root causes of an event, with an explanation for each")
      .argument("<event_id>", "the event to explain (its event_id)")
      .addOption(new Option("--limit <n>", "causes to show").argParser(positiveInt).default(5))
      .addOption(
        new Option("--min-confidence <x>", "hide causes below this confidence (0..1)").argParser(fraction),
      )
      .addOption(
        new Option("--window-minutes <n>", "how far back to look (default KG_RCA_WINDOW_MINUTES)").argParser(
          positiveInt,
        ),
      )
      .addOption(
        new Option("--max-hops <n>", "topology distance to search (default KG_RCA_MAX_HOPS)").argParser(
          Number,
        ),
      )
      .addHelpText("after", help),
  ).action(
    async (
      eventId: string,
      opts: ReadOptions & { limit: number; minConfidence?: number; windowMinutes?: number; maxHops?: number },
    ) =>
      run("rca", async () => {
        const q = new URLSearchParams({ limit: String(opts.limit) });
        if (opts.minConfidence !== undefined) q.set("min_confidence", String(opts.minConfidence));
        if (opts.windowMinutes !== undefined) q.set("time_window_minutes", String(opts.windowMinutes));
        if (opts.maxHops !== undefined) q.set("max_hops", String(opts.maxHops));
        const view = (await withGetter(opts, (get) =>
          get(`/api/v1/rca/${encodeURIComponent(eventId)}?${q}`),
        )) as RcaView;
        out(opts.json ? JSON.stringify(view) : formatRca(view));
      }),
  );

  readFlags(
    program
      .command("stats")
      .description("counts of resources, edges, events, cause links, incidents and anomalies, per cluster")
      .addHelpText("after", help),
  ).action(async (opts: ReadOptions) =>
    run("stats", async () => {
      const s = (await withGetter(opts, (get) => get("/api/v1/graph/stats"))) as Stats;
      out(opts.json ? JSON.stringify(s) : formatStats(s));
    }),
  );

  readFlags(
    program
      .command("incidents")
      .description("recent incidents, newest first, with the likely cause of each")
      .option("--cluster <name>", "only this cluster")
      .option("--namespace <ns>", "only incidents touching this namespace")
      .addOption(
        new Option("--severity <level>", "at or above this severity").choices([
          "INFO",
          "WARNING",
          "ERROR",
          "FATAL",
          "info",
          "warning",
          "error",
          "fatal",
        ]),
      )
      .addOption(new Option("--since <when>", "30m, 2h, 7d, or a time").argParser(parseSince))
      .addOption(new Option("--limit <n>", "incidents to show").argParser(positiveInt).default(20))
      .addOption(new Option("--offset <n>", "skip this many").argParser(Number).default(0))
      .addHelpText("after", help),
  ).action(
    async (
      opts: ReadOptions & {
        cluster?: string;
        namespace?: string;
        severity?: string;
        since?: string;
        limit: number;
        offset: number;
      },
    ) =>
      run("incidents", async () => {
        const q = new URLSearchParams({ limit: String(opts.limit), offset: String(opts.offset) });
        if (opts.cluster) q.set("cluster", opts.cluster);
        if (opts.namespace) q.set("namespace", opts.namespace);
        if (opts.severity) q.set("severity", opts.severity.toUpperCase());
        if (opts.since) q.set("since", opts.since);
        const page = (await withGetter(opts, (get) => get(`/api/v1/incidents?${q}`))) as Parameters<
          typeof formatIncidents
        >[0];
        out(opts.json ? JSON.stringify(page) : formatIncidents(page));
      }),
  );
}
