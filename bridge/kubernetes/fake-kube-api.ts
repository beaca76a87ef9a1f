import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { KubeObject } from "./convert.js";

/**
 * A small HTTP server that speaks the Kubernetes list/watch protocol for tests and demos (it is
 * real code, not a mock of the client): paginated lists (`limit`/`continue`) with a
 * resourceVersion, chunked watch streams of ADDED/MODIFIED/DELETED/BOOKMARK lines starting after
 * the requested resourceVersion, 410 Gone (an ERROR event with code 410, as the API server sends
 * it) for a resourceVersion older than the compaction point, metadata-only responses for
 * `Accept: ...;as=PartialObjectMetadata...`, and abrupt connection drops on demand.
 *
 * Leaves out: field/label selectors, authentication, protobuf, server-side timeouts.
 */

type WatchType = "ADDED" | "MODIFIED" | "DELETED";

interface HistoryEntry {
  readonly path: string;
  readonly rv: number;
  readonly type: WatchType;
  readonly obj: KubeObject;
}

interface Watcher {
  readonly path: string;
  readonly res: ServerResponse;
  readonly metadataOnly: boolean;
}

/** What the watcher asked for, so tests can check the protocol (e.g. metadata-only Secrets). */
export interface RequestRecord {
  readonly path: string;
  readonly watch: boolean;
  readonly resourceVersion?: string;
  readonly accept: string;
}

const KIND_BY_PATH: Record<string, { kind: string; apiVersion: string }> = {
  "/api/v1/pods": { kind: "Pod", apiVersion: "v1" },
  "/api/v1/services": { kind: "Service", apiVersion: "v1" },
  "/apis/discovery.k8s.io/v1/endpointslices": { kind: "EndpointSlice", apiVersion: "discovery.k8s.io/v1" },
  "/apis/apps/v1/deployments": { kind: "Deployment", apiVersion: "apps/v1" },
  "/apis/apps/v1/replicasets": { kind: "ReplicaSet", apiVersion: "apps/v1" },
  "/apis/apps/v1/statefulsets": { kind: "StatefulSet", apiVersion: "apps/v1" },
  "/apis/apps/v1/daemonsets": { kind: "DaemonSet", apiVersion: "apps/v1" },
  "/apis/batch/v1/jobs": { kind: "Job", apiVersion: "batch/v1" },
  "/apis/batch/v1/cronjobs": { kind: "CronJob", apiVersion: "batch/v1" },
  "/api/v1/nodes": { kind: "Node", apiVersion: "v1" },
  "/api/v1/persistentvolumeclaims": { kind: "PersistentVolumeClaim", apiVersion: "v1" },
  "/api/v1/persistentvolumes": { kind: "PersistentVolume", apiVersion: "v1" },
  "/apis/networking.k8s.io/v1/ingresses": { kind: "Ingress", apiVersion: "networking.k8s.io/v1" },
  "/api/v1/configmaps": { kind: "ConfigMap", apiVersion: "v1" },
  "/api/v1/secrets": { kind: "Secret", apiVersion: "v1" },
  "/api/v1/events": { kind: "Event", apiVersion: "v1" },
};

