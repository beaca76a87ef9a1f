/**
 * Kubernetes mechanics: nodes, workloads and the event sequences kubelet, the scheduler and the
 * controllers really produce (pod start, crash loops with kubelet back-off, probe failures,
 * image pull back-off, mount retries, scheduling retries, evictions, rollouts).
 *
 * Message texts follow the upstream sources (kubelet, kube-scheduler, controller-manager);
 * where they changed across versions the cluster's minor version picks the form.
 */
import type { Cluster } from "./cluster.js";
import { type EventHandle, iso, type Res, type World } from "./world.js";

export const SEC = 1000;
export const MIN = 60 * SEC;

// ------------------------------------------------------------------ nodes

export type Cond = "True" | "False" | "Unknown";
export interface NodeConds {
  Ready?: Cond;
  MemoryPressure?: Cond;
  DiskPressure?: Cond;
  PIDPressure?: Cond;
  NetworkUnavailable?: Cond;
}

const COND_TEXT: Record<string, Record<string, [string, string]>> = {
  MemoryPressure: {
    False: ["KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
    True: ["KubeletHasInsufficientMemory", "kubelet has insufficient memory available"],
    Unknown: ["NodeStatusUnknown", "Kubelet stopped posting node status."],
  },
  DiskPressure: {
    False: ["KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
    True: ["KubeletHasDiskPressure", "kubelet has disk pressure"],
    Unknown: ["NodeStatusUnknown", "Kubelet stopped posting node status."],
  },
  PIDPressure: {
    False: ["KubeletHasSufficientPID", "kubelet has sufficient PID available"],
    True: ["KubeletHasInsufficientPID", "kubelet has insufficient PID available"],
    Unknown: ["NodeStatusUnknown", "Kubelet stopped posting node status."],
  },
  Ready: {
    True: ["KubeletReady", "kubelet is posting ready status"],
    False: ["KubeletNotReady", "container runtime network not ready"],
    Unknown: ["NodeStatusUnknown", "Kubelet stopped posting node status."],
  },
};

/** Node status conditions in the cluster's form (map or the K8s list). */
export function nodeStatus(
  c: Cluster,
  conds: NodeConds,
  t: number,
  ready?: { reason: string; message: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const full: Required<Omit<NodeConds, "NetworkUnavailable">> = {
    MemoryPressure: conds.MemoryPressure ?? "False",
    DiskPressure: conds.DiskPressure ?? "False",
    PIDPressure: conds.PIDPressure ?? "False",
    Ready: conds.Ready ?? "True",
  };
  if (c.nodeConditions === "map") return { conditions: { ...full }, ...extra };
  const list = Object.entries(full).map(([type, status]) => {
    const [reason, message] =
      type === "Ready" && ready && status !== "True"
        ? [ready.reason, ready.message]
        : COND_TEXT[type]![status]!;
    return {
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: iso(t),
      lastTransitionTime: iso(t),
    };
  });
  return { conditions: list, ...extra };
}

const INSTANCE: Record<string, string[]> = {
  eks: ["m6i.xlarge", "m5.2xlarge", "c6i.2xlarge", "r6i.xlarge", "m7g.xlarge"],
  gke: ["e2-standard-4", "n2-standard-8", "e2-highmem-4", "n2d-standard-4"],
  aks: ["Standard_D4s_v5", "Standard_D8s_v3", "Standard_E4s_v5"],
  kubeadm: ["bare-metal", "vm.large", "pve-8c32g"],
};

export function makeNodes(
  w: World,
  c: Cluster,
  n: number,
  o: { t?: number; pool?: string; start?: number; controlPlane?: number } = {},
): Res[] {
  const r = w.rng;
  const t = o.t ?? w.tList;
  const out: Res[] = [];
  const inst = r.pick(INSTANCE[c.flavor]!);
  const zones = ["a", "b", "c"].map((z) =>
    c.flavor === "aks"
      ? `${c.region}-${"abc".indexOf(z) + 1}`
      : c.flavor === "kubeadm"
        ? `rack-${z}`
        : `${c.region}${z}`,
  );
  const start = o.start ?? 0;
  for (let i = 0; i < n; i++) {
    const idx = start + i;
    const cp = idx < (o.controlPlane ?? 0);
    const name = cp ? `cp-${String(idx + 1).padStart(2, "0")}` : c.nodeName(idx, o.pool);
    const labels: Record<string, string> = {
      "kubernetes.io/hostname": name,
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": inst.startsWith("m7g") ? "arm64" : "amd64",
      "node.kubernetes.io/instance-type": inst,
      "topology.kubernetes.io/zone": zones[idx % 3]!,
    };
    if (c.flavor === "eks") labels["eks.amazonaws.com/nodegroup"] = o.pool ?? "general";
    if (c.flavor === "gke") labels["cloud.google.com/gke-nodepool"] = o.pool ?? "default-pool";
    if (c.flavor === "aks") labels.agentpool = o.pool ?? "nodepool1";
    if (cp) labels["node-role.kubernetes.io/control-plane"] = "";
    const spec: Record<string, unknown> = {};
    if (c.flavor !== "eks")
      spec.podCIDR = c.flavor === "gke" ? `10.52.${idx * 2}.0/24` : `10.244.${idx + 1}.0/24`;
    if (c.flavor === "eks") spec.providerID = `aws:///${c.region}${"abc"[idx % 3]}/i-0${r.hex(16)}`;
    if (cp) spec.taints = [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }];
    const node = w.res(c, "Node", name, undefined, {
      labels,
      spec,
      status: nodeStatus(c, {}, t, undefined, {
        allocatable: {
          cpu: inst.includes("8") ? "7910m" : "3920m",
          memory: `${r.pick([15, 30, 61])}Gi`,
          pods: "110",
        },
        nodeInfo: {
          kubeletVersion: `v1.${c.minor}.${r.int(2, 12)}`,
          containerRuntimeVersion: `containerd://1.${r.int(6, 7)}.${r.int(2, 20)}`,
        },
      }),
      idx,
    });
    w.put(node, t + i * r.int(5, 60));
    out.push(node);
  }
  return out;
}

/** Change a node's conditions and emit the updated Node. */
export function setNodeConds(
  w: World,
  node: Res,
  t: number,
  conds: NodeConds,
  ready?: { reason: string; message: string },
): void {
  const old = (node.status ?? {}) as Record<string, unknown>;
  const { conditions: _ignored, ...rest } = old;
  node.status = nodeStatus(node.cluster, conds, t, ready, rest);
  w.put(node, t);
}

// ------------------------------------------------------------------ workloads

export type LabelKey = "app" | "app.kubernetes.io/name" | "k8s-app";

export interface Workload {
  c: Cluster;
  kind: "Deployment" | "StatefulSet" | "DaemonSet";
  ns: string;
  app: string;
  ctrl: Res;
  rs?: Res;
  pods: Res[];
  svc?: Res;
  container: string;
  image: string;
  port: number;
  podLabels: Record<string, string>;
  nodes: Res[];
  pvcs: Res[];
  /** Service DNS name. */
  host: string;
}

export interface WorkloadOpts {
  ns: string;
  app: string;
  replicas?: number;
  image?: string;
  port?: number;
  container?: string;
  sidecars?: string[];
  initContainers?: string[];
  labelKey?: LabelKey;
  service?: boolean | string;
  svcPort?: number;
  mem?: string;
  cpu?: string;
  env?: Record<string, string>;
  args?: string[];
  t?: number;
  strategy?: "RollingUpdate" | "Recreate";
  volumes?: Record<string, unknown>[];
  probes?: Record<string, unknown>;
  restarts?: boolean;
  extraLabels?: Record<string, string>;
  nodeSpread?: Res[];
  /** Create the controller only: its pods are created by the scenario. */
  noPods?: boolean;
}

export function tag(w: World): string {
  const r = w.rng;
  return r.pick([
    `${r.int(1, 4)}.${r.int(0, 24)}.${r.int(0, 12)}`,
    `v${r.int(1, 3)}.${r.int(0, 40)}.${r.int(0, 9)}`,
    `${r.pick(["2024", "2025"])}.${r.int(1, 12)}.${r.int(1, 28)}-${r.hex(7)}`,
    `sha-${r.hex(7)}`,
  ]);
}

/** The next version after a tag (same style). */
export function bump(w: World, t: string): string {
  const m = /^(v?)(\d+)\.(\d+)\.(\d+)$/.exec(t);
  if (m)
    return w.rng.chance(0.7)
      ? `${m[1]}${m[2]}.${m[3]}.${Number(m[4]) + 1}`
      : `${m[1]}${m[2]}.${Number(m[3]) + 1}.0`;
  const d = /^(\d{4})\.(\d+)\.(\d+)-[0-9a-f]+$/.exec(t);
  if (d) return `${d[1]}.${d[2]}.${Math.min(28, Number(d[3]) + 1)}-${w.rng.hex(7)}`;
  return `sha-${w.rng.hex(7)}`;
}

export function imageRef(c: Cluster, ns: string, app: string, t: string): string {
  return `${c.registry}/${ns}/${app}:${t}`;
}

function nextHash(w: World): string {
  return w.rng.safe(w.rng.pick([8, 9, 10, 10]));
}

function containerSpec(
  o: WorkloadOpts,
  image: string,
  port: number,
  container: string,
): Record<string, unknown> {
  const c: Record<string, unknown> = {
    name: container,
    image,
    ports: [{ name: "http", containerPort: port, protocol: "TCP" }],
    resources: {
      requests: { cpu: o.cpu ? halve(o.cpu) : "100m", memory: o.mem ? halve(o.mem) : "128Mi" },
      limits: o.cpu ? { cpu: o.cpu, memory: o.mem ?? "512Mi" } : { memory: o.mem ?? "512Mi" },
    },
  };
  if (o.env) c.env = Object.entries(o.env).map(([name, value]) => ({ name, value }));
  if (o.args) c.args = [...o.args];
  if (o.probes) Object.assign(c, o.probes);
  return c;
}

function halve(q: string): string {
  const m = /^(\d+)(m|Mi|Gi)?$/.exec(q);
  if (!m) return q;
  const n = Number(m[1]);
  if (m[2] === "Gi") return `${n * 512}Mi`;
  if (m[2] === "Mi") return `${Math.max(16, Math.floor(n / 2))}Mi`;
  if (m[2] === "m") return `${Math.max(10, Math.floor(n / 2))}m`;
  return `${Math.max(100, n * 500)}m`;
}

export function templateOf(r: Res): Record<string, unknown> {
  return ((r.spec as Record<string, unknown>).template as Record<string, unknown>).spec as Record<
    string,
    unknown
  >;
}

export function mainContainer(r: Res): Record<string, unknown> {
  return (templateOf(r).containers as Record<string, unknown>[])[0]!;
}

/** A Deployment with its ReplicaSet, pods and (usually) a Service, as listed at watcher start. */
export function deployment(w: World, c: Cluster, nodes: Res[], o: WorkloadOpts): Workload {
  const r = w.rng;
  const t = o.t ?? w.tList + r.int(0, 20 * SEC);
  const labelKey = o.labelKey ?? "app";
  const port = o.port ?? r.pick([8080, 8080, 3000, 8000, 9090, 5000]);
  const container = o.container ?? o.app;
  const image = o.image ?? imageRef(c, o.ns, o.app, tag(w));
  const replicas = o.replicas ?? r.int(2, 4);
  const selector: Record<string, string> = { [labelKey]: o.app };
  const podLabels: Record<string, string> = { ...selector, ...(o.extraLabels ?? {}) };
  if (labelKey === "app.kubernetes.io/name") podLabels["app.kubernetes.io/instance"] = o.app;
  const containers = [containerSpec(o, image, port, container)];
  for (const s of o.sidecars ?? []) containers.push({ name: s, image: sidecarImage(s) });
  const tmpl: Record<string, unknown> = { containers };
  if (o.initContainers) tmpl.initContainers = o.initContainers.map((n) => ({ name: n, image }));
  if (o.volumes) tmpl.volumes = o.volumes;
  const dep = w.res(c, "Deployment", o.app, o.ns, {
    labels: { ...podLabels },
    image,
    replicas,
    spec: {
      replicas,
      selector: { matchLabels: selector },
      strategy:
        (o.strategy ?? "RollingUpdate") === "Recreate"
          ? { type: "Recreate" }
          : { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: { metadata: { labels: podLabels }, spec: tmpl },
    },
    status: { replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas },
    extra: { generation: r.int(3, 60) },
  });
  const hash = nextHash(w);
  const rs = w.res(c, "ReplicaSet", `${o.app}-${hash}`, o.ns, {
    labels: { ...podLabels, "pod-template-hash": hash },
    ownerRefs: [{ kind: "Deployment", name: o.app, uid: dep.uid, controller: true }],
    image,
    replicas,
    status: { replicas, readyReplicas: replicas },
  });
  w.put(dep, t);
  w.put(rs, t + r.int(1, 400));
  w.link(dep, rs, "CONTROLS", t + r.int(1, 600));
  const wl: Workload = {
    c,
    kind: "Deployment",
    ns: o.ns,
    app: o.app,
    ctrl: dep,
    rs,
    pods: [],
    container,
    image,
    port,
    podLabels,
    nodes,
    pvcs: [],
    host: `${o.app}.${o.ns}.svc.cluster.local`,
  };
  if (o.service !== false)
    wl.svc = service(
      w,
      c,
      o.ns,
      typeof o.service === "string" ? o.service : o.app,
      selector,
      o.svcPort ?? (r.chance(0.5) ? 80 : port),
      port,
      t,
    );
  if (wl.svc) wl.host = `${wl.svc.name}.${o.ns}.svc.cluster.local`;
  const spread = o.nodeSpread ?? r.shuffle(nodes);
  for (let i = 0; i < (o.noPods ? 0 : replicas); i++) {
    const node = spread[i % spread.length]!;
    const pod = w.res(c, "Pod", `${rs.name}-${r.safe(5)}`, o.ns, {
      labels: { ...podLabels, "pod-template-hash": hash },
      ownerRefs: [{ kind: "ReplicaSet", name: rs.name, uid: rs.uid, controller: true }],
      node: node.name,
      podIP: c.podIP(node.idx ?? 0),
      image,
      status: {
        phase: "Running",
        restartCount: o.restarts
          ? r.weighted([
              [0, 6],
              [1, 2],
              [2, 1],
            ] as const)
          : 0,
        containerReady: true,
        qosClass: o.cpu ? "Guaranteed" : "Burstable",
      },
      spec: {
        containers: [{ name: container, resources: (containers[0] as Record<string, unknown>).resources }],
      },
      containers: [container, ...(o.sidecars ?? [])],
      initContainers: o.initContainers,
    });
    const tp = t + r.int(50, 3000);
    w.put(pod, tp);
    w.link(rs, pod, "CONTROLS", tp + r.int(1, 300));
    w.link(pod, node, "RUNS_ON", tp + r.int(1, 300));
    if (wl.svc) w.link(wl.svc, pod, "SELECTS", tp + r.int(1, 500));
    wl.pods.push(pod);
  }
  return wl;
}

export function sidecarImage(name: string): string {
  const known: Record<string, string> = {
    "istio-proxy": "docker.io/istio/proxyv2:1.20.3",
    envoy: "envoyproxy/envoy:v1.29.2",
    "fluent-bit": "cr.fluentbit.io/fluent/fluent-bit:2.2.2",
    "cloud-sql-proxy": "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.2",
    "oauth2-proxy": "quay.io/oauth2-proxy/oauth2-proxy:v7.5.1",
    "otel-collector": "otel/opentelemetry-collector-contrib:0.96.0",
    "vault-agent": "hashicorp/vault:1.15.6",
    "metrics-exporter": "quay.io/prometheus/statsd-exporter:v0.26.0",
  };
  return known[name] ?? `docker.io/library/${name}:latest`;
}

export function service(
  w: World,
  c: Cluster,
  ns: string,
  name: string,
  selector: Record<string, string>,
  port: number,
  targetPort: number | string,
  t: number,
): Res {
  const svc = w.res(c, "Service", name, ns, {
    labels: { ...selector },
    serviceSelector: { ...selector },
    spec: {
      type: "ClusterIP",
      clusterIP: c.serviceIP(),
      ports: [{ name: "http", port, targetPort, protocol: "TCP" }],
    },
  });
  w.put(svc, t + w.rng.int(1, 900));
  return svc;
}

export function svcIP(svc: Res): string {
  return (svc.spec as { clusterIP: string }).clusterIP;
}

/** A StatefulSet with ordinal pods, per-pod PVCs bound to PVs, and a Service. */
export function statefulSet(
  w: World,
  c: Cluster,
  nodes: Res[],
  o: WorkloadOpts & { storage?: string; storageClass?: string; volumeEdges?: boolean },
): Workload {
  const r = w.rng;
  const t = o.t ?? w.tList + r.int(0, 20 * SEC);
  const labelKey = o.labelKey ?? "app.kubernetes.io/name";
  const port = o.port ?? 5432;
  const container = o.container ?? o.app;
  const image = o.image ?? `docker.io/bitnami/${o.app}:latest`;
  const replicas = o.replicas ?? 1;
  const selector = { [labelKey]: o.app };
  const podLabels = { ...selector, ...(o.extraLabels ?? {}) };
  const containers = [containerSpec(o, image, port, container)];
  for (const s of o.sidecars ?? []) containers.push({ name: s, image: sidecarImage(s) });
  const sts = w.res(c, "StatefulSet", o.app, o.ns, {
    labels: { ...podLabels },
    image,
    replicas,
    spec: {
      replicas,
      serviceName: `${o.app}-headless`,
      selector: { matchLabels: selector },
      updateStrategy: { type: "RollingUpdate" },
      template: { metadata: { labels: podLabels }, spec: { containers } },
      volumeClaimTemplates: [
        { name: "data", storage: o.storage ?? "20Gi", storageClassName: o.storageClass ?? "gp3" },
      ],
    },
    status: { replicas, readyReplicas: replicas, currentRevision: `${o.app}-${r.safe(10)}` },
    extra: { generation: r.int(2, 20) },
  });
  w.put(sts, t);
  const wl: Workload = {
    c,
    kind: "StatefulSet",
    ns: o.ns,
    app: o.app,
    ctrl: sts,
    pods: [],
    container,
    image,
    port,
    podLabels,
    nodes,
    pvcs: [],
    host: `${o.app}.${o.ns}.svc.cluster.local`,
  };
  if (o.service !== false) {
    wl.svc = service(
      w,
      c,
      o.ns,
      typeof o.service === "string" ? o.service : o.app,
      selector,
      o.svcPort ?? port,
      port,
      t,
    );
    wl.host = `${wl.svc.name}.${o.ns}.svc.cluster.local`;
  }
  const spread = o.nodeSpread ?? r.shuffle(nodes);
  for (let i = 0; i < replicas; i++) {
    const node = spread[i % spread.length]!;
    const pvName = `pvc-${r.uuid()}`;
    const pvc = w.res(c, "PersistentVolumeClaim", `data-${o.app}-${i}`, o.ns, {
      labels: { ...selector },
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName: o.storageClass ?? "gp3",
        volumeName: pvName,
        resources: { requests: { storage: o.storage ?? "20Gi" } },
      },
      status: { phase: "Bound", capacity: { storage: o.storage ?? "20Gi" } },
    });
    const pv = w.res(c, "PersistentVolume", pvName, undefined, {
      spec: {
        claimRef: { namespace: o.ns, name: pvc.name },
        storageClassName: o.storageClass ?? "gp3",
        csi: { driver: csiDriver(c), volumeHandle: volHandle(w, c) },
      },
      status: { phase: "Bound" },
    });
    const pod = w.res(c, "Pod", `${o.app}-${i}`, o.ns, {
      labels: { ...podLabels, "statefulset.kubernetes.io/pod-name": `${o.app}-${i}` },
      ownerRefs: [{ kind: "StatefulSet", name: o.app, uid: sts.uid, controller: true }],
      node: node.name,
      podIP: c.podIP(node.idx ?? 0),
      image,
      status: { phase: "Running", restartCount: o.restarts ? r.int(0, 2) : 0, containerReady: true },
      spec: {
        containers: [{ name: container, resources: (containers[0] as Record<string, unknown>).resources }],
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: pvc.name } }],
      },
      containers: [container, ...(o.sidecars ?? [])],
    });
    const tp = t + r.int(50, 3000);
    w.put(pvc, tp - r.int(10, 40));
    w.put(pv, tp - r.int(10, 40));
    w.put(pod, tp);
    w.link(sts, pod, "CONTROLS", tp + r.int(1, 300));
    w.link(pod, node, "RUNS_ON", tp + r.int(1, 300));
    if (wl.svc) w.link(wl.svc, pod, "SELECTS", tp + r.int(1, 500));
    if (o.volumeEdges ?? true) {
      w.link(pod, pvc, "MOUNTS", tp + r.int(1, 500));
      w.link(pvc, pv, "BOUND_TO", tp + r.int(1, 500));
    }
    wl.pods.push(pod);
    wl.pvcs.push(pvc);
  }
  return wl;
}

