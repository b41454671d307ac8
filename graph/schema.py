"""The one schema, loaded from ``schema.yaml`` into typed, read-only objects.

Validation, Neo4j constraints, the RDF ontology and the API's kind lists all read this module;
none of them restates a kind.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SCHEMA_PATH = Path(__file__).with_name("schema.yaml")
NODE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
OBSERVATION_KIND = "Observation"  # figures are nodes of this kind (see schema.yaml)
OBSERVATION_RELATION = "HAS_OBSERVATION"  # subject -> observation
PROPERTY_TYPES = ("string", "text", "integer", "decimal", "boolean", "date", "year", "string_list")


@dataclass(frozen=True)
class RdfTerm:
    term: str
    align: tuple[str, ...] = ()
    inverse_align: tuple[str, ...] = ()


@dataclass(frozen=True)
class PropertySpec:
    name: str
    type: str
    zh: str
    en: str
    rdf: RdfTerm | None
    unit: str | None = None
    required: bool = False
    domain: tuple[str, ...] = ()  # node kinds or relation kinds that may carry it; () = all
    values: tuple[str, ...] = ()  # the only values allowed; () = any


@dataclass(frozen=True)
class Metric:
    """An entry of the metric catalogue: what an Observation may measure."""

    name: str
    zh: str
    en: str
    unit: str
    kinds: tuple[str, ...]  # node kinds an observation of it may be about
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeKind:
    name: str
    zh: str
    en: str
    description_zh: str
    description_en: str
    subtypes: tuple[str, ...]
    rdf: RdfTerm


@dataclass(frozen=True)
class RelationKind:
    name: str
    zh: str
    en: str
    description_zh: str
    description_en: str
    from_kinds: tuple[str, ...]
    to_kinds: tuple[str, ...]
    rdf: RdfTerm
    symmetric: bool = False
    derived: bool = False


@dataclass(frozen=True)
class Schema:
    version: int
    ontology: dict[str, Any]
    units: dict[str, dict[str, str]]
    node_core: dict[str, PropertySpec]
    provenance: dict[str, PropertySpec]
    node_kinds: dict[str, NodeKind]
    node_properties: dict[str, PropertySpec]
    relation_kinds: dict[str, RelationKind]
    edge_properties: dict[str, PropertySpec]
    derived_relation_kinds: dict[str, RelationKind] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)

    def node_property(self, kind: str, name: str) -> PropertySpec | None:
        """The spec of property ``name`` on a node of ``kind``, or None if not allowed there."""
        spec = self.node_core.get(name) or self.node_properties.get(name)
        if spec is None or (spec.domain and kind not in spec.domain):
            return None
        return spec

    def edge_property(self, relation: str, name: str) -> PropertySpec | None:
        spec = self.edge_properties.get(name)
        if spec is None or (spec.domain and relation not in spec.domain):
            return None
        return spec

    def properties_of_kind(self, kind: str) -> list[PropertySpec]:
        extra = [p for p in self.node_properties.values() if not p.domain or kind in p.domain]
        return [*self.node_core.values(), *extra]

    def properties_of_relation(self, relation: str) -> list[PropertySpec]:
        return [p for p in self.edge_properties.values() if not p.domain or relation in p.domain]

    @property
    def all_relation_kinds(self) -> dict[str, RelationKind]:
        return {**self.relation_kinds, **self.derived_relation_kinds}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description of the schema (for the API and the docs)."""

        def prop(p: PropertySpec) -> dict[str, Any]:
            described = {"name": p.name, "type": p.type, "unit": p.unit, "zh": p.zh,
                         "en": p.en, "required": p.required}
            return {**described, "values": list(p.values)} if p.values else described

        return {
            "version": self.version,
            "node_kinds": [
                {"name": k.name, "zh": k.zh, "en": k.en, "description_zh": k.description_zh,
                 "description_en": k.description_en, "subtypes": list(k.subtypes),
                 "properties": [prop(p) for p in self.properties_of_kind(k.name)]}
                for k in self.node_kinds.values()
            ],
            "relation_kinds": [
                {"name": r.name, "zh": r.zh, "en": r.en, "description_zh": r.description_zh,
                 "description_en": r.description_en, "from": list(r.from_kinds),
                 "to": list(r.to_kinds), "symmetric": r.symmetric, "derived": r.derived,
                 "properties": [prop(p) for p in self.properties_of_relation(r.name)]}
                for r in self.all_relation_kinds.values()
            ],
            "units": self.units,
            "metrics": [{"name": m.name, "zh": m.zh, "en": m.en, "unit": m.unit,
                         "kinds": list(m.kinds), "aliases": list(m.aliases)}
                        for m in self.metrics.values()],
        }


