"""When a record was reported: derived from its provenance and the Source nodes' dates.

The graph as of a year (``as_of`` on every query) is defined record by record
(``attrs_as_of``): a node or relation absent when every source it cites was published later,
its provenance cut to the sources published by then, a relation's status as then reported.
Queries read it through ``dated_view``: a read-only view of the graph, no copy. Why: a dated
copy per year (``as_of_graph``, kept for callers that need a graph of their own) took ~15 s
at 100k nodes, on the first request of each year, and a graph's worth of memory per year;
the view needs one pass per graph version (``Timeline``: each record's first year and its
sources' years, a few seconds at 100k, then kept), filters adjacency by that first year as
it is read, and cuts provenance and status only on the records an answer reads (a record
no later source cites is handed out as it is). ``queries.changes`` reads the same index.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import networkx as nx


def source_years(g: nx.MultiDiGraph) -> dict[str, int]:
    """Publication year by source file name, from the graph's Source nodes."""
    return {a["file"]: a["published_year"] for _, a in g.nodes(data=True)
            if a.get("kind") == "Source" and "file" in a and "published_year" in a}


def reported_in(provenance: Iterable[Mapping[str, str]],
                years: Mapping[str, int]) -> tuple[int, int] | None:
    """The earliest and latest publication years of the sources a record cites (None if
    none of them is dated)."""
    dated = [years[p["source"]] for p in provenance if p["source"] in years]
    return (min(dated), max(dated)) if dated else None


#: Words that make a quote a plan (the schema's relation ``status`` says planned is 将, 计划,
#: 力争). Used only to tell how a relation stood in an earlier source whose record now carries
#: the later source's status (the data keeps one status per relation: the latest).
PLAN_MARKERS = ("将", "计划", "力争")
DONE_STATUSES = frozenset({None, "done", "ongoing"})


def kept_provenance(provenance: Iterable[Mapping[str, str]], years: Mapping[str, int],
                    year: int) -> list[dict[str, str]] | None:
    """The entries of ``provenance`` from sources published up to ``year`` (entries citing an
    undated source are kept: nothing says they are later); None when the record rests only on
    later sources, i.e. it was not reported yet."""
    entries = list(provenance)
    kept = [dict(p) for p in entries if years.get(p["source"], year) <= year]
    return kept if kept or not entries else None


def status_as_of(status: str | None, kept: list[dict[str, str]], dropped: bool) -> str | None:
    """A relation's status as the sources up to a date report it. The stored status is the
    latest source's; when later entries were dropped (``dropped``) and the stored status says
    the relation holds, the earlier sources may have reported it as a plan: planned when one
    of their quotes says so (a plan word), else the stored status."""
    if dropped and status in DONE_STATUSES and any(
            marker in p["quote"] for p in kept for marker in PLAN_MARKERS):
        return "planned"
    return status


def attrs_as_of(attrs: Mapping[str, Any], years: Mapping[str, int], year: int,
                edge: bool = False) -> dict[str, Any] | None:
    """A node's or edge's attributes as reported up to ``year`` (provenance cut, an edge's
    status as then reported), or None if no source up to ``year`` reports it."""
    provenance = attrs.get("provenance", ())
    kept = kept_provenance(provenance, years, year)
    if kept is None:
        return None
    out = dict(attrs)
    out["provenance"] = kept
    if edge:
        status = status_as_of(attrs.get("status"), kept, len(kept) < len(provenance))
        if status is not None:
            out["status"] = status
    return out


def as_of_graph(g: nx.MultiDiGraph, year: int) -> nx.MultiDiGraph:
    """The graph as the sources published up to ``year`` report it, as a graph of its own:
    records resting only on later sources left out, every kept record's provenance cut to those
    sources, relations with the status then reported. A copy of ``dated_view(g, year)`` (its
    attribute dicts copied too), in ``g``'s order of successors and of predecessors alike, so
    order-dependent answers match the view's. Its version is ``<version>@<year>`` so answers
    cached per version stay apart from the whole graph's."""
    view = dated_view(g, year)
    h = nx.MultiDiGraph()
    h.graph.update(view.graph)
    for n, attrs in view._node.items():
        h._node[n] = dict(attrs)
        h._succ[n], h._pred[n] = {}, {}
    for u, by_v in view._succ.items():
        for v, by_key in by_v.items():
            h._succ[u][v] = {k: dict(attrs) for k, attrs in by_key.items()}
    for v, by_u in view._pred.items():  # the same key dicts, in g's order of predecessors
        h._pred[v] = {u: h._succ[u][v] for u in by_u}
    return h


