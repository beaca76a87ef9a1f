import { afterEach, describe, expect, it } from "vitest";
import type { SqliteGraphStore } from "../../graph/sqlite/index.js";
import { type Analysis, type AnalyzeOptions, analyze, type GraphReader } from "../../rca/analyze.js";
import type { WireMessage } from "../../rca/normalize.js";
import { defaultRules } from "../../rca/rules.js";
import { tempStore } from "../helpers.js";
import { apply, event, id, logLine, resource, shop } from "./fixtures.js";

const opts: AnalyzeOptions = { windowMs: 15 * 60_000, maxHops: 3, rules: defaultRules() };
const CART = { kind: "Pod", ns: "shop", name: "cart-7d9f8-x2k4p" };
const FRONTEND = { ns: "shop", name: "frontend-5c6d7-abcde" };

/** cart is OOM-killed and crash-loops; frontend's calls to it are refused. */
function oomChain(): WireMessage[] {
  return [
    ...shop(),
    event("oom-1", 100, "OOMKilled", CART, {
      severity: "FATAL",
      message: "Container cart terminated with OOMKilled (exit code 137)",
    }),
    resource(
      {
        kind: "Pod",
        namespace: "shop",
        name: "cart-7d9f8-x2k4p",
        labels: { app: "cart" },
        ownerRefs: [{ kind: "ReplicaSet", name: "cart-7d9f8" }],
        node: "node-2",
        podIP: "10.1.2.3",
        status: { phase: "Running", restartCount: 1 },
      },
      101,
    ),
    event("bo-1", 103, "BackOff", CART, { message: "Back-off restarting failed container cart" }),
    event("clb-1", 125, "CrashLoopBackOff", CART, {
      severity: "FATAL",
      message: "back-off 20s restarting failed container=cart",
    }),
    logLine(
      "fe-1",
      130,
      FRONTEND,
      'Get "http://cart.shop.svc.cluster.local/api": dial tcp 10.96.12.40:80: connect: connection refused',
    ),
    logLine(
      "fe-2",
      140,
      FRONTEND,
      'Get "http://cart.shop.svc.cluster.local/api": dial tcp 10.96.12.40:80: connect: connection refused',
    ),
  ];
}

