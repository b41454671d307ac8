"""The RDF routes: content negotiation (Accept and ?format=), streaming, ETags, the context."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from api_fixtures import assert_problem
from rdf_fixtures import OX_FORMATS, exported

from graph.rdf.context import context_document
from graph.rdf.export import FORMATS


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