export function csiDriver(c: Cluster): string {
  return {
    eks: "ebs.csi.aws.com",
    gke: "pd.csi.storage.gke.io",
    aks: "disk.csi.azure.com",
    kubeadm: "rbd.csi.ceph.com",
  }[c.flavor];
}

export function volHandle(w: World, c: Cluster): string {
  if (c.flavor === "eks") return `vol-0${w.rng.hex(16)}`;
  if (c.flavor === "gke") return `projects/acme-prod/zones/${c.region}-b/disks/pvc-${w.rng.uuid()}`;
  if (c.flavor === "aks")
    return `/subscriptions/${w.rng.uuid()}/resourceGroups/mc_prod/providers/Microsoft.Compute/disks/pvc-${w.rng.uuid()}`;
  return `0001-0009-rook-ceph-0000000000000002-${w.rng.uuid()}`;
}

/** A DaemonSet with one pod per node. */
export function daemonSet(w: World, c: Cluster, nodes: Res[], o: WorkloadOpts): Workload {
  const r = w.rng;
  const t = o.t ?? w.tList + r.int(0, 20 * SEC);
  const labelKey = o.labelKey ?? "k8s-app";
  const port = o.port ?? 9100;
  const container = o.container ?? o.app;
  const image = o.image ?? `docker.io/library/${o.app}:latest`;
  const selector = { [labelKey]: o.app };
  const podLabels = { ...selector, ...(o.extraLabels ?? {}) };
  const ds = w.res(c, "DaemonSet", o.app, o.ns, {
    labels: { ...podLabels },
    image,
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: podLabels },
        spec: { containers: [containerSpec(o, image, port, container)] },
      },
    },
    status: { desiredNumberScheduled: nodes.length, numberReady: nodes.length },
    extra: { generation: r.int(1, 12) },
  });
  w.put(ds, t);
  const wl: Workload = {
    c,
    kind: "DaemonSet",
    ns: o.ns,
    app: o.app,
    ctrl: ds,
    pods: [],
    container,
    image,
    port,
    podLabels,
    nodes,
    pvcs: [],
    host: `${o.app}.${o.ns}.svc.cluster.local`,
  };
  if (o.service)
    wl.svc = service(
      w,
      c,
      o.ns,
      typeof o.service === "string" ? o.service : o.app,
      selector,
      o.svcPort ?? port,
      port,
      t,
    );
  for (const node of nodes) {
    const pod = w.res(c, "Pod", `${o.app}-${r.safe(5)}`, o.ns, {
      labels: { ...podLabels, "controller-revision-hash": r.safe(9) },
      ownerRefs: [{ kind: "DaemonSet", name: o.app, uid: ds.uid, controller: true }],
      node: node.name,
      podIP: o.extraLabels?.hostNetwork ? node.cluster.internalIP(node.idx ?? 0) : c.podIP(node.idx ?? 0),
      image,
      status: { phase: "Running", restartCount: 0, containerReady: true },
      containers: [container],
    });
    const tp = t + r.int(50, 3000);
    w.put(pod, tp);
    w.link(ds, pod, "CONTROLS", tp + r.int(1, 300));
    w.link(pod, node, "RUNS_ON", tp + r.int(1, 300));
    if (wl.svc) w.link(wl.svc, pod, "SELECTS", tp + r.int(1, 500));
    wl.pods.push(pod);
  }
  return wl;
}

