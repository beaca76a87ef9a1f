import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../api/index.js";
import { readScenario } from "../../bridge/replay/index.js";
import { waitIdle } from "../../cli/pipeline.js";
import type { WireMessage } from "../../rca/normalize.js";
import { testPipeline } from "../helpers.js";

describe("REST API through app.request()", () => {
  let p: Awaited<ReturnType<typeof testPipeline>>;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    p = await testPipeline("api");
    const { rt } = p;
    app = createApp({
      store: rt.store,
      queues: rt.queues,
      metrics: rt.metrics,
      logger: rt.logger,
      rules: rt.rules,
      rca: rt.config.rca,
      api: rt.config.api,
    });
    const demo = readScenario(new URL("../../scenarios/demo/demo-checkout-oomkill.json", import.meta.url).pathname);
    await rt.queues.enqueueMessages(demo.messages as WireMessage[], "replay");
    await waitIdle(rt.queues, 60_000);
  });
  afterAll(async () => p?.close());

  const post = (path: string, body: unknown) =>
    app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("answers POST /api/v1/rca with ranked causes", async () => {
    const res = await post("/api/v1/rca", { event_id: "demo-alert-checkout-5xx", min_confidence: 0.1 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { event: { event_id: string }; potential_causes: Array<Record<string, unknown>>; blast_radius: unknown[]; timeline: unknown[] };
    expect(body.event.event_id).toBe("demo-alert-checkout-5xx");
    const top = body.potential_causes[0]!;
    expect(top).toMatchObject({ reason: "OOMKilled", subject: { kind: "Pod", name: "cart-7d9f8-x2k4p" } });
    for (const k of ["confidence", "temporal_score", "distance_score", "domain_score", "hops", "explanation", "evidence"]) expect(top).toHaveProperty(k);
    expect(body.blast_radius.length).toBeGreaterThan(0);
    expect(body.timeline.length).toBeGreaterThan(0);
    const get = await app.request("/api/v1/rca/demo-alert-checkout-5xx?min_confidence=0.1");
    expect(await get.json()).toEqual(body);
  });

  it("returns 404 problem JSON for an unknown event and 400 naming the field", async () => {
    const nf = await post("/api/v1/rca", { event_id: "nope" });
    expect(nf.status).toBe(404);
    expect(nf.headers.get("content-type")).toContain("application/problem+json");
    const bad = await post("/api/v1/rca", { event_id: 7, min_confidence: "high" });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { detail: string; errors: Array<{ path: string }> };
    expect(problem.errors.map((e) => e.path).sort()).toEqual(["event_id", "min_confidence"]);
    const malformed = await post("/api/v1/rca", "{not json");
    expect(malformed.status).toBe(400);
  });

  it("accepts the seed's update format and makes it queryable", async () => {
    const res = await post("/api/v1/updates", {
      timestamp: "2025-10-08T11:00:00Z",
      resources: [{ action: "CREATE", kind: "Pod", uid: "u-api-1", name: "api-1", namespace: "demo", labels: { app: "api" }, status: { phase: "Running" } }],
      events: [
        { action: "CREATE", event_id: "api-e1", event_time: "2025-10-08T11:00:05Z", severity: "FATAL", reason: "OOMKilled", message: "OOM", subject_uid: "u-api-1" },
        { action: "CREATE", event_id: "api-e2", event_time: "2025-10-08T11:00:20Z", severity: "ERROR", reason: "CrashLoopBackOff", message: "crash", subject_uid: "u-api-1" },
      ],
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(3);
    await waitIdle(p.rt.queues, 30_000);
    const rca = await post("/api/v1/rca", { event_id: "api-e2", min_confidence: 0.5 });
    const body = (await rca.json()) as { potential_causes: Array<{ event_id: string; hops: number }> };
    expect(body.potential_causes[0]).toMatchObject({ event_id: "api-e1", hops: 0 });
  });

  it("serves graph stats, health, readiness, metrics and the OpenAPI document", async () => {
    const stats = (await (await app.request("/api/v1/graph/stats")).json()) as Record<string, unknown>;
    for (const k of ["resources", "episodic_events", "incidents", "edges", "oldest_event", "newest_event"]) expect(stats).toHaveProperty(k);
    expect(stats.episodic_events as number).toBeGreaterThan(10);
    expect((await app.request("/healthz")).status).toBe(200);
    expect((await app.request("/readyz")).status).toBe(200);
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain("kg_messages_processed_total");
    const doc = (await (await app.request("/openapi.json")).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/v1/rca");
  });
});
