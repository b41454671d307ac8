"""Errors as RFC 9457 problem details (``application/problem+json``), for every failure.

Each problem type is declared once in ``PROBLEM_TYPES`` (status, title, when it happens); the
handlers, the OpenAPI document and the docs page all read that table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from graph.embedded import AmbiguousName, NodeNotFound
from queries.errors import BackendUnavailable, GraphChanging, InvalidQuery, NoAnswer

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://innograph.org/problems/"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    when: str

    @property
    def uri(self) -> str:
        return PROBLEM_BASE + self.slug


PROBLEM_TYPES = {p.slug: p for p in (
    ProblemType("invalid-parameters", 400, "Invalid request parameters",
                "A parameter is unknown, missing, repeated, malformed or out of range; "
                "`invalid_params` lists each one with the reason."),
    ProblemType("bad-request", 400, "Bad request", "The request could not be understood."),
    ProblemType("host-not-allowed", 400, "Host not allowed",
                "The `Host` header names a host this server does not answer for (a guard "
                "against DNS rebinding); `innograph serve --allowed-host` adds one."),
    ProblemType("entity-not-found", 404, "Entity not found",
                "No entity has this id, name or alias."),
    ProblemType("not-found", 404, "Not found", "No such route."),
    ProblemType("method-not-allowed", 405, "Method not allowed",
                "The route exists but not for this method; see the Allow header."),
    ProblemType("not-acceptable", 406, "Not acceptable", "No acceptable representation."),
    ProblemType("unsupported-media-type", 415, "Unsupported media type",
                "A POST body's `Content-Type` is not one the operation reads; `accepted` "
                "lists those it does (the OpenAPI requestBody's media types)."),
    ProblemType("request-too-large", 413, "Request too large",
                "The request body is larger than the limit (`max_bytes`)."),
    ProblemType("uri-too-long", 414, "URI too long",
                "The query string is longer than the limit (`max_bytes`)."),
    ProblemType("header-fields-too-large", 431, "Request header fields too large",
                "The request line and headers together are larger than the server's limit."),
    ProblemType("ambiguous-name", 422, "Ambiguous entity name",
                "The name matches several entities; `candidates` lists their ids. "
                "Ask again with one id."),
    ProblemType("invalid-sparql", 400, "Malformed SPARQL query",
                "The query does not parse; `line` and `column` say where (1-based)."),
    ProblemType("sparql-update-refused", 400, "SPARQL update refused",
                "The request is a SPARQL update (an `update` form field, an "
                "`application/sparql-update` body, or update text): the endpoint answers "
                "queries only."),
    ProblemType("sparql-service-refused", 400, "Federated query refused",
                "The query calls another endpoint (SERVICE): the server makes no outside "
                "calls."),
    ProblemType("too-many-results", 422, "Too many results",
                "The query has more results than the limit (`max_results`); add a LIMIT or "
                "narrow it."),
    ProblemType("no-answer", 422, "No answer",
                "The request is valid but has no answer, e.g. no path between the two "
                "entities within the limits given."),
    ProblemType("internal-error", 500, "Internal server error",
                "A bug; the server log has the details."),
    ProblemType("not-implemented", 501, "Not implemented",
                "The request uses an HTTP feature the server does not support, e.g. a "
                "`Transfer-Encoding` other than chunked."),
    ProblemType("backend-unavailable", 503, "Graph backend unavailable",
                "The graph store cannot be reached; retry later."),
    ProblemType("graph-changing", 503, "Graph is being changed",
                "A sync is writing the graph store, or one stopped before it completed: this "
                "answer would mix the old and the new graph. Retry after `Retry-After` "
                "seconds; `/health` says which sync."),
    ProblemType("query-timeout", 503, "Query took too long",
                "The query ran longer than the server's time limit (`limit_seconds`); narrow "
                "it (shorter max_length, filters, smaller limits) or retry later."),
)}
HTTP_PROBLEMS = {400: "bad-request", 404: "not-found", 405: "method-not-allowed",
                 406: "not-acceptable", 413: "request-too-large", 414: "uri-too-long"}


class ApiProblem(Exception):
    """Raise in a view to answer with a problem of type ``slug``."""

    def __init__(self, slug: str, detail: str, **extensions: Any):
        super().__init__(detail)
        self.type = PROBLEM_TYPES[slug]
        self.detail = detail
        self.extensions = extensions


class InvalidParams(ApiProblem):
    def __init__(self, problems: list[dict[str, str]]):
        names = ", ".join(dict.fromkeys(p["name"] for p in problems))
        super().__init__("invalid-parameters", f"invalid parameter(s): {names}",
                         invalid_params=problems)


def _instance() -> str:
    """The request's path and query: the occurrence of the problem (path only when the query
    string is over the limit, so the problem is not as large as the request was)."""
    if len(request.query_string) > current_app.config["MAX_QUERY_STRING_BYTES"]:
        return request.path
    return request.full_path.rstrip("?")


def _problem_json(body: dict[str, Any], status: int,
                  headers: dict[str, str] | None = None) -> Response:
    response = current_app.response_class(
        current_app.json.dumps(body, separators=(",", ":")) + "\n", status=status,
        mimetype=PROBLEM_MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def problem_response(slug: str, detail: str, headers: dict[str, str] | None = None,
                     **extensions: Any) -> Response:
    kind = PROBLEM_TYPES[slug]
    body = {"type": kind.uri, "title": kind.title, "status": kind.status, "detail": detail,
            "instance": _instance(), **extensions}
    return _problem_json(body, kind.status, headers)


def _from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    slug = HTTP_PROBLEMS.get(status)
    if slug is None:  # a status without a declared type: keep its code, RFC 9457 about:blank
        body = {"type": "about:blank", "title": exc.name, "status": status,
                "detail": exc.description, "instance": _instance()}
        return _problem_json(body, status)
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    extensions = {}
    if status == 413:
        extensions["max_bytes"] = current_app.config["MAX_CONTENT_LENGTH"]
    if status == 414:
        extensions["max_bytes"] = current_app.config["MAX_QUERY_STRING_BYTES"]
    detail = exc.description or PROBLEM_TYPES[slug].when
    if status == 404:
        detail = f"no route {request.path}; the API is described at /api/v1/openapi.json"
    return problem_response(slug, detail, headers, **extensions)


#: Neo4j's answer to any login for a few seconds after repeated failed ones (5 s by default).
AUTH_RATE_LIMIT = "Neo.ClientError.Security.AuthenticationRateLimit"
AUTH_LOCK_SECONDS = 5


def login_throttled(exc: BaseException) -> bool:
    """Whether *exc* is Neo4j refusing logins for now (retry in a few seconds)."""
    return getattr(exc, "code", None) == AUTH_RATE_LIMIT


def _driver_client_error() -> tuple[type[Exception], ...]:
    try:
        from neo4j.exceptions import ClientError
    except ImportError:
        return ()
    return (ClientError,)


def _driver_unavailable_errors() -> tuple[type[Exception], ...]:
    """The neo4j driver's "cannot reach the server" errors (empty if the driver is absent)."""
    try:
        from neo4j.exceptions import ServiceUnavailable, SessionExpired
    except ImportError:
        return ()
    return (ServiceUnavailable, SessionExpired)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiProblem)
    def api_problem(exc: ApiProblem) -> Response:
        return problem_response(exc.type.slug, exc.detail, **exc.extensions)

    @app.errorhandler(InvalidQuery)
    def invalid_query(exc: InvalidQuery) -> Response:
        reason = str(exc).removeprefix(f"{exc.field}: ")
        name = _parameter_name(app, exc.field)
        return problem_response("invalid-parameters", f"invalid parameter(s): {name}",
                                invalid_params=[{"name": name, "reason": reason}])

    @app.errorhandler(NodeNotFound)
    def not_found(exc: NodeNotFound) -> Response:
        as_of = {} if exc.as_of is None else {"as_of": exc.as_of}
        return problem_response("entity-not-found", str(exc), entity=exc.query, **as_of)

    @app.errorhandler(AmbiguousName)
    def ambiguous(exc: AmbiguousName) -> Response:
        return problem_response("ambiguous-name", str(exc), entity=exc.query,
                                candidates=exc.candidates[:50])

    @app.errorhandler(NoAnswer)
    def no_answer(exc: NoAnswer) -> Response:
        return problem_response("no-answer", str(exc))

    def unavailable(exc: Exception) -> Response:
        log.warning("graph backend unavailable: %s", exc)
        return problem_response("backend-unavailable", f"the graph backend is unavailable: {exc}",
                                headers={"Retry-After": "5"})

    @app.errorhandler(GraphChanging)  # more specific than BackendUnavailable: chosen first
    def graph_changing(exc: GraphChanging) -> Response:
        return problem_response("graph-changing", str(exc),
                                headers={"Retry-After": str(exc.retry_after)})

    for error in (BackendUnavailable, *_driver_unavailable_errors()):
        app.register_error_handler(error, unavailable)

    def driver_client_error(exc: Exception) -> Response:
        if login_throttled(exc):
            log.warning("graph backend refuses logins for now: %s", exc)
            return problem_response(
                "backend-unavailable", "the graph backend (Neo4j) refuses logins for a few "
                "seconds after repeated failed ones (authentication rate limit); retry later",
                headers={"Retry-After": str(AUTH_LOCK_SECONDS)})
        return internal_error(exc)

    for error in _driver_client_error():
        app.register_error_handler(error, driver_client_error)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return _from_http(exc)

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Response:
        # The trace goes to the log only: a client never sees internals.
        log.exception("unhandled error on %s %s", request.method, request.full_path)
        return problem_response("internal-error", "the server failed to answer; this is a bug")


def _parameter_name(app: Flask, field: str) -> str:
    """The request's name of the query's argument ``field``: an operation may pass a
    parameter on under another name (``from`` as ``source``), and the client must be told
    the name it sent."""
    from api.operations import operations_by_endpoint  # it imports api.params, which imports us

    op = operations_by_endpoint(app).get(request.endpoint or "")
    found = next((p.name for p in op.params if p.key == field), None) if op else None
    return found or field
