import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { ResourceRef } from "../../rca/model.js";
import { tempDir, tempStore } from "../../tests/helpers.js";
import { graphStoreContract } from "../graph-store.contract.js";
import { SqliteGraphStore } from "./sqlite-graph-store.js";

// The embedded store is the reference implementation of the contract: always run, on a fresh
// temp file per test.
graphStoreContract("sqlite", async () => {
  const t = tempDir("kgrca-contract-");
  const store = new SqliteGraphStore({ path: join(t.dir, "kg.sqlite") });
  await store.init();
  return {
    store,
    close: async () => {
      await store.close();
      t.remove();
    },
  };
});

/** What SQL gives for `edgesOf(ids)`: the rows touching any of them, in the `UNION`'s order. */
const edgesBySql = (raw: Database.Database) => {
  const sql = raw.prepare(
    `SELECT from_id, to_id, type, origin FROM edges WHERE from_id IN (SELECT value FROM json_each(?))
     UNION SELECT from_id, to_id, type, origin FROM edges WHERE to_id IN (SELECT value FROM json_each(?))`,
  );
  return (ids: readonly string[]) =>
    (sql.all(JSON.stringify(ids), JSON.stringify(ids)) as Array<Record<string, string>>).map((r) => ({
      fromId: r.from_id,
      toId: r.to_id,
      type: r.type,
      origin: r.origin,
    }));
};

/** Two stores (connections) on one new file, and the file read raw; `close` removes it all. */
async function twoConnections(prefix: string) {
  const t = tempDir(prefix);
  const path = join(t.dir, "kg.sqlite");
  const a = new SqliteGraphStore({ path });
  const b = new SqliteGraphStore({ path });
  await a.init();
  await b.init();
  const raw = new Database(path, { readonly: true });
  return {
    path,
    a,
    b,
    raw,
    sqlEdgesOf: edgesBySql(raw),
    close: async () => {
      raw.close();
      await b.close();
      await a.close();
      t.remove();
    },
  };
}

describe("edgesOf from the in-memory edge index", () => {
  it("gives what the SQL union over the edges table gives, in its order, after topology changes (patched or read again)", async () => {
    const { a: store, b: other, sqlEdgesOf, close } = await twoConnections("kgrca-edges-");
    try {
      const ref = (kind: string, name: string, namespace?: string) => ({
        cluster: "c1",
        kind,
        name,
        ...(namespace ? { namespace } : {}),
      });
      const types = ["RUNS_ON", "SELECTS", "CONTROLS", "MOUNTS", "DEPENDS_ON"];
      let seed = 7;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const pods = Array.from({ length: 40 }, (_, i) => `p${i}`);
      let compared = 0;
      // Rounds after the first patch the index in memory with the rows they inserted and deleted;
      // round 3 is another connection's, so the index is patched from the edge log after it.
      for (let round = 0; round < 6; round++) {
        const edges = Array.from({ length: 60 }, (_, k) => ({
          cluster: "c1",
          // From round 2 on, every fourth message deletes an edge round 0 sent; from round 1 on,
          // every fifth of the second half deletes one the first half of the round sent.
          key:
            round >= 2 && k % 4 === 0
              ? `k0-${(k + round) % 60}`
              : round >= 1 && k >= 30 && k % 5 === 0
                ? `k${round}-${k - 29}`
                : `k${round}-${k}`,
          from: ref("Pod", pods[rnd(40)]!, "ns"),
          to: rnd(3) === 0 ? ref("Node", `n${rnd(4)}`) : ref("Pod", pods[rnd(40)]!, "ns"),
          type: types[rnd(types.length)]!,
          atMs: 1_000 + round,
          deleted: (round >= 2 && k % 4 === 0) || (round >= 1 && k >= 30 && k % 5 === 0),
        }));
        // Two writes before the next read: the index is patched with both at once.
        for (const half of [edges.slice(0, 30), edges.slice(30)])
          await (round === 3 ? other : store).applyBatch({
            resources: [],
            resourceDeletes: [],
            edges: half,
            events: [],
          });
        for (let q = 0; q < 10; q++) {
          const ids = Array.from({ length: 1 + rnd(8) }, () => `c1:pod:ns:${pods[rnd(40)]}`);
          if (q % 3 === 0) ids.push("c1:node::n1");
          const expected = sqlEdgesOf(ids);
          expect(await store.edgesOf(ids)).toEqual(expected);
          compared += expected.length;
        }
      }
      expect(compared).toBeGreaterThan(100);
    } finally {
      await close();
    }
  });
});

