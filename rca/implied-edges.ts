import { canonicalKind, resourceId } from "./identity.js";
import type { ResourceUpsert } from "./model.js";

/** An edge a resource's own fields imply; `to`/`from` are canonical ids. */
export interface ImpliedEdge {
  readonly fromId: string;
  readonly toId: string;
  readonly type: string;
}

/** Edge types a resource derives from its own fields, going out of it (re-derived on every update). */
export const DERIVED_OUT_TYPES: readonly string[] = [
  "RUNS_ON",
  "MOUNTS",
  "ROUTES_TO",
  "BINDS",
  "SCALES",
  "ISSUES",
  "GRANTS",
  "IN_NAMESPACE",
];

/**
 * Topology the messages imply without an edge being sent: RUNS_ON from `node`, IN_NAMESPACE from a
 * pod to its Namespace, CONTROLS from `ownerRefs`, MOUNTS of ConfigMaps/Secrets/PVCs/ServiceAccounts
 * (and an Ingress's TLS Secrets, a StatefulSet's claims), ROUTES_TO from an Ingress to its
 * services, BINDS from a PVC to its volume, SCALES from an HPA to its target, ISSUES from a
 * Certificate to the Services its DNS names name, and from a Certificate or ExternalSecret to the
 * Secret it writes. SELECTS needs the other side's labels and is matched by the store.
 */
