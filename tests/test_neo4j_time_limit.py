"""The request's time limit over Neo4j (api/querying.py, queries/time_limit.py): a lookup runs
on the request's thread and each of its statements gets the seconds left as its transaction
timeout, so Neo4j itself stops the statement at the limit (nothing is left running for a
client that was answered) and the API answers 503 query-timeout."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
from api_fixtures import FaultyBackend, assert_problem
from neo4j import Driver

from api.app import create_app
from api.server import running_server
from queries.errors import QueryTimedOut
from queries.neo4j_backend import Neo4jBackend
from queries.time_limit import seconds_left, time_limit

pytestmark = pytest.mark.neo4j

#: A statement that runs for many seconds (200 M rows counted) and answers nothing.
SLOW = "UNWIND range(1, 200000000) AS x WITH x WHERE x < 0 RETURN count(x) AS n"


def running(driver: Driver, database: str) -> list[str]:
    with driver.session(database=database) as session:
        return [r["q"] for r in session.run("SHOW TRANSACTIONS YIELD currentQuery AS q")
                if "200000000" in (r["q"] or "") and "SHOW TRANSACTIONS" not in r["q"]]


def test_a_statement_stops_at_the_seconds_left(neo4j_backend: Neo4jBackend,
                                                neo4j_driver: Driver) -> None:
    started = time.monotonic()
    with time_limit(0.3), pytest.raises(QueryTimedOut):
        neo4j_backend.store.run(SLOW)
    assert time.monotonic() - started < 5
    assert running(neo4j_driver, neo4j_backend.store.database) == []
    with time_limit(0), pytest.raises(QueryTimedOut, match="time limit was reached"):
        neo4j_backend.store.run("RETURN 1 AS n")  # not sent: no time left
    assert seconds_left() is None  # outside a limit again
    assert neo4j_backend.store.run("RETURN 1 AS n")[0]["n"] == 1


def test_a_lookup_past_the_time_limit_is_503_and_stopped(neo4j_backend: Neo4jBackend,
                                                         neo4j_driver: Driver) -> None:
    seen: list[float | None] = []

    def slow_paths(*args, **kwargs):
        seen.append(seconds_left())
        neo4j_backend.store.run(SLOW)
        return neo4j_backend.paths(*args, **kwargs)

    app = create_app(FaultyBackend(neo4j_backend, paths=slow_paths),
                     config={"QUERY_TIME_LIMIT_SECONDS": 2.0})
    started = time.monotonic()
    response = app.test_client().get("/api/v1/paths?from=faw&to=ciomp")
    body = assert_problem(response, 503, "query-timeout")
    assert body["limit_seconds"] == 2.0
    assert time.monotonic() - started < 5
    assert seen and 0 < seen[0] <= 2.0
    assert running(neo4j_driver, neo4j_backend.store.database) == []
    with running_server(app, threads=2) as url:  # the same over real HTTP
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        started = time.monotonic()
        connection.request("GET", "/api/v1/paths?from=faw&to=ciomp")
        answer = connection.getresponse()
        problem = json.loads(answer.read())
        connection.close()
        assert answer.status == 503
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert problem["type"].endswith("/query-timeout") and problem["limit_seconds"] == 2.0
        assert time.monotonic() - started < 5
    assert running(neo4j_driver, neo4j_backend.store.database) == []
    # another lookup within the limit answers (2 s: a cold statement is planned first)
    again = app.test_client().get("/api/v1/entities/faw")
    assert again.status_code == 200, again.get_data(as_text=True)