# -- as of a year, cheaply: one index per graph version, one filtered view per year ---------

#: The first year of a record seen at every date: it cites an undated source, or none.
ALWAYS = -sys.maxsize
#: When a record is seen: (first year, its sources' distinct publication years, ascending).
Span = tuple[int, tuple[int, ...]]
EdgeKey = tuple[str, str, str]


def span(provenance: Iterable[Mapping[str, str]], years: Mapping[str, int]) -> Span:
    """The years a record's provenance was published in, and the first year it is seen
    (``kept_provenance`` keeps it from then on: an undated entry is always kept)."""
    dated, undated = set(), False
    for p in provenance:
        year = years.get(p["source"])
        if year is None:
            undated = True
        else:
            dated.add(year)
    ordered = tuple(sorted(dated))
    return (ALWAYS if undated or not ordered else ordered[0]), ordered


class Timeline:
    """Every node's and edge's ``Span``, from one pass over the graph (kept per graph version
    by ``timeline``). An edge is first seen when it and both its ends are: the dated graph
    keeps only edges between kept nodes. ``first`` is each node's first year; ``late`` the
    (from, to) pairs joined by an edge first reported after both its ends (few or none: a
    walk steps to a neighbour on its first year alone unless the pair is late)."""

    def __init__(self, g: nx.MultiDiGraph):
        self.years = years = source_years(g)
        interned: dict[Span, Span] = {}  # few distinct spans: share them
        single: dict[int | None, Span] = {}  # the span of one entry, by its source's year

        def of(provenance: Sequence[Mapping[str, str]]) -> Span:
            if len(provenance) == 1:  # most records: no set, no sort
                year = years.get(provenance[0]["source"])
                if year not in single:
                    found = span(provenance, years)
                    single[year] = interned.setdefault(found, found)
                return single[year]
            found = span(provenance, years)
            return interned.setdefault(found, found)

        self.nodes: dict[str, Span] = {n: of(a.get("provenance", ()))
                                       for n, a in g._node.items()}
        self.first: dict[str, int] = {n: seen[0] for n, seen in self.nodes.items()}
        self.edges: dict[EdgeKey, Span] = {}
        self.late: set[tuple[str, str]] = set()
        first = self.first
        for u, by_v in g._succ.items():
            for v, by_key in by_v.items():
                ends = first[u] if first[u] > first[v] else first[v]
                for key, attrs in by_key.items():
                    own = of(attrs.get("provenance", ()))
                    if ends > own[0]:
                        own = interned.setdefault((ends, own[1]), (ends, own[1]))
                    elif own[0] > ends:
                        self.late.add((u, v))
                    self.edges[(u, v, key)] = own
        #: the nodes of late pairs: only their neighbours need the edges' spans
        self.late_ends: frozenset[str] = frozenset(n for pair in self.late for n in pair)


_TIMELINE_LOCK = threading.Lock()


def timeline(g: nx.MultiDiGraph) -> Timeline:
    """``g``'s ``Timeline``, made once per graph version (kept in ``g.graph``)."""
    version = g.graph.get("version")
    kept = g.graph.get("_timeline")
    if kept is None or kept[0] != version or version is None:
        with _TIMELINE_LOCK:  # concurrent first requests wait for one pass
            kept = g.graph.get("_timeline")
            if kept is None or kept[0] != version or version is None:
                kept = (version, Timeline(g))
                if version is not None:
                    g.graph["_timeline"] = kept
    return kept[1]


#: Neighbours from which a node's seen neighbours are kept per dated view (``_Year.hubs``):
#: at 100k nodes 58 nodes have 200 or more, and they held 40% of what paths as of a year
#: filtered.
HUB_DEGREE = 64


class _Year:
    """What one dated view shares: the index, the year, and the cut of a seen record."""

    def __init__(self, index: Timeline, year: int):
        self.index, self.year = index, year
        #: (node, forward) -> the node's neighbours seen by the year, for hubs only
        #: (``HUB_DEGREE``): the few nodes whose neighbour lists a walk reads again and again
        self.hubs: dict[tuple[str, bool], list[str]] = {}
        #: the same for ``either_way``: (node, targets first) -> its neighbours either way
        self.either_hubs: dict[tuple[str, bool], list[str]] = {}

    def attrs(self, attrs: dict[str, Any], seen: Span, edge: bool) -> dict[str, Any]:
        """``attrs`` as reported up to the year: itself when no source of it is later (most
        records: no copy), else a cut copy (``attrs_as_of``)."""
        if not seen[1] or seen[1][-1] <= self.year:
            return attrs
        out = attrs_as_of(attrs, self.index.years, self.year, edge)
        assert out is not None  # only seen records are cut
        return out


