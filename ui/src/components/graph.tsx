import cytoscape, { type Core, type ElementDefinition, type StylesheetJson } from "cytoscape";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";

export interface GraphProps {
  elements: ElementDefinition[];
  /** `preset` uses the positions in the elements; the others are Cytoscape's built-in layouts. */
  layout: "preset" | "breadthfirst" | "concentric";
  roots?: string[];
  /** Rank of the cause to highlight; elements carry `data.causes: number[]`. */
  highlight?: number;
  /** Node id to highlight (and centre on). */
  focus?: string;
  onSelect?: (data: Record<string, unknown> | null) => void;
  /** Name under `window.__kgrca.graphs` (tests read the instance from there). */
  name: string;
  label: string;
  onReady?: (cy: Core) => void;
  height?: number;
}

declare global {
  interface Window {
    __kgrca?: { graphs: Record<string, Core>; [k: string]: unknown };
  }
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function stylesheet(): StylesheetJson {
  const v = {
    fg: cssVar("--fg"),
    bg: cssVar("--bg"),
    node: cssVar("--node-bg"),
    border: cssVar("--border-strong"),
    edge: cssVar("--edge"),
    accent: cssVar("--accent"),
    accentBg: cssVar("--accent-bg"),
    blast: cssVar("--blast"),
    blastBg: cssVar("--blast-bg"),
    info: cssVar("--sev-info"),
    warning: cssVar("--sev-warning"),
    error: cssVar("--sev-error"),
    fatal: cssVar("--sev-fatal"),
    symptomBg: cssVar("--symptom-bg"),
  };
  return [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "text-wrap": "wrap",
        "text-max-width": "160px",
        "text-valign": "center",
        "text-halign": "center",
        "font-size": 11,
        "font-family": "system-ui, sans-serif",
        color: v.fg,
        "background-color": v.node,
        "border-width": 1.5,
        "border-color": v.border,
        width: 170,
        height: 44,
        shape: "ellipse",
      },
    },
    { selector: "node.event", style: { shape: "round-rectangle", "border-width": 3 } },
    { selector: "node.sev-info", style: { "border-color": v.info } },
    { selector: "node.sev-warning", style: { "border-color": v.warning } },
    { selector: "node.sev-error", style: { "border-color": v.error } },
    { selector: "node.sev-fatal", style: { "border-color": v.fatal } },
    {
      selector: "node.symptom",
      style: { shape: "octagon", "background-color": v.symptomBg, "border-width": 4, "font-weight": "bold" },
    },
    {
      selector: "node.top",
      style: {
        "background-color": v.accentBg,
        "border-style": "double",
        "border-width": 6,
        "font-weight": "bold",
      },
    },
    { selector: "node.symptom-resource", style: { "border-width": 3, "border-color": v.fatal } },
    {
      selector: "node.blast",
      style: {
        "border-style": "dashed",
        "border-color": v.blast,
        "border-width": 3,
        "background-color": v.blastBg,
      },
    },
    { selector: "node.blast-only", style: { width: 150, height: 40, "font-size": 10 } },
    { selector: "node.root", style: { "border-width": 5, "border-color": v.accent, "font-weight": "bold" } },
    { selector: "node.deleted", style: { "border-style": "dotted", opacity: 0.7 } },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "curve-style": "bezier",
        "line-color": v.edge,
        "target-arrow-color": v.edge,
        "target-arrow-shape": "triangle",
        label: "data(label)",
        "font-size": 10,
        color: v.fg,
        "text-background-color": v.bg,
        "text-background-opacity": 1,
        "text-background-padding": "2px",
        "text-rotation": "autorotate",
      },
    },
    { selector: "edge.path", style: { width: 2.5 } },
    { selector: "edge.on", style: { "line-style": "dotted" } },
    { selector: "edge.inferred, edge.derived", style: { "line-style": "dashed" } },
    { selector: ".faded", style: { opacity: 0.18 } },
    {
      selector: "edge.hl",
      style: { width: 4, "line-color": v.accent, "target-arrow-color": v.accent },
    },
    {
      selector: "node.hl",
      style: { "overlay-color": v.accent, "overlay-opacity": 0.12, "overlay-padding": 4 },
    },
    {
      selector: "node:selected",
      style: { "overlay-color": v.accent, "overlay-opacity": 0.25, "overlay-padding": 6 },
    },
  ];
}

