import type { OpenAPIHono, z } from "@hono/zod-openapi";
import type { DeadLetterJob } from "../../queues/index.js";
import { listDeadLetters, redrive } from "../dead-letter.js";
import type { AppDeps } from "../deps.js";
import { jsonResponse, openapiRoute, problemResponse, valid } from "../route.js";
import { DeadLetterPage, PageQuery, RedriveRequest, RedriveResponse } from "../schemas.js";
import { deadLetterView } from "../views.js";

/** The dead-letter queue: what could not be processed, why, and putting it back. */
export function registerDeadLetterRoutes(app: OpenAPIHono, deps: AppDeps): void {
  openapiRoute(
    app,
    {
      method: "get",
      path: "/api/v1/dead-letter",
      tags: ["operations"],
      summary: "Dead-lettered messages and jobs, newest first, with the reason each failed",
      request: { query: PageQuery },
      responses: {
        200: jsonResponse(DeadLetterPage, "A page of dead-letter entries"),
        400: problemResponse("Invalid query"),
        401: problemResponse("No or unknown API key"),
      },
    },
    async (c) => {
      const q = valid<z.infer<typeof PageQuery>>(c, "query");
      const offset = q.offset ?? 0;
      const limit = Math.min(q.limit ?? 20, 100);
      const { items, total } = await listDeadLetters(deps.queues, offset, limit);
      return c.json(
        { items: items.map((i) => deadLetterView(i.id, i.data as DeadLetterJob)), total, offset, limit },
        200,
      );
    },
  );

  openapiRoute(
    app,
    {
      method: "post",
      path: "/api/v1/dead-letter/redrive",
      tags: ["operations"],
      summary: "Put dead-lettered messages back into their queue (`{ids: [...]}` or `{all: true}`)",
      description:
        "Each entry's original message (ingest) or job data goes back into the queue it failed in; " +
        "the entry is removed once re-enqueued. `all` re-drives at most 10000 entries per call.",
      request: { body: { content: { "application/json": { schema: RedriveRequest } }, required: true } },
      responses: {
        200: jsonResponse(RedriveResponse, "What was re-driven"),
        400: problemResponse("Invalid request"),
        401: problemResponse("No or unknown API key"),
        403: problemResponse("The key has no write scope"),
      },
    },
    async (c) => {
      const body = valid<z.infer<typeof RedriveRequest>>(c, "json");
      const result = await redrive(deps.queues, body.all ? "all" : (body.ids ?? []));
      deps.logger.info(
        { redriven: result.redriven, failed: result.failed.length, missing: result.missing.length },
        "dead-letter re-drive",
      );
      return c.json(result, 200);
    },
  );
}
