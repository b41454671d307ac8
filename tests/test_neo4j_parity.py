"""The embedded and the Neo4j backends give the same answers on data/.

Neo4j is the real server of the session (tests/neo4j_fixture.py), loaded with data/ by
``innograph``'s own sync. Every QueryBackend method is asked the same questions of both
backends; answers must be equal as JSON, apart from the order-only differences
tests/parity_checks.py describes, which are checked against the graph instead.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import pytest
from neo4j_read_fixtures import data_graph, embedded_backend, neo4j_backend, neo4j_with_data
from parity_checks import (
    assert_same_centrality,
    assert_same_paths,
    assert_same_search,
)

from api.app import create_app
from queries.backend import CENTRALITY_MEASURES
from queries.backing import INFERRED
from queries.errors import AmbiguousName, InvalidQuery, NoAnswer, NodeNotFound

pytestmark = pytest.mark.neo4j
__all__ = ["data_graph", "embedded_backend", "neo4j_backend", "neo4j_with_data"]

#: Named entities the issue fixes, by id and by the names an analyst would type.
NAMED = ["changxing-fund", "future-seed-fund", "长光卫星", "吉林一号", "jilin-university",
         "长春光机所", "一汽", "crrc-changchun", "changbaishan-lab", "sanjiang-lab", "jiguang-lab",
         "national-key-labs-11", "changchun", "beihu-future-science-city", "sector-biomedicine",
         "plan-5616", "source-000"]
FUNDS = ["changxing-fund", "future-seed-fund", "长兴基金", "长春未来种子基金"]


def same_outcome(call, embedded, neo4j):
    """Both backends answer ``call`` equally, or both raise the same error and message."""
    try:
        expected = call(embedded)
    except (InvalidQuery, NoAnswer, NodeNotFound, AmbiguousName) as exc:
        with pytest.raises(type(exc)) as raised:
            call(neo4j)
        assert str(raised.value) == str(exc)
        return None
    answer = call(neo4j)
    assert answer == expected
    return answer


def test_version_and_health(embedded_backend, neo4j_backend, data_graph):
    assert neo4j_backend.version() == embedded_backend.version() == data_graph.graph["version"]
    health = neo4j_backend.health()
    assert health == {**embedded_backend.health(), "backend": "neo4j"}
    assert (health["nodes"], health["edges"]) == (data_graph.number_of_nodes(),
                                                  data_graph.number_of_edges())


def test_statistics(embedded_backend, neo4j_backend):
    assert neo4j_backend.statistics() == embedded_backend.statistics()


def test_every_entity(embedded_backend, neo4j_backend, data_graph):
    differ = [n for n in data_graph
              if neo4j_backend.entity(n) != embedded_backend.entity(n)]
    assert not differ, f"{len(differ)} entities differ, e.g. {differ[:5]}"


@pytest.mark.parametrize("limit,offset", [(1, 0), (3, 2), (2, 5), (1000, 0), (4, 1000)])
def test_entity_pages(embedded_backend, neo4j_backend, data_graph, limit, offset):
    """Neo4j cuts the page on the server: the same relations, totals and truncation."""
    hubs = sorted(data_graph, key=lambda n: (-data_graph.degree(n), n))[:3]
    for hub in hubs:
        answer = neo4j_backend.entity(hub, edge_limit=limit, edge_offset=offset)
        assert answer == embedded_backend.entity(hub, edge_limit=limit, edge_offset=offset)
        assert len(answer["edges"]["out"]) <= limit
        most = max(data_graph.out_degree(hub), data_graph.in_degree(hub))
        assert answer["edges_truncated"] == (most > limit + offset)


@pytest.mark.parametrize("name", [*NAMED, "CHANGCHUN", " 长兴基金 ", "Changxing Fund"])
def test_entity_by_name(embedded_backend, neo4j_backend, name):
    answer = same_outcome(lambda b: b.entity(name), embedded_backend, neo4j_backend)
    assert answer is not None  # each of these names one entity


def test_entity_errors(embedded_backend, neo4j_backend, data_graph):
    same_outcome(lambda b: b.entity("no-such-entity"), embedded_backend, neo4j_backend)
    with pytest.raises(InvalidQuery):
        neo4j_backend.entity("  ")
    # a name several entities share: the same candidates (ordered by id on the Neo4j side)
    names: dict[str, set[str]] = {}
    for node_id, a in data_graph.nodes(data=True):
        for name in {a["name_zh"].casefold(), a["name_en"].casefold(),
                     *(x.casefold() for x in a["aliases"])}:
            names.setdefault(name, set()).add(node_id)
    shared = sorted(name for name, ids in names.items() if len(ids) > 1 and name not in data_graph)
    for name in shared:
        with pytest.raises(AmbiguousName) as embedded_error:
            embedded_backend.entity(name)
        with pytest.raises(AmbiguousName) as neo4j_error:
            neo4j_backend.entity(name)
        assert neo4j_error.value.candidates == sorted(embedded_error.value.candidates)


@pytest.mark.parametrize("text,kinds", [
    (None, None), (None, ["Lab", "Fund"]), ("长春", None), ("基金", None), ("基金", ["Fund"]),
    ("lab", None), ("Jilin", None), ("光", ["Lab", "Company"]), ("一汽", None), ("  ", None),
    ("changchun", None), ("no such name", None),
])
def test_search(data_graph, embedded_backend, neo4j_backend, text, kinds):
    assert_same_search(data_graph, embedded_backend, neo4j_backend, text, kinds)


def test_search_parameter_errors(embedded_backend, neo4j_backend):
    for kwargs in ({"limit": 0}, {"offset": -1}, {"kinds": ["Nope"]}):
        same_outcome(lambda b, kw=kwargs: b.search("x", **kw), embedded_backend, neo4j_backend)


@pytest.mark.parametrize("entity", NAMED)
def test_neighbourhood(embedded_backend, neo4j_backend, entity):
    for kwargs in ({}, {"radius": 2}, {"radius": 3, "limit": 25},
                   {"radius": 2, "relations": ["SUPPORTS", "OPERATES", "FUNDS", "PART_OF"]},
                   {"radius": 2, "node_kinds": ["Institution", "Lab", "Program"]}):
        same_outcome(lambda b, kw=kwargs: b.neighbourhood(entity, **kw), embedded_backend,
                     neo4j_backend)


def test_neighbourhood_errors(embedded_backend, neo4j_backend):
    for kwargs in ({"radius": 0}, {"radius": 4}, {"limit": 0}, {"relations": ["NOPE"]},
                   {"node_kinds": ["Nope"]}):
        same_outcome(lambda b, kw=kwargs: b.neighbourhood("changchun", **kw),
                     embedded_backend, neo4j_backend)


PAIRS = list(combinations(NAMED, 2))
#: Enumerating paths costs more; every third pair (tests/test_neo4j_generated.py adds breadth).
ENUMERATION_PAIRS = PAIRS[::3]


@pytest.mark.parametrize("source,target", PAIRS)
def test_shortest_paths(embedded_backend, neo4j_backend, source, target):
    for kwargs in ({}, {"directed": True},
                   {"node_kinds": ["Institution", "Lab", "Program", "Fund", "Park"]},
                   {"relations": ["SUPPORTS", "OPERATES", "LOCATED_IN", "PART_OF",
                                  "AFFILIATED_WITH"], "max_length": 4}):
        same_outcome(lambda b, kw=kwargs: b.paths(source, target, **kw), embedded_backend,
                     neo4j_backend)


@pytest.mark.parametrize("source,target", ENUMERATION_PAIRS)
def test_k_shortest_and_all_simple_paths(data_graph, embedded_backend, neo4j_backend, source,
                                         target):
    for kwargs in ({"mode": "k_shortest", "k": 4, "max_length": 5},
                   {"mode": "k_shortest", "k": 2, "directed": True},
                   {"mode": "all_simple", "max_length": 4, "limit": 15},
                   {"mode": "all_simple", "max_length": 3,
                    "node_kinds": ["Institution", "Place", "Program"]}):
        try:
            expected = embedded_backend.paths(source, target, **kwargs)
        except NoAnswer as exc:
            with pytest.raises(NoAnswer) as raised:
                neo4j_backend.paths(source, target, **kwargs)
            assert str(raised.value) == str(exc)
            continue
        assert_same_paths(data_graph, expected, neo4j_backend.paths(source, target, **kwargs))


def test_path_errors(embedded_backend, neo4j_backend):
    for args, kwargs in ((("changchun", "changchun"), {}),
                         (("changchun", "faw"), {"mode": "nope"}),
                         (("changchun", "faw"), {"relations": ["NOPE"]}),
                         (("changchun", "nowhere"), {}),
                         (("changchun", "faw"), {"max_length": 0}),
                         (("changchun", "faw"), {"limit": 0}),
                         (("changchun", "faw"), {"mode": "k_shortest", "k": 0}),
                         (("changxing-fund", "faw"), {"relations": ["LEADS"]})):
        same_outcome(lambda b, a=args, kw=kwargs: b.paths(*a, **kw), embedded_backend,
                     neo4j_backend)


@pytest.mark.parametrize("fund", [None, *FUNDS])
@pytest.mark.parametrize("max_length", [1, 2, 3, 4])
def test_backing_from_funds(embedded_backend, neo4j_backend, fund, max_length):
    answer = same_outcome(lambda b: b.backing(fund=fund, max_length=max_length),
                          embedded_backend, neo4j_backend)
    assert answer is not None


def test_backing_of_each_lab(embedded_backend, neo4j_backend, data_graph):
    for lab in sorted(n for n, k in data_graph.nodes(data="kind") if k == "Lab"):
        same_outcome(lambda b, lab=lab: b.backing(lab=lab), embedded_backend, neo4j_backend)
    same_outcome(lambda b: b.backing(fund="changxing-fund", lab="changbaishan-lab"),
                 embedded_backend, neo4j_backend)


@pytest.mark.parametrize("fund,pattern", [("changxing-fund", "via_sector"),
                                          ("future-seed-fund", "via_institution_group")])
def test_backing_finds_the_stated_and_inferred_chains(neo4j_backend, data_graph, fund, pattern):
    # not only equal: the data has chains, and inferred ones say so
    answer = neo4j_backend.backing(fund=fund)
    assert answer["pairs"]
    assert any(pattern in pair["patterns"] for pair in answer["pairs"])
    for pair in answer["pairs"]:
        for chain in pair["chains"]:
            assert chain["inferred"] == (chain["pattern"] in INFERRED)
            assert chain["nodes"][0] == fund
            assert data_graph.nodes[chain["nodes"][-1]]["kind"] == "Lab"


def test_backing_errors(embedded_backend, neo4j_backend):
    for kwargs in ({"fund": "changchun"}, {"lab": "changxing-fund"}, {"fund": "nope"},
                   {"max_length": 0}, {"limit": 0}):
        same_outcome(lambda b, kw=kwargs: b.backing(**kw), embedded_backend, neo4j_backend)


@pytest.mark.parametrize("measure", CENTRALITY_MEASURES)
def test_centrality_top_k(data_graph, embedded_backend, neo4j_backend, measure):
    for kind, top in ((None, 10), (None, 1000), ("Lab", 5), ("Fund", 3), ("Person", 10)):
        assert_same_centrality(data_graph,
                               embedded_backend.centrality(measure, kind=kind, top=top),
                               neo4j_backend.centrality(measure, kind=kind, top=top))


def test_centrality_errors(embedded_backend, neo4j_backend):
    for args, kwargs in ((("nope",), {}), (("pagerank",), {"kind": "Nope"}),
                         (("pagerank",), {"top": 0})):
        same_outcome(lambda b, a=args, kw=kwargs: b.centrality(*a, **kw), embedded_backend,
                     neo4j_backend)


@pytest.mark.parametrize("path", [
    "/api/v1/health", "/api/v1/statistics", "/api/v1/entities/长光卫星",
    "/api/v1/entities?kind=Lab&limit=5", "/api/v1/entities/changchun/neighbours?radius=2",
    "/api/v1/paths?from=长兴基金&to=长光卫星", "/api/v1/backing?fund=长兴基金",
    "/api/v1/entities/nowhere", "/api/v1/paths?from=changchun&to=changchun",
])
def test_api_answers_alike_over_both_backends(embedded_backend, neo4j_backend, path):
    answers = []
    for backend in (embedded_backend, neo4j_backend):
        response = create_app(backend).test_client().get(path)
        body = response.get_json()
        if isinstance(body, dict) and body.get("backend"):
            body["backend"] = "either"
        answers.append((response.status_code, response.mimetype, body))
    assert answers[0] == answers[1]


def test_no_mentions_leak_into_answers(neo4j_backend, data_graph: nx.MultiDiGraph):
    # Neo4j holds derived Source-MENTIONS links the embedded graph has not: never shown
    source = neo4j_backend.entity("source-000")
    assert all(e["rel"] != "MENTIONS" for e in source["edges"]["out"] + source["edges"]["in"])
    records = neo4j_backend.run("MATCH (:Source)-[m:MENTIONS]->() RETURN count(m) AS n")
    assert records[0]["n"] > 0  # they are there, in Neo4j
