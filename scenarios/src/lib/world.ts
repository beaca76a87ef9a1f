/**
 * The simulated world of one scenario: clusters, resources, topology edges, Kubernetes events,
 * logs and alerts, each emitted as a CONTRACT.md message with an event time and an arrival
 * time. `finish()` returns the messages in arrival order, which is not time order.
 *
 * Leaves out: any knowledge of how the RCA engine scores. Everything here is about what the
 * producers (state-watcher, kubernetes-event-exporter, Vector, Alertmanager) would send.
 */
import type { Cluster } from "./cluster.js";
import { fingerprint, type Rng } from "./rng.js";

export type Topic =
  | "state.k8s.resource"
  | "state.k8s.topology"
  | "events.normalized"
  | "logs.normalized"
  | "alerts.enriched";

export const TOPICS: readonly Topic[] = [
  "state.k8s.resource",
  "state.k8s.topology",
  "events.normalized",
  "logs.normalized",
  "alerts.enriched",
];

export interface Message {
  topic: Topic;
  key: string;
  value: Record<string, unknown> | null;
}

export const CLUSTER_SCOPED = new Set([
  "Node",
  "PersistentVolume",
  "Namespace",
  "StorageClass",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterIssuer",
  "PriorityClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
]);

const API_VERSION: Record<string, string> = {
  Pod: "v1",
  Node: "v1",
  Service: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  PersistentVolumeClaim: "v1",
  PersistentVolume: "v1",
  Namespace: "v1",
  ServiceAccount: "v1",
  ResourceQuota: "v1",
  LimitRange: "v1",
  Endpoints: "v1",
  Deployment: "apps/v1",
  ReplicaSet: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
  NetworkPolicy: "networking.k8s.io/v1",
  Ingress: "networking.k8s.io/v1",
  Certificate: "cert-manager.io/v1",
  ExternalSecret: "external-secrets.io/v1beta1",
  RoleBinding: "rbac.authorization.k8s.io/v1",
  StorageClass: "storage.k8s.io/v1",
};

/** A Kubernetes object as the state-watcher sees it. Mutable: `put()` snapshots it. */
export interface Res {
  kind: string;
  name: string;
  namespace?: string;
  uid: string;
  cluster: Cluster;
  labels?: Record<string, string>;
  ownerRefs?: { kind: string; name: string; uid?: string; controller?: boolean }[];
  node?: string;
  podIP?: string;
  serviceSelector?: Record<string, string>;
  image?: string;
  replicas?: number;
  status?: Record<string, unknown>;
  spec?: Record<string, unknown>;
  /** Other top-level fields the producer sends (annotations, generation, data...). */
  extra?: Record<string, unknown>;
  /** Container names, for pods (not emitted). */
  containers?: string[];
  initContainers?: string[];
  deleted?: boolean;
  /** Node index within its cluster (not emitted). */
  idx?: number;
}

export type EventForm = "raw" | "normalized";
export type SubjectForm = "full" | "uid" | "nsname";
export type TopoForm = "nsname" | "uid";
export type LogForm = "subject" | "flat" | "nested";

/** How this scenario's producers happen to format things. Chosen per scenario. */
export interface Style {
  eventForm: EventForm | "mixed";
  subjectForm: SubjectForm | "mixed";
  topoForm: TopoForm | "mixed";
  logForm: LogForm | "mixed";
  logIds: boolean;
  /** Scheduler events in events.k8s.io/v1 shape (eventTime + series, no count). */
  schedulerSeries: boolean;
  /** Share of messages that arrive late (tens of seconds to minutes). */
  lateProb: number;
  /** Whether node-problem-detector runs (kernel OOM, NTP, docker hung...). */
  npd: boolean;
  /** Re-sends some edges in the other id form after a relist (duplicate edges). */
  relistDuplicates: boolean;
}

export interface EventHandle {
  id: string;
  name: string;
  on: Res;
  reason: string;
  message: string;
  type: "Normal" | "Warning";
  component: string;
  host?: string;
  fieldPath?: string;
  first: number;
  last: number;
  count: number;
  form: EventForm;
  series: boolean;
  subjectForm: SubjectForm;
}

