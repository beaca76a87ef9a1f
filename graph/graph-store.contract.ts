import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EdgeUpsert, EventInput, IngestBatch, ResourceRef, ResourceUpsert } from "../rca/model.js";
import type {
  Anomaly,
  CauseLink,
  GraphStore,
  Incident,
  IncidentUpdate,
  Reach,
  StoredEvent,
} from "./graph-store.js";

/** A store under test and how to dispose of it; each test gets an empty one. */
export interface StoreFixture {
  readonly store: GraphStore;
  close(): Promise<void>;
}

const C = "prod-eu";
const T0 = Date.UTC(2025, 9, 8, 10, 0, 0);
const MIN = 60_000;

const res = (o: Partial<ResourceUpsert> & { name: string }): ResourceUpsert => ({
  cluster: C,
  kind: "Pod",
  namespace: "shop",
  labels: {},
  props: {},
  atMs: T0,
  deleted: false,
  ...o,
});
const ev = (o: Partial<EventInput> & { id: string }): EventInput => ({
  baseId: o.id,
  cluster: C,
  etype: "k8s.event",
  severity: "WARNING",
  reason: "BackOff",
  message: "Back-off restarting failed container",
  timeMs: T0,
  count: 1,
  ...o,
});
const ref = (kind: string, name?: string, namespace?: string, uid?: string, cluster = C): ResourceRef => ({
  cluster,
  kind,
  ...(name ? { name } : {}),
  ...(namespace ? { namespace } : {}),
  ...(uid ? { uid } : {}),
});
const edge = (o: Partial<EdgeUpsert> & { key: string; from: ResourceRef; to: ResourceRef }): EdgeUpsert => ({
  cluster: C,
  type: "RUNS_ON",
  atMs: T0,
  deleted: false,
  ...o,
});
const batch = (b: Partial<IngestBatch>): IngestBatch => ({
  resources: [],
  resourceDeletes: [],
  edges: [],
  events: [],
  ...b,
});
const id = (kind: string, ns: string, name: string, cluster = C) => `${cluster}:${kind}:${ns}:${name}`;
const UID_A = "9c1f0000-0000-4000-8000-00000000000a";
const UID_B = "9c1f0000-0000-4000-8000-00000000000b";

const sortEdges = <T extends { fromId: string; toId: string; type: string; origin: string }>(e: T[]) =>
  [...e].sort((a, b) =>
    `${a.fromId}|${a.type}|${a.toId}|${a.origin}`.localeCompare(
      `${b.fromId}|${b.type}|${b.toId}|${b.origin}`,
    ),
  );
/** A reach as the values it gives (a store may keep it in any shape, e.g. steps sharing a path). */
const reachOf = (r: Reach | undefined) => r && { hops: r.hops, path: [...r.path] };
const strip = (e: StoredEvent) => ({ id: e.id, level: e.level, resourceId: e.resourceId, timeMs: e.timeMs });

const link = (causeId: string, effectId: string, confidence: number, path = ["x"]): CauseLink => ({
  causeId,
  effectId,
  confidence,
  temporal: 0.5,
  distance: 1,
  domain: 0.4,
  hops: 0,
  rule: "default",
  path,
});

/**
 * The `GraphStore` contract: the same inputs must give the same answers on every implementation.
 * Run by `sqlite/sqlite-graph-store.test.ts` and `neo4j/neo4j-graph-store.test.ts`.
 */
