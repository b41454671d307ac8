"""Backend calls with a time limit, so no request can hold a server thread indefinitely.

Queries run on a bounded worker pool; a request waits at most ``limit_seconds`` (queueing
included) and then gets a 503 ``query-timeout`` problem. A query that overran cannot be
interrupted in Python, but it occupies one of a fixed number of workers, queued queries whose
request gave up are cancelled, and the parameter limits keep every query's work bounded anyway.

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
from queries.errors import BackendUnavailable, GraphChanging

EXTENSION = "innograph"
#: Set while the store's content is being changed: an RFC 8941 token (``in_progress`` or
#: ``incomplete``) with the sync's ``generation`` and ``target`` version as parameters.
SYNC_STATE_HEADER = "Innograph-Sync-State"


class QueryRunner:
    def __init__(self, backend: QueryBackend, *, workers: int, limit_seconds: float):
        self.backend = backend
        self.limit_seconds = limit_seconds
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="query")

    def run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        states: list[Any] = []  # the sync states seen around the query (filled by the worker)
        g.setdefault("sync_states", []).append(states)
        future = self._pool.submit(self._observed, states, method, args, kwargs)
        try:
            return future.result(timeout=self.limit_seconds)
        except FutureTimeout:
            future.cancel()
            raise ApiProblem("query-timeout",
                             f"{method} took longer than {self.limit_seconds:g} s",
                             limit_seconds=self.limit_seconds) from None

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
