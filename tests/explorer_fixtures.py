"""Fixtures for the explorer page's browser tests: Debian's headless Chromium driven by
Playwright, the app served by waitress on a free loopback port, and screenshots.

Every page a test opens is watched: a script error, a warning or error the page or a library
logs to the console, a file of the page's own that the server does not have, a request to
anywhere but the test server, or an API call to a route the OpenAPI document does not declare
fails the test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from api.app import create_app
from api.server import running_server
from queries.backend import QueryBackend

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
SCREENSHOT_DIR = REPO / "docs" / "screenshots"
LAPTOP = {"width": 1366, "height": 820}
PHONE = {"width": 390, "height": 844}


def require_chromium() -> None:
    """Skip (locally) or fail (in CI) when Debian's chromium is missing: never a silent skip."""
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


def serve(backend: QueryBackend, config: dict | None = None) -> Iterator[str]:
    app = create_app(backend, config=config)
    with running_server(app) as url:
        yield url


@pytest.fixture(scope="session")
def explorer_url(backend: QueryBackend) -> Iterator[str]:
    """The app over the curated data set, on a free 127.0.0.1 port."""
    yield from serve(backend)


def api_route_patterns(spec: dict) -> list[re.Pattern[str]]:
    """The OpenAPI paths as regular expressions (``{entity}`` matches one path segment)."""
    return [re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)) + "$")
            for path in spec["paths"]]


class PageWatch:
    """What a page did: script errors, console warnings and errors, missing files, requests
    off the server, undeclared API calls."""

    def __init__(self, page: Page, base_url: str, routes: list[re.Pattern[str]]):
        self.errors: list[str] = []
        self.console: list[str] = []
        self.missing: list[str] = []
        self.foreign: list[str] = []
        self.undeclared: list[str] = []
        self.api_calls: list[str] = []
        self.base = base_url
        self.routes = routes
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self.on_console)
        page.on("response", self.on_response)
        page.on("request", self.on_request)

    def on_console(self, message) -> None:
        # the browser's own line for a failed load: files are checked by on_response, and an
        # API problem (a 404 for an unknown entity, say) is an answer the page shows
        if message.type in ("error", "warning") and not message.text.startswith(
                "Failed to load resource"):
            self.console.append(f"{message.type}: {message.text}")

    def on_response(self, response) -> None:
        path = urlsplit(response.url).path
        if (response.url.startswith(self.base + "/") and not path.startswith("/api/")
                and response.status >= 400):
            self.missing.append(f"{response.status} {response.url}")

    def on_request(self, request) -> None:
        url = request.url
        if url.startswith("data:"):
            return
        if not url.startswith(self.base + "/"):
            self.foreign.append(url)
            return
        path = urlsplit(url).path
        if path.startswith("/api/"):
            self.api_calls.append(url)
            if not any(route.match(path) for route in self.routes):
                self.undeclared.append(url)

    def check(self) -> None:
        assert not self.errors, f"script errors: {self.errors}"
        assert not self.console, f"console warnings and errors: {self.console}"
        assert not self.missing, f"files the server does not have: {self.missing}"
        assert not self.foreign, f"requests off the server: {self.foreign}"
        assert not self.undeclared, f"API calls to undeclared routes: {self.undeclared}"


@pytest.fixture(scope="session")
def api_routes(backend: QueryBackend) -> list[re.Pattern[str]]:
    app = create_app(backend)
    return api_route_patterns(app.test_client().get("/api/v1/openapi.json").get_json())


def open_page(browser: Browser, base_url: str, routes: list[re.Pattern[str]], *,
              viewport: dict | None = None, locale: str = "zh-CN") -> tuple[Page, PageWatch]:
    context = browser.new_context(viewport=viewport or LAPTOP, locale=locale,
                                  is_mobile=viewport == PHONE, has_touch=viewport == PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page, PageWatch(page, base_url, routes)


@pytest.fixture
def watched_page(browser: Browser, explorer_url: str,
                 api_routes) -> Iterator[tuple[Page, PageWatch]]:
    page, watch = open_page(browser, explorer_url, api_routes)
    yield page, watch
    page.context.close()
    watch.check()


@pytest.fixture
def page(watched_page: tuple[Page, PageWatch]) -> Page:
    """A laptop-sized page in a Chinese-language browser, checked when the test ends."""
    return watched_page[0]


def wait_drawn(page: Page) -> int:
    """Waits until the current view has drawn; returns the number of drawn nodes."""
    page.wait_for_selector("body[data-ready]")
    page.wait_for_selector("#graph[data-state=ready]")
    return int(page.get_attribute("#graph", "data-nodes"))


@pytest.fixture(scope="session")
def screenshot(tmp_path_factory) -> Callable[[Page, str], Path]:
    """``screenshot(page, name)`` writes name.png to a tmp dir, and to docs/screenshots/ when
    INNOGRAPH_SCREENSHOTS=1."""
    folder = tmp_path_factory.mktemp("screenshots")
    keep = os.environ.get("INNOGRAPH_SCREENSHOTS") == "1"

    def take(page: Page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.wait_for_timeout(150)  # let the canvas finish its frame
        page.screenshot(path=str(path))
        if keep:
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            (SCREENSHOT_DIR / path.name).write_bytes(path.read_bytes())
        assert path.stat().st_size > 10_000  # a real picture, not a blank page
        return path

    return take
