"""The query service answers the same questions alike over both stores, on data/.

Each test of the first set runs once per store (``service``: the embedded networkx graph, and
the session's real Neo4j, tests/neo4j_fixture.py, loaded with data/ by ``innograph``'s own
sync) and checks the answer against what the graph itself says, computed here with networkx.
The second set asks both stores the same question and checks the answers are equal as JSON,
apart from the order-only differences tests/parity_checks.py describes, which are checked
against the graph instead.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable
from itertools import combinations, pairwise

import networkx as nx
import pytest
from parity_checks import (
    assert_centrality_from_graph,
    assert_same_centrality,
    assert_same_paths,
    assert_same_search,
    assert_search_from_graph,
    ids_named,
)
from queries_fixtures import projection

from api.app import create_app
from graph.timeline import as_of_graph, reported_in, source_years
from innograph import report
from queries.backend import CENTRALITY_MEASURES
from queries.backing import INFERRED
from queries.errors import AmbiguousName, InvalidQuery, NoAnswer, NodeNotFound
from queries.service import QueryService

#: The embedded store always; the Neo4j one where Neo4j runs (the `neo4j` mark).
STORES = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]

#: Named entities the issue fixes, by id and by the names an analyst would type.
NAMED = ["changxing-fund", "future-seed-fund", "长光卫星", "吉林一号", "jilin-university",
         "长春光机所", "一汽", "crrc-changchun", "changbaishan-lab", "sanjiang-lab", "jiguang-lab",
         "national-key-labs-11", "changchun", "beihu-future-science-city", "sector-biomedicine",
         "plan-5616", "source-000"]
FUNDS = ["changxing-fund", "future-seed-fund", "长兴基金", "长春未来种子基金"]
PAIRS = list(combinations(NAMED, 2))
#: Enumerating paths costs more; every third pair (tests/test_neo4j_generated.py adds breadth).
ENUMERATION_PAIRS = PAIRS[::3]
QUERY_ERRORS = (InvalidQuery, NoAnswer, NodeNotFound, AmbiguousName)


@pytest.fixture(params=STORES)
def service(request: pytest.FixtureRequest, backend: QueryService) -> QueryService:
    """The query service over each store, both holding data/ (``data_graph``)."""
    return backend if request.param == "embedded" else request.getfixturevalue("neo4j_backend")


@pytest.fixture
def both(backend: QueryService, neo4j_backend: QueryService) -> tuple[QueryService, ...]:
    """(embedded, neo4j): for the questions whose whole answer is compared across stores."""
    return backend, neo4j_backend


def same_outcome(call, both):
    """Both stores answer ``call`` equally, or both raise the same error and message."""
    embedded, neo4j = both
    try:
        expected = call(embedded)
    except QUERY_ERRORS as exc:
        with pytest.raises(type(exc)) as raised:
            call(neo4j)
        assert str(raised.value) == str(exc)
        return None
    answer = call(neo4j)
    assert answer == expected
    return answer


def shared_names(g: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Names (casefolded) several entities share, and those entities' ids."""
    names: dict[str, set[str]] = {}
    for node_id, a in g.nodes(data=True):
        for name in {a["name_zh"].casefold(), a["name_en"].casefold(),
                     *(x.casefold() for x in a["aliases"])}:
            names.setdefault(name, set()).add(node_id)
    return {name: sorted(ids) for name, ids in sorted(names.items())
            if len(ids) > 1 and name not in g}


# -- each store against the graph --------------------------------------------------------------

def test_version_and_health(service, data_graph):
    assert service.version() == data_graph.graph["version"]
    assert service.health() == {"status": "ok", "backend": service.name,
                                "version": data_graph.graph["version"],
                                "nodes": data_graph.number_of_nodes(),
                                "edges": data_graph.number_of_edges()}


def test_statistics_count_the_graph(service, data_graph):
    stats = service.statistics()
    assert (stats["nodes"], stats["edges"]) == (data_graph.number_of_nodes(),
                                                data_graph.number_of_edges())
    kinds: dict[str, int] = {}
    for _, kind in data_graph.nodes(data="kind"):
        kinds[kind] = kinds.get(kind, 0) + 1
    assert stats["nodes_by_kind"] == kinds
    relations: dict[str, int] = {}
    for _, _, rel in data_graph.edges(keys=True):
        relations[rel] = relations.get(rel, 0) + 1
    assert stats["edges_by_relation"] == relations


