import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import neo4j from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listReplayFiles, readScenario } from "../../bridge/replay/index.js";
import { openRuntime, type Runtime } from "../../cli/runtime.js";
import { ALL_QUEUES } from "../../queues/index.js";
import { testConfig } from "../../tests/helpers.js";
import { graphStoreContract } from "../graph-store.contract.js";
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
          await Promise.all(
            ALL_QUEUES.map((q) =>
              rt.queues
                .get(q)
                .obliterate({ force: true })
                .catch(() => {}),
            ),
          );
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
}
