import type { WireMessage } from "../rca/normalize.js";

/**
 * A synthetic but realistic cluster and event stream for benchmarks: Deployments with
 * ReplicaSets, Pods on Nodes, Services, ConfigMaps; a stream of lifecycle events, warnings, log
 * lines, alerts and pod status changes, with injected failures (OOM kill -> back-off -> callers'
 * connection errors -> alert) that create cause links and incidents. Deterministic per seed.
 */
export interface SyntheticOptions {
  readonly resources: number;
  readonly namespaces: number;
  readonly nodes: number;
  readonly seed: number;
  readonly cluster: string;
  /** Start of simulated time (ms). */
  readonly startMs: number;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = {
  resources: 10_000,
  namespaces: 20,
  nodes: 50,
  seed: 42,
  cluster: "bench",
  startMs: Date.parse("2025-06-01T00:00:00Z"),
};

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export interface App {
  readonly ns: string;
  readonly name: string;
  readonly rs: string;
  readonly pods: Array<{ name: string; uid: string; node: string; ip: string }>;
  readonly serviceIp: string;
  /** Indexes (in `apps`) of the services this app calls: a fixed set, as in a real service mesh. */
  readonly deps: number[];
  /** Indexes of the apps that call this one. */
  readonly callers: number[];
}

export interface SyntheticCluster {
  readonly apps: App[];
  readonly nodes: string[];
  readonly state: WireMessage[];
}

/** ~7 resources per app: Deployment, ReplicaSet, 3 Pods, Service, ConfigMap. */
export function syntheticCluster(o: SyntheticOptions = DEFAULT_SYNTHETIC): SyntheticCluster {
  const rand = rng(o.seed);
  const nodes = Array.from({ length: o.nodes }, (_, i) => `node-${String(i).padStart(3, "0")}`);
  const appCount = Math.max(1, Math.floor((o.resources - o.nodes) / 7));
  const apps: App[] = [];
  const state: WireMessage[] = [];
  const at = new Date(o.startMs - 3_600_000).toISOString();
  const res = (v: Record<string, unknown>) =>
    state.push({ topic: "state.k8s.resource", key: `${String(v.kind).toLowerCase()}:${v.uid ?? `${v.namespace}:${v.name}`}`, value: { op: "UPSERT", at, cluster: o.cluster, ...v } });
  for (const n of nodes) res({ kind: "Node", name: n, status: { conditions: { Ready: "True" } } });
  for (let i = 0; i < appCount; i++) {
    const ns = `ns-${i % o.namespaces}`;
    const name = `app-${i}`;
    const hash = (i * 2654435761).toString(16).slice(-5);
    const rs = `${name}-${hash}`;
    const pods = Array.from({ length: 3 }, (_, j) => ({
      name: `${rs}-${j}x${hash.slice(0, 3)}`,
      uid: `uid-${i}-${j}`,
      node: nodes[Math.floor(rand() * nodes.length)]!,
      ip: `10.${(i >> 8) & 255}.${i & 255}.${10 + j}`,
    }));
    const serviceIp = `10.96.${(i >> 8) & 255}.${i & 255}`;
    apps.push({ ns, name, rs, pods, serviceIp, deps: [], callers: [] });
    res({ kind: "Deployment", namespace: ns, name, replicas: 3, image: `registry/${name}:1.0.0`, labels: { app: name } });
    res({ kind: "ReplicaSet", namespace: ns, name: rs, ownerRefs: [{ kind: "Deployment", name }], labels: { app: name } });
    res({ kind: "ConfigMap", namespace: ns, name: `${name}-config`, data: { version: "1" } });
    res({ kind: "Service", namespace: ns, name, serviceSelector: { app: name }, clusterIP: serviceIp });
    for (const p of pods) {
      res({
        kind: "Pod",
        namespace: ns,
        name: p.name,
        uid: p.uid,
        labels: { app: name },
        ownerRefs: [{ kind: "ReplicaSet", name: rs }],
        node: p.node,
        podIP: p.ip,
        image: `registry/${name}:1.0.0`,
        mounts: [{ kind: "ConfigMap", name: `${name}-config` }],
        status: { phase: "Running", restartCount: 0 },
      });
    }
  }
  // Each app calls one to three others (a fixed call graph: a caller's errors name only these).
  for (const [i, app] of apps.entries()) {
    const n = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < n && apps.length > 1; k++) {
      const j = Math.floor(rand() * apps.length);
      if (j === i || app.deps.includes(j)) continue;
      app.deps.push(j);
      apps[j]!.callers.push(i);
    }
  }
  return { apps, nodes, state };
}

/**
 * `count` messages over simulated time: ~45% K8s events (mostly Normal), ~30% high-signal log
 * lines, ~5% alerts, ~10% pod status updates, ~10% failure chains.
 */
