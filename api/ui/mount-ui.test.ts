import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../../tests/helpers.js";
import { mountUi } from "./index.js";

const built = tempDir("kgrca-ui-static-");
const JS = "export const x = 1;\n".repeat(50);
mkdirSync(join(built.dir, "assets"));
writeFileSync(join(built.dir, "index.html"), "<!doctype html><title>kg-rca</title>");
writeFileSync(join(built.dir, "assets/main-ABC123.js"), JS);
writeFileSync(join(built.dir, "assets/main-ABC123.js.gz"), gzipSync(JS));
writeFileSync(join(built.dir, "assets/main-ABC123.css"), "body{}");
writeFileSync(join(built.dir, "secret.txt"), "not an asset");
const empty = tempDir("kgrca-ui-empty-");

afterAll(() => {
  built.remove();
  empty.remove();
});

const app = new Hono();
mountUi(app, { dir: built.dir });

describe("mountUi", () => {
  it("serves index.html for /ui and every client route, never cached", async () => {
    for (const path of [
      "/ui",
      "/ui/",
      "/ui/rca/ev.with.dots%232",
      "/ui/resources/prod-eu%3Apod%3Ashop%3Acart",
      "/ui/search?q=x",
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(await res.text()).toContain("<title>kg-rca</title>");
    }
  });

  it("serves hashed assets with their type, a year of caching, and gzip when accepted", async () => {
    const plain = await app.request("/ui/assets/main-ABC123.js");
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(plain.headers.get("cache-control")).toContain("immutable");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(JS);

    const zipped = await app.request("/ui/assets/main-ABC123.js", {
      headers: { "accept-encoding": "gzip, br" },
    });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(zipped.headers.get("vary")).toBe("accept-encoding");
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe(JS);

    const css = await app.request("/ui/assets/main-ABC123.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers 404 for unknown assets and never leaves the folder", async () => {
    for (const path of [
      "/ui/assets/missing.js",
      "/ui/assets/..%2fsecret.txt",
      "/ui/assets/main-ABC123.exe",
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain("not an asset");
    }
    // A literal ../ is resolved by URL parsing before routing: it is a client route, not a file.
    for (const path of ["/ui/assets/../secret.txt", "/ui/assets/%2e%2e/secret.txt"]) {
      const dotted = await app.request(path);
      expect(await dotted.text()).toContain("<title>kg-rca</title>");
    }
  });

  it("says how to build the UI when it is missing", async () => {
    const bare = new Hono();
    mountUi(bare, { dir: empty.dir });
    const res = await bare.request("/ui/rca/x");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await res.text()).toContain("npm run build");
  });
});
