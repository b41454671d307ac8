// The explorer page: header (search, tabs, language), a router over the address's #fragment,
// and the shared drawing. Each view lives in views/; this file only wires them together.

import { ANALYTICS_VIEWS, showAnalytics } from "./analytics.js";
import { api } from "./api.js";
import { onAsOfChange } from "./asof.js";
import { byId, h, replace } from "./dom.js";
import { Drawing } from "./drawing.js";
import { language, setLanguage, t } from "./i18n.js";
import { entityHref, errorMessage, propertyList, quotes, relationLine } from "./render.js";
import { entityPicker } from "./search.js";
import { renderYearControl, sourceYears } from "./time.js";
import { loadVocabulary } from "./vocabulary.js";
import { showBacking } from "./views/backing.js";
import { showCentrality } from "./views/centrality.js";
import { showChanges } from "./views/changes.js";
import { showEntity, showWelcome } from "./views/explore.js";
import { showPaths } from "./views/paths.js";

const TABS = [["explore", "tabExplore"], ["paths", "tabPaths"], ["backing", "tabBacking"],
  ["centrality", "tabCentrality"], ["changes", "tabChanges"], ["communities", "tabAnalytics"]];

const panel = byId("panel");
const controls = byId("controls");
const selection = byId("selection");
let drawing;
let search;
let lastEntity = null;
let routeCount = 0;
let statistics = null;
let years = [];

function parseHash() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [view = "", ...rest] = path.split("/");
  return { view, id: decodeURIComponent(rest.join("/")), params: new URLSearchParams(query) };
}

// Moves to a view; the address holds the whole state, so links and reloads work.
function go(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params)
    .filter(([, value]) => value !== "" && value !== null && value !== undefined));
  const target = `#/${path}${query.size ? `?${query}` : ""}`;
  if (location.hash === target) route();
  else location.hash = target;
}

async function route() {
  const { view, id, params } = parseHash();
  const token = ++routeCount;
  // A view that finishes after the user has moved on must not overwrite the newer one.
  const ctx = { panel, controls, drawing, go, stale: () => token !== routeCount };
  selection.hidden = true;
  drawing.highlight(null);
  if (view === "entity" && id) lastEntity = id;
  renderHeader(view);
  document.title = "innograph";
  if (view === "entity" && id) return showEntity(ctx, id, params);
  if (view === "paths") return showPaths(ctx, params);
  if (view === "backing") return showBacking(ctx, params);
  if (view === "centrality") return showCentrality(ctx, params);
  if (view === "changes") return showChanges(ctx, params, years);
  if (ANALYTICS_VIEWS.includes(view)) return showAnalytics(ctx, view, params);
  return showWelcome(ctx, view === "entity" ? "" : view);
}

function renderHeader(view) {
  const active = ANALYTICS_VIEWS.includes(view) ? "communities"
    : TABS.some(([name]) => name === view) ? view : "explore";
  byId("brand").textContent = t("title");
  byId("stats").textContent = statistics ? t("stats", {
    nodes: statistics.nodes.toLocaleString(), edges: statistics.edges.toLocaleString() }) : "";
  search.input.placeholder = t("searchPlaceholder");
  search.input.setAttribute("aria-label", t("searchPlaceholder"));
  byId("lang-toggle").textContent = t("otherLanguage");
  renderYearControl(byId("year"), years);
  if (byId("graph").dataset.missing) {
    byId("notice").textContent = t("drawingMissing");
    drawing.showMissing();
  }
  const explore = lastEntity ? entityHref(lastEntity) : "#/";
  replace(byId("tabs"), TABS.map(([name, label]) => h("a", {
    href: name === "explore" ? explore : `#/${name}`, dataset: { view: name },
    class: name === active ? "active" : "",
  }, t(label))));
}

// A clicked edge: its relation, properties and quotes under the drawing.
function showEdge(edge) {
  const ends = drawing.entities;
  replace(selection,
    h("button", { type: "button", class: "close", "aria-label": "×",
      onclick: () => { selection.hidden = true; } }, "×"),
    h("h3", {}, t("selectedRelation")),
    relationLine(ends.get(edge.from), edge.rel, ends.get(edge.to)),
    propertyList(edge.rel, edge.properties), quotes(edge.provenance));
  selection.hidden = false;
}

let statisticsCount = 0;

function loadStatistics() {
  const token = ++statisticsCount;
  statistics = null;
  api.statistics().then((s) => {
    if (token !== statisticsCount) return; // a later date was chosen meanwhile
    statistics = s;
    renderHeader(parseHash().view);
  }).catch(() => {});
}

async function start() {
  drawing = new Drawing(byId("graph"), byId("legend"), {
    onNodeClick: (id) => go(`entity/${encodeURIComponent(id)}`),
    onEdgeClick: showEdge,
  });
  try {
    await loadVocabulary();
  } catch (error) {
    replace(panel, errorMessage(error));
    return;
  }
  search = entityPicker({ name: "q", placeholder: t("searchPlaceholder"),
    onPick: (entity) => go(`entity/${encodeURIComponent(entity.id)}`) });
  byId("search").append(search.element);
  byId("lang-toggle").addEventListener("click", () => {
    setLanguage(language() === "zh" ? "en" : "zh");
    route();
  });
  if (!(await drawing.init())) byId("notice").hidden = false;
  window.addEventListener("hashchange", route);
  window.explorer = { drawing, route: parseHash };
  // A new date redraws the current view and the header's counts as of that date.
  onAsOfChange(() => {
    loadStatistics();
    route();
  });
  loadStatistics();
  years = await sourceYears().catch(() => []);
  await route();
  document.body.dataset.ready = "true";
}

start();
