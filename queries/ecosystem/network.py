"""The network every ecosystem analytic reads, and the evidence each answer carries.

The network is the stored graph without Source and Observation nodes (documents and figures
are not part of the ecosystem), without derived relations (MENTIONS) and HAS_OBSERVATION, and
without relations of status ``planned``: a plan is not a result, so a planned link is not yet
a link (the evidence of an answer still shows it, marked planned, where it matters).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import networkx as nx
import numpy as np

from graph.embedded import edge_properties
from graph.schema import OBSERVATION_KIND, OBSERVATION_RELATION, load_schema
from graph.spheres import SphereMapping, load_spheres
from queries.ecosystem import scoring
from queries.errors import InvalidQuery
from queries.traverse import per_version

Json = dict[str, Any]
T = TypeVar("T")
NOT_ENTITIES = frozenset({"Source", OBSERVATION_KIND})
PLANNED = "planned"


def is_entity(attrs: dict[str, Any]) -> bool:
    return attrs["kind"] not in NOT_ENTITIES


@cache
def not_links() -> frozenset[str]:
    """Relations that are never links: derived ones and HAS_OBSERVATION."""
    return frozenset({OBSERVATION_RELATION, *load_schema().derived_relation_kinds})


def holds(rel: str, attrs: dict[str, Any]) -> bool:
    """Whether a stored edge is a link of the network (not derived, no figure, not planned)."""
    return rel not in not_links() and attrs.get("status") != PLANNED


@dataclass
class Network:
    """Undirected simple adjacency over entities (sets, sorted id order for determinism).
    Networks may share the sets of nodes they have alike: never change them in place."""

    ids: list[str]  # sorted
    adj: dict[str, set[str]]
    out: dict[str, set[str]]  # directed, as stored
    spheres: dict[str, str]  # actor -> sphere (only actors)
    # the undirected ties as vertex index pairs (into ids), each once, when known: the
    # adjacency matrix is built from them rather than from the sets again
    pairs: tuple[np.ndarray, np.ndarray] | None = None


def network(g: nx.MultiDiGraph, mapping: SphereMapping | None = None,
            exclude_kinds: Iterable[str] = ()) -> Network:
    """The network of ``g`` without nodes of ``exclude_kinds`` (kept per graph version for
    the default sphere mapping)."""
    excluded = NOT_ENTITIES | frozenset(exclude_kinds)
    if mapping is not None:
        return _network(g, mapping, excluded)
    name = "_ecosystem_network:" + ",".join(sorted(excluded))
    if excluded == NOT_ENTITIES:
        return per_version(g, name, lambda h: _network(h, load_spheres(), excluded))
    return per_version(g, name, lambda h: _without(h, network(h), excluded))


def matrix(g: nx.MultiDiGraph, exclude_kinds: Iterable[str] = ()) -> scoring.Matrix:
    """The sparse adjacency matrix of ``network(g, exclude_kinds=...)``, kept per version."""
    excluded = sorted(exclude_kinds)

    def compute(h: nx.MultiDiGraph) -> scoring.Matrix:
        net = network(h, exclude_kinds=excluded)
        nodes = h._node
        sectors = {n for n in net.ids if nodes[n]["kind"] == "Sector"}
        if net.pairs is not None:
            return scoring.matrix_of_pairs(net.ids, *net.pairs, sectors)
        if excluded:  # the full matrix without the excluded rows and columns
            full = matrix(h)
            keep = np.fromiter((nodes[n]["kind"] not in excluded for n in full.ids),
                               dtype=bool, count=len(full.ids))
            return scoring.matrix_of_csr(net.ids, full.a[keep][:, keep].tocsr(), sectors)
        return scoring.matrix(net.ids, net.adj, sectors)
    return per_version(g, "_ecosystem_matrix:" + ",".join(excluded), compute)


def _without(g: nx.MultiDiGraph, net: Network, excluded: frozenset[str]) -> Network:
    """``net`` without nodes of the ``excluded`` kinds (cheaper than another pass over the
    stored edges)."""
    nodes = g._node
    dropped = {n for n in net.ids if nodes[n]["kind"] in excluded}
    ids = [n for n in net.ids if n not in dropped]

    def kept(links: set[str]) -> set[str]:  # shared when nothing is dropped (most nodes)
        return links if links.isdisjoint(dropped) else links - dropped
    return Network(ids, {n: kept(net.adj[n]) for n in ids}, {n: kept(net.out[n]) for n in ids},
                   {n: s for n, s in net.spheres.items() if n not in dropped})


def _network(g: nx.MultiDiGraph, mapping: SphereMapping, excluded: frozenset[str]) -> Network:
    nodes, succ = g._node, g._succ
    symmetric = {r.name for r in load_schema().relation_kinds.values() if r.symmetric}
    never = not_links()
    ids = sorted(n for n, a in nodes.items() if a["kind"] not in excluded)
    index = {n: i for i, n in enumerate(ids)}
    adj: dict[str, set[str]] = {n: set() for n in ids}
    out: dict[str, set[str]] = {n: set() for n in ids}
    left: list[int] = []
    right: list[int] = []
    for u in ids:  # one pass over the stored edges (holds() inlined: 300k+ edges at 100k)
        mine, iu = out[u], index[u]
        for v, by_rel in succ[u].items():
            if v == u or v not in index:
                continue
            kept = [rel for rel, attrs in by_rel.items()
                    if rel not in never and attrs.get("status") != PLANNED]
            if not kept:
                continue
            if v not in adj[u]:
                adj[u].add(v)
                adj[v].add(u)
                left.append(iu)
                right.append(index[v])
            mine.add(v)
            if symmetric.intersection(kept):
                out[v].add(u)
    spheres = {n: s for n in ids if (s := mapping.of(nodes[n])) is not None}
    return Network(ids, adj, out, spheres,
                   (np.array(left, dtype=np.int64), np.array(right, dtype=np.int64)))


def edges_between(g: nx.MultiDiGraph, u: str, v: str, *, planned: bool = True) -> list[Json]:
    """Every stored edge joining ``u`` and ``v`` (either direction) with its quotes: the
    evidence of a link. Planned edges are included (marked by their status) if ``planned``."""
    found = []
    for a, b in ((u, v), (v, u)):
        for rel, attrs in g._succ[a].get(b, {}).items():
            if rel in not_links():
                continue
            if not planned and attrs.get("status") == PLANNED:
                continue
            found.append(edge_view(a, b, rel, attrs))
        if a == b:
            break
    return found


def edge_view(u: str, v: str, rel: str, attrs: dict[str, Any]) -> Json:
    return {"from": u, "rel": rel, "to": v, "properties": edge_properties(attrs),
            "provenance": list(attrs["provenance"])}


def node_edges(g: nx.MultiDiGraph, node: str, limit: int) -> tuple[list[Json], int]:
    """The first ``limit`` of a node's network edges (what exists) by ``edge_order``, and
    how many it has."""
    found = []
    for adjacency, forward in ((g._succ, True), (g._pred, False)):
        for other, by_rel in adjacency[node].items():
            if not is_entity(g._node[other]):
                continue
            found += [(node, rel, other, forward, attrs) if forward else
                      (other, rel, node, forward, attrs)
                      for rel, attrs in by_rel.items() if rel not in not_links()]
    found.sort(key=lambda e: e[:3])
    return [edge_view(u, v, rel, attrs) for u, rel, v, _, attrs in found[:limit]], len(found)


def edge_order(edge: Json) -> tuple[str, str, str]:
    """The order evidence edges are listed in: by their ends' ids and relation, not by the
    graph's adjacency order (a graph read back from Neo4j has another)."""
    return edge["from"], edge["rel"], edge["to"]


def check_positive(field: str, value: int, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidQuery(field, f"must be an integer of at least {minimum}, got {value!r}")


def check_kind(field: str, value: str | None, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value is not None and value not in allowed:
        raise InvalidQuery(field, f"unknown {field} {value!r}; one of {', '.join(allowed)}")


_LOCKS_LOCK = threading.Lock()
_LOCKS: dict[tuple[int, Hashable], threading.Lock] = {}


def cached(g: nx.MultiDiGraph, name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, kept under ``key`` in a per-version table ``name`` of ``g`` (see
    queries.traverse.per_version): analytics are computed once per graph version and
    arguments. Concurrent first callers of one key wait for one computation; other keys go
    on meanwhile (analytics read each other's kept parts, never in a cycle)."""
    table: dict = per_version(g, name, lambda h: {})
    if key in table:
        return table[key]
    with _LOCKS_LOCK:
        lock = _LOCKS.setdefault((id(table), key), threading.Lock())
    with lock:
        if key not in table:
            table[key] = compute()
    with _LOCKS_LOCK:
        _LOCKS.pop((id(table), key), None)
    return table[key]
