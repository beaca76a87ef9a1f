import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startPool, waitIdle } from "../../cli/pipeline.js";
import { openRuntime } from "../../cli/runtime.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { DEAD_LETTER, type DeadLetterJob } from "../../queues/index.js";
import { resourceId } from "../../rca/identity.js";
import { tempDir, testConfig } from "../../tests/helpers.js";
import { describeIfKafka } from "../../tests/infra/services.js";
import type { WorkerPool } from "../../workers/index.js";
import { FakeKubeApi } from "../kubernetes/fake-kube-api.js";
import { cartPod, OBJECTS } from "../kubernetes/fixtures.js";
import { loadKubeConfig } from "../kubernetes/kube-api.js";
import { KubeWatcher } from "../kubernetes/kube-watcher.js";
import { BatchPublisher, KafkaSink } from "../kubernetes/sink.js";
import type { KafkaClient, ProducedMessage } from "./client.js";
import {
  committedTotal,
  counterValue,
  createTopics,
  makeBridge,
  produceAll,
  testKafkaClient,
  uniq,
  uniqueTopics,
  until,
} from "./test-kit.js";

const iso = (ms: number) => new Date(ms).toISOString();
const json = (key: string | null, value: unknown): ProducedMessage => ({
  key,
  value: value === null ? null : JSON.stringify(value),
});

/** A runtime on its own queue prefix and store; workers start only when asked (to hold jobs back). */
async function pipeline(name: string, env: Record<string, string>) {
  const config = testConfig(name, env);
  const rt = await openRuntime(config, "test");
  let pool: WorkerPool | undefined;
  return {
    rt,
    store: rt.rawStore as SqliteGraphStore,
    startWorkers: () => {
      pool ??= startPool(rt, undefined, 2);
    },
    close: async () => {
      await pool?.close();
      await rt.queues.obliterate();
      await rt.close();
    },
  };
}

const podMsg = (i: number, at: number) =>
  json(`pod:uid-${i}`, {
    op: "UPSERT",
    at: iso(at),
    kind: "Pod",
    uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    namespace: "load",
    name: `pod-${i}`,
    labels: { app: `app-${i % 7}` },
    node: `node-${i % 3}`,
    status: { phase: "Running", restartCount: 0 },
  });

