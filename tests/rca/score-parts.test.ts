import { describe, expect, it } from "vitest";
import { syntheticCluster, syntheticStream } from "../../bench/synthetic.js";
import type { Runtime } from "../../cli/runtime.js";
import type { ApplyResult, CauseLink } from "../../graph/index.js";
import { emptyBatch } from "../../rca/model.js";
import { normalizeMessage } from "../../rca/normalize.js";
import type { RcaScoreJob } from "../../queues/index.js";
import { processRcaScore } from "../../workers/rca-score-processor.js";
import { testRuntime } from "../helpers.js";
import { CLUSTER, event, shop } from "./fixtures.js";

/** Every link the store holds for `ids` as effects, in a fixed order. */
async function linksOf(rt: Runtime, ids: readonly string[]): Promise<CauseLink[]> {
  const out: CauseLink[] = [];
  for (const id of ids) out.push(...(await rt.store.causeLinksTo(id)));
  return out.sort((a, b) => a.effectId.localeCompare(b.effectId) || a.causeId.localeCompare(b.causeId));
}

/** The synthetic bench cluster at 300 resources. */
const smallCluster = (seed: number, cluster: string) => ({
  resources: 300,
  namespaces: 3,
  nodes: 5,
  seed,
  cluster,
  startMs: Date.parse("2025-06-01T00:00:00Z"),
});

