"""graph/ingest_rules.yaml, loaded and checked against the schema (an unknown name is an
error naming the entry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from graph.schema import Schema, load_schema

if TYPE_CHECKING:  # contexts imports Suffix from here: a name for the type checker only
    from loaders.ingest.contexts import ContextRules

T = TypeVar("T")

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
class KindPair:
    from_kinds: tuple[str, ...]
    to_kinds: tuple[str, ...]
    relation: str
    score: float


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
    quoted: Suffix
    quoted_max: int
    group_classifiers: tuple[str, ...]
    group_heads: tuple[Suffix, ...]  # longest head first; `suffix` holds the head
    group_max_stem: int
    sector: Suffix
    sector_heads: tuple[str, ...]
    sector_item_max: int
    person: Suffix
    person_titles: tuple[str, ...]  # longest first
    surnames: frozenset[str]
    places: tuple[Suffix, ...]  # longest suffix first
    place_plain: Suffix
    not_places: frozenset[str]
    plan_periods: dict[str, tuple[int, int]]
    kind_pairs: tuple[KindPair, ...]
    quoted_context: tuple[str, ...]
    quoted_window: int
    # industry words of organisation names -> the Sector (by name) they work in
    sector_words: tuple[tuple[str, str], ...] = ()
    product: Suffix | None = None
    product_verbs: tuple[str, ...] = ()
    first_classifiers: str = ""
    first_scopes: tuple[str, ...] = ()
    product_max: int = 14
    bodies: tuple[tuple[str, Suffix], ...] = ()  # (word, kind) of standard bodies
    program_heads: tuple[Suffix, ...] = ()
    program_anchors: tuple[str, ...] = ()
    program_reach: int = 0
    event_scopes: tuple[str, ...] = ()
    product_classifiers: str = ""
    name_prefixes: tuple[str, ...] = ()
    quoted_kinds: tuple[Suffix, ...] = ()  # `suffix` holds the context word
    context: ContextRules | None = None  # context_rules
    suffix_compounds: frozenset[str] = frozenset()  # verbs that are a name right before its suffix
    readings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # word -> its syllables
    home_words: tuple[str, ...] = ()  # 全市: the article's own place, as a figure's subject
    group_metric: str | None = None  # the metric of a group's count (12家高校院所: 12)
    # kinds whose type word opening a sentence (新区…, 该园区…) makes it about that unit
    topic_kinds: frozenset[str] = frozenset()
    english: dict[str, str] = field(default_factory=dict)  # word -> English, for new names
    # kinds whose metrics are a place's statistics (the home place's when no entity is named)
    place_kinds: frozenset[str] = frozenset({"Place"})


class RulesError(ValueError):
    pass


def per_object(fn: Callable[[Any], T]) -> Callable[[Any], T]:
    """Cache ``fn(obj)`` per object identity (rules and schema hold dicts: not hashable;
    they are loaded once per process, so what is derived from them is derived once too)."""
    memo: dict[int, tuple[Any, T]] = {}

    def wrapper(obj: Any) -> T:
        hit = memo.get(id(obj))
        if hit is None or hit[0] is not obj:
            hit = memo[id(obj)] = (obj, fn(obj))
        return hit[1]

    return wrapper


def _check_kind(schema: Schema, where: str, kind: str, subtype: str) -> None:
    spec = schema.node_kinds.get(kind)
    if spec is None:
        raise RulesError(f"{where}: unknown node kind {kind!r}")
    if subtype not in spec.subtypes:
        raise RulesError(f"{where}: subtype {subtype!r} is not allowed for {kind}")


def _kinded(schema: Schema, where: str, item: dict[str, Any], key: str = "suffix") -> Suffix:
    _check_kind(schema, where, item["kind"], item["subtype"])
    return Suffix(str(item.get(key, "")), item["kind"], item["subtype"], str(item["en"]))


def _kind_pair(schema: Schema, where: str, item: dict[str, Any]) -> KindPair:
    spec = schema.relation_kinds.get(item["relation"])
    if spec is None:
        raise RulesError(f"{where}: unknown relation {item['relation']!r}")
    for kind in (*item["from"], *item["to"]):
        if kind not in schema.node_kinds:
            raise RulesError(f"{where}: unknown node kind {kind!r}")
    if not (set(item["from"]) <= set(spec.from_kinds) and set(item["to"]) <= set(spec.to_kinds)):
        raise RulesError(f"{where}: {item['relation']} does not join {item['from']} to "
                         f"{item['to']} in the schema")
    return KindPair(tuple(item["from"]), tuple(item["to"]), item["relation"],
                    float(item["score"]))


def _longest_first(items: list[Suffix]) -> tuple[Suffix, ...]:
    return tuple(sorted(items, key=lambda s: -len(s.suffix)))


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
            dict(raw["auto_accept"]), float(raw["similar_threshold"]),
            _kinded(schema, f"{origin}: quoted", raw["quoted"]), int(raw["quoted_max"]),
            tuple(raw["group_classifiers"]),
            _longest_first([_kinded(schema, f"{origin}: group_heads[{i}]", item, "head")
                            for i, item in enumerate(raw["group_heads"], 1)]),
            int(raw["group_max_stem"]),
            _kinded(schema, f"{origin}: sector", raw["sector"]), tuple(raw["sector_heads"]),
            int(raw["sector_item_max"]),
            _kinded(schema, f"{origin}: person", raw["person"]),
            tuple(sorted(raw["person_titles"], key=len, reverse=True)),
            frozenset(raw["surnames"]),
            _longest_first([_kinded(schema, f"{origin}: places[{i}]", item)
                            for i, item in enumerate(raw["places"], 1)]),
            _kinded(schema, f"{origin}: place_plain", raw["place_plain"]),
            frozenset(raw["not_places"]),
            {str(k): (int(v[0]), int(v[1])) for k, v in raw["plan_periods"].items()},
            tuple(_kind_pair(schema, f"{origin}: kind_pairs[{i}]", item)
                  for i, item in enumerate(raw["kind_pairs"], 1)),
            tuple(raw["quoted_context"]), int(raw["quoted_window"]),
            tuple((str(w), str(item["sector"])) for item in raw.get("sector_words") or ()
                  for w in item["words"]),
            _kinded(schema, f"{origin}: product", raw["product"]),
            tuple(raw["product_verbs"]), "".join(raw["first_classifiers"]),
            tuple(raw["first_scopes"]), int(raw["product_max"]),
            tuple((str(w), _kinded(schema, f"{origin}: bodies[{i}]",
                                   {**item, "suffix": w}))
                  for i, item in enumerate(raw.get("bodies") or (), 1) for w in item["words"]),
            _longest_first([_kinded(schema, f"{origin}: program_heads[{i}]", item, "head")
                            for i, item in enumerate(raw.get("program_heads") or (), 1)]),
            tuple(raw.get("program_anchors") or ()), int(raw.get("program_reach") or 0),
            tuple(raw.get("event_scopes") or ()),
            "".join(raw.get("product_classifiers") or ()),
            tuple(raw.get("name_prefixes") or ()),
            tuple(_kinded(schema, f"{origin}: quoted_kinds[{i}]", item, "word")
                  for i, item in enumerate(raw.get("quoted_kinds") or (), 1)),
            _context_rules(raw.get("context_rules"), schema, origin),
            frozenset(raw.get("suffix_compounds") or ()),
            _readings(raw.get("readings") or {}, origin),
            tuple(raw.get("home_words") or ()),
            _metric(schema, origin, raw.get("group_metric")),
            _kinds(schema, f"{origin}: topic_kinds", raw.get("topic_kinds") or ()),
            _english(raw.get("english") or {}, origin),
            _kinds(schema, f"{origin}: place_kinds", raw.get("place_kinds") or ["Place"]))
    except (KeyError, TypeError) as exc:
        raise RulesError(f"{origin}: missing or malformed entry {exc}") from None


def _kinds(schema: Schema, origin: str, names: list[str]) -> frozenset[str]:
    unknown = [n for n in names if n not in schema.node_kinds]
    if unknown:
        raise RulesError(f"{origin}: not node kinds of the schema: {unknown}")
    return frozenset(names)


def _metric(schema: Schema, origin: str, name: str | None) -> str | None:
    if name is not None and name not in schema.metrics:
        raise RulesError(f"{origin}: group_metric: unknown metric {name!r}")
    return name


def _english(raw: dict[str, Any], origin: str) -> dict[str, str]:
    """word -> its English (both non-empty text)."""
    bad = [word for word, english in raw.items()
           if not str(word).strip() or not isinstance(english, str) or not english.strip()]
    if bad:
        raise RulesError(f"{origin}: english: no English for {bad}")
    return {str(word): english.strip() for word, english in raw.items()}


def _readings(raw: dict[str, Any], origin: str) -> dict[str, tuple[str, ...]]:
    """word -> one pinyin syllable per character (a wrong count is refused: the library
    would read the word's characters against the wrong syllables)."""
    out = {}
    for word, spoken in raw.items():
        syllables = tuple(str(spoken).split())
        if len(syllables) != len(str(word)):
            raise RulesError(f"{origin}: readings ({word}): {len(syllables)} syllables for "
                             f"{len(str(word))} characters")
        out[str(word)] = syllables
    return out


def _context_rules(raw: dict[str, Any] | None, schema: Schema, origin: str
                   ) -> ContextRules | None:
    if not raw:
        return None
    from loaders.ingest.contexts import parse_context_rules  # it imports Suffix from here

    return parse_context_rules(raw, lambda where, item: _kinded(
        schema, f"{origin}: context_rules.{where}", item))


@cache
def load_rules(path: Path = RULES_PATH) -> Rules:
    with open(path, encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle), load_schema(), str(path.name))
