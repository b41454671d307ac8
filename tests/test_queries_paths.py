"""queries.paths: all shortest, k shortest and all simple paths, checked against networkx."""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import islice, pairwise

import networkx as nx
import pytest
from queries_fixtures import make_graph, projection

from queries.errors import InvalidQuery, NoAnswer, NodeNotFound
from queries.paths import all_simple_paths, k_shortest_paths, shortest_paths

FIXED_IDS = ["changxing-fund", "future-seed-fund", "chang-guang-satellite", "jilin-1",
             "jilin-university", "ciomp", "faw", "crrc-changchun", "changbaishan-lab",
             "sanjiang-lab", "jiguang-lab", "changchun", "beihu-future-science-city",
             "sector-optoelectronics", "plan-5616"]


def node_paths(answer: dict) -> list[list[str]]:
    return [p["nodes"] for p in answer["paths"]]


def assert_hops_are_stored_edges(g: nx.MultiDiGraph, answer: dict) -> None:
    """Every hop (and alternative) is a stored edge with its stored provenance."""
    for path in answer["paths"]:
        assert path["length"] == len(path["nodes"]) - 1 == len(path["hops"])
        for (u, v), hop in zip(pairwise(path["nodes"]), path["hops"], strict=True):
            assert (hop["from"], hop["to"]) == (u, v)
            for edge in (hop, *hop["alternatives"]):
                src, dst = (u, v) if edge["direction"] == "forward" else (v, u)
                stored = g.edges[src, dst, edge["rel"]]
                assert edge["provenance"] == stored["provenance"]
                assert all(stored[k] == val for k, val in edge["properties"].items())


