"""The RDF reader's index: parsing a line-based file in two processes gives the same index (same
subjects, predicates and objects, in the same order), the same graph and the same errors as
one pass over the file."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from rdf_fixtures import FIXTURES, generated_dir, generated_graph, graph_view, rich_dir, rich_graph

import loaders.rdf_parse as rdf_parse
from graph.rdf.export import export_graph
from loaders.dataset import load_graph
from loaders.problems import LoadError
from loaders.rdf import RDF_SUFFIXES
from loaders.rdf_parse import index_into, parse_subjects

__all__ = ["generated_dir", "generated_graph", "rich_dir", "rich_graph"]


def one_pass(path: Path) -> dict:
    """The index by the plain definition: every triple of one pyoxigraph pass, in order."""
    subjects: dict = {}
    index_into(subjects, ox.parse(path=path, format=RDF_SUFFIXES[path.suffix]))
    return subjects


def ordered(subjects: dict) -> list:
    """The index as nested lists, so that comparing two of them compares every order too."""
    return [(s, [(p, list(objects)) for p, objects in values.items()])
            for s, values in subjects.items()]


def halves(path: Path) -> tuple[set[str], set[str]]:
    """The subjects of each side of the cut, each part parsed on its own."""
    cut = rdf_parse.line_start_after_middle(path)
    assert cut is not None
    fmt = RDF_SUFFIXES[path.suffix]
    return (set(rdf_parse.index_part(path, fmt, 0, cut)),
            set(rdf_parse.index_part(path, fmt, cut, None)))


@pytest.mark.parametrize("fmt", ["nt", "nq"])
def test_two_processes_give_the_one_pass_index(generated_graph: nx.MultiDiGraph, fmt: str,
                                               tmp_path: Path) -> None:
    path = tmp_path / f"graph.{fmt}"
    export_graph(generated_graph, fmt, path, progress=False)
    first, second = halves(path)
    assert first & second  # subjects on both sides of the cut: the merge is exercised
    cut = rdf_parse.line_start_after_middle(path)
    two = rdf_parse._parse_in_two(path, RDF_SUFFIXES[path.suffix], cut)  # type: ignore[arg-type]
    assert two is not None  # it did not fall back to one pass
    assert ordered(two) == ordered(one_pass(path))
    assert ordered(parse_subjects(path, RDF_SUFFIXES[path.suffix], processes=2)) == \
        ordered(one_pass(path))


def test_blank_nodes_and_repeats_across_the_cut(tmp_path: Path) -> None:
    """A blank node label names one node in the whole file; a triple repeated on both sides
    of the cut (as N-Quads repeat them across graphs) is one triple."""
    lines = [f'_:b{n % 7} <https://example.org/p{n % 3}> "v{n % 11}"@zh .\n' for n in range(400)]
    lines += [f"<https://example.org/s{n % 5}> <https://example.org/q> _:b{n % 7} .\n"
              for n in range(400)]
    path = tmp_path / "blank.nt"
    path.write_text("".join(lines + lines[:50]), encoding="utf-8")
    first, second = halves(path)
    assert first & second
    assert ordered(parse_subjects(path, ox.RdfFormat.N_TRIPLES, processes=2)) == \
        ordered(one_pass(path))


def _exported_lines(rich_graph: nx.MultiDiGraph, tmp_path: Path) -> list[str]:
    path = tmp_path / "rich.nt"
    export_graph(rich_graph, "nt", path, progress=False)
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.mark.parametrize("where", ["first part", "second part", "both parts", "across the cut"])
def test_syntax_errors_are_the_one_pass_errors(rich_graph: nx.MultiDiGraph, rich_dir: Path,
                                                tmp_path: Path, where: str) -> None:
    lines = _exported_lines(rich_graph, tmp_path)
    middle = len(lines) // 2
    broken = {"first part": [middle // 2], "second part": [middle + middle // 2],
              "both parts": [middle // 2, middle + middle // 2]}.get(where, [])
    for n in broken:
        lines[n] = lines[n].replace(">", "", 1)  # an unterminated IRI
    if where == "across the cut":  # one statement broken over two lines at the middle
        lines[middle] = lines[middle].replace(" <", "\n<", 1)
    path = tmp_path / "broken.nt"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SyntaxError) as expected:
        one_pass(path)
    cut = rdf_parse.line_start_after_middle(path)
    assert rdf_parse._parse_in_two(path, ox.RdfFormat.N_TRIPLES, cut) is None  # type: ignore
    with pytest.raises(SyntaxError) as found:
        parse_subjects(path, ox.RdfFormat.N_TRIPLES, processes=2)
    assert (found.value.msg, found.value.lineno) == (expected.value.msg, expected.value.lineno)

    with pytest.raises(LoadError) as caught:
        load_graph(path, sources_dir=rich_dir / "sources", progress=False, processes=2)
    (problem,) = caught.value.report.kept
    assert problem.kind == "malformed-file"
    assert problem.location == f"line {expected.value.lineno}"
    assert problem.message == f"invalid nt RDF: {expected.value.msg}"


@pytest.mark.parametrize("fmt", ["nt", "nq"])
def test_load_graph_in_two_processes_builds_the_same_graph(
        generated_graph: nx.MultiDiGraph, generated_dir: Path, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"graph.{fmt}"
    export_graph(generated_graph, fmt, path, progress=False)
    sources = generated_dir / "sources"
    one = load_graph(path, sources_dir=sources, progress=False, processes=1)
    two = load_graph(path, sources_dir=sources, progress=False, processes=2)
    assert graph_view(two) == graph_view(one) == graph_view(generated_graph)
    assert list(two.edges(keys=True)) == list(one.edges(keys=True))  # the same order
    assert two.graph["version"] == one.graph["version"]


def test_small_and_not_line_based_files_take_one_process(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("two processes for a file that should take one")

    monkeypatch.setattr(rdf_parse, "_parse_in_two", fail)
    path = tmp_path / "graph.ttl"
    export_graph(load_graph(FIXTURES / "valid", progress=False), "ttl", path, progress=False)
    assert ordered(parse_subjects(path, ox.RdfFormat.TURTLE, processes=2)) == \
        ordered(one_pass(path))
    nt = tmp_path / "graph.nt"
    export_graph(load_graph(FIXTURES / "valid", progress=False), "nt", nt, progress=False)
    assert parse_subjects(nt, ox.RdfFormat.N_TRIPLES)  # below TWO_PROCESS_MIN_BYTES


@pytest.mark.parametrize("processes", [1, 2])
def test_unwanted_predicates_are_not_indexed(generated_graph: nx.MultiDiGraph, processes: int,
                                             tmp_path: Path) -> None:
    """With ``wanted``, the index is the full index without the other predicates (and without
    subjects left with none), in the same order, from one process or two."""
    path = tmp_path / "graph.nt"
    export_graph(generated_graph, "nt", path, progress=False)
    dropped = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/ns/prov#entity"}
    full = one_pass(path)
    assert any(dropped & set(values) for values in full.values())
    expected = {s: {p: o for p, o in values.items() if p not in dropped}
                for s, values in full.items()}
    expected = {s: values for s, values in expected.items() if values}
    wanted = parse_subjects(path, ox.RdfFormat.N_TRIPLES, processes=processes,
                            wanted=lambda iri: iri not in dropped)
    assert ordered(wanted) == ordered(expected)


@pytest.mark.parametrize("flaw", ["<https://example.org/a b>", "<relative>", '"x"@en-gb-0000000000',
                                  '"x"^^<no-scheme>'])
@pytest.mark.parametrize("processes", [1, 2])
def test_terms_a_lenient_parse_skips_are_still_refused(rich_graph: nx.MultiDiGraph,
                                                       tmp_path: Path, flaw: str,
                                                       processes: int) -> None:
    """The parse is lenient (it skips checking IRIs and language tags) and the reader checks
    them afterwards: a flawed one gives pyoxigraph's strict error, with its line, wherever
    it is and whatever predicate it is the object of."""
    lines = _exported_lines(rich_graph, tmp_path)
    for n in (len(lines) // 4, 3 * len(lines) // 4):
        subject, predicate, _ = lines[n].split(" ", 2)
        lines[n] = f"{subject} {predicate} {flaw} .\n"
    path = tmp_path / "flawed.nt"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SyntaxError) as expected:
        one_pass(path)
    assert expected.value.lineno == "".join(lines[:len(lines) // 4]).count("\n") + 1
    with pytest.raises(SyntaxError) as found:
        parse_subjects(path, ox.RdfFormat.N_TRIPLES, processes=processes,
                       wanted=lambda iri: False)
    assert (found.value.msg, found.value.lineno) == (expected.value.msg, expected.value.lineno)
