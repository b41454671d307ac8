"""graph/spheres.yaml: loaded, checked against the schema, bad mappings named."""

from __future__ import annotations

import copy

import pytest
import yaml

from graph.schema import load_schema
from graph.spheres import SPHERES_PATH, SphereMappingError, load_spheres, parse_spheres


def raw() -> dict:
    return yaml.safe_load(SPHERES_PATH.read_text(encoding="utf-8"))


def test_every_schema_kind_is_mapped_and_the_helices_are_declared():
    mapping = load_spheres()
    assert set(mapping.defaults) == set(load_schema().node_kinds)
    assert set(mapping.helices) == {"university", "industry", "government"}
    assert mapping.sphere("Institution", "university") == "university"
    assert mapping.sphere("Institution", "government_body") == "government"
    assert mapping.sphere("Lab", "enterprise_rd_centre") == "industry"
    assert mapping.sphere("Lab", "provincial_lab") == "university"
    assert mapping.sphere("Source", "newspaper_article") is None
    assert mapping.sphere("Observation", "value") is None
    assert mapping.sphere("Program", "plan") is None


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r["kinds"].update({"Widget": {"default": "industry"}}),
     "kinds.Widget: no node kind 'Widget'"),
    (lambda r: r["kinds"]["Lab"]["subtypes"].update({"spaceship": "industry"}),
     "kinds.Lab.subtypes.spaceship: no subtype 'spaceship' of Lab"),
    (lambda r: r["kinds"]["Company"].update({"default": "aristocracy"}),
     "kinds.Company.default: unknown sphere 'aristocracy'"),
    (lambda r: r["kinds"].pop("Fund"), "no entry for node kind(s) Fund"),
    (lambda r: r.update({"helices": ["university", "industry"]}), "helices: must list three"),
    (lambda r: r.update({"extra": 1}), "unknown top-level key(s) extra"),
])
def test_bad_mapping_is_refused_naming_where(change, message):
    broken = copy.deepcopy(raw())
    change(broken)
    with pytest.raises(SphereMappingError) as caught:
        parse_spheres(broken, load_schema())
    assert message in str(caught.value)
