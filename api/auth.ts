import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { ApiKey } from "./deps.js";
import { problem } from "./problem.js";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/**
 * The scope of a presented key, or undefined. Both sides are hashed first so the comparison is
 * over equal-length digests (timingSafeEqual requires it, and the key length does not leak),
 * and every configured key is compared, so the time does not depend on which one matched.
 */
export function keyScope(presented: string, keys: readonly ApiKey[]): ApiKey["scope"] | undefined {
  const p = digest(presented);
  let scope: ApiKey["scope"] | undefined;
  for (const k of keys) {
    if (timingSafeEqual(p, digest(k.key)) && scope !== "write") scope = k.scope;
  }
  return scope;
}

/** The key in `Authorization: Bearer <key>`, or in Basic auth's password (so browsers can open Bull Board). */
export function presentedKey(c: Context, allowBasic: boolean): string | undefined {
  const h = c.req.header("authorization") ?? "";
  const bearer = /^Bearer\s+(.+)$/i.exec(h);
  if (bearer) return bearer[1]!.trim();
  if (allowBasic) {
    const basic = /^Basic\s+(.+)$/i.exec(h);
    if (basic) {
      const decoded = Buffer.from(basic[1]!.trim(), "base64").toString("utf8");
      const i = decoded.indexOf(":");
      return i >= 0 ? decoded.slice(i + 1) : decoded;
    }
  }
  return undefined;
}

/** Requests that change state; everything else (including POST /api/v1/rca, a query) is a read. */
export const WRITE_ROUTES: ReadonlyArray<RegExp> = [
  /^\/api\/v1\/updates(\/batch)?\/?$/,
  /^\/api\/v1\/alerts\/alertmanager\/?$/,
  /^\/api\/v1\/dead-letter\/redrive\/?$/,
];

const isSafeMethod = (m: string) => m === "GET" || m === "HEAD" || m === "OPTIONS";

/**
 * API key authentication, active only when keys are configured: reads need any key, writes a
 * `write` key. Bull Board (mounted under `/admin`) takes a key too, as Bearer or as the Basic
 * password; its actions (retry, remove, ...) need a write key. Health, readiness and metrics are
 * not behind this middleware (probes and Prometheus scrape without credentials).
 */
export function apiKeyAuth(keys: readonly ApiKey[], area: "api" | "admin"): MiddlewareHandler {
  return async (c, next) => {
    if (keys.length === 0 || c.req.method === "OPTIONS") return next();
    const presented = presentedKey(c, area === "admin");
    const scope = presented ? keyScope(presented, keys) : undefined;
    if (!scope) {
      const res = problem(
        c,
        401,
        presented ? "invalid API key" : "an API key is required (Authorization: Bearer <key>)",
      );
      res.headers.set(
        "www-authenticate",
        area === "admin" ? 'Basic realm="kg-rca admin", charset="UTF-8"' : 'Bearer realm="kg-rca"',
      );
      return res;
    }
    const write =
      area === "admin" ? !isSafeMethod(c.req.method) : WRITE_ROUTES.some((r) => r.test(c.req.path));
    if (write && scope !== "write") return problem(c, 403, "this request needs a key with write scope");
    return next();
  };
}
