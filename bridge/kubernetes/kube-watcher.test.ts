import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitIdle } from "../../cli/pipeline.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { resourceId } from "../../rca/identity.js";
import { DEFAULT_TOPICS } from "../../rca/normalize.js";
import { tempDir, testPipeline } from "../../tests/helpers.js";
import { convertResource } from "./convert.js";
import { FakeKubeApi } from "./fake-kube-api.js";
import { backOffEvent, cartPod, OBJECTS, SECRET_VALUE, UID } from "./fixtures.js";
import { loadKubeConfig } from "./kube-api.js";
import { KubeWatcher, WATCHED_KINDS } from "./kube-watcher.js";
import { BatchPublisher, QueueSink } from "./sink.js";

const CLUSTER = "default";
const kindOf = (path: string) => WATCHED_KINDS.find((k) => k.path === path)!.kind;
const id = (kind: string, ns: string | undefined, name: string) => resourceId(CLUSTER, kind, ns, name);

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("object conversion (pure)", () => {
  const ctx = { cluster: CLUSTER, topics: DEFAULT_TOPICS, nowMs: Date.parse("2026-11-26T10:00:00Z") };

  it("never carries Secret data, ConfigMap values or env values", () => {
    const secret = OBJECTS.find(([p]) => p === "/api/v1/secrets")![1];
    const cm = OBJECTS.find(([p]) => p === "/api/v1/configmaps")![1];
    const pod = cartPod();
    const text = JSON.stringify([
      convertResource("Secret", secret, false, ctx),
      convertResource("ConfigMap", cm, false, ctx),
      convertResource("Pod", pod, false, ctx),
    ]);
    expect(text).not.toContain(SECRET_VALUE);
    expect(text).not.toContain("3600"); // ConfigMap value, replaced by its hash
    expect(text).not.toContain('"info"'); // plain env value
    expect(text).toContain("cart-secret"); // the reference stays: it is topology
  });

  it("derives the CONTRACT edge types", () => {
    const pod = convertResource("Pod", cartPod(), false, ctx)!;
    expect(pod.key).toBe(`pod:${UID.pod}`);
    expect(pod.edges.map((e) => `${e.type} ${e.from} -> ${e.to}`).sort()).toEqual([
      "CONTROLS replicaset:shop:cart-7d9f8 -> pod:shop:cart-7d9f8-x2k4p",
      "MOUNTS pod:shop:cart-7d9f8-x2k4p -> configmap:shop:cart-config",
      "MOUNTS pod:shop:cart-7d9f8-x2k4p -> persistentvolumeclaim:shop:data-cart",
      "MOUNTS pod:shop:cart-7d9f8-x2k4p -> secret:shop:cart-secret",
      "RUNS_ON pod:shop:cart-7d9f8-x2k4p -> node:node-1",
    ]);
    expect(pod.value.status).toMatchObject({ phase: "Running", restartCount: 0, containerReady: true });
    const node = convertResource("Node", OBJECTS[0]![1], false, ctx)!;
    // Heartbeat times are left out, so a heartbeat is not a change.
    expect(JSON.stringify(node.value)).not.toContain("lastHeartbeatTime");
  });
});

