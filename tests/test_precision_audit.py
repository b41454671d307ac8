"""The precision self-audit (bench/precision_audit.py): its judgement file covers exactly the
edges the fixed-seed draw picks, each judged in one line, and the drawn edges' quotes are in
their sources."""

from __future__ import annotations

import re

from bench.precision_audit import (
    JUDGEMENTS,
    SAMPLE,
    VERDICTS,
    draw,
    judgements,
    main,
    written_edges,
)
from loaders.dataset import DEFAULT_DATA_DIR


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_judgement_file_covers_exactly_the_drawn_edges():
    drawn = draw(written_edges())
    judged = [j["edge"] for j in judgements()]
    assert len(drawn) == len(set(drawn)) == SAMPLE
    assert sorted(judged) == drawn


def test_every_judgement_is_a_verdict_with_a_one_line_reason():
    for j in judgements():
        assert j["verdict"] in VERDICTS, j
        assert j["reason"].strip() and "\n" not in j["reason"], j


def test_the_drawn_edges_quotes_are_in_their_sources():
    edges = written_edges()
    texts = {p.name: _squash(p.read_text(encoding="utf-8"))
             for p in (DEFAULT_DATA_DIR / "sources").glob("*.txt")}
    for edge in draw(edges):
        for entry in edges[edge]["provenance"]:
            assert _squash(entry["quote"]) in texts[entry["source"]], (edge, entry["quote"])


def test_the_draw_is_fixed_and_depends_on_the_edges():
    edges = written_edges()
    assert draw(edges) == draw(dict(edges))
    fewer = dict(sorted(edges.items())[1:])
    assert draw(fewer) != draw(edges)


def test_the_audit_meets_its_goal(capsys):
    """Goal of issue 14: no wrong edge, at most one doubtful, among the 40."""
    verdicts = [j["verdict"] for j in judgements()]
    assert verdicts.count("wrong") == 0
    assert verdicts.count("doubtful") <= 1
    assert main(["--counts"]) == 0
    assert capsys.readouterr().out.startswith(f"{SAMPLE} edges drawn")


def test_a_stale_judgement_file_fails(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "stale.yaml"
    text = JUDGEMENTS.read_text(encoding="utf-8")
    first = judgements()[0]["edge"]
    stale.write_text(text.replace(first, "nobody -OPERATES-> nothing"), encoding="utf-8")
    monkeypatch.setattr("bench.precision_audit.judgements.__defaults__", (stale,))
    assert main(["--counts"]) == 1
    assert first in capsys.readouterr().err
