"""graph/ingest_rules.yaml, loaded and checked against the schema (an unknown name is an
error naming the entry)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from graph.schema import Schema, load_schema

RULES_PATH = Path(__file__).resolve().parents[2] / "graph" / "ingest_rules.yaml"


@dataclass(frozen=True)
class Suffix:
    suffix: str
    kind: str
    subtype: str
    en: str


@dataclass(frozen=True)
class Trigger:
    words: tuple[str, ...]
    relations: tuple[str, ...]


@dataclass(frozen=True)
class UnitWord:
    word: str
    unit: str
    factor: float


@dataclass(frozen=True)
class Rules:
    suffixes: tuple[Suffix, ...]  # longest suffix first
    titled: Suffix
    stop_pos: frozenset[str]
    name_verbs: frozenset[str]
    name_breaks: tuple[str, ...]
    min_stem: int
    max_name: int
    triggers: tuple[Trigger, ...]
    passive: tuple[str, ...]
    status_words: tuple[tuple[tuple[str, ...], str, str], ...]  # (words, figure, relation)
    units: tuple[UnitWord, ...]  # longest word first
    unknown_units: tuple[str, ...]
    auto_accept: dict[str, float]
    similar_threshold: float


class RulesError(ValueError):
    pass


def _check_kind(schema: Schema, where: str, kind: str, subtype: str) -> None:
    spec = schema.node_kinds.get(kind)
    if spec is None:
        raise RulesError(f"{where}: unknown node kind {kind!r}")
    if subtype not in spec.subtypes:
        raise RulesError(f"{where}: subtype {subtype!r} is not allowed for {kind}")


def parse_rules(raw: dict[str, Any], schema: Schema, origin: str = "ingest_rules") -> Rules:
    try:
        suffixes = []
        for i, item in enumerate(raw["suffixes"], 1):
            _check_kind(schema, f"{origin}: suffixes[{i}] ({item['suffix']})", item["kind"],
                        item["subtype"])
            suffixes.append(Suffix(item["suffix"], item["kind"], item["subtype"], item["en"]))
        titled = raw["titled"]
        _check_kind(schema, f"{origin}: titled", titled["kind"], titled["subtype"])
        triggers = []
        for i, item in enumerate(raw["triggers"], 1):
            for rel in item["relations"]:
                if rel not in schema.relation_kinds:
                    raise RulesError(f"{origin}: triggers[{i}] ({item['words'][0]}): unknown "
                                     f"relation {rel!r}")
            triggers.append(Trigger(tuple(item["words"]), tuple(item["relations"])))
        statuses = []
        figure_values = schema.node_properties["status"].values
        edge_values = schema.edge_properties["status"].values
        for i, item in enumerate(raw["status_words"], 1):
            if item["figure"] not in figure_values or item["relation"] not in edge_values:
                raise RulesError(f"{origin}: status_words[{i}]: unknown status")
            statuses.append((tuple(item["words"]), item["figure"], item["relation"]))
        units = []
        for item in raw["units"]:
            if item["unit"] not in schema.units:
                raise RulesError(f"{origin}: units ({item['word']}): unknown unit "
                                 f"{item['unit']!r}")
            units.append(UnitWord(str(item["word"]), item["unit"], float(item["factor"])))
        return Rules(
            tuple(sorted(suffixes, key=lambda s: -len(s.suffix))),
            Suffix("《》", titled["kind"], titled["subtype"], titled["en"]),
            frozenset(raw["stop_pos"]), frozenset(raw["name_verbs"]),
            tuple(raw["name_breaks"]), int(raw["min_stem"]),
            int(raw["max_name"]), tuple(triggers), tuple(raw["passive"]), tuple(statuses),
            tuple(sorted(units, key=lambda u: -len(u.word))), tuple(raw["unknown_units"]),
            dict(raw["auto_accept"]), float(raw["similar_threshold"]))
    except (KeyError, TypeError) as exc:
        raise RulesError(f"{origin}: missing or malformed entry {exc}") from None


@cache
def load_rules(path: Path = RULES_PATH) -> Rules:
    with open(path, encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle), load_schema(), str(path.name))
