import { describe, expect, it } from "vitest";
import type { Cause, EventView, RcaView, ResourceSummary } from "./api.js";
import { evidenceGraph } from "./evidence-graph.js";
import { parseResourceId } from "./format.js";
import { parseRoute } from "./router.js";

const res = (id: string): ResourceSummary => parseResourceId(id);
const SVC = "prod-eu:service:shop:frontend";
const FE = "prod-eu:pod:shop:frontend-1";
const NODE = "prod-eu:node::node-2";
const CART = "prod-eu:pod:shop:cart-1";

const event = (id: string, resourceId: string | null, over: Partial<EventView> = {}): EventView => ({
  event_id: id,
  base_id: id,
  cluster: "prod-eu",
  etype: "k8s.event",
  severity: "ERROR",
  original_severity: "ERROR",
  reason: id,
  message: "",
  event_time: "2025-10-08T10:05:00Z",
  count: 1,
  resource: resourceId ? res(resourceId) : null,
  incident_id: null,
  ...over,
});

const cause = (id: string, subject: string, path: string[], over: Partial<Cause> = {}): Cause => ({
  event_id: id,
  reason: id,
  message: "",
  severity: "FATAL",
  event_time: "2025-10-08T10:02:00Z",
  etype: "k8s.event",
  confidence: 0.5,
  temporal_score: 0.5,
  distance_score: 0.5,
  domain_score: 0.5,
  hops: (path.length - 1) / 2,
  subject: res(subject),
  explanation: "",
  evidence: { rule: "r", path },
  ...over,
});

const rca = (over: Partial<RcaView> = {}): RcaView => ({
  event: event("alert", SVC, { etype: "prom.alert" }),
  potential_causes: [
    cause("oom", CART, [SVC, "SELECTS", FE, "RUNS_ON", NODE, "RUNS_ON", CART]),
    cause("log", FE, [SVC, "SELECTS", FE]),
    cause("same", SVC, [SVC]),
  ],
  blast_radius: [res(FE), res("prod-eu:deployment:shop:cart")],
  related_incident: null,
  timeline: [],
  ...over,
});

describe("evidenceGraph", () => {
  it("draws cause events -> resources -> path -> symptom, edges pointing the way trouble went", () => {
    const g = evidenceGraph(rca());
    const ids = g.nodes.map((n) => n.id).sort();
    expect(ids).toEqual(
      [
        "e:alert",
        "e:oom",
        "e:log",
        "e:same",
        `r:${SVC}`,
        `r:${FE}`,
        `r:${NODE}`,
        `r:${CART}`,
        "r:prod-eu:deployment:shop:cart",
      ].sort(),
    );
    const edge = (s: string, t: string) => g.edges.find((e) => e.source === s && e.target === t);
    expect(edge("e:oom", `r:${CART}`)?.label).toBe("on");
    expect(edge(`r:${CART}`, `r:${NODE}`)?.label).toBe("runs_on");
    expect(edge(`r:${NODE}`, `r:${FE}`)?.label).toBe("runs_on");
    expect(edge(`r:${FE}`, `r:${SVC}`)?.label).toBe("selects");
    expect(edge(`r:${SVC}`, "e:alert")?.label).toBe("shows");
    // The FE -> SVC edge is on the chains of causes 1 and 2.
    expect(edge(`r:${FE}`, `r:${SVC}`)?.causes.sort()).toEqual([1, 2]);
  });

  it("marks the top cause, the symptom and the blast radius; off-path blast resources sit below", () => {
    const g = evidenceGraph(rca());
    const node = (id: string) => g.nodes.find((n) => n.id === id)!;
    expect(node("e:oom").classes).toContain("top");
    expect(node("e:log").classes).not.toContain("top");
    expect(node("e:alert").classes).toContain("symptom");
    expect(node(`r:${FE}`).classes).toContain("blast");
    expect(node(`r:${FE}`).classes).not.toContain("blast-only");
    const extra = node("r:prod-eu:deployment:shop:cart");
    expect(extra.classes).toContain("blast-only");
    expect(extra.y).toBeGreaterThan(Math.max(...g.nodes.filter((n) => n !== extra).map((n) => n.y)));
    // Left to right: causes, the cause's resource, ..., the symptom's resource, the symptom.
    expect(node("e:oom").x).toBeLessThan(node(`r:${CART}`).x);
    expect(node(`r:${CART}`).x).toBeLessThan(node(`r:${NODE}`).x);
    expect(node(`r:${NODE}`).x).toBeLessThan(node(`r:${FE}`).x);
    expect(node(`r:${FE}`).x).toBeLessThan(node(`r:${SVC}`).x);
    expect(node(`r:${SVC}`).x).toBeLessThan(node("e:alert").x);
  });

  it("copes with a symptom without a resource and causes without a subject", () => {
    const g = evidenceGraph(
      rca({
        event: event("alert", null),
        potential_causes: [cause("x", CART, [], { subject: null, hops: 0 })],
        blast_radius: [],
      }),
    );
    expect(g.nodes.map((n) => n.id).sort()).toEqual(["e:alert", "e:x"]);
    expect(g.edges).toEqual([
      expect.objectContaining({ source: "e:x", target: "e:alert", label: "precedes" }),
    ]);
  });

  it("lays out 100 blast-radius resources and 50 causes without overlaps", () => {
    const pods = Array.from({ length: 100 }, (_, i) => `prod-eu:pod:shop:p-${i}`);
    const g = evidenceGraph(
      rca({
        potential_causes: pods.slice(0, 50).map((p, i) => cause(`c${i}`, p, [SVC, "SELECTS", p])),
        blast_radius: pods.map(res),
      }),
    );
    expect(g.nodes).toHaveLength(1 + 1 + 50 + 100);
    const seen = new Set(g.nodes.map((n) => `${n.x},${n.y}`));
    expect(seen.size).toBe(g.nodes.length);
  });
});

describe("parseRoute", () => {
  it("maps /ui paths to pages and decodes ids", () => {
    expect(parseRoute("/ui", "").page).toBe("incidents");
    expect(parseRoute("/ui/", "?severity=ERROR").page).toBe("incidents");
    expect(parseRoute("/ui/rca/ev-noise%232", "")).toMatchObject({ page: "rca", eventId: "ev-noise#2" });
    expect(parseRoute(`/ui/resources/${encodeURIComponent(NODE)}`, "?depth=2")).toMatchObject({
      page: "resource",
      id: NODE,
    });
    expect(parseRoute("/ui/incidents/inc-1", "")).toMatchObject({ page: "incident", id: "inc-1" });
    expect(parseRoute("/ui/search", "?q=cart").query.get("q")).toBe("cart");
    expect(parseRoute("/ui/nope/x/y", "").page).toBe("notfound");
  });
});
