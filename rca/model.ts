/**
 * The domain model every part shares. Glossary (see also rca/index.ts):
 * - resource: one Kubernetes object, identified by (cluster, kind, namespace, name).
 * - event: one occurrence of something happening to a resource (K8s event, log line, alert, change).
 * - edge: a topology relation between two resources (SELECTS, RUNS_ON, CONTROLS, MOUNTS, ...).
 */

export type Severity = "INFO" | "WARNING" | "ERROR" | "FATAL";
export const SEVERITIES: readonly Severity[] = ["INFO", "WARNING", "ERROR", "FATAL"];
export const severityLevel = (s: Severity): number => SEVERITIES.indexOf(s);
export const levelSeverity = (level: number): Severity => SEVERITIES[Math.max(0, Math.min(3, level))]!;

export type EventType = "k8s.event" | "k8s.log" | "prom.alert" | "k8s.change";

/** A reference to a resource as a message names it; resolved to a canonical id by the store. */
export interface ResourceRef {
  readonly cluster: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
}

export interface ResourceProps {
  node?: string;
  podIP?: string;
  clusterIP?: string;
  image?: string;
  replicas?: number;
  serviceSelector?: Record<string, string>;
  ownerRefs?: Array<{ kind: string; name: string; uid?: string }>;
  status?: Record<string, unknown>;
  spec?: Record<string, unknown>;
  /** ConfigMaps, Secrets and PVCs a pod mounts, where the message says so. */
  mounts?: Array<{ kind: string; name: string }>;
  /** Ingress backends (service names). */
  backends?: string[];
  data?: Record<string, unknown>;
}

export interface ResourceUpsert {
  readonly cluster: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly labels: Record<string, string>;
  readonly props: ResourceProps;
  /** Time of this state in ms since the epoch (message `at`), used to order versions. */
  readonly atMs: number;
  readonly deleted: boolean;
}

export interface EdgeUpsert {
  readonly cluster: string;
  /** The producer's edge id (Kafka key), or one derived from the endpoints. */
  readonly key: string;
  readonly from: ResourceRef;
  readonly to: ResourceRef;
  readonly type: string;
  readonly atMs: number;
  readonly deleted: boolean;
}

export interface EventInput {
  /**
   * Occurrence id: unique per occurrence (a repeat of a K8s event is a new occurrence). It starts
   * with `baseId` (`base` or `base#count`): the embedded store finds a base's events by that prefix.
   */
  readonly id: string;
  /** The id the producer gave (event_id / metadata.uid); shared by all occurrences. */
  readonly baseId: string;
  readonly cluster: string;
  readonly etype: EventType;
  readonly severity: Severity;
  readonly reason: string;
  readonly message: string;
  readonly timeMs: number;
  readonly count: number;
  readonly subject?: ResourceRef;
  readonly source?: Record<string, unknown>;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly status?: string;
}

/** What one batch of wire messages becomes, ready for the graph store. */
export interface IngestBatch {
  readonly resources: ResourceUpsert[];
  /** Tombstones that name a resource only by `kind:uid` or `kind:ns:name`. */
  readonly resourceDeletes: Array<{ ref: ResourceRef; atMs: number }>;
  readonly edges: EdgeUpsert[];
  readonly events: EventInput[];
}

export const emptyBatch = (): IngestBatch => ({ resources: [], resourceDeletes: [], edges: [], events: [] });