describe("scoring in parts", () => {
  it("a job of many effects, scored and written a part at a time, gives the links of many small jobs", async () => {
    // The same stored events in two stores: one scoring job for all of them (many parts of
    // effects, each scored and written on its own) against jobs of 10 events (one part each).
    const synth = smallCluster(7, "parts");
    const cluster = syntheticCluster(synth);
    const messages = [...cluster.state, ...syntheticStream(cluster, 1_200, synth)];
    const runtimes: Array<{ rt: Runtime; close: () => Promise<void> }> = [];
    try {
      const eventIds: string[][] = [];
      for (const name of ["parts-one-job", "parts-small-jobs"]) {
        const { rt, close } = await testRuntime(name);
        runtimes.push({ rt, close });
        const batch = emptyBatch();
        for (const m of messages) normalizeMessage(m, rt.workerContext.normalize, batch);
        eventIds.push((await rt.store.applyBatch(batch)).eventIds);
      }
      const [one, small] = runtimes.map((r) => r.rt) as [Runtime, Runtime];
      expect(eventIds[0]).toEqual(eventIds[1]);
      const ids = eventIds[0]!;
      expect(ids.length).toBeGreaterThan(1_000);

      const r = await processRcaScore(one.workerContext, { eventIds: ids, resourceIds: [] });
      expect(r.effects).toBeGreaterThan(200); // several parts of 50
      expect(r.links).toBeGreaterThan(2_000);
      for (let i = 0; i < ids.length; i += 10)
        await processRcaScore(small.workerContext, { eventIds: ids.slice(i, i + 10), resourceIds: [] });

      const a = await linksOf(one, ids);
      expect(a.length).toBe(r.links);
      expect(await linksOf(small, ids)).toEqual(a);
    } finally {
      for (const { close } of runtimes) await close();
    }
  }, 120_000);

  it("rescoring for a topology change, limited to the reaches that changed and the events stored by then, gives the links of a full rescore", async () => {
    // Two stores take the same batches, ingest ahead of scoring and the jobs of two batches run
    // newest first. One scores each job as ingest queues it (the reaches that changed from each
    // resource whose edges changed, and the events stored up to its batch); the other rescores
    // those resources' newest events, the next batch's included, against everything near them,
    // and pairs each event with every later one. The stream's log lines add dependency edges as
    // they go, and its failure chains escalate.
    const synth = smallCluster(11, "rescore");
    const cluster = syntheticCluster(synth);
    const stream = [...syntheticStream(cluster, 2_000, synth)];
    const runtimes: Array<{ rt: Runtime; close: () => Promise<void> }> = [];
    try {
      for (const name of ["rescore-limited", "rescore-full"]) runtimes.push(await testRuntime(name));
      const [limited, full] = runtimes.map((r) => r.rt) as [Runtime, Runtime];
      const ids: string[] = [];
      let changed = 0;
      // Jobs of batches stored but not scored yet, in both stores' forms; scored newest first.
      let pending: Array<[RcaScoreJob, RcaScoreJob]> = [];
      const scorePending = async () => {
        for (const [l, f] of pending.reverse()) {
          await processRcaScore(limited.workerContext, l);
          await processRcaScore(full.workerContext, f);
        }
        pending = [];
      };
      const batches = [
        cluster.state,
        ...Array.from({ length: 20 }, (_, i) => stream.slice(i * 100, (i + 1) * 100)),
      ];
      for (const messages of batches) {
        const results = [];
        for (const rt of [limited, full]) {
          const batch = emptyBatch();
          for (const m of messages) normalizeMessage(m, rt.workerContext.normalize, batch);
          results.push(await rt.store.applyBatch(batch));
        }
        const [a, b] = results as [ApplyResult, ApplyResult];
        expect(b.eventIds).toEqual(a.eventIds);
        expect(b.reachChanged).toEqual(a.reachChanged);
        ids.push(...a.eventIds);
        changed += Object.keys(a.reachChanged ?? {}).length;
        const job = { eventIds: a.eventIds, resourceIds: a.resourceIds };
        pending.push([{ ...job, reachChanged: a.reachChanged, eventsUpTo: a.eventsUpTo }, job]);
        // Ingest two batches ahead of scoring, whose jobs then run out of order.
        if (pending.length === 2) await scorePending();
      }
      await scorePending();
      expect(changed).toBeGreaterThan(100);
      const links = await linksOf(limited, ids);
      expect(links.length).toBeGreaterThan(1_000);
      expect(await linksOf(full, ids)).toEqual(links);
    } finally {
      for (const { close } of runtimes) await close();
    }
  }, 180_000);

  it("a cause that arrives after its effect was scored links to it only if it may be reported late", async () => {
    // The forward pass pairs a new event with the events stamped before it only when it may be
    // reported late (an alert, a node's condition, an OOM kill): no other explains them.
    const { rt, close } = await testRuntime("late-forward");
    const pod = { kind: "Pod", ns: "shop", name: "cart-7d9f8-x2k4p" };
    const store = async (messages: ReturnType<typeof event>[]) => {
      const batch = emptyBatch();
      for (const m of messages) normalizeMessage(m, { defaultCluster: CLUSTER }, batch);
      return (await rt.store.applyBatch(batch)).eventIds;
    };
    try {
      await store(shop());
      const [effect] = await store([
        event("backoff-1", 100, "BackOff", pod, { message: "Back-off restarting failed container" }),
      ]);
      await processRcaScore(rt.workerContext, { eventIds: [effect!], resourceIds: [] });
      expect(await rt.store.causeLinksTo(effect!)).toEqual([]);
      // Both stamped 30 s after the symptom, stored and scored after it was.
      const causes = await store([
        event("oom-1", 130, "OOMKilled", pod, { message: "Container cart was OOMKilled" }),
        event("unhealthy-1", 130, "Unhealthy", pod, { message: "Readiness probe failed" }),
      ]);
      expect(causes).toHaveLength(2);
      await processRcaScore(rt.workerContext, { eventIds: causes, resourceIds: [] });
      const linked = (await rt.store.causeLinksTo(effect!)).map((l) => l.causeId);
      const [oom, unhealthy] = (await rt.store.getEvents(causes)).sort((a, b) =>
        a.reason.localeCompare(b.reason),
      );
      expect(oom!.reason).toBe("OOMKilled");
      expect(linked).toContain(oom!.id);
      expect(linked).not.toContain(unhealthy!.id);
    } finally {
      await close();
    }
  }, 60_000);
});