describe("kgrca watch against a Kubernetes list/watch API server", () => {
  const api = new FakeKubeApi();
  let p: Awaited<ReturnType<typeof testPipeline>>;
  let watcher: KubeWatcher;
  let publisher: BatchPublisher;
  let store: SqliteGraphStore;
  const tmp = tempDir("kgrca-watch-");

  const settle = async () => {
    await new Promise((r) => setTimeout(r, 150));
    await publisher.flush();
    await waitIdle(p.rt.queues, 30_000);
  };
  const resource = (kind: string, ns: string | undefined, name: string) =>
    store.getResource(id(kind, ns, name));

  beforeAll(async () => {
    await api.start();
    for (const [path, obj] of OBJECTS) api.apply(path, obj);
    api.apply("/api/v1/events", backOffEvent(1, "2026-11-26T10:01:00Z"));
    p = await testPipeline("watch");
    store = p.rt.rawStore as SqliteGraphStore;
    const kc = loadKubeConfig({ kubeconfig: api.writeKubeconfig(join(tmp.dir, "kubeconfig")) });
    publisher = new BatchPublisher(new QueueSink(p.rt.queues), {
      batchSize: 200,
      lingerMs: 20,
      logger: p.rt.logger,
    });
    watcher = new KubeWatcher({
      kubeConfig: kc,
      publisher,
      cluster: CLUSTER,
      topics: DEFAULT_TOPICS,
      logger: p.rt.logger,
      metrics: p.rt.metrics,
      restartBackoffMs: { initial: 50, max: 400 },
    });
    await watcher.start();
    await until("initial lists", () => watcher.synced);
    await until("watches open", () => api.openWatches === WATCHED_KINDS.length);
    await settle();
  });

  afterAll(async () => {
    await watcher?.stop();
    await p?.close();
    await api.close();
    tmp.remove();
  });

  it("fills the graph with every watched kind, its edges and events", async () => {
    for (const [path, obj] of OBJECTS) {
      const kind = kindOf(path);
      const r = await resource(kind, obj.metadata?.namespace, obj.metadata!.name!);
      expect(r, `${kind} ${obj.metadata?.name}`).toBeDefined();
      expect(r!.deleted).toBe(false);
      expect(r!.uid).toBe(obj.metadata!.uid);
    }
    const pod = id("Pod", "shop", "cart-7d9f8-x2k4p");
    const edges = (await store.edgesOf([pod])).map((e) => `${e.fromId} ${e.type} ${e.toId}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        `${pod} RUNS_ON ${id("Node", undefined, "node-1")}`,
        `${id("ReplicaSet", "shop", "cart-7d9f8")} CONTROLS ${pod}`,
        `${pod} MOUNTS ${id("PersistentVolumeClaim", "shop", "data-cart")}`,
        `${pod} MOUNTS ${id("ConfigMap", "shop", "cart-config")}`,
        `${pod} MOUNTS ${id("Secret", "shop", "cart-secret")}`,
        `${id("Service", "shop", "cart")} SELECTS ${pod}`,
      ]),
    );
    const more = (
      await store.edgesOf([
        id("Ingress", "shop", "shop"),
        id("PersistentVolumeClaim", "shop", "data-cart"),
        id("Deployment", "shop", "cart"),
        id("CronJob", "shop", "report"),
      ])
    ).map((e) => `${e.fromId} ${e.type} ${e.toId}`);
    expect(more).toEqual(
      expect.arrayContaining([
        `${id("Ingress", "shop", "shop")} ROUTES_TO ${id("Service", "shop", "cart")}`,
        `${id("PersistentVolumeClaim", "shop", "data-cart")} BINDS ${id("PersistentVolume", undefined, "pv-1")}`,
        `${id("Deployment", "shop", "cart")} CONTROLS ${id("ReplicaSet", "shop", "cart-7d9f8")}`,
        `${id("CronJob", "shop", "report")} CONTROLS ${id("Job", "shop", "report-29000000")}`,
      ]),
    );
    const ev = await store.getEvent(UID.event);
    expect(ev).toMatchObject({ reason: "BackOff", etype: "k8s.event", resourceId: pod });
    const node = await resource("Node", undefined, "node-1");
    expect(node!.props.status).toMatchObject({ ready: true });
  });

  it("reads Secrets as metadata only: their data never reaches the graph", async () => {
    const secretRequests = api.requests.filter((r) => r.path === "/api/v1/secrets");
    expect(secretRequests.length).toBeGreaterThanOrEqual(2); // a list and a watch
    for (const r of secretRequests) expect(r.accept).toContain("as=PartialObjectMetadata");
    expect(JSON.stringify(store.fingerprintRows())).not.toContain(SECRET_VALUE);
  });

  it("turns in-place Event updates into new occurrences and MODIFIED objects into updates", async () => {
    api.apply("/api/v1/events", backOffEvent(2, "2026-11-26T10:02:00Z"));
    api.apply("/api/v1/pods", cartPod("cart-7d9f8-x2k4p", UID.pod, 3));
    await settle();
    expect(await store.getEvent(`${UID.event}#2`)).toMatchObject({ reason: "BackOff", count: 2 });
    const pod = await resource("Pod", "shop", "cart-7d9f8-x2k4p");
    expect(pod!.props.status).toMatchObject({ restartCount: 3, containerReady: false });
  });

  it("applies DELETED: the resource is marked deleted and its sent edges are removed", async () => {
    api.apply("/api/v1/pods", cartPod("cart-7d9f8-b5n7q", UID.pod2));
    await settle();
    const pod2 = id("Pod", "shop", "cart-7d9f8-b5n7q");
    expect((await store.getResource(pod2))!.deleted).toBe(false);
    expect((await store.edgesOf([pod2])).some((e) => e.origin === "sent" && e.type === "RUNS_ON")).toBe(true);
    api.remove("/api/v1/pods", "shop", "cart-7d9f8-b5n7q");
    await settle();
    expect((await store.getResource(pod2))!.deleted).toBe(true);
    expect((await store.edgesOf([pod2])).filter((e) => e.origin === "sent")).toEqual([]);
  });

  it("restarts a dropped watch from its resourceVersion without losing what happened meanwhile", async () => {
    const listsBefore = api.requests.filter((r) => r.path === "/api/v1/pods" && !r.watch).length;
    api.setAvailable(false); // abrupt drop of every watch, then 503s while it lasts
    await new Promise((r) => setTimeout(r, 200));
    api.apply("/api/v1/pods", cartPod("cart-7d9f8-m3p9z", "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0101"));
    api.setAvailable(true);
    await until("watches reopened", () => api.openWatches === WATCHED_KINDS.length);
    await settle();
    expect(await resource("Pod", "shop", "cart-7d9f8-m3p9z")).toBeDefined();
    const listsAfter = api.requests.filter((r) => r.path === "/api/v1/pods" && !r.watch).length;
    expect(listsAfter).toBe(listsBefore); // resumed by resourceVersion, no re-list needed
  });

  it("resumes from a BOOKMARK's resourceVersion", async () => {
    api.apply("/api/v1/configmaps", {
      metadata: { name: "other", namespace: "shop", uid: "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0102" },
      data: { a: "1" },
    });
    api.bookmark();
    await new Promise((r) => setTimeout(r, 100));
    const before = api.requests.length;
    api.dropWatches();
    await until("watches reopened", () => api.openWatches === WATCHED_KINDS.length);
    const podWatch = api.requests.slice(before).find((r) => r.path === "/api/v1/pods" && r.watch);
    const cmWatch = api.requests.slice(before).find((r) => r.path === "/api/v1/configmaps" && r.watch);
    // The pods watch saw no pod change since, yet resumes at the newest version thanks to the bookmark.
    expect(podWatch?.resourceVersion).toBe(cmWatch?.resourceVersion);
  });

  it("re-lists after 410 Gone and reports objects deleted while it was away", async () => {
    api.setAvailable(false);
    await new Promise((r) => setTimeout(r, 200));
    api.remove("/api/v1/pods", "shop", "cart-7d9f8-m3p9z");
    api.apply("/api/v1/pods", cartPod("cart-7d9f8-q8w2e", "6b1c1a7e-9d0e-4a51-8c36-0d5b3a1f0103"));
    api.compact(); // the history the watcher would resume from is gone: 410
    const listsBefore = api.requests.filter((r) => r.path === "/api/v1/pods" && !r.watch).length;
    api.setAvailable(true);
    await until("watches reopened", () => api.openWatches === WATCHED_KINDS.length);
    await settle();
    expect(api.requests.filter((r) => r.path === "/api/v1/pods" && !r.watch).length).toBeGreaterThan(
      listsBefore,
    );
    expect((await resource("Pod", "shop", "cart-7d9f8-m3p9z"))!.deleted).toBe(true);
    expect((await resource("Pod", "shop", "cart-7d9f8-q8w2e"))!.deleted).toBe(false);
    expect((await resource("Pod", "shop", "cart-7d9f8-x2k4p"))!.deleted).toBe(false);
  });
});
