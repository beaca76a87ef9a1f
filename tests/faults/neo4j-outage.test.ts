import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readScenario } from "../../bridge/replay/index.js";
import { waitIdle } from "../../cli/pipeline.js";
import type { Neo4jGraphStore } from "../../graph/neo4j/index.js";
import { testPipeline } from "../helpers.js";

/**
 * A real Neo4j outage (issue 4): the pipeline writes to the test Neo4j, the Neo4j process is
 * stopped mid-run, the circuit breaker opens and jobs wait (delayed, none failed), Neo4j is
 * started again and everything that was sent lands. Lives with the fault suite (`npm run
 * test:faults`, files one at a time) because it stops the shared test server.
 */
const NEO4J_URL = process.env.NEO4J_URL;
const INFRA = fileURLToPath(new URL("../infra/neo4j.sh", import.meta.url));
const neo4jSh = (cmd: "start" | "stop") =>
  execFileSync("bash", [INFRA, cmd], { stdio: "pipe", timeout: 300_000 });

const scenario = (name: string) =>
  readScenario(fileURLToPath(new URL(`../../scenarios/${name}`, import.meta.url)));

async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

if (!NEO4J_URL) {
  process.stderr.write(
    "\n*** tests/faults/neo4j-outage.test.ts: NEO4J_URL is not set, SKIPPED (npm run infra:up)\n\n",
  );
  describe("Neo4j outage", () => {
    it.skip("needs NEO4J_URL (npm run infra:up)", () => {});
  });
} else {
  describe("Neo4j outage: the breaker opens, jobs wait, data lands after the restart", () => {
    it("loses nothing across a stop/start of the Neo4j process", async () => {
      const before = scenario("bad-image-rollout-01-tag-v-prefix-not-found.json");
      const during = scenario("missing-config-01-rollout-mounts-configmap-never-created.json");
      const { rt, close } = await testPipeline("neo4j-outage", {
        GRAPH_STORE: "neo4j",
        NEO4J_URL,
        NEO4J_USER: process.env.NEO4J_USER ?? "neo4j",
        NEO4J_PASSWORD: process.env.NEO4J_PASSWORD ?? "",
        NEO4J_CONNECTION_TIMEOUT_MS: "2000",
        KG_BREAKER_COOLDOWN_MS: "2000",
        KG_BREAKER_THRESHOLD: "2",
      });
      let stopped = false;
      try {
        await (rt.rawStore as Neo4jGraphStore).deleteEverything();
        await rt.queues.enqueueMessages(before.messages as never, "replay");
        await waitIdle(rt.queues, 240_000);
        const eventsBefore = (await rt.store.stats()).episodic_events;
        expect(eventsBefore).toBeGreaterThan(0);

        neo4jSh("stop");
        stopped = true;
        await rt.queues.enqueueMessages(during.messages as never, "replay");
        const breaker = async () => (await rt.metrics.circuitBreakerState.get()).values[0]?.value ?? 0;
        // Open (1), or half-open (2) while a probe runs against the still-stopped server.
        await until("the circuit breaker to open", async () => (await breaker()) !== 0, 180_000);
        const counts = await rt.queues.counts();
        const waiting = Object.values(counts).reduce(
          (n, c) => n + (c.delayed ?? 0) + (c.waiting ?? 0) + (c.prioritized ?? 0),
          0,
        );
        expect(waiting).toBeGreaterThan(0);
        expect(Object.values(counts).reduce((n, c) => n + (c.failed ?? 0), 0)).toBe(0);

        neo4jSh("start");
        stopped = false;
        await waitIdle(rt.queues, 300_000);
        await until("the breaker to close", async () => (await breaker()) === 0, 60_000);
        const after = await rt.queues.counts();
        expect(Object.values(after).reduce((n, c) => n + (c.failed ?? 0), 0)).toBe(0);
        // Everything sent during the outage landed: the symptom is there and ranked.
        const symptom = await rt.store.getEvent(during.symptom.event_id);
        expect(symptom).toBeDefined();
        expect((await rt.store.stats()).episodic_events).toBeGreaterThan(eventsBefore);
        const dead = await rt.queues.get("dead-letter").getJobCounts();
        expect(dead.waiting ?? 0).toBe(0);
      } finally {
        if (stopped) neo4jSh("start");
        await close();
      }
    }, 900_000);
  });
}
