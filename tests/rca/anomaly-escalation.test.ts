import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openRuntime } from "../../cli/runtime.js";
import { emptyBatch } from "../../rca/model.js";
import { normalizeMessage } from "../../rca/normalize.js";
import { processRcaScore } from "../../workers/rca-score-processor.js";
import { testConfig } from "../helpers.js";
import { CLUSTER, event, T0 } from "./fixtures.js";

describe("escalation and anomaly windows", () => {
  it("a scoring job that raises levels asks for its events' anomaly window again", async () => {
    // Repeated warnings on one pod within a minute: scoring escalates them to ERROR, which an
    // error-spike detection counts. The events are written straight to the store, so only the
    // scoring job can have asked for the window's detection.
    const config = testConfig("anomaly-escalation");
    const rt = await openRuntime(config, "test");
    try {
      const pod = { kind: "Pod", ns: "shop", name: "cart-1" };
      const batch = emptyBatch();
      for (let i = 0; i < 12; i++)
        normalizeMessage(event(`w-${i}`, i, "BackOff", pod, { severity: "WARNING" }), rt.workerContext.normalize, batch);
      const applied = await rt.store.applyBatch(batch);
      const anomaly = rt.queues.get("anomaly");
      expect(await anomaly.count()).toBe(0);

      const r = await processRcaScore(rt.workerContext, { eventIds: applied.eventIds, resourceIds: [] });
      expect(r.escalated).toBeGreaterThan(0);
      const jobs = await anomaly.getJobs(["delayed", "waiting"]);
      const bucket = Math.floor(T0 / (15 * 60_000)) * 15 * 60_000;
      expect(jobs.map((j) => j.data)).toEqual([{ cluster: CLUSTER, fromMs: bucket, toMs: bucket + 15 * 60_000 - 1 }]);

      // Nothing raised, nothing asked again.
      await anomaly.obliterate({ force: true });
      const again = await processRcaScore(rt.workerContext, { eventIds: applied.eventIds, resourceIds: [] });
      expect(again.escalated).toBe(0);
      expect(await anomaly.count()).toBe(0);
    } finally {
      await rt.queues.obliterate();
      await rt.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    }
  });
});
