"""`innograph ingest A B C`: several articles with the graph loaded once, each to its own
review file, numbered apart; a bad article is reported by name and the others still go."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from ingest_cli import ROOT, cli, untouched_data_copy

from loaders.ingest.pipeline import ingest

FIXTURES = ROOT / "tests" / "fixtures" / "ingest"


@pytest.fixture()
def data(tmp_path: Path) -> Iterator[Path]:
    yield from untouched_data_copy(tmp_path)


@pytest.fixture()
def articles(tmp_path: Path) -> list[Path]:
    """The text and HTML fixtures and a third article: the text's headline and first lines."""
    text = (FIXTURES / "article.txt").read_text(encoding="utf-8")
    paths = [tmp_path / "a.txt", tmp_path / "b.html", tmp_path / "c.txt"]
    shutil.copy(FIXTURES / "article.txt", paths[0])
    shutil.copy(FIXTURES / "article.html", paths[1])
    paths[2].write_text("\n".join(text.splitlines()[:4]) + "\n", encoding="utf-8")
    return paths


def review_of(path: Path) -> dict:
    return yaml.safe_load(path.with_name(path.stem + ".review.yaml").read_text("utf-8"))


def test_several_articles_each_get_their_review_file(data, articles):
    done = cli("ingest", *map(str, articles), "--date", "2024", "--data", str(data))
    assert done.returncode == 0, done.stderr
    reviews = [review_of(p) for p in articles]
    files = [r["source"]["file"] for r in reviews]
    assert len(set(files)) == 3
    first = len([p for p in (data / "sources").iterdir() if p.is_file()])
    assert [int(f[:3]) for f in files] == [first, first + 1, first + 2]
    assert [r["source"]["original"] for r in reviews] == [str(p.resolve()) for p in articles]
    assert done.stdout.count("wrote ") == 3
    # each is what ingesting it alone writes (the same proposals), but for its number
    alone = ingest(articles[2], data, _meta(), articles[2].with_name("alone.yaml"))
    single = yaml.safe_load(alone.read_text("utf-8"))
    assert single["mentions"] and single["entities"]
    for section in ("mentions", "entities", "relations", "figures"):
        assert _quotes(single.get(section)) == _quotes(reviews[2].get(section)), section


def test_a_bad_article_is_named_and_the_others_go_on(data, articles, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    done = cli("ingest", str(articles[0]), str(empty), str(articles[2]), "--data", str(data))
    assert done.returncode == 1, done.stderr
    assert f"{empty}" in done.stderr and "is empty" in done.stderr
    assert "1 of 3 articles not ingested" in done.stderr
    assert "Traceback" not in done.stderr
    assert review_of(articles[0]) and review_of(articles[2])
    assert not empty.with_name("empty.review.yaml").exists()


def test_the_same_article_twice_in_a_batch_is_refused_once(data, articles, tmp_path):
    again = tmp_path / "again.txt"
    shutil.copy(articles[0], again)
    done = cli("ingest", str(articles[0]), str(again), "--data", str(data))
    assert done.returncode == 1
    assert f"same content as {articles[0]} in this batch" in done.stderr
    assert not again.with_name("again.review.yaml").exists()


@pytest.mark.parametrize("option", [["--out", "x.yaml"], ["--title", "T"], ["--url", "u"]])
def test_one_article_options_are_refused_with_several(data, articles, option):
    done = cli("ingest", str(articles[0]), str(articles[2]), *option, "--data", str(data))
    assert done.returncode == 2
    assert "with one FILE" in done.stderr
    assert not articles[0].with_name("a.review.yaml").exists()


def _meta():
    from loaders.ingest.propose import SourceMeta
    return SourceMeta("2024")


def _quotes(items: list | None) -> list:
    """A section's proposals without the source number they cite."""
    return sorted(str(sorted((k, v) for k, v in item.items() if k not in ("source", "file")))
                  for item in items or [])
