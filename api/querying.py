"""Backend calls with a time limit, so no request can hold a server thread indefinitely.

Queries run on a bounded worker pool; a request waits at most ``limit_seconds`` (queueing
included) and then gets a 503 ``query-timeout`` problem. A query that overran cannot be
interrupted in Python, but it occupies one of a fixed number of workers, queued queries whose
request gave up are cancelled, and the parameter limits keep every query's work bounded anyway.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from flask import current_app

from api.problems import ApiProblem
from queries.backend import QueryBackend

EXTENSION = "innograph"


class QueryRunner:
    def __init__(self, backend: QueryBackend, *, workers: int, limit_seconds: float):
        self.backend = backend
        self.limit_seconds = limit_seconds
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="query")

    def run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        future = self._pool.submit(getattr(self.backend, method), *args, **kwargs)
        try:
            return future.result(timeout=self.limit_seconds)
        except FutureTimeout:
            future.cancel()
            raise ApiProblem("query-timeout",
                             f"{method} took longer than {self.limit_seconds:g} s",
                             limit_seconds=self.limit_seconds) from None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def runner() -> QueryRunner:
    return current_app.extensions[EXTENSION]


def query(method: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``method`` of the app's backend within the app's query time limit."""
    return runner().run(method, *args, **kwargs)
