"""The RDF routes: content negotiation (Accept and ?format=), streaming, ETags, the context."""

from __future__ import annotations

import json
from urllib.parse import quote

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from api_fixtures import assert_problem
from rdf_fixtures import OX_FORMATS, exported, shacl_results

from graph.rdf.context import context_document
from graph.rdf.export import FORMATS

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_format_parameter(client, data_graph, fmt: str) -> None:
    response = client.get(f"/api/v1/rdf?format={fmt}")
    assert response.status_code == 200
    assert response.mimetype == FORMATS[fmt].media_type
    assert response.is_streamed
    body = response.get_data(as_text=True)
    assert body == exported(data_graph, fmt)
    assert list(ox.parse(body, OX_FORMATS[fmt]))


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", "ttl"), ("application/n-triples", "nt"), ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "xml"), ("application/trig", "trig"),
    ("application/n-quads", "nq"), ("application/json", "jsonld"), ("*/*", "ttl"),
    ("text/html;q=0.9, application/n-quads;q=0.8, text/turtle;q=0.5", "nq"),
])
def test_accept_header_chooses_the_format(client, accept: str, fmt: str) -> None:
    response = client.get("/api/v1/rdf/ontology", headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == FORMATS[fmt].media_type
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(("name", "fmt"), [
    ("turtle", "ttl"), ("ntriples", "nt"), ("n-triples", "nt"), ("json-ld", "jsonld"),
    ("rdfxml", "xml"), ("rdf+xml", "xml"), ("trig", "trig"), ("nquads", "nq"),
    ("n-quads", "nq"), ("text/turtle", "ttl"), ("application/n-quads", "nq"),
    ("application/rdf+xml", "xml"), ("application/xml", "xml"),
])
def test_format_parameter_takes_common_names_and_media_types(client, name: str,
                                                             fmt: str) -> None:
    response = client.get("/api/v1/rdf/ontology", query_string={"format": name})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == FORMATS[fmt].media_type
    assert response.headers["ETag"].endswith(f'-{fmt}"')
    assert list(ox.parse(response.get_data(as_text=True), OX_FORMATS[fmt]))


@pytest.mark.parametrize("accept", ["application/xml", "text/xml"])
def test_plain_xml_gets_rdf_xml(client, accept: str) -> None:
    response = client.get("/api/v1/rdf/shapes", headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/rdf+xml"
    assert list(ox.parse(response.get_data(as_text=True), OX_FORMATS["xml"]))


def test_format_parameter_wins_over_accept(client) -> None:
    response = client.get("/api/v1/rdf/shapes?format=nt", headers={"Accept": "text/turtle"})
    assert response.mimetype == "application/n-triples"


def test_unacceptable_and_unknown_formats(client) -> None:
    assert_problem(client.get("/api/v1/rdf", headers={"Accept": "text/html"}), 406,
                   "not-acceptable")
    body = assert_problem(client.get("/api/v1/rdf?format=yaml"), 400, "invalid-parameters")
    assert body["invalid_params"][0]["name"] == "format"


def test_etag_revalidation(client, data_graph) -> None:
    first = client.get("/api/v1/rdf?format=nt")
    assert first.headers["ETag"] == f'"{data_graph.graph["version"]}-nt"'
    again = client.get("/api/v1/rdf?format=nt",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_context_is_served(client) -> None:
    response = client.get("/api/v1/rdf/context.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert json.loads(response.get_data(as_text=True)) == context_document()


def test_routes_are_in_the_openapi_document(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    content = spec["paths"]["/api/v1/rdf"]["get"]["responses"]["200"]["content"]
    assert set(content) == {f.media_type for f in FORMATS.values()}
    assert "/api/v1/rdf/context.jsonld" in spec["paths"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's Dataset, internally
def test_as_of_writes_the_graph_as_then_reported(client, data_graph) -> None:
    """``as_of``: the nodes some source up to the year reports (told here from the data
    itself: a node citing such a source, or citing none), only those sources' named graphs,
    and an export pyshacl finds valid against the served shapes."""
    years = {a["file"]: a["published_year"] for _, a in data_graph.nodes(data=True)
             if a.get("kind") == "Source"}
    year = min(years.values())
    assert year < max(years.values())  # so something is left out
    response = client.get(f"/api/v1/rdf?format=nq&as_of={year}")
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{data_graph.graph["version"]}@{year}-nq"'
    quads = list(ox.parse(response.get_data(as_text=True), ox.RdfFormat.N_QUADS))
    typed = {q.subject.value.split("/id/", 1)[1] for q in quads
             if isinstance(q.graph_name, ox.DefaultGraph) and q.predicate == RDF_TYPE
             and "/id/" in q.subject.value}
    expected = {n for n, a in data_graph.nodes(data=True)
                if not a.get("provenance")
                or any(years.get(p["source"], year) <= year for p in a["provenance"])}
    assert typed == expected and len(expected) < data_graph.number_of_nodes()
    documents = {q.graph_name.value.rsplit("/source/", 1)[1] for q in quads
                 if isinstance(q.graph_name, ox.NamedNode)}
    assert documents == {quote(f, safe="") for f, y in years.items() if y <= year}
    data = rdflib.Dataset()
    data.parse(data=response.get_data(as_text=True), format="nquads")
    shapes = rdflib.Graph().parse(data=client.get("/api/v1/rdf/shapes?format=ttl")
                                  .get_data(as_text=True), format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True)
    assert conforms, shacl_results(report)


def test_as_of_before_any_source_is_400_naming_it(client) -> None:
    body = assert_problem(client.get("/api/v1/rdf?as_of=1990"), 400, "invalid-parameters")
    assert body["invalid_params"][0]["name"] == "as_of"
