// Time on the page: the year control in the header (the sources' publication years and
// "now"), the wording of dates and statuses, and what a view says about an entity that no
// source had reported by the chosen date.

import { api } from "./api.js";
import { asOf, setAsOf } from "./asof.js";
import { h, replace } from "./dom.js";
import { language } from "./i18n.js";
import { quotes } from "./render.js";
import { vocab } from "./vocabulary.js";

const TEXT = {
  zh: {
    asOf: "截至",
    now: "现在",
    year: "{year}年",
    asOfNote: "按截至 {year} 年发表的来源显示",
    absent: "截至 {year} 年，没有来源提到“{id}”。",
    showNow: "查看现在",
    factor: "×{factor}（相对于期初）", atLeast: "超过 {value}", atMost: "最多 {value}",
    status_done: "已完成", status_ongoing: "进行中", status_planned: "计划",
    status_actual: "实际", status_estimate: "估计", status_target: "目标",
    status_plan: "计划",
  },
  en: {
    asOf: "As of",
    now: "now",
    year: "{year}",
    asOfNote: "as the sources published up to {year} report it",
    absent: "No source published up to {year} mentions “{id}”.",
    showNow: "Show now",
    factor: "×{factor} (against the period's start)", atLeast: "more than {value}",
    atMost: "at most {value}",
    status_done: "done", status_ongoing: "ongoing", status_planned: "planned",
    status_actual: "actual", status_estimate: "estimate", status_target: "target",
    status_plan: "plan",
  },
};

export function tt(key, vars = {}) {
  const text = TEXT[language()][key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// "2022" from a date parameter ("2022", "2022-12-31"): the year a view is labelled with.
export const yearOf = (date) => String(date).slice(0, 4);

// The node kind that has `property` (e.g. sources have a publication year, observations a
// metric): found in the schema, so no kind is named here.
export const kindWith = (property) => vocab().nodeKinds
  .find((k) => k.properties.some((p) => p.name === property))?.name;

let years = null;

// The publication years of the sources, oldest first (each source read once per page).
export async function sourceYears() {
  const kind = kindWith("published_year");
  if (!kind) return [];
  years ??= api.sources(kind).then(async (page) => {
    const sources = await Promise.all(page.items.map((s) => api.source(s.id)));
    const found = sources.map((s) => s.properties.published_date ?? s.properties.published_year)
      .filter(Boolean).map(yearOf);
    return [...new Set(found)].sort();
  });
  return years;
}

// The header's <select>: "now" and each source year; a date from the address that is not one
// of them is offered too, so the control always says what the page shows.
export function renderYearControl(container, known) {
  const current = asOf();
  const options = current && !known.includes(current) ? [...known, current].sort() : known;
  const select = h("select", { name: "as_of", "aria-label": tt("asOf"),
    onchange: (event) => setAsOf(event.target.value) },
  h("option", { value: "", selected: !current }, tt("now")),
  options.map((year) => h("option", { value: year, selected: year === current },
    /^\d{4}$/.test(year) ? tt("year", { year }) : year)));
  replace(container, h("label", {}, tt("asOf"), " ", select));
  container.dataset.asOf = current ?? "";
}

// What a view shows instead of an entity the sources had not reported by the chosen date.
export const absentAsOf = (id) => h("div", { class: "absent", role: "status" },
  h("p", {}, tt("absent", { year: yearOf(asOf()), id })),
  h("button", { type: "button", name: "show-now", onclick: () => setAsOf(null) }, tt("showNow")));

// A relation's or observation's status as a small badge (planned/target/plan stand out).
export function statusBadge(status) {
  if (!status) return null;
  return h("span", { class: `status-badge status-${status}`, dataset: { status } },
    tt(`status_${status}`));
}

// An observation: its value or change factor, period, status and quotes.
export function observation(obs) {
  return h("div", { class: "observation", dataset: { id: obs.id, status: obs.status } },
    h("b", { class: "obs-value" }, observationValue(obs)), " ",
    h("span", { class: "obs-period" }, periodText(obs)), " ", statusBadge(obs.status),
    quotes(obs.provenance));
}

export function observationValue(obs) {
  if (obs.value === undefined || obs.value === null) {
    return tt("factor", { factor: obs.change_factor });
  }
  const value = obs.value.toLocaleString();
  if (obs.bound === "at_least") return tt("atLeast", { value });
  if (obs.bound === "at_most") return tt("atMost", { value });
  return value;
}

export function periodText(obs) {
  const years = obs.period_start === obs.period_end ? `${obs.period_end}`
    : `${obs.period_start}–${obs.period_end}`;
  return obs.period_zh ? `${years}（${obs.period_zh}）` : years;
}
