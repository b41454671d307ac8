// The ecosystem views: communities (the graph coloured by community), brokers, gaps and
// suggested links, each from its API route (/api/v1/communities, /brokers, /gaps,
// /suggestions) and as of the page's date. Their wording is kept here, not in i18n.js.
// State lives in the address: #/communities, #/brokers?sort=effective_size&sphere=industry,
// #/gaps?kind=transfer_gap, #/suggestions?task=lab_company

import { getJSON } from "./api.js";
import { dated } from "./asof.js";
import { h, replace } from "./dom.js";
import { nameOf, pick } from "./i18n.js";
import { entityLink, errorMessage, kindChip, quotes, relationLine } from "./render.js";

export const ANALYTICS_VIEWS = ["communities", "brokers", "gaps", "suggestions"];
const COMMUNITIES_DRAWN = 8; // communities drawn, each by its best-connected members
const MEMBERS_DRAWN = 5; // the API's default `top`: the answer the server warmed
const NEIGHBOURS = 60; // edges looked up per drawn member
// Tableau 10: distinct colours for the communities drawn
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
  "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const SORTS = ["brokerage", "effective_size", "constraint"];
const GAP_KINDS = ["unfunded_sector", "fund_without_lab", "transfer_gap", "park_without_lab"];
const TASKS = ["fund_lab", "lab_company"];
const SPHERES = ["government", "university", "industry", "finance", "intermediary"];

const WORDS = {
  communities: { zh: "社群", en: "Communities" },
  brokers: { zh: "中介者", en: "Brokers" },
  gaps: { zh: "缺口", en: "Gaps" },
  suggestions: { zh: "推测关系", en: "Suggestions" },
  loading: { zh: "加载中…", en: "Loading…" },
  communitiesSummary: { zh: "共 {total} 个社群（Leiden，模块度 {q}）；图中为前 {drawn} 个社群中联系最多的成员，颜色区分社群。",
    en: "{total} communities (Leiden, modularity {q}); drawn: the best-connected members of the first {drawn}, coloured by community." },
  size: { zh: "成员", en: "members" },
  kinds: { zh: "主要类别", en: "main kinds" },
  sectors: { zh: "领域", en: "sectors" },
  sort: { zh: "排序", en: "sort by" },
  sort_brokerage: { zh: "中介次数", en: "brokerage" },
  sort_effective_size: { zh: "有效规模", en: "effective size" },
  sort_constraint: { zh: "约束（低者在前）", en: "constraint (lowest first)" },
  sphere: { zh: "领域主体", en: "sphere" },
  allSpheres: { zh: "全部", en: "all" },
  brokersSummary: { zh: "共 {total} 个主体；Burt 结构洞（约束、有效规模）与 Gould–Fernandez 中介角色。",
    en: "{total} actors; Burt's structural holes (constraint, effective size) and Gould–Fernandez brokerage roles." },
  constraint: { zh: "约束", en: "constraint" },
  effective_size: { zh: "有效规模", en: "effective size" },
  brokerage: { zh: "中介", en: "brokerage" },
  gapKind: { zh: "缺口类别", en: "gap" },
  allGaps: { zh: "全部", en: "all" },
  gap_unfunded_sector: { zh: "有实验室、无基金的领域", en: "sectors with labs but no fund" },
  gap_fund_without_lab: { zh: "所投领域无实验室的基金", en: "funds whose sectors have no lab" },
  gap_transfer_gap: { zh: "与企业无关系的实验室", en: "labs with no company link" },
  gap_park_without_lab: { zh: "未承载实验室的园区", en: "parks hosting no lab" },
  gapsSummary: { zh: "缺口是两篇原文中的空白，并不证明城市中确实没有。",
    en: "A gap is an absence in the two source articles, not proof of an absence in the city." },
  exists: { zh: "现有关系（{n}）", en: "what exists ({n})" },
  planned: { zh: "计划中的关系", en: "planned" },
  task: { zh: "类型", en: "links" },
  task_fund_lab: { zh: "基金 → 实验室", en: "fund → lab" },
  task_lab_company: { zh: "实验室 — 企业", en: "lab — company" },
  suggestionsSummary: { zh: "推测，并非事实：原文没有陈述这些关系，以下依据为推断所本的关系及原文。",
    en: "Suggestions, not facts: the sources state none of these links; each rests on the relations and quotes below." },
  scores: { zh: "得分", en: "scores" },
  suggestedEdge: { zh: "推测 {rank}", en: "suggestion {rank}" },
  suggestedLegend: { zh: "虚线：推测关系（并非事实）", en: "dashed: suggested link (not a fact)" },
  none: { zh: "无", en: "none" },
};

