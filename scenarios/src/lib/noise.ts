/**
 * Background noise: what a busy cluster emits anyway. Normal lifecycle (rollouts, CronJobs,
 * HPA), the perennial warnings (DNSConfigForming, projected token mounts, EndpointSlice
 * conflicts, readiness blips), infra storms on an unrelated node, alerts that always fire on
 * managed control planes, unrelated error logs, and sometimes a second, unrelated incident.
 */
import * as A from "./alerts.js";
import { chatter } from "./applog.js";
import { type Cluster, makeCluster } from "./cluster.js";
import {
  bump,
  completeRollout,
  crashLoop,
  createPod,
  cronJobName,
  deployment,
  imageRef,
  MIN,
  makeNodes,
  podEvent,
  probeFailures,
  pullFailure,
  SEC,
  scalingMessage,
  schedulingFailure,
  startContainers,
  tag,
  type Workload,
} from "./k8s.js";
import type { Ctx } from "./scenario.js";
import type { Res, World } from "./world.js";

export type NoiseLevel = "light" | "normal" | "heavy";

interface Win {
  from: number;
  to: number;
}

type NoiseFn = (w: World, ctx: Ctx, win: Win, avoid: Set<string>) => void;

function bystander(w: World, ctx: Ctx, replicas?: number): Workload {
  return ctx.deploy({ replicas: replicas ?? w.rng.int(1, 3) });
}

function freeNode(w: World, ctx: Ctx, avoid: Set<string>): Res {
  const free = ctx.nodes.filter((n) => !avoid.has(n.name));
  return w.rng.pick(free.length > 0 ? free : ctx.nodes);
}

function podsOff(ctx: Ctx, avoid: Set<string>): Res[] {
  const involvedNs = new Set([...avoid].filter((a) => a.startsWith("ns:")).map((a) => a.slice(3)));
  return ctx.workloads
    .filter((wl) => !involvedNs.has(wl.ns))
    .flatMap((wl) => wl.pods)
    .filter((p) => !p.deleted && !avoid.has(p.node ?? ""));
}

const healthyRollout: NoiseFn = (w, ctx, win) => {
  const wl = bystander(w, ctx, w.rng.int(2, 3));
  const t = w.rng.int(win.from, win.to - 6 * MIN);
  const cur = wl.image.split(":").pop()!;
  completeRollout(w, wl, t, { image: imageRef(wl.c, wl.ns, wl.app, bump(w, cur)) });
  for (const p of wl.pods) chatter(w, p, ctx.lang(), t, win.to, w.rng.int(2, 6));
};

const cronSuccess: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const [ns] = ctx.names.ns();
  const name = ctx.names.take(
    r.pick([
      "nightly-export",
      "db-backup",
      "cache-warmer",
      "sitemap-gen",
      "cleanup-sessions",
      "report-digest",
    ]),
  );
  const image = imageRef(ctx.c, ns, name, tag(w));
  const every = r.pick([5, 10, 15]);
  const cj = w.res(ctx.c, "CronJob", name, ns, {
    labels: { app: name },
    image,
    spec: { schedule: `*/${every} * * * *`, concurrencyPolicy: "Forbid", successfulJobsHistoryLimit: 3 },
  });
  w.put(cj, w.tList + r.int(0, 20) * SEC);
  const first = Math.ceil(win.from / (every * MIN)) * every * MIN;
  for (let t = first; t < win.to - 3 * MIN; t += every * MIN) {
    const jobName = cronJobName(name, t);
    const job = w.res(ctx.c, "Job", jobName, ns, {
      labels: { app: name, "job-name": jobName },
      ownerRefs: [{ kind: "CronJob", name, uid: cj.uid, controller: true }],
      image,
      status: { active: 1 },
    });
    w.event(cj, "SuccessfulCreate", `Created job ${jobName}`, t + r.int(100, 900), {
      type: "Normal",
      component: "cronjob-controller",
    });
    w.put(job, t + r.int(100, 900));
    w.link(cj, job, "CONTROLS", t + r.int(200, 1200));
    const node = freeNode(w, ctx, avoid);
    const pod = createPod(w, job, t + r.int(500, 1500), {
      node,
      containers: [name],
      labels: { "job-name": jobName },
    });
    const ready = startContainers(w, pod, t + r.int(2, 4) * SEC, {
      pull: r.chance(0.3),
      ipNode: node,
      readySec: 1,
    });
    const done = ready + r.int(20, 140) * SEC;
    pod.status = { phase: "Succeeded", restartCount: 0, containerReady: false };
    w.put(pod, done);
    job.status = { succeeded: 1, completionTime: new Date(done).toISOString() };
    w.put(job, done + r.int(200, 900));
    w.event(job, "Completed", "Job completed", done + r.int(100, 800), {
      type: "Normal",
      component: "job-controller",
    });
    w.event(
      cj,
      "SawCompletedJob",
      `Saw completed job: ${jobName}, status: Complete`,
      done + r.int(1, 9) * SEC,
      { type: "Normal", component: "cronjob-controller" },
    );
    const oldJob = cronJobName(name, t - 3 * every * MIN);
    w.event(cj, "SuccessfulDelete", `Deleted job ${oldJob}`, done + r.int(2, 12) * SEC, {
      type: "Normal",
      component: "cronjob-controller",
    });
  }
};

