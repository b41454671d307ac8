"""The HTTP server itself, over real sockets on 127.0.0.1: slow and idle clients cannot stall
it, and the errors it answers before the app sees a request are problem+json too."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import pytest

from api.server import running_server

HALF_SENT = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


@pytest.fixture(scope="module")
def address(app) -> Iterator[tuple[str, int]]:
    with running_server(app, threads=4) as url:
        parts = urlsplit(url)
        yield parts.hostname, parts.port


def get(address: tuple[str, int], path: str, timeout: float) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.headers["Content-Type"], response.read()
    finally:
        connection.close()


def exchange(address: tuple[str, int], data: bytes, timeout: float = 5) -> tuple[int, dict, bytes]:
    """Send raw bytes; the status, headers and body of the answer."""
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, dict(response.getheaders()), response.read()


@contextmanager
def idle_connections(address: tuple[str, int], count: int) -> Iterator[list[socket.socket]]:
    """``count`` open connections: half of them silent, half in the middle of their headers."""
    with ExitStack() as stack:
        socks = []
        for i in range(count):
            sock = stack.enter_context(socket.create_connection(address, timeout=5))
            if i % 2:
                sock.sendall(HALF_SENT)
            socks.append(sock)
        yield socks


def test_300_idle_connections_do_not_stall_a_normal_request(address):
    with idle_connections(address, 300) as socks:
        start = time.perf_counter()
        status, _, body = get(address, "/api/v1/health", timeout=1)
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert time.perf_counter() - start < 1
        # The oldest idle ones made room: closed by the server, not left hanging.
        socks[0].settimeout(2)
        assert socks[0].recv(1) == b""


def test_a_trickling_request_is_closed_at_its_deadline(app):
    with running_server(app, threads=2, request_timeout=0.5) as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
            sock.sendall(HALF_SENT)
            start = time.perf_counter()
            closed = False
            while time.perf_counter() - start < 4 and not closed:
                try:
                    sock.sendall(b"x")  # a byte every 0.1 s: never idle, never done
                    sock.settimeout(0.1)
                    closed = sock.recv(1) == b""
                except TimeoutError:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
            assert closed, "a request still unfinished after its deadline must be dropped"
            assert time.perf_counter() - start < 3.5


@pytest.mark.parametrize(("data", "status", "slug"), [
    (b"NONSENSE\r\n\r\n", 400, "bad-request"),
    (b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000000\r\n\r\n",
     413, "request-too-large"),
    (b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
     431, "header-fields-too-large"),
    (b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n",
     501, "not-implemented"),
])
def test_the_servers_own_errors_are_problem_json(address, data, status, slug):
    got, headers, body = exchange(address, data)
    assert got == status
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status
    assert problem["type"] == f"https://innograph.org/problems/{slug}"
    assert problem["title"] and problem["detail"]
    assert "waitress" not in body.decode()
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_raw_utf8_in_the_request_line_reads_as_percent_encoded(address):
    """curl sends `?q=长春` and `/entities/长兴基金` as raw UTF-8 bytes, which waitress alone
    refuses (400 Bad URI): the answer is the percent-encoded request's, byte for byte."""
    def answer(target: str) -> tuple[int, bytes]:
        request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        got, _, body = exchange(address, request)
        return got, body

    for raw, encoded in [("/api/v1/entities?q=长春", "/api/v1/entities?q=%E9%95%BF%E6%98%A5"),
                         ("/api/v1/entities/长兴基金",
                          "/api/v1/entities/%E9%95%BF%E5%85%B4%E5%9F%BA%E9%87%91"),
                         ("/api/v1/paths?from=长兴基金&to=長光衛星", "/api/v1/paths?from="
                          "%E9%95%BF%E5%85%B4%E5%9F%BA%E9%87%91&to=%E9%95%B7%E5%85%89%E8%A1%9B"
                          "%E6%98%9F")]:
        assert answer(raw) == answer(encoded)
    status, body = answer("/api/v1/entities/长兴基金")
    assert status == 200 and json.loads(body)["id"] == "changxing-fund"
    status, body = answer("/api/v1/entities?q=长春")
    assert status == 200 and json.loads(body)["total"] > 0
    # a byte that is not UTF-8 is the app's 400 or 404 now, never a server error
    status, _, body = exchange(address, b"GET /api/v1/entities/\xff HTTP/1.1\r\n"
                                        b"Host: 127.0.0.1\r\n\r\n")
    assert status in (400, 404) and json.loads(body)["status"] == status


def test_body_over_the_apps_limit_is_refused_before_it_is_read(address, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    request = (b"POST /api/v1/entities HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               + f"Content-Length: {limit + 1}\r\n\r\n".encode())
    got, headers, body = exchange(address, request)  # the body is never sent
    assert (got, headers["Content-Type"]) == (413, "application/problem+json")
    assert json.loads(body)["max_bytes"] == limit


def test_a_client_still_sending_its_body_reads_the_413(address, app):
    # The server answers before the body arrives; it must keep reading (and dropping) the
    # body, else closing resets the connection and the client loses the answer.
    body = b"x" * (8 * app.config["MAX_CONTENT_LENGTH"])
    head = (b"POST /api/v1/entities HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode())
    for _ in range(3):
        with socket.create_connection(address, timeout=5) as sock:
            sock.sendall(head)
            time.sleep(0.05)  # the answer is sent and the server is done with the request
            for start in range(0, len(body), 65536):
                sock.sendall(body[start:start + 65536])
            response = http.client.HTTPResponse(sock)
            response.begin()
            assert response.status == 413
            assert response.headers["Content-Type"] == "application/problem+json"
            assert json.loads(response.read())["type"].endswith("/request-too-large")
