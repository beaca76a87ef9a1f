/**
 * Prometheus alerts with the names, labels, `for:` durations and annotation texts of
 * kube-prometheus-stack (kubernetes-mixin, node-mixin), the CoreDNS and cert-manager mixins,
 * and a few organisation-specific SLO alerts as teams write them.
 */
import type { Cluster } from "./cluster.js";
import { MIN, SEC } from "./k8s.js";
import type { AlertHandle, Res, World } from "./world.js";

const RB = "https://runbooks.prometheus-operator.dev/runbooks";

function ksm(w: World, c: Cluster): Record<string, string> {
  const r = w.rng;
  return {
    job: "kube-state-metrics",
    service: `${c.promRelease}-kube-state-metrics`,
    endpoint: "http",
    instance: `${c.flavor === "eks" ? "10.0" : "10.244"}.${r.int(1, 9)}.${r.int(2, 250)}:8080`,
    container: "kube-state-metrics",
    pod: `${c.promRelease}-kube-state-metrics-${r.safe(9)}-${r.safe(5)}`,
    namespace: "monitoring",
    prometheus: `monitoring/${c.promRelease}-prometheus`,
  };
}

function kubelet(c: Cluster, node: Res): Record<string, string> {
  return {
    job: "kubelet",
    service: `${c.promRelease}-kubelet`,
    endpoint: "https-metrics",
    metrics_path: "/metrics",
    instance: `${c.internalIP(node.idx ?? 0)}:10250`,
    node: node.name,
    prometheus: `monitoring/${c.promRelease}-prometheus`,
  };
}

type Opt = { resolvedAt?: number; subjectless?: boolean; severity?: "critical" | "warning" | "info" };

function fire(
  w: World,
  c: Cluster,
  name: string,
  sev: "critical" | "warning" | "info" | "none",
  labels: Record<string, string>,
  summary: string,
  description: string,
  activeAt: number,
  forSec: number,
  subject: Res | { kind: string; ns?: string; name: string } | undefined,
  o: Opt = {},
  runbook = true,
): AlertHandle {
  return w.alert(
    {
      name,
      severity: o.severity ?? sev,
      labels,
      summary,
      description,
      runbook: runbook
        ? `${RB}/${name.startsWith("Kube") || name === "CPUThrottlingHigh" ? "kubernetes" : name.startsWith("Node") ? "node" : "general"}/${name.toLowerCase()}`
        : undefined,
      activeAt,
      forSec,
      subject,
      resolvedAt: o.resolvedAt,
      cluster: c,
    },
    { subjectless: o.subjectless },
  );
}

export function podCrashLooping(
  w: World,
  pod: Res,
  container: string,
  activeAt: number,
  o: Opt = {},
): AlertHandle {
  const c = pod.cluster;
  const l = {
    ...ksm(w, c),
    namespace: pod.namespace!,
    pod: pod.name,
    container,
    reason: "CrashLoopBackOff",
    uid: pod.uid,
  };
  return fire(
    w,
    c,
    "KubePodCrashLooping",
    "warning",
    l,
    "Pod is crash looping.",
    `Pod ${pod.namespace}/${pod.name} (${container}) is in waiting state (reason: "CrashLoopBackOff").`,
    activeAt,
    15 * 60,
    pod,
    o,
  );
}

export function podNotReady(w: World, pod: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = pod.cluster;
  const l: Record<string, string> = { namespace: pod.namespace!, pod: pod.name };
  return fire(
    w,
    c,
    "KubePodNotReady",
    "warning",
    l,
    "Pod has been in a non-ready state for more than 15 minutes.",
    `Pod ${pod.namespace}/${pod.name} has been in a non-ready state for longer than 15 minutes.`,
    activeAt,
    15 * 60,
    pod,
    o,
  );
}

