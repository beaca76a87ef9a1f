import { writeFileSync } from "node:fs";
import type { WireMessage } from "../../rca/normalize.js";

/**
 * A seeded generator of realistic CONTRACT traffic for the fault-injection suites: a small fleet
 * (clusters, nodes, deployments -> replica sets -> pods, services) sends its state and topology
 * (endpoints in all three reference forms), then a stream of K8s events (normalized and raw
 * event-exporter objects that repeat with a growing `count`), log lines (with `subject` and in
 * the legacy `pod_*` fields, some without an id), Prometheus alerts (firing and resolved),
 * rollouts that change images and restart counts, and incident chains (OOMKilled -> BackOff ->
 * 5xx alert, node NotReady -> evictions). About 0.2 % of the messages are deliberately invalid, so
 * the dead-letter path is exercised under faults too.
 *
 * The same seed and count always give the same messages, so a faulted run can be compared with
 * a clean run of exactly the same input.
 */
export interface GenerateOptions {
  readonly count: number;
  readonly seed: number;
  /** Simulated time the stream covers; denser streams make scoring heavier. */
  readonly spanMs?: number;
  readonly clusters?: number;
}

const T0 = Date.parse("2025-10-08T00:00:00Z");

/** mulberry32: small, fast and good enough for test data. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
    hex: (n: number) => {
      let s = "";
      for (let i = 0; i < n; i++) s += Math.floor(next() * 16).toString(16);
      return s;
    },
  };
}

interface Pod {
  cluster: string;
  ns: string;
  name: string;
  uid: string;
  app: string;
  rs: string;
  node: string;
  ip: string;
  restarts: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Generates `count` messages (exactly), in the order a busy cluster would send them. */
