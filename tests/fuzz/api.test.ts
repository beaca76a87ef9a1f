import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../api/index.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import type { IngestJob, Queues } from "../../queues/index.js";
import { loadRules } from "../../rca/rules.js";
import { createLogger, Metrics } from "../../telemetry/index.js";
import type { WorkerContext } from "../../workers/index.js";
import { processIngest } from "../../workers/ingest-processor.js";
import { dropTestQueues, tempStore, testPrefix, testQueues } from "../helpers.js";
import { anyString, anyValue, deepJson, injection, weirdString, wellFormed } from "./arbitraries.js";

/**
 * Every API endpoint, fuzzed through `app.request()`: whatever the path parameters, query
 * strings, headers and bodies, the answer is never a 5xx, and every 4xx under /api is a
 * problem+json that says what is wrong. The routes are read from the app itself, so new ones
 * are fuzzed as soon as they exist.
 */
let app: App;
let queues: Queues;
let store: SqliteGraphStore;
let closeStore: () => Promise<void>;
let routes: Array<{ method: string; path: string }>;

beforeAll(async () => {
  const t = await tempStore();
  store = t.store;
  closeStore = t.close;
  queues = testQueues(testPrefix("fuzz-api"), 3);
  app = createApp({
    store,
    queues,
    metrics: new Metrics("fuzz"),
    logger: createLogger("fuzz", "silent"),
    rules: loadRules(),
    rca: { windowMs: 15 * 60_000, maxHops: 3 },
    api: { maxBodyBytes: 1024 * 1024, maxBatch: 500, corsOrigins: [] },
    readiness: [],
  });
  routes = [
    ...new Map(
      app.routes
        .filter((r) => ["GET", "POST", "PUT", "PATCH", "DELETE"].includes(r.method) && !r.path.includes("*"))
        .map((r) => [`${r.method} ${r.path}`, { method: r.method, path: r.path }]),
    ).values(),
  ];
});

afterAll(async () => {
  await dropTestQueues(queues);
  await closeStore();
});

const QUERY_KEYS = [
  "limit",
  "offset",
  "since",
  "until",
  "severity",
  "cluster",
  "namespace",
  "depth",
  "min_confidence",
  "max_hops",
  "time_window_minutes",
  "kind",
  "reason",
  "etype",
  "type",
  "q",
  "id",
  "resource_id",
  "incident_id",
];

const paramValue = fc.oneof(
  weirdString,
  injection,
  fc.constantFrom(
    "e-1",
    "default:pod:shop:cart",
    "ingest",
    "dead-letter",
    "completed",
    "1",
    "-1",
    "%",
    "..",
    ".",
  ),
  fc.string({ minLength: 600, maxLength: 5_000 }),
);

const bodyText = fc.oneof(
  { weight: 3, arbitrary: anyValue.map((v) => (v === undefined ? "" : (JSON.stringify(v) ?? ""))) },
  { weight: 1, arbitrary: anyString },
  {
    weight: 1,
    arbitrary: fc.constantFrom("{", "[", '{"a":', "nul", "{}}", "\u0000", '{"event_id": "\\ud800"}', ""),
  },
  { weight: 1, arbitrary: deepJson.map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: fc
      .record(
        {
          event_id: fc.oneof(anyValue, injection),
          timestamp: anyValue,
          resources: fc.oneof(
            anyValue,
            fc.array(fc.dictionary(fc.constantFrom("kind", "name", "namespace", "uid", "labels"), anyValue), {
              maxLength: 5,
            }),
          ),
          edges: anyValue,
          events: fc.oneof(
            anyValue,
            fc.array(
              fc.dictionary(
                fc.constantFrom("event_id", "reason", "event_time", "subject", "severity"),
                anyValue,
              ),
              { maxLength: 5 },
            ),
          ),
          alerts: fc.oneof(
            anyValue,
            fc.array(
              fc.dictionary(
                fc.constantFrom("labels", "startsAt", "status", "fingerprint", "annotations"),
                anyValue,
              ),
              { maxLength: 5 },
            ),
          ),
          version: anyValue,
          ids: anyValue,
        },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o)),
  },
);

const request = fc.record({
  route: fc.nat(),
  params: fc.array(paramValue, { minLength: 4, maxLength: 4 }),
  query: fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...QUERY_KEYS), weirdString),
      fc.oneof(paramValue, fc.integer().map(String)),
    ),
    {
      maxLength: 4,
    },
  ),
  body: bodyText,
  contentType: fc.constantFrom(
    "application/json",
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "",
  ),
});

interface Req {
  readonly route: number;
  readonly params: readonly string[];
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
  readonly contentType: string;
}

async function send(r: Req) {
  const route = routes[r.route % routes.length]!;
  let i = 0;
  // Lone surrogates cannot be percent-encoded; a client would send U+FFFD.
  const path = route.path.replace(/:[A-Za-z_]+/g, () =>
    encodeURIComponent(wellFormed(r.params[i++ % r.params.length]!)),
  );
  const qs = new URLSearchParams(r.query.map(([k, v]) => [wellFormed(k), wellFormed(v)])).toString();
  const url = `http://localhost${path}${qs ? `?${qs}` : ""}`;
  const init: RequestInit = { method: route.method };
  if (!["GET", "HEAD"].includes(route.method)) {
    init.body = r.body;
    if (r.contentType) init.headers = { "content-type": r.contentType };
  }
  const res = await app.request(url, init);
  return { route, url, res, text: await res.text() };
}

