import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { StoreUnavailableError } from "../graph/index.js";
import { apiKeyAuth } from "./auth.js";
import { BULL_BOARD_PATH, mountBullBoard } from "./bull-board.js";
import type { AppDeps } from "./deps.js";
import { mountDocs } from "./docs.js";
import { problem } from "./problem.js";
import { registerDeadLetterRoutes } from "./routes/dead-letter.js";
import { registerGraphRoutes } from "./routes/graph.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerIncidentRoutes } from "./routes/incidents.js";
import { registerIngestRoutes } from "./routes/ingest.js";
import { registerRcaRoutes } from "./routes/rca.js";
import { mountUi } from "./ui/index.js";

export type { ApiKey, AppDeps } from "./deps.js";

/**
 * Builds the HTTP app; it never listens (the CLI serves it, tests call `app.request`).
 *
 * Surface: `/api/v1/*` (documented at `/openapi.json`, browsable at `/docs`), Bull Board at
 * `/admin/queues`, and `/healthz`, `/readyz`, `/metrics`. Every error is `application/problem+json`.
 */
export function createApp(deps: AppDeps) {
  const keys = deps.api.keys ?? [];
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const errors = result.error.issues.map((i) => ({
          path: i.path.join(".") || "(body)",
          message: i.message,
        }));
        return problem(
          c,
          400,
          `invalid request: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`.slice(0, 2000),
          errors,
        );
      }
    },
  });

  app.use("*", async (c, next) => {
    const start = performance.now();
    await next();
    const route = c.req.routePath || "unmatched";
    deps.metrics.httpDuration.observe(
      { method: c.req.method, route, status: String(c.res.status) },
      (performance.now() - start) / 1000,
    );
  });
  if (deps.api.corsOrigins.length) {
    app.use(
      "/api/*",
      cors({
        origin: [...deps.api.corsOrigins],
        allowHeaders: ["Authorization", "Content-Type"],
        exposeHeaders: ["Content-Type"],
      }),
    );
  }
  if (keys.length === 0) {
    deps.logger.warn(
      "no API keys configured (KG_API_KEYS): the API and Bull Board are open to anyone who can reach them",
    );
  }
  app.use("/api/*", apiKeyAuth(keys, "api"));
  app.use(`${BULL_BOARD_PATH}/*`, apiKeyAuth(keys, "admin"));
  app.use(BULL_BOARD_PATH, apiKeyAuth(keys, "admin"));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: deps.api.maxBodyBytes,
      onError: (c) => problem(c, 413, `request body is larger than ${deps.api.maxBodyBytes} bytes`),
    }),
  );

  app.onError((err, c) => {
    if (err instanceof StoreUnavailableError)
      return problem(c, 503, "graph store unavailable; retry shortly");
    if (err instanceof SyntaxError || /JSON/i.test(err.message))
      return problem(c, 400, "malformed JSON body");
    if (err instanceof HTTPException && err.status < 500) {
      return problem(c, err.status as ContentfulStatusCode, err.message || "request rejected");
    }
    deps.logger.error({ err: err.message, path: c.req.path }, "request failed");
    return problem(c, 500, "internal error");
  });
  app.notFound((c) => problem(c, 404, `no route for ${c.req.method} ${c.req.path}`));

  registerHealthRoutes(app, deps);
  registerRcaRoutes(app, deps);
  registerIngestRoutes(app, deps);
  registerGraphRoutes(app, deps);
  registerIncidentRoutes(app, deps);
  registerDeadLetterRoutes(app, deps);
  if (deps.bullBoard !== false) mountBullBoard(app, deps.queues);
  mountDocs(app);
  // UI mount: the web UI (api/ui/, issue 9) mounts its routes under /ui here, in one line.
  mountUi(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key from KG_API_KEYS (read scope for queries, write scope for sending data)",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "kg-rca API",
      version: "0.1.0",
      description:
        "Root cause analysis over a Kubernetes knowledge graph. Errors are application/problem+json " +
        "(RFC 9457). When API keys are configured, send `Authorization: Bearer <key>`.",
    },
    security: keys.length ? [{ apiKey: [] }] : [],
    tags: [
      { name: "rca", description: "Root causes of an event" },
      { name: "ingest", description: "Sending data in (write scope)" },
      { name: "graph", description: "Resources and topology" },
      { name: "incidents", description: "Incidents, events, anomalies" },
      { name: "operations", description: "Dead-letter queue" },
    ],
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
