/** Scheduling, node failure and pressure, volumes, quotas and autoscaling. */
import * as A from "../lib/alerts.js";
import { callerErrors } from "../lib/applog.js";
import {
  crashLoop,
  createPod,
  csiDriver,
  evict,
  mainContainer,
  mountFailure,
  podEvent,
  probeFailures,
  rsPod,
  scalingMessage,
  schedulingFailure,
  setNodeConds,
  startContainers,
  startedAt,
  startRollout,
  stopPod,
  volHandle,
  type Workload,
} from "../lib/k8s.js";
import { type Ctx, rc, ref, type VariantDef } from "../lib/scenario.js";
import type { Res } from "../lib/world.js";
import { callers, MIN, SEC, symptomClientError, target } from "./common.js";
import { badRollout } from "./rollout.js";

function preemption(n: number, detail: string): string {
  return `preemption: 0/${n} nodes are available: ${detail}.`;
}

/** Node stops reporting: status Unknown, node-controller marks it and its pods, taint-based eviction after 5m. */
export function nodeLost(
  ctx: Ctx,
  node: Res,
  t: number,
  o: { evictAfterSec?: number; ready?: { reason: string; message: string }; cond?: "Unknown" | "False" } = {},
): { nodeEvent: string; podEvents: Map<Res, string>; evictedAt: number } {
  const { w, rng: r } = ctx;
  const cond = o.cond ?? "Unknown";
  const tMark = t + r.int(40, 50) * SEC; // node-monitor-grace-period
  setNodeConds(
    w,
    node,
    tMark,
    {
      Ready: cond,
      MemoryPressure: cond === "Unknown" ? "Unknown" : "False",
      DiskPressure: cond === "Unknown" ? "Unknown" : "False",
      PIDPressure: cond === "Unknown" ? "Unknown" : "False",
    },
    o.ready ?? { reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." },
  );
  node.spec = {
    ...(node.spec ?? {}),
    taints: [
      {
        key: cond === "Unknown" ? "node.kubernetes.io/unreachable" : "node.kubernetes.io/not-ready",
        effect: "NoSchedule",
      },
      {
        key: cond === "Unknown" ? "node.kubernetes.io/unreachable" : "node.kubernetes.io/not-ready",
        effect: "NoExecute",
      },
    ],
  };
  w.put(node, tMark + r.int(100, 900));
  const ne = w.event(node, "NodeNotReady", `Node ${node.name} status is now: NodeNotReady`, tMark, {
    type: "Normal",
    component: cond === "Unknown" ? "node-controller" : "kubelet",
    host: cond === "Unknown" ? undefined : node.name,
  });
  const podEvents = new Map<Res, string>();
  const pods = ctx.w.all.filter(
    (p) => p.kind === "Pod" && p.node === node.name && !p.deleted && p.cluster === node.cluster,
  );
  for (const p of pods) {
    const h = w.event(p, "NodeNotReady", "Node is not ready", tMark + r.int(50, 900), {
      component: "node-controller",
    });
    podEvents.set(p, h.id);
    p.status = { ...(p.status ?? {}), containerReady: false, phase: "Running" };
    w.put(p, tMark + r.int(100, 1500));
  }
  const evictedAt = tMark + (o.evictAfterSec ?? 300) * SEC;
  return { nodeEvent: ne.id, podEvents, evictedAt };
}

function taintEvict(ctx: Ctx, pod: Res, t: number): void {
  ctx.w.event(pod, "TaintManagerEviction", `Marking for deletion Pod ${pod.namespace}/${pod.name}`, t, {
    type: "Normal",
    component: pod.cluster.minor >= 29 ? "taint-eviction-controller" : "taint-controller",
  });
  pod.status = { ...(pod.status ?? {}), phase: "Running", containerReady: false, reason: "Terminating" };
  ctx.w.put(pod, t + ctx.rng.int(100, 900));
}

/** Replace a pod of a Deployment elsewhere (after eviction / deletion). */
function replace(ctx: Ctx, wl: Workload, old: Res, t: number, avoid: Res[]): Res {
  const node = ctx.rng.pick(ctx.nodes.filter((n) => !avoid.includes(n)));
  const p = rsPod(ctx.w, wl, wl.rs!, node, t);
  startContainers(ctx.w, p, t + ctx.rng.int(1, 3) * SEC, { pull: ctx.rng.chance(0.5), ipNode: node });
  void old;
  return p;
}

export const scheduling: VariantDef[] = [
  {
    slug: "manual-scale-insufficient-memory",
    nodes: [4, 6],
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: 4, mem: "4Gi", cpu: "2" });
      const t0 = w.t0;
      const to = r.int(10, 14);
      wl.ctrl.replicas = to;
      (wl.ctrl.spec as Record<string, unknown>).replicas = to;
      w.put(wl.ctrl, t0);
      w.event(
        wl.ctrl,
        "ScalingReplicaSet",
        scalingMessage(ctx.c, "up", wl.rs!.name, to, 4),
        t0 + r.int(100, 800),
        { type: "Normal", component: "deployment-controller" },
      );
      wl.rs!.replicas = to;
      w.put(wl.rs!, t0 + r.int(200, 900));
      const n = ctx.nodes.length + 1;
      const fits = r.int(1, 3);
      const pending: Res[] = [];
      for (let i = 0; i < to - 4; i++) {
        const tp = t0 + r.int(1, 3) * SEC + i * 150;
        if (i < fits) {
          const node = r.pick(ctx.nodes);
          const p = createPod(w, wl.rs!, tp, { node, containers: [wl.container], svc: wl.svc });
          startContainers(w, p, tp + 2 * SEC, { pull: false, ipNode: node });
        } else {
          pending.push(createPod(w, wl.rs!, tp, { containers: [wl.container], svc: wl.svc }));
        }
      }
      const msg = `0/${n} nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, ${n - 1} Insufficient memory. ${preemption(n, `1 Preemption is not helpful for scheduling, ${n - 1} No preemption victims found for incoming pod`)}`;
      let sym = "";
      for (const p of pending) {
        const h = schedulingFailure(w, p, {
          message: msg,
          from: t0 + r.int(2, 5) * SEC,
          until: t0 + r.int(15, 20) * MIN,
          autoscaler: r.chance(0.7)
            ? "pod didn't trigger scale-up: 1 max node group size reached"
            : undefined,
        });
        if (!sym) sym = h.id;
      }
      if (r.chance(0.5)) sym = A.podNotReady(w, pending[0]!, t0 + 3 * SEC).id;
      return {
        description: `${wl.app} is scaled by hand from 4 to ${to} replicas of 4Gi/2CPU; the node group is at its max size, so ${pending.length} pods stay Pending with Insufficient memory.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: pending.map(ref),
      };
    },
  },
  {
    slug: "nodeselector-instance-type-missing",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: r.int(2, 4) });
      const t0 = w.t0;
      const it =
        ctx.c.flavor === "gke"
          ? "n2-highcpu-16"
          : ctx.c.flavor === "aks"
            ? "Standard_F16s_v2"
            : "c6i.4xlarge";
      const rs = startRollout(w, wl, t0, {
        mutate: (spec) => {
          ((spec.template as Record<string, unknown>).spec as Record<string, unknown>).nodeSelector = {
            "node.kubernetes.io/instance-type": it,
          };
        },
      });
      const n = ctx.nodes.length;
      const p = createPod(w, rs, t0 + r.int(1, 2) * SEC, { containers: [wl.container] });
      const h = schedulingFailure(w, p, {
        message: `0/${n} nodes are available: ${n} node(s) didn't match Pod's node affinity/selector. ${preemption(n, `${n} Preemption is not helpful for scheduling`)}`,
        from: t0 + r.int(2, 4) * SEC,
        until: t0 + r.int(15, 20) * MIN,
        autoscaler: r.chance(0.6)
          ? `pod didn't trigger scale-up: ${r.int(1, 3)} node(s) didn't match Pod's node affinity/selector`
          : undefined,
      });
      const sym = r.chance(0.5) ? h.id : A.podNotReady(w, p, t0 + 2 * SEC).id;
      A.rolloutStuck(w, wl.ctrl, t0 + MIN);
      return {
        description: `${wl.app}'s new revision adds nodeSelector instance-type=${it} for a node pool that was never created; the new pod is unschedulable and the rollout stalls.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(rs), ref(p)],
      };
    },
  },
  {
    slug: "cordon-drain-two-nodes-full",
    nodes: [4, 5],
    build(ctx) {
      const { w, rng: r } = ctx;
      const wls = [ctx.deploy({ replicas: 3, cpu: "2" }), ctx.deploy({ replicas: 3, cpu: "1500m" })];
      const t0 = w.t0;
      const cordoned = r.pickN(ctx.nodes, 2);
      for (const node of cordoned) {
        node.spec = {
          ...(node.spec ?? {}),
          unschedulable: true,
          taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }],
        };
        w.put(node, t0 + r.int(0, 20) * SEC);
        w.event(
          node,
          "NodeNotSchedulable",
          `Node ${node.name} status is now: NodeNotSchedulable`,
          t0 + r.int(1, 25) * SEC,
          { type: "Normal", component: "kubelet", host: node.name },
        );
      }
      const n = ctx.nodes.length;
      const pending: Res[] = [];
      let sym = "";
      for (const wl of wls) {
        for (const p of wl.pods.filter((x) => cordoned.some((c) => c.name === x.node))) {
          const tk = t0 + r.int(40, 120) * SEC;
          stopPod(w, p, tk, { graceSec: 30 });
          const np = createPod(w, wl.rs!, tk + r.int(100, 900), { containers: [wl.container], svc: wl.svc });
          pending.push(np);
          const h = schedulingFailure(w, np, {
            message: `0/${n} nodes are available: ${n - 2} Insufficient cpu, 2 node(s) were unschedulable. ${preemption(n, `2 Preemption is not helpful for scheduling, ${n - 2} No preemption victims found for incoming pod`)}`,
            from: tk + SEC,
            until: t0 + r.int(16, 20) * MIN,
          });
          if (!sym) sym = h.id;
        }
      }
      const affected =
        wls.find((wl) => pending.some((p) => p.ownerRefs?.[0]?.name === wl.rs!.name)) ?? wls[0]!;
      if (r.chance(0.5)) sym = A.deploymentReplicasMismatch(w, affected.ctrl, t0 + 2 * MIN).id;
      return {
        description: `An operator cordons and drains ${cordoned.map((c) => c.name).join(" and ")} for a kernel upgrade; the remaining nodes lack CPU for the evicted pods, which stay Pending.`,
        symptom: sym,
        root: cordoned.map((c) => rc(c)),
        blast: pending.map(ref),
      };
    },
  },
  {
    slug: "pvc-storageclass-not-found",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns] = ctx.names.ns();
      const name = ctx.names.db(r.pick(["postgres", "mongo", "kafka"] as const));
      const t0 = w.t0;
      const sc = r.pick(["fast-ssd", "premium-rwo", "gp3-encrypted", "ssd-retain"]);
      const sts = w.res(ctx.c, "StatefulSet", name, ns, {
        labels: { "app.kubernetes.io/name": name },
        image: `docker.io/bitnami/${name.split("-")[0]}:latest`,
        replicas: 3,
        spec: {
          replicas: 3,
          volumeClaimTemplates: [{ name: "data", storageClassName: sc, storage: "50Gi" }],
        },
        status: { replicas: 1, readyReplicas: 0 },
      });
      w.put(sts, t0);
      const pvc = w.res(ctx.c, "PersistentVolumeClaim", `data-${name}-0`, ns, {
        spec: {
          storageClassName: sc,
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "50Gi" } },
        },
        status: { phase: "Pending" },
      });
      w.put(pvc, t0 + r.int(200, 900));
      const hp = w.event(
        pvc,
        "ProvisioningFailed",
        `storageclass.storage.k8s.io "${sc}" not found`,
        t0 + r.int(1, 2) * SEC,
        { component: "persistentvolume-controller" },
      );
      for (let t = t0 + 15 * SEC; t < t0 + 18 * MIN; t += r.int(15, 60) * SEC)
        w.again(hp, t, { step: r.int(1, 3) });
      const p = createPod(w, sts, t0 + r.int(500, 1500), {
        name: `${name}-0`,
        containers: [name.split("-")[0]!],
      });
      if (r.chance(0.6)) w.link(p, pvc, "MOUNTS", t0 + 2 * SEC);
      const n = ctx.nodes.length;
      const h = schedulingFailure(w, p, {
        message: `0/${n} nodes are available: pod has unbound immediate PersistentVolumeClaims. ${preemption(n, `${n} Preemption is not helpful for scheduling`)}`,
        from: t0 + 2 * SEC,
        until: t0 + r.int(15, 20) * MIN,
      });
      const sym = r.chance(0.5) ? h.id : A.statefulSetReplicasMismatch(w, sts, t0 + 10 * SEC).id;
      return {
        description: `A new ${name} StatefulSet asks for StorageClass ${sc}, which does not exist in this cluster; its PVC never provisions (ProvisioningFailed) and ${name}-0 stays Pending with unbound PVCs.`,
        symptom: sym,
        root: [rc(pvc, "ProvisioningFailed")],
        blast: [ref(sts), ref(p)],
      };
    },
  },
];

export const nodeFailure: VariantDef[] = [
  {
    slug: "kernel-panic-redis-on-node",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const redisName = ctx.names.db("redis");
      const redis = ctx.sts({
        ns,
        domain,
        app: redisName,
        port: 6379,
        image: "docker.io/bitnami/redis:7.2.4-debian-12-r9",
      });
      const node = ctx.nodes.find((n) => n.name === redis.pods[0]!.node)!;
      const apps = callers(ctx, r.int(1, 2), { ns, domain });
      const t0 = w.t0;
      const lost = nodeLost(ctx, node, t0);
      const tg = target(ctx, redis, "redis", { sameNs: true });
      const lang = ctx.lang();
      const tSym = t0 + r.int(50, 200) * SEC;
      const sym = r.chance(0.6)
        ? symptomClientError(
            ctx,
            apps[0]!.pods.find((p) => p.node !== node.name) ?? apps[0]!.pods[0]!,
            lang,
            tg,
            "timeout",
            tSym,
          )
        : A.appAlert(w, ctx.c, "errors", apps[0]!.svc!, tSym + MIN).id;
      for (const a of apps)
        callerErrors(
          w,
          a.pods.filter((p) => p.node !== node.name),
          ctx.lang(),
          tg,
          "timeout",
          t0 + r.int(5, 20) * SEC,
          t0 + 16 * MIN,
          { everySec: [5, 20] },
        );
      for (const p of lost.podEvents.keys()) taintEvict(ctx, p, lost.evictedAt + r.int(0, 3000));
      for (const wl of ctx.workloads.filter((x) => x.kind === "Deployment")) {
        for (const p of wl.pods.filter((x) => x.node === node.name))
          replace(ctx, wl, p, lost.evictedAt + r.int(1, 4) * SEC, [node]);
      }
      A.nodeUnreachable(w, node, lost.evictedAt - 290 * SEC);
      A.nodeNotReady(w, node, lost.evictedAt - 290 * SEC);
      return {
        description: `${node.name} panics and stops posting status. ${redisName}-0 ran there: as a StatefulSet pod it is not replaced while the node is unreachable, so ${apps.map((a) => a.app).join(", ")} time out on the cache for the whole incident.`,
        symptom: sym,
        root: [rc(node, "NodeNotReady")],
        blast: [
          ref(redis.pods[0]!),
          ref(redis.svc!),
          ...apps.flatMap((a) => a.pods.filter((p) => p.node !== node.name)).map(ref),
        ],
      };
    },
  },
  {
    slug: "pleg-unhealthy-runtime-down",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: 2, nodeSpread: [ctx.nodes[0]!, ctx.nodes[0]!] });
      const other = ctx.deploy({ replicas: r.int(2, 3) });
      const node = ctx.nodes[0]!;
      const t0 = w.t0;
      const s = r.int(1, 59);
      const lost = nodeLost(ctx, node, t0, {
        cond: "False",
        ready: {
          reason: "KubeletNotReady",
          message: `container runtime is down, PLEG is not healthy: pleg was last seen active 3m${s}.${r.int(100, 999)}s ago; threshold is 3m0s`,
        },
      });
      if (w.style.npd)
        w.event(
          node,
          "ContainerdUnhealthy",
          "containerd is not responding to ctr version",
          t0 - r.int(30, 120) * SEC,
          { component: "health-checker", host: node.name },
        );
      const tSym = t0 + r.int(60, 240) * SEC;
      const sym = r.chance(0.5)
        ? A.deploymentReplicasMismatch(w, wl.ctrl, t0 + MIN).id
        : A.appAlert(w, ctx.c, "errors", wl.svc!, tSym).id;
      for (const p of lost.podEvents.keys()) taintEvict(ctx, p, lost.evictedAt + r.int(0, 3000));
      for (const p of wl.pods) replace(ctx, wl, p, lost.evictedAt + r.int(1, 4) * SEC, [node]);
      void other;
      return {
        description: `containerd on ${node.name} hangs; PLEG stops relisting and the kubelet reports NotReady ("container runtime is down"). Both ${wl.app} replicas were on that node, so its Service has no ready endpoints until taint eviction moves them.`,
        symptom: sym,
        root: [rc(node, "NodeNotReady")],
        blast: [ref(wl.svc!), ref(wl.ctrl), ...wl.pods.map(ref)],
      };
    },
  },
  {
    slug: "spot-interruption-singleton",
    flavors: ["eks"],
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: 1 });
      const [cl] = callers(ctx, 1, { ns, domain, replicas: 2 });
      const node = ctx.nodes.find((n) => n.name === wl.pods[0]!.node)!;
      const t0 = w.t0;
      const iid = String((node.spec as { providerID?: string }).providerID ?? "i-0")
        .split("/")
        .pop();
      const h = w.event(
        node,
        "SpotInterruption",
        `Spot Interruption notice for instance ${iid} was sent at ${new Date(t0).toISOString().slice(0, 19)}Z`,
        t0,
        { component: "aws-node-termination-handler", host: node.name },
      );
      void h;
      node.spec = { ...(node.spec ?? {}), unschedulable: true };
      w.put(node, t0 + r.int(1, 3) * SEC);
      w.event(node, "CordonAndDrain", "Node successfully cordoned and drained", t0 + r.int(20, 60) * SEC, {
        type: "Normal",
        component: "aws-node-termination-handler",
        host: node.name,
      });
      const moved = ctx.w.all.filter((p) => p.kind === "Pod" && p.node === node.name && !p.deleted);
      for (const p of moved) stopPod(w, p, t0 + r.int(3, 15) * SEC, { graceSec: r.int(10, 30) });
      const tGone = t0 + 2 * MIN;
      w.remove(node, tGone + r.int(0, 30) * SEC, { edges: true });
      w.event(
        node,
        "RemovingNode",
        `Node ${node.name} event: Removing Node ${node.name} from Controller`,
        tGone,
        { type: "Normal", component: "node-controller" },
      );
      const n2 = r.pick(ctx.nodes.filter((n) => n !== node));
      const np = rsPod(w, wl, wl.rs!, n2, t0 + r.int(4, 16) * SEC);
      const ready = startContainers(w, np, t0 + r.int(20, 40) * SEC, {
        pull: true,
        readySec: r.int(40, 90),
        ipNode: n2,
      });
      const tg = target(ctx, wl, "http", { sameNs: true });
      const lang = ctx.lang();
      const tSym = t0 + r.int(20, 40) * SEC;
      const sym = symptomClientError(ctx, cl!.pods[0]!, lang, tg, "refused", tSym);
      callerErrors(w, cl!.pods, lang, tg, "refused", tSym + SEC, ready, { everySec: [3, 12] });
      return {
        description: `${node.name} is a spot instance reclaimed by EC2; the termination handler drains it and ${wl.app}, a single replica, is down until its replacement pulls and starts elsewhere. ${cl!.app} gets connection refused meanwhile.`,
        symptom: sym,
        root: [rc(node)],
        blast: [ref(wl.svc!), ...wl.pods.map(ref), ...cl!.pods.map(ref)],
      };
    },
  },
  {
    slug: "zone-partition-two-nodes",
    twin: true,
    nodes: [5, 6],
    build(ctx) {
      const { w, rng: r } = ctx;
      const zone = ctx.nodes[0]!.labels?.["topology.kubernetes.io/zone"];
      const down = ctx.nodes.filter((n) => n.labels?.["topology.kubernetes.io/zone"] === zone).slice(0, 2);
      const wl = ctx.deploy({ replicas: 2, nodeSpread: down });
      const [cl] = callers(ctx, 1, { replicas: 2, domain: undefined });
      const t0 = w.t0;
      let sym = "";
      const lostAll = down.map((n, i) => nodeLost(ctx, n, t0 + i * r.int(1, 8) * SEC));
      const tg = target(ctx, wl, "http");
      const lang = ctx.lang();
      const tSym = t0 + r.int(15, 45) * SEC;
      sym = symptomClientError(
        ctx,
        cl!.pods.find((p) => !down.some((d) => d.name === p.node)) ?? cl!.pods[0]!,
        lang,
        tg,
        "timeout",
        tSym,
      );
      callerErrors(
        w,
        cl!.pods.filter((p) => !down.some((d) => d.name === p.node)),
        lang,
        tg,
        "timeout",
        tSym + SEC,
        lostAll[0]!.evictedAt + MIN,
        { everySec: [4, 15] },
      );
      for (const l of lostAll)
        for (const p of l.podEvents.keys()) taintEvict(ctx, p, l.evictedAt + r.int(0, 3000));
      for (const p of wl.pods) replace(ctx, wl, p, lostAll[0]!.evictedAt + r.int(1, 5) * SEC, down);
      for (const n of down) A.nodeUnreachable(w, n, t0 + r.int(40, 60) * SEC);
      return {
        description: `A network partition cuts ${zone} off: ${down.map((d) => d.name).join(" and ")} become unreachable at once. Both ${wl.app} replicas were there; ${cl!.app} times out until taint eviction reschedules them. A second cluster runs same-named workloads.`,
        symptom: sym,
        root: down.map((n) => rc(n, "NodeNotReady")),
        blast: [ref(wl.svc!), ...wl.pods.map(ref)],
      };
    },
  },
];

export const nodePressure: VariantDef[] = [
  {
    slug: "imagefs-disk-pressure-evictions",
    build(ctx) {
      const { w, rng: r } = ctx;
      const node = r.pick(ctx.nodes);
      const wl = ctx.deploy({ replicas: 2, nodeSpread: [node, r.pick(ctx.nodes)] });
      const wl2 = ctx.deploy({ replicas: r.int(1, 2), nodeSpread: [node] });
      const t0 = w.t0;
      const hGc = w.event(
        node,
        "FreeDiskSpaceFailed",
        `Failed to garbage collect required amount of images. Attempted to free ${r.int(4, 12) * 1_073_741_824} bytes, but only found 0 bytes eligible to free.`,
        t0 - r.int(3, 8) * MIN,
        { host: node.name },
      );
      for (let t = t0 - 3 * MIN; t < t0 + 12 * MIN; t += 5 * MIN) w.again(hGc, t);
      w.event(
        node,
        "ImageGCFailed",
        `Failed to garbage collect required amount of images. Attempted to free ${r.int(4, 12) * 1_073_741_824} bytes, but only found 0 bytes eligible to free.`,
        t0 - r.int(1, 3) * MIN,
        { host: node.name },
      );
      setNodeConds(w, node, t0, { DiskPressure: "True" });
      w.event(
        node,
        "NodeHasDiskPressure",
        `Node ${node.name} status is now: NodeHasDiskPressure`,
        t0 + r.int(0, 2) * SEC,
        { type: "Normal", host: node.name },
      );
      const eh = w.event(
        node,
        "EvictionThresholdMet",
        "Attempting to reclaim ephemeral-storage",
        t0 + r.int(3, 10) * SEC,
        { host: node.name },
      );
      for (let t = t0 + MIN; t < t0 + 6 * MIN; t += r.int(40, 90) * SEC) w.again(eh, t);
      A.nodeFilesystemAlmostOut(w, node, "/", r.float(2.1, 4.9), t0 - r.int(20, 40) * MIN);
      const victims = [...wl.pods, ...wl2.pods].filter((p) => p.node === node.name);
      let sym = "";
      for (const p of victims) {
        const te = t0 + r.int(5, 60) * SEC;
        const id = evict(
          w,
          p,
          te,
          `The node was low on resource: ephemeral-storage. Threshold quantity: ${r.pick(["10%", "15%"])}, available: ${r.int(2_000_000, 4_900_000)}Ki. Container ${p.containers?.[0]} was using ${r.int(40_000, 900_000)}Ki, request is 0, has larger consumption of ephemeral-storage. `,
        ).id;
        if (!sym) sym = id;
        const owner = [wl, wl2].find((x) => x.pods.includes(p))!;
        replace(ctx, owner, p, te + r.int(1, 3) * SEC, [node]);
      }
      if (r.chance(0.5)) sym = A.deploymentReplicasMismatch(w, wl2.ctrl, t0 + 30 * SEC).id;
      return {
        description: `${node.name}'s root filesystem fills with image layers that image GC cannot free (all in use); the kubelet reports DiskPressure and evicts pods for ephemeral-storage.`,
        symptom: sym,
        root: [rc(node)],
        blast: victims.map(ref),
      };
    },
  },
  {
    slug: "memory-overcommit-evictions",
    build(ctx) {
      const { w, rng: r } = ctx;
      const node = r.pick(ctx.nodes);
      const wls = [
        ctx.deploy({ replicas: 2, nodeSpread: [node] }),
        ctx.deploy({ replicas: 1, nodeSpread: [node] }),
        ctx.deploy({ replicas: 2 }),
      ];
      const t0 = w.t0;
      setNodeConds(w, node, t0, { MemoryPressure: "True" });
      w.event(
        node,
        "NodeHasInsufficientMemory",
        `Node ${node.name} status is now: NodeHasInsufficientMemory`,
        t0 + r.int(0, 3) * SEC,
        { type: "Normal", host: node.name },
      );
      const eh = w.event(
        node,
        "EvictionThresholdMet",
        "Attempting to reclaim memory",
        t0 + r.int(2, 6) * SEC,
        { host: node.name },
      );
      for (let t = t0 + 40 * SEC; t < t0 + 5 * MIN; t += r.int(30, 80) * SEC) w.again(eh, t);
      A.nodePressure(w, node, "MemoryPressure", t0 + 5 * SEC);
      const victims = wls.flatMap((x) => x.pods).filter((p) => p.node === node.name);
      let sym = "";
      for (const p of victims) {
        const te = t0 + r.int(5, 90) * SEC;
        const used = r.int(900_000, 3_400_000);
        const id = evict(
          w,
          p,
          te,
          `The node was low on resource: memory. Threshold quantity: 100Mi, available: ${r.int(40_000, 99_000)}Ki. Container ${p.containers?.[0]} was using ${used}Ki, request is ${r.pick(["128Mi", "256Mi", "64Mi"])}, has larger consumption of memory. `,
        ).id;
        if (!sym) sym = id;
        const owner = wls.find((x) => x.pods.includes(p))!;
        replace(ctx, owner, p, te + r.int(1, 3) * SEC, [node]);
      }
      const sw = wls[0]!;
      if (r.chance(0.6)) sym = A.appAlert(w, ctx.c, "errors", sw.svc!, t0 + r.int(30, 120) * SEC).id;
      return {
        description: `${node.name} is overcommitted (burstable pods with low requests and high limits); working sets grow, MemoryPressure is reported and the kubelet evicts pods.`,
        symptom: sym,
        root: [rc(node)],
        blast: victims.map(ref),
      };
    },
  },
  {
    slug: "pid-leak-pid-pressure",
    build(ctx) {
      const { w, rng: r } = ctx;
      const node = r.pick(ctx.nodes);
      const leaker = ctx.deploy({ replicas: 1, nodeSpread: [node] });
      const other = ctx.deploy({ replicas: 2, nodeSpread: [node, node] });
      const pod = leaker.pods[0]!;
      const t0 = w.t0;
      for (let t = t0 - 12 * MIN; t < t0; t += r.int(60, 150) * SEC)
        w.log(pod, t, "WARN", `sh: can't fork: Resource temporarily unavailable`);
      w.log(
        pod,
        t0 - 30 * SEC,
        "ERROR",
        `runtime: failed to create new OS thread (have ${r.int(9000, 31000)} already; errno=11)\nruntime: may need to increase max user processes (ulimit -u)\nfatal error: newosproc`,
      );
      setNodeConds(w, node, t0, { PIDPressure: "True" });
      w.event(
        node,
        "NodeHasInsufficientPID",
        `Node ${node.name} status is now: NodeHasInsufficientPID`,
        t0 + 2 * SEC,
        { type: "Normal", host: node.name },
      );
      w.event(node, "EvictionThresholdMet", "Attempting to reclaim pids", t0 + 4 * SEC, { host: node.name });
      let sym = "";
      const victims = [pod, ...other.pods];
      for (const p of victims) {
        const te = t0 + r.int(5, 60) * SEC;
        const id = evict(
          w,
          p,
          te,
          `The node was low on resource: pids. Threshold quantity: ${r.int(1000, 4000)}, available: ${r.int(10, 900)}. `,
        ).id;
        if (p !== pod && !sym) sym = id;
      }
      for (const p of other.pods) replace(ctx, other, p, t0 + r.int(70, 120) * SEC, [node]);
      if (r.chance(0.5)) sym = A.nodePressure(w, node, "PIDPressure", t0 + 3 * SEC).id;
      return {
        description: `${leaker.app}'s exec health-check leaves zombie processes; the pod leaks tens of thousands of PIDs until ${node.name} reports PIDPressure and evicts pods, including unrelated ${other.app}.`,
        symptom: sym,
        root: [rc(pod)],
        blast: [ref(node), ...other.pods.map(ref)],
      };
    },
  },
];