const SANDBOX: ((r: World["rng"], node: Res) => string)[] = [
  (r) =>
    `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${r.hex(64)}": plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized`,
  (r) =>
    `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${r.hex(64)}": plugin type="aws-cni" name="aws-cni" failed (add): add cmd: failed to assign an IP address to container`,
  (r, n) =>
    `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${r.hex(64)}": plugin type="flannel" failed (add): failed to delegate add: failed to set bridge addr: "cni0" already has an IP address different from 10.244.${(n.idx ?? 0) + 1}.1/24`,
  (r) =>
    `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${r.hex(64)}": plugin type="cilium-cni" failed (add): unable to connect to Cilium daemon: failed to create cilium agent client after 30.000000 seconds timeout: Get "http:///var/run/cilium/cilium.sock/v1/config": dial unix /var/run/cilium/cilium.sock: connect: no such file or directory`,
  (r) =>
    `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to reserve sandbox name "${r.safe(5)}_${r.hex(4)}_${r.uuid()}_1": name "${r.safe(5)}" is reserved for "${r.hex(64)}"`,
];

/** Sandbox creation failing over and over on one node; the event correlator folds repeats. */
const sandboxStorm: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const node = freeNode(w, ctx, avoid);
  const gen = r.pick(SANDBOX);
  const wl = bystander(w, ctx, 1);
  const owner = wl.rs!;
  const t = r.int(win.from - 10 * MIN, win.from + 5 * MIN);
  const pod = createPod(w, owner, t, { node, containers: [wl.container] });
  for (let i = 0; i < r.int(3, 6); i++) {
    w.event(pod, "FailedCreatePodSandBox", gen(r, node), t + i * r.int(5, 30) * SEC, { host: node.name });
  }
  const combined = w.event(
    pod,
    "FailedCreatePodSandBox",
    `(combined from similar events): ${gen(r, node)}`,
    t + 3 * MIN,
    { host: node.name, count: r.int(8, 14) },
  );
  for (let tt = t + 3 * MIN + r.int(10, 40) * SEC; tt < win.to; tt += r.int(45, 150) * SEC) {
    w.again(combined, tt, { step: r.int(2, 6), message: `(combined from similar events): ${gen(r, node)}` });
  }
  podEvent(
    w,
    pod,
    "SandboxChanged",
    "Pod sandbox changed, it will be killed and re-created.",
    t + r.int(30, 90) * SEC,
    { type: "Normal" },
  );
};

const dnsConfigForming: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const pods = podsOff(ctx, avoid);
  const pod = pods.length > 0 ? r.pick(pods) : bystander(w, ctx, 1).pods[0]!;
  const ns = r.pick([
    "10.0.0.2 10.0.0.3 10.0.0.4",
    "169.254.169.253 10.10.0.2 10.10.0.3",
    "10.20.0.53 10.20.1.53 1.1.1.1",
  ]);
  const h = w.event(
    pod,
    "DNSConfigForming",
    `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${ns}`,
    win.from - r.int(60, 600) * MIN,
    {
      host: pod.node,
      count: r.int(200, 3000),
    },
  );
  for (let t = win.from + r.int(0, 120) * SEC; t < win.to; t += r.int(120, 400) * SEC)
    w.again(h, t, { step: r.int(1, 3) });
};

