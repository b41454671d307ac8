"""Errors the query layer raises; the API maps each to one HTTP status."""

from __future__ import annotations

from graph.embedded import AmbiguousName, NodeNotFound

__all__ = ["AmbiguousName", "BackendUnavailable", "GraphChanging", "InvalidQuery", "NoAnswer",
           "NodeNotFound", "QueryTimedOut"]


class InvalidQuery(ValueError):
    """A parameter is malformed or out of range (HTTP 400). ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class NoAnswer(LookupError):
    """A valid question with no answer, e.g. no path between two entities (HTTP 422)."""


class QueryTimedOut(TimeoutError):
    """A store's statement ran past its time limit: its own (a path enumeration's) or the
    request's (``queries.time_limit``), and the store stopped it (HTTP 503 query-timeout)."""


class BackendUnavailable(RuntimeError):
    """The graph backend (e.g. Neo4j) cannot be reached (HTTP 503)."""


class GraphChanging(BackendUnavailable):
    """A sync is writing the store (or stopped midway), so a whole-graph answer would mix the
    old and the new graph (HTTP 503 with Retry-After). ``state`` says which sync."""

    def __init__(self, message: str, state: object = None, retry_after: int = 10):
        super().__init__(message)
        self.state = state
        self.retry_after = retry_after
