import type { Incident, IncidentSummary, IncidentUpdate, StoredEvent } from "../graph/graph-store.js";
import { levelSeverity, severityLevel } from "./model.js";

/** Time, then id: the order in which an incident's earliest event is chosen. */
const earlier = (aMs: number, aId: string, bMs: number, bId: string): number =>
  aMs - bMs || aId.localeCompare(bId);

/**
 * Incidents: one per group of related ERROR/FATAL events: events on the same resource or within
 * the hop limit of each other, within the window. Groups merge when they meet. The id is derived
 * from the group's earliest event, so the same set of events gives the same incident in any order.
 * The definition: clustering merges rows instead (`mergeIncident`), which is tested against it.
 */
export function incidentOf(cluster: string, members: readonly StoredEvent[]): Incident {
  const sorted = [...members].sort((a, b) => earlier(a.timeMs, a.id, b.timeMs, b.id));
  const first = sorted[0]!;
  const resources = [...new Set(sorted.map((e) => e.resourceId).filter((r): r is string => !!r))].sort();
  return {
    id: `inc-${first.id}`,
    cluster,
    severity: levelSeverity(Math.max(...sorted.map((e) => severityLevel(e.level)))),
    startMs: first.timeMs,
    endMs: sorted[sorted.length - 1]!.timeMs,
    eventCount: sorted.length,
    resourceIds: resources,
    eventIds: sorted.map((e) => e.id),
    rootEventId: first.id,
  };
}

/**
 * The incident of one connected group, from the rows of the incidents in it and the events that
 * connected them, without reading any incident's events back: the same row `incidentOf` gives over
 * all the members. An event of `events` whose incident is one of `incidents` counts there; every
 * other event joins. The incidents other than the one the group is named after are absorbed.
 */
export function mergeIncident(
  cluster: string,
  events: readonly StoredEvent[],
  incidents: readonly IncidentSummary[],
): IncidentUpdate {
  const held = new Set(incidents.map((i) => i.id));
  const joining = events.filter((e) => !e.incidentId || !held.has(e.incidentId));
  let firstMs = Number.POSITIVE_INFINITY;
  let firstId = "";
  let endMs = Number.NEGATIVE_INFINITY;
  let level = 0;
  let eventCount = joining.length;
  const resources = new Set<string>();
  const consider = (ms: number, id: string) => {
    if (firstId === "" || earlier(ms, id, firstMs, firstId) < 0) {
      firstMs = ms;
      firstId = id;
    }
  };
  for (const i of incidents) {
    consider(i.startMs, i.rootEventId ?? i.id.replace(/^inc-/, ""));
    endMs = Math.max(endMs, i.endMs);
    level = Math.max(level, severityLevel(i.severity));
    eventCount += i.eventCount;
    for (const r of i.resourceIds) resources.add(r);
  }
  // Members seen again count for their level: escalation may have raised it since they joined.
  for (const e of events) {
    level = Math.max(level, severityLevel(e.level));
    endMs = Math.max(endMs, e.timeMs);
    if (e.resourceId) resources.add(e.resourceId);
  }
  for (const e of joining) consider(e.timeMs, e.id);
  const id = `inc-${firstId}`;
  return {
    id,
    cluster,
    severity: levelSeverity(level),
    startMs: firstMs,
    endMs,
    eventCount,
    resourceIds: [...resources].sort(),
    rootEventId: firstId,
    joiningEventIds: joining.map((e) => e.id).sort(),
    absorbedIds: [...held].filter((i) => i !== id).sort(),
  };
}

export const isIncidentWorthy = (e: StoredEvent): boolean => severityLevel(e.level) >= 2 && !!e.resourceId;
