"""Leiden as a child process runs it for ``communities``: this module imports nothing but
igraph, so a spawned process starts in a fraction of a second, and the server process keeps
serving while igraph (which holds the GIL in each call) iterates."""

from __future__ import annotations

import random

import igraph as ig


def leiden(n: int, edges: list[tuple[int, int]], resolution: float, seed: int,
           iterations: int) -> list[int]:
    """Community label per vertex: ``iterations`` Leiden iterations maximising modularity on
    the simple undirected graph of ``n`` vertices and ``edges``, igraph's random numbers
    drawn from a generator seeded with ``seed``. The caller owns igraph's generator for the
    duration (a child process always does)."""
    graph = ig.Graph(n=n, edges=edges, directed=False)
    membership = None
    ig.set_random_number_generator(random.Random(seed))
    try:
        for _ in range(iterations):
            membership = graph.community_leiden(
                objective_function="modularity", resolution=resolution,
                initial_membership=membership, n_iterations=1).membership
    finally:
        ig.set_random_number_generator(random)
    return list(membership or [])
