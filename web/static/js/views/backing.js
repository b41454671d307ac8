// The "funds -> labs" view: which funds back which labs, each pair with its ranked chains
// (stated or inferred, explained in zh and en, every hop quoted); the chosen chain is drawn.
// State lives in the address: #/backing?fund=<id>&lab=<id>&max=<n> (default: the API's)

import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { language, t } from "../i18n.js";
import { entityLink, errorMessage, hopEdges, hopItem } from "../render.js";
import { entityPicker } from "../search.js";
import { vocab } from "../vocabulary.js";

export async function showBacking(ctx, params) {
  const fund = params.get("fund") || "";
  const lab = params.get("lab") || "";
  const max = Number(params.get("max")) || vocab().defaultBackingLength;
  const fundPicker = entityPicker({ placeholder: t("fundFilter"), name: "fund" });
  const labPicker = entityPicker({ placeholder: t("labFilter"), name: "lab" });
  fundPicker.input.value = fund;
  labPicker.input.value = lab;
  const maxSelect = h("select", { name: "max" },
    Array.from({ length: vocab().maxBackingLength }, (_, i) => i + 1).map((n) =>
      h("option", { value: n, selected: n === max }, n)));
  const submit = (event) => {
    event.preventDefault();
    const ends = [fundPicker, labPicker].map((p) => p.value()?.id ?? p.input.value.trim());
    ctx.go("backing", { fund: ends[0], lab: ends[1], max: maxSelect.value });
  };
  replace(ctx.controls, h("form", { class: "query-form", onsubmit: submit },
    fundPicker.element, labPicker.element, h("label", {}, t("maxLength"), " ", maxSelect),
    h("button", { type: "submit", class: "primary", name: "show" }, t("show"))));
  replace(ctx.panel, h("p", { class: "muted" }, t("loading")));
  ctx.drawing.busy();
  let answer;
  try {
    answer = await api.backing({ fund: fund || undefined, lab: lab || undefined,
      maxLength: max });
  } catch (error) {
    if (ctx.stale()) return undefined;
    replace(ctx.panel, errorMessage(error));
    return ctx.drawing.show({ nodes: [] });
  }
  if (ctx.stale()) return undefined;
  const items = [];
  const draw = (chain, item) => {
    items.forEach((other) => other.classList.toggle("selected", other === item));
    ctx.drawing.show({ nodes: chain.nodes.map((id) => answer.nodes[id]),
      edges: hopEdges(chain.hops), center: chain.nodes[0], layout: "path",
      columns: new Map(chain.nodes.map((id, i) => [id, i])) });
  };
  const pairs = answer.pairs.map((pair) => h("li", { class: "pair",
    dataset: { fund: pair.fund.id, lab: pair.lab.id, inferred: pair.inferred } },
  h("h3", {}, entityLink(pair.fund), " → ", entityLink(pair.lab), " ", flag(pair.inferred)),
  h("p", { class: "muted" }, t("chains", { n: pair.chains_total, length: pair.best_length })),
  h("ol", { class: "chains" }, pair.chains.map((chain, i) => {
    const item = h("li", { class: "chain", tabindex: "0", dataset: { inferred: chain.inferred },
      onclick: () => draw(chain, item) },
    h("h4", {}, t("chain", { n: i + 1, length: chain.length }), " ", flag(chain.inferred),
      " ", h("code", { class: "pattern" }, chain.pattern)),
    h("p", { class: "explanation" }, chain.explanation[language()]),
    h("ol", { class: "hops" }, chain.hops.map((hop) => hopItem(hop, answer.nodes))));
    items.push(item);
    return item;
  }))));
  replace(ctx.panel, h("p", { class: "summary" }, t("pairsFound", { count: answer.total_pairs }),
    answer.truncated ? ` ${t("firstShown", { n: answer.pairs.length })}` : ""),
    h("ol", { class: "pair-list" }, pairs));
  const first = answer.pairs[0]?.chains[0];
  return first ? draw(first, items[0]) : ctx.drawing.show({ nodes: [] });
}

const flag = (inferred) => h("span", { class: inferred ? "flag inferred" : "flag stated" },
  inferred ? t("inferred") : t("stated"));