def test_every_entity_lists_its_stored_edges(service, data_graph):
    differ = []
    for n in data_graph:
        answer = service.entity(n)
        out = sorted((rel, v) for _, v, rel in data_graph.out_edges(n, keys=True))
        into = sorted((rel, u) for u, _, rel in data_graph.in_edges(n, keys=True))
        if (answer["id"] != n or answer["kind"] != data_graph.nodes[n]["kind"]
                or [(e["rel"], e["other"]["id"]) for e in answer["edges"]["out"]] != out
                or [(e["rel"], e["other"]["id"]) for e in answer["edges"]["in"]] != into):
            differ.append(n)
    assert not differ, f"{len(differ)} entities differ from the graph, e.g. {differ[:5]}"


@pytest.mark.parametrize("limit,offset", [(1, 0), (3, 2), (2, 5), (1000, 0), (4, 1000)])
def test_entity_pages(service, data_graph, limit, offset):
    """The page is cut by relation then other id, with the true totals and truncation."""
    hubs = sorted(data_graph, key=lambda n: (-data_graph.degree(n), n))[:3]
    for hub in hubs:
        answer = service.entity(hub, edge_limit=limit, edge_offset=offset)
        out = sorted((rel, v) for _, v, rel in data_graph.out_edges(hub, keys=True))
        into = sorted((rel, u) for u, _, rel in data_graph.in_edges(hub, keys=True))
        assert ([(e["rel"], e["other"]["id"]) for e in answer["edges"]["out"]]
                == out[offset:offset + limit])
        assert ([(e["rel"], e["other"]["id"]) for e in answer["edges"]["in"]]
                == into[offset:offset + limit])
        assert answer["edges_total"] == {"out": len(out), "in": len(into)}
        assert answer["edges_truncated"] == (max(len(out), len(into)) > limit + offset)


@pytest.mark.parametrize("name", [*NAMED, "CHANGCHUN", " 长兴基金 ", "Changxing Fund"])
def test_entity_by_name(service, data_graph, name):
    (node_id,) = ids_named(data_graph, name)  # each of these names one entity
    assert service.entity(name)["id"] == node_id


def test_entity_errors(service, data_graph):
    with pytest.raises(NodeNotFound):
        service.entity("no-such-entity")
    with pytest.raises(InvalidQuery):
        service.entity("  ")
    shared = shared_names(data_graph)
    assert shared  # the data has names several entities share
    for name, ids in shared.items():
        with pytest.raises(AmbiguousName) as error:
            service.entity(name)
        assert sorted(error.value.candidates) == ids


SEARCHES = [
    (None, None), (None, ["Lab", "Fund"]), ("长春", None), ("基金", None), ("基金", ["Fund"]),
    ("lab", None), ("Jilin", None), ("光", ["Lab", "Company"]), ("一汽", None), ("  ", None),
    ("changchun", None), ("no such name", None),
    # traditional Chinese (the graph's names are simplified), words in any order, spaces
    ("長春光機所", None), ("吉林大學", None), ("changchun optics", None), ("jilin  univ", None),
    ("chang guang", ["Company", "Lab"]),
]


@pytest.mark.parametrize("text,kinds", SEARCHES)
def test_search_finds_what_the_graph_names(service, data_graph, text, kinds):
    assert_search_from_graph(data_graph, service, text, kinds)


@pytest.mark.parametrize("kwargs", [{"limit": 0}, {"offset": -1}, {"kinds": ["Nope"]}])
def test_search_parameter_errors(service, kwargs):
    with pytest.raises(InvalidQuery):
        service.search("x", **kwargs)


@pytest.mark.parametrize("kwargs", [{"radius": 0}, {"radius": 4}, {"limit": 0},
                                    {"relations": ["NOPE"]}, {"node_kinds": ["Nope"]}])
