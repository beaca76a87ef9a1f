/**
 * Configuration faults: a bad config rollout (Deployment template or ConfigMap edit) and
 * missing Secrets/ConfigMaps (FailedMount, CreateContainerConfigError).
 */
import * as A from "../lib/alerts.js";
import { callerErrors, type Lang } from "../lib/applog.js";
import {
  crashLoop,
  createPod,
  mainContainer,
  mountFailure,
  podEvent,
  scalingMessage,
  startContainers,
  startedAt,
  stopPod,
  type Workload,
} from "../lib/k8s.js";
import { type Ctx, rc, ref, type VariantDef } from "../lib/scenario.js";
import type { Res } from "../lib/world.js";
import { callers, ingressFor, ingressNginx, MIN, SEC, symptomLog, target } from "./common.js";
import { badRollout } from "./rollout.js";

function configCrashLine(lang: Lang, key: string, bad: string): string {
  switch (lang) {
    case "java":
      return `\n\n***************************\nAPPLICATION FAILED TO START\n***************************\n\nDescription:\n\nFailed to bind properties under 'app.${key.toLowerCase().replace(/_/g, ".")}' to java.time.Duration:\n\n    Property: app.${key.toLowerCase().replace(/_/g, ".")}\n    Value: "${bad}"\n    Origin: System Environment Property "APP_${key}"\n    Reason: failed to convert java.lang.String to java.time.Duration\n`;
    case "node":
      return `Error: Config validation error: "${key}" must be a number\n    at Object.<anonymous> (/app/dist/config.js:41:11)`;
    case "python":
      return `pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings\n${key.toLowerCase()}\n  Input should be a valid integer, unable to parse string as an integer [type=int_parsing, input_value='${bad}', input_type=str]`;
    default:
      return JSON.stringify({
        level: "fatal",
        msg: "invalid configuration",
        error: `envconfig.Process: assigning APP_${key} to ${key
          .split("_")
          .map((s) => s[0] + s.slice(1).toLowerCase())
          .join(
            "",
          )}: converting '${bad}' to type time.Duration. details: time: missing unit in duration "${bad}"`,
      });
  }
}

/** A ConfigMap as the watcher ships it (data included). */
export function configMap(ctx: Ctx, ns: string, name: string, data: Record<string, string>, t?: number): Res {
  const cm = ctx.w.res(ctx.c, "ConfigMap", name, ns, {
    labels: { "app.kubernetes.io/managed-by": ctx.rng.pick(["Helm", "kustomize", "argocd"]) },
    extra: { data },
  });
  ctx.w.put(cm, t ?? ctx.w.tList + ctx.rng.int(0, 20) * SEC);
  return cm;
}

export function secret(ctx: Ctx, ns: string, name: string, keys: string[], t?: number): Res {
  const s = ctx.w.res(ctx.c, "Secret", name, ns, {
    extra: { type: "Opaque", data: Object.fromEntries(keys.map((k) => [k, "(redacted)"])) },
  });
  ctx.w.put(s, t ?? ctx.w.tList + ctx.rng.int(0, 20) * SEC);
  return s;
}

function mountEdges(ctx: Ctx, wl: Workload, obj: Res): void {
  if (!ctx.rng.chance(0.6)) return;
  for (const p of wl.pods) ctx.w.link(p, obj, "MOUNTS", ctx.w.tList + ctx.rng.int(1, 30) * SEC);
}

