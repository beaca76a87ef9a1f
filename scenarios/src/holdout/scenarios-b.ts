/** Held-out scenarios, part B: nodes, networking, storage, Jobs, scheduling priority. */

import { nodeLost } from "../families/infra.js";
import * as A from "../lib/alerts.js";
import {
  crashLoop,
  createPod,
  daemonSet,
  deployment,
  evict,
  imageRef,
  mountFailure,
  podEvent,
  scalingMessage,
  setNodeConds,
  startContainers,
  startedAt,
  stopPod,
} from "../lib/k8s.js";
import { type Ctx, rc, ref, type VariantDef } from "../lib/scenario.js";
import type { Res } from "../lib/world.js";
import { MIN, meshClients, meshFailures, meshTarget, pager, SEC } from "./helpers.js";

const NON_EKS = ["gke", "aks", "kubeadm"] as const;

function dnsFailures(
  ctx: Ctx,
  pods: Res[],
  server: string,
  kind: "timeout" | "refused",
  from: number,
  to: number,
): string {
  const { w, rng: r } = ctx;
  let first = "";
  const hosts = [
    "api.stripe.com",
    "login.microsoftonline.com",
    "storage.googleapis.com",
    "kafka-cluster-kafka-bootstrap.streaming-prod.svc.cluster.local",
  ];
  for (const p of pods) {
    for (let t = from + r.int(0, 30) * SEC, k = 0; t < to && k < 10; t += r.int(15, 70) * SEC, k++) {
      const host = r.pick(hosts);
      const tail = kind === "timeout" ? "i/o timeout" : "read: connection refused";
      const msg = r.chance(0.5)
        ? JSON.stringify({
            level: "error",
            ts: new Date(t).toISOString(),
            msg: "outbound call failed",
            error: `Post "https://${host}/v1/x": dial tcp: lookup ${host} on ${server}:53: read udp ${p.podIP}:${r.int(32768, 60999)}->${server}:53: ${tail}`,
          })
        : `${new Date(t).toISOString().replace("T", " ").slice(0, 23)} ERROR 1 --- [nio-8080-exec-${r.int(1, 90)}] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() threw exception: java.net.UnknownHostException: ${host}: Temporary failure in name resolution`;
      const id = w.log(p, t, "ERROR", msg, { id: first === "" ? true : undefined });
      if (!first && id) first = id;
    }
  }
  return first;
}

