"""Suggested links: which funds could back which labs, which labs could work with which
companies. Suggestions, never facts: nothing here is stored, and every answer says so.

A pair is a candidate when no relation joins its two ends in the network (network.py, with
Sector nodes, so a shared sector is a common neighbour). Scores (Liben-Nowell & Kleinberg
2007), all on the undirected simple network, with N(x) the neighbours of x:

- ``common_neighbours``: |N(u) ∩ N(v)|;
- ``adamic_adar`` (Adamic & Adar 2003): sum over common neighbours z of 1 / log |N(z)|,
  so a shared small programme counts more than a shared big city;
- ``shared_sectors``: the common neighbours that are sectors (the fund targets, the lab or
  company works in);
- ``paths``: simple paths of length 2 or 3 between u and v.

Candidates are the pairs within two steps (three for ``paths``); pairs rank by the chosen
score, then by the others in the order adamic_adar, common_neighbours, shared_sectors, paths,
then by ids. All pairs are scored at once with sparse matrix products (scoring.py), each
source keeping its ``scoring.MAX_CANDIDATES`` best candidates (the best ``limit`` pairs are
exact for any limit up to that cap). The whole ranking of a task and method is kept per graph
version. Each suggestion carries the relations it rests on (the common neighbours, or for
``paths`` the paths) with their quotes.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import networkx as nx
import numpy as np

from queries.ecosystem import scoring
from queries.ecosystem.network import (
    Network,
    cached,
    check_kind,
    check_positive,
    edges_between,
    network,
)
from queries.ecosystem.network import matrix as network_matrix
from queries.ecosystem.scoring import METHODS, Matrix, Ranking
from queries.errors import InvalidQuery
from queries.traverse import check_nodes
from queries.views import node_summary

Json = dict[str, Any]
SECTOR = "Sector"
ACTOR = "actor"  # any node with a sphere
TASKS: dict[str, tuple[str, str]] = {"fund_lab": ("Fund", "Lab"),
                                     "lab_company": ("Lab", "Company"),
                                     "actor_actor": (ACTOR, ACTOR)}
LEADS = {"fund_lab": ("推测：该基金可支持该实验室", "Suggestion: this fund could back this lab"),
         "lab_company": ("推测：该实验室可与该企业合作",
                         "Suggestion: this lab could work with this company"),
         "actor_actor": ("推测：二者可能建立联系", "Suggestion: these two could be linked")}
NOT_STATED = ("原文并未陈述二者之间的关系；依据如下关系推断。",
              "The sources state no relation between the two; inferred from the relations "
              "below.")


@dataclass(frozen=True)
class Score:
    adamic_adar: float
    common_neighbours: int
    shared_sectors: int
    paths: int

    def key(self, method: str) -> tuple:
        first = getattr(self, method)
        return (first, *(getattr(self, m) for m in METHODS if m != method))


def of_kind(g: nx.MultiDiGraph, net: Network, node: str, kind: str) -> bool:
    return node in net.spheres if kind == ACTOR else g._node[node]["kind"] == kind


def score(g: nx.MultiDiGraph, adj: dict[str, set[str]], u: str, v: str) -> Score:
    """Every score of the pair (u, v) on adjacency ``adj``."""
    nu, nv = adj[u], adj[v]
    common = nu & nv
    aa = sum(1 / math.log(len(adj[z])) for z in common)
    sectors = sum(1 for z in common if g._node[z]["kind"] == "Sector")
    three = sum(len(adj[x] & nv) - (u in adj[x] and u in nv)
                for x in nu if x != v)
    return Score(aa, len(common), sectors, len(common) + three)


def candidates(g: nx.MultiDiGraph, net: Network, adj: dict[str, set[str]], u: str,
               kind: str, steps: int) -> set[str]:
    """Nodes of ``kind`` within ``steps`` (2 or 3) of ``u`` and not adjacent to it (the
    definition the ranking's sparse products implement; kept for the tests)."""
    frontier = {u}
    seen = {u}
    for _ in range(steps):
        frontier = {y for x in frontier for y in adj[x]} - seen
        seen |= frontier
    return {v for v in seen - adj[u] - {u} if of_kind(g, net, v, kind)}


def kind_indices(g: nx.MultiDiGraph, net: Network, kind: str) -> np.ndarray:
    return np.array([i for i, n in enumerate(net.ids) if of_kind(g, net, n, kind)],
                    dtype=np.int64)


def matrix_of(g: nx.MultiDiGraph, net: Network, adj: dict[str, set[str]]) -> Matrix:
    return scoring.matrix(net.ids, adj, {n for n in net.ids if g._node[n]["kind"] == SECTOR})


def ranked(g: nx.MultiDiGraph, net: Network, mx: Matrix, task: str, method: str,
           node: str | None = None) -> Ranking:
    """Every candidate pair of ``task`` (from or to ``node`` only, if given), best first."""
    first, second = TASKS[task]
    if node is not None:
        where = [bisect.bisect_left(net.ids, node)]  # ids are sorted
        if of_kind(g, net, node, first):
            return scoring.rank(mx, where, kind_indices(g, net, second), method)
        return scoring.rank(mx, kind_indices(g, net, first), where, method)
    return scoring.rank(mx, kind_indices(g, net, first), kind_indices(g, net, second), method,
                        unordered=first == second)


def full_ranking(g: nx.MultiDiGraph, task: str, method: str) -> Ranking:
    """The whole ranking of ``task`` by ``method``, kept per graph version."""
    return cached(g, "_ecosystem_rankings", (task, method),
                  lambda: ranked(g, network(g), _matrix(g), task, method))


def _matrix(g: nx.MultiDiGraph) -> Matrix:
    return network_matrix(g)


def suggest(g: nx.MultiDiGraph, *, task: str = "fund_lab", method: str = "adamic_adar",
            node: str | None = None, limit: int = 20, evidence: int = 3) -> Json:
    """The ``limit`` best suggested links of ``task`` (from or to ``node`` only, if given),
    each with its scores and up to ``evidence`` explanations: common neighbours (or paths,
    for ``paths``) with the edges and quotes they rest on.

    Returns ``{"version", "task", "method", "node", "suggestion": true, "total", "items"}``;
    items ``{"rank", "from", "to", "scores", "stated": false, "explanation", "evidence"}``."""
    check_kind("task", task, TASKS)
    check_kind("method", method, METHODS)
    check_positive("limit", limit)
    check_positive("evidence", evidence, minimum=0)
    if node is None:  # kept per version (answers about one node are quick and many)
        return cached(g, "_ecosystem_suggestions", (task, method, limit, evidence),
                      lambda: _suggest(g, task, method, None, limit, evidence))
    return _suggest(g, task, method, node, limit, evidence)


def _suggest(g: nx.MultiDiGraph, task: str, method: str, node: str | None, limit: int,
             evidence: int) -> Json:
    net = network(g)
    first, second = TASKS[task]
    if node is None:
        ranking = full_ranking(g, task, method)
    else:
        check_nodes(g, node)
        if not (of_kind(g, net, node, first) or of_kind(g, net, node, second)):
            raise InvalidQuery("node", f"{node} is a {g._node[node]['kind']}; the task "
                                       f"{task} links a {first} to a {second}")
        ranking = ranked(g, net, _matrix(g), task, method, node)
    zh, en = LEADS[task]
    items = []
    for rank in range(min(limit, len(ranking))):
        u, v = net.ids[ranking.u[rank]], net.ids[ranking.v[rank]]
        s = score_of(ranking.scores[rank])
        items.append({
            "rank": rank + 1, "from": node_summary(g, u), "to": node_summary(g, v),
            "scores": {m: getattr(s, m) for m in METHODS}, "stated": False,
            "explanation": {"zh": f"{zh}。{NOT_STATED[0]}", "en": f"{en}. {NOT_STATED[1]}"},
            "evidence": explain(g, net, u, v, method, evidence)})
    return {"version": g.graph.get("version"), "task": task, "method": method, "node": node,
            "suggestion": True, "total": ranking.total,
            "cap": {"per_source": ranking.cap, "sources_capped": ranking.sources_capped},
            "items": items}


def score_of(row: np.ndarray) -> Score:
    return Score(float(row[0]), int(row[1]), int(row[2]), int(row[3]))


def explain(g: nx.MultiDiGraph, net: Network, u: str, v: str, method: str, limit: int
            ) -> list[Json]:
    """Up to ``limit`` paths u - ... - v the scores rest on, each with its edges and quotes:
    common neighbours first, the rarest (smallest degree) first; then, for ``paths``,
    paths of length 3."""
    adj = net.adj
    common = sorted(adj[u] & adj[v], key=lambda z: (len(adj[z]), z))
    paths = [[u, z, v] for z in common]
    if method == "paths":
        paths += [[u, x, y, v] for x in sorted(adj[u] - {v}, key=lambda x: (len(adj[x]), x))
                  for y in sorted(adj[x] & adj[v] - {u})][:max(limit - len(paths), 0)]
    return [{"nodes": p, "names": [g._node[n]["name_zh"] for n in p],
             "edges": [edges_between(g, a, b, planned=False) for a, b in pairwise(p)]}
            for p in paths[:limit]]


# -- evaluation (bench/analytics.py and the tests) ------------------------------------------

def evaluate(g: nx.MultiDiGraph, task: str, *, hide: float = 0.2, seed: int = 42,
             k: int = 10, negatives: int = 2000) -> Json:
    """Hide a ``hide`` share of the network's ties of ``task``'s kinds (seeded), score on
    what is left, and measure how well each method finds them again: AUC against random
    candidate pairs of the right kinds that are not tied (Lü & Zhou 2011 sampling), and
    precision@k over the ranking of every candidate. A random ranking is the baseline."""
    check_kind("task", task, TASKS)
    net = network(g)
    first, second = TASKS[task]
    firsts = [n for n in net.ids if of_kind(g, net, n, first)]
    seconds = [n for n in net.ids if of_kind(g, net, n, second)]
    ties = sorted({tuple(sorted((u, v))) if first == second else (u, v)
                   for u in firsts for v in net.adj[u] if of_kind(g, net, v, second)})
    rng = random.Random(seed)
    hidden = set(rng.sample(ties, round(len(ties) * hide))) if ties else set()
    if not hidden:
        return {"task": task, "ties": len(ties), "hidden": 0, "methods": {}}
    adj = {n: set(s) for n, s in net.adj.items()}
    for u, v in hidden:
        adj[u].discard(v)
        adj[v].discard(u)
    negative_pairs: list[tuple[str, str]] = []
    tries = 0
    while len(negative_pairs) < negatives and tries < negatives * 50:
        tries += 1
        u, v = rng.choice(firsts), rng.choice(seconds)
        if u != v and v not in net.adj[u]:
            negative_pairs.append((u, v))
    mx = matrix_of(g, net, adj)
    sources, targets = kind_indices(g, net, first), kind_indices(g, net, second)
    positives = sorted(hidden)
    index = {n: i for i, n in enumerate(net.ids)}
    pos_scores, neg_scores = (
        scoring.pair_scores(mx, np.array([index[u] for u, _ in pairs], dtype=np.int64),
                            np.array([index[v] for _, v in pairs], dtype=np.int64))
        for pairs in (positives, negative_pairs))
    best = scoring.rank_all(mx, sources, targets, unordered=first == second, cap=k)
    possible = len(firsts) * len(seconds) - (len(firsts) if first == second else 0)
    if first == second:
        possible //= 2
    open_pairs = possible - (len(ties) - len(hidden))
    results = {}
    for column, method in enumerate(METHODS):
        auc = _auc(np.round(pos_scores[:, column], scoring.DECIMALS).tolist(),
                   np.round(neg_scores[:, column], scoring.DECIMALS).tolist())
        top = [(net.ids[u], net.ids[v])
               for u, v in zip(best[method].u[:k], best[method].v[:k], strict=True)]
        hits = sum(1 for p in top if (p if first != second else tuple(sorted(p))) in hidden)
        results[method] = {"auc": auc, "precision_at_k": hits / k, "hits": hits}
    random_top = [(rng.choice(firsts), rng.choice(seconds)) for _ in range(k)]
    results["random"] = {
        "auc": 0.5, "precision_at_k_expected": len(hidden) / open_pairs if open_pairs else None,
        "precision_at_k": sum(1 for p in random_top if p in hidden) / k}
    return {"task": task, "ties": len(ties), "hidden": len(hidden), "k": k, "seed": seed,
            "negatives": len(negative_pairs), "open_pairs": open_pairs, "methods": results}


def _auc(positive: list[float], negative: list[float]) -> float | None:
    """P(score of a hidden tie > score of a non-tie), ties counting half (Mann-Whitney)."""
    if not positive or not negative:
        return None
    ordered = sorted(negative)
    total = 0.0
    for p in positive:
        below = bisect.bisect_left(ordered, p)
        equal = bisect.bisect_right(ordered, p) - below
        total += below + equal / 2
    return total / (len(positive) * len(negative))
