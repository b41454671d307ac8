"""Communities: the clusters the ecosystem forms, found by Leiden and named by their members.

Leiden (Traag, Waltman & van Eck 2019; igraph's ``community_leiden``, the algorithm's
implementation in igraph's C core) maximises modularity (Newman & Girvan 2004) with
resolution γ on the undirected simple network (see network.py) without Sector nodes: a
sector is what members work in, not a member, and as a hub it would glue unrelated actors
together; sectors name the communities instead. Vertices are in sorted id order, the
optimiser seeded and run for ``ITERATIONS`` iterations, so the same graph gives the same
communities whatever order it was loaded in. (leidenalg, the first pass's library, took
~7 s of CPU per iteration on the 100k-node graph against igraph's ~0.3 s, and reached a
lower modularity in two iterations: 0.352 against 0.356.)

Per community c with L_c internal edges and degree sum d_c (m edges in all), its share of
the modularity is Q_c = L_c/m - γ (d_c/2m)^2; the Q_c add up to the partition's modularity.
"""

from __future__ import annotations

import bisect
import multiprocessing as mp
import os
import threading
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from queries.ecosystem import leiden_task
from queries.ecosystem.network import Network, cached, check_positive, holds, matrix, network
from queries.errors import InvalidQuery
from queries.views import node_summary

Json = dict[str, Any]
SECTOR = "Sector"
SECTOR_RELATIONS = ("WORKS_IN_SECTOR", "TARGETS_SECTOR")
RESOLUTION, SEED = 1.0, 42  # the defaults, which the warm-up computes
ITERATIONS = 10  # Leiden iterations; to convergence takes ~40 s CPU on 100k nodes for +0.002 Q
PROCESS_MIN_NODES = 20_000  # below, Leiden takes well under 0.1 s: no process worth starting
_RNG_LOCK = threading.Lock()  # igraph's random generator is process-wide


@dataclass(frozen=True)
class Partition:
    """Leiden's communities ranked (largest first, ties by smallest member id), with the
    counts their views and modularity shares need (vertex arrays in ``net.ids`` order)."""

    members: list[list[str]]  # by rank - 1, each in id order
    rank: np.ndarray  # per vertex, from 1
    inside: np.ndarray  # per vertex: ties inside its community
    internal: np.ndarray  # per rank - 1
    q: np.ndarray  # per rank - 1
    edges: int


def leiden_membership(n: int, edges: list[tuple[int, int]], resolution: float, seed: int,
                     *, in_process: bool | None = None) -> list[int]:
    """Community label of each vertex: ``ITERATIONS`` seeded Leiden iterations, in a spawned
    child process for graphs of ``PROCESS_MIN_NODES`` or more (igraph holds the GIL through
    each iteration, a second or more there) unless ``in_process`` says otherwise."""
    if in_process is None:
        in_process = n < PROCESS_MIN_NODES or (os.cpu_count() or 1) < 2
    if in_process:
        with _RNG_LOCK:
            return leiden_task.leiden(n, edges, resolution, seed, ITERATIONS)
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(leiden_task.leiden, n, edges, resolution, seed, ITERATIONS).result()


