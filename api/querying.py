"""Backend calls with a time limit, so no request can hold a server thread indefinitely.

Lookups (``LOOKUPS``: an entity, a search, a neighbourhood, paths, a metric series) run on
the request's own thread: their work is bounded by the parameter limits, a path enumeration by
the store's path timeout, and over Neo4j each statement by the seconds left of
``limit_seconds`` (``queries.time_limit``: the server stops it there); past the limit the
answer is a 503 ``query-timeout`` problem. The hand-over to a worker thread and back was a
large part of a lookup's API time: at 100k nodes over Neo4j, 4 clients, API CPU a request as of
a year, entity 2.0-2.3 -> 1.6-1.9 ms, paths 2.5-3.1 -> 2.4-2.7 ms (bench/results/
time_queries.md: runs alternated with the code before); over the embedded store, over data/,
one client, 0.42-0.50 -> 0.23-0.34 ms an entity, 0.65-0.85 -> 0.40-0.61 ms a path.

Whole-graph work (rankings, statistics, backing, changes, analytics: computed once and kept)
runs on a bounded worker pool instead: a request waits at most ``limit_seconds`` (queueing
included) and then gets the 503, while the computation goes on for the next request (a first
``/changes`` over Neo4j reads the whole graph). A computation that overran cannot be
interrupted in Python, but it occupies one of a fixed number of workers, and queued ones whose
request gave up are cancelled.

A backend whose content a sync rewrites in place (Neo4j) has ``sync_state()``; it is read
before and after each query, and while a sync is running or stopped midway the answer carries
``Innograph-Sync-State`` (docs/neo4j.md, section 4).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import suppress
from typing import Any

from flask import Response, current_app, g

from api.problems import ApiProblem
from queries.backend import QueryBackend
from queries.errors import BackendUnavailable, GraphChanging, QueryTimedOut
from queries.time_limit import time_limit

EXTENSION = "innograph"
#: Set while the store's content is being changed: an RFC 8941 token (``in_progress`` or
#: ``incomplete``) with the sync's ``generation`` and ``target`` version as parameters.
SYNC_STATE_HEADER = "Innograph-Sync-State"


#: Methods run on the request's thread (see above); every other one on the worker pool.
LOOKUPS = frozenset({"health", "entity", "search", "neighbourhood", "paths", "metric_series"})


class QueryRunner:
    def __init__(self, backend: QueryBackend, *, workers: int, limit_seconds: float):
        self.backend = backend
        self.limit_seconds = limit_seconds
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="query")

    def run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        states: list[Any] = []  # the sync states seen around the query (filled by the worker)
        g.setdefault("sync_states", []).append(states)
        if method in LOOKUPS:
            try:
                with time_limit(self.limit_seconds):
                    return self._observed(states, method, args, kwargs)
            except QueryTimedOut:
                raise self._timed_out(method) from None
        future = self._pool.submit(self._observed, states, method, args, kwargs)
        try:
            return future.result(timeout=self.limit_seconds)
        except FutureTimeout:
            future.cancel()
            raise self._timed_out(method) from None

    def _timed_out(self, method: str) -> ApiProblem:
        return ApiProblem("query-timeout", f"{method} took longer than {self.limit_seconds:g} s",
                          limit_seconds=self.limit_seconds)

    def _observed(self, states: list[Any], method: str, args: tuple, kwargs: dict) -> Any:
        """``method``'s answer; the backend's sync state before and after go into
        ``states`` (none when the backend has no such state or could not be reached)."""
        read = getattr(self.backend, "sync_state", None)
        if read is None:
            return getattr(self.backend, method)(*args, **kwargs)
        states.append(read())  # a backend that cannot be reached fails here: 503 anyway
        answered = True
        try:
            return getattr(self.backend, method)(*args, **kwargs)
        except BackendUnavailable as exc:
            # a refused whole-graph answer: read again; else no second wait for the server
            answered = isinstance(exc, GraphChanging)
            raise
        finally:
            if answered:
                with suppress(BackendUnavailable):
                    states.append(read())

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def runner() -> QueryRunner:
    return current_app.extensions[EXTENSION]


def query(method: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``method`` of the app's backend within the app's query time limit."""
    return runner().run(method, *args, **kwargs)


def add_sync_state(response: Response) -> Response:
    """After a request: the ``Innograph-Sync-State`` header when a query of this request saw
    the content being changed."""
    for states in g.get("sync_states", ()):
        changing = next((s for s in states if not s.complete), None)
        if changing is not None:
            response.headers[SYNC_STATE_HEADER] = changing.header()
            break
    return response
