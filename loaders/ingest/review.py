"""The review file: YAML in the data format (docs/ingest.md), written by ``ingest``, edited
by a person or ``innograph review``, read by ``accept``. Reading checks its structure and
names the line and proposal of every problem."""

from __future__ import annotations

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

    def represent_data(self, data: Any) -> yaml.Node:
        """Strings, dicts and lists, nearly all of a review, made into nodes here; anything
        else by PyYAML's own representers. The same nodes PyYAML makes (libyaml still
        decides every scalar's quoting), without its per-value dispatch: that dispatch was a
        quarter of a batch's time (tests/test_ingest_fast_paths.py compares the texts)."""
        kind = type(data)
        if kind is str:
            return yaml.ScalarNode(_STR, data)
        if kind is dict:
            return yaml.MappingNode(_MAP, [(self.represent_data(k), self.represent_data(v))
                                           for k, v in data.items()], flow_style=False)
        if kind is list:
            # short lists of plain values on one line (offset: [55, 62])
            flat = all(not isinstance(v, (dict, list)) for v in data)
            return yaml.SequenceNode(_SEQ, [self.represent_data(v) for v in data],
                                     flow_style=flat)
        return super().represent_data(data)


_STR, _MAP, _SEQ = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:map",
                    "tag:yaml.org,2002:seq")


def dump_review(review: dict[str, Any]) -> str:
    parts = [HEADER]
    for name in ("source", *SECTIONS):
        body = yaml.dump({name: review.get(name) or ([] if name in SECTIONS else {})},
                         Dumper=_ReviewDumper, allow_unicode=True, sort_keys=False,
                         width=10_000)
        count = f" ({len(review.get(name) or [])})" if name in SECTIONS else ""
        parts.append(f"\n# -- {name}{count} " + "-" * 60 + "\n" + body)
    return "".join(parts)


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
