"""Bad input to ingest/accept/retract, through the real CLI: a clear error naming the file,
line or proposal, exit code 1 or 2, and data/ untouched."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from ingest_cli import ROOT, cli, untouched_data_copy

ARTICLE = ROOT / "tests" / "fixtures" / "ingest" / "article.txt"


@pytest.fixture()
def data(tmp_path: Path) -> Iterator[Path]:
    yield from untouched_data_copy(tmp_path)


@pytest.fixture()
def review(tmp_path: Path, data: Path) -> Path:
    out = tmp_path / "r.yaml"
    done = cli("ingest", str(ARTICLE), "--date", "2024", "--out", str(out), "--data", str(data))
    assert done.returncode == 0, done.stderr
    return out


def fails(done: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert done.returncode == code, (done.returncode, done.stderr)
    for word in words:
        assert word in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("content, words", [
    (b"", ["is empty"]),
    (b"  \n\n", ["is empty"]),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["binary data"]),
    ("长春市科技创新成果斐然。".encode("gb18030"), ["not UTF-8", ":1"]),
])
def test_unreadable_article(tmp_path, data, content, words):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    fails(cli("ingest", str(path), "--data", str(data), "--out", str(tmp_path / "o.yaml")),
          1, str(path), *words)
    assert not (tmp_path / "o.yaml").exists()


def test_already_ingested(tmp_path, data):
    copy = tmp_path / "again.txt"
    shutil.copy(data / "sources" / "001_c2433cd2966890d3.txt", copy)
    fails(cli("ingest", str(copy), "--data", str(data)), 1, "already ingested",
          "001_c2433cd2966890d3.txt")


@pytest.mark.parametrize("when, words", [
    (str(date.today().year + 1) + "-01-01", ["--date", "in the future"]),
    ("yesterday", ["--date", "not a date"]),
    ("2024-13-45", ["--date", "not a date"]),
])
def test_bad_date(tmp_path, data, when, words):
    fails(cli("ingest", str(ARTICLE), "--date", when, "--data", str(data),
              "--out", str(tmp_path / "o.yaml")), 2, *words)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_review_with_an_unknown_decision(review, data):
    edit(review, "  decision: accept\n", "  decision: maybe\n")
    fails(cli("accept", str(review), "--data", str(data)), 1, str(review), "proposal m1",
          "'maybe'")


def test_review_with_an_unknown_kind(review, data):
    edit(review, "kind: Park", "kind: Startup")
    fails(cli("accept", str(review), "--data", str(data)), 1, "(proposal e", "Startup")


def test_review_that_is_not_yaml(review, data):
    edit(review, "mentions:", "mentions: [")
    fails(cli("accept", str(review), "--data", str(data)), 1, "invalid YAML")


def test_review_whose_relation_needs_a_rejected_entity(review, data):
    text = review.read_text(encoding="utf-8")
    start = text.index("- key: e1")
    end = text.index("decision:", start)
    review.write_text(text[:end] + text[end:].replace("decision: accept", "decision: reject", 1),
                      encoding="utf-8")
    fails(cli("accept", str(review), "--data", str(data)), 1, "rejected entity")


def test_accepted_quote_not_in_the_file(review, data):
    edit(review, "quote: 长兴基金投向光电信息领域，基金规模达到10亿元。",
         "quote: 长兴基金投向光电信息领域，基金规模达到20亿元。")
    fails(cli("accept", str(review), "--data", str(data)), 1, "is not in the article",
          "(proposal ")


def test_invalid_record_stops_everything(review, data):
    """A problem only the full validation sees (an English name left empty would pass; an
    id that is not a slug does not): nothing of the article is written."""
    edit(review, "id: bei-hu-ke-ji-kai-fa-qu", "id: Bei Hu!")
    fails(cli("accept", str(review), "--data", str(data)), 1, "nothing was written", "bad-id")


def test_retract_unknown_source(data):
    fails(cli("retract", "999_nope.txt", "--data", str(data)), 2, "999_nope.txt",
          "no such source")
