"""Read an article: UTF-8 text or an HTML page (main text by trafilatura), with a simplified
form for matching. Quotes are cut from ``Document.text`` exactly as the file writes it; the
simplified form has the same length, character for character, so offsets carry over."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graph.chinese import to_simplified
from loaders.ingest.errors import IngestError

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class Document:
    path: Path
    text: str  # the text quotes are taken from (for HTML: the extracted main text)
    simplified: str  # same length as text: simplified Chinese, for matching only
    sha256: str  # of the file's bytes
    html: bool


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def read_document(path: Path) -> Document:
    """The document at ``path`` or an ``IngestError`` naming the file and the problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}", 2) from None
    if not data.strip():
        raise IngestError(str(path), "the file is empty")
    if _looks_binary(data):
        raise IngestError(str(path), "binary data, not a text or HTML file")
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise IngestError(f"{path}:{line}", f"not UTF-8 text (byte {exc.start}: "
                          f"{exc.reason}); convert it first, e.g. iconv -f GB18030 -t UTF-8"
                          ) from None
    html = path.suffix.lower() in HTML_SUFFIXES or raw.lstrip()[:15].lower().startswith(
        ("<!doctype html", "<html"))
    text = _main_text(raw, path) if html else raw
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        raise IngestError(str(path), "no Chinese text found")
    return Document(path, text, to_simplified(text), hashlib.sha256(data).hexdigest(), html)


@cache
def _extract_config():  # type: ignore[no-untyped-def]
    from trafilatura.settings import use_config

    config = use_config()
    # trafilatura's default minimum (250 characters) is a short paragraph of Chinese; below
    # it the fallback extractor runs, which joins paragraphs into one line and keeps the
    # byline, so sentences and paragraph dating would run across them
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "50")
    return config


def _main_text(raw: str, path: Path) -> str:
    import trafilatura

    text = trafilatura.extract(raw, include_comments=False, include_tables=True,
                               favor_recall=True, config=_extract_config())
    if not text or not text.strip():
        raise IngestError(str(path), "no main text found in the HTML page")
    return text
