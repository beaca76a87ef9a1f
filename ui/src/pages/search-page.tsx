import type { EventView, Page, ResourceSummary } from "../api.js";
import { Link } from "../components/link.js";
import { ResourceLink } from "../components/resource-link.js";
import { onRowClick, onRowKeyDown } from "../components/rows.js";
import { SeverityBadge } from "../components/severity.js";
import { ErrorBox, Loading } from "../components/status.js";
import { formatTime } from "../format.js";
import { hrefs, navigate } from "../router.js";
import { useApi } from "../use-api.js";

type SearchType = "any" | "event" | "resource" | "reason";
const TYPES: Array<[SearchType, string]> = [
  ["any", "Anything"],
  ["event", "Event id"],
  ["resource", "Resource name"],
  ["reason", "Reason"],
];

export function SearchPage({ query }: { query: URLSearchParams }) {
  const q = (query.get("q") ?? "").trim();
  const type = (TYPES.some(([t]) => t === query.get("type")) ? query.get("type") : "any") as SearchType;
  const wantResources = q !== "" && (type === "any" || type === "resource");
  const wantEvents = q !== "" && (type === "any" || type === "reason");
  const resources = useApi<Page<ResourceSummary>>(wantResources ? "/api/v1/resources" : null, {
    name: q,
    limit: 50,
  });
  const events = useApi<Page<EventView>>(wantEvents ? "/api/v1/events" : null, { reason: q, limit: 100 });

  return (
    <div>
      <h1 tabIndex={-1}>Search</h1>
      <form
        class="filters"
        aria-label="Search"
        onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          const nq = String(fd.get("q") ?? "").trim();
          const nt = String(fd.get("type") ?? "any");
          if (nq && nt === "event") navigate(hrefs.rca(nq));
          else navigate(hrefs.search(nq, nt === "any" ? undefined : nt), true);
        }}
      >
        <label>
          Find <input name="q" value={q} size={40} placeholder="event id, resource name or reason" />
        </label>
        <fieldset class="radios">
          <legend class="sr-only">Search in</legend>
          {TYPES.map(([t, label]) => (
            <label key={t}>
              <input type="radio" name="type" value={t} checked={type === t} /> {label}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="btn primary">
          Search
        </button>
      </form>
      {q && (type === "any" || type === "event") && (
        <p>
          Event id? <Link href={hrefs.rca(q)}>Open the root cause analysis of “{q}” →</Link>
        </p>
      )}
      {wantResources && (
        <section aria-labelledby="sr-h">
          <h2 id="sr-h">Resources named like “{q}”</h2>
          {resources.error ? (
            <ErrorBox error={resources.error} what="resources" />
          ) : !resources.data ? (
            <Loading what="resources" />
          ) : resources.data.items.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <>
              <p class="muted">
                {resources.data.total} found
                {resources.data.total > resources.data.items.length
                  ? `, first ${resources.data.items.length}`
                  : ""}
              </p>
              <table class="grid">
                <thead>
                  <tr>
                    <th scope="col">Resource</th>
                    <th scope="col">Cluster</th>
                    <th scope="col">Id</th>
                  </tr>
                </thead>
                <tbody onKeyDown={onRowKeyDown} onClick={onRowClick}>
                  {resources.data.items.map((r) => (
                    <tr key={r.id} tabIndex={0} data-href={hrefs.resource(r.id)}>
                      <td>
                        <ResourceLink resource={r} />
                      </td>
                      <td>{r.cluster}</td>
                      <td>
                        <code>{r.id}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      )}
      {wantEvents && (
        <section aria-labelledby="se-h">
          <h2 id="se-h">Events with reason “{q}”</h2>
          {events.error ? (
            <ErrorBox error={events.error} what="events" />
          ) : !events.data ? (
            <Loading what="events" />
          ) : events.data.items.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <>
              <p class="muted">
                {events.data.total} found
                {events.data.total > events.data.items.length ? `, first ${events.data.items.length}` : ""}
              </p>
              <table class="grid">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Resource</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody onKeyDown={onRowKeyDown} onClick={onRowClick}>
                  {events.data.items.map((e) => (
                    <tr key={e.event_id} tabIndex={0} data-href={hrefs.rca(e.event_id)}>
                      <td>{formatTime(e.event_time)}</td>
                      <td>
                        <SeverityBadge severity={e.severity} />
                      </td>
                      <td>
                        <Link href={hrefs.rca(e.event_id)} tabIndex={-1}>
                          {e.reason}
                        </Link>
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
            </>
          )}
        </section>
      )}
    </div>
  );
}
