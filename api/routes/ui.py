"""The graph explorer page at ``/``: files only, every behaviour lives in its ES modules.

The page (``web/``) talks to the public API like any other client. Its drawing library comes
from npm (``web/package.json``, installed into ``web/node_modules`` by ``make``) and is served
from there at ``/static/vendor/...``, so the page needs no internet. When the library is not
installed that URL answers 404 and the page says the drawing is unavailable.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
# Public name under /static/vendor/ -> file inside node_modules.
VENDOR_FILES = {"cytoscape.mjs": "cytoscape/dist/cytoscape.esm.min.mjs",
                # Chart.js ships no self-contained ES module (its module build imports a
                # bare specifier), so the page loads its UMD build with a <script> element.
                "chart.umd.js": "chart.js/dist/chart.umd.min.js"}
# Everything the page loads comes from this server: no CDN can slip in unnoticed.
CONTENT_SECURITY_POLICY = ("default-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                           "form-action 'none'; frame-ancestors 'none'")

bp = Blueprint("ui", __name__)


def modules_dir() -> Path:
    return Path(current_app.config.get("WEB_MODULES_DIR") or WEB_DIR / "node_modules")


@bp.get("/")
def index() -> Response:
    response = send_from_directory(WEB_DIR, "index.html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


@bp.get("/static/<path:filename>")
def static_file(filename: str) -> Response:
    return send_from_directory(WEB_DIR / "static", filename)


@bp.get("/static/vendor/<name>")
def vendor_file(name: str) -> Response:
    if name not in VENDOR_FILES:
        abort(404)
    return send_from_directory(modules_dir(), VENDOR_FILES[name], mimetype="text/javascript")
