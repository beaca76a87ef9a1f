/** Dependency faults: databases, DNS, TLS, Service routing, network policy, full volumes, Jobs. */
import * as A from "../lib/alerts.js";
import { callerErrors, chatter, type Lang } from "../lib/applog.js";
import {
  bump,
  crashLoop,
  createPod,
  cronJobName,
  deployment,
  mainContainer,
  matches,
  startContainers,
  startedAt,
  stopPod,
  type Workload,
} from "../lib/k8s.js";
import { type Ctx, rc, ref, type VariantDef } from "../lib/scenario.js";
import type { Res } from "../lib/world.js";
import {
  callers,
  ingressFor,
  ingressNginx,
  MIN,
  noEndpointWarning,
  SEC,
  symptomClientError,
  symptomLog,
  target,
} from "./common.js";
import { configMap, secret } from "./config.js";
import { badRollout } from "./rollout.js";

function pgLog(t: number, level: string, msg: string): string {
  return `${new Date(t).toISOString().replace("T", " ").slice(0, 23)} UTC [${(t % 900) + 1}] ${level}:  ${msg}`;
}

function pgStatefulSet(ctx: Ctx, ns: string, domain: string, version = "15.6.0"): Workload {
  const name = ctx.names.db("postgres");
  return ctx.sts({
    ns,
    domain,
    app: name,
    port: 5432,
    image: `docker.io/bitnami/postgresql:${version}-debian-12-r${ctx.rng.int(1, 20)}`,
    mem: "4Gi",
    storage: "100Gi",
  });
}

/** The Deployment's own Service target when callers address a database Service. */
function dbTarget(
  ctx: Ctx,
  db: Workload,
  proto: "postgres" | "mysql" | "redis" | "mongo" | "kafka",
): ReturnType<typeof target> {
  const t = target(ctx, db, proto, { sameNs: true });
  return {
    ...t,
    db: ctx.rng.pick(["app", "orders", "payments", "catalog"]),
    user: ctx.rng.pick(["app", "svc_api", "orders_rw"]),
  };
}

export const database: VariantDef[] = [
  {
    slug: "postgres-major-upgrade-incompatible-datadir",
    twin: true,
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const db = pgStatefulSet(ctx, ns, domain, "15.6.0");
      const apps = callers(ctx, r.int(2, 3), { ns, domain });
      const t0 = w.t0;
      const sts = db.ctrl;
      const newImg = "docker.io/bitnami/postgresql:16.2.0-debian-12-r8";
      sts.image = newImg;
      const tmpl = ((sts.spec as Record<string, unknown>).template as Record<string, unknown>).spec as Record<
        string,
        unknown
      >;
      (tmpl.containers as Record<string, unknown>[])[0]!.image = newImg;
      sts.extra = { generation: Number(sts.extra?.generation ?? 1) + 1 };
      sts.status = {
        replicas: 1,
        readyReplicas: 1,
        currentRevision: `${sts.name}-${r.safe(10)}`,
        updateRevision: `${sts.name}-${r.safe(10)}`,
      };
      w.put(sts, t0);
      const old = db.pods[0]!;
      w.event(
        sts,
        "SuccessfulDelete",
        `delete Pod ${old.name} in StatefulSet ${sts.name} successful`,
        t0 + r.int(1, 3) * SEC,
        { type: "Normal", component: "statefulset-controller" },
      );
      const gone = stopPod(w, old, t0 + r.int(1, 3) * SEC, { graceSec: r.int(3, 20) });
      const node = ctx.nodes.find((n) => n.name === old.node)!;
      const np = createPod(w, sts, gone + r.int(1, 3) * SEC, {
        name: old.name,
        node,
        containers: [db.container],
        svc: db.svc,
        image: newImg,
      });
      np.podIP = ctx.c.podIP(node.idx ?? 0);
      startContainers(w, np, gone + r.int(3, 6) * SEC, { pull: true, ready: false });
      const until = t0 + r.int(16, 22) * MIN;
      const { crashes } = crashLoop(w, np, {
        term: "Error",
        exitCode: 1,
        firstStart: startedAt(np)!,
        runSec: [1, 4],
        until,
        onRun: (ts) => {
          w.log(
            np,
            ts + 400,
            "INFO",
            `postgresql 10:${String(r.int(0, 59)).padStart(2, "0")}:${String(r.int(0, 59)).padStart(2, "0")}.${r.int(10, 99)} INFO  ==> ** Starting PostgreSQL **`,
          );
          w.log(
            np,
            ts + 900,
            "ERROR",
            pgLog(
              ts + 900,
              "FATAL",
              `database files are incompatible with server\n${pgLog(ts + 900, "DETAIL", "The data directory was initialized by PostgreSQL version 15, which is not compatible with this version 16.2.")}`,
            ),
          );
        },
      });
      const tg = dbTarget(ctx, db, "postgres");
      const lang0 = ctx.lang();
      const tSym = gone + r.int(5, 40) * SEC;
      const sym = r.chance(0.6)
        ? symptomClientError(ctx, apps[0]!.pods[0]!, lang0, tg, "refused", tSym)
        : A.appAlert(w, ctx.c, "errors", apps[0]!.svc!, tSym + MIN).id;
      for (const a of apps)
        callerErrors(w, a.pods, ctx.lang(), tg, "refused", tSym, until, { everySec: [5, 25] });
      A.podCrashLooping(w, np, db.container, crashes[1] ?? crashes[0]!);
      return {
        description: `Renovate bumps StatefulSet ${ns}/${sts.name} from PostgreSQL 15 to 16; the recreated ${np.name} refuses the version-15 data directory and crash-loops, and every client gets connection refused.`,
        symptom: sym,
        root: [rc(sts)],
        blast: [ref(db.svc!), ref(np), ...apps.flatMap((a) => a.pods.map(ref))],
      };
    },
  },
  {
    slug: "connection-leak-too-many-clients",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const db = pgStatefulSet(ctx, ns, domain);
      const leaky = ctx.deploy({ ns, domain, replicas: 4, env: { DB_POOL_MAX: "20" }, service: false });
      const victims = callers(ctx, r.int(1, 2), { ns, domain });
      const t0 = w.t0;
      const ro = badRollout(
        ctx,
        leaky,
        t0,
        {
          mutate: (spec) => {
            mainContainer({ spec } as Res).env = [{ name: "DB_POOL_MAX", value: "200" }];
          },
        },
        { surge: 4, unavailable: 0 },
      );
      let tl = t0;
      ro.newPods.forEach((p, i) => {
        tl = Math.max(tl, startContainers(w, p, ro.podTimes[i]!, { pull: false }));
      });
      for (const p of leaky.pods) stopPod(w, p, tl + r.int(2, 10) * SEC, { owner: leaky.rs });
      const pgp = db.pods[0]!;
      const tFull = tl - r.int(10, 60) * SEC;
      for (let t = tFull; t < t0 + 16 * MIN; t += r.int(3, 20) * SEC)
        w.log(pgp, t, "ERROR", pgLog(t, "FATAL", "sorry, too many clients already"));
      const tg = dbTarget(ctx, db, "postgres");
      const lang: Lang = ctx.lang();
      const tSym = tFull + r.int(20, 90) * SEC;
      const sym = symptomClientError(ctx, victims[0]!.pods[0]!, lang, tg, "too-many-connections", tSym);
      for (const v of victims)
        callerErrors(w, v.pods, ctx.lang(), tg, "too-many-connections", tSym, t0 + 16 * MIN, {
          everySec: [5, 30],
        });
      if (r.chance(0.5)) A.appAlert(w, ctx.c, "errors", victims[0]!.svc!, tSym + MIN);
      return {
        description: `${leaky.app} is rolled out with DB_POOL_MAX=200 (was 20); its four new pods open up to 800 connections and exhaust max_connections on ${db.app}. Other services get "sorry, too many clients already".`,
        symptom: sym,
        root: [rc(leaky.ctrl)],
        blast: [ref(pgp), ...victims.flatMap((v) => v.pods.map(ref))],
      };
    },
  },
  {
    slug: "postgres-segfault-invalid-checkpoint",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const db = pgStatefulSet(ctx, ns, domain);
      const apps = callers(ctx, r.int(1, 3), { ns, domain });
      const t0 = w.t0;
      const pgp = db.pods[0]!;
      w.log(
        pgp,
        t0 - 300,
        "ERROR",
        pgLog(
          t0 - 300,
          "LOG",
          `server process (PID ${r.int(1000, 90000)}) was terminated by signal 11: Segmentation fault`,
        ),
      );
      w.log(pgp, t0 - 200, "INFO", pgLog(t0 - 200, "LOG", "terminating any other active server processes"));
      w.log(pgp, t0 - 100, "INFO", pgLog(t0 - 100, "LOG", "all server processes terminated; reinitializing"));
      const until = t0 + r.int(16, 22) * MIN;
      const { crashes } = crashLoop(w, pgp, {
        term: "Error",
        exitCode: 1,
        firstStart: t0 - 3 * 3600 * SEC,
        firstRunSec: 3 * 3600,
        runSec: [1, 3],
        until,
        onRun: (ts, te, i) => {
          if (i === 0) return;
          w.log(
            pgp,
            ts + 300,
            "INFO",
            pgLog(
              ts + 300,
              "LOG",
              `database system was interrupted; last known up at ${new Date(t0 - 4 * MIN).toISOString().replace("T", " ").slice(0, 19)} UTC`,
            ),
          );
          w.log(
            pgp,
            te - 100,
            "ERROR",
            pgLog(te - 100, "PANIC", "could not locate a valid checkpoint record"),
          );
        },
      });
      const tg = dbTarget(ctx, db, "postgres");
      const tSym = t0 + r.int(5, 40) * SEC;
      const sym = symptomClientError(ctx, apps[0]!.pods[0]!, ctx.lang(), tg, "refused", tSym);
      for (const a of apps)
        callerErrors(w, a.pods, ctx.lang(), tg, "refused", tSym, until, { everySec: [5, 25] });
      A.podCrashLooping(w, pgp, db.container, crashes[2] ?? crashes[1] ?? t0 + MIN);
      A.statefulSetReplicasMismatch(w, db.ctrl, t0 + 10 * SEC);
      return {
        description: `The postgres backend in ${pgp.name} segfaults; crash recovery cannot find a valid checkpoint record (corrupted pg_wal) and the container crash-loops, leaving ${apps.map((a) => a.app).join(", ")} without a database.`,
        symptom: sym,
        root: [rc(pgp)],
        blast: [ref(db.svc!), ...apps.flatMap((a) => a.pods.map(ref))],
      };
    },
  },
];

