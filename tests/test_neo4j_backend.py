"""The Neo4j backend's failure modes: server down, bad credentials, unknown database, nothing
synced, missing configuration; and the API's 503 problem+json when its Neo4j is down."""

from __future__ import annotations

import pytest
from neo4j import Driver
from neo4j.exceptions import AuthError, SessionExpired
from neo4j_read_fixtures import data_graph, load_into_neo4j, neo4j_with_data

from api.app import create_app
from innograph.neo4j_server import free_port
from queries.errors import BackendUnavailable
from queries.neo4j_backend import Neo4jBackend

__all__ = ["data_graph", "neo4j_with_data"]


@pytest.fixture
def down_backend():
    """A backend pointed at a port nothing listens on."""
    backend = Neo4jBackend.connect(f"bolt://127.0.0.1:{free_port()}")
    yield backend
    backend.close()


@pytest.mark.parametrize("method,args", [
    ("version", ()), ("health", ()), ("statistics", ()), ("entity", ("changchun",)),
    ("search", ("长春",)), ("neighbourhood", ("changchun",)), ("paths", ("faw", "changchun")),
    ("backing", ()), ("centrality", ("pagerank",)),
])
def test_every_method_says_the_server_cannot_be_reached(down_backend, method, args):
    with pytest.raises(BackendUnavailable, match=r"Neo4j at bolt://127\.0\.0\.1:\d+ cannot be "
                                                 r"reached"):
        getattr(down_backend, method)(*args)


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/entities/长光卫星",
                                  "/api/v1/paths?from=faw&to=changchun", "/api/v1/backing"])
def test_api_answers_503_problem_json_when_neo4j_is_down(down_backend, path):
    response = create_app(down_backend).test_client().get(path)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"].endswith("/backend-unavailable")
    assert problem["status"] == 503
    assert "cannot be reached" in problem["detail"]
    assert response.headers["Retry-After"]


class FailingDriver:
    """A driver whose sessions fail with ``error`` (the driver's own exception types)."""

    def __init__(self, error: Exception):
        self.error = error

    def session(self, **kwargs):
        raise self.error


@pytest.mark.parametrize("error,expected", [
    (AuthError("The client is unauthorized due to authentication failure."),
     r"refused the credentials of user 'reader' \(check NEO4J_USER and NEO4J_PASSWORD\)"),
    (SessionExpired("connection lost"), "cannot be reached: connection lost"),
])
def test_driver_errors_become_backend_unavailable(error, expected):
    backend = Neo4jBackend(FailingDriver(error), uri="bolt://db:7687", user="reader")
    with pytest.raises(BackendUnavailable, match=expected):
        backend.health()


def test_from_env_reads_the_four_variables():
    backend = Neo4jBackend.from_env({"NEO4J_URI": "bolt://db.example:7687", "NEO4J_USER": "r",
                                     "NEO4J_PASSWORD": "secret-pw", "NEO4J_DATABASE": "graph"})
    try:
        assert (backend.uri, backend.user, backend.database) == (
            "bolt://db.example:7687", "r", "graph")
    finally:
        backend.close()
    anonymous = Neo4jBackend.from_env({"NEO4J_URI": "bolt://db.example:7687"})
    try:
        assert (anonymous.user, anonymous.database) == (None, None)  # no auth, default db
    finally:
        anonymous.close()


@pytest.mark.parametrize("environ,expected", [
    ({}, "NEO4J_URI is not set"),
    ({"NEO4J_URI": "  "}, "NEO4J_URI is not set"),
    ({"NEO4J_URI": "mongodb://127.0.0.1:7687"}, "cannot use NEO4J_URI 'mongodb://"),
])
def test_from_env_refuses_a_missing_or_bad_uri(environ, expected):
    with pytest.raises(BackendUnavailable, match=expected):
        Neo4jBackend.from_env(environ)


@pytest.mark.neo4j
def test_unknown_database_is_named(neo4j_with_data, neo4j_driver: Driver):
    backend = Neo4jBackend(neo4j_driver, database="nosuchdb", uri=neo4j_with_data.uri)
    with pytest.raises(BackendUnavailable, match="has no database 'nosuchdb' "
                                                 r"\(check NEO4J_DATABASE\)"):
        backend.health()


@pytest.mark.neo4j
def test_a_database_without_an_innograph_graph_says_to_sync(neo4j_with_data,
                                                            neo4j_driver: Driver, data_graph):
    backend = Neo4jBackend(neo4j_driver, database=neo4j_with_data.database,
                           uri=neo4j_with_data.uri)
    neo4j_driver.execute_query("MATCH (m:InnographMeta) DELETE m",
                               database_=neo4j_with_data.database)
    try:
        with pytest.raises(BackendUnavailable, match=r"holds no innograph graph .* run "
                                                     r"`innograph sync` first"):
            backend.version()
    finally:  # the next sync sees no metadata, checks every record and writes it back
        load_into_neo4j(data_graph, neo4j_driver, neo4j_with_data)
    assert backend.version() == data_graph.graph["version"]


@pytest.mark.neo4j
def test_the_api_serves_from_neo4j(neo4j_with_data, neo4j_driver: Driver, data_graph):
    backend = Neo4jBackend(neo4j_driver, database=neo4j_with_data.database,
                           uri=neo4j_with_data.uri)
    response = create_app(backend).test_client().get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "backend": "neo4j",
                                   "version": data_graph.graph["version"],
                                   "nodes": data_graph.number_of_nodes(),
                                   "edges": data_graph.number_of_edges()}
