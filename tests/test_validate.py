"""Quote checks: ``SourceTexts`` answers exactly the plain definition (the quote, whitespace
removed, occurs in the source, whitespace removed), whatever its memory budget and whatever
order the sources are asked in; the loader's speed-ups change no answer."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from loaders.validate import SourceTexts

SENTENCES = ["长春市建设光电信息产业集群。", "示例实验室在光电信息领域取得成果！",
             "基金规模达到十亿元；", "The fund invests in early-stage companies.",
             "吉林大学与中科院长春光机所合作？", "新区有高新技术企业三千家。"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _write_sources(folder: Path, rng: random.Random, count: int) -> dict[str, str]:
    folder.mkdir()
    texts = {}
    for n in range(count):
        lines = [rng.choice(SENTENCES) + f"第{n}-{i}号。" for i in range(rng.randint(3, 8))]
        # Line breaks, spaces and tabs inside sentences: quotes match whatever the layout.
        text = "".join(s + rng.choice(["\n", " ", "", "\r\n", "\t"]) for s in lines)
        text = text.replace("光电", rng.choice(["光电", "光 电", "光\n电"]))
        texts[f"s{n}.txt"] = text
        (folder / f"s{n}.txt").write_text(text, encoding="utf-8")
    return texts


def _quotes(texts: dict[str, str], rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Substrings (with their whitespace changed), whole sentences, and near misses."""
    names = sorted(texts)
    quotes = []
    for _ in range(count):
        name = rng.choice(names)
        text = texts[name]
        start = rng.randrange(len(text))
        piece = text[start:start + rng.randint(1, 30)]
        choice = rng.randrange(5)
        if choice == 1:
            piece = " ".join(piece)  # spaces between every character
        elif choice == 2:
            piece = piece + "错"  # one character more: usually absent
        elif choice == 3:
            name = rng.choice(names)  # maybe another source
        elif choice == 4:
            piece = rng.choice(SENTENCES)
        quotes.append((name, piece))
    return quotes


@pytest.mark.parametrize("budget", [10, 200, 10_000_000])
def test_quote_checks_answer_the_plain_definition(tmp_path: Path, budget: int) -> None:
    rng = random.Random(budget)
    texts = _write_sources(tmp_path / "sources", rng, 12)
    sources = SourceTexts(tmp_path / "sources", budget=budget)
    answers = []
    for name, quote in _quotes(texts, rng, 3000):  # sources asked in random order
        expected = bool(_squash(quote)) and _squash(quote) in _squash(texts[name])
        assert sources.contains_quote(name, quote) == expected, (name, quote)
        answers.append(expected)
    assert any(answers) and not all(answers)  # both answers were exercised


def test_the_budget_bounds_the_texts_kept(tmp_path: Path) -> None:
    texts = _write_sources(tmp_path / "sources", random.Random(3), 12)
    largest = max(len(_squash(t)) for t in texts.values())
    sources = SourceTexts(tmp_path / "sources", budget=2 * largest)
    for name in sorted(texts):
        assert sources.contains_quote(name, texts[name][:5])
        kept = sources._cache
        assert kept and sum(len(text) for text, _ in kept.values()) <= 2 * largest
    everything = SourceTexts(tmp_path / "sources")
    for name in sorted(texts):
        everything.contains_quote(name, texts[name][:5])
    assert len(everything._cache) == len(texts)  # the default keeps a data set's sources
