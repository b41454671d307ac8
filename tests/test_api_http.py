"""The API over real HTTP: waitress on a free port of 127.0.0.1, requests with urllib and
http.client; and ``innograph serve`` as a user starts it."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from api_fixtures import FaultyBackend, raising

from api.server import running_server, warm_centrality
from innograph.cli import main
from queries.backend import CENTRALITY_MEASURES
from queries.errors import BackendUnavailable

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def base_url(app):
    with running_server(app, threads=4) as url:
        yield url


def fetch(url: str, data: bytes | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_entity_over_http_is_utf8_json(base_url, backend):
    status, content_type, body = fetch(f"{base_url}/api/v1/entities/{quote('长兴基金')}")
    assert (status, content_type) == (200, "application/json")
    assert "长兴基金".encode() in body
    assert json.loads(body) == backend.entity("changxing-fund")


def test_errors_over_http_are_problem_json(base_url):
    status, content_type, body = fetch(f"{base_url}/api/v1/entities/atlantis")
    assert (status, content_type) == (404, "application/problem+json")
    assert json.loads(body)["status"] == 404


def test_two_megabyte_body_over_http_is_413_problem(base_url):
    status, content_type, body = fetch(f"{base_url}/api/v1/entities", data=b"x" * 2 * 2**20)
    assert (status, content_type) == (413, "application/problem+json")
    assert json.loads(body)["type"].endswith("/request-too-large")


def test_keep_alive_connection_serves_several_requests(base_url):
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        for path in ("/api/v1/health", "/api/v1/centrality?top=3", "/api/v1/backing?limit=1"):
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 200
            json.loads(response.read())
    finally:
        connection.close()


def test_innograph_serve_prints_its_url_and_serves(data_graph):
    server, api = start_serve("--threads", "2")
    try:
        status, _, body = fetch(f"{api}/health")
        assert status == 200
        assert json.loads(body)["nodes"] == data_graph.number_of_nodes()
        status, content_type, _ = fetch(api.removesuffix("/v1") + "/docs")
        assert (status, content_type) == (200, "text/html; charset=utf-8")
        ready = server.stdout.readline()
        assert f"centrality ready ({len(CENTRALITY_MEASURES)} measures" in ready
    finally:
        stop(server, signal.SIGINT)  # Ctrl-C, even when started from a background shell


def test_warm_up_computes_every_measure_and_stops_when_the_backend_is_down(backend):
    assert set(warm_centrality(backend)) == set(CENTRALITY_MEASURES)
    down = FaultyBackend(backend, centrality=raising(BackendUnavailable("gone")))
    assert warm_centrality(down) == {}


@pytest.mark.parametrize(("args", "message"), [
    (["--threads", "0"], "--threads must be between 1 and 64"),
    (["--data", "no-such-dir"], "no-such-dir: not a data directory"),
    (["--host", "203.0.113.9"], "cannot listen on 203.0.113.9:0"),  # not this machine's
])
def test_innograph_serve_refuses_bad_options(args, message, capsys, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert main(["serve", "--port", "0", *args]) == 1
    assert message in capsys.readouterr().err


def start_serve(*args: str, **env: str) -> tuple[subprocess.Popen, str]:
    """``innograph serve`` on a free port; returns the process and its API base URL."""
    command = [sys.executable, "-m", "innograph.cli", "serve", "--port", "0", *args]
    environ = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"} | env
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=environ)
    line = server.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/api/v1", line)
    if not match:
        server.kill()
        pytest.fail(f"innograph serve did not start: {line}{server.stderr.read()}")
    return server, match.group(0)


def stop(server: subprocess.Popen, stop_signal: int = signal.SIGTERM) -> None:
    server.send_signal(stop_signal)
    assert server.wait(timeout=20) == 0
    assert "innograph: stopped\n" in server.stdout.read()  # said so (a warm-up line may follow)


def test_unreachable_neo4j_is_served_as_503_until_it_is_up():
    server, api = start_serve(NEO4J_URI="bolt://127.0.0.1:1")  # nothing listens on port 1
    try:
        status, content_type, body = fetch(f"{api}/health")
        assert (status, content_type) == (503, "application/problem+json")
        assert json.loads(body)["type"].endswith("/backend-unavailable")
    finally:
        stop(server)
    assert "/api/v1/health answers 503" in server.stderr.read()
