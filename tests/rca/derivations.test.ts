import { afterEach, describe, expect, it } from "vitest";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { diffVersions, initialConditionEvents, versionOf } from "../../rca/changes.js";
import {
  certificateServices,
  dependencyHints,
  impliedEdges,
  messageHints,
  referenceHints,
  serviceNameHints,
  technologyHints,
} from "../../rca/implied-edges.js";
import { classifyLogLine } from "../../rca/log-filter.js";
import { emptyBatch, type ResourceUpsert } from "../../rca/model.js";
import { normalizeMessage } from "../../rca/normalize.js";
import { tempStore } from "../helpers.js";
import { apply, CLUSTER, event, id, resource } from "./fixtures.js";

const base = { cluster: "c", labels: {}, atMs: 0, deleted: false };
const node = (spec: Record<string, unknown>, atMs = 0): ResourceUpsert => ({
  ...base,
  kind: "Node",
  namespace: "",
  name: "n1",
  atMs,
  props: { spec, status: { conditions: { Ready: "True" } } },
});
const reasons = (prev: ResourceUpsert, next: ResourceUpsert) =>
  diffVersions(next.kind, versionOf(prev), versionOf(next)).map((e) => e.reason);

describe("certificates name the Services they secure", () => {
  it("maps in-cluster service names exactly and external hosts by their first label", () => {
    expect(
      certificateServices(
        [
          "orders-api.orders.svc",
          "billing.payments.svc.cluster.local",
          "report-builder.example.com",
          "*.example.com",
          "localhost",
          42,
        ],
        "analytics",
      ),
    ).toEqual([
      { name: "report-builder", namespace: "analytics" },
      { name: "orders-api", namespace: "orders" },
      { name: "billing", namespace: "payments" },
    ]);
  });

  it("links a Certificate to its Secret and to the Services of its DNS names", () => {
    const edges = impliedEdges({
      ...base,
      kind: "Certificate",
      namespace: "platform",
      name: "webhook-tls",
      props: { spec: { secretName: "webhook-tls", dnsNames: ["webhook.platform.svc"] } },
    })
      .map((e) => `${e.type} ${e.toId}`)
      .sort();
    expect(edges).toEqual(["ISSUES c:secret:platform:webhook-tls", "ISSUES c:service:platform:webhook"]);
  });
});

describe("scheduler messages that blame node state reference every node", () => {
  it("hints Nodes cluster-wide for cordoned, tainted or not-ready nodes only", () => {
    expect(
      referenceHints(
        "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) were unschedulable. preemption: 0/5 nodes are available",
        "shop",
      ),
    ).toEqual([{ kind: "Node", namespace: "" }]);
    expect(
      referenceHints("0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}.", "ml"),
    ).toEqual([{ kind: "Node", namespace: "" }]);
    expect(
      referenceHints("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.", "web"),
    ).toEqual([{ kind: "Node", namespace: "" }]);
    expect(referenceHints("0/3 nodes are available: 3 Insufficient memory.", "shop")).toEqual([]);
  });
});

describe("cordon, taints and namespace labels are change events", () => {
  it("turns spec.unschedulable into NodeNotSchedulable instead of a bare SpecChanged", () => {
    expect(reasons(node({ providerID: "x" }), node({ providerID: "x", unschedulable: true }))).toEqual([
      "NodeNotSchedulable",
    ]);
    expect(reasons(node({ unschedulable: true }), node({}))).toEqual(["NodeSchedulable"]);
  });

  it("reports new NoSchedule/NoExecute taints, not PreferNoSchedule ones", () => {
    const taint = (effect: string) => ({ key: "maintenance", value: "kernel", effect });
    expect(reasons(node({ taints: [] }), node({ taints: [taint("NoExecute")] }))).toEqual(["NodeTainted"]);
    const [e] = diffVersions("Node", versionOf(node({})), versionOf(node({ taints: [taint("NoSchedule")] })));
    expect(e?.message).toBe("node tainted with maintenance=kernel:NoSchedule");
    expect(reasons(node({ taints: [] }), node({ taints: [taint("PreferNoSchedule")] }))).toEqual([
      "SpecChanged",
    ]);
  });

  it("says nothing about a node's cordon state on first sight", () => {
    expect(initialConditionEvents("Node", versionOf(node({ unschedulable: true })))).toEqual([]);
  });

  it("turns a relabelled Node into LabelsChanged (what nodeSelectors match)", () => {
    const labelled = (labels: Record<string, string>): ResourceUpsert => ({ ...node({}), labels });
    const [e] = diffVersions(
      "Node",
      versionOf(labelled({ "node.kubernetes.io/instance-type": "m5.xlarge" })),
      versionOf(labelled({})),
    );
    expect(e).toEqual({
      reason: "LabelsChanged",
      severity: "INFO",
      message: "Node metadata changed: label:node.kubernetes.io/instance-type",
    });
  });

  it("turns a Namespace's label change into LabelsChanged, but not a Deployment's", () => {
    const ns = (labels: Record<string, string>): ResourceUpsert => ({
      ...base,
      kind: "Namespace",
      namespace: "",
      name: "edge",
      labels,
      props: {},
    });
    expect(reasons(ns({ zone: "edge", team: "a" }), ns({ team: "a" }))).toEqual(["LabelsChanged"]);
    expect(reasons(ns({ team: "a" }), ns({ team: "a" }))).toEqual([]);
    const dep = (labels: Record<string, string>): ResourceUpsert => ({
      ...base,
      kind: "Deployment",
      namespace: "shop",
      name: "cart",
      labels,
      props: { spec: { replicas: 1 } },
    });
    expect(reasons(dep({ a: "1" }), dep({ a: "2" }))).toEqual([]);
  });
});

