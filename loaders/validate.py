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
from graph.schema import NODE_ID_PATTERN, Schema, coerce_value
from loaders.problems import ProblemReport

_SENTENCE_END = re.compile(r"(?<=[。！？；\n])")
NODE_FIELDS = ("id", "kind", "subtype", "name_zh", "name_en", "aliases", "provenance")
EDGE_FIELDS = ("from", "rel", "to", "provenance")


def normalise(text: str) -> str:
    """Text with all whitespace removed: quotes match their source whatever the line breaks."""
    return "".join(text.split())


class SourceTexts:
    """The source documents of a data set, by file name, for checking quotes.

    Texts are read lazily and a few are cached (bounded memory with many generated sources).
    Whole sentences are looked up in a set first; other quotes fall back to substring search.
    """

    def __init__(self, directory: Path | None, cache_size: int = 16):
        self.directory = directory
        self.names = (
            {p.name for p in directory.iterdir() if p.is_file()}
            if directory and directory.is_dir() else set()
        )
        self._cache: OrderedDict[str, tuple[str, set[str]]] = OrderedDict()
        self._cache_size = cache_size

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
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return entry

    def contains_quote(self, name: str, quote: str) -> bool:
        text, sentences = self._text(name)
        wanted = normalise(quote)
        return bool(wanted) and (wanted in sentences or wanted in text)