export const volumes: VariantDef[] = [
  {
    slug: "rwo-volume-rolling-update-multi-attach",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const app = ctx.names.app(domain);
      const pvName = `pvc-${r.uuid()}`;
      const pvc = w.res(ctx.c, "PersistentVolumeClaim", `${app}-data`, ns, {
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", volumeName: pvName },
        status: { phase: "Bound" },
      });
      w.put(pvc, w.tList);
      const wl = ctx.deploy({
        ns,
        domain,
        app,
        replicas: 1,
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: pvc.name } }],
      });
      if (r.chance(0.6)) w.link(wl.pods[0]!, pvc, "MOUNTS", w.tList + 2 * SEC);
      const t0 = w.t0;
      const oldNode = ctx.nodes.find((n) => n.name === wl.pods[0]!.node)!;
      // the scheduler spreads the surge pod away from the old one
      wl.nodes = ctx.nodes.filter((n) => n !== oldNode);
      const ro = badRollout(
        ctx,
        wl,
        t0,
        { image: wl.image.replace(/:[^:]+$/, `:${r.pick(["1.9.1", "2.0.3", "v3.4.2"])}`) },
        { surge: 1, unavailable: 0 },
      );
      const p = ro.newPods[0]!;
      const h = w.event(
        p,
        "FailedAttachVolume",
        `Multi-Attach error for volume "${pvName}" Volume is already used by pod(s) ${wl.pods[0]!.name}`,
        ro.podTimes[0]! + r.int(1, 3) * SEC,
        { component: "attachdetach-controller" },
      );
      for (let t = ro.podTimes[0]! + 60 * SEC; t < t0 + 18 * MIN; t += r.int(60, 130) * SEC) w.again(h, t);
      mountFailure(w, p, {
        message: `Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data kube-api-access-${r.safe(5)}]: timed out waiting for the condition`,
        from: ro.podTimes[0]! + 2 * MIN + r.int(0, 9) * SEC,
        until: t0 + 18 * MIN,
        volume: "data",
      });
      A.rolloutStuck(w, wl.ctrl, t0 + MIN);
      const sym = r.chance(0.5) ? h.id : A.podNotReady(w, p, ro.podTimes[0]!).id;
      return {
        description: `${app} (1 replica) mounts a ReadWriteOnce volume but uses the RollingUpdate strategy; the surged pod lands on another node and cannot attach the volume still used by the old pod (Multi-Attach error), so every rollout stalls.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(p), ref(ro.newRs)],
      };
    },
  },
  {
    slug: "node-crash-statefulset-volume-stuck",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const name = ctx.names.db(r.pick(["postgres", "mongo"] as const));
      const db = ctx.sts({ ns, domain, app: name, replicas: 1, port: name.includes("mongo") ? 27017 : 5432 });
      const apps = callers(ctx, 1, { ns, domain });
      const node = ctx.nodes.find((n) => n.name === db.pods[0]!.node)!;
      const t0 = w.t0;
      const lost = nodeLost(ctx, node, t0);
      const pod = db.pods[0]!;
      taintEvict(ctx, pod, lost.evictedAt);
      // an operator force-deletes the stuck pod; the StatefulSet recreates it elsewhere
      const tForce = lost.evictedAt + r.int(2, 5) * MIN;
      w.remove(pod, tForce);
      const n2 = r.pick(ctx.nodes.filter((n) => n !== node));
      const np = createPod(w, db.ctrl, tForce + r.int(1, 3) * SEC, {
        name: pod.name,
        node: n2,
        containers: [db.container],
        svc: db.svc,
      });
      const pvName = `pvc-${r.uuid()}`;
      const h = w.event(
        np,
        "FailedAttachVolume",
        `Multi-Attach error for volume "${pvName}" Volume is already exclusively attached to one node and can't be attached to another`,
        tForce + r.int(3, 8) * SEC,
        { component: "attachdetach-controller" },
      );
      for (let t = tForce + 40 * SEC; t < tForce + 7 * MIN; t += r.int(30, 90) * SEC) w.again(h, t);
      const tg = target(ctx, db, name.includes("mongo") ? "mongo" : "postgres", { sameNs: true });
      const lang = ctx.lang();
      const tSym = t0 + r.int(30, 90) * SEC;
      const sym = symptomClientError(ctx, apps[0]!.pods[0]!, lang, tg, "timeout", tSym);
      callerErrors(
        w,
        apps[0]!.pods.filter((p) => p.node !== node.name),
        lang,
        tg,
        "timeout",
        tSym + SEC,
        t0 + 16 * MIN,
        { everySec: [8, 30] },
      );
      return {
        description: `${node.name} dies with ${name}-0 on it. The pod is only replaced after a manual force delete, and then its EBS/PD volume is still attached to the dead node (Multi-Attach error for ~6 min); ${apps[0]!.app} cannot reach the database the whole time.`,
        symptom: sym,
        root: [rc(node, "NodeNotReady")],
        blast: [ref(db.svc!), ref(pod), ...apps[0]!.pods.map(ref)],
      };
    },
  },
  {
    slug: "csi-controller-oomkilled-attach-timeouts",
    build(ctx) {
      const { w, rng: r } = ctx;
      const driver = csiDriver(ctx.c);
      const ctlName = {
        "ebs.csi.aws.com": "ebs-csi-controller",
        "pd.csi.storage.gke.io": "csi-gce-pd-controller",
        "disk.csi.azure.com": "csi-azuredisk-controller",
        "rbd.csi.ceph.com": "csi-rbdplugin-provisioner",
      }[driver]!;
      const ctl = ctx.deploy({
        ns: "kube-system",
        domain: "",
        app: ctlName,
        replicas: 2,
        mem: "256Mi",
        container: "csi-attacher",
        sidecars: ["csi-provisioner", "liveness-probe"],
        service: false,
      });
      const [ns, domain] = ctx.names.ns();
      const name = ctx.names.db(r.pick(["postgres", "kafka"] as const));
      const db = ctx.sts({ ns, domain, app: name, replicas: 3, port: name.includes("kafka") ? 9092 : 5432 });
      const t0 = w.t0;
      const roots = [];
      for (const p of ctl.pods) {
        crashLoop(w, p, {
          container: "csi-attacher",
          term: "OOMKilled",
          exitCode: 137,
          firstStart: t0 - 30 * MIN,
          firstRunSec: 30 * 60 + r.int(0, 60),
          runSec: [40, 120],
          until: t0 + 18 * MIN,
          node: ctx.nodes.find((n) => n.name === p.node),
          oomProcess: "csi-attacher",
        });
        roots.push(rc(p, "OOMKilled"));
      }
      // a node upgrade moves one broker; its volume cannot be attached while the attacher is down
      const mv = db.pods[r.int(0, db.pods.length - 1)]!;
      const t1 = t0 + r.int(30, 120) * SEC;
      stopPod(w, mv, t1, { graceSec: 30 });
      const n2 = r.pick(ctx.nodes.filter((n) => n.name !== mv.node));
      const np = createPod(w, db.ctrl, t1 + 35 * SEC, {
        name: mv.name,
        node: n2,
        containers: [db.container],
        svc: db.svc,
      });
      const vol = volHandle(w, ctx.c);
      const pvName = `pvc-${r.uuid()}`;
      const h = w.event(
        np,
        "FailedAttachVolume",
        `AttachVolume.Attach failed for volume "${pvName}" : timed out waiting for external-attacher of ${driver} CSI driver to attach volume ${vol}`,
        t1 + r.int(2, 3) * MIN,
        { component: "attachdetach-controller" },
      );
      for (let t = t1 + 4 * MIN; t < t0 + 18 * MIN; t += r.int(60, 150) * SEC) w.again(h, t);
      mountFailure(w, np, {
        message: `Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data kube-api-access-${r.safe(5)}]: timed out waiting for the condition`,
        from: t1 + 2 * MIN + 40 * SEC,
        until: t0 + 18 * MIN,
        volume: "data",
      });
      const sym = r.chance(0.5) ? A.statefulSetReplicasMismatch(w, db.ctrl, t1 + 40 * SEC).id : h.id;
      return {
        description: `Both ${ctlName} replicas' csi-attacher containers are OOM-killed in a loop (too many VolumeAttachments for a 256Mi limit); when ${mv.name} moves to another node, its volume is never attached.`,
        symptom: sym,
        root: roots,
        blast: [ref(np), ref(db.ctrl)],
      };
    },
  },
];

