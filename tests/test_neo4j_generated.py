"""Parity and the Cypher files on a generated graph, which has what data/ lacks: every backing
pattern (direct, via programme, institution, company, park, sector, institution group), 3-
and 4-hop chains, many parallel paths, parks with member labs and companies, thousands of
nodes.

The module loads the generated graph into the session's Neo4j and puts data/ back when done.
"""

from __future__ import annotations

import random
from collections import Counter

import networkx as nx
import pytest
from cypher_checks import CHECKS, CYPHER_DIR, run_file
from neo4j_generated_fixtures import sample
from parity_checks import assert_same_centrality, assert_same_paths, assert_same_search

from queries.backend import CENTRALITY_MEASURES
from queries.backing import PATTERNS
from queries.errors import NoAnswer
from queries.paths import shortest_paths

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def test_statistics_entities_and_search(generated, backends):
    embedded, neo4j = backends
    assert neo4j.statistics() == embedded.statistics()
    assert neo4j.health() == {**embedded.health(), "backend": "neo4j"}
    differ = [n for n in sample(generated, 150, 1) if neo4j.entity(n) != embedded.entity(n)]
    assert not differ
    for text, kinds in (("00001", None), ("实验室", ["Lab"]), ("Fund", None), ("号", ["Park"])):
        assert_same_search(generated, embedded, neo4j, text, kinds)


def test_neighbourhoods(generated, backends):
    embedded, neo4j = backends
    for node in sample(generated, 15, 2):
        for kwargs in ({"radius": 2, "limit": 60}, {"radius": 3, "limit": 1000},
                       {"radius": 2, "relations": ["SUPPORTS", "HOSTS", "FUNDS"]}):
            assert neo4j.neighbourhood(node, **kwargs) == embedded.neighbourhood(node, **kwargs)


def test_paths(generated, backends):
    embedded, neo4j = backends
    nodes = sample(generated, 24, 3)
    for a, b in zip(nodes[::2], nodes[1::2], strict=True):
        for kwargs in ({}, {"directed": True}, {"mode": "k_shortest", "k": 5, "max_length": 5},
                       {"mode": "all_simple", "max_length": 4, "limit": 10},
                       {"node_kinds": ["Institution", "Company", "Park", "Lab"]}):
            try:
                expected = embedded.paths(a, b, **kwargs)
            except NoAnswer as exc:
                with pytest.raises(NoAnswer) as raised:
                    neo4j.paths(a, b, **kwargs)
                assert str(raised.value) == str(exc)
                continue
            answer = neo4j.paths(a, b, **kwargs)
            if kwargs.get("mode", "shortest") == "shortest":
                assert answer == expected
            else:
                assert_same_paths(generated, expected, answer)


def test_backing_every_pattern(backends):
    embedded, neo4j = backends
    for kwargs in ({}, {"max_length": 2}, {"max_length": 4, "limit": 50}):
        expected = embedded.backing(**kwargs)
        assert neo4j.backing(**kwargs) == expected
    patterns = {c["pattern"] for p in embedded.backing(limit=1000)["pairs"] for c in p["chains"]}
    assert patterns == set(PATTERNS)


def test_backing_per_fund_and_lab(generated, backends):
    embedded, neo4j = backends
    for fund in sample(generated, 10, 4, "Fund"):
        assert neo4j.backing(fund=fund) == embedded.backing(fund=fund)
    for lab in sample(generated, 10, 5, "Lab"):
        assert neo4j.backing(lab=lab, max_length=4) == embedded.backing(lab=lab, max_length=4)


def test_centrality(generated, backends):
    embedded, neo4j = backends
    for measure in CENTRALITY_MEASURES:
        for kind in (None, "Lab"):
            assert_same_centrality(generated, embedded.centrality(measure, kind=kind, top=25),
                                   neo4j.centrality(measure, kind=kind, top=25))


def cypher_params(g: nx.MultiDiGraph) -> dict[str, list[dict[str, str | int | None]]]:
    """Parameters naming entities of the generated graph, for the files that need them."""
    rng = random.Random(6)
    funds = sorted(n for n, k in g.nodes(data="kind") if k == "Fund")
    programs = sorted(u for u, _, rel in g.edges(keys=True)
                      if g.nodes[u]["kind"] == "Program"
                      and rel in ("SUPPORTS", "FUNDS", "TARGETS_SECTOR"))
    pairs = []
    while len(pairs) < 2:
        a, b = rng.sample(sorted(g), 2)
        try:
            if shortest_paths(g, a, b, max_length=6)["paths"][0]["length"] >= 2:
                pairs.append({"from_name": g.nodes[a]["name_en"], "to_name": b})
        except NoAnswer:
            continue
    busy = max(sorted(g), key=g.degree)
    observed = Counter((u, g.nodes[v]["metric"]) for u, v, rel in g.edges(keys=True)
                       if rel == "HAS_OBSERVATION")
    (subject, metric), _ = max(sorted(observed.items()), key=lambda item: item[1])
    years = sorted({y for _, y in g.nodes(data="published_year") if y is not None})
    return {
        "01_funds_backing_labs.cypher": [{"fund": None}, {"fund": funds[0]}],
        "04_shortest_path.cypher": pairs,
        "06_program_supports.cypher": [{"program": programs[0]}],
        "07_source_article.cypher": [{"source": "source-gen-00000"},
                                     {"source": "gen-nodes-00001.txt"}],
        "07b_source_relations.cypher": [{"source": "source-gen-00000"}],
        "11_name_search.cypher": [{"q": busy.rsplit("-", 1)[1]}],
        "11b_name_contains.cypher": [{"q": busy.rsplit("-", 1)[1]}],
        "12_entity_card.cypher": [{"name": busy}],
        "12b_entity_relations.cypher": [{"name": busy}],
        "13_metric_over_time.cypher": [{"subject": subject, "metric": metric}],
        "14_new_since.cypher": [{"after": years[len(years) // 2]}],
    }


def test_cypher_files_on_the_generated_graph(generated, neo4j_driver, neo4j_target):
    params = cypher_params(generated)
    for name, (check, _) in CHECKS.items():
        for overrides in params.get(name, [{}]):
            values, results = run_file(CYPHER_DIR / name, neo4j_driver, neo4j_target.database,
                                       overrides)
            check(generated, values, results)
