// What the page knows about the graph's vocabulary, all read from the API at start-up: node
// and relation kinds with their zh/en labels (the schema route), and the allowed values of
// query parameters such as centrality measures (the OpenAPI document).

import { api } from "./api.js";
import { language, pick } from "./i18n.js";

// Colours are given to kinds in schema order; the names of kinds are never listed here.
const PALETTE = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2",
  "#edc948", "#9c755f", "#ff9da7", "#6b8e23", "#8c8c8c", "#17becf", "#393b79"];

let vocabulary = null;

function parameter(spec, path, name) {
  const params = spec.paths[path]?.get?.parameters ?? [];
  return params.find((p) => p.name === name)?.schema ?? {};
}

export async function loadVocabulary() {
  const [schema, spec] = await Promise.all([api.schema(), api.openapi()]);
  // Beyond the palette: hues a golden angle apart, in the comma form (Cytoscape reads no
  // other, and drew such kinds without a colour)
  const colour = (i) => PALETTE[i] ?? `hsl(${(i * 137.5) % 360}, 55%, 50%)`;
  vocabulary = {
    nodeKinds: schema.node_kinds.map((k, i) => ({ ...k, colour: colour(i) })),
    // Derived relations (e.g. MENTIONS) are not edges of the graph: nothing to filter by.
    relationKinds: schema.relation_kinds.filter((r) => !r.derived),
    relations: new Map(schema.relation_kinds.map((r) => [r.name, r])),
    units: schema.units,
    metrics: schema.metrics ?? [],
    measures: parameter(spec, "/api/v1/centrality", "measure").enum ?? [],
    defaultMeasure: parameter(spec, "/api/v1/centrality", "measure").default,
    pathModes: parameter(spec, "/api/v1/paths", "mode").enum ?? [],
    maxPathLength: parameter(spec, "/api/v1/paths", "max_length").maximum ?? 6,
    maxBackingLength: parameter(spec, "/api/v1/backing", "max_length").maximum ?? 3,
    defaultBackingLength: parameter(spec, "/api/v1/backing", "max_length").default ?? 3,
  };
  vocabulary.kinds = new Map(vocabulary.nodeKinds.map((k) => [k.name, k]));
  return vocabulary;
}

export const vocab = () => vocabulary;

export const kindLabel = (name) => {
  const kind = vocabulary.kinds.get(name);
  return kind ? pick(kind) : name;
};

export const kindColour = (name) => vocabulary.kinds.get(name)?.colour ?? "#999";

export const relationLabel = (name) => {
  const relation = vocabulary.relations.get(name);
  return relation ? pick(relation) : name;
};

// Label of a property of a node kind (or of a relation when `owner` is a relation name).
export function propertyLabel(owner, property) {
  const entry = vocabulary.kinds.get(owner) ?? vocabulary.relations.get(owner);
  const spec = entry?.properties?.find((p) => p.name === property);
  return spec ? pick(spec) : property;
}

// A property value with its unit from the schema (e.g. "5000 元").
export function propertyValue(owner, property, value) {
  const entry = vocabulary.kinds.get(owner) ?? vocabulary.relations.get(owner);
  const unit = entry?.properties?.find((p) => p.name === property)?.unit;
  const text = Array.isArray(value) ? value.join(language() === "zh" ? "、" : ", ") : value;
  if (!unit || unit === "count" || !vocabulary.units[unit]) return String(text);
  return `${text} ${vocabulary.units[unit][language()]}`;
}
