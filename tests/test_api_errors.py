"""Every failure is application/problem+json with the right status: 404, 405, 413, 414, 500,
503 (backend down, query timeout). 400 and 422 are covered per route."""

from __future__ import annotations

import logging
import threading

from api_fixtures import FaultyBackend, assert_problem, raising

from api.app import create_app
from queries.errors import BackendUnavailable, QueryTimedOut
from queries.time_limit import seconds_left

TWO_MB = 2 * 1024 * 1024


def test_unknown_route_is_404_problem(client):
    body = assert_problem(client.get("/api/v1/nothing-here"), 404, "not-found")
    assert body["instance"] == "/api/v1/nothing-here"
    assert_problem(client.get("/api/v2/entities"), 404, "not-found")


def test_wrong_method_is_405_problem_with_allow(client):
    response = client.post("/api/v1/entities")
    assert_problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["Allow"]
    assert_problem(client.delete("/api/v1/entities/changxing-fund"), 405)


def test_two_megabyte_body_is_413_problem(client, app):
    for send in (client.post, client.get):
        response = send("/api/v1/entities", data=b"x" * TWO_MB,
                        content_type="application/octet-stream")
        body = assert_problem(response, 413, "request-too-large")
        assert body["max_bytes"] == app.config["MAX_CONTENT_LENGTH"]


def test_overlong_query_string_is_414_problem(client, app):
    limit = app.config["MAX_QUERY_STRING_BYTES"]
    response = client.get("/api/v1/entities?q=" + "a" * limit)
    body = assert_problem(response, 414, "uri-too-long")
    assert body["max_bytes"] == limit
    assert body["instance"] == "/api/v1/entities"  # not echoing the oversize query


def test_a_bug_is_500_problem_without_internals(backend, caplog):
    secret = "KeyError in /srv/innograph/secret_module.py line 42"
    broken = create_app(FaultyBackend(backend, entity=raising(KeyError(secret))))
    with caplog.at_level(logging.ERROR):
        response = broken.test_client().get("/api/v1/entities/changxing-fund")
    body = assert_problem(response, 500, "internal-error")
    assert secret not in response.get_data(as_text=True)
    assert "secret_module" not in body["detail"]
    assert secret in caplog.text  # the trace goes to the log


def test_backend_down_on_a_query_is_503(backend):
    down = create_app(FaultyBackend(backend, paths=raising(BackendUnavailable("no bolt"))))
    response = down.test_client().get("/api/v1/paths?from=faw&to=ciomp")
    assert_problem(response, 503, "backend-unavailable")


def test_query_over_the_time_limit_is_503_and_frees_the_request(backend):
    release = threading.Event()

    def stall(*args, **kwargs):
        release.wait(5)
        return backend.centrality(*args, **kwargs)

    slow = create_app(FaultyBackend(backend, centrality=stall),
                      config={"QUERY_TIME_LIMIT_SECONDS": 0.05})
    try:
        response = slow.test_client().get("/api/v1/centrality")
        body = assert_problem(response, 503, "query-timeout")
        assert body["limit_seconds"] == 0.05
    finally:
        release.set()
    assert slow.test_client().get("/api/v1/health").status_code == 200


def test_a_lookup_runs_within_the_time_limit_on_the_requests_thread(backend):
    """Lookups are not handed to the worker pool (api/querying.py): the store sees the
    request's time limit, and a statement it stopped there is a 503 query-timeout."""
    seen: list[tuple[float | None, str]] = []

    def observed(*args, **kwargs):
        seen.append((seconds_left(), threading.current_thread().name))
        return backend.entity(*args, **kwargs)

    app = create_app(FaultyBackend(backend, entity=observed,
                                   search=raising(QueryTimedOut("stopped at the limit"))),
                     config={"QUERY_TIME_LIMIT_SECONDS": 2.0})
    client = app.test_client()
    assert client.get("/api/v1/entities/changxing-fund").status_code == 200
    (left, thread), = seen
    assert left is not None and 0 < left <= 2.0
    assert not thread.startswith("query")  # the pool's threads are named query_N
    body = assert_problem(client.get("/api/v1/entities?q=fund"), 503, "query-timeout")
    assert body["limit_seconds"] == 2.0
