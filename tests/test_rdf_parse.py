"""The RDF reader's index (``loaders.rdf_parse``): its lenient parse gives the index of one strict
pyoxigraph pass (same subjects, predicates and objects, in the same order), and the same errors,
with the same lines."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from graph.rdf.export import export_graph
from loaders.dataset import load_graph
from loaders.problems import LoadError
from loaders.rdf import RDF_SUFFIXES
from loaders.rdf_parse import index_into, parse_subjects


def one_pass(path: Path) -> dict:
    """The index by the plain definition: every triple of one pyoxigraph pass, in order."""
    subjects: dict = {}
    index_into(subjects, ox.parse(path=path, format=RDF_SUFFIXES[path.suffix]))
    return subjects


def ordered(subjects: dict) -> list:
    """The index as nested lists, so that comparing two of them compares every order too."""
    return [(s, [(p, list(objects)) for p, objects in values.items()])
            for s, values in subjects.items()]


@pytest.mark.parametrize("fmt", ["nt", "nq", "ttl", "trig"])
def test_the_lenient_parse_gives_the_strict_index(generated_graph_400: nx.MultiDiGraph, fmt: str,
                                                 tmp_path: Path) -> None:
    path = tmp_path / f"graph.{fmt}"
    export_graph(generated_graph_400, fmt, path, progress=False)
    assert ordered(parse_subjects(path, RDF_SUFFIXES[path.suffix])) == ordered(one_pass(path))


def test_blank_nodes_and_repeats(tmp_path: Path) -> None:
    """A blank node label names one node in the whole file; a repeated triple (as N-Quads
    repeat them across graphs) is one triple."""
    lines = [f'_:b{n % 7} <https://example.org/p{n % 3}> "v{n % 11}"@zh .\n' for n in range(400)]
    lines += [f"<https://example.org/s{n % 5}> <https://example.org/q> _:b{n % 7} .\n"
              for n in range(400)]
    path = tmp_path / "blank.nt"
    path.write_text("".join(lines + lines[:50]), encoding="utf-8")
    found = parse_subjects(path, ox.RdfFormat.N_TRIPLES)
    assert ordered(found) == ordered(one_pass(path))
    assert len(found) == 7 + 5  # each label one node


def _exported_lines(rich_graph: nx.MultiDiGraph, tmp_path: Path) -> list[str]:
    path = tmp_path / "rich.nt"
    export_graph(rich_graph, "nt", path, progress=False)
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.mark.parametrize("where", ["first half", "second half", "both halves", "across lines"])
def test_syntax_errors_are_the_one_pass_errors(rich_graph: nx.MultiDiGraph, rich_dir: Path,
                                                tmp_path: Path, where: str) -> None:
    lines = _exported_lines(rich_graph, tmp_path)
    middle = len(lines) // 2
    broken = {"first half": [middle // 2], "second half": [middle + middle // 2],
              "both halves": [middle // 2, middle + middle // 2]}.get(where, [])
    for n in broken:
        lines[n] = lines[n].replace(">", "", 1)  # an unterminated IRI
    if where == "across lines":  # one statement broken over two lines at the middle
        lines[middle] = lines[middle].replace(" <", "\n<", 1)
    path = tmp_path / "broken.nt"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SyntaxError) as expected:
        one_pass(path)
    with pytest.raises(SyntaxError) as found:
        parse_subjects(path, ox.RdfFormat.N_TRIPLES)
    assert (found.value.msg, found.value.lineno) == (expected.value.msg, expected.value.lineno)

    with pytest.raises(LoadError) as caught:
        load_graph(path, sources_dir=rich_dir / "sources", progress=False)
    (problem,) = caught.value.report.kept
    assert problem.kind == "malformed-file"
    assert problem.location == f"line {expected.value.lineno}"
    assert problem.message == f"invalid nt RDF: {expected.value.msg}"


def test_unwanted_predicates_are_not_indexed(generated_graph_400: nx.MultiDiGraph,
                                             tmp_path: Path) -> None:
    """With ``wanted``, the index is the full index without the other predicates (and without
    subjects left with none), in the same order."""
    path = tmp_path / "graph.nt"
    export_graph(generated_graph_400, "nt", path, progress=False)
    dropped = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/ns/prov#entity"}
    full = one_pass(path)
    assert any(dropped & set(values) for values in full.values())
    expected = {s: {p: o for p, o in values.items() if p not in dropped}
                for s, values in full.items()}
    expected = {s: values for s, values in expected.items() if values}
    wanted = parse_subjects(path, ox.RdfFormat.N_TRIPLES,
                            wanted=lambda iri: iri not in dropped)
    assert ordered(wanted) == ordered(expected)


@pytest.mark.parametrize("flaw", ["<https://example.org/a b>", "<relative>", '"x"@en-gb-0000000000',
                                  '"x"^^<no-scheme>'])
def test_terms_a_lenient_parse_skips_are_still_refused(rich_graph: nx.MultiDiGraph,
                                                       tmp_path: Path, flaw: str) -> None:
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
        parse_subjects(path, ox.RdfFormat.N_TRIPLES,
                       wanted=lambda iri: False)
    assert (found.value.msg, found.value.lineno) == (expected.value.msg, expected.value.lineno)