describe("fuzz: every API endpoint", () => {
  it("finds the routes to fuzz", () => {
    expect(routes.length).toBeGreaterThan(5);
    expect(routes.map((r) => r.path)).toContain("/api/v1/updates");
  });

  it("never answers 5xx, and every /api error is problem+json naming the problem", async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const { route, url, res, text } = await send(r);
        expect(res.status, `${route.method} ${url.slice(0, 300)} -> ${text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400 && route.path.startsWith("/api/")) {
          expect(res.headers.get("content-type")).toContain("application/problem+json");
          const p = JSON.parse(text) as { status: number; detail?: string };
          expect(p.status).toBe(res.status);
          expect(typeof p.detail).toBe("string");
          expect(p.detail!.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("answers what random runs found 500s for: NULs sent to Bull Board (now 400), prototype names as kinds", async () => {
    const cases: Array<[string, RequestInit]> = [
      ["/admin/queues/api/queues/%20%20%00/pause", { method: "PUT" }],
      ["/admin/queues/api/queues/ingest/clean/%00", { method: "PUT" }],
      ["/admin/queues/api/queues/ingest/add", { method: "POST", body: '{"name":"\\u0000","data":{}}', headers: { "content-type": "application/json" } }],
    ];
    for (const [path, init] of cases) {
      const res = await app.request(`http://localhost${path}`, init);
      expect(res.status, path).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    // Names of Object.prototype's keys as a kind are a kind like any other (they answered 500).
    for (const kind of ["__proto__", "constructor", "toString"])
      expect((await app.request(`http://localhost/api/v1/resources?kind=${kind}`)).status, kind).toBe(200);
    // Without a NUL the same routes still answer (404 for an unknown queue, not 500).
    expect(
      (await app.request("http://localhost/admin/queues/api/queues/%20%20/pause", { method: "PUT" })).status,
    ).toBeLessThan(500);
  });

  it("hits each route with garbage at least a few times", async () => {
    for (let k = 0; k < routes.length; k++) {
      const samples = fc.sample(request, { numRuns: 6, seed: k });
      for (const s of samples) {
        const { route, url, res, text } = await send({ ...s, route: k });
        expect(res.status, `${route.method} ${url.slice(0, 300)} -> ${text.slice(0, 300)}`).toBeLessThan(500);
      }
    }
  });

  it("treats names of Object.prototype members in path parameters as plain names", async () => {
    for (const [k, route] of routes.entries()) {
      if (!route.path.includes(":")) continue;
      for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
        const { url, res, text } = await send({
          route: k,
          params: [name, name, name, name],
          query: [],
          body: "{}",
          contentType: "application/json",
        });
        expect(res.status, `${route.method} ${url} -> ${text.slice(0, 200)}`).toBeLessThan(500);
      }
    }
  });

  it("takes an Alertmanager webhook whose bad alerts end in dead-letter while the good one is stored", async () => {
    const ingest = queues.get("ingest");
    await ingest.drain(true);
    const alert = (over: Record<string, unknown>) => ({
      status: "firing",
      labels: { alertname: "KubePodCrashLooping", namespace: "shop", pod: "cart-1", severity: "critical" },
      annotations: { summary: "'); DROP TABLE events;--" },
      startsAt: "2025-10-08T10:00:00Z",
      endsAt: "0001-01-01T00:00:00Z",
      fingerprint: "fp-good",
      ...over,
    });
    const body = {
      version: "4",
      status: "firing",
      alerts: [
        alert({}),
        alert({ startsAt: "not a time", fingerprint: "fp-bad-time" }),
        alert({
          labels: { alertname: "Bad\u0000Name", namespace: "shop", pod: "cart-1" },
          fingerprint: "fp-bad-name",
        }),
      ],
    };
    const res = await app.request("/api/v1/alerts/alertmanager", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    const jobs = await ingest.getJobs(["waiting"], 0, -1);
    expect(jobs.length).toBeGreaterThan(0);
    const ctx: WorkerContext = {
      store,
      queues,
      metrics: new Metrics("fuzz-worker"),
      logger: createLogger("fuzz", "silent"),
      rules: loadRules(),
      normalize: { defaultCluster: "default" },
      rca: { windowMs: 15 * 60_000, maxHops: 3 },
      retention: { days: 0, batchSize: 1000 },
    };
    const dlqBefore = await queues.get("dead-letter").count();
    let invalid = 0;
    for (const j of jobs) invalid += (await processIngest(ctx, j.data as IngestJob, j.id)).invalid;
    expect(invalid).toBe(2);
    const entries = await queues.get("dead-letter").getJobs(["waiting"], 0, -1);
    expect((await queues.get("dead-letter").count()) - dlqBefore).toBe(2);
    const reasons = entries.map((e) => String((e.data as { reason: string }).reason)).join(" | ");
    expect(reasons).toMatch(/event_time/);
    expect(reasons).toMatch(/control characters/);
    const stored = await store.listEvents({ reason: "KubePodCrashLooping", limit: 10 });
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]!.annotations?.summary).toBe("'); DROP TABLE events;--");
  });

  it("rejects a bad update with a 400 that names the bad field, and queues a good one", async () => {
    const bad = await app.request("/api/v1/updates", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ timestamp: "2025-10-08T10:00:00Z", events: [{ event_id: 42, reason: ["x"] }] }),
    });
    expect(bad.status).toBe(400);
    const p = (await bad.json()) as { detail: string; errors?: Array<{ path: string }> };
    expect(p.detail).toMatch(/events/);
    const good = await app.request("/api/v1/updates", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        timestamp: "2025-10-08T10:00:00Z",
        events: [
          { event_id: "api-fuzz-ok", reason: "'); DROP TABLE events;--", event_time: "2025-10-08T10:00:00Z" },
        ],
      }),
    });
    expect(good.status).toBe(202);
    const malformed = await app.request("/api/v1/updates", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"events": [',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { detail: string }).detail).toMatch(/JSON/i);
  });
});
