/** The API's response shapes (api/schemas.ts) and a fetch client that adds the stored API key. */

export type Severity = "INFO" | "WARNING" | "ERROR" | "FATAL";

export interface ResourceSummary {
  id: string;
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface EventView {
  event_id: string;
  base_id: string;
  cluster: string;
  etype: string;
  severity: string;
  original_severity: string;
  reason: string;
  message: string;
  event_time: string;
  count: number;
  resource: ResourceSummary | null;
  incident_id: string | null;
}

export interface Cause {
  event_id: string;
  reason: string;
  message: string;
  severity: string;
  event_time: string;
  etype: string;
  confidence: number;
  temporal_score: number;
  distance_score: number;
  domain_score: number;
  hops: number;
  subject: ResourceSummary | null;
  explanation: string;
  /** `path` alternates resource ids and edge types, from the symptom's resource to the cause's. */
  evidence: { rule: string; path: string[] };
}

export interface TopCause {
  event_id: string;
  reason: string;
  resource: ResourceSummary | null;
  confidence: number;
  explanation: string;
}

export interface Incident {
  incident_id: string;
  cluster: string;
  severity: string;
  start_time: string;
  end_time: string;
  event_count: number;
  resources: string[];
  root_event_id: string | null;
  top_cause?: TopCause;
}

export interface RcaView {
  event: EventView;
  potential_causes: Cause[];
  blast_radius: ResourceSummary[];
  related_incident: Incident | null;
  timeline: EventView[];
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export interface ResourceDetail extends ResourceSummary {
  uid: string | null;
  labels: Record<string, string>;
  props: Record<string, unknown>;
  deleted: boolean;
  updated_at?: string;
}

export interface TopologyEdge {
  from: string;
  to: string;
  type: string;
  origin: string;
}

export interface Topology {
  root: string;
  nodes: ResourceSummary[];
  edges: TopologyEdge[];
}

export type Query = Record<string, string | number | undefined | null>;

const KEY_STORAGE = "kgrca.apiKey";

/** The API key the user pasted, if any (kept in this browser's localStorage only). */
export function getApiKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setApiKey(key: string | null): void {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage can be disabled (private mode); the key then lasts for this page only.
  }
  memoryKey = key;
  window.dispatchEvent(new Event("kgrca:apikey"));
}
let memoryKey: string | null = null;

/** An API call that did not return 2xx; `detail` is the problem+json detail when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly url: string,
  ) {
    super(`${status}: ${detail}`);
    this.name = "ApiError";
  }
  get needsKey(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** Path plus query string; empty and undefined values are left out. */
export function apiPath(path: string, query: Query = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export async function getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  const url = apiPath(path, query);
  const headers: Record<string, string> = { accept: "application/json" };
  const key = getApiKey() ?? memoryKey;
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(url, { headers, signal });
  if (!res.ok) {
    let detail = res.statusText;
    try {
      const body = (await res.json()) as { detail?: string; title?: string };
      detail = body.detail ?? body.title ?? detail;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(res.status, detail, url);
  }
  return (await res.json()) as T;
}

/** The same request as a shell command; the key stays out of it (it names an env variable instead). */
export function curlFor(path: string): string {
  const url = new URL(path, window.location.origin).toString();
  const auth = getApiKey() ? ` -H "Authorization: Bearer $KGRCA_API_KEY"` : "";
  return `curl -sS${auth} '${url.replace(/'/g, "'\\''")}'`;
}

export const encodeId = (id: string) => encodeURIComponent(id);
