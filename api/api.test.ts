import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitIdle } from "../cli/pipeline.js";
import type { Runtime } from "../cli/runtime.js";
import { Queues } from "../queues/index.js";
import { testPipeline } from "../tests/helpers.js";
import { incidentMessages } from "../tests/ops/fixture.js";
import { type App, createApp } from "./index.js";

const CLUSTER = "api-test";
const POD = `${CLUSTER}:pod:shop:cart-7d9f8-x2k4p`;

let pipeline: Awaited<ReturnType<typeof testPipeline>>;
let rt: Runtime;
let app: App;

const appFor = (r: Runtime, api: Partial<Runtime["config"]["api"]> = {}) =>
  createApp({
    store: r.store,
    queues: r.queues,
    metrics: r.metrics,
    logger: r.logger,
    rules: r.rules,
    rca: r.config.rca,
    api: { ...r.config.api, ...api },
  });

// biome-ignore lint/suspicious/noExplicitAny: test bodies are read loosely
const json = async (res: Response): Promise<any> => res.json();
const post = (a: App, path: string, body: unknown) =>
  a.request(path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

beforeAll(async () => {
  pipeline = await testPipeline("api");
  rt = pipeline.rt;
  app = appFor(rt, { maxBatch: 20 });
  await rt.queues.enqueueMessages(incidentMessages(CLUSTER), "api");
  await waitIdle(rt.queues, 30_000);
});

afterAll(async () => {
  await pipeline?.close();
});

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const body = await json(res);
  expect(body).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
  return body;
}

describe("health, metrics, docs", () => {
  it("serves /healthz, /readyz and /metrics", async () => {
    expect(await json(await app.request("/healthz"))).toEqual({ status: "ok" });
    expect(await json(await app.request("/readyz"))).toEqual({ status: "ready" });
    const m = await app.request("/metrics");
    expect(m.status).toBe(200);
    const text = await m.text();
    expect(text).toContain('kg_queue_jobs{queue="ingest",state="waiting"');
    expect(text).toContain("kg_http_request_duration_seconds_bucket");
    expect(text).toContain("process_cpu_seconds_total");
  });

  it("documents every route in OpenAPI 3.1", async () => {
    const doc = await json(await app.request("/openapi.json"));
    expect(doc.openapi).toBe("3.1.0");
    for (const p of [
      "/api/v1/rca",
      "/api/v1/rca/{event_id}",
      "/api/v1/updates",
      "/api/v1/updates/batch",
      "/api/v1/alerts/alertmanager",
      "/api/v1/graph/stats",
      "/api/v1/resources",
      "/api/v1/resources/{id}",
      "/api/v1/resources/{id}/topology",
      "/api/v1/incidents",
      "/api/v1/incidents/{id}",
      "/api/v1/events",
      "/api/v1/anomalies",
      "/api/v1/dead-letter",
      "/api/v1/dead-letter/redrive",
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(
      doc.paths["/api/v1/updates/batch"].post.requestBody.content["application/json"].schema,
    ).toBeDefined();
    expect(doc.components.schemas.IncidentPage).toBeDefined();
    expect(doc.components.schemas.AlertmanagerWebhook).toBeDefined();
    expect(doc.paths["/api/v1/events"].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        "cluster",
        "namespace",
        "resource_id",
        "reason",
        "severity",
        "etype",
        "since",
        "until",
        "incident_id",
        "offset",
        "limit",
      ]),
    );
  });

  it("serves Swagger UI from local files, with no CDN", async () => {
    const page = await app.request("/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const src of html.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)) {
      const asset = await app.request(src[1]!);
      expect(asset.status, src[1]).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, src[1]).toBeGreaterThan(100);
    }
    const bundle = await app.request("/docs/swagger-ui-bundle.js");
    expect(bundle.headers.get("content-type")).toContain("javascript");
    expect((await app.request("/docs/../package.json")).status).toBe(404);
  });
});

