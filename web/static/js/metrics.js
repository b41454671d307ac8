// Metric charts in an entity's panel: for each metric of the catalogue with two or more
// observations of the entity (as of the page's date), a small chart of the values (a line)
// and change factors (bars) by period. Plans, targets and estimates are drawn hollow (and the
// line into them dashed); a point's tooltip gives its period, status and quote, and the list
// under the chart says the same in text (with every quote and its source).
//
// Chart.js comes from npm (web/package.json) and is served at /static/vendor/; without it
// the lists still show.

import { api } from "./api.js";
import { h, replace } from "./dom.js";
import { language, pick } from "./i18n.js";
import { kindWith, observation, observationValue, periodText, tt } from "./time.js";
import { vocab } from "./vocabulary.js";

const LIBRARY_URL = "/static/vendor/chart.umd.js";
const ACTUAL = "#4e79a7";
const FACTOR = "#f28e2b";
const TEXT = {
  zh: { title: "指标随时间变化", value: "数值", factor: "倍数（相对于期初）",
    legend: "实心：实际；空心（虚线连接）：计划、目标或估计" },
  en: { title: "Metrics over time", value: "value", factor: "factor (against the period's start)",
    legend: "filled: actual; hollow (dashed line): plan, target or estimate" },
};
const mt = (key) => TEXT[language()][key] ?? TEXT.en[key];

let libraryPromise = null;
let charts = []; // drawn in the current panel; destroyed when the next one draws

// Chart.js's constructor, or null when /static/vendor/ does not have it. Its UMD build is a
// classic script (a same-origin file, as the page's CSP allows) that defines window.Chart.
export function loadChartLibrary() {
  libraryPromise ??= new Promise((resolve) => {
    const script = h("script", { src: LIBRARY_URL });
    script.addEventListener("load", () => resolve(window.Chart ?? null));
    script.addEventListener("error", () => resolve(null));
    document.head.append(script);
  });
  return libraryPromise;
}

const planned = (obs) => obs.status !== "actual";

// Fills `container` with a chart per metric the entity has two or more observations of.
export async function showMetricCharts(container, entity, stale) {
  const observations = kindWith("metric");
  const observed = entity.edges.out.filter((e) => e.other.kind === observations).length;
  charts.forEach((chart) => chart.destroy());
  charts = [];
  // a hub's first relations may not reach its observations: then ask for the metrics anyway
  if (observed < 2 && !entity.edges_truncated) return;
  const metrics = vocab().metrics.filter((m) => m.kinds.includes(entity.kind));
  const series = await Promise.all(metrics.map((m) => api.metricSeries(entity.id, m.name)
    .catch(() => null)));
  const shown = series.filter((s) => s && s.observations.length >= 2);
  if (stale() || !shown.length) return;
  const Chart = await loadChartLibrary();
  if (stale()) return;
  replace(container, h("h3", {}, mt("title")),
    shown.map((s) => metricFigure(s, Chart)),
    h("p", { class: "muted chart-legend" }, mt("legend")));
}

function metricFigure(series, Chart) {
  const unit = vocab().units[series.metric.unit];
  const canvas = h("canvas", { role: "img", "aria-label": pick(series.metric) });
  const tooltip = h("div", { class: "chart-tooltip", hidden: true });
  const figure = h("figure", { class: "metric-chart", dataset: { metric: series.metric.name,
    points: series.observations.length } },
  h("figcaption", {}, pick(series.metric), unit && series.metric.unit !== "count"
    ? ` (${unit[language()]})` : ""),
  Chart ? h("div", { class: "chart-box" }, canvas, tooltip) : null,
  h("ol", { class: "metric-points" }, series.observations.map((o) => h("li", {}, observation(o)))));
  if (Chart) drawChart(Chart, canvas, tooltip, series.observations);
  return figure;
}

function drawChart(Chart, canvas, tooltip, observations) {
  const values = observations.map((o) => o.value ?? null);
  const factors = observations.map((o) => (o.value == null ? o.change_factor ?? null : null));
  const pointFill = (colour) => (c) => (planned(observations[c.dataIndex]) ? "#fff" : colour);
  const datasets = [];
  if (values.some((v) => v !== null)) {
    datasets.push({ type: "line", label: mt("value"), data: values, yAxisID: "value",
      borderColor: ACTUAL, pointBorderColor: ACTUAL, pointBackgroundColor: pointFill(ACTUAL),
      pointRadius: 5, pointHoverRadius: 7, pointBorderWidth: 2, spanGaps: true,
      segment: { borderDash: (c) => (planned(observations[c.p1DataIndex]) ? [5, 4] : []) } });
  }
  if (factors.some((v) => v !== null)) {
    datasets.push({ type: "bar", label: mt("factor"), data: factors, yAxisID: "factor",
      borderColor: FACTOR, borderWidth: 2, maxBarThickness: 28,
      backgroundColor: pointFill(`${FACTOR}99`) });
  }
  const axis = (position, title) => ({ position, beginAtZero: true,
    title: { display: true, text: title }, grid: { drawOnChartArea: position === "left" } });
  // The text of the point under the mouse, with its quote, in an element of the page.
  const external = ({ chart, tooltip: state }) => {
    const point = state.dataPoints?.[0];
    if (!state.opacity || !point) {
      tooltip.hidden = true;
      return;
    }
    const obs = observations[point.dataIndex];
    replace(tooltip, h("b", {}, observationValue(obs)), " ", periodText(obs), " · ",
      tt(`status_${obs.status}`),
      obs.provenance.map((p) => h("span", { class: "tooltip-quote" }, h("q", {}, p.quote),
        " ", h("cite", {}, p.source))));
    tooltip.dataset.index = point.dataIndex;
    tooltip.hidden = false;
    const x = Math.min(point.element.x + 8, chart.width - tooltip.offsetWidth);
    tooltip.style.setProperty("left", `${Math.max(0, x)}px`);
    tooltip.style.setProperty("top", `${point.element.y + 8}px`);
  };
  charts.push(new Chart(canvas, {
    data: { labels: observations.map((o) => periodText(o).split("（")[0]), datasets },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { display: datasets.length > 1, labels: { boxWidth: 12 } },
        tooltip: { enabled: false, external } },
      scales: Object.fromEntries(datasets.map((d) => [d.yAxisID,
        axis(d.yAxisID === "value" ? "left" : "right", d.label)])),
    },
  }));
}
