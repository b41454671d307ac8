"""The triple-helix sphere of each actor, from ``spheres.yaml``, checked against the schema.

A node's sphere is read from its kind and subtype only (never guessed from its name); a node
whose kind or subtype maps to null is not an actor. See spheres.yaml for the judgement calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from graph.schema import Schema, load_schema

SPHERES_PATH = Path(__file__).with_name("spheres.yaml")


class SphereMappingError(ValueError):
    """spheres.yaml is malformed or names what the schema does not have."""


@dataclass(frozen=True)
class SphereMapping:
    spheres: dict[str, dict[str, str]]  # name -> {zh, en}
    helices: tuple[str, ...]  # the three spheres of T(uig)
    defaults: dict[str, str | None]  # node kind -> sphere
    overrides: dict[tuple[str, str], str | None]  # (kind, subtype) -> sphere

    def sphere(self, kind: str, subtype: str) -> str | None:
        """The sphere of a node of this kind and subtype, or None if it is no actor."""
        found = self.overrides.get((kind, subtype), self)
        return self.defaults.get(kind) if found is self else found

    def of(self, attrs: dict[str, Any]) -> str | None:
        """The sphere of a node, by its attribute dict."""
        return self.sphere(attrs["kind"], attrs["subtype"])


def parse_spheres(raw: Any, schema: Schema, where: str = "spheres.yaml") -> SphereMapping:
    """Check ``raw`` (the parsed YAML) against ``schema``; raise SphereMappingError naming
    every problem and where it is."""
    if not isinstance(raw, dict):
        raise SphereMappingError(f"{where}: must be a mapping")
    problems: list[str] = []
    if unknown := sorted(raw.keys() - {"helices", "spheres", "kinds"}):
        problems.append(f"unknown top-level key(s) {', '.join(map(str, unknown))}")
    spheres = raw.get("spheres")
    if not isinstance(spheres, dict) or not spheres:
        raise SphereMappingError(f"{where}: 'spheres' must map sphere names to {{zh, en}}")
    for name, text in spheres.items():
        if not isinstance(text, dict) or set(text) != {"zh", "en"}:
            problems.append(f"spheres.{name}: needs exactly zh and en")
    helices = raw.get("helices")
    if not isinstance(helices, list) or len(helices) != 3 or len(set(helices)) != 3:
        problems.append("helices: must list three different spheres (university, industry, "
                        "government in Leydesdorff's T(uig))")
        helices = []
    problems += [f"helices: unknown sphere {h!r}" for h in helices if h not in spheres]

    def sphere(at: str, value: Any) -> str | None:
        if value is not None and value not in spheres:
            problems.append(f"{at}: unknown sphere {value!r} (declared: "
                            f"{', '.join(spheres)})")
        return value

    kinds = raw.get("kinds")
    if not isinstance(kinds, dict):
        raise SphereMappingError(f"{where}: 'kinds' must map every node kind to a sphere "
                                 "mapping or null")
    defaults: dict[str, str | None] = {}
    overrides: dict[tuple[str, str], str | None] = {}
    for kind, spec in kinds.items():
        at = f"kinds.{kind}"
        if kind not in schema.node_kinds:
            problems.append(f"{at}: no node kind {kind!r} in the schema")
            continue
        if spec is None:
            defaults[kind] = None
            continue
        if not isinstance(spec, dict) or "default" not in spec or (
                spec.keys() - {"default", "subtypes"}):
            problems.append(f"{at}: must be null or {{default, subtypes?}}")
            continue
        defaults[kind] = sphere(f"{at}.default", spec["default"])
        subtypes = spec.get("subtypes") or {}
        if not isinstance(subtypes, dict):
            problems.append(f"{at}.subtypes: must map subtypes to spheres")
            continue
        for subtype, value in subtypes.items():
            if subtype not in schema.node_kinds[kind].subtypes:
                problems.append(f"{at}.subtypes.{subtype}: no subtype {subtype!r} of {kind}")
            overrides[(kind, subtype)] = sphere(f"{at}.subtypes.{subtype}", value)
    if missing := [k for k in schema.node_kinds if k not in kinds]:
        problems.append(f"kinds: no entry for node kind(s) {', '.join(missing)} (null if not "
                        "an actor)")
    if problems:
        raise SphereMappingError(f"{where}: " + "; ".join(problems))
    return SphereMapping({n: dict(t) for n, t in spheres.items()}, tuple(helices), defaults,
                         overrides)


@cache
def load_spheres(path: Path = SPHERES_PATH) -> SphereMapping:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return parse_spheres(raw, load_schema(), where=str(path.name))