const readinessBlip: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const pods = podsOff(ctx, avoid);
  const pod = pods.length > 0 ? r.pick(pods) : bystander(w, ctx, 1).pods[0]!;
  const t = r.int(win.from, win.to);
  probeFailures(w, pod, {
    probe: "Readiness",
    message: r.pick([
      `Get "http://${pod.podIP}:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      "HTTP probe failed with statuscode: 503",
      `Get "http://${pod.podIP}:8080/healthz/ready": dial tcp ${pod.podIP}:8080: connect: connection refused`,
    ]),
    from: t,
    until: t + r.int(1, 3) * 10 * SEC,
  });
};

const hpaActivity: NoiseFn = (w, ctx, win) => {
  const r = w.rng;
  const wl = bystander(w, ctx, r.int(2, 3));
  const hpa = w.res(ctx.c, "HorizontalPodAutoscaler", wl.app, wl.ns, {
    spec: {
      scaleTargetRef: { kind: "Deployment", name: wl.app },
      minReplicas: 2,
      maxReplicas: r.int(8, 20),
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ],
    },
    status: { currentReplicas: wl.pods.length, desiredReplicas: wl.pods.length },
  });
  w.put(hpa, w.tList + r.int(0, 30) * SEC);
  w.link(hpa, wl.ctrl, "SCALES", w.tList + r.int(0, 30) * SEC);
  const t = r.int(win.from, win.to - 4 * MIN);
  const from = wl.pods.length;
  const to = from + r.int(1, 3);
  w.event(
    hpa,
    "SuccessfulRescale",
    `New size: ${to}; reason: cpu resource utilization (percentage of request) above target`,
    t,
    { type: "Normal", component: "horizontal-pod-autoscaler" },
  );
  hpa.status = { currentReplicas: from, desiredReplicas: to };
  w.put(hpa, t + r.int(100, 900));
  wl.ctrl.replicas = to;
  w.put(wl.ctrl, t + r.int(200, 1200));
  w.event(
    wl.ctrl,
    "ScalingReplicaSet",
    scalingMessage(wl.c, "up", wl.rs!.name, to, from),
    t + r.int(200, 1500),
    { type: "Normal", component: "deployment-controller" },
  );
  for (let i = from; i < to; i++) {
    const node = r.pick(ctx.nodes);
    const p = createPod(w, wl.rs!, t + r.int(1, 3) * SEC, { node, containers: [wl.container], svc: wl.svc });
    startContainers(w, p, t + r.int(3, 6) * SEC, { pull: false, ipNode: node });
    wl.pods.push(p);
  }
  if (r.chance(0.6)) {
    w.event(
      hpa,
      "FailedGetResourceMetric",
      "failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)",
      t + r.int(20, 60) * SEC,
      { component: "horizontal-pod-autoscaler" },
    );
    w.event(
      hpa,
      "FailedComputeMetricsReplicas",
      "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)",
      t + r.int(20, 60) * SEC,
      { component: "horizontal-pod-autoscaler" },
    );
  }
};

const WARN_LINES = [
  (r: World["rng"]) =>
    `slow query (${r.int(900, 4800)}ms): SELECT * FROM ${r.pick(["orders", "sessions", "events", "line_items"])} WHERE ${r.pick(["customer_id", "created_at", "status"])} = $1`,
  (r: World["rng"]) =>
    `retrying request to s3.${r.pick(["eu-west-1", "us-east-1"])}.amazonaws.com (attempt ${r.int(2, 4)}/5): RequestTimeout`,
  () => "deprecated config key 'cache.ttl' used, use 'cache.ttlSeconds' instead",
  (r: World["rng"]) => `GC pause ${r.int(200, 900)}ms exceeds target of 200ms`,
  (r: World["rng"]) =>
    `failed to flush metrics to statsd: write udp 127.0.0.1:${r.int(40000, 60000)}->127.0.0.1:8125: write: connection refused`,
  (r: World["rng"]) => `circuit breaker 'geo-api' half-open after ${r.int(10, 60)}s`,
  () => "token refresh took longer than expected",
  (r: World["rng"]) =>
    `context canceled while reading request body (client disconnected) remote=10.${r.int(0, 3)}.${r.int(0, 255)}.${r.int(2, 250)}`,
];

const warnLogs: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const pods = podsOff(ctx, avoid);
  const pool = pods.length > 0 ? pods : bystander(w, ctx, 2).pods;
  for (let i = 0; i < r.int(4, 12); i++) {
    const p = r.pick(pool);
    const line = r.pick(WARN_LINES)(r);
    const sev = /refused|canceled/.test(line) && r.chance(0.5) ? "ERROR" : "WARN";
    w.log(p, r.int(win.from, win.to), sev, sev === "ERROR" ? line : `WARN ${line}`);
  }
  for (const p of r.pickN(pool, 3)) chatter(w, p, ctx.lang(), win.from, win.to, r.int(2, 6));
};

const baselineAlerts: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const c = ctx.c;
  A.watchdog(w, c, win.from - r.int(1, 72) * 60 * MIN);
  if (c.flavor !== "kubeadm" && r.chance(0.7)) {
    // Managed control planes are not scrapeable: these fire for ever on EKS/GKE/AKS.
    const which = r.pick(["kube-controller-manager", "kube-scheduler", "kube-proxy"]);
    const name = {
      "kube-controller-manager": "KubeControllerManagerDown",
      "kube-scheduler": "KubeSchedulerDown",
      "kube-proxy": "KubeProxyDown",
    }[which]!;
    w.alert(
      {
        name,
        severity: "critical",
        labels: {},
        summary: `Target disappeared from Prometheus target discovery.`,
        description: `${name.replace("Down", "")} has disappeared from Prometheus target discovery.`,
        runbook: `https://runbooks.prometheus-operator.dev/runbooks/kubernetes/${name.toLowerCase()}`,
        activeAt: win.from - r.int(2, 40) * 24 * 60 * MIN,
        forSec: 15 * 60,
        cluster: c,
      },
      { arrival: win.from + r.int(0, 600) * SEC },
    );
  }
  if (r.chance(0.6)) {
    const pods = podsOff(ctx, avoid);
    const pod = pods.length > 0 ? r.pick(pods) : bystander(w, ctx, 1).pods[0]!;
    const wl = ctx.workloads.find((x) => x.pods.includes(pod));
    // CPUThrottlingHigh on some pod is near-permanent background in most clusters.
    A.cpuThrottlingHigh(
      w,
      pod,
      wl?.container ?? pod.containers?.[0] ?? "app",
      r.float(25.5, 60),
      win.from - r.int(30, 600) * MIN,
      {
        resolvedAt: r.chance(0.5) ? r.int(win.from, win.to) : undefined,
      },
    );
  }
};

