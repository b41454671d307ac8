"""/api/v1/reconcile against the Reconciliation Service API 0.2 (W3C Entity Reconciliation
Community Group): the protocol's rules for the manifest and result batches, written here as
assertions in our own words (the spec's section names in comments; its JSON Schemas are not
copied into the project and no PyPI package ships them), queries in the protocol's shapes,
over Flask's test client and real HTTP."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from api.server import running_server


def check_manifest(body: dict) -> None:
    """Spec 0.2, "Service Manifest": an object with versions (strings, one of them "0.2"),
    name, identifierSpace and schemaSpace (strings); when given, view.url is a template
    holding {{id}} and defaultTypes are distinct objects with string id and name."""
    assert isinstance(body, dict)
    assert isinstance(body["versions"], list) and "0.2" in body["versions"]
    assert all(isinstance(v, str) for v in body["versions"])
    for name in ("name", "identifierSpace", "schemaSpace"):
        assert isinstance(body[name], str) and body[name], name
    if "view" in body:
        assert "{{id}}" in body["view"]["url"]
    if "defaultTypes" in body:
        types = body["defaultTypes"]
        assert all(isinstance(t["id"], str) and isinstance(t["name"], str) for t in types)
        assert len({t["id"] for t in types}) == len(types)  # no type twice


def check_batch(body: dict, keys: set[str]) -> None:
    """Spec 0.2, "Reconciliation Query Results": one entry per query key, each an object
    whose `result` is a list of candidates; a candidate has string id and name, a numeric
    score and a boolean match, and types (section "Types") as objects with string id and
    name; candidates come best first."""
    assert set(body) == keys
    for entry in body.values():
        assert isinstance(entry["result"], list)
        for c in entry["result"]:
            assert isinstance(c["id"], str) and isinstance(c["name"], str)
            assert isinstance(c["score"], int | float) and not isinstance(c["score"], bool)
            assert isinstance(c["match"], bool)
            assert all(isinstance(t["id"], str) and isinstance(t["name"], str)
                       for t in c.get("type", []))
        scores = [c["score"] for c in entry["result"]]
        assert scores == sorted(scores, reverse=True)


def test_checks_fail_on_broken_documents():
    """The rules above can fail: documents breaking them one at a time are refused."""
    good = {"versions": ["0.2"], "name": "n", "identifierSpace": "i", "schemaSpace": "s",
            "view": {"url": "/e/{{id}}"}, "defaultTypes": [{"id": "A", "name": "A"}]}
    check_manifest(good)
    for broken in ({**good, "versions": ["0.1"]}, {k: v for k, v in good.items() if k != "name"},
                   {**good, "view": {"url": "/e/"}},
                   {**good, "defaultTypes": [{"id": "A", "name": "A"}] * 2}):
        with pytest.raises((AssertionError, KeyError)):
            check_manifest(broken)
    candidate = {"id": "x", "name": "X", "score": 50, "match": False,
                 "type": [{"id": "Lab", "name": "Lab"}]}
    check_batch({"q0": {"result": [candidate]}}, {"q0"})
    for broken in ({"q0": {"result": [{**candidate, "match": "no"}]}},
                   {"q0": {"result": [{**candidate, "score": "50"}]}},
                   {"q0": {"result": [candidate, {**candidate, "score": 90}]}},  # not ranked
                   {"q1": {"result": []}}):
        with pytest.raises((AssertionError, KeyError)):
            check_batch(broken, {"q0"})


def reconcile(client, queries: dict, method: str = "GET"):
    text = json.dumps(queries, ensure_ascii=False)
    if method == "GET":
        return client.get("/api/v1/reconcile", query_string={"queries": text})
    return client.post("/api/v1/reconcile", data={"queries": text})


def test_manifest(client):
    response = client.get("/api/v1/reconcile")
    assert response.status_code == 200
    body = response.get_json()
    check_manifest(body)
    assert {t["id"] for t in body["defaultTypes"]} >= {"Company", "Lab", "Institution"}
    entity = body["view"]["url"].replace("{{id}}", "changxing-fund")
    assert client.get(entity).status_code == 200  # the view template resolves


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_batch_with_type_filter_and_limit(client, method):
    # spec 0.2, "Reconciliation Queries": a batch {"q0": {"query": ..., "type": ...,
    # "limit": n, "properties": [...]}}; "type" restricts candidates to that type
    response = reconcile(client, {
        "q0": {"query": "长光卫星技术有限公司", "type": "Company", "limit": 3},
        "q1": {"query": "长春光机所有限公司", "type": ["Lab"], "limit": 2},
        "q2": {"query": "中国科学院", "properties": [{"pid": "kind", "v": "x"}]},
    }, method)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    check_batch(body, {"q0", "q1", "q2"})
    first = body["q0"]["result"]
    assert first[0]["id"] == "chang-guang-satellite" and first[0]["match"] is True
    assert first[0]["score"] == 100
    assert all(c["type"][0]["id"] == "Company" for c in first) and len(first) <= 3
    assert [c["score"] for c in first] == sorted((c["score"] for c in first), reverse=True)
    assert all(c["type"][0]["id"] == "Lab" for c in body["q1"]["result"])
    assert len(body["q1"]["result"]) <= 2
    # an alias (the official full name) is an exact match of the entity
    assert body["q2"]["result"][0]["id"] == "cas" and body["q2"]["result"][0]["match"]


def test_a_name_in_traditional_chinese_is_a_match(client):
    """A spreadsheet in traditional characters: 長春光機所 is 长春光机所, 吉林大學 吉林大学;
    both exact, so OpenRefine may match them without asking."""
    body = reconcile(client, {"q0": {"query": "長春光機所"},
                              "q1": {"query": "吉林大學", "type": "Institution"}}).get_json()
    for key, entity in (("q0", "ciomp"), ("q1", "jilin-university")):
        best = body[key]["result"][0]
        assert (best["id"], best["score"], best["match"]) == (entity, 100, True)


def test_near_spelling_ranks_but_does_not_match(client):
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
def test_bad_queries_are_problem_json(client, queries, reason):
    response = client.get("/api/v1/reconcile", query_string={"queries": queries})
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert reason in response.get_json()["invalid_params"][0]["reason"]


def test_listed_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/reconcile"])
    assert "415" in paths["/api/v1/reconcile"]["post"]["responses"]
    assert "415" not in paths["/api/v1/reconcile"]["get"]["responses"]


def test_a_body_that_is_not_a_form_is_415(client):
    response = client.post("/api/v1/reconcile", data='{"q0": {"query": "长春"}}',
                           content_type="application/json")
    assert response.status_code == 415
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["accepted"] == ["application/x-www-form-urlencoded"]
    assert "application/json" in problem["detail"]


def test_over_real_http(app):
    with running_server(app, threads=2) as url:
        with urllib.request.urlopen(f"{url}/api/v1/reconcile", timeout=30) as response:
            check_manifest(json.loads(response.read()))
        form = urllib.parse.urlencode({"queries": json.dumps(
            {"q0": {"query": "长兴基金", "type": "Fund"}})}).encode()
        with urllib.request.urlopen(f"{url}/api/v1/reconcile", data=form, timeout=30) as r:
            body = json.loads(r.read())
        check_batch(body, {"q0"})
        assert body["q0"]["result"][0] == {**body["q0"]["result"][0], "id": "changxing-fund",
                                           "match": True}
