"""The OpenAPI 3.1 document, generated from the app's routes and their declarations.

Paths and methods come from ``app.url_map``; parameters, summaries and documented statuses
from each route's ``Operation`` (the same objects the request parser reads); bodies from
``api.response_schemas``; problem types from ``api.problems.PROBLEM_TYPES``.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from api.operations import Operation, operations_by_endpoint
from api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPES
from api.response_schemas import component_schemas

API_VERSION = "1.0.0"
# Statuses any operation may answer: bad parameters or request, oversize request, headers or
# query string, bug, unsupported HTTP feature, backend down.
COMMON_PROBLEMS = (400, 413, 414, 431, 500, 501, 503)
STATUS_TEXT = {400: "Invalid parameters or request", 404: "Entity not found",
               406: "No acceptable representation", 413: "Request too large",
               414: "Query string too long", 415: "Unsupported body media type",
               422: "Valid request without an answer",
               431: "Request headers too large", 500: "Internal error",
               501: "HTTP feature not supported",
               503: "Backend unavailable or query timed out"}
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
FLASK_PARAM = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


def openapi_path(rule: str) -> str:
    """``/entities/<entity>`` -> ``/entities/{entity}``."""
    return FLASK_PARAM.sub(r"{\1}", rule)


def _problem_description(status: int) -> str:
    kinds = [f"`{p.slug}`" for p in PROBLEM_TYPES.values() if p.status == status]
    return f"{STATUS_TEXT[status]} (problem types: {', '.join(kinds)})"


def body_problems(op: Operation) -> tuple[int, ...]:
    """415 for an operation that reads a body (``api.operations`` refuses other types)."""
    return (415,) if op.request_body else ()


def operation_spec(op: Operation) -> dict[str, Any]:
    representations = ((op.media_type, op.response_schema), *op.alternatives)
    responses: dict[str, Any] = {"200": {
        "description": "OK",
        "content": {media_type: {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                    for media_type, schema in representations}}}
    for status in sorted({*COMMON_PROBLEMS, *op.problems, *body_problems(op)}):
        responses[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
    spec: dict[str, Any] = {
        "operationId": op.operation_id, "summary": op.summary, "description": op.description,
        "tags": [op.tag], "parameters": [p.openapi() for p in op.params],
        "responses": responses,
    }
    if op.request_body:
        spec["requestBody"] = {"required": True, "content": {
            media_type: _media_type_object(media_type, schema)
            for media_type, schema in op.request_body}}
    if op.examples:
        spec["x-examples"] = list(op.examples)
    return spec


def _media_type_object(media_type: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A request body's media type object; a form field that holds another media type (its
    ``contentMediaType``) gets that ``contentType`` in ``encoding``, as OpenAPI spells it."""
    found: dict[str, Any] = {"schema": schema}
    if media_type in FORM_MEDIA_TYPES:
        encoded = {name: {"contentType": prop["contentMediaType"]}
                   for name, prop in schema.get("properties", {}).items()
                   if "contentMediaType" in prop}
        if encoded:
            found["encoding"] = encoded
    return found


def build_spec(app: Flask) -> dict[str, Any]:
    operations = operations_by_endpoint(app)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        op = operations.get(rule.endpoint)
        if op is not None:  # undeclared routes are caught by tests/test_api_spec.py
            paths.setdefault(openapi_path(rule.rule), {})[op.method.lower()] = operation_spec(op)
    statuses = sorted({*COMMON_PROBLEMS, *(s for op in operations.values()
                                            for s in (*op.problems, *body_problems(op)))})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "innograph API",
            "version": API_VERSION,
            "summary": "Changchun's innovation ecosystem as a knowledge graph, with provenance.",
            "description": (
                "Institutions, labs, parks, funds, companies, achievements, programmes and more, "
                "every fact with its source and verbatim quote. All responses are UTF-8 JSON; "
                "every error is an RFC 9457 `application/problem+json` document whose `type` "
                "names one of the problem types listed in `x-problem-types`."),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "meta"}, {"name": "entities"}, {"name": "paths"},
                 {"name": "analytics"}, {"name": "time"}, {"name": "rdf"},
                 {"name": "sparql"}],
        "paths": paths,
        "components": {
            "schemas": component_schemas(),
            "responses": {
                f"Problem{status}": {
                    "description": _problem_description(status),
                    "content": {PROBLEM_MEDIA_TYPE: {
                        "schema": {"$ref": "#/components/schemas/Problem"}}},
                }
                for status in statuses
            },
        },
        "x-problem-types": [{"type": p.uri, "status": p.status, "title": p.title,
                             "when": p.when} for p in PROBLEM_TYPES.values()],
    }
