"""Serving the explorer page: its files, the npm library, and what the page's code may not do
(load anything from the web, restate the schema's kinds)."""

from __future__ import annotations

import re

from api_fixtures import assert_problem

from api.app import create_app
from api.routes.ui import VENDOR_FILES, WEB_DIR
from graph.schema import load_schema

PAGE_FILES = [*WEB_DIR.joinpath("static").rglob("*.js"), *WEB_DIR.joinpath("static").rglob(
    "*.css"), WEB_DIR / "index.html"]


def test_the_page_is_served_at_the_root_with_a_same_origin_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b'src="/static/js/main.js"' in response.data
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_every_module_the_page_imports_is_served_as_javascript(client):
    main = client.get("/static/js/main.js")
    assert main.status_code == 200
    assert "javascript" in main.mimetype
    for path in WEB_DIR.joinpath("static", "js").rglob("*.js"):
        for module in re.findall(r'from "(\.{1,2}/[\w/.-]+)"', path.read_text(encoding="utf-8")):
            target = (path.parent / module).resolve()
            url = "/static/" + target.relative_to(WEB_DIR / "static").as_posix()
            assert client.get(url).status_code == 200, f"{path.name} imports missing {url}"


def test_the_drawing_library_comes_from_node_modules(client):
    response = client.get("/static/vendor/cytoscape.mjs")
    assert response.status_code == 200, "web/node_modules is missing: run `make web`"
    assert response.mimetype == "text/javascript"
    installed = WEB_DIR / "node_modules" / VENDOR_FILES["cytoscape.mjs"]
    assert response.data == installed.read_bytes()


def test_without_node_modules_the_library_url_is_a_404_problem(backend, tmp_path):
    client = create_app(backend, config={"WEB_MODULES_DIR": str(tmp_path)}).test_client()
    assert_problem(client.get("/static/vendor/cytoscape.mjs"), 404)
    assert client.get("/").status_code == 200  # the page itself is still there


def test_only_listed_library_files_and_no_paths_outside_web_are_served(client):
    assert_problem(client.get("/static/vendor/cytoscape.cjs.js"), 404)
    assert_problem(client.get("/static/vendor/..%2Fpackage.json"), 404)
    assert_problem(client.get("/static/../api/app.py"), 404)
    assert_problem(client.get("/static/js/nothing.js"), 404)


def test_the_page_code_loads_nothing_from_the_web():
    for path in PAGE_FILES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|//cdn|\bimport\s*\(\s*['\"]http", text), path


def test_the_page_code_does_not_restate_kind_or_relation_names():
    """Kinds and relations come from /api/v1/schema; a quoted name in the JS would drift."""
    schema = load_schema()
    names = [*schema.node_kinds, *schema.all_relation_kinds]
    for path in WEB_DIR.joinpath("static", "js").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        quoted = [name for name in names if re.search(rf"[\"'`]{name}[\"'`]", text)]
        assert not quoted, f"{path.name} names {quoted}"