export function impliedEdges(r: ResourceUpsert): ImpliedEdge[] {
  const self = resourceId(r.cluster, r.kind, r.namespace, r.name);
  const out: ImpliedEdge[] = [];
  const p = r.props;
  if (p.node && (r.kind === "Pod" || r.kind === "Container")) {
    out.push({ fromId: self, toId: resourceId(r.cluster, "Node", "", p.node), type: "RUNS_ON" });
  }
  // A pod is admitted and reached under its Namespace's labels (NetworkPolicy namespaceSelectors,
  // pod security admission): a change there is a change for the pod. Namespaces are hubs, so
  // this edge reaches the Namespace without linking the pods in it to each other.
  if (r.kind === "Pod" && r.namespace) {
    out.push({
      fromId: self,
      toId: resourceId(r.cluster, "Namespace", "", r.namespace),
      type: "IN_NAMESPACE",
    });
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
  const spec = p.spec;
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const rec = (v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  if (spec) {
    // A HorizontalPodAutoscaler scales its target workload.
    const target = rec(spec.scaleTargetRef);
    if (r.kind === "HorizontalPodAutoscaler" && str(target?.kind) && str(target?.name)) {
      out.push({
        fromId: self,
        toId: resourceId(r.cluster, canonicalKind(str(target!.kind)!), r.namespace, str(target!.name)!),
        type: "SCALES",
      });
    }
    // cert-manager Certificates and ExternalSecrets write the Secret that pods and Ingresses use.
    const issued =
      r.kind === "Certificate"
        ? str(spec.secretName)
        : r.kind === "ExternalSecret"
          ? (str(rec(spec.target)?.name) ?? r.name)
          : undefined;
    if (issued)
      out.push({ fromId: self, toId: resourceId(r.cluster, "Secret", r.namespace, issued), type: "ISSUES" });
    // A Certificate's names say which Service presents it (serving cert) or uses it (client cert).
    if (r.kind === "Certificate") {
      const names = [...(Array.isArray(spec.dnsNames) ? spec.dnsNames : []), spec.commonName];
      for (const svc of certificateServices(names, r.namespace))
        out.push({
          fromId: self,
          toId: resourceId(r.cluster, "Service", svc.namespace, svc.name),
          type: "ISSUES",
        });
    }
    // RBAC: a (Cluster)RoleBinding grants its Role to its ServiceAccount subjects, so deleting
    // either leaves the pods running as that account forbidden.
    if (r.kind === "RoleBinding" || r.kind === "ClusterRoleBinding") {
      for (const sub of Array.isArray(spec.subjects) ? spec.subjects : []) {
        const subject = rec(sub);
        const name = str(subject?.name);
        const ns = str(subject?.namespace) ?? r.namespace;
        if (subject?.kind === "ServiceAccount" && name && ns)
          out.push({ fromId: self, toId: resourceId(r.cluster, "ServiceAccount", ns, name), type: "GRANTS" });
      }
    }
    // An Ingress serves its TLS Secrets.
    if (r.kind === "Ingress") {
      for (const t of Array.isArray(spec.tls) ? spec.tls : []) {
        const secret = str(rec(t)?.secretName);
        if (secret)
          out.push({
            fromId: self,
            toId: resourceId(r.cluster, "Secret", r.namespace, secret),
            type: "MOUNTS",
          });
      }
    }
    // The ServiceAccount a pod (or a workload's pod template) runs as: its token is mounted.
    const podSpec =
      rec(rec(spec.template)?.spec) ?? rec(rec(rec(rec(spec.jobTemplate)?.spec)?.template)?.spec) ?? spec;
    const sa = str(podSpec.serviceAccountName) ?? str(podSpec.serviceAccount);
    if (sa && sa !== "default")
      out.push({
        fromId: self,
        toId: resourceId(r.cluster, "ServiceAccount", r.namespace, sa),
        type: "MOUNTS",
      });
    // A StatefulSet's volume claim templates become one claim per replica: <template>-<set>-<ordinal>.
    if (r.kind === "StatefulSet") {
      const replicas = typeof p.replicas === "number" ? Math.min(p.replicas, 50) : 1;
      for (const t of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) {
        const tmpl = str(rec(rec(t)?.metadata)?.name) ?? str(rec(t)?.name);
        if (!tmpl) continue;
        for (let i = 0; i < replicas; i++)
          out.push({
            fromId: self,
            toId: resourceId(r.cluster, "PersistentVolumeClaim", r.namespace, `${tmpl}-${r.name}-${i}`),
            type: "MOUNTS",
          });
      }
    }
  }
  const volumeName = r.kind === "PersistentVolumeClaim" ? spec?.volumeName : undefined;
  if (typeof volumeName === "string" && volumeName) {
    out.push({
      fromId: self,
      toId: resourceId(r.cluster, "PersistentVolume", "", volumeName),
      type: "BINDS",
    });
  }
  return out;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Services a certificate's DNS names point at: `<svc>.<ns>.svc[.cluster.local]` (or the
 * wildcard `*.<svc>.<ns>.svc` of a headless Service's pods) names that Service exactly; an external host (`report-builder.example.com`) names, by the common
 * convention of host = service name, the Service of its first label in the Certificate's
 * namespace. Wildcards and single-label names say nothing.
 */
export function certificateServices(
  names: readonly unknown[],
  namespace: string,
): Array<{ name: string; namespace: string }> {
  const out = new Map<string, { name: string; namespace: string }>();
  for (const n of names) {
    if (typeof n !== "string") continue;
    const labels = n.toLowerCase().replace(/\.$/, "").split(".");
    // `*.<svc>.<ns>.svc`: the pods behind a (headless) Service, e.g. a StatefulSet's members.
    if (labels[0] === "*" && labels[3] === "svc" && labels.slice(1).every((l) => DNS_LABEL.test(l))) {
      out.set(`${labels[2]}/${labels[1]}`, { name: labels[1]!, namespace: labels[2]! });
      continue;
    }
    if (labels.length < 2 || labels[0] === "*" || !labels.every((l) => DNS_LABEL.test(l))) continue;
    const svcIdx = labels.indexOf("svc");
    if (svcIdx === 2) out.set(`${labels[1]}/${labels[0]}`, { name: labels[0]!, namespace: labels[1]! });
    else if (svcIdx < 0 && namespace && labels.length >= 3)
      out.set(`${namespace}/${labels[0]}`, { name: labels[0]!, namespace });
  }
  return [...out.values()].sort((a, b) =>
    `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
  );
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
  /**
   * The message names the Service unambiguously (`<svc>.<ns>.svc`, Kubernetes' `Service "ns/name"`):
   * the Service exists whether or not its state was sent, so the store creates it as a name.
   */
  readonly explicit?: true;
}

const IP_PORT = /\b((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?::\d{1,5})?\b/g;
const SVC_DNS =
  /\b([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\.([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\.svc(\.[a-z0-9.-]+)?\b/g;
const SVC_SHORT = /\b([a-z0-9][-a-z0-9]{0,61}[a-z0-9])\.([a-z0-9][-a-z0-9]{0,61}[a-z0-9])(?=:\d{1,5}\b|\/)/g;
const URL_HOST =
  /\b(?:[a-z][a-z0-9+.-]*:\/\/|@|dial tcp |lookup |connect to |host[=: ]+"?)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(?::\d{1,5})?\b/gi;
const NOT_HOSTS = new Set(["localhost", "tcp", "udp", "http", "https", "the", "a", "host", "server"]);
/** Kubernetes' own wording for a Service, e.g. `Service "shop/cart" does not have any active Endpoint`. */
const K8S_SERVICE = /\b[Ss]ervice "([a-z0-9][-a-z0-9]{0,62})\/([a-z0-9][-a-z0-9]{0,62})"/g;

/** A failed name lookup depends on the cluster's DNS Service, whatever the log names. */
const DNS_FAILURE =
  /\b(no such host|nxdomain|server misbehaving|temporary failure in name resolution|unknownhostexception|name or service not known|could not resolve host|bad address|getaddrinfo (?:enotfound|eai_again)|lookup \S+ on \S+:53)\b/i;
/** The resource metrics API (HPA events) is served by metrics-server. */
const METRICS_API = /\b(metrics\.k8s\.io|resource metrics api)\b/i;

/**
 * The matches of the global `re` in `text`, as `text.matchAll(re)` gives them, without the copy of
 * `re` that `matchAll` makes on every call (a new RegExp object set up each time: ~1.5 % of the
 * pipeline's main thread, every message asking a dozen patterns). Most messages match none: they
 * get a shared empty list, not a generator. `re`'s `lastIndex` is its state: one loop over a
 * pattern at a time, which holds for the synchronous loops here.
 */
function matches(re: RegExp, text: string): Iterable<RegExpExecArray> {
  re.lastIndex = 0;
  const first = re.exec(text);
  return first === null ? NO_MATCHES : allMatches(re, text, first);
}
const NO_MATCHES: readonly RegExpExecArray[] = [];

/** `first` (the first match, `re.lastIndex` just past it) and the matches after it. */
function* allMatches(re: RegExp, text: string, first: RegExpExecArray): Generator<RegExpExecArray> {
  for (let m: RegExpExecArray | null = first; m !== null; m = re.exec(text)) {
    if (m[0] === "") re.lastIndex++;
    yield m;
  }
}

export function dependencyHints(message: string, namespace: string | undefined): DependencyHint[] {
  const out = new Map<string, DependencyHint>();
  if (DNS_FAILURE.test(message))
    out.set("svc:kube-system/kube-dns", { service: { name: "kube-dns", namespace: "kube-system" } });
  if (METRICS_API.test(message))
    out.set("svc:kube-system/metrics-server", {
      service: { name: "metrics-server", namespace: "kube-system" },
    });
  for (const m of matches(IP_PORT, message)) {
    const ip = m[1]!;
    if (ip.startsWith("127.") || ip === "0.0.0.0") continue;
    out.set(`ip:${ip}`, { ip });
  }
  for (const m of matches(SVC_DNS, message)) {
    out.set(`svc:${m[3]}/${m[1]}`, { service: { name: m[1]!, namespace: m[3]! }, explicit: true });
  }
  // The short in-cluster form `name.namespace:port` (or `name.namespace/path`).
  for (const m of matches(SVC_SHORT, message)) {
    if (/^\d+$/.test(m[1]!) || /^\d+$/.test(m[2]!)) continue;
    if (!out.has(`svc:${m[2]}/${m[1]}`))
      out.set(`svc:${m[2]}/${m[1]}`, { service: { name: m[1]!, namespace: m[2]! } });
  }
  for (const m of matches(K8S_SERVICE, message)) {
    out.set(`svc:${m[1]}/${m[2]}`, { service: { name: m[2]!, namespace: m[1]! }, explicit: true });
  }
  if (namespace) {
    for (const m of matches(URL_HOST, message)) {
      const host = m[1]!.toLowerCase();
      if (NOT_HOSTS.has(host) || /^\d+$/.test(host)) continue;
      if (!out.has(`svc:${namespace}/${host}`))
        out.set(`svc:${namespace}/${host}`, { service: { name: host, namespace } });
    }
  }
  return [...out.values()];
}

/**
 * Service names a log line gives without a namespace or address: client classes named after
 * the service they call (`TrackingSyncClient`, `CartRepository`), Go source files
 * (`client/tracking_sync.go`), `upstream=cart` fields and phrases such as "call to cart failed"
 * or "cart unavailable". Resolved by the store against Services of that name in the cluster
 * (any namespace), so a word that names no Service adds nothing.
 */
const CLASS_NAME =
  /\b((?:[A-Z][a-z0-9]+)+?)(?:Client|Gateway|Repository|Repo|Adapter|Connector|Stub|Proxy|ServiceClient|Api)\b/g;
const GO_FILE = /\b(?:client|clients|store|repo|handler|upstream|deps|dao|gateway)\/([a-z0-9_]+)\.go:\d+/g;
const FIELD =
  /\b(?:upstream|upstream_service|peer\.service|target|service|dependency|backend)"?\s*[=:]\s*"?([a-z0-9][-a-z0-9]{0,62})\b/g;
const PHRASE =
  /\b(?:call(?:ing)? to|calling|request to|connecting to|waiting for|bad address)\s+'?([a-z0-9][-a-z0-9]{1,62})\b|(?:^|[\s:"'])([a-z0-9][-a-z0-9]{1,62})\s+(?:call failed|request failed|unavailable|is unavailable|not reachable|unreachable|returned (?:status )?[45]\d\d|responded with [45]\d\d)\b/g;
const GENERIC_WORDS = new Set([
  "the",
  "a",
  "an",
  "request",
  "upstream",
  "service",
  "server",
  "backend",
  "dependency",
  "remote",
  "http",
  "https",
  "grpc",
  "api",
  "host",
  "error",
  "call",
  "temporarily",
  "currently",
  "is",
  "was",
  "endpoint",
]);

const kebab = (camel: string) => camel.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

export function serviceNameHints(message: string): string[] {
  const out = new Set<string>();
  const add = (name: string | undefined) => {
    if (!name) return;
    const n = name.toLowerCase().replace(/_/g, "-");
    if (n.length < 2 || GENERIC_WORDS.has(n) || /^\d+$/.test(n)) return;
    out.add(n);
  };
  for (const m of matches(CLASS_NAME, message)) add(kebab(m[1]!));
  for (const m of matches(GO_FILE, message)) add(m[1]);
  for (const m of matches(FIELD, message)) add(m[1]);
  for (const m of matches(PHRASE, message)) add(m[1] ?? m[2]);
  return [...out].sort();
}

/** Kinds whose label selectors pick pods in their namespace; the store matches them both ways. */
export const POD_SELECTING_KINDS: readonly string[] = ["Service", "NetworkPolicy"];

/**
 * Whether a Service or NetworkPolicy selects a pod with these labels. A Service's empty selector
 * selects nothing; a NetworkPolicy's empty `podSelector` selects every pod of its namespace.
 * Policies with `matchExpressions` are matched on `matchLabels` only when there are some.
 */
export function podSelected(
  kind: string,
  props: { serviceSelector?: Record<string, string>; spec?: Record<string, unknown> },
  labels: Record<string, string>,
): boolean {
  if (kind === "Service") return selectorMatches(props.serviceSelector, labels);
  if (kind !== "NetworkPolicy") return false;
  const sel = props.spec?.podSelector;
  if (sel === null || typeof sel !== "object" || Array.isArray(sel)) return false;
  const s = sel as { matchLabels?: unknown; matchExpressions?: unknown };
  const ml =
    s.matchLabels && typeof s.matchLabels === "object" ? (s.matchLabels as Record<string, unknown>) : {};
  const entries = Object.entries(ml);
  if (entries.length === 0 && Array.isArray(s.matchExpressions) && s.matchExpressions.length) return false;
  return entries.every(([k, v]) => labels[k] === v);
}

/** A resource an event's message names: `secret "db-creds" not found`, `exceeded quota: compute`. */
export interface ReferenceHint {
  readonly kind: string;
  /** `""` for a cluster-scoped kind (Node). */
  readonly namespace: string;
  /** Absent: every resource of the kind in the namespace (a LimitRange is never named). */
  readonly name?: string;
}

const NAME = "([a-z0-9][-a-z0-9.]{0,252})";
const REFERENCES: ReadonlyArray<{
  pattern: RegExp;
  kind: string;
  nsGroup?: number;
  nameGroup?: number;
  /** The kind has no namespace: the hint names every resource of the kind in the cluster. */
  clusterScoped?: boolean;
}> = [
  { pattern: new RegExp(`\\bsecrets? "${NAME}" not found`, "gi"), kind: "Secret", nameGroup: 1 },
  { pattern: new RegExp(`\\bconfigmaps? "${NAME}" not found`, "gi"), kind: "ConfigMap", nameGroup: 1 },
  {
    pattern: new RegExp(`couldn't find key \\S+ in Secret ${NAME}/${NAME}`, "g"),
    kind: "Secret",
    nsGroup: 1,
    nameGroup: 2,
  },
  {
    pattern: new RegExp(`couldn't find key \\S+ in ConfigMap ${NAME}/${NAME}`, "g"),
    kind: "ConfigMap",
    nsGroup: 1,
    nameGroup: 2,
  },
  {
    pattern: new RegExp(`\\bpersistentvolumeclaims? "${NAME}"`, "gi"),
    kind: "PersistentVolumeClaim",
    nameGroup: 1,
  },
  { pattern: new RegExp(`\\bserviceaccounts? "${NAME}"`, "gi"), kind: "ServiceAccount", nameGroup: 1 },
  { pattern: new RegExp(`exceeded quota: ${NAME}`, "g"), kind: "ResourceQuota", nameGroup: 1 },
  // The API server names the account a request was forbidden for.
  {
    pattern: new RegExp(`system:serviceaccount:${NAME}:${NAME}`, "g"),
    kind: "ServiceAccount",
    nsGroup: 1,
    nameGroup: 2,
  },
  // The scheduler weighed every node of the cluster and names node state (cordon, taints,
  // readiness) as the reason none fit: every Node is a reference of the pending pod.
  {
    pattern:
      /\bnode\(s\) (?:were unschedulable|had untolerated taint|had taints? that the pod didn't tolerate|were not ready|had volume node affinity conflict|didn't match (?:Pod's )?node (?:affinity|selector)|didn't have free ports)|\b\d+ Too many pods\b/g,
    kind: "Node",
    clusterScoped: true,
  },
  {
    pattern:
      /\b(?:maximum|minimum) (?:cpu|memory|ephemeral-storage|storage) usage per (?:Container|Pod|PersistentVolumeClaim)\b/g,
    kind: "LimitRange",
  },
  // A store that is full answers its clients with its own disk error (a database's "could not
  // extend file", a search cluster's flood-stage block, an ingester's ENOSPC relayed in a 500):
  // the claims of the namespace are where the full disk may be, when the client does not mount it.
  {
    pattern:
      /\b(?:no space left on device|disk usage exceeded|flood[- ]stage (?:disk )?watermark|read-only-allow-delete|database or disk is full|could not extend file|disk (?:is )?full|out of disk space|insufficient storage|ENOSPC)\b/gi,
    kind: "PersistentVolumeClaim",
  },
];

const PULL_SECRETS = /\bimage pull secrets? \(([^)]{1,500})\)/gi;
const DNS_NAME = /^[a-z0-9][-a-z0-9.]{0,252}$/;

/**
 * Resources a Kubernetes event or log line names as missing or limiting (Secrets, ConfigMaps,
 * claims, quotas, limit ranges): the store turns them into REFERENCES edges from the event's
 * resource, so a pod that cannot find its Secret is linked to that Secret even when its spec
 * never arrived.
 */
export function referenceHints(message: string, namespace: string | undefined): ReferenceHint[] {
  if (!namespace) return [];
  const out = new Map<string, ReferenceHint>();
  for (const r of REFERENCES) {
    for (const m of matches(r.pattern, message)) {
      const ns = r.clusterScoped ? "" : r.nsGroup ? m[r.nsGroup]! : namespace;
      const name = r.nameGroup ? m[r.nameGroup]!.replace(/\.$/, "") : undefined;
      out.set(`${r.kind}/${ns}/${name ?? ""}`, { kind: r.kind, namespace: ns, ...(name ? { name } : {}) });
    }
  }
  // kubelet: `Unable to retrieve some image pull secrets (regcred, other); attempting to pull ...`
  for (const m of matches(PULL_SECRETS, message)) {
    for (const raw of m[1]!.split(",")) {
      const name = raw.trim();
      if (DNS_NAME.test(name)) out.set(`Secret/${namespace}/${name}`, { kind: "Secret", namespace, name });
    }
  }
  return [...out.values()];
}

/** The hint key a reference is stored under (the store matches resources against it later). */
export const referenceKey = (h: ReferenceHint): string =>
  h.name ? `ref:${h.kind}/${h.namespace}/${h.name}` : `refns:${h.kind}/${h.namespace}`;

/**
 * A workload's credentials were refused (cloud keys, database passwords, API tokens): the Secret
 * that holds them is, by the common convention, named after the workload (`<app>-s3`,
 * `<app>-db-credentials`). A pod's log line saying so references the Secrets of its namespace
 * named `<workload>` or `<workload>-<suffix>`; the key returned is matched against
 * `ownedReferenceKeys` of Secrets, from whichever side arrives last.
 */
const CREDENTIAL_FAILURE =
  /\b(InvalidAccessKeyId|SignatureDoesNotMatch|InvalidClientTokenId|ExpiredToken|UnrecognizedClientException|AuthFailure|AuthorizationFailure|invalid[ _-](?:api[ _-]?key|access[ _-]?key|token|credentials?|password|client[ _-]?secret)|password authentication failed|authentication failed|access denied for user|bad credentials|invalid_grant|invalid_client|WRONGPASS|NOAUTH|SASL authentication failed|Login failed for user|401 Unauthorized|status code:? 401|Unauthenticated)\b/i;
const POD_SUFFIX = /^[a-z0-9]{5}$/;
const GENERATED = /^(\d+|(?=[a-z]*\d)[a-z0-9]{6,10})$/;

/** The workload a pod belongs to, from its name: `<workload>-<template hash>-<suffix>`, `<cronjob>-<time>-<suffix>`, `<set>-<ordinal>`. */
export function workloadStem(podName: string): string | undefined {
  const t = podName.split("-");
  if (t.length > 1 && (POD_SUFFIX.test(t[t.length - 1]!) || /^\d+$/.test(t[t.length - 1]!))) t.pop();
  if (t.length > 1 && GENERATED.test(t[t.length - 1]!)) t.pop();
  const stem = t.join("-");
  return stem.length >= 3 ? stem : undefined;
}

export function credentialReferenceKey(
  message: string,
  kind: string,
  namespace: string,
  name: string,
): string | undefined {
  if (kind.toLowerCase() !== "pod" || !namespace || !CREDENTIAL_FAILURE.test(message)) return undefined;
  const stem = workloadStem(name);
  return stem ? `refapp:Secret/${namespace}/${stem}` : undefined;
}

/** The keys under which a Secret is found by `credentialReferenceKey`: its name, and its name less the last word. */
export function ownedReferenceKeys(kind: string, namespace: string, name: string): string[] {
  if (kind !== "Secret" || !namespace) return [];
  const out = [`refapp:Secret/${namespace}/${name}`];
  const i = name.lastIndexOf("-");
  if (i >= 3) out.push(`refapp:Secret/${namespace}/${name.slice(0, i)}`);
  return out;
}

/**
 * Well-known backing services a caller's error names only by technology: a bare word (`redis:
 * connection pool timeout`, `pq: the database system is in recovery mode`) or its standard port
 * (`dial tcp 10.1.2.3:6379`). Matched against Services whose name carries the technology as a
 * dash-separated word or whose port/targetPort is the standard one.
 */
const TECHNOLOGIES: ReadonlyArray<{
  key: string;
  words: RegExp;
  names: readonly string[];
  ports: readonly number[];
}> = [
  { key: "redis", words: /\bredis\b/i, names: ["redis", "valkey", "keydb"], ports: [6379] },
  {
    key: "postgres",
    words: /\b(?:postgres|postgresql|psycopg2?|pgx|pq:)(?=\W|$)/i,
    names: ["postgres", "postgresql", "pg", "pgbouncer"],
    ports: [5432],
  },
  { key: "mysql", words: /\b(?:mysql|mariadb)\b/i, names: ["mysql", "mariadb"], ports: [3306] },
  { key: "mongodb", words: /\b(?:mongo|mongodb)\b/i, names: ["mongo", "mongodb"], ports: [27017] },
  { key: "kafka", words: /\bkafka\b/i, names: ["kafka"], ports: [9092] },
  { key: "rabbitmq", words: /\b(?:rabbitmq|amqp)\b/i, names: ["rabbitmq", "rabbit"], ports: [5672] },
  { key: "memcached", words: /\bmemcached?\b/i, names: ["memcached", "memcache"], ports: [11211] },
  {
    key: "elasticsearch",
    words: /\b(?:elasticsearch|opensearch)\b/i,
    names: ["elasticsearch", "opensearch", "es"],
    ports: [9200],
  },
  { key: "cassandra", words: /\bcassandra\b/i, names: ["cassandra"], ports: [9042] },
  { key: "zookeeper", words: /\bzookeeper\b/i, names: ["zookeeper", "zk"], ports: [2181] },
  { key: "nats", words: /\bnats\b/i, names: ["nats"], ports: [4222] },
];
const PORT_MENTION = /(?::|\bport\s+)(\d{2,5})\b/gi;

/** The technologies a log line names by word or standard port, as `tech:<key>` hint keys' keys. */
export function technologyHints(message: string): string[] {
  const out = new Set<string>();
  const ports = new Set<number>();
  for (const m of matches(PORT_MENTION, message)) ports.add(Number(m[1]));
  for (const t of TECHNOLOGIES) {
    if (t.words.test(message) || t.ports.some((p) => ports.has(p))) out.add(t.key);
  }
  return [...out].sort();
}

/** The technologies a Service offers, by a word of its name or a standard port (port or targetPort). */
export function serviceTechnologies(name: string, props: { spec?: Record<string, unknown> }): string[] {
  const words = new Set(name.toLowerCase().split("-"));
  const ports = new Set<number>();
  const list = props.spec?.ports;
  if (Array.isArray(list)) {
    for (const p of list) {
      if (!p || typeof p !== "object") continue;
      const r = p as { port?: unknown; targetPort?: unknown };
      for (const x of [r.port, r.targetPort]) if (typeof x === "number") ports.add(x);
    }
  }
  return TECHNOLOGIES.filter(
    (t) => t.names.some((n) => words.has(n)) || t.ports.some((p) => ports.has(p)),
  ).map((t) => t.key);
}

/** A Service a technology hint may resolve to. */
export interface TechnologyCandidate {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly props: { serviceSelector?: Record<string, string>; spec?: Record<string, unknown> };
}

/**
 * The one Service a caller's technology hint stands for: among the cluster's Services offering the
 * technology (not the caller's own: one selecting it or whose name prefixes the caller's), the only
 * one in the caller's namespace, else the only one in the cluster. Several matches link none: the
 * word alone cannot tell which, and a wrong dependency draws blame to an innocent database.
 */
export function resolveTechnology(
  tech: string,
  caller: { namespace: string; name: string; labels: Record<string, string> },
  services: readonly TechnologyCandidate[],
): string | undefined {
  const offering = services.filter(
    (s) =>
      serviceTechnologies(s.name, s.props).includes(tech) &&
      !caller.name.startsWith(`${s.name}-`) &&
      !(s.namespace === caller.namespace && podSelected("Service", s.props, caller.labels)),
  );
  const local = offering.filter((s) => s.namespace === caller.namespace);
  if (local.length === 1) return local[0]!.id;
  if (local.length === 0 && offering.length === 1) return offering[0]!.id;
  return undefined;
}

/** What one message names, for `addHints` of a store: every hint function above but the credential key. */
export interface MessageHints {
  readonly references: readonly ReferenceHint[];
  readonly dependencies: readonly DependencyHint[];
  /** Log lines only (empty for events). */
  readonly serviceNames: readonly string[];
  readonly technologies: readonly string[];
}

/** Distinct messages whose hints are kept before starting over, and the longest message kept. */
const MESSAGE_HINTS_KEPT = 4_096;
const MESSAGE_HINTS_LONGEST = 512;
const messageHintsKept = new Map<string, MessageHints>();

/**
 * The hints of a K8s event's or log line's message in `namespace`, kept for repeats: messages
 * repeat (in a 50k-event bench run 46k messages had 9.6k distinct texts), and the pattern
 * matching above was ~8 % of ingest. Read-only.
 */
export function messageHints(message: string, namespace: string | undefined, log: boolean): MessageHints {
  // The namespace's length first: no namespace and message can make another pair's key.
  const ns = namespace ?? "";
  const key = message.length <= MESSAGE_HINTS_LONGEST ? `${log ? "l" : "e"}${ns.length}:${ns}${message}` : "";
  const known = key ? messageHintsKept.get(key) : undefined;
  if (known) return known;
  const hints: MessageHints = {
    references: referenceHints(message, namespace),
    dependencies: dependencyHints(message, namespace),
    serviceNames: log ? serviceNameHints(message) : [],
    technologies: log ? technologyHints(message) : [],
  };
  if (key) {
    if (messageHintsKept.size >= MESSAGE_HINTS_KEPT) messageHintsKept.clear();
    messageHintsKept.set(key, hints);
  }
  return hints;
}
