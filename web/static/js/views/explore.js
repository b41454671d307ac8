// The explore view: one entity's panel (kind, names, properties, every relation with its
// quote) and its neighbourhood drawn, radius 1-2, filtered by node and relation kind.
// State lives in the address: #/entity/<id>?radius=2&kinds=Lab,Fund&rels=FUNDS

import { api } from "../api.js";
import { asOf } from "../asof.js";
import { h, replace } from "../dom.js";
import { nameOf, otherNameOf, pick, t } from "../i18n.js";
import { showMetricCharts } from "../metrics.js";
import {
  entityLink, errorMessage, kindChip, propertyList, quotes, relationLine,
} from "../render.js";
import { absentAsOf, statusBadge } from "../time.js";
import { vocab } from "../vocabulary.js";
import { scaledSizes } from "./centrality.js";

const RADII = [1, 2];
const NODE_LIMIT = 150; // enough to read; more would be a hairball
const RELATIONS_SHOWN = 50;

const listParam = (params, name) => (params.get(name) || "").split(",").filter(Boolean);

export async function showEntity(ctx, id, params) {
  const radius = RADII.includes(Number(params.get("radius"))) ? Number(params.get("radius")) : 1;
  const nodeKinds = listParam(params, "kinds");
  const relations = listParam(params, "rels");
  const reload = (changes) => ctx.go(`entity/${encodeURIComponent(id)}`,
    { radius, kinds: nodeKinds.join(","), rels: relations.join(","), ...changes });
  ctx.drawing.busy();
  replace(ctx.controls,
    h("label", {}, t("radius"), " ", h("select", { name: "radius",
      onchange: (e) => reload({ radius: e.target.value }) },
    RADII.map((r) => h("option", { value: r, selected: r === radius }, r)))),
    filterMenu("kinds", t("nodeKinds"), vocab().nodeKinds, nodeKinds,
      (chosen) => reload({ kinds: chosen })),
    filterMenu("rels", t("relationKinds"), vocab().relationKinds, relations,
      (chosen) => reload({ rels: chosen })),
    h("span", { class: "status", id: "drawing-status" }, t("loading")));
  replace(ctx.panel, h("p", { class: "muted" }, t("loading")));
  let entity;
  let hood;
  try {
    [entity, hood] = await Promise.all([api.entity(id),
      api.neighbours(id, { radius, nodeKinds, relations, limit: NODE_LIMIT })]);
  } catch (error) {
    if (ctx.stale()) return;
    // As of an earlier date the entity may not have been reported yet: say so, not "404".
    replace(ctx.panel, error.status === 404 && asOf() ? absentAsOf(id) : errorMessage(error));
    ctx.drawing.show({ nodes: [] });
    replace(ctx.controls.querySelector("#drawing-status"), "");
    return;
  }
  if (ctx.stale()) return;
  document.title = `${nameOf(entity)} · innograph`;
  replace(ctx.panel, entityPanel(entity));
  showMetricCharts(ctx.panel.querySelector(".metric-charts"), entity, ctx.stale);
  const drawn = ctx.drawing.show({ nodes: hood.nodes, edges: hood.edges, center: hood.center });
  replace(ctx.controls.querySelector("#drawing-status"),
    t("drawn", drawn), hood.truncated ? h("b", {}, " ", t("truncated", { n: NODE_LIMIT })) : "");
}

// A drop-down of checkboxes; all or none ticked means no filter.
function filterMenu(name, label, options, chosen, apply) {
  const active = new Set(chosen);
  const boxes = options.map((option) => h("label", { class: "option" },
    h("input", { type: "checkbox", value: option.name,
      checked: !active.size || active.has(option.name) }), pick(option)));
  const setAll = (on) => boxes.forEach((b) => { b.firstChild.checked = on; });
  const picked = () => boxes.map((b) => b.firstChild).filter((c) => c.checked)
    .map((c) => c.value);
  const submit = () => {
    const values = picked();
    apply(values.length === options.length ? "" : values.join(","));
  };
  return h("details", { class: "filter", dataset: { filter: name } },
    h("summary", {}, label, active.size ? ` (${active.size})` : ` (${t("all")})`),
    h("div", { class: "filter-menu" },
      h("div", { class: "filter-actions" },
        h("button", { type: "button", onclick: () => setAll(true) }, t("all")),
        h("button", { type: "button", onclick: () => setAll(false) }, t("none")),
        h("button", { type: "button", class: "primary", name: "apply", onclick: submit },
          t("apply"))),
      h("div", { class: "filter-options" }, boxes)));
}

