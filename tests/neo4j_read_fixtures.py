"""Neo4j loaded with a graph, for the read-side tests (backend parity, the Cypher files).

``neo4j_with_data`` makes the session's Neo4j hold exactly ``data/`` (``data_graph``, by
``sync_graph`` with ``replace``: a no-op when it already does), once per test module, so a
module that loaded something else before cannot leave its graph behind for these tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx
import pytest
from neo4j import Driver
from neo4j_fixture import Neo4jTarget

from graph.neo4j_sync import sync_graph
from queries.centrality import for_sync
from queries.neo4j_backend import Neo4jBackend
from queries.stores import cypher
from queries.stores.records import STATE_FIELDS


def load_into_neo4j(g: nx.MultiDiGraph, driver: Driver, target: Neo4jTarget) -> None:
    """Make Neo4j hold exactly ``g`` (with centrality written back)."""
    sync_graph(g, driver, centrality=for_sync,
               database=target.database, replace=True, progress=False)


@pytest.fixture(scope="module")
def neo4j_with_data(neo4j_driver: Driver, neo4j_target: Neo4jTarget,
                    data_graph: nx.MultiDiGraph) -> Neo4jTarget:
    load_into_neo4j(data_graph, neo4j_driver, neo4j_target)
    return neo4j_target


@pytest.fixture(scope="module")
def neo4j_backend(neo4j_with_data: Neo4jTarget, neo4j_driver: Driver) -> Iterator[Neo4jBackend]:
    yield Neo4jBackend(neo4j_driver, database=neo4j_with_data.database, uri=neo4j_with_data.uri)


#: Reads of the sync state and the sources' years: kept for a second or a version.
BOOKKEEPING = (cypher.sync_state(STATE_FIELDS), cypher.source_years())


@pytest.fixture
def store_reads(neo4j_backend: Neo4jBackend, monkeypatch: pytest.MonkeyPatch
                ) -> Iterator[list[str]]:
    """The text of each statement the Neo4j store runs (bookkeeping left out)."""
    ran: list[str] = []
    run = neo4j_backend.store.run

    def recording(text: str, timeout: float | None = None, **params: object) -> object:
        if text not in BOOKKEEPING:
            ran.append(text)
        return run(text, timeout, **params)

    monkeypatch.setattr(neo4j_backend.store, "run", recording)
    yield ran