describe("another connection's topology changes", () => {
  it("are patched in from the edge log, not read whole, until the log no longer reaches back", async () => {
    const { path, a: reader, b: writer, raw, sqlEdgesOf, close } = await twoConnections("kgrca-edge-log-");
    const pod = (i: number) => ({ cluster: "c1", kind: "Pod", namespace: "ns", name: `p${i}` });
    const types = ["RUNS_ON", "SELECTS", "CONTROLS", "DEPENDS_ON"];
    let seed = 11;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const edges = (round: number, n: number) =>
      Array.from({ length: n }, (_, k) => ({
        cluster: "c1",
        // From round 1 on, every third message deletes an edge an earlier round sent.
        key: round >= 1 && k % 3 === 0 ? `k${rnd(round)}-${rnd(n)}` : `k${round}-${k}`,
        from: pod(rnd(30)),
        to: rnd(4) === 0 ? { cluster: "c1", kind: "Node", name: `n${rnd(3)}` } : pod(rnd(30)),
        type: types[rnd(types.length)]!,
        atMs: 1_000 + round,
        deleted: round >= 1 && k % 3 === 0,
      }));
    const batch = (e: ReturnType<typeof edges>) => ({
      resources: [],
      resourceDeletes: [],
      edges: e,
      events: [],
    });
    const ids = [
      ...Array.from({ length: 30 }, (_, i) => `c1:pod:ns:p${i}`),
      ...Array.from({ length: 3 }, (_, i) => `c1:node::n${i}`),
    ];
    // The reader's view equals SQL's (edges) and a new store's (walks from every resource).
    const check = async () => {
      const some = ids.filter(() => rnd(3) === 0);
      expect(await reader.edgesOf(some)).toEqual(sqlEdgesOf(some));
      const fresh = new SqliteGraphStore({ path });
      await fresh.init();
      try {
        for (const id of ids)
          expect(await reader.neighborhood(id, 3)).toEqual(await fresh.neighborhood(id, 3));
      } finally {
        await fresh.close();
      }
    };
    try {
      await writer.applyBatch(batch(edges(0, 40)));
      await check();
      const whole = reader.fullTopologyReads; // the adjacency and the edge index, read once each
      expect(whole).toBe(2);
      // Two writes of the other connection between reads, several times: patched each time.
      for (let round = 1; round < 8; round++) {
        await writer.applyBatch(batch(edges(round, 20)));
        await writer.applyBatch(batch(edges(round, 20).slice(10)));
        await check();
      }
      expect(reader.fullTopologyReads).toBe(whole);
      // A writer that keeps no log (an older kgrca during an upgrade) adds an edge: read whole.
      const old = new Database(path);
      old
        .prepare(
          "INSERT INTO edges (from_id, type, to_id, origin, cluster) VALUES (?, 'DEPENDS_ON', ?, 'sent', 'c1')",
        )
        .run("c1:pod:ns:p1", "c1:pod:ns:p2");
      old.prepare("UPDATE meta SET value = value + 1 WHERE key = 'topology_version'").run();
      old.close();
      await writer.applyBatch(batch(edges(8, 10))); // and a logged version after it
      await check();
      expect(reader.fullTopologyReads).toBe(whole + 2);
      // More versions than the log keeps (1,024): the reader's version is no longer in it.
      const before = await writer.topologyVersion();
      for (let v = 0; v < 1_100; v++) {
        const to = { cluster: "c1", kind: "Node", name: `m${v}` }; // a new edge each time
        await writer.applyBatch(batch([{ ...edges(8, 1)[0]!, key: `many-${v}`, to, deleted: false }]));
      }
      expect(await writer.topologyVersion()).toBe(before + 1_100);
      await check();
      expect(reader.fullTopologyReads).toBe(whole + 4);
      expect(
        (raw.prepare("SELECT COUNT(DISTINCT version) AS n FROM edge_log").get() as { n: number }).n,
      ).toBeLessThanOrEqual(1_024 + 64);
    } finally {
      await close();
    }
  });
});

describe("edgesOf with the edge index kept current (keepEdgeIndex)", () => {
  it("builds it when the store opens and patches it at once when a write changes more than 4,096 rows", async () => {
    const t = tempDir("kgrca-edges-kept-");
    const path = join(t.dir, "kg.sqlite");
    const store = new SqliteGraphStore({ path, keepEdgeIndex: true });
    await store.init();
    const raw = new Database(path, { readonly: true });
    const sqlEdgesOf = edgesBySql(raw);
    const pod = (i: number) => ({ cluster: "c1", kind: "Pod", namespace: "ns", name: `p${i}` });
    const chain = (n: number, deleted: boolean) =>
      Array.from({ length: n }, (_, i) => ({
        cluster: "c1",
        key: `k${i}`,
        from: pod(i),
        to: pod(i + 1),
        type: "DEPENDS_ON",
        atMs: 1_000,
        deleted,
      }));
    try {
      for (const [n, deleted] of [
        [5_000, false],
        [100, true],
        [4_500, true],
      ] as const) {
        await store.applyBatch({ resources: [], resourceDeletes: [], edges: chain(n, deleted), events: [] });
        const ids = [0, 1, 99, 100, 101, 4_499, 4_500, 4_999, 5_000].map((i) => `c1:pod:ns:p${i}`);
        expect(await store.edgesOf(ids)).toEqual(sqlEdgesOf(ids));
      }
      expect(await store.edgesOf(["c1:pod:ns:p4499"])).toEqual([]);
      expect(await store.edgesOf(["c1:pod:ns:p4500"])).toHaveLength(1);
    } finally {
      raw.close();
      await store.close();
      t.remove();
    }
  });
});