const projectedToken: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const pods = podsOff(ctx, avoid);
  const pod = pods.length > 0 ? r.pick(pods) : bystander(w, ctx, 1).pods[0]!;
  const t = r.int(win.from - 5 * MIN, win.to);
  const h = w.event(
    pod,
    "FailedMount",
    `MountVolume.SetUp failed for volume "kube-api-access-${r.safe(5)}" : object "${pod.namespace}"/"kube-root-ca.crt" not registered`,
    t,
    { host: pod.node },
  );
  for (let i = 1; i < r.int(1, 4); i++) w.again(h, t + i * r.int(1, 8) * SEC);
};

const endpointSliceConflict: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const svcs = ctx.workloads
    .map((x) => x.svc)
    .filter((s): s is Res => !!s && !avoid.has(`ns:${s.namespace}`));
  const svc = svcs.length > 0 ? r.pick(svcs) : bystander(w, ctx, 1).svc!;
  const slice = `${svc.name}-${r.safe(5)}`;
  w.event(
    svc,
    "FailedToUpdateEndpointSlices",
    `Error updating Endpoint Slices for Service ${svc.namespace}/${svc.name}: failed to update ${slice} EndpointSlice for Service ${svc.namespace}/${svc.name}: Operation cannot be fulfilled on endpointslices.discovery.k8s.io "${slice}": the object has been modified; please apply your changes to the latest version and try again`,
    r.int(win.from, win.to),
    { component: "endpoint-slice-controller" },
  );
};

const npdNoise: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  if (!w.style.npd) return;
  const node = freeNode(w, ctx, avoid);
  const t = r.int(win.from, win.to);
  const [reason, msg] = r.pick([
    [
      "TaskHung",
      `INFO: task ${r.pick(["containerd", "jbd2/nvme0n1p1-8", "kworker/u16:2"])}:${r.int(200, 9000)} blocked for more than 120 seconds.`,
    ],
    ["KernelOops", `BUG: unable to handle kernel NULL pointer dereference at 0000000000000${r.hex(3)}`],
    ["NTPIsDown", "NTP service is not running"],
    ["ContainerdStart", "Starting containerd container runtime..."],
  ] as const);
  w.event(node, reason, msg, t, {
    component: reason === "NTPIsDown" ? "systemd-monitor" : "kernel-monitor",
    host: node.name,
    type: reason === "ContainerdStart" ? "Normal" : "Warning",
  });
};

