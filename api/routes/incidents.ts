import type { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Incident } from "../../graph/index.js";
import { analyze } from "../../rca/analyze.js";
import type { AppDeps } from "../deps.js";
import { problem } from "../problem.js";
import { jsonResponse, openapiRoute, problemResponse, valid } from "../route.js";
import {
  AnomalyPage,
  AnomalyQuery,
  EventPage,
  EventQuery,
  IncidentIdParam,
  IncidentPage,
  IncidentQuery,
  IncidentResponse,
} from "../schemas.js";
import { anomalyView, eventView, incidentView, topCauseView } from "../views.js";

/** Events shown with an incident. */
const INCIDENT_EVENTS = 500;

const readErrors = {
  400: problemResponse("Invalid query (the problem's errors name each bad parameter)"),
  401: problemResponse("No or unknown API key"),
};

/** Incidents (with the top cause of each), events and anomalies. */
export function registerIncidentRoutes(app: OpenAPIHono, deps: AppDeps): void {
  /**
   * The same ranking as /api/v1/rca, cut to its best cause: of the root (earliest) event, or, when
   * nothing earlier explains the root event, of the incident's latest event (whose best cause is
   * then usually the root event itself).
   */
  const withTopCause = async (i: Incident) => {
    const view = incidentView(i);
    const latest = (await deps.store.listEvents({ incidentId: i.id, limit: 1 })).items[0]?.id;
    for (const id of new Set([i.rootEventId, latest])) {
      // The workers store a cause link for every explained event: none stored, nothing to rank.
      if (!id || (await deps.store.causeLinksTo(id)).length === 0) continue;
      const a = await analyze(deps.store, id, {
        windowMs: deps.rca.windowMs,
        maxHops: deps.rca.maxHops,
        limit: 1,
        rules: deps.rules,
      });
      const top = topCauseView(a);
      if (top) return { ...view, top_cause: top };
    }
    return view;
  };

  openapiRoute(
    app,
    {
      method: "get",
      path: "/api/v1/incidents",
      tags: ["incidents"],
      summary: "Incidents, newest first, each with the top cause of its root event",
      description:
        "`severity` means at or above; `since`/`until` select incidents overlapping that interval.",
      request: { query: IncidentQuery },
      responses: { 200: jsonResponse(IncidentPage, "A page of incidents"), ...readErrors },
    },
    async (c) => {
      const q = valid<z.infer<typeof IncidentQuery>>(c, "query");
      const page = await deps.store.listIncidents({
        ...(q.cluster ? { cluster: q.cluster } : {}),
        ...(q.namespace ? { namespace: q.namespace } : {}),
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.since !== undefined ? { sinceMs: q.since } : {}),
        ...(q.until !== undefined ? { untilMs: q.until } : {}),
        offset: q.offset ?? 0,
        limit: q.limit ?? 50,
      });
      const items = [];
      for (const i of page.items) items.push(await withTopCause(i));
      return c.json({ ...page, items }, 200);
    },
  );

  openapiRoute(
    app,
    {
      method: "get",
      path: "/api/v1/incidents/{id}",
      tags: ["incidents"],
      summary: "One incident with its events (oldest first) and the top cause of its root event",
      request: { params: IncidentIdParam },
      responses: {
        200: jsonResponse(IncidentResponse, "The incident"),
        ...readErrors,
        404: problemResponse("Unknown incident"),
      },
    },
    async (c) => {
      const { id } = valid<{ id: string }>(c, "param");
      const incident = await deps.store.getIncident(id);
      if (!incident) return problem(c, 404, `incident "${id.slice(0, 300)}" not found`);
      const events = await deps.store.incidentEvents(incident.id, INCIDENT_EVENTS);
      return c.json({ incident: await withTopCause(incident), events: events.map(eventView) }, 200);
    },
  );

  openapiRoute(
    app,
    {
      method: "get",
      path: "/api/v1/events",
      tags: ["incidents"],
      summary:
        "Events, newest first, by cluster, namespace, resource, reason, severity, type, time, incident",
      description: "`severity` means at or above (effective severity, after escalation).",
      request: { query: EventQuery },
      responses: { 200: jsonResponse(EventPage, "A page of events"), ...readErrors },
    },
    async (c) => {
      const q = valid<z.infer<typeof EventQuery>>(c, "query");
      const page = await deps.store.listEvents({
        ...(q.cluster ? { cluster: q.cluster } : {}),
        ...(q.namespace ? { namespace: q.namespace } : {}),
        ...(q.resource_id ? { resourceId: q.resource_id } : {}),
        ...(q.reason ? { reason: q.reason } : {}),
        ...(q.severity ? { minSeverity: q.severity } : {}),
        ...(q.etype ? { etype: q.etype } : {}),
        ...(q.since !== undefined ? { sinceMs: q.since } : {}),
        ...(q.until !== undefined ? { untilMs: q.until } : {}),
        ...(q.incident_id ? { incidentId: q.incident_id } : {}),
        offset: q.offset ?? 0,
        limit: q.limit ?? 50,
      });
      return c.json({ ...page, items: page.items.map(eventView) }, 200);
    },
  );

  openapiRoute(
    app,
    {
      method: "get",
      path: "/api/v1/anomalies",
      tags: ["incidents"],
      summary: "Detected anomalies (error spikes, cascades, OOM leaks, churn), newest first",
      request: { query: AnomalyQuery },
      responses: { 200: jsonResponse(AnomalyPage, "A page of anomalies"), ...readErrors },
    },
    async (c) => {
      const q = valid<z.infer<typeof AnomalyQuery>>(c, "query");
      const page = await deps.store.listAnomalies({
        ...(q.cluster ? { cluster: q.cluster } : {}),
        ...(q.type ? { type: q.type } : {}),
        ...(q.since !== undefined ? { sinceMs: q.since } : {}),
        offset: q.offset ?? 0,
        limit: q.limit ?? 50,
      });
      return c.json({ ...page, items: page.items.map(anomalyView) }, 200);
    },
  );
}