export interface AlertSpec {
  name: string;
  severity: "critical" | "warning" | "info" | "none";
  labels: Record<string, string>;
  summary: string;
  description: string;
  runbook?: string;
  activeAt: number;
  /** The rule's `for:`; the first notification arrives after it. */
  forSec: number;
  subject?: Res | { kind: string; ns?: string; name: string };
  resolvedAt?: number;
  cluster: Cluster;
}

export interface AlertHandle {
  id: string;
  spec: AlertSpec;
}

interface Pending {
  msg: Message;
  t: number;
  arrival: number;
  seq: number;
}

const CRITICAL_LIVENESS = /liveness/i;

/** Severity the existing producers give a K8s event reason (CONTRACT.md). */
export function severityOf(reason: string, message: string, type: "Normal" | "Warning"): string {
  if (["OOMKilled", "CrashLoopBackOff", "Error"].includes(reason)) return "FATAL";
  if (reason === "Failed" && /pod/i.test(message) && !/image/i.test(message)) return "FATAL";
  const errors = [
    "FailedScheduling",
    "FailedMount",
    "FailedAttachVolume",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "ImageGCFailed",
    "FailedCreatePodContainer",
    "NodeNotReady",
    "NodePressure",
    "Evicted",
    "OOMKilling",
  ];
  if (errors.includes(reason)) return "ERROR";
  if ((reason === "Unhealthy" || reason === "ProbeWarning") && CRITICAL_LIVENESS.test(message))
    return "ERROR";
  if (["BackOff", "Unhealthy", "ProbeWarning", "FailedKillPod", "NetworkNotReady"].includes(reason)) {
    return "WARNING";
  }
  return type === "Warning" ? "WARNING" : "INFO";
}

export function iso(ms: number, fractionDigits: 0 | 3 | 6 = 0): string {
  const s = new Date(ms).toISOString();
  if (fractionDigits === 3) return s;
  if (fractionDigits === 6) return `${s.slice(0, 23)}${String(ms % 7).padStart(3, "0")}Z`;
  return `${s.slice(0, 19)}Z`;
}

export class World {
  readonly rng: Rng;
  readonly style: Style;
  /** Fault onset. */
  readonly t0: number;
  /** When the watcher listed everything (start of the recording). */
  readonly tList: number;
  readonly clusters: Cluster[] = [];
  private readonly pending: Pending[] = [];
  private readonly lastArrival = new Map<string, number>();
  private readonly edgesOf = new Map<Res, Set<string>>();
  private readonly edgeValues = new Map<string, Record<string, unknown>>();
  private seq = 0;
  private rv: number;
  /** Every resource created in this world, for look-ups by the scenario harness. */
  readonly all: Res[] = [];

  constructor(rng: Rng, style: Style, t0: number, tList: number) {
    this.rng = rng;
    this.style = style;
    this.t0 = t0;
    this.tList = tList;
    this.rv = rng.int(1_200_000, 98_000_000);
  }

  addCluster(c: Cluster): Cluster {
    this.clusters.push(c);
    return c;
  }

  // ---------------------------------------------------------------- emission core

  private delay(topic: Topic, raw: boolean): number {
    const r = this.rng;
    let d: number;
    switch (topic) {
      case "state.k8s.resource":
        d = r.int(40, 1500);
        break;
      case "state.k8s.topology":
        d = r.int(40, 2500);
        break;
      case "events.normalized":
        d = raw ? r.int(400, 9000) : r.int(150, 4000);
        break;
      case "logs.normalized":
        d = r.int(800, 12000);
        break;
      default:
        d = r.int(200, 3000);
    }
    if (r.chance(this.style.lateProb)) d += r.int(20_000, 360_000);
    return d;
  }

  /** Queue one message. `arrival` overrides the computed delivery time. */
  emit(topic: Topic, key: string, value: Record<string, unknown> | null, t: number, arrival?: number): void {
    const raw = value !== null && "involvedObject" in value;
    let a = arrival ?? t + this.delay(topic, raw);
    const prev = this.lastArrival.get(`${topic}|${key}`);
    // Kafka keeps per-key order (same partition): in-place updates never overtake each other.
    if (prev !== undefined && a <= prev) a = prev + this.rng.int(1, 400);
    this.lastArrival.set(`${topic}|${key}`, a);
    this.pending.push({ msg: { topic, key, value }, t, arrival: a, seq: this.seq++ });
  }