def test_neighbourhood_errors(service, kwargs):
    with pytest.raises(InvalidQuery):
        service.neighbourhood("changchun", **kwargs)


@pytest.mark.parametrize("source,target", PAIRS)
def test_shortest_paths_are_shortest(service, data_graph, source, target):
    (a,) = ids_named(data_graph, source)
    (b,) = ids_named(data_graph, target)
    for directed in (False, True):
        h = projection(data_graph, directed=directed)
        try:
            length = nx.shortest_path_length(h, a, b)
        except nx.NetworkXNoPath:
            with pytest.raises(NoAnswer):
                service.paths(source, target, directed=directed)
            continue
        answer = service.paths(source, target, directed=directed)
        assert answer["paths"]
        for path in answer["paths"]:
            assert path["length"] == length == len(path["nodes"]) - 1
            assert (path["nodes"][0], path["nodes"][-1]) == (a, b)
            assert all(h.has_edge(u, v) for u, v in pairwise(path["nodes"]))


@pytest.mark.parametrize("args,kwargs,error", [
    (("changchun", "changchun"), {}, InvalidQuery),
    (("changchun", "faw"), {"mode": "nope"}, InvalidQuery),
    (("changchun", "faw"), {"relations": ["NOPE"]}, InvalidQuery),
    (("changchun", "nowhere"), {}, NodeNotFound),
    (("changchun", "faw"), {"max_length": 0}, InvalidQuery),
    (("changchun", "faw"), {"limit": 0}, InvalidQuery),
    (("changchun", "faw"), {"mode": "k_shortest", "k": 0}, InvalidQuery),
    (("changxing-fund", "faw"), {"relations": ["LEADS"]}, NoAnswer),
])
def test_path_errors(service, args, kwargs, error):
    with pytest.raises(error):
        service.paths(*args, **kwargs)


@pytest.mark.parametrize("fund,pattern", [("changxing-fund", "via_sector"),
                                          ("future-seed-fund", "via_institution_group")])
def test_backing_finds_the_stated_and_inferred_chains(service, data_graph, fund, pattern):
    # the data has chains, and inferred ones say so
    answer = service.backing(fund=fund)
    assert answer["pairs"]
    assert any(pattern in pair["patterns"] for pair in answer["pairs"])
    for pair in answer["pairs"]:
        for chain in pair["chains"]:
            assert chain["inferred"] == (chain["pattern"] in INFERRED)
            assert chain["nodes"][0] == fund
            assert data_graph.nodes[chain["nodes"][-1]]["kind"] == "Lab"


@pytest.mark.parametrize("kwargs,error", [
    ({"fund": "changchun"}, InvalidQuery), ({"lab": "changxing-fund"}, InvalidQuery),
    ({"fund": "nope"}, NodeNotFound), ({"max_length": 0}, InvalidQuery),
    ({"limit": 0}, InvalidQuery)])
def test_backing_errors(service, kwargs, error):
    with pytest.raises(error):
        service.backing(**kwargs)


@pytest.mark.parametrize("measure", CENTRALITY_MEASURES)
def test_centrality_top_k_ranks_the_graphs_scores(service, data_graph, measure):
    for kind, top in ((None, 10), (None, 1000), ("Lab", 5), ("Fund", 3), ("Person", 10)):
        assert_centrality_from_graph(data_graph, service.centrality(measure, kind=kind, top=top),
                                     measure, kind, top)


@pytest.mark.parametrize("args,kwargs", [(("nope",), {}), (("pagerank",), {"kind": "Nope"}),
                                         (("pagerank",), {"top": 0})])
def test_centrality_errors(service, args, kwargs):
    with pytest.raises(InvalidQuery):
        service.centrality(*args, **kwargs)


# -- both stores, the whole answer compared ----------------------------------------------------

@pytest.mark.neo4j
def test_statistics_alike(both):
    same_outcome(lambda b: b.statistics(), both)


@pytest.mark.neo4j
def test_every_entity_alike(both, data_graph):
    embedded, neo4j = both
    differ = [n for n in data_graph if neo4j.entity(n) != embedded.entity(n)]
    assert not differ, f"{len(differ)} entities differ, e.g. {differ[:5]}"


