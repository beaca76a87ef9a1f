import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ProblemSchema } from "./schemas.js";

/** The OpenAPI entry of a problem+json error response. */
export const problemResponse = (description: string) => ({
  content: { "application/problem+json": { schema: ProblemSchema } },
  description,
});

/** The OpenAPI entry of a JSON response. */
export const jsonResponse = (schema: z.ZodType, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

type RouteConfig = Parameters<typeof createRoute>[0];

/**
 * Registers a documented route. Handlers return either the typed body or a problem response;
 * the typed-response generics of zod-openapi cannot express the latter, so the handler is
 * typed as a plain Hono handler here, in one place, and reads its validated input with `valid`.
 */
export function openapiRoute(
  app: OpenAPIHono,
  config: RouteConfig,
  handler: (c: Context) => Response | Promise<Response>,
): void {
  // biome-ignore lint/suspicious/noExplicitAny: see the function comment
  app.openapi(createRoute(config), handler as any);
}

/** The validated input of a request (validated by the route's zod schemas before the handler runs). */
export function valid<T>(c: Context, target: "json" | "query" | "param"): T {
  return (c.req as unknown as { valid: (t: string) => T }).valid(target);
}
