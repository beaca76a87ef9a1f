import { createHash } from "node:crypto";
import { type Informer, type KubeConfig, type KubernetesObject, makeInformer } from "@kubernetes/client-node";
import type { TopicRole, WireMessage } from "../../rca/normalize.js";
import type { Logger, Metrics } from "../../telemetry/index.js";
import {
  type ConvertContext,
  convertEvent,
  convertResource,
  type EdgeSpec,
  edgeMessage,
  type KubeObject,
} from "./convert.js";
import { listAll, METADATA_LIST_ACCEPT, metadataOnly } from "./kube-api.js";
import type { BatchPublisher } from "./sink.js";

/** A watched kind and its cluster-wide API path. */
export interface WatchedKind {
  readonly kind: string;
  readonly path: string;
  /** List and watch as PartialObjectMetadata (no `data`, no `spec`). */
  readonly metadataOnly?: boolean;
}

/** Everything `kgrca watch` follows; deploy/watcher-rbac.yaml grants get/list/watch on exactly these. */
export const WATCHED_KINDS: readonly WatchedKind[] = [
  { kind: "Pod", path: "/api/v1/pods" },
  { kind: "Service", path: "/api/v1/services" },
  { kind: "EndpointSlice", path: "/apis/discovery.k8s.io/v1/endpointslices" },
  { kind: "Deployment", path: "/apis/apps/v1/deployments" },
  { kind: "ReplicaSet", path: "/apis/apps/v1/replicasets" },
  { kind: "StatefulSet", path: "/apis/apps/v1/statefulsets" },
  { kind: "DaemonSet", path: "/apis/apps/v1/daemonsets" },
  { kind: "Job", path: "/apis/batch/v1/jobs" },
  { kind: "CronJob", path: "/apis/batch/v1/cronjobs" },
  { kind: "Node", path: "/api/v1/nodes" },
  { kind: "PersistentVolumeClaim", path: "/api/v1/persistentvolumeclaims" },
  { kind: "PersistentVolume", path: "/api/v1/persistentvolumes" },
  { kind: "Ingress", path: "/apis/networking.k8s.io/v1/ingresses" },
  { kind: "ConfigMap", path: "/api/v1/configmaps" },
  { kind: "Secret", path: "/api/v1/secrets", metadataOnly: true },
  { kind: "Event", path: "/api/v1/events" },
];

export interface KubeWatcherOptions {
  readonly kubeConfig: KubeConfig;
  readonly publisher: BatchPublisher;
  readonly cluster: string;
  readonly topics: Readonly<Record<TopicRole, string>>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly kinds?: readonly WatchedKind[];
  /** First and longest wait before an informer that stopped on an error is started again. */
  readonly restartBackoffMs?: { readonly initial: number; readonly max: number };
  readonly now?: () => number;
}

interface Followed {
  readonly spec: WatchedKind;
  readonly informer: Informer<KubernetesObject>;
  synced: boolean;
  delayMs: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * Informers (list + watch with resourceVersion and bookmarks, re-list on 410 Gone) for every
 * watched kind, turned into CONTRACT messages. client-node 1.x informers stop for good on an error
 * or an abrupt drop of the watch; this class starts them again with exponential backoff, resuming
 * from the last resourceVersion (or re-listing when it has expired, which also reports objects
 * deleted meanwhile).
 *
 * Unchanged re-sends (status heartbeats, resourceVersion-only updates) are suppressed by comparing
 * a hash of the converted record; topology edges a resource no longer implies are deleted.
 */
export class KubeWatcher {
  private readonly followed: Followed[] = [];
  private readonly lastHash = new Map<string, string>();
  private readonly lastEdges = new Map<string, readonly EdgeSpec[]>();
  private stopped = false;

  constructor(private readonly opts: KubeWatcherOptions) {}