export function containerWaiting(
  w: World,
  pod: Res,
  container: string,
  reason: string,
  activeAt: number,
  o: Opt = {},
): AlertHandle {
  const c = pod.cluster;
  const l = { ...ksm(w, c), namespace: pod.namespace!, pod: pod.name, container, reason };
  return fire(
    w,
    c,
    "KubeContainerWaiting",
    "warning",
    l,
    "Pod container waiting longer than 1 hour",
    `pod/${pod.name} in namespace ${pod.namespace} on container ${container} has been in waiting state for longer than 1 hour. (reason: "${reason}")`,
    activeAt,
    3600,
    pod,
    o,
  );
}

export function deploymentReplicasMismatch(w: World, dep: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = dep.cluster;
  const l = { ...ksm(w, c), namespace: dep.namespace!, deployment: dep.name };
  return fire(
    w,
    c,
    "KubeDeploymentReplicasMismatch",
    "warning",
    l,
    "Deployment has not matched the expected number of replicas.",
    `Deployment ${dep.namespace}/${dep.name} has not matched the expected number of replicas for longer than 15 minutes.`,
    activeAt,
    15 * 60,
    dep,
    o,
  );
}

export function rolloutStuck(w: World, dep: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = dep.cluster;
  const l = {
    ...ksm(w, c),
    namespace: dep.namespace!,
    deployment: dep.name,
    condition: "Progressing",
    status: "false",
  };
  return fire(
    w,
    c,
    "KubeDeploymentRolloutStuck",
    "warning",
    l,
    "Deployment rollout is not progressing.",
    `Rollout of deployment ${dep.namespace}/${dep.name} is not progressing for longer than 15 minutes.`,
    activeAt,
    15 * 60,
    dep,
    o,
  );
}

export function statefulSetReplicasMismatch(w: World, sts: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = sts.cluster;
  const l = { ...ksm(w, c), namespace: sts.namespace!, statefulset: sts.name };
  return fire(
    w,
    c,
    "KubeStatefulSetReplicasMismatch",
    "warning",
    l,
    "StatefulSet has not matched the expected number of replicas.",
    `StatefulSet ${sts.namespace}/${sts.name} has not matched the expected number of replicas for longer than 15 minutes.`,
    activeAt,
    15 * 60,
    sts,
    o,
  );
}

export function daemonSetRolloutStuck(w: World, ds: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = ds.cluster;
  const l = { ...ksm(w, c), namespace: ds.namespace!, daemonset: ds.name };
  return fire(
    w,
    c,
    "KubeDaemonSetRolloutStuck",
    "warning",
    l,
    "DaemonSet rollout is stuck.",
    `DaemonSet ${ds.namespace}/${ds.name} has not finished or progressed for at least 15m.`,
    activeAt,
    15 * 60,
    ds,
    o,
  );
}

export function jobFailed(w: World, job: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = job.cluster;
  const l = { ...ksm(w, c), namespace: job.namespace!, job_name: job.name, condition: "true" };
  return fire(
    w,
    c,
    "KubeJobFailed",
    "warning",
    l,
    "Job failed to complete.",
    `Job ${job.namespace}/${job.name} failed to complete. Removing failed job after investigation should clear this alert.`,
    activeAt,
    15 * 60,
    job,
    o,
  );
}

export function hpaMaxedOut(w: World, hpa: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = hpa.cluster;
  const l = { ...ksm(w, c), namespace: hpa.namespace!, horizontalpodautoscaler: hpa.name };
  return fire(
    w,
    c,
    "KubeHpaMaxedOut",
    "warning",
    l,
    "HPA is running at max replicas",
    `HPA ${hpa.namespace}/${hpa.name}  has been running at max replicas for longer than 15 minutes.`,
    activeAt,
    15 * 60,
    hpa,
    o,
  );
}

export function hpaReplicasMismatch(w: World, hpa: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = hpa.cluster;
  const l = { ...ksm(w, c), namespace: hpa.namespace!, horizontalpodautoscaler: hpa.name };
  return fire(
    w,
    c,
    "KubeHpaReplicasMismatch",
    "warning",
    l,
    "HPA has not matched desired number of replicas.",
    `HPA ${hpa.namespace}/${hpa.name}  has not matched the desired number of replicas for longer than 15 minutes.`,
    activeAt,
    15 * 60,
    hpa,
    o,
  );
}

