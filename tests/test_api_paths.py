"""/api/v1/paths: modes, filters, 422 when there is no path, strict parameters."""

from __future__ import annotations

from itertools import pairwise
from urllib.parse import urlencode

import networkx as nx
import pytest
from api_fixtures import assert_problem, invalid_names

from queries.errors import NoAnswer


def get_paths(client, **params):
    return client.get(f"/api/v1/paths?{urlencode(params, doseq=True)}")


def test_shortest_paths_between_named_entities(client, backend, data_graph):
    response = get_paths(client, **{"from": "长兴基金", "to": "chang-guang-satellite"})
    assert response.status_code == 200
    body = response.get_json()
    assert body == backend.paths("changxing-fund", "chang-guang-satellite")
    distance = nx.shortest_path_length(data_graph.to_undirected(as_view=True),
                                       "changxing-fund", "chang-guang-satellite")
    assert body["count"] >= 1
    for path in body["paths"]:
        assert path["nodes"][0] == "changxing-fund"
        assert path["nodes"][-1] == "chang-guang-satellite"
        assert path["length"] == distance
        for hop, (u, v) in zip(path["hops"], pairwise(path["nodes"]), strict=True):
            assert (hop["from"], hop["to"]) == (u, v)
            stored = (u, v) if hop["direction"] == "forward" else (v, u)
            assert data_graph.has_edge(*stored, key=hop["rel"])
            assert hop["provenance"]


def test_k_shortest_and_all_simple_modes(client, backend):
    ends = {"from": "jilin-university", "to": "faw"}
    k2 = get_paths(client, **ends, mode="k_shortest", k=2).get_json()
    assert k2 == backend.paths("jilin-university", "faw", mode="k_shortest", k=2)
    assert 1 <= k2["count"] <= 2
    simple = get_paths(client, **ends, mode="all_simple", max_length=3, limit=5).get_json()
    assert simple["count"] <= 5
    assert all(p["length"] <= 3 for p in simple["paths"])
    assert len({tuple(p["nodes"]) for p in simple["paths"]}) == simple["count"]


def test_directed_follows_stored_direction(client, data_graph):
    body = get_paths(client, **{"from": "changxing-fund", "to": "changchun"},
                     directed="false").get_json()
    directed = nx.has_path(data_graph, "changxing-fund", "changchun")
    response = get_paths(client, **{"from": "changxing-fund", "to": "changchun"},
                         directed="true")
    if directed:
        assert all(h["direction"] == "forward" for p in response.get_json()["paths"]
                   for h in p["hops"])
    else:
        assert_problem(response, 422, "no-answer")
    assert body["count"] >= 1


def test_no_path_is_422_no_answer(client, backend):
    ends = {"from": "changxing-fund", "to": "chang-guang-satellite"}
    with pytest.raises(NoAnswer):  # the data has no HELD-only path between them
        backend.paths("changxing-fund", "chang-guang-satellite", relations=["HELD"])
    body = assert_problem(get_paths(client, **ends, relations="HELD"), 422, "no-answer")
    assert "changxing-fund" in body["detail"]


def test_unknown_entity_is_404(client):
    body = assert_problem(get_paths(client, **{"from": "changxing-fund", "to": "atlantis"}),
                          404, "entity-not-found")
    assert body["entity"] == "atlantis"


@pytest.mark.parametrize(("params", "blamed"), [
    ({"from": "faw"}, ["to"]), ({}, ["from", "to"]),
    ({"from": "faw", "to": "ciomp", "mode": "longest"}, ["mode"]),
    ({"from": "faw", "to": "ciomp", "max_length": 9}, ["max_length"]),
    ({"from": "faw", "to": "ciomp", "k": 21}, ["k"]),
    ({"from": "faw", "to": "ciomp", "limit": 101}, ["limit"]),
    ({"from": "faw", "to": "ciomp", "directed": "yes"}, ["directed"]),
    ({"from": "faw", "to": "ciomp", "relations": "FUNDS,FRIENDS"}, ["relations"]),
    ({"from": "faw", "to": "ciomp", "node_kinds": "Robot"}, ["node_kinds"]),
    ({"from": "faw", "to": "ciomp", "source": "faw"}, ["source"]),
])
def test_bad_path_parameters_are_400_naming_them(client, params, blamed):
    assert sorted(invalid_names(get_paths(client, **params))) == blamed


@pytest.mark.parametrize("to", ["faw", "一汽", "FAW"])
def test_the_same_entity_twice_is_400_naming_to(client, to):
    """The query refuses its ``target``; the client sent ``to`` and is told so (by id, or
    by a name of the same entity, as the operation's description says)."""
    response = get_paths(client, **{"from": "faw", "to": to})
    assert response.status_code == 400
    body = response.get_json()
    assert invalid_names(response) == ["to"] and body["detail"] == "invalid parameter(s): to"
    assert body["invalid_params"][0]["reason"] == "the path's two ends are the same entity (faw)"