  find(c: Cluster, kind: string, namespace: string | undefined, name: string): Res | undefined {
    return this.all.find(
      (r) =>
        r.cluster === c && r.kind === kind && r.name === name && (r.namespace ?? "") === (namespace ?? ""),
    );
  }

  finish(): Message[] {
    return [...this.pending].sort((x, y) => x.arrival - y.arrival || x.seq - y.seq).map((p) => p.msg);
  }

  nextRv(): string {
    this.rv += this.rng.int(1, 900);
    return String(this.rv);
  }

  private withCluster(c: Cluster, v: Record<string, unknown>): Record<string, unknown> {
    if (c.field === "cluster") return { ...v, cluster: c.id };
    if (c.field === "client_id") return { ...v, client_id: c.id };
    return v;
  }

  // ---------------------------------------------------------------- resources

  /** Create a resource record (not emitted until `put`). */
  res(
    c: Cluster,
    kind: string,
    name: string,
    namespace: string | undefined,
    fields: Partial<Omit<Res, "kind" | "name" | "namespace" | "cluster">> = {},
  ): Res {
    const r: Res = { kind, name, cluster: c, uid: fields.uid ?? this.rng.uuid(), ...fields };
    if (namespace !== undefined && !CLUSTER_SCOPED.has(kind)) r.namespace = namespace;
    this.all.push(r);
    return r;
  }

  /** Emit an UPSERT of the resource's current state. */
  put(r: Res, t: number, arrival?: number): void {
    const v: Record<string, unknown> = { op: "UPSERT", at: iso(t) };
    Object.assign(v, this.withCluster(r.cluster, {}));
    v.kind = r.kind;
    v.uid = r.uid;
    if (r.namespace) v.namespace = r.namespace;
    v.name = r.name;
    if (r.labels) v.labels = { ...r.labels };
    if (r.ownerRefs) v.ownerRefs = r.ownerRefs.map((o) => ({ ...o }));
    if (r.node) v.node = r.node;
    if (r.podIP) v.podIP = r.podIP;
    if (r.serviceSelector) v.serviceSelector = { ...r.serviceSelector };
    if (r.image) v.image = r.image;
    if (r.replicas !== undefined) v.replicas = r.replicas;
    if (r.status) v.status = structuredClone(r.status);
    if (r.spec) v.spec = structuredClone(r.spec);
    if (r.extra) Object.assign(v, structuredClone(r.extra));
    this.emit("state.k8s.resource", `${r.kind.toLowerCase()}:${r.uid}`, v, t, arrival);
  }

  /** The watcher saw the object deleted: a DELETE record, and often the compaction tombstone. */
  remove(r: Res, t: number, opts: { tombstone?: boolean; edges?: boolean } = {}): void {
    r.deleted = true;
    const key = `${r.kind.toLowerCase()}:${r.uid}`;
    const v: Record<string, unknown> = { op: "DELETE", at: iso(t) };
    Object.assign(v, this.withCluster(r.cluster, {}));
    Object.assign(v, { kind: r.kind, uid: r.uid, name: r.name });
    if (r.namespace) v.namespace = r.namespace;
    const tomb = opts.tombstone ?? this.rng.chance(0.5);
    if (tomb && this.rng.chance(0.3)) {
      this.emit("state.k8s.resource", key, null, t);
    } else {
      this.emit("state.k8s.resource", key, v, t);
      if (tomb) this.emit("state.k8s.resource", key, null, t + this.rng.int(500, 5000));
    }
    if (opts.edges ?? true) {
      for (const e of [...(this.edgesOf.get(r) ?? [])]) this.unlink(e, t + this.rng.int(10, 900));
    }
  }

  // ---------------------------------------------------------------- topology

  private endpoint(r: Res, form: TopoForm): string {
    const k = r.kind.toLowerCase();
    if (form === "uid") return `${k}:${r.uid}`;
    return r.namespace ? `${k}:${r.namespace}:${r.name}` : `${k}:${r.name}`;
  }

  private topoForm(): TopoForm {
    const f = this.style.topoForm;
    return f === "mixed" ? (this.rng.chance(0.5) ? "uid" : "nsname") : f;
  }

