/**
 * Held-out set helpers. These build the callers' side differently from the main corpus: a mesh
 * sidecar access log plus application logs, and consumers that report through alerts only.
 */
import * as A from "../lib/alerts.js";
import { clientError, type Failure, type Lang, type Target } from "../lib/applog.js";
import { MIN, SEC, svcIP, type Workload } from "../lib/k8s.js";
import type { Ctx } from "../lib/scenario.js";
import type { Res } from "../lib/world.js";

export { MIN, SEC };

/** A dependency's address as a mesh client sees it (always the FQDN). */
export function meshTarget(wl: Workload, proto: Target["proto"] = "http"): Target {
  const svc = wl.svc!;
  const port = (svc.spec as { ports: { port: number }[] }).ports[0]!.port;
  return {
    proto,
    host: `${svc.name}.${wl.ns}.svc.cluster.local`,
    port,
    ip: svcIP(svc),
    name: svc.name,
    dnsIP: wl.c.dnsIP,
  };
}

/**
 * Client pods failing against a target: every failure shows twice, once in the app log and once
 * in its Envoy sidecar's access log. Returns the id of the first app error line (forced id).
 */
export function meshFailures(
  ctx: Ctx,
  clients: Res[],
  tg: Target,
  f: Failure,
  from: number,
  to: number,
  o: { lang?: Lang; everySec?: [number, number]; symptomAt?: number } = {},
): string {
  const { w, rng: r } = ctx;
  const lang = o.lang ?? ctx.lang();
  let first = "";
  const [lo, hi] = o.everySec ?? [6, 30];
  for (const p of clients) {
    let t = Math.max(from, o.symptomAt ?? from) + r.int(0, lo) * SEC;
    let n = 0;
    while (t < to && n < 14) {
      const app = clientError(r, lang, tg, f, t, p);
      const id = w.log(p, t, app.severity === "INFO" ? "ERROR" : app.severity, app.message, {
        id: first === "" ? true : undefined,
      });
      if (!first && id) first = id;
      if (r.chance(0.6)) {
        const acc = clientError(r, "envoy", tg, f, t + r.int(1, 40), p);
        w.log(p, t + r.int(1, 40), "INFO", acc.message, { container: "istio-proxy" });
      }
      t += r.int(lo, hi) * SEC;
      n++;
    }
  }
  return first;
}

/** Clients of a service, in their own namespace, with an istio-proxy sidecar. */
export function meshClients(ctx: Ctx, n: number, replicas?: number): Workload[] {
  const out: Workload[] = [];
  for (let i = 0; i < n; i++)
    out.push(ctx.deploy({ replicas: replicas ?? ctx.rng.int(2, 3), sidecars: ["istio-proxy"] }));
  return out;
}

/** An SLO alert on the first client service: the operator's pager. */
export function pager(ctx: Ctx, client: Workload, t: number): string {
  return A.appAlert(
    ctx.w,
    ctx.c,
    ctx.rng.pick(["errors", "latency"] as const),
    client.svc ?? client.ctrl,
    t,
    { nameStyle: ctx.rng.int(0, 2) },
  ).id;
}