/** One resource message through the normaliser. */
function normalized(v: Record<string, unknown>): ResourceUpsert {
  const b = emptyBatch();
  normalizeMessage(
    { topic: "state.k8s.resource", value: { cluster: "c", ...v } },
    { defaultCluster: "c" },
    b,
  );
  return b.resources[0]!;
}

describe("annotations that configure, and CronJob pod templates", () => {
  it("keeps a ServiceAccount's annotations and reports a changed IAM role as MetadataChanged", () => {
    const sa = (role: string) =>
      normalized({
        kind: "ServiceAccount",
        namespace: "inventory",
        name: "api",
        annotations: {
          "eks.amazonaws.com/role-arn": role,
          "kubectl.kubernetes.io/last-applied-configuration": `{"role":"${role}"}`,
        },
      });
    const a = sa("arn:aws:iam::1:role/api");
    const b = sa("arn:aws:iam::1:role/api-typo");
    const changes = diffVersions("ServiceAccount", versionOf(a), versionOf(b));
    expect(changes).toEqual([
      {
        reason: "MetadataChanged",
        severity: "INFO",
        message: "ServiceAccount metadata changed: annotation:eks.amazonaws.com/role-arn",
      },
    ]);
  });

  it("sees a redacted Secret's rotation through its annotations", () => {
    const secret = (annotations?: Record<string, string>) =>
      normalized({
        kind: "Secret",
        namespace: "orders",
        name: "s3",
        data: { KEY: "(redacted)" },
        ...(annotations ? { metadata: { annotations } } : {}),
      });
    expect(reasons(secret(), secret({ "rotated-at": "2024-08-26T16:56:00Z" }))).toEqual(["MetadataChanged"]);
    expect(reasons(secret(), secret())).toEqual([]);
  });

  it("drops annotations of kinds where they are bookkeeping", () => {
    const d = normalized({ kind: "Deployment", namespace: "shop", name: "cart", annotations: { a: "1" } });
    expect("annotations" in d.props).toBe(false);
  });

  it("reads a CronJob's pod template for mounts, image and ServiceAccount", () => {
    const cj = normalized({
      kind: "CronJob",
      namespace: "orders",
      name: "export",
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                serviceAccountName: "exporter",
                containers: [{ image: "export:1.3", envFrom: [{ secretRef: { name: "export-s3" } }] }],
              },
            },
          },
        },
      },
    });
    expect(cj.props.image).toBe("export:1.3");
    expect(cj.props.mounts).toEqual([{ kind: "Secret", name: "export-s3" }]);
    expect(
      impliedEdges(cj)
        .map((e) => `${e.type} ${e.toId}`)
        .sort(),
    ).toEqual(["MOUNTS c:secret:orders:export-s3", "MOUNTS c:serviceaccount:orders:exporter"]);
  });

  it("links a pod to its Namespace", () => {
    const pod = normalized({ kind: "Pod", namespace: "edge", name: "nginx-1" });
    expect(impliedEdges(pod).map((e) => `${e.type} ${e.toId}`)).toEqual(["IN_NAMESPACE c:namespace::edge"]);
  });
});

describe("log lines of the storage, TLS and database families", () => {
  it("classifies full disks, rejected client certificates and exhausted connection slots", () => {
    const reason = (m: string) => classifyLogLine(m).reason;
    expect(reason("write /var/lib/postgresql/data/pg_wal/x: no space left on device")).toBe("StorageError");
    expect(
      reason("index [logs] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark]"),
    ).toBe("StorageError");
    expect(reason("error reading server preface: remote error: tls: expired certificate")).toBe("TLSError");
    expect(reason("FATAL:  sorry, too many clients already")).toBe("DatabaseError");
    expect(reason("GET /healthz 200")).toBeUndefined();
  });
});

