"""The SPARQL store's materialised backing chains (queries/sparql_inferences.py): the query
layer's answers for every fund, in the store a keeper builds, valid by the ontology's shapes and
consistent with the ontology (HermiT), and the example's page bound is the API's limit."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from rdf_fixtures import exported
from rdf_tools import robot
from test_rdf_engines import _merged

from graph.rdf.export import iter_serialized
from graph.rdf.namespaces import vocabulary
from graph.rdf.shapes import validate
from queries.backing import backing
from queries.sparql_examples import example_queries, rows_from, to_store, with_values
from queries.sparql_inferences import (
    InferenceError,
    backing_graph,
    backing_nquads,
    check_terms,
)
from queries.sparql_store import StoreKeeper

TERMS = vocabulary().backing
IG = vocabulary().ns


def funds(g: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, kind in g.nodes(data="kind") if kind == "Fund")


def _chains(store: ox.Store) -> dict[str, list[tuple]]:
    """Fund id -> its chains in the graph, in rank order: (pair rank, lab id, pattern,
    inferred, length, statement IRIs, first quotes)."""
    text = f"""PREFIX ig: <{IG}>
    SELECT ?fund ?rank ?pairRank ?lab ?pattern ?inferred ?length
           ?h1 ?h2 ?h3 ?h4 ?q1 ?q2 ?q3 ?q4 WHERE {{
      GRAPH <{backing_graph()}> {{
        ?c ig:backingFund ?f ; ig:backingLab ?l ; ig:chainRank ?rank ; ig:pairRank ?pairRank ;
           ig:backingPattern ?pattern ; ig:inferred ?inferred ; ig:chainLength ?length .
        OPTIONAL {{ ?c ig:hop1 ?h1 }} OPTIONAL {{ ?c ig:hop2 ?h2 }}
        OPTIONAL {{ ?c ig:hop3 ?h3 }} OPTIONAL {{ ?c ig:hop4 ?h4 }}
        OPTIONAL {{ ?c ig:hopQuote1 ?q1 }} OPTIONAL {{ ?c ig:hopQuote2 ?q2 }}
        OPTIONAL {{ ?c ig:hopQuote3 ?q3 }} OPTIONAL {{ ?c ig:hopQuote4 ?q4 }}
      }}
      ?f ig:id ?fund . ?l ig:id ?lab .
    }} ORDER BY ?fund ?rank"""
    found: dict[str, list[tuple]] = {}
    for r in rows_from(store, text):
        found.setdefault(r["fund"], []).append((
            r["pairRank"], r["lab"], r["pattern"], r["inferred"], r["length"],
            tuple(r[f"h{i}"] for i in range(1, 5) if r[f"h{i}"]),
            tuple(r[f"q{i}"] for i in range(1, 5) if r[f"q{i}"])))
    return found


def _api_chains(g: nx.MultiDiGraph, fund: str) -> list[tuple]:
    """The API's answer for ``fund`` (every pair) in the same form."""
    ns = "https://innograph.org/statement/"
    rows = []
    for pair_rank, pair in enumerate(backing(g, fund=fund, limit=10**6)["pairs"], start=1):
        for chain in pair["chains"]:
            hops = []
            for hop in chain["hops"]:
                src, dst = ((hop["from"], hop["to"]) if hop["direction"] == "forward"
                            else (hop["to"], hop["from"]))
                hops.append(f"{ns}{src}.{vocabulary().relation_term[hop['rel']]}.{dst}")
            rows.append((pair_rank, pair["lab"]["id"], chain["pattern"], chain["inferred"],
                         chain["length"], tuple(hops),
                         tuple(h["provenance"][0]["quote"] for h in chain["hops"])))
    return rows


@pytest.mark.parametrize("graph_name", ["data_graph", "generated_graph_400"])
def test_the_graph_holds_the_api_answer_of_every_fund(graph_name: str,
                                                      request: pytest.FixtureRequest) -> None:
    """Every fund's chains are the query layer's answer, in its order, with the pair's place,
    the pattern, the inferred flag, and each hop's statement and first quote."""
    g = request.getfixturevalue(graph_name)
    found = _chains(to_store(g))
    expected = {fund: _api_chains(g, fund) for fund in funds(g)}
    assert found == {fund: rows for fund, rows in expected.items() if rows}
    assert sum(map(len, found.values())) > 0


