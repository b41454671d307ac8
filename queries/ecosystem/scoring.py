"""Link-prediction scores of every candidate pair at once, with sparse matrices.

With A the 0/1 adjacency matrix of the undirected simple network (vertices in sorted id
order), w_z = 1/log deg(z) and s_z = 1 for a Sector node (else 0), for a pair (u, v):

- common neighbours = (A A)[u, v];
- Adamic-Adar = (A diag(w) A)[u, v] (a common neighbour has degree >= 2, so log > 0);
- shared sectors = (A diag(s) A)[u, v];
- paths of length 2 or 3 = (A A)[u, v] + (A A A)[u, v]: for a pair not tied, every walk
  u-x-y-v is a simple path (x = v or y = u would need the tie), so A^3 counts exactly the
  simple paths of length 3.

Products are taken for ``CHUNK`` source rows at a time, so memory stays bounded even when a
hub reaches tens of thousands of nodes in three steps, and no single call holds the GIL for
long (a request served meanwhile waits for one chunk at most). Each source keeps at most
``cap`` candidates, its best by the ranking key (see ``rank``): the ``limit`` best pairs
overall are then exact for any ``limit <= cap``, only the tail of a hub's long list of weak
candidates is dropped, and every answer says how many sources were cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

METHODS = ("adamic_adar", "common_neighbours", "shared_sectors", "paths")
CHUNK = 512  # source rows per sparse product
MAX_CANDIDATES = 1000  # per source
DECIMALS = 12  # Adamic-Adar sums differ in the last bits with summation order; rank on this


@dataclass(frozen=True)
class Matrix:
    """The network as a CSR matrix, vertices in ``ids`` order (sorted ids)."""

    ids: list[str]
    a: sp.csr_matrix
    aa_weight: np.ndarray  # 1/log deg, 0 for degree < 2
    sector: np.ndarray  # 1.0 for Sector nodes


def matrix(ids: list[str], adj: dict[str, set[str]], sectors: set[str]) -> Matrix:
    """The adjacency matrix of ``adj`` (symmetric, no self-loops) over ``ids``."""
    index = {n: i for i, n in enumerate(ids)}
    degree = np.fromiter((len(adj[n]) for n in ids), dtype=np.int64, count=len(ids))
    cols = np.fromiter((index[v] for n in ids for v in adj[n]), dtype=np.int32,
                       count=int(degree.sum()))
    indptr = np.concatenate(([0], np.cumsum(degree)))
    a = sp.csr_matrix((np.ones(len(cols)), cols, indptr), shape=(len(ids), len(ids)))
    return matrix_of_csr(ids, a, sectors)


def matrix_of_pairs(ids: list[str], left: np.ndarray, right: np.ndarray, sectors: set[str]
                    ) -> Matrix:
    """The adjacency matrix of the undirected ties (left[k], right[k]) over ``ids``, each
    tie given once, in either direction."""
    n = len(ids)
    rows = np.concatenate((left, right))
    cols = np.concatenate((right, left))
    a = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return matrix_of_csr(ids, a, sectors)


def matrix_of_csr(ids: list[str], a: sp.csr_matrix, sectors: set[str]) -> Matrix:
    """``Matrix`` of a symmetric 0/1 CSR adjacency matrix over ``ids``: the Adamic-Adar
    weights and the sector indicator alongside."""
    a.sort_indices()
    degree = np.diff(a.indptr)
    weight = np.zeros(len(ids))
    hub = degree > 1
    weight[hub] = 1.0 / np.log(degree[hub])
    sector = np.fromiter((n in sectors for n in ids), dtype=np.float64, count=len(ids))
    return Matrix(ids, a, weight, sector)


@dataclass(frozen=True)
class Ranking:
    """Candidate pairs, best first, as vertex indices, with their four scores."""

    u: np.ndarray
    v: np.ndarray
    scores: np.ndarray  # (pairs, 4) in METHODS order
    total: int  # candidates before the per-source cap
    sources_capped: int
    cap: int

    def __len__(self) -> int:
        return len(self.u)


def _sample(m: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return np.asarray(m[rows, cols]).ravel() if len(rows) else np.zeros(0)


def rank(mx: Matrix, sources: Sequence[int] | np.ndarray, targets: Sequence[int] | np.ndarray,
         method: str, *, unordered: bool = False, cap: int = MAX_CANDIDATES) -> Ranking:
    """Every candidate pair (u in ``sources``, v in ``targets``, u != v, not tied, within two
    steps, three for ``paths``), ranked by ``method``'s score, then the other scores in
    METHODS order (all descending), then by ids. ``unordered`` keeps a pair once (v > u):
    for a task whose two ends are of one kind."""
    return rank_all(mx, sources, targets, (method,), unordered=unordered, cap=cap)[method]


def rank_all(mx: Matrix, sources: Sequence[int] | np.ndarray,
             targets: Sequence[int] | np.ndarray, methods: Sequence[str] = METHODS, *,
             unordered: bool = False, cap: int = MAX_CANDIDATES) -> dict[str, Ranking]:
    """``rank`` for each of ``methods``, the sparse products taken once."""
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    a = mx.a
    to_targets = a[:, targets].tocsr()
    parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {m: [] for m in methods}
    totals = dict.fromkeys(methods, 0)
    capped = dict.fromkeys(methods, 0)
    for start in range(0, len(sources), CHUNK):
        rows_idx = sources[start:start + CHUNK]
        rows = a[rows_idx]
        common = rows @ to_targets
        aa = (rows @ sp.diags(mx.aa_weight)) @ to_targets
        sectors = (rows @ sp.diags(mx.sector)) @ to_targets
        three = (rows @ a) @ to_targets
        # within three steps if paths are ranked, else two
        r, c = (common + three if "paths" in methods else common).nonzero()
        u, v = rows_idx[r], targets[c]
        keep = u != v
        if unordered:
            keep &= v > u
        r, c, u, v = r[keep], c[keep], u[keep], v[keep]
        untied = _sample(rows[:, targets].tocsr(), r, c) == 0
        r, c, u, v = r[untied], c[untied], u[untied], v[untied]
        cn = _sample(common, r, c)
        scores = np.column_stack([_sample(aa, r, c), cn, _sample(sectors, r, c),
                                  cn + _sample(three, r, c)]) if len(r) else np.zeros((0, 4))
        for method in methods:
            within = slice(None) if method == "paths" else cn > 0  # else: within two steps
            mu, mv, ms = u[within], v[within], scores[within]
            totals[method] += len(mu)
            by_source = np.lexsort((mv, *_keys(ms, method), mu))
            mu, mv, ms = mu[by_source], mv[by_source], ms[by_source]
            place = np.arange(len(mu)) - np.searchsorted(mu, mu, side="left")
            capped[method] += len(np.unique(mu[place >= cap]))
            parts[method].append((mu[place < cap], mv[place < cap], ms[place < cap]))
    return {m: _ranking(parts[m], m, totals[m], capped[m], cap) for m in methods}


def _ranking(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], method: str, total: int,
             capped: int, cap: int) -> Ranking:
    if parts:
        u = np.concatenate([p[0] for p in parts])
        v = np.concatenate([p[1] for p in parts])
        scores = np.concatenate([p[2] for p in parts])
    else:
        u = v = np.zeros(0, dtype=np.int64)
        scores = np.zeros((0, 4))
    best = np.lexsort((v, u, *_keys(scores, method)))
    return Ranking(u[best], v[best], scores[best], total, capped, cap)


def pair_scores(mx: Matrix, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The four scores (METHODS order) of the pairs (u[i], v[i]), none of them tied: the
    same sums as ``rank``, row by row (chunked)."""
    a = mx.a
    out = np.zeros((len(u), 4))
    for start in range(0, len(u), CHUNK * 8):
        part = slice(start, start + CHUNK * 8)
        left, right = a[u[part]], a[v[part]]
        both = left.multiply(right)
        cn = np.asarray(both.sum(axis=1)).ravel()
        out[part, 0] = both @ mx.aa_weight
        out[part, 1] = cn
        out[part, 2] = both @ mx.sector
        out[part, 3] = cn + np.asarray((left @ a).multiply(right).sum(axis=1)).ravel()
    return out


def _keys(scores: np.ndarray, method: str) -> list[np.ndarray]:
    """Sort keys for np.lexsort (last = primary): ``method``'s score, then the others in
    METHODS order, all descending."""
    order = [METHODS.index(method), *(i for i, m in enumerate(METHODS) if m != method)]
    cols = [np.round(scores[:, i], DECIMALS) if i == 0 else scores[:, i] for i in order]
    return [-col for col in reversed(cols)]
