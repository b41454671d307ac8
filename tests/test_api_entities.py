"""/api/v1/entities: search and cursor pagination, one entity, neighbourhoods."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

import pytest
from api_fixtures import assert_problem, invalid_names
from queries_fixtures import make_graph

from api.app import create_app
from api.params import node_kinds
from queries.embedded_backend import EmbeddedBackend

KINDS = node_kinds()


def test_search_by_chinese_name_finds_the_fund_first(client, backend):
    response = client.get("/api/v1/entities?q=长兴基金")
    assert response.status_code == 200
    body = response.get_json()
    assert body["items"][0]["id"] == "changxing-fund"
    assert body["total"] == backend.search("长兴基金")["total"]
    assert "长兴基金".encode() in response.data  # UTF-8, not \u escapes


def test_kind_filter_lists_exactly_the_nodes_of_those_kinds(client, data_graph):
    expected = sorted(n for n, k in data_graph.nodes(data="kind") if k in ("Fund", "Lab"))
    for url in ("/api/v1/entities?kind=Fund&kind=Lab&limit=1000",
                "/api/v1/entities?kind=Fund,Lab&limit=1000"):
        body = client.get(url).get_json()
        assert body["total"] == len(expected)
        assert [item["id"] for item in body["items"]] == expected


def test_cursor_pages_cover_every_entity_once(client, data_graph):
    url, seen, pages = "/api/v1/entities?limit=7", [], 0
    while url:
        response = client.get(url)
        body = response.get_json()
        assert body["total"] == data_graph.number_of_nodes()
        assert len(body["items"]) <= 7
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
        assert (response.headers.get("Link") is not None) == (url is not None)
        if url:
            assert body["next_cursor"] in url
        pages += 1
    assert seen == sorted(data_graph.nodes)
    assert pages == -(-data_graph.number_of_nodes() // 7)


def test_offset_pages_like_the_cursor(client):
    first = client.get("/api/v1/entities?kind=Lab&limit=3").get_json()
    by_cursor = client.get(first["next"]).get_json()
    by_offset = client.get("/api/v1/entities?kind=Lab&limit=3&offset=3").get_json()
    assert by_cursor["items"] == by_offset["items"]
    assert by_cursor["offset"] == 3


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJvIjotMX0", ""])
def test_malformed_cursor_is_400(client, cursor):
    assert invalid_names(client.get(f"/api/v1/entities?cursor={cursor}")) == ["cursor"]


def test_cursor_of_other_filters_is_400(client):
    labs = client.get("/api/v1/entities?kind=Lab&limit=2").get_json()
    response = client.get(f"/api/v1/entities?kind=Fund&limit=2&cursor={labs['next_cursor']}")
    assert invalid_names(response) == ["cursor"]
    both = client.get(f"/api/v1/entities?kind=Lab&offset=2&cursor={labs['next_cursor']}")
    assert invalid_names(both) == ["cursor"]


@pytest.mark.parametrize(("query", "blamed"), [
    ("kind=Spaceship", ["kind"]), ("kind=Lab,", ["kind"]), ("limit=0", ["limit"]),
    ("limit=1001", ["limit"]), ("limit=ten", ["limit"]), ("limit=5&limit=6", ["limit"]),
    ("offset=-1", ["offset"]), ("q=%20%20", ["q"]), (f"q={'x' * 201}", ["q"]),
    ("kinds=Lab", ["kinds"]), ("limit=0&kind=Nope", ["kind", "limit"]),
])
def test_bad_list_parameters_are_400_naming_them(client, query, blamed):
    assert sorted(invalid_names(client.get(f"/api/v1/entities?{query}"))) == blamed


def test_entity_by_id_and_by_name_is_the_backends_view(client, backend, data_graph):
    by_id = client.get("/api/v1/entities/changxing-fund").get_json()
    assert by_id == backend.entity("changxing-fund")
    assert client.get(f"/api/v1/entities/{quote('长兴基金')}").get_json() == by_id
    assert by_id["name_zh"] == "长兴基金" and by_id["kind"] == "Fund"
    assert by_id["provenance"] and all(p["quote"] for p in by_id["provenance"])
    out = {(e["rel"], e["other"]["id"]) for e in by_id["edges"]["out"]}
    assert out == {(rel, v) for _, v, rel in data_graph.out_edges("changxing-fund", keys=True)}


def test_entity_edge_limit_caps_relations_and_is_validated(client, data_graph):
    hub = max(data_graph.nodes, key=data_graph.out_degree)
    answer = client.get(f"/api/v1/entities/{hub}?edge_limit=1").get_json()
    assert len(answer["edges"]["out"]) == 1 and answer["edges_truncated"]
    assert answer["edges_total"]["out"] == data_graph.out_degree(hub)
    second = client.get(f"/api/v1/entities/{hub}?edge_limit=1&edge_offset=1").get_json()
    whole = client.get(f"/api/v1/entities/{hub}").get_json()
    assert answer["edges"]["out"] + second["edges"]["out"] == whole["edges"]["out"][:2]
    for bad in ("edge_limit=0", "edge_limit=1001", "edge_limit=x", "edge_offset=-1"):
        assert_problem(client.get(f"/api/v1/entities/{hub}?{bad}"), 400,
                       "invalid-parameters")


def test_unknown_entity_is_404_problem(client):
    body = assert_problem(client.get("/api/v1/entities/no-such-thing"), 404,
                          "entity-not-found")
    assert body["entity"] == "no-such-thing"
    assert body["instance"] == "/api/v1/entities/no-such-thing"


def test_ambiguous_name_is_422_listing_candidates():
    g = make_graph([("lab-a", "Lab"), ("lab-b", "Lab")], [])
    for node_id in g:
        g.nodes[node_id]["aliases"] = ["共享实验室"]
    g.graph.pop("_search_index", None)
    tiny = create_app(EmbeddedBackend(g)).test_client()
    body = assert_problem(tiny.get(f"/api/v1/entities/{quote('共享实验室')}"), 422,
                          "ambiguous-name")
    assert sorted(body["candidates"]) == ["lab-a", "lab-b"]


def test_neighbours_are_the_backends_ego_graph(client, backend, data_graph):
    body = client.get("/api/v1/entities/changxing-fund/neighbours").get_json()
    assert body == backend.neighbourhood("changxing-fund")
    expected = {"changxing-fund", *data_graph.successors("changxing-fund"),
                *data_graph.predecessors("changxing-fund")}
    assert {n["id"] for n in body["nodes"]} == expected


def ego_ids(g, center: str, radius: int, relations: set[str], kinds: set[str]) -> set[str]:
    """Nodes within ``radius`` hops over ``relations`` (either direction), passing only through
    ``kinds``: an independent breadth-first search."""
    seen, frontier = {center}, [center]
    for _ in range(radius):
        step = {w for u in frontier
                for _, w, rel in (*g.out_edges(u, keys=True),
                                  *((v, w, r) for w, v, r in g.in_edges(u, keys=True)))
                if rel in relations and g.nodes[w]["kind"] in kinds} - seen
        seen |= step
        frontier = list(step)
    return seen


def test_neighbour_filters_apply(client, data_graph):
    # The data's most common relation, around the node with most such edges, through the
    # kinds of that node's direct neighbours only.
    rel = Counter(r for _, _, r in data_graph.edges(keys=True)).most_common(1)[0][0]
    ends = Counter(n for u, v, r in data_graph.edges(keys=True) if r == rel for n in (u, v))
    center = ends.most_common(1)[0][0]
    kinds = sorted({data_graph.nodes[n]["kind"] for n in ego_ids(data_graph, center, 1, {rel},
                                                                 set(KINDS))})
    url = (f"/api/v1/entities/{center}/neighbours?radius=2&relations={rel}"
           f"&node_kinds={','.join(kinds)}")
    body = client.get(url).get_json()
    assert body["edges"] and all(e["rel"] == rel for e in body["edges"])
    assert {n["id"] for n in body["nodes"]} == ego_ids(data_graph, center, 2, {rel}, set(kinds))
    limited = client.get("/api/v1/entities/changchun/neighbours?limit=3").get_json()
    assert len(limited["nodes"]) == 3 and limited["truncated"]


@pytest.mark.parametrize(("query", "blamed"), [
    ("radius=4", "radius"), ("radius=0", "radius"), ("relations=LIKES", "relations"),
    ("node_kinds=lab", "node_kinds"), ("limit=1001", "limit"),
])
def test_bad_neighbour_parameters_are_400(client, query, blamed):
    url = f"/api/v1/entities/changchun/neighbours?{query}"
    assert invalid_names(client.get(url)) == [blamed]
