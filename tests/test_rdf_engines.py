"""The ontology, shapes and exports checked by engines the project did not write: ROBOT (OWL
API) for the OWL 2 DL profile, HermiT for consistency with the axioms of the vocabularies the
ontology aligns with, Apache Jena (riot, arq, shacl), pyshacl and Oxigraph on the named graphs.
The Java tools come from Maven Central (tests/rdf_tools.py, ``make rdf-tools``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from rdf_fixtures import FIXTURES, RICH_BREAKS, exported, shacl_results
from rdf_tools import jena, robot

from graph.rdf.ontology import RDFLIB_FORMATS, build_ontology, serialize
from graph.rdf.shapes import build_shapes, validate
from queries.sparql_examples import to_rdflib

AXIOMS = FIXTURES / "vocabularies" / "axioms.ttl"
BASE = "https://innograph.org/"
IG = "https://innograph.org/ontology#"
REIFICATION = re.compile(r"rdf-syntax-ns#(subject|predicate|object)>")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _merged(tmp_path: Path, data: str, extra: str = "") -> Path:
    """Ontology, vocabulary axioms and data in one N-Triples file: the OWL API reads each input
    file on its own, and data read without the declarations turns into annotations."""
    triples: list[ox.Triple] = []
    for text, fmt in ((serialize(build_ontology(), "nt"), ox.RdfFormat.N_TRIPLES),
                      (AXIOMS.read_text(encoding="utf-8"), ox.RdfFormat.TURTLE),
                      (data, ox.RdfFormat.N_TRIPLES), (extra, ox.RdfFormat.TURTLE)):
        triples += [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(text, fmt)]
    path = tmp_path / "merged.nt"
    ox.serialize(triples, path, ox.RdfFormat.N_TRIPLES)
    return path


# -- OWL ---------------------------------------------------------------------------------------

def test_the_ontology_is_in_the_owl2_dl_profile(tmp_path: Path) -> None:
    ontology = _write(tmp_path / "ontology.ttl", serialize(build_ontology(), "ttl"))
    report = tmp_path / "profile.txt"
    run = robot("validate-profile", "--profile", "DL", "--input", str(ontology),
                "--output", str(report))
    text = report.read_text(encoding="utf-8") if report.exists() else run.stderr
    assert run.returncode == 0, text
    assert "Ontology and imports closure in profile" in text, text
    assert "violat" not in text.lower(), text


@pytest.mark.parametrize("graph_name", ["rich_graph", "data_graph"])
def test_ontology_and_data_are_consistent_with_the_aligned_vocabularies(
        graph_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """HermiT over the ontology, the data and the PROV-O/ORG/FOAF/DCTERMS/schema.org axioms
    the alignments touch (disjointness, domains, ranges)."""
    g: nx.MultiDiGraph = request.getfixturevalue(graph_name)
    merged = _merged(tmp_path, exported(g, "nt"))
    run = robot("reason", "--reasoner", "hermit", "--input", str(merged),
                "--output", str(tmp_path / "reasoned.owl"))
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "inconsistent" not in output.lower(), output[-3000:]
    # The OWL API leaves out only RDF reification (rdf:subject/predicate/object of the
    # edges' statements), which OWL 2 has no place for: everything else was reasoned over.
    unparsed = [line for line in output.splitlines() if line.startswith(" - ")]
    assert len(unparsed) == 3 * g.number_of_edges()
    assert all(REIFICATION.search(line) for line in unparsed)


def test_hermit_finds_an_alignment_that_contradicts_prov_o(rich_graph: nx.MultiDiGraph,
                                                          tmp_path: Path) -> None:
    """The check above can fail: Event as a prov:Activity (the old alignment) is inconsistent
    with events derived from sources (prov:wasDerivedFrom has domain prov:Entity)."""
    old_alignment = (f"<{IG}Event> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                     "<http://www.w3.org/ns/prov#Activity> .")
    merged = _merged(tmp_path, exported(rich_graph, "nt"), old_alignment)
    run = robot("reason", "--reasoner", "hermit", "--input", str(merged),
                "--output", str(tmp_path / "reasoned.owl"))
    assert run.returncode != 0 and "inconsistent" in (run.stdout + run.stderr).lower()


def test_hermit_finds_the_sosa_prov_alignment_inconsistent_with_derived_observations(
        rich_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    """Why the axioms leave out SOSA's optional PROV alignment (docs/rdf.md): it makes every
    sosa:Observation a prov:Activity, and an observation derived from a source is a
    prov:Entity (the domain of prov:wasDerivedFrom), which PROV-O makes disjoint."""
    sosa_prov = ("<http://www.w3.org/ns/sosa/Observation> "
                 "<http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                 "<http://www.w3.org/ns/prov#Activity> .")
    merged = _merged(tmp_path, exported(rich_graph, "nt"), sosa_prov)
    run = robot("reason", "--reasoner", "hermit", "--input", str(merged),
                "--output", str(tmp_path / "reasoned.owl"))
    assert run.returncode != 0 and "inconsistent" in (run.stdout + run.stderr).lower()


# -- deterministic output ----------------------------------------------------------------------

_PRINT_ALL = """
import hashlib, json, sys
from graph.rdf.ontology import RDFLIB_FORMATS, build_ontology, serialize
from graph.rdf.shapes import build_shapes
out = {f"{name}.{fmt}": serialize(build(), fmt)
       for name, build in (("ontology", build_ontology), ("shapes", build_shapes))
       for fmt in RDFLIB_FORMATS}