describe("neighbourhoods kept between topology changes", () => {
  // A batch that changes the edges of a few resources finds the kept walks to drop by walking back
  // from them; one that changes many tests every kept walk (`dropChangedNeighbourhoods`).
  it.each([
    { pods: 15, edgesPerRound: 12 },
    { pods: 160, edgesPerRound: 120 },
  ])(
    "are what a fresh store walks, after each change, and are given out as kept ($pods pods, $edgesPerRound edges a batch)",
    async ({ pods, edgesPerRound }) => {
      const t = tempDir("kgrca-nb-");
      const path = join(t.dir, "kg.sqlite");
      const store = new SqliteGraphStore({ path });
      await store.init();
      const fresh = async (id: string) => {
        const other = new SqliteGraphStore({ path });
        await other.init();
        try {
          return await other.neighborhood(id, 3);
        } finally {
          await other.close();
        }
      };
      try {
        const pod = (name: string) => ({ cluster: "c1", kind: "Pod", namespace: "ns", name });
        const types = ["RUNS_ON", "SELECTS", "CONTROLS", "DEPENDS_ON"];
        let compared = 0;
        for (let round = 0; round < 4; round++) {
          const edges = Array.from({ length: edgesPerRound }, (_, k) => ({
            cluster: "c1",
            key: `k${round}-${k}`,
            from: pod(`p${(k * 7 + round) % pods}`),
            to:
              k % 5 === 0
                ? { cluster: "c1", kind: "Node", name: `n${k % 2}` }
                : pod(`p${(k * 3 + round * 2) % pods}`),
            type: types[(k + round) % types.length]!,
            atMs: 1_000 + round,
            deleted: round === 3 && k % 3 === 0,
          }));
          await store.applyBatch({ resources: [], resourceDeletes: [], edges, events: [] });
          for (let i = 0; i < pods; i++) {
            const id = `c1:pod:ns:p${i}`;
            // The kept map itself is given out (read-only by type), not a copy.
            const first = await store.neighborhood(id, 3);
            const again = await store.neighborhood(id, 3);
            expect(again).toBe(first);
            expect([...again].map(([k, r]) => [k, r.hops, r.path])).toEqual(
              [...(await fresh(id))].map(([k, r]) => [k, r.hops, r.path]),
            );
            compared += again.size;
          }
        }
        expect(compared).toBeGreaterThan(4 * pods);
      } finally {
        await store.close();
        t.remove();
      }
    },
  );
});

describe("a kept neighbourhood after a change near it", () => {
  it("is walked again when the change is at a resource it expanded, however far from its start", async () => {
    const t = tempDir("kgrca-nb-far-");
    const store = new SqliteGraphStore({ path: join(t.dir, "kg.sqlite") });
    await store.init();
    try {
      const pod = (name: string) => ({ cluster: "c1", kind: "Pod", namespace: "ns", name });
      const node = { cluster: "c1", kind: "Node", name: "n1" };
      const edge = (key: string, from: ResourceRef, to: ResourceRef, type = "TALKS_TO") => ({
        cluster: "c1",
        key,
        from,
        to,
        type,
        atMs: 1_000,
        deleted: false,
      });
      // p0 - p1 - p2 - p3, and p1 on the node.
      await store.applyBatch({
        resources: [],
        resourceDeletes: [],
        edges: [
          edge("a", pod("p0"), pod("p1")),
          edge("b", pod("p1"), pod("p2")),
          edge("c", pod("p2"), pod("p3")),
          edge("d", pod("p1"), node, "RUNS_ON"),
        ],
        events: [],
      });
      const ids = (nb: ReadonlyMap<string, unknown>) => [...nb.keys()].sort();
      expect(ids(await store.neighborhood("c1:pod:ns:p0", 3))).toEqual([
        "c1:node::n1",
        "c1:pod:ns:p0",
        "c1:pod:ns:p1",
        "c1:pod:ns:p2",
        "c1:pod:ns:p3",
      ]);
      expect(ids(await store.neighborhood("c1:node::n1", 3))).toEqual(
        ids(await store.neighborhood("c1:pod:ns:p0", 3)),
      );
      // p2, two hops from p0 and from the node, gains an edge: both walks reach p9 now.
      await store.applyBatch({
        resources: [],
        resourceDeletes: [],
        edges: [edge("e", pod("p2"), pod("p9"))],
        events: [],
      });
      expect((await store.neighborhood("c1:pod:ns:p0", 3)).get("c1:pod:ns:p9")?.path).toEqual([
        "c1:pod:ns:p0",
        "TALKS_TO",
        "c1:pod:ns:p1",
        "TALKS_TO",
        "c1:pod:ns:p2",
        "TALKS_TO",
        "c1:pod:ns:p9",
      ]);
      expect((await store.neighborhood("c1:node::n1", 3)).get("c1:pod:ns:p9")?.hops).toBe(3);
    } finally {
      await store.close();
      t.remove();
    }
  });
});

