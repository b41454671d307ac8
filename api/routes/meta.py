"""About the service: health, the schema, the OpenAPI document and the docs page."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from api.docs_page import render_docs
from api.openapi import build_spec
from api.operations import ApiBlueprint, Operation
from api.querying import add_sync_state, query
from graph.schema import load_schema

bp = ApiBlueprint("meta", __name__)
docs = ApiBlueprint("docs", __name__)
bp.after_app_request(add_sync_state)  # on every answer of the app, not only this blueprint's


@bp.operation(Operation(
    "get_health", "/health", "Service health",
    "The backend's name, graph version and size when it answers; 503 `backend-unavailable` "
    "when not. `status` is `degraded` (still 200: the service runs and answers lookups) while "
    "a Neo4j sync is writing or stopped before it completed; `reason` says which sync and what "
    "to do, `sync` has its state, and whole-graph answers are 503 `graph-changing` meanwhile.",
    "meta", "Health", problems=(503,), examples=("/api/v1/health",)))
def get_health() -> Response:
    return jsonify(query("health"))


@bp.operation(Operation(
    "get_schema", "/schema", "The graph schema",
    "Node kinds (zh/en labels, subtypes, properties), relation kinds (zh/en labels, allowed "
    "endpoints, properties) and units, straight from `graph/schema.yaml`.",
    "meta", "Schema", examples=("/api/v1/schema",)))
def get_schema() -> Response:
    return jsonify(load_schema().to_dict())


def cached_spec() -> dict:
    spec = current_app.extensions.get("innograph.openapi")
    if spec is None:
        spec = current_app.extensions["innograph.openapi"] = build_spec(current_app)
    return spec


@bp.operation(Operation(
    "get_openapi", "/openapi.json", "This API's OpenAPI 3.1 document",
    "Generated from the same route declarations the request parser uses.",
    "meta", "OpenApiDocument", examples=("/api/v1/openapi.json",)))
def get_openapi() -> Response:
    return jsonify(cached_spec())


@docs.operation(Operation(
    "get_docs", "/docs", "Human-readable API documentation",
    "An HTML page rendered from the OpenAPI document (no scripts, works offline).",
    "meta", "HtmlPage", media_type="text/html", examples=("/api/docs",)))
def get_docs() -> Response:
    return Response(render_docs(cached_spec()), mimetype="text/html")
