"""Sentences of a document, matched on its compact form (simplified, whitespace removed:
PDF extractions break lines inside words) and mapped back to the file's character offsets.
A quote is the sentence as the file writes it, whitespace removed (the quote check ignores
whitespace; characters are the file's own)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.ingest.text import Document

_END_CHARS = "。！？；!?;"
#: What ends a clause: a comma, semicolon or colon, or a sentence's end (full and half width).
#: Every reading of a clause (relations, figures, names) cuts at these.
CLAUSE_MARKS = "，,；;：:。！？!?"
_CLOSERS = "”’」』）)"
HEADING_MAX = 30  # a line this short without end punctuation, followed by a break, is a heading
WRAP_MIN, WRAP_LINES = 15, 5  # a wrapped text has 5+ lines of one length of 15+ characters
WRAP_FULL = 0.85  # a line this share of the wrap width long is a full line (punctuation is wider)


_MARKS = frozenset(CLAUSE_MARKS)
_MARK = re.compile(f"[{re.escape(CLAUSE_MARKS)}]")


def clause_start(text: str, at: int) -> int:
    """Where the clause holding position ``at`` of ``text`` begins: after the last
    ``CLAUSE_MARKS`` before it (0 if none)."""
    i = at  # a walk back: a clause is short, and this runs for every pair of names
    while i > 0 and text[i - 1] not in _MARKS:
        i -= 1
    return i


def clause_end(text: str, at: int) -> int:
    """Where the clause holding position ``at`` ends: at the first ``CLAUSE_MARKS`` from
    ``at`` on (the text's end if none)."""
    found = _MARK.search(text, at)
    return found.start() if found else len(text)


@dataclass(frozen=True)
class Compact:
    """``simplified`` and ``written`` without whitespace; ``offsets[i]`` is the position in
    the file's text of compact character i."""
    simplified: str
    written: str
    offsets: list[int]
    breaks: frozenset[int]  # compact positions where a heading line ends


@dataclass(frozen=True)
class Sentence:
    start: int  # compact offsets
    end: int
    quote: str  # as written, whitespace removed


def _wrap_width(text: str) -> int | None:
    """The width of a wrapped text's full lines (a PDF extraction breaks every line at about
    the same length): the most common length of lines of WRAP_MIN characters or more, when
    at least WRAP_LINES lines have it; None for a text with one paragraph per line."""
    lengths: dict[int, int] = {}
    for line in text.split("\n"):
        n = len("".join(line.split()))
        if n >= WRAP_MIN:
            lengths[n] = lengths.get(n, 0) + 1
    if not lengths:
        return None
    width = max(lengths, key=lambda n: (lengths[n], n))
    return width if lengths[width] >= WRAP_LINES else None


def compact(doc: Document) -> Compact:
    simplified, written, offsets, breaks = [], [], [], set()
    line_start = 0
    width = _wrap_width(doc.text)
    for i, ch in enumerate(doc.text):
        if ch == "\n":
            line = "".join(doc.text[line_start:i].split())
            # a line as long as the text's full lines was wrapped, not ended (…示范区、国家
            # | 半导体激光技术创新中心)
            if _heading(line) and (width is None or len(line) < WRAP_FULL * width):
                breaks.add(len(written))
            line_start = i + 1
        if ch.isspace():
            continue
        simplified.append(doc.simplified[i])
        written.append(ch)
        offsets.append(i)
    return Compact("".join(simplified), "".join(written), offsets, frozenset(breaks))


def _heading(line: str) -> bool:
    """A short line without end punctuation is a heading or a caption, unless it breaks off
    inside a clause (a comma in it, a 、 at its end, or a 《“（ left open: a PDF line break
    mid-sentence)."""
    bare = line.rstrip(_CLOSERS)  # 打造…“强磁场”: a quote closing a heading ends no sentence
    return bool(bare) and len(line) <= HEADING_MAX and bare[-1] not in _END_CHARS \
        and "，" not in line and line[-1] != "、" and all(line.count(a) <= line.count(b)
                                     for a, b in ("《》", "“”", "（）", "()"))


def split_sentences(c: Compact) -> list[Sentence]:
    out: list[Sentence] = []
    start, i, n = 0, 0, len(c.written)
    while i < n:
        ch = c.written[i]
        if ch in _END_CHARS:
            i += 1
            while i < n and c.written[i] in _CLOSERS:
                i += 1
            _add(out, c, start, i)
            start = i
            continue
        i += 1
        if i in c.breaks:
            _add(out, c, start, i)
            start = i
    _add(out, c, start, n)
    return out


def _add(out: list[Sentence], c: Compact, start: int, end: int) -> None:
    if end - start >= 2:
        out.append(Sentence(start, end, c.written[start:end]))


def clause_bounds(c: Compact, sentence: Sentence) -> list[tuple[int, int]]:
    """The clauses of a sentence (split at ，、：), compact offsets."""
    bounds, start = [], sentence.start
    for i in range(sentence.start, sentence.end):
        if c.written[i] in "，,：:":
            bounds.append((start, i))
            start = i + 1
    bounds.append((start, sentence.end))
    return bounds


_YEAR = re.compile(r"(20\d\d|19\d\d)年")
