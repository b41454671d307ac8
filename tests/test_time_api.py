"""As of a date and what changed, over the API (issue 14, part 4): Flask's test client for
every operation, real HTTP (waitress on 127.0.0.1, urllib) for an as_of and a changes request,
and the OpenAPI document declaring them."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from api.server import running_server

AS_OF_PATHS = [
    "/api/v1/entities/changchun", "/api/v1/entities?q=长春",
    "/api/v1/entities/changchun/neighbours",
    "/api/v1/paths?from=changchun&to=regional-innovation-centre", "/api/v1/backing",
    "/api/v1/centrality",
    "/api/v1/statistics", "/api/v1/entities/changchun/metrics/high_tech_enterprises",
]


def with_as_of(path: str, value: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}as_of={quote(value)}"


@pytest.mark.parametrize("path", AS_OF_PATHS)
def test_every_time_aware_operation_takes_as_of(client, backend, path):
    now = client.get(path)
    then = client.get(with_as_of(path, "2022-12-31"))
    assert now.status_code == then.status_code == 200
    assert then.get_json() != now.get_json()  # the 2025 article adds to every one of them


@pytest.mark.parametrize("path", AS_OF_PATHS)
@pytest.mark.parametrize(("value", "reason"), [
    ("2022-13", "a date that exists"), ("someday", "must be a date"),
    ("2021", "before the earliest"), ("1999-01-01", "before the earliest")])
def test_bad_as_of_is_a_400_naming_it(client, path, value, reason):
    response = client.get(with_as_of(path, value))
    assert (response.status_code, response.mimetype) == (400, "application/problem+json")
    [problem] = response.get_json()["invalid_params"]
    assert problem["name"] == "as_of" and reason in problem["reason"]


def test_as_of_answers_what_the_service_answers(client, backend):
    body = client.get("/api/v1/entities/changchun?as_of=2022").get_json()
    assert body == backend.entity("changchun", as_of=2022)
    [edge] = [e for e in body["edges"]["out"]
              if e["other"]["id"] == "regional-innovation-centre"]
    assert edge["properties"]["status"] == "planned"


def test_changes_page_and_counts(client, backend):
    body = client.get("/api/v1/changes?from=2022&to=2025&limit=5&offset=10").get_json()
    full = backend.changes(2022, 2025, limit=1000)
    assert body["items"] == full["items"][10:15]
    assert body["counts"] == full["counts"] and body["total"] == full["total"]
    metrics = [i for i in full["items"] if i["change"] == "metric"]
    assert {m["metric"]["name"] for m in metrics} >= {"high_tech_enterprises",
                                                       "national_sci_tech_awards"}


def _about(item: dict, field: str = "kind") -> set[str]:
    """The ``field`` (node kind, or id) of the entities a change item is about, read off the
    item itself."""
    if item["record"] == "node":
        return {item["node"][field]}
    if item["record"] == "edge":
        return {item["from"][field], item["to"][field]}
    return {item["subject"][field]}


@pytest.mark.parametrize(("change", "kind"), [
    ("appeared", "Lab"), ("appeared,metric", "Place"), ("status_changed", None),
    (None, "Fund,Company"), ("not_reported_since", "Program"), ("metric", "Lab")])
def test_changes_of_some_kinds_about_some_entities(client, backend, change, kind):
    """``change`` and ``kind`` keep the items of the whole answer that match, in its order,
    with counts and total of those (the expected items read off the unfiltered answer)."""
    full = backend.changes(2022, 2025, limit=1000)
    assert full["total"] < 1000
    changes, kinds = (set(change.split(",")) if change else None,
                      set(kind.split(",")) if kind else None)
    expected = [i for i in full["items"] if (changes is None or i["change"] in changes)
                and (kinds is None or _about(i) & kinds)]
    query = "&".join(f"{k}={v}" for k, v in (("change", change), ("kind", kind)) if v)
    body = client.get(f"/api/v1/changes?from=2022&to=2025&limit=1000&{query}").get_json()
    assert body["items"] == expected
    assert body["total"] == len(expected)
    assert body["counts"] == {c: sum(i["change"] == c for i in expected)
                              for c in full["counts"]}
    page = client.get(f"/api/v1/changes?from=2022&to=2025&limit=3&offset=2&{query}")
    assert page.get_json()["items"] == expected[2:5]


@pytest.mark.parametrize(("entity", "entity_id", "extra"), [
    ("changchun", "changchun", ""), ("长春", "changchun", "&change=metric"),
    ("長春光機所", "ciomp", ""), ("jilin-university", "jilin-university", "&kind=Lab")])
def test_changes_about_one_entity(client, backend, entity, entity_id, extra):
    """``entity`` (an id or a name, in either script) keeps the changes about it: itself,
    its relations, its metrics; with the other filters too."""
    full = backend.changes(2022, 2025, limit=1000)
    kinds = extra.split("kind=")[1].split(",") if "kind=" in extra else None
    changes = extra.split("change=")[1].split(",") if "change=" in extra else None
    expected = [i for i in full["items"] if entity_id in _about(i, "id")
                and (kinds is None or _about(i) & set(kinds))
                and (changes is None or i["change"] in changes)]
    body = client.get(f"/api/v1/changes?from=2022&to=2025&limit=1000"
                      f"&entity={quote(entity)}{extra}").get_json()
    assert body["entity"] == entity_id
    assert body["items"] == expected and body["total"] == len(expected)
    if entity_id == "changchun":
        assert expected  # the city's changes: its new relations and both metrics


def test_changes_about_an_unknown_entity_are_404(client):
    response = client.get("/api/v1/changes?from=2022&to=2025&entity=nowhere")
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")


def test_new_labs_since_2022_are_the_2025_articles(client):
    body = client.get("/api/v1/changes?from=2022&to=2025&change=appeared&kind=Lab"
                      "&limit=1000").get_json()
    labs = {i["node"]["id"] for i in body["items"] if i["record"] == "node"}
    assert {"changbaishan-lab", "faw-technical-centre", "national-key-labs-11"} <= labs
    assert all(i["node"]["kind"] == "Lab" for i in body["items"] if i["record"] == "node")


@pytest.mark.parametrize(("query", "name"), [
    ("change=gone", "change"), ("kind=Startup", "kind"), ("change=appeared,nope", "change")])
def test_bad_change_filters_are_400_naming_them(client, query, name):
    response = client.get(f"/api/v1/changes?from=2022&to=2025&{query}")
    assert (response.status_code, response.mimetype) == (400, "application/problem+json")
    assert [p["name"] for p in response.get_json()["invalid_params"]] == [name]


@pytest.mark.parametrize(("query", "name"), [
    ("from=2025&to=2022", "from"), ("from=2022&to=2022", "from"), ("from=2022&to=x", "to"),
    ("from=2020&to=2025", "from"), ("to=2025", "from"), ("from=2022", "to"),
    ("from=2022&to=2025-02-30", "to")])
def test_bad_change_dates_are_400_naming_them(client, query, name):
    response = client.get(f"/api/v1/changes?{query}")
    assert (response.status_code, response.mimetype) == (400, "application/problem+json")
    assert name in [p["name"] for p in response.get_json()["invalid_params"]]


def test_metric_series_errors(client):
    response = client.get("/api/v1/entities/changchun/metrics/no_such_metric")
    assert response.status_code == 400
    assert response.get_json()["invalid_params"][0]["name"] == "metric"
    assert client.get("/api/v1/entities/atlantis/metrics/academicians").status_code == 404


def test_openapi_declares_time(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, method in (("/api/v1/entities/{entity}", "get"), ("/api/v1/paths", "get"),
                         ("/api/v1/statistics", "get"), ("/api/v1/centrality", "get"),
                         ("/api/v1/backing", "get"), ("/api/v1/entities", "get"),
                         ("/api/v1/entities/{entity}/neighbours", "get"),
                         ("/api/v1/entities/{entity}/metrics/{metric}", "get")):
        params = {p["name"]: p for p in spec["paths"][path][method]["parameters"]}
        pattern = re.compile(params["as_of"]["schema"]["pattern"])
        assert pattern.fullmatch("2022") and pattern.fullmatch("2022-12-31"), path
        assert not pattern.fullmatch("2022-13") and not pattern.fullmatch("someday"), path
    changes = spec["paths"]["/api/v1/changes"]["get"]
    assert {p["name"] for p in changes["parameters"] if p["required"]} == {"from", "to"}
    assert "400" in changes["responses"]
    assert {"Changes", "MetricSeries", "Observation"} <= set(spec["components"]["schemas"])


@pytest.fixture(scope="module")
def base_url(app):
    with running_server(app, threads=2) as url:
        yield url


def get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["Content-Type"], json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], json.load(error)


def test_as_of_and_changes_over_real_http(base_url, backend):
    status, kind, body = get(f"{base_url}/api/v1/entities/{quote('长春')}?as_of=2022-12-31")
    assert (status, kind) == (200, "application/json")
    assert body == backend.entity("changchun", as_of=2022)
    status, kind, body = get(f"{base_url}/api/v1/changes?from=2022&to=2025&limit=3")
    assert (status, kind) == (200, "application/json")
    assert body == backend.changes(2022, 2025, limit=3)
    status, kind, body = get(f"{base_url}/api/v1/changes?from=2022&to=2025&change=appeared"
                             f"&kind=Lab&limit=3")
    assert (status, kind) == (200, "application/json")
    assert body == backend.changes(2022, 2025, limit=3, changes=["appeared"], kinds=["Lab"])
    status, kind, body = get(f"{base_url}/api/v1/changes?from=2025&to=2022")
    assert (status, kind) == (400, "application/problem+json")
    assert body["invalid_params"][0]["name"] == "from"
