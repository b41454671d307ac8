"""Brokers: who bridges otherwise unconnected actors, and between which spheres.

Burt's structural holes (Burt 1992), per actor on the undirected simple network without
Sector nodes (see network.py; a sector is a topic, not a contact), with p_ij = 1/deg(i) for a
neighbour j (unweighted ties):

- constraint c_i = sum_j (p_ij + sum_q p_iq p_qj)^2 over neighbours j, q of i: high when
  i's contacts are tied to each other (few structural holes); 1/deg(i) at the least;
- effective size = deg(i) - 2 t_i / deg(i), t_i the ties among i's neighbours (Borgatti's
  form of Burt's redundancy): the non-redundant contacts.

Both equal networkx's ``constraint`` and ``effective_size``; undefined (None) for isolates.

Gould & Fernandez (1989) brokerage roles, on the directed network of actors (nodes with a
sphere in graph/spheres.yaml; edges as stored, symmetric relations both ways): for every
open two-path a -> b -> c (a != c, no edge a -> c) broker b plays, by the spheres of a, b, c:

- coordinator  a = b = c          - itinerant (consultant)  a = c != b
- representative  a = b != c      - gatekeeper  a != b = c
- liaison  a, b, c all different
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import islice, product
from typing import Any

import networkx as nx

from graph.spheres import load_spheres
from queries.ecosystem.network import (
    Network,
    cached,
    check_kind,
    check_positive,
    edges_between,
    network,
)
from queries.views import node_summary

Json = dict[str, Any]
ROLES = ("liaison", "gatekeeper", "representative", "itinerant", "coordinator")
SORTS = ("brokerage", "effective_size", "constraint")
Row = tuple[str, float | None, float | None, Counter[str], int]


def role(a: str, b: str, c: str) -> str:
    """The Gould-Fernandez role of the broker (sphere ``b``) between ``a`` and ``c``."""
    if a == b == c:
        return "coordinator"
    if a == c:
        return "itinerant"
    if a == b:
        return "representative"
    if b == c:
        return "gatekeeper"
    return "liaison"


def structural_holes(net: Network, node: str) -> tuple[float | None, float | None]:
    """(constraint, effective size) of ``node``; (None, None) for an isolate."""
    adj = net.adj
    mine = adj[node]
    n = len(mine)
    if n == 0:
        return None, None
    p = 1.0 / n
    terms = []
    ties = 0
    for j in mine:
        shared = mine & adj[j]
        ties += len(shared)
        terms.append((p + math.fsum(p / len(adj[q]) for q in shared)) ** 2)
    # fsum: the same value whatever order the neighbours come in (a graph read back from
    # Neo4j lists them in another order than the data's; a plain sum differed in the last bit)
    return math.fsum(terms), n - ties / n  # each tie among neighbours was counted from both ends


def brokerage_counts(net: Network, broker: str,
                     inward: dict[str, list[str]] | None = None) -> Counter[str]:
    """How many open two-paths through ``broker`` it brokers, by role (``inward``: the
    actors pointing at each node, from ``in_actors``, when many brokers are counted)."""
    spheres, out = net.spheres, net.out
    mine = spheres.get(broker)
    counts: Counter[str] = Counter()
    if mine is None:
        return counts
    before = inward.get(broker, []) if inward is not None else _in_actors(net, broker)
    after = [c for c in out[broker] if c in spheres and c != broker]
    if not before or not after:
        return counts
    for (sa, na), (sc, nc) in product(_tally(spheres, before).items(),
                                      _tally(spheres, after).items()):
        counts[role(sa, mine, sc)] += na * nc
    after_set = set(after)
    for a in before:  # take back the pairs that are no open two-path
        closed = (out[a] & after_set) | ({a} & after_set)
        for c in closed:
            counts[role(spheres[a], mine, spheres[c])] -= 1
    return +counts


def _tally(spheres: dict[str, str], nodes: list[str]) -> dict[str, int]:
    # a plain dict: a Counter's construction costs more than the counting for few nodes
    found: dict[str, int] = {}
    for n in nodes:
        s = spheres[n]
        found[s] = found.get(s, 0) + 1
    return found


def _in_actors(net: Network, node: str) -> list[str]:
    # the network keeps undirected adjacency; the actors pointing at node are among it
    return [a for a in net.adj[node] if a in net.spheres and node in net.out[a]]


def in_actors(net: Network) -> dict[str, list[str]]:
    """The actors pointing at each node, every node at once (one pass over the ties)."""
    inward: dict[str, list[str]] = {}
    for a in net.spheres:
        for c in net.out[a]:
            inward.setdefault(c, []).append(a)
    return inward


def two_paths(net: Network, broker: str, limit: int, counts: Counter[str] | None = None
              ) -> list[tuple[str, str, str]]:
    """Up to ``limit`` open two-paths through ``broker``, cross-sphere roles first, by ids.
    ``counts`` (``brokerage_counts``) lets the search stop once every role has all the
    two-paths it can show, rather than pair every in- with every out-neighbour of a hub."""
    spheres, out = net.spheres, net.out
    mine = spheres[broker]
    before = sorted(_in_actors(net, broker))
    after = sorted(c for c in out[broker] if c in spheres and c != broker)
    found: dict[str, list[tuple[str, str, str]]] = {r: [] for r in ROLES}
    wanted = None if counts is None else sum(min(limit, counts.get(r, 0)) for r in ROLES)
    have = 0
    for a in before:
        for c in after:
            if a == c or c in out[a]:
                continue
            bucket = found[role(spheres[a], mine, spheres[c])]
            if len(bucket) < limit:
                bucket.append((a, broker, c))
                have += 1
        if have == wanted:
            break
    return list(islice((p for r in ROLES for p in found[r]), limit))


def brokers(g: nx.MultiDiGraph, *, sphere: str | None = None, kind: str | None = None,
            sort: str = "brokerage", limit: int = 20, evidence: int = 3) -> Json:
    """Actors ranked by ``sort`` (most brokerage, largest effective size or least
    constraint first; ties by id), of ``sphere`` and ``kind`` only if given, each with its
    constraint, effective size, brokerage counts by role and up to ``evidence`` two-paths it
    brokers, every edge with its quotes.

    Returns ``{"version", "method", "sphere", "kind", "sort", "total", "items"}``."""
    mapping = load_spheres()
    check_kind("sphere", sphere, mapping.spheres)
    check_kind("kind", kind, sorted({k for k, s in mapping.defaults.items() if s}
                                    | {k for (k, _), s in mapping.overrides.items() if s}))
    check_kind("sort", sort, SORTS)
    check_positive("limit", limit)
    check_positive("evidence", evidence, minimum=0)
    return cached(g, "_ecosystem_brokers", (sphere, kind, sort, limit, evidence),
                  lambda: _brokers(g, sphere, kind, sort, limit, evidence))


def actor_rows(g: nx.MultiDiGraph, sort: str) -> list[Row]:
    """Every actor's (id, constraint, effective size, role counts, brokerage) by ``sort``,
    kept per graph version."""
    def compute() -> list[Row]:
        net = network(g, exclude_kinds=("Sector",))
        inward = in_actors(net)
        rows = []
        for n in net.ids:
            if n in net.spheres:
                constraint, size = structural_holes(net, n)
                counts = brokerage_counts(net, n, inward)
                rows.append((n, constraint, size, counts, sum(counts.values())))
        return rows

    def ordered() -> list[Row]:
        rows = list(cached(g, "_ecosystem_broker_rows", None, compute))
        if sort == "brokerage":
            rows.sort(key=lambda r: (-r[4], r[0]))
        elif sort == "effective_size":
            rows.sort(key=lambda r: (r[2] is None, -(r[2] or 0.0), r[0]))
        else:
            rows.sort(key=lambda r: (r[1] is None, r[1] or 0.0, r[0]))
        return rows
    return cached(g, "_ecosystem_broker_rows", sort, ordered)


def _brokers(g: nx.MultiDiGraph, sphere: str | None, kind: str | None, sort: str, limit: int,
             evidence: int) -> Json:
    net = network(g, exclude_kinds=("Sector",))
    rows = [r for r in actor_rows(g, sort)
            if (sphere is None or net.spheres[r[0]] == sphere)
            and (kind is None or g._node[r[0]]["kind"] == kind)]
    items = []
    for rank, (n, constraint, size, counts, total) in enumerate(rows[:limit], 1):
        paths = two_paths(net, n, evidence, counts) if evidence and total else []
        items.append({
            "rank": rank, **node_summary(g, n), "sphere": net.spheres[n],
            "degree": len(net.adj[n]), "constraint": constraint, "effective_size": size,
            "brokerage": {r: counts.get(r, 0) for r in ROLES}, "brokerage_total": total,
            "evidence": [{"role": role(*(net.spheres[x] for x in p)),
                          "spheres": [net.spheres[x] for x in p], "nodes": list(p),
                          "edges": [edges_between(g, p[0], p[1], planned=False),
                                    edges_between(g, p[1], p[2], planned=False)]}
                         for p in paths],
        })
    return {"version": g.graph.get("version"),
            "method": {"structural_holes": "Burt 1992 constraint and effective size on the "
                                           "undirected simple network without Sector nodes",
                       "brokerage": "Gould & Fernandez 1989 roles over open two-paths "
                                    "a -> b -> c between actors, by sphere",
                       "spheres": "graph/spheres.yaml"},
            "sphere": sphere, "kind": kind, "sort": sort, "total": len(rows), "items": items}
