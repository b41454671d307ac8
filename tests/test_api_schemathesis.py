"""Property-based run of schemathesis against the served OpenAPI document, with every check,
over real HTTP (waitress) for both stores: the embedded graph and a real Neo4j server holding
the same data. Generated requests for every operation; no 5xx; every response (status,
content type, headers, body) conforms to the spec; valid requests are accepted and invalid
ones rejected.

The schema is loaded at import, because ``schemathesis.pytest.from_fixture`` does not work
with pytest 9 (it sets ``request.node._nodeid``); both stores serve the same document.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, settings
from werkzeug.datastructures import MultiDict

from api.app import create_app
from api.limits import MAX_QUERY_STRING_BYTES
from api.operations import operations_by_endpoint
from api.pagination import encode_cursor
from api.params import DATE, parse_params
from api.routes.entities import cursor_filters
from api.server import running_server
from graph.timeline import source_years
from loaders.dataset import load_graph
from queries.embedded_backend import EmbeddedBackend

MAX_EXAMPLES = 15  # per operation and phase: bounded so the run takes seconds
GRAPH = load_graph(check_quotes=False, progress=False)
APP = create_app(EmbeddedBackend(GRAPH))
EARLIEST = min(source_years(GRAPH).values())  # the year of the earliest source
LIST_ENTITIES = operations_by_endpoint(APP)["entities.list_entities"]
SPARQL = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 3"
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
# 422 is this API's documented answer to a valid request that has no answer (no path within
# the limits, a name shared by several entities): an acceptance, not a rejection.
schema.config.checks.positive_data_acceptance.expected_statuses += ["422"]
# An oversize request is rejected before its parameters are read: 413/414 are rejections too.
schema.config.checks.negative_data_rejection.expected_statuses += ["413", "414"]


def json_form_fields(spec: dict) -> list[dict]:
    """The JSON Schemas of the form fields that hold JSON (``encoding`` contentType
    application/json, what the field holds in ``contentSchema``)."""
    return [content["schema"]["properties"][name]["contentSchema"]
            for item in spec["paths"].values() for op in item.values()
            for content in op.get("requestBody", {}).get("content", {}).values()
            for name, enc in content.get("encoding", {}).items()
            if enc.get("contentType") == "application/json"]


def json_text(schema: dict):
    """JSON texts valid for ``schema``, drawn by schemathesis itself (a one-parameter document
    whose query parameter is that JSON content)."""
    doc = schemathesis.openapi.from_dict({
        "openapi": "3.1.0", "info": {"title": "form field", "version": "1"},
        "paths": {"/field": {"get": {"responses": {"200": {"description": "OK"}},
                                     "parameters": [{"name": "v", "in": "query",
                                                     "required": True, "content": {
                                                         "application/json": {
                                                             "schema": schema}}}]}}}})
    valid = jsonschema_rs.validator_for(schema).is_valid
    return (doc["/field"]["GET"].as_strategy().map(lambda case: case.query["v"])
            .filter(lambda text: valid(json.loads(text))).map(str.encode))


# Schemathesis does not generate a form field from its contentSchema: a field's content comes
# from the schema the spec gives it (one such field: the reconciliation batch).
(FORM_JSON,) = json_form_fields(APP.test_client().get("/api/v1/openapi.json").json)
schemathesis.openapi.media_type("application/json", json_text(FORM_JSON))


@schemathesis.serializer("application/sparql-query")
def sparql_body(ctx, value):
    """A SPARQL query body is its text, as sent by SPARQL clients."""
    return value if isinstance(value, bytes) else str(value).encode()


def follow_documented_rules(case) -> None:
    """The rules JSON Schema cannot state, documented in the operations' descriptions, applied
    to the requests generated as valid (all phases): a cursor is one this API issued for the
    same filters, and comes without `offset`; `from` and `to` differ; a SPARQL query is in
    SPARQL's grammar; a date (`as_of`, `from`) is not before the earliest source's year and
    `from` is before `to`; the query string is within the documented 4 KiB (414 beyond).
    Requests generated as invalid are sent as they are."""
    if not case.meta.generation.mode.is_positive:
        return
    path, query = case.operation.path, case.query
    assume(not query or query_bytes(query) <= MAX_QUERY_STRING_BYTES)
    if query and "as_of" in query and year(query["as_of"]) < EARLIEST:
        query["as_of"] = str(EARLIEST)
    if path == "/api/v1/changes" and query:
        if year(query["from"]) < EARLIEST:
            query["from"] = str(EARLIEST)
        if year(query["to"]) <= year(query["from"]):
            query["from"], query["to"] = str(EARLIEST), str(EARLIEST + 1)
    if path == "/api/v1/entities" and query and "cursor" in query:
        args = parse_params(LIST_ENTITIES.params, MultiDict(
            [(k, wire(v)) for k, vs in query.items()
             for v in (vs if isinstance(vs, list) else [vs])]))
        query.pop("offset", None)
        query["cursor"] = encode_cursor(args["offset"] or 0,
                                        cursor_filters(args["q"], args["kind"], args["as_of"]))
    elif path == "/api/v1/paths" and query and query["from"].strip() == query["to"].strip():
        query["to"] += "-2"  # still a valid entity reference, of another entity
    elif path == "/api/v1/sparql":
        if case.method == "GET":
            query["query"] = SPARQL
        else:
            case.body = SPARQL


def query_bytes(query: dict) -> int:
    """The length of ``query`` as a client encodes it in a URL."""
    return len(urlencode([(k, wire(v)) for k, vs in query.items()
                          for v in (vs if isinstance(vs, list) else [vs])]))


def year(date: str) -> int:
    return int(date[:4])


def wire(value: object) -> str:
    """A generated query value as it is sent."""
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j",
                                                                 marks=pytest.mark.neo4j)])
def base_url(request) -> Iterator[str]:
    app = APP if request.param == "embedded" else create_app(
        request.getfixturevalue("neo4j_backend"))
    with running_server(app, threads=4) as url:
        yield url


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_spec(case, base_url):
    follow_documented_rules(case)
    case.call_and_validate(base_url=base_url, timeout=30)


def test_date_pattern_is_the_calendar():
    """The spec's date pattern accepts exactly the dates that exist (as ``datetime.date``):
    every year, month 00-13 and day 00-32 of the years 0000-2400 (a whole leap cycle, and
    the centuries' exceptions), and of 9999."""
    pattern = re.compile(DATE)
    wrong = []
    for y in [*range(2401), 9999]:
        for m in range(14):
            for d in range(33):
                text = f"{y:04d}-{m:02d}-{d:02d}"
                try:
                    exists = dt.date(y, m, d) is not None
                except ValueError:
                    exists = False
                if bool(pattern.fullmatch(text)) != exists:
                    wrong.append(text)
            if bool(pattern.fullmatch(f"{y:04d}-{m:02d}")) != (y > 0 and 1 <= m <= 12):
                wrong.append(f"{y:04d}-{m:02d}")
        if bool(pattern.fullmatch(f"{y:04d}")) != (y > 0):
            wrong.append(f"{y:04d}")
    assert not wrong, wrong[:20]
    assert not pattern.fullmatch("٢٠٢٣"), "non-ASCII digits are not a date in JSON Schema"