const w = (key, vars = {}) => pick(WORDS[key]).replace(/\{(\w+)\}/g,
  (_, name) => String(vars[name] ?? ""));

export function showAnalytics(ctx, view, params) {
  if (view === "brokers") return showBrokers(ctx, params);
  if (view === "gaps") return showGaps(ctx, params);
  if (view === "suggestions") return showSuggestions(ctx, params);
  return showCommunities(ctx);
}

// The four views' links and a view's own choices above the drawing.
function renderControls(ctx, view, ...choices) {
  replace(ctx.controls, h("nav", { class: "analytics-views" }, ANALYTICS_VIEWS.map((name) => [
    h("a", { href: `#/${name}`, dataset: { view: name }, class: name === view ? "active" : "" },
      w(name)), " · "])), ...choices);
}

// A choice of a view: `name` in the address, its `label`, `options`, each shown by `word`;
// with `all`, an empty first option (no filter) named by that word.
function choice({ name, label, options, all = null, word = (o) => o }, chosen, reload) {
  return h("label", {}, w(label), " ", h("select", { name,
    onchange: (e) => reload({ [name]: e.target.value }) },
  all ? h("option", { value: "" }, w(all)) : null,
  options.map((o) => h("option", { value: o, selected: o === chosen }, word(o)))));
}

// What the brokers, gaps and suggestions views share: their choices read from the address
// (an unknown value falls back to the first option, or to all), the controls above the
// drawing, and the route's answer for them: { answer, chosen }, or null (stale or failed).
async function loadView(ctx, view, params, choices, path, query) {
  const chosen = Object.fromEntries(choices.map((c) => {
    const value = params.get(c.name);
    return [c.name, c.options.includes(value) ? value : c.all ? "" : c.options[0]];
  }));
  const reload = (changes) => ctx.go(view, { ...chosen, ...changes });
  renderControls(ctx, view, ...choices.map((c) => choice(c, chosen[c.name], reload)));
  const answer = await load(ctx, path, query(chosen));
  return answer ? { answer, chosen } : null;
}

// Loads one route; on failure shows the problem and an empty drawing (null returned).
async function load(ctx, path, params) {
  replace(ctx.panel, h("p", { class: "muted" }, w("loading")));
  ctx.drawing.busy();
  try {
    const answer = await getJSON(path, dated(params));
    return ctx.stale() ? null : answer;
  } catch (error) {
    if (!ctx.stale()) {
      replace(ctx.panel, errorMessage(error));
      ctx.drawing.show({ nodes: [] });
    }
    return null;
  }
}

