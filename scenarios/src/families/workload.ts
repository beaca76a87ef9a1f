/** Faults inside the pod: probes, init containers, port conflicts, CPU throttling. */
import * as A from "../lib/alerts.js";
import { callerErrors, chatter } from "../lib/applog.js";
import {
  bump,
  crashLoop,
  createPod,
  daemonSet,
  imageRef,
  mainContainer,
  probeFailures,
  scalingMessage,
  startContainers,
  startedAt,
  stopPod,
  templateOf,
} from "../lib/k8s.js";
import { rc, ref, type VariantDef } from "../lib/scenario.js";
import type { Res } from "../lib/world.js";
import { callers, MIN, SEC, symptomClientError, target } from "./common.js";
import { badRollout } from "./rollout.js";

const LIVENESS = {
  livenessProbe: {
    httpGet: { path: "/healthz", port: 8080 },
    periodSeconds: 10,
    failureThreshold: 3,
    timeoutSeconds: 1,
  },
  readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 5 },
};

export const probes: VariantDef[] = [
  {
    slug: "liveness-path-moved-in-new-version",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: r.int(2, 4), port: 8080, probes: LIVENESS });
      const t0 = w.t0;
      const newImg = imageRef(wl.c, wl.ns, wl.app, bump(w, wl.image.split(":").pop()!));
      const ro = badRollout(ctx, wl, t0, { image: newImg });
      const until = t0 + r.int(16, 22) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        startContainers(w, p, ro.podTimes[i]!, { pull: true, ready: false });
        const s = startedAt(p)!;
        probeFailures(w, p, {
          probe: "Readiness",
          message: "HTTP probe failed with statuscode: 404",
          from: s + 5 * SEC,
          until,
          periodSec: 5,
        });
        const res = probeFailures(w, p, {
          probe: "Liveness",
          message: "HTTP probe failed with statuscode: 404",
          from: s + 10 * SEC,
          until,
          periodSec: 10,
          threshold: 3,
          exitCode: 143,
          healthySec: 10,
        });
        for (let k = 0; k < 3; k++)
          w.log(
            p,
            s + r.int(1, 60) * SEC,
            "INFO",
            `${new Date(s).toISOString()} INFO  o.s.b.a.e.web.EndpointLinksResolver : Exposing 3 endpoint(s) beneath base path '/actuator'`,
          );
        if (i === 0)
          sym = r.chance(0.5)
            ? A.podCrashLooping(w, p, wl.container, res.kills[2] ?? res.kills[0] ?? s + MIN).id
            : A.podNotReady(w, p, s).id;
      });
      return {
        description: `${wl.app} ${newImg.split(":").pop()} moves its health endpoints under /actuator, but the Deployment's probes still hit /healthz: the new pod answers 404, kubelet kills it after three liveness failures, again and again; the rollout stalls.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(ro.newRs), ...ro.newPods.map(ref)],
      };
    },
  },
  {
    slug: "thread-pool-deadlock-liveness-timeout",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(2, 3), port: 8080, probes: LIVENESS });
      const [cl] = callers(ctx, 1, { ns, domain, replicas: 2 });
      const victim = r.pick(wl.pods);
      const t0 = w.t0;
      for (let k = 0; k < r.int(3, 6); k++) {
        w.log(
          victim,
          t0 - r.int(0, 90) * SEC,
          "WARN",
          `${new Date(t0 - 30 * SEC).toISOString().replace("T", " ").slice(0, 23)}  WARN 1 --- [l-1 housekeeper] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=${r.int(45, 120)}s${r.int(100, 999)}ms).`,
        );
      }
      const res = probeFailures(w, victim, {
        probe: "Liveness",
        message: `Get "http://${victim.podIP}:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        from: t0,
        until: t0 + r.int(14, 20) * MIN,
        periodSec: 10,
        threshold: 3,
        healthySec: r.int(90, 200),
      });
      probeFailures(w, victim, {
        probe: "Readiness",
        message: `Get "http://${victim.podIP}:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        from: t0 + 2 * SEC,
        until: t0 + 40 * SEC,
        periodSec: 5,
      });
      const tg = target(ctx, wl, "http", { sameNs: true });
      const lang = ctx.lang();
      const tSym = t0 + r.int(20, 60) * SEC;
      const sym = symptomClientError(ctx, cl!.pods[0]!, lang, tg, "timeout", tSym);
      callerErrors(w, cl!.pods, lang, tg, "timeout", tSym + SEC, res.kills[0]! + 30 * SEC, {
        everySec: [5, 20],
      });
      return {
        description: `One ${wl.app} pod (${victim.name}) exhausts its request thread pool on a slow downstream call and stops answering, /healthz included; requests to it from ${cl!.app} time out until kubelet's liveness probe kills and restarts it.`,
        symptom: sym,
        root: [rc(victim, "Unhealthy")],
        blast: [ref(wl.svc!), ...cl!.pods.map(ref)],
      };
    },
  },
  {
    slug: "container-port-changed-probes-not",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: r.int(2, 3), port: 8080, probes: LIVENESS, env: { PORT: "8080" } });
      const t0 = w.t0;
      const ro = badRollout(ctx, wl, t0, {
        mutate: (spec) => {
          const c = mainContainer({ spec } as Res);
          c.env = [{ name: "PORT", value: "9090" }];
          c.ports = [{ name: "http", containerPort: 9090, protocol: "TCP" }];
        },
      });
      const until = t0 + r.int(16, 22) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        startContainers(w, p, ro.podTimes[i]!, { pull: false, ready: false });
        const s = startedAt(p)!;
        w.log(
          p,
          s + 900,
          "INFO",
          JSON.stringify({
            level: "info",
            ts: new Date(s + 900).toISOString(),
            msg: "http server listening",
            addr: ":9090",
          }),
        );
        const res = probeFailures(w, p, {
          probe: "Liveness",
          message: `Get "http://${p.podIP}:8080/healthz": dial tcp ${p.podIP}:8080: connect: connection refused`,
          from: s + 10 * SEC,
          until,
          threshold: 3,
          healthySec: 10,
        });
        probeFailures(w, p, {
          probe: "Readiness",
          message: `Get "http://${p.podIP}:8080/ready": dial tcp ${p.podIP}:8080: connect: connection refused`,
          from: s + 5 * SEC,
          until: s + 60 * SEC,
          periodSec: 5,
        });
        if (i === 0)
          sym = r.chance(0.5)
            ? res.unhealthy.id
            : A.podCrashLooping(w, p, wl.container, res.kills[1] ?? s + 2 * MIN).id;
      });
      return {
        description: `A change moves ${wl.app} to PORT=9090 and updates containerPort, but the liveness/readiness probes still target 8080: connection refused, the new pods are killed in a loop and the rollout stalls.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(ro.newRs), ...ro.newPods.map(ref)],
      };
    },
  },
  {
    slug: "startup-probe-shorter-than-migration",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({
        replicas: r.int(2, 3),
        port: 8080,
        probes: {
          ...LIVENESS,
          startupProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 5, failureThreshold: 6 },
        },
      });
      const t0 = w.t0;
      const newImg = imageRef(wl.c, wl.ns, wl.app, bump(w, wl.image.split(":").pop()!));
      const ro = badRollout(ctx, wl, t0, { image: newImg });
      const until = t0 + r.int(16, 22) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        startContainers(w, p, ro.podTimes[i]!, { pull: true, ready: false });
        const s = startedAt(p)!;
        const res = probeFailures(w, p, {
          probe: "Startup",
          message: "HTTP probe failed with statuscode: 503",
          from: s + 5 * SEC,
          until,
          periodSec: 5,
          threshold: 6,
          healthySec: 5,
          onRestart: (t) =>
            w.log(
              p,
              t + 2 * SEC,
              "INFO",
              `Running migration 2024_${r.int(10, 12)}_${r.int(10, 28)}_backfill_order_totals (batch ${r.int(1, 40)}/412)`,
            ),
        });
        w.log(p, s + 2 * SEC, "INFO", `Running migration 2024_11_03_backfill_order_totals (batch 1/412)`);
        if (i === 0)
          sym = r.chance(0.5)
            ? A.podCrashLooping(w, p, wl.container, res.kills[2] ?? s + 2 * MIN).id
            : A.podNotReady(w, p, s).id;
      });
      return {
        description: `${wl.app} ${newImg.split(":").pop()} runs a long data migration at boot; the startupProbe allows 30s, so kubelet kills the container ("failed startup probe, will be restarted") before it ever serves, in a loop.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(ro.newRs), ...ro.newPods.map(ref)],
      };
    },
  },
];

