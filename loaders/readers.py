"""Readers turn data files (YAML, JSON Lines, CSV) into raw records, one at a time.

Each reader yields ``(location, record)`` pairs, where ``location`` names the line. A file that
cannot be parsed raises ``MalformedFile`` naming the place. JSON Lines and CSV are read
line by line, so memory stays bounded however large the file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import yaml

RawRecord = dict[str, Any]
LINE_KEY = "__line__"  # YAML readers record each mapping's line under this key


class MalformedFile(Exception):
    def __init__(self, location: str, message: str):
        super().__init__(message)
        self.location = location


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe YAML loader that records the line each mapping starts on. libyaml's parser
    when PyYAML has it (its wheels do): about 8x faster than the pure-Python one, the same
    documents, marks and errors."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def read_yaml(path: Path) -> Iterator[tuple[str, RawRecord]]:
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        location = f"line {mark.line + 1}" if mark else ""
        raise MalformedFile(location, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError as exc:
        raise MalformedFile("", f"not UTF-8 text: {exc.reason}") from None
    if document is None:
        return
    if not isinstance(document, list):
        raise MalformedFile("line 1", "expected a YAML list of records at the top level")
    for index, item in enumerate(document, start=1):
        line = item.get(LINE_KEY) if isinstance(item, dict) else None
        location = f"record {index}" + (f" (line {line})" if line else "")
        yield location, _strip_lines(item) if isinstance(item, dict) else item


def read_jsonl(path: Path) -> Iterator[tuple[str, RawRecord]]:
    # orjson parses a line about twice as fast as json; a line it refuses goes to json, which
    # decides (json also reads NaN and integers beyond 64 bits) and words the error.
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                if not line.strip():
                    continue
                record = _json_line(line, number)
            yield f"line {number}", record


def _json_line(line: bytes, number: int) -> Any:
    try:
        return json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedFile(f"line {number}", f"not UTF-8 text: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise MalformedFile(f"line {number}", f"invalid JSON: {exc.msg}") from None


def read_csv(path: Path) -> Iterator[tuple[str, RawRecord]]:
    """CSV rows; empty cells are absent; ``source``/``quote`` (and ``source_2``/``quote_2``,
    ...) become the provenance list."""
    with open(path, encoding="utf-8", newline="") as handle:
        try:
            reader = csv.DictReader(handle)
            if not reader.fieldnames:
                return
            for row in reader:
                if None in row:
                    raise MalformedFile(f"line {reader.line_num}", "more cells than header columns")
                yield f"line {reader.line_num}", _csv_record(row)
        except csv.Error as exc:
            raise MalformedFile(f"line {reader.line_num}", f"invalid CSV: {exc}") from None
        except UnicodeDecodeError as exc:
            raise MalformedFile("", f"not UTF-8 text: {exc.reason}") from None


def _csv_record(row: dict[str, str]) -> RawRecord:
    record: RawRecord = {k: v for k, v in row.items() if v is not None and v.strip() != ""}
    provenance = []
    for suffix in ["", *(f"_{n}" for n in range(2, 10))]:
        source, quote = record.pop(f"source{suffix}", None), record.pop(f"quote{suffix}", None)
        if source is not None or quote is not None:
            provenance.append({"source": source, "quote": quote})
    if provenance:
        record["provenance"] = provenance
    return record


READERS: dict[str, Callable[[Path], Iterator[tuple[str, RawRecord]]]] = {
    ".yaml": read_yaml,
    ".yml": read_yaml,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
}
