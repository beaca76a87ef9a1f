/** Held-out scenarios, part A: workload and configuration faults. */

import { configMap, secret } from "../families/config.js";
import { badRollout } from "../families/rollout.js";
import * as A from "../lib/alerts.js";
import {
  bump,
  crashLoop,
  createPod,
  daemonSet,
  deployment,
  imageRef,
  mainContainer,
  mountFailure,
  podEvent,
  probeFailures,
  pullFailure,
  scalingMessage,
  startContainers,
  startedAt,
  startRollout,
  stopPod,
} from "../lib/k8s.js";
import { rc, ref, type VariantDef } from "../lib/scenario.js";
import type { Res } from "../lib/world.js";
import { MIN, meshClients, meshFailures, meshTarget, pager, SEC } from "./helpers.js";

const NON_EKS = ["gke", "aks", "kubeadm"] as const;

export const holdoutA: { fault: string; variant: VariantDef }[] = [
  {
    fault: "oomkill",
    variant: {
      slug: "xmx-raised-above-container-limit",
      flavors: [...NON_EKS],
      build(ctx) {
        const { w, rng: r } = ctx;
        const wl = ctx.deploy({
          replicas: r.int(3, 4),
          mem: "3Gi",
          env: { JAVA_OPTS: "-Xms1g -Xmx2g" },
          sidecars: ["istio-proxy"],
        });
        const [cl] = meshClients(ctx, 1);
        const t0 = w.t0;
        const ro = badRollout(
          ctx,
          wl,
          t0,
          {
            mutate: (spec) => {
              mainContainer({ spec } as Res).env = [
                { name: "JAVA_OPTS", value: "-Xms4g -Xmx4g -XX:+AlwaysPreTouch" },
              ];
            },
          },
          { surge: 1, unavailable: 1 },
        );
        const until = t0 + r.int(15, 20) * MIN;
        let sym = "";
        ro.newPods.forEach((p, i) => {
          p.containers = [wl.container, "istio-proxy"];
          startContainers(w, p, ro.podTimes[i]!, { pull: false, ready: false });
          const { crashes } = crashLoop(w, p, {
            term: "OOMKilled",
            exitCode: 137,
            firstStart: startedAt(p)!,
            runSec: [4, 12],
            until,
            node: ctx.nodes.find((n) => n.name === p.node),
            oomProcess: "java",
          });
          if (i === 0) sym = A.podCrashLooping(w, p, wl.container, crashes[1] ?? crashes[0]!).id;
        });
        const tg = meshTarget(wl);
        meshFailures(ctx, cl!.pods, tg, "http503", t0 + r.int(30, 90) * SEC, until, { everySec: [20, 80] });
        if (r.chance(0.5)) sym = pager(ctx, cl!, t0 + r.int(2, 4) * MIN);
        return {
          description: `JAVA_OPTS for ${wl.app} is raised to -Xms4g -Xmx4g with AlwaysPreTouch while the container limit stays 3Gi; each new pod is OOM-killed seconds after start. maxUnavailable=1 removed one old pod, so clients see 503s.`,
          symptom: sym,
          root: [rc(wl.ctrl)],
          blast: [ref(ro.newRs), ...ro.newPods.map(ref), ref(wl.svc!)],
        };
      },
    },
  },
  {
    fault: "image-pull-auth",
    variant: {
      slug: "pull-secret-deleted-hpa-scale-out",
      flavors: ["aks", "kubeadm"],
      build(ctx) {
        const { w, rng: r } = ctx;
        const [ns, domain] = ctx.names.ns();
        const reg = ctx.c.registry.split("/")[0]!;
        const sec = w.res(ctx.c, "Secret", "regcred", ns, {
          extra: { type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": "(redacted)" } },
        });
        w.put(sec, w.tList);
        const wl = ctx.deploy({ ns, domain, replicas: 3, cpu: "1" });
        const hpa = w.res(ctx.c, "HorizontalPodAutoscaler", wl.app, ns, {
          spec: { scaleTargetRef: { kind: "Deployment", name: wl.app }, minReplicas: 3, maxReplicas: 12 },
        });
        w.put(hpa, w.tList + 2 * SEC);
        const t0 = w.t0;
        w.remove(sec, t0 - r.int(5, 12) * MIN, { edges: false });
        w.event(
          hpa,
          "SuccessfulRescale",
          "New size: 6; reason: cpu resource utilization (percentage of request) above target",
          t0,
          { type: "Normal", component: "horizontal-pod-autoscaler" },
        );
        wl.ctrl.replicas = 6;
        w.put(wl.ctrl, t0 + 600);
        w.event(wl.ctrl, "ScalingReplicaSet", scalingMessage(ctx.c, "up", wl.rs!.name, 6, 3), t0 + 800, {
          type: "Normal",
          component: "deployment-controller",
        });
        const until = t0 + r.int(15, 20) * MIN;
        const newPods: Res[] = [];
        let sym = "";
        for (let i = 0; i < 3; i++) {
          const node = r.pick(
            ctx.nodes
              .filter((n) => !wl.pods.some((p) => p.node === n.name))
              .concat(ctx.nodes)
              .slice(0, 3),
          );
          const p = createPod(w, wl.rs!, t0 + r.int(1, 3) * SEC, {
            node,
            containers: [wl.container],
            svc: wl.svc,
          });
          newPods.push(p);
          podEvent(
            w,
            p,
            "FailedToRetrieveImagePullSecret",
            `Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.`,
            t0 + r.int(3, 5) * SEC,
            { component: "kubelet" },
          );
          const res = pullFailure(w, p, {
            image: wl.image,
            error: `rpc error: code = Unknown desc = failed to pull and unpack image "${wl.image}": failed to resolve reference "${wl.image}": failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://${reg}/oauth2/token?scope=repository%3A${ns}%2F${wl.app}%3Apull&service=${reg}: 401 Unauthorized`,
            from: t0 + r.int(4, 8) * SEC,
            until,
          });
          if (!sym) sym = res.backoffIds[0]!;
        }
        if (r.chance(0.5)) sym = A.hpaReplicasMismatch(w, hpa, t0 + MIN).id;
        return {
          description: `Secret ${ns}/regcred (the image pull secret) is deleted by a namespace clean-up script. Nodes that already cached the image keep working; when the HPA scales ${wl.app} out, pods on other nodes fail to pull with 401.`,
          symptom: sym,
          root: [rc(sec)],
          blast: [ref(wl.ctrl), ...newPods.map(ref)],
        };
      },
    },
  },
  {
    fault: "bad-image-rollout",
    variant: {
      slug: "statefulset-partitioned-update-tag-missing",
      flavors: ["eks"],
      build(ctx) {
        const { w, rng: r } = ctx;
        const [ns, domain] = ctx.names.ns();
        const name = ctx.names.take(ctx.rng.pick(["trip-store", "geo-index", "ledger-shard"]));
        const db = ctx.sts({
          ns,
          domain,
          app: name,
          replicas: 3,
          port: 7000,
          image: imageRef(ctx.c, ns, name, "4.2.1"),
        });
        const t0 = w.t0;
        const bad = imageRef(ctx.c, ns, name, "4.3.0");
        db.ctrl.image = bad;
        (db.ctrl.spec as Record<string, unknown>).updateStrategy = {
          type: "RollingUpdate",
          rollingUpdate: { partition: 2 },
        };
        db.ctrl.extra = { generation: Number(db.ctrl.extra?.generation ?? 1) + 1 };
        w.put(db.ctrl, t0);
        const last = db.pods[2]!;
        w.event(
          db.ctrl,
          "SuccessfulDelete",
          `delete Pod ${last.name} in StatefulSet ${name} successful`,
          t0 + 2 * SEC,
          { type: "Normal", component: "statefulset-controller" },
        );
        const gone = stopPod(w, last, t0 + 2 * SEC, { graceSec: 20 });
        const node = ctx.nodes.find((n) => n.name === last.node)!;
        const np = createPod(w, db.ctrl, gone + SEC, {
          name: last.name,
          node,
          containers: [db.container],
          svc: db.svc,
          image: bad,
        });
        const res = pullFailure(w, np, {
          image: bad,
          error: `rpc error: code = NotFound desc = failed to pull and unpack image "${bad}": failed to resolve reference "${bad}": ${bad}: not found`,
          from: gone + 4 * SEC,
          until: t0 + 18 * MIN,
        });
        const sym = r.chance(0.5) ? A.podNotReady(w, np, gone + SEC).id : res.firstErr;
        A.statefulSetReplicasMismatch(w, db.ctrl, gone);
        return {
          description: `A canary update of StatefulSet ${ns}/${name} (partition=2) points at tag 4.3.0, which the release pipeline never pushed to ECR; ${last.name} is deleted and its replacement cannot pull, leaving the cluster one member short.`,
          symptom: sym,
          root: [rc(db.ctrl)],
          blast: [ref(np)],
        };
      },
    },
  },
  {
    fault: "bad-config-rollout",
    variant: {
      slug: "reloader-restarts-on-rotated-db-password",
      twin: true,
      flavors: [...NON_EKS],
      build(ctx) {
        const { w, rng: r } = ctx;
        const [ns, domain] = ctx.names.ns();
        const dbName = ctx.names.db("postgres");
        const db = ctx.sts({
          ns,
          domain,
          app: dbName,
          port: 5432,
          image: "ghcr.io/cloudnative-pg/postgresql:16.2",
        });
        const app = ctx.names.app(domain);
        const sec = secret(ctx, ns, `${app}-db`, ["username", "password"]);
        const wl = ctx.deploy({ ns, domain, app, replicas: r.int(2, 3) });
        const t0 = w.t0;
        sec.extra = {
          type: "Opaque",
          data: { username: "(redacted)", password: "(redacted)" },
          annotations: { "vault.hashicorp.com/rotated": new Date(t0 - 40 * SEC).toISOString() },
        };
        w.put(sec, t0 - r.int(30, 60) * SEC);
        const ro = badRollout(
          ctx,
          wl,
          t0,
          {
            annotations: {
              "reloader.stakater.com/last-reloaded-from": JSON.stringify({
                type: "SECRET",
                name: sec.name,
                hash: r.hex(40),
              }),
            },
          },
          { surge: 1, unavailable: 1 },
        );
        const until = t0 + r.int(15, 20) * MIN;
        const lang = ctx.lang();
        const tg = { ...meshTarget(db, "postgres"), user: "app", db: domain.replace(/-/g, "_") };
        let sym = "";
        ro.newPods.forEach((p, i) => {
          startContainers(w, p, ro.podTimes[i]!, { pull: false, ready: false });
          const { crashes } = crashLoop(w, p, {
            term: "Error",
            exitCode: 1,
            firstStart: startedAt(p)!,
            runSec: [2, 8],
            until,
            onRun: (ts, te) => {
              const line =
                lang === "java"
                  ? `org.postgresql.util.PSQLException: FATAL: password authentication failed for user "app"`
                  : `failed to connect to \`host=${tg.host} user=app database=${tg.db}\`: server error (FATAL: password authentication failed for user "app" (SQLSTATE 28P01))`;
              const id =
                i === 0 && !sym
                  ? w.log(p, te - 200, "ERROR", line, { id: true })
                  : w.log(p, te - 200, "ERROR", line);
              if (i === 0 && !sym && id) sym = id;
              void ts;
            },
          });
          void crashes;
        });
        w.log(
          db.pods[0]!,
          t0 + r.int(10, 60) * SEC,
          "ERROR",
          `${new Date(t0).toISOString().replace("T", " ").slice(0, 23)} UTC [${r.int(100, 9999)}] FATAL:  password authentication failed for user "app"`,
        );
        return {
          description: `Vault rotates the password in Secret ${ns}/${sec.name} without updating the database role; Reloader restarts ${app} on the Secret change and the new pods cannot authenticate, crash-looping while one old pod is already gone.`,
          symptom: sym,
          root: [rc(sec)],
          blast: [ref(wl.ctrl), ...ro.newPods.map(ref)],
        };
      },
    },
  },
  {
    fault: "missing-config",
    variant: {
      slug: "shared-configmap-removed-by-other-release",
      build(ctx) {
        const { w, rng: r } = ctx;
        const [ns, domain] = ctx.names.ns();
        const cm = configMap(ctx, ns, "shared-feature-flags", {
          "flags.json": '{"newRouting":false,"abTest":"b"}',
        });
        const wl = ctx.deploy({
          ns,
          domain,
          replicas: r.int(2, 4),
          volumes: [{ name: "flags", configMap: { name: cm.name } }],
        });
        const t0 = w.t0;
        w.remove(cm, t0 - r.int(4, 11) * MIN, { edges: true });
        const node = ctx.nodes.find((n) => wl.pods.some((p) => p.node === n.name))!;
        const moved = wl.pods.filter((p) => p.node === node.name);
        w.event(
          node,
          "NodeNotSchedulable",
          `Node ${node.name} status is now: NodeNotSchedulable`,
          t0 - 10 * SEC,
          { type: "Normal", host: node.name },
        );
        const until = t0 + r.int(15, 20) * MIN;
        const newPods: Res[] = [];
        let sym = "";
        for (const p of moved) {
          stopPod(w, p, t0 + r.int(1, 20) * SEC, { graceSec: 30 });
          const n2 = r.pick(ctx.nodes.filter((n) => n !== node));
          const np = createPod(w, wl.rs!, t0 + r.int(3, 25) * SEC, {
            node: n2,
            containers: [wl.container],
            svc: wl.svc,
          });
          newPods.push(np);
          const h = mountFailure(w, np, {
            message: `MountVolume.SetUp failed for volume "flags" : configmap "${cm.name}" not found`,
            from: t0 + r.int(26, 40) * SEC,
            until,
            volume: "flags",
          });
          if (!sym) sym = h.id;
        }
        if (r.chance(0.5)) sym = A.deploymentReplicasMismatch(w, wl.ctrl, t0 + 40 * SEC).id;
        return {
          description: `ConfigMap ${ns}/${cm.name} belonged to another Helm release that was uninstalled; ${wl.app} mounts it too. After a node drain, its recreated pods stay in ContainerCreating (FailedMount: configmap not found).`,
          symptom: sym,
          root: [rc(cm)],
          blast: [ref(wl.ctrl), ...newPods.map(ref)],
        };
      },
    },
  },
  {
    fault: "failed-scheduling",
    variant: {
      slug: "new-daemonset-exhausts-pod-slots",
      flavors: ["eks"],
      nodes: [3, 3],
      build(ctx) {
        const { w, rng: r } = ctx;
        for (const n of ctx.nodes)
          (n.status as Record<string, unknown>).allocatable = { cpu: "1930m", memory: "3Gi", pods: "17" };
        const filler = [
          ctx.deploy({ replicas: 5 }),
          ctx.deploy({ replicas: 5 }),
          ctx.deploy({ replicas: 4 }),
        ];
        const wl = ctx.deploy({ replicas: 3 });
        const t0 = w.t0;
        const dsName = ctx.names.take(r.pick(["node-local-cache", "log-forwarder", "security-agent"]));
        const ds = daemonSet(w, ctx.c, [], {
          ns: "kube-system",
          app: dsName,
          t: t0,
          image: `public.ecr.aws/acme/${dsName}:1.0.${r.int(0, 9)}`,
        });
        for (const node of ctx.nodes) {
          const p = createPod(w, ds.ctrl, t0 + r.int(1, 4) * SEC, { node, containers: [dsName] });
          startContainers(w, p, t0 + r.int(5, 12) * SEC, { pull: true, ipNode: node });
        }
        const n = ctx.nodes.length;
        const pending: Res[] = [];
        let sym = "";
        const tScale = t0 + r.int(2, 6) * MIN;
        wl.ctrl.replicas = 5;
        w.put(wl.ctrl, tScale);
        w.event(wl.ctrl, "ScalingReplicaSet", scalingMessage(ctx.c, "up", wl.rs!.name, 5, 3), tScale + 500, {
          type: "Normal",
          component: "deployment-controller",
        });
        for (let i = 0; i < 2; i++) {
          const p = createPod(w, wl.rs!, tScale + SEC, { containers: [wl.container], svc: wl.svc });
          pending.push(p);
          const h = w.event(
            p,
            "FailedScheduling",
            `0/${n} nodes are available: ${n} Too many pods. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`,
            tScale + 2 * SEC,
            { component: "default-scheduler" },
          );
          for (let t = tScale + 30 * SEC; t < t0 + 18 * MIN; t += r.int(30, 120) * SEC)
            w.again(h, t, { step: r.int(1, 3) });
          if (!sym) sym = h.id;
        }
        if (r.chance(0.5)) sym = A.appAlert(w, ctx.c, "latency", wl.svc!, tScale + 2 * MIN).id;
        void filler;
        return {
          description: `A new DaemonSet kube-system/${dsName} takes one pod slot on every node; the small nodes run the VPC CNI limit of 17 pods, so when ${wl.app} scales out its new pods fail scheduling with "Too many pods".`,
          symptom: sym,
          root: [rc(ds.ctrl)],
          blast: pending.map(ref),
        };
      },
    },
  },
  {
    fault: "probe-failure",
    variant: {
      slug: "exec-probe-binary-missing-distroless",
      flavors: [...NON_EKS],
      build(ctx) {
        const { w, rng: r } = ctx;
        const [ns, domain] = ctx.names.ns();
        const name = ctx.names.db("postgres");
        const db = ctx.sts({
          ns,
          domain,
          app: name,
          replicas: 2,
          port: 5432,
          image: "docker.io/bitnami/postgresql:16.1.0-debian-11-r20",
        });
        const t0 = w.t0;
        const newImg = `${ctx.c.registry}/${ns}/${name}-distroless:16.2`;
        db.ctrl.image = newImg;
        db.ctrl.extra = { generation: Number(db.ctrl.extra?.generation ?? 1) + 1 };
        w.put(db.ctrl, t0);
        const victim = db.pods[1]!;
        w.event(
          db.ctrl,
          "SuccessfulDelete",
          `delete Pod ${victim.name} in StatefulSet ${name} successful`,
          t0 + SEC,
          { type: "Normal", component: "statefulset-controller" },
        );
        const gone = stopPod(w, victim, t0 + SEC, { graceSec: 10 });
        const node = ctx.nodes.find((n) => n.name === victim.node)!;
        const np = createPod(w, db.ctrl, gone + SEC, {
          name: victim.name,
          node,
          containers: [db.container],
          svc: db.svc,
          image: newImg,
        });
        startContainers(w, np, gone + 3 * SEC, { pull: true, ready: false });
        const res = probeFailures(w, np, {
          probe: "Liveness",
          message: `rpc error: code = Unknown desc = failed to exec in container: failed to start exec "${r.hex(64)}": OCI runtime exec failed: exec failed: unable to start container process: exec: "pg_isready": executable file not found in $PATH: unknown`,
          from: startedAt(np)! + 30 * SEC,
          until: t0 + 18 * MIN,
          periodSec: 10,
          threshold: 6,
          healthySec: 30,
        });
        const sym = r.chance(0.5) ? res.unhealthy.id : A.podNotReady(w, np, gone + 3 * SEC).id;
        return {
          description: `StatefulSet ${ns}/${name} moves to a distroless PostgreSQL image; its exec liveness probe still runs pg_isready, which no longer exists, so kubelet restarts ${victim.name} every minute.`,
          symptom: sym,
          root: [rc(db.ctrl)],
          blast: [ref(np)],
        };
      },
    },
  },
  {
    fault: "init-container",
    variant: {
      slug: "warm-cache-init-oomkilled",
      build(ctx) {
        const { w, rng: r } = ctx;
        const wl = ctx.deploy({ replicas: r.int(2, 3), initContainers: ["warm-cache"] });
        const t0 = w.t0;
        const node = ctx.nodes.find((n) => n.name === wl.pods[0]!.node)!;
        // the pod is recreated (node maintenance) and its init container must rebuild the cache
        stopPod(w, wl.pods[0]!, t0 - 20 * SEC, { owner: undefined, graceSec: 20 });
        const n2 = r.pick(ctx.nodes.filter((n) => n !== node));
        const np = createPod(w, wl.rs!, t0, {
          node: n2,
          containers: [wl.container],
          initContainers: ["warm-cache"],
          svc: wl.svc,
        });
        startContainers(w, np, t0 + 3 * SEC, { pull: false, ready: false, containers: ["warm-cache"] });
        const { crashes } = crashLoop(w, np, {
          container: "warm-cache",
          term: "OOMKilled",
          exitCode: 137,
          firstStart: startedAt(np)!,
          runSec: [25, 70],
          until: t0 + 18 * MIN,
          node: n2,
          oomProcess: "python3",
          onRun: (ts) =>
            w.log(
              np,
              ts + 3 * SEC,
              "INFO",
              `loading ${r.int(14, 30)}.${r.int(0, 9)}M embeddings into memory (limit 512Mi)`,
              { container: "warm-cache" },
            ),
        });
        np.status = {
          phase: "Pending",
          reason: "Init:CrashLoopBackOff",
          containerReady: false,
          restartCount: crashes.length,
        };
        w.put(np, (crashes[1] ?? t0) + SEC);
        const sym = r.chance(0.5)
          ? A.podCrashLooping(w, np, "warm-cache", crashes[1] ?? crashes[0]!).id
          : A.deploymentReplicasMismatch(w, wl.ctrl, t0 + 10 * SEC).id;
        return {
          description: `${wl.app}'s warm-cache init container loads an embeddings file that has outgrown its 512Mi limit; when a pod is recreated, the init container is OOM-killed on every attempt (Init:CrashLoopBackOff).`,
          symptom: sym,
          root: [rc(np, "OOMKilled")],
          blast: [ref(wl.ctrl)],
        };
      },
    },
  },
  {
    fault: "cpu-throttling",
    variant: {
      slug: "automaxprocs-removed-gomaxprocs-64",
      flavors: [...NON_EKS],
      build(ctx) {
        const { w, rng: r } = ctx;
        const wl = ctx.deploy({ replicas: 3, cpu: "1", mem: "1Gi", sidecars: ["istio-proxy"] });
        const [cl] = meshClients(ctx, 1);
        const t0 = w.t0;
        const img = imageRef(wl.c, wl.ns, wl.app, bump(w, wl.image.split(":").pop()!));
        const ro = badRollout(ctx, wl, t0, { image: img }, { surge: 3, unavailable: 0 });
        let tl = t0;
        ro.newPods.forEach((p, i) => {
          tl = Math.max(tl, startContainers(w, p, ro.podTimes[i]!, { pull: true }));
          w.log(
            p,
            startedAt(p)! + 500,
            "INFO",
            JSON.stringify({
              level: "info",
              msg: "starting",
              version: img.split(":").pop(),
              gomaxprocs: 64,
              num_cpu: 64,
            }),
          );
        });
        for (const p of wl.pods) stopPod(w, p, tl + r.int(2, 9) * SEC, { owner: wl.rs });
        for (const p of ro.newPods)
          A.cpuThrottlingHigh(w, p, wl.container, r.float(70, 96), tl + r.int(30, 120) * SEC);
        const tg = meshTarget(wl, "grpc");
        const first = meshFailures(ctx, cl!.pods, tg, "timeout", tl + r.int(60, 180) * SEC, t0 + 18 * MIN, {
          everySec: [15, 60],
        });
        const sym = r.chance(0.5) ? first : pager(ctx, cl!, tl + r.int(3, 6) * MIN);
        return {
          description: `${wl.app} ${img.split(":").pop()} drops the automaxprocs import; on 64-core nodes the Go runtime runs 64 Ps inside a 1-CPU limit, the pods are throttled most of every period and gRPC calls from ${cl!.app} hit their deadlines.`,
          symptom: sym,
          root: [rc(wl.ctrl)],
          blast: [...ro.newPods.map(ref), ...cl!.pods.map(ref)],
        };
      },
    },
  },
  {
    fault: "port-conflict",
    variant: {
      slug: "daemonset-hostport-blocks-rescheduling",
      nodes: [3, 4],
      build(ctx) {
        const { w, rng: r } = ctx;
        const wl = deployment(w, ctx.c, ctx.nodes, {
          ns: "edge-system",
          app: ctx.names.take("edge-proxy"),
          replicas: ctx.nodes.length - 1,
          port: 8080,
          labelKey: "app.kubernetes.io/name",
          probes: { ports: [{ containerPort: 8080, hostPort: 8080 }] },
        });
        ctx.workloads.push(wl);
        const t0 = w.t0;
        const dsName = ctx.names.take(r.pick(["metrics-agent", "trace-agent", "node-debugger"]));
        const ds = daemonSet(w, ctx.c, [], {
          ns: "observability",
          app: dsName,
          port: 8080,
          t: t0,
          image: `${ctx.c.registry}/observability/${dsName}:2.${r.int(0, 9)}.${r.int(0, 9)}`,
        });
        (ds.ctrl.spec as Record<string, unknown>).template = {
          spec: { containers: [{ name: dsName, ports: [{ containerPort: 8080, hostPort: 8080 }] }] },
        };
        w.put(ds.ctrl, t0 + 100);
        const n = ctx.nodes.length;
        const victim = wl.pods[0]!;
        const vNode = ctx.nodes.find((x) => x.name === victim.node)!;
        let waiting: Res | undefined;
        for (const node of ctx.nodes) {
          const busy = wl.pods.some((p) => p.node === node.name);
          const dp = createPod(w, ds.ctrl, t0 + r.int(1, 4) * SEC, {
            node: busy ? undefined : node,
            containers: [dsName],
          });
          if (!busy) {
            dp.podIP = ctx.c.internalIP(node.idx ?? 0);
            startContainers(w, dp, t0 + r.int(5, 12) * SEC, { pull: true });
            continue;
          }
          const fs = w.event(
            dp,
            "FailedScheduling",
            `0/${n} nodes are available: 1 node(s) didn't have free ports for the requested pod ports, ${n - 1} node(s) didn't match Pod's node affinity/selector. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`,
            t0 + r.int(4, 8) * SEC,
            { component: "default-scheduler" },
          );
          for (let t = t0 + MIN; t < t0 + 5 * MIN; t += r.int(40, 90) * SEC) w.again(fs, t);
          if (node === vNode) waiting = dp;
        }
        const tDrain = t0 + r.int(5, 7) * MIN;
        stopPod(w, victim, tDrain, { graceSec: 30 });
        // the pending DaemonSet pod for that node takes the freed port at once
        if (waiting) {
          w.event(
            waiting,
            "Scheduled",
            `Successfully assigned observability/${waiting.name} to ${vNode.name}`,
            tDrain + 32 * SEC,
            { type: "Normal", component: "default-scheduler" },
          );
          waiting.node = vNode.name;
          waiting.podIP = ctx.c.internalIP(vNode.idx ?? 0);
          w.put(waiting, tDrain + 33 * SEC);
          w.link(waiting, vNode, "RUNS_ON", tDrain + 33 * SEC);
          startContainers(w, waiting, tDrain + 34 * SEC, { pull: true });
        }
        const p = createPod(w, wl.rs!, tDrain + 2 * SEC, { containers: [wl.container], svc: wl.svc });
        const h = w.event(
          p,
          "FailedScheduling",
          `0/${n} nodes are available: ${n} node(s) didn't have free ports for the requested pod ports. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`,
          tDrain + 35 * SEC,
          { component: "default-scheduler" },
        );
        for (let t = tDrain + 70 * SEC; t < t0 + 18 * MIN; t += r.int(40, 150) * SEC)
          w.again(h, t, { step: r.int(1, 3) });
        const sym = r.chance(0.5) ? h.id : A.deploymentReplicasMismatch(w, wl.ctrl, tDrain + 5 * SEC).id;
        return {
          description: `A new DaemonSet observability/${dsName} declares hostPort 8080, which edge-proxy already holds on most nodes; its pods wait there. When an edge-proxy pod is drained, the waiting DaemonSet pod takes the port and the edge-proxy replacement fits nowhere ("didn't have free ports").`,
          symptom: sym,
          root: [rc(ds.ctrl)],
          blast: [ref(p), ref(wl.ctrl)],
        };
      },
    },
  },
  {
    fault: "service-no-endpoints",
    variant: {
      slug: "named-port-renamed-in-template",
      build(ctx) {
        const { w, rng: r } = ctx;
        const wl = ctx.deploy({ replicas: 2, port: 8080 });
        const svc = wl.svc!;
        (svc.spec as Record<string, unknown>).ports = [
          { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
        ];
        w.put(svc, w.tList + 5 * SEC);
        const cls = meshClients(ctx, 1);
        const t0 = w.t0;
        const rs = startRollout(
          w,
          wl,
          t0,
          {
            mutate: (spec) => {
              mainContainer({ spec } as Res).ports = [{ name: "web", containerPort: 8080, protocol: "TCP" }];
            },
          },
          1,
        );
        let tt = t0 + 2 * SEC;
        const fresh: Res[] = [];
        for (let i = 0; i < 2; i++) {
          const node = r.pick(ctx.nodes);
          const p = createPod(w, rs, tt, { node, containers: [wl.container], svc });
          const ready = startContainers(w, p, tt + SEC, { pull: true, ipNode: node });
          fresh.push(p);
          w.event(
            wl.ctrl,
            "ScalingReplicaSet",
            scalingMessage(ctx.c, "down", wl.rs!.name, 1 - i, 2 - i),
            ready + SEC,
            { type: "Normal", component: "deployment-controller" },
          );
          stopPod(w, wl.pods[i]!, ready + 2 * SEC, { owner: wl.rs });
          tt = ready + 3 * SEC;
        }
        const tg = meshTarget(wl);
        const first = meshFailures(ctx, cls[0]!.pods, tg, "no-healthy-upstream", tt, t0 + 17 * MIN, {
          everySec: [8, 40],
        });
        const sym = r.chance(0.5) ? first : pager(ctx, cls[0]!, tt + MIN);
        return {
          description: `${wl.app}'s container port is renamed from http to web; Service ${wl.ns}/${svc.name} targets the named port "http", so as the rollout replaces old pods the Service's endpoints drain to zero and the mesh reports no healthy upstream.`,
          symptom: sym,
          root: [rc(wl.ctrl)],
          blast: [ref(svc), ...cls[0]!.pods.map(ref)],
        };
      },
    },
  },
  {
    fault: "quota-exceeded",
    variant: {
      slug: "cronjob-allow-concurrency-pods-quota",
      build(ctx) {
        const { w, rng: r } = ctx;
        const [ns, domain] = ctx.names.ns();
        const q = w.res(ctx.c, "ResourceQuota", "pods-quota", ns, { spec: { hard: { pods: "30" } } });
        w.put(q, w.tList);
        const wl = ctx.deploy({ ns, domain, replicas: 4 });
        const name = ctx.names.take(r.pick(["sync-partners", "poll-carriers", "refresh-rates"]));
        const cj = w.res(ctx.c, "CronJob", name, ns, {
          image: imageRef(ctx.c, ns, name, "1.4.0"),
          spec: { schedule: "*/5 * * * *", concurrencyPolicy: "Forbid" },
        });
        w.put(cj, w.tList);
        const t0 = w.t0;
        cj.spec = { schedule: "* * * * *", concurrencyPolicy: "Allow", activeDeadlineSeconds: null };
        w.put(cj, t0 - 12 * MIN);
        for (let t = Math.ceil((t0 - 12 * MIN) / MIN) * MIN; t < t0 + 6 * MIN; t += MIN) {
          const jn = `${name}-${Math.floor(t / MIN)}`;
          w.event(cj, "SuccessfulCreate", `Created job ${jn}`, t + r.int(100, 900), {
            type: "Normal",
            component: "cronjob-controller",
          });
        }
        const victim = wl.pods[0]!;
        const tOut = t0 + r.int(1, 3) * MIN;
        stopPod(w, victim, tOut, { graceSec: 20 });
        const msg = () =>
          `Error creating: pods "${wl.rs!.name}-${r.safe(5)}" is forbidden: exceeded quota: pods-quota, requested: pods=1, used: pods=30, limited: pods=30`;
        const h = w.event(wl.rs!, "FailedCreate", msg(), tOut + 2 * SEC, {
          component: "replicaset-controller",
        });
        for (let t = tOut + 20 * SEC; t < t0 + 18 * MIN; t += r.int(30, 120) * SEC)
          w.again(h, t, { step: r.int(1, 4), message: msg() });
        A.quotaExceeded(w, q, "pods", 100, t0 - 2 * MIN, "KubeQuotaFullyUsed");
        const sym = r.chance(0.5) ? h.id : A.deploymentReplicasMismatch(w, wl.ctrl, tOut + 5 * SEC).id;
        return {
          description: `CronJob ${ns}/${name} is changed to run every minute with concurrencyPolicy Allow; its jobs hang on a partner API and pile up until the namespace's pods quota (30) is full, so ${wl.app} cannot replace a pod it lost.`,
          symptom: sym,
          root: [rc(cj)],
          blast: [ref(wl.rs!), ref(wl.ctrl)],
        };
      },
    },
  },
];