def coerce_value(type_name: str, value: Any) -> Any:
    """Check and convert one raw value (from YAML, JSON or CSV text) to a schema type."""
    if type_name in ("string", "text"):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"expected a non-empty string, got {value!r}")
        return value.strip() if type_name == "string" else value
    if type_name == "string_list":
        if isinstance(value, str):  # CSV cells hold lists as "a|b|c"
            value = [v for v in value.split("|") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"expected a list of non-empty strings, got {value!r}")
        return [v.strip() for v in value]
    if type_name == "integer":
        if isinstance(value, bool):
            raise ValueError(f"expected an integer, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        raise ValueError(f"expected an integer, got {value!r}")
    if type_name == "decimal":
        if isinstance(value, bool):
            raise ValueError(f"expected a number, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float):  # JSON's NaN and YAML's .inf are floats too
            if not math.isfinite(value):
                raise ValueError(f"expected a finite number, got {value!r}")
            return value
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ValueError(f"expected a number, got {value!r}") from None
        if not number.is_finite():
            raise ValueError(f"expected a finite number, got {value!r}")
        return int(number) if number == number.to_integral_value() else float(number)
    if type_name == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ValueError(f"expected true or false, got {value!r}")
    if type_name == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}") from None
    if type_name == "year":
        text = str(value).strip()
        if isinstance(value, bool) or not re.fullmatch(r"\d{4}", text):
            raise ValueError(f"expected a four-digit year, got {value!r}")
        return int(text)
    raise ValueError(f"unknown property type {type_name!r}")


# The keys each part of schema.yaml may have (required, optional): a misspelt key is an
# error rather than a silently ignored setting.
_SECTIONS = ({"version", "ontology", "units", "node_core", "provenance", "node_kinds",
              "node_properties", "relation_kinds", "edge_properties"},
             {"derived_relation_kinds", "metrics"})
_KIND_KEYS = ({"zh", "en", "description", "subtypes", "rdf"}, set())
_RELATION_KEYS = ({"zh", "en", "description", "from", "to", "rdf"}, {"symmetric"})
_PROPERTY_KEYS = ({"type"}, {"zh", "en", "rdf", "unit", "required", "values"})
_METRIC_KEYS = ({"zh", "en", "unit", "kinds"}, {"aliases"})
_RDF_KEYS = ({"term"}, {"align", "inverse_align"})
_TEXT_KEYS = ({"zh", "en"}, set())


def _keys(where: str, raw: Any, keys: tuple[set[str], set[str]]) -> dict[str, Any]:
    """``raw`` as a mapping with the required keys and no others, or a ValueError naming
    ``where`` and the offending keys."""
    required, optional = keys
    if not isinstance(raw, dict):
        raise ValueError(f"schema: {where} must be a mapping, not {type(raw).__name__}")
    if missing := sorted(required - raw.keys()):
        raise ValueError(f"schema: {where} lacks {', '.join(missing)}")
    if unknown := sorted(raw.keys() - required - optional):
        raise ValueError(f"schema: {where} has unknown key(s) {', '.join(unknown)} (allowed: "
                         f"{', '.join(sorted(required | optional))})")
    return raw


def _rdf(where: str, raw: dict[str, Any] | None) -> RdfTerm | None:
    if not raw:
        return None
    raw = _keys(f"{where} rdf", raw, _RDF_KEYS)
    return RdfTerm(raw["term"], tuple(raw.get("align", ())), tuple(raw.get("inverse_align", ())))


def _required_rdf(where: str, raw: dict[str, Any] | None) -> RdfTerm:
    rdf = _rdf(where, raw)
    if rdf is None:
        raise ValueError(f"schema: {where} has no rdf term")
    return rdf


def _prop(name: str, raw: dict[str, Any], domain_key: str | None = None) -> PropertySpec:
    required, optional = _PROPERTY_KEYS
    raw = _keys(f"property {name!r}", raw,
                (required, optional | ({domain_key} if domain_key else set())))
    if raw["type"] not in PROPERTY_TYPES:
        raise ValueError(f"schema: property {name!r} has unknown type {raw['type']!r}")
    return PropertySpec(
        name=name, type=raw["type"], zh=raw.get("zh", ""), en=raw.get("en", ""),
        rdf=_rdf(f"property {name!r}", raw.get("rdf")), unit=raw.get("unit"),
        required=bool(raw.get("required")),
        domain=tuple(raw.get(domain_key, ())) if domain_key else (),
        values=tuple(raw.get("values", ())),
    )


def _metric(name: str, raw: dict[str, Any]) -> Metric:
    raw = _keys(f"metric {name!r}", raw, _METRIC_KEYS)
    return Metric(name, raw["zh"], raw["en"], raw["unit"], tuple(raw["kinds"]),
                  tuple(raw.get("aliases", ())))


def _kind(name: str, raw: dict[str, Any]) -> NodeKind:
    raw = _keys(f"node kind {name!r}", raw, _KIND_KEYS)
    text = _keys(f"node kind {name!r} description", raw["description"], _TEXT_KEYS)
    rdf = _required_rdf(f"node kind {name!r}", raw["rdf"])
    return NodeKind(name, raw["zh"], raw["en"], text["zh"], text["en"], tuple(raw["subtypes"]),
                    rdf)


def _relation(name: str, raw: dict[str, Any], derived: bool) -> RelationKind:
    raw = _keys(f"relation {name!r}", raw, _RELATION_KEYS)
    text = _keys(f"relation {name!r} description", raw["description"], _TEXT_KEYS)
    rdf = _required_rdf(f"relation {name!r}", raw["rdf"])
    return RelationKind(
        name=name, zh=raw["zh"], en=raw["en"], description_zh=text["zh"],
        description_en=text["en"], from_kinds=tuple(raw["from"]), to_kinds=tuple(raw["to"]),
        rdf=rdf, symmetric=bool(raw.get("symmetric")), derived=derived,
    )


def parse_schema(raw: dict[str, Any]) -> Schema:
    """Build a Schema from its YAML form, checking its keys and that it is consistent with
    itself."""
    raw = _keys("the top level", raw, _SECTIONS)
    schema = Schema(
        version=raw["version"],
        ontology=raw["ontology"],
        units=raw["units"],
        node_core={n: _prop(n, p) for n, p in raw["node_core"].items()},
        provenance={n: _prop(n, p) for n, p in raw["provenance"].items()},
        node_kinds={name: _kind(name, k) for name, k in raw["node_kinds"].items()},
        node_properties={n: _prop(n, p, "kinds") for n, p in raw["node_properties"].items()},
        relation_kinds={n: _relation(n, r, False) for n, r in raw["relation_kinds"].items()},
        edge_properties={n: _prop(n, p, "relations") for n, p in raw["edge_properties"].items()},
        derived_relation_kinds={
            n: _relation(n, r, True) for n, r in raw.get("derived_relation_kinds", {}).items()
        },
        metrics={n: _metric(n, m) for n, m in raw.get("metrics", {}).items()},
    )
    _check_consistency(schema)
    return schema


def _check_consistency(schema: Schema) -> None:
    problems: list[str] = []
    for rel in schema.all_relation_kinds.values():
        for kind in (*rel.from_kinds, *rel.to_kinds):
            if kind not in schema.node_kinds:
                problems.append(f"relation {rel.name} names unknown node kind {kind!r}")
    for spec in schema.node_properties.values():
        problems += [f"property {spec.name} names unknown node kind {k!r}"
                     for k in spec.domain if k not in schema.node_kinds]
        if spec.unit and spec.unit not in schema.units:
            problems.append(f"property {spec.name} has unknown unit {spec.unit!r}")
    for spec in schema.edge_properties.values():
        problems += [f"edge property {spec.name} names unknown relation {r!r}"
                     for r in spec.domain if r not in schema.relation_kinds]
    observed = schema.relation_kinds.get(OBSERVATION_RELATION)
    subjects = observed.from_kinds if observed else ()
    for metric in schema.metrics.values():
        if metric.unit not in schema.units:
            problems.append(f"metric {metric.name} has unknown unit {metric.unit!r}")
        problems += [f"metric {metric.name} names {k!r}, which {OBSERVATION_RELATION} cannot "
                     "start at" for k in metric.kinds if k not in subjects]
    if schema.metrics and (OBSERVATION_KIND not in schema.node_kinds or observed is None):
        problems.append(f"metrics need the node kind {OBSERVATION_KIND} and the relation "
                        f"{OBSERVATION_RELATION}")
    if problems:
        raise ValueError("schema.yaml is inconsistent: " + "; ".join(problems))


@cache
def load_schema(path: Path = SCHEMA_PATH) -> Schema:
    # libyaml's loader where PyYAML has it: a tenth of the pure-Python one's 50 ms, which
    # every command and load pays once.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as handle:
        return parse_schema(yaml.load(handle, Loader=loader))