export const initContainers: VariantDef[] = [
  {
    slug: "migration-init-container-fails",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: r.int(2, 4), initContainers: ["migrate"] });
      const t0 = w.t0;
      const newImg = imageRef(wl.c, wl.ns, wl.app, bump(w, wl.image.split(":").pop()!));
      const ro = badRollout(ctx, wl, t0, {
        image: newImg,
        mutate: (spec) => {
          const tmpl = (spec.template as Record<string, unknown>).spec as Record<string, unknown>;
          tmpl.initContainers = [{ name: "migrate", image: newImg, args: ["migrate", "up"] }];
        },
      });
      const until = t0 + r.int(16, 22) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        p.initContainers = ["migrate"];
        startContainers(w, p, ro.podTimes[i]!, { pull: true, ready: false, containers: ["migrate"] });
        const { crashes } = crashLoop(w, p, {
          container: "migrate",
          term: "Error",
          exitCode: 1,
          firstStart: startedAt(p)!,
          runSec: [1, 6],
          until,
          onRun: (ts) =>
            w.log(
              p,
              ts + 800,
              "ERROR",
              r.pick([
                `error: migration failed: ERROR: column "total_cents" of relation "orders" already exists (SQLSTATE 42701) in line 0: ALTER TABLE orders ADD COLUMN total_cents bigint NOT NULL DEFAULT 0;`,
                `Dirty database version 42. Fix and force version.`,
                `alembic.util.exc.CommandError: Can't locate revision identified by '7f3a91c2d4e1'`,
              ]),
              { container: "migrate" },
            ),
        });
        p.status = { ...(p.status ?? {}), phase: "Pending", reason: "Init:CrashLoopBackOff" };
        w.put(p, (crashes[1] ?? crashes[0] ?? t0) + 2 * SEC);
        if (i === 0) sym = A.podCrashLooping(w, p, "migrate", crashes[1] ?? crashes[0]!).id;
      });
      return {
        description: `${wl.app} ${newImg.split(":").pop()} adds a migrate init container whose migration fails against the production schema; new pods stay in Init:CrashLoopBackOff and the rollout stalls.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(ro.newRs), ...ro.newPods.map(ref)],
      };
    },
  },
  {
    slug: "init-fetch-irsa-role-annotation-typo",
    flavors: ["eks"],
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const app = ctx.names.app(domain);
      const acct = ctx.c.registry.split(".")[0];
      const sa = w.res(ctx.c, "ServiceAccount", app, ns, {
        extra: { annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::${acct}:role/${app}-irsa` } },
      });
      w.put(sa, w.tList + r.int(0, 20) * SEC);
      const wl = ctx.deploy({ ns, domain, app, replicas: 2, initContainers: ["fetch-model"], cpu: "1" });
      if (r.chance(0.6)) for (const p of wl.pods) w.link(p, sa, "USES", w.tList + r.int(1, 30) * SEC);
      const t0 = w.t0;
      sa.extra = {
        annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::${acct}:role/${app}-irsa-role` },
      };
      w.put(sa, t0 - r.int(3, 10) * MIN);
      const hpa = w.res(ctx.c, "HorizontalPodAutoscaler", app, ns, {
        spec: { scaleTargetRef: { kind: "Deployment", name: app }, minReplicas: 2, maxReplicas: 8 },
      });
      w.put(hpa, w.tList + r.int(0, 20) * SEC);
      w.event(
        hpa,
        "SuccessfulRescale",
        "New size: 4; reason: cpu resource utilization (percentage of request) above target",
        t0,
        { type: "Normal", component: "horizontal-pod-autoscaler" },
      );
      wl.ctrl.replicas = 4;
      w.put(wl.ctrl, t0 + 800);
      w.event(wl.ctrl, "ScalingReplicaSet", scalingMessage(ctx.c, "up", wl.rs!.name, 4, 2), t0 + 900, {
        type: "Normal",
        component: "deployment-controller",
      });
      const until = t0 + r.int(15, 20) * MIN;
      const newPods: Res[] = [];
      let sym = "";
      for (let i = 0; i < 2; i++) {
        const node = r.pick(ctx.nodes);
        const p = createPod(w, wl.rs!, t0 + r.int(1, 3) * SEC, {
          node,
          containers: [wl.container],
          initContainers: ["fetch-model"],
          svc: wl.svc,
        });
        p.podIP = ctx.c.podIP(node.idx ?? 0);
        newPods.push(p);
        startContainers(w, p, t0 + r.int(3, 6) * SEC, {
          pull: false,
          ready: false,
          containers: ["fetch-model"],
        });
        const { crashes } = crashLoop(w, p, {
          container: "fetch-model",
          term: "Error",
          exitCode: 1,
          firstStart: startedAt(p)!,
          runSec: [1, 3],
          until,
          onRun: (ts) =>
            w.log(
              p,
              ts + 900,
              "ERROR",
              `download failed: s3://${ns}-models/${app}/current/model.bin: An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity`,
              { container: "fetch-model" },
            ),
        });
        if (i === 0)
          sym = r.chance(0.5)
            ? A.podCrashLooping(w, p, "fetch-model", crashes[1] ?? crashes[0]!).id
            : A.hpaReplicasMismatch(w, hpa, t0 + 30 * SEC).id;
      }
      return {
        description: `The IRSA annotation on ServiceAccount ${ns}/${app} is edited to a role name that does not exist. Running pods keep their credentials; when the HPA adds pods, their fetch-model init container cannot assume the role and crash-loops (Init:CrashLoopBackOff).`,
        symptom: sym,
        root: [rc(sa)],
        blast: [ref(wl.ctrl), ...newPods.map(ref)],
      };
    },
  },
  {
    slug: "init-wait-for-db-service-renamed",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const dbName = ctx.names.db("postgres");
      const db = ctx.sts({
        ns,
        domain,
        app: dbName,
        port: 5432,
        image: "docker.io/bitnami/postgresql:15.6.0-debian-12-r7",
      });
      const wl = ctx.deploy({ ns, domain, replicas: r.int(2, 3), initContainers: ["wait-for-db"] });
      const t0 = w.t0;
      const oldSvc = db.svc!;
      const tRename = t0 - r.int(4, 10) * MIN;
      w.remove(oldSvc, tRename);
      const newSvc = w.res(ctx.c, "Service", `${dbName}-postgresql`, ns, {
        labels: oldSvc.labels,
        serviceSelector: oldSvc.serviceSelector,
        spec: {
          type: "ClusterIP",
          clusterIP: ctx.c.serviceIP(),
          ports: [{ name: "tcp-postgresql", port: 5432, targetPort: 5432 }],
        },
      });
      w.put(newSvc, tRename + r.int(1, 4) * SEC);
      for (const p of db.pods) w.link(newSvc, p, "SELECTS", tRename + r.int(2, 6) * SEC);
      const node = ctx.nodes.find((n) => wl.pods.some((p) => p.node === n.name))!;
      w.event(
        node,
        "NodeNotSchedulable",
        `Node ${node.name} status is now: NodeNotSchedulable`,
        t0 - 20 * SEC,
        { type: "Normal", component: "kubelet", host: node.name },
      );
      node.spec = { ...(node.spec ?? {}), unschedulable: true };
      w.put(node, t0 - 20 * SEC);
      const moved = wl.pods.filter((p) => p.node === node.name);
      const newPods: Res[] = [];
      let sym = "";
      for (const p of moved) {
        stopPod(w, p, t0 + r.int(0, 10) * SEC, { graceSec: 30 });
        const n2 = r.pick(ctx.nodes.filter((n) => n !== node));
        const np = createPod(w, wl.rs!, t0 + r.int(2, 12) * SEC, {
          node: n2,
          containers: [wl.container],
          initContainers: ["wait-for-db"],
          svc: wl.svc,
        });
        np.podIP = ctx.c.podIP(n2.idx ?? 0);
        newPods.push(np);
        startContainers(w, np, t0 + r.int(14, 20) * SEC, {
          pull: false,
          ready: false,
          containers: ["wait-for-db"],
        });
        const s = startedAt(np)!;
        for (let t = s + SEC; t < t0 + 18 * MIN; t += r.int(20, 60) * SEC) {
          w.log(np, t, "INFO", `nc: bad address '${dbName}'\nwaiting for ${dbName}:5432...`, {
            container: "wait-for-db",
          });
        }
        np.status = { phase: "Pending", containerReady: false, reason: "Init:0/1", restartCount: 0 };
        w.put(np, s + 2 * SEC);
        if (!sym) sym = A.podNotReady(w, np, s).id;
      }
      if (r.chance(0.5)) sym = A.deploymentReplicasMismatch(w, wl.ctrl, t0 + 30 * SEC).id;
      return {
        description: `A ${dbName} chart upgrade renames Service ${ns}/${dbName} to ${dbName}-postgresql. ${wl.app}'s wait-for-db init container still polls ${dbName}:5432; pods recreated after a node cordon+drain never leave Init:0/1.`,
        symptom: sym,
        root: [rc(oldSvc)],
        blast: [ref(wl.ctrl), ...newPods.map(ref)],
      };
    },
  },
];

