import type { RcaView, ResourceSummary } from "./api.js";
import { displayKind, parseResourceId, pct, SEVERITY_ICON } from "./format.js";

/**
 * The evidence of an RCA as a graph, laid out left to right in the direction trouble travelled:
 * cause events -> the resources they happened on -> the topology path -> the symptom's resource
 * -> the symptom. Blast-radius resources are marked; those on no path sit in a block below.
 * Pure data (no Cytoscape) so it can be tested and so the layout costs O(nodes).
 */

export interface GraphNode {
  id: string;
  type: "event" | "resource";
  label: string;
  /** Event id or resource id this node stands for. */
  ref: string;
  classes: string[];
  /** Ranks (1-based) of the causes whose chain this node is on. */
  causes: number[];
  x: number;
  y: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  classes: string[];
  causes: number[];
}

export interface EvidenceGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const eventNodeId = (eventId: string) => `e:${eventId}`;
export const resourceNodeId = (resourceId: string) => `r:${resourceId}`;

const COL_W = 230;
const ROW_H = 64;
const BLAST_COL_W = 170;

export function evidenceGraph(rca: RcaView): EvidenceGraph {
  const known = new Map<string, ResourceSummary>();
  const remember = (r: ResourceSummary | null | undefined) => {
    if (r && !known.has(r.id)) known.set(r.id, r);
  };
  remember(rca.event.resource);
  for (const c of rca.potential_causes) remember(c.subject);
  for (const r of rca.blast_radius) remember(r);

  // Hop distance of every resource on a path, from the symptom's resource.
  const dist = new Map<string, number>();
  const symptomRes = rca.event.resource?.id;
  if (symptomRes) dist.set(symptomRes, 0);
  let maxHops = 0;
  for (const c of rca.potential_causes) {
    const path = c.evidence.path;
    for (let i = 0; i < path.length; i += 2) {
      const d = i / 2;
      const id = path[i]!;
      if (!dist.has(id) || dist.get(id)! > d) dist.set(id, d);
      maxHops = Math.max(maxHops, d);
    }
    if (c.subject && !dist.has(c.subject.id)) dist.set(c.subject.id, c.hops);
    maxHops = Math.max(maxHops, c.hops);
  }

  const nodes = new Map<string, GraphNode & { col: number }>();
  const edges = new Map<string, GraphEdge>();
  const colOfResource = (id: string) => 1 + maxHops - (dist.get(id) ?? maxHops);

  const addResource = (id: string, rank?: number) => {
    const nid = resourceNodeId(id);
    let n = nodes.get(nid);
    if (!n) {
      const r = known.get(id) ?? parseResourceId(id);
      n = {
        id: nid,
        type: "resource",
        ref: id,
        label: `${displayKind(r.kind)}\n${r.namespace ? `${r.namespace}/` : ""}${r.name}`,
        classes: ["resource", `kind-${r.kind.toLowerCase()}`],
        causes: [],
        x: 0,
        y: 0,
        col: colOfResource(id),
      };
      nodes.set(nid, n);
    }
    if (rank !== undefined && !n.causes.includes(rank)) n.causes.push(rank);
    return n;
  };
  const addEdge = (source: string, target: string, label: string, cls: string, rank?: number) => {
    const id = `${source}|${label}|${target}`;
    let e = edges.get(id);
    if (!e) {
      e = { id, source, target, label, classes: [cls], causes: [] };
      edges.set(id, e);
    }
    if (rank !== undefined && !e.causes.includes(rank)) e.causes.push(rank);
  };

  const allRanks = rca.potential_causes.map((_, i) => i + 1);
  const symptom = rca.event;
  const symptomNode: GraphNode & { col: number } = {
    id: eventNodeId(symptom.event_id),
    type: "event",
    ref: symptom.event_id,
    label: `SYMPTOM\n${SEVERITY_ICON[symptom.severity] ?? ""} ${symptom.reason}`,
    classes: ["event", "symptom", `sev-${symptom.severity.toLowerCase()}`],
    causes: allRanks,
    x: 0,
    y: 0,
    col: maxHops + 2,
  };

  // Causes in rank order, so the best one is placed first (top row) in every column.
  rca.potential_causes.forEach((c, i) => {
    const rank = i + 1;
    const en: GraphNode & { col: number } = {
      id: eventNodeId(c.event_id),
      type: "event",
      ref: c.event_id,
      label: `#${rank} ${SEVERITY_ICON[c.severity] ?? ""} ${c.reason}\n${pct(c.confidence)} confidence`,
      classes: ["event", "cause", `sev-${c.severity.toLowerCase()}`, ...(rank === 1 ? ["top"] : [])],
      causes: [rank],
      x: 0,
      y: 0,
      col: 0,
    };
    if (!nodes.has(en.id)) nodes.set(en.id, en);
    const path = c.evidence.path;
    if (c.subject) {
      addResource(c.subject.id, rank);
      addEdge(en.id, resourceNodeId(c.subject.id), "on", "on", rank);
    }
    // The path runs symptom -> cause; walk it backwards so edges point the way trouble went.
    for (let j = path.length - 1; j >= 2; j -= 2) {
      const from = path[j]!;
      const type = path[j - 1]!;
      const to = path[j - 2]!;
      addResource(from, rank);
      addResource(to, rank);
      addEdge(resourceNodeId(from), resourceNodeId(to), type.toLowerCase(), "path", rank);
    }
    if (path.length === 1) addResource(path[0]!, rank);
    if (!c.subject && path.length === 0) addEdge(en.id, symptomNode.id, "precedes", "precedes", rank);
    else if (!symptomRes) {
      const last = c.subject ? resourceNodeId(c.subject.id) : en.id;
      addEdge(last, symptomNode.id, "precedes", "precedes", rank);
    }
  });
  if (symptomRes) {
    const n = addResource(symptomRes);
    n.classes.push("symptom-resource");
    for (const r of allRanks) if (!n.causes.includes(r)) n.causes.push(r);
    addEdge(n.id, symptomNode.id, "shows", "shows");
    for (const r of allRanks) edges.get(`${n.id}|shows|${symptomNode.id}`)!.causes.push(r);
  }
  nodes.set(symptomNode.id, symptomNode);

  // Blast radius: mark what is already drawn, put the rest in a grid below the chain.
  const extra: (GraphNode & { col: number })[] = [];
  for (const r of rca.blast_radius) {
    const nid = resourceNodeId(r.id);
    const existing = nodes.get(nid);
    if (existing) {
      existing.classes.push("blast");
      continue;
    }
    const n = addResource(r.id);
    n.classes.push("blast", "blast-only");
    nodes.delete(nid);
    extra.push(n);
  }

  // Layout: columns left to right, rows in insertion order (rank order) within a column.
  const rows = new Map<number, number>();
  let maxRow = 0;
  for (const n of nodes.values()) {
    const row = rows.get(n.col) ?? 0;
    rows.set(n.col, row + 1);
    n.x = n.col * COL_W;
    n.y = row * ROW_H;
    maxRow = Math.max(maxRow, row);
  }
  // Centre short columns against the tallest one, so the chain reads as a flow.
  for (const n of nodes.values()) {
    const count = rows.get(n.col)!;
    n.y += ((maxRow + 1 - count) * ROW_H) / 2;
  }
  if (extra.length) {
    // As wide as the chain, or wider when there are many, keeping the whole picture about 2:1.
    const chainWidth = (maxHops + 2) * COL_W;
    const perRow = Math.max(Math.floor(chainWidth / BLAST_COL_W) + 1, Math.ceil(Math.sqrt(extra.length * 2)));
    const top = (maxRow + 1.6) * ROW_H;
    extra.forEach((n, i) => {
      n.x = (i % perRow) * BLAST_COL_W;
      n.y = top + Math.floor(i / perRow) * ROW_H * 0.85;
      nodes.set(n.id, n);
    });
  }

  return {
    nodes: [...nodes.values()].map(({ col: _c, ...n }) => n),
    edges: [...edges.values()],
  };
}
