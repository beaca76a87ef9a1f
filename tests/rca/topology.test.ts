import { afterEach, describe, expect, it } from "vitest";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import {
  dependencyHints,
  impliedEdges,
  podSelected,
  referenceHints,
  serviceNameHints,
} from "../../rca/implied-edges.js";
import type { WireMessage } from "../../rca/normalize.js";
import { tempStore } from "../helpers.js";
import { apply, CLUSTER, event, id, logLine, resource, shop } from "./fixtures.js";

describe("what messages imply (pure)", () => {
  it("derives mounts, routes, scaling, issued secrets and claim templates from resource fields", () => {
    const types = (v: Parameters<typeof impliedEdges>[0]) =>
      impliedEdges(v)
        .map((e) => `${e.type} ${e.toId}`)
        .sort();
    const base = { cluster: "c", namespace: "shop", labels: {}, atMs: 0, deleted: false };
    expect(
      types({
        ...base,
        kind: "HorizontalPodAutoscaler",
        name: "cart",
        props: { spec: { scaleTargetRef: { kind: "Deployment", name: "cart" } } },
      }),
    ).toEqual(["SCALES c:deployment:shop:cart"]);
    expect(
      types({ ...base, kind: "Certificate", name: "cart-tls", props: { spec: { secretName: "cart-tls" } } }),
    ).toEqual(["ISSUES c:secret:shop:cart-tls"]);
    expect(
      types({
        ...base,
        kind: "Ingress",
        name: "web",
        props: { backends: ["cart"], spec: { tls: [{ secretName: "web-tls" }] } },
      }),
    ).toEqual(["MOUNTS c:secret:shop:web-tls", "ROUTES_TO c:service:shop:cart"]);
    expect(
      types({
        ...base,
        kind: "StatefulSet",
        name: "pg",
        props: {
          replicas: 2,
          spec: {
            volumeClaimTemplates: [{ metadata: { name: "data" } }],
            template: { spec: { serviceAccountName: "pg" } },
          },
        },
      }),
    ).toEqual([
      "MOUNTS c:persistentvolumeclaim:shop:data-pg-0",
      "MOUNTS c:persistentvolumeclaim:shop:data-pg-1",
      "MOUNTS c:serviceaccount:shop:pg",
    ]);
  });

  it("finds the services a log line depends on: IPs, DNS names, client class names", () => {
    expect(dependencyHints("dial tcp 10.1.4.7:5432: connect: connection refused", "shop")).toEqual([
      { ip: "10.1.4.7" },
    ]);
    expect(dependencyHints('Get "http://postgres.db.svc.cluster.local:5432"', "shop")).toContainEqual({
      service: { name: "postgres", namespace: "db" },
      explicit: true,
    });
    expect(
      dependencyHints('Service "platform/envoy" does not have any active Endpoint', "ingress"),
    ).toContainEqual({
      service: { name: "envoy", namespace: "platform" },
      explicit: true,
    });
    expect(serviceNameHints("c.a.orders.client.TrackingSyncRepository : 503 Service Unavailable")).toEqual([
      "tracking-sync",
    ]);
    expect(
      serviceNameHints('{"caller":"client/tracking_sync.go:120","msg":"call to tracking-sync failed"}'),
    ).toEqual(["tracking-sync"]);
    expect(serviceNameHints("request failed: 503 Service Unavailable")).toEqual([]);
  });

  it("finds the resources an event names as missing or limiting", () => {
    expect(
      referenceHints('MountVolume.SetUp failed for volume "creds" : secret "db-creds" not found', "shop"),
    ).toEqual([{ kind: "Secret", namespace: "shop", name: "db-creds" }]);
    expect(referenceHints("Error: couldn't find key password in Secret payments/pg", "payments")).toEqual([
      { kind: "Secret", namespace: "payments", name: "pg" },
    ]);
    expect(
      referenceHints('pods "x" is forbidden: exceeded quota: compute, requested: limits.memory=2Gi', "shop"),
    ).toEqual([{ kind: "ResourceQuota", namespace: "shop", name: "compute" }]);
    expect(
      referenceHints('pods "x" is forbidden: maximum memory usage per Container is 1Gi', "shop"),
    ).toEqual([{ kind: "LimitRange", namespace: "shop" }]);
  });

  it("matches Service selectors and NetworkPolicy pod selectors", () => {
    expect(podSelected("Service", { serviceSelector: { app: "a" } }, { app: "a", x: "y" })).toBe(true);
    expect(podSelected("Service", { serviceSelector: {} }, { app: "a" })).toBe(false);
    expect(podSelected("NetworkPolicy", { spec: { podSelector: {} } }, { app: "a" })).toBe(true);
    expect(
      podSelected("NetworkPolicy", { spec: { podSelector: { matchLabels: { app: "b" } } } }, { app: "a" }),
    ).toBe(false);
  });
});

