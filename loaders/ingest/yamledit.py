"""Textual edits of YAML data files that keep every other byte: add a provenance entry to a
record, remove the entries of one source, remove a record. ``accept`` and ``retract`` are
exact inverses through these, so accept-then-retract gives back the files byte for byte."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from loaders.readers import LINE_KEY, _LineLoader, _strip_lines


@dataclass
class Block:
    """One top-level record: lines [start, end) of the file (0-based), and its content."""
    start: int
    end: int
    record: dict[str, Any]


def blocks(text: str) -> list[Block]:
    document = yaml.load(text, Loader=_LineLoader) or []
    lines = text.splitlines(keepends=True)
    starts = [item[LINE_KEY] - 1 for item in document if isinstance(item, dict)]
    out = []
    for index, item in enumerate(d for d in document if isinstance(d, dict)):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        while end > starts[index] + 1 and (not lines[end - 1].strip()
                                           or lines[end - 1].lstrip().startswith("#")):
            end -= 1  # blank lines and comments before the next record belong to it
        out.append(Block(starts[index], end, _strip_lines(item)))
    return out


def quote_scalar(text: str) -> str:
    dumped = yaml.safe_dump(text, allow_unicode=True, width=100_000, default_style=None)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def entry_lines(source: str, quote: str) -> list[str]:
    return [f"  - source: {quote_scalar(source)}\n", f"    quote: {quote_scalar(quote)}\n"]


def _provenance_span(lines: list[str], block: Block) -> tuple[int, int] | None:
    """Lines [first entry, end) of the record's provenance list."""
    for i in range(block.start, block.end):
        if lines[i].rstrip() == "  provenance:":
            j = i + 1
            while j < block.end and (lines[j].startswith("  - ") or lines[j].startswith("    ")):
                j += 1
            return i + 1, j
    return None


def add_provenance(text: str, block: Block, source: str, quotes: list[str]) -> str:
    lines = text.splitlines(keepends=True)
    span = _provenance_span(lines, block)
    if span is None:
        raise ValueError(f"record at line {block.start + 1} has no block-style provenance list")
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines[span[1]:span[1]] = [line for quote in quotes for line in entry_lines(source, quote)]
    return "".join(lines)


def remove_source(text: str, source: str) -> tuple[str, list[dict[str, Any]], list[dict]]:
    """The text without the provenance entries of ``source``; records left without any are
    removed whole. Returns (text, removed records, records that lost quotes but stay)."""
    lines = text.splitlines(keepends=True)
    removed, trimmed = [], []
    for block in reversed(blocks(text)):
        entries = block.record.get("provenance") or []
        ours = [e for e in entries if isinstance(e, dict) and e.get("source") == source]
        if not ours:
            continue
        if len(ours) == len(entries):
            del lines[block.start:block.end]
            removed.append(block.record)
            continue
        span = _provenance_span(lines, block)
        if span is None:
            continue
        keep, i = [], span[0]
        while i < span[1]:
            j = i + 1
            while j < span[1] and not lines[j].startswith("  - "):
                j += 1
            entry = yaml.safe_load("".join(line[2:] for line in lines[i:j]))
            if not (isinstance(entry, list) and entry and entry[0].get("source") == source):
                keep += lines[i:j]
            i = j
        lines[span[0]:span[1]] = keep
        trimmed.append(block.record)
    return "".join(lines), removed[::-1], trimmed[::-1]


def has_records(text: str) -> bool:
    return bool(blocks(text))
