import { describe, expect, it } from "vitest";
import { ANOMALY_THRESHOLDS, detectAnomalies } from "../../rca/anomaly.js";
import { diffVersions, initialConditionEvents, versionOf } from "../../rca/changes.js";
import { ESCALATION, escalate } from "../../rca/escalation.js";
import type { ResourceUpsert } from "../../rca/model.js";
import { storedEvent as ev } from "./fixtures.js";

const T0 = Date.UTC(2025, 9, 8, 10, 0, 0);

/** A deterministic shuffle, so order-independence is checked on a real permutation. */
const shuffled = <T>(xs: readonly T[], seed = 7): T[] => {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe("anomaly detectors", () => {
  it("error spike: more than 10 ERROR/FATAL events in one minute", () => {
    const spike = Array.from({ length: ANOMALY_THRESHOLDS.errorSpikePerMinute + 1 }, (_, i) =>
      ev(`e${i}`, T0 + i * 1000, `R${i}`),
    );
    const found = detectAnomalies("c", spike).filter((a) => a.type === "error_spike");
    expect(found).toHaveLength(1);
    expect(found[0]!.count).toBe(11);
    expect(detectAnomalies("c", spike.slice(1)).filter((a) => a.type === "error_spike")).toHaveLength(0);
  });

  it("cascade: the same reason more than 10 times in the window", () => {
    const many = Array.from({ length: 11 }, (_, i) =>
      ev(`b${i}`, T0 + i * 60_000, "BackOff", "WARNING", `c:pod:shop:p${i}`),
    );
    const found = detectAnomalies("c", many).filter((a) => a.type === "cascade");
    expect(found).toHaveLength(1);
    expect(found[0]!.reason).toBe("BackOff");
  });

  it("OOM leak: more than 3 OOM kills of one resource in 5 minutes", () => {
    const ooms = [0, 30, 60, 90].map((s, i) => ev(`o${i}`, T0 + s * 1000, "OOMKilled", "FATAL"));
    const found = detectAnomalies("c", ooms).filter((a) => a.type === "oom_leak");
    expect(found).toHaveLength(1);
    expect(found[0]!.resourceId).toBe("c:pod:shop:cart-1");
    expect(detectAnomalies("c", ooms.slice(1)).filter((a) => a.type === "oom_leak")).toHaveLength(0);
  });

  it("churn: more than 50 create/delete operations in a namespace", () => {
    const churn = Array.from({ length: 51 }, (_, i) =>
      ev(
        `s${i}`,
        T0 + i * 1000,
        i % 2 ? "SuccessfulCreate" : "SuccessfulDelete",
        "INFO",
        "c:replicaset:shop:rs",
      ),
    );
    expect(detectAnomalies("c", churn).filter((a) => a.type === "churn")).toHaveLength(1);
  });

  it("is defined on the set of events: any order, any duplicates, same anomalies", () => {
    const events = [
      ...Array.from({ length: 12 }, (_, i) =>
        ev(`x${i}`, T0 + i * 2000, "Unhealthy", "ERROR", `c:pod:shop:p${i % 3}`),
      ),
      ...[0, 20, 40, 60].map((s, i) => ev(`o${i}`, T0 + s * 1000, "OOMKilled", "FATAL")),
    ];
    const a = detectAnomalies("c", events);
    const b = detectAnomalies("c", [...shuffled(events), ...events.slice(0, 5)]);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});

describe("severity escalation", () => {
  it("raises one level per 3 repeats of a reason within 5 minutes, capped at FATAL", () => {
    const occ = Array.from({ length: 9 }, (_, i) => ({
      id: `e${i}`,
      timeMs: T0 + i * 10_000,
      severity: "WARNING" as const,
      level: "WARNING" as const,
    }));
    const levels = Object.fromEntries(escalate(occ).map((x) => [x.eventId, x.level]));
    expect(levels.e1).toBeUndefined();
    expect(levels.e2).toBe("ERROR");
    expect(levels.e5).toBe("FATAL");
    expect(levels.e8).toBe("FATAL");
    expect(escalate(shuffled(occ))).toEqual(escalate(occ));
  });

  it("forgets repeats older than the window", () => {
    const occ = [0, ESCALATION.windowMs + 1, 2 * ESCALATION.windowMs + 2].map((dt, i) => ({
      id: `w${i}`,
      timeMs: T0 + dt,
      severity: "WARNING" as const,
      level: "WARNING" as const,
    }));
    expect(escalate(occ)).toEqual([]);
  });
});

const res = (
  kind: string,
  atMs: number,
  props: ResourceUpsert["props"],
  deleted = false,
): ResourceUpsert => ({
  cluster: "c",
  kind,
  namespace: kind === "Node" ? "" : "shop",
  name: "x",
  labels: {},
  props,
  atMs,
  deleted,
});
const reasons = (kind: string, a: ResourceUpsert, b: ResourceUpsert) =>
  diffVersions(kind, versionOf(a), versionOf(b)).map((e) => e.reason);

describe("change events", () => {
  it("image, replicas, spec, config reference and data changes", () => {
    expect(
      reasons("Deployment", res("Deployment", 1, { image: "a:1" }), res("Deployment", 2, { image: "a:2" })),
    ).toEqual(["ImageChanged"]);
    const scaled = diffVersions(
      "Deployment",
      versionOf(res("Deployment", 1, { replicas: 3 })),
      versionOf(res("Deployment", 2, { replicas: 0 })),
    );
    expect(scaled).toEqual([
      {
        reason: "ReplicasChanged",
        severity: "WARNING",
        message: "replicas changed from 3 to 0 (scale down)",
      },
    ]);
    expect(
      reasons(
        "Deployment",
        res("Deployment", 1, { spec: { template: { spec: { containers: [{ args: ["--a"] }] } } } }),
        res("Deployment", 2, { spec: { template: { spec: { containers: [{ args: ["--b"] }] } } } }),
      ),
    ).toEqual(["SpecChanged"]);
    expect(
      reasons(
        "Deployment",
        res("Deployment", 1, { mounts: [{ kind: "Secret", name: "a" }] }),
        res("Deployment", 2, { mounts: [{ kind: "Secret", name: "b" }] }),
      ),
    ).toEqual(["ConfigReferenceChanged"]);
    expect(
      reasons(
        "ConfigMap",
        res("ConfigMap", 1, { data: { k: "1" } }),
        res("ConfigMap", 2, { data: { k: "2" } }),
      ),
    ).toEqual(["ConfigChanged"]);
  });

  it("ignores replica counts inside the spec (an autoscaler is not a rollout)", () => {
    expect(
      reasons(
        "Deployment",
        res("Deployment", 1, { spec: { replicas: 2, paused: false } }),
        res("Deployment", 2, { spec: { replicas: 5, paused: false } }),
      ),
    ).toEqual([]);
  });

  it("node conditions in both producer forms, and restarts and deletes", () => {
    const ready = res("Node", 1, { status: { conditions: { Ready: "True" } } });
    const notReady = res("Node", 2, {
      status: {
        conditions: [
          { type: "Ready", status: "Unknown" },
          { type: "DiskPressure", status: "True" },
        ],
      },
    });
    expect(reasons("Node", ready, notReady)).toEqual(["NodeNotReady", "NodeDiskPressure"]);
    expect(reasons("Node", notReady, res("Node", 3, { status: { conditions: { Ready: "True" } } }))).toEqual([
      "NodeReady",
    ]);
    expect(
      reasons(
        "Pod",
        res("Pod", 1, { status: { restartCount: 1 } }),
        res("Pod", 2, { status: { restartCount: 3 } }),
      ),
    ).toEqual(["ContainerRestarted"]);
    expect(reasons("Secret", res("Secret", 1, { data: { a: "1" } }), res("Secret", 2, {}, true))).toEqual([
      "ResourceDeleted",
    ]);
  });

  it("a Ready condition of other kinds going False (an expired Certificate)", () => {
    const ok = res("Certificate", 1, {
      status: { conditions: [{ type: "Ready", status: "True", reason: "Ready" }] },
    });
    const expired = res("Certificate", 2, {
      status: {
        conditions: [
          { type: "Ready", status: "False", reason: "Expired", message: "Certificate expired on Sat" },
        ],
      },
    });
    const out = diffVersions("Certificate", versionOf(ok), versionOf(expired));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ reason: "NotReady", severity: "ERROR" });
    expect(out[0]!.message).toMatch(/Expired/);
  });

  it("events of a first state: node problems and new policies", () => {
    expect(
      initialConditionEvents(
        "Node",
        versionOf(res("Node", 1, { status: { conditions: { Ready: "False" } } })),
      ).map((e) => e.reason),
    ).toEqual(["NodeNotReady"]);
    expect(
      initialConditionEvents(
        "NetworkPolicy",
        versionOf(res("NetworkPolicy", 1, { spec: { podSelector: {} } })),
      ),
    ).toEqual([{ reason: "ResourceCreated", severity: "INFO", message: "NetworkPolicy created" }]);
    expect(initialConditionEvents("Deployment", versionOf(res("Deployment", 1, { image: "a:1" })))).toEqual(
      [],
    );
  });
});

describe("evaluation helpers", () => {
  it("matches a ranked cause to the truth by resource, reason optional, kinds in any case", async () => {
    const { causeMatches, hitAt } = await import("../../rca/evaluate.js");
    const cause = {
      event_id: "e",
      reason: "UpdateFailed",
      kind: "Externalsecret",
      namespace: "p",
      name: "db",
      confidence: 0.9,
    };
    expect(causeMatches(cause, { kind: "ExternalSecret", namespace: "p", name: "db" })).toBe(true);
    expect(
      causeMatches(cause, { kind: "ExternalSecret", namespace: "p", name: "db", reason: "updatefailed" }),
    ).toBe(true);
    expect(causeMatches(cause, { kind: "ExternalSecret", namespace: "p", name: "db", reason: "Other" })).toBe(
      false,
    );
    expect(causeMatches(cause, { kind: "ExternalSecret", namespace: "q", name: "db" })).toBe(false);
    const node = { ...cause, kind: "Node", namespace: "", name: "n1" };
    expect(causeMatches(node, { kind: "Node", name: "n1" })).toBe(true);
    expect(hitAt(1, [cause, node], [{ kind: "Node", name: "n1" }])).toBe(false);
    expect(hitAt(3, [cause, node], [{ kind: "Node", name: "n1" }])).toBe(true);
  });
});