function applyHighlight(cy: Core, rank: number | undefined, focus: string | undefined) {
  cy.batch(() => {
    cy.elements().removeClass("faded hl");
    if (rank !== undefined) {
      cy.elements().forEach((el) => {
        const on = ((el.data("causes") as number[] | undefined) ?? []).includes(rank);
        el.addClass(on ? "hl" : "faded");
      });
    }
    if (focus) {
      const n = cy.getElementById(focus);
      if (n.nonempty()) {
        cy.elements().addClass("faded");
        n.closedNeighborhood().removeClass("faded").addClass("hl");
      }
    }
  });
}

/** A Cytoscape graph; the DOM has a text alternative next to it (lists), this is the picture. */
export function Graph(props: GraphProps) {
  const box = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  // A layout effect: the graph is drawn in the same frame as the page, not one paint later.
  useLayoutEffect(() => {
    if (!box.current) return;
    performance.mark(`kgrca:graph:${props.name}:init`);
    const cy = cytoscape({
      container: box.current,
      elements: props.elements,
      style: stylesheet(),
      layout:
        props.layout === "preset"
          ? { name: "preset", fit: true, padding: 24 }
          : props.layout === "breadthfirst"
            ? {
                name: "breadthfirst",
                directed: false,
                roots: props.roots,
                spacingFactor: 1.1,
                fit: true,
                padding: 24,
                animate: false,
              }
            : {
                name: "concentric",
                fit: true,
                padding: 24,
                animate: false,
                minNodeSpacing: 30,
                concentric: (n: cytoscape.NodeSingular) => 10 - Number(n.data("depth") ?? 0),
                levelWidth: () => 1,
              },
      minZoom: 0.1,
      maxZoom: 3,
      boxSelectionEnabled: false,
      textureOnViewport: props.elements.length > 400,
      hideEdgesOnViewport: props.elements.length > 400,
    });
    cyRef.current = cy;
    performance.mark(`kgrca:graph:${props.name}:created`);
    cy.on("tap", "node", (e) => propsRef.current.onSelect?.(e.target.data()));
    cy.on("tap", (e) => {
      if (e.target === cy) propsRef.current.onSelect?.(null);
    });
    applyHighlight(cy, props.highlight, props.focus);
    window.__kgrca ??= { graphs: {} };
    window.__kgrca.graphs[props.name] = cy;
    const restyle = () => cy.style(stylesheet());
    window.addEventListener("kgrca:theme", restyle);
    props.onReady?.(cy);
    return () => {
      window.removeEventListener("kgrca:theme", restyle);
      if (window.__kgrca?.graphs[props.name] === cy) delete window.__kgrca.graphs[props.name];
      cy.destroy();
      cyRef.current = null;
    };
  }, [props.elements]);

  useEffect(() => {
    if (cyRef.current) applyHighlight(cyRef.current, props.highlight, props.focus);
  }, [props.highlight, props.focus]);

  const png = () => {
    const cy = cyRef.current;
    if (!cy) return;
    const a = document.createElement("a");
    a.href = cy.png({ full: true, scale: 2, bg: cssVar("--bg") });
    a.download = `${props.name}.png`;
    a.click();
  };

  return (
    <div class="graph-wrap">
      <div class="graph-tools">
        <button type="button" class="btn small" onClick={() => cyRef.current?.fit(undefined, 24)}>
          Fit
        </button>
        <button type="button" class="btn small" onClick={png}>
          Save PNG
        </button>
      </div>
      <div
        ref={box}
        class="graph"
        role="img"
        aria-label={props.label}
        style={{ height: `${props.height ?? 460}px` }}
        data-graph={props.name}
      />
    </div>
  );
}
