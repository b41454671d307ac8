"""The query service over the embedded graph: entity, search, neighbourhood, statistics,
checks."""

from __future__ import annotations

import networkx as nx
import pytest
from queries_fixtures import make_graph, projection

from graph.embedded import statistics as graph_statistics
from queries.embedded_backend import EmbeddedBackend
from queries.errors import AmbiguousName, InvalidQuery, NoAnswer, NodeNotFound


def entity(g: nx.MultiDiGraph, *args, **kwargs) -> dict:
    return EmbeddedBackend(g).entity(*args, **kwargs)


def search(g: nx.MultiDiGraph, *args, **kwargs) -> dict:
    return EmbeddedBackend(g).search(*args, **kwargs)


def neighbourhood(g: nx.MultiDiGraph, *args, **kwargs) -> dict:
    return EmbeddedBackend(g).neighbourhood(*args, **kwargs)


def test_entity_lists_every_stored_edge(data_graph):
    answer = entity(data_graph, "changxing-fund")
    assert answer["id"] == "changxing-fund" and answer["name_zh"] == "长兴基金"
    stored_out = sorted((rel, v) for _, v, rel in data_graph.out_edges("changxing-fund",
                                                                       keys=True))
    stored_in = sorted((rel, u) for u, _, rel in data_graph.in_edges("changxing-fund",
                                                                     keys=True))
    assert [(e["rel"], e["other"]["id"]) for e in answer["edges"]["out"]] == stored_out
    assert [(e["rel"], e["other"]["id"]) for e in answer["edges"]["in"]] == stored_in
    for edge in answer["edges"]["out"]:
        stored = data_graph.edges["changxing-fund", edge["other"]["id"], edge["rel"]]
        assert edge["provenance"] == stored["provenance"]
    with pytest.raises(NodeNotFound):
        entity(data_graph, "no-such-entity")


def test_entity_relations_are_capped_per_direction_and_counted(data_graph):
    hub = max(data_graph.nodes, key=lambda n: min(data_graph.out_degree(n),
                                                 data_graph.in_degree(n)))
    whole = entity(data_graph, hub, edge_limit=10_000)
    out_degree, in_degree = data_graph.out_degree(hub), data_graph.in_degree(hub)
    assert whole["edges_total"] == {"out": out_degree, "in": in_degree}
    assert not whole["edges_truncated"] and len(whole["edges"]["out"]) == out_degree
    limit = min(out_degree, in_degree) - 1
    assert limit >= 1, "data/ has a node with two or more relations each way"
    capped = entity(data_graph, hub, edge_limit=limit)
    assert capped["edges_truncated"] and capped["edges_total"] == whole["edges_total"]
    for side in ("out", "in"):  # the first ones of the same order
        assert capped["edges"][side] == whole["edges"][side][:limit]
    rest = entity(data_graph, hub, edge_limit=limit, edge_offset=limit)
    for side in ("out", "in"):  # the next page goes on where the first stopped
        assert capped["edges"][side] + rest["edges"][side] == whole["edges"][side][:2 * limit]
    for bad in ({"edge_limit": 0}, {"edge_offset": -1}):
        with pytest.raises(InvalidQuery):
            entity(data_graph, hub, **bad)


def test_search_partial_names_kinds_and_pages(data_graph):
    funds = search(data_graph, "基金", kinds=["Fund"], limit=100)
    expected = {n for n, a in data_graph.nodes(data=True) if a["kind"] == "Fund" and any(
        "基金" in name for name in (a["name_zh"], a["name_en"], *a["aliases"]))}
    assert {i["id"] for i in funds["items"]} == expected and funds["total"] == len(expected)
    assert "changxing-fund" in expected
    assert search(data_graph, "Changxing")["items"][0]["id"] == "changxing-fund"
    everything = search(data_graph, None, limit=1000)
    assert [i["id"] for i in everything["items"]] == sorted(data_graph)
    pages = [search(data_graph, "lab", limit=3, offset=o) for o in range(0, 30, 3)]
    total = pages[0]["total"]
    joined = [i["id"] for p in pages for i in p["items"]]
    assert joined == [i["id"] for i in search(data_graph, "lab", limit=30)["items"]]
    assert len(joined) == min(total, 30)
    with pytest.raises(InvalidQuery):
        search(data_graph, "x", limit=0)