describe("errors", () => {
  it("answers unknown routes with a 404 problem", async () => {
    const body = await expectProblem(await app.request("/api/v1/nope"), 404);
    expect(body.detail).toContain("/api/v1/nope");
  });

  it("names the bad field in a 400", async () => {
    const body = await expectProblem(await post(app, "/api/v1/rca", { min_confidence: 3 }), 400);
    const paths = body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["event_id", "min_confidence"]));
  });

  it("answers malformed JSON with a 400 problem", async () => {
    const res = await app.request("/api/v1/updates", {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    await expectProblem(res, 400);
  });
});

describe("rca", () => {
  it("ranks OOMKilled first for the crash loop (POST and GET)", async () => {
    const a = await json(await post(app, "/api/v1/rca", { event_id: "fx-backoff" }));
    expect(a.event.event_id).toBe("fx-backoff");
    expect(a.potential_causes[0].event_id).toBe("fx-oom");
    expect(a.potential_causes[0].explanation).toContain("OOMKilled");
    expect(a.related_incident.incident_id).toBe("inc-fx-oom");
    const g = await json(await app.request("/api/v1/rca/fx-backoff?limit=1"));
    expect(g.potential_causes).toHaveLength(1);
    expect(g.potential_causes[0].event_id).toBe("fx-oom");
  });

  it("404s an unknown event", async () => {
    await expectProblem(await app.request("/api/v1/rca/does-not-exist"), 404);
  });
});

describe("graph", () => {
  it("counts the graph", async () => {
    const s = await json(await app.request("/api/v1/graph/stats"));
    expect(s.resources).toBeGreaterThanOrEqual(5);
    expect(s.clusters[CLUSTER].events).toBeGreaterThanOrEqual(3);
  });

  it("searches resources by kind, name substring, namespace, cluster, with pages", async () => {
    const pods = await json(await app.request(`/api/v1/resources?kind=pods&cluster=${CLUSTER}`));
    expect(pods.items.map((r: { id: string }) => r.id)).toEqual([POD]);
    const cart = await json(
      await app.request(`/api/v1/resources?name=cart&namespace=shop&cluster=${CLUSTER}`),
    );
    expect(cart.total).toBe(4);
    expect(cart.items[0]).toEqual({
      id: expect.any(String),
      cluster: CLUSTER,
      kind: expect.any(String),
      namespace: "shop",
      name: expect.stringContaining("cart"),
    });
    const page = await json(
      await app.request(`/api/v1/resources?name=cart&cluster=${CLUSTER}&limit=1&offset=1`),
    );
    expect(page).toMatchObject({ total: 4, offset: 1, limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0].id).toBe(cart.items[1].id);
    await expectProblem(await app.request("/api/v1/resources?limit=0"), 400);
  });

  it("returns one resource with its recent events", async () => {
    const r = await json(await app.request(`/api/v1/resources/${encodeURIComponent(POD)}`));
    expect(r.resource).toMatchObject({
      id: POD,
      kind: "Pod",
      namespace: "shop",
      uid: "p-1",
      labels: { app: "cart" },
      deleted: false,
    });
    expect(r.resource.props.image).toBe("shop/cart:1.4.2");
    expect(r.events.map((e: { event_id: string }) => e.event_id)).toEqual(
      expect.arrayContaining(["fx-oom", "fx-backoff", "fx-unhealthy"]),
    );
    // unescaped colons work too
    expect((await app.request(`/api/v1/resources/${POD}`)).status).toBe(200);
    await expectProblem(await app.request(`/api/v1/resources/${CLUSTER}:pod:shop:nope`), 404);
  });

  it("returns the topology around a resource", async () => {
    const t1 = await json(await app.request(`/api/v1/resources/${POD}/topology`));
    expect(t1.root).toBe(POD);
    const kinds = t1.nodes.map((n: { kind: string }) => n.kind).sort();
    expect(kinds).toEqual(["Namespace", "Node", "Pod", "ReplicaSet", "Service"]);
    const types = t1.edges.map((e: { type: string }) => e.type).sort();
    expect(types).toEqual(["CONTROLS", "IN_NAMESPACE", "RUNS_ON", "SELECTS"]);
    for (const e of t1.edges) {
      expect(e).toEqual({
        from: expect.any(String),
        to: expect.any(String),
        type: expect.any(String),
        origin: expect.stringMatching(/^(sent|derived|inferred)$/),
      });
    }
    const t2 = await json(await app.request(`/api/v1/resources/${POD}/topology?depth=2`));
    expect(t2.nodes.map((n: { kind: string }) => n.kind)).toContain("Deployment");
    const t0 = await json(await app.request(`/api/v1/resources/${POD}/topology?depth=0`));
    expect(t0).toEqual({ root: POD, nodes: [expect.objectContaining({ id: POD })], edges: [] });
    const bad = await expectProblem(await app.request(`/api/v1/resources/${POD}/topology?depth=99`), 400);
    expect(bad.errors[0].path).toBe("depth");
    await expectProblem(await app.request(`/api/v1/resources/${CLUSTER}:pod:shop:nope/topology`), 404);
  });
});