// ------------------------------------------------------------------ second, unrelated incidents

const devImagePull: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const ns = r.pick(["dev", "sandbox", "staging", "preview-pr-1287", "qa"]);
  const wl = ctx.deploy({
    ns,
    domain: "",
    replicas: 1,
    app: ctx.names.take(r.pick(["feature-x", "demo-api", "spike-worker", "poc-search"])),
  });
  const pod = wl.pods[0]!;
  const bad = imageRef(wl.c, ns, wl.app, r.pick(["latest-dev", "pr-1287", "0.0.1-SNAPSHOT"]));
  const started = win.from - r.int(3, 30) * 60 * MIN;
  const h1 = w.event(pod, "BackOff", `Back-off pulling image "${bad}"`, started, {
    type: "Normal",
    count: r.int(300, 4000),
    host: pod.node,
  });
  const h2 = w.event(pod, "Failed", "Error: ImagePullBackOff", started, {
    count: r.int(300, 4000),
    host: pod.node,
  });
  for (let t = win.from + r.int(0, 60) * SEC; t < win.to; t += r.int(60, 300) * SEC) {
    w.again(h1, t, { step: r.int(3, 12) });
    w.again(h2, t + r.int(1, 40), { step: r.int(3, 12) });
  }
  A.containerWaiting(w, pod, wl.container, "ImagePullBackOff", started + 2 * MIN);
  void avoid;
};

const batchOom: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const [ns] = ctx.names.ns();
  const name = ctx.names.take(
    r.pick(["ml-feature-build", "invoice-export", "search-reindex", "thumbnail-batch"]),
  );
  const image = imageRef(ctx.c, ns, name, tag(w));
  const t = Math.floor(r.int(win.from - 5 * MIN, win.to - 12 * MIN) / MIN) * MIN;
  const jobName = cronJobName(name, t);
  const job = w.res(ctx.c, "Job", jobName, ns, {
    labels: { "job-name": jobName },
    image,
    spec: { backoffLimit: 2 },
    status: { active: 1 },
  });
  w.put(job, t);
  const node = freeNode(w, ctx, avoid);
  let tt = t + 2 * SEC;
  for (let i = 0; i < 3; i++) {
    const pod = createPod(w, job, tt, { node, containers: [name], labels: { "job-name": jobName } });
    startContainers(w, pod, tt + 2 * SEC, { pull: i === 0, ipNode: node, ready: false });
    const end = tt + r.int(40, 120) * SEC;
    w.watcherEvent(
      pod,
      "OOMKilled",
      `Container ${name} terminated with OOMKilled (exit code 137), restart count 0`,
      end,
    );
    pod.status = { phase: "Failed", restartCount: 0, containerReady: false, reason: "OOMKilled" };
    w.put(pod, end + 800);
    tt = end + r.int(10, 40) * SEC * (i + 1);
  }
  w.event(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", tt, {
    component: "job-controller",
  });
  job.status = {
    failed: 3,
    conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }],
  };
  w.put(job, tt + 500);
  A.jobFailed(w, job, tt + r.int(10, 60) * SEC);
};

const stagingCrash: NoiseFn = (w, ctx, win) => {
  const r = w.rng;
  const ns = r.pick(["staging", "stage", "uat"]);
  const wl = ctx.deploy({
    ns,
    domain: "",
    replicas: 1,
    app: ctx.names.take(r.pick(["orders-api-canary", "billing-next", "gateway-v2", "importer"])),
  });
  const pod = wl.pods[0]!;
  const t = r.int(win.from - 20 * MIN, win.to - 10 * MIN);
  crashLoop(w, pod, {
    term: "Error",
    exitCode: r.pick([1, 2, 139]),
    firstStart: t,
    runSec: [2, 15],
    until: win.to,
    onRun: (ts, te) => {
      w.log(
        pod,
        te - 200,
        "ERROR",
        r.pick([
          "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x7b3c1a]",
          "Error: Cannot find module '/app/dist/main.js'",
          'Exception in thread "main" java.lang.IllegalStateException: Failed to load ApplicationContext',
          "KeyError: 'FEATURE_FLAGS_URL'",
        ]),
      );
      void ts;
    },
  });
  A.podCrashLooping(w, pod, wl.container, t + 3 * MIN);
};

