import { createHash } from "node:crypto";
import { z } from "zod";
import { InvalidMessageError } from "./errors.js";
import { canonicalKind, isClusterScoped, isValidKind, parseRefString } from "./identity.js";
import { classifyLogLine } from "./log-filter.js";
import type {
  EdgeUpsert,
  EventInput,
  IngestBatch,
  ResourceProps,
  ResourceRef,
  ResourceUpsert,
  Severity,
} from "./model.js";
import { severityLevel } from "./model.js";
import { type LooseShape, parseLoose } from "./loose-parse.js";
import { parseSeverity, reasonSeverity } from "./severity.js";

/** The five kinds of topic in CONTRACT.md. Topic names are configurable; these are the roles. */
export type TopicRole = "resources" | "topology" | "events" | "logs" | "alerts";

export const DEFAULT_TOPICS: Readonly<Record<TopicRole, string>> = {
  resources: "state.k8s.resource",
  topology: "state.k8s.topology",
  events: "events.normalized",
  logs: "logs.normalized",
  alerts: "alerts.enriched",
};

/** One message as it travels: a topic, a key and a JSON value (`null` is a tombstone). */
export interface WireMessage {
  readonly topic: string;
  readonly key?: string | null;
  readonly value: unknown;
  /** Where it came from (Kafka), kept for the dead-letter path. */
  readonly partition?: number;
  readonly offset?: string;
  readonly timestampMs?: number;
}

export interface NormalizeOptions {
  readonly defaultCluster: string;
  readonly topics?: Readonly<Record<TopicRole, string>>;
}

export const MAX_NAME_LENGTH = 253;
export const MAX_MESSAGE_LENGTH = 8_192;
const MAX_REASON_LENGTH = 256;
const MAX_LABELS = 256;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

const str = z.string();
const optStr = z.union([z.string(), z.number()]).transform(String).optional().nullable();
/** Labels or annotations as text: at most `MAX_LABELS`, nulls left out, other values as JSON. */
export function labelsText(v: Record<string, unknown> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v) return out;
  let n = 0;
  for (const [k, val] of Object.entries(v)) {
    if (n++ >= MAX_LABELS) break;
    if (val === null || val === undefined) continue;
    out[k] = typeof val === "string" ? val : JSON.stringify(val);
  }
  return out;
}
const labelsSchema = z.record(z.string(), z.unknown()).optional().nullable().transform(labelsText);
const obj = z.record(z.string(), z.unknown());

