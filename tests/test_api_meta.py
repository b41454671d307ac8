"""/api/v1/health, /schema, /statistics, /openapi.json and the /api/docs page."""

from __future__ import annotations

import re

import pytest
from api_fixtures import FaultyBackend, assert_problem, raising
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from api.app import create_app
from graph.schema import load_schema
from queries.errors import BackendUnavailable


def test_health_reports_the_backend_and_graph_size(client, backend, data_graph):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body == backend.health()
    assert body["status"] == "ok"
    assert (body["nodes"], body["edges"]) == (data_graph.number_of_nodes(),
                                              data_graph.number_of_edges())


@pytest.mark.parametrize("error", [BackendUnavailable("bolt://db:7687 refused the connection"),
                                   ServiceUnavailable("no routing servers"),
                                   SessionExpired("session expired")],
                         ids=["BackendUnavailable", "ServiceUnavailable", "SessionExpired"])
def test_health_is_503_problem_when_the_backend_is_down(backend, error):
    down = create_app(FaultyBackend(backend, health=raising(error))).test_client()
    response = down.get("/api/v1/health")
    body = assert_problem(response, 503, "backend-unavailable")
    assert str(error) in body["detail"]
    assert response.headers["Retry-After"].isdigit()


def test_schema_is_the_one_schema(client):
    body = client.get("/api/v1/schema").get_json()
    assert body == load_schema().to_dict()
    funds = next(r for r in body["relation_kinds"] if r["name"] == "FUNDS")
    assert (funds["zh"], funds["en"]) == ("资助", "funds")
    assert "Fund" in funds["from"] and "Lab" in funds["to"]


def test_statistics_are_the_backends(client, backend):
    response = client.get("/api/v1/statistics")
    assert response.status_code == 200
    assert response.get_json() == backend.statistics()


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/paths" in spec["paths"]


def test_docs_page_lists_every_operation_and_loads_nothing_external(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert f"{method.upper()}</span> <span class=\"path\">{path}</span>" in page
            for param in op["parameters"]:
                assert f"<code>{param['name']}</code>" in page
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no CDN, no internet
    for problem in spec["x-problem-types"]:
        assert problem["type"] in page
