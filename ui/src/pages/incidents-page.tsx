import { useMemo } from "preact/hooks";
import type { Incident, Page } from "../api.js";
import { ResourceLink } from "../components/resource-link.js";
import { onRowClick, onRowKeyDown } from "../components/rows.js";
import { ConfidenceBar, SeverityBadge } from "../components/severity.js";
import { ErrorBox, Loading } from "../components/status.js";
import { formatDuration, formatTime, parseResourceId, resourceLabel } from "../format.js";
import { hrefs, navigate } from "../router.js";
import { useApi } from "../use-api.js";

const RANGES: Record<string, number> = {
  "1h": 3_600_000,
  "6h": 21_600_000,
  "24h": 86_400_000,
  "7d": 604_800_000,
  "30d": 2_592_000_000,
};
const PAGE = 50;

/** Filters live in the URL, so a filtered list can be shared and survives reloads. */
function filtersFrom(q: URLSearchParams) {
  return {
    cluster: q.get("cluster") ?? "",
    namespace: q.get("namespace") ?? "",
    severity: q.get("severity") ?? "",
    range: q.get("range") ?? "",
    since: q.get("since") ?? "",
    until: q.get("until") ?? "",
    offset: Number(q.get("offset") ?? 0) || 0,
  };
}

/** `datetime-local` values are local wall-clock times; the API wants RFC 3339. */
const toIso = (local: string) => {
  if (!local) return undefined;
  const t = Date.parse(local);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
};

export function IncidentsPage({ query }: { query: URLSearchParams }) {
  const f = filtersFrom(query);
  // Computed once per filter change: a fresh "now" on every render would refetch forever.
  const since = useMemo(
    () =>
      f.range && RANGES[f.range] ? new Date(Date.now() - RANGES[f.range]!).toISOString() : toIso(f.since),
    [f.range, f.since],
  );
  const { data, error, loading } = useApi<Page<Incident>>("/api/v1/incidents", {
    cluster: f.cluster,
    namespace: f.namespace,
    severity: f.severity,
    since,
    until: f.range ? undefined : toIso(f.until),
    offset: f.offset || undefined,
    limit: PAGE,
  });
  const go = (patch: Record<string, string | undefined>) => {
    const next: Record<string, string | undefined> = {
      cluster: f.cluster,
      namespace: f.namespace,
      severity: f.severity,
      range: f.range,
      since: f.since,
      until: f.until,
      ...patch,
    };
    navigate(hrefs.incidents(next), true);
  };

  return (
    <div>
      <h1 tabIndex={-1}>Incidents</h1>
      <form
        class="filters"
        aria-label="Filter incidents"
        onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          const v = (k: string) => String(fd.get(k) ?? "").trim() || undefined;
          go({
            cluster: v("cluster"),
            namespace: v("namespace"),
            severity: v("severity"),
            range: v("range"),
            since: v("since"),
            until: v("until"),
            offset: undefined,
          });
        }}
      >
        <label>
          Cluster <input name="cluster" value={f.cluster} placeholder="any" />
        </label>
        <label>
          Namespace <input name="namespace" value={f.namespace} placeholder="any" />
        </label>
        <label>
          Severity at least{" "}
          <select name="severity" value={f.severity}>
            <option value="">any</option>
            <option value="WARNING">▲ WARNING</option>
            <option value="ERROR">■ ERROR</option>
            <option value="FATAL">✖ FATAL</option>
          </select>
        </label>
        <label>
          Time{" "}
          <select name="range" value={f.range}>
            <option value="">any / custom</option>
            {Object.keys(RANGES).map((r) => (
              <option key={r} value={r}>
                last {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Since <input name="since" type="datetime-local" step={1} value={f.since} />
        </label>
        <label>
          Until <input name="until" type="datetime-local" step={1} value={f.until} />
        </label>
        <button type="submit" class="btn primary">
          Apply
        </button>
        <button type="button" class="btn" onClick={() => navigate(hrefs.incidents(), true)}>
          Clear
        </button>
      </form>

      {error ? (
        <ErrorBox error={error} what="incidents" />
      ) : !data ? (
        <Loading what="incidents" />
      ) : data.items.length === 0 ? (
        <p class="empty">No incidents match. {loading ? "(refreshing…)" : ""}</p>
      ) : (
        <>
          <p class="muted" aria-live="polite">
            {data.total} incident{data.total === 1 ? "" : "s"}
            {data.total > data.items.length
              ? `, showing ${data.offset + 1}–${data.offset + data.items.length}`
              : ""}
            {loading ? " (refreshing…)" : ""}. Use ↑/↓ to move, Enter to open.
          </p>
          <table class="grid incidents">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Incident</th>
                <th scope="col">When</th>
                <th scope="col">Resources</th>
                <th scope="col">Events</th>
                <th scope="col">Top root cause</th>
              </tr>
            </thead>
            <tbody onKeyDown={onRowKeyDown} onClick={onRowClick}>
              {data.items.map((i) => (
                <tr
                  key={i.incident_id}
                  tabIndex={0}
                  data-href={hrefs.incident(i.incident_id)}
                  data-incident-id={i.incident_id}
                >
                  <td>
                    <SeverityBadge severity={i.severity} />
                  </td>
                  <td>
                    <a
                      href={hrefs.incident(i.incident_id)}
                      tabIndex={-1}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(hrefs.incident(i.incident_id));
                      }}
                    >
                      {i.incident_id}
                    </a>
                    <div class="muted small">{i.cluster}</div>
                  </td>
                  <td>
                    {formatTime(i.start_time)}
                    <div class="muted small">
                      lasted {formatDuration(Date.parse(i.end_time) - Date.parse(i.start_time))}
                    </div>
                  </td>
                  <td>
                    <span class="muted">{i.resources.length}:</span>{" "}
                    {i.resources
                      .slice(0, 3)
                      .map((r) => resourceLabel(parseResourceId(r)))
                      .join(", ")}
                    {i.resources.length > 3 ? ", …" : ""}
                  </td>
                  <td>{i.event_count}</td>
                  <td>
                    {i.top_cause ? (
                      <>
                        <strong>{i.top_cause.reason}</strong> on{" "}
                        <ResourceLink resource={i.top_cause.resource} />{" "}
                        <ConfidenceBar value={i.top_cause.confidence} />
                      </>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            <button
              type="button"
              class="btn"
              disabled={f.offset === 0}
              onClick={() => go({ offset: String(Math.max(0, f.offset - PAGE)) })}
            >
              ← Previous
            </button>
            <button
              type="button"
              class="btn"
              disabled={data.offset + data.items.length >= data.total}
              onClick={() => go({ offset: String(f.offset + PAGE) })}
            >
              Next →
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