function coreDns(ctx: Ctx): { wl: Workload; cm: Res } {
  const { w, rng: r } = ctx;
  const cm = configMap(ctx, "kube-system", "coredns", {
    Corefile:
      ".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf {\n       max_concurrent 1000\n    }\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n",
  });
  const wl = deployment(w, ctx.c, ctx.nodes, {
    ns: "kube-system",
    app: "coredns",
    container: "coredns",
    labelKey: "k8s-app",
    replicas: 2,
    port: 53,
    mem: "170Mi",
    image:
      ctx.c.flavor === "eks"
        ? `602401143452.dkr.ecr.${ctx.c.region}.amazonaws.com/eks/coredns:v1.11.1-eksbuild.${r.int(4, 9)}`
        : `registry.k8s.io/coredns/coredns:v1.${r.int(10, 11)}.1`,
    service: "kube-dns",
    svcPort: 53,
    volumes: [{ name: "config-volume", configMap: { name: "coredns" } }],
  });
  // the kube-dns Service IP is the cluster DNS address
  (wl.svc!.spec as Record<string, unknown>).clusterIP = ctx.c.dnsIP;
  w.put(wl.svc!, w.tList + r.int(1, 20) * SEC);
  ctx.workloads.push(wl);
  if (r.chance(0.5)) for (const p of wl.pods) w.link(p, cm, "MOUNTS", w.tList + r.int(1, 30) * SEC);
  return { wl, cm };
}

/** Apps across namespaces failing name resolution. */
function dnsVictims(
  ctx: Ctx,
  n: number,
  f: "dns-timeout" | "nxdomain",
  from: number,
  to: number,
  refusedDns = false,
): { wls: Workload[]; first: string } {
  const { w, rng: r } = ctx;
  const wls: Workload[] = [];
  for (let i = 0; i < n; i++) wls.push(ctx.deploy({ replicas: r.int(1, 2) }));
  const ext = ["api.stripe.com", "sqs.eu-west-1.amazonaws.com", "oauth2.googleapis.com", "hooks.slack.com"];
  let first = "";
  for (const [i, wl] of wls.entries()) {
    const dep = wls[(i + 1) % wls.length]!;
    const host = r.chance(0.6) && dep.svc ? `${dep.svc.name}.${dep.ns}.svc.cluster.local` : r.pick(ext);
    const tg = {
      proto: "http" as const,
      host,
      port: 443,
      ip: "0.0.0.0",
      name: host.split(".")[0]!,
      dnsIP: ctx.c.dnsIP,
    };
    const lang = ctx.lang();
    for (const p of wl.pods) {
      for (let t = from + r.int(5, 60) * SEC, k = 0; t < to && k < 12; t += r.int(10, 60) * SEC, k++) {
        let msg: string;
        if (refusedDns && (lang === "go" || lang === "gologrus")) {
          msg = JSON.stringify({
            level: "error",
            ts: new Date(t).toISOString(),
            msg: "request failed",
            error: `Get "https://${host}/v1/x": dial tcp: lookup ${host} on ${ctx.c.dnsIP}:53: read udp ${p.podIP}:${r.int(32768, 60999)}->${ctx.c.dnsIP}:53: read: connection refused`,
          });
          const id = first ? w.log(p, t, "ERROR", msg) : symptomLog(w, p, t, "ERROR", msg);
          if (!first && id) first = id;
          continue;
        }
        if (!first) first = symptomClientError(ctx, p, lang, tg, f, t);
        else callerErrors(w, [p], lang, tg, f, t, t + 1, { max: 1 });
      }
    }
  }
  return { wls, first };
}

