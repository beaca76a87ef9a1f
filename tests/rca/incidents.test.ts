import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { waitIdle } from "../../cli/pipeline.js";
import type { Incident, IncidentSummary, StoredEvent } from "../../graph/graph-store.js";
import { incidentOf, isIncidentWorthy, mergeIncident } from "../../rca/cluster-incidents.js";
import type { WireMessage } from "../../rca/normalize.js";
import { testPipeline } from "../helpers.js";
import { event, logLine, resource, storedEvent } from "./fixtures.js";

const pods = (): WireMessage[] => [
  resource({ kind: "Node", name: "n1" }),
  resource({ kind: "Node", name: "n2" }),
  resource({ kind: "Node", name: "n3" }),
  resource({ kind: "Pod", namespace: "x", name: "a1", node: "n1", podIP: "10.0.0.1", labels: { app: "a" } }),
  resource({ kind: "Pod", namespace: "y", name: "b1", node: "n2", podIP: "10.0.0.2", labels: { app: "b" } }),
  resource({ kind: "Pod", namespace: "z", name: "c1", node: "n3", podIP: "10.0.0.3", labels: { app: "c" } }),
];
const A = { kind: "Pod", ns: "x", name: "a1" };
const B = { kind: "Pod", ns: "y", name: "b1" };

/** Two unrelated groups of errors, and noise that must not form incidents. */
const twoGroups = (): WireMessage[] => [
  ...pods(),
  event("a-1", 0, "OOMKilled", A, { severity: "FATAL" }),
  event("a-2", 10, "CrashLoopBackOff", A, { severity: "FATAL" }),
  event("b-1", 5, "FailedMount", B, { severity: "ERROR" }),
  event("b-2", 15, "FailedMount", B, { severity: "ERROR", message: "timed out waiting for the condition" }),
  event("w-1", 6, "Unhealthy", A, { severity: "WARNING", message: "Readiness probe failed" }),
];
/** An error on c1 whose log names both a1 and b1: the groups meet. */
const bridge = (): WireMessage[] => [
  logLine(
    "c-1",
    20,
    { ns: "z", name: "c1" },
    "dial tcp 10.0.0.1:80: connect: connection refused; dial tcp 10.0.0.2:80: i/o timeout",
  ),
];

async function incidentsAfter(batches: WireMessage[][]): Promise<Incident[]> {
  const p = await testPipeline("incidents");
  try {
    for (const b of batches) {
      await p.rt.queues.enqueueMessages(b, "replay");
      await waitIdle(p.rt.queues, 60_000);
    }
    const page = await p.rt.store.listIncidents({ limit: 100 });
    const out: Incident[] = [];
    for (const i of page.items) {
      // The page lists incidents; their members come from the events that carry the incident id.
      const evs = await p.rt.store.incidentEvents(i.id, 1000);
      out.push({ ...i, eventIds: evs.map((e) => e.id).sort() });
      // Rows are merged from rows, never from their events read back: they must still say what
      // the members say.
      const { eventIds: _, ...fromMembers } = incidentOf(i.cluster, evs);
      expect(i).toEqual({ ...fromMembers, eventIds: [] });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  } finally {
    await p.close();
  }
}

const members = (incs: Incident[]) => incs.map((i) => [...i.eventIds].sort());

describe("incident clustering", () => {
  it("groups related ERROR/FATAL events into one incident per group, never one per event", async () => {
    const incs = await incidentsAfter([twoGroups()]);
    expect(members(incs)).toEqual([
      ["a-1", "a-2"],
      ["b-1", "b-2"],
    ]);
    expect(incs.map((i) => i.id)).toEqual(["inc-a-1", "inc-b-1"]);
    expect(incs[0]!.severity).toBe("FATAL");
  });

  it("merges incidents when a later event connects them", async () => {
    const incs = await incidentsAfter([twoGroups(), bridge()]);
    expect(incs).toHaveLength(1);
    expect([...incs[0]!.eventIds].sort()).toEqual(["a-1", "a-2", "b-1", "b-2", "c-1"]);
    expect(incs[0]!.id).toBe("inc-a-1");
    expect(incs[0]!.rootEventId).toBe("a-1");
  });

  it("ends in the same incidents whatever the order of arrival", async () => {
    const all = [...twoGroups(), ...bridge()];
    const forward = await incidentsAfter([all]);
    const reversed = await incidentsAfter([[...all].reverse()]);
    const bridgeFirst = await incidentsAfter([[...pods(), ...bridge()], twoGroups().slice(pods().length)]);
    const strip = (xs: Incident[]) => xs.map((i) => ({ ...i, eventIds: [...i.eventIds].sort() }));
    expect(strip(reversed)).toEqual(strip(forward));
    expect(strip(bridgeFirst)).toEqual(strip(forward));
  }, 60_000);

  it("merges incidents from their rows as from all their events (pure)", () => {
    const ev = (i: number, timeMs: number, level: "ERROR" | "FATAL") =>
      storedEvent(`e${i}`, timeMs, "R", level, `c:pod:x:p${i % 5}`);
    fc.assert(
      fc.property(
        // Per event: its time (ties happen), its level, the incident it is in (0: none), and
        // whether the job that merges sees it.
        fc.array(
          fc.record({
            timeMs: fc.integer({ min: 0, max: 20 }),
            fatal: fc.boolean(),
            incident: fc.integer({ min: 0, max: 3 }),
            seen: fc.boolean(),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (spec) => {
          const events = spec.map((s, i) => ev(i, s.timeMs, s.fatal ? "FATAL" : "ERROR"));
          const rows: IncidentSummary[] = [];
          const byIncident = new Map<number, StoredEvent[]>();
          spec.forEach((s, i) => {
            if (s.incident) byIncident.set(s.incident, [...(byIncident.get(s.incident) ?? []), events[i]!]);
          });
          const inIncident = new Map<string, string>();
          for (const list of byIncident.values()) {
            const { eventIds, ...row } = incidentOf("c", list);
            rows.push(row);
            for (const id of eventIds) inIncident.set(id, row.id);
          }
          const joining = spec.flatMap((s, i) => (s.incident ? [] : [events[i]!]));
          const seenMembers = spec.flatMap((s, i) =>
            s.incident && s.seen ? [{ ...events[i]!, incidentId: inIncident.get(events[i]!.id)! }] : [],
          );
          const merged = mergeIncident("c", [...seenMembers, ...joining].reverse(), rows);
          const { joiningEventIds, absorbedIds, ...row } = merged;
          const { eventIds: _, ...whole } = incidentOf("c", events);
          expect(row).toEqual(whole);
          expect(joiningEventIds).toEqual(joining.map((e) => e.id).sort());
          expect(absorbedIds).toEqual(
            rows
              .map((r) => r.id)
              .filter((id) => id !== whole.id)
              .sort(),
          );
        },
      ),
    );
  });

  it("derives an incident from the set of its events (pure)", () => {
    const e = (id: string, timeMs: number, level: "ERROR" | "FATAL") =>
      storedEvent(id, timeMs, "R", level, `c:pod:x:${id}`);
    const set = [e("b", 20, "ERROR"), e("a", 10, "FATAL"), e("c", 30, "ERROR")];
    const one = incidentOf("c", set);
    expect(incidentOf("c", [...set].reverse())).toEqual(one);
    expect(one).toMatchObject({ id: "inc-a", startMs: 10, endMs: 30, eventCount: 3, severity: "FATAL" });
    expect(isIncidentWorthy({ ...e("w", 1, "ERROR"), level: "WARNING" })).toBe(false);
  });
});
