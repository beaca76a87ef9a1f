import type { ElementDefinition } from "cytoscape";
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { apiPath, type Cause, curlFor, type EventView, encodeId, type RcaView } from "../api.js";
import { CopyButton } from "../components/copy-button.js";
import { Graph } from "../components/graph.js";
import { Link } from "../components/link.js";
import { ResourceLink } from "../components/resource-link.js";
import { onRowClick, onRowKeyDown } from "../components/rows.js";
import { ConfidenceBar, SeverityBadge } from "../components/severity.js";
import { ErrorBox, Loading } from "../components/status.js";
import { evidenceGraph } from "../evidence-graph.js";
import {
  formatDuration,
  formatTime,
  parseResourceId,
  relativeTo,
  resourceLabel,
  SEVERITIES,
  severityRank,
} from "../format.js";
import { hrefs, navigate } from "../router.js";
import { useApi } from "../use-api.js";

/** Query parameters of GET /api/v1/rca/:id that the page passes through from its own URL. */
const RCA_PARAMS = ["limit", "max_hops", "min_confidence", "time_window_minutes"] as const;

export interface RcaTiming {
  eventId: string;
  fetchMs: number;
  renderMs: number;
  totalMs: number;
  nodes: number;
  edges: number;
  timeline: number;
  causes: number;
  blastRadius: number;
}

function markReady(eventId: string, data: RcaView, nodes: number, edges: number) {
  performance.mark("kgrca:rca:painted");
  const fetch = performance.measure("kgrca:rca:fetch", "kgrca:rca:start", "kgrca:rca:data");
  const render = performance.measure("kgrca:rca:render", "kgrca:rca:data", "kgrca:rca:painted");
  const total = performance.measure("kgrca:rca:total", "kgrca:rca:start", "kgrca:rca:painted");
  const timing: RcaTiming = {
    eventId,
    fetchMs: fetch.duration,
    renderMs: render.duration,
    totalMs: total.duration,
    nodes,
    edges,
    timeline: data.timeline.length,
    causes: data.potential_causes.length,
    blastRadius: data.blast_radius.length,
  };
  window.__kgrca ??= { graphs: {} };
  window.__kgrca.rcaTiming = timing;
  window.__kgrca.rca = data;
  document.body.dataset.rcaReady = eventId;
}