function entityPanel(entity) {
  const relations = [
    ...entity.edges.out.map((e) => ({ ...e, from: entity, to: e.other })),
    ...entity.edges.in.map((e) => ({ ...e, from: e.other, to: entity })),
  ];
  const other = otherNameOf(entity);
  return h("article", { class: "entity", dataset: { id: entity.id } },
    h("header", {},
      kindChip(entity.kind), h("span", { class: "subtype" }, entity.subtype),
      h("h2", { class: "entity-name" }, nameOf(entity)),
      other ? h("p", { class: "entity-other-name" }, other) : null),
    h("dl", { class: "properties" },
      h("dt", {}, t("id")), h("dd", {}, h("code", {}, entity.id)),
      entity.aliases.length ? [h("dt", {}, t("aliases")), h("dd", {}, entity.aliases.join("、"))]
        : null),
    propertyList(entity.kind, entity.properties),
    h("p", {}, h("a", { class: "entity-changes",
      href: `#/changes?entity=${encodeURIComponent(entity.id)}` }, t("changesAbout"))),
    h("section", { class: "metric-charts" }),
    entity.provenance.length
      ? h("section", {}, h("h3", {}, t("provenance")), quotes(entity.provenance)) : null,
    h("section", { class: "relations" },
      h("h3", {}, t("relations", { n: entity.edges_total.out + entity.edges_total.in })),
      relations.length ? relationList(relations) : h("p", { class: "muted" }, t("noRelations")),
      // the API sends at most edge_limit relations per direction of a hub
      entity.edges_truncated
        ? h("p", { class: "muted relations-capped" }, t("relationsLoaded", { n: relations.length }))
        : null));
}

// The first relations at once, the rest on request: a hub may have thousands.
function relationList(relations) {
  const item = (r) => h("li", { class: "relation",
    dataset: { rel: r.rel, other: r.other.id,
      ...(r.properties?.status ? { status: r.properties.status } : {}) } },
  relationLine(r.from, r.rel, r.to), statusBadge(r.properties?.status),
  propertyList(r.rel, r.properties), quotes(r.provenance));
  const list = h("ul", { class: "relation-list" }, relations.slice(0, RELATIONS_SHOWN).map(item));
  if (relations.length <= RELATIONS_SHOWN) return list;
  const more = h("button", { type: "button", name: "more-relations", onclick: () => {
    list.append(...relations.slice(RELATIONS_SHOWN).map(item));
    more.remove();
  } }, t("showAllRelations", { n: relations.length }));
  return [list, more];
}

// The landing view: the most central entities as a starting point.
// The start page; ``unknown``: the view an address asked for that does not exist, said first.
export async function showWelcome(ctx, unknown = "") {
  ctx.drawing.busy();
  replace(ctx.controls);
  replace(ctx.panel, ...(unknown ? [h("p", { class: "error", role: "alert" },
    t("unknownView", { view: unknown }))] : []), h("p", { class: "welcome" }, t("welcome")));
  try {
    const ranking = await api.centrality({ top: 12 });
    if (ctx.stale()) return;
    ctx.panel.append(h("ul", { class: "starters" },
      ranking.items.map((item) => h("li", {}, entityLink(item)))));
    ctx.drawing.show({ nodes: ranking.items, layout: "ranking",
      sizes: scaledSizes(ranking.items) });
  } catch (error) {
    if (ctx.stale()) return;
    ctx.panel.append(errorMessage(error));
    ctx.drawing.show({ nodes: [] });
  }
}
