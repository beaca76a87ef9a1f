import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { ALL_QUEUES, DEAD_LETTER, type Queues } from "../queues/index.js";
import { problem } from "./problem.js";

/** Where Bull Board lives. */
export const BULL_BOARD_PATH = "/admin/queues";

/**
 * Bull Board for every queue, dead-letter included. The dead-letter queue is read-only there:
 * its entries are re-driven through `POST /api/v1/dead-letter/redrive`, which puts the original
 * message back into its own queue (retrying a dead-letter job in place would do nothing).
 */
export function mountBullBoard(app: OpenAPIHono, queues: Queues): void {
  const serverAdapter = new HonoAdapter(serveStatic);
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: ALL_QUEUES.map(
      (name) =>
        // biome-ignore lint/suspicious/noExplicitAny: bull-board is typed against its own bullmq copy
        new BullMQAdapter(queues.get(name) as any, {
          readOnlyMode: name === DEAD_LETTER,
          description: name === DEAD_LETTER ? "failed for good; re-drive via the API" : undefined,
        }),
    ),
    // The hono adapter is typed against its own nested copy of @bull-board/api; same interface.
    serverAdapter: serverAdapter as never,
    options: { uiConfig: { boardTitle: "kg-rca queues" } },
  });
  // Bull Board decodes its validation messages by splitting them at NUL characters and parsing
  // the rest as JSON; a message that quotes a NUL the request sent (a queue name, a status, a
  // field) made it answer 500 (found by tests/fuzz). Such requests are refused first.
  app.use(`${BULL_BOARD_PATH}/api/*`, async (c, next) => {
    let target = c.req.url;
    try {
      target = decodeURIComponent(target);
    } catch {
      // malformed escapes: Bull Board answers those itself
    }
    const body = c.req.method === "GET" || c.req.method === "HEAD" ? "" : await c.req.text();
    if (target.includes("\u0000") || body.includes("\u0000") || /\\u0000/i.test(body))
      return problem(c, 400, "NUL characters are not accepted in queue requests");
    await next();
  });
  app.route(BULL_BOARD_PATH, serverAdapter.registerPlugin());
}
