"""The Flask application: ``create_app(backend)`` wires routes, limits and error handling.

The app only parses, calls the ``QueryBackend`` and serialises; every answer comes from the
backend (embedded networkx graph, or Neo4j when ``NEO4J_URI`` is set).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestURITooLarge

from api import limits
from api.docs_page import STYLE
from api.json_provider import OrjsonProvider
from api.problems import ApiProblem, register_error_handlers
from api.querying import EXTENSION, QueryRunner
from api.routes import (
    analytics,
    changes,
    ecosystem,
    entities,
    ld,
    meta,
    paths,
    rdf,
    reconcile,
    sparql,
    ui,
)
from queries.backend import QueryBackend

API_PREFIX = "/api/v1"
DEFAULT_CONFIG = {
    "MAX_CONTENT_LENGTH": limits.MAX_CONTENT_LENGTH,
    "MAX_QUERY_STRING_BYTES": limits.MAX_QUERY_STRING_BYTES,
    "QUERY_TIME_LIMIT_SECONDS": limits.QUERY_TIME_LIMIT_SECONDS,
    "QUERY_WORKERS": 8,
    "DATA_DIR": None,  # the embedded backend's data directory (default: loaders' default)
    "ALLOWED_HOSTS": None,  # Host header names answered (default: LOCAL_HOSTS); see host_allowed
}
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_ADDRESSES = {"0.0.0.0", "::", ""}
# Every response gets these unless its view set its own (the explorer page sets a wider CSP).
# The default CSP lets nothing load or run; the docs page's one <style> is allowed by its hash.
DEFAULT_CSP = ("default-src 'none'; style-src 'sha256-"
               + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
               + "'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
    "Content-Security-Policy": DEFAULT_CSP,
}


def allowed_hosts(bind_host: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The default ALLOWED_HOSTS of a server bound to ``bind_host``: it, localhost, and
    ``extra`` (e.g. a public name behind a proxy)."""
    return tuple(dict.fromkeys([*LOCAL_HOSTS, bind_host.strip("[]").lower(),
                                *(h.strip().lower() for h in extra)]))


def host_name(header: str) -> str:
    """The host of a Host header, without port, brackets or a final dot, in lower case."""
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def host_allowed(header: str, allowed: Iterable[str]) -> bool:
    """Whether a request with this Host header is answered. A browser sends the name from its
    address bar, so a page on a name whose DNS was rebound to this server is refused. "*"
    allows any host; a wildcard bind (0.0.0.0, ::) allows any IP address as Host, since an
    address cannot be rebound."""
    allowed = set(allowed)
    name = host_name(header)
    if name in allowed or "*" in allowed:
        return True
    if allowed & WILDCARD_ADDRESSES:
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True
    return False


def default_backend(data_dir: Path | str | None = None) -> QueryBackend:
    """Neo4j when ``NEO4J_URI`` is set, else the embedded graph loaded from ``data_dir``."""
    if os.environ.get("NEO4J_URI"):
        try:
            from queries.neo4j_backend import Neo4jBackend
        except ImportError as exc:
            raise RuntimeError(f"NEO4J_URI is set but the Neo4j backend cannot be loaded "
                               f"({exc}); unset NEO4J_URI to serve the embedded graph") from exc
        return Neo4jBackend.from_env()
    from loaders.dataset import load_graph
    from queries.embedded_backend import EmbeddedBackend

    return EmbeddedBackend(load_graph(data_dir))


def create_app(backend: QueryBackend | None = None, *,
               config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(DEFAULT_CONFIG)
    app.config.update(config or {})
    app.json = OrjsonProvider(app)  # every JSON response written by one (fast) writer
    if backend is None:
        backend = default_backend(app.config["DATA_DIR"])
    app.extensions[EXTENSION] = QueryRunner(
        backend, workers=app.config["QUERY_WORKERS"],
        limit_seconds=app.config["QUERY_TIME_LIMIT_SECONDS"])

    sparql.init_app(app)
    for blueprint in (meta.bp, entities.bp, paths.bp, analytics.bp, changes.bp, ecosystem.bp,
                      rdf.bp, sparql.bp, reconcile.bp):
        app.register_blueprint(blueprint, url_prefix=API_PREFIX)
    app.register_blueprint(meta.docs, url_prefix="/api")
    app.register_blueprint(ui.bp)  # the explorer page at /
    app.register_blueprint(sparql.page)  # the query page at /sparql
    app.register_blueprint(ld.bp)  # /id/..., /ontology, /shapes: IRIs that resolve
    register_error_handlers(app)

    @app.before_request
    def refuse_foreign_host() -> None:
        host = request.environ.get("HTTP_HOST")
        if host is not None and not host_allowed(host, app.config["ALLOWED_HOSTS"]
                                                 or LOCAL_HOSTS):
            name = host_name(host)[:100]
            raise ApiProblem("host-not-allowed",
                             f"this server does not answer for the host {name!r}")

    @app.before_request
    def refuse_oversize() -> None:
        # Checked before routing, so an oversize request never reaches a view. Werkzeug would
        # only enforce MAX_CONTENT_LENGTH when a view reads the body, and no view does.
        length = request.content_length
        if length is not None and length > app.config["MAX_CONTENT_LENGTH"]:
            raise RequestEntityTooLarge(
                f"the request body has {length} bytes; the limit is "
                f"{app.config['MAX_CONTENT_LENGTH']}")
        if len(request.query_string) > app.config["MAX_QUERY_STRING_BYTES"]:
            raise RequestURITooLarge(
                f"the query string has {len(request.query_string)} bytes; the limit is "
                f"{app.config['MAX_QUERY_STRING_BYTES']}")

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
