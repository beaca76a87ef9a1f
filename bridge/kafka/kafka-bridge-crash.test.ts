import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { waitIdle } from "../../cli/pipeline.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import type { WireMessage } from "../../rca/normalize.js";
import { tempDir, testPipeline } from "../../tests/helpers.js";
import { describeIfKafka } from "../../tests/infra/services.js";
import type { KafkaClient, ProducedMessage } from "./client.js";
import {
  committedTotal,
  createTopics,
  produceAll,
  testKafkaClient,
  uniq,
  uniqueTopics,
  until,
} from "./test-kit.js";

const MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** Pods and repeated WARNING events on them: resources, derived edges, events and cause links. */
function workload(
  n: number,
  base: number,
): Array<{ topic: "resources" | "events"; key: string; value: unknown }> {
  const out: Array<{ topic: "resources" | "events"; key: string; value: unknown }> = [];
  for (let i = 0; i < n; i++) {
    if (i % 4 === 3) {
      const pod = i - 1;
      out.push({
        topic: "events",
        key: `ev-${i}`,
        value: {
          event_id: `ev-${i}`,
          event_time: new Date(base + i * 100).toISOString(),
          etype: "k8s.event",
          severity: "WARNING",
          reason: i % 8 === 3 ? "Unhealthy" : "BackOff",
          message: `probe failed on pod-${pod}`,
          subject: { kind: "Pod", ns: "crash", name: `pod-${pod}` },
        },
      });
    } else {
      out.push({
        topic: "resources",
        key: `pod:${i}`,
        value: {
          op: "UPSERT",
          at: new Date(base + i).toISOString(),
          kind: "Pod",
          namespace: "crash",
          name: `pod-${i}`,
          labels: { app: `app-${i % 5}` },
          node: `node-${i % 3}`,
          status: { phase: "Running", restartCount: i % 3 },
        },
      });
    }
  }
  return out;
}

const graphOf = (store: SqliteGraphStore) => {
  const f = store.fingerprintRows();
  return { resources: f.resources, edges: f.edges, events: f.events, cause_links: f.cause_links };
};

describeIfKafka("kafka bridge: crash, redelivery and rebalance on a real broker", () => {
  let client: KafkaClient;
  const tmp = tempDir("kgrca-crash-");
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    client = await testKafkaClient();
  });
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    tmp.remove();
  });

  const produce = (topic: string, messages: ProducedMessage[]) => produceAll(client, topic, messages);

  const stderrOf = new Map<ChildProcess, string>();
  function bridgeProcess(env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [MAIN, "bridge"], {
      env: { ...process.env, LOG_LEVEL: "info", KG_DATA_DIR: tmp.dir, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
      stderrOf.set(child, err);
    });
    child.on("exit", (code, signal) => {
      if (code && code !== 0) console.error(`bridge child exited ${code} ${signal ?? ""}: ${err}`);
    });
    children.push(child);
    return child;
  }

  it("SIGKILL mid-batch, restart: everything is redelivered and the graph is the same as without a crash", async () => {
    expect(existsSync(MAIN), "run `npm run build` first (the test starts the real CLI)").toBe(true);
    const { env, topics } = uniqueTopics("crash");
    await createTopics(client, topics, 2);
    const p = await testPipeline("kafka-crash", env);
    const ref = await testPipeline("kafka-crash-ref", env);
    const group = uniq("g-crash");
    const base = Date.now() - 3_600_000;
    const work = workload(1200, base);
    const t0 = Date.now();
    const T = (what: string) =>
      process.env.KG_TEST_TIMING && console.log(`[crash test] ${what} at ${Date.now() - t0} ms`);
    try {
      await produce(
        topics.resources,
        work
          .filter((w) => w.topic === "resources")
          .map((w) => ({ key: w.key, value: JSON.stringify(w.value) })),
      );
      await produce(
        topics.events,
        work.filter((w) => w.topic === "events").map((w) => ({ key: w.key, value: JSON.stringify(w.value) })),
      );
      const childEnv = {
        ...env,
        KAFKA_GROUP_ID: group,
        KAFKA_BATCH_SIZE: "50",
        REDIS_URL: p.rt.config.redis.url,
        KG_QUEUE_PREFIX: p.rt.config.queuePrefix,
      };
      T("produced");
      const first = bridgeProcess(childEnv);
      const all = Object.values(topics);
      // Kill it while its jobs are half done: a few ingest jobs completed (so a commit may have
      // happened), most not yet, and nothing is flushed or drained.
      const ingest = p.rt.queues.get("ingest");
      const deadline = Date.now() + 30_000;
      while ((await ingest.getJobCounts("completed")).completed < 3) {
        if (Date.now() > deadline)
          throw new Error(`no ingest job completed within 30 s; bridge log:\n${stderrOf.get(first) ?? ""}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      T("3 jobs completed");
      first.kill("SIGKILL");
      await new Promise((r) => first.once("exit", r));
      const atKill = await committedTotal(client, group, all);
      expect(atKill).toBeLessThan(work.length); // killed mid-way: the rest must be redelivered
      T("killed");
      const second = bridgeProcess(childEnv);
      await until(
        "all committed after restart",
        async () => (await committedTotal(client, group, all)) === work.length,
        60_000,
      );
      T("all committed");
      second.kill("SIGTERM");
      const code = await new Promise((r) => second.once("exit", (c) => r(c)));
      expect(code).toBe(0); // graceful: drained and committed before exiting
      T("sigterm exit");
      await waitIdle(p.rt.queues, 60_000);

      // The same messages straight into a second pipeline, once each, in order.
      const wire: WireMessage[] = work.map((w) => ({ topic: topics[w.topic], key: w.key, value: w.value }));
      T("p idle");
      await ref.rt.queues.enqueueMessages(wire, "replay");
      await waitIdle(ref.rt.queues, 60_000);
      T("ref idle");
      const got = graphOf(p.rt.rawStore as SqliteGraphStore);
      const want = graphOf(ref.rt.rawStore as SqliteGraphStore);
      expect(got.resources.length).toBe(want.resources.length);
      expect(got.events.length).toBe(300);
      expect(got).toEqual(want);
    } finally {
      await p.close();
      await ref.close();
    }
  });
});