@pytest.mark.neo4j
@pytest.mark.parametrize("limit,offset", [(1, 0), (3, 2), (2, 5), (1000, 0), (4, 1000)])
def test_entity_pages_alike(both, data_graph, limit, offset):
    for hub in sorted(data_graph, key=lambda n: (-data_graph.degree(n), n))[:3]:
        same_outcome(lambda b, hub=hub: b.entity(hub, edge_limit=limit, edge_offset=offset),
                     both)


@pytest.mark.neo4j
@pytest.mark.parametrize("name", [*NAMED, "CHANGCHUN", " 长兴基金 ", "Changxing Fund",
                                  "no-such-entity", "  "])
def test_entity_by_name_alike(both, name):
    same_outcome(lambda b: b.entity(name), both)


@pytest.mark.neo4j
def test_ambiguous_names_alike(both, data_graph):
    # the same candidates, ordered by id on the Neo4j side
    embedded, neo4j = both
    for name in shared_names(data_graph):
        with pytest.raises(AmbiguousName) as embedded_error:
            embedded.entity(name)
        with pytest.raises(AmbiguousName) as neo4j_error:
            neo4j.entity(name)
        assert neo4j_error.value.candidates == sorted(embedded_error.value.candidates)


@pytest.mark.neo4j
@pytest.mark.parametrize("text,kinds", SEARCHES)
def test_search_alike(data_graph, both, text, kinds):
    assert_same_search(data_graph, *both, text, kinds)


@pytest.mark.neo4j
def test_search_parameter_errors_alike(both):
    for kwargs in ({"limit": 0}, {"offset": -1}, {"kinds": ["Nope"]}):
        same_outcome(lambda b, kw=kwargs: b.search("x", **kw), both)


@pytest.mark.neo4j
@pytest.mark.parametrize("entity", NAMED)
def test_neighbourhood_alike(both, entity):
    for kwargs in ({}, {"radius": 2}, {"radius": 3, "limit": 25},
                   {"radius": 2, "relations": ["SUPPORTS", "OPERATES", "FUNDS", "PART_OF"]},
                   {"radius": 2, "node_kinds": ["Institution", "Lab", "Program"]}):
        same_outcome(lambda b, kw=kwargs: b.neighbourhood(entity, **kw), both)


@pytest.mark.neo4j
def test_neighbourhood_errors_alike(both):
    for kwargs in ({"radius": 0}, {"radius": 4}, {"limit": 0}, {"relations": ["NOPE"]},
                   {"node_kinds": ["Nope"]}):
        same_outcome(lambda b, kw=kwargs: b.neighbourhood("changchun", **kw), both)


@pytest.mark.neo4j
@pytest.mark.parametrize("source,target", PAIRS)
def test_shortest_paths_alike(both, source, target):
    for kwargs in ({}, {"directed": True},
                   {"node_kinds": ["Institution", "Lab", "Program", "Fund", "Park"]},
                   {"relations": ["SUPPORTS", "OPERATES", "LOCATED_IN", "PART_OF",
                                  "AFFILIATED_WITH"], "max_length": 4}):
        same_outcome(lambda b, kw=kwargs: b.paths(source, target, **kw), both)


@pytest.mark.neo4j
@pytest.mark.parametrize("source,target", ENUMERATION_PAIRS)
def test_k_shortest_and_all_simple_paths_alike(data_graph, both, source, target):
    embedded, neo4j = both
    for kwargs in ({"mode": "k_shortest", "k": 4, "max_length": 5},
                   {"mode": "k_shortest", "k": 2, "directed": True},
                   {"mode": "all_simple", "max_length": 4, "limit": 15},
                   {"mode": "all_simple", "max_length": 3,
                    "node_kinds": ["Institution", "Place", "Program"]}):
        try:
            expected = embedded.paths(source, target, **kwargs)
        except NoAnswer as exc:
            with pytest.raises(NoAnswer) as raised:
                neo4j.paths(source, target, **kwargs)
            assert str(raised.value) == str(exc)
            continue
        assert_same_paths(data_graph, expected, neo4j.paths(source, target, **kwargs))