json.dump(out, sys.stdout)
"""


def test_ontology_and_shapes_are_the_same_bytes_in_two_processes() -> None:
    runs = []
    for seed in ("1", "2"):  # different string hashing, as two server processes have
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", _PRINT_ALL], capture_output=True,
                              text=True, check=True, env=env, cwd=Path(__file__).parents[1])
        runs.append(json.loads(proc.stdout))
    assert set(runs[0]) == {f"{n}.{f}" for n in ("ontology", "shapes") for f in RDFLIB_FORMATS}
    for name, text in runs[0].items():
        assert runs[1][name] == text, name
    assert "_:o1 " in runs[0]["ontology.nt"]  # blank nodes labelled by build order


# -- named graphs --------------------------------------------------------------------------

def _documents(g: nx.MultiDiGraph) -> set[str]:
    return {f"{BASE}source/{quote(e['source'], safe='')}"
            for _, a in g.nodes(data=True) for e in a["provenance"]}


@pytest.mark.parametrize("graph_name", ["fixture_graph", "rich_graph",
                                        pytest.param("data_graph", marks=pytest.mark.slow)])
def test_every_named_graph_and_the_default_graph_conform_pyshacl(
        graph_name: str, request: pytest.FixtureRequest) -> None:
    g: nx.MultiDiGraph = request.getfixturevalue(graph_name)
    dataset = rdflib.Dataset()
    dataset.parse(data=exported(g, "trig"), format="trig")
    default = dataset.default_graph.identifier
    names = {str(c.identifier) for c in dataset.graphs() if c.identifier != default}
    assert names == _documents(g)
    shapes = build_shapes()
    for name in [None, *sorted(names)]:
        graph = dataset.default_graph if name is None else dataset.graph(rdflib.URIRef(name))
        data = rdflib.Graph()
        for triple in graph:
            data.add(triple)
        assert len(data) > 0, name
        conforms, _, text = validate(data, shapes)
        assert conforms, f"{name or 'default graph'}:\n{text[:3000]}"


def _company_count(g: nx.MultiDiGraph, document: str | None = None) -> int:
    return sum(1 for _, a in g.nodes(data=True) if a["kind"] == "Company" and (
        document is None or any(f"{BASE}source/{quote(e['source'], safe='')}" == document
                                for e in a["provenance"])))


COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a <{IG}Company> }}"
COUNT_BY_GRAPH = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?x a <{IG}Company> }} }} "
                  "GROUP BY ?g")


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_jena_arq_and_oxigraph_give_the_same_counts(rich_graph: nx.MultiDiGraph, fmt: str,
                                                   tmp_path: Path) -> None:
    """The default graph is the whole graph, so a plain query counts each node once in every
    tool; GRAPH <document> is what that document supports."""
    path = _write(tmp_path / f"graph.{fmt}", exported(rich_graph, fmt))
    expected = {doc: _company_count(rich_graph, doc) for doc in _documents(rich_graph)}
    expected = {doc: n for doc, n in expected.items() if n}
    run = jena("sparql", "--data", str(path), "--query",
               str(_write(tmp_path / "count.rq", COUNT)), "--results", "JSON")
    assert run.returncode == 0, run.stderr
    (row,) = json.loads(run.stdout)["results"]["bindings"]
    assert int(row["n"]["value"]) == _company_count(rich_graph) > 0
    run = jena("sparql", "--data", str(path), "--query",
               str(_write(tmp_path / "by-graph.rq", COUNT_BY_GRAPH)), "--results", "JSON")
    assert run.returncode == 0, run.stderr
    assert {r["g"]["value"]: int(r["n"]["value"])
            for r in json.loads(run.stdout)["results"]["bindings"]} == expected

    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TRIG if fmt == "trig" else
               ox.RdfFormat.N_QUADS)
    (solution,) = store.query(COUNT)
    assert int(solution["n"].value) == _company_count(rich_graph)
    assert {s["g"].value: int(s["n"].value) for s in store.query(COUNT_BY_GRAPH)} == expected


def test_jena_shacl_checks_the_export_and_each_named_graph(rich_graph: nx.MultiDiGraph,
                                                          tmp_path: Path) -> None:
    shapes = _write(tmp_path / "shapes.ttl", serialize(build_shapes(), "ttl"))
    trig = exported(rich_graph, "trig")
    data = _write(tmp_path / "graph.trig", trig)
    assert jena("riot", "--validate", str(data)).returncode == 0

    def conforms(path: Path) -> bool:
        run = jena("shacl", "validate", "--shapes", str(shapes), "--data", str(path))
        assert run.returncode == 0, run.stderr
        report = rdflib.Graph().parse(data=run.stdout, format="turtle")
        (value,) = report.objects(None, rdflib.SH.conforms)
        return bool(value.toPython())

    assert conforms(data)  # the default graph: the whole graph
    for document in sorted(_documents(rich_graph)):
        construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{document}> {{ ?s ?p ?o }} }}"
        run = jena("sparql", "--data", str(data), "--query",
                   str(_write(tmp_path / "graph.rq", construct)), "--results", "NT")
        assert run.returncode == 0 and run.stdout.strip(), run.stderr
        assert conforms(_write(tmp_path / "named.nt", run.stdout)), document
    # and Jena does check: a node without its Chinese name fails
    broken = re.sub(r'\n *ig:nameZh "富基金"@zh ;', "", trig, count=1)
    assert broken != trig
    assert not conforms(_write(tmp_path / "broken.trig", broken))


@pytest.mark.parametrize("name", list(RICH_BREAKS))
def test_jena_shacl_reports_broken_observations_sources_and_statuses(
        rich_graph: nx.MultiDiGraph, name: str, tmp_path: Path) -> None:
    """The cases tests/test_rdf_shacl.py runs in pyshacl, in Jena: the rich graph conforms
    (test above), each break gives the violation it names."""
    shapes = _write(tmp_path / "shapes.ttl", serialize(build_shapes(), "ttl"))
    data = to_rdflib(rich_graph)
    breaking, expected = RICH_BREAKS[name]
    breaking(data)
    path = tmp_path / "broken.nt"
    data.serialize(path, format="nt", encoding="utf-8")
    run = jena("shacl", "validate", "--shapes", str(shapes), "--data", str(path))
    assert run.returncode == 0, run.stderr
    report = rdflib.Graph().parse(data=run.stdout, format="turtle")
    assert expected in shacl_results(report), run.stdout[-3000:]
