// The centrality view: the top entities by a chosen measure (measures listed by the API's
// OpenAPI document), optionally of one kind, drawn with sizes following their scores.
// State lives in the address: #/centrality?measure=pagerank&kind=Lab&top=20

import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { pick, t } from "../i18n.js";
import { entityLink, errorMessage, kindChip } from "../render.js";
import { vocab } from "../vocabulary.js";

const TOPS = [10, 20, 50];
const SMALLEST = 18;
const LARGEST = 80;

export async function showCentrality(ctx, params) {
  const { measures, defaultMeasure, kinds, nodeKinds } = vocab();
  const measure = measures.includes(params.get("measure")) ? params.get("measure")
    : defaultMeasure ?? measures[0];
  const kind = kinds.has(params.get("kind")) ? params.get("kind") : "";
  const top = TOPS.includes(Number(params.get("top"))) ? Number(params.get("top")) : TOPS[1];
  const reload = (changes) => ctx.go("centrality", { measure, kind, top, ...changes });
  replace(ctx.controls,
    h("label", {}, t("measure"), " ", h("select", { name: "measure",
      onchange: (e) => reload({ measure: e.target.value }) },
    measures.map((m) => h("option", { value: m, selected: m === measure }, t(`measure_${m}`))))),
    h("label", {}, t("kind"), " ", h("select", { name: "kind",
      onchange: (e) => reload({ kind: e.target.value }) },
    h("option", { value: "" }, t("allKinds")),
    nodeKinds.map((k) => h("option", { value: k.name, selected: k.name === kind }, pick(k))))),
    h("label", {}, t("top"), " ", h("select", { name: "top",
      onchange: (e) => reload({ top: e.target.value }) },
    TOPS.map((n) => h("option", { value: n, selected: n === top }, n)))));
  replace(ctx.panel, h("p", { class: "muted" }, t("loading")));
  ctx.drawing.busy();
  let ranking;
  try {
    ranking = await api.centrality({ measure, kind: kind || undefined, top });
  } catch (error) {
    if (ctx.stale()) return undefined;
    replace(ctx.panel, errorMessage(error));
    return ctx.drawing.show({ nodes: [] });
  }
  if (ctx.stale()) return undefined;
  replace(ctx.panel,
    h("p", { class: "summary" }, t("centralityOf",
      { measure: t(`measure_${measure}`), top: ranking.items.length, count: ranking.count })),
    h("table", { class: "ranking" },
      h("thead", {}, h("tr", {}, h("th", {}, t("rank")), h("th", {}, ""), h("th", {}, t("kind")),
        h("th", { class: "number" }, t("score")))),
      h("tbody", {}, ranking.items.map((item) => h("tr", { dataset: { id: item.id } },
        h("td", {}, item.rank), h("td", {}, entityLink(item)), h("td", {}, kindChip(item.kind)),
        h("td", { class: "number" }, formatScore(item.score)))))));
  return ctx.drawing.show({ nodes: ranking.items, layout: "ranking",
    sizes: scaledSizes(ranking.items) });
}

// Node diameters proportional to the square root of the score (area follows the score).
export function scaledSizes(items) {
  const scores = items.map((i) => i.score);
  const [low, high] = [Math.min(...scores), Math.max(...scores)];
  const span = Math.sqrt(high) - Math.sqrt(Math.max(low, 0)) || 1;
  return new Map(items.map((i) => [i.id,
    SMALLEST + (LARGEST - SMALLEST) * (Math.sqrt(Math.max(i.score, 0)) -
      Math.sqrt(Math.max(low, 0))) / span]));
}

const formatScore = (score) => (Number.isInteger(score) ? String(score)
  : score.toPrecision(4));
