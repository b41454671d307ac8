"""/api/v1/reconcile against the Reconciliation Service API 0.2: the manifest and result
batches validate against the protocol's own JSON Schemas (tests/fixtures/ingest/
reconciliation-0.2), queries in the protocol's shapes, over Flask's test client and HTTP."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import jsonschema_rs
import pytest
from api_fixtures import api_graph, app, backend, client  # noqa: F401

from api.server import running_server

SCHEMAS = Path(__file__).parent / "fixtures" / "ingest" / "reconciliation-0.2"


def validator(name: str):
    return jsonschema_rs.validator_for(json.loads((SCHEMAS / name).read_text()))


def reconcile(client, queries: dict, method: str = "GET"):  # noqa: F811
    text = json.dumps(queries, ensure_ascii=False)
    if method == "GET":
        return client.get("/api/v1/reconcile", query_string={"queries": text})
    return client.post("/api/v1/reconcile", data={"queries": text})


def test_manifest(client):  # noqa: F811
    response = client.get("/api/v1/reconcile")
    assert response.status_code == 200
    body = response.get_json()
    validator("manifest.json").validate(body)
    assert {t["id"] for t in body["defaultTypes"]} >= {"Company", "Lab", "Institution"}
    entity = body["view"]["url"].replace("{{id}}", "changxing-fund")
    assert client.get(entity).status_code == 200  # the view template resolves


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_batch_with_type_filter_and_limit(client, method):  # noqa: F811
    # the spec's query shape: {"q0": {"query": ..., "type": ..., "limit": n}}
    response = reconcile(client, {
        "q0": {"query": "长光卫星技术有限公司", "type": "Company", "limit": 3},
        "q1": {"query": "长春光机所有限公司", "type": ["Lab"], "limit": 2},
        "q2": {"query": "中国科学院", "properties": [{"pid": "kind", "v": "x"}]},
    }, method)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    validator("reconciliation-result-batch.json").validate(body)
    first = body["q0"]["result"]
    assert first[0]["id"] == "chang-guang-satellite" and first[0]["match"] is True
    assert first[0]["score"] == 100
    assert all(c["type"][0]["id"] == "Company" for c in first) and len(first) <= 3
    assert [c["score"] for c in first] == sorted((c["score"] for c in first), reverse=True)
    assert all(c["type"][0]["id"] == "Lab" for c in body["q1"]["result"])
    assert len(body["q1"]["result"]) <= 2
    # an alias (the official full name) is an exact match of the entity
    assert body["q2"]["result"][0]["id"] == "cas" and body["q2"]["result"][0]["match"]


def test_near_spelling_ranks_but_does_not_match(client):  # noqa: F811
    body = reconcile(client, {"q0": {"query": "长新创谷", "type": "Park"}}).get_json()
    result = body["q0"]["result"]
    assert result and result[0]["id"] == "changxin-chuangke"  # 长新创客: close, not the same
    assert result[0]["match"] is False and result[0]["score"] < 100


@pytest.mark.parametrize("queries, reason", [
    ("{not json", "not JSON"),
    ('{"q1": {"limit": 1}}', "non-blank `query`"),  # the spec's invalid example empty-query
    ('{"q0": {"query": "x", "type": "Spaceship"}}', "type must be node kinds"),
    ('{"q0": {"query": "x", "limit": 0}}', "limit"),
    ("[]", "JSON object"),
])
def test_bad_queries_are_problem_json(client, queries, reason):  # noqa: F811
    response = client.get("/api/v1/reconcile", query_string={"queries": queries})
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert reason in response.get_json()["invalid_params"][0]["reason"]


def test_listed_in_openapi(client):  # noqa: F811
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/reconcile"])


def test_over_real_http(app):  # noqa: F811
    with running_server(app, threads=2) as url:
        with urllib.request.urlopen(f"{url}/api/v1/reconcile", timeout=30) as response:
            validator("manifest.json").validate(json.loads(response.read()))
        form = urllib.parse.urlencode({"queries": json.dumps(
            {"q0": {"query": "长兴基金", "type": "Fund"}})}).encode()
        with urllib.request.urlopen(f"{url}/api/v1/reconcile", data=form, timeout=30) as r:
            body = json.loads(r.read())
        validator("reconciliation-result-batch.json").validate(body)
        assert body["q0"]["result"][0] == {**body["q0"]["result"][0], "id": "changxing-fund",
                                           "match": True}