export function cpuThrottlingHigh(
  w: World,
  pod: Res,
  container: string,
  pct: number,
  activeAt: number,
  o: Opt = {},
): AlertHandle {
  const c = pod.cluster;
  const l = { namespace: pod.namespace!, pod: pod.name, container };
  return fire(
    w,
    c,
    "CPUThrottlingHigh",
    "info",
    l,
    "Processes experience elevated CPU throttling.",
    `${pct.toFixed(2)}% throttling of CPU in namespace ${pod.namespace} for container ${container} in pod ${pod.name}.`,
    activeAt,
    15 * 60,
    pod,
    o,
  );
}

export function quotaExceeded(
  w: World,
  quota: Res,
  resource: string,
  pct: number,
  activeAt: number,
  name = "KubeQuotaExceeded",
  o: Opt = {},
): AlertHandle {
  const c = quota.cluster;
  const l = { ...ksm(w, c), namespace: quota.namespace!, resourcequota: quota.name, resource, type: "hard" };
  const sev = name === "KubeQuotaExceeded" ? "warning" : "info";
  const summary =
    {
      KubeQuotaExceeded: "Namespace quota has exceeded the limits.",
      KubeQuotaFullyUsed: "Namespace quota is fully used.",
      KubeQuotaAlmostFull: "Namespace quota is going to be full.",
    }[name] ?? "Namespace quota.";
  return fire(
    w,
    c,
    name,
    sev,
    l,
    summary,
    `Namespace ${quota.namespace} is using ${pct.toFixed(0)}% of its ${resource} quota.`,
    activeAt,
    15 * 60,
    quota,
    o,
  );
}

export function pvFillingUp(
  w: World,
  pvc: Res,
  node: Res,
  freePct: number,
  activeAt: number,
  o: Opt & { predictive?: boolean } = {},
): AlertHandle {
  const c = pvc.cluster;
  const l = { ...kubelet(c, node), namespace: pvc.namespace!, persistentvolumeclaim: pvc.name };
  if (o.predictive) {
    return fire(
      w,
      c,
      "KubePersistentVolumeFillingUp",
      "warning",
      l,
      "PersistentVolume is filling up.",
      `Based on recent sampling, the PersistentVolume claimed by ${pvc.name} in Namespace ${pvc.namespace} is expected to fill up within four days. Currently ${freePct.toFixed(2)}% is available.`,
      activeAt,
      3600,
      pvc,
      o,
    );
  }
  return fire(
    w,
    c,
    "KubePersistentVolumeFillingUp",
    "critical",
    l,
    "PersistentVolume is filling up.",
    `The PersistentVolume claimed by ${pvc.name} in Namespace ${pvc.namespace} is only ${freePct.toFixed(2)}% free.`,
    activeAt,
    60,
    pvc,
    o,
  );
}

export function nodeNotReady(w: World, node: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = node.cluster;
  const l = { ...ksm(w, c), node: node.name, condition: "Ready", status: "true" };
  return fire(
    w,
    c,
    "KubeNodeNotReady",
    "warning",
    l,
    "Node is not ready.",
    `${node.name} has been unready for more than 15 minutes.`,
    activeAt,
    15 * 60,
    node,
    o,
  );
}

export function nodeUnreachable(w: World, node: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = node.cluster;
  const l = { ...ksm(w, c), node: node.name, key: "node.kubernetes.io/unreachable", effect: "NoSchedule" };
  return fire(
    w,
    c,
    "KubeNodeUnreachable",
    "warning",
    l,
    "Node is unreachable.",
    `${node.name} is unreachable and some workloads may be rescheduled.`,
    activeAt,
    15 * 60,
    node,
    o,
  );
}