describe("in the store", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function build(): Promise<SqliteGraphStore> {
    const t = await tempStore();
    close = t.close;
    return t.store;
  }

  it("links a pending pod to the cordoned node and records the cordon as an event", async () => {
    const store = await build();
    const n1 = { kind: "Node", name: "node-a", spec: { providerID: "p" } };
    await apply(store, [
      resource(n1, 0),
      resource({ kind: "Node", name: "node-b", spec: { providerID: "q" } }, 0),
      resource({ kind: "Pod", namespace: "shop", name: "web-1", labels: { app: "web" } }, 5),
      resource({ ...n1, spec: { providerID: "p", unschedulable: true } }, 10),
      event(
        "fs1",
        20,
        "FailedScheduling",
        { kind: "Pod", ns: "shop", name: "web-1" },
        { message: "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable." },
      ),
    ]);
    const pod = id("Pod", "shop", "web-1");
    const edges = (await store.edgesOf([pod])).map((e) => `${e.fromId} ${e.type} ${e.toId}`).sort();
    expect(edges).toEqual([
      `${pod} IN_NAMESPACE ${CLUSTER}:namespace::shop`,
      `${pod} REFERENCES ${CLUSTER}:node::node-a`,
      `${pod} REFERENCES ${CLUSTER}:node::node-b`,
    ]);
    const onNode = await store.eventsOnResources([`${CLUSTER}:node::node-a`], 0, Date.now() * 2);
    expect(onNode.map((e) => e.reason)).toContain("NodeNotSchedulable");
  });
});

describe("config payloads under spec and autoscalers pinned at their maximum", () => {
  it("reads a ConfigMap payload nested under spec.data as its data, and reports it being set", () => {
    const bare = normalized({ kind: "ConfigMap", namespace: "promo", name: "flags" });
    const withData = normalized({
      kind: "ConfigMap",
      namespace: "promo",
      name: "flags",
      spec: { data: { "flags.yaml": 'max: "50%"' } },
    });
    expect(withData.props.data).toEqual({ "flags.yaml": 'max: "50%"' });
    expect(withData.props.spec).toBeUndefined();
    expect(reasons(bare, withData)).toEqual(["ConfigChanged"]);
    expect(reasons(withData, withData)).toEqual([]);
  });

  it("reports an HPA whose ScalingLimited condition holds it at its maximum", () => {
    const hpa = (conditions: unknown[]): ResourceUpsert => ({
      ...base,
      kind: "HorizontalPodAutoscaler",
      namespace: "pricing",
      name: "engine",
      props: { status: { currentReplicas: 6, conditions } },
    });
    const atMax = hpa([
      {
        type: "ScalingLimited",
        status: "True",
        reason: "TooManyReplicas",
        message: "the desired replica count is more than the maximum replica count",
      },
    ]);
    const atMin = hpa([{ type: "ScalingLimited", status: "True", reason: "TooFewReplicas" }]);
    expect(reasons(hpa([]), atMax)).toEqual(["ScalingLimited"]);
    expect(reasons(atMax, atMax)).toEqual([]);
    expect(reasons(hpa([]), atMin)).toEqual([]);
    expect(initialConditionEvents("HorizontalPodAutoscaler", versionOf(atMax)).map((e) => e.reason)).toEqual([
      "ScalingLimited",
    ]);
  });
});

describe("a message's hints", () => {
  it("are each hint function's, for an event or a log line, and the same when the message repeats", () => {
    const messages = [
      "dial tcp 10.0.4.7:5432: connect: connection refused (postgres.shop.svc:5432)",
      'Error: secret "db-creds" not found',
      "CartClient call to cart failed: upstream=cart status 503; redis timeout on :6379",
      "x".repeat(600) + " dial tcp 10.0.4.8:80",
      "",
    ];
    for (const m of messages)
      for (const ns of ["shop", undefined])
        for (const log of [true, false]) {
          const want = {
            references: referenceHints(m, ns),
            dependencies: dependencyHints(m, ns),
            serviceNames: log ? serviceNameHints(m) : [],
            technologies: log ? technologyHints(m) : [],
          };
          expect(messageHints(m, ns, log)).toEqual(want);
          expect(messageHints(m, ns, log)).toEqual(want);
        }
    // Kept (short messages), so a repeat is the same answer.
    expect(messageHints(messages[0]!, "shop", true)).toBe(messageHints(messages[0]!, "shop", true));
    expect(messageHints(messages[0]!, "shop", true)).not.toBe(messageHints(messages[0]!, "shop", false));
  });
});