export const badConfig: VariantDef[] = [
  {
    slug: "env-duration-missing-unit",
    build(ctx) {
      const { w, rng: r } = ctx;
      const lang = ctx.lang();
      const key = r.pick(["REQUEST_TIMEOUT", "CACHE_TTL", "POOL_IDLE_TIMEOUT"]);
      const wl = ctx.deploy({ replicas: r.int(2, 4), env: { [`APP_${key}`]: "30s", LOG_LEVEL: "info" } });
      const t0 = w.t0;
      const bad = lang === "java" ? "10 minutes" : lang === "python" ? "30s" : "30";
      const ro = badRollout(ctx, wl, t0, {
        mutate: (spec) => {
          const c = mainContainer({ spec } as Res);
          c.env = [
            { name: `APP_${key}`, value: bad },
            { name: "LOG_LEVEL", value: "info" },
          ];
        },
      });
      const until = t0 + r.int(16, 22) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        startContainers(w, p, ro.podTimes[i]!, { pull: true, ready: false });
        const { crashes } = crashLoop(w, p, {
          term: "Error",
          exitCode: lang === "java" ? 1 : lang === "go" ? 1 : lang === "node" ? 1 : 1,
          firstStart: startedAt(p)!,
          runSec: [0.5, 4],
          until,
          onRun: (ts, te) => w.log(p, Math.min(te, ts + 400), "ERROR", configCrashLine(lang, key, bad)),
        });
        if (i === 0) sym = A.podCrashLooping(w, p, wl.container, crashes[1] ?? crashes[0]!).id;
      });
      A.rolloutStuck(w, wl.ctrl, t0 + r.int(30, 90) * SEC);
      return {
        description: `A commit changes APP_${key} in ${wl.app}'s Deployment to "${bad}", which the ${lang} config loader cannot parse; the new ReplicaSet's pods exit at start-up and crash-loop, the rollout stalls.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(ro.newRs), ...ro.newPods.map(ref)],
      };
    },
  },
  {
    slug: "configmap-edit-rollout-restart",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const app = ctx.names.app(domain);
      const cmName = `${app}-config`;
      const good = {
        "config.yaml": `server:\n  port: 8080\n  shutdownTimeout: 20s\npool:\n  maxConnections: 50\n  idleTimeout: 5m\nfeatures:\n  newCheckout: false\n`,
      };
      const cm = configMap(ctx, ns, cmName, good);
      const wl = ctx.deploy({
        ns,
        domain,
        app,
        replicas: r.int(2, 4),
        volumes: [{ name: "config", configMap: { name: cmName } }],
      });
      mountEdges(ctx, wl, cm);
      const t0 = w.t0;
      const tEdit = t0 - r.int(40, 200) * SEC;
      cm.extra = {
        ...cm.extra,
        data: {
          "config.yaml": good["config.yaml"]
            .replace("maxConnections: 50", "maxConnections: fifty")
            .replace("newCheckout: false", "newCheckout: true\n   rollout: 10"),
        },
      };
      w.put(cm, tEdit);
      const ro = badRollout(ctx, wl, t0, {
        annotations: { "kubectl.kubernetes.io/restartedAt": new Date(t0).toISOString() },
      });
      const until = t0 + r.int(16, 22) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        startContainers(w, p, ro.podTimes[i]!, { pull: false, ready: false });
        const { crashes, termIds } = crashLoop(w, p, {
          term: "Error",
          exitCode: r.pick([1, 2]),
          firstStart: startedAt(p)!,
          runSec: [0.3, 2],
          until,
          onRun: (ts) =>
            w.log(
              p,
              ts + 200,
              "ERROR",
              r.chance(0.5)
                ? `failed to load config /etc/${app}/config.yaml: yaml: line 8: did not find expected key`
                : `failed to load config /etc/${app}/config.yaml: yaml: unmarshal errors:\n  line 5: cannot unmarshal !!str \`fifty\` into int`,
            ),
        });
        if (i === 0)
          sym = r.chance(0.5)
            ? A.podCrashLooping(w, p, wl.container, crashes[1] ?? crashes[0]!).id
            : termIds[Math.min(2, termIds.length - 1)]!;
      });
      return {
        description: `Someone edits ConfigMap ${ns}/${cmName} (maxConnections: fifty, bad indentation) and runs kubectl rollout restart; every new ${app} pod fails to parse the file and crash-loops.`,
        symptom: sym,
        root: [rc(cm)],
        blast: [ref(wl.ctrl), ref(ro.newRs), ...ro.newPods.map(ref)],
      };
    },
  },
  {
    slug: "args-unknown-flag-max-unavailable",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wl = ctx.deploy({ replicas: 2, args: ["--listen=:8080", "--metrics-addr=:9102"] });
      const [cl] = callers(ctx, 1, { ns: wl.ns });
      const t0 = w.t0;
      const ro = badRollout(
        ctx,
        wl,
        t0,
        {
          mutate: (spec) => {
            mainContainer({ spec } as Res).args = ["--listen=:8080", "--metrics-bind-address=:9102"];
          },
        },
        { surge: 1, unavailable: 1 },
      );
      const until = t0 + r.int(16, 22) * MIN;
      const p = ro.newPods[0]!;
      startContainers(w, p, ro.podTimes[0]!, { pull: true, ready: false });
      crashLoop(w, p, {
        term: "Error",
        exitCode: 2,
        firstStart: startedAt(p)!,
        runSec: [0.05, 0.3],
        until,
        onRun: (ts) =>
          w.log(
            p,
            ts + 40,
            "ERROR",
            `flag provided but not defined: -metrics-bind-address\nUsage of /usr/local/bin/${wl.app}:\n  -listen string\n    \tlisten address (default ":8080")\n  -metrics-addr string\n    \tmetrics listen address (default ":9090")`,
          ),
      });
      const tg = target(ctx, wl, "http", { sameNs: true });
      const lang = ctx.lang();
      callerErrors(w, cl!.pods, lang, tg, "timeout", t0 + r.int(60, 120) * SEC, until, {
        everySec: [15, 60],
        max: 8,
      });
      const sym = A.appAlert(w, ctx.c, "latency", wl.svc!, t0 + r.int(2, 4) * MIN, { forSec: 300 }).id;
      A.podCrashLooping(w, p, wl.container, t0 + r.int(1, 2) * MIN);
      return {
        description: `${wl.app}'s args are changed to --metrics-bind-address, a flag the binary does not know; the new pod exits with code 2, and with maxUnavailable=1 one of two serving pods is already gone, so p99 latency on the Service doubles.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(wl.svc!), ref(ro.newRs), ref(p), ...cl!.pods.map(ref)],
      };
    },
  },
  {
    slug: "gateway-envoy-config-helm-upgrade",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns] = ctx.names.ns(
        Object.keys(ctx.profile.domains).includes("platform") ? "platform" : undefined,
      );
      const app = ctx.names.take(r.pick(["api-gateway", "edge-gateway", "envoy-gateway"]));
      const cmName = `${app}-envoy`;
      const cm = configMap(ctx, ns, cmName, {
        "envoy.yaml":
          "static_resources:\n  listeners:\n  - name: http\n    address: {socket_address: {address: 0.0.0.0, port_value: 8080}}\n  clusters:\n  - name: backend\n    load_assignment: {endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: backend, port_value: 8080}}}}]}]}\n",
      });
      const wl = ctx.deploy({
        ns,
        app,
        container: "envoy",
        replicas: r.int(2, 3),
        strategy: "Recreate",
        image: `envoyproxy/envoy:v1.${r.int(27, 30)}.${r.int(0, 4)}`,
        volumes: [{ name: "envoy-config", configMap: { name: cmName } }],
      });
      mountEdges(ctx, wl, cm);
      const ing = ingressNginx(ctx);
      ingressFor(ctx, wl, r.pick(["api.example.com", "gateway.acme.io"]));
      const t0 = w.t0;
      cm.extra = {
        ...cm.extra,
        data: {
          "envoy.yaml": String((cm.extra!.data as Record<string, string>)["envoy.yaml"]).replace(
            "port_value: 8080}}}}",
            "port_value: 80800}}}}",
          ),
        },
      };
      w.put(cm, t0 - r.int(1, 5) * SEC);
      const ro = badRollout(
        ctx,
        wl,
        t0,
        { annotations: { "checksum/config": r.hex(64) } },
        { strategy: "Recreate" },
      );
      const until = t0 + r.int(15, 20) * MIN;
      ro.newPods.forEach((p, i) => {
        startContainers(w, p, ro.podTimes[i]!, { pull: false, ready: false });
        crashLoop(w, p, {
          container: "envoy",
          term: "Error",
          exitCode: 1,
          firstStart: startedAt(p)!,
          runSec: [0.2, 1],
          until,
          onRun: (ts) =>
            w.log(
              p,
              ts + 100,
              "ERROR",
              `[${new Date(ts + 100).toISOString().replace("T", " ").replace("Z", "")}][1][critical][main] [source/server/server.cc:${r.int(400, 420)}] error initializing config '  /etc/envoy/envoy.yaml': Protobuf message (type envoy.config.bootstrap.v3.Bootstrap reason INVALID_ARGUMENT:static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: invalid value 80800 for type TYPE_UINT32)`,
              { container: "envoy" },
            ),
        });
      });
      const ip = ing.pods[0]!;
      const tSym = ro.outageAt! + r.int(20, 90) * SEC;
      for (const p of ing.pods) {
        for (let t = ro.outageAt! + r.int(1, 5) * SEC; t < until; t += r.int(10, 60) * SEC) {
          w.log(
            p,
            t,
            "WARN",
            `W${new Date(t).toISOString().slice(5, 10).replace("-", "")} ${new Date(t).toISOString().slice(11, 23)}000       7 controller.go:1214] Service "${ns}/${wl.svc!.name}" does not have any active Endpoint.`,
            { container: "controller" },
          );
        }
      }
      const sym = r.chance(0.5)
        ? A.appAlert(w, ctx.c, "probe", wl.svc!, tSym, { forSec: 120 }).id
        : symptomLog(
            w,
            ip,
            tSym,
            "ERROR",
            `${new Date(tSym).toISOString().replace("T", " ").slice(0, 19).replace(/-/g, "/")} [error] 31#31: *${r.int(100000, 999999)} no live upstreams while connecting to upstream, client: 10.0.${r.int(1, 9)}.${r.int(2, 250)}, server: api.example.com, request: "GET /v1/orders HTTP/1.1", upstream: "http://upstream_balancer/v1/orders", host: "api.example.com"`,
          );
      return {
        description: `A Helm upgrade of ${app} changes its envoy ConfigMap (a port typed as 80800) and the config checksum annotation; with the Recreate strategy every gateway pod is replaced by one that rejects the config, and ingress has no endpoints for ${ns}/${wl.svc!.name}.`,
        symptom: sym,
        root: [rc(cm)],
        blast: [ref(wl.ctrl), ref(wl.svc!), ...ro.newPods.map(ref)],
      };
    },
  },
];

