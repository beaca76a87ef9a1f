import { createHash } from "node:crypto";
import type { TopicRole, WireMessage } from "../../rca/normalize.js";

/**
 * Kubernetes API objects -> CONTRACT messages. Pure functions over the JSON the API server sends
 * (list items and watch objects), so they are tested with plain data.
 *
 * What is kept: identity, labels, owners, node, IPs, selector, images, replicas, the status fields
 * RCA uses (phase, restarts, readiness, node conditions), and the parts of a pod spec that name
 * other resources (volumes, envFrom, env references). What is left out on purpose: environment
 * values, ConfigMap values (replaced by a hash per key, so a config change is still a change) and
 * anything of a Secret but its metadata.
 */

export interface ConvertContext {
  readonly cluster: string;
  readonly topics: Readonly<Record<TopicRole, string>>;
  /** Observation time of the notification (ms). */
  readonly nowMs: number;
}

/** One edge of `state.k8s.topology`. */
export interface EdgeSpec {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly type: string;
}

export interface ConvertedResource {
  /** `kind:uid`, the compacted topic's key. */
  readonly key: string;
  readonly value: Record<string, unknown>;
  readonly edges: readonly EdgeSpec[];
}

/** The parts of a Kubernetes object every kind has. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly labels?: Record<string, string>;
    readonly ownerReferences?: ReadonlyArray<{
      kind: string;
      name: string;
      uid?: string;
      controller?: boolean;
    }>;
    readonly creationTimestamp?: string;
    readonly deletionTimestamp?: string;
  };
  readonly [k: string]: unknown;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Rec) : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** `kind:namespace:name`, or `kind:name` for cluster-scoped kinds (CONTRACT endpoint forms). */
export function refOf(kind: string, namespace: string | undefined, name: string): string {
  const k = kind.toLowerCase();
  return namespace ? `${k}:${namespace}:${name}` : `${k}:${name}`;
}

const edge = (from: string, to: string, type: string): EdgeSpec => ({
  id: `edge:${from}->${to}:${type}`,
  from,
  to,
  type,
});

const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);

/** A container with only what names other resources or identifies the build; env values are dropped. */
function container(c: unknown): Rec | undefined {
  const r = rec(c);
  if (!r) return undefined;
  const env = arr(r.env)
    .map((e) => {
      const from = rec(rec(e)?.valueFrom);
      const cm = rec(from?.configMapKeyRef);
      const sec = rec(from?.secretKeyRef);
      if (cm) return { name: rec(e)?.name, valueFrom: { configMapKeyRef: { name: cm.name, key: cm.key } } };
      if (sec) return { name: rec(e)?.name, valueFrom: { secretKeyRef: { name: sec.name, key: sec.key } } };
      return undefined;
    })
    .filter(Boolean);
  const envFrom = arr(r.envFrom)
    .map((ef) => {
      const x = rec(ef);
      if (rec(x?.configMapRef)) return { configMapRef: { name: rec(x?.configMapRef)?.name } };
      if (rec(x?.secretRef)) return { secretRef: { name: rec(x?.secretRef)?.name } };
      return undefined;
    })
    .filter(Boolean);
  const res = rec(r.resources);
  return {
    name: r.name,
    image: r.image,
    ...(env.length ? { env } : {}),
    ...(envFrom.length ? { envFrom } : {}),
    ...(res ? { resources: { limits: res.limits, requests: res.requests } } : {}),
  };
}

/** Volumes by the resource they use (contents of inline sources are not needed). */
function volume(v: unknown): Rec | undefined {
  const r = rec(v);
  if (!r) return undefined;
  const out: Rec = { name: r.name };
  if (rec(r.configMap)) out.configMap = { name: rec(r.configMap)?.name };
  if (rec(r.secret)) out.secret = { secretName: rec(r.secret)?.secretName };
  if (rec(r.persistentVolumeClaim))
    out.persistentVolumeClaim = { claimName: rec(r.persistentVolumeClaim)?.claimName };
  if (rec(r.projected)) {
    out.projected = {
      sources: arr(rec(r.projected)?.sources).map((s) => {
        const x = rec(s);
        if (rec(x?.configMap)) return { configMap: { name: rec(x?.configMap)?.name } };
        if (rec(x?.secret)) return { secret: { name: rec(x?.secret)?.name } };
        return {};
      }),
    };
  }
  return out;
}

