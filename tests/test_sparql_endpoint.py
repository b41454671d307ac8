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
from rdf_fixtures import generated_dir, generated_graph
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from api.app import create_app
from api.server import running_server
from queries.embedded_backend import EmbeddedBackend
from queries.sparql_examples import example_queries, run_example, to_rdflib

__all__ = ["generated_dir", "generated_graph"]
ENTITY_EXAMPLE = "quotes-for-entity"


@pytest.fixture(scope="module")
def base_url(generated_graph: nx.MultiDiGraph) -> Iterator[str]:
    app = create_app(EmbeddedBackend(generated_graph),
                     config={"SPARQL_MAX_RESULTS": 5000, "SPARQL_TIME_LIMIT_SECONDS": 5.0})
    with running_server(app, threads=4) as url:
        yield url.rstrip("/")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _plain(binding: dict) -> str:
    return binding["value"]


def _rows_via_http(base_url: str, query: str) -> list[dict[str, str]]:
    client = SPARQLWrapper(f"{base_url}/api/v1/sparql")
    client.setMethod(POST)  # the examples are longer than a query string may be
    client.setQuery(query)
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    return [{k: _plain(v) for k, v in row.items()} for row in result["results"]["bindings"]]


@pytest.mark.parametrize("name", list(example_queries()))
def test_every_example_answers_as_the_checked_rdflib_run(name: str, base_url: str,
                                                        generated_graph: nx.MultiDiGraph):
    """The rows over HTTP are those of the rdflib run, which tests/test_rdf_sparql.py checks
    against the query layer."""
    query = example_queries()[name]
    bindings = {}
    if name == ENTITY_EXAMPLE:
        entity = max(generated_graph.degree, key=lambda nd: (nd[1], nd[0]))[0]
        bindings = {"entity": entity}
        query = query.replace("?e ig:id ?entity .", f'?e ig:id "{entity}" .')
    expected = run_example(to_rdflib(generated_graph), name, **bindings)
    got = _rows_via_http(base_url, query)
    as_text = [{k: str(v) for k, v in row.items() if v is not None} for row in expected]
    if name == ENTITY_EXAMPLE:
        got = [{k: v for k, v in row.items() if k != "entity"} for row in got]
    normalise = sorted if "ORDER BY" not in query else list
    assert normalise(map(_row_text, got)) == normalise(map(_row_text, _numbers(as_text, got)))


def _row_text(row: dict[str, str]) -> str:
    """A row as text; GROUP_CONCAT lists (joined by 、) as sets: SPARQL leaves their order
    to the engine."""
    return json.dumps({k: sorted(v.split("、")) if "、" in v else v for k, v in row.items()},
                      sort_keys=True)


def _numbers(expected: list[dict], got: list[dict]) -> list[dict]:
    """rdflib gives Python numbers (100000000000.0 for a decimal); compare numerically."""
    out = []
    for want, have in zip(expected, got, strict=False):
        row = {}
        for key, value in want.items():
            other = have.get(key)
            try:
                same = other is not None and float(other) == float(value)
            except ValueError:
                same = False
            row[key] = other if same else value
        out.append(row)
    return out + expected[len(got):]


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


def _problem(base_url: str, path: str, *, data: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(base_url + path, data=data, headers=headers or {})
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


def test_time_limit_is_a_503_problem(generated_graph: nx.MultiDiGraph):
    app = create_app(EmbeddedBackend(generated_graph),
                     config={"SPARQL_TIME_LIMIT_SECONDS": 0.5})
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }")
    client = app.test_client()
    client.get("/api/v1/sparql", query_string={"query": "ASK {}"})  # the store is built
    response = client.get("/api/v1/sparql", query_string={"query": slow})
    assert response.status_code == 503
    assert response.get_json()["type"].endswith("/query-timeout")


def test_entity_iris_resolve(base_url: str, generated_graph: nx.MultiDiGraph):
    node = next(iter(generated_graph.nodes))
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
