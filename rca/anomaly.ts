import type { Anomaly, StoredEvent } from "../graph/graph-store.js";
import { severityLevel } from "./model.js";

/** Seed thresholds (DESIGN.md), per window bucket. */
export const ANOMALY_THRESHOLDS = {
  errorSpikePerMinute: 10,
  cascadeRepeats: 10,
  cascadeWindowMs: 15 * 60_000,
  oomCount: 3,
  oomWindowMs: 5 * 60_000,
  churnOps: 50,
  churnWindowMs: 15 * 60_000,
} as const;

const OOM = new Set(["oomkilled", "oomkilling"]);
const CHURN = new Set([
  "successfulcreate",
  "successfuldelete",
  "killing",
  "scheduled",
  "resourcedeleted",
  "scalingreplicaset",
  "sawcompletedjob",
  "successfulrescale",
]);

const bucket = (t: number, size: number) => Math.floor(t / size) * size;

/**
 * Detects anomalies in a cluster's events. Buckets are aligned to fixed times so detection on any
 * superset of the same events yields the same anomaly ids; counts only grow.
 */
export function detectAnomalies(cluster: string, events: readonly StoredEvent[]): Anomaly[] {
  const out: Anomaly[] = [];
  const groups = new Map<
    string,
    {
      type: Anomaly["type"];
      start: number;
      size: number;
      resourceId: string | undefined;
      reason: string | undefined;
      events: StoredEvent[];
    }
  >();
  // Groups are made in one shape (every key set) and only when missing: the four kinds as four
  // spread literals made the reads below megamorphic, and a literal per event and kind was garbage.
  const add = (
    key: string,
    type: Anomaly["type"],
    start: number,
    size: number,
    e: StoredEvent,
    resourceId?: string,
    reason?: string,
  ) => {
    let cur = groups.get(key);
    if (!cur) {
      cur = { type, start, size, resourceId, reason, events: [] };
      groups.set(key, cur);
    }
    cur.events.push(e);
  };
  for (const e of events) {
    const reason = e.reason.toLowerCase();
    if (severityLevel(e.level) >= 2) {
      const s = bucket(e.timeMs, 60_000);
      add(`error_spike:${cluster}:${s}`, "error_spike", s, 60_000, e);
    }
    if (e.reason && severityLevel(e.severity) >= 1) {
      const s = bucket(e.timeMs, ANOMALY_THRESHOLDS.cascadeWindowMs);
      const size = ANOMALY_THRESHOLDS.cascadeWindowMs;
      add(`cascade:${cluster}:${e.reason}:${s}`, "cascade", s, size, e, undefined, e.reason);
    }
    if (OOM.has(reason) && e.resourceId) {
      const s = bucket(e.timeMs, ANOMALY_THRESHOLDS.oomWindowMs);
      const size = ANOMALY_THRESHOLDS.oomWindowMs;
      add(`oom_leak:${e.resourceId}:${s}`, "oom_leak", s, size, e, e.resourceId, e.reason);
    }
    if (CHURN.has(reason)) {
      const s = bucket(e.timeMs, ANOMALY_THRESHOLDS.churnWindowMs);
      const ns = e.subjectNamespace ?? "";
      add(`churn:${cluster}:${ns}:${s}`, "churn", s, ANOMALY_THRESHOLDS.churnWindowMs, e);
    }
  }
  for (const [id, g] of groups) {
    const n = new Set(g.events.map((e) => e.id)).size;
    const threshold =
      g.type === "error_spike"
        ? ANOMALY_THRESHOLDS.errorSpikePerMinute
        : g.type === "cascade"
          ? ANOMALY_THRESHOLDS.cascadeRepeats
          : g.type === "oom_leak"
            ? ANOMALY_THRESHOLDS.oomCount
            : ANOMALY_THRESHOLDS.churnOps;
    if (n <= threshold) continue;
    const ids = [...new Set(g.events.map((e) => e.id))].sort();
    out.push({
      id,
      cluster,
      type: g.type,
      ...(g.resourceId ? { resourceId: g.resourceId } : {}),
      ...(g.reason ? { reason: g.reason } : {}),
      windowStartMs: g.start,
      windowEndMs: g.start + g.size,
      count: n,
      score: Math.min(1, n / (threshold * 2)),
      eventIds: ids.slice(0, 200),
      detail: `${n} ${g.type === "error_spike" ? "ERROR/FATAL events in one minute" : g.type === "cascade" ? `"${g.reason}" events in 15 minutes` : g.type === "oom_leak" ? "OOM kills in 5 minutes" : "create/delete operations in 15 minutes"} (threshold ${threshold})`,
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
