import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context, Hono } from "hono";
import { problem } from "../problem.js";

/** Where the UI is served from; the client router, the build and the API share it. */
export const UI_BASE_PATH = "/ui";

export interface UiOptions {
  /** Directory holding the built UI (`index.html` + `assets/`); defaults to `dist/ui`. */
  readonly dir?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  map: "application/json; charset=utf-8",
  json: "application/json; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  woff2: "font/woff2",
};

// The shell holds no data (that comes from /api/v1, behind the API's auth), so it can be public;
// the policy still keeps it to its own origin: no CDN, nothing injected, not framable.
const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** Asset names the build emits; anything else under /ui/assets is a 404, so paths never leave the folder. */
const ASSET_NAME = /^assets\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The built UI next to the compiled module (dist/api/ui/*.js -> dist/ui), or dist/ui when the
 * server runs from source (api/ui/*.ts via tsx), where ../../ui would be the UI's sources.
 */
export function defaultUiDir(): string {
  const candidates = [
    fileURLToPath(new URL("../../ui/", import.meta.url)),
    fileURLToPath(new URL("../../dist/ui/", import.meta.url)),
  ];
  return candidates.find((d) => existsSync(join(d, "index.html"))) ?? candidates[0]!;
}

/**
 * Serves the RCA explorer: `/ui/assets/*` are the bundled, content-hashed files (cached for a
 * year, gzip when the browser takes it); every other `/ui` path is a client route and gets
 * `index.html` (never cached, so a new build is picked up at once).
 */
// biome-ignore lint/suspicious/noExplicitAny: mounts on any Hono app, whatever its env and schema
export function mountUi(app: Hono<any, any, any>, opts: UiOptions = {}): void {
  const dir = resolve(opts.dir ?? defaultUiDir());

  const sendIndex = async (c: Context) => {
    const html = await readFile(join(dir, "index.html")).catch(() => undefined);
    if (!html) return problem(c, 503, "the web UI is not built; run `npm run build` (it runs ui/build.mjs)");
    return c.body(html, 200, {
      "content-type": CONTENT_TYPES.html!,
      "cache-control": "no-cache",
      ...SECURITY_HEADERS,
    });
  };

  const sendAsset = async (c: Context, rel: string) => {
    const ext = rel.slice(rel.lastIndexOf(".") + 1);
    const type = CONTENT_TYPES[ext];
    if (!type) return problem(c, 404, `no UI asset ${rel.slice(0, 200)}`);
    const file = join(dir, rel);
    const gzip = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
    const zipped = gzip ? await readFile(`${file}.gz`).catch(() => undefined) : undefined;
    const body = zipped ?? (await readFile(file).catch(() => undefined));
    if (!body) return problem(c, 404, `no UI asset ${rel.slice(0, 200)}`);
    return c.body(body, 200, {
      "content-type": type,
      // Names carry a content hash: a changed file is a new URL.
      "cache-control": "public, max-age=31536000, immutable",
      vary: "accept-encoding",
      ...(zipped ? { "content-encoding": "gzip" } : {}),
      ...SECURITY_HEADERS,
    });
  };

  app.get(UI_BASE_PATH, sendIndex);
  app.get(`${UI_BASE_PATH}/*`, async (c) => {
    const rel = c.req.path.slice(UI_BASE_PATH.length + 1);
    if (rel.startsWith("assets/")) {
      return ASSET_NAME.test(rel) && !rel.includes("..")
        ? sendAsset(c, rel)
        : problem(c, 404, `no UI asset ${rel.slice(0, 200)}`);
    }
    return sendIndex(c);
  });
}
