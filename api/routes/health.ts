import type { OpenAPIHono } from "@hono/zod-openapi";
import { Gauge } from "prom-client";
import type { AppDeps } from "../deps.js";
import { problem } from "../problem.js";

/** Liveness, readiness and Prometheus metrics: open to probes and scrapers, never behind a key. */
export function registerHealthRoutes(app: OpenAPIHono, deps: AppDeps): void {
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
    // Queue gauges are read at scrape time, so they are as fresh as the scrape.
    await refreshQueueGauges(deps).catch((err: Error) =>
      deps.logger.warn({ err: err.message }, "could not read queue counts for /metrics"),
    );
    await refreshGraphGauge(deps).catch((err: Error) =>
      deps.logger.warn({ err: err.message }, "could not read graph counts for /metrics"),
    );
    return c.body(await deps.metrics.render(), 200, { "content-type": deps.metrics.registry.contentType });
  });
}

async function refreshQueueGauges(deps: AppDeps): Promise<void> {
  const counts = await deps.queues.counts();
  for (const [queue, states] of Object.entries(counts)) {
    for (const [state, n] of Object.entries(states)) deps.metrics.queueJobs.set({ queue, state }, n);
  }
}

/**
 * `kg_graph_objects{type}`: what the graph store holds (resources, events, incidents, edges,
 * cause links, anomalies), read at scrape time like the queue gauges. Only the API exports it, so
 * a scrape of N workers does not cost N store scans. Registered once per registry (several apps
 * may share one `Metrics` in tests and in `kgrca start`).
 */
function graphGauge(deps: AppDeps): Gauge<"type"> {
  const existing = deps.metrics.registry.getSingleMetric("kg_graph_objects");
  if (existing) return existing as Gauge<"type">;
  return new Gauge({
    name: "kg_graph_objects",
    help: "Objects in the graph store by type (resources, events, incidents, edges, cause_links, anomalies)",
    labelNames: ["type"],
    registers: [deps.metrics.registry],
  });
}

async function refreshGraphGauge(deps: AppDeps): Promise<void> {
  const g = graphGauge(deps);
  const s = await deps.store.counts();
  g.set({ type: "resources" }, s.resources);
  g.set({ type: "events" }, s.episodic_events);
  g.set({ type: "incidents" }, s.incidents);
  g.set({ type: "edges" }, s.edges);
  g.set({ type: "cause_links" }, s.cause_links);
  g.set({ type: "anomalies" }, s.anomalies);
}
