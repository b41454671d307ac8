"""The batch's fast paths give exactly what the slow ones gave:
- the review file's writer (loaders/ingest/review.py) writes the text PyYAML writes with the
  review dumper: checked on a review of the fixture article and on generated reviews full of
  characters that make YAML quote a string (indicators, blanks at the edges, breaks, numbers
  and booleans written as strings, characters past U+FFFF);
- the simplified form of a text (loaders/ingest/text.py) is OpenCC's, though OpenCC's phrase
  search runs only on stretches holding a character it may change."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_cli import ROOT

from loaders.dataset import load_graph
from loaders.ingest.propose import SourceMeta, propose
from loaders.ingest.review import HEADER, SECTIONS, _ReviewDumper, dump_review
from loaders.ingest.text import _convert, _converter


def pyyaml_text(review: dict[str, Any]) -> str:
    """The review as PyYAML alone writes it (the writer's reference)."""
    parts = [HEADER]
    for name in ("source", *SECTIONS):
        value = review.get(name) or ([] if name in SECTIONS else {})
        count = f" ({len(value)})" if name in SECTIONS else ""
        parts.append(f"\n# -- {name}{count} " + "-" * 60 + "\n"
                     + yaml.dump({name: value}, Dumper=_ReviewDumper, allow_unicode=True,
                                 sort_keys=False, width=10_000))
    return "".join(parts)


def test_a_real_review_is_written_as_pyyaml_writes_it():
    graph = load_graph(ROOT / "data", progress=False)
    review = propose(ROOT / "tests" / "fixtures" / "ingest" / "article.txt", graph,
                     SourceMeta("2024"), source_file="009_x.txt")
    assert review["mentions"] and review["entities"] and review["relations"]
    assert dump_review(review) == pyyaml_text(review)


TRICKY = ":#-?,[]{}'\"&*!|>%@` \t\n\r\x85\u2028\ufeff\U0001F600.e0~长春“”…：，"
text = st.one_of(
    st.text(alphabet=TRICKY + "ab1", max_size=8),
    st.sampled_from(["", "yes", "No", "null", "~", "12", "1.5", "0x1F", "2024-01-02", "=",
                     "<<", "---x", "...", "- a", "? b", "a: b", "a #b", "a#b", "a:b",
                     "长春: 光机所", "it's", "  x", "x  "]),
    st.text(max_size=12),
)
scalar = st.one_of(text, st.integers(-10**6, 10**20), st.none(), st.booleans(),
                   st.floats(allow_nan=True, allow_infinity=True))
keys = st.one_of(st.sampled_from(["key", "quote", "offset", "name_zh", "yes", "null", "on"]),
                 text)
value = st.recursive(
    scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8)
proposal = st.dictionaries(keys, value, min_size=0, max_size=5)


@settings(max_examples=400, deadline=None)
@given(source=st.dictionaries(keys, value, max_size=4),
       sections=st.lists(st.lists(proposal, max_size=3), min_size=4, max_size=4))
def test_generated_reviews_are_written_as_pyyaml_writes_them(source, sections):
    review = {"source": source, **dict(zip(SECTIONS, sections, strict=True))}
    assert dump_review(review) == pyyaml_text(review)


def test_the_writer_is_used_for_plain_fields(monkeypatch):
    """A review of ordinary proposals does not go through PyYAML's representer at all."""
    import loaders.ingest.review as module

    def refuse(_: Any) -> str:
        raise AssertionError("PyYAML was asked to write an ordinary proposal")

    monkeypatch.setattr(module, "_yaml_dump", refuse)
    review = {"source": {"file": "000_x.txt", "published_year": 2024, "html": False},
              "mentions": [{"key": "m1", "entity": "changchun", "offset": [0, 2],
                            "quote": "长春市: 科技 #创新", "score": 1.0, "decision": "accept"}],
              "entities": [{"key": "e1", "similar": [{"id": "a", "score": 72.7}],
                            "note": "close to: a", "trigger": None}],
              "relations": [], "figures": []}
    text = dump_review(review)
    assert "quote: '长春市: 科技 #创新'\n" in text
    assert "  similar:\n  - id: a\n    score: 72.7\n" in text
    assert yaml.safe_load(text)["mentions"] == review["mentions"]



def opencc(text: str) -> str:
    return _converter().convert(text)


def test_simplified_text_is_opencc_on_the_sources_and_traditional_text():
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "sources").iterdir())]
    texts.append("長春光機所「科學城」：一目瞭然，反覆思量；沈默的乾隆與乾燥的頭髮。臺北 後來")
    for text in texts:
        assert _convert(text) == opencc(text)
    assert _convert("反覆思量") == "反复思量"  # a phrase whose characters are all simplified


TRADITIONAL = "長春學術發展臺灣乾隆乾燥頭髮瞭覆藉沈牴後著"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TRADITIONAL + "长春科技创新 ，。、“”-", max_size=30))
def test_simplified_text_is_opencc_on_generated_text(text):
    assert _convert(text) == opencc(text)
