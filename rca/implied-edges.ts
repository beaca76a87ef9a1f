import { canonicalKind, resourceId } from "./identity.js";
import type { ResourceUpsert } from "./model.js";

/** An edge a resource's own fields imply; `to`/`from` are canonical ids. */
export interface ImpliedEdge {
  readonly fromId: string;
  readonly toId: string;
  readonly type: string;
}

/**
 * Topology the messages imply without an edge being sent: RUNS_ON from `node`, CONTROLS from
 * `ownerRefs`, MOUNTS of ConfigMaps/Secrets/PVCs, ROUTES_TO from an Ingress to its services,
 * BINDS from a PVC to its volume. SELECTS needs the other side's labels and is matched by the store.
 */
export function impliedEdges(r: ResourceUpsert): ImpliedEdge[] {
  const self = resourceId(r.cluster, r.kind, r.namespace, r.name);
  const out: ImpliedEdge[] = [];
  const p = r.props;
  if (p.node && (r.kind === "Pod" || r.kind === "Container")) {
    out.push({ fromId: self, toId: resourceId(r.cluster, "Node", "", p.node), type: "RUNS_ON" });
  }
  for (const o of p.ownerRefs ?? []) {
    out.push({ fromId: resourceId(r.cluster, o.kind, r.namespace, o.name), toId: self, type: "CONTROLS" });
  }
  for (const m of p.mounts ?? []) {
    out.push({
      fromId: self,
      toId: resourceId(r.cluster, canonicalKind(m.kind), r.namespace, m.name),
      type: "MOUNTS",
    });
  }
  for (const svc of p.backends ?? []) {
    out.push({ fromId: self, toId: resourceId(r.cluster, "Service", r.namespace, svc), type: "ROUTES_TO" });
  }
  const volumeName = r.kind === "PersistentVolumeClaim" ? p.spec?.volumeName : undefined;
  if (typeof volumeName === "string" && volumeName) {
    out.push({
      fromId: self,
      toId: resourceId(r.cluster, "PersistentVolume", "", volumeName),
      type: "BINDS",
    });
  }
  return out;
}

/** Whether a label selector (all pairs equal) selects these labels. An empty selector selects nothing. */
export function selectorMatches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  for (const [k, v] of entries) if (labels[k] !== v) return false;
  return true;
}

/**
 * Service dependencies named in log lines: an IP (`dial tcp 10.1.4.7:5432`) or a service DNS name
 * (`postgres.shop.svc`, `postgres.shop.svc.cluster.local`, or `http://postgres:5432` in the same
 * namespace). Returned as hints the store resolves against resources' IPs and names.
 */
export interface DependencyHint {
  readonly ip?: string;
  readonly service?: { readonly name: string; readonly namespace: string };
}

const IP_PORT = /\b((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?::\d{1,5})?\b/g;
const SVC_DNS =
  /\b([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\.([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\.svc(\.[a-z0-9.-]+)?\b/g;
const URL_HOST =
  /\b(?:[a-z][a-z0-9+.-]*:\/\/|@|dial tcp |lookup |connect to |host[=: ]+"?)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(?::\d{1,5})?\b/gi;
const NOT_HOSTS = new Set(["localhost", "tcp", "udp", "http", "https", "the", "a", "host", "server"]);

export function dependencyHints(message: string, namespace: string | undefined): DependencyHint[] {
  const out = new Map<string, DependencyHint>();
  for (const m of message.matchAll(IP_PORT)) {
    const ip = m[1]!;
    if (ip.startsWith("127.") || ip === "0.0.0.0") continue;
    out.set(`ip:${ip}`, { ip });
  }
  for (const m of message.matchAll(SVC_DNS)) {
    out.set(`svc:${m[3]}/${m[1]}`, { service: { name: m[1]!, namespace: m[3]! } });
  }
  if (namespace) {
    for (const m of message.matchAll(URL_HOST)) {
      const host = m[1]!.toLowerCase();
      if (NOT_HOSTS.has(host) || /^\d+$/.test(host)) continue;
      if (!out.has(`svc:${namespace}/${host}`))
        out.set(`svc:${namespace}/${host}`, { service: { name: host, namespace } });
    }
  }
  return [...out.values()];
}
