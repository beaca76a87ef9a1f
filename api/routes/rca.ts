import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { analyze } from "../../rca/analyze.js";
import type { AppDeps } from "../deps.js";
import { problem } from "../problem.js";
import { jsonResponse, openapiRoute, problemResponse, valid } from "../route.js";
import { RcaQuery, RcaRequest, RcaResponse } from "../schemas.js";
import { rcaView } from "../views.js";

/** `POST /api/v1/rca` and `GET /api/v1/rca/{event_id}`: ranked causes of one event. */
export function registerRcaRoutes(app: OpenAPIHono, deps: AppDeps): void {
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

  openapiRoute(
    app,
    {
      method: "post",
      path: "/api/v1/rca",
      tags: ["rca"],
      summary: "Rank the root causes of an event",
      request: { body: { content: { "application/json": { schema: RcaRequest } }, required: true } },
      responses: {
        200: jsonResponse(RcaResponse, "Ranked causes"),
        400: problemResponse("Invalid request"),
        404: problemResponse("Unknown event"),
      },
    },
    (c) => {
      const body = valid<z.infer<typeof RcaRequest>>(c, "json");
      return runRca(c, body.event_id, body);
    },
  );

  openapiRoute(
    app,
    {
      method: "get",
      path: "/api/v1/rca/{event_id}",
      tags: ["rca"],
      summary: "Rank the root causes of an event (GET form)",
      request: { params: z.object({ event_id: z.string().min(1).max(512) }), query: RcaQuery },
      responses: {
        200: jsonResponse(RcaResponse, "Ranked causes"),
        400: problemResponse("Invalid request"),
        404: problemResponse("Unknown event"),
      },
    },
    (c) =>
      runRca(
        c,
        valid<{ event_id: string }>(c, "param").event_id,
        valid<z.infer<typeof RcaQuery>>(c, "query"),
      ),
  );
}