export function generateMessages(opts: GenerateOptions): WireMessage[] {
  const r = rng(opts.seed);
  const spanMs = opts.spanMs ?? 24 * 3_600_000;
  const out: WireMessage[] = [];
  const push = (topic: string, key: string | null, value: unknown) => {
    if (out.length < opts.count) out.push({ topic, key, value });
  };
  const clusters = Array.from({ length: opts.clusters ?? 2 }, (_, i) => `prod-${["eu", "us", "ap"][i] ?? i}`);
  const pods: Pod[] = [];
  const nodesOf = new Map<string, string[]>();
  let ipSeq = 1;

  // ---------------------------------------------------------------- fleet state and topology
  for (const cluster of clusters) {
    const nodes = Array.from({ length: 10 }, (_, i) => `node-${i + 1}`);
    nodesOf.set(cluster, nodes);
    for (const node of nodes) {
      push("state.k8s.resource", `node:${node}`, {
        op: "UPSERT",
        at: iso(T0),
        cluster,
        kind: "Node",
        uid: `${cluster}-uid-${node}`,
        name: node,
        labels: { "kubernetes.io/hostname": node },
        status: { ready: true },
      });
    }
    for (const ns of [
      "shop",
      "payments",
      "search",
      "identity",
      "media",
      "data",
      "auth",
      "mail",
      "ads",
      "geo",
      "cdn",
      "ml",
    ]) {
      for (const app of ["api", "worker", "cart", "db"]) {
        const deploy = `${app}`;
        const rs = `${app}-${r.hex(5)}`;
        const depUid = `${cluster}-${ns}-dep-${app}-${r.hex(8)}`;
        const rsUid = `${cluster}-${ns}-rs-${rs}-${r.hex(8)}`;
        push("state.k8s.resource", `deployment:${depUid}`, {
          op: "UPSERT",
          at: iso(T0),
          cluster,
          kind: "Deployment",
          uid: depUid,
          namespace: ns,
          name: deploy,
          labels: { app },
          replicas: 3,
          image: `${ns}/${app}:1.0.0`,
        });
        push("state.k8s.resource", `replicaset:${rsUid}`, {
          op: "UPSERT",
          at: iso(T0),
          cluster,
          kind: "ReplicaSet",
          uid: rsUid,
          namespace: ns,
          name: rs,
          labels: { app },
          ownerRefs: [{ kind: "Deployment", name: deploy, uid: depUid }],
          replicas: 3,
        });
        push("state.k8s.resource", `service:${ns}:${app}`, {
          op: "UPSERT",
          at: iso(T0),
          cluster,
          kind: "Service",
          namespace: ns,
          name: app,
          clusterIP: `10.96.${ipSeq % 250}.${(ipSeq >> 8) % 250}`,
          serviceSelector: { app },
        });
        ipSeq++;
        for (let i = 0; i < 3; i++) {
          const name = `${rs}-${r.hex(5)}`;
          const pod: Pod = {
            cluster,
            ns,
            name,
            uid: `${cluster}-pod-${r.hex(12)}`,
            app,
            rs,
            node: r.pick(nodes),
            ip: `10.1.${(ipSeq >> 8) % 250}.${ipSeq % 250}`,
            restarts: 0,
          };
          ipSeq++;
          pods.push(pod);
          push("state.k8s.resource", `pod:${pod.uid}`, podState(pod, T0));
          // Topology in the three endpoint forms of the wild.
          const podRef = r.chance(0.5) ? `pod:${ns}:${name}` : `pod:${pod.uid}`;
          push("state.k8s.topology", `edge:${podRef}->node:${pod.node}`, {
            op: "UPSERT",
            at: iso(T0),
            cluster,
            id: `edge:${podRef}->node:${pod.node}`,
            from: podRef,
            to: `node:${pod.node}`,
            type: "RUNS_ON",
          });
          push("state.k8s.topology", `edge:rs:${rs}->${podRef}`, {
            op: "UPSERT",
            at: iso(T0),
            cluster,
            id: `edge:replicaset:${ns}:${rs}->${podRef}`,
            from: r.chance(0.5) ? `replicaset:${ns}:${rs}` : `replicaset:${rsUid}`,
            to: podRef,
            type: "CONTROLS",
          });
          push("state.k8s.topology", `edge:svc:${ns}:${app}->${podRef}`, {
            op: "UPSERT",
            at: iso(T0),
            cluster,
            id: `edge:service:${ns}:${app}->${podRef}`,
            from: `service:${ns}:${app}`,
            to: podRef,
            type: "SELECTS",
          });
        }
      }
    }
  }

  // ---------------------------------------------------------------- the stream over time
  const k8sEvents: Array<{
    uid: string;
    pod: Pod;
    reason: string;
    message: string;
    count: number;
    first: number;
  }> = [];
  let seq = 0;
  const remaining = () => opts.count - out.length;
  const steps = Math.max(1, remaining());
  const stepMs = spanMs / steps;
  let t = T0 + 60_000;
  while (out.length < opts.count) {
    t += stepMs * (0.5 + r.next());
    seq++;
    const pod = r.pick(pods);
    const roll = r.next();
    if (roll < 0.002) {
      // Deliberately invalid: each kind of mistake a producer makes.
      push(
        ...r.pick<[string, string | null, unknown]>([
          ["state.k8s.resource", null, { op: "UPSERT", at: iso(t), name: `no-kind-${seq}` }],
          ["events.normalized", null, { event_id: `bad-${seq}`, event_time: "yesterday", reason: "X" }],
          ["logs.normalized", null, [1, 2, 3]],
          ["unknown.topic", null, { seq }],
          [
            "events.normalized",
            null,
            { event_id: `bad-etype-${seq}`, etype: "k8s.metric", event_time: iso(t) },
          ],
        ]),
      );
    } else if (roll < 0.004) {
      // A rollout or a restart: a resource update that the store turns into change events.
      if (r.chance(0.5)) pod.restarts++;
      push(
        "state.k8s.resource",
        `pod:${pod.uid}`,
        podState(pod, Math.round(t), r.chance(0.3) ? "1.0.1" : "1.0.0"),
      );
    } else if (roll < 0.02) {
      // An incident chain on one pod: OOMKilled -> BackOff -> a 5xx alert on its service.
      const tt = Math.round(t);
      push("events.normalized", `chain-${seq}-oom`, {
        event_id: `chain-${seq}-oom`,
        event_time: iso(tt),
        etype: "k8s.event",
        severity: "FATAL",
        reason: "OOMKilled",
        message: `Container ${pod.app} was OOM-killed (memory limit 512Mi)`,
        subject: { kind: "Pod", uid: pod.uid, ns: pod.ns, name: pod.name },
        source: { component: "kubelet", host: pod.node },
        cluster: pod.cluster,
      });
      push("events.normalized", `chain-${seq}-backoff`, {
        event_id: `chain-${seq}-backoff`,
        event_time: iso(tt + 20_000),
        etype: "k8s.event",
        severity: "WARNING",
        reason: "BackOff",
        message: `Back-off restarting failed container ${pod.app}`,
        subject: { kind: "Pod", ns: pod.ns, name: pod.name },
        cluster: pod.cluster,
      });
      push("alerts.enriched", null, {
        event_id: `chain-${seq}-alert`,
        event_time: iso(tt + 60_000),
        etype: "prom.alert",
        reason: "HighErrorRate",
        severity: "ERROR",
        status: "firing",
        message: `5xx ratio above 5% on ${pod.ns}/${pod.app}`,
        labels: { alertname: "HighErrorRate", namespace: pod.ns, service: pod.app, severity: "critical" },
        annotations: { summary: `5xx on ${pod.app}` },
        cluster: pod.cluster,
      });
    } else if (roll < 0.25) {
      // kubernetes-event-exporter raw objects; a third are repeats of an earlier event.
      const again = k8sEvents.length > 0 && r.chance(0.35) ? r.pick(k8sEvents) : undefined;
      if (again) {
        again.count++;
        push("events.normalized", again.uid, rawEvent(again, Math.round(t)));
      } else {
        const [reason, message] = r.pick<[string, string]>([
          ["BackOff", `Back-off restarting failed container ${pod.app}`],
          ["Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503"],
          ["Unhealthy", "Liveness probe failed: connection refused"],
          ["Pulled", `Container image "${pod.ns}/${pod.app}:1.0.0" already present on machine`],
          ["Started", `Started container ${pod.app}`],
          ["FailedMount", 'MountVolume.SetUp failed for volume "config" : configmap not found'],
          ["Scheduled", `Successfully assigned ${pod.ns}/${pod.name} to ${pod.node}`],
        ]);
        const e = { uid: `ev-${r.hex(16)}`, pod, reason, message, count: 1, first: Math.round(t) };
        k8sEvents.push(e);
        push("events.normalized", e.uid, rawEvent(e, Math.round(t)));
      }
    } else if (roll < 0.33) {
      // Normalized K8s events.
      const [reason, severity] = r.pick<[string, string]>([
        ["BackOff", "WARNING"],
        ["Killing", "INFO"],
        ["FailedScheduling", "ERROR"],
        ["Evicted", "ERROR"],
        ["Created", "INFO"],
      ]);
      push("events.normalized", `ne-${seq}`, {
        event_id: `ne-${seq}`,
        event_time: iso(Math.round(t)),
        etype: "k8s.event",
        severity: r.chance(0.5) ? severity : severity.toLowerCase(),
        reason,
        message: `${reason} ${pod.name}`,
        subject: { kind: "Pod", uid: pod.uid, ns: pod.ns, name: pod.name },
        count: 1,
        cluster: pod.cluster,
      });
    } else if (roll < 0.93) {
      // Log lines: mostly info noise, some errors. They name no address or service on purpose:
      // a dependency a log line names becomes an inferred edge, and scoring over a topology that
      // grows with arrival order is not order-independent yet (see RELIABILITY.md).
      const err = r.chance(0.12);
      const message = err
        ? r.pick([
            "ERROR failed to process request: context deadline exceeded",
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "ERROR database deadlock detected; transaction rolled back",
            "FATAL out of memory: cannot allocate 268435456 bytes",
          ])
        : r.pick([
            `GET /api/v1/items 200 ${r.int(90) + 3}ms`,
            `cache hit ratio ${r.int(100)}%`,
            "request completed",
            `processed batch ${seq}`,
          ]);
      const severity = err ? r.pick(["ERROR", "error", "FATAL"]) : "INFO";
      const tt = Math.round(t);
      const form = r.int(3);
      if (form === 0) {
        push("logs.normalized", pod.uid, {
          event_id: `log-${seq}`,
          event_time: iso(tt),
          etype: "k8s.log",
          severity,
          message,
          subject: { kind: "Pod", ns: pod.ns, name: pod.name },
          cluster: pod.cluster,
        });
      } else if (form === 1) {
        // Legacy fields and no id: the pipeline derives a stable one.
        push("logs.normalized", pod.uid, {
          event_time: iso(tt),
          severity,
          message,
          pod_namespace: pod.ns,
          pod_name: pod.name,
          pod_uid: pod.uid,
          cluster: pod.cluster,
        });
      } else {
        push("logs.normalized", pod.uid, {
          timestamp: iso(tt),
          severity,
          message,
          kubernetes: { pod_uid: pod.uid, pod_name: pod.name, pod_namespace: pod.ns },
          client_id: pod.cluster,
        });
      }
    } else if (roll < 0.97) {
      // Alerts, firing then sometimes resolved.
      const id = `alert-${seq}`;
      const value = {
        event_id: id,
        event_time: iso(Math.round(t)),
        etype: "prom.alert",
        reason: r.pick(["KubePodCrashLooping", "HighLatency", "KubeContainerWaiting"]),
        status: "firing",
        labels: { namespace: pod.ns, pod: pod.name, severity: r.pick(["warning", "critical"]) },
        annotations: { description: `alert on ${pod.name}` },
        cluster: pod.cluster,
      };
      push("alerts.enriched", id, value);
      if (r.chance(0.3))
        push("alerts.enriched", `${id}-resolved`, {
          ...value,
          event_id: `${id}-resolved`,
          status: "resolved",
          event_time: iso(Math.round(t) + 120_000),
        });
    } else if (roll < 0.985) {
      // Node trouble: NotReady and the evictions it causes.
      const nodes = nodesOf.get(pod.cluster)!;
      const node = r.pick(nodes);
      push("events.normalized", `node-${seq}`, {
        event_id: `node-${seq}`,
        event_time: iso(Math.round(t)),
        etype: "k8s.event",
        reason: "NodeNotReady",
        message: `Node ${node} status is now: NodeNotReady`,
        subject: { kind: "Node", name: node },
        cluster: pod.cluster,
      });
      for (const victim of pods.filter((p) => p.cluster === pod.cluster && p.node === node).slice(0, 3)) {
        push("events.normalized", `evict-${seq}-${victim.name}`, {
          event_id: `evict-${seq}-${victim.name}`,
          event_time: iso(Math.round(t) + 45_000),
          etype: "k8s.event",
          reason: "Evicted",
          message: `The node was low on resource: memory. Pod ${victim.name} evicted`,
          subject: { kind: "Pod", ns: victim.ns, name: victim.name },
          cluster: victim.cluster,
        });
      }
    } else {
      // A late duplicate of something already sent (a producer retry): must not double anything.
      const earlier = out[r.int(out.length)]!;
      push(earlier.topic, earlier.key ?? null, earlier.value);
    }
  }
  return out;
}

