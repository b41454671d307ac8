"""The batch's fast paths give exactly what the slow ones gave:
- the review file (loaders/ingest/review.py) is the text PyYAML's own representers give, though
  the review dumper makes the nodes of strings, dicts and lists itself;
- the simplified form of a text (loaders/ingest/text.py) is OpenCC's, though OpenCC's phrase
  search runs only on stretches holding a character it may change."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_cli import ROOT

from graph.chinese import _convert, _converter
from loaders.dataset import load_graph
from loaders.ingest.propose import SourceMeta, propose
from loaders.ingest.review import HEADER, SECTIONS, _Dumper, dump_review


class _PlainReviewDumper(_Dumper):
    """The review dumper as PyYAML alone makes its nodes (the reference)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_PlainReviewDumper.add_representer(list, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=all(not isinstance(x, (dict, list)) for x in v)))
_PlainReviewDumper.add_representer(dict, lambda d, v: d.represent_mapping(
    "tag:yaml.org,2002:map", v, flow_style=False))


def plain_text(review: dict[str, Any]) -> str:
    parts = [HEADER]
    for name in ("source", *SECTIONS):
        value = review.get(name) or ([] if name in SECTIONS else {})
        count = f" ({len(value)})" if name in SECTIONS else ""
        parts.append(f"\n# -- {name}{count} " + "-" * 60 + "\n"
                     + yaml.dump({name: value}, Dumper=_PlainReviewDumper, allow_unicode=True,
                                 sort_keys=False, width=10_000))
    return "".join(parts)


def test_a_real_review_is_written_as_pyyaml_writes_it():
    article = ROOT / "data" / "sources" / "000_f7b9a75bc1616f5e.txt"
    review = propose(article, load_graph(progress=False), SourceMeta(date="2025"),
                     source_file="x.txt")
    assert review["entities"] and review["relations"]
    assert dump_review(review) == plain_text(review)


_SCALARS = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from(["", " a", "a ", "- x", "#x", "x #y", "a: b", "null", "true", "1.5", "007",
                     "2024-01-01", "~", "'q'", '"q"', "a\nb", "长春：科技", "\u0085", "😀"]),
    st.integers(), st.floats(allow_nan=False), st.booleans(), st.none())
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.text(alphabet="abcxyz_", min_size=1, max_size=6), inner, max_size=4)),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(alphabet="abc_", min_size=1, max_size=5), _VALUES, max_size=3),
       st.lists(st.dictionaries(st.sampled_from(["key", "name_zh", "offset", "decision"]),
                                _VALUES, min_size=1, max_size=4), max_size=3))
def test_generated_reviews_are_written_as_pyyaml_writes_them(source, entities):
    review = {"source": source, "entities": entities}
    assert dump_review(review) == plain_text(review)


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
