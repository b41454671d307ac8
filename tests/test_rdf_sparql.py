"""The example SPARQL queries answer what the query layer (or a direct computation over the
networkx graph) answers: run with pyoxigraph (the endpoint's engine) on the curated data, a
rich fixture and a generated graph, and with rdflib on the small ones (tests/sparql_checks.py
says what each must answer). Over HTTP with SPARQLWrapper: tests/test_sparql_endpoint.py."""

from __future__ import annotations

import networkx as nx
import pytest
from sparql_checks import CHECKS, asked_values, derived_funds_backing_labs

from graph.rdf.namespaces import vocabulary
from queries.backing import backing
from queries.sparql_examples import (
    SPARQL_DIR,
    example_queries,
    rows_from,
    run_example,
    to_rdflib_dataset,
    to_store,
    with_values,
)

VOCAB = vocabulary()
GRAPHS = ("rich_graph", "generated_graph_400", "data_graph")


def test_every_example_query_is_checked() -> None:
    assert set(example_queries()) == set(CHECKS)
    for text in example_queries().values():
        assert text.startswith("#")  # a description first (docs/rdf.md shows it)
        assert f"PREFIX ig: <{VOCAB.ns}>" in text or "ig:" not in text


@pytest.fixture(scope="module")
def stores() -> dict:
    """pyoxigraph stores of the exports, built once per graph."""
    return {}


def rows_of(name: str, g: nx.MultiDiGraph, data) -> list[dict]:
    """The example's rows, asked about what ``asked_values`` says (each fund in turn, ...)."""
    return [row for values in asked_values(g, example_queries()[name])
            for row in run_example(data, name, **values)]


@pytest.mark.parametrize("graph_name", GRAPHS)
@pytest.mark.parametrize("query", list(CHECKS))
def test_sparql_answers_match_the_graph(query: str, graph_name: str, stores: dict,
                                        request: pytest.FixtureRequest) -> None:
    g = request.getfixturevalue(graph_name)
    if graph_name not in stores:
        stores[graph_name] = to_store(g)
    answer, expected = CHECKS[query](g, rows_of(query, g, stores[graph_name]))
    assert answer == expected


# Every example, funds-backing-labs included: a lookup in the backing chains the store holds
# (its derivation from the statements, queries/sparql/derived/, runs for minutes in rdflib).
RDFLIB_CHECKED = list(CHECKS)


@pytest.mark.parametrize("query", RDFLIB_CHECKED)
def test_rdflib_gives_the_same_answers(query: str, data_graph: nx.MultiDiGraph) -> None:
    """A second engine on data/: the examples are plain SPARQL 1.1, not Oxigraph's dialect."""
    answer, expected = CHECKS[query](data_graph, rows_of(query, data_graph,
                                                         to_rdflib_dataset(data_graph)))
    assert answer == expected


# Where each example has an answer: on data/ for every example, and on a graph where its
# other branches have rows (generated: stated chains, stated park companies).
NOT_EMPTY = [(name, "data_graph") for name in CHECKS] + [
    ("funds-backing-labs", "generated_graph_400"), ("companies-per-park", "generated_graph_400"),
    ("fund-figures", "rich_graph")]


@pytest.mark.parametrize(("query", "graph_name"), NOT_EMPTY)
def test_the_checks_are_not_vacuous(query: str, graph_name: str, stores: dict,
                                    request: pytest.FixtureRequest) -> None:
    g = request.getfixturevalue(graph_name)
    if graph_name not in stores:
        stores[graph_name] = to_store(g)
    answer, _ = CHECKS[query](g, rows_of(query, g, stores[graph_name]))
    assert answer


def test_funds_backing_labs_gives_every_pair_the_api_gives_on_data(
        data_graph: nx.MultiDiGraph) -> None:
    """On data/ the API's pairs all come from inferred chains (a shared sector, an
    institution group); the example, asked about each fund, gives each pair the API gives for
    that fund, marked inferred as the API marks the pair (its first chain: stated chains rank
    first), and no other."""
    api = {(p["fund"]["id"], p["lab"]["id"]): p["inferred"] for fund in sorted(
        n for n, k in data_graph.nodes(data="kind") if k == "Fund")
        for p in backing(data_graph, fund=fund)["pairs"]}
    rows = rows_of("funds-backing-labs", data_graph, to_store(data_graph))
    first: dict[tuple[str, str], bool] = {}
    for r in rows:
        first.setdefault((r["fund"], r["lab"]), r["inferred"])
    assert first == api
    assert len(api) >= 8 and all(api.values())
    assert all(r["inferred"] is True and r["quote1"] and r["quote2"] for r in rows)
    assert {r["pattern"] for r in rows} == {"via_sector", "via_institution_group"}


def test_funds_backing_labs_covers_each_stated_pattern(generated_graph_400: nx.MultiDiGraph
                                                       ) -> None:
    rows = rows_of("funds-backing-labs", generated_graph_400, to_store(generated_graph_400))
    patterns = {r["pattern"] for r in rows}
    assert {"direct", "via_program", "via_institution"} <= patterns
    assert {1, 2, 3} <= {r["length"] for r in rows}  # the longer chains too


@pytest.mark.parametrize("graph_name", ["generated_graph_400", "data_graph"])
def test_the_derivation_in_sparql_gives_the_api_chains_of_its_shapes(
        graph_name: str, stores: dict, request: pytest.FixtureRequest) -> None:
    """The chains derived from the statements by SPARQL alone (queries/sparql/derived/,
    kept for readers) are the API's chains of the shapes it covers."""
    g = request.getfixturevalue(graph_name)
    if graph_name not in stores:
        stores[graph_name] = to_store(g)
    text = (SPARQL_DIR / "derived" / "funds-backing-labs.rq").read_text(encoding="utf-8")
    rows = [row for values in asked_values(g, text)
            for row in rows_from(stores[graph_name], with_values(text, **values))]
    answer, expected = derived_funds_backing_labs(g, rows)
    assert answer == expected and answer
