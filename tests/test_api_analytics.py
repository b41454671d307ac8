"""/api/v1/backing and /api/v1/centrality: answers are the backend's, parameters strict."""

from __future__ import annotations

import json

import pytest
from api_fixtures import assert_problem, invalid_names

from queries.backend import CENTRALITY_MEASURES


def test_backing_lists_fund_lab_pairs_with_explained_chains(client, backend, data_graph):
    body = client.get("/api/v1/backing").get_json()
    assert body == backend.backing()
    assert body["pairs"]
    for pair in body["pairs"]:
        assert data_graph.nodes[pair["fund"]["id"]]["kind"] == "Fund"
        assert data_graph.nodes[pair["lab"]["id"]]["kind"] == "Lab"
        for chain in pair["chains"]:
            assert chain["nodes"][0] == pair["fund"]["id"]
            assert chain["nodes"][-1] == pair["lab"]["id"]
            assert chain["explanation"]["zh"] and chain["explanation"]["en"]


@pytest.mark.parametrize(("name", "fund_id"), [("长兴基金", "changxing-fund"),
                                               ("未来种子基金", "future-seed-fund")])
def test_backing_from_one_fund(client, backend, name, fund_id):
    body = client.get(f"/api/v1/backing?fund={name}").get_json()
    assert body == backend.backing(fund=fund_id)
    assert body["fund"] == fund_id
    assert {pair["fund"]["id"] for pair in body["pairs"]} <= {fund_id}
    everything = backend.backing(limit=1000)["pairs"]
    assert body["total_pairs"] == sum(p["fund"]["id"] == fund_id for p in everything)


def test_backing_is_written_as_the_backend_answered(client, backend):
    """The largest answers: every value, type and key in the backend's order, one newline."""
    for query, answer in [("", backend.backing()),
                          ("?fund=changxing-fund", backend.backing(fund="changxing-fund"))]:
        response = client.get(f"/api/v1/backing{query}")
        assert response.mimetype == "application/json"
        assert response.data.endswith(b"}\n")
        # repr shows types (1 is not 1.0) and key order; dumps+loads turns tuples into lists
        assert repr(json.loads(response.data)) == repr(json.loads(json.dumps(answer)))


def test_changxing_fund_backs_labs(client):
    body = client.get("/api/v1/backing?fund=changxing-fund").get_json()
    assert body["pairs"]  # verified in data/: it targets sectors the provincial labs work in


def test_backing_of_one_lab_and_of_a_pair(client, backend):
    everything = backend.backing()
    lab = everything["pairs"][0]["lab"]["id"]
    fund = everything["pairs"][0]["fund"]["id"]
    by_lab = client.get(f"/api/v1/backing?lab={lab}").get_json()
    assert by_lab["pairs"] and {p["lab"]["id"] for p in by_lab["pairs"]} == {lab}
    pair = client.get(f"/api/v1/backing?lab={lab}&fund={fund}").get_json()
    assert [(p["fund"]["id"], p["lab"]["id"]) for p in pair["pairs"]] == [(fund, lab)]


def test_backing_limit_truncates(client, backend):
    total = backend.backing()["total_pairs"]
    body = client.get("/api/v1/backing?limit=1").get_json()
    assert len(body["pairs"]) == 1 and body["total_pairs"] == total
    assert body["truncated"] == (total > 1)


def test_backing_errors(client):
    assert_problem(client.get("/api/v1/backing?fund=no-such-fund"), 404, "entity-not-found")
    assert invalid_names(client.get("/api/v1/backing?fund=changbaishan-lab")) == ["fund"]
    assert invalid_names(client.get("/api/v1/backing?max_length=9")) == ["max_length"]
    assert invalid_names(client.get("/api/v1/backing?limit=1001")) == ["limit"]


@pytest.mark.parametrize("measure", CENTRALITY_MEASURES)
def test_every_centrality_measure_ranks_like_the_backend(client, backend, measure):
    body = client.get(f"/api/v1/centrality?measure={measure}&top=5").get_json()
    assert body == backend.centrality(measure, top=5)
    assert [item["rank"] for item in body["items"]] == [1, 2, 3, 4, 5]
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_centrality_of_one_kind(client, data_graph):
    body = client.get("/api/v1/centrality?measure=degree&kind=Lab&top=1000").get_json()
    labs = {n for n, k in data_graph.nodes(data="kind") if k == "Lab"}
    assert {item["id"] for item in body["items"]} == labs
    assert body["items"][0]["score"] == max(
        item["score"] for item in body["items"])


def test_default_centrality_is_pagerank_top_10(client):
    body = client.get("/api/v1/centrality").get_json()
    assert (body["measure"], len(body["items"])) == ("pagerank", 10)


@pytest.mark.parametrize(("query", "blamed"), [
    ("measure=fame", "measure"), ("kind=Lab,Fund", "kind"), ("kind=lab", "kind"),
    ("top=0", "top"), ("top=1001", "top"), ("measure=degree&measure=pagerank", "measure"),
])
def test_bad_centrality_parameters_are_400_naming_them(client, query, blamed):
    response = client.get(f"/api/v1/centrality?{query}")
    assert invalid_names(response) == [blamed]
    if blamed == "measure" and "fame" in query:
        reason = response.get_json()["invalid_params"][0]["reason"]
        assert all(m in reason for m in CENTRALITY_MEASURES)