export const dns: VariantDef[] = [
  {
    slug: "corefile-typo-pods-deleted",
    flavors: ["eks", "aks", "kubeadm"],
    build(ctx) {
      const { w, rng: r } = ctx;
      const { wl, cm } = coreDns(ctx);
      const t0 = w.t0;
      const tEdit = t0 - r.int(3, 12) * MIN;
      const cf = String((cm.extra!.data as Record<string, string>).Corefile);
      cm.extra = {
        ...cm.extra,
        data: { Corefile: cf.replace("forward . /etc/resolv.conf", "foward . 10.0.0.2 /etc/resolv.conf") },
      };
      w.put(cm, tEdit);
      for (const p of wl.pods)
        w.log(
          p,
          tEdit + r.int(20, 60) * SEC,
          "ERROR",
          `[ERROR] Restart failed: Corefile:13 - Error during parsing: Unknown directive 'foward'`,
        );
      // the operator deletes the pods "to pick up the change"
      const newPods: Res[] = [];
      const until = t0 + r.int(16, 21) * MIN;
      for (const p of wl.pods) {
        stopPod(w, p, t0 + r.int(0, 3) * SEC, { owner: undefined, graceSec: 5 });
        const node = r.pick(ctx.nodes);
        const np = createPod(w, wl.rs!, t0 + r.int(2, 5) * SEC, {
          node,
          containers: ["coredns"],
          svc: wl.svc,
        });
        np.podIP = ctx.c.podIP(node.idx ?? 0);
        newPods.push(np);
        startContainers(w, np, t0 + r.int(5, 9) * SEC, { pull: false, ready: false });
        crashLoop(w, np, {
          term: "Error",
          exitCode: 1,
          firstStart: startedAt(np)!,
          runSec: [0.1, 0.5],
          until,
          onRun: (ts) =>
            w.log(
              np,
              ts + 50,
              "ERROR",
              `/etc/coredns/Corefile:13 - Error during parsing: Unknown directive 'foward'`,
            ),
        });
      }
      const { wls, first } = dnsVictims(ctx, r.int(2, 4), "dns-timeout", t0 + 10 * SEC, until, true);
      A.coreDnsDown(w, ctx.c, t0 + 30 * SEC);
      return {
        description: `kube-system/coredns's Corefile is edited with a typo (foward); CoreDNS's reload rejects it, so nothing happens until someone deletes the CoreDNS pods, whose replacements cannot parse the file and crash-loop. Name resolution fails across the cluster.`,
        symptom: first,
        root: [rc(cm)],
        blast: [ref(wl.svc!), ...newPods.map(ref), ...wls.flatMap((x) => x.pods.map(ref))],
      };
    },
  },
  {
    slug: "coredns-loop-detected-crashloop",
    flavors: ["eks", "aks", "kubeadm"],
    build(ctx) {
      const { w, rng: r } = ctx;
      const { wl } = coreDns(ctx);
      const t0 = w.t0;
      const until = t0 + r.int(16, 21) * MIN;
      const roots = [];
      for (const p of wl.pods) {
        crashLoop(w, p, {
          term: "Error",
          exitCode: 1,
          firstStart: t0 - 40 * MIN,
          firstRunSec: 40 * 60 + r.int(0, 40),
          runSec: [2, 6],
          until,
          onRun: (_ts, te) =>
            w.log(
              p,
              te - 100,
              "ERROR",
              `[FATAL] plugin/loop: Loop (127.0.0.1:${r.int(30000, 60000)} -> :53) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ${r.int(1e15, 9e15)}.${r.int(1e15, 9e15)}."`,
            ),
        });
        roots.push(rc(p));
      }
      const { wls, first } = dnsVictims(ctx, r.int(2, 4), "dns-timeout", t0 + 5 * SEC, until, true);
      A.coreDnsDown(w, ctx.c, t0 + 20 * SEC);
      return {
        description: `Both CoreDNS pods restart and detect a forwarding loop (the nodes' resolv.conf now points at a local stub resolver); plugin/loop exits fatally, the pods crash-loop and every lookup in the cluster fails.`,
        symptom: first,
        root: roots,
        blast: [ref(wl.svc!), ...wls.flatMap((x) => x.pods.map(ref))],
      };
    },
  },
  {
    slug: "coredns-oomkilled-query-storm",
    twin: true,
    flavors: ["eks", "aks", "kubeadm"],
    build(ctx) {
      const { w, rng: r } = ctx;
      const { wl } = coreDns(ctx);
      const crawler = ctx.deploy({ replicas: r.int(4, 8), service: false });
      const t0 = w.t0;
      for (const p of crawler.pods)
        for (let k = 0; k < 2; k++)
          w.log(
            p,
            t0 - r.int(60, 500) * SEC,
            "INFO",
            `INFO crawl batch started: ${r.int(20000, 90000)} domains, concurrency=${r.pick([256, 512])}`,
          );
      const until = t0 + r.int(16, 21) * MIN;
      const roots = [];
      for (const p of wl.pods) {
        w.log(
          p,
          t0 - r.int(10, 60) * SEC,
          "WARN",
          `[WARNING] plugin/forward: max concurrent queries reached (1000)`,
        );
        crashLoop(w, p, {
          term: "OOMKilled",
          exitCode: 137,
          firstStart: t0 - 30 * MIN,
          firstRunSec: 30 * 60 + r.int(0, 30),
          runSec: [15, 60],
          until,
          node: ctx.nodes.find((n) => n.name === p.node),
          oomProcess: "coredns",
        });
        roots.push(rc(p, "OOMKilled"));
      }
      const { wls, first } = dnsVictims(ctx, r.int(2, 3), "dns-timeout", t0 + 5 * SEC, until);
      A.coreDnsErrorsHigh(w, ctx.c, r.float(20, 60), t0);
      return {
        description: `${crawler.app} starts a crawl with thousands of concurrent external lookups (ndots:5 multiplies each); CoreDNS's cache and forward queues blow through its 170Mi limit and both pods are OOM-killed in a loop. DNS times out cluster-wide.`,
        symptom: first,
        root: roots,
        blast: [ref(wl.svc!), ...wls.flatMap((x) => x.pods.map(ref))],
      };
    },
  },
];

function certificate(ctx: Ctx, ns: string, name: string, dns: string, notAfter: number): Res {
  const c = ctx.w.res(ctx.c, "Certificate", name, ns, {
    spec: {
      secretName: name,
      dnsNames: [dns],
      issuerRef: { kind: "ClusterIssuer", name: ctx.rng.pick(["letsencrypt-prod", "letsencrypt"]) },
    },
    status: {
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Ready",
          message: "Certificate is up to date and has not expired",
        },
      ],
      notAfter: new Date(notAfter).toISOString().slice(0, 19) + "Z",
    },
  });
  ctx.w.put(c, ctx.w.tList + ctx.rng.int(0, 30) * SEC);
  return c;
}

function expire(ctx: Ctx, cert: Res, t: number): void {
  const d = new Date(t);
  cert.status = {
    ...(cert.status ?? {}),
    conditions: [
      {
        type: "Ready",
        status: "False",
        reason: "Expired",
        message: `Certificate expired on ${d.toUTCString().replace("GMT", "UTC")}`,
      },
    ],
  };
  ctx.w.put(cert, t + ctx.rng.int(1, 20) * SEC);
}

