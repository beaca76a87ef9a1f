import type { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { WireMessage } from "../../rca/normalize.js";
import { alertmanagerToMessages } from "../alertmanager.js";
import type { AppDeps } from "../deps.js";
import { problem } from "../problem.js";
import { jsonResponse, openapiRoute, problemResponse, valid } from "../route.js";
import { Accepted, AlertmanagerWebhook, UpdatesBatchRequest, UpdatesRequest } from "../schemas.js";
import { updatesToMessages } from "../updates.js";

const writeResponses = {
  202: jsonResponse(Accepted, "Queued for ingest"),
  400: problemResponse("Invalid request (the problem's errors name each bad field)"),
  401: problemResponse("No or unknown API key"),
  403: problemResponse("The key has no write scope"),
  413: problemResponse("Body larger than KG_MAX_BODY_BYTES"),
};

/** Everything that sends data in: updates, batches of updates, Alertmanager's webhook. */
export function registerIngestRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const enqueue = async (c: Context, messages: WireMessage[]) => {
    if (messages.length > deps.api.maxBatch) {
      return problem(c, 400, `too many items: ${messages.length} (at most ${deps.api.maxBatch} per request)`);
    }
    const jobIds = await deps.queues.enqueueMessages(messages, "api");
    return c.json({ accepted: messages.length, job_ids: jobIds }, 202);
  };

  openapiRoute(
    app,
    {
      method: "post",
      path: "/api/v1/updates",
      tags: ["ingest"],
      summary: "Send resources, edges and events (the seed's update format); processed asynchronously",
      request: { body: { content: { "application/json": { schema: UpdatesRequest } }, required: true } },
      responses: writeResponses,
    },
    (c) => enqueue(c, updatesToMessages(valid<z.infer<typeof UpdatesRequest>>(c, "json"))),
  );

  openapiRoute(
    app,
    {
      method: "post",
      path: "/api/v1/updates/batch",
      tags: ["ingest"],
      summary: `Send several update bodies at once (at most KG_MAX_BATCH bodies and items in total)`,
      request: {
        body: {
          content: { "application/json": { schema: UpdatesBatchRequest(deps.api.maxBatch) } },
          required: true,
        },
      },
      responses: writeResponses,
    },
    (c) =>
      enqueue(
        c,
        valid<Array<z.infer<typeof UpdatesRequest>>>(c, "json").flatMap((b) => updatesToMessages(b)),
      ),
  );

  openapiRoute(
    app,
    {
      method: "post",
      path: "/api/v1/alerts/alertmanager",
      tags: ["ingest"],
      summary: "Alertmanager webhook receiver (payload version 4, as Alertmanager sends it)",
      description:
        "Add a webhook receiver with `url: http://<kg-rca>/api/v1/alerts/alertmanager` (and, when API keys " +
        "are configured, `http_config.authorization.credentials: <write key>`). Each alert becomes a " +
        "`prom.alert` event: reason = alertname, subject from the pod/deployment/node/... labels.",
      request: {
        body: { content: { "application/json": { schema: AlertmanagerWebhook } }, required: true },
      },
      responses: writeResponses,
    },
    (c) => enqueue(c, alertmanagerToMessages(valid<z.infer<typeof AlertmanagerWebhook>>(c, "json"))),
  );
}
