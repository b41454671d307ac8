"""The example SPARQL queries, run with rdflib over the export, answer what the query layer
(or a direct computation over the networkx graph) answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import networkx as nx
import pytest
from rdf_fixtures import generated_dir, generated_graph, real_graph, rich_dir, rich_graph

from graph.embedded import statistics
from graph.rdf.namespaces import IriScheme, vocabulary
from queries.backing import backing
from queries.sparql_examples import example_queries, run_example, to_rdflib

__all__ = ["generated_dir", "generated_graph", "real_graph", "rich_dir", "rich_graph"]

VOCAB = vocabulary()
IRIS = IriScheme("https://innograph.org/")
GRAPHS = ("rich_graph", "generated_graph", "real_graph")


def by_kind(g: nx.MultiDiGraph, kind: str) -> set[str]:
    return {n for n, k in g.nodes(data="kind") if k == kind}


def funds_backing_labs(g: nx.MultiDiGraph, data) -> tuple[set, set]:
    answer = backing(g, max_length=2, limit=10**6, chains_per_pair=10**6, timeout=60)
    expected = {(pair["fund"]["id"], pair["lab"]["id"], chain["pattern"],
                 chain["nodes"][1] if chain["pattern"] == "via_program" else None)
                for pair in answer["pairs"] for chain in pair["chains"]
                if chain["pattern"] in ("direct", "via_program")}
    rows = run_example(data, "funds-backing-labs")
    return {(r["fund"], r["lab"], r["pattern"], r["via"]) for r in rows}, expected


def labs_per_sector(g: nx.MultiDiGraph, data) -> tuple[dict, dict]:
    labs = by_kind(g, "Lab")
    counts = Counter(v for u, v, rel in g.edges(keys=True)
                     if rel == "WORKS_IN_SECTOR" and u in labs)
    rows = run_example(data, "labs-per-sector")
    return {r["sector"]: r["labs"] for r in rows}, dict(counts)


def companies_per_park(g: nx.MultiDiGraph, data) -> tuple[dict, dict]:
    companies, parks = by_kind(g, "Company"), by_kind(g, "Park")
    in_park: dict[str, set[str]] = {}
    for u, v, rel in g.edges(keys=True):
        if rel == "LOCATED_IN" and u in companies and v in parks:
            in_park.setdefault(v, set()).add(u)
        if rel == "HOSTS" and u in parks and v in companies:
            in_park.setdefault(u, set()).add(v)
    rows = run_example(data, "companies-per-park")
    names = {r["park"]: set(r["names"].split("、")) for r in rows}
    expected_names = {p: {g.nodes[c]["name_zh"] for c in cs} for p, cs in in_park.items()}
    assert names == expected_names
    return {r["park"]: r["companies"] for r in rows}, {p: len(cs) for p, cs in in_park.items()}


def quotes_for_entity(g: nx.MultiDiGraph, data) -> tuple[set, set]:
    degrees = sorted(g.degree, key=lambda nd: (-nd[1], nd[0]))
    entity = "changxing-fund" if "changxing-fund" in g else degrees[0][0]
    expected = set()
    for direction, edges in (("out", g.out_edges(entity, keys=True, data=True)),
                             ("in", g.in_edges(entity, keys=True, data=True))):
        for u, v, rel, attrs in edges:
            other = v if direction == "out" else u
            for position, p in enumerate(attrs["provenance"], start=1):
                expected.add((direction, VOCAB.relation_term[rel], other,
                              IRIS.document(p["source"]), position, p["quote"]))
    rows = run_example(data, "quotes-for-entity", entity=entity)
    return {(r["direction"], r["relation"], r["other"], r["document"], r["position"],
             r["quote"]) for r in rows}, expected


def quotes_per_source(g: nx.MultiDiGraph, data) -> tuple[dict, dict]:
    totals = statistics(g)["quotes_by_source"]  # the query layer's statistics
    on_edges = Counter(p["source"] for _, _, prov in g.edges(data="provenance") for p in prov)
    rows = run_example(data, "quotes-per-source")
    return ({r["document"]: (r["quotes"], r["edgeQuotes"]) for r in rows},
            {IRIS.document(s): (n, on_edges[s]) for s, n in totals.items()})


def funds_by_scale(g: nx.MultiDiGraph, data) -> tuple[list, list]:
    funds = [(n, a["scale_min_cny"]) for n, a in g.nodes(data=True)
             if a["kind"] == "Fund" and "scale_min_cny" in a]
    funds.sort(key=lambda fs: (-fs[1], fs[0]))
    rows = run_example(data, "funds-by-scale")
    for row in rows:
        targets = {g.nodes[v]["name_zh"] for _, v, rel in g.out_edges(row["fund"], keys=True)
                   if rel == "TARGETS_SECTOR"}
        assert set(filter(None, (row["sectors"] or "").split("、"))) == targets
    return ([(r["fund"], r["scaleMinCny"]) for r in rows],
            [(n, Decimal(str(s))) for n, s in funds])


CHECKS: dict[str, Callable] = {
    "funds-backing-labs": funds_backing_labs,
    "labs-per-sector": labs_per_sector,
    "companies-per-park": companies_per_park,
    "quotes-for-entity": quotes_for_entity,
    "quotes-per-source": quotes_per_source,
    "funds-by-scale": funds_by_scale,
}


def test_every_example_query_is_checked() -> None:
    assert set(example_queries()) == set(CHECKS)
    for text in example_queries().values():
        assert text.startswith("#")  # a description first (docs/rdf.md shows it)
        assert f"PREFIX ig: <{VOCAB.ns}>" in text or "ig:" not in text


@pytest.fixture(scope="module")
def exports() -> dict:
    """rdflib graphs of the exports, built once per graph."""
    return {}


@pytest.mark.parametrize("graph_name", GRAPHS)
@pytest.mark.parametrize("query", list(CHECKS))
def test_sparql_answers_match_the_graph(query: str, graph_name: str, exports: dict,
                                        request: pytest.FixtureRequest) -> None:
    g = request.getfixturevalue(graph_name)
    if graph_name not in exports:
        exports[graph_name] = to_rdflib(g)
    answer, expected = CHECKS[query](g, exports[graph_name])
    assert answer == expected


@pytest.mark.parametrize(("query", "graph_name"), [
    ("funds-backing-labs", "generated_graph"), ("labs-per-sector", "generated_graph"),
    ("companies-per-park", "generated_graph"), ("quotes-for-entity", "generated_graph"),
    ("quotes-per-source", "generated_graph"), ("funds-by-scale", "rich_graph")])
def test_the_checks_are_not_vacuous(query: str, graph_name: str, exports: dict,
                                    request: pytest.FixtureRequest) -> None:
    g = request.getfixturevalue(graph_name)
    if graph_name not in exports:
        exports[graph_name] = to_rdflib(g)
    answer, _ = CHECKS[query](g, exports[graph_name])
    assert answer
    if query == "funds-backing-labs":
        assert {row[2] for row in answer} == {"direct", "via_program"}
