"""``innograph show --as-of`` and ``innograph changes`` as a user runs them (issue 14, part 4):
exit 0 with the dated answer, exit 2 naming the option on a bad date."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from innograph.cli import main


def test_show_as_of_prints_what_was_reported_then(capsys):
    assert main(["show", "长春", "--as-of", "2022-12-31", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert {p["source"] for p in view["provenance"]} == {"001_c2433cd2966890d3.txt"}
    assert main(["show", "长春", "--as-of", "2022-12-31"]) == 0
    text = capsys.readouterr().out
    assert "as reported up to 2022-12-31" in text
    assert "-OPERATES-> regional-innovation-centre (长春国家区域创新中心) [planned]" in text
    assert main(["show", "长春"]) == 0
    assert "-OPERATES-> regional-innovation-centre (长春国家区域创新中心) [ongoing]" in (
        capsys.readouterr().out)


def test_changes_lists_both_figures_with_quotes(capsys):
    assert main(["changes", "--from", "2022", "--to", "2025"]) == 0
    text = capsys.readouterr().out
    assert "before: 4 (2021-2021, actual) “获评国家级科技奖项4项”" in text
    assert "after:  12 (2023-2023, actual) “12项成果荣获2023年度国家科学技术奖”" in text
    assert "before: 2296 (2021-2021, actual) “全市国家级高新技术企业总数达到2296户”" in text
    assert "after:  ×2 (2023-2025, actual) “而高新技术企业数量翻倍增长" in text
    assert "status changed: changchun -OPERATES-> regional-innovation-centre: planned" in text
    assert main(["changes", "--from", "2022", "--to", "2025", "--json", "--limit", "3"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert len(answer["items"]) == 3 and answer["total"] > 3


def test_changes_of_some_kinds_about_some_entities(capsys):
    assert main(["changes", "--from", "2022", "--to", "2025", "--json"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert main(["changes", "--from", "2022", "--to", "2025", "--change", "appeared",
                 "--kind", "Lab,Fund", "--json"]) == 0
    some = json.loads(capsys.readouterr().out)
    assert 0 < some["total"] == some["counts"]["appeared"] < whole["counts"]["appeared"]
    assert main(["changes", "--from", "2022", "--to", "2025", "--change", "appeared",
                 "--kind", "Lab", "--kind", "Fund"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"Changes from 2022 to 2025: {some['total']} appeared, 0 not "
                           "reported since, 0 status changed, 0 metric")
    assert "appeared: changbaishan-lab (长白山实验室) [Lab]" in text


def test_changes_about_one_entity(capsys):
    assert main(["changes", "--from", "2022", "--to", "2025", "--entity", "长春",
                 "--change", "metric"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Changes from 2022 to 2025 about changchun: 0 appeared, 0 not "
                           "reported since, 0 status changed, 2 metric")
    assert main(["changes", "--from", "2022", "--to", "2025", "--entity", "nowhere"]) == 1
    assert "no entity with id or name 'nowhere'" in capsys.readouterr().err


@pytest.mark.parametrize(("option", "value"), [("--change", "gone"), ("--kind", "Startup")])
def test_changes_refuses_an_unknown_filter_naming_the_option(capsys, option, value):
    assert main(["changes", "--from", "2022", "--to", "2025", option, value]) == 2
    assert f"argument {option}: unknown" in capsys.readouterr().err


def test_stats_as_of_counts_what_was_reported_then(capsys):
    """The 2022 article alone: fewer nodes than both, none quoted from the 2025 article."""
    assert main(["stats", "--json"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert main(["stats", "--as-of", "2022", "--json"]) == 0
    then = json.loads(capsys.readouterr().out)
    assert 0 < then["nodes"] < whole["nodes"] and 0 < then["edges"] < whole["edges"]
    assert set(then["quotes_by_source"]) == {"001_c2433cd2966890d3.txt"}
    assert then["version"] == f"{whole['version']}@2022"
    assert main(["stats", "--as-of", "2022"]) == 0
    assert f"{then['nodes']} nodes, {then['edges']} edges as reported up to 2022" in (
        capsys.readouterr().out)


def test_export_as_of_writes_what_was_reported_then(tmp_path, capsys):
    """The 2022 article's graph as N-Quads (read by pyoxigraph): its named graph alone, and
    no node that only the 2025 article reports (长兴基金, first named in it)."""
    out = tmp_path / "2022.nq"
    assert main(["export", "--as-of", "2022", "--out", str(out)]) == 0
    assert "wrote data as N-Quads" in capsys.readouterr().err
    quads = list(ox.parse(path=out, format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert graphs == {"https://innograph.org/source/001_c2433cd2966890d3.txt"}
    subjects = {q.subject.value for q in quads}
    assert "https://innograph.org/id/changchun" in subjects
    assert main(["export", "--out", str(tmp_path / "all.nq")]) == 0
    later = {q.subject.value for q in ox.parse(path=tmp_path / "all.nq",
                                               format=ox.RdfFormat.N_QUADS)} - subjects
    assert "https://innograph.org/id/changxing-fund" in later


@pytest.mark.parametrize(("argv", "words"), [
    (["show", "changchun", "--as-of", "2022-13"], "argument --as-of: is not a date"),
    (["show", "changchun", "--as-of", "soon"], "argument --as-of: must be a date"),
    (["show", "changchun", "--as-of", "2021"], "argument --as-of: 2021 is before the earliest"),
    (["changes", "--from", "2025", "--to", "2022"], "argument --from: from (2025) must be"),
    (["changes", "--from", "2022", "--to", "x"], "argument --to: must be a date"),
    (["changes", "--from", "2019", "--to", "2025"], "argument --from: 2019 is before"),
    (["changes", "--from", "2022", "--to", "2025", "--limit", "0"], "argument --limit:"),
    (["stats", "--as-of", "2021"], "argument --as-of: 2021 is before the earliest"),
    (["stats", "--as-of", "2022-02-30"], "argument --as-of: is not a date"),
    (["export", "--as-of", "2021"], "argument --as-of: 2021 is before the earliest"),
    (["export", "--as-of", "2022", "--shapes"], "argument --as-of: dates the data; the ontology"),
])
def test_bad_dates_exit_2_naming_the_option(capsys, argv, words):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    assert code == 2
    assert words in capsys.readouterr().err
