import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resourceId } from "../../rca/identity.js";
import type { EventInput, IngestBatch, Severity } from "../../rca/model.js";
import { sameHiddenClass, tempDir } from "../../tests/helpers.js";
import { graphStoreContract } from "../graph-store.contract.js";
import type { StoredEvent, StoredResource } from "../graph-store.js";
import { adjacencyBuilder, expandNeighborhood, reachIdNumbers, reachIds } from "../neighborhood.js";
import { HotEvents } from "./hot-events.js";
import { SqliteGraphStore } from "./sqlite-graph-store.js";

// The whole contract again with recent events held in memory, with a cap small enough that the
// contract's own data makes the index evict and fall back to SQL.
graphStoreContract("sqlite with hot events", async () => {
  const t = tempDir("kgrca-contract-hot-");
  const store = new SqliteGraphStore({ path: join(t.dir, "kg.sqlite"), hotEvents: { maxEvents: 5 } });
  await store.init();
  return {
    store,
    close: async () => {
      await store.close();
      t.remove();
    },
  };
});

const C = "c1";
const T0 = Date.UTC(2025, 0, 1);
const PODS = ["a", "b", "c", "d"];
const REASONS = ["BackOff", "OOMKilled", "Unhealthy"];
const LEVELS: Severity[] = ["INFO", "WARNING", "ERROR"];
const rid = (p: string) => resourceId(C, "Pod", "shop", p);

const event = (
  i: number,
  pod: string,
  sec: number,
  reason: string,
  severity: Severity,
  cluster = C,
  variant = 0,
): EventInput => ({
  id: `e${i}`,
  baseId: `e${i}`,
  cluster,
  etype: "k8s.event",
  severity,
  reason,
  // Variant 3: a lone surrogate, which SQLite does not store as given.
  message: `${reason} on ${pod}${variant === 3 ? " \ud800" : ""}`,
  timeMs: T0 + sec * 1000,
  count: 1,
  subject: {
    cluster,
    kind: "Pod",
    namespace: "shop",
    name: pod,
    ...(variant === 2 ? { uid: `uid-${pod}` } : {}),
  },
  ...(variant === 1 ? { source: { component: "kubelet", host: "n1" }, labels: { app: pod } } : {}),
  ...(variant === 2 ? { annotations: { note: "x" }, status: "Running", labels: {} } : {}),
});
const batchOf = (events: EventInput[]): IngestBatch => ({
  resources: [],
  resourceDeletes: [],
  edges: [],
  events,
});
/** A pod's state with an image: a new image makes a change event (ImageChanged; ResourceDeleted once deleted). */
const deploy = (pod: string, sec: number, v: number, deleted = false): IngestBatch => ({
  ...batchOf([]),
  resources: [
    {
      cluster: C,
      kind: "Pod",
      namespace: "shop",
      name: pod,
      labels: {},
      props: { image: `app:v${v}` },
      atMs: T0 + sec * 1000,
      deleted,
    },
  ],
});
const ids = (es: StoredEvent[]) => es.map((e) => `${e.id}@${e.timeMs}/${e.level}/${e.incidentId ?? ""}`);

async function open(dir: string, hot?: number) {
  const s = new SqliteGraphStore({
    path: join(dir, "kg.sqlite"),
    ...(hot !== undefined ? { hotEvents: { maxEvents: hot } } : {}),
  });
  await s.init();
  return s;
}

/** A stored event at `timeMs` (on no resource). */
const storedAt = (timeMs: number): StoredEvent => ({
  id: "",
  baseId: "",
  cluster: C,
  etype: "k8s.event",
  severity: "WARNING",
  level: "WARNING",
  reason: "BackOff",
  message: "",
  timeMs,
  count: 1,
  resourceId: undefined,
  subjectKind: undefined,
  subjectNamespace: undefined,
  subjectName: undefined,
  subjectUid: undefined,
  incidentId: undefined,
  seq: undefined,
  source: undefined,
  labels: undefined,
  annotations: undefined,
  status: undefined,
});

