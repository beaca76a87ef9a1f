import { createHash } from "node:crypto";
import type { ResourceUpsert, Severity } from "./model.js";

/**
 * Changes are events (DESIGN idea 3): two successive states of a resource that differ in image,
 * spec, replicas, config reference, node condition or restart count, or a delete, become events
 * on that resource. A version is the part of a state that such events are derived from.
 */
export interface ResourceVersion {
  readonly atMs: number;
  readonly image?: string;
  readonly replicas?: number;
  readonly specHash?: string;
  readonly configRefs?: string;
  readonly dataHash?: string;
  readonly conditions?: Record<string, string>;
  /** `Ready` condition of other kinds (Certificate, ExternalSecret...): status and why. */
  readonly ready?: { readonly status: string; readonly reason?: string; readonly message?: string };
  readonly restarts?: number;
  /** An autoscaler's `ScalingLimited` condition when it holds at the maximum (why, else absent). */
  readonly atMax?: string;
  /** A Node's `spec.unschedulable` (cordon) and its taints as `key=value:effect`, sorted. */
  readonly unschedulable?: boolean;
  readonly taints?: readonly string[];
  /**
   * Labels (`label:<key>`) and annotations (`annotation:<key>`) of kinds whose metadata is
   * configuration (Namespace, ServiceAccount, Secret, ConfigMap, Node).
   */
  readonly meta?: Readonly<Record<string, string>>;
  readonly deleted: boolean;
}

