/** OOM kills: a container exceeds its memory limit, crash-loops, and its callers fail. */
import * as A from "../lib/alerts.js";
import { callerErrors, chatter } from "../lib/applog.js";
import { crashLoop, statefulSet } from "../lib/k8s.js";
import { rc, ref, type VariantDef } from "../lib/scenario.js";
import { callers, MIN, SEC, symptomClientError, target } from "./common.js";

export const oomkill: VariantDef[] = [
  {
    slug: "java-leak-single-replica",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const tgt = ctx.deploy({
        ns,
        domain,
        replicas: 1,
        mem: r.pick(["768Mi", "1Gi", "1536Mi"]),
        env: { JAVA_OPTS: "-XX:MaxRAMPercentage=75" },
      });
      const [fe] = callers(ctx, 1, { ns, replicas: r.int(2, 3) });
      const victim = tgt.pods[0]!;
      const lang = ctx.lang();
      const t0 = w.t0;
      for (let i = 0; i < r.int(3, 6); i++) {
        w.log(
          victim,
          t0 - r.int(20, 600) * SEC,
          "WARN",
          `${new Date(t0 - r.int(20, 600) * SEC).toISOString().replace("T", " ").slice(0, 23)}  WARN 1 --- [nio-8080-exec-${r.int(1, 40)}] c.a.${tgt.app.replace(/-/g, "")}.SessionCache : cache size ${r.int(900_000, 2_400_000)} entries exceeds soft limit 500000`,
        );
      }
      chatter(w, victim, "java", t0 - 10 * MIN, t0, r.int(3, 6));
      const { crashes } = crashLoop(w, victim, {
        term: "OOMKilled",
        exitCode: 137,
        firstStart: t0 - 50 * MIN,
        firstRunSec: 50 * 60,
        runSec: [70, 200],
        until: t0 + r.int(14, 20) * MIN,
        oomProcess: "java",
        node: ctx.nodes.find((n) => n.name === victim.node),
      });
      const tg = target(ctx, tgt, "http", { sameNs: true });
      const feLang = ctx.lang();
      const tSym = crashes[0]! + r.int(3, 20) * SEC;
      const sym = symptomClientError(ctx, fe!.pods[0]!, feLang, tg, "refused", tSym);
      callerErrors(w, fe!.pods, feLang, tg, "refused", tSym + 2 * SEC, t0 + 14 * MIN, { everySec: [5, 30] });
      A.podCrashLooping(w, victim, tgt.container, crashes[1] ?? t0 + 2 * MIN);
      if (r.chance(0.6)) A.appAlert(w, ctx.c, "errors", fe!.svc!, tSym + r.int(10, 60) * SEC);
      void lang;
      return {
        description: `${tgt.app} (${ns}) runs a single replica whose JVM heap grows past its container memory limit (a session cache leak); the kernel OOM-kills it repeatedly and ${fe!.app} gets connection refused on every call.`,
        symptom: sym,
        root: [rc(victim, "OOMKilled")],
        blast: [ref(tgt.svc!), ref(tgt.ctrl), ref(fe!.pods[0]!), ...fe!.pods.slice(1).map(ref)],
      };
    },
  },
  {
    slug: "worker-batch-all-replicas",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({
        ns,
        domain,
        replicas: r.int(2, 4),
        mem: r.pick(["512Mi", "1Gi"]),
        service: false,
      });
      const t0 = w.t0;
      const roots = [];
      let firstCrash = Number.POSITIVE_INFINITY;
      for (const [i, pod] of wl.pods.entries()) {
        for (let k = 0; k < r.int(2, 4); k++) {
          w.log(
            pod,
            t0 - r.int(10, 200) * SEC,
            "INFO",
            `INFO:worker.consumer:processing batch ${r.int(10000, 99999)} size=${r.int(20000, 250000)} source=s3://exports-${ns}/${r.hex(8)}.parquet`,
          );
        }
        const { crashes } = crashLoop(w, pod, {
          term: "OOMKilled",
          exitCode: 137,
          firstStart: t0 - 40 * MIN,
          firstRunSec: 40 * 60 + i * r.int(10, 80),
          runSec: [40, 150],
          until: t0 + r.int(15, 22) * MIN,
          oomProcess: r.pick(["python3", "python"]),
          node: ctx.nodes.find((n) => n.name === pod.node),
          onRun: (ts) => {
            w.log(
              pod,
              ts + r.int(3, 10) * SEC,
              "INFO",
              `INFO:worker.consumer:resuming from offset ${r.int(100000, 999999)} (partition ${r.int(0, 11)})`,
            );
          },
        });
        firstCrash = Math.min(firstCrash, crashes[0] ?? firstCrash);
        roots.push(rc(pod, "OOMKilled"));
      }
      const tSym = firstCrash + r.int(3, 8) * MIN;
      const useLag = r.chance(0.5);
      const sym = useLag
        ? A.appAlert(w, ctx.c, "queue", wl.ctrl, tSym, { forSec: 300 }).id
        : A.deploymentReplicasMismatch(w, wl.ctrl, tSym).id;
      for (const pod of wl.pods) A.podCrashLooping(w, pod, wl.container, firstCrash + r.int(2, 5) * MIN);
      return {
        description: `Every ${wl.app} worker loads an oversized batch into memory and is OOM-killed (exit 137) over and over; the queue backs up.`,
        symptom: sym,
        root: roots,
        blast: [ref(wl.ctrl)],
      };
    },
  },
  {
    slug: "redis-maxmemory-unset",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const name = ctx.names.db("redis");
      const redis = statefulSet(w, ctx.c, ctx.nodes, {
        ns,
        app: name,
        replicas: 1,
        port: 6379,
        image: `docker.io/bitnami/redis:7.2.${r.int(1, 5)}-debian-12-r${r.int(0, 9)}`,
        mem: r.pick(["1Gi", "2Gi"]),
        volumeEdges: r.chance(0.5),
      });
      ctx.workloads.push(redis);
      const apps = callers(ctx, r.int(1, 2), { ns, domain });
      const pod = redis.pods[0]!;
      const t0 = w.t0;
      w.log(
        pod,
        t0 - r.int(60, 300) * SEC,
        "WARN",
        `1:M ${new Date(t0 - 120 * SEC).toUTCString().slice(5, 25)}.${r.int(100, 999)} # WARNING: maxmemory is not set; used_memory=${r.int(900, 1900)}mb`,
      );
      const { crashes } = crashLoop(w, pod, {
        term: "OOMKilled",
        exitCode: 137,
        firstStart: t0 - 30 * MIN,
        firstRunSec: 30 * 60,
        runSec: [60, 240],
        until: t0 + r.int(12, 20) * MIN,
        oomProcess: "redis-server",
        node: ctx.nodes.find((n) => n.name === pod.node),
        onRun: (ts) => {
          w.log(
            pod,
            ts + 800,
            "INFO",
            `1:M ${new Date(ts).toUTCString().slice(5, 25)}.${r.int(100, 999)} * Loading RDB produced by version 7.2.4`,
          );
          w.log(
            pod,
            ts + r.int(5, 30) * SEC,
            "INFO",
            `1:M ${new Date(ts).toUTCString().slice(5, 25)}.${r.int(100, 999)} * Ready to accept connections tcp`,
          );
        },
      });
      const tg = target(ctx, redis, "redis", { sameNs: true });
      const c0 = apps[0]!;
      const lang = ctx.lang();
      const tSym = crashes[0]! + r.int(2, 15) * SEC;
      const sym = r.chance(0.5)
        ? symptomClientError(ctx, c0.pods[0]!, lang, tg, "refused", tSym)
        : A.appAlert(w, ctx.c, "errors", c0.svc!, tSym + r.int(30, 120) * SEC).id;
      for (const a of apps)
        callerErrors(w, a.pods, ctx.lang(), tg, r.pick(["refused", "reset"] as const), tSym, t0 + 13 * MIN, {
          everySec: [4, 20],
        });
      A.podCrashLooping(w, pod, redis.container, crashes[1] ?? t0 + 3 * MIN);
      A.statefulSetReplicasMismatch(w, redis.ctrl, crashes[0]! + r.int(1, 3) * MIN);
      return {
        description: `${name}-0 has no maxmemory and grows until its cgroup limit: OOMKilled repeatedly, and ${apps.map((a) => a.app).join(", ")} lose their cache connection.`,
        symptom: sym,
        root: [rc(pod, "OOMKilled")],
        blast: [ref(redis.svc!), ref(redis.ctrl), ...apps.flatMap((a) => a.pods.map(ref))],
      };
    },
  },
  {
    slug: "istio-sidecar-oom",
    twin: true,
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const tgt = ctx.deploy({ ns, domain, replicas: r.int(2, 3), sidecars: ["istio-proxy"] });
      const [cl] = callers(ctx, 1, { replicas: 2 });
      const victim = r.pick(tgt.pods);
      const t0 = w.t0;
      for (let k = 0; k < r.int(2, 4); k++) {
        w.log(
          victim,
          t0 - r.int(30, 400) * SEC,
          "WARN",
          `${new Date(t0 - 200 * SEC).toISOString()}\twarning\tenvoy config\tgRPC config for type.googleapis.com/envoy.config.cluster.v3.Cluster rejected: cluster count ${r.int(4000, 9000)} exceeds overload threshold`,
          { container: "istio-proxy" },
        );
      }
      const { crashes } = crashLoop(w, victim, {
        container: "istio-proxy",
        term: "OOMKilled",
        exitCode: 137,
        firstStart: t0 - 20 * MIN,
        firstRunSec: 20 * 60,
        runSec: [60, 180],
        until: t0 + r.int(12, 18) * MIN,
        oomProcess: "envoy",
        node: ctx.nodes.find((n) => n.name === victim.node),
      });
      const tg = target(ctx, tgt, "http");
      const lang = ctx.lang();
      const tSym = crashes[0]! + r.int(1, 10) * SEC;
      const sym = symptomClientError(
        ctx,
        cl!.pods[0]!,
        lang,
        tg,
        r.pick(["http503", "reset"] as const),
        tSym,
      );
      callerErrors(w, cl!.pods, lang, tg, "http503", tSym + SEC, t0 + 12 * MIN, { everySec: [8, 40] });
      A.podCrashLooping(w, victim, "istio-proxy", crashes[1] ?? t0 + 3 * MIN);
      return {
        description: `The istio-proxy sidecar of ${victim.name} is OOM-killed (mesh config grew past its limit); while it restarts, requests routed to that pod from ${cl!.app} fail with 503/resets. A second cluster has same-named workloads.`,
        symptom: sym,
        root: [rc(victim, "OOMKilled")],
        blast: [ref(tgt.svc!), ref(cl!.pods[0]!)],
      };
    },
  },
];
