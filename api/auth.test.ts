import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime, type Runtime } from "../cli/runtime.js";
import { parseApiKeys } from "../config/index.js";
import { ALL_QUEUES } from "../queues/index.js";
import { testConfig } from "../tests/helpers.js";
import { keyScope } from "./auth.js";
import { type App, createApp } from "./index.js";

const WRITE = "write-key-0123456789";
const READ = "read-key-0123456789";

let rt: Runtime;
let app: App;

beforeAll(async () => {
  const config = testConfig("auth", {
    KG_API_KEYS: `${WRITE}:write,${READ}:read`,
    KG_MAX_BODY_BYTES: "2048",
  });
  rt = await openRuntime(config, "test");
  app = createApp({
    store: rt.store,
    queues: rt.queues,
    metrics: rt.metrics,
    logger: rt.logger,
    rules: rt.rules,
    rca: rt.config.rca,
    api: rt.config.api,
  });
});

afterAll(async () => {
  await rt.queues.obliterate();
  await rt.close();
  rmSync(rt.config.dataDir, { recursive: true, force: true });
});

const req = (path: string, opts: { key?: string; method?: string; body?: unknown; basic?: string } = {}) =>
  app.request(path, {
    method: opts.method ?? "GET",
    headers: {
      "content-type": "application/json",
      ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
      ...(opts.basic
        ? { authorization: `Basic ${Buffer.from(`admin:${opts.basic}`).toString("base64")}` }
        : {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });

const update = { resources: [{ kind: "ConfigMap", namespace: "a", name: "b" }] };

describe("API keys", () => {
  it("matches keys in constant time by digest, preferring the write scope", () => {
    const keys = parseApiKeys(`${WRITE}:write,${READ}:read`);
    expect(keyScope(WRITE, keys)).toBe("write");
    expect(keyScope(READ, keys)).toBe("read");
    expect(keyScope(`${READ}x`, keys)).toBeUndefined();
    expect(keyScope("", keys)).toBeUndefined();
    expect(keyScope(READ.slice(0, -1), keys)).toBeUndefined();
    expect(keyScope(READ, [...keys, { key: READ, scope: "write" }])).toBe("write");
  });

  it("leaves health, readiness, metrics and docs open", async () => {
    for (const p of ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"]) {
      expect((await req(p)).status, p).toBe(200);
    }
  });

  it("requires a key for reads: 401 problem with a Bearer challenge", async () => {
    for (const key of [undefined, "wrong-key-0123456789"]) {
      const res = await req("/api/v1/graph/stats", { key });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await res.json()).status).toBe(401);
    }
    expect((await req("/api/v1/graph/stats", { key: READ })).status).toBe(200);
    expect((await req("/api/v1/graph/stats", { key: WRITE })).status).toBe(200);
    // POST /api/v1/rca is a query: a read key may ask it
    expect((await req("/api/v1/rca", { key: READ, method: "POST", body: { event_id: "x" } })).status).toBe(
      404,
    );
  });

  it("requires a write key for writes: 403 for a read key", async () => {
    for (const path of [
      "/api/v1/updates",
      "/api/v1/updates/batch",
      "/api/v1/alerts/alertmanager",
      "/api/v1/dead-letter/redrive",
    ]) {
      const res = await req(path, { key: READ, method: "POST", body: {} });
      expect(res.status, path).toBe(403);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect((await req(path, { method: "POST", body: {} })).status, path).toBe(401);
    }
    expect((await req("/api/v1/updates", { key: WRITE, method: "POST", body: update })).status).toBe(202);
    expect((await req("/api/v1/updates/batch", { key: WRITE, method: "POST", body: [update] })).status).toBe(
      202,
    );
    expect(
      (await req("/api/v1/dead-letter/redrive", { key: WRITE, method: "POST", body: { all: true } })).status,
    ).toBe(200);
  });

  it("rejects a body over KG_MAX_BODY_BYTES with 413", async () => {
    const big = {
      resources: Array.from({ length: 60 }, (_, i) => ({
        kind: "ConfigMap",
        namespace: "a",
        name: `cm-${i}-padding`,
      })),
    };
    expect(JSON.stringify(big).length).toBeGreaterThan(2048);
    const res = await req("/api/v1/updates", { key: WRITE, method: "POST", body: big });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await res.json()).detail).toContain("2048");
  });

  it("puts Bull Board behind a key (Bearer or Basic password); its actions need write", async () => {
    const anon = await req("/admin/queues");
    expect(anon.status).toBe(401);
    expect(anon.headers.get("www-authenticate")).toMatch(/^Basic/);
    expect((await req("/admin/queues/api/queues")).status).toBe(401);
    expect((await req("/admin/queues", { key: READ })).status).toBe(200);
    expect((await req("/admin/queues", { basic: READ })).status).toBe(200);
    expect((await req("/admin/queues", { basic: "not-a-key-at-all" })).status).toBe(401);
    const queues = await req("/admin/queues/api/queues", { key: READ });
    expect(queues.status).toBe(200);
    expect(
      ((await queues.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort(),
    ).toEqual([...ALL_QUEUES].sort());
    expect(
      (await req("/admin/queues/api/queues/ingest/clean/failed", { key: READ, method: "PUT" })).status,
    ).toBe(403);
    expect(
      (await req("/admin/queues/api/queues/ingest/clean/failed", { key: WRITE, method: "PUT" })).status,
    ).toBeLessThan(300);
  });
});

describe("CORS", () => {
  it("answers preflights for configured origins without a key", async () => {
    const corsApp = createApp({
      store: rt.store,
      queues: rt.queues,
      metrics: rt.metrics,
      logger: rt.logger,
      rules: rt.rules,
      rca: rt.config.rca,
      api: { ...rt.config.api, corsOrigins: ["https://ops.example.com"] },
      bullBoard: false,
    });
    const pre = await corsApp.request("/api/v1/incidents", {
      method: "OPTIONS",
      headers: {
        origin: "https://ops.example.com",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    expect(pre.status).toBeLessThan(300);
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://ops.example.com");
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    const get = await corsApp.request("/api/v1/incidents", {
      headers: { origin: "https://ops.example.com", authorization: `Bearer ${READ}` },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get("access-control-allow-origin")).toBe("https://ops.example.com");
  });
});
