import type { Incident, StoredEvent } from "../graph/graph-store.js";
import { levelSeverity, severityLevel } from "./model.js";

/**
 * Incidents: one per group of related ERROR/FATAL events: events on the same resource or within
 * the hop limit of each other, within the window. Groups merge when they meet. The id is derived
 * from the group's earliest event, so the same set of events gives the same incident in any order.
 */
export function incidentOf(cluster: string, members: readonly StoredEvent[]): Incident {
  const sorted = [...members].sort((a, b) => a.timeMs - b.timeMs || a.id.localeCompare(b.id));
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

export const isIncidentWorthy = (e: StoredEvent): boolean => severityLevel(e.level) >= 2 && !!e.resourceId;