const predictiveDisk: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  if (r.chance(0.5)) {
    const node = freeNode(w, ctx, avoid);
    w.alert({
      name: "NodeFilesystemSpaceFillingUp",
      severity: "warning",
      labels: {
        job: "node-exporter",
        namespace: "monitoring",
        instance: `${ctx.c.internalIP(node.idx ?? 0)}:9100`,
        mountpoint: "/var/lib/containerd",
        device: "/dev/nvme1n1",
        fstype: "xfs",
      },
      summary: "Filesystem is predicted to run out of space within the next 24 hours.",
      description: `Filesystem on /dev/nvme1n1, mounted on /var/lib/containerd, at ${ctx.c.internalIP(node.idx ?? 0)}:9100 has only ${r.float(12, 19).toFixed(2)}% available space left and is filling up.`,
      activeAt: win.from - r.int(10, 300) * MIN,
      forSec: 3600,
      subject: node,
      cluster: ctx.c,
    });
  } else {
    const [ns] = ctx.names.ns();
    const pvcName = r.pick([
      "prometheus-db-prometheus-0",
      "data-elasticsearch-master-1",
      "storage-loki-0",
      "data-clickhouse-0",
    ]);
    const pvc = w.res(ctx.c, "PersistentVolumeClaim", pvcName, ns, {
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Gi" } } },
      status: { phase: "Bound" },
    });
    w.put(pvc, w.tList + r.int(0, 20) * SEC);
    A.pvFillingUp(w, pvc, freeNode(w, ctx, avoid), r.float(8, 14), win.from - r.int(10, 600) * MIN, {
      predictive: true,
    });
  }
};

const gpuPending: NoiseFn = (w, ctx, win) => {
  const r = w.rng;
  const [ns] = ctx.names.ns();
  const name = ctx.names.take(r.pick(["train-ranker", "embedding-batch", "llm-eval"]));
  const job = w.res(ctx.c, "Job", `${name}-${r.safe(5)}`, ns, {
    labels: { app: name },
    image: `nvcr.io/nvidia/pytorch:24.0${r.int(1, 9)}-py3`,
    status: { active: 1 },
  });
  w.put(job, w.tList);
  const pod = createPod(w, job, win.from - r.int(60, 600) * MIN, { containers: ["trainer"] });
  const n = ctx.nodes.length;
  schedulingFailure(w, pod, {
    message: `0/${n} nodes are available: ${n} Insufficient nvidia.com/gpu. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`,
    from: win.from - r.int(5, 50) * MIN,
    until: win.to,
    everySec: [60, 300],
    autoscaler: r.chance(0.6)
      ? `pod didn't trigger scale-up: 1 max node group size reached, ${n} Insufficient nvidia.com/gpu`
      : undefined,
  });
};

