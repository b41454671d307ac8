"""SHACL shapes from the schema: the exports conform, and broken data is caught and located."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import pytest
from rdf_fixtures import RICH_BREAKS, fixture_provenance_iri, shacl_results
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from graph.rdf.namespaces import vocabulary
from graph.rdf.shapes import build_shapes, validate
from queries.sparql_examples import to_rdflib

VOCAB = vocabulary()
IG = VOCAB.ns
ID = "https://innograph.org/id/"
SHAPES = build_shapes()
PROV = VOCAB.prefixes["prov"]


def ig(local: str) -> URIRef:
    return URIRef(IG + local)


def node(local: str) -> URIRef:
    return URIRef(ID + local)


def violations(data: Graph) -> set[tuple[str, str, str | None]]:
    """(focus node, constraint component local name, path) of every violation."""
    conforms, results, _ = validate(data, SHAPES)
    found = shacl_results(results)
    assert conforms == (not found)
    return found


def test_a_shape_per_node_kind() -> None:
    targets = set(SHAPES.objects(None, SH.targetClass))
    assert {URIRef(i) for i in VOCAB.class_iri.values()} <= targets
    assert RDF.Statement in targets


@pytest.mark.slow
def test_the_real_data_conforms(data_graph: nx.MultiDiGraph) -> None:
    assert violations(to_rdflib(data_graph)) == set()


def test_the_rich_graph_conforms(rich_graph: nx.MultiDiGraph) -> None:
    assert violations(to_rdflib(rich_graph)) == set()


def _remove(subject: URIRef, predicate: URIRef | None = None) -> Callable[[Graph], None]:
    return lambda g: g.remove((subject, predicate, None))


def _replace(subject: URIRef, predicate: URIRef, value: object) -> Callable[[Graph], None]:
    return lambda g: g.set((subject, predicate, value))


def _add(*triple: object) -> Callable[[Graph], None]:
    return lambda g: g.add(triple)


def _statement(source: str, term: str, target: str) -> Callable[[Graph], None]:
    """A relation triple with its statement and provenance."""
    def add(g: Graph) -> None:
        statement = URIRef(f"https://innograph.org/statement/{source}.{term}.{target}")
        derivation = URIRef(f"https://innograph.org/provenance/{source}.{term}.{target}.1")
        for triple in [(node(source), ig(term), node(target)),
                       (statement, RDF.type, RDF.Statement),
                       (statement, RDF.subject, node(source)),
                       (statement, RDF.predicate, ig(term)),
                       (statement, RDF.object, node(target)),
                       (statement, URIRef(PROV + "wasDerivedFrom"),
                        URIRef("https://innograph.org/source/report.txt")),
                       (statement, URIRef(PROV + "qualifiedDerivation"), derivation),
                       (derivation, URIRef(PROV + "entity"),
                        URIRef("https://innograph.org/source/report.txt")),
                       (derivation, ig("quote"), Literal("示例")),
                       (derivation, URIRef(VOCAB.expand("schema:position")), Literal(1))]:
            g.add(triple)
    return add


FUNDS_LAB = URIRef("https://innograph.org/statement/demo-fund.funds.demo-lab")
LAB_QUOTE = fixture_provenance_iri("demo-lab")
BREAKS = {
    "missing name": (_remove(node("demo-lab"), ig("nameZh")),
                     (ID + "demo-lab", "MinCountConstraintComponent", IG + "nameZh")),
    "property of another kind": (
        _add(node("demo-lab"), ig("value"), Literal("5.0", datatype=URIRef(
            "http://www.w3.org/2001/XMLSchema#decimal"))),
        (ID + "demo-lab", "ClosedConstraintComponent", IG + "value")),
    "unknown subtype": (_replace(node("demo-lab"), ig("subtype"), Literal("castle")),
                        (ID + "demo-lab", "InConstraintComponent", IG + "subtype")),
    "bad id": (_replace(node("demo-lab"), ig("id"), Literal("Demo Lab")),
               (ID + "demo-lab", "PatternConstraintComponent", IG + "id")),
    "wrong endpoint class": (_statement("demo-fund", "funds", "sector-optics"),
                             (ID + "demo-fund", "NodeConstraintComponent", IG + "funds")),
    "relation without statement": (
        _remove(FUNDS_LAB),
        (ID + "demo-fund", "SPARQLConstraintComponent", IG + "funds")),
    "statement not asserted": (
        _remove(node("demo-fund"), ig("funds")),
        (str(FUNDS_LAB), "SPARQLConstraintComponent", IG + "funds")),
    "edge property of another relation": (
        _add(FUNDS_LAB, ig("edgeRoleZh"), Literal("角色", lang="zh")),
        (str(FUNDS_LAB), "OrConstraintComponent", None)),
    "self loop": (_statement("demo-fund", "supports", "demo-fund"),
                  ("https://innograph.org/statement/demo-fund.supports.demo-fund",
                   "DisjointConstraintComponent", str(RDF.subject))),
    "quote missing": (_remove(URIRef(LAB_QUOTE), ig("quote")),
                      (LAB_QUOTE, "MinCountConstraintComponent", IG + "quote")),
    "no provenance": (_remove(node("demo-lab"), URIRef(PROV + "qualifiedDerivation")),
                      (ID + "demo-lab", "MinCountConstraintComponent",
                       PROV + "qualifiedDerivation")),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_broken_data_is_reported(fixture_graph: nx.MultiDiGraph, name: str) -> None:
    data = to_rdflib(fixture_graph)
    assert violations(data) == set()
    breaking, expected = BREAKS[name]
    breaking(data)
    assert expected in violations(data)


@pytest.mark.parametrize("name", list(RICH_BREAKS))
def test_broken_observations_sources_and_statuses_are_reported(
        rich_graph: nx.MultiDiGraph, name: str) -> None:
    data = to_rdflib(rich_graph)
    assert violations(data) == set()
    breaking, expected = RICH_BREAKS[name]
    breaking(data)
    assert expected in violations(data)
