"""docs/neo4j.md's walk through queries/cypher/, done as written in the real Neo4j Browser.

The Browser the project ships (neo4j-browser jar, served by the test server) is opened in
headless Chromium; the connect form is filled the way the session's server wants (no
authentication, or its user and password); then each file is pasted whole into the editor
(the clipboard and Ctrl-V, as a user pastes) and run with Ctrl-Enter. The frame it shows must
hold the rows the file must give: the same file run through the driver is first checked
against the answer computed from the networkx graph (tests/cypher_checks.py), then every
cell of the frame's table is compared with those rows. Files whose answer has paths must
also draw them. Every request the page makes is recorded: none may leave 127.0.0.1 (the
server's CSP blocks what the Browser would fetch from elsewhere before it is sent).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cypher_checks import CHECKS, CYPHER_DIR, run_file
from explorer_fixtures import CHROMIUM, require_chromium
from neo4j.graph import Path as GraphPath
from neo4j.time import Date
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = [pytest.mark.neo4j, pytest.mark.browser]

#: Headless Chromium without its own background traffic (updates, sync, field trials).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DOCS = Path(__file__).resolve().parents[1] / "docs"
#: Screenshots for docs/neo4j.md, written there when INNOGRAPH_SCREENSHOTS=1.
SCREENSHOTS = {"04_shortest_path.cypher": "neo4j-browser-shortest-path.png",
               "10_kinds_and_relations.cypher": "neo4j-browser-kinds.png"}


class Requests:
    """Every request the page makes, and how the off-host ones ended."""

    def __init__(self, page: Page):
        self.off_host: list[str] = []
        self.blocked: set[str] = set()  # refused by the page's CSP: never sent
        page.on("request", self.on_request)
        page.on("requestfailed", self.on_failed)

    @staticmethod
    def local(url: str) -> bool:
        return url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOCAL_HOSTS

    def on_request(self, request) -> None:
        if not self.local(request.url):
            self.off_host.append(request.url)

    def on_failed(self, request) -> None:
        if not self.local(request.url) and request.failure == "csp":
            self.blocked.add(request.url)

    def sent_off_host(self) -> list[str]:
        return [url for url in self.off_host if url not in self.blocked]


@pytest.fixture(scope="module")
def browser_page(browser: Browser, neo4j_with_data) -> Iterator[tuple[Page, Requests]]:
    """The shipped Browser, connected to the session's server, in one Chromium for all files."""
    require_chromium()
    server = neo4j_with_data.server
    if server is None:
        pytest.fail("this test needs the server the fixture starts (its Browser and config): "
                    "unset NEO4J_URI")
    # the session's Playwright, with this test's flags
    chromium = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=FLAGS)
    context = chromium.new_context(viewport={"width": 1366, "height": 900},
                                   permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    requests = Requests(page)
    page.goto(server.browser_url)
    if neo4j_with_data.auth is None:
        page.get_by_test_id("authenticationMethod").select_option(label="No authentication")
    else:
        user, password = neo4j_with_data.auth
        page.get_by_test_id("authenticationMethod").select_option(label="Username / Password")
        page.get_by_test_id("username").fill(user)
        page.get_by_test_id("password").fill(password)
    page.get_by_test_id("connect").click()
    # what the connect frame says once connected, without and with a login
    page.get_by_text(re.compile("You have a working connection|You are connected as user")
                     ).wait_for(timeout=90_000)
    yield page, requests
    chromium.close()


def paste_and_run(page: Page, text: str) -> Locator:
    """Pastes ``text`` into the editor, runs it with Ctrl-Enter; returns its finished frame."""
    frames = page.get_by_test_id("frame")
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.locator("#monaco-main-editor").click()
    page.keyboard.press("Control+V")
    page.keyboard.press("Control+Enter")
    frame = frames.first  # the newest frame is on top (the Browser keeps at most 15)
    expect(frame.get_by_test_id("frameCommand")).to_contain_text(text.splitlines()[0])
    frame.get_by_test_id("frame-loaded-contents").wait_for()
    return frame


def shown_table(frame: Locator) -> tuple[list[str], list[list[str]]]:
    """The column names and cell texts of the frame's Table view."""
    frame.get_by_test_id("cypherFrameSidebarTable").click()
    table = frame.locator("table.relatable__table")
    table.wait_for()
    return table.evaluate("""t => [
        [...t.querySelectorAll('th[role=columnheader]')].map(th => th.textContent),
        [...t.querySelectorAll('tbody tr')].map(tr =>
            [...tr.querySelectorAll('td[role=cell]')].map(td => td.textContent))]""")


def screenshot(page: Page, frame: Locator, name: str) -> None:
    """The frame as docs/neo4j.md shows it, when INNOGRAPH_SCREENSHOTS=1 asks for it."""
    if name in SCREENSHOTS and os.environ.get("INNOGRAPH_SCREENSHOTS") == "1":
        page.wait_for_timeout(2000)  # let the drawing's layout settle
        frame.screenshot(path=str(DOCS / SCREENSHOTS[name]))


def as_shown(value: Any) -> Any:
    """A driver value as the Browser's table writes it, read back as JSON."""
    if isinstance(value, Date):
        return value.iso_format()
    if isinstance(value, list):
        return [as_shown(v) for v in value]
    return value


def same(shown: Any, expected: Any) -> bool:
    if isinstance(expected, float):  # JavaScript's shortest repr: equal up to the last bit
        return isinstance(shown, int | float) and math.isclose(shown, expected, rel_tol=1e-12)
    if isinstance(expected, list):
        return (isinstance(shown, list) and len(shown) == len(expected)
                and all(same(s, e) for s, e in zip(shown, expected, strict=True)))
    return shown == expected


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_pasted_file_shows_its_answer_in_the_browser(browser_page, neo4j_driver, neo4j_with_data,
                                                     data_graph, name):
    page, requests = browser_page
    values, results = run_file(CYPHER_DIR / name, neo4j_driver, neo4j_with_data.database, {})
    check, _ = CHECKS[name]
    check(data_graph, values, results)  # the driver's rows are the right answer ...
    [rows] = results
    assert rows, f"{name}: the documented answer has rows"

    frame = paste_and_run(page, (CYPHER_DIR / name).read_text(encoding="utf-8"))
    paths = [v for row in rows for v in row.values() if isinstance(v, GraphPath)]
    if paths:  # ... drawn in the Graph view (a new frame opens in the view last chosen)
        frame.get_by_test_id("cypherFrameSidebarVisualization").click()
        nodes = {n.element_id for p in paths for n in p.nodes}
        expect(frame.get_by_test_id("vizInspector")).to_contain_text(
            f"Displaying {len(nodes)} nodes", timeout=30_000)
        shown_types = {t.removeprefix("property-details-overview-relationship-type-")
                       for t in frame.locator(
                           "[data-testid^=property-details-overview-relationship-type-]"
                       ).evaluate_all("els => els.map(e => e.dataset.testid)")}
        # the Browser also draws relationships between shown nodes: a superset
        assert {r.type for p in paths for r in p.relationships} <= shown_types, shown_types
        screenshot(page, frame, name)

    columns, cells = shown_table(frame)  # ... and the frame's table shows exactly them
    if not paths:
        screenshot(page, frame, name)
    status = frame.get_by_test_id("frameStatusbar").inner_text()
    assert f"Started streaming {len(rows)} record" in status, status
    assert columns == list(rows[0])
    assert len(cells) == len(rows)
    for i, (shown_row, row) in enumerate(zip(cells, rows, strict=True)):
        for column, text in zip(columns, shown_row, strict=True):
            if isinstance(row[column], GraphPath):
                continue  # drawn above; the cell is the path's JSON
            assert same(json.loads(text), as_shown(row[column])), (name, i, column, text)
    assert not requests.sent_off_host(), f"requests off 127.0.0.1: {requests.sent_off_host()}"