export const tls: VariantDef[] = [
  {
    slug: "ingress-cert-renewal-rate-limited",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(2, 3) });
      const host = `${wl.app}.${r.pick(["example.com", "acme.io", "northwind.dev"])}`;
      const ing = ingressNginx(ctx);
      ingressFor(ctx, wl, host);
      const t0 = w.t0;
      const cert = certificate(ctx, ns, `${wl.app}-tls`, host, t0);
      const failMsg = `The certificate request has failed to complete and will be retried: Failed to wait for order resource "${cert.name}-${r.int(1, 9)}-${r.int(1000000000, 4000000000)}" to become ready: order is in "errored" state: Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many certificates already issued for "${host.split(".").slice(-2).join(".")}". Retry after ${new Date(t0 + 20 * 3600 * SEC).toISOString().slice(0, 19)}Z`;
      const hf = w.event(cert, "Failed", failMsg, t0 - 6 * 24 * 3600 * SEC, {
        component: "cert-manager-certificates-issuing",
        count: r.int(20, 60),
      });
      w.again(hf, t0 - r.int(2, 10) * MIN, { step: 1 });
      expire(ctx, cert, t0);
      A.certNotReady(w, cert, t0 + r.int(5, 30) * SEC);
      const ext = callers(ctx, 1, { replicas: 2 });
      const tg = {
        proto: "http" as const,
        host,
        port: 443,
        ip: "203.0.113.10",
        name: wl.app,
        notAfter: t0,
        path: "/v1/status",
      };
      const lang = ctx.lang();
      const tSym = t0 + r.int(30, 300) * SEC;
      const sym = r.chance(0.5)
        ? symptomClientError(ctx, ext[0]!.pods[0]!, lang, tg, "x509-expired", tSym)
        : A.appAlert(w, ctx.c, "probe", wl.svc!, tSym, { forSec: 120 }).id;
      callerErrors(w, ext[0]!.pods, lang, tg, "x509-expired", tSym + SEC, t0 + 16 * MIN, {
        everySec: [10, 60],
      });
      for (const p of ing.pods) chatter(w, p, "nginx", t0, t0 + 10 * MIN, 2);
      return {
        description: `cert-manager has failed to renew Certificate ${ns}/${cert.name} for days (Let's Encrypt rate limit); it expires and ingress serves the expired certificate. Clients calling https://${host} fail x509 verification.`,
        symptom: sym,
        root: [rc(cert)],
        blast: [ref(wl.svc!), ...ext[0]!.pods.map(ref)],
      };
    },
  },
  {
    slug: "mtls-client-cert-expired",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const server = ctx.deploy({ ns, domain, replicas: r.int(2, 3), port: 8443 });
      const [client] = callers(ctx, 1, { replicas: 2 });
      const t0 = w.t0;
      const cert = certificate(
        ctx,
        client!.ns,
        `${client!.app}-client-tls`,
        `${client!.app}.${client!.ns}.svc`,
        t0,
      );
      (cert.spec as Record<string, unknown>).issuerRef = { kind: "Issuer", name: "internal-ca" };
      const hf = w.event(
        cert,
        "Failed",
        `The certificate request has failed to complete and will be retried: issuer "internal-ca" not ready: secret "internal-ca-keypair" not found`,
        t0 - 3 * 24 * 3600 * SEC,
        { component: "cert-manager-certificates-issuing", count: r.int(30, 80) },
      );
      w.again(hf, t0 - r.int(3, 14) * MIN);
      expire(ctx, cert, t0);
      for (const p of server.pods) {
        for (
          let t = t0 + r.int(1, 20) * SEC, k = 0;
          t < t0 + 14 * MIN && k < 10;
          t += r.int(15, 70) * SEC, k++
        ) {
          w.log(
            p,
            t,
            "WARN",
            `${new Date(t).toISOString().replace("T", " ").slice(0, 19).replace(/-/g, "/")} http: TLS handshake error from ${r.pick(client!.pods).podIP}:${r.int(32768, 60999)}: tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time ${new Date(t).toISOString().slice(0, 19)}Z is after ${new Date(t0).toISOString().slice(0, 19)}Z`,
          );
        }
      }
      const tg = target(ctx, server, "grpc");
      const tSym = t0 + r.int(20, 200) * SEC;
      const msg = JSON.stringify({
        level: "error",
        ts: new Date(tSym).toISOString(),
        msg: `call to ${server.app} failed`,
        error: `rpc error: code = Unavailable desc = connection error: desc = "error reading server preface: remote error: tls: expired certificate"`,
        target: `${tg.host}:${tg.port}`,
      });
      const sym = symptomLog(w, client!.pods[0]!, tSym, "ERROR", msg);
      for (const p of client!.pods) {
        for (let t = tSym + r.int(5, 30) * SEC; t < t0 + 15 * MIN; t += r.int(15, 60) * SEC) {
          w.log(
            p,
            t,
            "ERROR",
            JSON.stringify({
              level: "error",
              ts: new Date(t).toISOString(),
              msg: `call to ${server.app} failed`,
              error: `rpc error: code = Unavailable desc = connection error: desc = "error reading server preface: remote error: tls: expired certificate"`,
            }),
          );
        }
      }
      return {
        description: `${client!.app}'s mTLS client Certificate is issued by an internal CA Issuer whose key pair Secret was lost; renewals fail for days, the certificate expires, and ${server.app} rejects the handshake.`,
        symptom: sym,
        root: [rc(cert)],
        blast: client!.pods.map(ref),
      };
    },
  },
  {
    slug: "admission-webhook-cert-expired",
    build(ctx) {
      const { w, rng: r } = ctx;
      const wh = ctx.deploy({
        ns: "platform",
        domain: "",
        app: ctx.names.take(r.pick(["policy-webhook", "pod-defaults-webhook", "admission-controller"])),
        replicas: 2,
        port: 8443,
      });
      const vwc = w.res(ctx.c, "ValidatingWebhookConfiguration", wh.app, undefined, {
        extra: {
          webhooks: [
            {
              name: `validate.${wh.app}.acme.io`,
              failurePolicy: "Fail",
              clientConfig: {
                service: { namespace: "platform", name: wh.svc!.name, path: "/validate", port: 443 },
              },
            },
          ],
        },
      });
      w.put(vwc, w.tList);
      if (r.chance(0.5)) w.link(vwc, wh.svc!, "CALLS", w.tList + SEC);
      const t0 = w.t0;
      const cert = certificate(ctx, "platform", `${wh.app}-tls`, `${wh.svc!.name}.platform.svc`, t0);
      (cert.spec as Record<string, unknown>).issuerRef = { kind: "Issuer", name: "selfsigned" };
      const hf = w.event(
        cert,
        "Failed",
        `The certificate request has failed to complete and will be retried: issuer "selfsigned" not found`,
        t0 - 9 * 24 * 3600 * SEC,
        { component: "cert-manager-certificates-issuing", count: r.int(40, 120) },
      );
      w.again(hf, t0 - r.int(2, 12) * MIN);
      expire(ctx, cert, t0);
      const victims = [ctx.deploy({ replicas: 3 }), ctx.deploy({ replicas: 2 })];
      const stamp = (t: number) => new Date(t).toISOString().slice(0, 19) + "Z";
      const msg = (t: number, rs: Res) =>
        `Error creating: pods "${rs.name}-${r.safe(5)}" is forbidden: Internal error occurred: failed calling webhook "validate.${wh.app}.acme.io": failed to call webhook: Post "https://${wh.svc!.name}.platform.svc:443/validate?timeout=10s": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time ${stamp(t)} is after ${stamp(t0)}`;
      let sym = "";
      for (const [i, v] of victims.entries()) {
        const tt = t0 + r.int(1, 8) * MIN;
        if (i === 0) {
          const p = v.pods[0]!;
          w.event(
            p,
            "Evicted",
            `The node was low on resource: ephemeral-storage. Threshold quantity: 10%, available: ${r.int(2000000, 4000000)}Ki. Container ${p.containers?.[0]} was using ${r.int(100000, 900000)}Ki, request is 0, has larger consumption of ephemeral-storage. `,
            tt - 3 * SEC,
          );
          p.status = { phase: "Failed", reason: "Evicted" };
          w.put(p, tt - 2 * SEC);
        } else {
          w.event(
            v.ctrl,
            "ScalingReplicaSet",
            `Scaled up replica set ${v.rs!.name} to 3 from 2`,
            tt - 2 * SEC,
            { type: "Normal", component: "deployment-controller" },
          );
        }
        const h = w.event(v.rs!, "FailedCreate", msg(tt, v.rs!), tt, { component: "replicaset-controller" });
        for (let t = tt + 20 * SEC; t < t0 + 18 * MIN; t += r.int(30, 120) * SEC)
          w.again(h, t, { step: r.int(1, 6), message: msg(t, v.rs!) });
        if (!sym) sym = r.chance(0.5) ? h.id : A.deploymentReplicasMismatch(w, v.ctrl, tt).id;
      }
      for (const p of wh.pods)
        for (let k = 0; k < 3; k++)
          w.log(
            p,
            t0 + r.int(60, 600) * SEC,
            "WARN",
            `${new Date(t0).toISOString().replace("T", " ").slice(0, 19).replace(/-/g, "/")} http: TLS handshake error from 10.0.${r.int(0, 9)}.${r.int(2, 250)}:${r.int(30000, 60000)}: remote error: tls: bad certificate`,
          );
      return {
        description: `The serving certificate of admission webhook ${wh.app} (failurePolicy: Fail) expires because its Issuer was deleted; from then on the API server rejects every pod creation, so ReplicaSets cannot replace or add pods (FailedCreate: x509 certificate has expired).`,
        symptom: sym,
        root: [rc(cert)],
        blast: victims.map((v) => ref(v.rs!)),
      };
    },
  },
];

