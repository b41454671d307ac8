"""Reconciliation: the W3C Entity Reconciliation / OpenRefine Reconciliation API (0.2), read
only. GET without ``queries`` answers the service manifest; ``queries`` (a JSON object of
queries, by GET or form POST) answers ranked candidates with a score (0-100) and a match
flag. Candidates come from the backend's search; they are scored with rapidfuzz over names
and aliases, so a spreadsheet's spelling need not be exact."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, jsonify, request
from rapidfuzz import fuzz

from api.operations import ApiBlueprint, Operation
from api.params import MAX_TEXT_LENGTH, NOT_BLANK, Param
from api.problems import InvalidParams
from api.querying import query
from graph.embedded import search_phrases
from graph.rdf.namespaces import resolve_base
from graph.schema import load_schema

bp = ApiBlueprint("reconcile", __name__)

MAX_QUERIES = 50
MAX_LIMIT = 25
MATCH_SCORE = 100.0  # an exact name or alias of exactly one candidate


def kinds() -> list[str]:
    """The node kinds a query may ask for: entities, not observations or sources."""
    return sorted(k for k in load_schema().node_kinds if k not in ("Observation", "Source"))


def batch_schema() -> dict[str, Any]:
    """The JSON Schema of a batch of queries; ``answer`` checks exactly these rules."""
    kind = {"type": "string", "enum": kinds()}
    one = {"type": "object", "required": ["query"], "properties": {
        "query": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT_LENGTH,
                  "pattern": NOT_BLANK},
        "type": {"anyOf": [kind, {"type": "array", "items": kind}]},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        "properties": {"description": "Accepted and ignored."}}}
    return {"type": "object", "minProperties": 1, "maxProperties": MAX_QUERIES,
            "additionalProperties": one}


QUERIES = Param("queries", "json", "A JSON object of queries, e.g. `{\"q0\": {\"query\": "
                "\"长光卫星\", \"type\": \"Company\", \"limit\": 3}}` (`type` a node kind or a "
                "list of them; `limit` at most 25; `properties` accepted and ignored). Without "
                "it the service manifest is returned.", content_schema=batch_schema)
# a form field holding JSON: the encoding says so (OpenAPI), contentSchema what (JSON Schema)
FORM = {"type": "object", "required": ["queries"], "properties": {"queries": {
    "type": "string", "contentMediaType": "application/json",
    "contentSchema": batch_schema()}}}
DESCRIPTION = ("The Reconciliation Service API 0.2 (W3C Entity Reconciliation Community "
               "Group; OpenRefine). Candidates are ranked by a fuzzy score over zh/en names and "
               "aliases; `match` is true only for an exact name or alias that one candidate "
               "has. `queries` that is not JSON, or not a batch as its schema says: 400 "
               "`invalid-parameters` naming `queries`.")


def manifest() -> dict[str, Any]:
    schema = load_schema()
    base = resolve_base(schema=schema)
    return {
        "versions": ["0.2"],
        "name": "innograph reconciliation (Changchun innovation ecosystem)",
        "identifierSpace": f"{base}id/",
        "schemaSpace": schema.ontology["vocab"],
        "defaultTypes": [{"id": kind, "name": spec.en} for kind, spec
                         in schema.node_kinds.items() if kind not in ("Observation", "Source")],
        "view": {"url": "/api/v1/entities/{{id}}"},
    }


@bp.operation(Operation(
    "reconcile", "/reconcile", "Reconcile names with entities (GET)", DESCRIPTION, "entities",
    "Reconcile", params=(QUERIES,),
    examples=("/api/v1/reconcile",
              '/api/v1/reconcile?queries={"q0":{"query":"长光卫星","type":"Company"}}')))
def reconcile_get(queries: Any) -> Response:
    return jsonify(manifest() if queries is None else answer(queries))


@bp.operation(Operation(
    "reconcile_post", "/reconcile", "Reconcile names with entities (form POST)", DESCRIPTION,
    "entities", "Reconcile", method="POST",
    request_body=(("application/x-www-form-urlencoded", FORM),)))
def reconcile_post() -> Response:
    text = request.form.get("queries")
    if text is None:
        raise InvalidParams([{"name": "queries", "reason": "the form needs a `queries` field"}])
    try:
        batch = QUERIES.parse([text])
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return jsonify(answer(batch))


def _bad(reason: str) -> InvalidParams:
    return InvalidParams([{"name": "queries", "reason": reason}])


def answer(batch: Any) -> dict[str, Any]:
    """Candidates for each query of a parsed batch, checked against ``batch_schema``."""
    if not isinstance(batch, dict) or not batch:
        raise _bad("expected a JSON object of queries, e.g. {\"q0\": {\"query\": \"...\"}}")
    if len(batch) > MAX_QUERIES:
        raise _bad(f"at most {MAX_QUERIES} queries at a time")
    allowed = kinds()
    out = {}
    for key, q in batch.items():
        text = q.get("query") if isinstance(q, dict) else None
        if not isinstance(text, str) or not re.search(NOT_BLANK, text):
            raise _bad(f"{key}: needs a non-blank `query`")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad(f"{key}: query longer than {MAX_TEXT_LENGTH} characters")
        types = q.get("type", [])
        types = [types] if isinstance(types, str) else types
        if not isinstance(types, list) or not all(t in allowed for t in types):
            raise _bad(f"{key}: type must be node kinds, one or a list "
                       f"({', '.join(allowed)})")
        limit = q.get("limit", 5)
        if isinstance(limit, float) and limit.is_integer():  # JSON Schema: 3.0 is an integer
            limit = int(limit)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise _bad(f"{key}: limit must be an integer 1..{MAX_LIMIT}")
        out[key] = {"result": candidates(text.strip(), types or allowed, limit)}
    return out


def _pool(text: str, types: list[str]) -> dict[str, dict[str, Any]]:
    """Search hits for the text and for its parts (the backend's search is by substring; a
    spreadsheet's spelling may differ): the whole, its first and last four and two characters.
    A fuzzy search in the backend would do better; the QueryBackend has none yet."""
    pool: dict[str, dict[str, Any]] = {}
    parts = dict.fromkeys([text, text[:4], text[-4:], text[:2], text[-2:], *text.split()])
    for part in parts:
        if len(part) < 2:
            continue
        for item in query("search", part, kinds=types, limit=30)["items"]:
            pool.setdefault(item["id"], item)
    return pool


def candidates(text: str, types: list[str], limit: int) -> list[dict[str, Any]]:
    # the text as written and in simplified Chinese (the search's phrases): 長春光機所 is
    # 长春光机所 exactly, a match, not 60% like it
    wants = search_phrases(text) or [text.casefold()]

    def score_of(names: list[str]) -> float:
        return max(fuzz.ratio(want, n.casefold()) for want in wants for n in names)

    scored = []
    for item in _pool(text, types).values():
        score = score_of([item["name_zh"], item["name_en"]])
        if score < 100:  # aliases (official full names, short forms) count too
            aliases = query("entity", item["id"], edge_limit=1).get("aliases") or []
            score = max(score, score_of(aliases)) if aliases else score
        scored.append((round(score, 1), item))
    scored.sort(key=lambda s: (-s[0], s[1]["id"]))
    exact = [s for s in scored if s[0] >= MATCH_SCORE]
    return [{"id": item["id"], "name": item["name_zh"],
             "description": item["name_en"],
             "type": [{"id": item["kind"], "name": item["kind"]}],
             "score": score, "match": score >= MATCH_SCORE and len(exact) == 1}
            for score, item in scored[:limit]]