// ------------------------------------------------------------------ pod lifecycle

const podEvents = new WeakMap<Res, Map<string, EventHandle>>();

/** The pod's event object for (reason, message), updated in place on repeats. */
export function podEvent(
  w: World,
  pod: Res,
  reason: string,
  message: string,
  t: number,
  opts: { type?: "Normal" | "Warning"; fieldPath?: string; component?: string; step?: number } = {},
): EventHandle {
  let m = podEvents.get(pod);
  if (!m) {
    m = new Map();
    podEvents.set(pod, m);
  }
  const key = `${reason}|${message}`;
  const h = m.get(key);
  if (h) return w.again(h, t, { step: opts.step });
  const n = w.event(pod, reason, message, t, {
    type: opts.type ?? "Warning",
    fieldPath: opts.fieldPath,
    component: opts.component,
    host: (opts.component ?? "kubelet") === "kubelet" ? pod.node : undefined,
  });
  if (opts.step && opts.step > 1) w.again(n, t, { step: opts.step - 1 });
  m.set(key, n);
  return n;
}

function fp(pod: Res, container: string): string {
  return pod.initContainers?.includes(container)
    ? `spec.initContainers{${container}}`
    : `spec.containers{${container}}`;
}

/** "Successfully pulled image" in the form of the cluster's kubelet version. */
export function pulledMessage(w: World, c: Cluster, image: string): string {
  const s = w.rng.float(0.6, 14);
  const waiting = s + w.rng.float(0, 0.4);
  if (c.minor < 28)
    return `Successfully pulled image "${image}" in ${s.toFixed(9)}s (${waiting.toFixed(9)}s including waiting)`;
  const base = `Successfully pulled image "${image}" in ${s.toFixed(3)}s (${waiting.toFixed(3)}s including waiting)`;
  return c.minor >= 29 ? `${base}. Image size: ${w.rng.int(12_000_000, 480_000_000)} bytes.` : base;
}