export function RcaPage({ eventId, query }: { eventId: string; query: URLSearchParams }) {
  const params: Record<string, string | undefined> = {};
  for (const p of RCA_PARAMS) params[p] = query.get(p) ?? undefined;
  const paramKey = JSON.stringify(params);
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const [picked, setPicked] = useState<Record<string, unknown> | null>(null);

  // Declared before useApi so the start mark precedes the request.
  useEffect(() => {
    delete document.body.dataset.rcaReady;
    performance.clearMarks();
    performance.clearMeasures();
    performance.mark("kgrca:rca:start");
    setSelected(undefined);
    setPicked(null);
  }, [eventId, paramKey]);
  const path = `/api/v1/rca/${encodeId(eventId)}`;
  const { data, error, loading } = useApi<RcaView>(path, params, () => performance.mark("kgrca:rca:data"));

  const graph = useMemo(() => (data ? evidenceGraph(data) : undefined), [data]);
  const elements = useMemo<ElementDefinition[]>(
    () =>
      graph
        ? [
            ...graph.nodes.map((n) => ({
              group: "nodes" as const,
              data: { id: n.id, label: n.label, ref: n.ref, type: n.type, causes: n.causes },
              classes: n.classes.join(" "),
              position: { x: n.x, y: n.y },
            })),
            ...graph.edges.map((e) => ({
              group: "edges" as const,
              data: { id: e.id, source: e.source, target: e.target, label: e.label, causes: e.causes },
              classes: e.classes.join(" "),
            })),
          ]
        : [],
    [graph],
  );

  if (error) return <ErrorBox error={error} what={`the RCA of ${eventId}`} />;
  if (!data || !graph) return <Loading what={`the root causes of ${eventId}`} />;

  const ev = data.event;
  const causes = data.potential_causes;
  const top = causes[0];
  const full = apiPath(path, params);
  return (
    <div class="rca">
      <h1 tabIndex={-1}>
        Root cause analysis <span class="muted small">{loading ? "(refreshing…)" : ""}</span>
      </h1>
      <section class="card symptom-card" aria-labelledby="symptom-h">
        <h2 id="symptom-h" class="eyebrow">
          Symptom
        </h2>
        <p class="symptom-line">
          <SeverityBadge severity={ev.severity} /> <strong>{ev.reason}</strong> on{" "}
          <ResourceLink resource={ev.resource} /> <span class="muted">at {formatTime(ev.event_time)}</span>
        </p>
        <p class="message">{ev.message}</p>
        <p class="meta">
          event <code>{ev.event_id}</code> · {ev.etype} · cluster {ev.cluster}
          {data.related_incident && (
            <>
              {" "}
              · incident{" "}
              <Link href={hrefs.incident(data.related_incident.incident_id)}>
                {data.related_incident.incident_id}
              </Link>{" "}
              ({data.related_incident.event_count} events,{" "}
              <SeverityBadge severity={data.related_incident.severity} />)
            </>
          )}
        </p>
      </section>

      <section
        class="card top-cause"
        data-testid="top-cause"
        data-event-id={top?.event_id ?? ""}
        aria-labelledby="top-h"
      >
        <h2 id="top-h" class="eyebrow">
          Most likely cause
        </h2>
        {top ? (
          <p>
            <strong class="big">{top.reason}</strong> on <ResourceLink resource={top.subject} /> —{" "}
            <ConfidenceBar value={top.confidence} /> · rule <code>{top.evidence.rule}</code>
            <br />
            <span class="explanation">{top.explanation}</span>
          </p>
        ) : (
          <p>No candidate cause within the window. Try a wider window or more hops below.</p>
        )}
      </section>

      <details class="card tools">
        <summary>Query, raw JSON and curl</summary>
        <ParamsForm eventId={eventId} params={params} />
        <p>
          <a href={full} target="_blank" rel="noopener">
            Raw JSON ({full})
          </a>
        </p>
        <div class="curl">
          <code data-testid="curl">{curlFor(full)}</code>{" "}
          <CopyButton text={curlFor(full)} label="Copy curl" />
        </div>
        <details>
          <summary>Show the response here</summary>
          <pre class="json">{JSON.stringify(data, null, 2)}</pre>
        </details>
      </details>

      <section class="graph-col" aria-labelledby="graph-h">
        <h2 id="graph-h">Evidence graph</h2>
        <Legend />
        <Graph
          name="rca"
          label={`Evidence graph: ${graph.nodes.length} nodes. The same information is in the ranked causes, blast radius and timeline lists.`}
          elements={elements}
          layout="preset"
          highlight={selected}
          height={graphHeight(graph)}
          onSelect={setPicked}
          onReady={(cy) =>
            requestAnimationFrame(() => markReady(eventId, data, cy.nodes().length, cy.edges().length))
          }
        />
        <Picked data={picked} />
      </section>

      <div class="rca-grid">
        <section class="causes-col" aria-labelledby="causes-h">
          <h2 id="causes-h">
            Ranked causes <span class="muted">({causes.length})</span>
          </h2>
          <ol class="causes">
            {causes.map((c, i) => (
              <CauseItem
                key={c.event_id}
                cause={c}
                rank={i + 1}
                symptomTime={ev.event_time}
                selected={selected === i + 1}
                onToggle={() => setSelected(selected === i + 1 ? undefined : i + 1)}
              />
            ))}
          </ol>
        </section>
        <div>
          <section class="card" aria-labelledby="blast-h">
            <h2 id="blast-h">
              Blast radius{" "}
              <span class="muted">
                ({data.blast_radius.length} resources hit downstream of the top cause)
              </span>
            </h2>
            {data.blast_radius.length ? (
              <ul class="chips">
                {data.blast_radius.map((r) => (
                  <li key={r.id}>
                    <ResourceLink resource={r} />
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">None found.</p>
            )}
          </section>
        </div>
      </div>

      <Timeline events={data.timeline} symptom={ev} causes={causes} />
    </div>
  );
}

/** Keeps the picture's aspect ratio (so labels stay readable once fitted), within sensible bounds. */
function graphHeight(g: { nodes: { x: number; y: number }[] }): number {
  const w = g.nodes.reduce((m, n) => Math.max(m, n.x), 0) + 200;
  const h = g.nodes.reduce((m, n) => Math.max(m, n.y), 0) + 80;
  const width = Math.max(600, window.innerWidth - 60);
  return Math.round(Math.min(720, Math.max(360, (width * h) / w)));
}

function CauseItem(props: {
  cause: Cause;
  rank: number;
  symptomTime: string;
  selected: boolean;
  onToggle: () => void;
}) {
  const { cause: c, rank } = props;
  const hops = c.evidence.path.filter((_, i) => i % 2 === 1);
  return (
    <li
      class={`cause${props.selected ? " selected" : ""}${rank === 1 ? " is-top" : ""}`}
      data-event-id={c.event_id}
    >
      <div class="cause-head">
        <span class="rank">#{rank}</span>
        <ConfidenceBar value={c.confidence} />
        <SeverityBadge severity={c.severity} />
        <strong>{c.reason}</strong>
      </div>
      <div>
        on <ResourceLink resource={c.subject} /> ·{" "}
        <span title={formatTime(c.event_time)}>
          {formatDuration(Date.parse(props.symptomTime) - Date.parse(c.event_time))} before
        </span>{" "}
        · {c.hops} hop{c.hops === 1 ? "" : "s"}
        {hops.length ? ` (${hops.map((h) => h.toLowerCase()).join(" → ")})` : " (same resource)"}
      </div>
      <p class="explanation">{c.explanation}</p>
      <div class="cause-foot">
        <span>
          rule <code class="rule">{c.evidence.rule}</code>
        </span>
        <span class="muted">
          temporal {c.temporal_score.toFixed(2)} · distance {c.distance_score.toFixed(2)} · domain{" "}
          {c.domain_score.toFixed(2)}
        </span>
        <button type="button" class="btn small" aria-pressed={props.selected} onClick={props.onToggle}>
          {props.selected ? "Show all" : "Highlight path"}
        </button>
        <Link href={hrefs.rca(c.event_id)} class="small">
          RCA of this event
        </Link>
      </div>
    </li>
  );
}

function Legend() {
  return (
    <ul class="legend" aria-label="Graph legend">
      <li>
        <span class="lg lg-event" aria-hidden="true" /> event (border colour = severity; label has rank and
        severity)
      </li>
      <li>
        <span class="lg lg-symptom" aria-hidden="true" /> symptom (octagon)
      </li>
      <li>
        <span class="lg lg-top" aria-hidden="true" /> #1 cause (double border)
      </li>
      <li>
        <span class="lg lg-resource" aria-hidden="true" /> resource
      </li>
      <li>
        <span class="lg lg-blast" aria-hidden="true" /> blast radius (dashed)
      </li>
      <li>arrows point the way trouble travelled; labels are edge types</li>
    </ul>
  );
}

function Picked({ data }: { data: Record<string, unknown> | null }) {
  if (!data) return <p class="muted small">Click a node for details.</p>;
  const ref = String(data.ref ?? "");
  if (data.type === "resource") {
    return (
      <p class="picked">
        Selected {resourceLabel(parseResourceId(ref))} —{" "}
        <Link href={hrefs.resource(ref)}>open resource view</Link>
      </p>
    );
  }
  return (
    <p class="picked">
      Selected event <code>{ref}</code> — <Link href={hrefs.rca(ref)}>RCA of this event</Link>
    </p>
  );
}

function ParamsForm({ eventId, params }: { eventId: string; params: Record<string, string | undefined> }) {
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        const q: Record<string, string> = {};
        for (const p of RCA_PARAMS) {
          const v = String(fd.get(p) ?? "").trim();
          if (v) q[p] = v;
        }
        navigate(hrefs.rca(eventId, q));
      }}
    >
      <label>
        causes{" "}
        <input name="limit" type="number" min={1} max={50} value={params.limit ?? ""} placeholder="10" />
      </label>
      <label>
        max hops{" "}
        <input name="max_hops" type="number" min={0} max={6} value={params.max_hops ?? ""} placeholder="3" />
      </label>
      <label>
        min confidence{" "}
        <input
          name="min_confidence"
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={params.min_confidence ?? ""}
          placeholder="0"
        />
      </label>
      <label>
        window (min){" "}
        <input
          name="time_window_minutes"
          type="number"
          min={1}
          max={1440}
          value={params.time_window_minutes ?? ""}
          placeholder="15"
        />
      </label>
      <button type="submit" class="btn">
        Re-run
      </button>
    </form>
  );
}

