import { useEffect, useState } from "preact/hooks";

/** Client routes under /ui; the server answers every one of them with index.html. */
export const BASE = "/ui";

export type Route =
  | { page: "incidents"; query: URLSearchParams }
  | { page: "incident"; id: string; query: URLSearchParams }
  | { page: "rca"; eventId: string; query: URLSearchParams }
  | { page: "resource"; id: string; query: URLSearchParams }
  | { page: "search"; query: URLSearchParams }
  | { page: "notfound"; path: string; query: URLSearchParams };

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Parses a location into a route; ids are one path segment, percent-encoded. */
export function parseRoute(pathname: string, search: string): Route {
  const query = new URLSearchParams(search);
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split("/").filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "incidents"))
    return { page: "incidents", query };
  if (parts.length === 2 && parts[0] === "incidents")
    return { page: "incident", id: decode(parts[1]!), query };
  if (parts.length === 2 && parts[0] === "rca") return { page: "rca", eventId: decode(parts[1]!), query };
  if (parts.length === 2 && parts[0] === "resources")
    return { page: "resource", id: decode(parts[1]!), query };
  if (parts.length === 1 && parts[0] === "search") return { page: "search", query };
  return { page: "notfound", path: pathname, query };
}

const withQuery = (path: string, query?: Record<string, string | number | undefined>) => {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
};

export const hrefs = {
  incidents: (filters?: Record<string, string | undefined>) => withQuery(`${BASE}/incidents`, filters),
  incident: (id: string) => `${BASE}/incidents/${encodeURIComponent(id)}`,
  rca: (eventId: string, query?: Record<string, string | number | undefined>) =>
    withQuery(`${BASE}/rca/${encodeURIComponent(eventId)}`, query),
  resource: (id: string, query?: Record<string, string | number | undefined>) =>
    withQuery(`${BASE}/resources/${encodeURIComponent(id)}`, query),
  search: (q?: string, type?: string) => withQuery(`${BASE}/search`, { q, type }),
};

const NAV_EVENT = "kgrca:navigate";

/** Client-side navigation: push (or replace) the URL and let `useRoute` re-render. */
export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  window.dispatchEvent(new Event(NAV_EVENT));
}

export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const update = () => setRoute(read());
    window.addEventListener("popstate", update);
    window.addEventListener(NAV_EVENT, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAV_EVENT, update);
    };
  }, []);
  return route;
}

/** True when a click should stay with the browser (new tab, download, ...). */
export function isModifiedClick(e: MouseEvent): boolean {
  return e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey;
}
