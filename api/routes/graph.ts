import type { OpenAPIHono, z } from "@hono/zod-openapi";
import { canonicalKind } from "../../rca/identity.js";
import type { AppDeps } from "../deps.js";
import { problem } from "../problem.js";
import { jsonResponse, openapiRoute, problemResponse, valid } from "../route.js";
import {
  GraphStatsSchema,
  ResourceIdParam,
  ResourcePage,
  ResourceQueryParams,
  ResourceResponse,
  TopologyQuery,
  TopologyResponse,
} from "../schemas.js";
import { eventView, resourceDetailView, resourceSummary } from "../views.js";

/** Events shown with a resource. */
const RESOURCE_EVENTS = 100;

const readErrors = {
  400: problemResponse("Invalid query (the problem's errors name each bad parameter)"),
  401: problemResponse("No or unknown API key"),
};

/** Graph statistics, resource search, one resource, and the topology around it. */
export function registerGraphRoutes(app: OpenAPIHono, deps: AppDeps): void {
  openapiRoute(
    app,
    {
      method: "get",
      path: "/api/v1/graph/stats",
      tags: ["graph"],
      summary: "Counts of resources, events, edges, incidents (by kind, edge type, severity, cluster)",
      responses: { 200: jsonResponse(GraphStatsSchema, "Graph statistics"), 401: readErrors[401] },
    },
    async (c) => c.json(await deps.store.stats(), 200),
  );

  openapiRoute(
    app,
    {
      method: "get",
      path: "/api/v1/resources",
      tags: ["graph"],
      summary: "Search resources by cluster, kind, namespace and name substring",
      request: { query: ResourceQueryParams },
      responses: { 200: jsonResponse(ResourcePage, "A page of resources"), ...readErrors },
    },
    async (c) => {
      const q = valid<z.infer<typeof ResourceQueryParams>>(c, "query");
      const page = await deps.store.searchResources({
        ...(q.cluster ? { cluster: q.cluster } : {}),
        ...(q.kind ? { kind: canonicalKind(q.kind) } : {}),
        ...(q.namespace !== undefined ? { namespace: q.namespace } : {}),
        ...(q.name ? { name: q.name } : {}),
        offset: q.offset ?? 0,
        limit: q.limit ?? 50,
      });
      return c.json({ ...page, items: page.items.map((r) => resourceSummary(r.id, r)!) }, 200);
    },
  );

  openapiRoute(
    app,
    {
      method: "get",
      path: "/api/v1/resources/{id}",
      tags: ["graph"],
      summary: "One resource (labels, properties) and its most recent events",
      request: { params: ResourceIdParam },
      responses: {
        200: jsonResponse(ResourceResponse, "The resource"),
        ...readErrors,
        404: problemResponse("Unknown resource"),
      },
    },
    async (c) => {
      const { id } = valid<{ id: string }>(c, "param");
      const r = await deps.store.getResource(id);
      if (!r) return problem(c, 404, `resource "${id.slice(0, 300)}" not found`);
      const events = await deps.store.listEvents({ resourceId: r.id, limit: RESOURCE_EVENTS });
      return c.json({ resource: resourceDetailView(r), events: events.items.map(eventView) }, 200);
    },
  );

  openapiRoute(
    app,
    {
      method: "get",
      path: "/api/v1/resources/{id}/topology",
      tags: ["graph"],
      summary: "Resources within `depth` hops (default 1) and the edges between them",
      request: { params: ResourceIdParam, query: TopologyQuery },
      responses: {
        200: jsonResponse(TopologyResponse, "The neighbourhood"),
        ...readErrors,
        404: problemResponse("Unknown resource"),
      },
    },
    async (c) => {
      const { id } = valid<{ id: string }>(c, "param");
      const depth = valid<z.infer<typeof TopologyQuery>>(c, "query").depth ?? 1;
      const root = await deps.store.getResource(id);
      if (!root) return problem(c, 404, `resource "${id.slice(0, 300)}" not found`);
      const reach = await deps.store.neighborhood(root.id, depth);
      const ids = [...reach.keys()];
      const known = new Map((await deps.store.getResources(ids)).map((r) => [r.id, r]));
      const inSet = new Set(ids);
      const seen = new Set<string>();
      const edges = [];
      for (const e of await deps.store.edgesOf(ids)) {
        if (!inSet.has(e.fromId) || !inSet.has(e.toId)) continue;
        const k = `${e.fromId}\u0000${e.toId}\u0000${e.type}`;
        if (seen.has(k)) continue;
        seen.add(k);
        edges.push({ from: e.fromId, to: e.toId, type: e.type, origin: e.origin });
      }
      const nodes = ids
        .map((rid) => resourceSummary(rid, known.get(rid)))
        .filter((n): n is NonNullable<typeof n> => n !== null);
      return c.json({ root: root.id, nodes, edges }, 200);
    },
  );
}
