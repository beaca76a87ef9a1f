import type { ResourceRef } from "./model.js";

/** Canonical spelling of the kinds Kubernetes has, keyed by lower-case name and common short names. */
const KINDS: Record<string, string> = {};
for (const [kind, aliases] of [
  ["Pod", ["po", "pods"]],
  ["Service", ["svc", "services"]],
  ["Deployment", ["deploy", "deployments"]],
  ["ReplicaSet", ["rs", "replicasets"]],
  ["StatefulSet", ["sts", "statefulsets"]],
  ["DaemonSet", ["ds", "daemonsets"]],
  ["Job", ["jobs"]],
  ["CronJob", ["cj", "cronjobs"]],
  ["Node", ["no", "nodes"]],
  ["PersistentVolumeClaim", ["pvc", "persistentvolumeclaims"]],
  ["PersistentVolume", ["pv", "persistentvolumes"]],
  ["ConfigMap", ["cm", "configmaps"]],
  ["Secret", ["secrets"]],
  ["Ingress", ["ing", "ingresses"]],
  ["Namespace", ["ns", "namespaces"]],
  ["EndpointSlice", ["endpointslices"]],
  ["Endpoints", ["ep"]],
  ["HorizontalPodAutoscaler", ["hpa", "horizontalpodautoscalers"]],
  ["ResourceQuota", ["quota", "resourcequotas"]],
  ["StorageClass", ["sc", "storageclasses"]],
  ["NetworkPolicy", ["netpol", "networkpolicies"]],
  ["ServiceAccount", ["sa", "serviceaccounts"]],
  ["Container", []],
  ["Cluster", []],
] as const) {
  KINDS[kind.toLowerCase()] = kind;
  for (const a of aliases) KINDS[a] = kind;
}

const CLUSTER_SCOPED = new Set([
  "Node",
  "PersistentVolume",
  "Namespace",
  "StorageClass",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "Cluster",
  "ClusterIssuer",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "PriorityClass",
  "IngressClass",
  "RuntimeClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "APIService",
  "CertificateSigningRequest",
  "ClusterSecretStore",
  "PodSecurityPolicy",
]);

const KIND_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

/** Canonical kind for any spelling (`pod`, `Pods`, `svc`); unknown kinds keep their given case with a capital first letter. */
export function canonicalKind(kind: string): string {
  const k = kind.trim();
  // Own keys only: `__proto__`, `constructor`... are names a client can send.
  const lower = k.toLowerCase();
  return (Object.hasOwn(KINDS, lower) ? KINDS[lower] : undefined) ?? k.charAt(0).toUpperCase() + k.slice(1);
}

export const isValidKind = (kind: string): boolean => KIND_PATTERN.test(kind.trim());
export const isClusterScoped = (kind: string): boolean => CLUSTER_SCOPED.has(canonicalKind(kind));

/** The one id of a resource: `cluster:kind:namespace:name` with the kind lower-case and no namespace for cluster-scoped kinds. */
export function resourceId(
  cluster: string,
  kind: string,
  namespace: string | undefined,
  name: string,
): string {
  const k = canonicalKind(kind);
  const ns = isClusterScoped(k) ? "" : (namespace ?? "");
  return `${cluster}:${k.toLowerCase()}:${ns}:${name}`;
}

export function parseResourceId(
  id: string,
): { cluster: string; kind: string; namespace: string; name: string } | undefined {
  // cluster may itself contain ':'; kind, namespace and name never do.
  const parts = id.split(":");
  if (parts.length < 4) return undefined;
  const name = parts.pop()!;
  const namespace = parts.pop()!;
  const kind = parts.pop()!;
  const cluster = parts.join(":");
  if (!cluster || !kind || !name) return undefined;
  return { cluster, kind: canonicalKind(kind), namespace, name };
}

const UID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const looksLikeUid = (s: string): boolean => UID_PATTERN.test(s);

/**
 * Parses the endpoint forms producers send: `kind:namespace:name`, `kind:name` (cluster-scoped)
 * and `kind:uid`. A two-part reference to a namespaced kind can only be a uid; for a
 * cluster-scoped kind it is a name unless it looks like a uid.
 */
export function parseRefString(cluster: string, ref: string): ResourceRef | undefined {
  const parts = ref.split(":");
  if (parts.length === 3) {
    const [kind, namespace, name] = parts as [string, string, string];
    if (!isValidKind(kind) || !name) return undefined;
    if (looksLikeUid(name) && !namespace) return { cluster, kind: canonicalKind(kind), uid: name };
    return { cluster, kind: canonicalKind(kind), namespace, name };
  }
  if (parts.length === 2) {
    const [kind, rest] = parts as [string, string];
    if (!isValidKind(kind) || !rest) return undefined;
    const k = canonicalKind(kind);
    if (isClusterScoped(k) && !looksLikeUid(rest)) return { cluster, kind: k, name: rest };
    return { cluster, kind: k, uid: rest };
  }
  return undefined;
}

/** The canonical id when the reference names the resource; undefined when only a uid is known. */
export function refToId(ref: ResourceRef): string | undefined {
  if (!ref.name) return undefined;
  if (!isClusterScoped(ref.kind) && !ref.namespace) return undefined;
  return resourceId(ref.cluster, ref.kind, ref.namespace, ref.name);
}
