// The path view: pick two entities, list the paths between them hop by hop with each hop's
// quote, and draw them all (click a path to emphasise it).
// State lives in the address: #/paths?from=<id>&to=<id>&mode=shortest&max=6

import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { entityLink, errorMessage, hopEdges, hopItem } from "../render.js";
import { entityPicker } from "../search.js";
import { vocab } from "../vocabulary.js";

const DEFAULT_MAX = 6;

export async function showPaths(ctx, params) {
  const from = params.get("from") || "";
  const to = params.get("to") || "";
  const mode = vocab().pathModes.includes(params.get("mode")) ? params.get("mode")
    : vocab().pathModes[0];
  const max = Number(params.get("max")) || DEFAULT_MAX;
  const source = entityPicker({ placeholder: t("from"), name: "from" });
  const target = entityPicker({ placeholder: t("to"), name: "to" });
  source.input.value = from;
  target.input.value = to;
  const modeSelect = h("select", { name: "mode" }, vocab().pathModes.map((m) =>
    h("option", { value: m, selected: m === mode }, t(`mode_${m}`))));
  const maxSelect = h("select", { name: "max" },
    Array.from({ length: vocab().maxPathLength }, (_, i) => i + 1).map((n) =>
      h("option", { value: n, selected: n === max }, n)));
  const find = (event) => {
    event.preventDefault();
    const a = source.value()?.id ?? source.input.value.trim();
    const b = target.value()?.id ?? target.input.value.trim();
    if (!a || !b) return replace(ctx.panel, h("p", { class: "error" }, t("pickBoth")));
    return ctx.go("paths", { from: a, to: b, mode: modeSelect.value, max: maxSelect.value });
  };
  replace(ctx.controls, h("form", { class: "query-form", onsubmit: find },
    source.element, target.element,
    h("label", {}, t("mode"), " ", modeSelect), h("label", {}, t("maxLength"), " ", maxSelect),
    h("button", { type: "submit", class: "primary", name: "find" }, t("findPaths"))));
  replace(ctx.panel);
  if (!from || !to) return ctx.drawing.show({ nodes: [] });

  ctx.drawing.busy();
  let answer;
  try {
    answer = await api.paths(from, to, { mode, maxLength: max });
  } catch (error) {
    if (ctx.stale()) return undefined;
    replace(ctx.panel, errorMessage(error));
    return ctx.drawing.show({ nodes: [] });
  }
  if (ctx.stale()) return undefined;
  source.setValue(answer.source);
  target.setValue(answer.target);
  const lengths = answer.paths.map((p) => p.length);
  const cards = answer.paths.map((path, i) => h("li", { class: "path-card", tabindex: "0",
    onclick: () => select(i) },
  h("h4", {}, t("path", { n: i + 1, length: path.length })),
  h("ol", { class: "hops" }, path.hops.map((hop) => hopItem(hop, answer.nodes)))));
  const select = (i) => {
    cards.forEach((card, j) => card.classList.toggle("selected", i === j));
    const path = answer.paths[i];
    ctx.drawing.highlight(path.nodes, hopEdges(path.hops));
  };
  replace(ctx.panel,
    h("h2", { class: "ends" }, entityLink(answer.source), " ⇢ ", entityLink(answer.target)),
    h("p", { class: "summary" },
      t("pathsFound", { count: answer.count, length: Math.min(...lengths) })),
    h("ol", { class: "path-list" }, cards));
  ctx.drawing.show({ nodes: Object.values(answer.nodes), center: answer.source.id,
    edges: answer.paths.flatMap((p) => hopEdges(p.hops)), layout: "path",
    columns: pathColumns(answer.paths) });
}

// Each node's column: the fewest hops from the start over the paths that pass through it.
function pathColumns(paths) {
  const columns = new Map();
  for (const path of paths) {
    path.nodes.forEach((id, i) => columns.set(id, Math.min(i, columns.get(id) ?? i)));
  }
  return columns;
}
