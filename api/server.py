"""Serving the app with waitress, a production WSGI server (pure Python, threaded).

``make_server`` binds (port 0 picks a free port; ``server_url`` says which); ``running_server``
runs one in a background thread for tests and benchmarks; ``warm_centrality`` computes every
centrality measure once, so the first ranking request does not pay for it.

Waitress on its own can be stalled and speaks text/plain: at its connection limit it stops
accepting, so a hundred idle or half-sent requests hold off everyone else (it only drops
connections idle for ``channel_timeout``, and a trickle of bytes is never idle); and the errors
it answers before the app sees a request (400 unparsable, 413, 431, 501) are plain text. Its
server and channel classes take subclasses, so two small ones close those gaps and the common
path stays waitress's own:

- ``GuardedServer`` keeps accepting at ``max_connections``: it closes the least recently active
  connection that has no request being served, so a flood of idle connections only evicts
  itself; and it drops a connection whose request has not fully arrived ``request_timeout``
  seconds after its first byte.
- ``ProblemErrorTask`` answers waitress's own errors as RFC 9457 problem+json with the app's
  security headers.
- ``Utf8TargetParser`` percent-encodes bytes outside ASCII in the request line, which curl
  sends as typed (``curl 'http://…/entities/长春'``) and waitress alone refuses (400 Bad URI).
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher
from waitress.wasyncore import close_all

from api import limits
from api.app import SECURITY_HEADERS
from api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPES
from queries.backend import CENTRALITY_MEASURES, QueryBackend
from queries.errors import BackendUnavailable

log = logging.getLogger(__name__)

# How long a thread may hold the GIL while another waits for it (Python's default: 5 ms). A
# request thread back from a socket read (Neo4j's answer, the client's bytes) waits for the
# GIL behind the threads computing other requests: with 4 clients over Neo4j, paths as of a
# year, p99 27.4 and 32.3 ms at 5 ms against 22.1 and 25.6 at 1 ms, with less CPU per request
# (2.9 -> 2.2 ms in the API, the handoffs done sooner); 0.2 ms was worse again (31.2 ms).
GIL_SWITCH_SECONDS = 0.001
DEFAULT_THREADS = 8
# waitress's errors -> problem types (anything else: RFC 9457 about:blank)
SERVER_PROBLEMS = {400: "bad-request", 413: "request-too-large",
                   431: "header-fields-too-large", 500: "internal-error", 501: "not-implemented"}
EVICTION_LOG_SECONDS = 60.0
# After an error answer, what the client still sends is read and dropped for this long before
# the socket closes: closing with unread data resets the connection, and the client may lose
# the answer (e.g. a 413 sent while it is still sending the body).
LINGER_SECONDS = 5.0


class ProblemErrorTask(ErrorTask):
    """An error waitress answers itself, as problem+json (and the connection closes)."""

    def execute(self) -> None:
        error = self.request.error
        server: GuardedServer = self.channel.server
        slug = SERVER_PROBLEMS.get(error.code)
        extensions: dict[str, Any] = {}
        if error.code == 413:
            detail = f"the request body is larger than {server.max_body_bytes} bytes"
            extensions["max_bytes"] = server.max_body_bytes
        elif error.code == 431:
            detail = (f"the request line and headers are larger than "
                      f"{self.channel.adj.max_request_header_size} bytes")
            extensions["max_bytes"] = self.channel.adj.max_request_header_size
        elif error.code == 500:
            detail = "the server failed to answer; this is a bug"  # the trace is logged
        else:
            detail = f"the request could not be handled: {error.body}"
        body = {"type": PROBLEM_TYPES[slug].uri if slug else "about:blank",
                "title": PROBLEM_TYPES[slug].title if slug else error.reason,
                "status": error.code, "detail": detail, **extensions}
        data = (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", PROBLEM_MEDIA_TYPE),
                                      *SECURITY_HEADERS.items()])
        self.set_close_on_finish()
        self.channel.linger = True
        self.content_length = len(data)
        self.write(data)


_NOT_ASCII = re.compile(rb"[\x80-\xff]")


class Utf8TargetParser(HTTPRequestParser):
    """A request whose target holds bytes outside ASCII (UTF-8 typed into curl, or a client
    that does not encode) is read as if they were percent-encoded, as nginx and most servers
    read it: the app then sees the same path and query as from a browser, which encodes."""

    def parse_header(self, header_plus: bytes) -> None:
        end = header_plus.find(b"\r\n")
        if end > 0 and not header_plus[:end].isascii():
            header_plus = (_NOT_ASCII.sub(lambda byte: b"%%%02X" % byte[0][0], header_plus[:end])
                           + header_plus[end:])
        super().parse_header(header_plus)


class GuardedChannel(HTTPChannel):
    """A connection that remembers when its request in progress began, that lingers after an
    error answer (see LINGER_SECONDS), and whose requests may spell the target in UTF-8."""

    error_task_class = ProblemErrorTask
    parser_class = Utf8TargetParser
    request_started = 0.0
    linger = False  # set by ProblemErrorTask
    draining_until = 0.0  # while lingering: when to close anyway

    def received(self, data: bytes) -> bool:
        before = self.request
        result = super().received(data)
        if self.request is not None and self.request is not before:
            self.request_started = time.time()  # waitress's clock (last_activity)
        return result

    def handle_close(self) -> None:
        if not (self.linger and self.connected and not self.draining_until):
            return self.close_now()
        try:
            self.socket.shutdown(socket.SHUT_WR)  # the answer is sent: the client sees EOF
        except OSError:
            return self.close_now()
        self.draining_until = time.time() + LINGER_SECONDS
        self.will_close = self.close_when_flushed = False
        return None

    def close_now(self) -> None:
        super().handle_close()

    def readable(self) -> bool:
        return bool(self.draining_until) or super().readable()

    def writable(self) -> bool:
        return not self.draining_until and super().writable()

    def handle_read(self) -> None:
        if not self.draining_until:
            return super().handle_read()
        try:
            data = self.recv(self.adj.recv_bytes)  # EOF closes (wasyncore calls handle_close)
        except OSError:
            data = b""
        if self.socket is not None and (not data or time.time() > self.draining_until):
            self.close_now()
        return None


class GuardedServer(TcpWSGIServer):
    """waitress's TCP server, bounded against slow and idle clients (see the module doc)."""

    channel_class = GuardedChannel

    def __init__(self, app: Flask, *, max_connections: int, request_timeout: float,
                 max_body_bytes: int, **kwargs: Any):
        self.max_connections = max_connections
        self.request_timeout = request_timeout
        self.max_body_bytes = max_body_bytes
        self.evicted = 0
        self.evictions_logged = 0.0
        super().__init__(app, **kwargs)

    def handle_accept(self) -> None:
        if len(self.active_channels) >= self.max_connections:
            self.make_room()
        super().handle_accept()

    def make_room(self) -> None:
        # Only channels with no request queued or running: a task thread may be writing to
        # the others. Without requests, no thread touches a channel but this loop.
        idle = [c for c in self.active_channels.values() if not c.requests]
        if not idle:
            return  # all busy: waitress stops accepting at its own limit, a little higher
        min(idle, key=lambda c: c.last_activity).close_now()
        self.evicted += 1
        now = time.monotonic()
        if now - self.evictions_logged >= EVICTION_LOG_SECONDS:
            self.evictions_logged = now
            log.warning("%d connections open (the limit): closed %d least recently active "
                        "idle one(s) so far to accept new ones", len(self.active_channels),
                        self.evicted)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # closes connections idle for channel_timeout
        cutoff = now - self.request_timeout
        for channel in list(self.active_channels.values()):
            if channel.draining_until and channel.draining_until < now:
                channel.close_now()
            elif (channel.request is not None and not channel.requests
                    and channel.request_started < cutoff):
                channel.will_close = True


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 8000,
                threads: int = DEFAULT_THREADS, *,
                max_connections: int = limits.MAX_CONNECTIONS,
                request_timeout: float = limits.REQUEST_TIMEOUT_SECONDS) -> GuardedServer:
    max_body = app.config["MAX_CONTENT_LENGTH"]
    adj = Adjustments(
        host=host, port=port, threads=threads, ident="innograph",
        # waitress refuses a body of max_request_body_size bytes or more, before reading it
        max_request_body_size=max_body + 1, max_request_header_size=limits.MAX_HEADER_BYTES,
        channel_timeout=limits.IDLE_TIMEOUT_SECONDS, cleanup_interval=1,
        # only when every connection is busy with a request does waitress stop accepting
        connection_limit=max_connections + threads,
        asyncore_use_poll=True)  # select() cannot watch descriptors above 1023
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    return GuardedServer(app, max_connections=max_connections, request_timeout=request_timeout,
                         max_body_bytes=max_body, map={}, dispatcher=dispatcher, adj=adj)