def test_on_data_every_api_pair_is_there_marked_inferred_as_the_api_marks_it(
        data_graph: nx.MultiDiGraph) -> None:
    """The brief's test on data/: per fund, the pairs of /api/v1/backing?fund= (its default
    page), each pair inferred exactly when the API says so (the pair's best chain comes
    first: stated chains rank before inferred ones)."""
    found = _chains(to_store(data_graph))
    for fund in funds(data_graph):
        api = {p["lab"]["id"]: p["inferred"] for p in backing(data_graph, fund=fund)["pairs"]}
        first: dict[str, bool] = {}
        for _, lab, _, inferred, *_ in found.get(fund, []):
            first.setdefault(lab, inferred)
        assert first == api, fund


def test_the_example_gives_the_api_page_its_bound_says(
        generated_graph_400: nx.MultiDiGraph) -> None:
    """funds-backing-labs's ?pairRank bound is the API's limit: with a bound of 2, the
    example gives the chains of the API's answer with limit=2."""
    g = generated_graph_400
    store = to_store(g)
    text = example_queries()["funds-backing-labs"]
    assert "FILTER (?pairRank <= 100)" in text
    text = text.replace("FILTER (?pairRank <= 100)", "FILTER (?pairRank <= 2)")
    busiest = max(funds(g), key=lambda f: (len(backing(g, fund=f, limit=10**6)["pairs"]), f))
    api = backing(g, fund=busiest, limit=2)
    assert api["truncated"]  # the bound cuts something
    rows = rows_from(store, with_values(text, fund=busiest))
    assert [(r["lab"], r["pattern"], r["length"]) for r in rows] == [
        (p["lab"]["id"], c["pattern"], c["length"]) for p in api["pairs"] for c in p["chains"]]


def _backing_triples(g: nx.MultiDiGraph) -> str:
    """The chains as N-Triples (their named graph dropped)."""
    quads = ox.parse("".join(backing_nquads(g)).encode(), ox.RdfFormat.N_QUADS)
    return ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                        format=ox.RdfFormat.N_TRIPLES).decode()


def test_the_chains_conform_to_the_shapes(data_graph: nx.MultiDiGraph) -> None:
    """pyshacl: ig:BackingChainShape over the chains with the export they point into."""
    data = rdflib.Graph()
    data.parse(data=exported(data_graph, "nt"), format="nt")
    data.parse(data=_backing_triples(data_graph), format="nt")
    conforms, _, text = validate(data)
    assert conforms, text[:3000]
    # and a broken chain is reported: a pattern the query layer does not have
    chain = next(data.subjects(rdflib.RDF.type, rdflib.URIRef(TERMS.chain_class)))
    pattern = rdflib.URIRef(TERMS.fields["pattern"])
    data.set((chain, pattern, rdflib.Literal("via_rumour")))
    conforms, _, text = validate(data)
    assert not conforms and "via_rumour" in text


def test_ontology_data_and_chains_are_consistent_hermit(data_graph: nx.MultiDiGraph,
                                                        tmp_path: Path) -> None:
    """HermiT over the ontology, the aligned vocabularies' axioms, the export and the chains
    (the chains' fund and lab ranges and functional properties included)."""
    merged = _merged(tmp_path, exported(data_graph, "nt") + _backing_triples(data_graph))
    run = robot("reason", "--reasoner", "hermit", "--input", str(merged),
                "--output", str(tmp_path / "reasoned.owl"))
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "inconsistent" not in output.lower(), output[-3000:]


def test_a_keeper_builds_the_chains_into_its_store(data_graph: nx.MultiDiGraph,
                                                   tmp_path: Path) -> None:
    version = data_graph.graph["version"]
    keeper = StoreKeeper(lambda: (version, iter_serialized(data_graph, "nq")),
                         lambda: version, inferences=lambda: backing_nquads(data_graph),
                         directory=tmp_path)
    store = keeper.get(120)
    assert store.built and {"inferences", "inferences_load"} <= store.phases.keys()
    chains = store.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{backing_graph()}> "
                               f"{{ ?c a <{TERMS.chain_class}> }} }}")
    assert int(next(chains)["n"].value) == sum(
        len(p["chains"]) for f in funds(data_graph)
        for p in backing(data_graph, fund=f)["pairs"])


def test_terms_that_do_not_fit_the_query_layer_are_refused() -> None:
    check_terms(TERMS)  # the schema's as shipped
    with pytest.raises(InferenceError, match="PATTERNS"):
        check_terms(dataclasses.replace(TERMS, patterns=(*TERMS.patterns, "via_rumour")))
    with pytest.raises(InferenceError, match="max_hops"):
        check_terms(dataclasses.replace(TERMS, hops=TERMS.hops[:2]))