function podState(p: Pod, atMs: number, version = "1.0.0") {
  return {
    op: "UPSERT",
    at: iso(atMs),
    cluster: p.cluster,
    kind: "Pod",
    uid: p.uid,
    namespace: p.ns,
    name: p.name,
    labels: { app: p.app },
    ownerRefs: [{ kind: "ReplicaSet", name: p.rs }],
    node: p.node,
    podIP: p.ip,
    image: `${p.ns}/${p.app}:${version}`,
    status: { phase: "Running", restartCount: p.restarts, containerReady: p.restarts % 2 === 0 },
  };
}

function rawEvent(
  e: { uid: string; pod: Pod; reason: string; message: string; count: number; first: number },
  lastMs: number,
) {
  const warning = !["Pulled", "Started", "Scheduled"].includes(e.reason);
  return {
    metadata: { uid: e.uid, name: `${e.pod.name}.${e.uid.slice(3, 11)}`, namespace: e.pod.ns },
    involvedObject: { kind: "Pod", namespace: e.pod.ns, name: e.pod.name, uid: e.pod.uid },
    type: warning ? "Warning" : "Normal",
    reason: e.reason,
    message: e.message,
    count: e.count,
    firstTimestamp: iso(e.first),
    lastTimestamp: iso(Math.max(lastMs, e.first)),
    source: { component: "kubelet", host: e.pod.node },
    cluster: e.pod.cluster,
  };
}

/** Writes messages as NDJSON (`{topic,key,value}` per line), the format `kgrca replay` reads. */
export function writeNdjson(file: string, messages: readonly WireMessage[]): void {
  writeFileSync(
    file,
    `${messages.map((m) => JSON.stringify({ topic: m.topic, key: m.key ?? null, value: m.value })).join("\n")}\n`,
  );
}