@pytest.mark.neo4j
def test_path_errors_alike(both):
    for args, kwargs in ((("changchun", "changchun"), {}),
                         (("changchun", "faw"), {"mode": "nope"}),
                         (("changchun", "faw"), {"relations": ["NOPE"]}),
                         (("changchun", "nowhere"), {}),
                         (("changchun", "faw"), {"max_length": 0}),
                         (("changchun", "faw"), {"limit": 0}),
                         (("changchun", "faw"), {"mode": "k_shortest", "k": 0}),
                         (("changxing-fund", "faw"), {"relations": ["LEADS"]})):
        same_outcome(lambda b, a=args, kw=kwargs: b.paths(*a, **kw), both)


@pytest.mark.neo4j
@pytest.mark.parametrize("fund", [None, *FUNDS])
@pytest.mark.parametrize("max_length", [1, 2, 3, 4])
def test_backing_from_funds_alike(both, fund, max_length):
    answer = same_outcome(lambda b: b.backing(fund=fund, max_length=max_length), both)
    assert answer is not None


@pytest.mark.neo4j
def test_backing_of_each_lab_alike(both, data_graph):
    for lab in sorted(n for n, k in data_graph.nodes(data="kind") if k == "Lab"):
        same_outcome(lambda b, lab=lab: b.backing(lab=lab), both)
    same_outcome(lambda b: b.backing(fund="changxing-fund", lab="changbaishan-lab"), both)


@pytest.mark.neo4j
def test_backing_errors_alike(both):
    for kwargs in ({"fund": "changchun"}, {"lab": "changxing-fund"}, {"fund": "nope"},
                   {"max_length": 0}, {"limit": 0}):
        same_outcome(lambda b, kw=kwargs: b.backing(**kw), both)


@pytest.mark.neo4j
@pytest.mark.parametrize("measure", CENTRALITY_MEASURES)
def test_centrality_top_k_alike(data_graph, both, measure):
    embedded, neo4j = both
    for kind, top in ((None, 10), (None, 1000), ("Lab", 5), ("Fund", 3), ("Person", 10)):
        assert_same_centrality(data_graph, embedded.centrality(measure, kind=kind, top=top),
                               neo4j.centrality(measure, kind=kind, top=top))


@pytest.mark.neo4j
def test_centrality_errors_alike(both):
    for args, kwargs in ((("nope",), {}), (("pagerank",), {"kind": "Nope"}),
                         (("pagerank",), {"top": 0})):
        same_outcome(lambda b, a=args, kw=kwargs: b.centrality(*a, **kw), both)


@pytest.mark.neo4j
@pytest.mark.parametrize("path", [
    "/api/v1/health", "/api/v1/statistics", "/api/v1/entities/长光卫星",
    "/api/v1/entities?kind=Lab&limit=5", "/api/v1/entities/changchun/neighbours?radius=2",
    "/api/v1/paths?from=长兴基金&to=长光卫星", "/api/v1/backing?fund=长兴基金",
    "/api/v1/entities/nowhere", "/api/v1/paths?from=changchun&to=changchun",
    "/api/v1/gaps?as_of=2022", "/api/v1/brokers?as_of=2025&limit=5", "/api/v1/communities",
    "/api/v1/suggestions?as_of=2022", "/api/v1/helix?as_of=2022",
    "/api/v1/changes?from=2022&to=2025&limit=5", "/api/v1/statistics?as_of=2022",
    "/api/v1/changes?from=2022&to=2025&change=appeared,metric&kind=Lab,Place&limit=50",
    "/api/v1/changes?from=2022&to=2025&entity=长春&limit=50",
    "/api/v1/entities/changchun/metrics/high_tech_enterprises?as_of=2022",
])
def test_api_answers_alike_over_both_stores(both, path):
    answers = []
    for service in both:
        response = create_app(service).test_client().get(path)
        body = response.get_json()
        if isinstance(body, dict) and body.get("backend"):
            body["backend"] = "either"
        answers.append((response.status_code, response.mimetype, body))
    assert answers[0] == answers[1]