export function backOffMessage(c: Cluster, pod: Res, container: string): string {
  if (c.minor >= 26)
    return `Back-off restarting failed container ${container} in pod ${pod.name}_${pod.namespace}(${pod.uid})`;
  return "Back-off restarting failed container";
}

/**
 * The owner creates a pod and the scheduler binds it (when a node is given).
 * Returns the pod, with node and IP set if scheduled.
 */
export function createPod(
  w: World,
  owner: Res,
  t: number,
  o: {
    name?: string;
    labels?: Record<string, string>;
    image?: string;
    containers?: string[];
    initContainers?: string[];
    node?: Res;
    svc?: Res;
    scheduleMs?: number;
    spec?: Record<string, unknown>;
  },
): Res {
  const r = w.rng;
  const c = owner.cluster;
  const kindCtl: Record<string, string> = {
    ReplicaSet: "replicaset-controller",
    StatefulSet: "statefulset-controller",
    DaemonSet: "daemonset-controller",
    Job: "job-controller",
  };
  const name =
    o.name ??
    (owner.kind === "Job" || owner.kind === "DaemonSet"
      ? `${owner.name}-${r.safe(5)}`
      : `${owner.name}-${r.safe(5)}`);
  const pod = w.res(c, "Pod", name, owner.namespace, {
    labels: { ...(o.labels ?? owner.labels ?? {}) },
    ownerRefs: [{ kind: owner.kind, name: owner.name, uid: owner.uid, controller: true }],
    image: o.image ?? owner.image,
    status: { phase: "Pending", restartCount: 0, containerReady: false },
    containers: o.containers ?? [owner.name.replace(/-[a-z0-9]{8,10}$/, "")],
    initContainers: o.initContainers,
  });
  if (o.spec) pod.spec = o.spec;
  const msg =
    owner.kind === "StatefulSet"
      ? `create Pod ${name} in StatefulSet ${owner.name} successful`
      : `Created pod: ${name}`;
  w.event(owner, "SuccessfulCreate", msg, t, {
    type: "Normal",
    component: kindCtl[owner.kind] ?? "controller-manager",
  });
  w.put(pod, t + r.int(1, 80));
  w.link(owner, pod, "CONTROLS", t + r.int(5, 200));
  if (o.svc) w.link(o.svc, pod, "SELECTS", t + r.int(20, 900));
  if (o.node) schedule(w, pod, o.node, t + (o.scheduleMs ?? r.int(20, 1500)));
  return pod;
}