export function nodePressure(
  w: World,
  node: Res,
  condition: string,
  activeAt: number,
  o: Opt = {},
): AlertHandle {
  const c = node.cluster;
  const l = { ...ksm(w, c), node: node.name, condition, status: "true" };
  return fire(
    w,
    c,
    "KubeNodePressure",
    "info",
    l,
    "Node has as active Condition.",
    `${node.name} on cluster ${c.id} has active Condition ${condition}. This is caused by resource usage exceeding eviction thresholds.`,
    activeAt,
    10 * 60,
    node,
    o,
  );
}

export function kubeletDown(w: World, c: Cluster, activeAt: number, o: Opt = {}): AlertHandle {
  return fire(
    w,
    c,
    "KubeletDown",
    "critical",
    { job: "kubelet", metrics_path: "/metrics", namespace: "kube-system" },
    "Target disappeared from Prometheus target discovery.",
    "Kubelet has disappeared from Prometheus target discovery.",
    activeAt,
    15 * 60,
    undefined,
    o,
  );
}

export function targetDown(
  w: World,
  c: Cluster,
  job: string,
  ns: string,
  svc: string,
  pct: number,
  activeAt: number,
  o: Opt & { subject?: Res } = {},
): AlertHandle {
  const l = { job, namespace: ns, service: svc };
  return fire(
    w,
    c,
    "TargetDown",
    "warning",
    l,
    "One or more targets are unreachable.",
    `${pct.toPrecision(4).replace(/\.?0+$/, "")}% of the ${job}/${svc} targets in ${ns} namespace are down.`,
    activeAt,
    10 * 60,
    o.subject ?? { kind: "Service", ns, name: svc },
    o,
  );
}

export function nodeFilesystemAlmostOut(
  w: World,
  node: Res,
  mount: string,
  pct: number,
  activeAt: number,
  o: Opt = {},
): AlertHandle {
  const c = node.cluster;
  const l = {
    job: "node-exporter",
    namespace: "monitoring",
    service: `${c.promRelease}-prometheus-node-exporter`,
    instance: `${c.internalIP(node.idx ?? 0)}:9100`,
    device: c.flavor === "eks" ? "/dev/nvme0n1p1" : c.flavor === "gke" ? "/dev/sda1" : "/dev/sda2",
    fstype: c.flavor === "gke" ? "ext4" : "xfs",
    mountpoint: mount,
    pod: `${c.promRelease}-prometheus-node-exporter-${w.rng.safe(5)}`,
    container: "node-exporter",
  };
  const crit = pct < 3;
  return fire(
    w,
    c,
    "NodeFilesystemAlmostOutOfSpace",
    crit ? "critical" : "warning",
    l,
    "Filesystem has less than " + (crit ? "3%" : "5%") + " space left.",
    `Filesystem on ${l.device}, mounted on ${mount}, at ${l.instance} has only ${pct.toFixed(2)}% available space left.`,
    activeAt,
    30 * 60,
    node,
    o,
  );
}

export function coreDnsDown(w: World, c: Cluster, activeAt: number, o: Opt = {}): AlertHandle {
  return fire(
    w,
    c,
    "CoreDNSDown",
    "critical",
    { job: "coredns", namespace: "kube-system" },
    "CoreDNS has disappeared from Prometheus target discovery.",
    "CoreDNS has disappeared from Prometheus target discovery.",
    activeAt,
    15 * 60,
    { kind: "Service", ns: "kube-system", name: "kube-dns" },
    o,
    false,
  );
}

export function coreDnsErrorsHigh(
  w: World,
  c: Cluster,
  pct: number,
  activeAt: number,
  o: Opt = {},
): AlertHandle {
  return fire(
    w,
    c,
    "CoreDNSErrorsHigh",
    "critical",
    { job: "coredns", namespace: "kube-system", server: "dns://:53", zone: "." },
    "CoreDNS is returning SERVFAIL.",
    `CoreDNS is returning SERVFAIL for ${pct.toFixed(2)}% of requests.`,
    activeAt,
    10 * 60,
    { kind: "Service", ns: "kube-system", name: "kube-dns" },
    o,
    false,
  );
}

