"""The Neo4j backend's failure modes: server down, bad credentials, unknown database, nothing
synced, missing configuration; and the API's 503 problem+json when its Neo4j is down."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest
import rdflib
import rdflib.compare
from neo4j import Driver
from neo4j.exceptions import AuthError, SessionExpired
from neo4j_read_fixtures import load_into_neo4j

from api.app import create_app
from graph.embedded import stamp_version
from graph.rdf.export import export_graph
from innograph.cli import main as cli_main
from innograph.neo4j_server import free_port
from queries.errors import BackendUnavailable
from queries.neo4j_backend import Neo4jBackend


@pytest.fixture
def down_backend():
    """A backend pointed at a port nothing listens on."""
    backend = Neo4jBackend.connect(f"bolt://127.0.0.1:{free_port()}")
    yield backend
    backend.close()


@pytest.mark.parametrize("method,args", [
    ("version", ()), ("health", ()), ("statistics", ()), ("entity", ("changchun",)),
    ("search", ("长春",)), ("neighbourhood", ("changchun",)), ("paths", ("faw", "changchun")),
    ("backing", ()), ("centrality", ("pagerank",)), ("snapshot", ()),
])
def test_every_method_says_the_server_cannot_be_reached(down_backend, method, args):
    with pytest.raises(BackendUnavailable, match=r"Neo4j at bolt://127\.0\.0\.1:\d+ cannot be "
                                                 r"reached"):
        getattr(down_backend, method)(*args)


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/entities/长光卫星",
                                  "/api/v1/paths?from=faw&to=changchun", "/api/v1/backing",
                                  "/api/v1/rdf", "/api/v1/rdf?format=jsonld"])
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


def smaller_graph(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``g`` without its labs: a graph unlike data/."""
    smaller = g.copy()
    smaller.remove_nodes_from([n for n, kind in g.nodes(data="kind") if kind == "Lab"])
    stamp_version(smaller)
    return smaller


def n_triples(g: nx.MultiDiGraph) -> rdflib.Graph:
    text = io.StringIO()
    export_graph(g, "nt", text, progress=False)
    return rdflib.Graph().parse(data=text.getvalue(), format="nt")


@pytest.mark.neo4j
def test_rdf_stats_show_and_export_read_the_graph_neo4j_holds(
        neo4j_with_data, neo4j_driver: Driver, data_graph, monkeypatch, capsys, tmp_path):
    """Neo4j holds a graph other than data/: every interface serves that graph, not data/."""
    held = smaller_graph(data_graph)
    load_into_neo4j(held, neo4j_driver, neo4j_with_data)
    try:
        backend = Neo4jBackend(neo4j_driver, database=neo4j_with_data.database,
                               uri=neo4j_with_data.uri)
        response = create_app(backend).test_client().get("/api/v1/rdf?format=nt")
        assert response.status_code == 200
        assert response.headers["ETag"].strip('"').startswith(held.graph["version"])
        served = rdflib.Graph().parse(data=response.get_data(as_text=True), format="nt")
        assert len(served) == len(n_triples(held)) < len(n_triples(data_graph))
        assert rdflib.compare.isomorphic(served, n_triples(held))

        monkeypatch.setenv("NEO4J_URI", neo4j_with_data.uri)
        for name, value in zip(("NEO4J_USER", "NEO4J_PASSWORD"), neo4j_with_data.auth or (),
                               strict=True):
            monkeypatch.setenv(name, value)
        if neo4j_with_data.database:
            monkeypatch.setenv("NEO4J_DATABASE", neo4j_with_data.database)
        assert cli_main(["stats", "--json"]) == 0
        stats = json.loads(capsys.readouterr().out)
        assert (stats["version"], stats["nodes"]) == (held.graph["version"],
                                                      held.number_of_nodes())
        lab = next(n for n, kind in data_graph.nodes(data="kind") if kind == "Lab")
        assert cli_main(["show", lab]) == 1  # data/ has it, Neo4j does not
        assert "no entity with id or name" in capsys.readouterr().err
        assert cli_main(["export", "--out", str(tmp_path / "held.nt")]) == 0
        exported = rdflib.Graph().parse(tmp_path / "held.nt", format="nt")
        assert rdflib.compare.isomorphic(exported, n_triples(held))
    finally:
        load_into_neo4j(data_graph, neo4j_driver, neo4j_with_data)
