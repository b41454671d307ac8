"""The fourth-pass rules of `innograph ingest` (issue 15's recall goals) on short texts
written for the test (none is seed text): numerals, broken lines, mentions that are only a
word, coordination, enumerations of programmes, event names, standard bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.dataset import load_graph
from loaders.ingest.propose import SourceMeta, propose


@pytest.fixture(scope="module")
def graph():
    return load_graph(progress=False)


def run(tmp_path: Path, graph, text: str, date: str = "2024-06-01"):
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    return propose(path, graph, SourceMeta(date=date), source_file="009_test.txt")


def keys(review) -> dict[str, str]:
    return {e["name_zh"]: e["key"] for e in review["entities"]}


def triples(review) -> dict[tuple[str, str, str], dict]:
    return {(r["from"], r["rel"], r["to"]): r for r in review["relations"]}


def test_a_leading_thousand_or_hundred_is_one_thousand(tmp_path, graph):
    review = run(tmp_path, graph, "超千亿元规模的启明基金聚焦新材料产业。")
    assert [(f["value"], f["unit"]) for f in review["figures"]] == [(100_000_000_000, "CNY")]


def test_a_line_as_long_as_a_wrapped_texts_lines_is_no_heading(tmp_path, graph):
    body = "".join(f"启明市第{i}批科技项目已经顺利通过专家组的现场验收工作，\n" for i in range(6))
    review = run(tmp_path, graph, body + "星海市启明农业高新技术产业示范区、"
                 "星海市启明自主创新示范区、国家\n\n启明光学技术创新中心已建成。\n")
    assert "国家启明光学技术创新中心" in keys(review)
    # a short line without punctuation is still a heading: 启明 does not run into 星海
    review = run(tmp_path, graph, body + "启明科技\n\n星海研究院成立。\n")
    assert "启明科技星海研究院" not in keys(review)


def test_a_common_word_is_a_sector_only_in_a_field_context(tmp_path, graph):
    review = run(tmp_path, graph, "为全面振兴注入源源不断的新动力。"
                 "启明公司聚焦新能源、新动力等领域。")
    quotes = [m["quote"] for m in review["mentions"] if m["entity"] == "sector-new-power"]
    assert quotes == ["启明公司聚焦新能源、新动力等领域。"]


def test_a_generic_name_inside_a_longer_suffix_is_no_mention(tmp_path, graph):
    review = run(tmp_path, graph, "启明大学“星海光学”国家重点实验室通过论证。")
    assert "labs-group-2025" not in {m["entity"] for m in review["mentions"]}
