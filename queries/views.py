"""JSON-ready views of nodes and hops, shared by every query that returns paths or chains.

A hop is one step of a path: ``from`` and ``to`` in path order, the relation ``rel`` chosen
among the edges joining the two nodes, its ``direction`` (``forward`` when the stored edge
points from ``from`` to ``to``, ``backward`` otherwise), the edge's typed ``properties`` and
``provenance``, and the other usable edges between the same two nodes as ``alternatives``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import cache
from itertools import pairwise
from typing import Any

import networkx as nx

from graph.embedded import edge_properties
from graph.schema import load_schema

Json = dict[str, Any]
FORWARD = "forward"
BACKWARD = "backward"


@cache
def relation_order() -> dict[str, int]:
    """Schema order of relation kinds: the tie-break when several relations join two nodes."""
    return {name: i for i, name in enumerate(load_schema().all_relation_kinds)}


def node_summary(g: nx.MultiDiGraph, node_id: str) -> Json:
    a = g._node[node_id]
    return {"id": node_id, "kind": a["kind"], "subtype": a["subtype"], "name_zh": a["name_zh"],
            "name_en": a["name_en"]}


def node_summaries(g: nx.MultiDiGraph, node_ids: Iterable[str]) -> dict[str, Json]:
    return {node_id: node_summary(g, node_id) for node_id in dict.fromkeys(node_ids)}


def edge_options(g: nx.MultiDiGraph, u: str, v: str, relations: Collection[str] | None,
                 directed: bool) -> list[tuple[str, str, dict[str, Any]]]:
    """``(direction, rel, attrs)`` of the usable edges between ``u`` and ``v``, best first:
    forward before backward, then schema order of relations."""
    order = relation_order()
    options = [(FORWARD, rel, attrs) for rel, attrs in g._succ[u].get(v, {}).items()
               if relations is None or rel in relations]
    if not directed:
        options += [(BACKWARD, rel, attrs) for rel, attrs in g._succ[v].get(u, {}).items()
                    if relations is None or rel in relations]
    options.sort(key=lambda o: (o[0] != FORWARD, order.get(o[1], len(order)), o[1]))
    return options


def _edge_view(direction: str, rel: str, attrs: dict[str, Any]) -> Json:
    return {"rel": rel, "direction": direction, "properties": edge_properties(attrs),
            "provenance": list(attrs["provenance"])}


def hop(g: nx.MultiDiGraph, u: str, v: str, relations: Collection[str] | None = None,
        directed: bool = False) -> Json:
    """The hop from ``u`` to ``v``; raises ``ValueError`` if no usable edge joins them."""
    options = edge_options(g, u, v, relations, directed)
    if not options:
        raise ValueError(f"no usable edge between {u!r} and {v!r}")
    chosen, *others = options
    return {"from": u, "to": v, **_edge_view(*chosen),
            "alternatives": [_edge_view(*o) for o in others]}


def hop_from_edge(g: nx.MultiDiGraph, u: str, v: str, rel: str, direction: str) -> Json:
    """The hop from ``u`` to ``v`` along one given edge, other edges between them as
    alternatives (whatever their relation or direction)."""
    src, dst = (u, v) if direction == FORWARD else (v, u)
    joining = g._succ[src][dst]
    chosen = _edge_view(direction, rel, joining[rel])
    if len(joining) == 1 and src not in g._succ[dst]:  # the only edge: no alternatives
        return {"from": u, "to": v, **chosen, "alternatives": []}
    others = [o for o in edge_options(g, u, v, None, False) if o[:2] != (direction, rel)]
    return {"from": u, "to": v, **chosen, "alternatives": [_edge_view(*o) for o in others]}


def path_view(g: nx.MultiDiGraph, nodes: list[str], relations: Collection[str] | None = None,
              directed: bool = False, seen: dict[tuple[str, str], Json] | None = None
              ) -> Json:
    """``{"length", "nodes", "hops"}`` for a path given as its node ids. ``seen``: the hops
    of the answer's other paths, by (from, to), rendered once (the shortest paths of one
    answer share many: 42% of the hops of bench/time_queries' 85 pairs at 100k nodes); an
    answer is read-only, so its paths may share a hop's dict."""
    if seen is None:
        seen = {}
    hops = []
    for u, v in pairwise(nodes):
        found = seen.get((u, v))
        if found is None:
            found = seen[u, v] = hop(g, u, v, relations, directed)
        hops.append(found)
    return {"length": len(nodes) - 1, "nodes": list(nodes), "hops": hops}
