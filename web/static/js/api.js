// The public innograph API, as this page uses it. Every call is one documented route of
// /api/v1/openapi.json; errors arrive as RFC 9457 problem documents and become ApiError.

import { dated } from "./asof.js";

const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.status = problem.status;
    this.type = (problem.type || "").split("/").pop();
    this.problem = problem;
  }
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length) search.set(name, value.join(","));
    } else search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export async function getJSON(path, params = {}, { signal } = {}) {
  const response = await fetch(BASE + path + query(params), {
    signal,
    headers: { Accept: "application/json" },
  });
  const body = await response.json().catch(() => ({ status: response.status }));
  if (!response.ok) throw new ApiError({ status: response.status, ...body });
  return body;
}

const entityPath = (id) => `/entities/${encodeURIComponent(id)}`;

export const api = {
  schema: () => getJSON("/schema"),
  openapi: () => getJSON("/openapi.json"),
  // Dated queries answer as of the page's chosen date (asof.js); the others never change.
  statistics: () => getJSON("/statistics", dated()),
  search: (q, { limit = 8, kind } = {}, options) =>
    getJSON("/entities", dated({ q, limit, kind }), options),
  entity: (id) => getJSON(entityPath(id), dated()),
  neighbours: (id, { radius, nodeKinds, relations, limit }) =>
    getJSON(`${entityPath(id)}/neighbours`,
      dated({ radius, node_kinds: nodeKinds, relations, limit })),
  paths: (from, to, { mode, k, maxLength }) =>
    getJSON("/paths", dated({ from, to, mode, k, max_length: maxLength })),
  backing: ({ fund, lab, maxLength }) =>
    getJSON("/backing", dated({ fund, lab, max_length: maxLength })),
  centrality: ({ measure, kind, top }) => getJSON("/centrality", dated({ measure, kind, top })),
  metricSeries: (id, metric) =>
    getJSON(`${entityPath(id)}/metrics/${encodeURIComponent(metric)}`, dated()),
  // Every source, whatever the date: the year control offers their years.
  sources: (kind) => getJSON("/entities", { kind, limit: 100 }),
  source: (id) => getJSON(entityPath(id), { edge_limit: 1 }),
  changes: ({ from, to, kind, entity, limit, offset }) =>
    getJSON("/changes", { from, to, kind, entity, limit, offset }),
};
