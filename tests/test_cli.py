"""The innograph command line: output, errors and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from innograph.cli import main
from loaders.dataset import default_data_dir, load_graph
from queries.embedded_backend import EmbeddedBackend

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"


def test_validate_valid_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(VALID)]) == 0
    assert "valid: 5 nodes, 4 edges" in capsys.readouterr().out


def test_validate_takes_the_data_directory_as_every_command_does(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``--data DIR`` as stats, show, export and serve take it (it was refused as an
    unrecognised argument); given twice, PATH and --data, it is a usage error."""
    assert main(["validate", "--data", str(VALID)]) == 0
    assert f"{VALID}: valid: 5 nodes, 4 edges" in capsys.readouterr().out
    assert main(["validate", str(VALID), "--data", str(VALID)]) == 2
    assert "PATH or --data" in capsys.readouterr().err


def test_validate_invalid_data_exits_1_with_grouped_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "bad"
    shutil.copytree(VALID, root)
    shutil.copytree(FIXTURES / "bad" / "wrong-endpoint-kind", root, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "bad" / "quote-not-found", root, dirs_exist_ok=True)
    assert main(["validate", str(root)]) == 1
    err = capsys.readouterr().err
    assert "INVALID, nothing was loaded" in err
    assert "wrong-endpoint-kind: 1" in err and "quote-not-found: 1" in err
    assert "edges/extra.yaml:record 1 (line 1) [from]" in err


def test_validate_all_errors_lists_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "bad"
    shutil.copytree(VALID, root)
    (root / "edges" / "many.csv").write_text(
        "from,rel,to,source,quote\n" + "".join(
            f"demo-fund,FUNDS,lab-{n},report.txt,示例实验室\n" for n in range(10)),
        encoding="utf-8")
    assert main(["validate", str(root), "--all-errors"]) == 1
    err = capsys.readouterr().err
    assert sum("no node with id 'lab-" in line for line in err.splitlines()) == 10


def test_stats_prints_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--data", str(VALID)]) == 0
    out = capsys.readouterr().out
    assert "5 nodes, 4 edges" in out and "FUNDS" in out
    assert main(["stats", "--data", str(VALID), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["nodes_by_kind"]["Fund"] == 1


def test_show_by_name_and_alias(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "示例基金", "--data", str(VALID)]) == 0
    out = capsys.readouterr().out
    assert "id=demo-fund" in out and "-FUNDS-> demo-lab" in out
    assert main(["show", "Demo Fund", "--data", str(VALID), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "demo-fund"


def test_show_unknown_entity_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "示例", "--data", str(VALID)]) == 0  # an alias, exact
    capsys.readouterr()
    assert main(["show", "demo", "--data", str(VALID)]) == 1
    err = capsys.readouterr().err
    assert "no entity with id or name 'demo'" in err and "did you mean: demo-" in err


def test_missing_data_dir_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["stats", "--data", str(tmp_path / "nowhere")]) == 1
    assert "not a data directory" in capsys.readouterr().err


def test_generate_then_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--nodes", "300", "--out", str(tmp_path), "--like", str(VALID)]) == 0
    assert "wrote 300 nodes" in capsys.readouterr().out
    assert main(["validate", str(tmp_path)]) == 0
    assert main(["generate", "--nodes", "0", "--out", str(tmp_path)]) == 1


def test_console_script_usage_errors_exit_2() -> None:
    result = subprocess.run([sys.executable, "-m", "innograph.cli", "frobnicate"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "invalid choice" in result.stderr
    result = subprocess.run([sys.executable, "-m", "innograph.cli", "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "validate" in result.stdout and "Exit codes" in result.stdout


def test_show_prints_every_quote_of_a_relation_and_what_qualifies_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A relation resting on several sentences shows them all, and a group's statement or a
    note says so, in the text as in --json (on data/)."""
    view = EmbeddedBackend(load_graph(default_data_dir())).entity(
        "changbaishan-lab", edge_limit=10**9)
    edges = view["edges"]["out"] + view["edges"]["in"]
    several = [e for e in edges if len(e["provenance"]) > 1]
    collective = [e for e in edges if e["properties"].get("collective_of")]
    assert several and collective  # what this test is about is in the data
    assert main(["show", "changbaishan-lab"]) == 0
    text = capsys.readouterr().out
    for edge in edges:
        for p in edge["provenance"]:
            assert f"“{p['quote']}”" in text
        if "note_en" in edge["properties"]:
            assert f"note: {edge['properties']['note_en']}" in text
    for edge in collective:
        assert f"said of the group {edge['properties']['collective_of']} as a whole" in text
    assert main(["show", "changbaishan-lab", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["properties"] for e in shown["out"]] == [
        e["properties"] for e in view["edges"]["out"]]