describe("incidents, events, anomalies", () => {
  it("lists incidents with their top cause, and filters them", async () => {
    const l = await json(await app.request(`/api/v1/incidents?cluster=${CLUSTER}`));
    expect(l).toMatchObject({ total: 1, offset: 0, limit: 50 });
    const inc = l.items[0];
    expect(inc).toMatchObject({
      incident_id: "inc-fx-oom",
      cluster: CLUSTER,
      severity: "FATAL",
      event_count: 2,
      resources: [POD],
      root_event_id: "fx-oom",
    });
    expect(inc.top_cause).toMatchObject({ event_id: "fx-oom", reason: "OOMKilled", resource: { id: POD } });
    expect(inc.top_cause.confidence).toBeGreaterThan(0.5);
    expect(inc.top_cause.explanation).toContain("OOMKilled");
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await json(await app.request(`/api/v1/incidents?since=${future}`))).total).toBe(0);
    expect(
      (await json(await app.request(`/api/v1/incidents?cluster=${CLUSTER}&namespace=shop&severity=error`)))
        .total,
    ).toBe(1);
    expect(
      (await json(await app.request(`/api/v1/incidents?cluster=${CLUSTER}&namespace=other`))).total,
    ).toBe(0);
    const bad = await expectProblem(await app.request("/api/v1/incidents?severity=LOUD"), 400);
    expect(bad.errors[0].path).toBe("severity");
  });

  it("returns one incident with its events", async () => {
    const r = await json(await app.request("/api/v1/incidents/inc-fx-oom"));
    expect(r.incident.incident_id).toBe("inc-fx-oom");
    expect(r.incident.top_cause.event_id).toBe("fx-oom");
    expect(r.events.map((e: { event_id: string }) => e.event_id)).toEqual(["fx-oom", "fx-backoff"]);
    await expectProblem(await app.request("/api/v1/incidents/inc-nope"), 404);
  });

  it("lists events with every filter", async () => {
    const all = await json(await app.request(`/api/v1/events?cluster=${CLUSTER}`));
    expect(all.total).toBeGreaterThanOrEqual(3);
    const q = async (s: string) => json(await app.request(`/api/v1/events?cluster=${CLUSTER}&${s}`));
    expect(
      (await q("severity=ERROR")).items.every((e: { severity: string }) =>
        ["ERROR", "FATAL"].includes(e.severity),
      ),
    ).toBe(true);
    expect((await q("reason=OOMKilled")).items.map((e: { event_id: string }) => e.event_id)).toEqual([
      "fx-oom",
    ]);
    expect((await q(`resource_id=${encodeURIComponent(POD)}&etype=k8s.event`)).total).toBeGreaterThanOrEqual(
      3,
    );
    expect((await q("incident_id=inc-fx-oom")).total).toBe(2);
    expect((await q("namespace=shop&limit=1")).items).toHaveLength(1);
    expect((await q(`until=${Date.now() - 3_600_000}`)).total).toBe(0);
    const bad = await expectProblem(await app.request("/api/v1/events?since=yesterday&etype=foo"), 400);
    expect(bad.errors.map((e: { path: string }) => e.path).sort()).toEqual(["etype", "since"]);
  });

  it("lists anomalies", async () => {
    const a = await json(await app.request(`/api/v1/anomalies?cluster=${CLUSTER}`));
    expect(a).toMatchObject({ items: expect.any(Array), total: expect.any(Number), offset: 0, limit: 50 });
    await expectProblem(await app.request("/api/v1/anomalies?type=meteor"), 400);
  });
});