class _Nodes(Mapping[str, dict[str, Any]]):
    """A graph's node dict (or the outer level of its adjacency, ``inner``) as of a year."""

    def __init__(self, raw: dict[str, Any], at: _Year, inner: Any = None):
        self._raw, self._at, self._inner = raw, at, inner
        self._len: int | None = None

    def __contains__(self, n: object) -> bool:
        return n in self._raw and self._at.index.nodes[n][0] <= self._at.year  # type: ignore[index]

    def __getitem__(self, n: str) -> Any:
        value = self._raw[n]
        seen = self._at.index.nodes[n]
        if seen[0] > self._at.year:
            raise KeyError(n)
        if self._inner is not None:
            return self._inner(n, value)
        return self._at.attrs(value, seen, edge=False)

    def __iter__(self) -> Iterator[str]:
        spans, year = self._at.index.nodes, self._at.year
        return (n for n in self._raw if spans[n][0] <= year)

    def __len__(self) -> int:
        if self._len is None:  # the graph never changes under a view
            self._len = sum(1 for _ in self)
        return self._len


class _Neighbours(Mapping[str, Mapping[str, dict[str, Any]]]):
    """One node's neighbours (successors, or predecessors when not ``forward``), each with
    the keys of the edges seen by the year. Made only for a node seen by the year.

    Every lookup is the hot path of a walk, so each asks the cheapest thing that decides it:
    a neighbour of a seen node is seen with its first year unless an edge between them came
    later than both (a late pair, few or none); only then are the edges' spans read. Lookups
    and ``get`` are written out rather than inherited from ``Mapping`` (which goes through
    ``__getitem__`` and an exception for every neighbour not seen), and a hub's seen
    neighbours are listed once per view (``HUB_DEGREE``). At 100k nodes, bench/time_queries'
    85 path pairs in one process: 1.48 -> 0.88 ms of CPU per path as of a year (0.7-0.8
    without a year; it was 1.8x that)."""

    def __init__(self, raw: dict[str, dict[str, Any]], node: str, forward: bool, at: _Year):
        self._raw, self._node, self._forward, self._at = raw, node, forward, at

    def _key(self, other: str, key: str) -> EdgeKey:
        return (self._node, other, key) if self._forward else (other, self._node, key)

    def _seen(self, other: str, by_key: dict[str, Any]) -> bool:
        index, year = self._at.index, self._at.year
        if index.first[other] > year:
            return False
        if not index.late or self._pair(other) not in index.late:
            return True  # every edge of the pair is first seen with the later end
        edges = index.edges
        return any(edges[self._key(other, k)][0] <= year for k in by_key)

    def __contains__(self, other: object) -> bool:
        by_key = self._raw.get(other)  # type: ignore[call-overload]
        return by_key is not None and self._seen(other, by_key)  # type: ignore[arg-type]

    def __getitem__(self, other: str) -> _Keys:
        by_key = self._raw[other]
        if not self._seen(other, by_key):
            raise KeyError(other)
        return _Keys(by_key, self._key(other, ""), self._at)

    def get(self, other: str, default: Any = None) -> Any:  # type: ignore[override]
        by_key = self._raw.get(other)
        if by_key is None or not self._seen(other, by_key):
            return default
        return _Keys(by_key, self._key(other, ""), self._at)

    def __iter__(self) -> Iterator[str]:
        if len(self._raw) < HUB_DEGREE:
            return iter(self._seen_list())
        key = (self._node, self._forward)
        found = self._at.hubs.get(key)
        if found is None:  # a race computes it twice, alike: no lock needed
            found = self._at.hubs[key] = self._seen_list()
        return iter(found)

    def _seen_list(self) -> list[str]:
        # a list, not a generator: a walk reads every neighbour, and a list comprehension
        # resumes no frame per item
        first, late, year = self._at.index.first, self._at.index.late, self._at.year
        if not late:
            return [other for other in self._raw if first[other] <= year]
        return [other for other, by_key in self._raw.items() if first[other] <= year
                and (self._pair(other) not in late or self._seen(other, by_key))]

    def _pair(self, other: str) -> tuple[str, str]:
        return (self._node, other) if self._forward else (other, self._node)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Keys(Mapping[str, dict[str, Any]]):
    """The edges between two nodes (by key) seen by the year, with their dated attributes."""

    def __init__(self, raw: dict[str, dict[str, Any]], pair: EdgeKey, at: _Year):
        self._raw, self._u, self._v, self._at = raw, pair[0], pair[1], at

    def _span(self, key: str) -> Span:
        return self._at.index.edges[(self._u, self._v, key)]

    def __contains__(self, key: object) -> bool:
        return key in self._raw and self._span(key)[0] <= self._at.year  # type: ignore[arg-type]

    def __getitem__(self, key: str) -> dict[str, Any]:
        attrs = self._raw[key]
        seen = self._span(key)
        if seen[0] > self._at.year:
            raise KeyError(key)
        return self._at.attrs(attrs, seen, edge=True)

    def __iter__(self) -> Iterator[str]:
        return (k for k in self._raw if self._span(k)[0] <= self._at.year)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def either_way(g: nx.MultiDiGraph, *, targets_first: bool = True
               ) -> Callable[[str], list[str]]:
    """A node's neighbours along edges of either direction, each once, never the node
    itself: what a walk without filters and without direction steps to, over ``g`` or a
    ``dated_view`` of it. Successors come first (predecessors with ``targets_first=False``),
    each side in adjacency order, as ``queries.traverse.Walk`` steps.

    The hot loop of every undirected path search. Over a dated view the raw adjacency is read
    and cut by each neighbour's first year, in one comprehension, instead of a view object
    and a seen check per neighbour (at 100k nodes, bench/time_queries' 85 path pairs as of
    their year, the query service in one process: 0.86 -> 0.67-0.72 ms a request, with the
    answer's hops rendered once); only a node of a late pair goes through the view's edge
    spans, and a hub's list is kept per view (``HUB_DEGREE``)."""
    succ, pred = g._succ, g._pred
    first_side, second_side = (succ, pred) if targets_first else (pred, succ)
    if not isinstance(succ, _Nodes):
        def plain(node: str) -> list[str]:
            return [o for o in dict.fromkeys([*first_side[node], *second_side[node]])
                    if o != node]
        return plain
    at = succ._at
    raw_first, raw_second = first_side._raw, second_side._raw  # type: ignore[attr-defined]
    first, year, late_ends, hubs = (at.index.first, at.year, at.index.late_ends,
                                    at.either_hubs)

    def seen(node: str) -> list[str]:
        if node in late_ends:  # a late pair's edges decide: through the view
            return [o for o in dict.fromkeys([*first_side[node], *second_side[node]])
                    if o != node]
        return [o for o in dict.fromkeys([*raw_first[node], *raw_second[node]])
                if first[o] <= year and o != node]

    def stepped(node: str) -> list[str]:
        if len(raw_first[node]) + len(raw_second[node]) < HUB_DEGREE:
            return seen(node)
        key = (node, targets_first)
        found = hubs.get(key)
        if found is None:  # a race computes it twice, alike: no lock needed
            found = hubs[key] = seen(node)
        return found

    return stepped


def dated_view(g: nx.MultiDiGraph, year: int) -> nx.MultiDiGraph:
    """``as_of_graph(g, year)`` without the copy: a read-only view of ``g`` whose node and
    adjacency dicts leave out what is not seen by ``year`` (``timeline(g)``: one pass per
    graph version) and cut a record's provenance and status only when it is read. Equal to
    ``as_of_graph`` in every node, edge and attribute (tests/test_timeline.py); its version
    is ``<version>@<year>`` and its ``graph`` dict its own, so answers kept per version stay
    apart from the whole graph's."""
    at = _Year(timeline(g), year)
    h = nx.freeze(g.__class__())
    h._node = _Nodes(g._node, at)
    h._succ = h._adj = _Nodes(g._succ, at, lambda n, raw: _Neighbours(raw, n, True, at))
    h._pred = _Nodes(g._pred, at, lambda n, raw: _Neighbours(raw, n, False, at))
    h.graph = {k: v for k, v in g.graph.items() if not k.startswith("_")}
    h.graph["version"] = f"{g.graph.get('version')}@{year}"
    h.graph["as_of"] = year
    return h
