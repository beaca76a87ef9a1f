import type { ResourceSummary } from "./api.js";

/** Severity ranks, highest last; unknown strings rank as INFO. */
export const SEVERITIES = ["INFO", "WARNING", "ERROR", "FATAL"] as const;

export function severityRank(s: string): number {
  const i = SEVERITIES.indexOf(s.toUpperCase() as (typeof SEVERITIES)[number]);
  return Math.max(0, i);
}

/** A glyph per severity so it reads without colour (the text is always shown next to it). */
export const SEVERITY_ICON: Record<string, string> = {
  INFO: "○",
  WARNING: "▲",
  ERROR: "■",
  FATAL: "✖",
};

export const pct = (x: number) => `${Math.round(x * 100)}%`;

// One formatter for the page: constructing Intl formatters per call dominates long tables.
let timeFormat: Intl.DateTimeFormat | undefined;

export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  timeFormat ??= new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  return timeFormat.format(d);
}

/** `2m 25s`, `1h 3m`, `45s`, `0s`. */
export function formatDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Offset of `iso` from `refIso`: `T−2m 25s` before, `T+10s` after. */
export function relativeTo(iso: string, refIso: string): string {
  const d = Date.parse(iso) - Date.parse(refIso);
  if (!Number.isFinite(d)) return "";
  return `T${d < 0 ? "−" : "+"}${formatDuration(d)}`;
}

/**
 * Resource ids are `cluster:kind:namespace:name` (namespace empty for cluster-scoped kinds);
 * names never contain ':' in Kubernetes, clusters might, so parse from the right.
 */
export function parseResourceId(id: string): ResourceSummary {
  const parts = id.split(":");
  if (parts.length < 4)
    return { id, cluster: "", kind: parts[0] ?? "", namespace: "", name: parts.at(-1) ?? id };
  const name = parts.at(-1)!;
  const namespace = parts.at(-2)!;
  const kind = parts.at(-3)!;
  const cluster = parts.slice(0, -3).join(":");
  return { id, cluster, kind, namespace, name };
}

/** `Pod shop/cart-7d9f8-x2k4p`, `Node node-2`. */
export function resourceLabel(r: Pick<ResourceSummary, "kind" | "namespace" | "name">): string {
  return `${displayKind(r.kind)} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}

const KINDS: Record<string, string> = {
  pod: "Pod",
  node: "Node",
  service: "Service",
  deployment: "Deployment",
  replicaset: "ReplicaSet",
  statefulset: "StatefulSet",
  daemonset: "DaemonSet",
  job: "Job",
  cronjob: "CronJob",
  ingress: "Ingress",
  persistentvolume: "PersistentVolume",
  persistentvolumeclaim: "PersistentVolumeClaim",
  namespace: "Namespace",
  configmap: "ConfigMap",
  secret: "Secret",
};

export const displayKind = (k: string) => KINDS[k.toLowerCase()] ?? k;