const SHAPES: Record<string, (x: number, y: number) => JSX.Element> = {
  INFO: (x, y) => <circle cx={x} cy={y} r={4} />,
  WARNING: (x, y) => <path d={`M${x} ${y - 5}L${x + 5} ${y + 4}L${x - 5} ${y + 4}Z`} />,
  ERROR: (x, y) => <rect x={x - 4} y={y - 4} width={8} height={8} />,
  FATAL: (x, y) => (
    <path d={`M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x + 4} ${y - 4}L${x - 4} ${y + 4}`} class="stroke" />
  ),
};

function Timeline({ events, symptom, causes }: { events: EventView[]; symptom: EventView; causes: Cause[] }) {
  const rankOf = new Map(causes.map((c, i) => [c.event_id, i + 1]));
  const sorted = useMemo(
    () => [...events].sort((a, b) => Date.parse(a.event_time) - Date.parse(b.event_time)),
    [events],
  );
  const times = sorted.map((e) => Date.parse(e.event_time));
  const t0 = Math.min(...times, Date.parse(symptom.event_time));
  const t1 = Math.max(...times, Date.parse(symptom.event_time));
  const span = Math.max(1, t1 - t0);
  const W = 1000;
  const x = (t: number) => 80 + ((t - t0) / span) * (W - 100);
  const lane = (s: string) => 70 - severityRank(s) * 18;
  return (
    <section class="card" aria-labelledby="timeline-h">
      <h2 id="timeline-h">
        Timeline{" "}
        <span class="muted">
          ({events.length} related events over {formatDuration(span)})
        </span>
      </h2>
      <svg
        class="timeline"
        viewBox={`0 0 ${W} 84`}
        role="img"
        aria-label="Events over time by severity; the table below lists them"
      >
        {SEVERITIES.map((s) => (
          <g key={s}>
            <line x1={74} x2={W - 14} y1={lane(s)} y2={lane(s)} class="lane" />
            <text x={2} y={lane(s) + 4} class="lane-label">
              {s}
            </text>
          </g>
        ))}
        <line
          x1={x(Date.parse(symptom.event_time))}
          x2={x(Date.parse(symptom.event_time))}
          y1={4}
          y2={80}
          class="symptom-line"
        />
        {sorted.map((e) => {
          const s = (
            e.severity.toUpperCase() in SHAPES ? e.severity.toUpperCase() : "INFO"
          ) as keyof typeof SHAPES;
          const cls = `mark sev-${s.toLowerCase()}${rankOf.has(e.event_id) ? " is-cause" : ""}`;
          return (
            <g key={e.event_id} class={cls}>
              <title>{`${e.severity} ${e.reason} ${e.resource ? resourceLabel(e.resource) : ""} ${relativeTo(e.event_time, symptom.event_time)}`}</title>
              {SHAPES[s]!(x(Date.parse(e.event_time)), lane(s))}
            </g>
          );
        })}
      </svg>
      <div class="scroll-table">
        <table class="grid timeline-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">vs symptom</th>
              <th scope="col">Severity</th>
              <th scope="col">Reason</th>
              <th scope="col">Resource</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody onKeyDown={onRowKeyDown} onClick={onRowClick}>
            {sorted.map((e) => {
              const rank = rankOf.get(e.event_id);
              const isSymptom = e.event_id === symptom.event_id;
              return (
                <tr
                  key={e.event_id}
                  tabIndex={0}
                  data-href={hrefs.rca(e.event_id)}
                  class={`${rank ? "is-cause" : ""}${isSymptom ? " is-symptom" : ""}`}
                >
                  <td>{formatTime(e.event_time)}</td>
                  <td>{relativeTo(e.event_time, symptom.event_time)}</td>
                  <td>
                    <SeverityBadge severity={e.severity} />
                  </td>
                  <td>
                    {e.reason}
                    {rank && <span class="tag"> cause #{rank}</span>}
                    {isSymptom && <span class="tag"> symptom</span>}
                    {e.count > 1 && <span class="muted"> ×{e.count}</span>}
                  </td>
                  <td>
                    <ResourceLink resource={e.resource} />
                  </td>
                  <td class="msg" title={e.message}>
                    {e.message}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