@pytest.mark.neo4j
def test_no_mentions_leak_into_answers(neo4j_backend):
    # Neo4j holds derived Source-MENTIONS links the embedded graph has not: never shown
    source = neo4j_backend.entity("source-000")
    assert all(e["rel"] != "MENTIONS" for e in source["edges"]["out"] + source["edges"]["in"])
    records = neo4j_backend.run("MATCH (:Source)-[m:MENTIONS]->() RETURN count(m) AS n")
    assert records[0]["n"] > 0  # they are there, in Neo4j


# -- as of a date (issue 14): every query, both stores, per date -------------------------------

#: 2021: before the earliest source (an error both stores raise alike); 2022: the 2022 article
#: only; 2025: both articles; None: now.
DATES = [2021, 2022, "2025-12-31", None]


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of", DATES)
def test_as_of_statistics_and_entities_alike(both, data_graph, as_of):
    same_outcome(lambda b: b.statistics(as_of=as_of), both)
    embedded, neo4j = both
    differ = []
    for n in data_graph:
        try:
            expected = embedded.entity(n, as_of=as_of)
        except (NodeNotFound, InvalidQuery) as exc:
            with pytest.raises(type(exc)):
                neo4j.entity(n, as_of=as_of)
            continue
        if neo4j.entity(n, as_of=as_of) != expected:
            differ.append(n)
    assert not differ, f"{len(differ)} entities differ as of {as_of}, e.g. {differ[:5]}"


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of", DATES)
def test_as_of_search_and_neighbourhood_alike(both, as_of):
    for text, kinds in [*SEARCHES, ("高企", None), ("院士", ["Observation"]),
                        ("high-tech enterprises", None)]:
        same_outcome(lambda b, t=text, k=kinds: b.search(t, kinds=k, limit=500, as_of=as_of),
                     both)
    for entity in NAMED:
        for kwargs in ({}, {"radius": 2}, {"radius": 2, "node_kinds": ["Lab", "Program"]}):
            same_outcome(lambda b, e=entity, kw=kwargs: b.neighbourhood(e, as_of=as_of, **kw),
                         both)


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of", DATES)
def test_as_of_paths_alike(data_graph, both, as_of):
    embedded, neo4j = both
    for source, target in ENUMERATION_PAIRS:
        same_outcome(lambda b, s=source, t=target: b.paths(s, t, as_of=as_of), both)
        kwargs = {"mode": "k_shortest", "k": 3, "max_length": 4, "as_of": as_of}
        try:
            expected = embedded.paths(source, target, **kwargs)
        except QUERY_ERRORS as exc:
            with pytest.raises(type(exc)) as raised:
                neo4j.paths(source, target, **kwargs)
            assert str(raised.value) == str(exc)
            continue
        assert_same_paths(data_graph, expected, neo4j.paths(source, target, **kwargs))


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of", DATES)
def test_as_of_backing_centrality_and_series_alike(data_graph, both, as_of):
    embedded, neo4j = both
    for fund in (None, *FUNDS):
        same_outcome(lambda b, f=fund: b.backing(fund=f, as_of=as_of), both)
    for metric in ("high_tech_enterprises", "national_sci_tech_awards", "academicians"):
        same_outcome(lambda b, m=metric: b.metric_series("长春", m, as_of=as_of), both)
    for measure in ("degree", "pagerank", "betweenness"):
        try:
            expected = embedded.centrality(measure, top=20, as_of=as_of)
        except InvalidQuery as exc:
            with pytest.raises(InvalidQuery) as raised:
                neo4j.centrality(measure, top=20, as_of=as_of)
            assert str(raised.value) == str(exc)
            continue
        year = int(str(as_of)[:4]) if as_of is not None else None
        g = as_of_graph(data_graph, year) if year is not None else data_graph
        assert_same_centrality(g, expected, neo4j.centrality(measure, top=20, as_of=as_of))


@pytest.mark.neo4j
@pytest.mark.parametrize("span", [(2022, 2025), ("2022-06", "2025-01-01"), (2021, 2025),
                                  (2025, 2022), (2022, "soon")])
def test_changes_alike(both, span):
    for limit, offset in ((1000, 0), (7, 3)):
        same_outcome(lambda b, n=limit, o=offset: b.changes(*span, limit=n, offset=o), both)