export interface ChangeEvent {
  readonly reason: string;
  readonly severity: Severity;
  readonly message: string;
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  const r = asRecord(v);
  if (r) {
    return `{${Object.keys(r)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(r[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

const hash = (v: unknown): string => createHash("sha1").update(stableJson(v)).digest("hex").slice(0, 16);

/** Node conditions in either form producers send: `{Ready: "False"}` or `[{type, status}]`. */
export function nodeConditions(
  status: Record<string, unknown> | undefined,
): Record<string, string> | undefined {
  if (!status) return undefined;
  const out: Record<string, string> = {};
  const c = status.conditions;
  if (Array.isArray(c)) {
    for (const item of c) {
      const r = asRecord(item);
      if (r && typeof r.type === "string") out[r.type] = String(r.status);
    }
  } else if (asRecord(c)) {
    for (const [k, v] of Object.entries(asRecord(c)!))
      out[k] = typeof v === "boolean" ? (v ? "True" : "False") : String(v);
  }
  if (typeof status.ready === "boolean" && out.Ready === undefined)
    out.Ready = status.ready ? "True" : "False";
  return Object.keys(out).length ? out : undefined;
}

function readyCondition(
  status: Record<string, unknown> | undefined,
): { status: string; reason?: string; message?: string } | undefined {
  const c = status?.conditions;
  if (!Array.isArray(c)) return undefined;
  for (const item of c) {
    const r = asRecord(item);
    if (r?.type !== "Ready") continue;
    return {
      status: String(r.status),
      ...(typeof r.reason === "string" ? { reason: r.reason } : {}),
      ...(typeof r.message === "string" ? { message: r.message.slice(0, 300) } : {}),
    };
  }
  return undefined;
}

/**
 * Why an autoscaler is pinned at its maximum (`ScalingLimited` True with reason TooManyReplicas,
 * "desired replica count is more than the maximum"); undefined when it is not (or at its minimum).
 */
function scalingLimitedAtMax(status: Record<string, unknown> | undefined): string | undefined {
  const c = status?.conditions;
  if (!Array.isArray(c)) return undefined;
  for (const item of c) {
    const r = asRecord(item);
    if (r?.type !== "ScalingLimited" || String(r.status).toLowerCase() !== "true") continue;
    const why = `${String(r.reason ?? "")} ${String(r.message ?? "")}`;
    if (/toomanyreplicas|more than the maximum|above the maximum|maximum replica/i.test(why))
      return (typeof r.message === "string" ? r.message : String(r.reason)).slice(0, 300);
  }
  return undefined;
}

function restartCount(status: Record<string, unknown> | undefined): number | undefined {
  if (!status) return undefined;
  if (typeof status.restartCount === "number") return status.restartCount;
  const cs = status.containerStatuses;
  if (Array.isArray(cs)) {
    let sum = 0;
    let any = false;
    for (const c of cs) {
      const n = asRecord(c)?.restartCount;
      if (typeof n === "number") {
        sum += n;
        any = true;
      }
    }
    return any ? sum : undefined;
  }
  return undefined;
}

/**
 * A DELETE that names the resource and nothing else (a watch's tombstone: uid, name, namespace).
 * It says the resource is gone, not that its labels, owners, mounts or selector are: the store
 * keeps its last-known state, so what depended on the deleted resource still reaches it.
 */
export function isBareDelete(r: ResourceUpsert): boolean {
  if (!r.deleted || Object.keys(r.labels ?? {}).length) return false;
  const p = r.props;
  return !(
    p.spec ||
    p.ownerRefs?.length ||
    p.node ||
    p.mounts?.length ||
    p.serviceSelector ||
    p.backends?.length ||
    p.data ||
    p.image
  );
}

const STATUS_KEYS = new Set(["atMs", "deleted", "restarts", "ready", "conditions"]);
/** Whether a stored version (`versionOf`, as JSON) is that of a bare DELETE. */
export function isBareDeleteVersion(json: string): boolean {
  const v = JSON.parse(json) as Record<string, unknown>;
  if (v.deleted !== true) return false;
  return Object.entries(v).every(
    ([k, x]) =>
      STATUS_KEYS.has(k) || (k === "meta" && Object.keys((x ?? {}) as Record<string, unknown>).length === 0),
  );
}

/** The parts of a resource state that change events are derived from. */
export function versionOf(r: ResourceUpsert): ResourceVersion {
  const p = r.props;
  const spec = p.spec ? { ...p.spec } : undefined;
  if (spec) {
    // Fields that change without anyone changing the workload.
    delete spec.replicas;
    delete spec.nodeName;
    // Allocated by the API server, and reported inconsistently by producers.
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  const v: {
    -readonly [K in keyof ResourceVersion]: ResourceVersion[K];
  } = { atMs: r.atMs, deleted: r.deleted };
  if (p.image) v.image = p.image;
  if (p.replicas !== undefined) v.replicas = p.replicas;
  // A Service's selector is its spec too, wherever the producer put it (`serviceSelector` or spec).
  if (p.serviceSelector && spec) spec.selector = p.serviceSelector;
  const specLike = spec ?? (p.serviceSelector ? { selector: p.serviceSelector } : undefined);
  if (specLike && Object.keys(specLike).length) v.specHash = hash(specLike);
  if (p.mounts?.length) v.configRefs = p.mounts.map((m) => `${m.kind}/${m.name}`).join(",");
  if (p.data) v.dataHash = hash(p.data);
  if (r.kind === "Node") {
    const c = nodeConditions(p.status);
    if (c) v.conditions = c;
  } else if (r.kind !== "Pod") {
    // Pods flip Ready with every readiness probe; events already say why. Other kinds rarely do.
    const ready = readyCondition(p.status);
    if (ready) v.ready = ready;
  }
  if (r.kind === "HorizontalPodAutoscaler") {
    const atMax = scalingLimitedAtMax(p.status);
    if (atMax) v.atMax = atMax;
  }
  const restarts = restartCount(p.status);
  if (restarts !== undefined) v.restarts = restarts;
  if (r.kind === "Node" && p.spec) {
    // Cordon and taints are how people take a node out of scheduling; they are changes of their own.
    v.unschedulable = p.spec.unschedulable === true;
    v.taints = nodeTaints(p.spec.taints);
  }
  if (METADATA_KINDS.has(r.kind)) {
    // A Namespace's labels are what NetworkPolicy namespaceSelectors match (and what pod
    // security admission reads), a Node's what nodeSelectors and affinities match; a
    // ServiceAccount's annotations bind a cloud IAM role; a Secret whose data is redacted
    // changes only its rotation annotations.
    const meta: Record<string, string> = {};
    for (const [k, val] of Object.entries(r.labels)) meta[`label:${k}`] = val;
    const annotations = (p as { annotations?: Record<string, string> }).annotations ?? {};
    for (const [k, val] of Object.entries(annotations)) meta[`annotation:${k}`] = val;
    v.meta = meta;
  }
  return v;
}

/** Kinds whose labels and annotations configure other workloads' behaviour. */
const METADATA_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "Node",
]);

/** Metadata keys whose value differs between two versions, sorted (`label:x`, `annotation:y`). */
function changedMeta(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).sort();
}

function nodeTaints(t: unknown): string[] {
  if (!Array.isArray(t)) return [];
  return t
    .map((x) => asRecord(x))
    .filter((x): x is Record<string, unknown> => !!x && typeof x.key === "string")
    .map(
      (x) =>
        `${String(x.key)}${x.value !== undefined ? `=${String(x.value)}` : ""}:${String(x.effect ?? "")}`,
    )
    .sort();
}

const PRESSURE: Record<string, string> = {
  MemoryPressure: "NodeMemoryPressure",
  DiskPressure: "NodeDiskPressure",
  PIDPressure: "NodePIDPressure",
  NetworkUnavailable: "NodeNetworkUnavailable",
};

/** Change events between two successive versions of one resource (kind given for wording). */
export function diffVersions(kind: string, prev: ResourceVersion, next: ResourceVersion): ChangeEvent[] {
  const out: ChangeEvent[] = [];
  if (next.deleted && !prev.deleted) {
    out.push({ reason: "ResourceDeleted", severity: "WARNING", message: `${kind} deleted` });
    return out;
  }
  if (next.deleted) return out;
  if (prev.image !== undefined && next.image !== undefined && prev.image !== next.image) {
    out.push({
      reason: "ImageChanged",
      severity: "INFO",
      message: `image changed from ${prev.image} to ${next.image}`,
    });
  }
  if (
    prev.configRefs !== next.configRefs &&
    (prev.configRefs !== undefined || next.configRefs !== undefined)
  ) {
    out.push({
      reason: "ConfigReferenceChanged",
      severity: "INFO",
      message: `config references changed from [${prev.configRefs ?? ""}] to [${next.configRefs ?? ""}]`,
    });
  }
  if (prev.dataHash !== undefined && next.dataHash !== undefined && prev.dataHash !== next.dataHash) {
    out.push({ reason: "ConfigChanged", severity: "INFO", message: `${kind} data changed` });
  } else if (
    prev.dataHash === undefined &&
    next.dataHash !== undefined &&
    prev.specHash === undefined &&
    (kind === "ConfigMap" || kind === "Secret")
  ) {
    // A ConfigMap or Secret first seen without a payload and now with one: its data was set.
    out.push({ reason: "ConfigChanged", severity: "INFO", message: `${kind} data set` });
  }
  if (next.atMax && !prev.atMax) {
    out.push({
      reason: "ScalingLimited",
      severity: "WARNING",
      message: `autoscaler at its maximum replicas: ${next.atMax}`,
    });
  }
  if (next.unschedulable && prev.unschedulable === false) {
    out.push({
      reason: "NodeNotSchedulable",
      severity: "WARNING",
      message: "node cordoned (spec.unschedulable is true)",
    });
  } else if (prev.unschedulable && next.unschedulable === false) {
    out.push({
      reason: "NodeSchedulable",
      severity: "INFO",
      message: "node uncordoned (spec.unschedulable is false)",
    });
  }
  const added = prev.taints && next.taints ? next.taints.filter((t) => !prev.taints!.includes(t)) : [];
  const scheduling = added.filter((t) => /:(NoSchedule|NoExecute)$/.test(t));
  if (scheduling.length) {
    out.push({
      reason: "NodeTainted",
      severity: "WARNING",
      message: `node tainted with ${scheduling.join(", ")}`,
    });
  }
  // Versions of these kinds always carry `meta` (maybe empty); one without it was stored before
  // metadata was tracked and must not make the resource look changed on its next update.
  const changed = prev.meta && next.meta ? changedMeta(prev.meta, next.meta) : [];
  if (changed.length) {
    const shown = changed.slice(0, 5).join(", ") + (changed.length > 5 ? ", …" : "");
    out.push({
      reason: changed.every((k) => k.startsWith("label:")) ? "LabelsChanged" : "MetadataChanged",
      severity: "INFO",
      message: `${kind} metadata changed: ${shown}`,
    });
  }
  if (
    prev.specHash !== undefined &&
    next.specHash !== undefined &&
    prev.specHash !== next.specHash &&
    !out.some((e) =>
      [
        "ImageChanged",
        "ConfigReferenceChanged",
        "NodeNotSchedulable",
        "NodeSchedulable",
        "NodeTainted",
      ].includes(e.reason),
    )
  ) {
    out.push({ reason: "SpecChanged", severity: "INFO", message: `${kind} spec changed` });
  }
  if (prev.replicas !== undefined && next.replicas !== undefined && prev.replicas !== next.replicas) {
    out.push({
      reason: "ReplicasChanged",
      severity: next.replicas === 0 ? "WARNING" : "INFO",
      message: `replicas changed from ${prev.replicas} to ${next.replicas} (scale ${next.replicas > prev.replicas ? "up" : "down"})`,
    });
  }
  if (prev.conditions || next.conditions) {
    const a = prev.conditions ?? {};
    const b = next.conditions ?? {};
    if ((a.Ready ?? "True") === "True" && b.Ready !== undefined && b.Ready !== "True") {
      out.push({ reason: "NodeNotReady", severity: "ERROR", message: `node condition Ready is ${b.Ready}` });
    } else if (a.Ready !== undefined && a.Ready !== "True" && b.Ready === "True") {
      out.push({ reason: "NodeReady", severity: "INFO", message: "node condition Ready is True" });
    }
    for (const [cond, reason] of Object.entries(PRESSURE)) {
      if ((a[cond] ?? "False") !== "True" && b[cond] === "True") {
        out.push({ reason, severity: "ERROR", message: `node condition ${cond} is True` });
      }
    }
  }
  if (next.ready && next.ready.status !== "True" && (prev.ready?.status ?? "True") === "True") {
    const why = [next.ready.reason, next.ready.message].filter(Boolean).join(": ");
    out.push({
      reason: "NotReady",
      severity: "ERROR",
      message: `${kind} condition Ready is ${next.ready.status}${why ? ` (${why})` : ""}`,
    });
  }
  if (prev.restarts !== undefined && next.restarts !== undefined && next.restarts > prev.restarts) {
    out.push({
      reason: "ContainerRestarted",
      severity: "WARNING",
      message: `restart count rose from ${prev.restarts} to ${next.restarts}`,
    });
  }
  return out;
}

/**
 * Policies that restrict what other workloads may do: their mere appearance is a change worth
 * an event (a new default-deny NetworkPolicy, a new LimitRange), unlike a Deployment's first state.
 */
export const POLICY_KINDS: ReadonlySet<string> = new Set([
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodDisruptionBudget",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
]);

/**
 * Events of the very first state we see of a resource: node problems already present, and the
 * creation of a policy.
 */
export function initialConditionEvents(kind: string, v: ResourceVersion): ChangeEvent[] {
  if (POLICY_KINDS.has(kind) && !v.deleted)
    return [{ reason: "ResourceCreated", severity: "INFO", message: `${kind} created` }];
  if (kind !== "Node") return v.ready || v.atMax ? diffVersions(kind, { atMs: 0, deleted: false }, v) : [];
  if (!v.conditions) return [];
  return diffVersions(kind, { atMs: 0, deleted: false, conditions: {} }, v);
}

/**
 * A tombstone (a null value on the resource topic) as the bare DELETE it means, so that it
 * leaves the same `ResourceDeleted` change event and keeps the same last-known state.
 */
export function tombstoneUpsert(
  resource: { readonly cluster: string; readonly kind: string; readonly namespace: string; readonly name: string },
  tombstone: { readonly ref: { readonly uid?: string }; readonly atMs: number },
): ResourceUpsert {
  return {
    cluster: resource.cluster,
    kind: resource.kind,
    namespace: resource.namespace,
    name: resource.name,
    ...(tombstone.ref.uid ? { uid: tombstone.ref.uid } : {}),
    labels: {},
    props: {},
    atMs: tombstone.atMs,
    deleted: true,
  };
}
