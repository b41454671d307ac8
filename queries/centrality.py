"""Centrality measures, computed once per graph version with igraph, ranked and summarised.

Conventions (each answer repeats its own under ``method``):

- ``degree`` / ``in_degree`` / ``out_degree``: raw counts of stored edges at the node; two
  relations between the same two nodes are two edges (the MultiDiGraph's degree).
- ``pagerank``: on the directed graph (importance flows along stored edge direction: funded,
  hosting, affiliated-to nodes gain), parallel edges each count, damping 0.85, dangling nodes
  spread their rank uniformly. Same definition as ``nx.pagerank(g)``.
- ``betweenness``, ``closeness``, ``harmonic``, ``eigenvector``: on the undirected simple view
  (direction and parallel relations dropped): an actor between two others brokers between
  them whichever way the stored edges point.
  - ``betweenness`` normalised as networkx: divided by (n-1)(n-2)/2 pairs. Exact (Brandes)
    up to ``exact_max_nodes`` nodes; above, sampled Brandes from ``sample_size`` random
    sources (igraph's subset betweenness), scaled exactly as ``nx.betweenness_centrality(
    G, k=sample_size, seed=seed)``, which picks the same sources.
  - ``closeness`` as networkx (Wasserman-Faust for disconnected graphs):
    (r-1)/(n-1) * (r-1)/(sum of distances to the r-1 reachable nodes).
  - ``harmonic`` as networkx: the sum of 1/distance, not normalised.
    For both: exact in components of at most ``exact_max_nodes`` nodes; in larger components
    each node's distance sums are estimated from BFS out of ``pivots`` random pivots of
    its component (Eppstein-Wang), which keeps 100k-node graphs to seconds.
  - ``eigenvector`` scaled to unit Euclidean norm, as networkx; in a disconnected graph only
    the component with the largest eigenvalue gets non-zero scores (computed on that
    component alone; components tying for it share the scores as networkx's iteration does).

Rankings break ties by id; ``distribution`` summarises the scores of the ranked scope (the
whole graph or one kind) as Neo4j GDS does: min, max, mean, p50, p90, p99 (nearest rank) and
count. Scores are cached per ``g.graph["version"]`` (thread-safe: one computation per
version and measure, concurrent callers wait for it).
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import os
import random
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np

from graph.neo4j_sync import CentralityScores
from queries import checks
from queries.checks import CENTRALITY_MEASURES
from queries.igraph_tasks import subset_betweenness
from queries.views import node_summary

log = logging.getLogger(__name__)

Json = dict[str, Any]
UNDIRECTED_SIMPLE = "undirected simple view (direction and parallel relations dropped)"
# Pivots per distance-matrix batch (8 x n floats); each batch is one igraph call holding the
# GIL, about a tenth of a second on 100k nodes, so requests in flight wait no longer.
PIVOT_BATCH = 8


@dataclass(frozen=True)
class Settings:
    sample_size: int = 500  # random sources for sampled betweenness
    # random pivots for closeness and harmonic: distance sums average over the pivots, so
    # they converge much faster than betweenness (relative error ~ 1/sqrt(pivots))
    pivots: int = 250
    exact_max_nodes: int = 5000  # above this, the three path-based measures are estimated
    seed: int = 42
    # Sampled betweenness is the slowest measure by far, and igraph holds the GIL while it
    # runs (a server thread computing it stalls every request for seconds): spawned
    # processes take this share of its sources, split between ``helper_processes`` of them
    # (started as soon as a path-based measure is asked for, so they overlap closeness too).
    # 0 keeps everything in this process.
    helper_share: float = 1.0 if (os.cpu_count() or 1) > 1 else 0.0
    helper_processes: int = 2


DEFAULT_SETTINGS = Settings()


@dataclass
class Scores:
    values: list[float]  # by igraph vertex index, i.e. networkx node order
    method: Json


@dataclass
class _Entry:
    """Everything computed for one graph version."""

    ids: list[str]
    directed: ig.Graph  # multigraph, as stored
    undirected: ig.Graph  # simple
    lock: threading.Lock = field(default_factory=threading.Lock)
    scores: dict[str, Scores] = field(default_factory=dict)
    betweenness_share: _HelperShare | None = None


_CACHE: OrderedDict[tuple, _Entry] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_KEPT = 4


def _entry(g: nx.MultiDiGraph, settings: Settings) -> _Entry:
    version = g.graph.get("version")
    key = (version if version is not None else ("unversioned", id(g)), settings)
    with _CACHE_LOCK:
        entry = _CACHE.get(key)
        if entry is None:
            entry = _CACHE[key] = _to_igraph(g)
            while len(_CACHE) > _CACHE_KEPT:
                _CACHE.popitem(last=False)
        _CACHE.move_to_end(key)
        return entry


def _to_igraph(g: nx.MultiDiGraph) -> _Entry:
    ids = list(g.nodes)
    index = {node_id: i for i, node_id in enumerate(ids)}
    edges = []  # one per stored edge; reading the adjacency dicts directly is ~2x faster
    for u, neighbours in g._succ.items():
        i = index[u]
        for v, by_rel in neighbours.items():
            edges.extend([(i, index[v])] * len(by_rel))
    directed = ig.Graph(n=len(ids), edges=edges, directed=True)
    undirected = ig.Graph(n=len(ids), edges=edges, directed=False)
    undirected.simplify()
    return _Entry(ids, directed, undirected)


# -- the measures ---------------------------------------------------------------------------

def _degree(mode: str, label: str) -> Callable[[_Entry, Settings], Scores]:
    def compute(entry: _Entry, settings: Settings) -> Scores:
        values = [float(d) for d in entry.directed.degree(mode=mode, loops=True)]
        return Scores(values, {"graph": "directed multigraph as stored",
                               "normalized": False, "exact": True,
                               "definition": f"number of {label} edges"})
    return compute


def _pagerank(entry: _Entry, settings: Settings) -> Scores:
    values = entry.directed.pagerank(directed=True, damping=0.85)
    return Scores(values, {"graph": "directed multigraph as stored (parallel edges count)",
                           "normalized": True, "exact": True, "damping": 0.85,
                           "definition": "PageRank; scores sum to 1 (as nx.pagerank)"})


def _eigenvector(entry: _Entry, settings: Settings) -> Scores:
    n = entry.undirected.vcount()
    if entry.undirected.ecount() == 0:
        values = [1 / math.sqrt(n)] * n if n else []
    else:
        values = [0.0] * n
        for members, vector in _principal_components(entry.undirected):
            for v, x in zip(members, vector, strict=True):
                values[v] = abs(x)
        norm = math.sqrt(sum(x * x for x in values)) or 1.0
        values = [x / norm for x in values]
    return Scores(values, {"graph": UNDIRECTED_SIMPLE, "normalized": True, "exact": True,
                           "definition": "principal eigenvector, unit Euclidean norm "
                                         "(as nx.eigenvector_centrality)"})


EIGENVALUE_TIE = 1e-9  # relative: components whose largest eigenvalues are this close tie


def _principal_components(graph: ig.Graph) -> list[tuple[list[int], list[float]]]:
    """The connected components (members, scores) whose adjacency matrix has the largest
    eigenvalue: the principal eigenvector of the whole graph is theirs (zero elsewhere).

    igraph only ever sees a connected graph: on a disconnected one its C core warns that some
    scores are nearly zero, and in any thread but the one that imported igraph that warning
    is printed straight to stderr (python-igraph's warning handler is per thread, out of
    reach of Python's warning filters). Tied components are weighted by their score sums
    (unit-norm scores), as the power iteration from a uniform start (networkx's) weights them.
    """
    degree = graph.degree()
    components = [(max(degree[v] for v in c), c) for c in graph.connected_components()
                  if len(c) > 1]
    # A component's largest eigenvalue is at most its largest degree: likeliest first, and
    # stop at the first that cannot reach the best found.
    components.sort(key=lambda bound_members: bound_members[0], reverse=True)
    found: list[tuple[float, list[int], list[float]]] = []
    best = 0.0
    for bound, members in components:
        if bound < best * (1 - EIGENVALUE_TIE):
            break
        component = graph if len(members) == graph.vcount() else graph.induced_subgraph(
            members)
        vector, value = component.eigenvector_centrality(return_eigenvalue=True)
        found.append((value, members, vector))
        best = max(best, value)
    chosen = [(members, vector) for value, members, vector in found
              if value >= best * (1 - EIGENVALUE_TIE)]
    if len(chosen) == 1:
        return chosen
    weighted = []
    for members, vector in chosen:
        squares = sum(x * x for x in vector)
        weight = sum(vector) / squares  # unit-norm scores times their sum
        weighted.append((members, [x * weight for x in vector]))
    return weighted


def _betweenness_sources(n: int, settings: Settings) -> list[int] | None:
    """The sampled sources, or None when betweenness is exact."""
    if n < 3 or n <= settings.exact_max_nodes or settings.sample_size >= n:
        return None
    return random.Random(settings.seed).sample(range(n), settings.sample_size)


@dataclass
class _HelperShare:
    """Subset betweenness from ``sources`` being computed by spawned processes (one future
    per part of the sources)."""

    sources: list[int]
    futures: list[Future]
    pool: ProcessPoolExecutor | None

    def result(self, entry: _Entry) -> list[float]:
        try:
            if self.futures:
                parts = [future.result() for future in self.futures]
                return [sum(values) for values in zip(*parts, strict=True)]
        except Exception as exc:  # the processes are only a speed-up: fall back
            log.warning("betweenness helper process failed (%s); computing here", exc)
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=False)
        return entry.undirected.betweenness(directed=False, sources=self.sources)


def _start_helper(entry: _Entry, settings: Settings) -> None:
    """Hand the helper share of sampled betweenness to spawned processes (once per entry)."""
    if entry.betweenness_share is not None or settings.helper_share <= 0:
        return
    sources = _betweenness_sources(entry.undirected.vcount(), settings)
    if sources is None:
        return
    share = sources[:round(len(sources) * settings.helper_share)]
    processes = max(1, min(settings.helper_processes, len(share)))
    parts = [share[i::processes] for i in range(processes)]
    try:
        pool = ProcessPoolExecutor(processes, mp_context=mp.get_context("spawn"))
        edges = entry.undirected.get_edgelist()
        futures = [pool.submit(subset_betweenness, entry.undirected.vcount(), edges, part)
                   for part in parts]
    except (OSError, RuntimeError) as exc:
        log.warning("no betweenness helper process (%s); computing here", exc)
        pool, futures = None, []
    entry.betweenness_share = _HelperShare(share, futures, pool)


def _betweenness(entry: _Entry, settings: Settings) -> Scores:
    ug = entry.undirected
    n = ug.vcount()
    method: Json = {"graph": UNDIRECTED_SIMPLE, "normalized": True,
                    "definition": "shortest-path betweenness / ((n-1)(n-2)/2) "
                                  "(as nx.betweenness_centrality)"}
    if n < 3:
        return Scores([0.0] * n, {**method, "exact": True})
    sources = _betweenness_sources(n, settings)
    if sources is None:
        raw = ug.betweenness(directed=False)
        scale = 2 / ((n - 1) * (n - 2))
        return Scores([b * scale for b in raw], {**method, "exact": True})
    _start_helper(entry, settings)
    helper = entry.betweenness_share
    mine = sources[len(helper.sources):] if helper is not None else sources
    raw = ug.betweenness(directed=False, sources=mine) if mine else [0.0] * n
    if helper is not None:  # betweenness from a set of sources is the sum over the sources
        raw = [a + b for a, b in zip(raw, helper.result(entry), strict=True)]
        entry.betweenness_share = None
    # networkx's k-sample scaling (endpoints excluded): the (s, t) pairs a node can lie on
    # number k(n-2), or (k-1)(n-2) when it is itself a source; igraph counts each pair once,
    # networkx twice, hence the 2
    k = len(sources)
    is_source = set(sources)
    values = [2 * b / ((k - 1 if v in is_source else k) * (n - 2)) for v, b in enumerate(raw)]
    return Scores(values, {**method, "exact": False, "sample_size": k, "seed": settings.seed,
                           "estimator": "sampled Brandes (random sources)"})


def _distance_based(entry: _Entry, settings: Settings) -> tuple[Scores, Scores]:
    """Closeness and harmonic together: both come from the same BFS distances."""
    ug = entry.undirected
    n = ug.vcount()
    components = ug.connected_components()
    sizes = components.sizes()
    membership = components.membership
    closeness = [0.0] * n
    harmonic = [0.0] * n
    small = [v for v in range(n) if sizes[membership[v]] <= settings.exact_max_nodes]
    if small:
        for v, c, h in zip(small, ug.closeness(vertices=small, normalized=True),
                           ug.harmonic_centrality(vertices=small, normalized=False),
                           strict=True):
            r = sizes[membership[v]]
            closeness[v] = 0.0 if r <= 1 or math.isnan(c) else c * (r - 1) / (n - 1)
            harmonic[v] = h
    rng = random.Random(settings.seed)
    estimated = 0
    for component in components:
        r = len(component)
        if r <= settings.exact_max_nodes:
            continue
        estimated += r
        pivots = rng.sample(component, min(settings.pivots, r))
        sum_d = np.zeros(r)
        sum_inv = np.zeros(r)
        for start in range(0, len(pivots), PIVOT_BATCH):
            dist = np.array(ug.distances(source=pivots[start:start + PIVOT_BATCH],
                                         target=component))
            sum_d += dist.sum(axis=0)
            with np.errstate(divide="ignore"):
                inv = 1.0 / dist
            inv[dist == 0] = 0.0
            sum_inv += inv.sum(axis=0)
        is_pivot = set(pivots)
        for i, v in enumerate(component):
            k_v = len(pivots) - (v in is_pivot)  # pivots other than v itself
            if k_v == 0 or sum_d[i] == 0:
                continue
            closeness[v] = float((r - 1) / (n - 1) * k_v / sum_d[i])
            harmonic[v] = float((r - 1) / k_v * sum_inv[i])
    exact = estimated == 0
    sampling: Json = {"exact": exact}
    if not exact:
        sampling.update({"sample_size": settings.pivots, "seed": settings.seed,
                         "estimated_nodes": estimated,
                         "estimator": "random pivots per large component (Eppstein-Wang)"})
    return (
        Scores(closeness, {"graph": UNDIRECTED_SIMPLE, "normalized": True, **sampling,
                           "definition": "(r-1)/(n-1) * (r-1)/sum of distances to the r-1 "
                                         "reachable nodes (as nx.closeness_centrality)"}),
        Scores(harmonic, {"graph": UNDIRECTED_SIMPLE, "normalized": False, **sampling,
                          "definition": "sum of 1/distance to every other node "
                                        "(as nx.harmonic_centrality)"}),
    )


_SINGLE: dict[str, Callable[[_Entry, Settings], Scores]] = {
    "degree": _degree("all", "incoming and outgoing"),
    "in_degree": _degree("in", "incoming"),
    "out_degree": _degree("out", "outgoing"),
    "pagerank": _pagerank,
    "eigenvector": _eigenvector,
    "betweenness": _betweenness,
}


def _scores(entry: _Entry, measure: str, settings: Settings) -> Scores:
    """The cached scores of ``measure``; the caller holds ``entry.lock``."""
    if measure not in entry.scores:
        if measure in ("closeness", "harmonic"):
            if "betweenness" not in entry.scores:
                _start_helper(entry, settings)  # it works while this computes distances
            entry.scores["closeness"], entry.scores["harmonic"] = _distance_based(entry,
                                                                                  settings)
        else:
            entry.scores[measure] = _SINGLE[measure](entry, settings)
    return entry.scores[measure]


# -- public ---------------------------------------------------------------------------------

def measured(g: nx.MultiDiGraph, measure: str, settings: Settings = DEFAULT_SETTINGS
             ) -> tuple[dict[str, float], Json]:
    """``({node_id: score}, method)`` for every node."""
    checks.measure(measure)
    entry = _entry(g, settings)
    with entry.lock:
        scores = _scores(entry, measure, settings)
    return dict(zip(entry.ids, scores.values, strict=True)), scores.method


def centrality_scores(g: nx.MultiDiGraph, measure: str,
                      settings: Settings = DEFAULT_SETTINGS) -> dict[str, float]:
    """``{node_id: score}`` for every node."""
    return measured(g, measure, settings)[0]


def compute_all(g: nx.MultiDiGraph, settings: Settings = DEFAULT_SETTINGS
                ) -> dict[str, dict[str, float]]:
    """Every measure: ``{measure: {node_id: score}}`` (what the Neo4j write-back stores)."""
    return {measure: centrality_scores(g, measure, settings) for measure in CENTRALITY_MEASURES}


def centrality(g: nx.MultiDiGraph, measure: str, *, kind: str | None = None, top: int = 10,
               settings: Settings = DEFAULT_SETTINGS) -> Json:
    """The ``top`` nodes by ``measure`` (of ``kind`` only, scores computed on the whole graph)
    with the distribution of the scores in that scope.

    Returns ``{"measure", "kind", "top", "version", "method", "count", "items",
    "distribution"}``; items are node summaries with ``rank`` (1-based) and ``score``."""
    checks.measure(measure)
    checks.node_kind("kind", kind)
    checks.at_least_one(top=top)
    values, method = measured(g, measure, settings)
    order, summary = ranking(values, dict(g.nodes(data="kind")), kind)
    return answer(measure, kind, top, g.graph.get("version"), method, order, summary,
                  {n: node_summary(g, n) for n, _ in order[:top]})


def ranking(values: dict[str, float], kinds: dict[str, str], kind: str | None
            ) -> tuple[list[tuple[str, float]], Json]:
    """The ``(id, score)`` of the nodes in scope (of ``kind``, or all), best first (ties by
    id), and the distribution of their scores."""
    scope = [(n, s) for n, s in values.items() if kind is None or kinds[n] == kind]
    scope.sort(key=lambda pair: (-pair[1], pair[0]))
    return scope, distribution([s for _, s in scope])


def answer(measure: str, kind: str | None, top: int, version: str | None, method: Json,
           order: list[tuple[str, float]], summary: Json, summaries: dict[str, Json]) -> Json:
    """The centrality answer from a ranking and the summaries of its first ``top`` nodes."""
    items = [{"rank": i + 1, "score": score, **summaries[node_id]}
             for i, (node_id, score) in enumerate(order[:top])]
    return {"measure": measure, "kind": kind, "top": top, "version": version,
            "method": method, "count": len(order), "items": items, "distribution": summary}


def distribution(values: list[float]) -> Json:
    """min, max, mean, p50, p90, p99 (nearest rank) and count; None values when empty."""
    if not values:
        return {"count": 0, "min": None, "max": None, "mean": None, "p50": None, "p90": None,
                "p99": None}
    ordered = sorted(values)
    n = len(ordered)

    def percentile(p: float) -> float:
        return ordered[max(math.ceil(p / 100 * n) - 1, 0)]

    return {"count": n, "min": ordered[0], "max": ordered[-1], "mean": math.fsum(ordered) / n,
            "p50": percentile(50), "p90": percentile(90), "p99": percentile(99)}


def for_sync(g: nx.MultiDiGraph, settings: Settings = DEFAULT_SETTINGS) -> CentralityScores:
    """Every measure's scores and method, and the ecosystem analytics per node (community,
    constraint, effective size, sphere: ``graph.neo4j_rows.ANALYTICS_PROPERTIES``), as
    ``graph.neo4j_sync`` writes them back."""
    measured_all = {measure: measured(g, measure, settings) for measure in CENTRALITY_MEASURES}
    analytics, analytics_methods = _analytics_for_sync(g)
    return CentralityScores({m: values for m, (values, _) in measured_all.items()},
                            {**{m: method for m, (_, method) in measured_all.items()},
                             **analytics_methods}, analytics)


def _analytics_for_sync(g: nx.MultiDiGraph) -> tuple[dict[str, dict[str, Any]],
                                                     dict[str, Any]]:
    """The values the API answers with (same defaults: Leiden resolution 1, seed 42; the
    brokers' rows), by property; nodes outside an analytic (sectors, sources, non-actors)
    get no value."""
    # imported here: the ecosystem analytics are a layer above the centrality measures
    from queries.ecosystem.brokers import actor_rows
    from queries.ecosystem.communities import communities
    from queries.ecosystem.network import network

    found = communities(g, membership=True, limit=1)
    membership = found["membership"]
    rows = actor_rows(g, "brokerage")
    values = {
        "community": membership,
        "community_name": _community_names(g, membership),
        "constraint": {r[0]: r[1] for r in rows if r[1] is not None},
        "effective_size": {r[0]: r[2] for r in rows if r[2] is not None},
        "sphere": dict(network(g).spheres),
    }
    brokers_method = "Burt 1992 on the undirected simple network without Sector nodes"
    methods = {"community": {**found["method"], "modularity": found["modularity"],
                             "meaning": "community rank, 1 = largest"},
               "community_name": {"meaning": "names of the community's three members with "
                                             "most ties inside it (zh)"},
               "constraint": {"method": brokers_method}, "effective_size": {
                   "method": brokers_method},
               "sphere": {"mapping": "graph/spheres.yaml"}}
    return values, methods


def _community_names(g: nx.MultiDiGraph, membership: dict[str, int]) -> dict[str, str]:
    """Each node's community named as the API's community label (zh): its three members
    with most ties inside it, ties by id (computed here at once for every community: the
    views would take ~9 s for the 10k communities of the 100k-node graph)."""
    from queries.ecosystem.network import network

    adj = network(g).adj
    inside = {n: sum(membership.get(m) == rank for m in adj[n]) for n, rank in membership.items()}
    leaders: dict[int, list[str]] = {}
    for n in sorted(membership, key=lambda n: (-inside[n], n)):
        top = leaders.setdefault(membership[n], [])
        if len(top) < 3:
            top.append(n)
    names = {rank: "、".join(g._node[n]["name_zh"] for n in top) for rank, top in leaders.items()}
    return {n: names[rank] for n, rank in membership.items()}
