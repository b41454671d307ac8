"""Errors the query layer raises; the API maps each to one HTTP status."""

from __future__ import annotations

from graph.embedded import AmbiguousName, NodeNotFound

__all__ = ["AmbiguousName", "BackendUnavailable", "InvalidQuery", "NoAnswer", "NodeNotFound"]


class InvalidQuery(ValueError):
    """A parameter is malformed or out of range (HTTP 400). ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class NoAnswer(LookupError):
    """A valid question with no answer, e.g. no path between two entities (HTTP 422)."""


class BackendUnavailable(RuntimeError):
    """The graph backend (e.g. Neo4j) cannot be reached (HTTP 503)."""