def _upper(a: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Each tie of the symmetric adjacency matrix ``a`` once, as (row, col) with row < col."""
    upper = sp.triu(a, k=1).tocoo()
    return upper.row.astype(np.int64), upper.col.astype(np.int64)


def leiden_started(g: nx.MultiDiGraph, resolution: float = RESOLUTION, seed: int = SEED
                   ) -> Future[list[int]]:
    """Leiden's labels for the network of ``g`` without sectors (vertices in id order), as
    a future kept per graph version: the first caller starts the computation (on large
    graphs in a child process, waited for by a thread of its own), so the warm-up starts it
    early and computes the other analytics meanwhile; ``partition`` waits for it."""
    def start() -> Future[list[int]]:
        n = len(network(g, exclude_kinds=(SECTOR,)).ids)
        row, col = _upper(matrix(g, (SECTOR,)).a)
        edges = list(zip(row.tolist(), col.tolist(), strict=True))
        future: Future[list[int]] = Future()
        if n < PROCESS_MIN_NODES or (os.cpu_count() or 1) < 2:  # quick: no thread needed
            future.set_result(leiden_membership(n, edges, resolution, seed, in_process=True))
            return future

        def run() -> None:
            try:
                try:
                    labels = leiden_membership(n, edges, resolution, seed, in_process=False)
                except Exception:  # no child process (resources, a broken pool): here then
                    labels = leiden_membership(n, edges, resolution, seed, in_process=True)
                future.set_result(labels)
            except BaseException as exc:  # the waiting request reports it
                future.set_exception(exc)
        threading.Thread(target=run, name="leiden", daemon=True).start()
        return future
    return cached(g, "_ecosystem_leiden", (resolution, seed), start)


def partition(net: Network, a: sp.csr_matrix, resolution: float, seed: int,
              labels: list[int] | None = None) -> Partition:
    """Leiden's partition of ``net``, whose adjacency matrix is ``a`` (``labels``: Leiden's
    labels per vertex, when already computed)."""
    row, col = _upper(a)
    if labels is None:
        labels = leiden_membership(len(net.ids), list(zip(row.tolist(), col.tolist(),
                                                          strict=True)), resolution, seed)
    labels = np.array(labels, dtype=np.int64)
    if not len(labels):
        return Partition([], labels, labels, labels, np.zeros(0), 0)
    sizes = np.bincount(labels)
    first = np.full(len(sizes), len(labels))
    np.minimum.at(first, labels, np.arange(len(labels)))
    used = np.flatnonzero(sizes)
    ordered = used[np.lexsort((first[used], -sizes[used]))]
    rank_of_label = np.zeros(len(sizes), dtype=np.int64)
    rank_of_label[ordered] = np.arange(1, len(ordered) + 1)
    rank = rank_of_label[labels]
    same = rank[row] == rank[col]
    inside = (np.bincount(row[same], minlength=len(labels))
              + np.bincount(col[same], minlength=len(labels)))
    count = len(ordered) + 1
    internal = np.bincount(rank[row[same]], minlength=count)[1:]
    degree_sum = np.bincount(rank, weights=np.diff(a.indptr), minlength=count)[1:]
    m = len(row)
    q = (internal / m - resolution * (degree_sum / (2 * m)) ** 2) if m else np.zeros(
        len(ordered))
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.cumsum(np.bincount(rank, minlength=count))
    members = [[net.ids[i] for i in by_rank[bounds[r - 1]:bounds[r]]] for r in range(1, count)]
    return Partition(members, rank, inside, internal, q, m)


def communities(g: nx.MultiDiGraph, *, resolution: float = RESOLUTION, seed: int = SEED,
                limit: int = 20, top: int = 5, membership: bool = False) -> Json:
    """The communities, largest first, each named by its ``top`` members (by degree inside
    the community, ties by id), its dominant kinds, spheres and sectors, with its size and
    modularity share. ``membership`` adds ``{node id: community rank}`` for every node.
    Partitions and community views are kept per graph version.

    Returns ``{"version", "method", "modularity", "total", "communities", ["membership"]}``."""
    if isinstance(resolution, bool) or not isinstance(resolution, int | float) or not (
            0 < resolution <= 100):
        raise InvalidQuery("resolution", f"must be a number in (0, 100], got {resolution!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidQuery("seed", f"must be an integer, got {seed!r}")
    check_positive("limit", limit)
    check_positive("top", top)
    net = network(g, exclude_kinds=(SECTOR,))
    part = cached(g, "_ecosystem_partitions", (resolution, seed),
                  lambda: partition(net, matrix(g, (SECTOR,)).a, resolution, seed,
                                    leiden_started(g, resolution, seed).result()))
    views = [cached(g, "_ecosystem_community_views", (resolution, seed, rank, top),
                    lambda r=rank: _view(g, net, part, r, top))
             for rank in range(1, min(limit, len(part.members)) + 1)]
    answer = {"version": g.graph.get("version"),
              "method": {"algorithm": f"Leiden (igraph community_leiden, modularity, "
                                      f"{ITERATIONS} iterations)",
                         "resolution": resolution, "seed": seed,
                         "graph": "undirected simple network of entities without Sector, "
                                  "Source and Observation nodes, planned relations left out",
                         "nodes": len(net.ids), "edges": part.edges},
              "modularity": float(part.q.sum()), "total": len(part.members),
              "communities": views}
    if membership:
        answer["membership"] = dict(zip(net.ids, part.rank.tolist(), strict=True))
    return answer


def _view(g: nx.MultiDiGraph, net: Network, part: Partition, rank: int, top: int) -> Json:
    members = part.members[rank - 1]
    inside = {n: int(part.inside[bisect.bisect_left(net.ids, n)]) for n in members}  # sorted
    internal, q = int(part.internal[rank - 1]), float(part.q[rank - 1])
    leaders = sorted(members, key=lambda n: (-inside[n], n))[:top]
    kinds = Counter(g._node[n]["kind"] for n in members)
    spheres = Counter(net.spheres[n] for n in members if n in net.spheres)
    sectors: Counter[str] = Counter()
    for n in members:
        sectors.update({s for s, by_rel in g._succ[n].items()
                        if any(r in SECTOR_RELATIONS and holds(r, a) for r, a in by_rel.items())})
    named = [node_summary(g, n) for n in leaders[:3]]
    top_sectors = sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return {
        "rank": rank, "size": len(members), "internal_edges": internal, "modularity": q,
        "label": {"zh": "、".join(s["name_zh"] for s in named),
                  "en": "; ".join(s["name_en"] for s in named)},
        "top_members": [{**node_summary(g, n), "internal_degree": inside[n]} for n in leaders],
        "kinds": _counted(kinds), "spheres": _counted(spheres),
        "sectors": [{**node_summary(g, s), "members": c} for s, c in top_sectors],
    }


def _counted(counter: Counter[str]) -> list[Json]:
    return [{"name": k, "count": c}
            for k, c in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]
