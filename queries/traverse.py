"""Filtered walks over the embedded graph: which neighbours a path may step to.

A ``Walk`` fixes the filters of one query: relation kinds (None = all), node kinds for the
nodes a path passes through (None = all; the endpoints are always allowed) and direction
(``directed``: follow stored edge direction only; otherwise either way). It reads networkx's
adjacency dicts directly, because paths must be fast on 100k-node graphs.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import networkx as nx

from graph.timeline import either_way
from queries.errors import NodeNotFound

T = TypeVar("T")


def check_nodes(g: nx.MultiDiGraph, *node_ids: str) -> None:
    for node_id in node_ids:
        if node_id not in g:
            raise NodeNotFound(node_id)


@dataclass(frozen=True)
class Walk:
    g: nx.MultiDiGraph
    relations: frozenset[str] | None = None
    node_kinds: frozenset[str] | None = None
    directed: bool = False
    endpoints: frozenset[str] = field(default_factory=frozenset)
    #: an unfiltered undirected walk's steps (the common case): ``graph.timeline.either_way``
    _either: tuple[Callable[[str], list[str]], Callable[[str], list[str]]] | None = field(
        default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.relations is None and self.node_kinds is None and not self.directed:
            object.__setattr__(self, "_either", (either_way(self.g),
                                                 either_way(self.g, targets_first=False)))

    @classmethod
    def of(cls, g: nx.MultiDiGraph, *, relations: Collection[str] | None = None,
           node_kinds: Collection[str] | None = None, directed: bool = False,
           endpoints: Collection[str] = ()) -> Walk:
        return cls(g, frozenset(relations) if relations is not None else None,
                   frozenset(node_kinds) if node_kinds is not None else None, directed,
                   frozenset(endpoints))

    def node_allowed(self, node_id: str) -> bool:
        return (self.node_kinds is None or node_id in self.endpoints
                or self.g._node[node_id]["kind"] in self.node_kinds)

    def _steps(self, adjacency: dict, node_id: str) -> Iterator[str]:
        relations = self.relations
        if relations is None and self.node_kinds is None:  # no filter: a directed walk
            yield from (other for other in adjacency[node_id] if other != node_id)
            return
        for other, by_rel in adjacency[node_id].items():
            if other == node_id:
                continue
            if relations is not None and relations.isdisjoint(by_rel):
                continue
            if self.node_allowed(other):
                yield other

    def onward(self, node_id: str) -> Iterable[str]:
        """Nodes a path can step to from ``node_id``."""
        if self._either is not None:
            return self._either[0](node_id)
        return self._onward(node_id)

    def backward(self, node_id: str) -> Iterable[str]:
        """Nodes from which a path can step to ``node_id``."""
        if self._either is not None:
            return self._either[1](node_id)
        return self._backward(node_id)

    def _onward(self, node_id: str) -> Iterator[str]:
        yield from self._steps(self.g._succ, node_id)
        if not self.directed:
            yield from self._back_only(node_id)

    def _backward(self, node_id: str) -> Iterator[str]:
        yield from self._steps(self.g._pred, node_id)
        if not self.directed:
            yield from self._forward_only(node_id)

    def _back_only(self, node_id: str) -> Iterator[str]:
        # predecessors not already yielded as successors (each neighbour once)
        succ = self.g._succ[node_id]
        for other in self._steps(self.g._pred, node_id):
            by_rel = succ.get(other)
            if by_rel is None or (self.relations is not None
                                  and self.relations.isdisjoint(by_rel)):
                yield other

    def _forward_only(self, node_id: str) -> Iterator[str]:
        pred = self.g._pred[node_id]
        for other in self._steps(self.g._succ, node_id):
            by_rel = pred.get(other)
            if by_rel is None or (self.relations is not None
                                  and self.relations.isdisjoint(by_rel)):
                yield other

    def distances(self, start: str, *, reverse: bool = False,
                  cutoff: int | None = None) -> dict[str, int]:
        """Hop counts from ``start`` (to ``start`` when ``reverse``), at most ``cutoff``."""
        step = self.backward if reverse else self.onward
        dist = {start: 0}
        frontier = [start]
        depth = 0
        while frontier and (cutoff is None or depth < cutoff):
            depth += 1
            nxt = []
            for u in frontier:
                for w in step(u):
                    if w not in dist:
                        dist[w] = depth
                        nxt.append(w)
            frontier = nxt
        return dist

    def describe(self) -> dict:
        """The filters, JSON-ready (for answers and NoAnswer messages)."""
        return {"relations": sorted(self.relations) if self.relations is not None else None,
                "node_kinds": sorted(self.node_kinds) if self.node_kinds is not None else None,
                "directed": self.directed}

    def filter_text(self) -> str:
        parts = []
        if self.relations is not None:
            parts.append("relations " + ", ".join(sorted(self.relations)))
        if self.node_kinds is not None:
            parts.append("passing only through " + ", ".join(sorted(self.node_kinds)))
        parts.append("following edge direction" if self.directed else "either direction")
        return "; ".join(parts)


_PER_VERSION_LOCK = threading.RLock()  # re-entrant: one computation may need another


def per_version(g: nx.MultiDiGraph, name: str, compute: Callable[[nx.MultiDiGraph], T]) -> T:
    """``compute(g)``, kept in ``g.graph[name]`` with the graph's version and computed again
    for another version (never kept for a graph without a version). Concurrent first calls
    wait for one computation rather than each doing it."""
    version = g.graph.get("version")
    if version is None:
        return compute(g)
    kept = g.graph.get(name)
    if kept is None or kept[0] != version:
        with _PER_VERSION_LOCK:
            kept = g.graph.get(name)
            if kept is None or kept[0] != version:
                kept = g.graph[name] = (version, compute(g))
    return kept[1]


def _ids_by_kind(g: nx.MultiDiGraph) -> dict[str, tuple[str, ...]]:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for node_id, node_kind in g.nodes(data="kind"):
        by_kind[node_kind].append(node_id)
    return {k: tuple(sorted(ids)) for k, ids in by_kind.items()}


def ids_of_kind(g: nx.MultiDiGraph, kind: str) -> tuple[str, ...]:
    """The sorted ids of the nodes of ``kind``, indexed once per graph version (listing a
    kind scans every node)."""
    return per_version(g, "_ids_by_kind", _ids_by_kind).get(kind, ())
