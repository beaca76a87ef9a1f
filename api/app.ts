import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { GraphStore } from "../graph/index.js";
import { StoreUnavailableError } from "../graph/index.js";
import type { Queues } from "../queues/index.js";
import { analyze } from "../rca/analyze.js";
import type { RuleSet } from "../rca/rules.js";
import type { Logger, Metrics } from "../telemetry/index.js";
import { problem } from "./problem.js";
import {
  Accepted,
  GraphStatsSchema,
  ProblemSchema,
  RcaQuery,
  RcaRequest,
  RcaResponse,
  UpdatesRequest,
} from "./schemas.js";
import { updatesToMessages } from "./updates.js";
import { rcaView } from "./views.js";

export interface AppDeps {
  readonly store: GraphStore;
  readonly queues: Queues;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly rules: RuleSet;
  readonly rca: { readonly windowMs: number; readonly maxHops: number };
  readonly api: {
    readonly maxBodyBytes: number;
    readonly maxBatch: number;
    readonly corsOrigins: readonly string[];
  };
  /** Extra readiness checks (e.g. Redis); each throws when not ready. */
  readonly readiness?: ReadonlyArray<() => Promise<void>>;
}

const problemResponse = (description: string) => ({
  content: { "application/problem+json": { schema: ProblemSchema } },
  description,
});

/** Builds the HTTP app; it never listens (the CLI serves it, tests call `app.request`). */
export function createApp(deps: AppDeps) {
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
  if (deps.api.corsOrigins.length) app.use("/api/*", cors({ origin: [...deps.api.corsOrigins] }));
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
    deps.logger.error({ err: err.message, path: c.req.path }, "request failed");
    return problem(c, 500, "internal error");
  });
  app.notFound((c) => problem(c, 404, `no route for ${c.req.method} ${c.req.path}`));

  // ---------------------------------------------------------------- health and metrics
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await deps.store.ping();
      for (const check of deps.readiness ?? []) await check();
      return c.json({ status: "ready" });
    } catch (err) {
      return problem(c, 503, `not ready: ${(err as Error).message}`);
    }
  });
  app.get("/metrics", async (c) => {
    await refreshQueueGauges(deps).catch(() => {});
    return c.body(await deps.metrics.render(), 200, { "content-type": deps.metrics.registry.contentType });
  });

  // ---------------------------------------------------------------- RCA
  const runRca = async (c: Context, eventId: string, q: z.infer<typeof RcaQuery>) => {
    const end = deps.metrics.rcaQueryDuration.startTimer();
    const analysis = await analyze(deps.store, eventId, {
      windowMs: q.time_window_minutes ? q.time_window_minutes * 60_000 : deps.rca.windowMs,
      maxHops: q.max_hops ?? deps.rca.maxHops,
      minConfidence: q.min_confidence ?? 0,
      limit: q.limit ?? 10,
      rules: deps.rules,
    });
    end();
    if (!analysis) return problem(c, 404, `event "${eventId.slice(0, 200)}" not found`);
    const incident = analysis.effect.incidentId
      ? await deps.store.getIncident(analysis.effect.incidentId)
      : undefined;
    return c.json(rcaView(analysis, incident), 200);
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/rca",
      summary: "Rank the root causes of an event",
      request: { body: { content: { "application/json": { schema: RcaRequest } }, required: true } },
      responses: {
        200: { content: { "application/json": { schema: RcaResponse } }, description: "Ranked causes" },
        400: problemResponse("Invalid request"),
        404: problemResponse("Unknown event"),
      },
    }),
    // biome-ignore lint/suspicious/noExplicitAny: the handler returns either the typed body or a problem response
    (async (c: Context) => {
      const body = (c.req as unknown as { valid: (t: "json") => z.infer<typeof RcaRequest> }).valid("json");
      return runRca(c, body.event_id, body);
    }) as any,
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/rca/{event_id}",
      summary: "Rank the root causes of an event (GET form)",
      request: { params: z.object({ event_id: z.string().min(1).max(512) }), query: RcaQuery },
      responses: {
        200: { content: { "application/json": { schema: RcaResponse } }, description: "Ranked causes" },
        400: problemResponse("Invalid request"),
        404: problemResponse("Unknown event"),
      },
    }),
    // biome-ignore lint/suspicious/noExplicitAny: see above
    (async (c: Context) => {
      const v = c.req as unknown as { valid: (t: "param" | "query") => Record<string, unknown> };
      return runRca(c, String(v.valid("param").event_id), v.valid("query") as z.infer<typeof RcaQuery>);
    }) as any,
  );

  // ---------------------------------------------------------------- updates
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/updates",
      summary: "Send resources, edges and events (the seed's update format); processed asynchronously",
      request: { body: { content: { "application/json": { schema: UpdatesRequest } }, required: true } },
      responses: {
        202: { content: { "application/json": { schema: Accepted } }, description: "Queued for ingest" },
        400: problemResponse("Invalid request"),
        413: problemResponse("Too large"),
      },
    }),
    // biome-ignore lint/suspicious/noExplicitAny: see above
    (async (c: Context) => {
      const body = (c.req as unknown as { valid: (t: "json") => z.infer<typeof UpdatesRequest> }).valid(
        "json",
      );
      const messages = updatesToMessages(body);
      if (messages.length > deps.api.maxBatch) {
        return problem(
          c,
          400,
          `too many items: ${messages.length} (at most ${deps.api.maxBatch} per request)`,
        );
      }
      const jobIds = await deps.queues.enqueueMessages(messages, "api");
      return c.json({ accepted: messages.length, job_ids: jobIds }, 202);
    }) as any,
  );

  // ---------------------------------------------------------------- graph
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/graph/stats",
      summary: "Counts of resources, events, edges, incidents",
      responses: {
        200: {
          content: { "application/json": { schema: GraphStatsSchema } },
          description: "Graph statistics",
        },
      },
    }),
    async (c) => c.json(await deps.store.stats(), 200),
  );

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "kg-rca API",
      version: "0.1.0",
      description: "Root cause analysis over a Kubernetes knowledge graph",
    },
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

async function refreshQueueGauges(deps: AppDeps) {
  const counts = await deps.queues.counts();
  for (const [queue, states] of Object.entries(counts)) {
    for (const [state, n] of Object.entries(states)) deps.metrics.queueJobs.set({ queue, state }, n);
  }
}