export const portConflict: VariantDef[] = [
  {
    slug: "oauth2-proxy-sidecar-same-port",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: r.int(2, 3), port: 8080 });
      const t0 = w.t0;
      const ro = badRollout(ctx, wl, t0, {
        mutate: (spec) => {
          const t = templateOf({ spec } as Res);
          (t.containers as Record<string, unknown>[]).push({
            name: "oauth2-proxy",
            image: "quay.io/oauth2-proxy/oauth2-proxy:v7.5.1",
            args: ["--http-address=0.0.0.0:8080", `--upstream=http://127.0.0.1:8080`],
          });
        },
      });
      const until = t0 + r.int(15, 21) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        p.containers = [wl.container, "oauth2-proxy"];
        startContainers(w, p, ro.podTimes[i]!, { pull: true, ready: false });
        const { crashes } = crashLoop(w, p, {
          container: "oauth2-proxy",
          term: "Error",
          exitCode: 1,
          firstStart: startedAt(p)!,
          runSec: [0.2, 1.2],
          until,
          onRun: (ts) =>
            w.log(
              p,
              ts + 300,
              "ERROR",
              `[${new Date(ts).toISOString().slice(0, 19).replace("T", " ")}] [main.go:58] ERROR: Failed to start server: listen tcp 0.0.0.0:8080: bind: address already in use`,
              { container: "oauth2-proxy" },
            ),
        });
        if (i === 0) sym = A.podCrashLooping(w, p, "oauth2-proxy", crashes[1] ?? crashes[0]!).id;
      });
      return {
        description: `${wl.app} gets an oauth2-proxy sidecar configured to listen on 0.0.0.0:8080, the app's own port; the sidecar dies with "bind: address already in use" on every start and the new pods never become ready.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(ro.newRs), ...ro.newPods.map(ref)],
      };
    },
  },
  {
    slug: "hostnetwork-daemonset-collides-node-exporter",
    build(ctx) {
      const { w, rng: r } = ctx;
      const exp = daemonSet(w, ctx.c, ctx.nodes, {
        ns: "monitoring",
        app: `${ctx.c.promRelease}-prometheus-node-exporter`,
        container: "node-exporter",
        image: "quay.io/prometheus/node-exporter:v1.7.0",
        port: 9100,
        labelKey: "app.kubernetes.io/name",
        service: true,
        extraLabels: { hostNetwork: "true" },
      });
      ctx.workloads.push(exp);
      for (const p of exp.pods) chatter(w, p, "gologrus", w.t0 - 10 * MIN, w.t0 + 10 * MIN, 1);
      const t0 = w.t0;
      const name = ctx.names.take(r.pick(["node-agent", "netflow-agent", "gpu-metrics", "host-inventory"]));
      const ds = daemonSet(w, ctx.c, [], {
        ns: "kube-system",
        app: name,
        port: 9100,
        image: `${ctx.c.registry}/platform/${name}:${bump(w, "1.2.0")}`,
        t: t0,
      });
      const until = t0 + r.int(15, 20) * MIN;
      let sym = "";
      const pods: Res[] = [];
      for (const node of ctx.nodes) {
        const p = createPod(w, ds.ctrl, t0 + r.int(1, 5) * SEC, { node, containers: [name] });
        p.podIP = ctx.c.internalIP(node.idx ?? 0);
        pods.push(p);
        startContainers(w, p, t0 + r.int(6, 20) * SEC, { pull: true, ready: false });
        const { crashes } = crashLoop(w, p, {
          term: "Error",
          exitCode: 1,
          firstStart: startedAt(p)!,
          runSec: [0.3, 2],
          until,
          onRun: (ts) =>
            w.log(
              p,
              ts + 200,
              "ERROR",
              `time="${new Date(ts).toISOString()}" level=fatal msg="metrics server failed" error="listen tcp 0.0.0.0:9100: bind: address already in use"`,
            ),
        });
        if (!sym) sym = A.podCrashLooping(w, p, name, crashes[1] ?? crashes[0]!).id;
      }
      ds.ctrl.status = {
        desiredNumberScheduled: ctx.nodes.length,
        numberReady: 0,
        numberUnavailable: ctx.nodes.length,
      };
      w.put(ds.ctrl, t0 + 2 * MIN);
      A.daemonSetRolloutStuck(w, ds.ctrl, t0 + MIN);
      return {
        description: `A new hostNetwork DaemonSet kube-system/${name} exposes metrics on :9100, already taken on every node by node-exporter; each of its pods exits with "bind: address already in use".`,
        symptom: sym,
        root: [rc(ds.ctrl)],
        blast: pods.map(ref),
      };
    },
  },
  {
    slug: "jmx-agent-takes-app-port",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({
        ns,
        domain,
        replicas: 1,
        port: 8080,
        strategy: "Recreate",
        env: { JAVA_TOOL_OPTIONS: "-XX:MaxRAMPercentage=75" },
      });
      const [cl] = callers(ctx, 1, { ns, domain });
      const t0 = w.t0;
      const ro = badRollout(
        ctx,
        wl,
        t0,
        {
          mutate: (spec) => {
            mainContainer({ spec } as Res).env = [
              {
                name: "JAVA_TOOL_OPTIONS",
                value:
                  "-XX:MaxRAMPercentage=75 -Dcom.sun.management.jmxremote.port=8080 -Dcom.sun.management.jmxremote.rmi.port=8080 -Dcom.sun.management.jmxremote.authenticate=false",
              },
            ];
          },
        },
        { strategy: "Recreate" },
      );
      const until = t0 + r.int(15, 20) * MIN;
      const p = ro.newPods[0]!;
      startContainers(w, p, ro.podTimes[0]!, { pull: false, ready: false });
      crashLoop(w, p, {
        term: "Error",
        exitCode: 1,
        firstStart: startedAt(p)!,
        runSec: [8, 20],
        until,
        onRun: (_ts, te) =>
          w.log(
            p,
            te - 500,
            "ERROR",
            `\n\n***************************\nAPPLICATION FAILED TO START\n***************************\n\nDescription:\n\nWeb server failed to start. Port 8080 was already in use.\n\nAction:\n\nIdentify and stop the process that's listening on port 8080 or configure this application to listen on another port.\n`,
          ),
      });
      const tg = target(ctx, wl, "http", { sameNs: true });
      const lang = ctx.lang();
      const tSym = ro.outageAt! + r.int(10, 40) * SEC;
      const sym = symptomClientError(ctx, cl!.pods[0]!, lang, tg, "refused", tSym);
      callerErrors(w, cl!.pods, lang, tg, "refused", tSym + SEC, until, { everySec: [5, 30] });
      return {
        description: `JAVA_TOOL_OPTIONS for ${wl.app} is changed to enable JMX on port 8080, the port Tomcat needs; the JVM agent binds it first and Spring Boot fails to start. ${wl.app} has one replica and Recreate strategy, so ${cl!.app} gets connection refused.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(wl.svc!), ref(p), ...cl!.pods.map(ref)],
      };
    },
  },
];

export const cpuThrottling: VariantDef[] = [
  {
    slug: "cpu-limit-cut-in-cost-pr",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: 2, cpu: "2", mem: "1Gi" });
      const [cl] = callers(ctx, 1, { replicas: 2 });
      const t0 = w.t0;
      // A rollout that completes (pods are healthy, just slow)
      const ro = badRollout(
        ctx,
        wl,
        t0,
        {
          mutate: (spec) => {
            const c = mainContainer({ spec } as Res);
            c.resources = {
              requests: { cpu: "250m", memory: "512Mi" },
              limits: { cpu: "500m", memory: "1Gi" },
            };
          },
        },
        { surge: 2, unavailable: 0 },
      );
      const until = t0 + r.int(16, 22) * MIN;
      let last = t0;
      ro.newPods.forEach((p, i) => {
        last = Math.max(last, startContainers(w, p, ro.podTimes[i]!, { pull: false }));
      });
      w.event(
        wl.ctrl,
        "ScalingReplicaSet",
        scalingMessage(ctx.c, "down", wl.rs!.name, 0, 2),
        last + 2 * SEC,
        { type: "Normal", component: "deployment-controller" },
      );
      for (const p of wl.pods) stopPod(w, p, last + r.int(3, 8) * SEC, { owner: wl.rs });
      const tThr = last + r.int(30, 90) * SEC;
      for (const p of ro.newPods)
        A.cpuThrottlingHigh(w, p, wl.container, r.float(62, 91), tThr + r.int(0, 30) * SEC);
      const tg = target(ctx, wl, "http");
      const lang = ctx.lang();
      const tSym = tThr + r.int(60, 180) * SEC;
      const sym = r.chance(0.5)
        ? symptomClientError(ctx, cl!.pods[0]!, lang, tg, "timeout", tSym)
        : A.appAlert(w, ctx.c, "latency", cl!.svc!, tSym, { forSec: 300 }).id;
      callerErrors(w, cl!.pods, lang, tg, "timeout", tThr + 30 * SEC, until, { everySec: [10, 45] });
      return {
        description: `A cost-saving PR cuts ${wl.app}'s CPU limit from 2 to 500m. The rollout succeeds, but under normal load the pods are throttled most of each CFS period; p99 climbs and ${cl!.app}'s calls time out.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(wl.svc!), ...ro.newPods.map(ref), ...cl!.pods.map(ref)],
      };
    },
  },
  {
    slug: "hot-tenant-pod-throttled",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(3, 4), cpu: "1", mem: "1Gi" });
      const [cl] = callers(ctx, 1, { ns, domain, replicas: 2 });
      const hot = r.pick(wl.pods);
      const t0 = w.t0;
      const tenant = r.pick(["acme-retail", "globex", "initech", "umbrella-eu"]);
      for (let k = 0; k < r.int(3, 6); k++)
        w.log(
          hot,
          t0 + r.int(-60, 120) * SEC,
          "WARN",
          `WARN tenant=${tenant} shard=${r.int(0, 15)} request took ${r.int(1800, 9000)}ms (budget 500ms)`,
        );
      A.cpuThrottlingHigh(w, hot, wl.container, r.float(70, 95), t0);
      const tg = target(ctx, wl, "http", { sameNs: true });
      const lang = ctx.lang();
      const tSym = t0 + r.int(2, 6) * MIN;
      const sym = symptomClientError(ctx, cl!.pods[0]!, lang, tg, "timeout", tSym);
      callerErrors(w, cl!.pods, lang, tg, "timeout", t0 + MIN, t0 + 15 * MIN, {
        everySec: [15, 60],
        max: 10,
      });
      probeFailures(w, hot, {
        probe: "Readiness",
        message: `Get "http://${hot.podIP}:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        from: t0 + r.int(2, 4) * MIN,
        until: t0 + r.int(5, 8) * MIN,
        periodSec: 10,
      });
      return {
        description: `Session affinity pins one big tenant (${tenant}) to ${hot.name}; its 1-CPU limit is exhausted and the container is throttled, so requests hashed to that pod time out for ${cl!.app}.`,
        symptom: sym,
        root: [rc(hot, "CPUThrottlingHigh")],
        blast: [ref(wl.svc!), ...cl!.pods.map(ref)],
      };
    },
  },
  {
    slug: "jvm-cpu-limit-liveness-restarts",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({
        ns,
        domain,
        replicas: r.int(2, 3),
        cpu: "1",
        mem: "2Gi",
        port: 8080,
        probes: LIVENESS,
      });
      const [cl] = callers(ctx, 1, { ns, domain });
      const t0 = w.t0;
      const ro = badRollout(
        ctx,
        wl,
        t0,
        {
          mutate: (spec) => {
            mainContainer({ spec } as Res).resources = {
              requests: { cpu: "100m", memory: "1Gi" },
              limits: { cpu: "250m", memory: "2Gi" },
            };
          },
        },
        { surge: 1, unavailable: 1 },
      );
      const until = t0 + r.int(16, 22) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        startContainers(w, p, ro.podTimes[i]!, { pull: false, ready: false, readySec: 60 });
        const s = startedAt(p)!;
        A.cpuThrottlingHigh(w, p, wl.container, r.float(80, 97), s + r.int(10, 40) * SEC);
        const res = probeFailures(w, p, {
          probe: "Liveness",
          message: `Get "http://${p.podIP}:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
          from: s + r.int(20, 40) * SEC,
          until,
          periodSec: 10,
          threshold: 3,
          healthySec: 40,
          onRestart: (t) =>
            w.log(
              p,
              t + 25 * SEC,
              "INFO",
              `Started Application in ${r.int(70, 140)}.${r.int(100, 999)} seconds (process running for ${r.int(75, 150)}.${r.int(100, 999)})`,
            ),
        });
        if (i === 0) sym = res.unhealthy.id;
      });
      const tg = target(ctx, wl, "http", { sameNs: true });
      const lang = ctx.lang();
      callerErrors(w, cl!.pods, lang, tg, r.pick(["timeout", "http503"] as const), t0 + 2 * MIN, until, {
        everySec: [10, 40],
      });
      if (r.chance(0.5)) sym = A.appAlert(w, ctx.c, "errors", cl!.svc!, t0 + r.int(3, 6) * MIN).id;
      return {
        description: `${wl.app}'s CPU limit is lowered to 250m; the JVM needs minutes to start under throttling, liveness checks time out before it is up and kubelet restarts it in a loop, leaving ${cl!.app} with errors.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(wl.svc!), ...ro.newPods.map(ref), ...cl!.pods.map(ref)],
      };
    },
  },
];
