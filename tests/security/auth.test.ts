import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../api/index.js";
import { loadConfig } from "../../config/index.js";
import type { Queues } from "../../queues/index.js";
import { loadRules } from "../../rca/rules.js";
import { createLogger, Metrics } from "../../telemetry/index.js";
import { dropTestQueues, REDIS_URL, tempStore, testPrefix, testQueues } from "../helpers.js";

/**
 * With API keys configured (`KG_API_KEYS=key:write,key:read`), the API refuses every write
 * without a write-scoped key, Bull Board refuses anyone without a key, and no spelling of a write
 * path slips past the check.
 */
const WRITE_KEY = "w-0123456789abcdef";
const READ_KEY = "r-0123456789abcdef";
let app: App;
let queues: Queues;
let close: () => Promise<void>;

beforeAll(async () => {
  const config = loadConfig({ KG_API_KEYS: `${WRITE_KEY}:write,${READ_KEY}:read`, REDIS_URL });
  const t = await tempStore();
  queues = testQueues(testPrefix("sec-auth"), 3);
  app = createApp({
    store: t.store,
    queues,
    metrics: new Metrics("sec"),
    logger: createLogger("sec", "silent"),
    rules: loadRules(),
    rca: config.rca,
    api: config.api,
    readiness: [],
  });
  close = async () => {
    await dropTestQueues(queues);
    await t.close();
  };
});
afterAll(() => close());

const update = JSON.stringify({
  timestamp: "2025-10-08T10:00:00Z",
  events: [{ event_id: "sec-1", reason: "BackOff", event_time: "2025-10-08T10:00:00Z" }],
});
const post = (path: string, key?: string, body = update) =>
  app.request(`http://localhost${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body,
  });

describe("security: API keys", () => {
  it("refuses writes without a key, with an unknown key and with a read key; takes them with a write key", async () => {
    expect((await post("/api/v1/updates")).status).toBe(401);
    expect((await post("/api/v1/updates", "not-a-key-at-all")).status).toBe(401);
    expect((await post("/api/v1/updates", READ_KEY)).status).toBe(403);
    expect((await post("/api/v1/updates", WRITE_KEY)).status).toBe(202);
  });

  it("refuses every write route of the API to a read key", async () => {
    const writes = [
      ...new Set(
        app.routes
          .filter((r) => r.path.startsWith("/api/") && r.method !== "ALL" && r.method !== "GET")
          .map((r) => `${r.method} ${r.path}`),
      ),
    ].filter((r) => r !== "POST /api/v1/rca"); // a query sent as POST: reads are allowed with a read key
    expect(writes.length).toBeGreaterThanOrEqual(3);
    for (const w of writes) {
      const [method, path] = w.split(" ") as [string, string];
      for (const key of [undefined, READ_KEY]) {
        const res = await app.request(`http://localhost${path}`, {
          method,
          headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: "{}",
        });
        expect([401, 403], `${w} with ${key ? "a read key" : "no key"}`).toContain(res.status);
      }
    }
  });

  it("lets no other spelling of a write path through with a read key", async () => {
    for (const path of [
      "/api/v1/updates/",
      "/api/v1/updates/batch/",
      "/api/v1//updates",
      "//api/v1/updates",
      "/api/v1/./updates",
      "/api/v1/x/../updates",
      "/api/v1/%75pdates",
      "/api/v1/updates%2F",
      "/API/v1/updates",
      "/api/v1/updates?x=1",
      "/api/v1/updates#x",
      "/api/v1/alerts/alertmanager/",
      "/api/v1/dead-letter/redrive/",
      "/api/v1/dead-letter/%72edrive",
    ]) {
      const res = await post(path, READ_KEY);
      expect(res.status, `${path} -> ${res.status}`).not.toBeLessThan(300);
      expect(res.status, path).toBeLessThan(500);
    }
  });

  it("does not echo a presented key in the refusal", async () => {
    const res = await post("/api/v1/updates", "secret-attempt-9f8e7d6c");
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain("secret-attempt-9f8e7d6c");
  });

  it("keeps Bull Board closed to requests without a key, and its actions to read keys", async () => {
    const hasBoard = app.routes.some((r) => r.path.startsWith("/admin/queues"));
    expect(hasBoard).toBe(true);
    expect((await app.request("http://localhost/admin/queues")).status).toBe(401);
    expect((await app.request("http://localhost/admin/queues/api/queues")).status).toBe(401);
    const pause = await app.request("http://localhost/admin/queues/api/queues/ingest/pause", {
      method: "PUT",
      headers: { authorization: `Bearer ${READ_KEY}` },
    });
    expect([401, 403]).toContain(pause.status);
    const ok = await app.request("http://localhost/admin/queues/api/queues", {
      headers: { authorization: `Bearer ${READ_KEY}` },
    });
    expect(ok.status).toBeLessThan(400);
  });

  it("still answers probes without a key (kubelet and Prometheus scrape without credentials)", async () => {
    expect((await app.request("http://localhost/healthz")).status).toBe(200);
  });
});