/** The reduced pod spec: what it runs, where, and what it mounts. */
function podSpec(spec: Rec | undefined): Rec | undefined {
  if (!spec) return undefined;
  const out: Rec = {
    containers: arr(spec.containers).map(container).filter(Boolean),
  };
  const init = arr(spec.initContainers).map(container).filter(Boolean);
  if (init.length) out.initContainers = init;
  const vols = arr(spec.volumes).map(volume).filter(Boolean);
  if (vols.length) out.volumes = vols;
  if (str(spec.nodeName)) out.nodeName = spec.nodeName;
  if (str(spec.serviceAccountName)) out.serviceAccountName = spec.serviceAccountName;
  return out;
}

/** Names of the ConfigMaps, Secrets and PVCs a pod spec uses. */
function mountsOf(spec: Rec | undefined): Array<{ kind: string; name: string }> {
  const out = new Map<string, { kind: string; name: string }>();
  if (!spec) return [];
  const add = (kind: string, name: unknown) => {
    const n = str(name);
    if (n) out.set(`${kind}/${n}`, { kind, name: n });
  };
  for (const v of arr(spec.volumes)) {
    const r = rec(v);
    add("ConfigMap", rec(r?.configMap)?.name);
    add("Secret", rec(r?.secret)?.secretName);
    add("PersistentVolumeClaim", rec(r?.persistentVolumeClaim)?.claimName);
    for (const s of arr(rec(r?.projected)?.sources)) {
      add("ConfigMap", rec(rec(s)?.configMap)?.name);
      add("Secret", rec(rec(s)?.secret)?.name);
    }
  }
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
    for (const ef of arr(rec(c)?.envFrom)) {
      add("ConfigMap", rec(rec(ef)?.configMapRef)?.name);
      add("Secret", rec(rec(ef)?.secretRef)?.name);
    }
    for (const e of arr(rec(c)?.env)) {
      const from = rec(rec(e)?.valueFrom);
      add("ConfigMap", rec(from?.configMapKeyRef)?.name);
      add("Secret", rec(from?.secretKeyRef)?.name);
    }
  }
  return [...out.values()].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
}

const images = (spec: Rec | undefined): string | undefined => {
  const list = arr(spec?.containers)
    .map((c) => str(rec(c)?.image))
    .filter((s): s is string => !!s);
  return list.length ? list.join(",") : undefined;
};

function conditions(status: Rec | undefined): Array<{ type: unknown; status: unknown; reason?: unknown }> {
  // Only type/status/reason: heartbeat times change every few seconds and would look like changes.
  return arr(status?.conditions).map((c) => {
    const r = rec(c) ?? {};
    return { type: r.type, status: r.status, ...(r.reason ? { reason: r.reason } : {}) };
  });
}

function podStatus(status: Rec | undefined): Rec {
  const cs = arr(status?.containerStatuses).map((c) => {
    const r = rec(c) ?? {};
    const state = rec(r.state) ?? {};
    const last = rec(r.lastState) ?? {};
    const stateName = Object.keys(state)[0];
    const reason = str(rec(state.waiting)?.reason) ?? str(rec(state.terminated)?.reason);
    const lastReason = str(rec(last.terminated)?.reason);
    return {
      name: r.name,
      ready: r.ready === true,
      restartCount: num(r.restartCount) ?? 0,
      ...(stateName ? { state: stateName } : {}),
      ...(reason ? { reason } : {}),
      ...(lastReason ? { lastTerminationReason: lastReason } : {}),
      ...(num(rec(last.terminated)?.exitCode) !== undefined
        ? { lastExitCode: rec(last.terminated)?.exitCode }
        : {}),
    };
  });
  const restartCount = cs.reduce((n, c) => n + c.restartCount, 0);
  return {
    phase: status?.phase,
    ...(str(status?.reason) ? { reason: status?.reason } : {}),
    restartCount,
    containerReady: cs.length > 0 && cs.every((c) => c.ready),
    containerStatuses: cs,
    conditions: conditions(status),
  };
}

function workloadStatus(status: Rec | undefined): Rec {
  const out: Rec = {};
  for (const k of [
    "replicas",
    "readyReplicas",
    "availableReplicas",
    "updatedReplicas",
    "unavailableReplicas",
    "currentNumberScheduled",
    "desiredNumberScheduled",
    "numberReady",
    "numberUnavailable",
    "active",
    "succeeded",
    "failed",
    "observedGeneration",
  ])
    if (status?.[k] !== undefined) out[k] = status[k];
  const c = conditions(status);
  if (c.length) out.conditions = c;
  return out;
}

/** The backend services an Ingress routes to. */
function ingressBackends(spec: Rec | undefined): string[] {
  const out = new Set<string>();
  const add = (b: unknown) => {
    const n = str(rec(rec(b)?.service)?.name) ?? str(rec(b)?.serviceName);
    if (n) out.add(n);
  };
  add(spec?.defaultBackend ?? spec?.backend);
  for (const rule of arr(spec?.rules)) for (const p of arr(rec(rec(rule)?.http)?.paths)) add(rec(p)?.backend);
  return [...out].sort();
}