export function schedule(w: World, pod: Res, node: Res, t: number): void {
  pod.node = node.name;
  pod.podIP = undefined;
  w.event(pod, "Scheduled", `Successfully assigned ${pod.namespace}/${pod.name} to ${node.name}`, t, {
    type: "Normal",
    component: "default-scheduler",
    series: false,
  });
  w.put(pod, t + w.rng.int(5, 200));
  w.link(pod, node, "RUNS_ON", t + w.rng.int(5, 300));
}

/** Pull (or reuse) images, create and start the containers. Returns the time the pod is ready. */
export function startContainers(
  w: World,
  pod: Res,
  t: number,
  o: {
    pull?: boolean;
    image?: string;
    containers?: string[];
    readySec?: number;
    ready?: boolean;
    ipNode?: Res;
  } = {},
): number {
  const r = w.rng;
  const image = o.image ?? pod.image ?? "";
  let tt = t + r.int(300, 2500);
  if (!pod.podIP) {
    const node = o.ipNode;
    pod.podIP = pod.cluster.podIP(node?.idx ?? r.int(0, 5));
  }
  for (const ctr of o.containers ?? pod.containers ?? []) {
    const img = ctr === (pod.containers?.[0] ?? "") ? image : image;
    if (o.pull ?? true) {
      podEvent(w, pod, "Pulling", `Pulling image "${img}"`, tt, { type: "Normal", fieldPath: fp(pod, ctr) });
      tt += r.int(700, 9000);
      podEvent(w, pod, "Pulled", pulledMessage(w, pod.cluster, img), tt, {
        type: "Normal",
        fieldPath: fp(pod, ctr),
      });
    } else {
      podEvent(w, pod, "Pulled", `Container image "${img}" already present on machine`, tt, {
        type: "Normal",
        fieldPath: fp(pod, ctr),
      });
    }
    tt += r.int(100, 900);
    podEvent(w, pod, "Created", `Created container ${ctr}`, tt, { type: "Normal", fieldPath: fp(pod, ctr) });
    tt += r.int(100, 700);
    podEvent(w, pod, "Started", `Started container ${ctr}`, tt, { type: "Normal", fieldPath: fp(pod, ctr) });
  }
  const ready = tt + (o.readySec ?? r.int(3, 25)) * SEC;
  pod.status = { ...(pod.status ?? {}), phase: "Running", containerReady: o.ready ?? true };
  w.put(pod, o.ready === false ? tt + r.int(200, 900) : ready);
  return ready;
}

/** When the pod's (last) container last started, per its Started event. */
export function startedAt(pod: Res): number | undefined {
  const m = podEvents.get(pod);
  if (!m) return undefined;
  let t: number | undefined;
  for (const h of m.values()) if (h.reason === "Started") t = Math.max(t ?? 0, h.last);
  return t;
}

/** Stop a pod (scale-down, rollout, eviction by API): Killing events, then it is deleted. */
export function stopPod(
  w: World,
  pod: Res,
  t: number,
  o: { owner?: Res; graceSec?: number; message?: string } = {},
): number {
  const r = w.rng;
  for (const ctr of pod.containers ?? []) {
    podEvent(w, pod, "Killing", o.message ?? `Stopping container ${ctr}`, t + r.int(50, 400), {
      type: "Normal",
      fieldPath: fp(pod, ctr),
    });
  }
  if (o.owner) {
    w.event(o.owner, "SuccessfulDelete", `Deleted pod: ${pod.name}`, t, {
      type: "Normal",
      component: o.owner.kind === "ReplicaSet" ? "replicaset-controller" : "controller-manager",
    });
  }
  const gone = t + (o.graceSec ?? r.int(1, 30)) * SEC;
  pod.status = { ...(pod.status ?? {}), phase: "Succeeded", containerReady: false };
  w.remove(pod, gone);
  return gone;
}

export interface CrashOpts {
  container?: string;
  term: "OOMKilled" | "Error" | "ContainerCannotRun" | "StartError";
  exitCode: number;
  /** When the failing container (re)started first. */
  firstStart: number;
  runSec: [number, number];
  /** Run time of the first (already running) instance, if different. */
  firstRunSec?: number;
  until: number;
  onRun?: (tStart: number, tEnd: number, i: number) => void;
  /** node-problem-detector kernel OOM report for this process name. */
  oomProcess?: string;
  node?: Res;
  /** Skip state-watcher transition events (e.g. producer not deployed). */
  noWatcher?: boolean;
  maxRestarts?: number;
}

/**
 * A container that keeps dying: each exit is reported by the state-watcher, kubelet restarts
 * it with exponential back-off (10s, 20s, 40s ... 5m) and reports BackOff while it waits.
 */