export const quota: VariantDef[] = [
  {
    slug: "rollout-raises-limits-exceeds-quota",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const q = w.res(ctx.c, "ResourceQuota", "compute-resources", ns, {
        spec: { hard: { "limits.memory": "16Gi", "limits.cpu": "16", pods: "40" } },
        status: { used: { "limits.memory": "14Gi" } },
      });
      w.put(q, w.tList);
      const wl = ctx.deploy({ ns, domain, replicas: r.int(3, 4), mem: "1Gi", cpu: "1" });
      ctx.deploy({ ns, domain, replicas: 2 });
      const t0 = w.t0;
      const rs = startRollout(w, wl, t0, {
        mutate: (spec) => {
          mainContainer({ spec } as Res).resources = {
            requests: { cpu: "1", memory: "2Gi" },
            limits: { cpu: "2", memory: "4Gi" },
          };
        },
      });
      const msg = `Error creating: pods "${rs.name}-${r.safe(5)}" is forbidden: exceeded quota: compute-resources, requested: limits.memory=4Gi, used: limits.memory=14Gi, limited: limits.memory=16Gi`;
      const h = w.event(rs, "FailedCreate", msg, t0 + r.int(1, 2) * SEC, {
        component: "replicaset-controller",
      });
      for (let t = t0 + 10 * SEC; t < t0 + 18 * MIN; t += r.int(20, 120) * SEC)
        w.again(h, t, {
          step: r.int(1, 4),
          message: msg.replace(/pods "[^"]+"/, `pods "${rs.name}-${r.safe(5)}"`),
        });
      A.rolloutStuck(w, wl.ctrl, t0 + 30 * SEC);
      const sym = h.id;
      A.quotaExceeded(w, q, "limits.memory", 87.5, t0 - 40 * MIN, "KubeQuotaAlmostFull");
      return {
        description: `${wl.app}'s new revision raises its memory limit to 4Gi; namespace ${ns}'s ResourceQuota (16Gi of limits.memory, 14Gi used) refuses the surge pod, so the ReplicaSet reports FailedCreate and the rollout stalls.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(rs)],
      };
    },
  },
  {
    slug: "quota-lowered-hpa-cannot-scale",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const q = w.res(ctx.c, "ResourceQuota", r.pick(["team-quota", "default-quota", "compute"]), ns, {
        spec: { hard: { "requests.cpu": "40", pods: "60" } },
      });
      w.put(q, w.tList);
      const wl = ctx.deploy({ ns, domain, replicas: 4, cpu: "2" });
      const hpa = w.res(ctx.c, "HorizontalPodAutoscaler", wl.app, ns, {
        spec: { scaleTargetRef: { kind: "Deployment", name: wl.app }, minReplicas: 4, maxReplicas: 20 },
      });
      w.put(hpa, w.tList + 3 * SEC);
      w.link(hpa, wl.ctrl, "SCALES", w.tList + 4 * SEC);
      const t0 = w.t0;
      q.spec = { hard: { "requests.cpu": "4", pods: "60" } };
      w.put(q, t0 - r.int(2, 8) * MIN);
      const to = r.int(7, 10);
      w.event(
        hpa,
        "SuccessfulRescale",
        `New size: ${to}; reason: cpu resource utilization (percentage of request) above target`,
        t0,
        { type: "Normal", component: "horizontal-pod-autoscaler" },
      );
      wl.ctrl.replicas = to;
      w.put(wl.ctrl, t0 + 500);
      w.event(wl.ctrl, "ScalingReplicaSet", scalingMessage(ctx.c, "up", wl.rs!.name, to, 4), t0 + 700, {
        type: "Normal",
        component: "deployment-controller",
      });
      const msg = () =>
        `Error creating: pods "${wl.rs!.name}-${r.safe(5)}" is forbidden: exceeded quota: ${q.name}, requested: requests.cpu=1, used: requests.cpu=4, limited: requests.cpu=4`;
      const h = w.event(wl.rs!, "FailedCreate", msg(), t0 + r.int(1, 3) * SEC, {
        component: "replicaset-controller",
      });
      for (let t = t0 + 20 * SEC; t < t0 + 18 * MIN; t += r.int(30, 120) * SEC)
        w.again(h, t, { step: r.int(1, 5), message: msg() });
      A.quotaExceeded(w, q, "requests.cpu", 100, t0 - 2 * MIN, "KubeQuotaFullyUsed");
      const sym = A.appAlert(w, ctx.c, "latency", wl.svc!, t0 + r.int(2, 5) * MIN, { forSec: 300 }).id;
      return {
        description: `A platform PR lowers ResourceQuota ${ns}/${q.name} to requests.cpu=4 (meant for staging). Nothing restarts, but when traffic rises the HPA asks for ${to} pods of ${wl.app} and the ReplicaSet cannot create any: FailedCreate exceeded quota, latency climbs.`,
        symptom: sym,
        root: [rc(q)],
        blast: [ref(wl.rs!), ref(wl.svc!)],
      };
    },
  },
  {
    slug: "limitrange-added-max-memory",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(2, 3), mem: "2Gi" });
      const t0 = w.t0;
      const lr = w.res(
        ctx.c,
        "LimitRange",
        r.pick(["default-limits", "container-limits", "mem-limit-range"]),
        ns,
        {
          spec: {
            limits: [{ type: "Container", max: { memory: "1Gi", cpu: "2" }, default: { memory: "512Mi" } }],
          },
        },
      );
      w.put(lr, t0 - r.int(2, 10) * MIN);
      // a node is drained: the recreated pods are refused by admission
      const p = wl.pods[0]!;
      stopPod(w, p, t0, { graceSec: 30 });
      const msg = () =>
        `Error creating: pods "${wl.rs!.name}-${r.safe(5)}" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi`;
      const h = w.event(wl.rs!, "FailedCreate", msg(), t0 + r.int(1, 3) * SEC, {
        component: "replicaset-controller",
      });
      for (let t = t0 + 15 * SEC; t < t0 + 18 * MIN; t += r.int(20, 100) * SEC)
        w.again(h, t, { step: r.int(1, 4), message: msg() });
      const sym = r.chance(0.5) ? A.deploymentReplicasMismatch(w, wl.ctrl, t0 + 30 * SEC).id : h.id;
      return {
        description: `A LimitRange capping containers at 1Gi is applied to ${ns}. Running pods are unaffected, but when ${p.name} is evicted during a node drain its replacement is rejected at admission (limit 2Gi > max 1Gi).`,
        symptom: sym,
        root: [rc(lr)],
        blast: [ref(wl.rs!), ref(wl.ctrl)],
      };
    },
  },
];

export const hpa: VariantDef[] = [
  {
    slug: "traffic-surge-hpa-at-max",
    twin: true,
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: 4, cpu: "1" });
      const [cl] = callers(ctx, 1, { replicas: 2 });
      const max = r.int(6, 8);
      const h = w.res(ctx.c, "HorizontalPodAutoscaler", wl.app, ns, {
        spec: { scaleTargetRef: { kind: "Deployment", name: wl.app }, minReplicas: 4, maxReplicas: max },
        status: { currentReplicas: 4, desiredReplicas: 4 },
      });
      w.put(h, w.tList);
      if (r.chance(0.7)) w.link(h, wl.ctrl, "SCALES", w.tList + SEC);
      const t0 = w.t0;
      let cur = 4;
      let t = t0;
      while (cur < max) {
        const nx = Math.min(max, cur + r.int(1, 2));
        w.event(
          h,
          "SuccessfulRescale",
          `New size: ${nx}; reason: cpu resource utilization (percentage of request) above target`,
          t,
          { type: "Normal", component: "horizontal-pod-autoscaler" },
        );
        wl.ctrl.replicas = nx;
        w.put(wl.ctrl, t + 500);
        w.event(wl.ctrl, "ScalingReplicaSet", scalingMessage(ctx.c, "up", wl.rs!.name, nx, cur), t + 800, {
          type: "Normal",
          component: "deployment-controller",
        });
        for (let i = cur; i < nx; i++) {
          const node = r.pick(ctx.nodes);
          const p = createPod(w, wl.rs!, t + r.int(1, 3) * SEC, {
            node,
            containers: [wl.container],
            svc: wl.svc,
          });
          startContainers(w, p, t + r.int(3, 6) * SEC, { pull: false, ipNode: node });
          wl.pods.push(p);
        }
        cur = nx;
        t += r.int(60, 180) * SEC;
      }
      h.status = {
        currentReplicas: max,
        desiredReplicas: max,
        currentMetrics: [
          { type: "Resource", resource: { name: "cpu", current: { averageUtilization: r.int(140, 220) } } },
        ],
      };
      w.put(h, t);
      A.hpaMaxedOut(w, h, t);
      for (const p of r.pickN(wl.pods, 2))
        A.cpuThrottlingHigh(w, p, wl.container, r.float(40, 80), t + r.int(10, 60) * SEC);
      const tg = target(ctx, wl, "http");
      const lang = ctx.lang();
      const tSym = t + r.int(60, 180) * SEC;
      const sym = r.chance(0.5)
        ? symptomClientError(ctx, cl!.pods[0]!, lang, tg, "timeout", tSym)
        : A.appAlert(w, ctx.c, "latency", wl.svc!, tSym).id;
      callerErrors(w, cl!.pods, lang, tg, "timeout", t + 30 * SEC, t0 + 18 * MIN, { everySec: [10, 40] });
      return {
        description: `A marketing push doubles traffic to ${wl.app}; the HPA scales to its maxReplicas=${max} and stays there with CPU far above target, so latency and timeouts follow. maxReplicas was sized for last year's peak.`,
        symptom: sym,
        root: [rc(h)],
        blast: [ref(wl.ctrl), ref(wl.svc!), ...cl!.pods.map(ref)],
      };
    },
  },
  {
    slug: "gitops-lowers-max-replicas",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(8, 10), cpu: "1" });
      const h = w.res(ctx.c, "HorizontalPodAutoscaler", wl.app, ns, {
        spec: { scaleTargetRef: { kind: "Deployment", name: wl.app }, minReplicas: 3, maxReplicas: 20 },
        status: { currentReplicas: wl.pods.length },
      });
      w.put(h, w.tList);
      if (r.chance(0.7)) w.link(h, wl.ctrl, "SCALES", w.tList + SEC);
      const t0 = w.t0;
      const max = 4;
      h.spec = { scaleTargetRef: { kind: "Deployment", name: wl.app }, minReplicas: 2, maxReplicas: max };
      w.put(h, t0);
      const n = wl.pods.length;
      w.event(
        h,
        "SuccessfulRescale",
        `New size: ${max}; reason: Current number of replicas above Spec.MaxReplicas`,
        t0 + r.int(5, 15) * SEC,
        { type: "Normal", component: "horizontal-pod-autoscaler" },
      );
      wl.ctrl.replicas = max;
      w.put(wl.ctrl, t0 + 16 * SEC);
      w.event(
        wl.ctrl,
        "ScalingReplicaSet",
        scalingMessage(ctx.c, "down", wl.rs!.name, max, n),
        t0 + 17 * SEC,
        { type: "Normal", component: "deployment-controller" },
      );
      for (const p of wl.pods.slice(max)) stopPod(w, p, t0 + r.int(17, 20) * SEC, { owner: wl.rs });
      const survivors = wl.pods.slice(0, max);
      for (const p of survivors)
        A.cpuThrottlingHigh(w, p, wl.container, r.float(50, 85), t0 + r.int(1, 3) * MIN);
      const p0 = survivors[0]!;
      probeFailures(w, p0, {
        probe: "Readiness",
        message: `Get "http://${p0.podIP}:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        from: t0 + r.int(2, 4) * MIN,
        until: t0 + r.int(6, 9) * MIN,
        periodSec: 10,
      });
      const sym = A.appAlert(
        w,
        ctx.c,
        r.pick(["errors", "latency"] as const),
        wl.svc!,
        t0 + r.int(2, 5) * MIN,
      ).id;
      A.hpaMaxedOut(w, h, t0 + 20 * SEC);
      return {
        description: `An Argo CD sync applies a values file meant for staging: HPA ${ns}/${wl.app} gets maxReplicas=${max} while ${n} pods were serving. The HPA scales down immediately and the survivors are saturated.`,
        symptom: sym,
        root: [rc(h)],
        blast: [ref(wl.ctrl), ref(wl.svc!), ...survivors.map(ref)],
      };
    },
  },
  {
    slug: "metrics-server-oom-no-autoscaling",
    build(ctx) {
      const { w, rng: r } = ctx;
      const ms = ctx.deploy({
        ns: "kube-system",
        domain: "",
        app: "metrics-server",
        replicas: 1,
        mem: "200Mi",
        labelKey: "k8s-app",
        image: `registry.k8s.io/metrics-server/metrics-server:v0.${r.int(6, 7)}.${r.int(0, 2)}`,
        port: 10250,
      });
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: 3, cpu: "1" });
      const h = w.res(ctx.c, "HorizontalPodAutoscaler", wl.app, ns, {
        spec: { scaleTargetRef: { kind: "Deployment", name: wl.app }, minReplicas: 3, maxReplicas: 15 },
      });
      w.put(h, w.tList);
      if (r.chance(0.7)) w.link(h, wl.ctrl, "SCALES", w.tList + SEC);
      const t0 = w.t0;
      const mp = ms.pods[0]!;
      crashLoop(w, mp, {
        term: "OOMKilled",
        exitCode: 137,
        firstStart: t0 - 20 * MIN,
        firstRunSec: 20 * 60,
        runSec: [20, 90],
        until: t0 + 18 * MIN,
        node: ctx.nodes.find((n) => n.name === mp.node),
        oomProcess: "metrics-server",
      });
      const fh = w.event(
        h,
        "FailedGetResourceMetric",
        "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)",
        t0 + r.int(20, 60) * SEC,
        { component: "horizontal-pod-autoscaler" },
      );
      const ch = w.event(
        h,
        "FailedComputeMetricsReplicas",
        "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)",
        t0 + r.int(20, 60) * SEC,
        { component: "horizontal-pod-autoscaler" },
      );
      for (let t = t0 + 2 * MIN; t < t0 + 18 * MIN; t += r.int(30, 90) * SEC) {
        w.again(fh, t, { step: r.int(1, 3) });
        w.again(ch, t + 50, { step: r.int(1, 3) });
      }
      for (const p of wl.pods)
        A.cpuThrottlingHigh(w, p, wl.container, r.float(55, 90), t0 + r.int(2, 5) * MIN);
      const sym = A.appAlert(w, ctx.c, "latency", wl.svc!, t0 + r.int(4, 8) * MIN).id;
      return {
        description: `metrics-server is OOM-killed repeatedly (200Mi limit, cluster grew); the resource metrics API is unavailable, so ${wl.app}'s HPA cannot read CPU and never scales out during the daily peak. Latency alerts fire.`,
        symptom: sym,
        root: [rc(mp, "OOMKilled")],
        blast: [ref(h), ref(wl.svc!)],
      };
    },
  },
];

export { podEvent, startedAt };