describe("ingest", () => {
  it("accepts updates and batches of updates, bounded by KG_MAX_BATCH", async () => {
    const body = (n: number) => ({
      cluster: CLUSTER,
      resources: Array.from({ length: n }, (_, i) => ({
        kind: "ConfigMap",
        namespace: "shop",
        name: `cm-${i}`,
      })),
    });
    const one = await post(app, "/api/v1/updates", body(2));
    expect(one.status).toBe(202);
    expect(await json(one)).toMatchObject({ accepted: 2, job_ids: [expect.any(String)] });
    const batch = await post(app, "/api/v1/updates/batch", [body(3), body(4)]);
    expect(batch.status).toBe(202);
    expect((await json(batch)).accepted).toBe(7);
    await expectProblem(await post(app, "/api/v1/updates/batch", []), 400);
    await expectProblem(await post(app, "/api/v1/updates/batch", [body(15), body(15)]), 400);
    const tooMany = await expectProblem(
      await post(
        app,
        "/api/v1/updates/batch",
        Array.from({ length: 21 }, () => body(0)),
      ),
      400,
    );
    expect(tooMany.errors[0].path).toBe("(body)");
    const badItem = await expectProblem(
      await post(app, "/api/v1/updates/batch", [body(1), { resources: [{ name: "x" }] }]),
      400,
    );
    expect(badItem.errors[0].path).toBe("1.resources.0.kind");
    await waitIdle(rt.queues, 30_000);
    expect((await json(await app.request(`/api/v1/resources?kind=ConfigMap&cluster=${CLUSTER}`))).total).toBe(
      4,
    );
  });

  it("takes Alertmanager's webhook payload as is", async () => {
    const startsAt = new Date(Date.now() - 120_000).toISOString();
    const payload = {
      version: "4",
      groupKey: '{}:{alertname="KubePodCrashLooping"}',
      truncatedAlerts: 0,
      status: "firing",
      receiver: "kg-rca",
      groupLabels: { alertname: "KubePodCrashLooping" },
      commonLabels: { alertname: "KubePodCrashLooping", cluster: CLUSTER },
      commonAnnotations: {},
      externalURL: "http://alertmanager:9093",
      alerts: [
        {
          status: "firing",
          labels: {
            alertname: "KubePodCrashLooping",
            namespace: "shop",
            pod: "cart-7d9f8-x2k4p",
            severity: "critical",
          },
          annotations: { summary: "Pod shop/cart is crash looping" },
          startsAt,
          endsAt: "0001-01-01T00:00:00Z",
          generatorURL: "http://prometheus:9090/graph",
          fingerprint: "c0ffee12",
        },
        {
          status: "resolved",
          labels: { alertname: "KubeNodeNotReady", node: "node-1", severity: "warning" },
          annotations: { description: "node-1 was not ready" },
          startsAt,
          endsAt: new Date(Date.now() - 60_000).toISOString(),
          fingerprint: "beef",
        },
      ],
    };
    const res = await post(app, "/api/v1/alerts/alertmanager", payload);
    expect(res.status).toBe(202);
    expect((await json(res)).accepted).toBe(2);
    // Alertmanager re-sends the group on every interval: the same alerts, the same events.
    expect((await post(app, "/api/v1/alerts/alertmanager", payload)).status).toBe(202);
    await waitIdle(rt.queues, 30_000);
    const alerts = await json(await app.request(`/api/v1/events?cluster=${CLUSTER}&etype=prom.alert`));
    expect(alerts.total).toBe(2);
    const firing = alerts.items.find((e: { reason: string }) => e.reason === "KubePodCrashLooping");
    expect(firing).toMatchObject({
      event_id: `am-c0ffee12-${Date.parse(startsAt)}-firing`,
      severity: "ERROR",
      message: "Pod shop/cart is crash looping",
      resource: { id: POD },
    });
    const resolved = alerts.items.find((e: { reason: string }) => e.reason === "KubeNodeNotReady");
    expect(resolved).toMatchObject({ severity: "INFO", resource: { kind: "Node", name: "node-1" } });
    expect(Date.parse(resolved.event_time)).toBe(Date.parse(payload.alerts[1]!.endsAt));
    const bad = await expectProblem(
      await post(app, "/api/v1/alerts/alertmanager", { alerts: [{ status: "weird" }] }),
      400,
    );
    expect(bad.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(["alerts.0.status", "alerts.0.labels", "alerts.0.startsAt"]),
    );
  });
});

