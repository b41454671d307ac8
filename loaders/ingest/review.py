"""The review file: YAML in the data format (docs/ingest.md), written by ``ingest``, edited
by a person or ``innograph review``, read by ``accept``. Reading checks its structure and
names the line and proposal of every problem."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from loaders.ingest.errors import IngestError
from loaders.readers import LINE_KEY, _LineLoader, _strip_lines

SECTIONS = ("mentions", "entities", "relations", "figures")
DECISIONS = {"mentions": ("accept", "reject"), "entities": ("accept", "reject", "merge"),
             "relations": ("accept", "reject"), "figures": ("accept", "reject")}
HEADER = """\
# innograph review file: proposals for one article (docs/ingest.md explains every field).
# Each proposal has a decision: accept or reject (entities also: merge, with merge_into: <id
# of a known entity>). Edit names, kinds and values as needed, then: innograph accept FILE
# Quotes must stay verbatim from the article; offsets are character positions in it.
"""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter when PyYAML has it: the same text, several times faster (a review
    of a long article has thousands of fields)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


class _ReviewDumper(_Dumper):
    """Every proposal a block of `field: value` lines (one to edit per line), short lists of
    plain values on one line (offset: [55, 62]). No anchors: a review is a tree, and looking
    for shared objects was a tenth of writing one."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flat = all(not isinstance(v, (dict, list)) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


def _dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=False)


_ReviewDumper.add_representer(list, _list)
_ReviewDumper.add_representer(dict, _dict)


WIDTH = 10_000  # no folding of long quotes: one field, one line


def _yaml_dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_ReviewDumper, allow_unicode=True, sort_keys=False,
                     width=WIDTH)


def dump_review(review: dict[str, Any]) -> str:
    """The review's text: the same as PyYAML writes it with _ReviewDumper (tests compare
    them), written by `_Writer` for the common shapes: PyYAML's representer and resolver, in
    Python, took a third of a batch's time (thousands of fields per article)."""
    parts = [HEADER]
    for name in ("source", *SECTIONS):
        value = review.get(name) or ([] if name in SECTIONS else {})
        count = f" ({len(value)})" if name in SECTIONS else ""
        parts.append(f"\n# -- {name}{count} " + "-" * 60 + "\n" + _section(name, value))
    return "".join(parts)


def _section(name: str, value: Any) -> str:
    if value == [] or value == {}:
        return f"{name}: {value}\n"
    if isinstance(value, list) and value and all(type(item) is dict for item in value):
        # block sequence items are independent: an item the writer cannot vouch for is
        # written by PyYAML alone, the others by the writer
        body, writer = [f"{name}:\n"], _Writer()
        for item in value:
            try:
                body.append(writer.item(item, ""))
            except _Unsupported:
                body.append(_yaml_dump({name: [item]})[len(name) + 2:])
        return "".join(body)
    try:
        if type(value) is dict and value:
            return f"{name}:\n" + _Writer().mapping(value, "  ")
    except _Unsupported:
        pass
    return _yaml_dump({name: value})


class _Unsupported(Exception):
    """A value whose YAML text the writer does not produce itself (PyYAML writes it)."""


_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
_FLOAT = "tag:yaml.org,2002:float"
_FIRST = frozenset("#,[]{}&*!|>'\"%@`")  # indicators that may not open a plain scalar


# characters both libyaml and PyYAML's own emitter print as they are (allow_unicode), line
# breaks excluded (they differ on U+0085 and past U+FFFF: those strings go to PyYAML)
_PRINTABLE = "\x20-\x7E\xA0-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD"
# what stops a string from being plain after its first character: libyaml's analysis
# (emitter.c, yaml_emitter_analyze_scalar) in block and in flow context
_NOT_PLAIN = {False: re.compile(f"[^{_PRINTABLE}]|:(?= |\\Z)| #"),
              True: re.compile(f"[^{_PRINTABLE}]|[:,?\\[\\]{{}}]| #")}
_NOT_SINGLE = re.compile(f"[^{_PRINTABLE}]")


def _plain_ok(value: str, flow: bool) -> bool:
    """May this string be written plain (on one line), in block or flow context?"""
    if not value or value[0] == " " or value[-1] == " " or value.startswith(("---", "...")):
        return False
    first = value[0]
    if first in _FIRST or (first in "?:-" and (len(value) == 1 or value[1] == " ")):
        return False
    if _NOT_PLAIN[flow].search(value):
        return False
    # plain, it must read back as a string (not a number, a date, null, true...)
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR


def _single_ok(value: str) -> bool:
    """Single quotes, on one line: every character printable, no break, no blank edge
    (libyaml's single_quoted_allowed for a one-line string)."""
    return bool(value) and value[0] != " " and value[-1] != " " and not _NOT_SINGLE.search(value)