def server_url(server: TcpWSGIServer) -> str:
    host = server.effective_host
    host = f"[{host}]" if ":" in str(host) else host
    return f"http://{host}:{server.effective_port}"


def stop_server(server: TcpWSGIServer) -> None:
    """Close the listening socket and every open connection from the server's own loop."""
    server.trigger.pull_trigger(lambda: close_all(server._map))
    server.task_dispatcher.shutdown()


@contextmanager
def running_server(app: Flask, host: str = "127.0.0.1", port: int = 0,
                   threads: int = DEFAULT_THREADS, **limits_: Any) -> Iterator[str]:
    """Serve ``app`` in a background thread; yields the base URL; stops on exit. Keyword
    arguments go to ``make_server`` (``max_connections``, ``request_timeout``)."""
    server = make_server(app, host, port, threads, **limits_)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield server_url(server)
    finally:
        stop_server(server)
        thread.join(timeout=10)


def warm_backing(backend: QueryBackend) -> None:
    """Ask for the cheapest backing answer once: the embedded backend builds its per-version
    index of the steps toward labs then (about 1 s for 100k nodes), not in the first real
    request. Stops quietly if the backend is unreachable."""
    try:
        backend.backing(max_length=1, limit=1)
    except BackendUnavailable as exc:
        log.warning("backing warm-up stopped: %s", exc)


def warm_centrality(backend: QueryBackend) -> dict[str, float]:
    """Ask the backend for every centrality measure once (it caches them per graph version);
    returns the seconds each took. Stops quietly if the backend is unreachable."""
    seconds = {}
    # betweenness last: on a large graph a helper process computes most of it meanwhile
    for measure in sorted(CENTRALITY_MEASURES, key=lambda m: m == "betweenness"):
        start = time.perf_counter()
        try:
            backend.centrality(measure, top=1)
        except BackendUnavailable as exc:
            log.warning("centrality warm-up stopped: %s", exc)
            break
        seconds[measure] = time.perf_counter() - start
    return seconds
