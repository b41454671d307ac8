"""The batch's fast path gives exactly what the slow one gave: the simplified form of a text
(loaders/ingest/text.py) is OpenCC's, though OpenCC's phrase search runs only on stretches
holding a character it may change."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_cli import ROOT

from loaders.ingest.text import _convert, _converter


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
