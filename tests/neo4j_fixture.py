"""Session-wide Neo4j for tests marked ``@pytest.mark.neo4j``.

With ``NEO4J_URI`` set, tests use that server (``NEO4J_USER``, ``NEO4J_PASSWORD``,
``NEO4J_DATABASE``). Otherwise one real Neo4j 5.26 Community server is started from the
Maven-resolved jars (neo4j-server/lib) on free ports with a throw-away home, shared by the whole
session and stopped at its end. It is configured like the shipped server (auth on with a
generated password, no HTTP Cypher endpoints): any page open in the user's browser could reach
its ports while the tests run. If it cannot start, every test that needs it
errors with the reason: it is never skipped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase

from innograph import neo4j_server

#: For throw-away homes: no 2 x 256 MB preallocated transaction logs.
TEST_SERVER_CONFIG = {"db.tx_log.preallocate": "false", "db.tx_log.rotation.size": "16M"}


@dataclass(frozen=True)
class Neo4jTarget:
    """Where the tests' Neo4j is. ``server`` is None for an external ``NEO4J_URI``."""

    uri: str
    auth: tuple[str, str] | None
    database: str | None
    server: neo4j_server.Neo4jServer | None


def start_test_server(home: Path, **kwargs: object) -> neo4j_server.Neo4jServer:
    """A throw-away server on *home*: free ports, small transaction logs, otherwise as shipped
    (its login is ``server.auth``)."""
    options: dict[str, object] = {
        "bolt_port": neo4j_server.free_port(),
        "http_port": neo4j_server.free_port(),
        "heap": "512m",
        "pagecache": "64m",
        "extra_config": TEST_SERVER_CONFIG,
    }
    options.update(kwargs)
    return neo4j_server.start(home, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def neo4j_target() -> Iterator[Neo4jTarget]:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        user = os.environ.get("NEO4J_USER", "neo4j")
        password = os.environ.get("NEO4J_PASSWORD")
        auth = (user, password) if password is not None else None
        yield Neo4jTarget(uri, auth, os.environ.get("NEO4J_DATABASE") or None, None)
        return
    home = Path(tempfile.mkdtemp(prefix="innograph-neo4j-"))
    try:
        server = start_test_server(home)  # raises Neo4jServerError with the log tail
        try:
            yield Neo4jTarget(server.bolt_uri, server.auth, None, server)
        finally:
            server.stop()
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_target: Neo4jTarget) -> str:
    """Bolt URI of the session's Neo4j."""
    return neo4j_target.uri


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_target: Neo4jTarget) -> Iterator[Driver]:
    """A verified driver for the session's Neo4j (pass ``database_=neo4j_target.database``)."""
    with GraphDatabase.driver(neo4j_target.uri, auth=neo4j_target.auth) as driver:
        driver.verify_connectivity()
        yield driver
