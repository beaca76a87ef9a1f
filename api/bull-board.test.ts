import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime, type Runtime } from "../cli/runtime.js";
import { ALL_QUEUES } from "../queues/index.js";
import { testConfig } from "../tests/helpers.js";
import { createApp } from "./index.js";

const KEY = "board-key-0123456789";
const ARTIFACTS = join(import.meta.dirname, "..", "test-artifacts");

let rt: Runtime;
let server: ServerType;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  rt = await openRuntime(testConfig("board", { KG_API_KEYS: `${KEY}:write` }), "test");
  // Something to show: a waiting ingest job and a dead-letter entry.
  await rt.queues.enqueueMessages(
    [{ topic: "events.normalized", key: "k", value: { event_id: "x" } }],
    "api",
  );
  await rt.queues.deadLetter({
    queue: "ingest",
    payload: { topic: "t", value: 1 },
    reason: "bad",
    retryable: false,
    failedMs: Date.now(),
    attempts: 1,
  });
  const app = createApp({
    store: rt.store,
    queues: rt.queues,
    metrics: rt.metrics,
    logger: rt.logger,
    rules: rt.rules,
    rca: rt.config.rca,
    api: rt.config.api,
  });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      baseUrl = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await rt.queues.obliterate();
  await rt.close();
  rmSync(rt.config.dataDir, { recursive: true, force: true });
});

describe("Bull Board", () => {
  it("renders every queue, dead-letter included, in headless Chromium", async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${KEY}` } });
    const page = await context.newPage();
    // The board's HTML links a web font on a CDN; offline clusters simply fall back to system fonts.
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
    const res = await page.goto(`${baseUrl}/admin/queues`);
    expect(res?.status()).toBe(200);
    for (const name of ALL_QUEUES) {
      await page.getByText(name, { exact: true }).first().waitFor({ state: "visible", timeout: 20_000 });
    }
    const text = (await page.locator("body").textContent()) ?? "";
    for (const name of ALL_QUEUES) expect(text).toContain(name);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, "bull-board.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(5_000);
    await context.close();
  });

  it("lets a browser log in with the key as the Basic-auth password", async () => {
    // Without credentials the server answers 401 with a Basic challenge (auth.test.ts); a headed
    // browser then prompts, headless Chromium gives up, so this test supplies the credentials.
    const withBasic = await browser.newContext({ httpCredentials: { username: "admin", password: KEY } });
    const p2 = await withBasic.newPage();
    await p2.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
    expect((await p2.goto(`${baseUrl}/admin/queues`))?.status()).toBe(200);
    await p2.getByText("dead-letter", { exact: true }).first().waitFor({ state: "visible", timeout: 20_000 });
    await withBasic.close();
  });

  it("(Swagger UI) renders the API docs at /docs with every outside request blocked", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const outside: string[] = [];
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => {
      outside.push(route.request().url());
      return route.abort();
    });
    expect((await page.goto(`${baseUrl}/docs`))?.status()).toBe(200);
    await page
      .getByText("/api/v1/incidents", { exact: true })
      .first()
      .waitFor({ state: "visible", timeout: 20_000 });
    expect((await page.locator("body").textContent()) ?? "").toContain("kg-rca API");
    await page.screenshot({ path: join(ARTIFACTS, "swagger-ui.png") });
    expect(outside).toEqual([]);
    await context.close();
  });
});