describe("dead letter", () => {
  it("lists dead-lettered messages with reasons and re-drives them by id or all", async () => {
    // A message the pipeline rejects (invalid kind), and one that failed elsewhere but is fine now.
    const bad = await post(app, "/api/v1/updates", {
      cluster: CLUSTER,
      events: [
        {
          event_id: "dl-bad",
          event_time: new Date().toISOString(),
          reason: "X",
          subject: { kind: "not a kind!", name: "x", ns: "shop" },
        },
      ],
    });
    expect(bad.status).toBe(202);
    await waitIdle(rt.queues, 30_000);
    const good = {
      topic: "events.normalized",
      key: "dl-good",
      value: {
        event_id: "dl-good",
        event_time: new Date().toISOString(),
        cluster: CLUSTER,
        reason: "Redriven",
        severity: "WARNING",
        subject: { kind: "Pod", ns: "shop", name: "cart-7d9f8-x2k4p" },
      },
    };
    await rt.queues.deadLetter(Queues.deadLetterForMessage(good, "graph store was down", "api"));
    await rt.queues.deadLetter({
      queue: "cluster",
      payload: { eventIds: ["fx-oom"] },
      reason: "lock lost",
      retryable: true,
      failedMs: Date.now(),
      attempts: 6,
    });

    const list = await json(await app.request("/api/v1/dead-letter"));
    expect(list).toMatchObject({ total: 3, offset: 0, limit: 20 });
    expect(list.items[0]).toMatchObject({
      queue: "cluster",
      reason: "lock lost",
      retryable: true,
      attempts: 6,
      payload: { eventIds: ["fx-oom"] },
    });
    const rejected = list.items.find((i: { reason: string }) => /kind/.test(i.reason));
    expect(rejected).toMatchObject({
      queue: "ingest",
      retryable: false,
      origin: { source: "api", topic: "events.normalized" },
    });
    expect(rejected.payload.value.event_id).toBe("dl-bad");
    const page = await json(await app.request("/api/v1/dead-letter?offset=1&limit=1"));
    expect(page.items.map((i: { id: string }) => i.id)).toEqual([list.items[1].id]);

    const goodEntry = list.items.find((i: { reason: string }) => i.reason === "graph store was down");
    const r1 = await json(
      await post(app, "/api/v1/dead-letter/redrive", { ids: [goodEntry.id, "no-such-id"] }),
    );
    expect(r1).toMatchObject({
      redriven: 1,
      ids: [goodEntry.id],
      missing: ["no-such-id"],
      failed: [],
      remaining: 2,
    });
    await waitIdle(rt.queues, 30_000);
    expect((await json(await app.request("/api/v1/rca/dl-good"))).event.reason).toBe("Redriven");

    await expectProblem(await post(app, "/api/v1/dead-letter/redrive", {}), 400);
    const r2 = await json(await post(app, "/api/v1/dead-letter/redrive", { all: true }));
    expect(r2.redriven).toBe(2);
    await waitIdle(rt.queues, 30_000);
    // The invalid message fails again and is back, once; the cluster job succeeded.
    const after = await json(await app.request("/api/v1/dead-letter"));
    expect(after.total).toBe(1);
    expect(after.items[0].payload.value.event_id).toBe("dl-bad");
  });
});