export function crashLoop(
  w: World,
  pod: Res,
  o: CrashOpts,
): { crashes: number[]; termIds: string[]; cbIds: string[] } {
  const r = w.rng;
  const ctr = o.container ?? pod.containers?.[0] ?? "app";
  const c = pod.cluster;
  const crashes: number[] = [];
  const termIds: string[] = [];
  const cbIds: string[] = [];
  let tStart = o.firstStart;
  let i = 0;
  let restarts = Number((pod.status as { restartCount?: number } | undefined)?.restartCount ?? 0);
  while (tStart < o.until && i < (o.maxRestarts ?? 12)) {
    const run = i === 0 && o.firstRunSec !== undefined ? o.firstRunSec : r.float(o.runSec[0], o.runSec[1]);
    const tEnd = tStart + Math.round(run * SEC);
    o.onRun?.(tStart, Math.min(tEnd, o.until), i);
    if (tEnd > o.until) break;
    crashes.push(tEnd);
    if (o.oomProcess && o.node && w.style.npd) {
      const pid = r.int(2000, 60000);
      const rss = r.int(200_000, 3_900_000);
      w.event(
        o.node,
        "OOMKilling",
        `Memory cgroup out of memory: Killed process ${pid} (${o.oomProcess}) total-vm:${rss + r.int(100_000, 4_000_000)}kB, anon-rss:${rss}kB, file-rss:${r.int(1000, 40000)}kB, shmem-rss:0kB, UID:${r.pick([0, 1000, 999, 65532])} pgtables:${r.int(600, 9000)}kB oom_score_adj:${r.pick([-997, 999, 936, 984])}`,
        tEnd + r.int(0, 300),
        { component: "kernel-monitor", host: o.node.name },
      );
    }
    if (!o.noWatcher) {
      termIds.push(
        w.watcherEvent(
          pod,
          o.term,
          `Container ${ctr} terminated with ${o.term} (exit code ${o.exitCode}), restart count ${restarts + 1}`,
          tEnd + r.int(200, 1500),
        ),
      );
    }
    restarts += 1;
    const backoff = Math.min(10 * 2 ** i, 300);
    pod.status = {
      ...(pod.status ?? {}),
      phase: "Running",
      restartCount: restarts,
      containerReady: false,
      reason: i >= 1 ? "CrashLoopBackOff" : o.term,
      lastTerminated: { container: ctr, reason: o.term, exitCode: o.exitCode, finishedAt: iso(tEnd) },
    };
    w.put(pod, tEnd + r.int(300, 2500));
    const bo = backOffMessage(c, pod, ctr);
    podEvent(w, pod, "BackOff", bo, tEnd + r.int(1000, 3000), { fieldPath: fp(pod, ctr) });
    if (i >= 1 && !o.noWatcher) {
      cbIds.push(
        w.watcherEvent(
          pod,
          "CrashLoopBackOff",
          `back-off ${backoff >= 60 ? `${Math.floor(backoff / 60)}m${backoff % 60 ? `${backoff % 60}s` : "0s"}` : `${backoff}s`} restarting failed container=${ctr} pod=${pod.name}_${pod.namespace}(${pod.uid})`,
          tEnd + r.int(800, 2500),
        ),
      );
    }
    // kubelet re-syncs while waiting and reports the back-off again
    for (let s = 20; s < backoff - 5; s += r.int(25, 70)) {
      if (tEnd + s * SEC > o.until) break;
      podEvent(w, pod, "BackOff", bo, tEnd + s * SEC, { fieldPath: fp(pod, ctr), step: r.int(1, 3) });
    }
    tStart = tEnd + backoff * SEC + r.int(200, 2500);
    if (tStart < o.until) {
      podEvent(
        w,
        pod,
        "Pulled",
        `Container image "${pod.image}" already present on machine`,
        tStart - r.int(200, 800),
        {
          type: "Normal",
          fieldPath: fp(pod, ctr),
        },
      );
      podEvent(w, pod, "Created", `Created container ${ctr}`, tStart - r.int(50, 200), {
        type: "Normal",
        fieldPath: fp(pod, ctr),
      });
      podEvent(w, pod, "Started", `Started container ${ctr}`, tStart, {
        type: "Normal",
        fieldPath: fp(pod, ctr),
      });
    }
    i++;
  }
  return { crashes, termIds, cbIds };
}

/**
 * Probe failures every period; a liveness/startup probe past its failure threshold has kubelet
 * kill and restart the container (then back-off if it keeps happening).
 */
export function probeFailures(
  w: World,
  pod: Res,
  o: {
    container?: string;
    probe: "Liveness" | "Readiness" | "Startup";
    message: string;
    from: number;
    until: number;
    periodSec?: number;
    threshold?: number;
    exitCode?: number;
    /** Seconds the restarted container runs before the probe starts failing again. */
    healthySec?: number;
    onRestart?: (t: number, i: number) => void;
  },
): { unhealthy: EventHandle; kills: number[] } {
  const r = w.rng;
  const ctr = o.container ?? pod.containers?.[0] ?? "app";
  const period = o.periodSec ?? 10;
  const threshold = o.threshold ?? 3;
  const kills: number[] = [];
  let t = o.from;
  let fails = 0;
  let restarts = Number((pod.status as { restartCount?: number } | undefined)?.restartCount ?? 0);
  let h: EventHandle | undefined;
  let backoffI = 0;
  let emitted = 0;
  while (t < o.until) {
    fails++;
    const step = emitted > 25 ? r.int(2, 4) : 1;
    if (emitted <= 25 || fails % step === 0) {
      h = podEvent(w, pod, "Unhealthy", `${o.probe} probe failed: ${o.message}`, t, {
        fieldPath: fp(pod, ctr),
        step,
      });
      emitted++;
    }
    if (o.probe !== "Readiness" && fails >= threshold) {
      const tk = t + r.int(50, 400);
      podEvent(
        w,
        pod,
        "Killing",
        `Container ${ctr} failed ${o.probe.toLowerCase()} probe, will be restarted`,
        tk,
        {
          type: "Normal",
          fieldPath: fp(pod, ctr),
        },
      );
      kills.push(tk);
      restarts++;
      const exit = o.exitCode ?? r.pick([137, 143]);
      const tEnd = tk + r.int(1, 30) * SEC;
      w.watcherEvent(
        pod,
        "Error",
        `Container ${ctr} terminated with Error (exit code ${exit}), restart count ${restarts}`,
        tEnd + r.int(200, 1200),
      );
      pod.status = { ...(pod.status ?? {}), phase: "Running", restartCount: restarts, containerReady: false };
      w.put(pod, tEnd + r.int(300, 2000));
      let tStart = tEnd + r.int(500, 2000);
      if (restarts >= 3) {
        const b = Math.min(10 * 2 ** backoffI, 300);
        backoffI++;
        podEvent(w, pod, "BackOff", backOffMessage(pod.cluster, pod, ctr), tEnd + r.int(1000, 3000), {
          fieldPath: fp(pod, ctr),
        });
        tStart = tEnd + b * SEC;
      }
      if (tStart >= o.until) break;
      podEvent(w, pod, "Pulled", `Container image "${pod.image}" already present on machine`, tStart - 400, {
        type: "Normal",
        fieldPath: fp(pod, ctr),
      });
      podEvent(w, pod, "Created", `Created container ${ctr}`, tStart - 150, {
        type: "Normal",
        fieldPath: fp(pod, ctr),
      });
      podEvent(w, pod, "Started", `Started container ${ctr}`, tStart, {
        type: "Normal",
        fieldPath: fp(pod, ctr),
      });
      o.onRestart?.(tStart, restarts);
      fails = 0;
      t = tStart + (o.healthySec ?? period) * SEC + r.int(0, 3000);
      continue;
    }
    t += period * SEC + r.int(-300, 300);
  }
  return { unhealthy: h!, kills };
}