describe("implied edges in the store, in any arrival order", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function build(messages: WireMessage[]): Promise<SqliteGraphStore> {
    const t = await tempStore();
    close = t.close;
    await apply(t.store, messages);
    return t.store;
  }

  const edgeSet = async (store: SqliteGraphStore) =>
    (store.fingerprintRows().edges as Array<{ from_id: string; type: string; to_id: string }>).map(
      (e) => `${e.from_id} ${e.type} ${e.to_id}`,
    );

  const scenario = (): WireMessage[] => [
    ...shop(),
    resource({
      kind: "Pod",
      namespace: "shop",
      name: "orders-1",
      labels: { app: "orders" },
      spec: {
        serviceAccountName: "orders",
        volumes: [
          { name: "cfg", configMap: { name: "orders-config" } },
          { name: "data", persistentVolumeClaim: { claimName: "orders-data" } },
        ],
        containers: [{ name: "orders", envFrom: [{ secretRef: { name: "orders-db" } }] }],
      },
    }),
    resource({ kind: "ConfigMap", namespace: "shop", name: "orders-config", data: { a: "1" } }),
    resource({ kind: "Secret", namespace: "shop", name: "orders-db", data: { p: "x" } }),
    resource({
      kind: "PersistentVolumeClaim",
      namespace: "shop",
      name: "orders-data",
      spec: { volumeName: "pv-1" },
    }),
    resource({
      kind: "Service",
      namespace: "shop",
      name: "orders",
      spec: { selector: { app: "orders" }, clusterIP: "10.96.0.77" },
    }),
    resource({
      kind: "Ingress",
      namespace: "shop",
      name: "web",
      spec: {
        rules: [{ http: { paths: [{ backend: { service: { name: "frontend" } } }] } }],
        tls: [{ secretName: "web-tls" }],
      },
    }),
    resource({ kind: "Certificate", namespace: "shop", name: "web-tls", spec: { secretName: "web-tls" } }),
    resource({ kind: "Secret", namespace: "shop", name: "web-tls", data: { crt: "x" } }),
    resource({
      kind: "HorizontalPodAutoscaler",
      namespace: "shop",
      name: "cart",
      spec: { scaleTargetRef: { kind: "Deployment", name: "cart" } },
    }),
    resource({ kind: "NetworkPolicy", namespace: "shop", name: "deny-all", spec: { podSelector: {} } }),
    resource({ kind: "Namespace", name: "billing" }),
    resource({
      kind: "Service",
      namespace: "billing",
      name: "tracking-sync",
      serviceSelector: { app: "tracking-sync" },
    }),
    logLine(
      "l1",
      60,
      { ns: "shop", name: "frontend-5c6d7-abcde" },
      "dial tcp 10.96.12.40:80: connect: connection refused",
    ),
    logLine(
      "l2",
      61,
      { ns: "shop", name: "frontend-5c6d7-abcde" },
      "c.a.shop.client.TrackingSyncClient : 503 Service Unavailable",
    ),
    logLine(
      "l3",
      62,
      { ns: "shop", name: "orders-1" },
      "lookup orders.shop.svc.cluster.local on 10.96.0.10:53: no such host",
    ),
    event(
      "k1",
      63,
      "Failed",
      { kind: "Pod", ns: "shop", name: "cart-7d9f8-x2k4p" },
      { message: 'Error: secret "cart-creds" not found' },
    ),
    resource({ kind: "Secret", namespace: "shop", name: "cart-creds", data: { p: "x" } }, 70),
  ];

  it("turns mounts, selectors, routes, log dependencies and event references into edges", async () => {
    const store = await build(scenario());
    const edges = await edgeSet(store);
    const has = (from: string, type: string, to: string) =>
      expect(edges, `${from} ${type} ${to}`).toContain(`${from} ${type} ${to}`);
    const orders = id("Pod", "shop", "orders-1");
    has(orders, "MOUNTS", id("ConfigMap", "shop", "orders-config"));
    has(orders, "MOUNTS", id("Secret", "shop", "orders-db"));
    has(orders, "MOUNTS", id("PersistentVolumeClaim", "shop", "orders-data"));
    has(orders, "MOUNTS", id("ServiceAccount", "shop", "orders"));
    has(id("Service", "shop", "orders"), "SELECTS", orders);
    has(id("Service", "shop", "cart"), "SELECTS", id("Pod", "shop", "cart-7d9f8-x2k4p"));
    has(id("Ingress", "shop", "web"), "ROUTES_TO", id("Service", "shop", "frontend"));
    has(id("Ingress", "shop", "web"), "MOUNTS", id("Secret", "shop", "web-tls"));
    has(id("Certificate", "shop", "web-tls"), "ISSUES", id("Secret", "shop", "web-tls"));
    has(id("HorizontalPodAutoscaler", "shop", "cart"), "SCALES", id("Deployment", "shop", "cart"));
    has(id("NetworkPolicy", "shop", "deny-all"), "SELECTS", orders);
    has(id("NetworkPolicy", "shop", "deny-all"), "SELECTS", id("Pod", "shop", "cart-7d9f8-x2k4p"));
    const frontend = id("Pod", "shop", "frontend-5c6d7-abcde");
    has(frontend, "DEPENDS_ON", id("Service", "shop", "cart"));
    has(frontend, "DEPENDS_ON", id("Service", "billing", "tracking-sync"));
    has(orders, "DEPENDS_ON", id("Service", "shop", "orders"));
    has(id("Pod", "shop", "cart-7d9f8-x2k4p"), "REFERENCES", id("Secret", "shop", "cart-creds"));
    // A NetworkPolicy selects only in its own namespace.
    expect(edges.filter((e) => e.includes(`${CLUSTER}:networkpolicy:`) && e.includes(":billing:"))).toEqual(
      [],
    );
  });

  it("gives the same edges when every message arrives in reverse", async () => {
    const forward = await edgeSet(await build(scenario()));
    await close?.();
    const backward = await edgeSet(await build([...scenario()].reverse()));
    expect(backward).toEqual(forward);
  });

  it("resolves every id form of one pod to one resource (no orphan nodes)", async () => {
    const store = await build([
      event("u1", 10, "BackOff", { kind: "Pod", uid: "9c1f6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b" }),
      ...shop(),
      event("u2", 11, "BackOff", { kind: "Pod", ns: "shop", name: "cart-7d9f8-x2k4p" }),
    ]);
    const [a, b] = await store.getEvents(["u1", "u2"]);
    expect(a!.resourceId).toBe(id("Pod", "shop", "cart-7d9f8-x2k4p"));
    expect(b!.resourceId).toBe(a!.resourceId);
    const pods = await store.searchResources({ kind: "Pod", name: "cart-7d9f8" });
    expect(pods.total).toBe(1);
  });
});
