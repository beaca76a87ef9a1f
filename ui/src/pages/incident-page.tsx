import type { EventView, Incident } from "../api.js";
import { encodeId } from "../api.js";
import { Link } from "../components/link.js";
import { ResourceLink } from "../components/resource-link.js";
import { onRowClick, onRowKeyDown } from "../components/rows.js";
import { ConfidenceBar, SeverityBadge } from "../components/severity.js";
import { ErrorBox, Loading } from "../components/status.js";
import { formatDuration, formatTime, relativeTo, severityRank } from "../format.js";
import { hrefs } from "../router.js";
import { useApi } from "../use-api.js";

/**
 * The event to analyse for an incident: what people are paged on is its last alert; without
 * alerts, its latest most severe event. Its causes are the incident's cause chain.
 */
export function symptomOf(events: readonly EventView[]): EventView | undefined {
  const byTime = [...events].sort((a, b) => Date.parse(a.event_time) - Date.parse(b.event_time));
  const alerts = byTime.filter((e) => e.etype === "prom.alert");
  if (alerts.length) return alerts.at(-1);
  let best: EventView | undefined;
  for (const e of byTime) if (!best || severityRank(e.severity) >= severityRank(best.severity)) best = e;
  return best;
}

export function IncidentPage({ id }: { id: string }) {
  const { data, error } = useApi<{ incident: Incident; events: EventView[] }>(
    `/api/v1/incidents/${encodeId(id)}`,
  );
  if (error) return <ErrorBox error={error} what={`incident ${id}`} />;
  if (!data) return <Loading what={`incident ${id}`} />;
  const { incident: i, events } = data;
  const symptom = symptomOf(events);
  const sorted = [...events].sort((a, b) => Date.parse(a.event_time) - Date.parse(b.event_time));
  return (
    <div>
      <h1 tabIndex={-1}>
        Incident <code>{i.incident_id}</code>
      </h1>
      <section class="card">
        <p>
          <SeverityBadge severity={i.severity} /> in cluster <strong>{i.cluster}</strong>,{" "}
          {formatTime(i.start_time)} – {formatTime(i.end_time)} (
          {formatDuration(Date.parse(i.end_time) - Date.parse(i.start_time))}), {i.event_count} events on{" "}
          {i.resources.length} resources.
        </p>
        {i.top_cause && (
          <p>
            Top root cause: <strong>{i.top_cause.reason}</strong> on{" "}
            <ResourceLink resource={i.top_cause.resource} /> <ConfidenceBar value={i.top_cause.confidence} />
            <br />
            <span class="explanation">{i.top_cause.explanation}</span>
          </p>
        )}
        {symptom && (
          <p>
            <Link href={hrefs.rca(symptom.event_id)} class="btn primary" data-testid="analyse-symptom">
              Root cause analysis of {symptom.reason} →
            </Link>{" "}
            <span class="muted small">
              (the incident's {symptom.etype === "prom.alert" ? "last alert" : "latest most severe event"})
            </span>
          </p>
        )}
        <p>
          Resources:{" "}
          {i.resources.map((r, n) => (
            <span key={r}>
              {n ? ", " : ""}
              <ResourceLink resource={r} />
            </span>
          ))}
        </p>
      </section>
      <h2>Events</h2>
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Offset</th>
            <th scope="col">Severity</th>
            <th scope="col">Reason</th>
            <th scope="col">Resource</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody onKeyDown={onRowKeyDown} onClick={onRowClick}>
          {sorted.map((e) => (
            <tr key={e.event_id} tabIndex={0} data-href={hrefs.rca(e.event_id)} data-event-id={e.event_id}>
              <td>{formatTime(e.event_time)}</td>
              <td>{relativeTo(e.event_time, i.start_time)}</td>
              <td>
                <SeverityBadge severity={e.severity} />
              </td>
              <td>
                <Link href={hrefs.rca(e.event_id)} tabIndex={-1}>
                  {e.reason}
                </Link>
                {e.event_id === i.root_event_id && <span class="tag"> root</span>}
              </td>
              <td>
                <ResourceLink resource={e.resource} />
              </td>
              <td class="msg" title={e.message}>
                {e.message}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
