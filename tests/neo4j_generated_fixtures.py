"""Neo4j holding a generated graph, for the read-side tests that need what data/ lacks (every
backing pattern, 3- and 4-hop chains, many parallel paths, thousands of nodes).

``generated`` loads it into the session's Neo4j for one test module and puts data/ back when
the module is done; ``backends`` is (embedded, neo4j) over it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import networkx as nx
import pytest
from neo4j import Driver
from neo4j_fixture import Neo4jTarget
from neo4j_read_fixtures import load_into_neo4j

from loaders.dataset import load_graph
from loaders.generate import generate_dataset
from queries.embedded_backend import EmbeddedBackend
from queries.neo4j_backend import Neo4jBackend

NODES = 1500


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, neo4j_driver: Driver,
              neo4j_target: Neo4jTarget, data_graph: nx.MultiDiGraph
              ) -> Iterator[nx.MultiDiGraph]:
    """1,500 generated nodes (seed 11) held by Neo4j for the module."""
    root = tmp_path_factory.mktemp("generated-neo4j")
    generate_dataset(root, nodes=NODES, edges_per_node=2, seed=11, progress=False)
    g = load_graph(root, progress=False)
    load_into_neo4j(g, neo4j_driver, neo4j_target)
    yield g
    load_into_neo4j(data_graph, neo4j_driver, neo4j_target)  # data/ again for later modules


@pytest.fixture(scope="module")
def backends(generated: nx.MultiDiGraph, neo4j_driver: Driver, neo4j_target: Neo4jTarget
             ) -> tuple[EmbeddedBackend, Neo4jBackend]:
    return (EmbeddedBackend(generated),
            Neo4jBackend(neo4j_driver, database=neo4j_target.database, uri=neo4j_target.uri))


def sample(g: nx.MultiDiGraph, k: int, seed: int, kind: str | None = None) -> list[str]:
    ids = sorted(n for n, a in g.nodes(data=True) if kind is None or a["kind"] == kind)
    return random.Random(seed).sample(ids, min(k, len(ids)))
