"""Traditional to simplified Chinese (OpenCC's t2s), for matching: an article's text in
ingest, a search box's text in the query layer. The graph's names are simplified."""

from __future__ import annotations

from functools import cache


@cache
def _converter():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("t2s")


@cache
def _changing() -> frozenset[str] | None:
    """The characters without which OpenCC changes nothing: for each entry of its t2s
    dictionaries that converts, the characters it replaces (all of them when the length
    changes). A stretch of text holding none of them matches only entries that keep it as
    it is. None when the library's tables cannot be read (then everything is converted)."""
    chain = getattr(_converter(), "_dict_chain_data", None)
    if not isinstance(chain, list):
        return None
    chars: set[str] = set()
    for group in chain:
        for entry in group:
            for key, value in entry[2].items():
                if value == key:
                    continue
                if len(value) == len(key):
                    chars.update(k for k, v in zip(key, value, strict=True) if k != v)
                else:
                    chars.update(key)
    return frozenset(chars)


def _convert(text: str) -> str:
    """OpenCC's t2s, exactly; its pure-Python phrase search runs only on the stretches
    between separators (OpenCC converts each on its own) that hold a character it may change
    (most of a simplified article holds none: the search was a tenth of reading one)."""
    converter = _converter()
    converter.convert("")  # loads the dictionaries on first use
    changing = _changing()
    splitter = getattr(converter, "split_chars_re", None)
    if changing is None or splitter is None:
        return converter.convert(text)
    pieces = splitter.split(text)
    for i in range(0, len(pieces), 2):  # odd pieces are the separators, kept as they are
        if not changing.isdisjoint(pieces[i]):
            pieces[i] = converter.convert(pieces[i])
    return "".join(pieces)


def to_simplified(text: str) -> str:
    """Simplified Chinese of the same length. OpenCC converts phrases; where a conversion
    changes the length the characters are converted one by one instead."""
    converted = _convert(text)
    if len(converted) == len(text):
        return converted
    convert = _converter().convert
    out = []
    for ch in text:
        c = convert(ch)
        out.append(c if len(c) == 1 else ch)
    return "".join(out)
