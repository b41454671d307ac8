// The "what changed" view: the graph as reported up to one year against another, one page of
// the API's changes at a time (appeared, not reported since, status changed, metrics), each
// with its quotes from both sides, optionally only those about entities of one kind or about
// one entity (its page links here). State lives in the address:
// #/changes?from=2022&to=2025&kind=Lab&entity=changchun&offset=100

import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { language, pick, t } from "../i18n.js";
import {
  entityLink, errorMessage, kindChip, propertyList, quotes, relationLine,
} from "../render.js";
import { observation, statusBadge } from "../time.js";
import { vocab } from "../vocabulary.js";

const PAGE = 50;
const KINDS = ["appeared", "not_reported_since", "status_changed", "metric"];

const TEXT = {
  zh: {
    fromYear: "从", toYear: "到", compare: "比较",
    needYears: "需要至少两个有发表年份的来源才能比较。",
    summary: "截至 {from} 年与截至 {to} 年相比：共 {total} 项变化",
    appeared: "新出现", not_reported_since: "此后未再报道", status_changed: "状态变化",
    metric: "指标",
    shown: "第 {first}–{last} 项，共 {total} 项", previous: "上一页", next: "下一页",
    upTo: "截至 {year} 年",
    none: "两个年份之间没有变化。",
    about: "只看此实体：", allEntities: "全部实体",
  },
  en: {
    fromYear: "From", toYear: "to", compare: "Compare",
    needYears: "Comparing needs at least two sources with a publication year.",
    summary: "As reported up to {from} against up to {to}: {total} changes",
    appeared: "appeared", not_reported_since: "not reported since", status_changed:
      "status changed", metric: "metrics",
    shown: "{first}–{last} of {total}", previous: "Previous", next: "Next",
    upTo: "up to {year}",
    none: "Nothing changed between these years.",
    about: "About", allEntities: "every entity",
  },
};

const ct = (key, vars) => {
  const text = TEXT[language()][key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars?.[name] ?? ""));
};

export async function showChanges(ctx, params, years) {
  const from = params.get("from") || years[0];
  const to = params.get("to") || years[years.length - 1];
  const offset = Math.max(0, Number.parseInt(params.get("offset"), 10) || 0);
  const kind = vocab().kinds.has(params.get("kind")) ? params.get("kind") : "";
  const entity = params.get("entity") || "";
  const reload = (changes) => ctx.go("changes", { from, to, kind, entity, ...changes });
  ctx.drawing.busy();
  replace(ctx.controls, yearPicker(years, from, to, kind,
    (a, b, k) => reload({ from: a, to: b, kind: k })));
  if (!from || !to || from === to) {
    replace(ctx.panel, h("p", { class: "muted" }, ct("needYears")));
    ctx.drawing.show({ nodes: [] });
    return;
  }
  replace(ctx.panel, h("p", { class: "muted" }, t("loading")));
  let page;
  try {
    page = await api.changes({ from, to, kind, entity, limit: PAGE, offset });
  } catch (error) {
    if (ctx.stale()) return;
    replace(ctx.panel, errorMessage(error));
    ctx.drawing.show({ nodes: [] });
    return;
  }
  if (ctx.stale()) return;
  document.title = `${from} → ${to} · innograph`;
  replace(ctx.panel, h("article", { class: "changes", dataset: { from, to, kind, entity } },
    h("h2", {}, ct("summary", { from, to, total: page.total })),
    page.entity ? h("p", { class: "changes-entity" }, ct("about"), " ",
      h("a", { href: `#/entity/${encodeURIComponent(page.entity)}` }, page.entity), " · ",
      h("a", { href: "#", name: "all-entities", onclick: (event) => {
        event.preventDefault();
        reload({ entity: "" });
      } }, ct("allEntities"))) : null,
    sectionLinks(page, (start) => reload({ offset: start })),
    page.items.length ? h("ol", { class: "change-list", start: offset + 1 },
      page.items.map((item) => changeItem(item, from, to)))
      : h("p", { class: "muted" }, ct("none")),
    pager(page, (start) => reload({ offset: start }))));
  drawPage(ctx.drawing, page.items);
}