export function graphStoreContract(label: string, open: () => Promise<StoreFixture>): void {
  describe(`GraphStore contract: ${label}`, () => {
    let fx: StoreFixture;
    let store: GraphStore;
    beforeEach(async () => {
      fx = await open();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.close();
    });

    it("init is idempotent and ping answers", async () => {
      await store.init();
      await store.init();
      await expect(store.ping()).resolves.toBeUndefined();
      const s = await store.stats();
      expect(s.resources).toBe(0);
      expect(s.episodic_events).toBe(0);
    });

    it("stores resources under one canonical id with uid, labels, props and counts", async () => {
      const r = await store.applyBatch(
        batch({
          resources: [
            res({
              name: "cart-1",
              uid: UID_A,
              labels: { app: "cart" },
              props: { podIP: "10.1.2.3", image: "cart:1" },
            }),
            res({ kind: "Node", namespace: "", name: "node-2", atMs: T0 + 1 }),
          ],
        }),
      );
      expect(r.counts).toEqual({ resources: 2, edges: 0, events: 0, changeEvents: 0 });
      expect([...r.resourceIds].sort()).toEqual([
        id("namespace", "", "shop"),
        id("node", "", "node-2"),
        id("pod", "shop", "cart-1"),
      ]);
      const got = await store.getResource(id("pod", "shop", "cart-1"));
      expect(got).toEqual({
        id: id("pod", "shop", "cart-1"),
        cluster: C,
        kind: "Pod",
        namespace: "shop",
        name: "cart-1",
        uid: UID_A,
        labels: { app: "cart" },
        props: { podIP: "10.1.2.3", image: "cart:1" },
        atMs: T0,
        deleted: false,
      });
      expect(await store.getResource("nope")).toBeUndefined();
      const many = await store.getResources([id("node", "", "node-2"), id("pod", "shop", "cart-1"), "nope"]);
      expect(many.map((x) => x.id).sort()).toEqual([id("node", "", "node-2"), id("pod", "shop", "cart-1")]);
      expect(await store.getResources([])).toEqual([]);
    });

    it("keeps the newest state whatever the arrival order", async () => {
      await store.applyBatch(batch({ resources: [res({ name: "p", labels: { v: "2" }, atMs: T0 + 10 })] }));
      await store.applyBatch(batch({ resources: [res({ name: "p", labels: { v: "1" }, atMs: T0 })] }));
      expect((await store.getResource(id("pod", "shop", "p")))?.labels).toEqual({ v: "2" });
      await store.applyBatch(
        batch({ resourceDeletes: [{ ref: ref("Pod", undefined, undefined, UID_A), atMs: T0 }] }),
      );
      await store.applyBatch(
        batch({ resources: [res({ name: "p", uid: UID_A, labels: { v: "2" }, atMs: T0 + 10 })] }),
      );
      await store.applyBatch(
        batch({ resourceDeletes: [{ ref: ref("Pod", undefined, undefined, UID_A), atMs: T0 + 20 }] }),
      );
      expect((await store.getResource(id("pod", "shop", "p")))?.deleted).toBe(true);
    });

    it("keeps a resource's last-known state and derived edges through a DELETE that names it only", async () => {
      const owned = res({
        name: "agent-1",
        labels: { app: "agent" },
        props: { ownerRefs: [{ kind: "DaemonSet", name: "agent" }], node: "node-1" },
        atMs: T0,
      });
      const bare = res({ name: "agent-1", deleted: true, atMs: T0 + 30 });
      // Either order: the state then the DELETE, or the DELETE first.
      for (const order of [
        [owned, bare],
        [bare, owned],
      ]) {
        for (const r of order) await store.applyBatch(batch({ resources: [r] }));
        const got = await store.getResource(id("pod", "shop", "agent-1"));
        expect(got?.deleted).toBe(true);
        expect(got?.labels).toEqual({ app: "agent" });
        const types = (await store.edgesOf([id("pod", "shop", "agent-1")])).map((e) => e.type).sort();
        expect(types).toContain("CONTROLS");
        expect(types).toContain("RUNS_ON");
      }
    });

    it("resolves events and edges that name a resource only by uid once the uid is known", async () => {
      const r1 = await store.applyBatch(
        batch({
          events: [ev({ id: "e-uid", subject: ref("Pod", undefined, undefined, UID_A) })],
          edges: [
            edge({
              key: "edge:a->node",
              from: ref("Pod", undefined, undefined, UID_A),
              to: ref("Node", "node-2"),
            }),
          ],
        }),
      );
      expect(r1.eventIds).toEqual(["e-uid"]);
      expect((await store.getEvent("e-uid"))?.resourceId).toBeUndefined();
      expect((await store.getEvent("e-uid"))?.subjectUid).toBe(UID_A);
      expect(await store.edgesOf([id("node", "", "node-2")])).toEqual([]);

      const r2 = await store.applyBatch(batch({ resources: [res({ name: "cart-1", uid: UID_A })] }));
      expect(r2.eventIds).toEqual(["e-uid"]);
      expect([...r2.resourceIds].sort()).toEqual([
        id("namespace", "", "shop"),
        id("node", "", "node-2"),
        id("pod", "shop", "cart-1"),
      ]);
      expect((await store.getEvent("e-uid"))?.resourceId).toBe(id("pod", "shop", "cart-1"));
      expect(await store.edgesOf([id("node", "", "node-2")])).toEqual([
        {
          fromId: id("pod", "shop", "cart-1"),
          toId: id("node", "", "node-2"),
          type: "RUNS_ON",
          origin: "sent",
        },
      ]);
      // Later references by uid land on the same resource; no orphan node appears.
      await store.applyBatch(
        batch({ events: [ev({ id: "e-uid-2", subject: ref("Pod", undefined, undefined, UID_A) })] }),
      );
      expect((await store.getEvent("e-uid-2"))?.resourceId).toBe(id("pod", "shop", "cart-1"));
      // The pod, its node and its namespace.
      expect((await store.stats()).resources).toBe(3);
    });

    it("resolves a uid learnt from a reference with both name and uid", async () => {
      await store.applyBatch(
        batch({ events: [ev({ id: "e1", subject: ref("Pod", undefined, undefined, UID_B) })] }),
      );
      const r = await store.applyBatch(
        batch({ events: [ev({ id: "e2", subject: ref("Pod", "api-1", "shop", UID_B), timeMs: T0 + 1 })] }),
      );
      expect(r.eventIds).toEqual(["e2"]);
      expect((await store.getEvents(["e1", "e2"])).map((e) => e.resourceId)).toEqual([
        id("pod", "shop", "api-1"),
        id("pod", "shop", "api-1"),
      ]);
    });

    it("derives RUNS_ON, CONTROLS, MOUNTS and SELECTS edges in either order, and re-derives them", async () => {
      const svc = res({
        kind: "Service",
        name: "cart",
        props: { serviceSelector: { app: "cart" }, clusterIP: "10.9.0.1" },
      });
      const p1 = res({
        name: "cart-1",
        labels: { app: "cart" },
        props: {
          node: "node-2",
          ownerRefs: [{ kind: "ReplicaSet", name: "cart-rs" }],
          mounts: [{ kind: "ConfigMap", name: "cart-cfg" }],
        },
      });
      const p2 = res({ name: "cart-2", labels: { app: "cart" } });
      const other = res({ name: "web-1", labels: { app: "web" } });
      const hpa = res({
        kind: "HorizontalPodAutoscaler",
        name: "cart",
        props: { spec: { scaleTargetRef: { kind: "Deployment", name: "cart" } } },
      });
      await store.applyBatch(batch({ resources: [p1] }));
      const r = await store.applyBatch(batch({ resources: [svc] }));
      expect(r.resourceIds).toContain(id("pod", "shop", "cart-1"));
      await store.applyBatch(batch({ resources: [p2, other, hpa] }));
      expect(await store.edgesOf([id("horizontalpodautoscaler", "shop", "cart")])).toEqual([
        {
          fromId: id("horizontalpodautoscaler", "shop", "cart"),
          toId: id("deployment", "shop", "cart"),
          type: "SCALES",
          origin: "derived",
        },
      ]);
      const edges = sortEdges(
        await store.edgesOf([id("pod", "shop", "cart-1"), id("pod", "shop", "cart-2")]),
      );
      expect(edges).toEqual(
        sortEdges([
          // Pods belong to their namespace (a hub: reached, never passed through).
          {
            fromId: id("pod", "shop", "cart-1"),
            toId: id("namespace", "", "shop"),
            type: "IN_NAMESPACE",
            origin: "derived",
          },
          {
            fromId: id("pod", "shop", "cart-2"),
            toId: id("namespace", "", "shop"),
            type: "IN_NAMESPACE",
            origin: "derived",
          },
          {
            fromId: id("pod", "shop", "cart-1"),
            toId: id("node", "", "node-2"),
            type: "RUNS_ON",
            origin: "derived",
          },
          {
            fromId: id("replicaset", "shop", "cart-rs"),
            toId: id("pod", "shop", "cart-1"),
            type: "CONTROLS",
            origin: "derived",
          },
          {
            fromId: id("pod", "shop", "cart-1"),
            toId: id("configmap", "shop", "cart-cfg"),
            type: "MOUNTS",
            origin: "derived",
          },
          {
            fromId: id("service", "shop", "cart"),
            toId: id("pod", "shop", "cart-1"),
            type: "SELECTS",
            origin: "derived",
          },
          {
            fromId: id("service", "shop", "cart"),
            toId: id("pod", "shop", "cart-2"),
            type: "SELECTS",
            origin: "derived",
          },
        ]),
      );
      // The referenced owner, node and config map exist as resources (no dangling edge ends).
      expect((await store.getResource(id("replicaset", "shop", "cart-rs")))?.kind).toBe("ReplicaSet");
      // A newer state moves the pod to another node and out of the service.
      await store.applyBatch(
        batch({
          resources: [{ ...p1, labels: { app: "other" }, props: { node: "node-3" }, atMs: T0 + MIN }],
        }),
      );
      expect(sortEdges(await store.edgesOf([id("pod", "shop", "cart-1")]))).toEqual(
        sortEdges([
          {
            fromId: id("pod", "shop", "cart-1"),
            toId: id("node", "", "node-3"),
            type: "RUNS_ON",
            origin: "derived",
          },
          {
            fromId: id("pod", "shop", "cart-1"),
            toId: id("namespace", "", "shop"),
            type: "IN_NAMESPACE",
            origin: "derived",
          },
        ]),
      );
      const s = await store.stats();
      // IN_NAMESPACE: both pods and the Deployment the HPA scales.
      expect(s.edges_by_type).toEqual({ RUNS_ON: 1, SELECTS: 1, SCALES: 1, IN_NAMESPACE: 3 });
      expect(s.edges).toBe(6);
    });

    it("keeps producer edges by key: update moves, delete removes, older updates are ignored", async () => {
      const e1 = edge({ key: "k1", from: ref("Pod", "a", "shop"), to: ref("Node", "n1"), atMs: T0 + 10 });
      await store.applyBatch(batch({ edges: [e1] }));
      await store.applyBatch(batch({ edges: [{ ...e1, to: ref("Node", "n0"), atMs: T0 }] }));
      expect(await store.edgesOf([id("pod", "shop", "a")])).toEqual([
        { fromId: id("pod", "shop", "a"), toId: id("node", "", "n1"), type: "RUNS_ON", origin: "sent" },
      ]);
      await store.applyBatch(batch({ edges: [{ ...e1, to: ref("Node", "n2"), atMs: T0 + 20 }] }));
      expect((await store.edgesOf([id("pod", "shop", "a")])).map((e) => e.toId)).toEqual([
        id("node", "", "n2"),
      ]);
      // A tombstone names only the key (no type): it still removes the edge.
      await store.applyBatch(batch({ edges: [{ ...e1, type: "", deleted: true, atMs: T0 + 30 }] }));
      expect(await store.edgesOf([id("pod", "shop", "a")])).toEqual([]);
      // Unknown edge types are kept as topology.
      await store.applyBatch(
        batch({
          edges: [
            edge({ key: "k2", type: "TALKS_TO", from: ref("Pod", "a", "shop"), to: ref("Pod", "b", "shop") }),
          ],
        }),
      );
      expect(
        reachOf((await store.neighborhood(id("pod", "shop", "a"), 1)).get(id("pod", "shop", "b"))),
      ).toEqual({
        hops: 1,
        path: [id("pod", "shop", "a"), "TALKS_TO", id("pod", "shop", "b")],
      });
    });

    it("infers DEPENDS_ON from IPs and service names in log lines, whichever arrives first", async () => {
      const log = (eid: string, msg: string, t: number) =>
        ev({
          id: eid,
          etype: "k8s.log",
          severity: "ERROR",
          reason: "",
          message: msg,
          timeMs: t,
          subject: ref("Pod", "api-1", "shop"),
        });
      await store.applyBatch(
        batch({ events: [log("l1", "dial tcp 10.1.4.7:5432: connect: connection refused", T0)] }),
      );
      await store.applyBatch(batch({ resources: [res({ name: "db-0", props: { podIP: "10.1.4.7" } })] }));
      await store.applyBatch(batch({ resources: [res({ kind: "Service", name: "cache", props: {} })] }));
      await store.applyBatch(
        batch({ events: [log("l2", "lookup cache.shop.svc.cluster.local: timeout", T0 + 1)] }),
      );
      // Service names without a namespace resolve against Services of that name in any namespace.
      await store.applyBatch(
        batch({ resources: [res({ kind: "Service", namespace: "logistics", name: "tracking-sync" })] }),
      );
      await store.applyBatch(
        batch({ events: [log("l3", "TrackingSyncClient request failed: deadline exceeded", T0 + 2)] }),
      );
      await store.applyBatch(batch({ events: [log("l4", "error upstream=billing status=503", T0 + 3)] }));
      await store.applyBatch(
        batch({ resources: [res({ kind: "Service", namespace: "pay", name: "billing" })] }),
      );
      expect(sortEdges(await store.edgesOf([id("pod", "shop", "api-1")]))).toEqual(
        sortEdges([
          {
            fromId: id("pod", "shop", "api-1"),
            toId: id("pod", "shop", "db-0"),
            type: "DEPENDS_ON",
            origin: "inferred",
          },
          {
            fromId: id("pod", "shop", "api-1"),
            toId: id("service", "shop", "cache"),
            type: "DEPENDS_ON",
            origin: "inferred",
          },
          {
            fromId: id("pod", "shop", "api-1"),
            toId: id("service", "logistics", "tracking-sync"),
            type: "DEPENDS_ON",
            origin: "inferred",
          },
          {
            fromId: id("pod", "shop", "api-1"),
            toId: id("service", "pay", "billing"),
            type: "DEPENDS_ON",
            origin: "inferred",
          },
        ]),
      );
    });

    it("infers DEPENDS_ON from a technology a log names when one Service offers it", async () => {
      const log = (eid: string, pod: string, msg: string, t: number) =>
        ev({
          id: eid,
          etype: "k8s.log",
          severity: "ERROR",
          reason: "",
          message: msg,
          timeMs: t,
          subject: ref("Pod", pod, "shop"),
        });
      const web = id("pod", "shop", "web-1");
      await store.applyBatch(batch({ resources: [res({ name: "web-1", labels: { app: "web" } })] }));
      // Log first, Service later: the engine's word, the Service's name.
      await store.applyBatch(batch({ events: [log("t1", "web-1", "redis: connection pool timeout", T0)] }));
      await store.applyBatch(
        batch({
          resources: [
            res({ kind: "Service", name: "session-redis", props: { spec: { ports: [{ port: 6379 }] } } }),
          ],
        }),
      );
      // Service first, log later: the standard port, a Service whose name says nothing of it.
      await store.applyBatch(
        batch({
          resources: [
            res({
              kind: "Service",
              name: "ledger",
              props: { spec: { ports: [{ port: 80, targetPort: 5432 }] } },
            }),
          ],
        }),
      );
      await store.applyBatch(
        batch({
          events: [log("t2", "web-1", "dial tcp 10.9.9.9:5432: connect: connection refused", T0 + 1)],
        }),
      );
      // Two Services offer it (none in the caller's namespace): no edge.
      for (const n of ["kafka-a", "kafka-b"])
        await store.applyBatch(batch({ resources: [res({ kind: "Service", namespace: "mq", name: n })] }));
      await store.applyBatch(
        batch({ events: [log("t3", "web-1", "kafka: client has run out of available brokers", T0 + 2)] }),
      );
      // A store's own lines never point at its own Service.
      await store.applyBatch(
        batch({ resources: [res({ name: "session-redis-0", labels: { app: "session-redis" } })] }),
      );
      await store.applyBatch(
        batch({ events: [log("t4", "session-redis-0", "redis: Background saving error", T0 + 3)] }),
      );
      const inferred = async (rid: string) =>
        sortEdges((await store.edgesOf([rid])).filter((e) => e.origin === "inferred" && e.fromId === rid));
      expect(await inferred(web)).toEqual(
        sortEdges([
          {
            fromId: web,
            toId: id("service", "shop", "session-redis"),
            type: "DEPENDS_ON",
            origin: "inferred",
          },
          { fromId: web, toId: id("service", "shop", "ledger"), type: "DEPENDS_ON", origin: "inferred" },
        ]),
      );
      expect(await inferred(id("pod", "shop", "session-redis-0"))).toEqual([]);
    });

    it("links NetworkPolicies to the pods they select and events to the resources they name", async () => {
      await store.applyBatch(batch({ resources: [res({ name: "cart-1", labels: { app: "cart" } })] }));
      await store.applyBatch(
        batch({
          resources: [
            res({
              kind: "NetworkPolicy",
              name: "deny-db",
              props: { spec: { podSelector: { matchLabels: { app: "cart" } } } },
            }),
            res({ kind: "Secret", name: "present" }),
          ],
        }),
      );
      await store.applyBatch(batch({ resources: [res({ name: "cart-2", labels: { app: "cart" } })] }));
      const named = (eid: string, msg: string) =>
        ev({
          id: eid,
          severity: "ERROR",
          reason: "FailedMount",
          message: msg,
          subject: ref("Pod", "cart-1", "shop"),
        });
      await store.applyBatch(
        batch({
          events: [
            named("r1", 'MountVolume.SetUp failed for volume "creds" : secret "db-creds" not found'),
            named("r2", 'MountVolume.SetUp failed for volume "p" : secret "present" not found'),
          ],
        }),
      );
      await store.applyBatch(batch({ resources: [res({ kind: "Secret", name: "db-creds", atMs: T0 + 1 })] }));
      expect(
        sortEdges(await store.edgesOf([id("pod", "shop", "cart-1"), id("pod", "shop", "cart-2")])),
      ).toEqual(
        sortEdges([
          // Pods belong to their namespace (a hub: reached, never passed through).
          {
            fromId: id("pod", "shop", "cart-1"),
            toId: id("namespace", "", "shop"),
            type: "IN_NAMESPACE",
            origin: "derived",
          },
          {
            fromId: id("pod", "shop", "cart-2"),
            toId: id("namespace", "", "shop"),
            type: "IN_NAMESPACE",
            origin: "derived",
          },
          {
            fromId: id("networkpolicy", "shop", "deny-db"),
            toId: id("pod", "shop", "cart-1"),
            type: "SELECTS",
            origin: "derived",
          },
          {
            fromId: id("networkpolicy", "shop", "deny-db"),
            toId: id("pod", "shop", "cart-2"),
            type: "SELECTS",
            origin: "derived",
          },
          {
            fromId: id("pod", "shop", "cart-1"),
            toId: id("secret", "shop", "db-creds"),
            type: "REFERENCES",
            origin: "inferred",
          },
          {
            fromId: id("pod", "shop", "cart-1"),
            toId: id("secret", "shop", "present"),
            type: "REFERENCES",
            origin: "inferred",
          },
        ]),
      );
    });

    it("turns resource versions into change events independent of arrival order", async () => {
      const dep = (cluster: string, image: string, replicas: number, at: number) =>
        res({ cluster, kind: "Deployment", name: "cart", props: { image, replicas }, atMs: at });
      const inOrder = [
        dep("c-a", "cart:1", 3, T0),
        dep("c-a", "cart:2", 3, T0 + MIN),
        dep("c-a", "cart:2", 0, T0 + 2 * MIN),
      ];
      const reversed = [
        dep("c-b", "cart:2", 0, T0 + 2 * MIN),
        dep("c-b", "cart:1", 3, T0),
        dep("c-b", "cart:2", 3, T0 + MIN),
      ];
      let changes = 0;
      for (const r of inOrder)
        changes += (await store.applyBatch(batch({ resources: [r] }))).counts.changeEvents;
      expect(changes).toBe(2);
      for (const r of reversed) await store.applyBatch(batch({ resources: [r] }));
      const of = async (cluster: string) =>
        (await store.listEvents({ cluster, etype: "k8s.change", limit: 100 })).items
          .map((e) => ({
            id: e.id.replace(cluster, "C"),
            reason: e.reason,
            level: e.level,
            message: e.message,
            timeMs: e.timeMs,
          }))
          .sort((a, b) => a.id.localeCompare(b.id));
      const a = await of("c-a");
      expect(a).toEqual([
        {
          id: `chg:C:deployment:shop:cart:${T0 + MIN}:ImageChanged`,
          reason: "ImageChanged",
          level: "INFO",
          message: expect.stringMatching(/^image changed from cart:1 to cart:2/),
          timeMs: T0 + MIN,
        },
        {
          id: `chg:C:deployment:shop:cart:${T0 + 2 * MIN}:ReplicasChanged`,
          reason: "ReplicasChanged",
          level: "WARNING",
          message: expect.stringMatching(/^replicas changed from 3 to 0/),
          timeMs: T0 + 2 * MIN,
        },
      ]);
      expect(await of("c-b")).toEqual(a);
      // Both versions in one batch work the same way.
      await store.applyBatch(
        batch({ resources: [dep("c-c", "cart:2", 3, T0 + MIN), dep("c-c", "cart:1", 3, T0)] }),
      );
      expect((await of("c-c")).map((e) => e.reason)).toEqual(["ImageChanged"]);
      const chg = await store.getEvent(
        `chg:${id("deployment", "shop", "cart", "c-a")}:${T0 + MIN}:ImageChanged`,
      );
      expect(chg?.resourceId).toBe(id("deployment", "shop", "cart", "c-a"));
      expect(chg?.etype).toBe("k8s.change");
    });

    it("upserts events: a later occurrence wins, a stale one changes nothing, levels never drop", async () => {
      const e = ev({
        id: "e1",
        subject: ref("Pod", "p", "shop"),
        source: { component: "kubelet" },
        labels: { a: "b" },
        status: "firing",
      });
      expect((await store.applyBatch(batch({ events: [e] }))).eventIds).toEqual(["e1"]);
      expect((await store.applyBatch(batch({ events: [e] }))).eventIds).toEqual([]);
      const got = await store.getEvent("e1");
      // `seq`: only a store that numbers events gives it (hot-events.test.ts).
      expect({ ...got, seq: undefined }).toEqual({
        id: "e1",
        baseId: "e1",
        cluster: C,
        etype: "k8s.event",
        severity: "WARNING",
        level: "WARNING",
        reason: "BackOff",
        message: "Back-off restarting failed container",
        timeMs: T0,
        count: 1,
        resourceId: id("pod", "shop", "p"),
        subjectKind: "Pod",
        subjectNamespace: "shop",
        subjectName: "p",
        source: { component: "kubelet" },
        labels: { a: "b" },
        status: "firing",
      });
      expect(await store.setEventLevels([{ eventId: "e1", level: "ERROR" }])).toBe(1);
      expect(await store.setEventLevels([{ eventId: "e1", level: "INFO" }])).toBe(0);
      expect(await store.setEventLevels([])).toBe(0);
      await store.applyBatch(
        batch({ events: [{ ...e, severity: "INFO", message: "later", timeMs: T0 + 5 }] }),
      );
      const later = await store.getEvent("e1");
      expect([later?.severity, later?.level, later?.message, later?.timeMs]).toEqual([
        "INFO",
        "ERROR",
        "later",
        T0 + 5,
      ]);
      await store.applyBatch(batch({ events: [{ ...e, message: "older", timeMs: T0 + 1 }] }));
      expect((await store.getEvent("e1"))?.message).toBe("later");
      expect(await store.getEvent("missing")).toBeUndefined();
    });

    it("finds the latest occurrence by base id and events by resource, reason and cluster", async () => {
      const p = ref("Pod", "p", "shop");
      await store.applyBatch(
        batch({
          events: [
            ev({ id: "x#1", baseId: "x", count: 1, timeMs: T0, subject: p }),
            ev({ id: "x#2", baseId: "x", count: 2, timeMs: T0 + MIN, subject: p }),
            ev({ id: "y", reason: "Pulled", severity: "INFO", timeMs: T0 + 30_000, subject: p }),
            ev({
              id: "z",
              reason: "OOMKilled",
              severity: "FATAL",
              timeMs: T0 + 2 * MIN,
              subject: ref("Pod", "q", "shop"),
            }),
            ev({ id: "other", cluster: "c2", timeMs: T0, subject: ref("Pod", "p", "shop", undefined, "c2") }),
            // Ids that start with "x" but are other events (a later one): not x's occurrences.
            ...["xa", "x\u{10FFFF}"].map((id, i) =>
              ev({
                id,
                cluster: "c3",
                timeMs: T0 + (3 + i) * MIN,
                subject: ref("Pod", "p", "shop", undefined, "c3"),
              }),
            ),
          ],
        }),
      );
      expect((await store.getEvent("x"))?.id).toBe("x#2");
      const pid = id("pod", "shop", "p");
      const qid = id("pod", "shop", "q");
      expect((await store.eventsOnResources([pid, qid], T0, T0 + 2 * MIN)).map((e) => e.id)).toEqual([
        "x#1",
        "y",
        "x#2",
        "z",
      ]);
      expect(
        (await store.eventsOnResources([pid, qid, pid], T0, T0 + 2 * MIN, "WARNING")).map((e) => e.id),
      ).toEqual(["x#1", "x#2", "z"]);
      expect((await store.eventsOnResources([pid], T0 + 1, T0 + MIN)).map((e) => e.id)).toEqual(["y", "x#2"]);
      expect(await store.eventsOnResources([], 0, T0)).toEqual([]);
      expect((await store.eventsByReason(pid, "BackOff", T0, T0 + MIN)).map((e) => e.id)).toEqual([
        "x#1",
        "x#2",
      ]);
      expect((await store.eventsByReason(pid, "BackOff", T0 + 1, T0 + MIN)).map((e) => e.id)).toEqual([
        "x#2",
      ]);
      expect((await store.eventsInCluster(C, T0, T0 + 10 * MIN, 3)).map((e) => e.id)).toEqual([
        "y",
        "x#2",
        "z",
      ]);
      expect((await store.eventsInCluster("c2", T0, T0 + 10 * MIN, 10)).map((e) => e.id)).toEqual(["other"]);
      expect((await store.getEvents(["z", "x#1", "nope"])).map((e) => e.id)).toEqual(["x#1", "z"]);
    });

    it("walks the neighbourhood over edges in both directions with shortest paths, not through hubs", async () => {
      await store.applyBatch(
        batch({
          resources: [
            res({ kind: "Service", name: "svc", props: { serviceSelector: { app: "a" } } }),
            res({
              name: "pod-a",
              labels: { app: "a" },
              props: { node: "n1", ownerRefs: [{ kind: "ReplicaSet", name: "rs" }] },
            }),
            res({ name: "pod-b", props: { node: "n1" } }),
          ],
        }),
      );
      const n = await store.neighborhood(id("pod", "shop", "pod-a"), 2);
      expect(
        Object.fromEntries([...n].sort((a, b) => a[0].localeCompare(b[0])).map(([k, r]) => [k, reachOf(r)])),
      ).toEqual({
        [id("namespace", "", "shop")]: {
          hops: 1,
          path: [id("pod", "shop", "pod-a"), "IN_NAMESPACE", id("namespace", "", "shop")],
        },
        [id("node", "", "n1")]: {
          hops: 1,
          path: [id("pod", "shop", "pod-a"), "RUNS_ON", id("node", "", "n1")],
        },
        [id("pod", "shop", "pod-a")]: { hops: 0, path: [id("pod", "shop", "pod-a")] },
        [id("replicaset", "shop", "rs")]: {
          hops: 1,
          path: [id("pod", "shop", "pod-a"), "CONTROLS", id("replicaset", "shop", "rs")],
        },
        [id("service", "shop", "svc")]: {
          hops: 1,
          path: [id("pod", "shop", "pod-a"), "SELECTS", id("service", "shop", "svc")],
        },
      });
      // A node is reached but not passed through (two pods on one node are not neighbours), unless
      // the walk starts there.
      expect(n.has(id("pod", "shop", "pod-b"))).toBe(false);
      expect(
        reachOf((await store.neighborhood(id("node", "", "n1"), 1)).get(id("pod", "shop", "pod-b"))),
      ).toEqual({
        hops: 1,
        path: [id("node", "", "n1"), "RUNS_ON", id("pod", "shop", "pod-b")],
      });
      expect([...(await store.neighborhood(id("pod", "shop", "pod-a"), 0)).keys()]).toEqual([
        id("pod", "shop", "pod-a"),
      ]);
      expect([...(await store.neighborhood("nowhere", 3)).keys()]).toEqual(["nowhere"]);
    });

    it("keeps the highest confidence per cause link and lists links both ways", async () => {
      await store.applyBatch(
        batch({
          events: ["a", "b", "c"].map((x, i) =>
            ev({ id: x, timeMs: T0 + i, subject: ref("Pod", "p", "shop") }),
          ),
        }),
      );
      expect(await store.upsertCauseLinks([link("a", "c", 0.5), link("b", "c", 0.7)])).toBe(2);
      expect(await store.upsertCauseLinks([link("a", "c", 0.4)])).toBe(0);
      expect(await store.upsertCauseLinks([link("a", "c", 0.9, ["p", "q"])])).toBe(1);
      expect(await store.upsertCauseLinks([])).toBe(0);
      expect(await store.causeLinksTo("c")).toEqual([link("a", "c", 0.9, ["p", "q"]), link("b", "c", 0.7)]);
      expect(await store.causeLinksFrom("a")).toEqual([link("a", "c", 0.9, ["p", "q"])]);
      expect(await store.causeLinksTo("a")).toEqual([]);
      // Both events must be stored.
      expect(await store.upsertCauseLinks([link("a", "nowhere", 0.9), link("nowhere", "c", 0.99)])).toBe(0);
      expect(await store.causeLinksTo("nowhere")).toEqual([]);
      expect((await store.causeLinksTo("c")).map((l) => l.causeId)).toEqual(["a", "b"]);
    });

    it("saves incidents, replaces merged-away ones and filters the list", async () => {
      await store.applyBatch(
        batch({
          events: [
            ev({ id: "e1", severity: "ERROR", timeMs: T0, subject: ref("Pod", "p", "shop") }),
            ev({ id: "e2", severity: "FATAL", timeMs: T0 + MIN, subject: ref("Pod", "q", "shop") }),
            ev({ id: "e3", severity: "ERROR", timeMs: T0 + 9 * MIN, subject: ref("Pod", "r", "pay") }),
          ],
        }),
      );
      const row = (iid: string, eventIds: string[], o: Partial<Incident> = {}): Incident => ({
        id: iid,
        cluster: C,
        severity: "ERROR",
        startMs: T0,
        endMs: T0 + MIN,
        eventCount: eventIds.length,
        resourceIds: [id("pod", "shop", "p")],
        eventIds,
        rootEventId: eventIds[0]!,
        ...o,
      });
      const inc = (
        iid: string,
        eventIds: string[],
        o: Partial<Incident> = {},
        joiningEventIds = eventIds,
        absorbedIds: string[] = [],
      ): IncidentUpdate => {
        const { eventIds: _, ...summary } = row(iid, eventIds, o);
        return { ...summary, joiningEventIds, absorbedIds };
      };
      await store.saveIncidents([inc("i1", ["e1"]), inc("i2", ["e2"])]);
      const { eventIds: _1, ...i1 } = row("i1", ["e1"]);
      const { eventIds: _2, ...i2 } = row("i2", ["e2"]);
      const summaries = await store.incidentSummaries(["i2", "nope", "i1"]);
      expect(summaries.sort((a, b) => a.id.localeCompare(b.id))).toEqual([i1, i2]);
      expect(await store.incidentSummaries([])).toEqual([]);
      // i1 absorbs i2 (its event moves), i3 is new.
      await store.saveIncidents([
        inc(
          "i1",
          ["e1", "e2"],
          { severity: "FATAL", resourceIds: [id("pod", "shop", "p"), id("pod", "shop", "q")] },
          [],
          ["i2"],
        ),
        inc("i3", ["e3"], {
          startMs: T0 + 9 * MIN,
          endMs: T0 + 9 * MIN,
          resourceIds: [id("pod", "pay", "r")],
        }),
      ]);
      await store.saveIncidents([]);
      expect(await store.getIncident("i2")).toBeUndefined();
      expect((await store.incidentSummaries(["i2"])).length).toBe(0);
      expect(await store.getIncident("i1")).toEqual(
        row("i1", ["e1", "e2"], {
          severity: "FATAL",
          resourceIds: [id("pod", "shop", "p"), id("pod", "shop", "q")],
        }),
      );
      expect((await store.getEvent("e2"))?.incidentId).toBe("i1");
      expect((await store.incidentEvents("i1", 1)).map((e) => e.id)).toEqual(["e1"]);
      const all = await store.listIncidents({});
      expect([all.total, all.offset, all.limit, all.items.map((i) => i.id)]).toEqual([
        2,
        0,
        50,
        ["i3", "i1"],
      ]);
      expect(all.items[1]?.eventIds).toEqual([]);
      expect((await store.listIncidents({ namespace: "pay" })).items.map((i) => i.id)).toEqual(["i3"]);
      expect((await store.listIncidents({ severity: "FATAL" })).items.map((i) => i.id)).toEqual(["i1"]);
      expect((await store.listIncidents({ sinceMs: T0 + 2 * MIN })).items.map((i) => i.id)).toEqual(["i3"]);
      expect((await store.listIncidents({ untilMs: T0 + 2 * MIN })).items.map((i) => i.id)).toEqual(["i1"]);
      expect((await store.listIncidents({ cluster: "c2" })).total).toBe(0);
      const p2 = await store.listIncidents({ offset: 1, limit: 1 });
      expect([p2.total, p2.items.map((i) => i.id)]).toEqual([2, ["i1"]]);
      expect((await store.listEvents({ incidentId: "i1" })).items.map((e) => e.id)).toEqual(["e2", "e1"]);
    });

    it("keeps the largest count per anomaly and filters the list", async () => {
      const an = (aid: string, o: Partial<Anomaly> = {}): Anomaly => ({
        id: aid,
        cluster: C,
        type: "error_spike",
        windowStartMs: T0,
        windowEndMs: T0 + MIN,
        count: 12,
        score: 1.2,
        eventIds: ["e1", "e2"],
        detail: "12 errors in 1 min",
        ...o,
      });
      expect(
        await store.upsertAnomalies([
          an("a1"),
          an("a2", {
            type: "oom_leak",
            resourceId: id("pod", "shop", "p"),
            reason: "OOMKilled",
            windowEndMs: T0 + 5 * MIN,
          }),
        ]),
      ).toBe(2);
      expect(await store.upsertAnomalies([an("a1", { count: 5 })])).toBe(0);
      expect(await store.upsertAnomalies([an("a1", { count: 20, detail: "20" })])).toBe(1);
      expect(await store.upsertAnomalies([])).toBe(0);
      const all = await store.listAnomalies({});
      expect(all.total).toBe(2);
      expect(all.items).toEqual([
        an("a2", {
          type: "oom_leak",
          resourceId: id("pod", "shop", "p"),
          reason: "OOMKilled",
          windowEndMs: T0 + 5 * MIN,
        }),
        an("a1", { count: 20, detail: "20" }),
      ]);
      expect((await store.listAnomalies({ type: "error_spike" })).items.map((a) => a.id)).toEqual(["a1"]);
      expect((await store.listAnomalies({ sinceMs: T0 + 2 * MIN })).items.map((a) => a.id)).toEqual(["a2"]);
      expect((await store.listAnomalies({ cluster: "c2" })).total).toBe(0);
    });

    it("lists events and searches resources with filters and paging", async () => {
      await store.applyBatch(
        batch({
          resources: [
            res({ name: "cart-1" }),
            res({ name: "Cart-2" }),
            res({ name: "pay-1", namespace: "pay" }),
            res({ kind: "Service", name: "cart" }),
            res({ cluster: "c2", name: "cart-1" }),
          ],
          events: [
            ev({
              id: "e1",
              severity: "INFO",
              reason: "Pulled",
              timeMs: T0,
              subject: ref("Pod", "cart-1", "shop"),
            }),
            ev({
              id: "e2",
              severity: "ERROR",
              etype: "k8s.log",
              reason: "",
              timeMs: T0 + 1,
              subject: ref("Pod", "cart-1", "shop"),
            }),
            ev({ id: "e3", severity: "WARNING", timeMs: T0 + 2, subject: ref("Pod", "pay-1", "pay") }),
            ev({
              id: "e4",
              cluster: "c2",
              timeMs: T0 + 3,
              subject: ref("Pod", "cart-1", "shop", undefined, "c2"),
            }),
          ],
        }),
      );
      const ids = async (f: Parameters<GraphStore["listEvents"]>[0]) =>
        (await store.listEvents(f)).items.map((e) => e.id);
      expect(await ids({})).toEqual(["e4", "e3", "e2", "e1"]);
      expect(await ids({ cluster: C })).toEqual(["e3", "e2", "e1"]);
      expect(await ids({ namespace: "pay" })).toEqual(["e3"]);
      expect(await ids({ resourceId: id("pod", "shop", "cart-1") })).toEqual(["e2", "e1"]);
      expect(await ids({ reason: "Pulled" })).toEqual(["e1"]);
      expect(await ids({ etype: "k8s.log" })).toEqual(["e2"]);
      expect(await ids({ minSeverity: "WARNING" })).toEqual(["e4", "e3", "e2"]);
      expect(await ids({ sinceMs: T0 + 1, untilMs: T0 + 2 })).toEqual(["e3", "e2"]);
      const page = await store.listEvents({ offset: 1, limit: 2 });
      expect([page.total, page.offset, page.limit, page.items.map((e) => e.id)]).toEqual([
        4,
        1,
        2,
        ["e3", "e2"],
      ]);
      expect((await store.listEvents({ limit: 100_000 })).limit).toBe(1000);

      const names = async (q: Parameters<GraphStore["searchResources"]>[0]) =>
        (await store.searchResources(q)).items.map((r) => r.id);
      expect(await names({ name: "cart" })).toEqual([
        id("pod", "shop", "cart-1", "c2"),
        id("pod", "shop", "Cart-2"),
        id("pod", "shop", "cart-1"),
        id("service", "shop", "cart"),
      ]);
      expect(await names({ cluster: C, kind: "Pod", namespace: "shop" })).toEqual([
        id("pod", "shop", "Cart-2"),
        id("pod", "shop", "cart-1"),
      ]);
      const rp = await store.searchResources({ cluster: C, offset: 2, limit: 1 });
      // Ordered by id: the cluster's two namespaces come first.
      expect([rp.total, rp.items.map((r) => r.name)]).toEqual([6, ["pay-1"]]);
    });

    it("reports stats with the same keys and numbers", async () => {
      await store.applyBatch(
        batch({
          resources: [res({ name: "p", props: { node: "n1" } }), res({ cluster: "c2", name: "p" })],
          edges: [edge({ key: "k", from: ref("Pod", "p", "shop"), to: ref("Node", "n1") })],
          events: [
            ev({ id: "e1", severity: "ERROR", timeMs: T0, subject: ref("Pod", "p", "shop") }),
            ev({ id: "e2", severity: "INFO", timeMs: T0 + MIN, subject: ref("Pod", "p", "shop") }),
            ev({
              id: "e3",
              cluster: "c2",
              timeMs: T0 + 2 * MIN,
              subject: ref("Pod", "p", "shop", undefined, "c2"),
            }),
          ],
        }),
      );
      await store.upsertCauseLinks([link("e1", "e2", 0.6)]);
      await store.saveIncidents([
        {
          id: "i1",
          cluster: C,
          severity: "ERROR",
          startMs: T0,
          endMs: T0,
          eventCount: 1,
          resourceIds: [id("pod", "shop", "p")],
          joiningEventIds: ["e1"],
          absorbedIds: [],
        },
      ]);
      await store.upsertAnomalies([
        {
          id: "a",
          cluster: C,
          type: "churn",
          windowStartMs: T0,
          windowEndMs: T0,
          count: 60,
          score: 1,
          eventIds: [],
          detail: "d",
        },
      ]);
      // Each pod's namespace is a resource too, with an IN_NAMESPACE edge.
      const counts = {
        resources: 5,
        episodic_events: 3,
        incidents: 1,
        edges: 3,
        cause_links: 1,
        anomalies: 1,
      };
      expect(await store.counts()).toEqual(counts);
      expect(await store.stats()).toEqual({
        ...counts,
        oldest_event: new Date(T0).toISOString(),
        newest_event: new Date(T0 + 2 * MIN).toISOString(),
        resources_by_kind: { Pod: 2, Node: 1, Namespace: 2 },
        edges_by_type: { RUNS_ON: 1, IN_NAMESPACE: 2 },
        events_by_severity: { ERROR: 1, INFO: 1, WARNING: 1 },
        clusters: {
          [C]: { resources: 3, events: 2, incidents: 1 },
          c2: { resources: 2, events: 1, incidents: 0 },
        },
      });
    });

    it("cleans up old events, their links, old incidents and anomalies in bounded batches", async () => {
      const p = ref("Pod", "p", "shop");
      await store.applyBatch(
        batch({
          events: [
            ...["o1", "o2", "o3", "o4", "o5"].map((x, i) => ev({ id: x, timeMs: T0 + i, subject: p })),
            ev({ id: "new", timeMs: T0 + 10 * MIN, subject: p }),
          ],
        }),
      );
      await store.upsertCauseLinks([link("o1", "o2", 0.5), link("o2", "new", 0.6), link("o1", "o3", 0.5)]);
      const inc = (iid: string, endMs: number, eventIds: string[]): IncidentUpdate => ({
        id: iid,
        cluster: C,
        severity: "ERROR",
        startMs: T0,
        endMs,
        eventCount: eventIds.length,
        resourceIds: [],
        joiningEventIds: eventIds,
        absorbedIds: [],
      });
      await store.saveIncidents([inc("old", T0 + 4, ["o4"]), inc("kept", T0 + 10 * MIN, ["new", "o5"])]);
      await store.upsertAnomalies([
        {
          id: "a-old",
          cluster: C,
          type: "cascade",
          windowStartMs: T0,
          windowEndMs: T0 + 1,
          count: 11,
          score: 1,
          eventIds: [],
          detail: "",
        },
        {
          id: "a-new",
          cluster: C,
          type: "cascade",
          windowStartMs: T0,
          windowEndMs: T0 + 10 * MIN,
          count: 11,
          score: 1,
          eventIds: [],
          detail: "",
        },
      ]);
      const cutoff = T0 + MIN;
      const dry = await store.cleanup(cutoff, 2, true);
      expect(dry).toEqual({
        cutoffMs: cutoff,
        dryRun: true,
        events: 5,
        causeLinks: 3,
        incidents: 1,
        anomalies: 1,
      });
      expect((await store.stats()).episodic_events).toBe(6);
      const done = await store.cleanup(cutoff, 2, false);
      expect(done).toEqual({
        cutoffMs: cutoff,
        dryRun: false,
        events: 5,
        causeLinks: 3,
        incidents: 1,
        anomalies: 1,
      });
      const s = await store.stats();
      expect([s.episodic_events, s.cause_links, s.incidents, s.anomalies]).toEqual([1, 0, 1, 1]);
      expect(await store.getIncident("kept")).toMatchObject({ eventIds: ["new"] });
      expect(await store.cleanup(cutoff, 2, false)).toEqual({
        cutoffMs: cutoff,
        dryRun: false,
        events: 0,
        causeLinks: 0,
        incidents: 0,
        anomalies: 0,
      });
    });

    it("keeps clusters apart", async () => {
      await store.applyBatch(
        batch({
          resources: [res({ name: "p", uid: UID_A }), res({ cluster: "c2", name: "p", uid: UID_A })],
          events: [
            ev({ id: "e-c1", subject: ref("Pod", undefined, undefined, UID_A) }),
            ev({ id: "e-c2", cluster: "c2", subject: ref("Pod", undefined, undefined, UID_A, "c2") }),
          ],
        }),
      );
      expect((await store.getEvent("e-c1"))?.resourceId).toBe(id("pod", "shop", "p"));
      expect((await store.getEvent("e-c2"))?.resourceId).toBe(id("pod", "shop", "p", "c2"));
      expect((await store.eventsInCluster("c2", 0, T0 + 1, 10)).map(strip)).toEqual([
        { id: "e-c2", level: "WARNING", resourceId: id("pod", "shop", "p", "c2"), timeMs: T0 },
      ]);
    });
  });
}