describe("the topology version", () => {
  it("is read again after another connection commits, and stays this connection's own otherwise", async () => {
    const t = tempDir("kgrca-topo-");
    const path = join(t.dir, "kg.sqlite");
    const a = new SqliteGraphStore({ path });
    const b = new SqliteGraphStore({ path });
    await a.init();
    await b.init();
    const pod = (name: string) => ({ cluster: "c1", kind: "Pod", namespace: "ns", name });
    const edge = (key: string, from: string, to: string) => ({
      cluster: "c1",
      key,
      from: pod(from),
      to: pod(to),
      type: "DEPENDS_ON",
      atMs: 1_000,
      deleted: false,
    });
    const batch = (edges: ReturnType<typeof edge>[]) => ({
      resources: [],
      resourceDeletes: [],
      edges,
      events: [],
    });
    try {
      await a.applyBatch(batch([edge("k1", "x", "y")]));
      const v1 = await a.topologyVersion();
      expect([...(await a.neighborhood("c1:pod:ns:x", 3)).keys()].sort()).toEqual([
        "c1:pod:ns:x",
        "c1:pod:ns:y",
      ]);
      // Another connection (as another process would) extends the topology: seen on the next read.
      await b.applyBatch(batch([edge("k2", "y", "z")]));
      expect(await a.topologyVersion()).toBe(v1 + 1);
      expect([...(await a.neighborhood("c1:pod:ns:x", 3)).keys()].sort()).toEqual([
        "c1:pod:ns:x",
        "c1:pod:ns:y",
        "c1:pod:ns:z",
      ]);
      // This connection's own change, then the other's again.
      await a.applyBatch(batch([edge("k3", "z", "w")]));
      expect(await a.topologyVersion()).toBe(v1 + 2);
      expect(await b.topologyVersion()).toBe(v1 + 2);
      await b.applyBatch(batch([{ ...edge("k1", "x", "y"), deleted: true }]));
      expect(await a.topologyVersion()).toBe(v1 + 3);
      expect([...(await a.neighborhood("c1:pod:ns:x", 3)).keys()]).toEqual(["c1:pod:ns:x"]);
    } finally {
      await a.close();
      await b.close();
      t.remove();
    }
  });
});

describe("PRAGMA data_version, read once per macrotask", () => {
  it("sees another process's commit in the next macrotask, and this process's other connections' at once", async () => {
    const t = tempDir("kgrca-dv-");
    const path = join(t.dir, "kg.sqlite");
    const a = new SqliteGraphStore({ path, hotEvents: { maxEvents: 100 } });
    const b = new SqliteGraphStore({ path });
    await a.init();
    await b.init();
    // A plain connection is not known to this process's stores, as another process's is not.
    const foreign = new Database(path);
    const pod = { cluster: "c1", kind: "Pod", namespace: "ns", name: "x" };
    const ev = (id: string, sec: number) => ({
      id,
      baseId: id,
      cluster: "c1",
      etype: "k8s.event" as const,
      severity: "ERROR" as const,
      reason: "BackOff",
      message: "back-off restarting",
      timeMs: 1_000_000 + sec * 1000,
      count: 1,
      subject: pod,
    });
    const batch = (events: ReturnType<typeof ev>[]) => ({
      resources: [],
      resourceDeletes: [],
      edges: [],
      events,
    });
    const ids = async () => (await a.eventsOnResources(["c1:pod:ns:x"], 0, 2_000_000)).map((e) => e.id);
    try {
      await a.applyBatch(batch([ev("e1", 1)]));
      expect(await ids()).toEqual(["e1"]);
      // Another store of this process commits: seen without waiting for the macrotask to end.
      await b.applyBatch(batch([ev("e2", 2)]));
      expect(await ids()).toEqual(["e1", "e2"]);
      // Another process commits: anything that tells this process so arrives in a later macrotask.
      foreign.prepare("DELETE FROM events WHERE id = 'e1'").run();
      await new Promise((r) => setImmediate(r));
      expect(await ids()).toEqual(["e2"]);
    } finally {
      foreign.close();
      await a.close();
      await b.close();
      t.remove();
    }
  });
});