export const serviceRouting: VariantDef[] = [
  {
    slug: "helm-chart-migration-labels-changed",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(2, 3), labelKey: "app" });
      const ing = ingressNginx(ctx);
      const host = `${r.pick(["shop", "www", "app"])}.${r.pick(["example.com", "acme.io"])}`;
      ingressFor(ctx, wl, host);
      const [cl] = callers(ctx, 1, { ns, domain });
      const t0 = w.t0;
      // Deployment selectors are immutable: the new chart deletes and re-creates it.
      const oldDep = wl.ctrl;
      w.remove(oldDep, t0, { edges: false });
      for (const p of wl.pods)
        stopPod(w, p, t0 + r.int(1, 4) * SEC, { owner: wl.rs, graceSec: r.int(5, 30) });
      w.remove(wl.rs!, t0 + r.int(2, 5) * SEC);
      const nw = deployment(w, ctx.c, ctx.nodes, {
        ns,
        app: wl.app,
        replicas: wl.pods.length,
        labelKey: "app.kubernetes.io/name",
        image: wl.image,
        port: wl.port,
        service: false,
        t: t0 + r.int(1, 3) * SEC,
        noPods: true,
      });
      ctx.workloads.push(nw);
      w.event(
        nw.ctrl,
        "ScalingReplicaSet",
        `Scaled up replica set ${nw.rs!.name} to ${wl.pods.length}`,
        t0 + r.int(3, 5) * SEC,
        { type: "Normal", component: "deployment-controller" },
      );
      const newPods: Res[] = [];
      for (let i = 0; i < wl.pods.length; i++) {
        const node = r.pick(ctx.nodes);
        const p = createPod(w, nw.rs!, t0 + r.int(3, 6) * SEC, { node, containers: [wl.container] });
        p.podIP = ctx.c.podIP(node.idx ?? 0);
        startContainers(w, p, t0 + r.int(6, 10) * SEC, { pull: false });
        newPods.push(p);
      }
      const svc = wl.svc!;
      for (const p of ing.pods) {
        for (let t = t0 + r.int(5, 20) * SEC; t < t0 + 15 * MIN; t += r.int(20, 90) * SEC)
          w.log(p, t, "WARN", noEndpointWarning(t, svc), { container: "controller" });
      }
      const tg = target(ctx, wl, "http", { sameNs: true });
      const lang = ctx.lang();
      const tSym = t0 + r.int(20, 120) * SEC;
      const sym = r.chance(0.5)
        ? symptomClientError(ctx, cl!.pods[0]!, lang, tg, "refused", tSym)
        : A.appAlert(w, ctx.c, "probe", svc, tSym, { forSec: 120 }).id;
      callerErrors(w, cl!.pods, lang, tg, "refused", tSym + SEC, t0 + 15 * MIN, { everySec: [5, 30] });
      void matches;
      return {
        description: `${wl.app} moves to a new Helm chart that labels pods app.kubernetes.io/name instead of app; the Deployment is deleted and re-created with the new labels, but Service ${ns}/${svc.name} still selects app=${wl.app} and has no endpoints.`,
        symptom: sym,
        root: [{ kind: "Deployment", namespace: ns, name: wl.app }],
        blast: [ref(svc), ...cl!.pods.map(ref)],
      };
    },
  },
  {
    slug: "service-selector-typo",
    twin: true,
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(2, 4) });
      const ing = ingressNginx(ctx);
      const host = `${wl.app}.${r.pick(["example.com", "acme.io"])}`;
      const ingRes = ingressFor(ctx, wl, host);
      const t0 = w.t0;
      const svc = wl.svc!;
      const k = Object.keys(svc.serviceSelector!)[0]!;
      const typo = wl.app.length > 4 ? wl.app.slice(0, 2) + wl.app.slice(3) : `${wl.app}s`;
      svc.serviceSelector = { [k]: typo, tier: "backend" };
      w.put(svc, t0);
      for (const e of w.edgesFrom(svc)) if (e.includes("->pod:")) w.unlink(e, t0 + r.int(1, 5) * SEC);
      for (const p of ing.pods) {
        for (let t = t0 + r.int(2, 15) * SEC; t < t0 + 15 * MIN; t += r.int(15, 90) * SEC)
          w.log(p, t, "WARN", noEndpointWarning(t, svc), { container: "controller" });
      }
      const p0 = ing.pods[0]!;
      const tSym = t0 + r.int(30, 120) * SEC;
      const sym = r.chance(0.5)
        ? A.appAlert(w, ctx.c, "probe", ingRes, tSym, { forSec: 120 }).id
        : symptomLog(
            w,
            p0,
            tSym,
            "ERROR",
            `${new Date(tSym).toISOString().replace("T", " ").slice(0, 19).replace(/-/g, "/")} [error] 43#43: *${r.int(100000, 9999999)} no live upstreams while connecting to upstream, client: 10.0.${r.int(1, 9)}.${r.int(2, 250)}, server: ${host}, request: "GET /api/items HTTP/1.1", upstream: "http://upstream_balancer/api/items", host: "${host}"`,
          );
      return {
        description: `A kustomize patch edits Service ${ns}/${svc.name}'s selector to ${k}=${typo}, tier=backend; no pod matches, the Service has no endpoints and ingress-nginx answers 503 for ${host}.`,
        symptom: sym,
        root: [rc(svc)],
        blast: [ref(wl.ctrl), ...wl.pods.map(ref)],
      };
    },
  },
  {
    slug: "service-targetport-wrong",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(2, 3), port: 8080, svcPort: 80 });
      const ing = ingressNginx(ctx);
      const host = `${wl.app}.${r.pick(["example.com", "acme.io"])}`;
      ingressFor(ctx, wl, host);
      const [cl] = callers(ctx, 1, { ns, domain });
      const t0 = w.t0;
      const svc = wl.svc!;
      svc.spec = {
        ...(svc.spec ?? {}),
        ports: [{ name: "http", port: 80, targetPort: 80, protocol: "TCP" }],
      };
      w.put(svc, t0);
      const until = t0 + 15 * MIN;
      for (const p of ing.pods) {
        for (let t = t0 + r.int(2, 10) * SEC, k = 0; t < until && k < 14; t += r.int(10, 60) * SEC, k++) {
          const pod = r.pick(wl.pods);
          w.log(
            p,
            t,
            "ERROR",
            `${new Date(t).toISOString().replace("T", " ").slice(0, 19).replace(/-/g, "/")} [error] 43#43: *${r.int(100000, 9999999)} connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.${r.int(1, 9)}.${r.int(2, 250)}, server: ${host}, request: "GET /api/items HTTP/1.1", upstream: "http://${pod.podIP}:80/api/items", host: "${host}"`,
            { container: "controller" },
          );
        }
      }
      const tg = { ...target(ctx, wl, "http", { sameNs: true }), port: 80 };
      const lang = ctx.lang();
      const tSym = t0 + r.int(10, 60) * SEC;
      const sym = symptomClientError(ctx, cl!.pods[0]!, lang, tg, "refused", tSym);
      callerErrors(w, cl!.pods, lang, tg, "refused", tSym + SEC, until, { everySec: [5, 30] });
      return {
        description: `Service ${ns}/${svc.name} is re-applied from a chart default with targetPort 80; the pods listen on 8080, so every connection through the Service is refused although endpoints exist.`,
        symptom: sym,
        root: [rc(svc)],
        blast: [...cl!.pods.map(ref)],
      };
    },
  },
];

function netpol(
  ctx: Ctx,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  t: number,
  targets: Res[],
): Res {
  const np = ctx.w.res(ctx.c, "NetworkPolicy", name, ns, { spec });
  ctx.w.put(np, t);
  if (ctx.rng.chance(0.5))
    for (const p of targets) ctx.w.link(np, p, "APPLIES_TO", t + ctx.rng.int(1, 10) * SEC);
  return np;
}

