// Scenarios written in the styles other producers use (CONTRACT.md allows all of them): raw
// kubernetes-event-exporter objects and events.k8s.io/v1 events, resources as API objects
// (`metadata.*`, watch `op`s), tombstones, Alertmanager alerts (single and whole webhook
// payloads, `startsAt`/`fingerprint`, exporter labels), Vector-style logs (`@timestamp`,
// `level`, `msg`, `kubernetes.*`). Run: node scenarios/src/probes/generate-probes.mjs
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const OUT = new URL("../../", import.meta.url).pathname;

function rng(seed) {
  let s = createHash("sha256").update(seed).digest().readUInt32LE(0) || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) % 1_000_000) / 1_000_000;
  };
}

function scenario(name, cluster, t0Iso) {
  const r = rng(name);
  const t0 = Date.parse(t0Iso);
  const msgs = [];
  let clock = -1e9;
  const push = msgs.push.bind(msgs);
  msgs.push = (m) => push({ ...m, _t: clock });
  const iso = (sec) => {
    clock = sec;
    return new Date(t0 + Math.round(sec * 1000)).toISOString().replace(".000Z", "Z");
  };
  const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(r() * 16)]).join("");
  const uid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const sfx = (n) => Array.from({ length: n }, () => "bcdfghjklmnpqrstvwxz2456789"[Math.floor(r() * 27)]).join("");
  const S = {
    cluster,
    r,
    iso,
    uid,
    sfx,
    msgs,
    /** A resource as an API object, sent with a watch op. */
    obj(sec, kind, ns, name, id, extra = {}, op = "MODIFIED") {
      const { labels, ownerReferences, annotations, ...rest } = extra;
      msgs.push({
        topic: "state.k8s.resource",
        key: `${kind.toLowerCase()}:${id}`,
        value: {
          op,
          at: iso(sec),
          cluster,
          kind,
          apiVersion: kind === "Deployment" || kind === "ReplicaSet" || kind === "StatefulSet" ? "apps/v1" : "v1",
          metadata: {
            name,
            ...(ns ? { namespace: ns } : {}),
            uid: id,
            ...(labels ? { labels } : {}),
            ...(ownerReferences ? { ownerReferences } : {}),
            ...(annotations ? { annotations } : {}),
            resourceVersion: String(Math.floor(r() * 9e7)),
          },
          ...rest,
        },
      });
    },
    tombstone(kind, id, sec) {
      clock = sec;
      msgs.push({ topic: "state.k8s.resource", key: `${kind.toLowerCase()}:${id}`, value: null });
    },
    edge(sec, from, to, type) {
      msgs.push({
        topic: "state.k8s.topology",
        key: `edge:${from}->${to}`,
        value: { op: "UPSERT", at: iso(sec), cluster, id: `edge:${from}->${to}`, from, to, type },
      });
    },
    /** A kubernetes-event-exporter object; each repeat is the same object with count/lastTimestamp grown. */
    kev(sec, kind, ns, name, objUid, type, reason, message, component, opts = {}) {
      const evUid = opts.uid ?? uid();
      const first = opts.firstSec ?? sec;
      const v = {
        metadata: {
          name: `${name}.${hex(16)}`,
          namespace: ns || "default",
          uid: evUid,
          resourceVersion: String(Math.floor(r() * 9e7)),
          creationTimestamp: iso(first),
        },
        involvedObject: { kind, name, ...(ns ? { namespace: ns } : {}), ...(objUid ? { uid: objUid } : {}), apiVersion: "v1" },
        reason,
        message,
        source: { component, ...(opts.host ? { host: opts.host } : {}) },
        firstTimestamp: iso(first),
        lastTimestamp: iso(sec),
        count: opts.count ?? 1,
        type,
        eventTime: null,
        reportingComponent: component,
        cluster,
      };
      msgs.push({ topic: "events.normalized", key: evUid, value: v });
      return evUid;
    },
    /** events.k8s.io/v1 form. */
    kev1(sec, kind, ns, name, type, reason, note, controller, count = 1, firstSec = sec) {
      const evUid = uid();
      msgs.push({
        topic: "events.normalized",
        key: evUid,
        value: {
          metadata: { name: `${name}.${hex(16)}`, namespace: ns, uid: evUid, creationTimestamp: iso(firstSec) },
          regarding: { kind, namespace: ns, name },
          reason,
          note,
          type,
          reportingController: controller,
          eventTime: iso(firstSec),
          series: count > 1 ? { count, lastObservedTime: iso(sec) } : undefined,
          cluster,
        },
      });
      return evUid;
    },
    /** A Vector kubernetes_logs record. */
    vlog(sec, ns, pod, podUid, container, level, message, id) {
      const v = {
        "@timestamp": iso(sec),
        level,
        message,
        kubernetes: { pod_name: pod, pod_namespace: ns, pod_uid: podUid, container_name: container },
        cluster,
      };
      if (id) v.id = id;
      msgs.push({ topic: "logs.normalized", key: podUid, value: v });
      return id;
    },
    /** One Alertmanager alert as it appears in a webhook payload. */
    amAlert(sec, labels, annotations, status = "firing", endSec) {
      const fp = hex(16);
      const a = {
        status,
        labels: { prometheus: "monitoring/kube-prometheus-stack-prometheus", cluster: S.cluster, ...labels },
        annotations,
        startsAt: iso(sec),
        endsAt: status === "resolved" ? iso(endSec) : "0001-01-01T00:00:00Z",
        generatorURL: `http://prometheus.monitoring:9090/graph?g0.expr=${labels.alertname}`,
        fingerprint: fp,
      };
      return { a, id: `am-${fp}-${Date.parse(iso(sec))}-${status}` };
    },
    alertMsg(a) {
      msgs.push({ topic: "alerts.enriched", key: a.fingerprint, value: a });
    },
    webhook(alerts) {
      msgs.push({
        topic: "alerts.enriched",
        key: null,
        value: { version: "4", status: "firing", receiver: "kg-rca", groupKey: "{}:{}", alerts, commonLabels: {}, commonAnnotations: {} },
      });
    },
    shuffleLate(frac) {
      // a stream is roughly in time order; then some messages arrive late
      const sorted = msgs.map((m, i) => [m, i]).sort((a, b) => a[0]._t - b[0]._t || a[1] - b[1]).map((x) => x[0]);
      msgs.length = 0;
      for (const m of sorted) push(m);
      // late and out-of-order delivery: move a share of messages later in the stream
      for (let i = 0; i < msgs.length * frac; i++) {
        const a = Math.floor(r() * msgs.length);
        const b = Math.min(msgs.length - 1, a + 1 + Math.floor(r() * 12));
        const [m] = msgs.splice(a, 1);
        msgs.splice(b, 0, m);
      }
    },
  };
  return S;
}

