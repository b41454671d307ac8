// The graph drawing: a Cytoscape.js canvas (from npm, served at /static/vendor/) with drag,
// zoom, kind colours and a legend. When the library is missing the page keeps working and
// the drawing area says so.
//
// The container's data-state is "busy" while a view loads and "ready" once drawn;
// data-nodes / data-edges count what is drawn (the end-to-end tests read them).

import { h, replace } from "./dom.js";
import { nameOf, t } from "./i18n.js";
import { kindColour, kindLabel, relationLabel } from "./vocabulary.js";

const LIBRARY_URL = "/static/vendor/cytoscape.mjs";
const EDGE_LABELS_UP_TO = 60; // more edges than this: labels only on the selected ones
const RING_GAP = 170; // between rings of a neighbourhood
const RING_SLOT = 40; // room along a ring per node
const NODE_SIZE = 26;
const MAX_FIT_ZOOM = 1.5; // a handful of nodes should not fill the screen with giant labels
const SUGGESTED = "#e8890c"; // the colour of a suggested link

const STYLE = [
  { selector: "node", style: {
    "background-color": "data(colour)", label: "data(label)", width: "data(size)",
    height: "data(size)", "font-size": 11, color: "#1d2330", "text-valign": "bottom",
    "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 140,
    "text-background-color": "#fff", "text-background-opacity": 0.75,
    "text-background-padding": 1, "border-width": 1.5, "border-color": "#fff",
    "min-zoomed-font-size": 7 } },
  // The centre's label wraps narrow, so it does not cover the labels of its own edges.
  { selector: "node.center", style: { "border-width": 4, "border-color": "#1d2330",
    "font-weight": "bold", "font-size": 13, "text-wrap": "wrap", "text-max-width": 100 } },
  // Chinese names have no spaces to wrap at.
  { selector: "node.center.unspaced", style: { "text-overflow-wrap": "anywhere" } },
  { selector: "node:selected", style: { "border-color": "#d62728", "border-width": 4 } },
  { selector: "edge", style: {
    "curve-style": "bezier", width: 1.4, "line-color": "#a9b0bf", "target-arrow-shape":
    "triangle", "target-arrow-color": "#a9b0bf", "arrow-scale": 0.8, "font-size": 9,
    color: "#4a5164", "text-background-color": "#fff",
    "text-background-opacity": 0.8, "min-zoomed-font-size": 7 } },
  { selector: "edge.labelled, edge:selected, edge.highlight", style: { label: "data(label)" } },
  { selector: "edge.highlight", style: { "line-color": "#d62728", "target-arrow-color":
    "#d62728", width: 3 } },
  { selector: "edge:selected", style: { "line-color": "#1d2330", "target-arrow-color":
    "#1d2330", width: 3 } },
  // A relation its sources report as planned (not yet done) is dashed.
  { selector: "edge.planned", style: { "line-style": "dashed" } },
  // A suggested link (inferred, never stated): dashed, in its own colour, always labelled.
  { selector: "edge.suggested", style: { "line-style": "dashed", "line-dash-pattern": [7, 5],
    "line-color": SUGGESTED, "target-arrow-color": SUGGESTED, color: "#9a5200",
    label: "data(label)", width: 2 } },
  { selector: ".faded", style: { opacity: 0.2 } },
];

let libraryPromise = null;

// Cytoscape's constructor, or null when /static/vendor/ does not have it.
export function loadLibrary() {
  libraryPromise ??= import(LIBRARY_URL).then((m) => m.default).catch(() => null);
  return libraryPromise;
}

const edgeId = (e) => `${e.from}|${e.rel}|${e.to}`;

function nodeClasses(node, center) {
  if (node.id !== center) return "";
  return nameOf(node).includes(" ") ? "center" : "center unspaced";
}

// Positions for a left-to-right drawing: `columns` maps node ids to their column (hops from
// the start); nodes sharing a column are stacked, centred on the middle row.
function columnPositions(columns) {
  const stacks = new Map();
  for (const [id, column] of columns) stacks.set(column, [...(stacks.get(column) ?? []), id]);
  const positions = {};
  for (const [column, ids] of stacks) {
    ids.forEach((id, row) => {
      positions[id] = { x: column * 170, y: (row - (ids.length - 1) / 2) * 90 };
    });
  }
  return positions;
}