export const missingConfig: VariantDef[] = [
  {
    slug: "rollout-mounts-configmap-never-created",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const app = ctx.names.app(domain);
      const cmName = `${app}-config-v2`;
      const oldCm = configMap(ctx, ns, `${app}-config`, { "app.properties": "mode=prod\n" });
      const wl = ctx.deploy({
        ns,
        domain,
        app,
        replicas: r.int(2, 4),
        volumes: [{ name: "config", configMap: { name: oldCm.name } }],
      });
      mountEdges(ctx, wl, oldCm);
      const t0 = w.t0;
      const ro = badRollout(ctx, wl, t0, {
        mutate: (spec) => {
          ((spec.template as Record<string, unknown>).spec as Record<string, unknown>).volumes = [
            { name: "config", configMap: { name: cmName } },
          ];
        },
      });
      const until = t0 + r.int(15, 21) * MIN;
      let sym = "";
      ro.newPods.forEach((p, i) => {
        const h = mountFailure(w, p, {
          message: `MountVolume.SetUp failed for volume "config" : configmap "${cmName}" not found`,
          from: ro.podTimes[i]! + r.int(500, 2000),
          until,
          volume: "config",
        });
        if (i === 0) sym = r.chance(0.5) ? A.podNotReady(w, p, ro.podTimes[i]!).id : h.id;
      });
      A.rolloutStuck(w, wl.ctrl, t0 + 40 * SEC);
      return {
        description: `${wl.app}'s new Deployment revision mounts ConfigMap ${cmName}, which the pipeline never applied; new pods stay in ContainerCreating with FailedMount and the rollout never progresses.`,
        symptom: sym,
        root: [rc(wl.ctrl)],
        blast: [ref(ro.newRs), ...ro.newPods.map(ref)],
      };
    },
  },
  {
    slug: "secret-deleted-then-node-scale-down",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const app = ctx.names.app(domain);
      const secName = r.pick(["db-credentials", `${app}-db`, "postgres-app-user"]);
      const sec = secret(ctx, ns, secName, ["username", "password"]);
      const wl = ctx.deploy({ ns, domain, app, replicas: r.int(2, 3), env: { DB_HOST: "postgres" } });
      const t0 = w.t0;
      const tDel = t0 - r.int(3, 9) * MIN;
      w.remove(sec, tDel, { edges: false });
      // cluster-autoscaler removes an under-used node; its pods are recreated elsewhere
      const victimNode = ctx.nodes.find((n) => wl.pods.some((p) => p.node === n.name))!;
      w.event(victimNode, "ScaleDown", "marked the node as toBeDeleted/unschedulable", t0, {
        type: "Normal",
        component: "cluster-autoscaler",
      });
      const moved = wl.pods.filter((p) => p.node === victimNode.name);
      const newPods: Res[] = [];
      let sym = "";
      for (const p of moved) {
        w.event(p, "ScaleDown", "deleting pod for node scale down", t0 + r.int(1, 5) * SEC, {
          type: "Normal",
          component: "cluster-autoscaler",
        });
        stopPod(w, p, t0 + r.int(2, 6) * SEC, { graceSec: r.int(5, 30) });
        const node = r.pick(ctx.nodes.filter((n) => n !== victimNode));
        const np = createPod(w, wl.rs!, t0 + r.int(3, 8) * SEC, {
          node,
          containers: [wl.container],
          svc: wl.svc,
        });
        np.podIP = ctx.c.podIP(node.idx ?? 0);
        newPods.push(np);
        const until = t0 + r.int(15, 20) * MIN;
        let tt = t0 + r.int(10, 15) * SEC;
        let first = true;
        while (tt < until) {
          podEvent(w, np, "Pulled", `Container image "${wl.image}" already present on machine`, tt - 300, {
            type: "Normal",
            fieldPath: `spec.containers{${wl.container}}`,
          });
          podEvent(w, np, "Failed", `Error: secret "${secName}" not found`, tt, {
            fieldPath: `spec.containers{${wl.container}}`,
          });
          if (first) {
            const id = w.watcherEvent(
              np,
              "CreateContainerConfigError",
              `Container ${wl.container} waiting: CreateContainerConfigError: secret "${secName}" not found`,
              tt + 800,
            );
            if (!sym) sym = id;
            first = false;
          }
          tt += r.int(10, 60) * SEC;
        }
        np.status = {
          phase: "Pending",
          containerReady: false,
          reason: "CreateContainerConfigError",
          restartCount: 0,
        };
        w.put(np, t0 + r.int(12, 20) * SEC);
      }
      if (r.chance(0.5)) sym = A.deploymentReplicasMismatch(w, wl.ctrl, t0 + r.int(10, 40) * SEC).id;
      return {
        description: `Secret ${ns}/${secName} is deleted (a cleanup of an old Helm release took it along). Nothing breaks until cluster-autoscaler drains ${victimNode.name}: the recreated ${app} pods cannot start (CreateContainerConfigError: secret not found).`,
        symptom: sym,
        root: [rc(sec)],
        blast: [ref(wl.ctrl), ...newPods.map(ref)],
      };
    },
  },
  {
    slug: "secret-key-renamed-hpa-scale-up",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const app = ctx.names.app(domain);
      const secName = `${app}-pg`;
      const sec = secret(ctx, ns, secName, ["host", "user", "password"]);
      const wl = ctx.deploy({ ns, domain, app, replicas: 3, cpu: "500m" });
      const hpa = w.res(ctx.c, "HorizontalPodAutoscaler", app, ns, {
        spec: { scaleTargetRef: { kind: "Deployment", name: app }, minReplicas: 3, maxReplicas: 12 },
        status: { currentReplicas: 3, desiredReplicas: 3 },
      });
      w.put(hpa, w.tList + r.int(1, 30) * SEC);
      w.link(hpa, wl.ctrl, "SCALES", w.tList + r.int(1, 30) * SEC);
      const t0 = w.t0;
      // the rotation job rewrites the Secret with a renamed key
      sec.extra = {
        type: "Opaque",
        data: { host: "(redacted)", user: "(redacted)", "db-password": "(redacted)" },
      };
      w.put(sec, t0 - r.int(2, 8) * MIN);
      const to = r.int(5, 7);
      const tScale = t0 + r.int(0, 60) * SEC;
      w.event(
        hpa,
        "SuccessfulRescale",
        `New size: ${to}; reason: cpu resource utilization (percentage of request) above target`,
        tScale,
        { type: "Normal", component: "horizontal-pod-autoscaler" },
      );
      wl.ctrl.replicas = to;
      w.put(wl.ctrl, tScale + r.int(200, 900));
      w.event(
        wl.ctrl,
        "ScalingReplicaSet",
        scalingMessage(ctx.c, "up", wl.rs!.name, to, 3),
        tScale + r.int(300, 1200),
        { type: "Normal", component: "deployment-controller" },
      );
      const newPods: Res[] = [];
      let sym = "";
      const until = t0 + r.int(15, 20) * MIN;
      for (let i = 3; i < to; i++) {
        const node = r.pick(ctx.nodes);
        const np = createPod(w, wl.rs!, tScale + r.int(1, 3) * SEC, {
          node,
          containers: [wl.container],
          svc: wl.svc,
        });
        np.podIP = ctx.c.podIP(node.idx ?? 0);
        newPods.push(np);
        let tt = tScale + r.int(4, 9) * SEC;
        let k = 0;
        while (tt < until) {
          podEvent(w, np, "Failed", `Error: couldn't find key password in Secret ${ns}/${secName}`, tt, {
            fieldPath: `spec.containers{${wl.container}}`,
          });
          if (k === 0) {
            const id = w.watcherEvent(
              np,
              "CreateContainerConfigError",
              `Container ${wl.container} waiting: CreateContainerConfigError: couldn't find key password in Secret ${ns}/${secName}`,
              tt + 600,
            );
            if (!sym) sym = id;
          }
          tt += r.int(10, 70) * SEC;
          k++;
        }
      }
      const tLat = t0 + r.int(3, 6) * MIN;
      if (r.chance(0.5)) sym = A.appAlert(w, ctx.c, "latency", wl.svc!, tLat, { forSec: 300 }).id;
      return {
        description: `A credential-rotation job rewrites Secret ${ns}/${secName} and renames key password to db-password. Running pods keep their env; when the HPA scales ${app} from 3 to ${to}, the new pods fail with CreateContainerConfigError and the load stays on 3 pods.`,
        symptom: sym,
        root: [rc(sec)],
        blast: [ref(wl.ctrl), ...newPods.map(ref)],
      };
    },
  },
  {
    slug: "externalsecret-access-denied-new-service",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const app = ctx.names.app(domain);
      const t0 = w.t0;
      const tCreate = t0 - r.int(1, 4) * MIN;
      const secName = `${app}-db`;
      const es = w.res(ctx.c, "ExternalSecret", secName, ns, {
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { kind: "ClusterSecretStore", name: "aws-secretsmanager" },
          target: { name: secName },
          dataFrom: [{ extract: { key: `prod/${ns}/${app}` } }],
        },
        status: { conditions: [{ type: "Ready", status: "False", reason: "SecretSyncedError" }] },
      });
      w.put(es, tCreate);
      const acct = ctx.c.registry.split(".")[0]!.replace(/\D/g, "").padEnd(12, "7").slice(0, 12);
      const msg = `error processing spec.dataFrom[0].extract, err: AccessDeniedException: User: arn:aws:sts::${acct}:assumed-role/external-secrets-irsa/${r.int(1700000000, 1759999999)}${r.int(100000000, 999999999)} is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/${ns}/${app} because no identity-based policy allows the secretsmanager:GetSecretValue action\n\tstatus code: 400, request id: ${r.uuid()}`;
      const h = w.event(es, "UpdateFailed", msg, tCreate + r.int(1, 4) * SEC, {
        component: "external-secrets",
      });
      for (let t = tCreate + 30 * SEC; t < t0 + 18 * MIN; t += r.int(30, 120) * SEC)
        w.again(h, t, { step: 1 });
      const wl = ctx.deploy({
        ns,
        domain,
        app,
        replicas: r.int(2, 3),
        t: tCreate + r.int(5, 20) * SEC,
        noPods: true,
      });
      const newPods: Res[] = [];
      let sym = "";
      for (let i = 0; i < (wl.ctrl.replicas ?? 2); i++) {
        const node = r.pick(ctx.nodes);
        const pt = tCreate + r.int(20, 40) * SEC;
        const np = createPod(w, wl.rs!, pt, { node, containers: [wl.container], svc: wl.svc });
        np.podIP = ctx.c.podIP(node.idx ?? 0);
        newPods.push(np);
        let tt = pt + r.int(5, 20) * SEC;
        podEvent(w, np, "Pulling", `Pulling image "${wl.image}"`, tt - 8 * SEC, { type: "Normal" });
        podEvent(
          w,
          np,
          "Pulled",
          `Successfully pulled image "${wl.image}" in 4.2s (4.2s including waiting)`,
          tt - SEC,
          { type: "Normal" },
        );
        let k = 0;
        while (tt < t0 + 18 * MIN) {
          podEvent(w, np, "Failed", `Error: secret "${secName}" not found`, tt, {
            fieldPath: `spec.containers{${wl.container}}`,
          });
          if (k === 0)
            w.watcherEvent(
              np,
              "CreateContainerConfigError",
              `Container ${wl.container} waiting: CreateContainerConfigError: secret "${secName}" not found`,
              tt + 700,
            );
          tt += r.int(15, 80) * SEC;
          k++;
        }
      }
      wl.ctrl.status = {
        replicas: newPods.length,
        readyReplicas: 0,
        availableReplicas: 0,
        updatedReplicas: newPods.length,
        unavailableReplicas: newPods.length,
      };
      w.put(wl.ctrl, tCreate + r.int(40, 90) * SEC);
      sym = r.chance(0.5)
        ? A.podNotReady(w, newPods[0]!, tCreate + 40 * SEC).id
        : A.deploymentReplicasMismatch(w, wl.ctrl, tCreate + 45 * SEC).id;
      return {
        description: `New service ${app} ships with an ExternalSecret; the external-secrets IRSA role lacks secretsmanager:GetSecretValue for its key, the Secret is never created and every pod waits in CreateContainerConfigError.`,
        symptom: sym,
        root: [rc(es, "UpdateFailed")],
        blast: [ref(wl.ctrl), ...newPods.map(ref)],
      };
    },
  },
];
