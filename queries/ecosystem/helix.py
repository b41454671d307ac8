"""Triple helix: how strongly university, industry and government are linked, per sector.

Every actor has a sphere (graph/spheres.yaml). Linkage counts are the network's ties (see
network.py; Sector nodes left out) between actors of two spheres (or within one).

Leydesdorff's (2003) mutual information in three dimensions, in bits:

    T(uig) = H(u) + H(i) + H(g) - H(ui) - H(ug) - H(ig) + H(uig)

over units of co-occurrence. In Leydesdorff's papers a unit is a publication and u, i, g
say whether it has a university, industry or government address. Here a unit is an entity
of the network (an actor, programme, event or achievement) together with the actors it is
tied to: u, i, g say whether a university, industry or government actor is among them. A
unit with none of the three is no observation and left out. Negative T means synergy: the
three spheres meet more together than their pairwise overlaps predict, so uncertainty is
reduced at the level of the whole system. Per sector, the units are the entities that work
in or target the sector.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from itertools import combinations
from typing import Any

import networkx as nx

from graph.spheres import load_spheres
from queries.ecosystem.communities import SECTOR, SECTOR_RELATIONS
from queries.ecosystem.network import Network, cached, check_positive, holds, network
from queries.views import node_summary

Json = dict[str, Any]


def entropy(counts: Iterable[int]) -> float:
    """Shannon entropy in bits of a distribution given by counts."""
    counts = [c for c in counts if c]
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts) if total else 0.0


def transmission(profiles: list[frozenset[str]], helices: tuple[str, str, str]) -> float | None:
    """Leydesdorff's T(uig) of units given by the helix spheres each one involves; None
    when no unit involves any of them."""
    units = [frozenset(p) & frozenset(helices) for p in profiles]
    units = [p for p in units if p]
    if not units:
        return None

    def h(dims: tuple[str, ...]) -> float:
        return entropy(Counter(tuple(d in p for d in dims) for p in units).values())

    t = sum(h((d,)) for d in helices)
    t -= sum(h(pair) for pair in combinations(helices, 2))
    t += h(helices)
    return 0.0 if abs(t) < 1e-12 else t


def profile(net: Network, node: str) -> frozenset[str]:
    """The spheres of a node (if an actor) and of the actors it is tied to."""
    spheres = net.spheres
    found = {spheres[o] for o in net.adj[node] if o in spheres}
    if node in spheres:
        found.add(spheres[node])
    return frozenset(found)


def linkage(net: Network, nodes: Iterable[str] | None = None) -> list[Json]:
    """Ties between actors by pair of spheres (among ``nodes`` only, if given)."""
    spheres = net.spheres
    scope = set(spheres) if nodes is None else {n for n in nodes if n in spheres}
    counts: Counter[tuple[str, str]] = Counter()
    for u in scope:
        for v in net.adj[u]:
            if v in scope and u < v:
                counts[tuple(sorted((spheres[u], spheres[v])))] += 1
    return [{"spheres": list(pair), "ties": c}
            for pair, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def helix(g: nx.MultiDiGraph, *, limit: int = 50) -> Json:
    """Actors per sphere, ties between spheres and T(uig), overall and for up to ``limit``
    sectors (most synergy, i.e. lowest T, first; sectors with no unit last).

    Returns ``{"version", "method", "helices", "actors", "linkage", "synergy", "sectors",
    "sectors_total"}``; a synergy is ``{"T_uig", "units", "profiles"}``."""
    check_positive("limit", limit)
    return cached(g, "_ecosystem_helix", limit, lambda: _helix(g, limit))


def _helix(g: nx.MultiDiGraph, limit: int) -> Json:
    mapping = load_spheres()
    net = network(g, exclude_kinds=(SECTOR,))
    overall = [profile(net, n) for n in net.ids]
    rows = []
    for sector in sorted(n for n, a in g._node.items() if a["kind"] == SECTOR):
        members = sorted({u for u, by_rel in g._pred[sector].items() if u in net.adj and any(
            r in SECTOR_RELATIONS and holds(r, a) for r, a in by_rel.items())})
        rows.append((sector, members, _synergy([profile(net, n) for n in members],
                                                mapping.helices)))
    rows.sort(key=lambda r: (r[2]["T_uig"] is None, r[2]["T_uig"] or 0.0, r[0]))
    return {
        "version": g.graph.get("version"),
        "method": {"T_uig": "H(u)+H(i)+H(g)-H(ui)-H(ug)-H(ig)+H(uig) in bits (Leydesdorff "
                            "2003); negative = synergy",
                   "unit": "an entity with the actors it is tied to; per sector, the "
                           "entities that work in or target it",
                   "spheres": "graph/spheres.yaml"},
        "helices": list(mapping.helices),
        "actors": dict(sorted(Counter(net.spheres.values()).items())),
        "linkage": linkage(net),
        "synergy": _synergy(overall, mapping.helices),
        "sectors_total": len(rows),
        "sectors": [{**node_summary(g, s), "members": len(m),
                     "actors": dict(sorted(Counter(net.spheres[n] for n in m
                                                   if n in net.spheres).items())),
                     "linkage": linkage(net, m), "synergy": syn}
                    for s, m, syn in rows[:limit]],
    }


def _synergy(profiles: list[frozenset[str]], helices: tuple[str, ...]) -> Json:
    units = [p & frozenset(helices) for p in profiles]
    units = [p for p in units if p]
    cells = Counter("".join(h[0] for h in helices if h in p) for p in units)
    return {"T_uig": transmission(units, helices), "units": len(units),
            "profiles": dict(sorted(cells.items()))}