/** A store without recent events in memory and one holding `cap` of them, closed and removed after `fn`. */
async function plainAndHot(
  cap: number,
  fn: (plain: SqliteGraphStore, hot: SqliteGraphStore) => Promise<void>,
) {
  const a = tempDir("kgrca-hot-plain-");
  const b = tempDir("kgrca-hot-held-");
  const plain = await open(a.dir);
  const hot = await open(b.dir, cap);
  try {
    await fn(plain, hot);
  } finally {
    await plain.close();
    await hot.close();
    a.remove();
    b.remove();
  }
}

describe("hot events", () => {
  it("reads a neighbourhood's ids by their numbers as by the ids themselves, through puts, drops, eviction and resets", async () => {
    // Pods a-f in a chain (a selects b, ...); g and h have no events. Reads with the id lists
    // `reachIds` makes (numbered) must give what the same ids in a list of their own give.
    const all = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const lists = adjacencyBuilder();
    for (let k = 0; k + 1 < all.length; k++) {
      lists.add(rid(all[k]!), "out", rid(all[k + 1]!), "SELECTS");
      lists.add(rid(all[k + 1]!), "in", rid(all[k]!), "SELECTS");
    }
    const adj = lists.sorted();
    const reads = await Promise.all(
      ["a", "d", "h"].map(async (p) => reachIds(await expandNeighborhood(rid(p), 3, () => adj))),
    );
    expect(reads.every((ids) => reachIdNumbers(ids) !== undefined)).toBe(true);
    const op = fc.oneof(
      fc.record({
        t: fc.constant("put" as const),
        i: fc.integer({ min: 0, max: 30 }),
        pod: fc.constantFrom(...all.slice(0, 6)),
        sec: fc.integer({ min: 0, max: 100 }),
        level: fc.constantFrom(...LEVELS),
      }),
      fc.record({ t: fc.constant("drop" as const), i: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ t: fc.constant("reset" as const), sec: fc.integer({ min: 0, max: 100 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 2, max: 20 }),
        (ops, cap) => {
          const hot = new HotEvents(cap);
          hot.reset(Number.NEGATIVE_INFINITY);
          const held = new Map<number, StoredEvent>();
          for (const o of ops) {
            if (o.t === "put") {
              const e = {
                ...storedAt(T0 + o.sec * 1000),
                id: `e${o.i}`,
                baseId: `e${o.i}`,
                level: o.level,
                severity: o.level,
                resourceId: rid(o.pod),
              };
              held.set(o.i, e);
              hot.put(e);
            } else if (o.t === "drop") hot.drop(`e${o.i}`);
            else
              hot.reset(
                T0 + o.sec * 1000,
                [...held.values()].filter((e) => e.timeMs >= T0 + o.sec * 1000),
              );
            for (const ids of reads)
              for (const min of LEVELS) {
                const numbered = hot.onResources(ids, T0, T0 + 100_000, min);
                expect(numbered).toEqual(hot.onResources([...ids], T0, T0 + 100_000, min));
              }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("evicts the oldest whole seconds until a tenth of the room is free, as counting second by second does", () => {
    fc.assert(
      fc.property(
        // Times within ~100 s (several 16 s spans), many sharing a second.
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 3, max: 40 }),
        (times, cap) => {
          const hot = new HotEvents(cap);
          hot.reset(Number.NEGATIVE_INFINITY);
          // The reference: every held time, and the floor as the per-second count sets it.
          let held: number[] = [];
          let floor = Number.NEGATIVE_INFINITY;
          times.forEach((t, i) => {
            hot.put({ ...storedAt(T0 + t), id: `e${i}` });
            if (T0 + t < floor) return;
            held.push(T0 + t);
            if (held.length <= cap) return;
            const seconds = [...new Set(held.map((x) => Math.floor(x / 1000)))].sort((a, b) => a - b);
            let n = held.length;
            for (const sec of seconds) {
              if (n <= Math.floor(cap * 0.9)) break;
              n -= held.filter((x) => Math.floor(x / 1000) === sec).length;
              floor = (sec + 1) * 1000;
            }
            held = held.filter((x) => x >= floor);
          });
          expect(hot.floor).toBe(floor);
          expect(hot.size).toBe(held.length);
        },
      ),
    );
  });

  it("gives a resource's newest events stored up to a batch's commit, held or not", () =>
    plainAndHot(4, async (plain, hot) => {
      // Batches stored one after the other, each with events older and newer than the last's.
      const batches = [
        [event(1, "a", 10, "BackOff", "WARNING"), event(2, "a", 20, "BackOff", "ERROR")],
        [event(3, "a", 5, "BackOff", "WARNING"), event(4, "a", 30, "OOMKilled", "ERROR")],
        [event(5, "a", 15, "BackOff", "WARNING"), event(6, "a", 40, "BackOff", "WARNING")],
      ];
      const marks: number[] = [];
      for (const list of batches) {
        const p = await plain.applyBatch(batchOf(list));
        expect((await hot.applyBatch(batchOf(list))).eventsUpTo).toBe(p.eventsUpTo);
        marks.push(p.eventsUpTo!);
      }
      expect(marks).toEqual([...marks].sort((x, y) => x - y));
      const all = (await plain.listEvents({ resourceId: rid("a"), minSeverity: "WARNING", limit: 100 }))
        .items;
      // Asked after the last batch with each batch's number: the events of that batch and the
      // ones before it, newest first (the 4 held events' floor lies between two batches' events).
      for (const [k, upTo] of marks.entries()) {
        const stored = new Set(batches.slice(0, k + 1).flatMap((l) => l.map((e) => e.id)));
        for (const limit of [1, 2, 3, 10]) {
          const want = ids(all.filter((e) => stored.has(e.id)).slice(0, limit));
          expect(ids(await plain.recentEventsOn(rid("a"), "WARNING", limit, upTo))).toEqual(want);
          expect(ids(await hot.recentEventsOn(rid("a"), "WARNING", limit, upTo))).toEqual(want);
        }
      }
    }));

  it("gives a resource's newest events as SQL orders them, ties at one time by id, held or not", () =>
    plainAndHot(6, async (plain, hot) => {
      // Five events at one second (ids out of order), two older, one INFO; a cap of 6 puts the older below the floor.
      const list = [
        event(7, "a", 10, "BackOff", "WARNING"),
        event(3, "a", 10, "BackOff", "ERROR"),
        event(9, "a", 10, "BackOff", "WARNING"),
        event(1, "a", 10, "OOMKilled", "ERROR"),
        event(5, "a", 10, "BackOff", "WARNING"),
        event(2, "a", 4, "BackOff", "WARNING"),
        event(8, "a", 2, "BackOff", "ERROR"),
        event(4, "a", 12, "BackOff", "INFO"),
      ];
      for (const s of [plain, hot]) await s.applyBatch(batchOf(list));
      for (const limit of [1, 2, 3, 5, 6, 10])
        for (const min of LEVELS) {
          const listed = ids(
            (await plain.listEvents({ resourceId: rid("a"), minSeverity: min, limit })).items,
          );
          expect(ids(await hot.recentEventsOn(rid("a"), min, limit))).toEqual(listed);
          expect(ids(await plain.recentEventsOn(rid("a"), min, limit))).toEqual(listed);
        }
      expect(ids(await hot.recentEventsOn(rid("a"), "WARNING", 2))).toEqual([
        "e1@" + (T0 + 10_000) + "/ERROR/",
        "e3@" + (T0 + 10_000) + "/ERROR/",
      ]);
    }));

  it("answers every read as SQL does (recent events on a resource or in a cluster, cause links), through inserts, updates, escalations, incidents, links and eviction", async () => {
    const op = fc.oneof(
      fc.record({
        t: fc.constant("events" as const),
        list: fc.array(
          fc.record({
            i: fc.integer({ min: 0, max: 40 }),
            pod: fc.constantFrom(...PODS),
            // Some at one of a few times: ties are ordered by id.
            sec: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.constantFrom(100, 450)),
            reason: fc.constantFrom(...REASONS),
            sev: fc.constantFrom(...LEVELS),
            cluster: fc.constantFrom(C, C, "c2"),
            variant: fc.constantFrom(0, 0, 1, 2, 3),
          }),
          { minLength: 1, maxLength: 8 },
        ),
      }),
      fc.record({ t: fc.constant("level" as const), i: fc.integer({ min: 0, max: 40 }) }),
      // A pod's new image: a change event (inserted, or changed when the same state comes again).
      fc.record({
        t: fc.constant("deploy" as const),
        pod: fc.constantFrom(...PODS),
        sec: fc.integer({ min: 0, max: 600 }),
        v: fc.integer({ min: 0, max: 2 }),
        deleted: fc.boolean(),
      }),
      fc.record({ t: fc.constant("incident" as const), i: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ t: fc.constant("cleanup" as const), sec: fc.integer({ min: 0, max: 600 }) }),
      // Links between events stored or not, held or evicted (written by number when both are held).
      fc.record({
        t: fc.constant("links" as const),
        list: fc.array(
          fc.record({
            effect: fc.integer({ min: 0, max: 40 }),
            cause: fc.integer({ min: 0, max: 40 }),
            confidence: fc.constantFrom(0.3, 0.5, 0.9),
            hop: fc.constantFrom("a", "b"),
          }),
          { minLength: 1, maxLength: 8 },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 3, max: 30 }),
        async (ops, cap) => {
          const a = tempDir("kgrca-hot-a-");
          const b = tempDir("kgrca-hot-b-");
          const plain = await open(a.dir);
          const hot = await open(b.dir, cap);
          try {
            for (const o of ops) {
              for (const s of [plain, hot]) {
                if (o.t === "events")
                  await s.applyBatch(
                    batchOf(
                      o.list.map((x) => event(x.i, x.pod, x.sec, x.reason, x.sev, x.cluster, x.variant)),
                    ),
                  );
                else if (o.t === "deploy") await s.applyBatch(deploy(o.pod, o.sec, o.v, o.deleted));
                else if (o.t === "level") await s.setEventLevels([{ eventId: `e${o.i}`, level: "FATAL" }]);
                else if (o.t === "incident")
                  await s.saveIncidents([
                    {
                      id: `inc-${o.i % 3}`,
                      cluster: C,
                      severity: "ERROR",
                      startMs: T0,
                      endMs: T0,
                      eventCount: 2,
                      resourceIds: [],
                      joiningEventIds: [`e${o.i}`, `e${(o.i + 7) % 41}`],
                      // Every other save absorbs another incident: its events move.
                      absorbedIds: o.i % 2 ? [`inc-${(o.i + 1) % 3}`] : [],
                      rootEventId: `e${o.i}`,
                    },
                  ]);
                else if (o.t === "links")
                  await s.upsertCauseLinks(
                    o.list.map((l) => ({
                      effectId: `e${l.effect}`,
                      causeId: `e${l.cause}`,
                      confidence: l.confidence,
                      temporal: 0.5,
                      distance: 0.5,
                      domain: 0.5,
                      hops: 1,
                      rule: "r",
                      path: [rid(l.hop), "RUNS_ON"],
                    })),
                  );
                else await s.cleanup(T0 + o.sec * 1000, 1000, false);
              }
              for (const [from, to] of [
                [0, 600],
                [300, 450],
                [590, 600],
              ] as const) {
                for (const min of LEVELS) {
                  // A resource named twice is read once, as SQL's `IN` does.
                  const args = [[...PODS, PODS[0]!].map(rid), T0 + from * 1000, T0 + to * 1000, min] as const;
                  // Whole events, every field: the index shares strings between the events it holds.
                  const held = await hot.eventsOnResources(...args);
                  const read = await plain.eventsOnResources(...args);
                  expect(ids(held)).toEqual(ids(read));
                  expect(held).toStrictEqual(read);
                }
                const r = [rid("a"), "BackOff", T0 + from * 1000, T0 + to * 1000] as const;
                expect(await hot.eventsByReason(...r)).toStrictEqual(await plain.eventsByReason(...r));
                for (const limit of [2, 1000]) {
                  const c = [C, T0 + from * 1000, T0 + to * 1000, limit] as const;
                  expect(await hot.eventsInCluster(...c)).toStrictEqual(await plain.eventsInCluster(...c));
                }
              }
              // A window wider than every second held (read over what is held, not second by second).
              const wide = [C, 0, Number.MAX_SAFE_INTEGER, 1000] as const;
              expect(await hot.eventsInCluster(...wide)).toStrictEqual(await plain.eventsInCluster(...wide));
              for (const pod of PODS)
                for (const min of LEVELS)
                  for (const limit of [1, 3, 200]) {
                    const listed = ids(
                      (await plain.listEvents({ resourceId: rid(pod), minSeverity: min, limit })).items,
                    );
                    expect(ids(await hot.recentEventsOn(rid(pod), min, limit))).toEqual(listed);
                    expect(ids(await plain.recentEventsOn(rid(pod), min, limit))).toEqual(listed);
                  }
              for (const inc of ["inc-0", "inc-1", "inc-2"])
                expect(await hot.incidentEvents(inc, 1000)).toStrictEqual(
                  await plain.incidentEvents(inc, 1000),
                );
              const all = Array.from({ length: 41 }, (_, i) => `e${i}`);
              expect(await hot.getEvents(all)).toStrictEqual(await plain.getEvents(all));
              for (const id of all) {
                expect(await hot.causeLinksTo(id)).toStrictEqual(await plain.causeLinksTo(id));
                expect(await hot.causeLinksFrom(id)).toStrictEqual(await plain.causeLinksFrom(id));
              }
              expect((await hot.stats()).cause_links).toBe((await plain.stats()).cause_links);
            }
          } finally {
            await plain.close();
            await hot.close();
            a.remove();
            b.remove();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("mirrors the events a write inserts as SQL reads them back: change events, extras, a string SQLite stores otherwise", async () => {
    const a = tempDir("kgrca-hot-a-");
    const b = tempDir("kgrca-hot-b-");
    const plain = await open(a.dir);
    const hot = await open(b.dir, 100);
    try {
      const batches = [
        batchOf([event(0, "a", 0, "BackOff", "WARNING")]), // the recent events are read from here on
        deploy("a", 1, 0),
        deploy("a", 2, 1), // ImageChanged
        batchOf([0, 1, 2, 3].map((v) => event(10 + v, "a", 3 + v, "BackOff", "ERROR", C, v))),
        batchOf([event(10, "a", 9, "Unhealthy", "WARNING", C, 1)]), // a newer occurrence: its row changes
        deploy("a", 2, 1), // the same state again: the change event is written again, unchanged
        deploy("a", 8, 1, true), // ResourceDeleted
      ];
      for (const batch of batches) {
        for (const s of [plain, hot]) await s.applyBatch(batch);
        const args = [[rid("a")], T0, T0 + 60_000, "INFO"] as const;
        const held = await hot.eventsOnResources(...args);
        expect(held).toStrictEqual(await plain.eventsOnResources(...args));
      }
      const held = await hot.eventsOnResources([rid("a")], T0, T0 + 60_000, "INFO");
      expect(held.map((e) => e.reason)).toEqual([
        "BackOff",
        "ImageChanged",
        "BackOff",
        "BackOff",
        "BackOff",
        "ResourceDeleted",
        "Unhealthy",
      ]);
      // The lone surrogate comes back as SQLite stored it (three replacement characters), not as given.
      expect(held.find((e) => e.id === "e13")?.message).toBe("BackOff on a \ufffd\ufffd\ufffd");
    } finally {
      await plain.close();
      await hot.close();
      a.remove();
      b.remove();
    }
  });

  it("mirrors incident and level changes alone without reading the rows back: joins, merges, escalations, orphans nulled by cleanup", async () =>
    plainAndHot(100, async (plain, hot) => {
      const incident = (id: string, joining: string[], absorbed: string[] = [], endSec = 0) => ({
        id,
        cluster: C,
        severity: "ERROR" as const,
        startMs: T0,
        endMs: T0 + endSec * 1000,
        eventCount: joining.length,
        resourceIds: [],
        joiningEventIds: joining,
        absorbedIds: absorbed,
        rootEventId: joining[0],
      });
      const steps: Array<(s: SqliteGraphStore) => Promise<unknown>> = [
        (s) =>
          s.applyBatch(
            batchOf([0, 1, 2, 3, 4].map((i) => event(i, PODS[i % 2]!, 10 + i, "BackOff", "ERROR"))),
          ),
        (s) => s.saveIncidents([incident("inc-a", ["e0", "e1"]), incident("inc-b", ["e2", "e3"], [], 100)]),
        // inc-b absorbs inc-a (its events move) and takes e4, whose level then changes.
        (s) => s.saveIncidents([incident("inc-b", ["e4"], ["inc-a"], 100)]),
        (s) => s.setEventLevels([{ eventId: "e4", level: "FATAL" }]),
        (s) => s.saveIncidents([incident("inc-c", ["e0"])]), // e0 leaves inc-b for inc-c, which ended at 0 s
        // At 5 s: no event is older (10-14 s), inc-c is: it goes, and e0's incident with it.
        (s) => s.cleanup(T0 + 5_000, 1000, false),
      ];
      const all = [0, 1, 2, 3, 4].map((i) => `e${i}`);
      for (const step of steps) {
        for (const s of [plain, hot]) await step(s);
        expect(await hot.getEvents(all)).toStrictEqual(await plain.getEvents(all));
        const args = [[rid("a"), rid("b")], T0, T0 + 60_000, "INFO"] as const;
        expect(await hot.eventsOnResources(...args)).toStrictEqual(await plain.eventsOnResources(...args));
      }
      expect((await hot.getEvents(all)).map((e) => e.incidentId)).toEqual([
        undefined,
        "inc-b",
        "inc-b",
        "inc-b",
        "inc-b",
      ]);
      // Every held event, patched or not, has the hidden class of an event read from SQL: a
      // second shape (a spread copy) made the code reading events deoptimise again and again.
      const [read] = await plain.getEvents(["e1"]);
      for (const e of await hot.getEvents(all)) expect(sameHiddenClass(e, read!), e.id).toBe(true);
    }));

  it("sees what another process committed (data_version); frequent foreign commits leave reads exact", async () => {
    const t = tempDir("kgrca-hot-2p-");
    const hot = await open(t.dir, 1000);
    const other = await open(t.dir);
    try {
      await hot.applyBatch(batchOf([event(1, "a", 10, "BackOff", "WARNING")]));
      const range = [[rid("a")], T0, T0 + 600_000] as const;
      expect(ids(await hot.eventsOnResources(...range))).toEqual([`e1@${T0 + 10_000}/WARNING/`]);
      // Another connection (as another process would) adds one event and escalates the first.
      await other.applyBatch(batchOf([event(2, "a", 20, "OOMKilled", "ERROR")]));
      await other.setEventLevels([{ eventId: "e1", level: "ERROR" }]);
      expect(ids(await hot.eventsOnResources(...range))).toEqual([
        `e1@${T0 + 10_000}/ERROR/`,
        `e2@${T0 + 20_000}/ERROR/`,
      ]);
      expect((await hot.getEvent("e2"))?.reason).toBe("OOMKilled");
      await hot.applyBatch(batchOf([event(3, "a", 30, "BackOff", "WARNING")]));
      expect((await hot.eventsOnResources(...range)).map((e) => e.id)).toEqual(["e1", "e2", "e3"]);
      // A second foreign commit soon after: this process stops keeping events in memory, and
      // every read still sees everything.
      await other.applyBatch(batchOf([event(4, "a", 40, "OOMKilled", "ERROR")]));
      expect((await hot.eventsOnResources(...range)).map((e) => e.id)).toEqual(["e1", "e2", "e3", "e4"]);
      await hot.applyBatch(batchOf([event(5, "a", 50, "BackOff", "WARNING")]));
      expect((await hot.getEvents(["e5", "e4"])).map((e) => e.id)).toEqual(["e4", "e5"]);
    } finally {
      await hot.close();
      await other.close();
      t.remove();
    }
  });

  it("reads resources from memory as SQL gives them, through upserts, deletes and another process's commits", async () => {
    const upsert = fc.record({
      t: fc.constant("upsert" as const),
      pod: fc.constantFrom(...PODS),
      v: fc.integer({ min: 0, max: 3 }),
      sec: fc.integer({ min: 0, max: 600 }),
      uid: fc.boolean(),
    });
    const remove = fc.record({
      t: fc.constant("delete" as const),
      pod: fc.constantFrom(...PODS),
      sec: fc.integer({ min: 0, max: 600 }),
    });
    // Events name resources too: an event on an unknown pod creates its row.
    const events = fc.record({
      t: fc.constant("event" as const),
      pod: fc.constantFrom(...PODS, "e"),
      i: fc.integer({ min: 0, max: 40 }),
    });
    const byWhom = fc.constantFrom("hot", "other");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.oneof(upsert, remove, events), byWhom), { minLength: 1, maxLength: 12 }),
        async (ops) => {
          const t = tempDir("kgrca-hot-res-");
          const hot = await open(t.dir, 1000);
          const other = await open(t.dir);
          const plain = await open(t.dir);
          const all = [...PODS, "e", "none"].map(rid);
          try {
            for (const [o, who] of ops) {
              const s = who === "hot" ? hot : other;
              if (o.t === "upsert")
                await s.applyBatch({
                  ...batchOf([]),
                  resources: [
                    {
                      cluster: C,
                      kind: "Pod",
                      namespace: "shop",
                      name: o.pod,
                      ...(o.uid ? { uid: `9c1f0000-0000-4000-8000-00000000000${PODS.indexOf(o.pod)}` } : {}),
                      labels: { v: String(o.v) },
                      props: { image: `app:${o.v}` },
                      atMs: T0 + o.sec * 1000,
                      deleted: false,
                    },
                  ],
                });
              else if (o.t === "delete")
                await s.applyBatch({
                  ...batchOf([]),
                  resourceDeletes: [
                    {
                      ref: { cluster: C, kind: "Pod", namespace: "shop", name: o.pod },
                      atMs: T0 + o.sec * 1000,
                    },
                  ],
                });
              else await s.applyBatch(batchOf([event(o.i, o.pod, o.i, "BackOff", "WARNING")]));
              // Read all, then a few, in both orders: each read may fill the memory from the last.
              // The same resources, each once (in no particular order).
              const byId = (rs: StoredResource[]) => rs.sort((a, b) => (a.id < b.id ? -1 : 1));
              for (const ids of [all, [all[1]!, all[0]!, all[1]!], [...all].reverse()])
                expect(byId(await hot.getResources(ids))).toEqual(byId(await plain.getResources(ids)));
              for (const id of all) expect(await hot.getResource(id)).toEqual(await plain.getResource(id));
            }
          } finally {
            await hot.close();
            await other.close();
            await plain.close();
            t.remove();
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
