/**
 * Pieces the fault families share: callers of a service, ingress controllers, how clients
 * address a service, symptom log lines that always carry an id.
 */
import type { Lang, Proto, Target } from "../lib/applog.js";
import { clientError } from "../lib/applog.js";
import { deployment, MIN, SEC, svcIP, type Workload } from "../lib/k8s.js";
import type { Ctx } from "../lib/scenario.js";
import type { Res, World } from "../lib/world.js";

export { MIN, SEC };

/** How a client addresses a Service: short name, name.ns or the FQDN (all real). */
export function target(
  ctx: Ctx,
  wl: Workload,
  proto: Proto = "http",
  o: { sameNs?: boolean; path?: string } = {},
): Target {
  const r = ctx.rng;
  const svc = wl.svc!;
  const short = svc.name;
  const host = o.sameNs
    ? r.pick([short, `${short}.${wl.ns}.svc.cluster.local`, short])
    : r.pick([`${short}.${wl.ns}`, `${short}.${wl.ns}.svc.cluster.local`, `${short}.${wl.ns}.svc`]);
  const port = (svc.spec as { ports: { port: number }[] }).ports[0]!.port;
  return { proto, host, port, ip: svcIP(svc), name: short, path: o.path, dnsIP: ctx.c.dnsIP };
}

/** Deployments that call `wl`: in its namespace or another domain. */
export function callers(
  ctx: Ctx,
  n: number,
  o: { ns?: string; domain?: string; replicas?: number } = {},
): Workload[] {
  const out: Workload[] = [];
  for (let i = 0; i < n; i++) {
    out.push(ctx.deploy({ ns: o.ns, domain: o.domain, replicas: o.replicas ?? ctx.rng.int(1, 3) }));
  }
  return out;
}

/** A log line with an event id, so it can be named as the symptom. */
export function symptomLog(w: World, pod: Res, t: number, severity: string, message: string): string {
  return w.log(pod, t, severity, message, { id: true })!;
}

/** One caller-side error line with an id (the operator's starting point). */
export function symptomClientError(
  ctx: Ctx,
  caller: Res,
  lang: Lang,
  tg: Target,
  f: Parameters<typeof clientError>[3],
  t: number,
): string {
  const { severity, message } = clientError(ctx.rng, lang, tg, f, t, caller);
  return symptomLog(ctx.w, caller, t, severity === "INFO" ? "ERROR" : severity, message);
}

/** The ingress-nginx controller Deployment (one per cluster). */
export function ingressNginx(ctx: Ctx): Workload {
  const existing = ctx.workloads.find((x) => x.app === "ingress-nginx-controller");
  if (existing) return existing;
  const wl = deployment(ctx.w, ctx.c, ctx.nodes, {
    ns: "ingress-nginx",
    app: "ingress-nginx-controller",
    container: "controller",
    labelKey: "app.kubernetes.io/name",
    replicas: ctx.rng.int(2, 3),
    image: `registry.k8s.io/ingress-nginx/controller:v1.${ctx.rng.int(9, 11)}.${ctx.rng.int(0, 5)}`,
    port: 80,
    service: "ingress-nginx-controller",
  });
  ctx.workloads.push(wl);
  return wl;
}

/** An Ingress routing a host to a Service (edge type as some producers send it). */
export function ingressFor(ctx: Ctx, wl: Workload, host: string): Res {
  const ing = ctx.w.res(ctx.c, "Ingress", wl.svc!.name, wl.ns, {
    spec: {
      ingressClassName: "nginx",
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: wl.svc!.name, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  });
  ctx.w.put(ing, ctx.w.tList + ctx.rng.int(0, 30) * SEC);
  if (ctx.rng.chance(0.6)) ctx.w.link(ing, wl.svc!, "ROUTES_TO", ctx.w.tList + ctx.rng.int(0, 30) * SEC);
  return ing;
}

/** ingress-nginx's own warning when a backend Service has no endpoints. */
export function noEndpointWarning(t: number, svc: Res, pid = 7): string {
  const d = new Date(t);
  const mmdd = `${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
  const hms = d.toISOString().slice(11, 23) + "000";
  return `W${mmdd} ${hms}       ${pid} controller.go:1214] Service "${svc.namespace}/${svc.name}" does not have any active Endpoint.`;
}

export function klogTime(t: number, level: "I" | "W" | "E" = "E"): string {
  const d = new Date(t);
  const mmdd = `${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
  return `${level}${mmdd} ${d.toISOString().slice(11, 23)}${String(t % 1000).padStart(3, "0")}`;
}

export function first<T>(xs: T[]): T {
  return xs[0]!;
}

export function times(ctx: Ctx, from: number, to: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(ctx.rng.int(from, to));
  return out.sort((a, b) => a - b);
}
