import http from "node:http";
import https from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import type { KubeObject } from "./convert.js";

/** The API server refused or failed a request; `statusCode` 410 means the resourceVersion expired. */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

/**
 * Kubeconfig from a file (`--kubeconfig` / `KUBECONFIG`), else the default locations, else the
 * in-cluster service account; `context` picks a context of the file.
 */
export function loadKubeConfig(opts: { kubeconfig?: string; context?: string }): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (opts.context) kc.setCurrentContext(opts.context);
  if (!kc.getCurrentCluster())
    throw new Error("kubeconfig has no current cluster; pass --kubeconfig or --context");
  return kc;
}

/** Accept headers that make the API server send PartialObjectMetadata(List) instead of whole objects. */
export const METADATA_LIST_ACCEPT =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
export const METADATA_WATCH_ACCEPT =
  "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

/**
 * A view of `kc` whose watch requests ask for metadata only (used for Secrets: their data is
 * never transferred, let alone read or logged).
 */
export function metadataOnly(kc: KubeConfig): KubeConfig {
  const view = Object.create(kc) as KubeConfig;
  view.applyToFetchOptions = async (opts) => {
    const init = await kc.applyToFetchOptions(opts);
    // The client builds its own Headers object; setting on it keeps the fetch implementation's type.
    (init.headers as { set(name: string, value: string): void }).set("Accept", METADATA_WATCH_ACCEPT);
    return init;
  };
  return view;
}

/** GET of one API path as JSON, with the kubeconfig's credentials and TLS settings. */
export async function getJson(kc: KubeConfig, path: string, accept = "application/json"): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("no current cluster");
  const url = new URL(cluster.server.replace(/\/$/, "") + path);
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const mod = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: "GET",
        agent: opts.agent,
        ...(opts.auth ? { auth: opts.auth } : {}),
        headers: { ...(opts.headers ?? {}), Accept: accept },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) {
            reject(
              new KubeApiError(
                `GET ${url.pathname}: HTTP ${res.statusCode} ${text.slice(0, 200)}`,
                res.statusCode ?? 0,
              ),
            );
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${url.pathname}: timed out`)));
    req.on("error", reject);
    req.end();
  });
}

export interface KubeList {
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
  readonly items: KubeObject[];
}

/** A complete list in pages of `limit` (`continue` tokens); the resourceVersion is the list's snapshot. */
export async function listAll(kc: KubeConfig, path: string, accept?: string, limit = 500): Promise<KubeList> {
  const items: KubeObject[] = [];
  let cont: string | undefined;
  let resourceVersion: string | undefined;
  do {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cont) q.set("continue", cont);
    const page = (await getJson(kc, `${path}?${q}`, accept)) as KubeList;
    items.push(...(page.items ?? []));
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return { metadata: { resourceVersion: resourceVersion ?? "" }, items };
}
