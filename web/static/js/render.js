// Shared pieces of the panels: entity links, source quotes, properties and path hops.

import { h } from "./dom.js";
import { nameOf, t } from "./i18n.js";
import {
  kindColour, kindLabel, propertyLabel, propertyValue, relationLabel,
} from "./vocabulary.js";

export const entityHref = (id) => `#/entity/${encodeURIComponent(id)}`;

export function entityLink(entity) {
  return h("a", { class: "entity-link", href: entityHref(entity.id), dataset: { id: entity.id },
    title: kindLabel(entity.kind) },
  h("i", { class: "swatch", style: { background: kindColour(entity.kind) } }), nameOf(entity));
}

export function kindChip(kind) {
  return h("span", { class: "chip", style: { "--kind": kindColour(kind) } }, kindLabel(kind));
}

// Verbatim quotes with the source file they come from.
export function quotes(provenance) {
  return h("ul", { class: "quotes" }, provenance.map((p) => h("li", {},
    h("q", { class: "quote" }, p.quote), h("cite", {}, p.source))));
}

// A definition list of typed properties; `owner` is the node kind or relation name.
export function propertyList(owner, properties) {
  const entries = Object.entries(properties ?? {});
  if (!entries.length) return null;
  return h("dl", { class: "properties" }, entries.map(([name, value]) => [
    h("dt", {}, propertyLabel(owner, name)), h("dd", {}, propertyValue(owner, name, value))]));
}

// "A —rel→ B" in path order; a backward hop follows a stored edge against its direction.
export function relationLine(from, rel, to, direction = "forward") {
  const label = relationLabel(rel);
  const arrow = direction === "forward" ? `— ${label} →` : `← ${label} —`;
  return h("span", { class: "relation-line" }, entityLink(from),
    h("span", { class: "rel", dataset: { rel } }, arrow), entityLink(to));
}

// One hop of a path or chain, with its quotes; `entities` maps ids to summaries.
export function hopItem(hop, entities) {
  return h("li", { class: "hop" },
    relationLine(entities[hop.from], hop.rel, entities[hop.to], hop.direction),
    propertyList(hop.rel, hop.properties), quotes(hop.provenance));
}

// Hops as drawable edges in the stored direction.
export const hopEdges = (hops) => hops.map((hop) => ({
  ...(hop.direction === "forward" ? { from: hop.from, to: hop.to }
    : { from: hop.to, to: hop.from }),
  rel: hop.rel, properties: hop.properties, provenance: hop.provenance }));

export const errorMessage = (error) => h("p", { class: "error", role: "alert" },
  t("error", { message: error.message }));