const WORKLOADS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"]);

/**
 * The `state.k8s.resource` record of an object and the topology edges it implies. Returns
 * undefined for objects without a name (never sent by a real API server).
 */
export function convertResource(
  kind: string,
  obj: KubeObject,
  deleted: boolean,
  ctx: ConvertContext,
): ConvertedResource | undefined {
  const md = obj.metadata;
  const name = md?.name;
  if (!md || !name) return undefined;
  const ns = md.namespace || undefined;
  const uid = md.uid;
  const self = refOf(kind, ns, name);
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const value: Rec = {
    op: deleted ? "DELETE" : "UPSERT",
    at: new Date(ctx.nowMs).toISOString(),
    cluster: ctx.cluster,
    kind,
    ...(uid ? { uid } : {}),
    ...(ns ? { namespace: ns } : {}),
    name,
    labels: md.labels ?? {},
  };
  const owners = (md.ownerReferences ?? []).filter((o) => o.kind && o.name);
  if (owners.length)
    value.ownerRefs = owners.map((o) => ({ kind: o.kind, name: o.name, ...(o.uid ? { uid: o.uid } : {}) }));
  const edges: EdgeSpec[] = owners.map((o) => edge(refOf(o.kind, ns, o.name), self, "CONTROLS"));

  switch (kind) {
    case "Pod": {
      const node = str(spec?.nodeName);
      if (node) {
        value.node = node;
        edges.push(edge(self, refOf("Node", undefined, node), "RUNS_ON"));
      }
      if (str(status?.podIP)) value.podIP = status?.podIP;
      const image = images(spec);
      if (image) value.image = image;
      value.status = podStatus(status);
      const ps = podSpec(spec);
      if (ps) value.spec = ps;
      for (const m of mountsOf(spec)) edges.push(edge(self, refOf(m.kind, ns, m.name), "MOUNTS"));
      break;
    }
    case "Service": {
      const sel = rec(spec?.selector);
      if (sel) value.serviceSelector = sel;
      if (str(spec?.clusterIP) && spec?.clusterIP !== "None") value.clusterIP = spec?.clusterIP;
      value.spec = { type: spec?.type, ports: spec?.ports ?? [], ...(sel ? { selector: sel } : {}) };
      break;
    }
    case "EndpointSlice": {
      const svc = md.labels?.["kubernetes.io/service-name"];
      const pods: string[] = [];
      for (const ep of arr(obj.endpoints)) {
        const t = rec(rec(ep)?.targetRef);
        if (t?.kind === "Pod" && str(t.name)) pods.push(String(t.name));
      }
      value.spec = { service: svc, pods: [...pods].sort(), addressType: obj.addressType };
      if (svc)
        for (const p of pods) edges.push(edge(refOf("Service", ns, svc), refOf("Pod", ns, p), "SELECTS"));
      break;
    }
    case "Node": {
      const addresses = arr(status?.addresses);
      const internal = addresses.map(rec).find((a) => a?.type === "InternalIP");
      const cond = conditions(status);
      value.status = {
        conditions: cond,
        ready: cond.some((c) => c.type === "Ready" && c.status === "True"),
        ...(internal ? { internalIP: internal.address } : {}),
        ...(spec?.unschedulable ? { unschedulable: true } : {}),
      };
      value.spec = {
        ...(spec?.unschedulable ? { unschedulable: true } : {}),
        taints: arr(spec?.taints),
        kubeletVersion: rec(status?.nodeInfo)?.kubeletVersion,
      };
      break;
    }
    case "PersistentVolumeClaim": {
      value.spec = {
        volumeName: spec?.volumeName,
        storageClassName: spec?.storageClassName,
        accessModes: spec?.accessModes,
      };
      value.status = { phase: status?.phase };
      if (str(spec?.volumeName))
        edges.push(edge(self, refOf("PersistentVolume", undefined, String(spec?.volumeName)), "BINDS"));
      break;
    }
    case "PersistentVolume": {
      const claim = rec(spec?.claimRef);
      value.spec = {
        storageClassName: spec?.storageClassName,
        capacity: spec?.capacity,
        ...(claim ? { claimRef: { namespace: claim.namespace, name: claim.name } } : {}),
      };
      value.status = { phase: status?.phase };
      break;
    }
    case "Ingress": {
      const backends = ingressBackends(spec);
      value.backends = backends;
      value.spec = {
        ingressClassName: spec?.ingressClassName,
        rules: arr(spec?.rules),
        ...(spec?.defaultBackend ? { defaultBackend: spec.defaultBackend } : {}),
      };
      for (const b of backends) edges.push(edge(self, refOf("Service", ns, b), "ROUTES_TO"));
      break;
    }
    case "ConfigMap": {
      // Values can be large or sensitive; a hash per key still turns an edit into a change event.
      const data: Rec = {};
      for (const [k, v] of Object.entries(rec(obj.data) ?? {})) data[k] = `sha256:${hash(String(v))}`;
      for (const [k, v] of Object.entries(rec(obj.binaryData) ?? {})) data[k] = `sha256:${hash(String(v))}`;
      value.data = data;
      break;
    }
    case "Secret": {
      // Metadata only: the watcher lists and watches Secrets as PartialObjectMetadata and never
      // reads `data`; the type is all that is kept, should a full object ever arrive.
      if (str(obj.type)) value.spec = { type: obj.type };
      break;
    }
    case "CronJob": {
      const tmpl = rec(rec(rec(spec?.jobTemplate)?.spec)?.template);
      const ps = podSpec(rec(tmpl?.spec));
      value.spec = {
        schedule: spec?.schedule,
        suspend: spec?.suspend === true,
        ...(ps ? { template: { spec: ps } } : {}),
      };
      const image = images(rec(tmpl?.spec));
      if (image) value.image = image;
      value.status = { active: arr(status?.active).length, lastScheduleTime: status?.lastScheduleTime };
      break;
    }
    default: {
      if (WORKLOADS.has(kind)) {
        const tmpl = rec(spec?.template);
        const ps = podSpec(rec(tmpl?.spec));
        const image = images(rec(tmpl?.spec));
        if (image) value.image = image;
        if (num(spec?.replicas) !== undefined) value.replicas = spec?.replicas;
        value.spec = {
          ...(num(spec?.replicas) !== undefined ? { replicas: spec?.replicas } : {}),
          ...(rec(spec?.selector) ? { selector: spec?.selector } : {}),
          ...(ps ? { template: { metadata: { labels: rec(tmpl?.metadata)?.labels ?? {} }, spec: ps } } : {}),
        };
        value.status = workloadStatus(status);
        for (const m of mountsOf(rec(tmpl?.spec)))
          edges.push(edge(self, refOf(m.kind, ns, m.name), "MOUNTS"));
      }
    }
  }
  return { key: `${kind.toLowerCase()}:${uid ?? `${ns ?? ""}:${name}`}`, value, edges };
}

