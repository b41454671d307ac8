"""Fixtures and helpers for the HTTP API tests: the app over data/, a client, checks
for problem+json answers, and a backend wrapper that injects faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.app import create_app
from queries.embedded_backend import EmbeddedBackend

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


@pytest.fixture(scope="session")
def backend(data_graph: nx.MultiDiGraph) -> EmbeddedBackend:
    """The embedded query service over data/ (``data_graph``, tests/queries_fixtures.py)."""
    return EmbeddedBackend(data_graph)


@pytest.fixture(scope="session")
def app(backend: EmbeddedBackend) -> Flask:
    return create_app(backend)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def assert_problem(response: TestResponse, status: int, slug: str | None = None) -> dict:
    """``response`` is an RFC 9457 problem of ``status`` (and type ``slug``); returns it."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body.keys() >= PROBLEM_FIELDS
    assert body["status"] == status
    if slug is not None:
        assert body["type"] == f"https://innograph.org/problems/{slug}"
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def invalid_names(response: TestResponse) -> list[str]:
    """The parameter names a 400 problem blames."""
    body = assert_problem(response, 400, "invalid-parameters")
    return [p["name"] for p in body["invalid_params"]]


class FaultyBackend:
    """A real backend whose listed methods are replaced, e.g. by ones that raise or stall."""

    def __init__(self, backend: Any, **faults: Callable[..., Any]):
        self._backend = backend
        self._faults = faults
        self.name = backend.name

    def __getattr__(self, name: str) -> Any:
        return self._faults.get(name) or getattr(self._backend, name)


def raising(error: Exception) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail
