import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import neo4j from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listReplayFiles, readScenario } from "../../bridge/replay/index.js";
import { openRuntime, type Runtime } from "../../cli/runtime.js";
import type { IngestBatch } from "../../rca/model.js";
import { tempDir, testConfig } from "../../tests/helpers.js";
import { graphStoreContract } from "../graph-store.contract.js";
import { SqliteGraphStore } from "../sqlite/sqlite-graph-store.js";
import { Neo4jGraphStore, type Neo4jGraphStoreOptions } from "./neo4j-graph-store.js";
import { replayAndRank } from "./scenario-replay.js";

// Set by `.ci/run` / `npm run infra:up` (source tests/infra/.run/env.sh).
const NEO4J_URL = process.env.NEO4J_URL;
const opts = (): Neo4jGraphStoreOptions => ({
  url: NEO4J_URL!,
  user: process.env.NEO4J_USER ?? "neo4j",
  password: process.env.NEO4J_PASSWORD ?? "",
  database: process.env.NEO4J_DATABASE ?? "neo4j",
  maxPoolSize: 10,
  connectionTimeoutMs: 5_000,
  maxTransactionRetryTimeMs: 5_000,
});

if (!NEO4J_URL) {
  process.stderr.write(
    "\n*** graph/neo4j/neo4j-graph-store.test.ts: NEO4J_URL is not set, the Neo4j contract suite is SKIPPED.\n" +
      "*** Run `npm run infra:up && . tests/infra/.run/env.sh` to run it against a real Neo4j.\n\n",
  );
  describe("Neo4j graph store", () => {
    it.skip("needs NEO4J_URL (npm run infra:up)", () => {});
  });
} else {
  // Community Edition has one database: every test starts from an empty graph, and the tests of
  // this file run one after another.
  const admin = neo4j.driver(NEO4J_URL, neo4j.auth.basic(opts().user, opts().password));
  const wipe = async () => {
    const s = admin.session({ database: opts().database });
    try {
      await s.executeWrite((tx) => tx.run("MATCH (n) DETACH DELETE n"));
    } finally {
      await s.close();
    }
  };
  // One store (one connection pool) for the whole file, as a worker process has.
  const shared = new Neo4jGraphStore(opts());
  beforeAll(async () => {
    // The shared test server may be (re)starting: give it time to serve before the first test.
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await shared.init();
        await shared.ping();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }, 150_000);
  afterAll(async () => {
    await shared.close();
    await admin.close();
  });

  graphStoreContract("neo4j", async () => {
    await wipe();
    return { store: shared, close: async () => {} };
  });

  // Same inputs, same order, same rankings: a spread sample of the scenario corpus here (each
  // replay takes seconds on Neo4j); `npx tsx bench/neo4j-vs-sqlite.ts` compares the whole corpus.
  describe("same RCA rankings as the embedded store", () => {
    const files = listReplayFiles([fileURLToPath(new URL("../../scenarios", import.meta.url))]).filter((f) =>
      f.endsWith(".json"),
    );
    const sample = [...new Set([0, Math.floor(files.length / 2), files.length - 1])]
      .filter((i) => i >= 0 && i < files.length)
      .map((i) => files[i]!);
    const runtime = async (name: string, env: Record<string, string>) => {
      const rt = await openRuntime(testConfig(name, env), "test");
      return {
        rt,
        close: async () => {
          await rt.queues.obliterate();
          await rt.close();
          rmSync(rt.config.dataDir, { recursive: true, force: true });
        },
      };
    };

    it.each(sample.map((f) => [f.split("/").pop()!, f]))(
      "%s ranks the same causes with the same confidences",
      async (_name, file) => {
        const scenario = readScenario(file);
        const sqlite = await runtime("rank-sqlite", {});
        const graph = await runtime("rank-neo4j", {
          GRAPH_STORE: "neo4j",
          NEO4J_URL: NEO4J_URL,
          NEO4J_USER: opts().user,
          NEO4J_PASSWORD: opts().password,
          NEO4J_DATABASE: opts().database,
        });
        try {
          await (graph.rt.rawStore as Neo4jGraphStore).deleteEverything();
          const a = await replayAndRank(sqlite.rt.workerContext, scenario);
          const b = await replayAndRank(graph.rt.workerContext as Runtime["workerContext"], scenario);
          expect(a.ranking.length).toBeGreaterThan(0);
          expect(b.ranking).toEqual(a.ranking);
          expect(await graph.rt.store.stats()).toEqual(await sqlite.rt.store.stats());
        } finally {
          await sqlite.close();
          await graph.close();
        }
      },
      120_000,
    );
  });

  // Replicas write the same cluster at once: pods and the services selecting them, log lines
  // naming each other's IPs, events naming pods only by uid. Whatever the interleaving, the graph
  // must end as one writer applying the batches in order leaves it (no lost derived edges).
  describe("two replicas writing one cluster at once", () => {
    const T0 = Date.UTC(2025, 9, 8, 10, 0, 0);
    const uid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    const batches: IngestBatch[] = Array.from(
      { length: 12 },
      (_, i): IngestBatch => ({
        resources: [
          {
            cluster: "race",
            kind: "Pod",
            namespace: "shop",
            name: `p${i}`,
            uid: uid(i),
            labels: { app: `app-${i % 3}` },
            props: { podIP: `10.0.0.${i}`, node: `n${i % 2}` },
            atMs: T0 + i,
            deleted: false,
          },
          {
            cluster: "race",
            kind: "Service",
            namespace: "shop",
            name: `s${i % 3}`,
            labels: {},
            props: { serviceSelector: { app: `app-${i % 3}` }, clusterIP: `10.9.0.${i % 3}` },
            atMs: T0,
            deleted: false,
          },
        ],
        resourceDeletes: [],
        edges: [],
        events: [
          {
            id: `uid-${i}`,
            baseId: `uid-${i}`,
            cluster: "race",
            etype: "k8s.event",
            severity: "WARNING",
            reason: "BackOff",
            message: "Back-off restarting failed container",
            timeMs: T0 + i,
            count: 1,
            subject: { cluster: "race", kind: "Pod", uid: uid((i + 5) % 12) },
          },
          {
            id: `log-${i}`,
            baseId: `log-${i}`,
            cluster: "race",
            etype: "k8s.log",
            severity: "ERROR",
            reason: "",
            message: `dial tcp 10.0.0.${(i + 1) % 12}:80: connect: connection refused`,
            timeMs: T0 + i,
            count: 1,
            subject: { cluster: "race", kind: "Pod", namespace: "shop", name: `p${i}` },
          },
        ],
      }),
    );
    const edgesOf = async (store: { edgesOf: Neo4jGraphStore["edgesOf"] }, ids: string[]) =>
      (await store.edgesOf(ids)).map((e) => `${e.fromId} ${e.type} ${e.toId} ${e.origin}`).sort();

    it("end with the graph one writer makes", async () => {
      const t = tempDir("kgrca-race-");
      const ref = new SqliteGraphStore({ path: `${t.dir}/kg.sqlite` });
      await ref.init();
      const a = new Neo4jGraphStore(opts());
      const b = new Neo4jGraphStore(opts());
      try {
        for (const batch of batches) await ref.applyBatch(batch);
        await shared.deleteEverything();
        await Promise.all([
          (async () => {
            for (let i = 0; i < batches.length; i += 2) await a.applyBatch(batches[i]!);
          })(),
          (async () => {
            for (let i = 1; i < batches.length; i += 2) await b.applyBatch(batches[i]!);
          })(),
        ]);
        const ids = (await ref.searchResources({ cluster: "race", limit: 1000 })).items.map((r) => r.id);
        expect(ids.length).toBe(18); // 17 workload resources and their namespace
        expect(await edgesOf(a, ids)).toEqual(await edgesOf(ref, ids));
        expect(await a.stats()).toEqual(await ref.stats());
        const events = (await ref.listEvents({ cluster: "race", limit: 1000 })).items.map((e) => [
          e.id,
          e.resourceId,
        ]);
        expect(
          (await a.listEvents({ cluster: "race", limit: 1000 })).items.map((e) => [e.id, e.resourceId]),
        ).toEqual(events);
      } finally {
        await a.close();
        await b.close();
        await ref.close();
        t.remove();
      }
    }, 120_000);
  });
}
