import { rmSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime, type Runtime } from "../../cli/runtime.js";
import { InvalidMessageError } from "../../rca/errors.js";
import { resourceId } from "../../rca/identity.js";
import { emptyBatch } from "../../rca/model.js";
import { normalizeMessage, type WireMessage } from "../../rca/normalize.js";
import { processIngest } from "../../workers/ingest-processor.js";
import { testConfig } from "../helpers.js";
import { anyMessage, injection, sameText, validMessage, weirdString } from "./arbitraries.js";

/**
 * The ingest processor with bridge-like batches: garbage mixed into valid messages. Each bad
 * message lands in the dead-letter queue with its reason, every valid one is in the store, and
 * labels and messages full of injection strings come back from the store verbatim.
 */
let rt: Runtime;
let seq = 1;

beforeAll(async () => {
  rt = await openRuntime(testConfig("fuzz-ingest"), "test");
});
afterAll(async () => {
  await rt.queues.obliterate();
  await rt.close();
  rmSync(rt.config.dataDir, { recursive: true, force: true });
});

const isInvalid = (m: WireMessage): boolean => {
  try {
    normalizeMessage(m, rt.workerContext.normalize, emptyBatch());
    return false;
  } catch (err) {
    if (err instanceof InvalidMessageError) return true;
    throw err;
  }
};

describe("fuzz: ingest processor", () => {
  it("dead-letters each bad message with its reason and stores everything valid sent alongside", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(4), fc.oneof(injection, weirdString)), { minLength: 1, maxLength: 8 }),
        fc.array(anyMessage, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        async (validSpecs, garbage, shuffleSeed) => {
          const valid = validSpecs.map(([, label]) => {
            const n = seq++;
            return { n, label, msg: fc.sample(validMessage(n, label), { numRuns: 1, seed: n })[0]! };
          });
          // Labels that are not valid as data (control characters) make their message invalid too.
          const batch: WireMessage[] = [...valid.map((v) => v.msg), ...(garbage as WireMessage[])];
          let s = shuffleSeed;
          for (let i = batch.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) >>> 0;
            const j = s % (i + 1);
            [batch[i], batch[j]] = [batch[j]!, batch[i]!];
          }
          const expectInvalid = batch.filter(isInvalid).length;
          const dlq = rt.queues.get("dead-letter");
          const before = await dlq.count();
          const result = await processIngest(rt.workerContext, {
            messages: batch,
            source: "api",
            enqueuedMs: Date.now(),
          });
          expect(result.invalid).toBe(expectInvalid);
          // One dead-letter entry per bad message (none for the valid ones: the store took them all).
          expect((await dlq.count()) - before).toBe(expectInvalid);
          for (const j of await dlq.getJobs(["waiting"], 0, 50)) {
            expect(typeof j.data.reason).toBe("string");
            expect(j.data.reason.length).toBeGreaterThan(0);
            expect(j.data.queue).toBe("ingest");
          }
          // Everything valid is in the store, and its text is exactly what was sent.
          for (const v of valid) {
            if (isInvalid(v.msg)) continue;
            const value = v.msg.value as Record<string, unknown>;
            if (v.msg.topic === "state.k8s.resource") {
              const r = await rt.store.getResource(
                resourceId(rt.config.defaultCluster, "Pod", "fuzz", String(value.name)),
              );
              expect(r, `resource svc-${v.n}`).toBeDefined();
            } else if (v.msg.topic !== "state.k8s.topology") {
              const e = await rt.store.getEvent(String(value.event_id));
              expect(e, `event ${value.event_id}`).toBeDefined();
              // Verbatim, except that a lone surrogate cannot survive UTF-8 (see sameText).
              const stored = v.msg.topic !== "alerts.enriched" ? e!.message : e!.labels?.note;
              expect(
                sameText(stored, v.label),
                `${JSON.stringify(stored)} vs ${JSON.stringify(v.label)}`,
              ).toBe(true);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("round-trips injection strings through the store as plain data", async () => {
    for (const [i, bad] of [
      "'); DROP TABLE events;--",
      '"}) MATCH (n) DETACH DELETE n //',
      "x' UNION SELECT * FROM resources --",
      "Robert'); DROP TABLE cause_links; --",
    ].entries()) {
      const name = `inj-${i}`;
      const r = await processIngest(rt.workerContext, {
        source: "api",
        enqueuedMs: Date.now(),
        messages: [
          {
            topic: "state.k8s.resource",
            key: null,
            value: {
              at: "2025-10-08T10:00:00Z",
              kind: "Pod",
              namespace: "inj",
              name,
              labels: { app: bad, [bad]: "k" },
            },
          },
          {
            topic: "events.normalized",
            key: null,
            value: {
              event_id: `inj-ev-${i}`,
              event_time: "2025-10-08T10:00:01Z",
              reason: bad,
              message: bad,
              severity: "ERROR",
              subject: { kind: "Pod", ns: "inj", name },
              labels: { q: bad },
            },
          },
        ],
      });
      expect(r.invalid).toBe(0);
      const res = await rt.store.getResource(resourceId(rt.config.defaultCluster, "Pod", "inj", name));
      expect(res?.labels.app).toBe(bad);
      expect(res?.labels[bad]).toBe("k");
      const ev = await rt.store.getEvent(`inj-ev-${i}`);
      expect(ev?.reason).toBe(bad);
      expect(ev?.message).toBe(bad);
      expect(ev?.labels?.q).toBe(bad);
      // As a query parameter too: the filter matches the one event, nothing else happens.
      const found = await rt.store.listEvents({ reason: bad, limit: 10 });
      expect(found.items.map((e) => e.id)).toEqual([`inj-ev-${i}`]);
    }
    // The tables the injection strings name are all still there.
    const stats = await rt.store.stats();
    expect(stats).toBeDefined();
    expect(await rt.store.getEvent("inj-ev-0")).toBeDefined();
  });
});