function yearPicker(years, from, to, kind, apply) {
  const select = (name, value) => h("select", { name },
    years.map((year) => h("option", { value: year, selected: year === value }, year)));
  const a = select("from", from);
  const b = select("to", to);
  // the changes about entities of one kind: the entity, its relations, its metrics
  const k = h("select", { name: "kind" }, h("option", { value: "" }, t("allKinds")),
    vocab().nodeKinds.map((nk) => h("option", { value: nk.name, selected: nk.name === kind },
      pick(nk))));
  return h("form", { class: "year-range", onsubmit: (event) => {
    event.preventDefault();
    apply(a.value, b.value, k.value);
  } },
  h("label", {}, ct("fromYear"), " ", a), " ", h("label", {}, ct("toYear"), " ", b), " ",
  h("label", {}, t("kind"), " ", k), " ",
  h("button", { type: "submit", class: "primary", name: "compare" }, ct("compare")));
}

// One link per kind of change with its count; the API lists the kinds in this order, so
// each starts at the sum of the counts before it.
function sectionLinks(page, open) {
  let start = 0;
  return h("ul", { class: "change-kinds" }, KINDS.map((kind) => {
    const count = page.counts[kind] ?? 0;
    const at = start;
    start += count;
    return h("li", { dataset: { change: kind } }, count
      ? h("a", { href: "#", onclick: (event) => { event.preventDefault(); open(at); } },
        `${ct(kind)} ${count}`)
      : `${ct(kind)} 0`);
  }));
}

function pager(page, open) {
  if (page.total <= page.limit) return null;
  const last = Math.min(page.offset + page.items.length, page.total);
  return h("nav", { class: "pager" },
    h("button", { type: "button", name: "previous", disabled: page.offset === 0,
      onclick: () => open(Math.max(0, page.offset - page.limit)) }, ct("previous")),
    h("span", { class: "muted" },
      ct("shown", { first: page.offset + 1, last, total: page.total })),
    h("button", { type: "button", name: "next", disabled: last >= page.total,
      onclick: () => open(page.offset + page.limit) }, ct("next")));
}

function changeItem(item, from, to) {
  const li = h("li", { class: "change", dataset: { change: item.change, record: item.record } },
    h("span", { class: "change-kind" }, ct(item.change)));
  if (item.record === "node") {
    li.dataset.id = item.node.id;
    li.append(h("span", { class: "change-subject" }, kindChip(item.node.kind), " ",
      entityLink(item.node)), side(item.provenance, item.change === "appeared" ? to : from));
  } else if (item.record === "edge") {
    li.dataset.rel = item.rel;
    li.append(relationLine(item.from, item.rel, item.to), propertyList(item.rel, item.properties));
    if (item.change === "status_changed") {
      const before = new Set(item.provenance_before.map(key));
      const added = item.provenance.filter((p) => !before.has(key(p)));
      li.append(h("div", { class: "both-sides" },
        side(item.provenance_before, from, statusBadge(item.status_before)),
        side(added.length ? added : item.provenance, to, statusBadge(item.status_after))));
    } else li.append(side(item.provenance, item.change === "appeared" ? to : from));
  } else {
    li.dataset.metric = item.metric.name;
    li.dataset.subject = item.subject.id;
    li.append(h("span", { class: "change-subject" }, entityLink(item.subject), " · ",
      pick(item.metric)),
    h("div", { class: "both-sides" },
      side(null, from, null, item.before.map(observation)),
      side(null, to, null, item.after.map(observation))));
  }
  return li;
}

const key = (p) => `${p.source}\u0000${p.quote}`;

// One side of a change: the year it is as of, an optional badge, and quotes or observations.
function side(provenance, year, badge = null, body = null) {
  return h("div", { class: "side", dataset: { year } },
    h("span", { class: "side-year" }, ct("upTo", { year }), badge ? " " : "", badge),
    body ?? quotes(provenance));
}

// The page's entities and relations drawn, so the change can be seen in its surroundings.
function drawPage(drawing, items) {
  const nodes = new Map();
  const edges = [];
  for (const item of items) {
    if (item.record === "node") nodes.set(item.node.id, item.node);
    else if (item.record === "edge") {
      nodes.set(item.from.id, item.from);
      nodes.set(item.to.id, item.to);
      edges.push({ from: item.from.id, to: item.to.id, rel: item.rel,
        properties: item.properties, provenance: item.provenance });
    } else nodes.set(item.subject.id, item.subject);
  }
  drawing.show({ nodes: [...nodes.values()], edges, layout: "ranking" });
}