describe("reaches a batch changed", () => {
  it("are reported for each resource whose edges changed, against the topology before the batch", async () => {
    const t = tempDir("kgrca-reach-");
    const store = new SqliteGraphStore({ path: join(t.dir, "kg.sqlite"), reachHops: 2 });
    await store.init();
    try {
      const pod = (name: string) => ({ cluster: "c1", kind: "Pod", namespace: "ns", name });
      const edge = (key: string, from: string, to: string) => ({
        cluster: "c1",
        key,
        from: pod(from),
        to: pod(to),
        type: "DEPENDS_ON",
        atMs: 1_000,
        deleted: false,
      });
      const none = { resources: [], resourceDeletes: [], events: [] };
      await store.applyBatch({ ...none, edges: [edge("ab", "a", "b"), edge("cd", "c", "d")] });
      // b -> c joins the two pairs: from b, c and d are newly reached; a is not (it was reached).
      const r = await store.applyBatch({ ...none, edges: [edge("bc", "b", "c")] });
      expect(r.resourceIds.sort()).toEqual(["c1:pod:ns:b", "c1:pod:ns:c"]);
      expect(r.reachChanged?.["c1:pod:ns:b"]).toEqual(["c1:pod:ns:c", "c1:pod:ns:d"]);
      expect(r.reachChanged?.["c1:pod:ns:c"]).toEqual(["c1:pod:ns:a", "c1:pod:ns:b"]);
      // The same edge again changes no reach.
      const again = await store.applyBatch({ ...none, edges: [edge("bc", "b", "c")] });
      for (const id of again.resourceIds) expect(again.reachChanged?.[id]).toEqual([]);
    } finally {
      await store.close();
      t.remove();
    }
  });
});

