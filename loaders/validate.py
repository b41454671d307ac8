"""Check raw records against the schema and turn them into validated records.

A ``RecordValidator`` reports every problem it finds into a ``ProblemReport`` (it never stops
at the first) and returns a record only when that record is clean.
"""

from __future__ import annotations

import re
import sys
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.records import EdgeRecord, NodeRecord, Provenance
from graph.schema import (
    NODE_ID_PATTERN,
    OBSERVATION_KIND,
    OBSERVATION_RELATION,
    PropertySpec,
    Schema,
    coerce_value,
)
from loaders.problems import ProblemReport

_SENTENCE_END = re.compile(r"(?<=[。！？；\n])")
NODE_FIELDS = ("id", "kind", "subtype", "name_zh", "name_en", "aliases", "provenance")
EDGE_FIELDS = ("from", "rel", "to", "provenance")
# An observation record: these fields and the Observation node properties (schema.yaml).
OBSERVATION_FIELDS = ("id", "subject", "description_en", "provenance")
DEFAULT_TEXT_BUDGET = 8_000_000  # characters of normalised text kept: about 800 articles

# A problem found in a record, before it is reported: (kind, field, message).
Found = list[tuple[str, str | None, str]]


def normalise(text: str) -> str:
    """Text with all whitespace removed: quotes match their source whatever the line breaks."""
    return "".join(text.split())


class SourceTexts:
    """The source documents of a data set, by file name, for checking quotes.

    Texts are read lazily and kept while their total size stays within ``budget`` characters
    (the least recently used is dropped first): every text of an ordinary data set stays, so
    records may cite their sources in any order without reading a document twice. Whole
    sentences are looked up in a set first; other quotes fall back to substring search.
    """

    def __init__(self, directory: Path | None, budget: int = DEFAULT_TEXT_BUDGET):
        self.directory = directory
        self.names = (
            {p.name for p in directory.iterdir() if p.is_file()}
            if directory and directory.is_dir() else set()
        )
        self._cache: OrderedDict[str, tuple[str, set[str]]] = OrderedDict()
        self._size = 0  # characters of normalised text in the cache
        self._budget = budget

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def _text(self, name: str) -> tuple[str, set[str]]:
        entry = self._cache.get(name)
        if entry is not None:
            self._cache.move_to_end(name)
            return entry
        assert self.directory is not None
        raw = (self.directory / name).read_text(encoding="utf-8")
        sentences = {normalise(s) for s in _SENTENCE_END.split(raw)}
        entry = (normalise(raw), sentences)
        self._cache[name] = entry
        self._size += len(entry[0])
        while self._size > self._budget and len(self._cache) > 1:
            _, (text, _) = self._cache.popitem(last=False)
            self._size -= len(text)
        return entry

    def contains_quote(self, name: str, quote: str) -> bool:
        return self.contains_normalised(name, normalise(quote))

    def contains_normalised(self, name: str, wanted: str) -> bool:
        """``contains_quote`` for a quote already passed through ``normalise``."""
        text, sentences = self._text(name)
        return bool(wanted) and (wanted in sentences or wanted in text)