async function showCommunities(ctx) {
  renderControls(ctx, "communities");
  const answer = await load(ctx, "/communities", { limit: 20, top: MEMBERS_DRAWN });
  if (!answer) return;
  const drawn = answer.communities.slice(0, COMMUNITIES_DRAWN);
  const colour = new Map(drawn.map((c, i) => [c.rank, PALETTE[i % PALETTE.length]]));
  replace(ctx.panel,
    h("p", { class: "summary" }, w("communitiesSummary", { total: answer.total,
      q: answer.modularity.toFixed(3), drawn: drawn.length })),
    h("ol", { class: "communities" }, answer.communities.map((c) => h("li", {
      class: "community", dataset: { rank: c.rank } },
    h("h3", {}, colour.has(c.rank) ? h("i", { class: "swatch",
      style: { background: colour.get(c.rank) } }) : null, pick(c.label)),
    h("p", {}, `${c.size} ${w("size")} · ${w("kinds")}: `,
      c.kinds.slice(0, 3).map((k) => [kindChip(k.name), ` ${k.count} `]),
      c.sectors.length ? ` · ${w("sectors")}: ${c.sectors.map(nameOf).join("、")}` : ""),
    h("p", { class: "members" }, c.top_members.map((m) => [entityLink(m), " "]))))));
  // the members drawn, and the relations among them (their neighbourhoods, cut to them)
  const members = drawn.flatMap((c) => c.top_members.map((m) => ({ ...m, community: c.rank })));
  const hoods = await Promise.all(members.map((m) => getJSON(
    `/entities/${encodeURIComponent(m.id)}/neighbours`,
    dated({ radius: 1, limit: NEIGHBOURS })).catch(() => ({ edges: [] }))));
  if (ctx.stale()) return;
  const edges = hoods.flatMap((hood) => hood.edges);
  const last = drawn.length + 1;
  ctx.drawing.show({ nodes: members.map((m) => ({ ...m, score: last - m.community })),
    edges, layout: "ranking" });
  const cy = ctx.drawing.cy;
  if (cy) cy.nodes().forEach((n) => {
    n.data("colour", colour.get(ctx.drawing.entities.get(n.id()).community));
  });
  replace(ctx.drawing.legend, drawn.map((c) => h("span", { class: "legend-item",
    dataset: { community: c.rank } }, h("i", { class: "swatch",
    style: { background: colour.get(c.rank) } }), `${c.rank}. ${pick(c.label)}`)));
}

async function showBrokers(ctx, params) {
  const loaded = await loadView(ctx, "brokers", params, [
    { name: "sort", label: "sort", options: SORTS, word: (s) => w(`sort_${s}`) },
    { name: "sphere", label: "sphere", options: SPHERES, all: "allSpheres" },
  ], "/brokers", ({ sort, sphere }) => ({ sort, sphere: sphere || undefined, limit: 20 }));
  if (!loaded) return;
  const { answer } = loaded;
  const number = (x) => (x === null ? "–" : x.toFixed(3));
  replace(ctx.panel,
    h("p", { class: "summary" }, w("brokersSummary", { total: answer.total })),
    h("table", { class: "ranking brokers" },
      h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, ""), h("th", {}, w("sphere")),
        h("th", { class: "number" }, w("effective_size")),
        h("th", { class: "number" }, w("constraint")),
        h("th", { class: "number" }, w("brokerage")))),
      h("tbody", {}, answer.items.map((item) => h("tr", { dataset: { id: item.id } },
        h("td", {}, item.rank), h("td", {}, entityLink(item)), h("td", {}, item.sphere),
        h("td", { class: "number" }, number(item.effective_size)),
        h("td", { class: "number" }, number(item.constraint)),
        h("td", { class: "number" }, item.brokerage_total))))));
  ctx.drawing.show({ nodes: answer.items.map((i) => ({ ...i,
    score: i.effective_size ?? 0 })), layout: "ranking" });
}

