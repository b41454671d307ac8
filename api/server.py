"""Serving the app with waitress, a production WSGI server (pure Python, threaded).

``make_server`` binds (port 0 picks a free port; ``server_url`` says which); ``running_server``
runs one in a background thread for tests and benchmarks; ``warm_centrality`` computes every
centrality measure once, so the first ranking request does not pay for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from waitress import create_server
from waitress.server import BaseWSGIServer
from waitress.wasyncore import close_all

from api import limits
from queries.backend import CENTRALITY_MEASURES, QueryBackend
from queries.errors import BackendUnavailable

log = logging.getLogger(__name__)
DEFAULT_THREADS = 8
# waitress buffers a whole request before the app sees it: cap that at a few times the app's
# own limit, so bodies up to the cap still get the app's 413 problem+json.
WAITRESS_BODY_CAP = 4 * limits.MAX_CONTENT_LENGTH


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 8000,
                threads: int = DEFAULT_THREADS) -> BaseWSGIServer:
    return create_server(app, host=host, port=port, threads=threads, ident="innograph",
                         max_request_body_size=WAITRESS_BODY_CAP,
                         max_request_header_size=64 * 1024, channel_timeout=60)


def server_url(server: BaseWSGIServer) -> str:
    host = server.effective_host
    host = f"[{host}]" if ":" in str(host) else host
    return f"http://{host}:{server.effective_port}"


def stop_server(server: BaseWSGIServer) -> None:
    """Close the listening socket and every open connection from the server's own loop."""
    server.trigger.pull_trigger(lambda: close_all(server._map))
    server.task_dispatcher.shutdown()


@contextmanager
def running_server(app: Flask, host: str = "127.0.0.1", port: int = 0,
                   threads: int = DEFAULT_THREADS) -> Iterator[str]:
    """Serve ``app`` in a background thread; yields the base URL; stops on exit."""
    server = make_server(app, host, port, threads)
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