class RecordValidator:
    """Validates node and edge records; ``node_kind(id)`` looks up already accepted nodes.

    Each check appends to a list of problems found in the record, reported together at its
    end (in the order found); a record with none is returned.
    """

    def __init__(self, schema: Schema, report: ProblemReport, sources: SourceTexts | None,
                 node_kind: Callable[[str], str | None],
                 node_names: Callable[[str], tuple[str, str]] | None = None):
        self.schema = schema
        self.report = report
        self.sources = sources  # None: quotes are not checked (e.g. `--no-quotes`)
        self.node_kind = node_kind
        # (name_zh, name_en) of an accepted node, for the names of observations about it
        self.node_names = node_names or (lambda node_id: (node_id, node_id))
        # Property specs by node kind and by relation kind, looked up once per record.
        self._node_specs = {kind: {s.name: s for s in schema.properties_of_kind(kind)}
                            for kind in schema.node_kinds}
        self._edge_specs = {rel: {s.name: s for s in schema.properties_of_relation(rel)}
                            for rel in schema.relation_kinds}
        self._node_kind_list = ", ".join(schema.node_kinds)
        # Properties a kind must carry beyond the core fields (e.g. a Source's year).
        self._required = {kind: [n for n, s in specs.items()
                                 if s.required and n not in schema.node_core]
                          for kind, specs in self._node_specs.items()}

    def _flush(self, found: Found, file: str, location: str) -> None:
        add = self.report.add
        for kind, field, message in found:
            add(kind, file, location, field, message)

    # -- nodes ---------------------------------------------------------------------------
    def node(self, raw: Any, file: str, location: str) -> NodeRecord | None:
        if not isinstance(raw, dict):
            self.report.add("malformed-record", file, location, None,
                            f"expected a mapping of fields, got {type(raw).__name__}")
            return None
        found: Found = []
        node_id = _field_text(raw, "id", "node has no id", found)
        kind = _field_text(raw, "kind", "node has no kind", found)
        subtype = _field_text(raw, "subtype", "node has no subtype", found)
        name_zh = _field_text(raw, "name_zh", "node has no name_zh", found)
        name_en = _field_text(raw, "name_en", "node has no name_en", found)
        if node_id is not None and not NODE_ID_PATTERN.match(node_id):
            found.append(("bad-id", "id",
                          f"id {node_id!r} is not an ASCII slug (a-z, 0-9, '-')"))
        elif node_id is not None and self.node_kind(node_id) is not None:
            found.append(("duplicate-id", "id",
                          f"id {node_id!r} is already used by another node"))
        kind_spec = self.schema.node_kinds.get(kind) if kind else None
        if kind and kind_spec is None:
            found.append(("unknown-kind", "kind",
                          f"unknown node kind {kind!r}; known: {self._node_kind_list}"))
        if kind_spec and subtype and subtype not in kind_spec.subtypes:
            found.append(("unknown-subtype", "subtype",
                          f"subtype {subtype!r} is not allowed for {kind}; allowed: "
                          f"{', '.join(kind_spec.subtypes)}"))
        aliases: list[str] = []
        raw_aliases = raw.get("aliases")
        if raw_aliases not in (None, [], ""):
            aliases = self._coerce("string_list", raw_aliases, "aliases", found) or []
        properties = self._properties(
            raw, NODE_FIELDS, self._node_specs[kind] if kind_spec else None, "node kind", kind,
            found)
        if kind_spec:
            found += [("missing-field", name, f"a {kind} needs {name!r}")
                      for name in self._required[kind] if raw.get(name) is None]
        if kind == OBSERVATION_KIND:
            self._check_observation(properties, found)
        provenance = self._provenance(raw.get("provenance"), found)
        if found:
            self._flush(found, file, location)
            return None
        return NodeRecord(node_id, kind, subtype, name_zh, name_en,  # type: ignore[arg-type]
                          provenance, tuple(dict.fromkeys(aliases)), properties)

    # -- observations --------------------------------------------------------------------
    def observation(self, raw: Any, file: str,
                    location: str) -> tuple[NodeRecord, EdgeRecord] | None:
        """An observation record (``subject``, ``metric``, ``value`` or ``change_factor``,
        ``period_start``, ``period_end``, ``status``, provenance) as an Observation node and
        the HAS_OBSERVATION edge from its subject; the id, names, aliases and unit are derived
        unless given."""
        if not isinstance(raw, dict):
            self.report.add("malformed-record", file, location, None,
                            f"expected a mapping of fields, got {type(raw).__name__}")
            return None
        found: Found = []
        subject = _field_text(raw, "subject", "observation has no subject", found)
        subject_kind = self.node_kind(subject) if subject is not None else None
        if subject is not None and subject_kind is None:
            found.append(("dangling-endpoint", "subject", f"no node with id {subject!r}"))
        metric = self.schema.metrics.get(raw.get("metric"))  # type: ignore[arg-type]
        if metric and subject_kind and subject_kind not in metric.kinds:
            found.append(("wrong-endpoint-kind", "subject",
                          f"metric {metric.name} is not about a {subject_kind} ({subject}); "
                          f"allowed: {', '.join(metric.kinds)}"))
        if found:  # the node's own problems are reported by node(), below
            self._flush(found, file, location)
        node_raw = {k: v for k, v in raw.items() if k != "subject"}
        node_raw["kind"] = OBSERVATION_KIND
        node_raw.setdefault("subtype", "change" if "change_factor" in raw else "value")
        # Derived fields stand in even when the subject or metric is wrong (reported above
        # or by node()), so that node() reports the record's other problems, not their echoes.
        metric_name = metric.name if metric else str(raw.get("metric"))
        if metric is not None:
            node_raw.setdefault("unit", metric.unit)
            node_raw["aliases"] = [metric.zh, *metric.aliases, *(raw.get("aliases") or [])]
        subject_names = (self.node_names(subject) if subject_kind is not None
                         else (str(subject), str(subject)))
        node_raw.setdefault("id", observation_id(str(subject), metric_name, raw))
        names = _observation_names(subject_names, metric.zh if metric else metric_name,
                                   metric.en if metric else metric_name, raw)
        node_raw.setdefault("name_zh", names[0])
        node_raw.setdefault("name_en", names[1])
        node = self.node(node_raw, file, location)
        if node is None or found:
            return None
        return node, EdgeRecord(subject, OBSERVATION_RELATION, node.id,  # type: ignore[arg-type]
                                node.provenance)

    def _check_observation(self, properties: dict[str, Any], found: Found) -> None:
        """What an Observation's properties must say together: a known metric, its unit,
        a value or a relative change (not both), a period that runs forwards."""
        name = properties.get("metric")
        metric = self.schema.metrics.get(name) if name is not None else None
        if name is not None and metric is None:
            found.append(("unknown-metric", "metric", f"unknown metric {name!r}; see the "
                          "metrics of graph/schema.yaml"))
        unit = properties.get("unit")
        if metric is not None and unit is not None and unit != metric.unit:
            found.append(("wrong-unit", "unit",
                          f"metric {metric.name} is measured in {metric.unit}, not {unit}"))
        has_value, has_change = "value" in properties, "change_factor" in properties
        if has_value == has_change:
            found.append(("bad-observation",
                          "value", "an observation has a value or a change_factor (one of them)"))
        if "bound" in properties and not has_value:
            found.append(("bad-observation", "bound", "a bound qualifies a value"))
        start, end = properties.get("period_start"), properties.get("period_end")
        if start is not None and end is not None and start > end:
            found.append(("bad-observation", "period_end",
                          f"the period ends ({end}) before it starts ({start})"))

    # -- edges ---------------------------------------------------------------------------
    def edge(self, raw: Any, file: str, location: str) -> EdgeRecord | None:
        if not isinstance(raw, dict):
            self.report.add("malformed-record", file, location, None,
                            f"expected a mapping of fields, got {type(raw).__name__}")
            return None
        found: Found = []
        source = _field_text(raw, "from", "edge has no 'from'", found)
        rel = _field_text(raw, "rel", "edge has no 'rel'", found)
        target = _field_text(raw, "to", "edge has no 'to'", found)
        relation = self.schema.relation_kinds.get(rel) if rel is not None else None
        if relation is None and rel is not None:
            derived = " (derived from provenance, not written)" if (
                rel in self.schema.derived_relation_kinds) else ""
            found.append(("unknown-relation", "rel", f"unknown relation kind {rel!r}{derived}"))
        source_kind = target_kind = None
        if source is not None:
            source_kind = self.node_kind(source)
            if source_kind is None:
                found.append(("dangling-endpoint", "from", f"no node with id {source!r}"))
        if target is not None:
            target_kind = self.node_kind(target)
            if target_kind is None:
                found.append(("dangling-endpoint", "to", f"no node with id {target!r}"))
        if source is not None and source == target:
            found.append(("self-loop", "to", f"edge joins {source!r} to itself"))
        if relation and source_kind and source_kind not in relation.from_kinds:
            found.append(("wrong-endpoint-kind", "from",
                          f"{relation.name} cannot start at a {source_kind} ({source}); "
                          f"allowed: {', '.join(relation.from_kinds)}"))
        if relation and target_kind and target_kind not in relation.to_kinds:
            found.append(("wrong-endpoint-kind", "to",
                          f"{relation.name} cannot end at a {target_kind} ({target}); "
                          f"allowed: {', '.join(relation.to_kinds)}"))
        properties = self._properties(
            raw, EDGE_FIELDS, self._edge_specs[relation.name] if relation else None,
            "relation", rel, found)
        provenance = self._provenance(raw.get("provenance"), found)
        if found:
            self._flush(found, file, location)
            return None
        return EdgeRecord(source, rel, target, provenance, properties)  # type: ignore[arg-type]

    # -- shared --------------------------------------------------------------------------
    @staticmethod
    def _coerce(type_name: str, value: Any, field: str, found: Found) -> Any:
        try:
            return coerce_value(type_name, value)
        except ValueError as exc:
            found.append(("bad-property-type", field, str(exc)))
            return None

    def _properties(self, raw: dict[str, Any], core: tuple[str, ...],
                    specs: dict[str, PropertySpec] | None, owner: str, owner_name: str | None,
                    found: Found) -> dict[str, Any]:
        """Typed properties; ``specs`` None: the kind is unknown (reported already), so
        properties are not checked. ``owner``, ``owner_name``: e.g. "node kind", "Lab"."""
        properties: dict[str, Any] = {}
        for name, value in raw.items():
            if name in core or value is None:
                continue
            spec = specs.get(name) if specs is not None else None
            if spec is None:
                if specs is not None:
                    found.append(("unknown-property", name,
                                  f"property {name!r} is not allowed on {owner} {owner_name}"))
                continue
            coerced = self._coerce(spec.type, value, name, found)
            if coerced is not None and spec.values and coerced not in spec.values:
                found.append(("bad-property-value", name, f"{coerced!r} is not one of "
                              f"{', '.join(spec.values)}"))
            elif coerced is not None:
                properties[name] = coerced
        return properties

    def _provenance(self, raw: Any, found: Found) -> tuple[Provenance, ...]:
        if not raw:
            found.append(("missing-provenance", "provenance",
                          "no provenance: give a source and a quote"))
            return ()
        if isinstance(raw, dict):
            raw = [raw]
        if not isinstance(raw, list):
            found.append(("missing-provenance", "provenance",
                          "provenance must be a list of {source, quote}"))
            return ()
        sources = self.sources
        entries = []
        for index, item in enumerate(raw, start=1):
            source, quote = (item.get("source"), item.get("quote")) if isinstance(item, dict) \
                else (None, None)
            if not isinstance(source, str) or not source.strip():
                found.append(("missing-provenance", f"provenance[{index}].source",
                              "provenance entry has no source"))
                continue
            wanted = normalise(quote) if isinstance(quote, str) else ""
            if not wanted:
                found.append(("missing-provenance", f"provenance[{index}].quote",
                              "provenance entry has no quote"))
                continue
            source = sys.intern(source.strip())
            if sources is not None:
                if source not in sources.names:
                    found.append(("unknown-source", f"provenance[{index}].source",
                                  f"source {source!r} is not a file in the sources folder"))
                    continue
                if not sources.contains_normalised(source, wanted):
                    found.append(("quote-not-found", f"provenance[{index}].quote",
                                  f"quote {_clip(quote)!r} does not occur in {source}"))
                    continue
            entries.append(Provenance(source, quote.strip()))
        return tuple(entries)