/** Nodes, a few healthy workloads with their lifecycle, and infra noise. */
function cluster(S, nodeNames, apps, opts = {}) {
  const nodes = nodeNames.map((n) => ({ name: n, uid: S.uid() }));
  for (const n of nodes)
    S.obj(-7200, "Node", undefined, n.name, n.uid, {
      labels: { "kubernetes.io/hostname": n.name, "node.kubernetes.io/instance-type": "m6i.2xlarge" },
      status: { conditions: [{ type: "Ready", status: "True" }, { type: "MemoryPressure", status: "False" }] },
      spec: {},
    }, "ADDED");
  const pods = [];
  for (const app of apps) {
    const depUid = S.uid();
    const rsName = `${app.name}-${S.sfx(9)}`;
    const rsUid = S.uid();
    const podSpec = { containers: [{ name: app.name, image: app.image, resources: { limits: { memory: app.mem ?? "512Mi" } }, ...(app.container ?? {}) }], ...(app.podSpec ?? {}) };
    S.obj(-5400, app.kind ?? "Deployment", app.ns, app.name, depUid, {
      labels: { app: app.name },
      spec: { replicas: app.replicas, selector: { matchLabels: { app: app.name } }, template: { metadata: { labels: { app: app.name } }, spec: podSpec } },
      status: { replicas: app.replicas, readyReplicas: app.replicas },
    }, "ADDED");
    S.obj(-5390, "ReplicaSet", app.ns, rsName, rsUid, {
      labels: { app: app.name },
      ownerReferences: [{ kind: "Deployment", name: app.name, uid: depUid }],
      spec: { replicas: app.replicas, template: { spec: podSpec } },
    }, "ADDED");
    S.obj(-5400, "Service", app.ns, app.name, S.uid(), {
      labels: { app: app.name },
      spec: { selector: { app: app.name }, clusterIP: `10.96.${Math.floor(S.r() * 250)}.${Math.floor(S.r() * 250)}`, ports: [{ port: 80, targetPort: 8080 }] },
    }, "ADDED");
    for (let i = 0; i < app.replicas; i++) {
      const pod = { name: `${rsName}-${S.sfx(5)}`, uid: S.uid(), node: nodes[(i + apps.indexOf(app)) % nodes.length], app, rsName, rsUid, depUid, podSpec };
      const t = -3600 + Math.floor(S.r() * 600);
      S.obj(t, "Pod", app.ns, pod.name, pod.uid, {
        labels: { app: app.name, "pod-template-hash": rsName.split("-").pop() },
        ownerReferences: [{ kind: "ReplicaSet", name: rsName, uid: rsUid }],
        spec: { nodeName: pod.node.name, ...podSpec },
        status: { phase: "Running", podIP: `10.244.${Math.floor(S.r() * 250)}.${Math.floor(S.r() * 250)}`, containerStatuses: [{ name: app.name, ready: true, restartCount: 0 }] },
      }, "ADDED");
      S.kev(t, "Pod", app.ns, pod.name, pod.uid, "Normal", "Scheduled", `Successfully assigned ${app.ns}/${pod.name} to ${pod.node.name}`, "default-scheduler");
      S.kev(t + 2, "Pod", app.ns, pod.name, pod.uid, "Normal", "Pulled", `Container image "${app.image}" already present on machine`, "kubelet", { host: pod.node.name });
      S.kev(t + 3, "Pod", app.ns, pod.name, pod.uid, "Normal", "Started", `Started container ${app.name}`, "kubelet", { host: pod.node.name });
      pods.push(pod);
    }
  }
  // infra noise: a sandbox storm on one node, probe flaps, a watchdog, image GC
  const storm = nodes[nodes.length - 1];
  const stormUid = S.uid();
  for (let i = 1; i <= 14; i++)
    S.kev(-1500 + i * 95, "Pod", "kube-system", "aws-node-" + S.sfx(5), undefined, "Warning", "FailedCreatePodSandBox",
      'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type="aws-cni" name="aws-cni" failed (add): add cmd: failed to assign an IP address to container',
      "kubelet", { host: storm.name, uid: stormUid, firstSec: -1500, count: i });
  const { a: wd } = S.amAlert(-7000, { alertname: "Watchdog", severity: "none", namespace: "monitoring" }, { summary: "An alert that should always be firing to certify that Alertmanager is working properly." });
  S.alertMsg(wd);
  const { a: thr } = S.amAlert(-900, { alertname: "CPUThrottlingHigh", severity: "info", namespace: pods[0].app.ns, pod: pods[0].name, container: pods[0].app.name, job: "kubelet", service: "kube-prometheus-stack-kubelet" }, { summary: "Processes experience elevated CPU throttling." });
  S.alertMsg(thr);
  S.kev(-600, "Node", undefined, nodes[0].name, nodes[0].uid, "Warning", "ImageGCFailed", "failed to garbage collect required amount of images. Wanted to free 4817162240 bytes, but freed 0 bytes", "kubelet", { host: nodes[0].name });
  if (opts.secondIncident) {
    // an unrelated OOM loop elsewhere
    const p = pods.find((x) => x.app.ns !== opts.skipNs) ?? pods[0];
    const e = S.uid();
    for (let i = 1; i <= 4; i++) {
      S.kev(-1200 + i * 160, "Pod", p.app.ns, p.name, p.uid, "Warning", "OOMKilling", `Memory cgroup out of memory: Killed process ${3000 + i} (java) total-vm:3891208kB, anon-rss:1048212kB`, "kernel-monitor", { host: p.node.name });
      S.kev(-1195 + i * 160, "Pod", p.app.ns, p.name, p.uid, "Warning", "BackOff", `Back-off restarting failed container ${p.app.name} in pod ${p.name}_${p.app.ns}(${p.uid})`, "kubelet", { host: p.node.name, uid: e, firstSec: -1035, count: i });
    }
  }
  return { nodes, pods };
}