/** Image pull failing: ErrImagePull then ImagePullBackOff, retried with back-off. */
export function pullFailure(
  w: World,
  pod: Res,
  o: { container?: string; image: string; error: string; from: number; until: number },
): { firstErr: string; backoffIds: string[] } {
  const r = w.rng;
  const ctr = o.container ?? pod.containers?.[0] ?? "app";
  const f = fp(pod, ctr);
  let t = o.from;
  let i = 0;
  let firstErr = "";
  const backoffIds: string[] = [];
  while (t < o.until && i < 9) {
    podEvent(w, pod, "Pulling", `Pulling image "${o.image}"`, t, { type: "Normal", fieldPath: f });
    const tf = t + r.int(400, 6000);
    podEvent(w, pod, "Failed", `Failed to pull image "${o.image}": ${o.error}`, tf, { fieldPath: f });
    podEvent(w, pod, "Failed", "Error: ErrImagePull", tf + r.int(1, 40), { fieldPath: f });
    const id = w.watcherEvent(
      pod,
      "ErrImagePull",
      `Container ${ctr} waiting: ErrImagePull: ${o.error}`,
      tf + r.int(200, 1500),
    );
    if (!firstErr) firstErr = id;
    pod.status = { ...(pod.status ?? {}), phase: "Pending", containerReady: false, reason: "ErrImagePull" };
    w.put(pod, tf + r.int(300, 2000));
    const backoff = Math.min(10 * 2 ** i, 300);
    const tb = tf + r.int(1000, 4000);
    podEvent(w, pod, "BackOff", `Back-off pulling image "${o.image}"`, tb, { type: "Normal", fieldPath: f });
    podEvent(w, pod, "Failed", "Error: ImagePullBackOff", tb + r.int(1, 40), { fieldPath: f });
    backoffIds.push(
      w.watcherEvent(
        pod,
        "ImagePullBackOff",
        `Container ${ctr} waiting: Back-off pulling image "${o.image}"`,
        tb + r.int(200, 1500),
      ),
    );
    for (let s = 15; s < backoff - 5; s += r.int(15, 60)) {
      if (tb + s * SEC > o.until) break;
      podEvent(w, pod, "BackOff", `Back-off pulling image "${o.image}"`, tb + s * SEC, {
        type: "Normal",
        fieldPath: f,
        step: r.int(1, 3),
      });
      podEvent(w, pod, "Failed", "Error: ImagePullBackOff", tb + s * SEC + r.int(1, 40), {
        fieldPath: f,
        step: 1,
      });
    }
    t = tf + backoff * SEC + r.int(500, 3000);
    i++;
  }
  return { firstErr, backoffIds };
}

/** Volume mount retries (kubelet back-off 0.5s doubling to 2m2s) plus the periodic timeout. */
export function mountFailure(
  w: World,
  pod: Res,
  o: { message: string; from: number; until: number; volume: string; reason?: string; others?: string[] },
): EventHandle {
  const r = w.rng;
  let d = 0.5;
  let t = o.from;
  let h: EventHandle | undefined;
  let n = 0;
  while (t < o.until) {
    h = podEvent(w, pod, o.reason ?? "FailedMount", o.message, t, { step: n > 8 ? r.int(1, 2) : 1 });
    t += d * SEC + r.int(0, 400);
    d = Math.min(d * 2, 122);
    n++;
  }
  const vols = [o.volume, ...(o.others ?? [`kube-api-access-${r.safe(5)}`])].join(" ");
  const timeoutMsg =
    pod.cluster.minor >= 25
      ? `Unable to attach or mount volumes: unmounted volumes=[${o.volume}], unattached volumes=[${vols}]: timed out waiting for the condition`
      : `Unable to attach or mount volumes: unmounted volumes=[${o.volume}], unattached volumes=[${vols}]: timed out waiting for the condition`;
  for (let tt = o.from + 2 * MIN + r.int(0, 5000); tt < o.until; tt += 2 * MIN + r.int(0, 8000)) {
    podEvent(w, pod, "FailedMount", timeoutMsg, tt);
  }
  pod.status = {
    ...(pod.status ?? {}),
    phase: "Pending",
    containerReady: false,
    reason: "ContainerCreating",
  };
  w.put(pod, o.from + r.int(500, 3000));
  return h!;
}

/** Scheduler retries for an unschedulable pod; optionally cluster-autoscaler's verdict. */
export function schedulingFailure(
  w: World,
  pod: Res,
  o: { message: string; from: number; until: number; autoscaler?: string; everySec?: [number, number] },
): EventHandle {
  const r = w.rng;
  const series = w.style.schedulerSeries;
  let h: EventHandle | undefined;
  let t = o.from;
  const [lo, hi] = o.everySec ?? [20, 90];
  while (t < o.until) {
    if (!h) {
      h = w.event(pod, "FailedScheduling", o.message, t, { component: "default-scheduler", series });
    } else {
      w.again(h, t, { step: r.int(1, 4) });
    }
    t += r.int(lo, hi) * SEC;
  }
  if (o.autoscaler) {
    let ca: EventHandle | undefined;
    for (let tt = o.from + r.int(8, 40) * SEC; tt < o.until; tt += r.int(50, 130) * SEC) {
      if (!ca)
        ca = w.event(pod, "NotTriggerScaleUp", o.autoscaler, tt, {
          type: "Normal",
          component: "cluster-autoscaler",
        });
      else w.again(ca, tt, { step: r.int(1, 6) });
    }
  }
  pod.status = { phase: "Pending", restartCount: 0, containerReady: false, reason: "Unschedulable" };
  w.put(pod, o.from + r.int(100, 900));
  return h!;
}

