"""Communities: the clusters the ecosystem forms, found by Leiden and named by their members.

Leiden (Traag, Waltman & van Eck 2019; leidenalg over igraph) maximises modularity (Newman
& Girvan 2004) with resolution γ on the undirected simple network (see network.py) without
Sector nodes: a sector is what members work in, not a member, and as a hub it would glue
unrelated actors together; sectors name the communities instead. Vertices are in sorted id
order, the optimiser seeded and run for two iterations (leidenalg's default; running to
convergence took minutes on 100k nodes), so the same graph gives the same communities
whatever order it was loaded in.

Per community c with L_c internal edges and degree sum d_c (m edges in all), its share of
the modularity is Q_c = L_c/m - γ (d_c/2m)^2; the Q_c add up to the partition's modularity.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import igraph as ig
import leidenalg
import networkx as nx

from queries.ecosystem.network import Network, check_positive, holds, network
from queries.errors import InvalidQuery
from queries.views import node_summary

Json = dict[str, Any]
SECTOR = "Sector"
SECTOR_RELATIONS = ("WORKS_IN_SECTOR", "TARGETS_SECTOR")


def leiden_membership(net: Network, resolution: float, seed: int) -> tuple[list[int], int]:
    """Community index of each of ``net.ids`` (communities numbered by Leiden) and the
    number of edges."""
    index = {n: i for i, n in enumerate(net.ids)}
    edges = [(index[u], index[v]) for u in net.ids for v in net.adj[u] if u < v]
    graph = ig.Graph(n=len(net.ids), edges=edges, directed=False)
    partition = leidenalg.find_partition(
        graph, leidenalg.RBConfigurationVertexPartition, resolution_parameter=resolution,
        seed=seed, n_iterations=2)
    return list(partition.membership), len(edges)


def communities(g: nx.MultiDiGraph, *, resolution: float = 1.0, seed: int = 42,
                limit: int = 20, top: int = 5, membership: bool = False) -> Json:
    """The communities, largest first, each named by its ``top`` members (by degree inside
    the community, ties by id), its dominant kinds, spheres and sectors, with its size and
    modularity share. ``membership`` adds ``{node id: community rank}`` for every node.

    Returns ``{"version", "method", "modularity", "total", "communities", ["membership"]}``."""
    if isinstance(resolution, bool) or not isinstance(resolution, int | float) or not (
            0 < resolution <= 100):
        raise InvalidQuery("resolution", f"must be a number in (0, 100], got {resolution!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidQuery("seed", f"must be an integer, got {seed!r}")
    check_positive("limit", limit)
    check_positive("top", top)
    net = network(g, exclude_kinds=(SECTOR,))
    labels, m = leiden_membership(net, resolution, seed)
    groups: dict[int, list[str]] = {}
    for node, label in zip(net.ids, labels, strict=True):
        groups.setdefault(label, []).append(node)
    ordered = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    rank_of = {n: r for r, members in enumerate(ordered, 1) for n in members}
    views = []
    total_q = 0.0
    for rank, members in enumerate(ordered, 1):
        inside = {n: sum(1 for o in net.adj[n] if rank_of[o] == rank) for n in members}
        internal = sum(inside.values()) // 2
        degree_sum = sum(len(net.adj[n]) for n in members)
        q = (internal / m - resolution * (degree_sum / (2 * m)) ** 2) if m else 0.0
        total_q += q
        if rank <= limit:
            views.append(_view(g, net, rank, members, inside, internal, q, top))
    answer = {"version": g.graph.get("version"),
              "method": {"algorithm": "Leiden (leidenalg RBConfigurationVertexPartition)",
                         "resolution": resolution, "seed": seed,
                         "graph": "undirected simple network of entities without Sector, "
                                  "Source and Observation nodes, planned relations left out",
                         "nodes": len(net.ids), "edges": m},
              "modularity": total_q, "total": len(ordered), "communities": views}
    if membership:
        answer["membership"] = rank_of
    return answer


def _view(g: nx.MultiDiGraph, net: Network, rank: int, members: list[str],
          inside: dict[str, int], internal: int, q: float, top: int) -> Json:
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
