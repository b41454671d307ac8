"""The Flask application: ``create_app(backend)`` wires routes, limits and error handling.

The app only parses, calls the ``QueryBackend`` and serialises; every answer comes from the
backend (embedded networkx graph, or Neo4j when ``NEO4J_URI`` is set).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestURITooLarge

from api import limits
from api.json_provider import OrjsonProvider
from api.problems import register_error_handlers
from api.querying import EXTENSION, QueryRunner
from api.routes import analytics, entities, meta, paths, rdf, ui
from queries.backend import QueryBackend

API_PREFIX = "/api/v1"
DEFAULT_CONFIG = {
    "MAX_CONTENT_LENGTH": limits.MAX_CONTENT_LENGTH,
    "MAX_QUERY_STRING_BYTES": limits.MAX_QUERY_STRING_BYTES,
    "QUERY_TIME_LIMIT_SECONDS": limits.QUERY_TIME_LIMIT_SECONDS,
    "QUERY_WORKERS": 8,
    "DATA_DIR": None,  # the embedded backend's data directory (default: loaders' default)
}


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

    for blueprint in (meta.bp, entities.bp, paths.bp, analytics.bp, rdf.bp):
        app.register_blueprint(blueprint, url_prefix=API_PREFIX)
    app.register_blueprint(meta.docs, url_prefix="/api")
    app.register_blueprint(ui.bp)  # the explorer page at /
    register_error_handlers(app)

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
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app
