"""Looking around the graph: one entity with its edges, name search, neighbourhoods, counts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import networkx as nx

from graph.embedded import edge_properties, find_nodes, node_view
from graph.embedded import statistics as graph_statistics
from queries.errors import InvalidQuery
from queries.traverse import Walk, check_nodes
from queries.views import node_summary

Json = dict[str, Any]
MAX_RADIUS = 3


DEFAULT_EDGE_LIMIT = 500  # relations per direction in an entity answer (a hub has thousands)


def check_edge_page(limit: int, offset: int) -> None:
    """``InvalidQuery`` for an ``edge_limit`` below 1 or a negative ``edge_offset``."""
    if limit < 1:
        raise InvalidQuery("edge_limit", f"must be at least 1, got {limit}")
    if offset < 0:
        raise InvalidQuery("edge_offset", f"must not be negative, got {offset}")


def cap_edges(out: list[Json], into: list[Json], limit: int, offset: int = 0) -> Json:
    """The entity answer's relation part from every relation of each direction, in the order
    given: see ``edge_page``."""
    check_edge_page(limit, offset)
    end = offset + limit
    return edge_page(out[offset:end], into[offset:end], {"out": len(out), "in": len(into)},
                     limit, offset)


def edge_page(out: list[Json], into: list[Json], totals: dict[str, int], limit: int,
              offset: int) -> Json:
    """The entity answer's relation part from a page already cut (``limit`` relations of each
    direction from ``offset`` on): ``edges``, ``edges_total`` (how many there are of each)
    and ``edges_truncated`` (whether some lie beyond this page)."""
    end = offset + limit
    return {"edges": {"out": out, "in": into}, "edges_total": totals,
            "edges_truncated": totals["out"] > end or totals["in"] > end}


def entity(g: nx.MultiDiGraph, node_id: str, *, edge_limit: int = DEFAULT_EDGE_LIMIT,
           edge_offset: int = 0) -> Json:
    """The node (``graph.embedded.node_view``) and its edges: ``edges.out`` and ``edges.in``,
    each ``{rel, other: summary, properties, provenance}``, sorted by relation then other id,
    ``edge_limit`` of each from ``edge_offset`` on (``cap_edges``)."""
    check_nodes(g, node_id)

    def edges(adjacency: dict) -> list[Json]:
        found = [{"rel": rel, "other": node_summary(g, other),
                  "properties": edge_properties(attrs), "provenance": list(attrs["provenance"])}
                 for other, by_rel in adjacency[node_id].items()
                 for rel, attrs in by_rel.items()]
        return sorted(found, key=lambda e: (e["rel"], e["other"]["id"]))

    return {**node_view(g, node_id),
            **cap_edges(edges(g._succ), edges(g._pred), edge_limit, edge_offset)}


def search(g: nx.MultiDiGraph, text: str | None, *, kinds: Sequence[str] | None = None,
           limit: int = 20, offset: int = 0) -> Json:
    """Nodes whose id, zh/en name or alias contains ``text`` (exact, then prefix, then partial
    matches), or all nodes by id when ``text`` is empty: ``{"total", "offset", "limit",
    "items": [summary, ...]}``."""
    if limit < 1:
        raise InvalidQuery("limit", f"must be at least 1, got {limit}")
    if offset < 0:
        raise InvalidQuery("offset", f"must not be negative, got {offset}")
    kind_set = set(kinds) if kinds else None
    if text is not None and text.strip():
        ids = find_nodes(g, text, kinds=kind_set, limit=None)
    else:
        ids = sorted(n for n, k in g.nodes(data="kind") if kind_set is None or k in kind_set)
    return {"total": len(ids), "offset": offset, "limit": limit,
            "items": [node_summary(g, n) for n in ids[offset:offset + limit]]}


def neighbourhood(g: nx.MultiDiGraph, center: str, *, radius: int = 1,
                  node_kinds: Collection[str] | None = None,
                  relations: Collection[str] | None = None, limit: int = 200) -> Json:
    """The ego graph of ``center``: nodes within ``radius`` hops (either direction) over
    ``relations``, passing only through ``node_kinds`` (the center always kept), at most
    ``limit`` nodes, nearest first (``truncated`` says whether some were left out).

    Returns ``{"center", "radius", "nodes": [summary + distance], "edges": [{from, to, rel,
    properties, provenance}], "truncated"}``; edges are those among the kept nodes."""
    check_nodes(g, center)
    if not 1 <= radius <= MAX_RADIUS:
        raise InvalidQuery("radius", f"must be between 1 and {MAX_RADIUS}, got {radius}")
    if limit < 1:
        raise InvalidQuery("limit", f"must be at least 1, got {limit}")
    walk = Walk.of(g, relations=relations, node_kinds=node_kinds, endpoints=(center,))
    distance = {center: 0}
    frontier = [center]
    truncated = False
    for depth in range(1, radius + 1):
        nxt = []
        for u in frontier:
            for w in sorted(walk.onward(u)):
                if w in distance:
                    continue
                if len(distance) == limit:
                    truncated = True
                    break
                distance[w] = depth
                nxt.append(w)
            if truncated:
                break
        if truncated or not nxt:
            break
        frontier = nxt
    edges = [{"from": u, "to": v, "rel": rel, "properties": edge_properties(attrs),
              "provenance": list(attrs["provenance"])}
             for u in distance for v, by_rel in g._succ[u].items() if v in distance
             for rel, attrs in by_rel.items() if relations is None or rel in relations]
    edges.sort(key=lambda e: (e["from"], e["to"], e["rel"]))
    return {"center": center, "radius": radius,
            "nodes": [{**node_summary(g, n), "distance": d} for n, d in distance.items()],
            "edges": edges, "truncated": truncated}


def statistics(g: nx.MultiDiGraph) -> Json:
    """Counts by kind and relation, quotes per source, connectivity (``graph.embedded``)."""
    return graph_statistics(g)
