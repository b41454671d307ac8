"""The SPARQL endpoint and the resolving IRIs, asked over real HTTP by an independent client
(SPARQLWrapper), against the running server (api.server.running_server)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import networkx as nx
import pytest
from sparql_checks import CHECKS, asked_values
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from api.app import create_app
from api.routes.sparql import KEEPER
from api.server import running_server
from queries.embedded_backend import EmbeddedBackend
from queries.sparql_examples import binding_value, example_queries, with_values


@pytest.fixture(scope="module")
def base_url(generated_graph_400: nx.MultiDiGraph) -> Iterator[str]:
    app = create_app(EmbeddedBackend(generated_graph_400),
                     config={"SPARQL_MAX_RESULTS": 5000, "SPARQL_TIME_LIMIT_SECONDS": 5.0})
    with running_server(app, threads=4) as url:
        yield url.rstrip("/")


@pytest.fixture(scope="module")
def data_url(data_graph: nx.MultiDiGraph) -> Iterator[str]:
    """The server over the curated data/ (what `make run` serves)."""
    with running_server(create_app(EmbeddedBackend(data_graph)), threads=4) as url:
        yield url.rstrip("/")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _rows_via_http(base_url: str, query: str) -> list[dict]:
    """The rows SPARQLWrapper gets, as Python values (literals by their datatype)."""
    client = SPARQLWrapper(f"{base_url}/api/v1/sparql")
    client.setMethod(POST)  # the examples are longer than a query string may be
    client.setQuery(query)
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    names = result["head"]["vars"]
    return [{name: binding_value(row.get(name)) for name in names}
            for row in result["results"]["bindings"]]


@pytest.mark.parametrize("graph_name", ["data_graph", "generated_graph_400"])
@pytest.mark.parametrize("name", list(example_queries()))
def test_every_example_over_http_answers_as_the_query_layer(
        name: str, graph_name: str, request: pytest.FixtureRequest):
    """SPARQLWrapper over real HTTP, on data/ and on a generated graph: each example's rows
    are what tests/sparql_checks.py computes from the graph (the query layer's backing and
    statistics, or networkx)."""
    g = request.getfixturevalue(graph_name)
    url = request.getfixturevalue("data_url" if graph_name == "data_graph" else "base_url")
    query = example_queries()[name]
    rows = [row for values in asked_values(g, query)
            for row in _rows_via_http(url, with_values(query, **values))]
    answer, expected = CHECKS[name](g, rows)
    assert answer == expected
    if graph_name == "data_graph":  # every example has an answer on data/
        assert answer


def test_results_in_every_format(base_url: str):
    query = urllib.parse.urlencode({"query": "SELECT ?k WHERE { ?n a ?k } LIMIT 3"})
    for accept, starts in (("application/sparql-results+json", "{"),
                           ("application/sparql-results+xml", "<?xml"),
                           ("text/csv", "k\r\n"), ("text/tab-separated-values", "?k\n")):
        request = urllib.request.Request(f"{base_url}/api/v1/sparql?{query}",
                                         headers={"Accept": accept})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Type"].startswith(accept)
            assert response.read().decode().startswith(starts), accept


def test_graphs_and_booleans_in_every_format(base_url: str):
    """CONSTRUCT answers are written by pyoxigraph in the worker: each format parses back to
    the same triples; ASK in every results format."""
    import pyoxigraph as ox
    construct = "CONSTRUCT { ?n a ?k } WHERE { ?n a ?k } ORDER BY ?n ?k LIMIT 7"
    graphs = {}
    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE),
                        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                        ("application/ld+json", ox.RdfFormat.JSON_LD)):
        query = urllib.parse.urlencode({"query": construct})
        request = urllib.request.Request(f"{base_url}/api/v1/sparql?{query}",
                                         headers={"Accept": accept})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Type"].startswith(accept)
            graphs[accept] = set(ox.parse(response.read(), fmt))
    assert len(graphs["text/turtle"]) == 7
    assert graphs["text/turtle"] == graphs["application/n-triples"] == \
        graphs["application/ld+json"]
    # JSON-LD as the export writes it: the published context inline, its terms as keys
    query = urllib.parse.urlencode({"query": construct})
    request = urllib.request.Request(f"{base_url}/api/v1/sparql?{query}",
                                     headers={"Accept": "application/ld+json"})
    with urllib.request.urlopen(request) as response:
        document = json.load(response)
    with urllib.request.urlopen(f"{base_url}/api/v1/rdf/context.jsonld") as response:
        assert document["@context"] == json.load(response)["@context"]
    assert all(node["@type"] for node in document["@graph"])
    for accept, body in (("application/sparql-results+json", b'{"head":{},"boolean":true}'),
                         ("text/csv", b"true"), ("text/tab-separated-values", b"true")):
        query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        request = urllib.request.Request(f"{base_url}/api/v1/sparql?{query}",
                                         headers={"Accept": accept})
        with urllib.request.urlopen(request) as response:
            assert response.read() == body, accept


def test_results_with_newlines_are_counted_as_rows(base_url: str):
    """The result limit counts lines of SPARQL TSV / N-Triples: a value with newlines is one
    row (escaped there), and exactly the limit is allowed."""
    digits = "VALUES ?{} {{ 0 1 2 3 4 5 6 7 8 9 }} "
    query = ("SELECT ?v WHERE { " + "".join(digits.format(x) for x in "abc")
             + "VALUES ?d { 0 1 2 3 4 } "
             + 'BIND (CONCAT("a\\nb\\n", STR(?a), STR(?b), STR(?c), STR(?d)) AS ?v) }')
    request = urllib.request.Request(f"{base_url}/api/v1/sparql", data=query.encode(),
                                     headers={"Content-Type": "application/sparql-query"})
    with urllib.request.urlopen(request) as response:
        rows = json.loads(response.read())["results"]["bindings"]
    assert len(rows) == 5000 and rows[0]["v"]["value"].startswith("a\nb\n")
    status, problem = _problem(base_url, "/api/v1/sparql", data=query.replace(
        "3 4 }", "3 4 5 }").encode(), headers={"Content-Type": "application/sparql-query"})
    assert status == 422 and problem["max_results"] == 5000
    status, problem = _problem(base_url, "/api/v1/sparql", data=(
        b"CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
        headers={"Content-Type": "application/sparql-query"})
    assert status == 422 and problem["max_results"] == 5000


def _problem(base_url: str, path: str, *, data: bytes | None = None,
             headers: dict[str, str] | None = None,
             request: urllib.request.Request | None = None) -> tuple[int, dict]:
    request = request or urllib.request.Request(base_url + path, data=data,
                                                headers=headers or {})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    error = caught.value
    assert error.headers["Content-Type"] == "application/problem+json"
    return error.code, json.loads(error.read())


def test_malformed_sparql_names_line_and_column(base_url: str):
    query = urllib.parse.urlencode({"query": "SELECT ?x WHERE {\n  ?x ?p\n}"})
    status, problem = _problem(base_url, f"/api/v1/sparql?{query}")
    assert status == 400 and problem["type"].endswith("/invalid-sparql")
    # the parser's position: line 3, just past the "}" that came where an object was due
    assert (problem["line"], problem["column"]) == (3, 2)
    client = SPARQLWrapper(f"{base_url}/api/v1/sparql")
    client.setQuery("SELECT ?x WHERE { ?x ?p }")
    with pytest.raises(QueryBadFormed):
        client.query()


@pytest.mark.parametrize(("data", "content_type"), [
    (b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
    (b"update=DELETE+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D", "application/x-www-form-urlencoded"),
    (b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-query")])
def test_updates_are_refused_and_change_nothing(base_url: str, data: bytes,
                                                content_type: str):
    status, problem = _problem(base_url, "/api/v1/sparql", data=data,
                               headers={"Content-Type": content_type})
    assert status == 400 and problem["type"].endswith("/sparql-update-refused")
    client = SPARQLWrapper(f"{base_url}/api/v1/sparql")
    client.setQuery("ASK { <urn:a> ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is False


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_a_body_of_another_type_is_415_naming_the_types_read(base_url: str,
                                                            content_type: str | None):
    # text/plain is what a cross-origin page can POST without a preflight
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(f"{base_url}/api/v1/sparql", data=b"ASK { ?s ?p ?o }",
                                     headers=headers)
    if content_type is None:  # urllib adds a form type to a body that has none
        request.remove_header("Content-type")
        request.add_unredirected_header("Content-Type", "")
    status, problem = _problem(base_url, "/api/v1/sparql", request=request)
    assert status == 415 and problem["type"].endswith("/unsupported-media-type")
    assert problem["accepted"] == ["application/sparql-query",
                                   "application/x-www-form-urlencoded"]
    assert (content_type or "(none)") in problem["detail"]


def test_service_is_refused(base_url: str):
    query = urllib.parse.urlencode(
        {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"})
    status, problem = _problem(base_url, f"/api/v1/sparql?{query}")
    assert status == 400 and problem["type"].endswith("/sparql-service-refused")


def test_result_limit_and_unsupported_accept(base_url: str):
    query = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
    status, problem = _problem(base_url, f"/api/v1/sparql?{query}")
    assert status == 422 and problem["max_results"] == 5000
    status, problem = _problem(base_url, f"/api/v1/sparql?{query}",
                               headers={"Accept": "image/png"})
    assert status == 406


def test_time_limit_is_a_503_problem(generated_graph_400: nx.MultiDiGraph):
    app = create_app(EmbeddedBackend(generated_graph_400),
                     config={"SPARQL_TIME_LIMIT_SECONDS": 0.5})
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }")
    client = app.test_client()
    app.extensions[KEEPER].get(120)  # the store is built: the limit is the query's alone
    response = client.get("/api/v1/sparql", query_string={"query": slow})
    assert response.status_code == 503
    assert response.get_json()["type"].endswith("/query-timeout")


def test_entity_iris_resolve(base_url: str, generated_graph_400: nx.MultiDiGraph):
    node = next(iter(generated_graph_400.nodes))
    request = urllib.request.Request(f"{base_url}/id/{node}",
                                     headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request) as response:
        text = response.read().decode()
    assert f'<https://innograph.org/ontology#id> "{node}"' in text
    request = urllib.request.Request(f"{base_url}/id/{node}",
                                     headers={"Accept": "text/html,*/*;q=0.8"})
    with pytest.raises(urllib.error.HTTPError) as caught:  # a browser: to the explorer
        urllib.request.build_opener(_NoRedirect).open(request)
    assert caught.value.code == 303
    assert caught.value.headers["Location"] == f"/#/entity/{node}"
    status, _ = _problem(base_url, "/id/no-such-node", headers={"Accept": "text/turtle"})
    assert status == 404
    request = urllib.request.Request(f"{base_url}/ontology",
                                     headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request) as response:
        assert "owl:Class" in response.read().decode()