  /** Emit a topology edge; returns its id. */
  link(from: Res, to: Res, type: string, t: number, arrival?: number): string {
    const ff = this.topoForm();
    const tf = this.style.topoForm === "mixed" ? this.topoForm() : ff;
    const a = this.endpoint(from, ff);
    const b = this.endpoint(to, tf);
    const id = `edge:${a}->${b}`;
    const v = this.withCluster(from.cluster, { op: "UPSERT", at: iso(t), id, from: a, to: b, type });
    this.emit("state.k8s.topology", id, v, t, arrival);
    this.edgeValues.set(id, v);
    for (const r of [from, to]) {
      if (!this.edgesOf.has(r)) this.edgesOf.set(r, new Set());
      this.edgesOf.get(r)!.add(id);
    }
    if (this.style.relistDuplicates && this.rng.chance(0.12)) {
      // A later relist by another producer version names the same edge in the other form.
      const a2 = this.endpoint(from, ff === "uid" ? "nsname" : "uid");
      const b2 = this.endpoint(to, tf === "uid" ? "nsname" : "uid");
      const id2 = `edge:${a2}->${b2}`;
      const t2 = t + this.rng.int(30_000, 240_000);
      const v2 = this.withCluster(from.cluster, {
        op: "UPSERT",
        at: iso(t2),
        id: id2,
        from: a2,
        to: b2,
        type,
      });
      this.emit("state.k8s.topology", id2, v2, t2);
      this.edgesOf.get(from)!.add(id2);
      this.edgesOf.get(to)!.add(id2);
    }
    return id;
  }

  unlink(id: string, t: number): void {
    this.emit("state.k8s.topology", id, null, t);
    for (const set of this.edgesOf.values()) set.delete(id);
  }

  edgesFrom(r: Res): string[] {
    return [...(this.edgesOf.get(r) ?? [])];
  }

  // ---------------------------------------------------------------- K8s events

  private pickForm(): EventForm {
    const f = this.style.eventForm;
    return f === "mixed" ? (this.rng.chance(0.5) ? "raw" : "normalized") : f;
  }

  private pickSubject(): SubjectForm {
    const f = this.style.subjectForm;
    if (f !== "mixed") return f;
    return this.rng.pick(["full", "uid", "nsname"] as const);
  }

  /**
   * Record a Kubernetes Event (first occurrence). Its later occurrences go through `again`,
   * which updates it in place (same uid, growing count and lastTimestamp).
   */
  event(
    on: Res,
    reason: string,
    message: string,
    t: number,
    opts: {
      type?: "Normal" | "Warning";
      component?: string;
      host?: string;
      fieldPath?: string;
      form?: EventForm;
      series?: boolean;
      count?: number;
      first?: number;
    } = {},
  ): EventHandle {
    const component = opts.component ?? "kubelet";
    const h: EventHandle = {
      id: this.rng.uuid(),
      name: `${on.name}.${(BigInt(t) * 1_000_000n + BigInt(this.rng.int(0, 999_999))).toString(16)}`,
      on,
      reason,
      message,
      type: opts.type ?? "Warning",
      component,
      host: opts.host ?? (component === "kubelet" ? on.node : undefined),
      fieldPath: opts.fieldPath,
      first: opts.first ?? t,
      last: t,
      count: opts.count ?? 1,
      form: opts.form ?? this.pickForm(),
      series: opts.series ?? false,
      subjectForm: this.pickSubject(),
    };
    this.emitEvent(h);
    return h;
  }

  /** The event repeats: in-place update with count+step and a new lastTimestamp. */
  again(h: EventHandle, t: number, opts: { step?: number; message?: string } = {}): EventHandle {
    h.count += opts.step ?? 1;
    h.last = Math.max(t, h.last);
    if (opts.message) h.message = opts.message;
    this.emitEvent(h);
    return h;
  }

  /** One event object repeated at each of `times` (sorted). */
  burst(
    on: Res,
    reason: string,
    message: string,
    times: number[],
    opts: Parameters<World["event"]>[4] = {},
  ): EventHandle | undefined {
    const ts = [...times].sort((a, b) => a - b);
    if (ts.length === 0) return undefined;
    const h = this.event(on, reason, message, ts[0]!, opts);
    for (const t of ts.slice(1)) this.again(h, t);
    return h;
  }