/**
 * A core/v1 Event as a raw kubernetes-event-exporter object on the events topic: the normalizer
 * turns each update (growing `count`) into a new occurrence.
 */
export function convertEvent(obj: KubeObject, ctx: ConvertContext): WireMessage | undefined {
  const io = rec(obj.involvedObject);
  const md = obj.metadata;
  if (!io || !md?.uid) return undefined;
  const series = rec(obj.series);
  const source = rec(obj.source);
  const value: Rec = {
    cluster: ctx.cluster,
    metadata: { uid: md.uid, name: md.name, namespace: md.namespace },
    involvedObject: {
      kind: io.kind,
      namespace: io.namespace,
      name: io.name,
      uid: io.uid,
    },
    type: obj.type,
    reason: obj.reason,
    message: obj.message,
    count: obj.count ?? series?.count ?? 1,
    firstTimestamp: obj.firstTimestamp ?? undefined,
    lastTimestamp: obj.lastTimestamp ?? undefined,
    eventTime: obj.eventTime ?? undefined,
    ...(series ? { series: { count: series.count, lastObservedTime: series.lastObservedTime } } : {}),
    ...(source ? { source } : {}),
    ...(obj.reportingComponent ? { reportingComponent: obj.reportingComponent } : {}),
  };
  // A timeless event (rare, from old controllers) is timed when it was seen.
  if (!value.lastTimestamp && !value.eventTime && !value.firstTimestamp && !series?.lastObservedTime)
    value.lastTimestamp = new Date(ctx.nowMs).toISOString();
  return { topic: ctx.topics.events, key: md.uid, value };
}

/** The topology record of an edge, or its deletion. */
export function edgeMessage(e: EdgeSpec, deleted: boolean, ctx: ConvertContext): WireMessage {
  return {
    topic: ctx.topics.topology,
    key: e.id,
    value: {
      op: deleted ? "DELETE" : "UPSERT",
      at: new Date(ctx.nowMs).toISOString(),
      cluster: ctx.cluster,
      id: e.id,
      from: e.from,
      to: e.to,
      type: e.type,
    },
  };
}
