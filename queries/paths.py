"""Paths between two entities: all shortest, k shortest, and all simple paths (bounded).

Every function takes the same filters (see ``queries.traverse.Walk``): ``relations``,
``node_kinds`` (for intermediate nodes; the endpoints are always allowed) and ``directed``.
Each returns ``{"source", "target", "mode", "filters", "count", "truncated", "paths",
"nodes"}``: ``paths`` are ``{"length", "nodes", "hops"}`` (hops as in ``queries.views``),
shortest first, and ``nodes`` maps every node id on them to its summary. Shortest and all
simple paths of one length come in the order of their node-id sequences, found in that order,
so a smaller ``limit`` gives a prefix of a larger one's answer (as the Neo4j backend's
``ORDER BY ids``). No path raises
``NoAnswer`` naming the entities and the filters.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Iterator
from itertools import islice, takewhile
from typing import Any

import networkx as nx

from queries import checks
from queries.errors import NoAnswer
from queries.traverse import Walk, check_nodes
from queries.views import node_summaries, node_summary, path_view

Json = dict[str, Any]
DEFAULT_LIMIT = 20
DEFAULT_TIMEOUT = 1.0  # seconds an all-simple-paths search may run before it stops
_DEADLINE_CHECK_EVERY = 512  # DFS steps between clock reads


def shortest_paths(g: nx.MultiDiGraph, a: str, b: str, *,
                   relations: Collection[str] | None = None,
                   node_kinds: Collection[str] | None = None, directed: bool = False,
                   max_length: int | None = None, limit: int = DEFAULT_LIMIT) -> Json:
    """All shortest paths from ``a`` to ``b`` (at most ``limit`` of them), by bidirectional
    breadth-first search over the filtered adjacency."""
    walk = _walk(g, a, b, relations, node_kinds, directed)
    checks.at_least_one(limit=limit, max_length=max_length)
    return respond(g, walk, a, b, "shortest",
                   find(walk, a, b, "shortest", max_length=max_length, wanted=limit + 1),
                   limit=limit, max_length=max_length)


def k_shortest_paths(g: nx.MultiDiGraph, a: str, b: str, k: int, *,
                     relations: Collection[str] | None = None,
                     node_kinds: Collection[str] | None = None, directed: bool = False,
                     max_length: int | None = None) -> Json:
    """The ``k`` shortest simple paths (networkx ``shortest_simple_paths``, Yen's algorithm)
    over a simple projection of the graph; the projection is cached per graph version."""
    walk = _walk(g, a, b, relations, node_kinds, directed)
    checks.at_least_one(k=k, max_length=max_length)
    return respond(g, walk, a, b, "k_shortest",
                   find(walk, a, b, "k_shortest", max_length=max_length, wanted=k + 1),
                   limit=k, max_length=max_length)


def all_simple_paths(g: nx.MultiDiGraph, a: str, b: str, *, max_length: int,
                     limit: int = DEFAULT_LIMIT, relations: Collection[str] | None = None,
                     node_kinds: Collection[str] | None = None, directed: bool = False,
                     timeout: float = DEFAULT_TIMEOUT) -> Json:
    """Simple paths of at most ``max_length`` hops, shortest first, at most ``limit`` of them,
    searched for at most ``timeout`` seconds; ``timed_out`` says whether the clock stopped it.

    Depth-first search, one path length at a time, pruned by each node's distance to ``b``
    (a node further from ``b`` than the hops left cannot be on a path)."""
    walk = _walk(g, a, b, relations, node_kinds, directed)
    checks.at_least_one(limit=limit, max_length=max_length)
    found = find(walk, a, b, "all_simple", max_length=max_length, wanted=limit + 1,
                 timeout=timeout)
    return respond(g, walk, a, b, "all_simple", found, limit=limit, max_length=max_length,
                   timeout=timeout)


def find(walk: Walk, a: str, b: str, mode: str, *, max_length: int | None, wanted: int,
         timeout: float = DEFAULT_TIMEOUT) -> tuple[list[list[str]], bool]:
    """Up to ``wanted`` node-id paths of ``mode`` over the embedded graph, and whether the
    clock stopped the search (what ``queries.store.GraphStore.find_paths`` returns)."""
    if mode == "shortest":
        found = _shortest_path_dag(walk, a, b, max_length)
        return (list(islice(_dag_paths(a, b, *found), wanted)) if found else []), False
    if mode == "k_shortest":
        view = simple_projection(walk.g, walk.relations, walk.directed)
        if walk.node_kinds is not None:
            view = nx.subgraph_view(view, filter_node=walk.node_allowed)
        try:
            paths = nx.shortest_simple_paths(view, a, b)  # shortest first: stop at max_length
            return list(takewhile(lambda p: max_length is None or len(p) - 1 <= max_length,
                                  islice(paths, wanted))), False
        except nx.NetworkXNoPath:
            return [], False
    assert max_length is not None
    deadline = time.monotonic() + timeout
    to_b = walk.distances(b, reverse=True, cutoff=max_length)
    state = {"timed_out": False}
    node_paths: list[list[str]] = []
    if a in to_b:
        for length in range(to_b[a], max_length + 1):
            node_paths += islice(_paths_of_length(walk, a, b, length, to_b, deadline, state),
                                 wanted - len(node_paths))
            if len(node_paths) >= wanted or state["timed_out"]:
                break
    return node_paths, state["timed_out"]


def respond(g: nx.MultiDiGraph, walk: Walk, a: str, b: str, mode: str,
            found: tuple[list[list[str]], bool], *, limit: int, max_length: int | None,
            timeout: float = DEFAULT_TIMEOUT) -> Json:
    """The answer to a path question from the node paths found (``find`` or a store's
    ``find_paths``), rendered over ``g`` (the graph, or the part of it on the paths);
    ``NoAnswer`` naming the entities and the filters when none was found."""
    node_paths, timed_out = found
    if not node_paths:
        within = f"; at most {max_length} hops" if max_length is not None else ""
        if timed_out:
            raise NoAnswer(f"no path from {_name(g, a)} to {_name(g, b)} found within "
                           f"{timeout:g} s ({walk.filter_text()}{within})")
        raise NoAnswer(f"no path from {_name(g, a)} to {_name(g, b)} "
                       f"({walk.filter_text()}{within})")
    extra: Json = {"shortest": {}, "k_shortest": {"k": limit, "timed_out": timed_out},
                   "all_simple": {"max_length": max_length, "timed_out": timed_out}}[mode]
    truncated = len(node_paths) > limit
    node_paths = sorted(node_paths[:limit], key=lambda p: (len(p), p))
    seen: dict[tuple[str, str], Json] = {}
    paths = [path_view(g, p, walk.relations, walk.directed, seen) for p in node_paths]
    return {"source": node_summary(g, a), "target": node_summary(g, b), "mode": mode,
            "filters": walk.describe(), **extra, "count": len(paths), "truncated": truncated,
            "paths": paths, "nodes": node_summaries(g, (n for p in node_paths for n in p))}


# -- shortest paths: bidirectional BFS that keeps every shortest predecessor ----------------

def _shortest_path_dag(walk: Walk, a: str, b: str, max_length: int | None
                       ) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]] | None:
    """Meeting nodes and the two predecessor maps of all shortest a-b paths, or None.

    Expands the smaller frontier one whole level at a time; the first level that touches the
    other side holds exactly one node of every shortest path, so the shortest paths are the
    (a -> m) halves times the (m -> b) halves over those meeting nodes m."""
    ahead: dict[str, list[str]] = {a: []}  # node -> its predecessors on shortest a-paths
    behind: dict[str, list[str]] = {b: []}  # node -> its successors on shortest b-paths
    dist_a, dist_b = {a: 0}, {b: 0}
    front_a, front_b = [a], [b]
    while front_a and front_b:
        if max_length is not None and dist_a[front_a[0]] + dist_b[front_b[0]] >= max_length:
            return None
        forward = len(front_a) <= len(front_b)
        front, dist, links, other = ((front_a, dist_a, ahead, dist_b) if forward
                                     else (front_b, dist_b, behind, dist_a))
        step = walk.onward if forward else walk.backward
        level = dist[front[0]] + 1
        nxt: list[str] = []
        for u in front:
            for w in step(u):
                seen = dist.get(w)
                if seen is None:
                    dist[w] = level
                    links[w] = [u]
                    nxt.append(w)
                elif seen == level:
                    links[w].append(u)
        if forward:
            front_a = nxt
        else:
            front_b = nxt
        meeting = [w for w in nxt if w in other]
        if meeting:
            best = min(dist_a[w] + dist_b[w] for w in meeting)
            return [w for w in meeting if dist_a[w] + dist_b[w] == best], ahead, behind
    return None


def _dag_paths(a: str, b: str, meeting: list[str], ahead: dict[str, list[str]],
               behind: dict[str, list[str]]) -> Iterator[list[str]]:
    """Every shortest path, lazily (there can be exponentially many), in the order of their
    node-id sequences: a depth-first walk from ``a`` trying the next nodes in id order.

    Before the meeting nodes a path steps along ``ahead`` reversed (only to nodes that lead to
    a meeting node); from them on along ``behind``. The two parts hold nodes of different
    distances from ``a``, so one successor map serves both, and every branch reaches ``b``."""
    onward: dict[str, list[str]] = defaultdict(list)
    seen, stack = set(meeting), list(meeting)
    while stack:
        node = stack.pop()
        for prev in ahead[node]:
            onward[prev].append(node)
            if prev not in seen:
                seen.add(prev)
                stack.append(prev)
    nexts: dict[str, list[str]] = {}

    def successors(node: str) -> list[str]:
        found = nexts.get(node)
        if found is None:
            found = nexts[node] = sorted(onward[node] if node in onward else behind[node])
        return found

    path, branches = [a], [iter(successors(a))]
    while branches:
        node = next(branches[-1], None)
        if node is None:
            branches.pop()
            path.pop()
        elif node == b:
            yield [*path, b]
        else:
            path.append(node)
            branches.append(iter(successors(node)))


# -- all simple paths -----------------------------------------------------------------------

def _paths_of_length(walk: Walk, a: str, b: str, length: int, to_b: dict[str, int],
                     deadline: float, state: dict[str, bool]) -> Iterator[list[str]]:
    """The simple a-b paths of ``length`` hops, in the order of their node-id sequences."""
    nexts: dict[str, list[str]] = {}

    def onward(node: str) -> Iterator[str]:
        found = nexts.get(node)
        if found is None:  # only nodes that can still reach b in time are worth sorting
            found = nexts[node] = sorted(w for w in walk.onward(node) if w in to_b)
        return iter(found)

    path = [a]
    on_path = {a}
    stack = [onward(a)]
    steps = 0
    while stack:
        steps += 1
        if steps % _DEADLINE_CHECK_EVERY == 0 and time.monotonic() > deadline:
            state["timed_out"] = True
            return
        w = next(stack[-1], None)
        if w is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        hops = len(path)  # hops after stepping to w
        if w == b:
            if hops == length:
                yield [*path, b]
            continue
        if w in on_path or to_b.get(w, length + 1) > length - hops:
            continue
        path.append(w)
        on_path.add(w)
        stack.append(onward(w))


# -- simple projection for k shortest paths -------------------------------------------------

_PROJECTIONS: OrderedDict[tuple, nx.Graph] = OrderedDict()
_PROJECTIONS_LOCK = threading.Lock()
_PROJECTIONS_KEPT = 8


def simple_projection(g: nx.MultiDiGraph, relations: frozenset[str] | None,
                      directed: bool) -> nx.Graph:
    """``g`` as a simple Graph (DiGraph when ``directed``) keeping only ``relations``;
    cached per (graph version, relations, directed)."""
    version = g.graph.get("version")
    key = (version, id(g) if version is None else None, relations, directed)
    with _PROJECTIONS_LOCK:
        projection = _PROJECTIONS.get(key)
        if projection is not None:
            _PROJECTIONS.move_to_end(key)
            return projection
    projection = nx.DiGraph() if directed else nx.Graph()
    projection.add_nodes_from(g)
    projection.add_edges_from(
        (u, v) for u, v, rel in g.edges(keys=True)
        if u != v and (relations is None or rel in relations))
    with _PROJECTIONS_LOCK:
        _PROJECTIONS[key] = projection
        while len(_PROJECTIONS) > _PROJECTIONS_KEPT:
            _PROJECTIONS.popitem(last=False)
    return projection


# -- shared ---------------------------------------------------------------------------------

def _walk(g: nx.MultiDiGraph, a: str, b: str, relations: Collection[str] | None,
          node_kinds: Collection[str] | None, directed: bool) -> Walk:
    check_nodes(g, a, b)
    checks.distinct_endpoints(a, b)
    return Walk.of(g, relations=relations, node_kinds=node_kinds, directed=directed,
                   endpoints=(a, b))


def _name(g: nx.MultiDiGraph, node_id: str) -> str:
    a = g.nodes[node_id]
    return f"{node_id} ({a['name_zh']} / {a['name_en']})"
