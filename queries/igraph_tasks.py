"""igraph work a child process does for ``queries.centrality``: this module imports nothing
but igraph, so a spawned process starts in a fraction of a second."""

from __future__ import annotations

import igraph as ig


def subset_betweenness(n: int, edges: list[tuple[int, int]], sources: list[int]
                       ) -> list[float]:
    """Undirected betweenness counting only shortest paths from ``sources`` (igraph's raw
    values: each pair once), on the simple graph of ``n`` vertices and ``edges``."""
    return ig.Graph(n=n, edges=edges).betweenness(directed=False, sources=sources)
