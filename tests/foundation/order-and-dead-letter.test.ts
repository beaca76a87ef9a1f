import { afterEach, describe, expect, it } from "vitest";
import { readScenario } from "../../bridge/replay/index.js";
import { waitIdle } from "../../cli/pipeline.js";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { analyze } from "../../rca/analyze.js";
import type { WireMessage } from "../../rca/normalize.js";
import { testPipeline } from "../helpers.js";

const demo = readScenario(new URL("../../scenarios/demo/demo-checkout-oomkill.json", import.meta.url).pathname);

async function replay(messages: WireMessage[]) {
  const p = await testPipeline("order");
  await p.rt.queues.enqueueMessages(messages, "replay");
  await waitIdle(p.rt.queues, 60_000);
  const a = await analyze(p.rt.store, demo.symptom.event_id, { windowMs: 15 * 60_000, maxHops: 3, rules: p.rt.rules });
  const fingerprint = (p.rt.rawStore as SqliteGraphStore).fingerprintRows();
  return { p, ranking: a?.causes.map((c) => [c.event.id, c.confidence]), fingerprint };
}

describe("order independence", () => {
  const open: Array<{ close: () => Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
  });

  it("gives the same causes and graph for a scenario replayed in two orders", async () => {
    const forward = await replay(demo.messages as WireMessage[]);
    open.push(forward.p);
    const backward = await replay([...(demo.messages as WireMessage[])].reverse());
    open.push(backward.p);
    expect(forward.ranking?.length).toBeGreaterThan(0);
    expect(backward.ranking).toEqual(forward.ranking);
    expect(backward.fingerprint).toEqual(forward.fingerprint);
  });
});

describe("dead-letter path", () => {
  it("dead-letters a poison message with its reason while the rest is processed", async () => {
    const p = await testPipeline("dlq");
    try {
      const good: WireMessage = {
        topic: "events.normalized",
        key: "ok-1",
        value: { event_id: "ok-1", event_time: "2025-01-01T00:00:00Z", reason: "BackOff", severity: "WARNING", subject: { kind: "Pod", ns: "a", name: "p" } },
      };
      const poison: WireMessage[] = [
        { topic: "events.normalized", key: "bad-1", value: { event_id: "bad-1", event_time: "not a time", subject: { kind: "Pod", ns: "a", name: "p" } } },
        { topic: "state.k8s.resource", key: "x", value: { kind: "Pod", namespace: "a" } },
        { topic: "no.such.topic", key: "y", value: {} },
      ];
      await p.rt.queues.enqueueMessages([poison[0]!, good, ...poison.slice(1)], "replay");
      await waitIdle(p.rt.queues, 30_000);
      expect(await p.rt.store.getEvent("ok-1")).toBeDefined();
      const dead = await p.rt.queues.get("dead-letter").getJobs(["waiting", "completed", "failed", "delayed"]);
      const reasons = dead.map((j) => j.data.reason as string).sort();
      expect(reasons).toHaveLength(3);
      expect(reasons.join("\n")).toMatch(/event_time is not an RFC 3339 time/);
      expect(reasons.join("\n")).toMatch(/resource: name: /);
      expect(reasons.join("\n")).toMatch(/unknown topic "no.such.topic"/);
      expect(dead.every((j) => j.data.payload && j.data.origin?.topic)).toBe(true);
    } finally {
      await p.close();
    }
  });
});