export const networkPolicy: VariantDef[] = [
  {
    slug: "default-deny-ingress-applied",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(2, 3) });
      const cls = callers(ctx, r.int(1, 2), { replicas: 2 });
      const t0 = w.t0;
      const np = netpol(
        ctx,
        ns,
        "default-deny-ingress",
        { podSelector: {}, policyTypes: ["Ingress"] },
        t0,
        wl.pods,
      );
      const tg = target(ctx, wl, "http");
      let sym = "";
      for (const c of cls) {
        const lang = ctx.lang();
        const tSym = t0 + r.int(5, 60) * SEC;
        if (!sym) sym = symptomClientError(ctx, c.pods[0]!, lang, tg, "timeout", tSym);
        callerErrors(w, c.pods, lang, tg, "timeout", tSym + SEC, t0 + 15 * MIN, { everySec: [10, 40] });
      }
      if (r.chance(0.5)) A.appAlert(w, ctx.c, "errors", cls[0]!.svc!, t0 + r.int(2, 4) * MIN);
      return {
        description: `A security baseline adds NetworkPolicy ${ns}/default-deny-ingress before the allow rules for ${wl.app} are in place; packets from other namespaces are dropped and callers time out.`,
        symptom: sym,
        root: [rc(np)],
        blast: [ref(wl.svc!), ...cls.flatMap((c) => c.pods.map(ref))],
      };
    },
  },
  {
    slug: "egress-policy-drops-db-port",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const db = pgStatefulSet(ctx, ns, domain);
      const wl = ctx.deploy({ ns, domain, replicas: r.int(2, 3) });
      const t0 = w.t0;
      const spec = (port: number) => ({
        podSelector: { matchLabels: wl.podLabels },
        policyTypes: ["Egress"],
        egress: [
          { to: [{ podSelector: { matchLabels: db.podLabels } }], ports: [{ protocol: "TCP", port }] },
          {
            to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [{ protocol: "UDP", port: 53 }],
          },
        ],
      });
      const np = netpol(ctx, ns, `${wl.app}-egress`, spec(5432), w.tList + r.int(1, 30) * SEC, wl.pods);
      np.spec = spec(5433);
      w.put(np, t0);
      const tg = dbTarget(ctx, db, "postgres");
      const lang = ctx.lang();
      const tSym = t0 + r.int(10, 90) * SEC;
      const sym = r.chance(0.5)
        ? symptomClientError(ctx, wl.pods[0]!, lang, tg, "timeout", tSym)
        : A.appAlert(w, ctx.c, "errors", wl.svc!, tSym + MIN).id;
      callerErrors(w, wl.pods, lang, tg, "timeout", t0 + 5 * SEC, t0 + 15 * MIN, { everySec: [8, 30] });
      return {
        description: `NetworkPolicy ${ns}/${np.name} is edited and its egress rule to ${db.app} now allows TCP 5433 instead of 5432; ${wl.app}'s new database connections hang until they time out.`,
        symptom: sym,
        root: [rc(np)],
        blast: wl.pods.map(ref),
      };
    },
  },
  {
    slug: "ingress-namespace-label-removed",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const wl = ctx.deploy({ ns, domain, replicas: r.int(2, 3) });
      const ing = ingressNginx(ctx);
      const host = `${wl.app}.${r.pick(["example.com", "acme.io"])}`;
      ingressFor(ctx, wl, host);
      const nsRes = w.res(ctx.c, "Namespace", "ingress-nginx", undefined, {
        labels: {
          "kubernetes.io/metadata.name": "ingress-nginx",
          "network.acme.io/zone": "edge",
          "app.kubernetes.io/managed-by": "Helm",
        },
      });
      w.put(nsRes, w.tList);
      netpol(
        ctx,
        ns,
        "allow-from-edge",
        {
          podSelector: {},
          policyTypes: ["Ingress"],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { "network.acme.io/zone": "edge" } } }] }],
        },
        w.tList + 2 * SEC,
        wl.pods,
      );
      const t0 = w.t0;
      nsRes.labels = {
        "kubernetes.io/metadata.name": "ingress-nginx",
        "app.kubernetes.io/managed-by": "Helm",
      };
      w.put(nsRes, t0);
      const until = t0 + 15 * MIN;
      let sym = "";
      for (const p of ing.pods) {
        for (let t = t0 + r.int(5, 20) * SEC, k = 0; t < until && k < 12; t += r.int(15, 60) * SEC, k++) {
          const pod = r.pick(wl.pods);
          const line = `${new Date(t).toISOString().replace("T", " ").slice(0, 19).replace(/-/g, "/")} [error] 38#38: *${r.int(100000, 9999999)} upstream timed out (110: Operation timed out) while connecting to upstream, client: 10.0.${r.int(1, 9)}.${r.int(2, 250)}, server: ${host}, request: "GET / HTTP/1.1", upstream: "http://${pod.podIP}:${wl.port}/", host: "${host}"`;
          if (!sym) sym = symptomLog(w, p, t, "ERROR", line);
          else w.log(p, t, "ERROR", line, { container: "controller" });
        }
      }
      if (r.chance(0.5))
        sym = A.appAlert(w, ctx.c, "probe", wl.svc!, t0 + r.int(1, 3) * MIN, { forSec: 120 }).id;
      return {
        description: `A Terraform apply rewrites Namespace ingress-nginx's labels and drops network.acme.io/zone=edge; ${ns}'s NetworkPolicy only admits traffic from namespaces with that label, so ingress-nginx's connections to ${wl.app} are dropped and time out.`,
        symptom: sym,
        root: [rc(nsRes)],
        blast: [ref(wl.svc!), ...ing.pods.map(ref)],
      };
    },
  },
];