export function certNotReady(w: World, cert: Res, activeAt: number, o: Opt = {}): AlertHandle {
  const c = cert.cluster;
  const l = {
    job: "cert-manager",
    namespace: cert.namespace!,
    name: cert.name,
    condition: "False",
    exported_namespace: cert.namespace!,
  };
  return fire(
    w,
    c,
    "CertManagerCertNotReady",
    "critical",
    l,
    `The cert \`${cert.name}\` is not ready to serve traffic.`,
    "This certificate has not been ready to serve traffic for at least 10m. If the cert is being renewed or there is another valid cert, the ingress controller _may_ be able to serve that instead.",
    activeAt,
    10 * 60,
    cert,
    o,
    false,
  );
}

export function watchdog(w: World, c: Cluster, activeAt: number): AlertHandle {
  return w.alert(
    {
      name: "Watchdog",
      severity: "none",
      labels: { namespace: "monitoring", prometheus: `monitoring/${c.promRelease}-prometheus` },
      summary: "An alert that should always be firing to certify that Alertmanager is working properly.",
      description:
        'This is an alert meant to ensure that the entire alerting pipeline is functional.\nThis alert is always firing, therefore it should always be firing in Alertmanager\nand always fire against a receiver. There are integrations with various notification\nmechanisms that send a notification when this alert is not firing. For example the\n"DeadMansSnitch" integration in PagerDuty.\n',
      runbook: `${RB}/general/watchdog`,
      activeAt,
      forSec: 0,
      cluster: c,
    },
    { arrival: activeAt + w.rng.int(10, 90) * SEC },
  );
}

/** Team-written SLO / golden-signal alerts (names vary by organisation). */
export function appAlert(
  w: World,
  c: Cluster,
  kind: "errors" | "latency" | "probe" | "queue",
  target: Res,
  activeAt: number,
  o: Opt & { value?: number; forSec?: number; nameStyle?: number } = {},
): AlertHandle {
  const r = w.rng;
  const ns = target.namespace ?? "default";
  const svc = target.name;
  const style = o.nameStyle ?? r.int(0, 2);
  const v = o.value ?? r.float(8, 60);
  const names = {
    errors: ["HighErrorRate", "HTTP5xxRateHigh", "SLOErrorBudgetBurnFast"],
    latency: ["HighRequestLatency", "APILatencyP99High", "SLOLatencyBudgetBurn"],
    probe: ["BlackboxProbeFailed", "EndpointDown", "SyntheticCheckFailed"],
    queue: ["ConsumerLagHigh", "QueueBacklogGrowing", "KafkaConsumerGroupLag"],
  }[kind];
  const name = names[style % 3]!;
  const labels: Record<string, string> = {
    namespace: ns,
    service: svc,
    team: r.pick(["checkout", "platform", "core", "payments", "sre"]),
  };
  if (kind === "probe") {
    labels.instance = `https://${svc}.${r.pick(["example.com", "acme.io", "northwind.dev"])}/healthz`;
    labels.job = "blackbox";
  }
  const desc = {
    errors: `${v.toFixed(1)}% of requests to ${ns}/${svc} are failing with 5xx (threshold 5%).`,
    latency: `p99 latency of ${ns}/${svc} is ${(v / 10).toFixed(2)}s (threshold 1s).`,
    probe: `Probe ${labels.instance} failed for 2 minutes.`,
    queue: `Consumer lag for ${ns}/${svc} is ${Math.round(v * 1000)} messages and growing.`,
  }[kind];
  const summary = {
    errors: "High 5xx error ratio",
    latency: "High request latency",
    probe: "Blackbox probe failed",
    queue: "Consumer lag is growing",
  }[kind];
  const sev = o.severity ?? (kind === "errors" || kind === "probe" ? "critical" : "warning");
  return w.alert(
    {
      name,
      severity: sev,
      labels,
      summary,
      description: desc,
      activeAt,
      forSec: o.forSec ?? r.pick([60, 120, 300]),
      subject: target,
      resolvedAt: o.resolvedAt,
      cluster: c,
    },
    { subjectless: o.subjectless },
  );
}

export { MIN };