def _field_text(raw: dict[str, Any], name: str, missing: str, found: Found) -> str | None:
    """A required text field, stripped and interned (ids are shared with edges, kinds repeat
    millions of times), or None with a missing-field problem."""
    value = raw.get(name)
    if isinstance(value, str):
        value = value.strip()
        if value:
            return sys.intern(value)
    found.append(("missing-field", name, missing))
    return None


def _period(raw: dict[str, Any]) -> str:
    start, end = raw.get("period_start"), raw.get("period_end")
    return f"{start}" if start == end or end is None else f"{start}-{end}"


def observation_id(subject: str, metric: str, raw: dict[str, Any]) -> str:
    """``obs-<subject>-<metric>-<period>[-change][-<status>]``: stable while the facts are."""
    parts = ["obs", subject, metric.replace("_", "-"), _period(raw)]
    if "change_factor" in raw:
        parts.append("change")
    if raw.get("status") not in (None, "actual"):
        parts.append(str(raw["status"]))
    return "-".join(str(p) for p in parts)


def _observation_names(subject: tuple[str, str], metric_zh: str, metric_en: str,
                       raw: dict[str, Any]) -> tuple[str, str]:
    """Names that say the figure, so a search for the metric or the subject finds it."""
    bound = {"at_least": ("≥", ">= "), "at_most": ("≤", "<= ")}.get(raw.get("bound"), ("", ""))
    if "change_factor" in raw:
        zh, en = f"×{raw['change_factor']}", f"x{raw['change_factor']}"
    else:
        zh, en = f"{bound[0]}{raw.get('value')}", f"{bound[1]}{raw.get('value')}"
    status = "" if raw.get("status") in (None, "actual") else f", {raw['status']}"
    period = _period(raw)
    return (f"{subject[0]}·{metric_zh}：{zh}（{period}{status}）",
            f"{subject[1]}: {metric_en} {en} ({period}{status})")


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