// Rings by distance from the centre, so the hops can be read off; each node sits near the
// nodes of the inner ring it is linked to (the mean of their angles), so edges stay short.
function ringPositions(nodes, edges, center) {
  const linked = new Map(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    linked.get(e.from).push(e.to);
    linked.get(e.to).push(e.from);
  }
  const angles = new Map();
  const positions = { [center]: { x: 0, y: 0 } };
  const rings = new Map();
  for (const n of nodes) {
    if (n.id !== center) rings.set(n.distance, [...(rings.get(n.distance) ?? []), n]);
  }
  let radius = 0;
  for (const distance of [...rings.keys()].sort((a, b) => a - b)) {
    const ring = rings.get(distance).map((n) => ({ n, at: meanAngle(linked.get(n.id), angles) }));
    ring.sort((a, b) => a.at - b.at || a.n.kind.localeCompare(b.n.kind));
    radius = Math.max(radius + RING_GAP, (ring.length * RING_SLOT) / (2 * Math.PI));
    ring.forEach(({ n }, i) => {
      const angle = (2 * Math.PI * i) / ring.length - Math.PI / 2;
      angles.set(n.id, angle);
      positions[n.id] = { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
    });
  }
  return positions;
}

// The circular mean of the placed nodes' angles, as 0..2π from the top (-1 when none).
function meanAngle(ids, angles) {
  const placed = ids.filter((id) => angles.has(id)).map((id) => angles.get(id));
  if (!placed.length) return -1;
  const sum = (f) => placed.reduce((total, a) => total + f(a), 0);
  const mean = Math.atan2(sum(Math.sin), sum(Math.cos)) + Math.PI / 2;
  return (mean + 2 * Math.PI) % (2 * Math.PI);
}

export class Drawing {
  constructor(container, legend, { onNodeClick, onEdgeClick }) {
    this.container = container;
    this.legend = legend;
    this.onNodeClick = onNodeClick;
    this.onEdgeClick = onEdgeClick;
    this.cy = null;
    this.entities = new Map();
  }

  // Loads the library; false (and a message in the drawing area) when it is missing.
  async init() {
    const cytoscape = await loadLibrary();
    if (!cytoscape) {
      this.container.dataset.missing = "true";
      this.showMissing();
      return false;
    }
    this.cy = cytoscape({ container: this.container, style: STYLE, minZoom: 0.1, maxZoom: 4,
      boxSelectionEnabled: false });
    this.cy.on("tap", "node", (event) => this.onNodeClick(event.target.id()));
    // an edge may bring its own action (a suggestion is no stated relation to show)
    this.cy.on("tap", "edge", (event) => {
      const edge = event.target.data("edge");
      if (edge.select) edge.select(edge);
      else this.onEdgeClick(edge);
    });
    return true;
  }

  showMissing() {
    replace(this.container, h("p", { class: "missing" }, t("drawingMissing")));
  }

  busy() {
    this.container.dataset.state = "busy";
  }

  // Draws entity summaries and edges ({from, to, rel, provenance}), replacing what was drawn.
  // An edge with `suggested: true` is a suggested link, drawn apart with its `label`.
  // `layout`: "neighbourhood" (rings by distance), "path" (left to right from `center`) or
  // "ranking" (sized by `sizes`, biggest in the middle).
  show({ nodes, edges = [], center = null, layout = "neighbourhood", sizes = null,
    columns = null }) {
    this.entities = new Map(nodes.map((n) => [n.id, n]));
    const present = new Set(nodes.map((n) => n.id));
    const unique = new Map(edges.filter((e) => present.has(e.from) && present.has(e.to))
      .map((e) => [edgeId(e), e]));
    this.drawnEdges = [...unique.values()];
    if (!this.cy) return this.finish(0, 0);
    this.renderLegend();
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(nodes.map((n) => ({ group: "nodes", classes: nodeClasses(n, center),
        data: { id: n.id, label: nameOf(n), colour: kindColour(n.kind),
          size: sizes?.get(n.id) ?? (n.id === center ? NODE_SIZE * 1.4 : NODE_SIZE),
          score: n.score ?? 0 } })));
      this.cy.add(this.drawnEdges.map((e) => ({ group: "edges",
        classes: e.suggested ? "suggested" : e.properties?.status === "planned" ? "planned" : "",
        data: { id: edgeId(e), source: e.from, target: e.to,
          label: e.label ?? relationLabel(e.rel), edge: e } })));
      if (this.drawnEdges.length <= EDGE_LABELS_UP_TO) this.cy.edges().addClass("labelled");
    });
    this.cy.layout(this.layoutOptions(layout, { nodes, center, columns })).run();
    this.cy.fit(undefined, 30);
    if (this.cy.zoom() > MAX_FIT_ZOOM) {
      this.cy.zoom(MAX_FIT_ZOOM);
      this.cy.center();
    }
    return this.finish(nodes.length, this.drawnEdges.length);
  }

  layoutOptions(layout, { nodes, center, columns }) {
    const common = { animate: false, fit: true, padding: 30 };
    if (layout === "path") return { ...common, name: "preset", positions: columnPositions(columns) };
    if (layout === "neighbourhood") {
      return { ...common, name: "preset",
        positions: ringPositions(nodes, this.drawnEdges, center) };
    }
    return { ...common, name: "concentric", concentric: (n) => n.data("score"),
      levelWidth: () => Infinity, minNodeSpacing: 12, avoidOverlap: true };
  }

  finish(nodeCount, edgeCount) {
    Object.assign(this.container.dataset, { nodes: nodeCount, edges: edgeCount,
      state: "ready" });
    return { nodes: nodeCount, edges: edgeCount };
  }

  // Emphasises the given nodes and edges (e.g. one path among several); null clears it.
  highlight(nodeIds, edges) {
    if (!this.cy) return;
    const ids = new Set(edges?.map(edgeId) ?? []);
    const keep = new Set(nodeIds ?? []);
    this.cy.batch(() => {
      this.cy.elements().removeClass("faded highlight");
      if (!nodeIds) return;
      this.cy.nodes().forEach((n) => { if (!keep.has(n.id())) n.addClass("faded"); });
      this.cy.edges().forEach((e) => e.addClass(ids.has(e.id()) ? "highlight" : "faded"));
    });
  }

  renderLegend() {
    const counts = new Map();
    for (const n of this.entities.values()) counts.set(n.kind, (counts.get(n.kind) ?? 0) + 1);
    replace(this.legend, counts.size ? h("span", { class: "legend-title" }, t("legend")) : null,
      [...counts].map(([kind, count]) => h("span", { class: "legend-item", dataset: { kind } },
        h("i", { class: "swatch", style: { background: kindColour(kind) } }),
        `${kindLabel(kind)} ${count}`)));
  }

  // Where a drawn node is on the screen (client coordinates), for tests and tools.
  nodePosition(id) {
    const node = this.cy?.getElementById(id);
    if (!node || node.empty()) return null;
    const box = this.container.getBoundingClientRect();
    const p = node.renderedPosition();
    return { x: box.left + p.x, y: box.top + p.y };
  }

  drawnNodeIds() {
    return [...this.entities.keys()];
  }
}