async function showGaps(ctx, params) {
  const loaded = await loadView(ctx, "gaps", params, [
    { name: "kind", label: "gapKind", options: GAP_KINDS, all: "allGaps",
      word: (k) => w(`gap_${k}`) },
  ], "/gaps", ({ kind }) => ({ kind: kind || undefined, evidence: 3 }));
  if (!loaded) return;
  const { answer } = loaded;
  replace(ctx.panel,
    h("p", { class: "summary" }, answer.kinds.map((k) =>
      `${w(`gap_${k}`)}: ${answer.totals[k]}`).join(" · ")),
    h("p", { class: "muted" }, w("gapsSummary")),
    h("ul", { class: "gaps" }, answer.items.map((item) => h("li", {
      class: "gap", dataset: { gap: item.gap, id: item.subject.id } },
    h("h3", {}, entityLink(item.subject), " ", kindChip(item.subject.kind)),
    h("p", { class: "missing" }, pick(item.missing)),
    h("details", {}, h("summary", {}, w("exists", { n: item.exists_total })),
      item.exists.map((e) => edgeItem(e, item.subject))),
    item.planned.length ? h("div", { class: "planned" }, h("b", {}, w("planned")),
      item.planned.map((e) => edgeItem(e, item.subject))) : null))));
  ctx.drawing.show({ nodes: answer.items.map((i) => i.subject), layout: "ranking" });
}

async function showSuggestions(ctx, params) {
  const loaded = await loadView(ctx, "suggestions", params, [
    { name: "task", label: "task", options: TASKS, word: (k) => w(`task_${k}`) },
  ], "/suggestions", ({ task }) => ({ task, limit: 20, evidence: 3 }));
  if (!loaded) return;
  const { answer } = loaded;
  replace(ctx.panel,
    h("p", { class: "summary suggestion-note", role: "note" }, w("suggestionsSummary")),
    h("ol", { class: "suggestions-list" }, answer.items.map((item) => h("li", {
      class: "suggested", dataset: { from: item.from.id, to: item.to.id } },
    h("h3", {}, entityLink(item.from), " ⇢ ", entityLink(item.to)),
    h("p", { class: "explanation" }, pick(item.explanation)),
    h("p", { class: "scores" }, `${w("scores")}: `, Object.entries(item.scores).map(
      ([name, value]) => `${name} ${Number.isInteger(value) ? value : value.toFixed(3)}`)
      .join(" · ")),
    h("ul", { class: "evidence" }, item.evidence.map((path) => h("li", {},
      path.edges.flat().map((e) => edgeItem(e, ...path.nodes.map((id, i) => (
        { id, kind: "", name_zh: path.names[i], name_en: path.names[i] })))))))))));
  // two columns (funds or labs on the left, what they could be linked to on the right), each
  // suggestion a dashed link of its own colour between them, labelled as a suggestion
  const nodes = new Map();
  const columns = new Map();
  for (const item of answer.items) {
    nodes.set(item.from.id, item.from);
    nodes.set(item.to.id, item.to);
    columns.set(item.from.id, 0);
    columns.set(item.to.id, 1);
  }
  const edges = answer.items.map((item) => ({ from: item.from.id, to: item.to.id,
    rel: "SUGGESTED", suggested: true, label: w("suggestedEdge", { rank: item.rank }),
    properties: {}, provenance: [], select: () => focusSuggestion(ctx, item) }));
  ctx.drawing.show({ nodes: [...nodes.values()], edges, layout: "path", columns });
  ctx.drawing.legend.append(h("span", { class: "legend-item legend-suggested" },
    h("i", { class: "suggested-line" }), w("suggestedLegend")));
}

// A suggested link clicked in the drawing: its entry in the list, brought into view.
function focusSuggestion(ctx, item) {
  const entries = [...ctx.panel.querySelectorAll("li.suggested")];
  for (const li of entries) li.classList.remove("focused");
  const entry = entries.find((li) => li.dataset.from === item.from.id
    && li.dataset.to === item.to.id);
  if (!entry) return;
  entry.classList.add("focused");
  entry.scrollIntoView({ block: "nearest" });
}

// One stated relation with its quotes; its ends named where `known` has them, else by id.
function edgeItem(edge, ...known) {
  const end = (id) => known.find((k) => k.id === id) ?? { id, kind: "", name_zh: id,
    name_en: id };
  return h("div", { class: "edge" }, relationLine(end(edge.from), edge.rel, end(edge.to)),
    edge.properties?.status ? h("span", { class: "chip" }, edge.properties.status) : null,
    quotes(edge.provenance));
}
