"""RDF in: an export loads back into the same graph in every format, and RDF that follows the
ontology loads like any data file, with the same validation and the same problem kinds."""

from __future__ import annotations

import shutil
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from rdf_fixtures import (
    FIXTURES,
    GRAPH_FIXTURES,
    OX_FORMATS,
    exported,
    fixture_provenance_iri,
    graph_view,
)

from graph.rdf.export import FORMATS, export_graph
from graph.rdf.namespaces import vocabulary
from innograph.cli import main
from loaders.dataset import DEFAULT_DATA_DIR, load_graph
from loaders.problems import LoadError

VOCAB = vocabulary()
IG = VOCAB.ns
ID = "https://innograph.org/id/"
RDF_TYPE = VOCAB.expand("rdf:type")


def sources_of(graph_name: str, request: pytest.FixtureRequest) -> Path:
    return {"fixture_graph": lambda: FIXTURES / "valid",
            "rich_graph": lambda: request.getfixturevalue("rich_dir"),
            "generated_graph_400": lambda: request.getfixturevalue("generated_dir_400"),
            "data_graph": lambda: DEFAULT_DATA_DIR}[graph_name]() / "sources"


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("graph_name", GRAPH_FIXTURES)
def test_round_trip_gives_the_same_graph(graph_name: str, fmt: str, tmp_path: Path,
                                         request: pytest.FixtureRequest) -> None:
    g = request.getfixturevalue(graph_name)
    path = tmp_path / f"graph{FORMATS[fmt].extension}"
    export_graph(g, fmt, path, progress=False)
    back = load_graph(path, sources_dir=sources_of(graph_name, request), progress=False)
    assert graph_view(back) == graph_view(g)  # nodes, edges, properties, provenance
    assert list(back) == list(g)  # and the node order
    assert list(back.edges(keys=True)) == list(g.edges(keys=True))  # and the edge order
    assert back.graph["version"] == g.graph["version"]  # so the same version


def test_a_directory_with_an_rdf_file_loads(rich_graph: nx.MultiDiGraph, rich_dir: Path,
                                            tmp_path: Path) -> None:
    export_graph(rich_graph, "ttl", tmp_path / "graph.ttl", progress=False)
    shutil.copytree(rich_dir / "sources", tmp_path / "sources")
    assert graph_view(load_graph(tmp_path, progress=False)) == graph_view(rich_graph)


def test_rdf_and_yaml_files_load_together(tmp_path: Path) -> None:
    """YAML nodes first, RDF nodes next, then every edge: an RDF edge may use a YAML node."""
    shutil.copytree(FIXTURES / "valid", tmp_path, dirs_exist_ok=True)
    (tmp_path / "extra.ttl").write_text(f"""
@prefix ig: <{IG}> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<{ID}extra-lab> a ig:Lab ; ig:id "extra-lab" ; ig:subtype "provincial_lab" ;
    ig:nameZh "另一实验室"@zh ; ig:nameEn "Extra lab"@en ;
    prov:qualifiedDerivation <https://innograph.org/provenance/extra-lab.1> .
<https://innograph.org/provenance/extra-lab.1>
    prov:entity <https://innograph.org/source/report.txt> ;
    ig:quote "示例实验室在光电信息领域取得成果" ; schema:position 1 .
<{ID}extra-lab> ig:worksInSector <{ID}sector-optics> .
<https://example.org/s1> a rdf:Statement ; rdf:subject <{ID}extra-lab> ;
    rdf:predicate ig:worksInSector ; rdf:object <{ID}sector-optics> ;
    prov:qualifiedDerivation <https://example.org/s1#p> .
<https://example.org/s1#p> prov:entity <https://innograph.org/source/report.txt> ;
    ig:quote "示例实验室在光电信息领域取得成果" .
""", encoding="utf-8")
    g = load_graph(tmp_path, progress=False)
    assert g.has_edge("extra-lab", "sector-optics", key="WORKS_IN_SECTOR")
    assert g.number_of_nodes() == 6 and g.number_of_edges() == 5


# -- invalid RDF: the validator's problems, located at the subject -------------------------

def _valid_triples(g: nx.MultiDiGraph) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(exported(g, "nt"), ox.RdfFormat.N_TRIPLES)]


def _drop(triples: list[ox.Triple], subject: str, predicate: str | None = None
          ) -> list[ox.Triple]:
    return [t for t in triples if not (t.subject.value == subject and (
        predicate is None or t.predicate.value == predicate))]


def _set(triples: list[ox.Triple], subject: str, predicate: str, *objects: ox.Literal
         | ox.NamedNode) -> list[ox.Triple]:
    kept = _drop(triples, subject, predicate)
    return kept + [ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), o)
                   for o in objects]


def _edge(triples: list[ox.Triple], source: str, term: str, target: str) -> list[ox.Triple]:
    """A relation triple with a statement and provenance, as the export writes them."""
    statement = f"https://innograph.org/statement/{source}.{term}.{target}"
    derivation = f"https://innograph.org/provenance/{source}.{term}.{target}.1"
    n = ox.NamedNode
    return [*triples,
            ox.Triple(n(ID + source), n(IG + term), n(ID + target)),
            ox.Triple(n(statement), n(RDF_TYPE), n(VOCAB.expand("rdf:Statement"))),
            ox.Triple(n(statement), n(VOCAB.expand("rdf:subject")), n(ID + source)),
            ox.Triple(n(statement), n(VOCAB.expand("rdf:predicate")), n(IG + term)),
            ox.Triple(n(statement), n(VOCAB.expand("rdf:object")), n(ID + target)),
            ox.Triple(n(statement), n(VOCAB.provenance["qualified"]), n(derivation)),
            ox.Triple(n(derivation), n(VOCAB.provenance["entity"]),
                      n("https://innograph.org/source/report.txt")),
            ox.Triple(n(derivation), n(VOCAB.quote_iri), ox.Literal("示例基金聚焦光电信息领域"))]