export const pvcFull: VariantDef[] = [
  {
    slug: "postgres-wal-no-space",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const db = pgStatefulSet(ctx, ns, domain);
      const apps = callers(ctx, r.int(1, 2), { ns, domain });
      const t0 = w.t0;
      const pvc = db.pvcs[0]!;
      const pgp = db.pods[0]!;
      const node = ctx.nodes.find((n) => n.name === pgp.node)!;
      A.pvFillingUp(w, pvc, node, r.float(8, 14), t0 - 3 * 24 * 60 * MIN, { predictive: true });
      A.pvFillingUp(w, pvc, node, r.float(0.5, 2.9), t0 - r.int(2, 6) * MIN);
      const until = t0 + r.int(16, 21) * MIN;
      const { crashes } = crashLoop(w, pgp, {
        term: "Error",
        exitCode: 1,
        firstStart: t0 - 5 * 3600 * SEC,
        firstRunSec: 5 * 3600,
        runSec: [2, 8],
        until,
        onRun: (ts, te, i) => {
          if (i === 0) {
            w.log(
              pgp,
              te - 2000,
              "ERROR",
              pgLog(
                te - 2000,
                "ERROR",
                `could not extend file "base/16384/${r.int(16000, 99999)}": No space left on device`,
              ),
            );
            w.log(
              pgp,
              te - 300,
              "ERROR",
              pgLog(
                te - 300,
                "PANIC",
                `could not write to file "pg_wal/xlogtemp.${r.int(100, 999)}": No space left on device`,
              ),
            );
            return;
          }
          w.log(
            pgp,
            ts + 500,
            "INFO",
            pgLog(
              ts + 500,
              "LOG",
              "database system was interrupted; last known up at " +
                new Date(t0 - 2 * MIN).toISOString().replace("T", " ").slice(0, 19) +
                " UTC",
            ),
          );
          w.log(
            pgp,
            te - 100,
            "ERROR",
            pgLog(te - 100, "FATAL", `could not write lock file "postmaster.pid": No space left on device`),
          );
        },
      });
      const tg = dbTarget(ctx, db, "postgres");
      const tSym = crashes[0]! + r.int(5, 40) * SEC;
      const sym = symptomClientError(ctx, apps[0]!.pods[0]!, ctx.lang(), tg, "refused", tSym);
      for (const a of apps)
        callerErrors(w, a.pods, ctx.lang(), tg, "refused", tSym, until, { everySec: [5, 25] });
      return {
        description: `PVC ${ns}/${pvc.name} fills up (WAL kept for a dead replication slot); postgres PANICs on a WAL write, then cannot restart without space, and its clients get connection refused.`,
        symptom: sym,
        root: [rc(pvc)],
        blast: [ref(pgp), ref(db.svc!), ...apps.flatMap((a) => a.pods.map(ref))],
      };
    },
  },
  {
    slug: "kafka-broker-log-dir-full",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns, domain] = ctx.names.ns();
      const name = ctx.names.db("kafka");
      const k = ctx.sts({
        ns,
        domain,
        app: name,
        replicas: 3,
        port: 9092,
        image: "docker.io/bitnami/kafka:3.6.1-debian-11-r6",
        storage: "200Gi",
        mem: "6Gi",
      });
      const producers = callers(ctx, r.int(1, 2), { replicas: 2 });
      const t0 = w.t0;
      const bi = r.int(0, 2);
      const broker = k.pods[bi]!;
      const pvc = k.pvcs[bi]!;
      const node = ctx.nodes.find((n) => n.name === broker.node)!;
      A.pvFillingUp(w, pvc, node, r.float(0.3, 2.5), t0 - r.int(1, 5) * MIN);
      const until = t0 + r.int(16, 21) * MIN;
      crashLoop(w, broker, {
        term: "Error",
        exitCode: 1,
        firstStart: t0 - 2 * 24 * 3600 * SEC,
        firstRunSec: 2 * 24 * 3600,
        runSec: [20, 60],
        until,
        onRun: (_ts, te) => {
          const topic = r.pick(["orders", "payments.events", "clickstream", "audit-log"]);
          w.log(
            broker,
            te - 3000,
            "ERROR",
            `[${new Date(te - 3000).toISOString().replace("T", " ").replace("Z", "").replace(".", ",")}] ERROR Error while appending records to ${topic}-${r.int(0, 11)} in dir /bitnami/kafka/data (org.apache.kafka.storage.internals.log.LogDirFailureChannel)\njava.io.IOException: No space left on device`,
          );
          w.log(
            broker,
            te - 200,
            "ERROR",
            `[${new Date(te - 200).toISOString().replace("T", " ").replace("Z", "").replace(".", ",")}] ERROR Shutdown broker because all log dirs in /bitnami/kafka/data have failed (kafka.log.LogManager)`,
          );
        },
      });
      const tg = {
        ...target(ctx, k, "kafka", { sameNs: false }),
        ip: broker.podIP!,
        host: `${broker.name}.${name}-headless.${ns}.svc.cluster.local`,
      };
      const lang = ctx.lang();
      const tSym = t0 + r.int(20, 120) * SEC;
      const sym = r.chance(0.5)
        ? symptomClientError(ctx, producers[0]!.pods[0]!, lang, tg, "refused", tSym)
        : A.appAlert(w, ctx.c, "queue", producers[0]!.svc!, tSym).id;
      for (const p of producers)
        callerErrors(w, p.pods, ctx.lang(), tg, "refused", tSym, until, { everySec: [10, 45] });
      A.statefulSetReplicasMismatch(w, k.ctrl, t0 + 30 * SEC);
      return {
        description: `Broker ${broker.name}'s PVC ${pvc.name} fills up (retention.bytes unset on a hot topic); the broker shuts down on IOException and keeps failing to start, its partitions go offline for producers.`,
        symptom: sym,
        root: [rc(pvc)],
        blast: [ref(broker), ...producers.flatMap((p) => p.pods.map(ref))],
      };
    },
  },
  {
    slug: "elasticsearch-flood-stage-read-only",
    build(ctx) {
      const { w, rng: r } = ctx;
      const es = ctx.sts({
        ns: "logging",
        domain: "",
        app: "elasticsearch-data",
        replicas: 3,
        port: 9200,
        image: "docker.elastic.co/elasticsearch/elasticsearch:8.12.2",
        storage: "500Gi",
        mem: "8Gi",
        service: "elasticsearch",
      });
      const fb = (() => {
        const d = deployment(w, ctx.c, ctx.nodes, {
          ns: "logging",
          app: "fluent-bit",
          container: "fluent-bit",
          replicas: ctx.nodes.length,
          image: "cr.fluentbit.io/fluent/fluent-bit:2.2.2",
          labelKey: "app.kubernetes.io/name",
          service: false,
        });
        ctx.workloads.push(d);
        return d;
      })();
      const t0 = w.t0;
      const bi = r.int(0, 2);
      const pod = es.pods[bi]!;
      const pvc = es.pvcs[bi]!;
      const node = ctx.nodes.find((n) => n.name === pod.node)!;
      A.pvFillingUp(w, pvc, node, r.float(3.1, 4.9), t0 - 2 * MIN, { severity: "warning" });
      const day = new Date(t0).toISOString().slice(0, 10).replace(/-/g, ".");
      w.log(
        pod,
        t0,
        "WARN",
        JSON.stringify({
          "@timestamp": new Date(t0).toISOString(),
          "log.level": "WARN",
          message: `flood stage disk watermark [95%] exceeded on [${r.hex(22)}][${pod.name}][/usr/share/elasticsearch/data] free: ${r.int(8, 24)}.${r.int(1, 9)}gb[4.${r.int(1, 9)}%], all indices on this node will be marked read-only`,
          "log.logger": "org.elasticsearch.cluster.routing.allocation.DiskThresholdMonitor",
        }),
      );
      let sym = "";
      for (const p of fb.pods) {
        for (
          let t = t0 + r.int(5, 30) * SEC, k = 0;
          t < t0 + 15 * MIN && k < 10;
          t += r.int(20, 90) * SEC, k++
        ) {
          const line = `[${new Date(t).toISOString().replace("T", " ").slice(0, 19).replace(/-/g, "/")}] [error] [output:es:es.0] HTTP status=429 URI=/_bulk, response:\n{"error":{"root_cause":[{"type":"cluster_block_exception","reason":"index [logs-${day}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];"}],"type":"cluster_block_exception"},"status":429}`;
          if (!sym && r.chance(0.4)) sym = symptomLog(w, p, t, "ERROR", line);
          else w.log(p, t, "ERROR", line);
        }
      }
      if (!sym)
        sym = symptomLog(
          w,
          fb.pods[0]!,
          t0 + 3 * MIN,
          "ERROR",
          `[${new Date(t0 + 3 * MIN).toISOString().replace("T", " ").slice(0, 19).replace(/-/g, "/")}] [ warn] [engine] failed to flush chunk '1-${r.int(1700000000, 1759999999)}.${r.int(100000000, 999999999)}.flb', retry in ${r.int(6, 60)} seconds: task_id=${r.int(0, 400)}, input=tail.0 > output=es.0 (out_id=0)`,
        );
      return {
        description: `${pvc.name} (${pod.name}) crosses Elasticsearch's flood-stage watermark; indices with shards there become read-only and every fluent-bit bulk request is rejected with 429 cluster_block_exception.`,
        symptom: sym,
        root: [rc(pvc)],
        blast: [ref(pod), ...fb.pods.map(ref)],
      };
    },
  },
];

