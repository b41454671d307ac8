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
    a = matrix(g, (SECTOR,)).a
    codes = profile_codes(net, a, mapping.helices)
    index = {n: i for i, n in enumerate(net.ids)}
    sectors = ids_of_kind(g, SECTOR)
    members = [sorted({u for u, by_rel in g._pred[sector].items() if u in index and any(
        r in SECTOR_RELATIONS and holds(r, attrs) for r, attrs in by_rel.items())})
        for sector in sectors]
    # every sector's 8 cells at once (a sector-by-cell count matrix), T(uig) per row
    rows = np.repeat(np.arange(len(sectors)), [len(m) for m in members])
    where = np.fromiter((index[n] for m in members for n in m), dtype=np.int64,
                        count=len(rows))
    cells = np.zeros((len(sectors), 8), dtype=np.int64)
    np.add.at(cells, (rows, codes[where]), 1)
    t = transmissions(cells)
    order = sorted(range(len(sectors)), key=lambda k: (np.isnan(t[k]),
                                                       0.0 if np.isnan(t[k]) else t[k],
                                                       sectors[k]))
    return {
        "version": g.graph.get("version"),
        "method": {"T_uig": "H(u)+H(i)+H(g)-H(ui)-H(ug)-H(ig)+H(uig) in bits (Leydesdorff "
                            "2003); negative = synergy",
                   "unit": "an entity with the actors it is tied to; per sector, the "
                           "entities that work in or target it",
                   "spheres": "graph/spheres.yaml"},
        "helices": list(mapping.helices),
        "actors": dict(sorted(Counter(net.spheres.values()).items())),
        "linkage": linkage_of_matrix(net, a),
        "synergy": _synergy(np.bincount(codes, minlength=8), mapping.helices),
        "sectors_total": len(sectors),
        "sectors": [{**node_summary(g, sectors[k]), "members": len(members[k]),
                     "actors": dict(sorted(Counter(net.spheres[n] for n in members[k]
                                                   if n in net.spheres).items())),
                     "linkage": linkage(net, members[k]),
                     "synergy": _synergy(cells[k], mapping.helices, float(t[k]))}
                    for k in order[:limit]],
    }


def transmissions(cells: np.ndarray) -> np.ndarray:
    """``transmission_of_cells`` of each row of ``cells`` (rows of 8 counts) at once; NaN
    where no unit involves any helix."""
    counts = cells.astype(np.float64).copy()
    counts[:, 0] = 0
    total = counts.sum(axis=1)
    codes = np.arange(8)

    def h(mask: int) -> np.ndarray:  # entropy of each row's marginal over the bits of mask
        marginal = np.zeros_like(counts)
        np.add.at(marginal.T, codes & mask, counts.T)
        p = np.divide(marginal, total[:, None], out=np.zeros_like(marginal),
                      where=total[:, None] > 0)
        return -(p * np.log2(p, out=np.zeros_like(p), where=p > 0)).sum(axis=1)

    t = h(1) + h(2) + h(4) - h(3) - h(5) - h(6) + h(7)
    t[np.abs(t) < 1e-12] = 0.0
    t[total == 0] = np.nan
    return t


def linkage_of_matrix(net: Network, a: sp.csr_matrix) -> list[Json]:
    """``linkage(net)`` (every actor) from the adjacency matrix ``a`` of ``net``."""
    names = sorted(set(net.spheres.values()))
    which = np.fromiter((names.index(net.spheres[n]) if n in net.spheres else -1
                         for n in net.ids), dtype=np.int64, count=len(net.ids))
    upper = sp.triu(a, k=1).tocoo()
    left, right = which[upper.row], which[upper.col]
    both = (left >= 0) & (right >= 0)
    low, high = np.minimum(left[both], right[both]), np.maximum(left[both], right[both])
    counts = np.bincount(low * len(names) + high, minlength=len(names) ** 2)
    found = [((names[k // len(names)], names[k % len(names)]), int(c))
             for k, c in enumerate(counts) if c]
    return [{"spheres": list(pair), "ties": c}
            for pair, c in sorted(found, key=lambda kv: (-kv[1], kv[0]))]


def _synergy(cells: np.ndarray, helices: tuple[str, ...], t: float | None = None) -> Json:
    """The synergy of units counted by ``cells``; ``t``: their T(uig) when computed already
    (NaN: none), so the sectors are shown with the values they were ranked by."""
    names = {code: "".join(h[0] for k, h in enumerate(helices) if code >> k & 1)
             for code in range(1, 8)}
    if t is None:
        t = transmission_of_cells(cells)
    elif math.isnan(t):
        t = None
    return {"T_uig": t, "units": int(cells[1:].sum()),
            "profiles": dict(sorted((names[c], int(cells[c])) for c in range(1, 8)
                                    if cells[c]))}