const probeRestarter: NoiseFn = (w, ctx, win, avoid) => {
  // A chronically flaky liveness probe on an unrelated pod that gets restarted now and then.
  const r = w.rng;
  const pods = podsOff(ctx, avoid);
  const pod = pods.length > 0 ? r.pick(pods) : bystander(w, ctx, 1).pods[0]!;
  const t = r.int(win.from, win.to - 3 * MIN);
  probeFailures(w, pod, {
    probe: "Liveness",
    message: `Get "http://${pod.podIP}:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    from: t,
    until: t + 40 * SEC,
    periodSec: 10,
    threshold: 3,
    healthySec: 600,
  });
};

const pullRateLimit: NoiseFn = (w, ctx, win, avoid) => {
  const r = w.rng;
  const node = freeNode(w, ctx, avoid);
  const [ns] = ctx.names.ns();
  const app = ctx.names.take(r.pick(["redis-exporter", "blackbox-exporter", "pgbouncer", "memcached"]));
  const img = `docker.io/${r.pick(["bitnami", "prom", "library"])}/${app}:${r.int(1, 3)}.${r.int(0, 20)}.${r.int(0, 9)}`;
  const wl = deployment(w, ctx.c, [node], { ns, app, replicas: 1, image: img, service: false });
  ctx.workloads.push(wl);
  const rs = wl.rs!;
  const t = r.int(win.from, win.to - 5 * MIN);
  const pod = createPod(w, rs, t, { node, containers: [app] });
  pullFailure(w, pod, {
    image: img,
    error: `rpc error: code = Unknown desc = failed to pull and unpack image "${img}": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/${img.split("/").slice(1).join("/").split(":")[0]}/manifests/sha256:${r.hex(64)}: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit`,
    from: t + 2 * SEC,
    until: Math.min(win.to, t + r.int(3, 8) * MIN),
  });
};

const SECOND: NoiseFn[] = [devImagePull, batchOom, stagingCrash, predictiveDisk, gpuPending, pullRateLimit];
const ROUTINE: NoiseFn[] = [
  healthyRollout,
  cronSuccess,
  sandboxStorm,
  dnsConfigForming,
  readinessBlip,
  hpaActivity,
  warnLogs,
  projectedToken,
  endpointSliceConflict,
  npdNoise,
  probeRestarter,
];

/** Add background noise to a built scenario. `avoid` names nodes/namespaces on the causal chain. */
export function addNoise(w: World, ctx: Ctx, level: NoiseLevel, avoid: Set<string> = new Set()): void {
  const r = w.rng;
  const win = { from: w.t0 - r.int(8, 15) * MIN, to: w.t0 + r.int(18, 28) * MIN };
  baselineAlerts(w, ctx, win, avoid);
  warnLogs(w, ctx, win, avoid);
  const n = level === "light" ? r.int(2, 3) : level === "normal" ? r.int(3, 6) : r.int(6, 9);
  const picks = r.pickN(ROUTINE, n);
  if (level !== "light" && !picks.includes(sandboxStorm) && r.chance(0.5)) picks.push(sandboxStorm);
  for (const f of picks) f(w, ctx, win, avoid);
  const seconds =
    level === "heavy"
      ? r.chance(0.85)
        ? r.int(1, 2)
        : 0
      : level === "normal"
        ? r.chance(0.35)
          ? 1
          : 0
        : 0;
  for (const f of r.pickN(SECOND, seconds)) f(w, ctx, win, avoid);
}

/** A second cluster with the same namespaces, Deployments and Services (other pods). */
export function twinCluster(w: World, ctx: Ctx): Cluster {
  const r = w.rng;
  let c2 = makeCluster(r, { flavor: ctx.c.flavor, field: r.chance(0.7) ? "cluster" : "client_id" });
  for (let i = 0; i < 5 && c2.id === ctx.c.id; i++)
    c2 = makeCluster(r, { flavor: ctx.c.flavor, field: "cluster" });
  if (c2.id === ctx.c.id) c2.id = `${c2.id}-b`;
  w.addCluster(c2);
  const nodes = makeNodes(w, c2, r.int(3, 5));
  const deps = ctx.workloads.filter((x) => x.kind === "Deployment").slice(0, 5);
  const twins: Workload[] = [];
  for (const wl of deps) {
    const labelKey = Object.keys(
      wl.ctrl.spec
        ? ((wl.ctrl.spec.selector as { matchLabels: Record<string, string> }).matchLabels ?? {})
        : {},
    )[0];
    const t = deployment(w, c2, nodes, {
      ns: wl.ns,
      app: wl.app,
      replicas: r.int(2, 3),
      image: wl.image,
      port: wl.port,
      labelKey: (labelKey as "app") ?? "app",
      service: wl.svc ? wl.svc.name : false,
    });
    twins.push(t);
    for (const p of t.pods) chatter(w, p, ctx.lang(), w.t0 - 10 * MIN, w.t0 + 20 * MIN, r.int(1, 4));
  }
  const victim = twins.length > 0 ? r.pick(twins) : undefined;
  if (victim) {
    const pod = r.pick(victim.pods);
    const t = w.t0 + r.int(-6, 8) * MIN;
    if (r.chance(0.5)) {
      probeFailures(w, pod, {
        probe: "Readiness",
        message: "HTTP probe failed with statuscode: 503",
        from: t,
        until: t + r.int(2, 6) * 10 * SEC,
      });
    } else {
      crashLoop(w, pod, {
        term: "Error",
        exitCode: 2,
        firstStart: t,
        runSec: [30, 90],
        until: t + r.int(4, 9) * MIN,
        onRun: (_s, e) => {
          w.log(
            pod,
            e - 300,
            "ERROR",
            `fatal error: concurrent map writes\n\ngoroutine ${r.int(100, 9000)} [running]:`,
          );
        },
      });
      A.podCrashLooping(w, pod, victim.container, t + 2 * MIN);
    }
  }
  return c2;
}