describe("the background checkpoint", () => {
  it("leaves commits a checkpoint threshold ten times higher, as a safety net, until the thread fails", async () => {
    const t = tempDir("kgrca-ckpt-");
    const errors: Error[] = [];
    const threaded = new SqliteGraphStore({
      path: join(t.dir, "a.sqlite"),
      backgroundCheckpoint: true,
      checkpointPages: 2_000,
      onCheckpointError: (err) => errors.push(err),
    });
    const alone = new SqliteGraphStore({ path: join(t.dir, "b.sqlite"), checkpointPages: 2_000 });
    await threaded.init();
    await alone.init();
    type Inside = { db: Database.Database; checkpointer?: unknown; checkpointThreadFailed(err: Error): void };
    const pages = (s: SqliteGraphStore) =>
      (s as unknown as Inside).db.pragma("wal_autocheckpoint", { simple: true });
    try {
      expect(pages(alone)).toBe(2_000);
      expect(pages(threaded)).toBe(20_000);
      (threaded as unknown as Inside).checkpointThreadFailed(new Error("thread gone"));
      expect(pages(threaded)).toBe(2_000);
      expect(errors.map((e) => e.message)).toEqual(["thread gone"]);
      expect((threaded as unknown as Inside).checkpointer).toBeUndefined();
    } finally {
      await threaded.close();
      await alone.close();
      t.remove();
    }
  });

  it("copies the log into the database file from a worker thread, and stops with the store", async () => {
    const t = tempDir("kgrca-ckpt-");
    const path = join(t.dir, "kg.sqlite");
    // SQLite's own automatic checkpoint is out of reach: only the thread writes the database file.
    const store = new SqliteGraphStore({
      path,
      backgroundCheckpoint: true,
      checkpointPages: 1_000_000,
      hotEvents: { maxEvents: 100_000 },
    });
    await store.init();
    try {
      const before = statSync(path).size;
      for (let b = 0; b < 20; b++)
        await store.applyBatch({
          resources: [],
          resourceDeletes: [],
          edges: [],
          events: Array.from({ length: 200 }, (_, i) => ({
            id: `e-${b}-${i}`,
            baseId: `e-${b}-${i}`,
            cluster: "c1",
            etype: "k8s.event" as const,
            severity: "WARNING" as const,
            reason: "BackOff",
            message: `back-off restarting failed container ${"x".repeat(200)}`,
            timeMs: 1_000 + b * 1_000 + i,
            count: 1,
            subject: { cluster: "c1", kind: "Pod", namespace: "ns", name: `p${i % 20}` },
          })),
        });
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(1_000_000);
      const deadline = Date.now() + 10_000;
      while (statSync(path).size <= before + 500_000 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(statSync(path).size).toBeGreaterThan(before + 500_000);
      expect((await store.listEvents({ limit: 1 })).total).toBe(4_000);
      // A checkpoint is not a commit: the recent events in memory stay valid (another process's
      // commits close together would have turned them off).
      await store.eventsOnResources(["c1:pod:ns:p1"], 0, Number.MAX_SAFE_INTEGER);
      await new Promise((r) => setTimeout(r, 1_500));
      await store.eventsOnResources(["c1:pod:ns:p1"], 0, Number.MAX_SAFE_INTEGER);
      expect((store as unknown as { hotOff: boolean }).hotOff).toBe(false);
    } finally {
      await store.close();
      t.remove();
    }
  });
});

describe("cause links keyed by the events' seq (schema 4)", () => {
  const pod = { cluster: "c1", kind: "Pod", namespace: "ns", name: "p" };
  const event = (id: string, timeMs: number) => ({
    id,
    baseId: id,
    cluster: "c1",
    etype: "k8s.event" as const,
    severity: "WARNING" as const,
    reason: "BackOff",
    message: id,
    timeMs,
    count: 1,
    subject: pod,
  });
  const link = (causeId: string, effectId: string, confidence: number) => ({
    causeId,
    effectId,
    confidence,
    temporal: 0.5,
    distance: 1,
    domain: 0.5,
    hops: 0,
    rule: "r",
    path: ["c1:pod:ns:p"],
  });
  const none = { resources: [], resourceDeletes: [], edges: [], events: [] };

  it("migrates a store from before it: events keep their rowid as seq, links are re-keyed, indexes made again", async () => {
    const t = tempDir("kgrca-seq-");
    const path = join(t.dir, "kg.sqlite");
    try {
      // The two tables as schema 3 made them, with some of their indexes.
      const old = new Database(path);
      old.exec(`
        CREATE TABLE events (id TEXT PRIMARY KEY, base_id TEXT NOT NULL, cluster TEXT NOT NULL,
          etype TEXT NOT NULL, severity INTEGER NOT NULL, level INTEGER NOT NULL, reason TEXT NOT NULL,
          message TEXT NOT NULL, time_ms INTEGER NOT NULL, count INTEGER NOT NULL, resource_id TEXT,
          subject_kind TEXT, subject_ns TEXT, subject_name TEXT, subject_uid TEXT, extra TEXT,
          incident_id TEXT, ingested_ms INTEGER NOT NULL);
        CREATE INDEX events_time ON events(time_ms);
        CREATE INDEX events_base ON events(base_id);
        CREATE TABLE cause_links (effect_id TEXT NOT NULL, cause_id TEXT NOT NULL, confidence REAL NOT NULL,
          temporal REAL NOT NULL, distance REAL NOT NULL, domain REAL NOT NULL, hops INTEGER NOT NULL,
          rule TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (effect_id, cause_id)) WITHOUT ROWID;
        CREATE INDEX cause_links_cause ON cause_links(cause_id);
        PRAGMA user_version = 3;`);
      const ins = old.prepare(
        `INSERT INTO events (id, base_id, cluster, etype, severity, level, reason, message, time_ms, count, ingested_ms)
         VALUES (?, ?, 'c1', 'k8s.event', 2, 2, 'BackOff', ?, ?, 1, 0)`,
      );
      for (const [i, id] of ["e1", "e2", "e3"].entries()) ins.run(id, id, id, 1_000 + i);
      old.prepare("DELETE FROM events WHERE id = 'e2'").run(); // e3 keeps rowid 3
      const lnk = old.prepare(
        "INSERT INTO cause_links VALUES (?, ?, ?, 0.5, 1, 0.5, 0, 'r', '[\"c1:pod:ns:p\"]')",
      );
      lnk.run("e3", "e1", 0.7);
      lnk.run("e3", "e2", 0.9); // its cause is gone: not carried over
      old.close();

      const store = new SqliteGraphStore({ path });
      await store.init();
      const again = new SqliteGraphStore({ path }); // opens the migrated file as it is
      await again.init();
      try {
        expect(await again.causeLinksTo("e3")).toEqual([link("e1", "e3", 0.7)]);
        expect(await store.causeLinksFrom("e1")).toEqual([link("e1", "e3", 0.7)]);
        const raw = new Database(path, { readonly: true });
        expect(raw.pragma("user_version", { simple: true })).toBe(5);
        expect(raw.prepare("SELECT seq, id FROM events ORDER BY seq").all()).toEqual([
          { seq: 1, id: "e1" },
          { seq: 3, id: "e3" },
        ]);
        const indexes = (table: string) =>
          (
            raw.prepare(`SELECT name FROM pragma_index_list('${table}') WHERE origin = 'c'`).all() as Array<{
              name: string;
            }>
          )
            .map((r) => r.name)
            .sort();
        expect(indexes("events")).toContain("events_time");
        expect(indexes("events")).toContain("events_resource_time");
        expect(indexes("events")).not.toContain("events_base"); // found by id prefix now
        expect(indexes("events")).not.toContain("events_resource_reason"); // by events_resource_time
        expect(indexes("cause_links")).toEqual(["cause_links_cause"]);
        expect(
          raw.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%pre_seq%'").pluck().get(),
        ).toBe(0);
        raw.close();
        // New events follow the old ones.
        await store.applyBatch({ ...none, events: [event("e4", 2_000)] });
        expect(await store.upsertCauseLinks([link("e3", "e4", 0.6)])).toBe(1);
        expect(await again.causeLinksFrom("e3")).toEqual([link("e3", "e4", 0.6)]);
      } finally {
        await again.close();
        await store.close();
      }
    } finally {
      t.remove();
    }
  });

  it("drops a schema-4 store's index of events by resource and reason on open; reads by reason answer the same", async () => {
    const { store, dir, close } = await tempStore();
    const path = join(dir, "kg.sqlite");
    try {
      await store.applyBatch({ ...none, events: ["a", "b", "c"].map((id, i) => event(id, 1_000 + i)) });
      const rid = (await store.getEvents(["a"]))[0]!.resourceId!;
      const before = await store.eventsByReason(rid, "BackOff", 0, 5_000);
      const raw = new Database(path);
      raw.exec(`CREATE INDEX events_resource_reason ON events(resource_id, reason, time_ms);
        PRAGMA user_version = 4;`);
      raw.close();
      const again = new SqliteGraphStore({ path });
      await again.init();
      try {
        const check = new Database(path, { readonly: true });
        expect(check.pragma("user_version", { simple: true })).toBe(5);
        const names = check.prepare("SELECT name FROM pragma_index_list('events')").pluck().all();
        expect(names).not.toContain("events_resource_reason");
        expect(names).toContain("events_resource_time");
        check.close();
        expect(before.map((e) => e.id)).toEqual(["a", "b", "c"]);
        expect(await again.eventsByReason(rid, "BackOff", 0, 5_000)).toEqual(before);
        expect(await again.eventsByReason(rid, "BackOff", 1_001, 5_000)).toEqual(before.slice(1));
        expect(await again.eventsByReason(rid, "OOMKilled", 0, 5_000)).toEqual([]);
      } finally {
        await again.close();
      }
    } finally {
      await close();
    }
  });

  it("are kept by VACUUM, and a deleted newest event's seq is not given to the next one", async () => {
    const { store, dir, close } = await tempStore();
    const path = join(dir, "kg.sqlite");
    try {
      await store.applyBatch({ ...none, events: ["a", "b", "c"].map((id, i) => event(id, 1_000 + i)) });
      await store.upsertCauseLinks([link("a", "b", 0.8), link("b", "c", 0.6)]);
      const raw = new Database(path);
      raw.prepare("DELETE FROM events WHERE id = 'c'").run();
      raw.exec("VACUUM");
      raw.close();
      await store.applyBatch({ ...none, events: [event("d", 2_000)] });
      expect(await store.causeLinksTo("b")).toEqual([link("a", "b", 0.8)]);
      // c's link names a seq that stays c's: d does not inherit it.
      expect(await store.causeLinksTo("d")).toEqual([]);
      expect(await store.causeLinksFrom("b")).toEqual([]);
    } finally {
      await close();
    }
  });

  it("stay an event's when it is sent again: a later version replaces the row, an older or the same one changes nothing", async () => {
    const t = tempDir("kgrca-seq-");
    const path = join(t.dir, "kg.sqlite");
    // With recent events in memory: they must follow the row's new version.
    const store = new SqliteGraphStore({ path, hotEvents: { maxEvents: 100 } });
    await store.init();
    const raw = new Database(path, { readonly: true });
    const row = (id: string) => raw.prepare("SELECT seq, time_ms, message FROM events WHERE id = ?").get(id);
    try {
      const first = await store.applyBatch({
        ...none,
        events: ["a", "b"].map((id, i) => event(id, 1_000 + i)),
      });
      expect(first.eventIds.sort()).toEqual(["a", "b"]);
      await store.upsertCauseLinks([link("a", "b", 0.8)]);
      const seqOfA = (row("a") as { seq: number }).seq;
      // The same version, and an older one: nothing is written, nothing is touched.
      const same = await store.applyBatch({
        ...none,
        events: [event("a", 1_000), { ...event("a", 900), message: "old" }],
      });
      expect(same.eventIds).toEqual([]);
      expect(row("a")).toEqual({ seq: seqOfA, time_ms: 1_000, message: "a" });
      // A later version of a (not the last event inserted), in a batch with a new event: a keeps
      // its number, and with it its link and its place among the recent events.
      const later = await store.applyBatch({
        ...none,
        events: [{ ...event("a", 1_500), message: "a again", severity: "ERROR" as const }, event("c", 1_600)],
      });
      expect(later.eventIds.sort()).toEqual(["a", "c"]);
      expect(row("a")).toEqual({ seq: seqOfA, time_ms: 1_500, message: "a again" });
      expect((row("c") as { seq: number }).seq).toBeGreaterThan((row("b") as { seq: number }).seq);
      expect(await store.getEvent("a")).toMatchObject({ timeMs: 1_500, message: "a again", level: "ERROR" });
      expect(await store.causeLinksFrom("a")).toEqual([link("a", "b", 0.8)]);
      expect(
        (await store.recentEventsOn!("c1:pod:ns:p", "WARNING", 10)).map((e) => [e.id, e.seq, e.timeMs]),
      ).toEqual([
        ["c", (row("c") as { seq: number }).seq, 1_600],
        ["a", seqOfA, 1_500],
        ["b", (row("b") as { seq: number }).seq, 1_001],
      ]);
    } finally {
      raw.close();
      await store.close();
      t.remove();
    }
  });

  it("are told apart in the link memo by both numbers, not only by its key (causes 2^20 apart)", async () => {
    const t = tempDir("kgrca-seq-");
    const path = join(t.dir, "kg.sqlite");
    // With recent events in memory, so that the link memo is in use.
    const open = async () => {
      const s = new SqliteGraphStore({ path, hotEvents: { maxEvents: 100 } });
      await s.init();
      return s;
    };
    let store = await open();
    try {
      await store.applyBatch({ ...none, events: [event("a", 1_000)] });
      await store.close();
      // The next event numbers start 2^20 above a's: b's key in the memo is a's.
      const raw = new Database(path);
      raw.prepare("UPDATE sqlite_sequence SET seq = seq + 1048575 WHERE name = 'events'").run();
      raw.close();
      store = await open();
      await store.applyBatch({ ...none, events: [event("b", 1_100), event("x", 2_000)] });
      const seqs = new Map((await store.getEvents(["a", "b", "x"])).map((e) => [e.id, e.seq]));
      expect(seqs.get("b")! - seqs.get("a")!).toBe(1_048_576);
      expect(await store.upsertCauseLinks([link("a", "x", 0.8)])).toBe(1);
      // Weaker than a's link: skipped only if the memo took b's link for a's.
      expect(await store.upsertCauseLinks([link("b", "x", 0.5)])).toBe(1);
      expect(await store.causeLinksTo("x")).toEqual([link("a", "x", 0.8), link("b", "x", 0.5)]);
    } finally {
      await store.close();
      t.remove();
    }
  });

  it("follow a change event written again when an older version arrives late; a dropped one's go", async () => {
    const t = tempDir("kgrca-seq-");
    // With recent events in memory, so that the link memo is in use.
    const store = new SqliteGraphStore({ path: join(t.dir, "kg.sqlite"), hotEvents: { maxEvents: 100 } });
    await store.init();
    try {
      const dep = (image: string, replicas: number, atMs: number) => ({
        cluster: "c1",
        kind: "Deployment",
        namespace: "ns",
        name: "cart",
        labels: {},
        props: { image, replicas },
        atMs,
        deleted: false,
      });
      const chg = (atMs: number, reason: string) => `chg:c1:deployment:ns:cart:${atMs}:${reason}`;
      await store.applyBatch({ ...none, resources: [dep("cart:1", 3, 1_000), dep("cart:2", 0, 3_000)] });
      await store.applyBatch({ ...none, events: [event("x", 3_500)] });
      // 1,000 -> 3,000 changed the image and the replicas.
      expect(
        await store.upsertCauseLinks([
          link(chg(3_000, "ImageChanged"), "x", 0.5),
          link(chg(3_000, "ReplicasChanged"), "x", 0.8),
        ]),
      ).toBe(2);
      // 2,000 arrives late with the new image: at 3,000 only the replicas changed.
      await store.applyBatch({ ...none, resources: [dep("cart:2", 3, 2_000)] });
      expect(await store.getEvent(chg(3_000, "ImageChanged"))).toBeUndefined();
      expect(await store.causeLinksTo("x")).toEqual([link(chg(3_000, "ReplicasChanged"), "x", 0.8)]);
      // The memo forgot the dropped link: written again once its event is back, it is stored.
      await store.applyBatch({ ...none, resources: [dep("cart:1", 3, 2_500)] });
      expect(await store.getEvent(chg(3_000, "ImageChanged"))).toBeDefined();
      expect(await store.upsertCauseLinks([link(chg(3_000, "ImageChanged"), "x", 0.5)])).toBe(1);
    } finally {
      await store.close();
      t.remove();
    }
  });
});

describe("events as read back", () => {
  it("have every key in one order, whichever optional fields they carry (one hidden class)", async () => {
    const { store, close } = await tempStore();
    const base = {
      cluster: "c1",
      etype: "k8s.event" as const,
      severity: "WARNING" as const,
      reason: "BackOff",
      message: "m",
      timeMs: 1_000,
      count: 1,
    };
    try {
      await store.applyBatch({
        resources: [],
        resourceDeletes: [],
        edges: [],
        events: [
          { ...base, id: "bare", baseId: "bare" },
          {
            ...base,
            id: "full",
            baseId: "full",
            subject: { cluster: "c1", kind: "Pod", namespace: "ns", name: "p", uid: "u-1" },
            source: { component: "kubelet" },
            labels: { app: "a" },
            annotations: { note: "n" },
            status: "Firing",
          },
        ],
      });
      const bare = (await store.getEvent("bare"))!;
      const full = (await store.getEvent("full"))!;
      expect(full.resourceId).toBe("c1:pod:ns:p");
      expect(full.labels).toEqual({ app: "a" });
      expect(bare.resourceId).toBeUndefined();
      expect(Object.keys(bare)).toEqual(Object.keys(full));
      const listed = (await store.listEvents({ reason: "BackOff" })).items;
      expect(listed.map((e) => Object.keys(e))).toEqual([Object.keys(full), Object.keys(full)]);
    } finally {
      await close();
    }
  });
});