  /** Starts every informer; resolves once each has tried its first list (failures retry on their own). */
  async start(): Promise<void> {
    const kinds = this.opts.kinds ?? WATCHED_KINDS;
    const backoff = this.opts.restartBackoffMs ?? { initial: 500, max: 30_000 };
    await Promise.all(
      kinds.map(async (spec) => {
        const kc = spec.metadataOnly ? metadataOnly(this.opts.kubeConfig) : this.opts.kubeConfig;
        const accept = spec.metadataOnly ? METADATA_LIST_ACCEPT : undefined;
        let f: Followed | undefined;
        const informer = makeInformer<KubernetesObject>(kc, spec.path, async () => {
          const list = await listAll(this.opts.kubeConfig, spec.path, accept);
          // The informer adds the items right after this returns; mark synced after that.
          setImmediate(() => {
            if (f) f.synced = true;
          });
          return list as never;
        });
        f = { spec, informer, synced: false, delayMs: backoff.initial };
        const fol = f;
        informer.on("add", (o) => this.onObject(fol, "add", o as KubeObject));
        informer.on("update", (o) => this.onObject(fol, "update", o as KubeObject));
        informer.on("delete", (o) => this.onObject(fol, "delete", o as KubeObject));
        informer.on("error", (err) => this.onError(fol, err, backoff.max));
        this.followed.push(fol);
        await informer.start().catch((err) => this.onError(fol, err, backoff.max));
      }),
    );
    this.opts.logger.info({ kinds: kinds.map((k) => k.kind) }, "kubernetes watcher started");
  }

  /** True once every informer completed a first list. */
  get synced(): boolean {
    return this.followed.length > 0 && this.followed.every((f) => f.synced);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const f of this.followed) {
      clearTimeout(f.restartTimer);
      await f.informer.stop();
    }
    await this.opts.publisher.close();
  }

  private onError(f: Followed, err: unknown, maxMs: number) {
    if (this.stopped || f.restartTimer) return;
    const e = err as { message?: string; statusCode?: number; code?: unknown };
    this.opts.metrics.watcherEvents.inc({ kind: f.spec.kind, type: "error" });
    this.opts.logger.warn(
      { kind: f.spec.kind, err: e?.message ?? String(err), status: e?.statusCode, retryInMs: f.delayMs },
      "watch stopped; restarting",
    );
    const delay = f.delayMs;
    f.delayMs = Math.min(f.delayMs * 2, maxMs);
    f.restartTimer = setTimeout(() => {
      f.restartTimer = undefined;
      if (this.stopped) return;
      this.opts.metrics.watcherEvents.inc({ kind: f.spec.kind, type: "restart" });
      f.informer.start().catch((e2) => this.onError(f, e2, maxMs));
    }, delay);
  }

  private ctx(): ConvertContext {
    return { cluster: this.opts.cluster, topics: this.opts.topics, nowMs: (this.opts.now ?? Date.now)() };
  }

  private onObject(f: Followed, verb: "add" | "update" | "delete", obj: KubeObject) {
    // Notifications flow again: the next failure starts its backoff from the beginning.
    f.delayMs = (this.opts.restartBackoffMs ?? { initial: 500 }).initial;
    const kind = f.spec.kind;
    this.opts.metrics.watcherEvents.inc({ kind, type: verb });
    const ctx = this.ctx();
    if (kind === "Event") {
      if (verb === "delete") return; // expiry of an event is not news
      const msg = convertEvent(obj, ctx);
      if (msg) this.opts.publisher.push([msg]);
      return;
    }
    const deleted = verb === "delete";
    const conv = convertResource(kind, obj, deleted, ctx);
    if (!conv) return;
    const out: WireMessage[] = [];
    const prevEdges = this.lastEdges.get(conv.key) ?? [];
    if (deleted) {
      out.push({ topic: ctx.topics.resources, key: conv.key, value: conv.value });
      const ids = new Set<string>();
      for (const e of [...prevEdges, ...conv.edges]) {
        if (ids.has(e.id)) continue;
        ids.add(e.id);
        out.push(edgeMessage(e, true, ctx));
      }
      this.lastHash.delete(conv.key);
      this.lastEdges.delete(conv.key);
    } else {
      const { at: _at, ...rest } = conv.value;
      const h = createHash("sha1").update(JSON.stringify(rest)).digest("hex");
      if (this.lastHash.get(conv.key) !== h) {
        out.push({ topic: ctx.topics.resources, key: conv.key, value: conv.value });
        this.lastHash.set(conv.key, h);
      }
      const now = new Set(conv.edges.map((e) => e.id));
      const before = new Set(prevEdges.map((e) => e.id));
      for (const e of conv.edges) if (!before.has(e.id)) out.push(edgeMessage(e, false, ctx));
      for (const e of prevEdges) if (!now.has(e.id)) out.push(edgeMessage(e, true, ctx));
      this.lastEdges.set(conv.key, conv.edges);
    }
    this.opts.publisher.push(out);
  }
}