/** kubelet evicts a pod under node pressure. The pod object stays, phase Failed. */
export function evict(w: World, pod: Res, t: number, message: string): EventHandle {
  const h = w.event(pod, "Evicted", message, t, { host: pod.node });
  for (const ctr of pod.containers ?? []) {
    podEvent(w, pod, "Killing", `Stopping container ${ctr}`, t + w.rng.int(50, 500), {
      type: "Normal",
      fieldPath: fp(pod, ctr),
    });
  }
  pod.status = {
    phase: "Failed",
    reason: "Evicted",
    message,
    containerReady: false,
    restartCount: (pod.status as { restartCount?: number })?.restartCount ?? 0,
  };
  w.put(pod, t + w.rng.int(300, 3000));
  return h;
}

// ------------------------------------------------------------------ rollouts

export function scalingMessage(c: Cluster, dir: "up" | "down", rs: string, to: number, from: number): string {
  return c.minor >= 26
    ? `Scaled ${dir} replica set ${rs} to ${to} from ${from}`
    : `Scaled ${dir} replica set ${rs} to ${to}`;
}

/**
 * Change a Deployment's pod template: the Deployment is re-emitted (generation+1) with the
 * change, a new ReplicaSet appears and is scaled up to `firstStep` pods.
 */
export function startRollout(
  w: World,
  wl: Workload,
  t: number,
  change: {
    image?: string;
    mutate?: (spec: Record<string, unknown>, dep: Res) => void;
    annotations?: Record<string, string>;
  },
  firstStep = 1,
  rsDelayMs?: number,
): Res {
  const r = w.rng;
  const dep = wl.ctrl;
  const spec = structuredClone(dep.spec ?? {}) as Record<string, unknown>;
  const tmpl = spec.template as Record<string, unknown>;
  const containers = (tmpl.spec as Record<string, unknown>).containers as Record<string, unknown>[];
  if (change.image) {
    containers[0]!.image = change.image;
    dep.image = change.image;
  }
  if (change.annotations) {
    const md = (tmpl.metadata ?? {}) as Record<string, unknown>;
    md.annotations = { ...((md.annotations as Record<string, string>) ?? {}), ...change.annotations };
    tmpl.metadata = md;
  }
  change.mutate?.(spec, dep);
  dep.spec = spec;
  const gen = Number(dep.extra?.generation ?? 1) + 1;
  dep.extra = { ...(dep.extra ?? {}), generation: gen };
  const replicas = dep.replicas ?? 1;
  dep.status = { ...(dep.status ?? {}), updatedReplicas: 0, observedGeneration: gen - 1 };
  w.put(dep, t);
  const hash = nextHash(w);
  const podLabels = {
    ...(((tmpl.metadata as Record<string, unknown>).labels as Record<string, string>) ?? wl.podLabels),
  };
  const rs = w.res(wl.c, "ReplicaSet", `${wl.app}-${hash}`, wl.ns, {
    labels: { ...podLabels, "pod-template-hash": hash },
    ownerRefs: [{ kind: "Deployment", name: dep.name, uid: dep.uid, controller: true }],
    image: dep.image,
    replicas: firstStep,
    status: { replicas: firstStep, readyReplicas: 0 },
  });
  const t1 = t + (rsDelayMs ?? r.int(80, 900));
  w.put(rs, t1);
  w.link(dep, rs, "CONTROLS", t1 + r.int(1, 300));
  w.event(dep, "ScalingReplicaSet", scalingMessage(wl.c, "up", rs.name, firstStep, 0), t1 + r.int(1, 200), {
    type: "Normal",
    component: "deployment-controller",
  });
  dep.status = {
    ...(dep.status ?? {}),
    observedGeneration: gen,
    updatedReplicas: firstStep,
    replicas: replicas + firstStep,
  };
  w.put(dep, t1 + r.int(200, 1500));
  return rs;
}

/** Create one pod of a (new) ReplicaSet on a node. */
export function rsPod(w: World, wl: Workload, rs: Res, node: Res, t: number, svc = wl.svc): Res {
  const pod = createPod(w, rs, t, {
    labels: { ...(rs.labels ?? {}) },
    image: rs.image,
    containers: [wl.container, ...(wl.pods[0]?.containers ?? []).slice(1)],
    initContainers: wl.pods[0]?.initContainers,
    node,
    svc: svc && matches(svc, rs.labels ?? {}) ? svc : undefined,
  });
  pod.podIP = wl.c.podIP(node.idx ?? 0);
  return pod;
}

export function matches(svc: Res, labels: Record<string, string>): boolean {
  return Object.entries(svc.serviceSelector ?? {}).every(([k, v]) => labels[k] === v);
}

/** A rollout that succeeds: new pods come up one by one, old ones are scaled down. */
export function completeRollout(
  w: World,
  wl: Workload,
  t: number,
  change: Parameters<typeof startRollout>[3],
): number {
  const r = w.rng;
  const newRs = startRollout(w, wl, t, change, 1);
  const old = wl.rs!;
  let tt = t + r.int(1, 3) * SEC;
  const n = wl.pods.length;
  const fresh: Res[] = [];
  for (let i = 0; i < n; i++) {
    const node = r.pick(wl.nodes);
    const p = rsPod(w, wl, newRs, node, tt);
    const ready = startContainers(w, p, tt + r.int(200, 1500), {
      pull: i === 0 || r.chance(0.3),
      ipNode: node,
    });
    fresh.push(p);
    if (i > 0) {
      w.event(wl.ctrl, "ScalingReplicaSet", scalingMessage(wl.c, "up", newRs.name, i + 1, i), tt, {
        type: "Normal",
        component: "deployment-controller",
      });
    }
    const victim = wl.pods[i]!;
    w.event(
      wl.ctrl,
      "ScalingReplicaSet",
      scalingMessage(wl.c, "down", old.name, n - i - 1, n - i),
      ready + r.int(100, 900),
      {
        type: "Normal",
        component: "deployment-controller",
      },
    );
    stopPod(w, victim, ready + r.int(300, 1500), { owner: old });
    tt = ready + r.int(1, 4) * SEC;
  }
  newRs.replicas = n;
  newRs.status = { replicas: n, readyReplicas: n };
  w.put(newRs, tt);
  old.replicas = 0;
  old.status = { replicas: 0, readyReplicas: 0 };
  w.put(old, tt + r.int(10, 500));
  wl.ctrl.status = { replicas: n, readyReplicas: n, availableReplicas: n, updatedReplicas: n };
  w.put(wl.ctrl, tt + r.int(100, 900));
  wl.rs = newRs;
  wl.pods = fresh;
  return tt;
}

/** Job name a CronJob gives the run scheduled at `t` (minutes since the epoch). */
export function cronJobName(cron: string, t: number): string {
  return `${cron}-${Math.floor(t / MIN)}`;
}
