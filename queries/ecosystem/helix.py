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

import bisect
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graph.spheres import load_spheres
from queries.ecosystem.communities import SECTOR, SECTOR_RELATIONS
from queries.ecosystem.network import Network, cached, check_positive, holds, matrix, network
from queries.traverse import ids_of_kind
from queries.views import node_summary

Json = dict[str, Any]


def entropy(counts: Iterable[float]) -> float:
    """Shannon entropy in bits of a distribution given by counts."""
    counts = [c for c in counts if c]
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts) if total else 0.0


def code_of(spheres: Iterable[str], helices: tuple[str, ...]) -> int:
    """A unit's cell: bit k set when helices[k] is among its spheres."""
    found = set(spheres)
    return sum(1 << k for k, h in enumerate(helices) if h in found)


def transmission_of_cells(cells: np.ndarray) -> float | None:
    """T(uig) from the counts of the 8 cells (index = code; cell 0, no helix, left out);
    None when no unit involves any helix."""
    counts = cells.astype(np.float64).copy()
    counts[0] = 0
    if not counts.sum():
        return None
    codes = np.arange(8)

    def h(mask: int) -> float:  # entropy of the marginal over the bits of mask
        return entropy(np.bincount(codes & mask, weights=counts, minlength=8).tolist())

    t = h(1) + h(2) + h(4) - h(3) - h(5) - h(6) + h(7)
    return 0.0 if abs(t) < 1e-12 else t


def transmission(profiles: list[frozenset[str]], helices: tuple[str, str, str]) -> float | None:
    """Leydesdorff's T(uig) of units given by the helix spheres each one involves; None
    when no unit involves any of them."""
    codes = [code_of(p, helices) for p in profiles]
    return transmission_of_cells(np.bincount(codes, minlength=8))


def profile_codes(net: Network, a: sp.csr_matrix, helices: tuple[str, ...]) -> np.ndarray:
    """Per vertex of ``net.ids``: the cell of the unit it makes (its own sphere and those of
    the actors it is tied to), from sparse products (``a``: the adjacency matrix of ``net``)
    rather than a set per node."""
    codes = np.zeros(len(net.ids), dtype=np.int64)
    for k, name in enumerate(helices):
        own = np.fromiter((net.spheres.get(n) == name for n in net.ids), dtype=np.float64,
                          count=len(net.ids))
        codes |= (((a @ own) > 0) | (own > 0)).astype(np.int64) << k
    return codes


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
    codes = profile_codes(net, matrix(g, (SECTOR,)).a, mapping.helices)
    rows = []
    for sector in ids_of_kind(g, SECTOR):
        members = sorted({u for u, by_rel in g._pred[sector].items() if u in net.adj and any(
            r in SECTOR_RELATIONS and holds(r, a) for r, a in by_rel.items())})
        where = [bisect.bisect_left(net.ids, n) for n in members]  # ids are sorted
        rows.append((sector, members, _synergy(np.bincount(codes[where], minlength=8),
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
        "synergy": _synergy(np.bincount(codes, minlength=8), mapping.helices),
        "sectors_total": len(rows),
        "sectors": [{**node_summary(g, s), "members": len(m),
                     "actors": dict(sorted(Counter(net.spheres[n] for n in m
                                                   if n in net.spheres).items())),
                     "linkage": linkage(net, m), "synergy": syn}
                    for s, m, syn in rows[:limit]],
    }


def _synergy(cells: np.ndarray, helices: tuple[str, ...]) -> Json:
    names = {code: "".join(h[0] for k, h in enumerate(helices) if code >> k & 1)
             for code in range(1, 8)}
    return {"T_uig": transmission_of_cells(cells), "units": int(cells[1:].sum()),
            "profiles": dict(sorted((names[c], int(cells[c])) for c in range(1, 8)
                                    if cells[c]))}