  private subjectOf(r: Res, form: SubjectForm, nodeUid?: string): Record<string, unknown> {
    const uid = nodeUid ?? r.uid;
    // A kubelet-recorded Node event carries the node *name* as uid: name it too or it is lost.
    const f = nodeUid !== undefined && form === "uid" ? "full" : form;
    if (f === "uid") return { kind: r.kind, uid };
    if (f === "nsname")
      return r.namespace ? { kind: r.kind, ns: r.namespace, name: r.name } : { kind: r.kind, name: r.name };
    const s: Record<string, unknown> = { kind: r.kind, uid };
    if (r.namespace) s.ns = r.namespace;
    s.name = r.name;
    return s;
  }

  private emitEvent(h: EventHandle): void {
    const r = h.on;
    // kubelet and node-problem-detector record Node events with the node name as uid.
    const nodeUid =
      r.kind === "Node" &&
      ["kubelet", "kernel-monitor", "node-problem-detector", "systemd-monitor"].includes(h.component)
        ? r.name
        : undefined;
    if (h.form === "normalized") {
      const v: Record<string, unknown> = {
        event_id: h.id,
        event_time: iso(h.last),
        etype: "k8s.event",
        severity: severityOf(h.reason, h.message, h.type),
        reason: h.reason,
        message: h.message,
        subject: this.subjectOf(r, h.subjectForm, nodeUid),
        source: h.host ? { component: h.component, host: h.host } : { component: h.component },
        count: h.count,
      };
      if (h.count > 1) v.first_time = iso(h.first);
      this.emit("events.normalized", h.id, this.withCluster(r.cluster, v), h.last);
      return;
    }
    const involved: Record<string, unknown> = { kind: r.kind };
    if (r.namespace) involved.namespace = r.namespace;
    involved.name = r.name;
    involved.uid = nodeUid ?? r.uid;
    involved.apiVersion = API_VERSION[r.kind] ?? "v1";
    involved.resourceVersion = this.nextRv();
    if (h.fieldPath) involved.fieldPath = h.fieldPath;
    const meta = {
      name: h.name,
      namespace: r.namespace ?? "default",
      uid: h.id,
      resourceVersion: this.nextRv(),
      creationTimestamp: iso(h.first),
    };
    let v: Record<string, unknown>;
    if (h.series) {
      v = {
        metadata: meta,
        involvedObject: involved,
        reason: h.reason,
        message: h.message,
        source: {},
        firstTimestamp: null,
        lastTimestamp: null,
        eventTime: iso(h.first, 6),
        type: h.type,
        action: h.reason === "FailedScheduling" ? "Scheduling" : "",
        reportingComponent: h.component,
        reportingInstance: h.host ?? `${h.component}-${r.cluster.id}`,
      };
      if (h.count > 1) v.series = { count: h.count, lastObservedTime: iso(h.last, 6) };
    } else {
      v = {
        metadata: meta,
        involvedObject: involved,
        reason: h.reason,
        message: h.message,
        source: h.host ? { component: h.component, host: h.host } : { component: h.component },
        firstTimestamp: iso(h.first),
        lastTimestamp: iso(h.last),
        count: h.count,
        type: h.type,
        eventTime: null,
        reportingComponent: h.component === "kubelet" ? "kubelet" : "",
        reportingInstance: h.component === "kubelet" ? (h.host ?? "") : "",
      };
    }
    this.emit("events.normalized", h.id, this.withCluster(r.cluster, v), h.last);
  }

  /**
   * An event the state-watcher derives from a container state transition (OOMKilled, Error,
   * CrashLoopBackOff, ErrImagePull...). Always normalized, one id per transition.
   */
  watcherEvent(on: Res, reason: string, message: string, t: number, severity?: string): string {
    const id = `${this.rng.pick(["sw", "cs", "ctr"])}-${this.rng.hex(12)}`;
    const v: Record<string, unknown> = {
      event_id: id,
      event_time: iso(t),
      etype: "k8s.event",
      severity: severity ?? severityOf(reason, message, "Warning"),
      reason,
      message,
      subject: this.subjectOf(on, this.pickSubject()),
      source: on.node ? { component: "state-watcher", host: on.node } : { component: "state-watcher" },
      count: 1,
    };
    this.emit("events.normalized", id, this.withCluster(on.cluster, v), t);
    return id;
  }

  // ---------------------------------------------------------------- logs

  private pickLogForm(): LogForm {
    const f = this.style.logForm;
    return f === "mixed" ? this.rng.pick(["subject", "flat", "nested"] as const) : f;
  }

