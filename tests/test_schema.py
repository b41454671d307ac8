"""The one schema: consistent with itself, and its value types behave."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from graph.schema import SCHEMA_PATH, coerce_value, load_schema, parse_schema


def test_schema_has_the_kinds_the_product_needs() -> None:
    schema = load_schema()
    assert {"Institution", "Lab", "Park", "Fund", "Company", "Achievement", "Program", "Sector",
            "Event", "Place", "Person", "Source"} <= set(schema.node_kinds)
    assert {"FUNDS", "INVESTS_IN", "SUPPORTS", "TARGETS_SECTOR", "WORKS_IN_SECTOR", "HOSTS",
            "LOCATED_IN", "AFFILIATED_WITH", "OPERATES", "PRODUCED", "COLLABORATES_WITH",
            "COORDINATES", "ISSUED", "PARTICIPATES_IN", "MEMBER_OF", "LEADS"} <= set(
        schema.relation_kinds)


def test_every_kind_and_relation_is_documented_in_both_languages() -> None:
    schema = load_schema()
    for kind in schema.node_kinds.values():
        assert kind.zh and kind.en and kind.description_zh and kind.description_en
        assert kind.subtypes and kind.rdf.term
    for rel in schema.all_relation_kinds.values():
        assert rel.zh and rel.en and rel.description_zh and rel.description_en
        assert rel.from_kinds and rel.to_kinds and rel.rdf.term


def test_property_domains_are_enforced() -> None:
    schema = load_schema()
    assert schema.node_property("Observation", "value").type == "decimal"
    assert schema.node_property("Fund", "value") is None
    assert schema.node_property("Lab", "name_zh").required
    assert schema.node_property("Source", "published_year").required
    assert schema.node_property("Observation", "status").values == (
        "actual", "estimate", "target", "plan")
    assert schema.edge_property("PART_OF", "role_zh") is None
    assert schema.edge_property("LEADS", "role_zh") is not None
    assert schema.edge_property("LOCATED_IN", "note_en") is not None  # no domain: every relation
    assert schema.edge_property("OPERATES", "status").values == ("done", "ongoing", "planned")


def test_figures_are_observations_only() -> None:
    """No kind but Observation may hold a number: every figure is dated (issue 14)."""
    schema = load_schema()
    numeric = [p.name for p in schema.node_properties.values()
               if p.type in ("integer", "decimal") and p.domain != ("Observation",)]
    numeric += [p.name for p in schema.edge_properties.values()
                if p.type in ("integer", "decimal")]
    assert numeric == []
    assert schema.metrics["high_tech_enterprises"].unit == "count"
    assert "高企" in schema.metrics["high_tech_enterprises"].aliases
    observed = schema.relation_kinds["HAS_OBSERVATION"]
    assert observed.to_kinds == ("Observation",)
    assert all(set(m.kinds) <= set(observed.from_kinds) for m in schema.metrics.values())


def test_a_metric_must_fit_the_schema() -> None:
    raw = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    broken = copy.deepcopy(raw)
    broken["metrics"]["academicians"]["unit"] = "USD"
    with pytest.raises(ValueError, match="metric academicians has unknown unit 'USD'"):
        parse_schema(broken)
    broken = copy.deepcopy(raw)
    broken["metrics"]["academicians"]["kinds"] = ["Source"]
    with pytest.raises(ValueError, match="metric academicians names 'Source'"):
        parse_schema(broken)
    broken = copy.deepcopy(raw)
    broken["metrics"]["academicians"]["unti"] = "count"
    with pytest.raises(ValueError, match="metric 'academicians' has unknown key"):
        parse_schema(broken)


def test_an_inconsistent_schema_is_refused() -> None:
    raw = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    broken = copy.deepcopy(raw)
    broken["relation_kinds"]["FUNDS"]["to"].append("Spaceship")
    with pytest.raises(ValueError, match="FUNDS names unknown node kind 'Spaceship'"):
        parse_schema(broken)
    broken = copy.deepcopy(raw)
    broken["node_properties"]["value"]["unit"] = "USD"
    with pytest.raises(ValueError, match="unknown unit 'USD'"):
        parse_schema(broken)


@pytest.mark.parametrize(("where", "change", "message"), [
    (("relation_kinds", "FUNDS"), {"symetric": True},
     "relation 'FUNDS' has unknown key(s) symetric"),
    (("node_kinds", "Lab"), {"subtype": ["x"]}, "node kind 'Lab' has unknown key(s) subtype"),
    (("node_properties", "value"), {"units": "CNY"},
     "property 'value' has unknown key(s) units"),
    (("edge_properties", "status"), {"kinds": ["Fund"]},
     "property 'status' has unknown key(s) kinds"),
    (("node_kinds", "Lab", "rdf"), {"aling": ["schema:Thing"]},
     "node kind 'Lab' rdf has unknown key(s) aling"),
    ((), {"relations": {}}, "the top level has unknown key(s) relations"),
])
def test_an_unknown_key_is_refused_by_name(where: tuple[str, ...], change: dict,
                                           message: str) -> None:
    raw = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    target = raw
    for key in where:
        target = target[key]
    target.update(change)
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_schema(raw)


def test_a_missing_key_is_refused_by_name() -> None:
    raw = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    del raw["relation_kinds"]["FUNDS"]["to"]
    with pytest.raises(ValueError, match="relation 'FUNDS' lacks to"):
        parse_schema(raw)


def test_schema_json_lists_every_kind_once() -> None:
    described = load_schema().to_dict()
    names = [k["name"] for k in described["node_kinds"]]
    assert len(names) == len(set(names)) == len(load_schema().node_kinds)
    assert "MENTIONS" in [r["name"] for r in described["relation_kinds"]]


@pytest.mark.parametrize(("type_name", "raw", "expected"), [
    ("integer", "31", 31), ("integer", 31, 31), ("decimal", "1e11", 100_000_000_000),
    ("decimal", "13.5", 13.5), ("date", "2023-07-28", "2023-07-28"), ("year", "2025", 2025),
    ("boolean", "true", True), ("string_list", "a|b", ["a", "b"]), ("string", " x ", "x"),
])
def test_values_are_coerced_to_their_type(type_name: str, raw: object, expected: object) -> None:
    assert coerce_value(type_name, raw) == expected


@pytest.mark.parametrize(("type_name", "raw"), [
    ("integer", "3.5"), ("integer", True), ("decimal", "NaN"), ("decimal", "lots"),
    ("decimal", float("nan")), ("decimal", float("inf")), ("decimal", float("-inf")),
    ("date", "2023-13-01"), ("year", "25"), ("boolean", "yes"), ("string", ""),
    ("string_list", [1, 2]),
])
def test_bad_values_are_refused_with_the_reason(type_name: str, raw: object) -> None:
    with pytest.raises(ValueError, match="expected"):
        coerce_value(type_name, raw)