function checkName(field: string, value: string | undefined | null): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value.length > MAX_NAME_LENGTH)
    throw new InvalidMessageError(`${field} is longer than ${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(value)) throw new InvalidMessageError(`${field} contains control characters`);
  if (value.includes(":") && field !== "uid") throw new InvalidMessageError(`${field} must not contain ':'`);
  return value;
}

function checkKind(field: string, value: string): string {
  if (!isValidKind(value))
    throw new InvalidMessageError(`${field} "${value.slice(0, 64)}" is not a valid kind`);
  return canonicalKind(value);
}

function clusterOf(v: Record<string, unknown>, opts: NormalizeOptions): string {
  const c = v.cluster ?? v.client_id;
  if (c === undefined || c === null || c === "") return opts.defaultCluster;
  if (typeof c !== "string") throw new InvalidMessageError("cluster must be a string");
  if (c.length > 128 || CONTROL.test(c))
    throw new InvalidMessageError("cluster must be at most 128 printable characters");
  return c;
}

/** The largest epoch milliseconds a JavaScript Date holds. */
const MAX_TIME_MS = 8.64e15;

export function parseTime(field: string, value: unknown, fallbackMs?: number): number {
  if (value === undefined || value === null || value === "") {
    if (fallbackMs !== undefined) return fallbackMs;
    throw new InvalidMessageError(`${field} is required`);
  }
  const t = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t)) throw new InvalidMessageError(`${field} is not an RFC 3339 time`);
  // A number is epoch milliseconds: one beyond what a Date holds (±100,000,000 days) is no time.
  if (Math.abs(t) > MAX_TIME_MS) throw new InvalidMessageError(`${field} is out of range`);
  return t;
}

function zodReason(prefix: string, err: z.ZodError): string {
  const i = err.issues[0]!;
  return `${prefix}: ${i.path.join(".") || "value"}: ${i.message}`;
}

export const stableId = (prefix: string, ...parts: unknown[]): string =>
  `${prefix}-${createHash("sha1").update(JSON.stringify(parts)).digest("hex").slice(0, 20)}`;

// ---------------------------------------------------------------- resources

const resourceSchema = z.looseObject({
  op: z.string().optional().nullable(),
  at: z.union([z.string(), z.number()]).optional().nullable(),
  kind: str.min(1, "is required"),
  uid: optStr,
  namespace: optStr,
  name: str.min(1, "is required"),
  labels: labelsSchema,
  ownerRefs: z
    .array(z.looseObject({ kind: z.string(), name: z.string(), uid: optStr }))
    .optional()
    .nullable(),
  node: optStr,
  nodeName: optStr,
  podIP: optStr,
  clusterIP: optStr,
  serviceSelector: z.record(z.string(), z.string()).optional().nullable(),
  selector: z.record(z.string(), z.unknown()).optional().nullable(),
  image: optStr,
  replicas: z.coerce.number().optional().nullable(),
  status: obj.optional().nullable(),
  spec: obj.optional().nullable(),
  data: obj.optional().nullable(),
  mounts: z
    .array(z.looseObject({ kind: z.string(), name: z.string() }))
    .optional()
    .nullable(),
  backends: z.array(z.string()).optional().nullable(),
});

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/**
 * The pod spec inside a resource spec: a workload's `template.spec`, a CronJob's
 * `jobTemplate.spec.template.spec`, or the spec itself (a Pod).
 */
function podSpecOf(spec: Record<string, unknown>): Record<string, unknown> {
  const jobSpec = asRecord(asRecord(spec.jobTemplate)?.spec);
  return asRecord(asRecord(spec.template)?.spec) ?? asRecord(asRecord(jobSpec?.template)?.spec) ?? spec;
}

/** Pod spec (or a template's pod spec): the ConfigMaps, Secrets and PVCs it uses. */
function mountsOf(spec: Record<string, unknown> | undefined): Array<{ kind: string; name: string }> {
  if (!spec) return [];
  const podSpec = podSpecOf(spec);
  const out = new Map<string, { kind: string; name: string }>();
  const add = (kind: string, name: unknown) => {
    const n = asString(name);
    if (n) out.set(`${kind}/${n}`, { kind, name: n });
  };
  for (const v of asArray(podSpec.volumes)) {
    const vol = asRecord(v);
    if (!vol) continue;
    add("ConfigMap", asRecord(vol.configMap)?.name);
    add("Secret", asRecord(vol.secret)?.secretName);
    add("PersistentVolumeClaim", asRecord(vol.persistentVolumeClaim)?.claimName);
    for (const src of asArray(asRecord(vol.projected)?.sources)) {
      add("ConfigMap", asRecord(asRecord(src)?.configMap)?.name);
      add("Secret", asRecord(asRecord(src)?.secret)?.name);
    }
  }
  // Registry credentials: a pod whose pull secret is gone cannot pull its image on a new node.
  for (const ps of asArray(podSpec.imagePullSecrets)) add("Secret", asRecord(ps)?.name);
  for (const c of [...asArray(podSpec.containers), ...asArray(podSpec.initContainers)]) {
    const container = asRecord(c);
    if (!container) continue;
    for (const ef of asArray(container.envFrom)) {
      add("ConfigMap", asRecord(asRecord(ef)?.configMapRef)?.name);
      add("Secret", asRecord(asRecord(ef)?.secretRef)?.name);
    }
    for (const e of asArray(container.env)) {
      const from = asRecord(asRecord(e)?.valueFrom);
      add("ConfigMap", asRecord(from?.configMapKeyRef)?.name);
      add("Secret", asRecord(from?.secretKeyRef)?.name);
    }
  }
  return [...out.values()].sort((a, b) => (a.kind + a.name).localeCompare(b.kind + b.name));
}

function imageOf(spec: Record<string, unknown> | undefined): string | undefined {
  if (!spec) return undefined;
  const podSpec = podSpecOf(spec);
  const images = asArray(podSpec.containers)
    .map((c) => asString(asRecord(c)?.image))
    .filter((s): s is string => !!s);
  return images.length ? images.join(",") : undefined;
}

function backendsOf(spec: Record<string, unknown> | undefined): string[] {
  if (!spec) return [];
  const out = new Set<string>();
  const add = (b: unknown) => {
    const svc = asRecord(asRecord(b)?.service);
    const n = asString(svc?.name) ?? asString(asRecord(b)?.serviceName);
    if (n) out.add(n);
  };
  add(spec.defaultBackend ?? spec.backend);
  for (const rule of asArray(spec.rules)) {
    for (const p of asArray(asRecord(asRecord(rule)?.http)?.paths)) add(asRecord(p)?.backend);
  }
  return [...out].sort();
}

/**
 * Kinds whose annotations are configuration: a ServiceAccount's cloud IAM role
 * (`eks.amazonaws.com/role-arn`, `iam.gke.io/gcp-service-account`), the rotation stamp of a Secret
 * whose data producers redact, a Namespace's policy settings. Kept so that changing them is a
 * change event; other kinds' annotations are mostly tool bookkeeping and are dropped.
 */
const ANNOTATED_KINDS: ReadonlySet<string> = new Set(["ServiceAccount", "Secret", "ConfigMap", "Namespace"]);
/** Kinds whose payload is `data` (a producer may put it under `spec`). */
const DATA_KINDS: ReadonlySet<string> = new Set(["ConfigMap", "Secret"]);
/** Annotations that restate the object (or churn on every apply) rather than configure it. */
const BOOKKEEPING_ANNOTATION =
  /^(kubectl\.kubernetes\.io\/last-applied-configuration|meta\.helm\.sh\/|deployment\.kubernetes\.io\/revision$)/;

/** `annotations` at the top level of the message or under `metadata`, as strings. */
function annotationsOf(v: Record<string, unknown>): Record<string, string> | undefined {
  const raw = asRecord(v.annotations) ?? asRecord(asRecord(v.metadata)?.annotations);
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, val] of Object.entries(raw)) {
    if (n >= MAX_LABELS) break;
    if (val === null || val === undefined || BOOKKEEPING_ANNOTATION.test(k)) continue;
    const text = typeof val === "string" ? val : JSON.stringify(val);
    out[k] = text.length > 1024 ? `${text.slice(0, 1024)}…` : text;
    n++;
  }
  return Object.keys(out).length ? out : undefined;
}

const RBAC_BINDINGS: ReadonlySet<string> = new Set(["RoleBinding", "ClusterRoleBinding"]);

const ANNOTATION_REF_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Secrets and ConfigMaps a workload's annotations (its own or its pod template's) say it reloads
 * on: `secret.reloader.stakater.com/reload: "a,b"`, `configmap.reloader.stakater.com/reload`, and
 * the stamp a reloader leaves, `{"type":"SECRET","name":"db-creds",...}`. A restart such a tool
 * triggers is a change of that Secret, so the workload depends on it as if it mounted it.
 */
function annotationRefsOf(
  v: Record<string, unknown>,
  spec: Record<string, unknown> | undefined,
): Array<{ kind: string; name: string }> {
  const sources = [
    asRecord(v.annotations) ?? asRecord(asRecord(v.metadata)?.annotations),
    asRecord(asRecord(asRecord(spec?.template)?.metadata)?.annotations),
  ];
  const out = new Map<string, { kind: string; name: string }>();
  const add = (kind: string, name: string) => {
    const n = name.trim();
    if (ANNOTATION_REF_NAME.test(n)) out.set(`${kind}/${n}`, { kind, name: n });
  };
  for (const raw of sources) {
    if (!raw) continue;
    for (const [key, val] of Object.entries(raw)) {
      if (typeof val !== "string" || val.length > 2048) continue;
      const k = key.toLowerCase();
      const keyKind = /(^|[./-])secrets?[./-]/.test(k)
        ? "Secret"
        : /(^|[./-])configmaps?[./-]/.test(k)
          ? "ConfigMap"
          : undefined;
      if (keyKind && /reload|restart|watch|rollout/.test(k)) {
        for (const n of val.split(",")) add(keyKind, n);
        continue;
      }
      if (!val.startsWith("{") || !/reload|restart/.test(k)) continue;
      try {
        const j = asRecord(JSON.parse(val));
        const type = asString(j?.type)?.toLowerCase();
        const name = asString(j?.name);
        if (name && (type === "secret" || type === "configmap"))
          add(type === "secret" ? "Secret" : "ConfigMap", name);
      } catch {
        // not JSON: not a reference
      }
    }
  }
  return [...out.values()];
}

/** Watch event types (`ADDED`, `MODIFIED`, `DELETED`) some producers send as `op`. */
const WATCH_OPS: Readonly<Record<string, string>> = {
  ADDED: "UPSERT",
  MODIFIED: "UPSERT",
  CREATED: "UPSERT",
  UPDATED: "UPSERT",
  DELETED: "DELETE",
  REMOVED: "DELETE",
};

/**
 * A resource as the Kubernetes API writes it (`metadata.name`, `metadata.ownerReferences`...)
 * read as the flat CONTRACT form; the flat fields win where both are given.
 */
function flattenResource(v: Record<string, unknown>): Record<string, unknown> {
  const md = asRecord(v.metadata);
  const ownerRefs = v.ownerRefs ?? v.ownerReferences ?? md?.ownerReferences;
  if (!md && ownerRefs === v.ownerRefs) return v;
  return {
    ...v,
    ...(v.name === undefined && md?.name !== undefined ? { name: md.name } : {}),
    ...(v.namespace === undefined && md?.namespace !== undefined ? { namespace: md.namespace } : {}),
    ...(v.uid === undefined && md?.uid !== undefined ? { uid: md.uid } : {}),
    ...(v.labels === undefined && md?.labels !== undefined ? { labels: md.labels } : {}),
    ...(ownerRefs !== undefined ? { ownerRefs } : {}),
  };
}

function parseResource(msg: WireMessage, opts: NormalizeOptions, out: IngestBatch): void {
  if (msg.value === null || msg.value === undefined) {
    // Tombstone: the key names the resource (`kind:uid`, or `kind:ns:name`).
    const key = typeof msg.key === "string" ? msg.key : "";
    const ref = parseRefString(opts.defaultCluster, key);
    if (!ref)
      throw new InvalidMessageError(
        `tombstone key "${key.slice(0, 100)}" is not kind:uid or kind:namespace:name`,
      );
    out.resourceDeletes.push({ ref, atMs: msg.timestampMs ?? Date.now() });
    return;
  }
  const parsed = resourceSchema.safeParse(flattenResource(msg.value as Record<string, unknown>));
  if (!parsed.success) throw new InvalidMessageError(zodReason("resource", parsed.error));
  const v = parsed.data;
  const cluster = clusterOf(v, opts);
  const kind = checkKind("kind", v.kind);
  const name = checkName("name", v.name)!;
  const namespace = isClusterScoped(kind) ? "" : (checkName("namespace", v.namespace) ?? "");
  const uid = checkName("uid", v.uid);
  if (!isClusterScoped(kind) && !namespace && !uid)
    throw new InvalidMessageError("resource needs uid or namespace");
  const op = WATCH_OPS[(v.op ?? "UPSERT").toUpperCase()] ?? (v.op ?? "UPSERT").toUpperCase();
  if (op !== "UPSERT" && op !== "DELETE" && op !== "CREATE" && op !== "UPDATE") {
    throw new InvalidMessageError(`op must be UPSERT or DELETE (got "${op.slice(0, 20)}")`);
  }
  // RBAC bindings carry their subjects and role at the top level, not under `spec`.
  const spec =
    v.spec ??
    (RBAC_BINDINGS.has(kind) && (v.subjects || v.roleRef)
      ? { ...(v.roleRef ? { roleRef: v.roleRef } : {}), ...(v.subjects ? { subjects: v.subjects } : {}) }
      : undefined);
  const props: ResourceProps & { annotations?: Record<string, string> } = {};
  const node = v.node ?? v.nodeName ?? asString(spec?.nodeName);
  if (node) props.node = node;
  const podIP = v.podIP ?? asString(asRecord(v.status)?.podIP);
  if (podIP) props.podIP = podIP;
  const clusterIP = v.clusterIP ?? asString(spec?.clusterIP);
  if (clusterIP && clusterIP !== "None") props.clusterIP = clusterIP;
  const image = v.image ?? imageOf(spec);
  if (image) props.image = image;
  const replicas = v.replicas ?? (typeof spec?.replicas === "number" ? spec.replicas : undefined);
  if (replicas !== undefined && replicas !== null && Number.isFinite(replicas)) props.replicas = replicas;
  let selector = v.serviceSelector ?? undefined;
  if (!selector && kind === "Service") {
    const sel = asRecord(spec?.selector) ?? asRecord(v.selector);
    if (sel)
      selector = Object.fromEntries(Object.entries(sel).filter(([, x]) => typeof x === "string")) as Record<
        string,
        string
      >;
  }
  if (selector && Object.keys(selector).length) props.serviceSelector = selector;
  if (v.ownerRefs?.length) {
    props.ownerRefs = v.ownerRefs.map((o) => ({
      kind: canonicalKind(o.kind),
      name: o.name,
      ...(o.uid ? { uid: o.uid } : {}),
    }));
  }
  if (v.status) props.status = v.status;
  if (spec) props.spec = spec;
  if (v.data) props.data = v.data;
  else if (DATA_KINDS.has(kind) && spec) {
    // Some producers nest a ConfigMap's or Secret's payload under spec: it is the data all the same.
    const nested = spec.data ?? spec.stringData ?? spec.binaryData;
    const rec = asRecord(nested);
    if (rec) {
      props.data = rec;
      const { data: _d, stringData: _s, binaryData: _b, ...rest } = spec;
      if (Object.keys(rest).length) props.spec = rest;
      else delete props.spec;
    }
  }
  if (ANNOTATED_KINDS.has(kind)) {
    const annotations = annotationsOf(v as Record<string, unknown>);
    if (annotations) props.annotations = annotations;
  }
  const mounts = v.mounts?.length
    ? v.mounts.map((m) => ({ kind: canonicalKind(m.kind), name: m.name }))
    : mountsOf(spec);
  for (const ref of annotationRefsOf(v as Record<string, unknown>, spec))
    if (!mounts.some((m) => m.kind === ref.kind && m.name === ref.name)) mounts.push(ref);
  if (mounts.length) props.mounts = mounts;
  const backends = v.backends?.length ? [...v.backends].sort() : kind === "Ingress" ? backendsOf(spec) : [];
  if (backends.length) props.backends = backends;
  const upsert: ResourceUpsert = {
    cluster,
    kind,
    namespace,
    name,
    ...(uid ? { uid } : {}),
    labels: v.labels,
    props,
    atMs: parseTime("at", v.at, msg.timestampMs ?? 0),
    deleted: op === "DELETE",
  };
  out.resources.push(upsert);
}

// ---------------------------------------------------------------- topology

const edgeSchema = z.looseObject({
  op: z.string().optional().nullable(),
  at: z.union([z.string(), z.number()]).optional().nullable(),
  id: optStr,
  from: str.min(1, "is required"),
  to: str.min(1, "is required"),
  type: str.min(1, "is required").max(64),
});

function parseEdge(msg: WireMessage, opts: NormalizeOptions, out: IngestBatch): void {
  if (msg.value === null || msg.value === undefined) {
    const key = typeof msg.key === "string" ? msg.key : "";
    if (!key) throw new InvalidMessageError("topology tombstone without a key");
    out.edges.push({
      cluster: opts.defaultCluster,
      key,
      from: { cluster: opts.defaultCluster, kind: "Unknown" },
      to: { cluster: opts.defaultCluster, kind: "Unknown" },
      type: "",
      atMs: msg.timestampMs ?? Date.now(),
      deleted: true,
    });
    return;
  }
  const parsed = edgeSchema.safeParse(msg.value);
  if (!parsed.success) throw new InvalidMessageError(zodReason("edge", parsed.error));
  const v = parsed.data;
  const cluster = clusterOf(v, opts);
  const from = parseRefString(cluster, v.from);
  if (!from)
    throw new InvalidMessageError(
      `edge.from "${v.from.slice(0, 100)}" is not kind:ns:name, kind:name or kind:uid`,
    );
  const to = parseRefString(cluster, v.to);
  if (!to)
    throw new InvalidMessageError(
      `edge.to "${v.to.slice(0, 100)}" is not kind:ns:name, kind:name or kind:uid`,
    );
  for (const r of [from, to]) {
    checkName("edge endpoint name", r.name);
    checkName("edge endpoint namespace", r.namespace);
  }
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(v.type))
    throw new InvalidMessageError("edge.type must be letters, digits and _");
  const op = (v.op ?? "UPSERT").toUpperCase();
  const key =
    v.id ?? (typeof msg.key === "string" && msg.key ? msg.key : `edge:${v.from}->${v.to}:${v.type}`);
  out.edges.push({
    cluster,
    key,
    from,
    to,
    type: v.type.toUpperCase(),
    atMs: parseTime("at", v.at, msg.timestampMs ?? 0),
    deleted: op === "DELETE",
  });
}

// ---------------------------------------------------------------- events, logs, alerts

const subjectSchema = z
  .looseObject({
    kind: optStr,
    uid: optStr,
    ns: optStr,
    namespace: optStr,
    name: optStr,
  })
  .optional()
  .nullable();

export const eventSchema = z.looseObject({
  event_id: optStr,
  event_time: z.union([z.string(), z.number()]).optional().nullable(),
  etype: optStr,
  severity: optStr,
  reason: optStr,
  message: z.unknown().optional(),
  subject: subjectSchema,
  source: obj.optional().nullable(),
  count: z.coerce.number().optional().nullable(),
  status: optStr,
  labels: labelsSchema,
  annotations: labelsSchema,
  // legacy log fields
  pod_uid: optStr,
  pod_namespace: optStr,
  pod_name: optStr,
  kubernetes: z
    .looseObject({ pod_uid: optStr, pod_name: optStr, pod_namespace: optStr, namespace_name: optStr })
    .optional()
    .nullable(),
  // older alias of event_time
  timestamp: z.union([z.string(), z.number()]).optional().nullable(),
});
/** `eventSchema` for the fast path (`loose-parse.ts`); a test holds the two to the same fields. */
export const EVENT_SHAPE: LooseShape = {
  event_id: "text",
  event_time: "textOrNumber",
  etype: "text",
  severity: "text",
  reason: "text",
  message: "unknown",
  subject: {
    optional: true,
    shape: { kind: "text", uid: "text", ns: "text", namespace: "text", name: "text" },
  },
  source: "record",
  count: "count",
  status: "text",
  labels: "labels",
  annotations: "labels",
  pod_uid: "text",
  pod_namespace: "text",
  pod_name: "text",
  kubernetes: {
    optional: true,
    shape: { pod_uid: "text", pod_name: "text", pod_namespace: "text", namespace_name: "text" },
  },
  timestamp: "textOrNumber",
};

export const rawK8sEventSchema = z.looseObject({
  involvedObject: z.looseObject({
    kind: optStr,
    namespace: optStr,
    name: optStr,
    uid: optStr,
  }),
  metadata: z
    .looseObject({ uid: optStr, name: optStr, namespace: optStr, creationTimestamp: optStr })
    .optional()
    .nullable(),
  event_time: optStr,
  type: optStr,
  reason: optStr,
  message: optStr,
  count: z.coerce.number().optional().nullable(),
  firstTimestamp: optStr,
  lastTimestamp: optStr,
  eventTime: optStr,
  series: z
    .looseObject({ count: z.coerce.number().optional(), lastObservedTime: optStr })
    .optional()
    .nullable(),
  source: obj.optional().nullable(),
  reportingComponent: optStr,
  cluster: optStr,
  client_id: optStr,
});
/** `rawK8sEventSchema` for the fast path (`loose-parse.ts`). */
export const RAW_K8S_EVENT_SHAPE: LooseShape = {
  involvedObject: {
    optional: false,
    shape: { kind: "text", namespace: "text", name: "text", uid: "text" },
  },
  metadata: {
    optional: true,
    shape: { uid: "text", name: "text", namespace: "text", creationTimestamp: "text" },
  },
  event_time: "text",
  type: "text",
  reason: "text",
  message: "text",
  count: "count",
  firstTimestamp: "text",
  lastTimestamp: "text",
  eventTime: "text",
  series: { optional: true, shape: { count: "countNotNull", lastObservedTime: "text" } },
  source: "record",
  reportingComponent: "text",
  cluster: "text",
  client_id: "text",
};

/**
 * `value` by `schema`: by the fast path when the message is in the form it copies (the same
 * output), else by zod, whose error becomes the message's reason (`what: path: problem`).
 */
function parseMessage<S extends z.ZodType>(
  schema: S,
  shape: LooseShape,
  value: unknown,
  what: string,
): z.infer<S> {
  const fast = parseLoose(shape, value, labelsText);
  if (fast !== undefined) return fast as z.infer<S>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidMessageError(zodReason(what, parsed.error));
  return parsed.data;
}

/** events.k8s.io/v1 (`regarding`, `note`, `deprecated*`) read as the core/v1 event form. */
function eventsV1AsCore(v: Record<string, unknown>): Record<string, unknown> {
  if (v.involvedObject !== undefined) return v;
  return {
    ...v,
    involvedObject: v.regarding,
    message: v.message ?? v.note,
    count: v.count ?? v.deprecatedCount,
    lastTimestamp: v.lastTimestamp ?? v.deprecatedLastTimestamp,
    firstTimestamp: v.firstTimestamp ?? v.deprecatedFirstTimestamp,
    source: v.source ?? v.deprecatedSource,
  };
}

const first = (...xs: unknown[]): unknown => xs.find((x) => x !== undefined && x !== null && x !== "");
/** Alertmanager's "not ended yet". */
const ZERO_TIME = /^0001-01-01/;

/**
 * The field names other producers use for the CONTRACT fields: `id`, `@timestamp`/`time`/`ts`,
 * `level`/`log.level`, `msg`/`log`, an alert's `startsAt`/`endsAt`/`fingerprint`, a subject as a
 * `kind:ns:name` string, a K8s event's `type` (Warning/Normal) for its severity.
 */
function withEventAliases(
  v: Record<string, unknown>,
  role: "events" | "logs" | "alerts",
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...v };
  const labels = asRecord(v.labels);
  const isAlert =
    role === "alerts" ||
    String(v.etype ?? "").toLowerCase() === "prom.alert" ||
    (typeof labels?.alertname === "string" && v.startsAt !== undefined);
  const status = typeof v.status === "string" ? v.status.toLowerCase() : undefined;
  const endsAt = typeof v.endsAt === "string" && !ZERO_TIME.test(v.endsAt) ? v.endsAt : undefined;
  const alertTime = isAlert ? (status === "resolved" ? (endsAt ?? v.startsAt) : v.startsAt) : undefined;
  out.event_time = first(
    v.event_time,
    v.timestamp,
    v["@timestamp"],
    v.time,
    v.ts,
    v.eventTime,
    alertTime,
    v.lastTimestamp,
    v.firstTimestamp,
    asRecord(v.metadata)?.creationTimestamp,
  );
  if (isAlert && v.event_id === undefined && typeof v.fingerprint === "string" && v.fingerprint) {
    const startMs = typeof v.startsAt === "string" ? Date.parse(v.startsAt) : Number.NaN;
    out.event_id = `am-${v.fingerprint}-${Number.isFinite(startMs) ? startMs : String(v.startsAt)}-${status ?? "firing"}`;
  } else {
    out.event_id = first(v.event_id, v.id, v.eventId, asRecord(v.metadata)?.uid);
  }
  const log = asRecord(v.log);
  out.severity = first(
    v.severity,
    v.level,
    v.log_level,
    v.loglevel,
    v.lvl,
    v["log.level"],
    log?.level,
    typeof v.type === "string" && /^(warning|normal)$/i.test(v.type) ? v.type : undefined,
  );
  out.message = first(
    v.message,
    v.msg,
    typeof v.log === "string" ? v.log : undefined,
    v.line,
    v.text,
    v.note,
    v.body,
  );
  if (typeof out.message === "string" && out.severity === undefined && out.message.startsWith("{")) {
    // A structured log line: its own level says how bad it is.
    try {
      const j = asRecord(JSON.parse(out.message));
      out.severity = first(j?.level, j?.severity, j?.lvl, j?.log_level);
    } catch {
      // not JSON after all
    }
  }
  if (typeof v.subject === "string") {
    const ref = parseRefString("x", v.subject);
    out.subject = ref ? { kind: ref.kind, ns: ref.namespace, name: ref.name, uid: ref.uid } : undefined;
  } else if (v.subject === undefined) {
    const obj = asRecord(v.involved_object) ?? asRecord(v.object) ?? asRecord(v.resource);
    if (obj) out.subject = obj;
  }
  if (out.cluster === undefined && typeof labels?.cluster === "string" && isAlert)
    out.cluster = labels.cluster;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

function messageText(v: unknown): string {
  const s = typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v);
  return s.length > MAX_MESSAGE_LENGTH ? `${s.slice(0, MAX_MESSAGE_LENGTH)}…` : s;
}

function checkReason(reason: string): string {
  if (reason.length > MAX_REASON_LENGTH)
    throw new InvalidMessageError(`reason is longer than ${MAX_REASON_LENGTH} characters`);
  if (CONTROL.test(reason)) throw new InvalidMessageError("reason contains control characters");
  return reason;
}

function subjectRef(
  cluster: string,
  kind: string | null | undefined,
  namespace: string | null | undefined,
  name: string | null | undefined,
  uid: string | null | undefined,
): ResourceRef | undefined {
  if (!name && !uid) return undefined;
  const k = checkKind("subject.kind", kind || "Pod");
  const ref: { cluster: string; kind: string; namespace?: string; name?: string; uid?: string } = {
    cluster,
    kind: k,
  };
  const n = checkName("subject.name", name);
  const ns = checkName("subject.namespace", namespace);
  const u = checkName("uid", uid);
  if (n) ref.name = n;
  if (ns && !isClusterScoped(k)) ref.namespace = ns;
  if (u) ref.uid = u;
  return ref;
}

/** An occurrence of a repeated event gets its own id; the first keeps the producer's id. */
const occurrenceId = (baseId: string, count: number): string => (count > 1 ? `${baseId}#${count}` : baseId);

function eventSeverity(
  given: string | null | undefined,
  reason: string,
  message: string,
  etype: string,
): Severity {
  const parsed = parseSeverity(given);
  if (etype === "k8s.event") {
    const fromReason = reasonSeverity(reason, message);
    if (parsed && fromReason) return severityLevel(parsed) >= severityLevel(fromReason) ? parsed : fromReason;
    return parsed ?? fromReason ?? "INFO";
  }
  return parsed ?? "INFO";
}

function parseRawK8sEvent(
  v: z.infer<typeof rawK8sEventSchema>,
  msg: WireMessage,
  opts: NormalizeOptions,
  out: IngestBatch,
) {
  const cluster = clusterOf(v as Record<string, unknown>, opts);
  const io = v.involvedObject;
  const reason = checkReason(v.reason ?? "");
  const message = messageText(v.message);
  const count = Math.max(1, Math.floor(v.series?.count ?? v.count ?? 1));
  const timeMs = parseTime(
    "lastTimestamp",
    v.series?.lastObservedTime ??
      v.lastTimestamp ??
      v.eventTime ??
      v.firstTimestamp ??
      v.event_time ??
      v.metadata?.creationTimestamp,
    msg.timestampMs,
  );
  const baseId =
    v.metadata?.uid ??
    (typeof msg.key === "string" && msg.key
      ? msg.key
      : stableId("k8s", cluster, io, reason, v.firstTimestamp));
  const typeSeverity: Severity = (v.type ?? "").toLowerCase() === "warning" ? "WARNING" : "INFO";
  const fromReason = reasonSeverity(reason, message);
  const severity =
    fromReason && severityLevel(fromReason) > severityLevel(typeSeverity) ? fromReason : typeSeverity;
  const subject = subjectRef(cluster, io.kind, io.namespace, io.name, io.uid);
  out.events.push({
    id: occurrenceId(checkName("uid", baseId)!, count),
    baseId,
    cluster,
    etype: "k8s.event",
    severity,
    reason,
    message,
    timeMs,
    count,
    ...(subject ? { subject } : {}),
    source: v.source ?? (v.reportingComponent ? { component: v.reportingComponent } : {}),
  });
}

function parseEventLike(
  msg: WireMessage,
  role: "events" | "logs" | "alerts",
  opts: NormalizeOptions,
  out: IngestBatch,
) {
  const value = msg.value;
  if (value === null || value === undefined || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidMessageError(`${role} message must be a JSON object`);
  }
  if (Array.isArray((value as Record<string, unknown>).alerts) && role !== "logs") {
    // An Alertmanager webhook payload sent as one message: one event per alert.
    const body = value as Record<string, unknown>;
    for (const a of (body.alerts as unknown[]).slice(0, 1_000)) {
      const alert = asRecord(a);
      if (!alert) continue;
      const labels = { ...(asRecord(body.commonLabels) ?? {}), ...(asRecord(alert.labels) ?? {}) };
      const annotations = {
        ...(asRecord(body.commonAnnotations) ?? {}),
        ...(asRecord(alert.annotations) ?? {}),
      };
      parseEventLike({ ...msg, value: { ...alert, labels, annotations } }, "alerts", opts, out);
    }
    return;
  }
  if ((role === "events" || role === "logs") && ("involvedObject" in value || "regarding" in value)) {
    const raw = parseMessage(
      rawK8sEventSchema,
      RAW_K8S_EVENT_SHAPE,
      eventsV1AsCore(value as Record<string, unknown>),
      "kubernetes event",
    );
    parseRawK8sEvent(raw, msg, opts, out);
    return;
  }
  const v = parseMessage(
    eventSchema,
    EVENT_SHAPE,
    withEventAliases(value as Record<string, unknown>, role),
    "event",
  );
  const cluster = clusterOf(v, opts);
  const etypeGiven = (
    v.etype ?? (role === "logs" ? "k8s.log" : role === "alerts" ? "prom.alert" : "k8s.event")
  ).toLowerCase();
  if (etypeGiven !== "k8s.event" && etypeGiven !== "k8s.log" && etypeGiven !== "prom.alert") {
    throw new InvalidMessageError(
      `etype must be k8s.event, prom.alert or k8s.log (got "${etypeGiven.slice(0, 40)}")`,
    );
  }
  const etype = etypeGiven as EventInput["etype"];
  const message = messageText(v.message ?? v.annotations?.summary ?? v.annotations?.description);
  let reason = checkReason(v.reason ?? (etype === "prom.alert" ? (v.labels.alertname ?? "") : ""));
  if (etype === "k8s.log" && !reason)
    reason = classifyLogLine(message, v.severity ?? undefined).reason ?? "LogError";
  const timeMs = parseTime("event_time", v.event_time ?? v.timestamp, msg.timestampMs);
  const count = Math.max(1, Math.floor(v.count ?? 1));
  const s = v.subject;
  const k8s = v.kubernetes;
  let subject =
    subjectRef(cluster, s?.kind, s?.ns ?? s?.namespace, s?.name, s?.uid) ??
    subjectRef(
      cluster,
      "Pod",
      v.pod_namespace ?? k8s?.pod_namespace ?? k8s?.namespace_name,
      v.pod_name ?? k8s?.pod_name,
      v.pod_uid ?? k8s?.pod_uid,
    );
  if (!subject && etype === "prom.alert") subject = alertSubject(cluster, v.labels);
  let severity = eventSeverity(v.severity, reason, message, etype);
  if (etype === "prom.alert") {
    severity = parseSeverity(v.severity) ?? parseSeverity(v.labels.severity) ?? "WARNING";
    if ((v.status ?? "").toLowerCase() === "resolved") severity = "INFO";
  }
  if (etype === "k8s.log" && !v.severity) {
    severity = /\b(fatal|panic)\b/i.test(message)
      ? "FATAL"
      : /\b(error|exception|failed)\b/i.test(message)
        ? "ERROR"
        : "INFO";
  }
  const baseId =
    checkName("uid", v.event_id) ??
    (typeof msg.key === "string" && msg.key && role === "events" ? msg.key : undefined) ??
    stableId(
      etype === "k8s.log" ? "log" : etype === "prom.alert" ? "alert" : "ev",
      cluster,
      subject,
      reason,
      message,
      timeMs,
    );
  out.events.push({
    id: occurrenceId(baseId, count),
    baseId,
    cluster,
    etype,
    severity,
    reason,
    message,
    timeMs,
    count,
    ...(subject ? { subject } : {}),
    ...(v.source ? { source: v.source } : {}),
    ...(Object.keys(v.labels).length ? { labels: v.labels } : {}),
    ...(Object.keys(v.annotations).length ? { annotations: v.annotations } : {}),
    ...(v.status ? { status: v.status.toLowerCase() } : {}),
  });
}

/** Label names Prometheus alerts use to say what they are about, most specific first. */
const ALERT_SUBJECT_LABELS: ReadonlyArray<[string, string]> = [
  ["pod", "Pod"],
  ["deployment", "Deployment"],
  ["statefulset", "StatefulSet"],
  ["daemonset", "DaemonSet"],
  ["replicaset", "ReplicaSet"],
  ["job_name", "Job"],
  ["job", "Job"],
  ["cronjob", "CronJob"],
  ["persistentvolumeclaim", "PersistentVolumeClaim"],
  ["horizontalpodautoscaler", "HorizontalPodAutoscaler"],
  ["resourcequota", "ResourceQuota"],
  ["certificate", "Certificate"],
  ["service", "Service"],
  ["ingress", "Ingress"],
  ["node", "Node"],
  ["persistentvolume", "PersistentVolume"],
];

/**
 * Scrape targets that report about other objects: their own `service`, `pod` and `instance`
 * labels name the exporter, not what the alert is about.
 */
const EXPORTER =
  /(kube-state-metrics|node-exporter|kubelet|cadvisor|prometheus|alertmanager|blackbox|apiserver|coredns-metrics|metrics-server|pushgateway)/;
const TARGET_LABELS = ["namespace", "pod", "service", "container", "instance", "job", "node"] as const;
const IP_PORT = /^\[?[0-9a-f.:]+\]?(:\d+)?$/i;

export function alertSubject(cluster: string, given: Record<string, string>): ResourceRef | undefined {
  let labels = given;
  if (Object.keys(given).some((k) => k.startsWith("exported_"))) {
    // honor_labels off: the series' own labels were renamed `exported_*`, the plain ones are the
    // scrape target's (an ingress controller, a pushgateway).
    labels = { ...given };
    for (const k of TARGET_LABELS) {
      const e = given[`exported_${k}`];
      if (e) labels[k] = e;
      else if (k !== "node") delete labels[k];
    }
  }
  const exporterJob = EXPORTER.test(labels.job ?? "") || EXPORTER.test(labels.service ?? "");
  for (const [label, kind] of ALERT_SUBJECT_LABELS) {
    const name = labels[label];
    if (!name) continue;
    // `job` is also Prometheus' scrape job label; only trust it with a namespace and a kube job pattern.
    if (label === "job" && !labels.job_name && !labels.namespace) continue;
    if (label === "job" && (/^(kube-|node-exporter|prometheus|apiserver)/.test(name) || EXPORTER.test(name)))
      continue;
    if (label === "service" && EXPORTER.test(name)) continue;
    // The exporter's own pod (a target label the scrape adds): the alert is about what it reports on.
    if (label === "pod" && exporterJob && EXPORTER.test(name)) continue;
    if (!isClusterScoped(kind) && !labels.namespace) continue;
    return subjectRef(cluster, kind, labels.namespace, name, undefined);
  }
  if (labels.node) return subjectRef(cluster, "Node", undefined, labels.node, undefined);
  // kube-prometheus relabels a node exporter's `instance` to the node name.
  const instance = labels.instance?.replace(/:\d+$/, "");
  if (instance && exporterJob && /node/.test(labels.job ?? labels.service ?? "") && !IP_PORT.test(instance))
    return subjectRef(cluster, "Node", undefined, instance, undefined);
  return undefined;
}

// ---------------------------------------------------------------- entry point

export function topicRole(
  topic: string,
  topics: Readonly<Record<TopicRole, string>> = DEFAULT_TOPICS,
): TopicRole | undefined {
  for (const [role, name] of Object.entries(topics) as Array<[TopicRole, string]>)
    if (name === topic) return role;
  for (const [role, name] of Object.entries(DEFAULT_TOPICS) as Array<[TopicRole, string]>)
    if (name === topic) return role;
  return undefined;
}

/** Parses one wire message into `out`. Throws `InvalidMessageError` with a reason; `out` is untouched then. */
export function normalizeMessage(msg: WireMessage, opts: NormalizeOptions, out: IngestBatch): void {
  const role = topicRole(msg.topic, opts.topics);
  if (!role) throw new InvalidMessageError(`unknown topic "${String(msg.topic).slice(0, 100)}"`);
  if (
    msg.value !== null &&
    msg.value !== undefined &&
    (typeof msg.value !== "object" || Array.isArray(msg.value))
  ) {
    throw new InvalidMessageError(`${role} message value must be a JSON object or null`);
  }
  const scratch: IngestBatch = { resources: [], resourceDeletes: [], edges: [], events: [] };
  switch (role) {
    case "resources":
      parseResource(msg, opts, scratch);
      break;
    case "topology":
      parseEdge(msg, opts, scratch);
      break;
    default:
      if (msg.value === null || msg.value === undefined)
        throw new InvalidMessageError(`${role} message without a value`);
      parseEventLike(msg, role, opts, scratch);
  }
  out.resources.push(...scratch.resources);
  out.resourceDeletes.push(...scratch.resourceDeletes);
  out.edges.push(...scratch.edges);
  out.events.push(...scratch.events);
}

export type { EdgeUpsert };