class _Writer:
    """Block YAML of dicts, lists and scalars, as libyaml's emitter lays it out for the
    review dumper: `key: value` lines, flow lists of scalars ([55, 62]), block lists of
    mappings not indented under their key. Anything else raises _Unsupported."""

    def __init__(self) -> None:
        self._texts: dict[tuple[str, bool], str] = {}
        self._keys: set[str] = set()  # keys known to be plain simple keys

    def item(self, value: dict[str, Any], indent: str) -> str:
        body = self.mapping(value, indent + "  ")
        if not body:
            raise _Unsupported
        return indent + "- " + body[len(indent) + 2:]

    def mapping(self, value: dict[str, Any], indent: str) -> str:
        lines = []
        for key, v in value.items():
            if key not in self._keys:
                if (type(key) is not str or not key.isidentifier() or not key.isascii()
                        or len(key) > 64 or not _plain_ok(key, False)):
                    raise _Unsupported
                self._keys.add(key)
            head = f"{indent}{key}:"
            if type(v) is dict:
                if not v:
                    raise _Unsupported
                lines.append(head + "\n" + self.mapping(v, indent + "  "))
            elif type(v) is list:
                lines.append(self._list(v, head, indent, len(head) + 1))
            else:
                lines.append(f"{head} {self.scalar(v, len(head) + 1, False)}\n")
        return "".join(lines)

    def _list(self, value: list[Any], head: str, indent: str, column: int) -> str:
        if not value:
            return head + " []\n"
        if all(type(v) is dict for v in value):
            return head + "\n" + "".join(self.item(v, indent) for v in value)
        if any(type(v) in (dict, list) for v in value):
            raise _Unsupported
        texts = [self.scalar(v, column, True) for v in value]
        line = "[" + ", ".join(texts) + "]"
        if column + len(line) > WIDTH:
            raise _Unsupported  # libyaml would break the line
        return f"{head} {line}\n"

    def scalar(self, value: Any, column: int, flow: bool) -> str:
        kind = type(value)
        if kind is str:
            if column + len(value) + 2 > WIDTH and " " in value:
                raise _Unsupported  # libyaml folds long lines at a space
            known = self._texts.get((value, flow))
            if known is None:  # a sentence is quoted by many proposals: worked out once
                if _plain_ok(value, flow):
                    known = value
                elif _single_ok(value):
                    known = "'" + value.replace("'", "''") + "'"
                else:
                    raise _Unsupported
                self._texts[(value, flow)] = known
            return known
        if value is None:
            return "null"
        if kind is bool:
            return "true" if value else "false"
        if kind is int:
            return str(value)
        if kind is float and value == value and abs(value) != float("inf"):
            text = repr(value).lower()
            if "." not in text and "e" in text:
                text = text.replace("e", ".0e", 1)
            if _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _FLOAT:
                return text
        raise _Unsupported


def write_review(review: dict[str, Any], path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dump_review(review), encoding="utf-8")
    tmp.replace(path)


def read_review(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """The review and the line of each proposal key; an IngestError naming the line or
    proposal of the first structural problem."""
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.load(handle, Loader=_LineLoader)
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}", 2) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise IngestError(where, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"not UTF-8 text: {exc.reason}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("source"), dict):
        raise IngestError(str(path), "not a review file (no `source:` mapping)")
    lines: dict[str, int] = {}
    keys: set[str] = set()
    for section in SECTIONS:
        items = raw.get(section) or []
        if not isinstance(items, list):
            raise IngestError(f"{path}: {section}", "expected a list of proposals")
        for index, item in enumerate(items, 1):
            line = item.get(LINE_KEY) if isinstance(item, dict) else None
            where = f"{path}:{line}" if line else f"{path}: {section}[{index}]"
            if not isinstance(item, dict) or not isinstance(item.get("key"), str):
                raise IngestError(where, f"{section}[{index}] has no key")
            key = item["key"]
            where += f" (proposal {key})"
            if key in keys:
                raise IngestError(where, f"key {key} is used twice")
            keys.add(key)
            lines[key] = line or 0
            decision = item.get("decision")
            if decision not in DECISIONS[section]:
                raise IngestError(where, f"decision {decision!r} is not one of "
                                  f"{', '.join(DECISIONS[section])}")
            if decision == "merge" and not isinstance(item.get("merge_into"), str):
                raise IngestError(where, "decision merge needs merge_into: <id of a known "
                                  "entity>")
            if not isinstance(item.get("quote"), str) or not item["quote"].strip():
                raise IngestError(where, "has no quote")
    return _strip_lines(raw), lines


def where(path: Path, lines: dict[str, int], key: str) -> str:
    line = lines.get(key)
    return f"{path}:{line} (proposal {key})" if line else f"{path} (proposal {key})"