function write(S, file, body) {
  const out = { ...body, messages: S.msgs.map(({ _t, ...m }) => m) };
  writeFileSync(join(OUT, file), `${JSON.stringify(out, null, 0)}\n`);
}

// ---------------------------------------------------------------- 1: pull secret tombstoned, HPA scale-out, 401
{
  const S = scenario("probe-pull-secret-tombstone", "eks-prod-apse2", "2025-03-04T09:00:00Z");
  const ns = "billing";
  const secretUid = S.uid();
  S.obj(-86000, "Secret", ns, "ecr-pull-creds", secretUid, { type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": "(redacted)" } }, "ADDED");
  const { nodes, pods } = cluster(S, ["ip-10-61-12-7.ap-southeast-2.compute.internal", "ip-10-61-40-88.ap-southeast-2.compute.internal", "ip-10-61-77-19.ap-southeast-2.compute.internal"], [
    { name: "invoice-renderer", ns, replicas: 2, image: "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/billing/invoice-renderer:4.2.0", podSpec: { imagePullSecrets: [{ name: "ecr-pull-creds" }] } },
    { name: "ledger-api", ns, replicas: 2, image: "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/billing/ledger-api:2.9.1" },
    { name: "notifier", ns: "comms", replicas: 2, image: "ghcr.io/northwind/notifier:1.3.0" },
  ], { secondIncident: true, skipNs: ns });
  // a cleanup job removes "unused" secrets: only a tombstone arrives
  S.kev(-2520, "Job", ns, "secret-janitor-28977120", S.uid(), "Normal", "Completed", "Job completed", "job-controller");
  S.tombstone("Secret", secretUid, -2519);
  // HPA scale-out 35 min later
  const app = pods.find((p) => p.app.name === "invoice-renderer");
  S.kev(-300, "HorizontalPodAutoscaler", ns, "invoice-renderer", S.uid(), "Normal", "SuccessfulRescale", "New size: 4; reason: cpu resource utilization (percentage of request) above target", "horizontal-pod-autoscaler");
  S.obj(-299, "Deployment", ns, "invoice-renderer", app.depUid, { labels: { app: "invoice-renderer" }, spec: { replicas: 4, selector: { matchLabels: { app: "invoice-renderer" } }, template: { metadata: { labels: { app: "invoice-renderer" } }, spec: app.podSpec } }, status: { replicas: 4, readyReplicas: 2 } });
  const newPods = [];
  for (let i = 0; i < 2; i++) {
    const name = `${app.rsName}-${S.sfx(5)}`;
    const u = S.uid();
    const node = nodes[(i + 1) % nodes.length];
    S.obj(-298, "Pod", ns, name, u, { labels: { app: "invoice-renderer" }, ownerReferences: [{ kind: "ReplicaSet", name: app.rsName, uid: app.rsUid }], spec: { nodeName: node.name, ...app.podSpec }, status: { phase: "Pending", containerStatuses: [{ name: "invoice-renderer", ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff" } } }] } }, "ADDED");
    S.kev(-298, "ReplicaSet", ns, app.rsName, app.rsUid, "Normal", "SuccessfulCreate", `Created pod: ${name}`, "replicaset-controller");
    S.kev(-297, "Pod", ns, name, u, "Normal", "Scheduled", `Successfully assigned ${ns}/${name} to ${node.name}`, "default-scheduler");
    const img = app.app.image;
    const pullUid = S.uid();
    const boUid = S.uid();
    for (let k = 1; k <= 5; k++) {
      S.kev(-295 + k * 40, "Pod", ns, name, u, "Normal", "Pulling", `Pulling image "${img}"`, "kubelet", { host: node.name, uid: S.uid() });
      S.kev(-294 + k * 40, "Pod", ns, name, u, "Warning", "Failed", `Failed to pull image "${img}": rpc error: code = Unknown desc = failed to pull and unpack image "${img}": failed to resolve reference "${img}": pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials`, "kubelet", { host: node.name, uid: pullUid, firstSec: -254, count: k });
      S.kev(-290 + k * 40, "Pod", ns, name, u, "Normal", "BackOff", `Back-off pulling image "${img}"`, "kubelet", { host: node.name, uid: boUid, firstSec: -250, count: k });
    }
    newPods.push(name);
  }
  const { a, id } = S.amAlert(20, { alertname: "KubeDeploymentReplicasMismatch", severity: "warning", namespace: ns, deployment: "invoice-renderer", job: "kube-state-metrics", service: "kube-prometheus-stack-kube-state-metrics", instance: "10.61.40.12:8080", container: "kube-state-metrics", pod: "kube-prometheus-stack-kube-state-metrics-6d5f7c9b8-w2xkq", endpoint: "http" }, { summary: "Deployment has not matched the expected number of replicas.", description: `Deployment ${ns}/invoice-renderer has not matched the expected number of replicas for longer than 15 minutes.` });
  S.alertMsg(a);
  S.shuffleLate(0.08);
  write(S, "missing-config-06-pull-secret-tombstoned-hpa-scale-out-am-alert.json", {
    name: "missing-config-06-pull-secret-tombstoned-hpa-scale-out-am-alert",
    fault: "missing-config",
    description: "A secret janitor job deletes billing/ecr-pull-creds (only a tombstone reaches the topic). 40 minutes later the HPA scales invoice-renderer out; the new pods cannot pull from ECR (no basic auth credentials). Alertmanager sends KubeDeploymentReplicasMismatch with kube-state-metrics' own pod/service/instance labels. Events are raw event-exporter objects, resources API objects, the alert an Alertmanager alert without event_id.",
    symptom: { event_id: id },
    truth: { root_causes: [{ kind: "Secret", namespace: ns, name: "ecr-pull-creds" }], blast_radius: [{ kind: "Deployment", namespace: ns, name: "invoice-renderer" }] },
  });
}

// ---------------------------------------------------------------- 2: ConfigMap edit + rollout, crash loop, ingress 5xx
{
  const S = scenario("probe-configmap-edit-ingress", "gke-eu-west4-prod", "2025-05-20T14:30:00Z");
  const ns = "catalog";
  const cmUid = S.uid();
  const { nodes, pods } = cluster(S, ["gke-eu-west4-prod-pool-1-8a3c91d2-h7lq", "gke-eu-west4-prod-pool-1-8a3c91d2-x2mm", "gke-eu-west4-prod-pool-2-51e0b7aa-c9zt"], [
    { name: "search-gateway", ns, replicas: 3, image: "europe-west4-docker.pkg.dev/shopco/apps/search-gateway:7.4.2", podSpec: { volumes: [{ name: "conf", configMap: { name: "search-gateway-conf" } }] } },
    { name: "price-engine", ns, replicas: 2, image: "europe-west4-docker.pkg.dev/shopco/apps/price-engine:3.1.0" },
    { name: "mailer", ns: "growth", replicas: 2, image: "europe-west4-docker.pkg.dev/shopco/apps/mailer:0.19.4" },
  ], { secondIncident: true, skipNs: ns });
  S.obj(-6000, "ConfigMap", ns, "search-gateway-conf", cmUid, { data: { "gateway.yaml": "upstream:\n  timeout: 2s\n  pool: 64\n" } }, "ADDED");
  const ingUid = S.uid();
  S.obj(-6000, "Ingress", ns, "storefront-search", ingUid, { spec: { ingressClassName: "nginx", rules: [{ host: "search.shopco.eu", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "search-gateway", port: { number: 80 } } } }] } }] } }, "ADDED");
  // the edit
  S.obj(-420, "ConfigMap", ns, "search-gateway-conf", cmUid, { data: { "gateway.yaml": "upstream:\n  timeout: 2s\n  pool: 64\n  retries: three\n" } });
  const app = pods.filter((p) => p.app.name === "search-gateway");
  const dep = app[0];
  S.obj(-400, "Deployment", ns, "search-gateway", dep.depUid, { labels: { app: "search-gateway" }, spec: { replicas: 3, selector: { matchLabels: { app: "search-gateway" } }, template: { metadata: { labels: { app: "search-gateway" }, annotations: { "kubectl.kubernetes.io/restartedAt": S.iso(-400) } }, spec: dep.podSpec } } });
  S.kev1(-400, "Deployment", ns, "search-gateway", "Normal", "ScalingReplicaSet", "Scaled up replica set search-gateway-6c9d7f5b4 to 1", "deployment-controller");
  const newRs = "search-gateway-6c9d7f5b4";
  const newRsUid = S.uid();
  S.obj(-399, "ReplicaSet", ns, newRs, newRsUid, { labels: { app: "search-gateway" }, ownerReferences: [{ kind: "Deployment", name: "search-gateway", uid: dep.depUid }], spec: { replicas: 1 } }, "ADDED");
  for (let i = 0; i < 2; i++) {
    const name = `${newRs}-${S.sfx(5)}`;
    const u = S.uid();
    const node = nodes[i];
    S.obj(-398 + i * 30, "Pod", ns, name, u, { labels: { app: "search-gateway" }, ownerReferences: [{ kind: "ReplicaSet", name: newRs, uid: newRsUid }], spec: { nodeName: node.name, ...dep.podSpec }, status: { phase: "Running", containerStatuses: [{ name: "search-gateway", ready: false, restartCount: 0 }] } }, "ADDED");
    S.kev1(-396 + i * 30, "Pod", ns, name, "Normal", "Started", "Started container search-gateway", "kubelet");
    for (let k = 1; k <= 4; k++) {
      S.vlog(-394 + i * 30 + k * 70, ns, name, u, "search-gateway", "error", `{"level":"error","ts":"${S.iso(-394 + i * 30 + k * 70)}","msg":"invalid configuration","file":"/etc/search-gateway/gateway.yaml","error":"yaml: unmarshal errors: line 4: cannot unmarshal !!str \`three\` into int"}`);
      S.vlog(-393 + i * 30 + k * 70, ns, name, u, "search-gateway", "fatal", "exiting: config load failed");
    }
    S.kev1(-250 + i * 30, "Pod", ns, name, "Warning", "BackOff", `Back-off restarting failed container search-gateway in pod ${name}_${ns}(${u})`, "kubelet", 6, -320 + i * 30);
    S.obj(-200 + i * 30, "Pod", ns, name, u, { labels: { app: "search-gateway" }, ownerReferences: [{ kind: "ReplicaSet", name: newRs, uid: newRsUid }], spec: { nodeName: node.name, ...dep.podSpec }, status: { phase: "Running", containerStatuses: [{ name: "search-gateway", ready: false, restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { reason: "Error", exitCode: 1 } } }] } });
  }
  // old pods were terminated in the rolling update (max unavailable 1): capacity shrinks
  S.kev1(-300, "Pod", ns, app[0].name, "Normal", "Killing", "Stopping container search-gateway", "kubelet");
  S.tombstone("Pod", app[0].uid, -299);
  const ctrl = "ingress-nginx-controller-7d9c6b7f48-qk2vn";
  for (let k = 0; k < 5; k++)
    S.vlog(-120 + k * 20, "ingress-nginx", ctrl, S.uid(), "controller", "warn", `upstream timed out (110: Operation timed out) while reading response header from upstream, client: 10.164.0.23, server: search.shopco.eu, request: "GET /api/search?q=boots HTTP/2.0", upstream: "http://10.52.1.${40 + k}:8080/api/search"`);
  const { a, id } = S.amAlert(0, { alertname: "NginxIngressHigh5xxRate", severity: "critical", namespace: "ingress-nginx", pod: ctrl, service: "ingress-nginx-controller-metrics", job: "ingress-nginx-controller-metrics", exported_namespace: ns, ingress: "storefront-search", instance: "10.52.0.17:10254" }, { summary: "More than 5% of requests to ingress storefront-search return 5xx" });
  S.webhook([a]);
  S.shuffleLate(0.08);
  write(S, "bad-config-rollout-06-configmap-edit-restart-ingress-5xx-webhook.json", {
    name: "bad-config-rollout-06-configmap-edit-restart-ingress-5xx-webhook",
    fault: "bad-config-rollout",
    description: "catalog/search-gateway-conf gets `retries: three` (a string where an int is expected); a rollout restart picks it up, new pods crash on config load while old ones are stopped, and ingress-nginx's 5xx alert for the storefront-search ingress fires (labels renamed exported_* by the scrape, the alert inside a whole Alertmanager webhook payload). Events are events.k8s.io/v1 objects, logs Vector records with JSON lines.",
    symptom: { event_id: id },
    truth: { root_causes: [{ kind: "ConfigMap", namespace: ns, name: "search-gateway-conf" }], blast_radius: [{ kind: "Deployment", namespace: ns, name: "search-gateway" }] },
  });
}

// ---------------------------------------------------------------- 3: quota lowered, scale-up blocked
{
  const S = scenario("probe-quota-lowered", "aks-weu-prod-02", "2025-07-02T07:45:00Z");
  const ns = "payments";
  const { pods } = cluster(S, ["aks-system-31877362-vmss000000", "aks-user-31877362-vmss000002", "aks-user-31877362-vmss000004"], [
    { name: "settlement-worker", ns, replicas: 3, image: "weuprod.azurecr.io/payments/settlement-worker:5.0.3", mem: "1Gi" },
    { name: "fx-rates", ns, replicas: 2, image: "weuprod.azurecr.io/payments/fx-rates:1.12.0" },
    { name: "audit-sink", ns: "compliance", replicas: 2, image: "weuprod.azurecr.io/compliance/audit-sink:2.2.2" },
  ], { secondIncident: true, skipNs: ns });
  const qUid = S.uid();
  S.obj(-80000, "ResourceQuota", ns, "payments-compute", qUid, { spec: { hard: { "limits.memory": "16Gi", "requests.cpu": "12", pods: "40" } }, status: { used: { "limits.memory": "5Gi", pods: "5" } } }, "ADDED");
  S.obj(-1300, "ResourceQuota", ns, "payments-compute", qUid, { spec: { hard: { "limits.memory": "5Gi", "requests.cpu": "12", pods: "40" } }, status: { used: { "limits.memory": "5Gi", pods: "5" } } });
  const w = pods.find((p) => p.app.name === "settlement-worker");
  S.kev(-240, "HorizontalPodAutoscaler", ns, "settlement-worker", S.uid(), "Normal", "SuccessfulRescale", "New size: 6; reason: external metric rabbitmq_queue_messages_ready(&LabelSelector{MatchLabels:map[string]string{queue: settlements,},}) above target", "horizontal-pod-autoscaler");
  S.obj(-239, "Deployment", ns, "settlement-worker", w.depUid, { labels: { app: "settlement-worker" }, spec: { replicas: 6, selector: { matchLabels: { app: "settlement-worker" } }, template: { metadata: { labels: { app: "settlement-worker" } }, spec: w.podSpec } }, status: { replicas: 3, readyReplicas: 3 } });
  const fc = S.uid();
  for (let k = 1; k <= 8; k++)
    S.kev(-238 + k * 25, "ReplicaSet", ns, w.rsName, w.rsUid, "Warning", "FailedCreate", `Error creating: pods "${w.rsName}-${S.sfx(5)}" is forbidden: exceeded quota: payments-compute, requested: limits.memory=1Gi, used: limits.memory=5Gi, limited: limits.memory=5Gi`, "replicaset-controller", { uid: fc, firstSec: -213, count: k });
  for (const p of pods.filter((x) => x.app.name === "settlement-worker"))
    S.vlog(-60 + Math.floor(S.r() * 40), ns, p.name, p.uid, "settlement-worker", "warning", "settlement batch lagging: 18423 messages ready, consumers saturated");
  const { a, id } = S.amAlert(30, { alertname: "KubeHpaMaxedOut", severity: "warning", namespace: ns, horizontalpodautoscaler: "settlement-worker", job: "kube-state-metrics", service: "prometheus-kube-state-metrics", instance: "10.240.0.91:8080" }, { summary: "HPA is running at max replicas", description: `HPA ${ns}/settlement-worker has been running at max replicas for longer than 15 minutes.` });
  S.alertMsg(a);
  const { a: lag, id: lagId } = S.amAlert(60, { alertname: "RabbitmqQueueBacklog", severity: "critical", namespace: "messaging", queue: "settlements", pod: "rabbitmq-server-1", service: "rabbitmq", job: "rabbitmq" }, { summary: "Queue settlements has more than 10000 ready messages" });
  void lagId;
  S.alertMsg(lag);
  S.shuffleLate(0.08);
  write(S, "quota-exceeded-04-quota-lowered-hpa-scale-out-forbidden-am-alert.json", {
    name: "quota-exceeded-04-quota-lowered-hpa-scale-out-forbidden-am-alert",
    fault: "quota-exceeded",
    description: "A namespace-budget PR lowers payments-compute limits.memory from 16Gi to 5Gi (exactly what is in use). When the HPA scales settlement-worker out, the ReplicaSet cannot create pods (exceeded quota, repeated in place) and the HPA maxed-out alert fires with kube-state-metrics' service/instance labels. Resources are API objects with watch ops, events raw exporter objects, alerts Alertmanager alerts.",
    symptom: { event_id: id },
    truth: { root_causes: [{ kind: "ResourceQuota", namespace: ns, name: "payments-compute" }], blast_radius: [{ kind: "Deployment", namespace: ns, name: "settlement-worker" }] },
  });
}

// ---------------------------------------------------------------- 4: Service selector edited, callers 503
{
  const S = scenario("probe-selector-edit", "onprem-fra-1", "2025-09-11T22:10:00Z");
  const ns = "identity";
  const { pods } = cluster(S, ["fra1-k8s-w01", "fra1-k8s-w02", "fra1-k8s-w03", "fra1-k8s-w04"], [
    { name: "token-issuer", ns, replicas: 2, image: "harbor.fra1.internal/identity/token-issuer:8.0.1" },
    { name: "login-web", ns, replicas: 2, image: "harbor.fra1.internal/identity/login-web:3.3.0" },
    { name: "report-cron", ns: "analytics", replicas: 1, image: "harbor.fra1.internal/analytics/report-cron:1.0.9" },
  ], { secondIncident: true, skipNs: ns });
  const svcUid = S.uid();
  S.obj(-7000, "Service", ns, "token-issuer-internal", svcUid, { labels: { app: "token-issuer" }, spec: { selector: { app: "token-issuer", tier: "backend" }, clusterIP: "10.43.18.201", ports: [{ port: 8443, targetPort: 8443 }] } }, "ADDED");
  // the edit: selector now requires a label the pods do not have
  S.obj(-360, "Service", ns, "token-issuer-internal", svcUid, { labels: { app: "token-issuer" }, spec: { selector: { "app.kubernetes.io/name": "token-issuer", tier: "backend" }, clusterIP: "10.43.18.201", ports: [{ port: 8443, targetPort: 8443 }] } });
  const web = pods.filter((p) => p.app.name === "login-web");
  let sym;
  for (let k = 0; k < 9; k++) {
    const p = web[k % web.length];
    const id = S.vlog(-330 + k * 35, ns, p.name, p.uid, "login-web", "ERROR", `POST /oauth/token -> 503: upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111 (dial tcp: lookup token-issuer-internal.identity.svc.cluster.local: no endpoints)`, `lw-${k}`);
    if (k === 7) sym = id;
  }
  for (let k = 0; k < 4; k++) {
    const p = web[k % 2];
    S.vlog(-300 + k * 60, ns, p.name, p.uid, "login-web", "info", "GET /healthz 200 1ms");
  }
  S.kev(-200, "Pod", ns, web[0].name, web[0].uid, "Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", "kubelet", { host: web[0].node.name, count: 3, firstSec: -260 });
  const { a } = S.amAlert(-30, { alertname: "KubeletTooManyPods", severity: "info", node: "fra1-k8s-w02", job: "kubelet", namespace: "kube-system", service: "kubelet", instance: "10.20.0.12:10250" }, { summary: "Kubelet is running at 95% of its Pod capacity." });
  S.alertMsg(a);
  S.shuffleLate(0.08);
  write(S, "service-no-endpoints-04-selector-edited-callers-503-vector-logs.json", {
    name: "service-no-endpoints-04-selector-edited-callers-503-vector-logs",
    fault: "service-no-endpoints",
    description: "Someone re-labels identity/token-issuer-internal's selector to app.kubernetes.io/name=token-issuer, a label the pods do not carry; the Service has no endpoints and login-web logs 503s naming it. The Service never emits an event: only its UPSERT diff says what happened. Logs are Vector records with `id`, `@timestamp` and `level`.",
    symptom: { event_id: sym },
    truth: { root_causes: [{ kind: "Service", namespace: ns, name: "token-issuer-internal" }], blast_radius: [{ kind: "Deployment", namespace: ns, name: "login-web" }] },
  });
}