describeIfKafka("kafka bridge on a real broker", () => {
  let client: KafkaClient;
  const tmp = tempDir("kgrca-kafka-");

  beforeAll(async () => {
    client = await testKafkaClient();
  });
  afterAll(() => tmp.remove());

  const produce = (topic: string, messages: ProducedMessage[]) => produceAll(client, topic, messages);

  it("carries every CONTRACT topic into the graph and commits once the jobs completed", async () => {
    const { env, topics } = uniqueTopics("all");
    await createTopics(client, topics, 2);
    const p = await pipeline("kafka-all", env);
    p.startWorkers();
    const group = uniq("g-all");
    const { bridge, metrics } = makeBridge(client, group, p.rt.queues, topics);
    try {
      await bridge.start();
      const now = Date.now() - 60_000;
      await produce(topics.resources, [
        json("node:n1", {
          op: "UPSERT",
          at: iso(now),
          kind: "Node",
          name: "node-1",
          status: { conditions: [{ type: "Ready", status: "True" }] },
        }),
        json("pod:p1", {
          op: "UPSERT",
          at: iso(now),
          kind: "Pod",
          uid: "9c1f0000-0000-4000-8000-000000000001",
          namespace: "shop",
          name: "cart-1",
          labels: { app: "cart" },
          node: "node-1",
          status: { phase: "Running", restartCount: 4 },
        }),
        json("service:s1", {
          op: "UPSERT",
          at: iso(now),
          kind: "Service",
          namespace: "shop",
          name: "cart",
          serviceSelector: { app: "cart" },
        }),
      ]);
      await produce(topics.topology, [
        json("edge:svc->pod", {
          op: "UPSERT",
          at: iso(now),
          from: "service:shop:cart",
          to: "pod:shop:cart-1",
          type: "SELECTS",
        }),
      ]);
      await produce(topics.events, [
        json("e-oom", {
          event_id: "e-oom",
          event_time: iso(now + 1000),
          etype: "k8s.event",
          severity: "FATAL",
          reason: "OOMKilled",
          message: "container cart OOMKilled",
          subject: { kind: "Pod", ns: "shop", name: "cart-1" },
        }),
        json("raw-1", {
          metadata: { uid: "raw-ev-1" },
          involvedObject: { kind: "Pod", namespace: "shop", name: "cart-1" },
          type: "Warning",
          reason: "BackOff",
          message: "Back-off restarting failed container",
          count: 1,
          lastTimestamp: iso(now + 2000),
        }),
      ]);
      await produce(topics.logs, [
        json("p1", {
          event_id: "l-kept",
          event_time: iso(now + 3000),
          message: "dial tcp 10.1.4.7:5432: connect: connection refused",
          subject: { kind: "Pod", ns: "shop", name: "cart-1" },
        }),
        json("p1", {
          event_id: "l-dropped",
          event_time: iso(now + 3000),
          severity: "INFO",
          message: "GET /healthz 200 1ms",
          subject: { kind: "Pod", ns: "shop", name: "cart-1" },
        }),
      ]);
      await produce(topics.alerts, [
        json("a-1", {
          event_id: "a-1",
          event_time: iso(now + 4000),
          etype: "prom.alert",
          reason: "CartErrors",
          status: "firing",
          severity: "critical",
          labels: { alertname: "CartErrors", namespace: "shop", pod: "cart-1" },
          annotations: { summary: "cart 5xx" },
        }),
      ]);
      await until(
        "all in the graph",
        async () => !!(await p.store.getEvent("a-1")) && !!(await p.store.getEvent("l-kept")),
      );
      await waitIdle(p.rt.queues, 30_000);
      const pod = resourceId("default", "Pod", "shop", "cart-1");
      expect(await p.store.getResource(pod)).toMatchObject({ uid: "9c1f0000-0000-4000-8000-000000000001" });
      expect(await p.store.getResource(resourceId("default", "Node", "", "node-1"))).toBeDefined();
      const edges = (await p.store.edgesOf([pod])).map((e) => `${e.type}:${e.origin}`);
      expect(edges).toEqual(expect.arrayContaining(["SELECTS:sent", "RUNS_ON:derived"]));
      for (const e of ["e-oom", "raw-ev-1", "l-kept", "a-1"])
        expect(await p.store.getEvent(e), e).toBeDefined();
      expect(await p.store.getEvent("l-dropped")).toBeUndefined();
      expect(await counterValue(metrics, "kg_log_lines_total", { outcome: "kept" })).toBe(1);
      expect(await counterValue(metrics, "kg_log_lines_total", { outcome: "dropped" })).toBe(1);
      expect(
        await counterValue(metrics, "kg_messages_processed_total", {
          topic: topics.logs,
          outcome: "filtered",
        }),
      ).toBe(1);
      // Every offset, the dropped line's included, ends up committed.
      await until(
        "offsets committed",
        async () => (await committedTotal(client, group, Object.values(topics))) === 9,
      );
      expect(bridge.uncommitted).toBe(0);
    } finally {
      await bridge.stop();
      await p.close();
    }
  });

  it("dead-letters poison messages with their origin and keeps the partition moving", async () => {
    const { env, topics } = uniqueTopics("poison");
    await createTopics(client, topics, 1);
    const p = await pipeline("kafka-poison", env);
    p.startWorkers();
    const group = uniq("g-poison");
    const { bridge, metrics } = makeBridge(client, group, p.rt.queues, topics, { maxMessageBytes: 4096 });
    try {
      await bridge.start();
      const now = Date.now();
      await produce(topics.resources, [
        { key: "bad-json", value: "{not json" },
        json("too-big", { kind: "Pod", namespace: "x", name: "big", labels: { pad: "x".repeat(5000) } }),
        json("no-kind", { op: "UPSERT", namespace: "shop", name: "nameless-kind" }),
        podMsg(1, now),
      ]);
      await until(
        "good message stored",
        async () => !!(await p.store.getResource(resourceId("default", "Pod", "load", "pod-1"))),
      );
      await until(
        "offsets committed",
        async () => (await committedTotal(client, group, [topics.resources])) === 4,
      );
      const dead = (
        await p.rt.queues.get(DEAD_LETTER).getJobs(["waiting", "completed", "failed", "active", "delayed"])
      ).map((j) => j.data as DeadLetterJob);
      const byKey = new Map(dead.map((d) => [d.origin?.key, d]));
      expect(byKey.get("bad-json")).toMatchObject({
        reason: expect.stringContaining("not JSON"),
        origin: { source: "kafka", topic: topics.resources, partition: 0, offset: "0" },
      });
      expect(byKey.get("too-big")).toMatchObject({
        reason: expect.stringContaining("larger than 4096"),
        origin: { offset: "1" },
      });
      expect(byKey.get("no-kind")).toMatchObject({
        reason: expect.stringContaining("kind"),
        origin: { offset: "2" },
      });
      expect(
        await counterValue(metrics, "kg_messages_processed_total", {
          topic: topics.resources,
          outcome: "invalid",
        }),
      ).toBe(3);
    } finally {
      await bridge.stop();
      await p.close();
    }
  });

  it("carries the watcher's Kafka producer path through the topics and the bridge into the graph", async () => {
    const { env, topics } = uniqueTopics("watch");
    await createTopics(client, topics, 1);
    const p = await pipeline("kafka-watch", env);
    p.startWorkers();
    const api = new FakeKubeApi();
    await api.start();
    for (const [path, obj] of OBJECTS) api.apply(path, obj);
    const producer = client.producer();
    await producer.connect();
    const publisher = new BatchPublisher(new KafkaSink(producer), {
      batchSize: 100,
      lingerMs: 20,
      logger: p.rt.logger,
    });
    const watcher = new KubeWatcher({
      kubeConfig: loadKubeConfig({ kubeconfig: api.writeKubeconfig(join(tmp.dir, "kubeconfig")) }),
      publisher,
      cluster: "default",
      topics,
      logger: p.rt.logger,
      metrics: p.rt.metrics,
    });
    const { bridge } = makeBridge(client, uniq("g-watch"), p.rt.queues, topics);
    try {
      await bridge.start();
      await watcher.start();
      const pod = resourceId("default", "Pod", "shop", "cart-7d9f8-x2k4p");
      await until("pod in graph", async () => !!(await p.store.getResource(pod)));
      api.apply("/api/v1/pods", cartPod("cart-7d9f8-x2k4p", undefined, 2));
      await until(
        "update in graph",
        async () => (await p.store.getResource(pod))?.props.status?.restartCount === 2,
      );
      // As in a cluster: the pod goes, and the endpoints controller drops it from the slice.
      api.remove("/api/v1/pods", "shop", "cart-7d9f8-x2k4p");
      const slice = OBJECTS.find(([path]) => path === "/apis/discovery.k8s.io/v1/endpointslices")![1];
      api.apply("/apis/discovery.k8s.io/v1/endpointslices", { ...slice, endpoints: [] });
      await until(
        "slice emptied",
        async () => !(await p.store.edgesOf([pod])).some((e) => e.origin === "sent"),
      );
      await until("delete in graph", async () => (await p.store.getResource(pod))?.deleted === true);
      expect((await p.store.edgesOf([pod])).filter((e) => e.origin === "sent")).toEqual([]);
    } finally {
      await watcher.stop();
      await producer.disconnect();
      await bridge.stop();
      await api.close();
      await p.close();
    }
  });
});