export const jobFailure: VariantDef[] = [
  {
    slug: "cronjob-image-bump-missing-module",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns] = ctx.names.ns();
      const name = ctx.names.take(r.pick(["nightly-export", "invoice-run", "ledger-reconcile", "feed-sync"]));
      const img = `${ctx.c.registry}/${ns}/${name}:${r.int(1, 3)}.${r.int(0, 20)}.${r.int(0, 9)}`;
      const cj = w.res(ctx.c, "CronJob", name, ns, {
        labels: { app: name },
        image: img,
        spec: {
          schedule: "*/30 * * * *",
          concurrencyPolicy: "Forbid",
          jobTemplate: {
            spec: { backoffLimit: 3, template: { spec: { containers: [{ name, image: img }] } } },
          },
        },
      });
      w.put(cj, w.tList);
      const t0 = w.t0;
      const newImg = img.replace(/:[^:]+$/, `:${bump(w, img.split(":").pop()!)}`);
      cj.image = newImg;
      cj.spec = {
        ...(cj.spec ?? {}),
        jobTemplate: {
          spec: { backoffLimit: 3, template: { spec: { containers: [{ name, image: newImg }] } } },
        },
      };
      const tRun = Math.ceil(t0 / (30 * MIN)) * 30 * MIN;
      w.put(cj, Math.min(t0, tRun - r.int(3, 12) * MIN));
      const jobName = cronJobName(name, tRun);
      const job = w.res(ctx.c, "Job", jobName, ns, {
        labels: { app: name, "job-name": jobName },
        ownerRefs: [{ kind: "CronJob", name, uid: cj.uid, controller: true }],
        image: newImg,
        spec: { backoffLimit: 3 },
        status: { active: 1 },
      });
      w.event(cj, "SuccessfulCreate", `Created job ${jobName}`, tRun + r.int(100, 900), {
        type: "Normal",
        component: "cronjob-controller",
      });
      w.put(job, tRun + r.int(100, 900));
      w.link(cj, job, "CONTROLS", tRun + r.int(200, 1200));
      let tt = tRun + 2 * SEC;
      const pods: Res[] = [];
      for (let i = 0; i < 4; i++) {
        const node = r.pick(ctx.nodes);
        const p = createPod(w, job, tt, { node, containers: [name], labels: { "job-name": jobName } });
        p.image = newImg;
        pods.push(p);
        startContainers(w, p, tt + 2 * SEC, { pull: i === 0, ready: false });
        const s = startedAt(p)!;
        w.log(
          p,
          s + r.int(1, 3) * SEC,
          "ERROR",
          `Traceback (most recent call last):\n  File "/app/main.py", line 4, in <module>\n    import boto3\nModuleNotFoundError: No module named 'boto3'`,
        );
        const end = s + r.int(2, 5) * SEC;
        w.watcherEvent(
          p,
          "Error",
          `Container ${name} terminated with Error (exit code 1), restart count 0`,
          end,
        );
        p.status = { phase: "Failed", restartCount: 0, containerReady: false };
        w.put(p, end + 500);
        tt = end + 10 * SEC * 2 ** i;
      }
      const hb = w.event(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", tt, {
        component: "job-controller",
      });
      job.status = {
        failed: 4,
        conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }],
      };
      w.put(job, tt + 500);
      w.event(
        cj,
        "SawCompletedJob",
        `Saw completed job: ${jobName}, status: Failed`,
        tt + r.int(2, 9) * SEC,
        { type: "Normal", component: "cronjob-controller" },
      );
      const sym = r.chance(0.6) ? A.jobFailed(w, job, tt + r.int(10, 60) * SEC).id : hb.id;
      return {
        description: `CronJob ${ns}/${name} is bumped to an image whose requirements lost boto3; the next run's pods exit with ModuleNotFoundError until the Job hits its backoffLimit.`,
        symptom: sym,
        root: [rc(cj)],
        blast: [ref(job), ...pods.map(ref)],
      };
    },
  },
  {
    slug: "job-pods-oomkilled-backoff-limit",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns] = ctx.names.ns();
      const name = ctx.names.take(
        r.pick(["search-reindex", "ml-features", "catalog-import", "report-monthly"]),
      );
      const t0 = w.t0;
      const jobName = `${name}-${r.safe(5)}`;
      const img = `${ctx.c.registry}/${ns}/${name}:${r.int(1, 3)}.${r.int(0, 20)}.${r.int(0, 9)}`;
      const job = w.res(ctx.c, "Job", jobName, ns, {
        labels: { app: name },
        image: img,
        spec: {
          backoffLimit: 2,
          template: {
            spec: { containers: [{ name, image: img, resources: { limits: { memory: "2Gi" } } }] },
          },
        },
        status: { active: 1 },
      });
      w.put(job, t0 - r.int(1, 3) * MIN);
      let tt = t0 - 50 * SEC;
      const roots = [];
      const pods: Res[] = [];
      for (let i = 0; i < 3; i++) {
        const node = r.pick(ctx.nodes);
        const p = createPod(w, job, tt, { node, containers: [name], labels: { "job-name": jobName } });
        p.image = img;
        pods.push(p);
        startContainers(w, p, tt + 2 * SEC, { pull: i === 0, ready: false });
        const s = startedAt(p)!;
        w.log(
          p,
          s + 4 * SEC,
          "INFO",
          `loading ${r.int(2, 40)}M rows from ${r.pick(["s3://", "gs://"])}${ns}-exports/latest/ into memory`,
        );
        const end = s + r.int(60, 200) * SEC;
        w.watcherEvent(
          p,
          "OOMKilled",
          `Container ${name} terminated with OOMKilled (exit code 137), restart count 0`,
          end,
        );
        if (w.style.npd)
          w.event(
            node,
            "OOMKilling",
            `Memory cgroup out of memory: Killed process ${r.int(1000, 60000)} (python) total-vm:${r.int(3_000_000, 6_000_000)}kB, anon-rss:2097152kB, file-rss:${r.int(1000, 30000)}kB, shmem-rss:0kB, UID:1000 pgtables:${r.int(4000, 9000)}kB oom_score_adj:${r.pick([999, 984])}`,
            end,
            { component: "kernel-monitor", host: node.name },
          );
        p.status = { phase: "Failed", restartCount: 0, containerReady: false, reason: "OOMKilled" };
        w.put(p, end + 500);
        roots.push(rc(p, "OOMKilled"));
        tt = end + 10 * SEC * 2 ** i;
      }
      const hb = w.event(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", tt, {
        component: "job-controller",
      });
      job.status = {
        failed: 3,
        conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }],
      };
      w.put(job, tt + 500);
      const sym = r.chance(0.6) ? A.jobFailed(w, job, tt + r.int(5, 40) * SEC).id : hb.id;
      return {
        description: `Job ${ns}/${jobName} loads a dataset that grew past its 2Gi limit; each attempt is OOM-killed and the Job fails with BackoffLimitExceeded.`,
        symptom: sym,
        root: roots,
        blast: [ref(job)],
      };
    },
  },
  {
    slug: "s3-key-rotated-wrong-secret",
    build(ctx) {
      const { w, rng: r } = ctx;
      const [ns] = ctx.names.ns();
      const name = ctx.names.take(r.pick(["db-backup", "archive-uploader", "snapshot-export"]));
      const sec = secret(ctx, ns, `${name}-s3`, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
      const img = `${ctx.c.registry}/${ns}/${name}:${r.int(1, 2)}.${r.int(0, 9)}.${r.int(0, 9)}`;
      const cj = w.res(ctx.c, "CronJob", name, ns, {
        labels: { app: name },
        image: img,
        spec: { schedule: "0 * * * *", jobTemplate: { spec: { backoffLimit: 2 } } },
      });
      w.put(cj, w.tList);
      const t0 = w.t0;
      const tRun = Math.ceil(t0 / (60 * MIN)) * 60 * MIN;
      const tRot = tRun - r.int(4, 10) * MIN;
      sec.extra = {
        type: "Opaque",
        data: { AWS_ACCESS_KEY_ID: "(redacted)", AWS_SECRET_ACCESS_KEY: "(redacted)" },
        annotations: { "rotated-at": new Date(tRot).toISOString() },
      };
      w.put(sec, tRot);
      const jobName = cronJobName(name, tRun);
      const job = w.res(ctx.c, "Job", jobName, ns, {
        labels: { "job-name": jobName },
        ownerRefs: [{ kind: "CronJob", name, uid: cj.uid, controller: true }],
        image: img,
        status: { active: 1 },
      });
      w.event(cj, "SuccessfulCreate", `Created job ${jobName}`, tRun, {
        type: "Normal",
        component: "cronjob-controller",
      });
      w.put(job, tRun + 300);
      w.link(cj, job, "CONTROLS", tRun + 500);
      if (r.chance(0.6)) w.link(job, sec, "USES", tRun + 600);
      let tt = tRun + 2 * SEC;
      const pods: Res[] = [];
      for (let i = 0; i < 3; i++) {
        const node = r.pick(ctx.nodes);
        const p = createPod(w, job, tt, { node, containers: [name], labels: { "job-name": jobName } });
        p.image = img;
        pods.push(p);
        startContainers(w, p, tt + 2 * SEC, { pull: false, ready: false });
        const s = startedAt(p)!;
        w.log(
          p,
          s + r.int(2, 6) * SEC,
          "ERROR",
          `upload failed: s3://${ns}-backups/${new Date(tRun).toISOString().slice(0, 13)}/dump.sql.gz: An error occurred (InvalidAccessKeyId) when calling the PutObject operation: The AWS Access Key Id you provided does not exist in our records.`,
        );
        const end = s + r.int(6, 12) * SEC;
        w.watcherEvent(
          p,
          "Error",
          `Container ${name} terminated with Error (exit code 1), restart count 0`,
          end,
        );
        p.status = { phase: "Failed", restartCount: 0, containerReady: false };
        w.put(p, end + 500);
        tt = end + 10 * SEC * 2 ** i;
      }
      const hb = w.event(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", tt, {
        component: "job-controller",
      });
      w.put(job, tt + 400);
      const sym = r.chance(0.5) ? A.jobFailed(w, job, tt + 20 * SEC).id : hb.id;
      return {
        description: `The S3 access key in Secret ${ns}/${sec.name} is rotated to a key ID that was never activated; the next ${name} run fails every attempt with InvalidAccessKeyId and the Job exceeds its backoff limit.`,
        symptom: sym,
        root: [rc(sec)],
        blast: [ref(job), ...pods.map(ref)],
      };
    },
  },
];

export { chatter };
