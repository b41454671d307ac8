"""The two-worker RDF load (``loaders.rdf_parallel``): on an N-Triples, N-Quads or Turtle file
whose records each lie within one part it gives exactly the ordinary load's graph (every
attribute, the order of nodes, of out- and in-edges, the version); a problem anywhere, or a
record across the cut, makes it give up, and ``load_graph`` then gives exactly what the
ordinary load gives, errors included."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from rdf_fixtures import generated_dir, generated_graph, graph_view, rich_dir, rich_graph

from graph.embedded import stamp_version
from graph.rdf.export import export_graph
from graph.rdf.namespaces import RDF_TYPE
from graph.schema import load_schema
from loaders.dataset import load_graph
from loaders.problems import LoadError
from loaders.rdf_parallel import can_load_in_two, load_in_two, record_start_after_middle
from loaders.validate import SourceTexts

__all__ = ["generated_dir", "generated_graph", "rich_dir", "rich_graph"]


def in_two(path: Path, sources: Path) -> nx.MultiDiGraph | None:
    return load_in_two(path, load_schema(), SourceTexts(sources))


def ordinary(path: Path, sources: Path) -> nx.MultiDiGraph:
    return load_graph(path, sources_dir=sources, progress=False, processes=1)


def assert_same_graph(found: nx.MultiDiGraph, expected: nx.MultiDiGraph) -> None:
    assert graph_view(found) == graph_view(expected)
    assert list(found.nodes) == list(expected.nodes)
    assert list(found.edges(keys=True)) == list(expected.edges(keys=True))
    assert list(found.in_edges(keys=True)) == list(expected.in_edges(keys=True))
    version = found.graph["version"]
    assert version == expected.graph["version"]
    assert stamp_version(found) == version  # the workers' encodings: the graph's own


def export_lines(g: nx.MultiDiGraph, path: Path) -> list[str]:
    export_graph(g, path.suffix[1:], path, progress=False)
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["nt", "nq", "ttl"])
@pytest.mark.parametrize("which", ["generated", "rich"])
def test_gives_the_ordinary_graph(which: str, fmt: str, tmp_path: Path,
                                  request: pytest.FixtureRequest) -> None:
    g: nx.MultiDiGraph = request.getfixturevalue(f"{which}_graph")
    sources = request.getfixturevalue(f"{which}_dir") / "sources"
    path = tmp_path / f"graph.{fmt}"
    export_graph(g, fmt, path, progress=False)
    found = in_two(path, sources)
    assert found is not None  # it did not give up
    expected = ordinary(path, sources)
    assert_same_graph(found, expected)
    assert graph_view(found) == graph_view(g)
    assert_same_graph(load_graph(path, sources_dir=sources, progress=False, processes=2),
                      expected)


def test_nodes_and_edges_in_both_parts(generated_graph: nx.MultiDiGraph, generated_dir: Path,
                                       tmp_path: Path) -> None:
    """Edges in one part whose ends are nodes of the other: ids and kinds cross."""
    sources = generated_dir / "sources"
    lines = _first_node_at_the_end(export_lines(generated_graph, tmp_path / "graph.nt"))
    path = write_lines(tmp_path / "moved.nt", lines)
    found = in_two(path, sources)
    assert found is not None
    assert list(found.nodes)[-1] == next(iter(generated_graph.nodes))
    assert graph_view(found) == graph_view(generated_graph)
    assert_same_graph(found, ordinary(path, sources))


def test_the_cut_is_at_a_record_start(generated_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "graph.nt"
    export_graph(generated_graph, "nt", path, progress=False)
    data = path.read_bytes()
    cut = record_start_after_middle(path)
    assert cut is not None and data[cut - 1:cut] == b"\n"
    lines_before = data[:cut].count(b"\n")
    total = data.count(b"\n")
    assert abs(lines_before - total / 2) < total / 10  # about the middle line
    line = data[cut:data.index(b"\n", cut)].decode()
    previous = data[data.rindex(b"\n", 0, cut - 1) + 1:cut - 1].decode()
    subject, predicate, _ = line.split(" ", 2)
    assert predicate == f"<{RDF_TYPE}>"
    assert previous.split(" ", 1)[0] != subject
    no_types = write_lines(tmp_path / "untyped.nt", [
        f"<https://example.org/s{n}> <https://example.org/p> \"{n}\" ." for n in range(999)])
    assert record_start_after_middle(no_types) is None
    assert in_two(no_types, tmp_path) is None


def _first_node_at_the_end(lines: list[str]) -> list[str]:
    """The file with its first node's record (its triples and provenance) moved to the end:
    a valid file with nodes in both parts."""
    end = next(n for n, line in enumerate(lines[1:], start=1)
               if f"<{RDF_TYPE}>" in line and line.split(" ", 1)[0] != lines[0].split(" ", 1)[0])
    return _moved_to_the_end(lines, list(range(end)))


def _moved_to_the_end(lines: list[str], moved: list[int]) -> list[str]:
    return [line for n, line in enumerate(lines) if n not in moved] + [lines[n] for n in moved]


def test_records_across_the_cut_fall_back_to_the_ordinary_load(
        generated_graph: nx.MultiDiGraph, generated_dir: Path, tmp_path: Path) -> None:
    """Valid files the workers cannot split: the ordinary load reads them."""
    sources = generated_dir / "sources"
    lines = export_lines(generated_graph, tmp_path / "graph.nt")
    prov = [n for n, line in enumerate(lines[:len(lines) // 3]) if "/provenance/" in
            line.split(" ", 1)[0]]
    variants = {
        "sorted": sorted(lines),  # every subject's triples together, records scattered
        # a node's provenance entry at the other end of the file
        "provenance elsewhere": _moved_to_the_end(lines, prov[:3]),
        # a node's type repeated at the end: one subject with triples in both parts
        "subject in both parts": [*lines, next(line for line in lines
                                               if f"<{RDF_TYPE}>" in line)],
    }
    for name, variant in variants.items():
        path = write_lines(tmp_path / f"{name.replace(' ', '-')}.nt", variant)
        assert in_two(path, sources) is None, name
        expected = ordinary(path, sources)
        assert graph_view(expected) == graph_view(generated_graph)
        assert_same_graph(load_graph(path, sources_dir=sources, progress=False, processes=2),
                          expected)


def test_turtle_prefixes_after_the_first_statement_fall_back(
        generated_graph: nx.MultiDiGraph, generated_dir: Path, tmp_path: Path,
        capfd: pytest.CaptureFixture[str]) -> None:
    """The second part is read after the file's leading prefixes: one declared later, before
    the cut, could change what the second part means, so the ordinary load reads the file."""
    sources = generated_dir / "sources"
    lines = export_lines(generated_graph, tmp_path / "graph.ttl")
    first_blank = lines.index("", lines.index("") + 1)  # after the prefixes and a record
    lines.insert(first_blank, "@prefix id: <https://innograph.org/id/> .")
    path = write_lines(tmp_path / "late-prefix.ttl", lines)
    assert in_two(path, sources) is None
    assert "Traceback" not in capfd.readouterr().err  # workers stopped mid-way stay quiet
    expected = ordinary(path, sources)
    assert graph_view(expected) == graph_view(generated_graph)
    assert_same_graph(load_graph(path, sources_dir=sources, progress=False, processes=2),
                      expected)
    without = write_lines(tmp_path / "graph-again.ttl", [*lines[:first_blank],
                                                          *lines[first_blank + 1:]])
    assert in_two(without, sources) is not None


def _problems(path: Path, sources: Path, processes: int) -> list[tuple]:
    with pytest.raises(LoadError) as caught:
        load_graph(path, sources_dir=sources, progress=False, processes=processes)
    return [(p.kind, p.file, p.location, p.field, p.message) for p in caught.value.report.kept]


def _second_half(lines: list[str], needle: str) -> int:
    return next(n for n in range(len(lines) // 2 + len(lines) // 10, len(lines))
                if needle in lines[n])


def test_problems_are_reported_as_the_ordinary_load_reports_them(
        generated_graph: nx.MultiDiGraph, generated_dir: Path, tmp_path: Path) -> None:
    sources = generated_dir / "sources"
    lines = _first_node_at_the_end(export_lines(generated_graph, tmp_path / "graph.nt"))
    quote = _second_half(lines, "ontology#quote>")
    node_id = next(n for n, line in enumerate(lines) if "ontology#id>" in line)
    moved_id = _second_half(lines, "ontology#id>")
    statement = _second_half(lines, "rdf-syntax-ns#Statement>")
    about = lines[statement].split(" ", 1)[0]
    broken = {
        "a quote not in its source": {quote: lines[quote].replace('"', '"不在原文', 1)},
        "a syntax error": {quote: lines[quote].replace(">", "", 1)},
        # the relation triple is in the other part: no statement anywhere is about it
        "a relation triple without its statement": {
            n: "" for n, line in enumerate(lines) if line.startswith(f"{about} ")},
        # the node in the second part takes the id of one in the first
        "an id used twice": {moved_id: lines[moved_id].rsplit(" ", 2)[0] + " "
                             + lines[node_id].rsplit(" ", 2)[1] + " ."},
    }
    for name, changes in broken.items():
        variant = [changes.get(n, line) for n, line in enumerate(lines)]
        path = write_lines(tmp_path / f"{name.replace(' ', '-')}.nt",
                           [line for line in variant if line])
        assert in_two(path, sources) is None, name
        expected = _problems(path, sources, processes=1)
        assert expected, name
        assert _problems(path, sources, processes=2) == expected, name


def test_when_it_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nt = write_lines(tmp_path / "a.nt", ["<https://e.org/s> <https://e.org/p> <https://e.org/o> ."])
    for suffix in ("ttl", "trig", "jsonld"):
        (tmp_path / f"a.{suffix}").write_text("", encoding="utf-8")
    assert can_load_in_two(nt, 2)
    assert can_load_in_two(tmp_path / "a.ttl", 2)
    assert not can_load_in_two(nt, 1)
    assert not can_load_in_two(nt, None)  # a small file: not worth two processes
    assert not can_load_in_two(tmp_path / "a.trig", 2)  # graph blocks: no cut between them
    assert not can_load_in_two(tmp_path / "a.jsonld", 2)
    monkeypatch.setattr("loaders.rdf_parallel.MAX_BYTES", 10)
    assert not can_load_in_two(nt, 2)  # too large: each worker would hold its part


def test_progress_counts_the_file_twice(generated_graph: nx.MultiDiGraph, generated_dir: Path,
                                        tmp_path: Path) -> None:
    """Bytes read, then bytes' worth of records loaded: a bar of twice the file's size fills
    as the workers go, not at the end only."""
    path = tmp_path / "graph.nt"
    export_graph(generated_graph, "nt", path, progress=False)
    steps: list[float] = []
    assert load_in_two(path, load_schema(), SourceTexts(generated_dir / "sources"),
                       steps.append) is not None
    size = path.stat().st_size
    assert len(steps) > 3
    assert sum(steps) == pytest.approx(2 * size, rel=1e-6)
    cut = record_start_after_middle(path)
    assert cut is not None and cut in steps and size - cut in steps  # each part, once read