LAB, FUND = ID + "demo-lab", ID + "demo-fund"
LAB_QUOTE = fixture_provenance_iri("demo-lab")
BROKEN = {
    "unknown-kind": lambda t: _set(t, LAB, RDF_TYPE, ox.NamedNode(IG + "Laboratory")),
    "missing-field": lambda t: _drop(t, LAB, IG + "nameEn"),
    "bad-property-type": lambda t: _set(t, FUND, IG + "establishedYear", ox.Literal("lots")),
    "unknown-property": lambda t: _set(t, LAB, IG + "colour", ox.Literal("blue")),
    "unknown-subtype": lambda t: _set(t, LAB, IG + "subtype", ox.Literal("castle")),
    "bad-id": lambda t: _set(t, LAB, IG + "id", ox.Literal("Demo Lab")),
    "missing-provenance": lambda t: _drop(
        t, "https://innograph.org/statement/demo-fund.funds.demo-lab"),
    "quote-not-found": lambda t: _set(t, LAB_QUOTE, VOCAB.quote_iri,
                                      ox.Literal("这句话不在原文里")),
    "unknown-source": lambda t: _set(t, LAB_QUOTE, VOCAB.provenance["entity"],
                                     ox.NamedNode("https://innograph.org/source/nope.txt")),
    "dangling-endpoint": lambda t: _edge(t, "demo-fund", "funds", "ghost-lab"),
    "wrong-endpoint-kind": lambda t: _edge(t, "demo-fund", "funds", "sector-optics"),
    "unknown-relation": lambda t: _edge(t, "demo-fund", "sponsors", "demo-lab"),
    "self-loop": lambda t: _edge(t, "demo-fund", "supports", "demo-fund"),
}


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
@pytest.mark.parametrize("problem", list(BROKEN))
def test_invalid_rdf_reports_the_validators_problem(fixture_graph: nx.MultiDiGraph,
                                                    problem: str, fmt: str,
                                                    tmp_path: Path) -> None:
    """The same problem kinds as the YAML fixtures in tests/fixtures/bad/<kind>."""
    triples = BROKEN[problem](_valid_triples(fixture_graph))
    path = tmp_path / f"broken{FORMATS[fmt].extension}"
    ox.serialize(triples, path, OX_FORMATS[fmt])
    with pytest.raises(LoadError) as caught:
        load_graph(path, sources_dir=FIXTURES / "valid" / "sources", progress=False)
    report = caught.value.report
    assert problem in report.counts, report.summary()
    found = next(p for p in report.kept if p.kind == problem)
    assert found.file == path.name and found.location.startswith("<https://")


def test_a_relation_to_a_literal_is_reported(fixture_graph: nx.MultiDiGraph,
                                            tmp_path: Path) -> None:
    """A literal object is no node, even when its text is a node's id."""
    triples = [*_valid_triples(fixture_graph),
               ox.Triple(ox.NamedNode(FUND), ox.NamedNode(IG + "funds"), ox.Literal("demo-lab"))]
    path = tmp_path / "literal.nt"
    ox.serialize(triples, path, ox.RdfFormat.N_TRIPLES)
    with pytest.raises(LoadError) as caught:
        load_graph(path, sources_dir=FIXTURES / "valid" / "sources", progress=False)
    found = {(p.kind, p.field) for p in caught.value.report.kept}
    assert found == {("missing-field", "to"), ("missing-provenance", "provenance")}
    assert all(p.location == f'<{FUND}> FUNDS "demo-lab"' for p in caught.value.report.kept)


def test_duplicate_ids_are_reported(fixture_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    triples = _valid_triples(fixture_graph)
    twin = [ox.Triple(ox.NamedNode(ID + "twin"), t.predicate, t.object)
            for t in triples if t.subject.value == LAB]
    path = tmp_path / "twins.nt"
    ox.serialize(triples + twin, path, ox.RdfFormat.N_TRIPLES)
    with pytest.raises(LoadError) as caught:
        load_graph(path, sources_dir=FIXTURES / "valid" / "sources", progress=False)
    assert caught.value.report.counts["duplicate-id"] == 1


def test_malformed_rdf_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(f'@prefix ig: <{IG}> .\n\n<{ID}x> ig:id "x ;\n', encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_graph(path, progress=False)
    (problem,) = caught.value.report.kept  # reported once, not again for the edges
    assert problem.kind == "malformed-file" and problem.location.startswith("line ")
    assert "invalid ttl RDF" in problem.message


def test_cli_validates_an_rdf_file(rich_graph: nx.MultiDiGraph, rich_dir: Path,
                                   tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "graph.nq"
    export_graph(rich_graph, "nq", path, progress=False)
    assert main(["validate", str(path), "--sources", str(rich_dir / "sources")]) == 0
    assert "valid: 18 nodes, 16 edges" in capsys.readouterr().out  # 9 are observations
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "unknown-source" in err and "--sources DIR" in err