def random_pairs(g: nx.MultiDiGraph, count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [tuple(rng.sample(list(g), 2)) for _ in range(count)]


def networkx_shortest(g: nx.MultiDiGraph, directed: bool, count: int, seed: int
                      ) -> Iterator[tuple[str, str, list[list[str]] | None]]:
    """Random pairs with networkx's shortest paths between them (sorted), None for no path."""
    h = projection(g, directed=directed)
    for a, b in random_pairs(g, count, seed=seed):
        try:
            yield a, b, sorted(nx.all_shortest_paths(h, a, b))
        except nx.NetworkXNoPath:
            yield a, b, None


@pytest.mark.parametrize("directed", [False, True])
def test_shortest_paths_equal_networkx_all_shortest_paths(generated_graph_1500, directed):
    checked = 0
    for a, b, expected in networkx_shortest(generated_graph_1500, directed, 60, seed=1):
        if expected is None:
            with pytest.raises(NoAnswer):
                shortest_paths(generated_graph_1500, a, b, directed=directed)
            continue
        answer = shortest_paths(generated_graph_1500, a, b, directed=directed, limit=10_000)
        assert sorted(node_paths(answer)) == expected
        assert answer["count"] == len(expected) and not answer["truncated"]
        assert_hops_are_stored_edges(generated_graph_1500, answer)
        checked += 1
    assert checked >= 10  # the generated graph is connected enough to test something


@pytest.mark.parametrize("filters", [
    {"relations": ["FUNDS", "SUPPORTS", "HOSTS", "OPERATES", "AFFILIATED_WITH"]},
    {"node_kinds": ["Institution", "Company", "Lab", "Park"]},
    {"relations": ["SUPPORTS", "PART_OF", "LOCATED_IN"], "node_kinds": ["Program", "Place"],
     "directed": True},
])
def test_filtered_shortest_paths_equal_networkx_on_filtered_projection(generated_graph_1500,
                                                                        filters):
    # endpoints from the largest component of the filtered graph, so that paths exist
    whole = projection(generated_graph_1500, **filters)
    component = max(nx.connected_components(whole.to_undirected()), key=len)
    rng = random.Random(2)
    found = 0
    for a, b in (rng.sample(sorted(component), 2) for _ in range(60)):
        h = projection(generated_graph_1500, keep=(a, b), **filters)
        try:
            expected = sorted(nx.all_shortest_paths(h, a, b))
        except nx.NetworkXNoPath:
            with pytest.raises(NoAnswer):
                shortest_paths(generated_graph_1500, a, b, **filters)
            continue
        answer = shortest_paths(generated_graph_1500, a, b, limit=10_000, **filters)
        assert sorted(node_paths(answer)) == expected
        for path in answer["paths"]:
            for hop in path["hops"]:
                assert filters.get("relations") is None or hop["rel"] in filters["relations"]
                assert not filters.get("directed") or hop["direction"] == "forward"
        found += 1
    assert found >= 3


def test_hop_lists_chosen_relation_and_alternatives():
    g = make_graph([("f", "Fund"), ("l", "Lab"), ("s", "Sector")],
                   [("f", "FUNDS", "l"), ("l", "SUPPORTS", "f"), ("f", "INVESTS_IN", "l"),
                    ("l", "WORKS_IN_SECTOR", "s")])
    hop = shortest_paths(g, "f", "l")["paths"][0]["hops"][0]
    # forward edges first, in schema order (FUNDS before INVESTS_IN), then backward ones
    assert (hop["rel"], hop["direction"]) == ("FUNDS", "forward")
    assert [(a["rel"], a["direction"]) for a in hop["alternatives"]] == [
        ("INVESTS_IN", "forward"), ("SUPPORTS", "backward")]
    assert hop["provenance"] == [{"source": "s.txt", "quote": "quote f FUNDS l"}]
    only_support = shortest_paths(g, "f", "l", relations=["SUPPORTS"])["paths"][0]["hops"][0]
    assert (only_support["rel"], only_support["direction"]) == ("SUPPORTS", "backward")
    assert only_support["alternatives"] == []
    with pytest.raises(NoAnswer):
        shortest_paths(g, "f", "l", relations=["SUPPORTS"], directed=True)
    back = shortest_paths(g, "s", "f")["paths"][0]
    assert [h["direction"] for h in back["hops"]] == ["backward", "forward"]


def test_node_summaries_cover_every_path_node(generated_graph_1500):
    a, b = next((a, b) for a, b in random_pairs(generated_graph_1500, 200, seed=3)
                if nx.has_path(projection(generated_graph_1500), a, b))
    answer = shortest_paths(generated_graph_1500, a, b)
    on_paths = {n for p in answer["paths"] for n in p["nodes"]}
    assert set(answer["nodes"]) == on_paths
    for node_id, summary in answer["nodes"].items():
        attrs = generated_graph_1500.nodes[node_id]
        assert summary == {"id": node_id, "kind": attrs["kind"], "subtype": attrs["subtype"],
                           "name_zh": attrs["name_zh"], "name_en": attrs["name_en"]}
    assert answer["source"]["id"] == a and answer["target"]["id"] == b


def test_limit_bounds_the_number_of_shortest_paths():
    middles = [f"m{i}" for i in range(6)]
    g = make_graph([("a", "Institution"), ("b", "Institution")]
                   + [(m, "Company") for m in middles],
                   [(m, "AFFILIATED_WITH", end) for m in middles for end in ("a", "b")])
    answer = shortest_paths(g, "a", "b", limit=4)
    assert answer["count"] == 4 and answer["truncated"]
    assert all(p["length"] == 2 for p in answer["paths"])
    assert not shortest_paths(g, "a", "b", limit=6)["truncated"]


def test_shortest_paths_come_in_node_id_order_whatever_the_limit():
    """The first paths by node ids, found in that order: inserted so that the meeting nodes
    and predecessor lists come in reverse id order, which an unsorted walk would follow."""
    middles = [f"m{i}" for i in (5, 4, 3, 2, 1, 0)]
    g = make_graph([("a", "Institution"), ("b", "Institution"), ("z", "Company"),
                    ("y", "Company")] + [(m, "Company") for m in middles],
                   [("a", "OPERATES", c) for c in ("z", "y")]
                   + [(c, "AFFILIATED_WITH", m) for c in ("z", "y") for m in middles]
                   + [(m, "OPERATES", "b") for m in middles])
    everything = node_paths(shortest_paths(g, "a", "b", limit=100))
    assert len(everything) == 12 and everything == sorted(everything)
    assert everything[0] == ["a", "y", "m0", "b"]
    for limit in (1, 2, 5, 11):
        answer = shortest_paths(g, "a", "b", limit=limit)
        assert node_paths(answer) == everything[:limit] and answer["truncated"]


@pytest.mark.parametrize("directed", [False, True])
def test_shortest_paths_with_a_limit_are_the_first_by_node_ids(generated_graph_1500, directed):
    checked = 0
    for a, b, expected in networkx_shortest(generated_graph_1500, directed, 200, seed=8):
        if expected is None or len(expected) < 3:
            continue
        for limit in (1, 2, len(expected) - 1):
            answer = shortest_paths(generated_graph_1500, a, b, directed=directed, limit=limit)
            assert node_paths(answer) == expected[:limit] and answer["truncated"]
        checked += 1
    assert checked >= 5


def test_all_simple_paths_with_a_limit_are_a_prefix_of_a_larger_limit(generated_graph_1500):
    checked = 0
    for a, b in random_pairs(generated_graph_1500, 60, seed=9):
        try:
            everything = node_paths(all_simple_paths(generated_graph_1500, a, b, max_length=4,
                                                     limit=100_000, timeout=30))
        except NoAnswer:
            continue
        # shortest first, then by node ids
        assert everything == sorted(everything, key=lambda p: (len(p), p))
        if len(everything) < 3:
            continue
        for limit in (1, 2, len(everything) - 1):
            answer = all_simple_paths(generated_graph_1500, a, b, max_length=4, limit=limit)
            assert node_paths(answer) == everything[:limit]
        checked += 1
    assert checked >= 3


def test_no_path_names_entities_and_filters():
    g = make_graph([("f", "Fund"), ("l", "Lab"), ("p", "Program")],
                   [("f", "FUNDS", "p"), ("p", "SUPPORTS", "l")])
    with pytest.raises(NoAnswer) as raised:
        shortest_paths(g, "f", "l", node_kinds=["Company"])
    message = str(raised.value)
    assert "f (f中文 / f en)" in message and "l (l中文 / l en)" in message
    assert "Company" in message
    with pytest.raises(NoAnswer, match="at most 1 hops"):
        shortest_paths(g, "f", "l", max_length=1)
    assert shortest_paths(g, "f", "l", max_length=2)["paths"][0]["nodes"] == ["f", "p", "l"]


def test_bad_arguments():
    g = make_graph([("f", "Fund"), ("l", "Lab")], [("f", "FUNDS", "l")])
    with pytest.raises(NodeNotFound):
        shortest_paths(g, "f", "nowhere")
    with pytest.raises(InvalidQuery) as same:
        shortest_paths(g, "f", "f")
    assert same.value.field == "target"
    with pytest.raises(InvalidQuery) as bad_limit:
        shortest_paths(g, "f", "l", limit=0)
    assert bad_limit.value.field == "limit"
    with pytest.raises(InvalidQuery):
        k_shortest_paths(g, "f", "l", 0)


def test_k_shortest_paths_equal_networkx(generated_graph_1500):
    h = projection(generated_graph_1500)
    checked = 0
    for a, b in random_pairs(generated_graph_1500, 40, seed=4):
        if not nx.has_path(h, a, b):
            continue
        expected = list(islice(nx.shortest_simple_paths(h, a, b), 5))
        answer = k_shortest_paths(generated_graph_1500, a, b, 5)
        got = node_paths(answer)
        assert [len(p) for p in got] == [len(p) for p in expected]
        assert all(len(set(p)) == len(p) for p in got)  # simple
        assert len({tuple(p) for p in got}) == len(got)
        assert_hops_are_stored_edges(generated_graph_1500, answer)
        checked += 1
        if checked == 8:
            break
    assert checked >= 3


@pytest.mark.parametrize("directed", [False, True])
def test_all_simple_paths_equal_networkx(generated_graph_1500, directed):
    h = projection(generated_graph_1500, directed=directed)
    cutoff = 6 if directed else 4
    checked = 0
    for a, b in random_pairs(generated_graph_1500, 60, seed=5):
        expected = sorted(nx.all_simple_paths(h, a, b, cutoff=cutoff))
        if not expected:
            continue
        answer = all_simple_paths(generated_graph_1500, a, b, max_length=cutoff, limit=100_000,
                                  timeout=30, directed=directed)
        got = node_paths(answer)
        assert sorted(got) == expected
        assert [len(p) for p in got] == sorted(len(p) for p in got)  # shortest first
        assert not answer["timed_out"] and not answer["truncated"]
        checked += 1
    assert checked >= 3


def test_all_simple_paths_stop_at_limit_and_deadline():
    clique = [f"c{i}" for i in range(14)]
    g = make_graph([(c, "Company") for c in clique],
                   [(u, "COLLABORATES_WITH", v) for i, u in enumerate(clique)
                    for v in clique[i + 1:]])
    limited = all_simple_paths(g, "c0", "c1", max_length=5, limit=10)
    assert limited["count"] == 10 and limited["truncated"]
    assert [p["length"] for p in limited["paths"]][:2] == [1, 2]
    # 12!/7! = 95040 paths of 5 hops alone: a zero timeout stops the search early
    timed = all_simple_paths(g, "c0", "c1", max_length=12, limit=10_000_000, timeout=0)
    assert timed["timed_out"]
    assert timed["count"] < 10_000_000


def test_real_data_shortest_paths_match_networkx(data_graph):
    h = projection(data_graph)
    present = [n for n in FIXED_IDS if n in data_graph]
    assert len(present) >= 10
    connected = 0
    for a, b in pairwise(present):
        if not nx.has_path(h, a, b):
            with pytest.raises(NoAnswer):
                shortest_paths(data_graph, a, b)
            continue
        answer = shortest_paths(data_graph, a, b, limit=1000)
        assert sorted(node_paths(answer)) == sorted(nx.all_shortest_paths(h, a, b))
        assert_hops_are_stored_edges(data_graph, answer)
        connected += 1
    assert connected >= 5