  /** One log line from a pod's container, as Vector ships it. Returns its event_id if any. */
  log(
    pod: Res,
    t: number,
    severity: string,
    message: string,
    opts: { container?: string; id?: boolean } = {},
  ): string | undefined {
    const form = this.pickLogForm();
    const withId = opts.id ?? this.style.logIds;
    const id = withId ? `l-${this.rng.hex(16)}` : undefined;
    const container = opts.container ?? pod.containers?.[0] ?? pod.name.split("-")[0];
    let v: Record<string, unknown>;
    if (form === "subject") {
      v = {};
      if (id) v.event_id = id;
      Object.assign(v, {
        event_time: iso(t, 3),
        etype: "k8s.log",
        severity,
        message,
        subject: this.rng.chance(0.5)
          ? { kind: "Pod", ns: pod.namespace, name: pod.name }
          : { kind: "Pod", uid: pod.uid, ns: pod.namespace, name: pod.name },
        container,
      });
    } else if (form === "flat") {
      v = {};
      if (id) v.event_id = id;
      Object.assign(v, {
        event_time: iso(t, 3),
        etype: "k8s.log",
        severity: severity.toLowerCase(),
        message,
        pod_uid: pod.uid,
        pod_namespace: pod.namespace,
        pod_name: pod.name,
        container_name: container,
      });
    } else {
      v = {};
      if (id) v.event_id = id;
      Object.assign(v, {
        event_time: iso(t, 3),
        severity: severity.toLowerCase(),
        message,
        kubernetes: {
          pod_uid: pod.uid,
          pod_namespace: pod.namespace,
          pod_name: pod.name,
          container_name: container,
          pod_node_name: pod.node,
        },
        stream: severity === "INFO" ? "stdout" : "stderr",
      });
    }
    this.emit("logs.normalized", pod.uid, this.withCluster(pod.cluster, v), t);
    return id;
  }

  // ---------------------------------------------------------------- alerts

  /** A Prometheus alert as the enricher publishes it (firing, then resolved if it resolves). */
  alert(spec: AlertSpec, opts: { subjectless?: boolean; arrival?: number } = {}): AlertHandle {
    const labels: Record<string, string> = { alertname: spec.name, ...spec.labels, severity: spec.severity };
    if (spec.cluster.field !== "none" && !labels.cluster && spec.cluster.promClusterLabel)
      labels.cluster = spec.cluster.id;
    const sorted = Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join(",");
    const id = fingerprint(sorted);
    const annotations: Record<string, string> = { description: spec.description, summary: spec.summary };
    if (spec.runbook) annotations.runbook_url = spec.runbook;
    const sev = { critical: "ERROR", warning: "WARNING", info: "INFO", none: "INFO" }[spec.severity];
    const base = (status: "firing" | "resolved", endsAt?: number): Record<string, unknown> => {
      const v: Record<string, unknown> = {
        event_id: id,
        event_time: iso(spec.activeAt, 3),
        etype: "prom.alert",
        severity: sev,
        reason: spec.name,
        message: spec.description,
        status,
        labels,
        annotations,
        startsAt: iso(spec.activeAt, 3),
        endsAt: endsAt ? iso(endsAt, 3) : "0001-01-01T00:00:00Z",
        fingerprint: id,
        generatorURL: `http://${spec.cluster.promRelease}-prometheus.monitoring:9090/graph?g0.expr=${encodeURIComponent(spec.name)}&g0.tab=1`,
      };
      if (spec.subject && !opts.subjectless) {
        const s = spec.subject;
        v.subject =
          "cluster" in s
            ? s.namespace
              ? { kind: s.kind, ns: s.namespace, name: s.name }
              : { kind: s.kind, name: s.name }
            : s.ns
              ? { kind: s.kind, ns: s.ns, name: s.name }
              : { kind: s.kind, name: s.name };
      }
      return this.withCluster(spec.cluster, v);
    };
    const firstSend = opts.arrival ?? spec.activeAt + spec.forSec * 1000 + this.rng.int(15_000, 75_000);
    this.emit("alerts.enriched", id, base("firing"), spec.activeAt, firstSend);
    if (spec.resolvedAt !== undefined) {
      const r = spec.resolvedAt;
      this.emit(
        "alerts.enriched",
        id,
        base("resolved", r),
        r,
        Math.max(firstSend + 1000, r + this.rng.int(30_000, 300_000)),
      );
    }
    return { id, spec };
  }
}