export function* syntheticStream(c: SyntheticCluster, count: number, o: SyntheticOptions = DEFAULT_SYNTHETIC, ratePerSecond = 200): Generator<WireMessage> {
  const rand = rng(o.seed + 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  let t = o.startMs;
  let n = 0;
  const iso = () => new Date(t).toISOString();
  const restarts = new Map<string, number>();
  const ev = (id: string, app: App, pod: App["pods"][number], reason: string, message: string, type: "Normal" | "Warning", count = 1): WireMessage => ({
    topic: "events.normalized",
    key: id,
    value: {
      metadata: { uid: id },
      involvedObject: { kind: "Pod", namespace: app.ns, name: pod.name, uid: pod.uid },
      type,
      reason,
      message,
      count,
      firstTimestamp: iso(),
      lastTimestamp: iso(),
      cluster: o.cluster,
    },
  });
  while (n < count) {
    t += Math.max(1, Math.round(1000 / ratePerSecond));
    const app = pick(c.apps);
    const pod = pick(app.pods);
    const r = rand();
    const id = `b${n}`;
    if (r < 0.45) {
      const [reason, msg, type] = pick([
        ["Scheduled", `Successfully assigned ${app.ns}/${pod.name} to ${pod.node}`, "Normal"],
        ["Pulled", `Container image "registry/${app.name}:1.0.0" already present on machine`, "Normal"],
        ["Created", `Created container ${app.name}`, "Normal"],
        ["Started", `Started container ${app.name}`, "Normal"],
        ["Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", "Warning"],
        ["FailedCreatePodSandBox", "Failed to create pod sandbox: rpc error: code = Unknown", "Warning"],
      ] as const);
      yield ev(id, app, pod, reason, msg, type);
    } else if (r < 0.75) {
      const callee = c.apps[app.deps.length ? pick(app.deps) : 0]!;
      yield {
        topic: "logs.normalized",
        key: pod.uid,
        value: {
          event_id: id,
          event_time: iso(),
          severity: rand() < 0.7 ? "ERROR" : "WARNING",
          message: rand() < 0.5 ? `dial tcp ${callee.serviceIp}:8080: connect: connection refused` : `GET /api/v1/items returned status 503 after 30ms`,
          subject: { kind: "Pod", ns: app.ns, name: pod.name },
          cluster: o.cluster,
        },
      };
    } else if (r < 0.8) {
      yield {
        topic: "alerts.enriched",
        key: id,
        value: {
          event_id: id,
          event_time: iso(),
          etype: "prom.alert",
          reason: "KubePodNotReady",
          status: "firing",
          severity: "warning",
          labels: { alertname: "KubePodNotReady", namespace: app.ns, pod: pod.name, severity: "warning" },
          cluster: o.cluster,
        },
      };
    } else if (r < 0.9) {
      const rc = (restarts.get(pod.uid) ?? 0) + (rand() < 0.3 ? 1 : 0);
      restarts.set(pod.uid, rc);
      yield {
        topic: "state.k8s.resource",
        key: `pod:${pod.uid}`,
        value: {
          op: "UPSERT",
          at: iso(),
          cluster: o.cluster,
          kind: "Pod",
          namespace: app.ns,
          name: pod.name,
          uid: pod.uid,
          labels: { app: app.name },
          ownerRefs: [{ kind: "ReplicaSet", name: app.rs }],
          node: pod.node,
          podIP: pod.ip,
          // A watcher sends the whole object on every status change.
          image: `registry/${app.name}:1.0.0`,
          mounts: [{ kind: "ConfigMap", name: `${app.name}-config` }],
          status: { phase: "Running", restartCount: rc },
        },
      };
    } else {
      // A failure chain: OOM kill, back-off repeats, a caller's connection errors, an alert.
      yield ev(`${id}-oom`, app, pod, "OOMKilled", `Container ${app.name} was OOMKilled (exit code 137)`, "Warning");
      for (let k = 1; k <= 3 && n < count; k++) {
        t += 5_000;
        yield ev(`${id}-bo`, app, pod, "BackOff", `Back-off restarting failed container ${app.name}`, "Warning", k);
        n++;
      }
      const caller = c.apps[app.callers.length ? pick(app.callers) : 0]!;
      t += 2_000;
      yield {
        topic: "logs.normalized",
        key: caller.pods[0]!.uid,
        value: {
          event_id: `${id}-log`,
          event_time: iso(),
          severity: "ERROR",
          message: `dial tcp ${app.serviceIp}:8080: connect: connection refused`,
          subject: { kind: "Pod", ns: caller.ns, name: caller.pods[0]!.name },
          cluster: o.cluster,
        },
      };
      n += 2;
    }
    n++;
  }
}