@pytest.mark.parametrize("radius", [1, 2, 3])
def test_neighbourhood_equals_networkx_ego_graph(generated_graph_1500, radius):
    h = projection(generated_graph_1500)
    center = max(h, key=h.degree)
    answer = neighbourhood(generated_graph_1500, center, radius=radius, limit=100_000)
    expected = nx.single_source_shortest_path_length(h, center, cutoff=radius)
    assert {n["id"]: n["distance"] for n in answer["nodes"]} == expected
    assert not answer["truncated"]
    stored = {(u, v, rel) for u, v, rel in generated_graph_1500.edges(keys=True)
              if u in expected and v in expected}
    assert {(e["from"], e["to"], e["rel"]) for e in answer["edges"]} == stored


def test_neighbourhood_filters_and_truncation(generated_graph_1500):
    relations = ["FUNDS", "SUPPORTS", "HOSTS"]
    kinds = ["Institution", "Company", "Program"]
    h = projection(generated_graph_1500, relations=relations)
    center = max(h, key=h.degree)
    h = projection(generated_graph_1500, relations=relations, node_kinds=kinds, keep=[center])
    answer = neighbourhood(generated_graph_1500, center, radius=2, relations=relations,
                           node_kinds=kinds, limit=100_000)
    expected = nx.single_source_shortest_path_length(h, center, cutoff=2)
    assert {n["id"] for n in answer["nodes"]} == set(expected)
    assert all(e["rel"] in relations for e in answer["edges"])
    small = neighbourhood(generated_graph_1500, center, radius=2, relations=relations,
                          node_kinds=kinds, limit=3)
    assert len(small["nodes"]) == 3 and small["truncated"] == (len(expected) > 3)
    distances = [n["distance"] for n in small["nodes"]]
    assert distances == sorted(distances)  # nearest kept first
    with pytest.raises(InvalidQuery):
        neighbourhood(generated_graph_1500, center, radius=4)


def test_backend_resolves_names_and_statistics(backend, data_graph):
    assert backend.entity("长兴基金")["id"] == "changxing-fund"
    assert backend.entity("Future Seed Fund")["id"] == "future-seed-fund"
    assert backend.entity("长春未来种子基金")["id"] == "future-seed-fund"  # an alias
    with pytest.raises(NodeNotFound):
        backend.entity("没有这个实体")
    assert backend.statistics() == graph_statistics(data_graph)
    health = backend.health()
    assert health["status"] == "ok" and health["nodes"] == data_graph.number_of_nodes()
    assert backend.version() == data_graph.graph["version"]


def test_backend_ambiguous_name():
    g = make_graph([("a", "Company"), ("b", "Company")], [])
    g.nodes["b"]["name_zh"] = g.nodes["a"]["name_zh"]
    g.graph.pop("_search_index", None)
    with pytest.raises(AmbiguousName):
        EmbeddedBackend(g).entity("a中文")


def test_backend_paths_modes_and_validation(backend, data_graph):
    h = projection(data_graph)
    target = next(n for n in ("chang-guang-satellite", "jilin-university", "ciomp")
                  if nx.has_path(h, "changxing-fund", n))
    shortest = backend.paths("长兴基金", target)
    assert shortest["mode"] == "shortest"
    assert shortest["paths"][0]["length"] == nx.shortest_path_length(h, "changxing-fund",
                                                                     target)
    k = backend.paths("changxing-fund", target, mode="k_shortest", k=3)
    assert 1 <= k["count"] <= 3 and k["paths"][0]["length"] == shortest["paths"][0]["length"]
    simple = backend.paths("changxing-fund", target, mode="all_simple", max_length=4, limit=5)
    assert simple["count"] >= 1
    for kwargs, field in (({"mode": "fastest"}, "mode"),
                          ({"relations": ["PAYS"]}, "relations"),
                          ({"node_kinds": ["Planet"]}, "node_kinds"),
                          ({"limit": 0}, "limit")):
        with pytest.raises(InvalidQuery) as raised:
            backend.paths("changxing-fund", target, **kwargs)
        assert raised.value.field == field
    with pytest.raises(NoAnswer):
        backend.paths("changxing-fund", target, relations=["LEADS"])


def test_backend_backing_and_centrality(backend):
    answer = backend.backing(fund="长兴基金")
    assert answer["fund"] == "changxing-fund"
    assert all(p["fund"]["id"] == "changxing-fund" for p in answer["pairs"])
    with pytest.raises(InvalidQuery):
        backend.backing(fund="jilin-university")
    top = backend.centrality("pagerank", kind="Lab", top=3)
    assert len(top["items"]) <= 3 and all(i["kind"] == "Lab" for i in top["items"])
    assert backend.search("实验室", kinds=["Lab"])["total"] >= 1
    with pytest.raises(InvalidQuery):
        backend.search("x", kinds=["Planet"])
    assert backend.neighbourhood("长兴基金")["center"] == "changxing-fund"
