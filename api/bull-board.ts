import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { ALL_QUEUES, DEAD_LETTER, type Queues } from "../queues/index.js";

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
  app.route(BULL_BOARD_PATH, serverAdapter.registerPlugin());
}