describe("analyze", () => {
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

  it("ranks the root of a chain first, not the nearest symptom", async () => {
    const store = await build(oomChain());
    const a = (await analyze(store, "fe-2", opts))!;
    expect(a.causes[0]!.event.id).toBe("oom-1");
    expect(a.causes[0]!.event.resourceId).toBe(id("Pod", "shop", "cart-7d9f8-x2k4p"));
    // The crash loop it explains ranks below it.
    const clb = a.causes.findIndex((c) => c.event.reason === "CrashLoopBackOff");
    expect(clb).toBeGreaterThan(0);
  });

  it("gives every cause a readable explanation and evidence (path and rule)", async () => {
    const store = await build(oomChain());
    const a = (await analyze(store, "fe-2", opts))!;
    for (const c of a.causes) {
      expect(c.explanation).toMatch(/before/);
      expect(c.rule).toBeTruthy();
      expect(c.path[0]).toBe(a.effect.resourceId);
      expect(c.path.length).toBe(2 * c.hops + 1);
      expect(c.confidence).toBeGreaterThan(0);
      expect(c.confidence).toBeLessThanOrEqual(1);
    }
    expect(a.causes[0]!.explanation).toMatch(/OOMKilled on Pod shop\/cart-7d9f8-x2k4p/);
  });

  it("finds a rollout on the owning Deployment as the root of pull failures, beyond the hop limit", async () => {
    const store = await build([
      ...shop(),
      resource(
        {
          kind: "Deployment",
          namespace: "shop",
          name: "cart",
          image: "shop/cart:v1.1",
          replicas: 1,
          labels: { app: "cart" },
        },
        60,
      ),
      event("pull-1", 90, "Failed", CART, {
        message: 'Failed to pull image "shop/cart:v1.1": rpc error: code = NotFound desc = manifest unknown',
      }),
      event("pull-2", 91, "ErrImagePull", CART, {
        severity: "ERROR",
        message: "Container cart waiting: ErrImagePull",
      }),
      event("pull-3", 120, "ImagePullBackOff", CART, {
        severity: "ERROR",
        message: 'Back-off pulling image "shop/cart:v1.1"',
      }),
      logLine("fe-1", 200, FRONTEND, "dial tcp 10.96.12.40:80: connect: connection refused"),
    ]);
    const a = (await analyze(store, "fe-1", opts))!;
    expect(a.causes[0]!.event.reason).toBe("ImageChanged");
    expect(a.causes[0]!.event.resourceId).toBe(id("Deployment", "shop", "cart"));
    expect(a.causes[0]!.chain?.length).toBeGreaterThan(0);
  });

  it("is not distracted by an infra storm and unrelated warnings on the same node", async () => {
    const noise: WireMessage[] = [];
    for (let i = 0; i < 30; i++) {
      noise.push(
        event(
          `sb-${i}`,
          20 + i * 3,
          "FailedCreatePodSandBox",
          { kind: "Pod", ns: "batch", name: "job-x" },
          {
            message:
              'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "abc": plugin type="calico" failed (add)',
          },
        ),
      );
    }
    const store = await build([
      ...oomChain(),
      resource({ kind: "Pod", namespace: "batch", name: "job-x", node: "node-2", labels: { app: "job" } }),
      ...noise,
      event(
        "dns-1",
        128,
        "DNSConfigForming",
        { kind: "Pod", ns: "batch", name: "job-x" },
        { message: "Nameserver limits were exceeded" },
      ),
    ]);
    const a = (await analyze(store, "fe-2", opts))!;
    expect(a.causes[0]!.event.id).toBe("oom-1");
    expect(a.causes.slice(0, 3).some((c) => c.event.reason === "FailedCreatePodSandBox")).toBe(false);
  });

  it("raises a cause that an anomaly implicates, a little", async () => {
    const store = await build(oomChain());
    const before = (await analyze(store, "fe-2", opts))!.causes.find(
      (c) => c.event.id === "oom-1",
    )!.confidence;
    await store.upsertAnomalies([
      {
        id: "oom_leak:x",
        cluster: "prod-eu",
        type: "oom_leak",
        resourceId: id("Pod", "shop", "cart-7d9f8-x2k4p"),
        reason: "OOMKilled",
        windowStartMs: Date.UTC(2025, 9, 8, 10, 0, 0),
        windowEndMs: Date.UTC(2025, 9, 8, 10, 5, 0),
        count: 4,
        score: 1,
        eventIds: ["oom-1"],
        detail: "4 OOM kills in 5 minutes",
      },
    ]);
    const after = (await analyze(store, "fe-2", opts))!.causes.find(
      (c) => c.event.id === "oom-1",
    )!.confidence;
    expect(after).toBeGreaterThan(before);
    expect(after).toBeLessThanOrEqual(Math.min(1, before * 1.1));
  });

  it("reports a blast radius of symptomatic resources downstream of the root", async () => {
    const store = await build(oomChain());
    const a = (await analyze(store, "fe-2", opts))!;
    const blast = a.blastRadius.map((r) => r.id);
    expect(blast).toContain(id("Service", "shop", "cart"));
    expect(blast).toContain(id("Pod", "shop", "frontend-5c6d7-abcde"));
    expect(blast).not.toContain(id("Pod", "shop", "cart-7d9f8-x2k4p"));
    expect(blast).not.toContain(id("Node", "", "node-1"));
  });

  it("does not blame a crash on another pod that only shares the node", async () => {
    const store = await build([
      ...shop(),
      resource({
        kind: "Pod",
        namespace: "batch",
        name: "report-1",
        node: "node-1",
        labels: { app: "report" },
      }),
      event(
        "other-oom",
        90,
        "OOMKilled",
        { kind: "Pod", ns: "batch", name: "report-1" },
        { severity: "FATAL", message: "Container report terminated with OOMKilled" },
      ),
      event("oom-1", 100, "OOMKilled", CART, {
        severity: "FATAL",
        message: "Container cart terminated with OOMKilled (exit code 137)",
      }),
      logLine("fe-1", 130, FRONTEND, "dial tcp 10.96.12.40:80: connect: connection refused"),
    ]);
    const a = (await analyze(store, "fe-1", opts))!;
    expect(a.causes[0]!.event.id).toBe("oom-1");
    const other = a.causes.find((c) => c.event.id === "other-oom");
    if (other) expect(other.confidence).toBeLessThan(a.causes[0]!.confidence / 2);
  });

  it("finds a node marked NotReady after the grace period, later than the first failed call", async () => {
    const store = await build([
      ...shop(),
      logLine("fe-1", 100, FRONTEND, "dial tcp 10.96.12.40:80: i/o timeout"),
      resource({ kind: "Node", name: "node-2", status: { conditions: { Ready: "Unknown" } } }, 140),
      event("nnr-pod", 141, "NodeNotReady", CART, { severity: "ERROR", message: "Node is not ready" }),
    ]);
    const a = (await analyze(store, "fe-1", opts))!;
    expect(a.causes[0]!.event.reason).toBe("NodeNotReady");
    expect(a.causes[0]!.event.resourceId).toBe(id("Node", "", "node-2"));
  });

  it("answers a repeated query as a fresh one, also after the topology changed in between", async () => {
    const report = (node: string, at: number) =>
      resource({ kind: "Pod", namespace: "batch", name: "report-1", node, labels: { app: "report" } }, at);
    const store = await build([
      ...oomChain(),
      report("node-9", 90),
      event(
        "report-oom",
        95,
        "OOMKilled",
        { kind: "Pod", ns: "batch", name: "report-1" },
        { severity: "FATAL", message: "Container report terminated with OOMKilled" },
      ),
    ]);
    // A reader that cannot tell its topology version keeps nothing: each answer is found afresh.
    const fresh: GraphReader = {
      getEvent: (e) => store.getEvent(e),
      getResources: (ids) => store.getResources(ids),
      neighborhood: (r, hops) => store.neighborhood(r, hops),
      eventsOnResources: (ids, from, to, min) => store.eventsOnResources(ids, from, to, min),
      edgesOf: (ids) => store.edgesOf(ids),
      getIncident: (i) => store.getIncident(i),
      listAnomalies: (f) => store.listAnomalies(f),
    };
    const linked = (a: Analysis | undefined) => a!.links.map((l) => l.causeId);
    const first = await analyze(store, "fe-2", opts);
    expect(await analyze(store, "fe-2", opts)).toEqual(first);
    expect(first).toEqual(await analyze(fresh, "fe-2", opts));
    expect(linked(first)).not.toContain("report-oom");
    // The report pod moves onto frontend's node: it is a co-tenant now.
    await apply(store, [report("node-1", 150)]);
    const moved = await analyze(store, "fe-2", opts);
    expect(moved).toEqual(await analyze(fresh, "fe-2", opts));
    expect(linked(moved)).toContain("report-oom");
  });

  it("seed mode reproduces the predecessor: no same-resource causes, seed pairs only", async () => {
    const store = await build(oomChain());
    const a = (await analyze(store, "clb-1", { ...opts, mode: "seed" }))!;
    expect(a.causes.every((c) => c.hops > 0)).toBe(true);
    const full = (await analyze(store, "clb-1", opts))!;
    expect(full.causes[0]!.event.id).toBe("oom-1");
  });
});