@pytest.mark.neo4j
def test_as_of_reads_use_the_reported_years_in_neo4j(neo4j_backend, data_graph):
    # the sync stored each record's reported years, range-indexed on nodes
    years = source_years(data_graph)
    records = neo4j_backend.run("MATCH (n:Entity {id: 'changchun'}) "
                                "RETURN n.reported_from AS a, n.reported_to AS b")
    assert (records[0]["a"], records[0]["b"]) == reported_in(
        data_graph.nodes["changchun"]["provenance"], years)
    records = neo4j_backend.run("MATCH (:Entity {id: 'changchun'})-[r:OPERATES]->"
                                "(:Entity {id: 'sci-tech-innovation-city'}) "
                                "RETURN r.reported_from AS a, r.reported_to AS b")
    assert (records[0]["a"], records[0]["b"]) == (2022, 2022)
    indexes = {r["name"] for r in neo4j_backend.run(
        "SHOW RANGE INDEXES YIELD name, properties WHERE properties IN "
        "[['reported_from'], ['reported_to']] RETURN name")}
    assert indexes == {"entity_reported_from", "entity_reported_to"}
    later = neo4j_backend.run("MATCH (n:Entity) WHERE n.reported_from > 2022 "
                              "RETURN count(n) AS n")[0]["n"]
    assert later == sum(1 for _, a in data_graph.nodes(data=True)
                        if reported_in(a["provenance"], years)[0] > 2022)


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of", DATES)
def test_as_of_rdf_export_alike(both, as_of):
    """``/api/v1/rdf?as_of=``: the same N-Quads over either store (the dated graph, its
    sources' named graphs), or the same 400 naming ``as_of``."""
    query = "" if as_of is None else f"&as_of={as_of}"
    answers = [create_app(b).test_client().get(f"/api/v1/rdf?format=nq{query}") for b in both]
    assert answers[0].status_code == answers[1].status_code
    if answers[0].status_code != 200:
        assert answers[0].status_code == 400
        assert answers[0].get_json()["invalid_params"] == answers[1].get_json()[
            "invalid_params"]
        return
    embedded, neo4j = (sorted(a.get_data(as_text=True).splitlines()) for a in answers)
    assert neo4j == embedded and embedded


def within(seconds: float, ask: Callable[[], None], what: str) -> None:
    """``ask()`` in a daemon thread: a wait that never ends (a kept value computed by a
    computation waiting for itself hung the analytics and the report over Neo4j) fails the
    test instead of hanging the run; what ``ask`` raises is raised here."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            ask()
        except BaseException as exc:  # reported by the test's thread
            failures.append(exc)

    asker = threading.Thread(target=run, daemon=True)
    asker.start()
    asker.join(timeout=seconds)
    assert not asker.is_alive(), f"{what} did not answer in {seconds:g} s"
    if failures:
        raise failures[0]


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of", DATES)
def test_as_of_analytics_alike(both, as_of):
    """The analytics as of a date read the dated snapshot of either store alike."""
    calls = [lambda b: b.communities(as_of=as_of), lambda b: b.brokers(as_of=as_of),
             lambda b: b.helix(as_of=as_of), lambda b: b.gaps(as_of=as_of),
             lambda b: b.suggest(as_of=as_of)]
    within(300, lambda: [same_outcome(call, both) for call in calls],
           f"the analytics as of {as_of}")


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of", [None, 2022])
def test_the_report_is_the_same_page_over_both_stores(both, as_of):
    """``innograph report`` (it reads the graph as of each source year, and as of --as-of)
    over Neo4j: the embedded store's page, byte for byte."""
    embedded, neo4j = both
    pages: list[str] = []
    within(300, lambda: pages.append(report.build(neo4j, as_of=as_of)),
           f"the report as of {as_of}")
    expected = report.build(embedded, as_of=as_of)
    assert pages == [expected], "the pages differ:\n" + "\n".join(list(difflib.unified_diff(
        expected.splitlines(), pages[0].splitlines(), "embedded", "neo4j", lineterm=""))[:60])