class RecordValidator:
    """Validates node and edge records; ``node_kind(id)`` looks up already accepted nodes."""

    def __init__(self, schema: Schema, report: ProblemReport, sources: SourceTexts | None,
                 node_kind: Callable[[str], str | None]):
        self.schema = schema
        self.report = report
        self.sources = sources  # None: quotes are not checked (e.g. `--no-quotes`)
        self.node_kind = node_kind

    # -- nodes ---------------------------------------------------------------------------
    def node(self, raw: Any, file: str, location: str) -> NodeRecord | None:
        add = self._adder(file, location)
        if not isinstance(raw, dict):
            add("malformed-record", None, f"expected a mapping of fields, got {type(raw).__name__}")
            return None
        before = self.report.total
        values: dict[str, Any] = {}
        for name in ("id", "kind", "subtype", "name_zh", "name_en"):
            value = raw.get(name)
            if not isinstance(value, str) or not value.strip():
                add("missing-field", name, f"node has no {name}")
            else:
                # Interned: ids are shared with edges, kinds repeat millions of times.
                values[name] = sys.intern(value.strip())
        node_id, kind = values.get("id"), values.get("kind")
        if node_id is not None and not NODE_ID_PATTERN.match(node_id):
            add("bad-id", "id", f"id {node_id!r} is not an ASCII slug (a-z, 0-9, '-')")
        elif node_id is not None and self.node_kind(node_id) is not None:
            add("duplicate-id", "id", f"id {node_id!r} is already used by another node")
        kind_spec = self.schema.node_kinds.get(kind) if kind else None
        if kind and kind_spec is None:
            add("unknown-kind", "kind",
                f"unknown node kind {kind!r}; known: {', '.join(self.schema.node_kinds)}")
        subtype = values.get("subtype")
        if kind_spec and subtype and subtype not in kind_spec.subtypes:
            add("unknown-subtype", "subtype",
                f"subtype {subtype!r} is not allowed for {kind}; allowed: "
                f"{', '.join(kind_spec.subtypes)}")
        aliases: list[str] = []
        if raw.get("aliases") not in (None, [], ""):
            aliases = self._coerce("string_list", raw["aliases"], "aliases", add) or []
        properties = self._properties(
            raw, NODE_FIELDS, lambda name: self.schema.node_property(kind, name) if kind_spec
            else None, f"node kind {kind}", add, check=kind_spec is not None)
        provenance = self._provenance(raw.get("provenance"), add)
        if self.report.total > before:
            return None
        return NodeRecord(node_id, kind, subtype, values["name_zh"], values["name_en"],
                          provenance, tuple(dict.fromkeys(aliases)), properties)

    # -- edges ---------------------------------------------------------------------------
    def edge(self, raw: Any, file: str, location: str) -> EdgeRecord | None:
        add = self._adder(file, location)
        if not isinstance(raw, dict):
            add("malformed-record", None, f"expected a mapping of fields, got {type(raw).__name__}")
            return None
        before = self.report.total
        ends: dict[str, str] = {}
        for name in ("from", "rel", "to"):
            value = raw.get(name)
            if not isinstance(value, str) or not value.strip():
                add("missing-field", name, f"edge has no {name!r}")
            else:
                ends[name] = sys.intern(value.strip())
        relation = self.schema.relation_kinds.get(ends.get("rel", ""))
        if "rel" in ends and relation is None:
            derived = " (derived from provenance, not written)" if (
                ends["rel"] in self.schema.derived_relation_kinds) else ""
            add("unknown-relation", "rel", f"unknown relation kind {ends['rel']!r}{derived}")
        kinds = {}
        for name in ("from", "to"):
            if name in ends:
                kinds[name] = self.node_kind(ends[name])
                if kinds[name] is None:
                    add("dangling-endpoint", name, f"no node with id {ends[name]!r}")
        if ends.get("from") and ends.get("from") == ends.get("to"):
            add("self-loop", "to", f"edge joins {ends['from']!r} to itself")
        if relation and kinds.get("from") and kinds["from"] not in relation.from_kinds:
            add("wrong-endpoint-kind", "from",
                f"{relation.name} cannot start at a {kinds['from']} ({ends['from']}); "
                f"allowed: {', '.join(relation.from_kinds)}")
        if relation and kinds.get("to") and kinds["to"] not in relation.to_kinds:
            add("wrong-endpoint-kind", "to",
                f"{relation.name} cannot end at a {kinds['to']} ({ends['to']}); "
                f"allowed: {', '.join(relation.to_kinds)}")
        properties = self._properties(
            raw, EDGE_FIELDS, lambda name: self.schema.edge_property(relation.name, name)
            if relation else None, f"relation {ends.get('rel')}", add, check=relation is not None)
        provenance = self._provenance(raw.get("provenance"), add)
        if self.report.total > before:
            return None
        return EdgeRecord(ends["from"], ends["rel"], ends["to"], provenance, properties)

    # -- shared --------------------------------------------------------------------------
    def _adder(self, file: str, location: str) -> Callable[[str, str | None, str], None]:
        def add(kind: str, field: str | None, message: str) -> None:
            self.report.add(kind, file, location, field, message)
        return add

    def _coerce(self, type_name: str, value: Any, field: str, add: Callable) -> Any:
        try:
            return coerce_value(type_name, value)
        except ValueError as exc:
            add("bad-property-type", field, str(exc))
            return None

    def _properties(self, raw: dict[str, Any], core: tuple[str, ...], spec_of: Callable,
                    owner: str, add: Callable, check: bool) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for name, value in raw.items():
            if name in core or value is None:
                continue
            spec = spec_of(name)
            if spec is None:
                if check:
                    add("unknown-property", name, f"property {name!r} is not allowed on {owner}")
                continue
            coerced = self._coerce(spec.type, value, name, add)
            if coerced is not None:
                properties[name] = coerced
        return properties

    def _provenance(self, raw: Any, add: Callable) -> tuple[Provenance, ...]:
        if not raw:
            add("missing-provenance", "provenance", "no provenance: give a source and a quote")
            return ()
        if isinstance(raw, dict):
            raw = [raw]
        if not isinstance(raw, list):
            add("missing-provenance", "provenance", "provenance must be a list of {source, quote}")
            return ()
        entries = []
        for index, item in enumerate(raw, start=1):
            field = f"provenance[{index}]"
            source = item.get("source") if isinstance(item, dict) else None
            quote = item.get("quote") if isinstance(item, dict) else None
            if not isinstance(source, str) or not source.strip():
                add("missing-provenance", f"{field}.source", "provenance entry has no source")
                continue
            if not isinstance(quote, str) or not normalise(quote):
                add("missing-provenance", f"{field}.quote", "provenance entry has no quote")
                continue
            source = sys.intern(source.strip())
            if self.sources is not None:
                if source not in self.sources:
                    add("unknown-source", f"{field}.source",
                        f"source {source!r} is not a file in the sources folder")
                    continue
                if not self.sources.contains_quote(source, quote):
                    add("quote-not-found", f"{field}.quote",
                        f"quote {_clip(quote)!r} does not occur in {source}")
                    continue
            entries.append(Provenance(source, quote.strip()))
        return tuple(entries)


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
