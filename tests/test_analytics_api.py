"""The ecosystem analytics over HTTP (/communities, /brokers, /helix, /gaps, /suggestions):
answers are the plain functions' over the served graph, suggestions are marked and quoted,
``as_of`` sees only what the sources of that year report, bad parameters are problems."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from api_fixtures import assert_problem, invalid_names

from api.server import running_server
from graph.timeline import as_of_graph, source_years
from queries.ecosystem import brokers, communities, gaps, helix, suggest

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def source_text() -> dict[str, str]:
    return {p.name: squeezed(p.read_text(encoding="utf-8")) for p in SOURCES.glob("*.txt")}


def quotes(value: object) -> list[dict]:
    """Every provenance entry anywhere in an answer."""
    found = []
    if isinstance(value, dict):
        if "provenance" in value:
            found.extend(value["provenance"])
        for v in value.values():
            found.extend(quotes(v))
    elif isinstance(value, list):
        for v in value:
            found.extend(quotes(v))
    return found


@pytest.mark.parametrize(("url", "direct"), [
    ("/api/v1/communities?limit=50", lambda g: communities.communities(g, limit=50)),
    ("/api/v1/brokers?limit=30&sort=constraint",
     lambda g: brokers.brokers(g, limit=30, sort="constraint")),
    ("/api/v1/helix", lambda g: helix.helix(g)),
    ("/api/v1/gaps?kind=transfer_gap", lambda g: gaps.gaps(g, kind="transfer_gap")),
    ("/api/v1/suggestions?task=lab_company&limit=50",
     lambda g: suggest.suggest(g, task="lab_company", limit=50)),
])
def test_answer_is_the_analytic_over_the_served_graph(client, data_graph, url, direct):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == json.loads(json.dumps(direct(data_graph)))


def test_communities_cover_the_network_once(client):
    body = client.get("/api/v1/communities?limit=1000&membership=true").get_json()
    assert body["total"] == len(body["communities"]) > 1
    sizes = [c["size"] for c in body["communities"]]
    assert sizes == sorted(sizes, reverse=True)
    assert sum(sizes) == len(body["membership"]) == body["method"]["nodes"]
    ranks = {c["rank"] for c in body["communities"]}
    assert set(body["membership"].values()) == ranks
    assert body["modularity"] == pytest.approx(sum(c["modularity"] for c in body["communities"]))


def test_suggestions_are_marked_and_rest_on_verbatim_quotes(client, data_graph, source_text):
    body = client.get("/api/v1/suggestions?task=fund_lab&evidence=5").get_json()
    assert body["suggestion"] is True and body["items"]
    for item in body["items"]:
        assert item["stated"] is False
        assert item["explanation"]["en"].startswith("Suggestion:")
        u, v = item["from"]["id"], item["to"]["id"]
        assert data_graph.nodes[u]["kind"] == "Fund" and data_graph.nodes[v]["kind"] == "Lab"
        assert not data_graph.has_edge(u, v) and not data_graph.has_edge(v, u)  # not a fact
        assert item["evidence"]
        for path in item["evidence"]:
            assert path["nodes"][0] == u and path["nodes"][-1] == v
        found = quotes(item)
        assert found
        for p in found:
            assert squeezed(p["quote"]) in source_text[p["source"]]


def test_suggestions_for_one_entity_by_name(client):
    body = client.get("/api/v1/suggestions?task=fund_lab&node=长兴基金").get_json()
    assert body["node"] == "changxing-fund" and body["items"]
    assert {i["from"]["id"] for i in body["items"]} == {"changxing-fund"}


def test_gap_items_quote_what_exists(client, source_text):
    body = client.get("/api/v1/gaps?evidence=3").get_json()
    assert sum(body["totals"].values()) > 0
    assert {i["gap"] for i in body["items"]} <= set(body["kinds"])
    for item in body["items"]:
        assert item["missing"]["zh"] and item["missing"]["en"]
        for p in quotes(item["exists"]):
            assert squeezed(p["quote"]) in source_text[p["source"]]


def test_as_of_sees_only_what_earlier_sources_report(client, data_graph):
    years = source_years(data_graph)
    early = min(years.values())
    assert early < max(years.values())  # data/ has two source years
    then = client.get(f"/api/v1/gaps?as_of={early}&evidence=20").get_json()
    now = client.get("/api/v1/gaps").get_json()
    assert then["version"] == f"{now['version']}@{early}"
    for p in quotes(then):
        assert years[p["source"]] <= early or any(  # an edge cited by both years' sources
            years[q["source"]] <= early for q in quotes(then))
    # independently: a graph of the records with a source of that year
    direct = gaps.gaps(as_of_graph(data_graph, early), evidence=20)
    assert then == json.loads(json.dumps(direct))
    assert then["totals"] != now["totals"]
    nothing_new = client.get(f"/api/v1/helix?as_of={max(years.values())}").get_json()
    assert nothing_new["actors"] == client.get("/api/v1/helix").get_json()["actors"]


@pytest.mark.parametrize(("url", "names"), [
    ("/api/v1/brokers?sort=loudest", ["sort"]),
    ("/api/v1/suggestions?task=fund_fund", ["task"]),
    ("/api/v1/suggestions?method=magic&limit=0", ["method", "limit"]),
    ("/api/v1/gaps?kind=everything", ["kind"]),
    ("/api/v1/helix?as_of=1066", ["as_of"]),
    ("/api/v1/communities?as_of=next", ["as_of"]),
    ("/api/v1/communities?colour=red", ["colour"]),
])
def test_bad_parameters_are_named(client, url, names):
    assert sorted(invalid_names(client.get(url))) == sorted(names)


def test_suggestions_for_an_unknown_or_wrong_entity(client):
    assert_problem(client.get("/api/v1/suggestions?node=no-such-thing"), 404)
    body = assert_problem(client.get("/api/v1/suggestions?task=fund_lab&node=changchun"), 400)
    assert body["invalid_params"][0]["name"] == "node"
    assert "changchun" in body["invalid_params"][0]["reason"]
    assert invalid_names(client.get("/api/v1/brokers?kind=Sector")) == ["kind"]


def test_operations_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, schema in [("/api/v1/communities", "Communities"), ("/api/v1/brokers", "Brokers"),
                         ("/api/v1/helix", "Helix"), ("/api/v1/gaps", "Gaps"),
                         ("/api/v1/suggestions", "Suggestions")]:
        op = spec["paths"][path]["get"]
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ok == f"#/components/schemas/{schema}"
        assert "as_of" in {p["name"] for p in op["parameters"]}
        assert "400" in op["responses"]


def test_over_real_http(app, backend):
    with running_server(app, threads=2) as url:
        with urllib.request.urlopen(f"{url}/api/v1/suggestions?task=lab_company") as r:
            assert r.headers["Content-Type"] == "application/json"
            assert json.load(r) == json.loads(json.dumps(backend.suggest(task="lab_company")))
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{url}/api/v1/communities?limit=-1")
        assert refused.value.code == 400
        assert refused.value.headers["Content-Type"] == "application/problem+json"