export const holdoutB: { fault: string; variant: VariantDef }[] = [
  {
    fault: "node-not-ready",
    variant: {
      slug: "kubelet-client-cert-expired",
      flavors: ["kubeadm"],
      build(ctx) {
        const { w, rng: r } = ctx;
        const node = r.pick(ctx.nodes);
        const wl = ctx.deploy({
          replicas: 2,
          nodeSpread: [node, r.pick(ctx.nodes.filter((n) => n !== node))],
        });
        const cls = meshClients(ctx, 1);
        const t0 = w.t0;
        const lost = nodeLost(ctx, node, t0);
        A.kubeletDown(w, ctx.c, t0 + 10 * SEC);
        A.nodeNotReady(w, node, lost.evictedAt - 290 * SEC);
        const tg = meshTarget(wl);
        const first = meshFailures(
          ctx,
          cls[0]!.pods,
          tg,
          "timeout",
          t0 + r.int(60, 180) * SEC,
          lost.evictedAt,
          { everySec: [20, 60] },
        );
        const sym = r.chance(0.5) ? first : pager(ctx, cls[0]!, t0 + r.int(2, 4) * MIN);
        for (const p of lost.podEvents.keys()) {
          w.event(
            p,
            "TaintManagerEviction",
            `Marking for deletion Pod ${p.namespace}/${p.name}`,
            lost.evictedAt + r.int(0, 2000),
            { type: "Normal", component: "taint-controller" },
          );
        }
        return {
          description: `The kubelet client certificate on ${node.name} (kubeadm, rotation disabled) expires; the kubelet can no longer authenticate to the API server, stops posting status, and the node goes NotReady/Unknown. Workloads there are only moved after the 5-minute taint eviction.`,
          symptom: sym,
          root: [rc(node, "NodeNotReady")],
          blast: [ref(wl.svc!), ...[...lost.podEvents.keys()].map(ref)],
        };
      },
    },
  },
  {
    fault: "node-pressure",
    variant: {
      slug: "besteffort-batch-pod-memory-hog",
      flavors: [...NON_EKS],
      build(ctx) {
        const { w, rng: r } = ctx;
        const node = r.pick(ctx.nodes);
        const svcWl = ctx.deploy({ replicas: 2, nodeSpread: [node, node] });
        const [ns] = ctx.names.ns();
        const hogName = ctx.names.take(r.pick(["adhoc-report", "backfill-2024q4", "notebook-export"]));
        const hog = w.res(ctx.c, "Pod", `${hogName}-${r.safe(5)}`, ns, {
          node: node.name,
          podIP: ctx.c.podIP(node.idx ?? 0),
          image: imageRef(ctx.c, ns, hogName, "latest"),
          status: { phase: "Running", restartCount: 0, containerReady: true, qosClass: "BestEffort" },
          containers: [hogName],
        });
        w.put(hog, w.tList + 5 * SEC);
        w.link(hog, node, "RUNS_ON", w.tList + 6 * SEC);
        const t0 = w.t0;
        for (let t = t0 - 8 * MIN; t < t0; t += r.int(60, 120) * SEC)
          w.log(
            hog,
            t,
            "INFO",
            `processed ${r.int(1, 40)}M rows, resident set ${r.int(6, 28)}.${r.int(0, 9)} GiB`,
          );
        setNodeConds(w, node, t0, { MemoryPressure: "True" });
        w.event(
          node,
          "NodeHasInsufficientMemory",
          `Node ${node.name} status is now: NodeHasInsufficientMemory`,
          t0 + SEC,
          { type: "Normal", host: node.name },
        );
        w.event(node, "EvictionThresholdMet", "Attempting to reclaim memory", t0 + 3 * SEC, {
          host: node.name,
        });
        if (w.style.npd)
          w.event(
            node,
            "OOMKilling",
            `Out of memory: Killed process ${r.int(1000, 60000)} (java) total-vm:8012340kB, anon-rss:1932100kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:4410kB oom_score_adj:${r.pick([936, 968])}`,
            t0 + 2 * SEC,
            { component: "kernel-monitor", host: node.name },
          );
        const victim = svcWl.pods[0]!;
        w.watcherEvent(
          victim,
          "OOMKilled",
          `Container ${svcWl.container} terminated with OOMKilled (exit code 137), restart count 1`,
          t0 + 3 * SEC,
        );
        evict(
          w,
          hog,
          t0 + r.int(8, 20) * SEC,
          `The node was low on resource: memory. Threshold quantity: 100Mi, available: ${r.int(20000, 90000)}Ki. Container ${hogName} was using ${r.int(18_000_000, 29_000_000)}Ki, request is 0, has larger consumption of memory. `,
        );
        const e2 = evict(
          w,
          svcWl.pods[1]!,
          t0 + r.int(20, 40) * SEC,
          `The node was low on resource: memory. Threshold quantity: 100Mi, available: ${r.int(20000, 90000)}Ki. Container ${svcWl.container} was using ${r.int(700_000, 1_500_000)}Ki, request is 256Mi, has larger consumption of memory. `,
        );
        const sym = r.chance(0.5) ? e2.id : pager(ctx, svcWl, t0 + MIN);
        return {
          description: `An ad-hoc BestEffort pod (${hog.name}, no requests or limits) reads a huge export into memory on ${node.name}; the node hits MemoryPressure, the kernel OOM-kills a ${svcWl.app} container and the kubelet evicts pods, ${svcWl.app}'s included.`,
          symptom: sym,
          root: [rc(hog)],
          blast: [ref(node), ...svcWl.pods.map(ref)],
        };
      },
    },
  },
  {
    fault: "database-down",
    variant: {
      slug: "mysql-ephemeral-storage-limit-evicted",
      build(ctx) {
        const { w, rng: r } = ctx;
        const [ns, domain] = ctx.names.ns();
        const name = ctx.names.db("mysql");
        const db = ctx.sts({
          ns,
          domain,
          app: name,
          replicas: 1,
          port: 3306,
          image: "docker.io/percona/percona-server:8.0.35-27",
        });
        const cls = meshClients(ctx, r.int(1, 2));
        const t0 = w.t0;
        const pod = db.pods[0]!;
        w.log(
          pod,
          t0 - r.int(60, 300) * SEC,
          "WARN",
          `${new Date(t0).toISOString()} 0 [Warning] [MY-013711] [Server] Manifest file '/tmp/#sql${r.hex(6)}_${r.int(10, 99)}_${r.int(1, 9)}.ibd' is not writable.`,
        );
        const h = evict(
          w,
          pod,
          t0,
          "Pod ephemeral local storage usage exceeds the total limit of containers 2Gi. ",
        );
        const gone = t0 + 40 * SEC;
        const np = createPod(w, db.ctrl, gone, {
          name: pod.name,
          node: r.pick(ctx.nodes),
          containers: [db.container],
          svc: db.svc,
        });
        startContainers(w, np, gone + 3 * SEC, { pull: true, readySec: r.int(90, 200) });
        const tg = { ...meshTarget(db, "mysql"), user: "svc" };
        const first = meshFailures(ctx, cls[0]!.pods, tg, "refused", t0 + r.int(5, 30) * SEC, t0 + 6 * MIN, {
          everySec: [5, 25],
        });
        const sym = r.chance(0.6) ? first : pager(ctx, cls[0]!, t0 + MIN);
        void h;
        return {
          description: `Large temporary tables of a reporting query spill into ${pod.name}'s emptyDir tmpdir; the pod exceeds its 2Gi ephemeral-storage limit and the kubelet evicts it. Clients are refused until the StatefulSet pod is recreated and recovers.`,
          symptom: sym,
          root: [rc(pod, "Evicted")],
          blast: [ref(db.svc!), ...cls[0]!.pods.map(ref)],
        };
      },
    },
  },
  {
    fault: "dns-failure",
    variant: {
      slug: "coredns-scaled-to-zero-wrong-context",
      flavors: ["aks", "kubeadm"],
      build(ctx) {
        const { w, rng: r } = ctx;
        const dns = deployment(w, ctx.c, ctx.nodes, {
          ns: "kube-system",
          app: "coredns",
          container: "coredns",
          labelKey: "k8s-app",
          replicas: 2,
          port: 53,
          image: `registry.k8s.io/coredns/coredns:v1.11.1`,
          service: "kube-dns",
          svcPort: 53,
        });
        ctx.workloads.push(dns);
        const apps = [ctx.deploy({ replicas: 2 }), ctx.deploy({ replicas: 2 }), ctx.deploy({ replicas: 1 })];
        const t0 = w.t0;
        dns.ctrl.replicas = 0;
        (dns.ctrl.spec as Record<string, unknown>).replicas = 0;
        w.put(dns.ctrl, t0);
        w.event(dns.ctrl, "ScalingReplicaSet", scalingMessage(ctx.c, "down", dns.rs!.name, 0, 2), t0 + 300, {
          type: "Normal",
          component: "deployment-controller",
        });
        for (const p of dns.pods) stopPod(w, p, t0 + r.int(1, 3) * SEC, { owner: dns.rs, graceSec: 5 });
        const first = dnsFailures(
          ctx,
          apps.flatMap((a) => a.pods),
          ctx.c.dnsIP,
          "refused",
          t0 + 10 * SEC,
          t0 + 16 * MIN,
        );
        const sym = r.chance(0.6) ? first : A.coreDnsDown(w, ctx.c, t0 + 15 * SEC).id;
        return {
          description: `An engineer runs kubectl scale deploy/coredns --replicas=0 believing the context was a test cluster; kube-dns has no endpoints and every lookup in the cluster is refused.`,
          symptom: sym,
          root: [rc(dns.ctrl)],
          blast: [ref(dns.svc!), ...apps.flatMap((a) => a.pods.map(ref))],
        };
      },
    },
  },
  {
    fault: "dns-failure",
    variant: {
      slug: "node-local-dns-crash-one-node",
      twin: true,
      flavors: [...NON_EKS],
      build(ctx) {
        const { w, rng: r } = ctx;
        const nld = daemonSet(w, ctx.c, ctx.nodes, {
          ns: "kube-system",
          app: "node-local-dns",
          image: "registry.k8s.io/dns/k8s-dns-node-cache:1.22.28",
          port: 53,
          mem: "128Mi",
          extraLabels: { hostNetwork: "true" },
        });
        ctx.workloads.push(nld);
        const node = r.pick(ctx.nodes);
        const local = [
          ctx.deploy({ replicas: 2, nodeSpread: [node, node] }),
          ctx.deploy({ replicas: 1, nodeSpread: [node] }),
        ];
        ctx.deploy({ replicas: 2 });
        const t0 = w.t0;
        const pod = nld.pods.find((p) => p.node === node.name)!;
        crashLoop(w, pod, {
          term: "OOMKilled",
          exitCode: 137,
          firstStart: t0 - 3 * 3600 * SEC,
          firstRunSec: 3 * 3600,
          runSec: [20, 80],
          until: t0 + 18 * MIN,
          node,
          oomProcess: "node-cache",
        });
        const first = dnsFailures(
          ctx,
          local.flatMap((l) => l.pods),
          "169.254.20.10",
          "refused",
          t0 + 2 * SEC,
          t0 + 16 * MIN,
        );
        const sym = r.chance(0.6) ? first : pager(ctx, local[0]!, t0 + 2 * MIN);
        return {
          description: `The node-local-dns pod on ${node.name} is OOM-killed repeatedly (128Mi limit under a query burst); only pods on that node lose DNS (lookups to 169.254.20.10 are refused), everything else is fine.`,
          symptom: sym,
          root: [rc(pod, "OOMKilled")],
          blast: local.flatMap((l) => l.pods.map(ref)),
        };
      },
    },
  },
  {
    fault: "tls-ca-rotation",
    variant: {
      slug: "broker-cert-reissued-by-new-ca",
      twin: true,
      flavors: [...NON_EKS],
      build(ctx) {
        const { w, rng: r } = ctx;
        const [ns, domain] = ctx.names.ns();
        const kName = ctx.names.db("kafka");
        const k = ctx.sts({
          ns,
          domain,
          app: kName,
          replicas: 3,
          port: 9093,
          image: "quay.io/strimzi/kafka:0.40.0-kafka-3.7.0",
        });
        const cert = w.res(ctx.c, "Certificate", `${kName}-tls`, ns, {
          spec: {
            secretName: `${kName}-tls`,
            issuerRef: { kind: "ClusterIssuer", name: "internal-ca-2023" },
            dnsNames: [`*.${kName}-headless.${ns}.svc.cluster.local`],
          },
          status: { conditions: [{ type: "Ready", status: "True" }] },
        });
        w.put(cert, w.tList);
        const cons = [ctx.deploy({ replicas: 2 }), ctx.deploy({ replicas: 2 })];
        const t0 = w.t0;
        cert.spec = { ...(cert.spec ?? {}), issuerRef: { kind: "ClusterIssuer", name: "internal-ca-2025" } };
        cert.status = {
          conditions: [{ type: "Ready", status: "True", reason: "Ready" }],
          revision: r.int(5, 20),
        };
        w.put(cert, t0);
        w.event(
          cert,
          "Issuing",
          "Issuing certificate as Secret does not contain a certificate issued by the current issuer",
          t0 + SEC,
          { type: "Normal", component: "cert-manager-certificates-trigger" },
        );
        w.event(cert, "Issuing", "The certificate has been successfully issued", t0 + r.int(4, 9) * SEC, {
          type: "Normal",
          component: "cert-manager-certificates-issuing",
        });
        // the brokers hot-reload the new keystore
        for (const p of k.pods)
          w.log(
            p,
            t0 + r.int(20, 60) * SEC,
            "INFO",
            `[${new Date(t0).toISOString().replace("T", " ").replace("Z", "")}] INFO [SocketServer listenerType=BROKER, nodeId=${k.pods.indexOf(p)}] Reconfigured listener TLS-9093 with new keystore (kafka.network.SocketServer)`,
          );
        let first = "";
        for (const c of cons) {
          for (const p of c.pods) {
            for (
              let t = t0 + r.int(40, 120) * SEC, i = 0;
              t < t0 + 16 * MIN && i < 10;
              t += r.int(20, 80) * SEC, i++
            ) {
              const broker = r.pick(k.pods);
              const msg = `kafka: client has run out of available brokers to talk to: tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "internal-ca-2023") broker=${broker.name}.${kName}-headless.${ns}.svc.cluster.local:9093`;
              const id = w.log(p, t, "ERROR", msg, { id: first === "" ? true : undefined });
              if (!first && id) first = id;
            }
          }
        }
        const sym = r.chance(0.6)
          ? first
          : A.appAlert(w, ctx.c, "queue", cons[0]!.svc!, t0 + r.int(3, 5) * MIN).id;
        return {
          description: `Certificate ${ns}/${cert.name} is switched to the new internal-ca-2025 issuer and re-issued; the brokers load it at once, but clients only trust internal-ca-2023, so every producer and consumer fails TLS verification.`,
          symptom: sym,
          root: [rc(cert)],
          blast: cons.flatMap((c) => c.pods.map(ref)),
        };
      },
    },
  },
  {
    fault: "volume-attach",
    variant: {
      slug: "nfs-server-pod-crash-mounts-hang",
      build(ctx) {
        const { w, rng: r } = ctx;
        const nfs = deployment(w, ctx.c, ctx.nodes, {
          ns: "storage",
          app: ctx.names.take("nfs-server"),
          replicas: 1,
          port: 2049,
          image: "itsthenetwork/nfs-server-alpine:12",
          labelKey: "app",
          mem: "1Gi",
        });
        ctx.workloads.push(nfs);
        const wl = ctx.deploy({
          replicas: 3,
          volumes: [
            {
              name: "shared",
              nfs: { server: `nfs-server.storage.svc.cluster.local`, path: "/exports/media" },
            },
          ],
        });
        const t0 = w.t0;
        const sp = nfs.pods[0]!;
        crashLoop(w, sp, {
          term: "Error",
          exitCode: 1,
          firstStart: t0 - 2 * 3600 * SEC,
          firstRunSec: 2 * 3600,
          runSec: [3, 10],
          until: t0 + 18 * MIN,
          onRun: (ts, te, i) => {
            if (i > 0)
              w.log(
                sp,
                te - 200,
                "ERROR",
                "rpc.nfsd: unable to set any sockets for nfsd\nrpc.statd: failed to create RPC listeners, exiting",
              );
            void ts;
          },
        });
        for (const p of wl.pods)
          w.log(
            p,
            t0 + r.int(20, 120) * SEC,
            "ERROR",
            `open /mnt/shared/${r.hex(8)}.jpg: stale NFS file handle`,
          );
        const victim = wl.pods[0]!;
        stopPod(w, victim, t0 + r.int(2, 5) * MIN, { graceSec: 30 });
        const np = createPod(w, wl.rs!, t0 + 6 * MIN, {
          node: r.pick(ctx.nodes),
          containers: [wl.container],
          svc: wl.svc,
        });
        const h = mountFailure(w, np, {
          volume: "shared",
          message: `MountVolume.SetUp failed for volume "shared" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs nfs-server.storage.svc.cluster.local:/exports/media /var/lib/kubelet/pods/${np.uid}/volumes/kubernetes.io~nfs/shared\nOutput: mount.nfs: Connection timed out`,
          from: t0 + 6 * MIN + 10 * SEC,
          until: t0 + 18 * MIN,
        });
        const sym = r.chance(0.5) ? h.id : A.deploymentReplicasMismatch(w, wl.ctrl, t0 + 7 * MIN).id;
        return {
          description: `The in-cluster NFS server pod ${sp.name} crash-loops (rpc.nfsd cannot bind); running ${wl.app} pods get stale file handles and a recreated pod cannot mount the share (mount.nfs: Connection timed out).`,
          symptom: sym,
          root: [rc(sp)],
          blast: [ref(np), ...wl.pods.map(ref)],
        };
      },
    },
  },
  {
    fault: "job-failure",
    variant: {
      slug: "rolebinding-deleted-forbidden",
      build(ctx) {
        const { w, rng: r } = ctx;
        const ns = "ops";
        const sa = w.res(ctx.c, "ServiceAccount", "cleanup", ns, {});
        w.put(sa, w.tList);
        const rb = w.res(ctx.c, "RoleBinding", "cleanup-pod-reader", ns, {
          extra: {
            roleRef: { kind: "Role", name: "pod-reader" },
            subjects: [{ kind: "ServiceAccount", name: "cleanup", namespace: ns }],
          },
        });
        w.put(rb, w.tList);
        const t0 = w.t0;
        w.remove(rb, t0 - r.int(3, 10) * MIN, { edges: false });
        const cjName = ctx.names.take("stale-pod-reaper");
        const tRun = Math.ceil(t0 / (15 * MIN)) * 15 * MIN;
        const cj = w.res(ctx.c, "CronJob", cjName, ns, {
          image: "bitnami/kubectl:1.29",
          spec: { schedule: "*/15 * * * *" },
        });
        w.put(cj, w.tList);
        const jn = `${cjName}-${Math.floor(tRun / MIN)}`;
        const job = w.res(ctx.c, "Job", jn, ns, {
          ownerRefs: [{ kind: "CronJob", name: cjName, uid: cj.uid }],
          image: "bitnami/kubectl:1.29",
          spec: { backoffLimit: 2 },
        });
        w.put(job, tRun);
        w.event(cj, "SuccessfulCreate", `Created job ${jn}`, tRun, {
          type: "Normal",
          component: "cronjob-controller",
        });
        let tt = tRun + 2 * SEC;
        for (let i = 0; i < 3; i++) {
          const node = r.pick(ctx.nodes);
          const p = createPod(w, job, tt, { node, containers: ["kubectl"] });
          startContainers(w, p, tt + SEC, { pull: false, ready: false });
          const s = startedAt(p)!;
          w.log(
            p,
            s + SEC,
            "ERROR",
            `Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:${ns}:cleanup" cannot list resource "pods" in API group "" in the namespace "${ns}"`,
          );
          w.watcherEvent(
            p,
            "Error",
            `Container kubectl terminated with Error (exit code 1), restart count 0`,
            s + 2 * SEC,
          );
          p.status = { phase: "Failed", containerReady: false, restartCount: 0 };
          w.put(p, s + 3 * SEC);
          tt = s + 3 * SEC + 10 * SEC * 2 ** i;
        }
        const hb = w.event(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", tt, {
          component: "job-controller",
        });
        const sym = r.chance(0.5) ? A.jobFailed(w, job, tt + 10 * SEC).id : hb.id;
        return {
          description: `An RBAC clean-up removes RoleBinding ${ns}/${rb.name}; the next run of CronJob ${cjName} is forbidden to list pods, every attempt exits 1 and the Job fails with BackoffLimitExceeded.`,
          symptom: sym,
          root: [rc(rb)],
          blast: [ref(job)],
        };
      },
    },
  },
  {
    fault: "pvc-full",
    variant: {
      slug: "loki-ingester-wal-disk-full",
      build(ctx) {
        const { w, rng: r } = ctx;
        const loki = ctx.sts({
          ns: "logging",
          domain: "",
          app: "loki-ingester",
          replicas: 2,
          port: 3100,
          image: "grafana/loki:2.9.4",
          storage: "50Gi",
          service: "loki-ingester",
        });
        const gw = deployment(w, ctx.c, ctx.nodes, {
          ns: "logging",
          app: "loki-gateway",
          replicas: 1,
          port: 8080,
          image: "nginxinc/nginx-unprivileged:1.24-alpine",
          labelKey: "app.kubernetes.io/name",
        });
        ctx.workloads.push(gw);
        const agents = daemonSet(w, ctx.c, ctx.nodes, {
          ns: "logging",
          app: "promtail",
          image: "grafana/promtail:2.9.4",
          port: 3101,
        });
        ctx.workloads.push(agents);
        const t0 = w.t0;
        const i = r.int(0, 1);
        const pod = loki.pods[i]!;
        const pvc = loki.pvcs[i]!;
        A.pvFillingUp(
          w,
          pvc,
          ctx.nodes.find((n) => n.name === pod.node)!,
          r.float(0.2, 2.8),
          t0 - r.int(1, 4) * MIN,
        );
        for (let t = t0; t < t0 + 15 * MIN; t += r.int(20, 60) * SEC) {
          w.log(
            pod,
            t,
            "ERROR",
            `level=error ts=${new Date(t).toISOString()} caller=checkpoint.go:${r.int(500, 700)} msg="failed to write checkpoint" err="write /var/loki/wal/checkpoint.${r.int(100000, 999999)}.tmp/00000000: no space left on device"`,
          );
        }
        let first = "";
        for (const p of agents.pods) {
          for (
            let t = t0 + r.int(30, 90) * SEC, k = 0;
            t < t0 + 15 * MIN && k < 8;
            t += r.int(30, 90) * SEC, k++
          ) {
            const msg = `level=warn ts=${new Date(t).toISOString()} caller=client.go:419 component=client host=loki-gateway.logging.svc.cluster.local msg="error sending batch, will retry" status=500 tenant= error="server returned HTTP status 500 Internal Server Error (500): rpc error: code = Unknown desc = write /var/loki/wal/${String(r.int(10000, 99999)).padStart(8, "0")}: no space left on device"`;
            const id = w.log(p, t, "ERROR", msg, { id: first === "" ? true : undefined });
            if (!first && id) first = id;
          }
        }
        return {
          description: `Loki ingester ${pod.name}'s WAL volume ${pvc.name} fills up; pushes routed to it fail with 500 "no space left on device" and every promtail agent retries and drops logs.`,
          symptom: first,
          root: [rc(pvc)],
          blast: [ref(pod), ...agents.pods.map(ref)],
        };
      },
    },
  },
  {
    fault: "cni-failure",
    variant: {
      slug: "calico-node-crashloop-sandbox-failures",
      twin: true,
      flavors: ["kubeadm", "aks"],
      build(ctx) {
        const { w, rng: r } = ctx;
        const calico = daemonSet(w, ctx.c, ctx.nodes, {
          ns: "calico-system",
          app: "calico-node",
          image: "docker.io/calico/node:v3.27.2",
          port: 9099,
          extraLabels: { hostNetwork: "true" },
        });
        ctx.workloads.push(calico);
        const node = r.pick(ctx.nodes);
        const wl = ctx.deploy({ replicas: 3 });
        const t0 = w.t0;
        const cp = calico.pods.find((p) => p.node === node.name)!;
        crashLoop(w, cp, {
          term: "Error",
          exitCode: 1,
          firstStart: t0 - 10 * 3600 * SEC,
          firstRunSec: 10 * 3600,
          runSec: [20, 60],
          until: t0 + 18 * MIN,
          onRun: (ts, te, i) => {
            if (i > 0)
              w.log(
                cp,
                te - 500,
                "ERROR",
                `${new Date(te).toISOString().replace("T", " ").slice(0, 23)} [FATAL][1] felix/daemon.go ${r.int(300, 400)}: Failed to connect to datastore error=Get "https://10.96.0.1:443/api/v1/nodes/foo": dial tcp 10.96.0.1:443: i/o timeout`,
              );
            void ts;
          },
        });
        // a rollout of wl schedules a pod on the broken node
        const np = createPod(w, wl.rs!, t0 + r.int(1, 3) * MIN, {
          node,
          containers: [wl.container],
          svc: wl.svc,
        });
        const msg = () =>
          `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${r.hex(64)}": plugin type="calico" failed (add): stat /var/lib/calico/nodename: no such file or directory: check that the calico/node container is running and has mounted /var/lib/calico/`;
        const h = w.event(np, "FailedCreatePodSandBox", msg(), t0 + r.int(3, 4) * MIN, { host: node.name });
        for (let t = t0 + 5 * MIN; t < t0 + 18 * MIN; t += r.int(30, 90) * SEC)
          w.again(h, t, { message: msg() });
        np.status = { phase: "Pending", reason: "ContainerCreating", containerReady: false, restartCount: 0 };
        w.put(np, t0 + 4 * MIN);
        const sym = r.chance(0.5) ? h.id : A.podNotReady(w, np, t0 + 3 * MIN).id;
        podEvent(
          w,
          cp,
          "Unhealthy",
          `Readiness probe failed: calico/node is not ready: felix is not ready: Get "http://localhost:9099/readiness": dial tcp [::1]:9099: connect: connection refused`,
          t0 - r.int(1, 5) * MIN,
          {},
        );
        return {
          description: `calico-node on ${node.name} crash-loops (felix cannot reach the API server); the CNI plugin on that node fails, so new pods scheduled there never get a sandbox.`,
          symptom: sym,
          root: [rc(cp)],
          blast: [ref(np)],
        };
      },
    },
  },
  {
    fault: "preemption",
    variant: {
      slug: "high-priority-batch-preempts-api",
      nodes: [3, 4],
      build(ctx) {
        const { w, rng: r } = ctx;
        const api = ctx.deploy({ replicas: r.int(3, 4), cpu: "2" });
        const cls = meshClients(ctx, 1);
        const [ns] = ctx.names.ns();
        const t0 = w.t0;
        const batch = deployment(w, ctx.c, ctx.nodes, {
          ns,
          app: ctx.names.take(r.pick(["feature-backfill", "index-rebuild", "risk-batch"])),
          replicas: 0,
          cpu: "4",
          t: w.tList,
          noPods: true,
        });
        ctx.workloads.push(batch);
        const pc = w.res(ctx.c, "PriorityClass", "critical-batch", undefined, {
          extra: { value: 1000000, preemptionPolicy: "PreemptLowerPriority" },
        });
        w.put(pc, t0 - 2 * MIN);
        const tmpl = ((batch.ctrl.spec as Record<string, unknown>).template as Record<string, unknown>)
          .spec as Record<string, unknown>;
        tmpl.priorityClassName = "critical-batch";
        batch.ctrl.replicas = ctx.nodes.length;
        w.put(batch.ctrl, t0);
        w.event(
          batch.ctrl,
          "ScalingReplicaSet",
          scalingMessage(ctx.c, "up", batch.rs!.name, ctx.nodes.length, 0),
          t0 + SEC,
          { type: "Normal", component: "deployment-controller" },
        );
        const victims = api.pods.slice(0, 2);
        let sym = "";
        for (const v of victims) {
          const bp = createPod(w, batch.rs!, t0 + 2 * SEC, { containers: [batch.container] });
          w.event(v, "Preempted", `Preempted by pod ${bp.uid} on node ${v.node}`, t0 + r.int(3, 6) * SEC, {
            type: "Normal",
            component: "default-scheduler",
          });
          stopPod(w, v, t0 + r.int(4, 8) * SEC, { graceSec: 30 });
          const node = ctx.nodes.find((n) => n.name === v.node)!;
          w.event(
            bp,
            "Scheduled",
            `Successfully assigned ${bp.namespace}/${bp.name} to ${node.name}`,
            t0 + 40 * SEC,
            { type: "Normal", component: "default-scheduler" },
          );
          bp.node = node.name;
          w.put(bp, t0 + 41 * SEC);
          w.link(bp, node, "RUNS_ON", t0 + 41 * SEC);
          const rp = createPod(w, api.rs!, t0 + r.int(9, 12) * SEC, {
            containers: [api.container],
            svc: api.svc,
          });
          const n = ctx.nodes.length;
          const h = w.event(
            rp,
            "FailedScheduling",
            `0/${n} nodes are available: ${n} Insufficient cpu. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`,
            t0 + r.int(12, 20) * SEC,
            { component: "default-scheduler" },
          );
          for (let t = t0 + MIN; t < t0 + 17 * MIN; t += r.int(40, 120) * SEC)
            w.again(h, t, { step: r.int(1, 3) });
        }
        const tg = meshTarget(api);
        const first = meshFailures(
          ctx,
          cls[0]!.pods,
          tg,
          "http503",
          t0 + r.int(30, 90) * SEC,
          t0 + 15 * MIN,
          { everySec: [15, 60] },
        );
        sym = r.chance(0.5) ? first : pager(ctx, cls[0]!, t0 + r.int(2, 4) * MIN);
        return {
          description: `A batch Deployment is given PriorityClass critical-batch (value 1000000) and scaled up; the scheduler preempts ${api.app} pods to make room, their replacements find no CPU, and ${api.app} serves at half capacity.`,
          symptom: sym,
          root: [rc(batch.ctrl)],
          blast: [ref(api.svc!), ...victims.map(ref), ...cls[0]!.pods.map(ref)],
        };
      },
    },
  },
  {
    fault: "network-policy",
    variant: {
      slug: "egress-lockdown-forgets-kube-dns",
      build(ctx) {
        const { w, rng: r } = ctx;
        const [ns, domain] = ctx.names.ns();
        const wls = [ctx.deploy({ ns, domain, replicas: 2 }), ctx.deploy({ ns, domain, replicas: 2 })];
        const t0 = w.t0;
        const np = w.res(ctx.c, "NetworkPolicy", "egress-allowlist", ns, {
          spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
              {
                to: [{ ipBlock: { cidr: "10.0.0.0/8" } }],
                ports: [
                  { protocol: "TCP", port: 443 },
                  { protocol: "TCP", port: 5432 },
                ],
              },
            ],
          },
        });
        w.put(np, t0);
        const first = dnsFailures(
          ctx,
          wls.flatMap((x) => x.pods),
          ctx.c.dnsIP,
          "timeout",
          t0 + 5 * SEC,
          t0 + 15 * MIN,
        );
        const sym = r.chance(0.6) ? first : pager(ctx, wls[0]!, t0 + r.int(1, 3) * MIN);
        return {
          description: `NetworkPolicy ${ns}/egress-allowlist locks egress down to TCP 443/5432 and omits UDP/TCP 53 to kube-dns; every pod in ${ns} times out on name resolution while the rest of the cluster is fine.`,
          symptom: sym,
          root: [rc(np)],
          blast: wls.flatMap((x) => x.pods.map(ref)),
        };
      },
    },
  },
];
