"""Loaders: each format, and each class of bad input reported with its place."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph.embedded import statistics
from loaders.dataset import load_graph
from loaders.problems import LoadError, ProblemReport

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"


def overlay(tmp_path: Path, case: str) -> Path:
    """The valid fixture with the files of ``bad/<case>`` added on top."""
    root = tmp_path / case
    shutil.copytree(VALID, root)
    shutil.copytree(FIXTURES / "bad" / case, root, dirs_exist_ok=True)
    return root


def problems_of(root: Path) -> ProblemReport:
    with pytest.raises(LoadError) as caught:
        load_graph(root, progress=False)
    return caught.value.report


def test_valid_yaml_fixture_loads_with_types_and_provenance() -> None:
    g = load_graph(VALID, progress=False)
    assert g.number_of_nodes() == 5 and g.number_of_edges() == 4
    assert g.nodes["demo-plan"]["start_year"] == 2025
    assert g.nodes["demo-fund"]["aliases"] == ["示例"]
    funds = g.edges["demo-fund", "demo-lab", "FUNDS"]
    assert funds["mode_zh"] == "重点支持"
    quote = "示例基金聚焦光电信息领域，重点支持示例实验室开展攻关。"
    assert funds["provenance"] == [{"source": "report.txt", "quote": quote}]
    assert g.graph["version"]


def test_csv_and_jsonl_loader_reads_lists_numbers_and_several_quotes() -> None:
    g = load_graph(FIXTURES / "valid-tabular", progress=False)
    fund = g.nodes["demo-fund"]
    assert fund["aliases"] == ["示例", "DF"]
    assert [p["quote"] for p in fund["provenance"]] == ["示例基金聚焦光电信息领域", "示例基金"]
    # observations.csv: the CSV cells "1000000" and "2024" become a number and a year
    [scale] = [v for _, v, rel in g.out_edges("demo-fund", keys=True)
               if rel == "HAS_OBSERVATION"]
    observation = g.nodes[scale]
    assert (observation["metric"], observation["value"], observation["bound"],
            observation["period_start"], observation["unit"]) == (
        "fund_scale_cny", 1_000_000, "at_least", 2024, "CNY")
    assert statistics(g)["edges_by_relation"] == {"FUNDS": 1, "HAS_OBSERVATION": 1,
                                                  "WORKS_IN_SECTOR": 1}


def test_version_changes_with_content(tmp_path: Path) -> None:
    first = load_graph(VALID, progress=False).graph["version"]
    assert load_graph(VALID, progress=False).graph["version"] == first
    root = overlay(tmp_path, "duplicate-edge")
    (root / "edges" / "extra.yaml").write_text(
        "- {from: demo-bureau, rel: SUPPORTS, to: demo-lab, provenance: "
        "[{source: report.txt, quote: 示例实验室}]}\n", encoding="utf-8")
    assert load_graph(root, progress=False).graph["version"] != first


# case -> (problem kind, file, location fragment, field, message fragment)
BAD_CASES = {
    "unknown-kind": ("unknown-kind", "nodes/extra.yaml", "record 1 (line 1)", "kind",
                     "'Laboratory'"),
    "missing-field": ("missing-field", "nodes/extra.yaml", "record 1", "id", "no id"),
    # Files load in name order, so the second "demo-lab" is the one in nodes.yaml.
    "duplicate-id": ("duplicate-id", "nodes/nodes.yaml", "record 4 (line", "id", "'demo-lab'"),
    "bad-id": ("bad-id", "nodes/extra.yaml", "record 1", "id", "'Demo Lab 2'"),
    "unknown-subtype": ("unknown-subtype", "nodes/extra.yaml", "record 1", "subtype",
                        "'spaceship'"),
    "unknown-property": ("unknown-property", "nodes/extra.yaml", "record 1", "stage",
                         "node kind Lab"),
    "bad-property-type": ("bad-property-type", "nodes/extra.yaml", "record 1",
                          "established_year", "expected a four-digit year"),
    "missing-provenance": ("missing-provenance", "nodes/extra.yaml", "record 1", "provenance",
                           "no provenance"),
    "quote-not-found": ("quote-not-found", "nodes/extra.yaml", "record 1",
                        "provenance[1].quote", "does not occur in report.txt"),
    "unknown-source": ("unknown-source", "nodes/extra.yaml", "record 1",
                       "provenance[1].source", "'missing.txt'"),
    "malformed-file": ("malformed-file", "nodes/extra.yaml", "line", None, "invalid YAML"),
    "dangling-endpoint": ("dangling-endpoint", "edges/extra.yaml", "record 1", "to",
                          "'no-such-lab'"),
    "wrong-endpoint-kind": ("wrong-endpoint-kind", "edges/extra.yaml", "record 1", "from",
                            "FUNDS cannot start at a Sector"),
    "unknown-relation": ("unknown-relation", "edges/extra.yaml", "record 1", "rel", "'LOVES'"),
    "duplicate-edge": ("duplicate-edge", "edges/extra.yaml", "record 1", None,
                       "demo-fund -FUNDS-> demo-lab"),
    "self-loop": ("self-loop", "edges/extra.yaml", "record 1", "to", "'demo-bureau'"),
    "malformed-jsonl": ("malformed-file", "edges/extra.jsonl", "line 2", None, "invalid JSON"),
    "csv-bad-row": ("missing-field", "edges/extra.csv", "line 3", "to", "no 'to'"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_reported_with_its_place(tmp_path: Path, case: str) -> None:
    kind, file, location, field, fragment = BAD_CASES[case]
    report = problems_of(overlay(tmp_path, case))
    matching = [p for p in report.kept if p.kind == kind]
    assert matching, report.summary()
    problem = matching[0]
    assert problem.file == file
    assert location in problem.location
    assert problem.field == field
    assert fragment in problem.message
    # The one-line rendering names file, place and field, as a user reads it.
    assert str(problem).startswith(f"{file}:{problem.location}")


def test_all_problems_are_reported_in_one_run(tmp_path: Path) -> None:
    root = tmp_path / "many"
    shutil.copytree(VALID, root)
    for case in ("unknown-kind", "wrong-endpoint-kind", "unknown-relation"):
        for path in (FIXTURES / "bad" / case).rglob("*.yaml"):
            target = root / path.parent.name / f"{case}.yaml"
            shutil.copy(path, target)
    report = problems_of(root)
    assert set(report.counts) >= {"unknown-kind", "wrong-endpoint-kind", "unknown-relation"}


def test_many_identical_mistakes_read_as_one_summary_line(tmp_path: Path) -> None:
    root = tmp_path / "repeated"
    shutil.copytree(VALID, root)
    lines = ["from,rel,to,source,quote"]
    lines += [f"demo-fund,FUNDS,lab-{n},report.txt,示例实验室" for n in range(5000)]
    (root / "edges" / "many.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = problems_of(root)
    assert report.counts == {"dangling-endpoint": 5000}
    summary = report.summary(examples=3)
    assert "dangling-endpoint: 5000" in summary
    assert "... and 4997 more" in summary
    assert len(summary.splitlines()) == 6
    assert len(report.full().splitlines()) == 5000


def test_kept_problems_are_bounded_but_all_counted(tmp_path: Path) -> None:
    root = tmp_path / "bounded"
    shutil.copytree(VALID, root)
    lines = ["from,rel,to,source,quote"]
    lines += [f"demo-fund,FUNDS,lab-{n},report.txt,示例实验室" for n in range(300)]
    (root / "edges" / "many.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_graph(root, progress=False, max_kept_problems=100)
    assert caught.value.report.total == 300
    assert len(caught.value.report.kept) == 100
    assert "200 more not kept" in caught.value.report.full()


def test_quotes_can_be_skipped_on_request(tmp_path: Path) -> None:
    g = load_graph(overlay(tmp_path, "quote-not-found"), check_quotes=False, progress=False)
    assert "demo-lab-2" in g


def test_not_a_data_directory_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a data directory"):
        load_graph(tmp_path / "nope", progress=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no node files"):
        load_graph(tmp_path / "empty", progress=False)


def test_jsonl_reader_reads_each_line_as_json_does(tmp_path: Path) -> None:
    """The fast JSON Lines path gives json's own values, also where orjson refuses a line
    (NaN, integers beyond 64 bits) and for blank lines, which are skipped."""
    import json

    from loaders.readers import read_jsonl

    lines = ['{"id": "a", "name_zh": "长春", "n": 1.5e-05}', "   ", "",
             '{"id": "b", "big": 123456789012345678901234567890, "x": NaN}',
             '{"id": "c", "esc": "\\u957f\\n", "list": [1, 2.0, null, true]}']
    path = tmp_path / "n.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = list(read_jsonl(path))
    assert [location for location, _ in read] == ["line 1", "line 4", "line 5"]
    expected = [json.loads(lines[0]), json.loads(lines[3]), json.loads(lines[4])]
    assert [repr(record) for _, record in read] == [repr(record) for record in expected]
    assert read[1][1]["big"] == 123456789012345678901234567890


@pytest.mark.parametrize(("content", "location", "message"), [
    (b'{"id": "a"}\n{"id": \n', "line 2", "invalid JSON"),
    (b'{"id": "a"}\n{"id": "\xff"}\n', "line 2", "not UTF-8 text"),
])
def test_jsonl_reader_names_the_bad_line(tmp_path: Path, content: bytes, location: str,
                                         message: str) -> None:
    from loaders.readers import MalformedFile, read_jsonl

    path = tmp_path / "n.jsonl"
    path.write_bytes(content)
    with pytest.raises(MalformedFile) as caught:
        list(read_jsonl(path))
    assert caught.value.location == location and str(caught.value).startswith(message)


def test_a_load_leaves_its_objects_to_the_oldest_collections_and_a_freeze_alone() -> None:
    """Loaded objects live as long as the graph: they go straight to the oldest generation
    instead of being walked by the next young collection. A caller's own freeze stays. (In a
    fresh interpreter: other tests freeze objects, as `innograph serve` does.)"""
    script = f"""
import gc
from loaders.dataset import load_graph
assert gc.get_freeze_count() == 0
g = load_graph({str(VALID)!r}, progress=False)
assert gc.isenabled()
assert not any(o is g._node for o in gc.get_objects(generation=0))
assert any(o is g._node for o in gc.get_objects(generation=2))
gc.freeze()
frozen = gc.get_freeze_count()
h = load_graph({str(VALID)!r}, progress=False)
assert gc.get_freeze_count() == frozen
assert not any(o is h._node for o in gc.get_objects(generation=2))  # left young
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).parents[1], timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