const objKey = (o: KubeObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

export class FakeKubeApi {
  private server: Server | undefined;
  private rv = 1000;
  private compactedBelow = 0;
  private available = true;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  readonly requests: RequestRecord[] = [];
  url = "";

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.dropWatches();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
    this.server?.closeAllConnections();
  }

  /** A kubeconfig file pointing at this server (plain HTTP needs insecure-skip-tls-verify). */
  writeKubeconfig(file: string, context = "fake"): string {
    writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: ${context}`,
        "  cluster:",
        `    server: ${this.url}`,
        "    insecure-skip-tls-verify: true",
        "users:",
        "- name: tester",
        "  user:",
        "    token: fake-token",
        "contexts:",
        `- name: ${context}`,
        "  context:",
        `    cluster: ${context}`,
        "    user: tester",
        `current-context: ${context}`,
        "",
      ].join("\n"),
    );
    return file;
  }

  /** Creates or replaces an object (ADDED or MODIFIED); returns it with its new resourceVersion. */
  apply(path: string, obj: KubeObject): KubeObject {
    const meta = KIND_BY_PATH[path];
    if (!meta) throw new Error(`unknown path ${path}`);
    const store = this.objects.get(path) ?? new Map<string, KubeObject>();
    this.objects.set(path, store);
    const existed = store.has(objKey(obj));
    const rv = ++this.rv;
    const stored: KubeObject = {
      ...obj,
      apiVersion: meta.apiVersion,
      kind: meta.kind,
      metadata: { ...obj.metadata, resourceVersion: String(rv) },
    };
    store.set(objKey(stored), stored);
    this.emit({ path, rv, type: existed ? "MODIFIED" : "ADDED", obj: stored });
    return stored;
  }

  /** Deletes an object (DELETED). */
  remove(path: string, namespace: string | undefined, name: string): void {
    const store = this.objects.get(path);
    const key = `${namespace ?? ""}/${name}`;
    const cur = store?.get(key);
    if (!store || !cur) return;
    store.delete(key);
    const rv = ++this.rv;
    this.emit({
      path,
      rv,
      type: "DELETED",
      obj: { ...cur, metadata: { ...cur.metadata, resourceVersion: String(rv) } },
    });
  }

  /** Sends a BOOKMARK with the current resourceVersion to every open watch. */
  bookmark(): void {
    for (const w of this.watchers) {
      const meta = KIND_BY_PATH[w.path]!;
      this.write(w, {
        type: "BOOKMARK",
        object: {
          kind: meta.kind,
          apiVersion: meta.apiVersion,
          metadata: { resourceVersion: String(this.rv) },
        },
      });
    }
  }

  /** Kills every open watch connection without a proper end (a network drop). */
  dropWatches(): void {
    for (const w of this.watchers) w.res.socket?.destroy();
    this.watchers.clear();
  }

  /** Forgets history: watches from an older resourceVersion get 410 Gone and must re-list. */
  compact(): void {
    this.compactedBelow = this.rv + 1;
  }

  /** While unavailable every request gets 503 and open watches are dropped (an API server outage). */
  setAvailable(available: boolean): void {
    this.available = available;
    if (!available) this.dropWatches();
  }

  /** Open watch connections right now. */
  get openWatches(): number {
    return this.watchers.size;
  }

  private emit(e: HistoryEntry) {
    this.history.push(e);
    for (const w of this.watchers) {
      if (w.path === e.path) this.write(w, { type: e.type, object: this.shape(e.obj, w.metadataOnly) });
    }
  }

  private shape(obj: KubeObject, metadataOnly: boolean): KubeObject {
    if (!metadataOnly) return obj;
    return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
  }

  private write(w: Watcher, line: unknown) {
    if (!w.res.writableEnded && !w.res.destroyed) w.res.write(`${JSON.stringify(line)}\n`);
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    const meta = KIND_BY_PATH[path];
    const accept = String(req.headers.accept ?? "");
    const watch = url.searchParams.get("watch") === "true";
    const rvParam = url.searchParams.get("resourceVersion") ?? undefined;
    this.requests.push({
      path,
      watch,
      accept,
      ...(rvParam !== undefined ? { resourceVersion: rvParam } : {}),
    });
    if (!this.available) {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "ServiceUnavailable",
          code: 503,
        }),
      );
      return;
    }
    if (!meta) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "NotFound",
          code: 404,
        }),
      );
      return;
    }
    const metadataOnly = accept.includes("as=PartialObjectMetadata");
    if (watch) {
      res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
      res.flushHeaders(); // as the API server does: the client sees the watch open before any event
      const from = Number(rvParam ?? "0");
      const w: Watcher = { path, res, metadataOnly };
      if (rvParam && from < this.compactedBelow - 1) {
        this.write(w, {
          type: "ERROR",
          object: {
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            message: `too old resource version: ${from} (${this.compactedBelow})`,
            reason: "Expired",
            code: 410,
          },
        });
        res.end();
        return;
      }
      for (const e of this.history) {
        if (e.path === path && e.rv > from)
          this.write(w, { type: e.type, object: this.shape(e.obj, metadataOnly) });
      }
      this.watchers.add(w);
      res.on("close", () => this.watchers.delete(w));
      return;
    }
    const all = [...(this.objects.get(path)?.values() ?? [])].sort((a, b) =>
      objKey(a).localeCompare(objKey(b)),
    );
    const limit = Number(url.searchParams.get("limit") ?? "0") || all.length || 1;
    const start = Number(url.searchParams.get("continue") ?? "0");
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : undefined;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        kind: metadataOnly ? "PartialObjectMetadataList" : `${meta.kind}List`,
        apiVersion: metadataOnly ? "meta.k8s.io/v1" : meta.apiVersion,
        metadata: { resourceVersion: String(this.rv), ...(next ? { continue: next } : {}) },
        // List items carry no kind/apiVersion, as with the real API server.
        items: page.map((o) => {
          const { kind: _k, apiVersion: _a, ...rest } = this.shape(o, metadataOnly);
          return rest;
        }),
      }),
    );
  }
}
