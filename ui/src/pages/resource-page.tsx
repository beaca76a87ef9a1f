import type { ElementDefinition } from "cytoscape";
import { useMemo, useState } from "preact/hooks";
import { type EventView, encodeId, type ResourceDetail, type Topology } from "../api.js";
import { Graph } from "../components/graph.js";
import { Link } from "../components/link.js";
import { ResourceLink } from "../components/resource-link.js";
import { onRowClick, onRowKeyDown } from "../components/rows.js";
import { SeverityBadge } from "../components/severity.js";
import { ErrorBox, Loading } from "../components/status.js";
import { displayKind, formatTime, parseResourceId, resourceLabel } from "../format.js";
import { hrefs, navigate } from "../router.js";
import { useApi } from "../use-api.js";

const DEPTHS = [0, 1, 2, 3, 4];

export function ResourcePage({ id, query }: { id: string; query: URLSearchParams }) {
  const depth = Math.min(6, Math.max(0, Number(query.get("depth") ?? 1) || 0));
  const res = useApi<{ resource: ResourceDetail; events: EventView[] }>(`/api/v1/resources/${encodeId(id)}`);
  const topo = useApi<Topology>(`/api/v1/resources/${encodeId(id)}/topology`, { depth });
  const [picked, setPicked] = useState<Record<string, unknown> | null>(null);

  const elements = useMemo<ElementDefinition[]>(() => {
    const t = topo.data;
    if (!t) return [];
    const ids = new Set(t.nodes.map((n) => n.id));
    const nodes = t.nodes.map((n) => ({
      group: "nodes" as const,
      data: {
        id: n.id,
        ref: n.id,
        type: "resource",
        label: `${displayKind(n.kind)}\n${n.namespace ? `${n.namespace}/` : ""}${n.name}`,
      },
      classes: `resource kind-${n.kind.toLowerCase()}${n.id === t.root ? " root" : ""}`,
    }));
    const edges = t.edges
      .filter((e) => ids.has(e.from) && ids.has(e.to))
      .map((e) => ({
        group: "edges" as const,
        data: {
          id: `${e.from}|${e.type}|${e.to}`,
          source: e.from,
          target: e.to,
          label: e.type.toLowerCase(),
        },
        classes: e.origin,
      }));
    return [...nodes, ...edges];
  }, [topo.data]);

  const r = res.data?.resource;
  const summary = r ?? parseResourceId(id);
  return (
    <div>
      <h1 tabIndex={-1}>{resourceLabel(summary)}</h1>
      {res.error ? (
        <ErrorBox error={res.error} what={`resource ${id}`} />
      ) : !r ? (
        <Loading what="the resource" />
      ) : (
        <section class="card">
          <dl class="props">
            <dt>id</dt>
            <dd>
              <code>{r.id}</code>
            </dd>
            <dt>cluster</dt>
            <dd>{r.cluster}</dd>
            <dt>kind</dt>
            <dd>{displayKind(r.kind)}</dd>
            {r.namespace && (
              <>
                <dt>namespace</dt>
                <dd>{r.namespace}</dd>
              </>
            )}
            <dt>uid</dt>
            <dd>{r.uid ?? "—"}</dd>
            <dt>state</dt>
            <dd>{r.deleted ? "✖ deleted" : "present"}</dd>
            {r.updated_at && (
              <>
                <dt>updated</dt>
                <dd>{formatTime(r.updated_at)}</dd>
              </>
            )}
            <dt>labels</dt>
            <dd>
              {Object.keys(r.labels).length ? (
                <ul class="chips">
                  {Object.entries(r.labels).map(([k, v]) => (
                    <li key={k}>
                      <code>
                        {k}={v}
                      </code>
                    </li>
                  ))}
                </ul>
              ) : (
                "—"
              )}
            </dd>
          </dl>
          {Object.keys(r.props).length > 0 && (
            <details>
              <summary>Properties</summary>
              <pre class="json">{JSON.stringify(r.props, null, 2)}</pre>
            </details>
          )}
        </section>
      )}

      <section class="card" aria-labelledby="nb-h">
        <h2 id="nb-h">Neighbourhood</h2>
        <label>
          Depth{" "}
          <select
            value={String(depth)}
            onChange={(e) =>
              navigate(hrefs.resource(id, { depth: (e.target as HTMLSelectElement).value }), true)
            }
          >
            {DEPTHS.map((d) => (
              <option key={d} value={d}>
                {d} hop{d === 1 ? "" : "s"}
              </option>
            ))}
          </select>
        </label>
        {topo.error ? (
          <ErrorBox error={topo.error} what="the topology" />
        ) : !topo.data ? (
          <Loading what="the topology" />
        ) : (
          <>
            <p class="muted">
              {topo.data.nodes.length} resources, {topo.data.edges.length} edges
              {topo.loading ? " (refreshing…)" : ""}. Dashed edges are derived or inferred, not sent by a
              producer.
            </p>
            <Graph
              name="topology"
              label={`Topology around ${resourceLabel(summary)}, depth ${depth}; the table below lists the same resources`}
              elements={elements}
              layout="breadthfirst"
              roots={[topo.data.root]}
              onSelect={setPicked}
              height={420}
            />
            {picked && (
              <p class="picked">
                Selected {resourceLabel(parseResourceId(String(picked.ref)))} —{" "}
                <Link href={hrefs.resource(String(picked.ref), { depth })}>open</Link>
              </p>
            )}
            <details>
              <summary>Resources and edges as a list</summary>
              <ul>
                {topo.data.edges.map((e) => (
                  <li key={`${e.from}|${e.type}|${e.to}`}>
                    <ResourceLink resource={topo.data!.nodes.find((n) => n.id === e.from) ?? e.from} /> —
                    {e.type}→ <ResourceLink resource={topo.data!.nodes.find((n) => n.id === e.to) ?? e.to} />{" "}
                    <span class="muted small">({e.origin})</span>
                  </li>
                ))}
              </ul>
            </details>
          </>
        )}
      </section>

      {res.data && (
        <section aria-labelledby="ev-h">
          <h2 id="ev-h">
            Recent events <span class="muted">({res.data.events.length})</span>
          </h2>
          {res.data.events.length === 0 ? (
            <p class="muted">No events on this resource.</p>
          ) : (
            <table class="grid">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Message</th>
                  <th scope="col">Incident</th>
                </tr>
              </thead>
              <tbody onKeyDown={onRowKeyDown} onClick={onRowClick}>
                {res.data.events.map((e) => (
                  <tr key={e.event_id} tabIndex={0} data-href={hrefs.rca(e.event_id)}>
                    <td>{formatTime(e.event_time)}</td>
                    <td>
                      <SeverityBadge severity={e.severity} />
                    </td>
                    <td>
                      <Link href={hrefs.rca(e.event_id)} tabIndex={-1}>
                        {e.reason}
                      </Link>
                      {e.count > 1 && <span class="muted"> ×{e.count}</span>}
                    </td>
                    <td class="msg" title={e.message}>
                      {e.message}
                    </td>
                    <td>
                      {e.incident_id ? (
                        <Link href={hrefs.incident(e.incident_id)}>{e.incident_id}</Link>
                      ) : (
                        "—"
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </div>
  );
}
