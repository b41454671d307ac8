"""Graphs for the query-layer tests: the curated data set, a generated graph, hand-made graphs.

``data_graph`` is the one session fixture holding data/ for every test (API, queries, RDF,
Neo4j): a test that changes a graph works on a ``.copy()``.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import pytest

from graph.embedded import build_graph
from graph.records import EdgeRecord, NodeRecord, Provenance
from loaders.dataset import load_graph
from loaders.generate import generate_dataset

GENERATED_NODES = 1500


@pytest.fixture(scope="session")
def data_graph() -> nx.MultiDiGraph:
    """data/, loaded as users load it (quotes checked): a load error fails the tests."""
    return load_graph(progress=False)


@pytest.fixture(scope="session")
def generated_graph_1500(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    """A generated graph of 1,500 nodes shaped like data/ (seed 7)."""
    root = tmp_path_factory.mktemp("generated-1500")
    generate_dataset(root, nodes=GENERATED_NODES, edges_per_node=2, seed=7, progress=False)
    return load_graph(root, progress=False)


def make_graph(nodes: Iterable[tuple[str, ...]],
               edges: Iterable[tuple[str, str, str]]) -> nx.MultiDiGraph:
    """A graph from ``(id, kind)`` or ``(id, kind, subtype)`` (default subtype "x") and
    ``(from, REL, to)``; each record quotes itself."""
    node_records = [NodeRecord(node_id, kind, subtype or "x", f"{node_id}中文", f"{node_id} en",
                               (Provenance("s.txt", f"quote {node_id}"),))
                    for node_id, kind, subtype in ((*n, None)[:3] for n in nodes)]
    edge_records = [EdgeRecord(u, rel, v, (Provenance("s.txt", f"quote {u} {rel} {v}"),))
                    for u, rel, v in edges]
    return build_graph(node_records, edge_records)


def projection(g: nx.MultiDiGraph, *, directed: bool = False,
               relations: Iterable[str] | None = None,
               node_kinds: Iterable[str] | None = None,
               keep: Iterable[str] = ()) -> nx.Graph:
    """An independent simple projection of ``g`` with the query filters applied."""
    relations = set(relations) if relations is not None else None
    kinds = set(node_kinds) if node_kinds is not None else None
    keep = set(keep)
    h = nx.DiGraph() if directed else nx.Graph()
    h.add_nodes_from(n for n, k in g.nodes(data="kind") if kinds is None or k in kinds
                     or n in keep)
    h.add_edges_from((u, v) for u, v, rel in g.edges(keys=True)
                     if u in h and v in h and u != v and (relations is None or rel in relations))
    return h
