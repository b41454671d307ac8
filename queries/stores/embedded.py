"""``GraphStore`` over the embedded networkx graph (``graph.embedded``): primitive reads of
adjacency dicts, the graph itself as its snapshot. The graph never changes under a store, so
``settled`` only caches.

``as_of`` is applied in one place, ``_graph``: every primitive reads the graph as of the
filter's year through ``graph.timeline.dated_view``, so lookups, walks, statistics and
centrality all see the same dated graph. Why a view and not a dated copy per year (what
``graph.timeline.as_of_graph`` builds): the copy took ~15 s at 100k nodes on the first request
of each year, and held a second graph in memory per year. The view costs one pass over the
graph per graph version (``graph.timeline.Timeline``: each record's first year, a few
seconds at 100k, once), then nothing per year: it filters adjacency by that first year as it
is read and cuts provenance and status only on the records an answer reads. Name lookups use
the whole graph's search index and keep the ids the year sees (names do not change with
time), so no index is built per year either.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import networkx as nx

from graph.embedded import (
    AmbiguousName,
    NodeNotFound,
    edge_properties,
    find_nodes,
    node_view,
    resolve_node,
    search_phrases,
)
from graph.embedded import statistics as graph_statistics
from graph.timeline import dated_view, source_years
from queries import centrality, paths
from queries.kept import KEPT_KIB, KeptValues, Weigh
from queries.store import NOW, Filter, FoundPaths, Json, Scores
from queries.traverse import Walk, check_nodes
from queries.views import node_summaries, node_summary

T = TypeVar("T")
KEPT_YEARS = 32  # dated views kept per store (a view is small: answers kept on it stay warm)


def names_of(node_id: str, attrs: dict[str, Any]) -> set[str]:
    """What a name lookup matches exactly (as ``graph.embedded``'s search index)."""
    return {n.casefold() for n in (node_id, attrs["name_zh"], attrs["name_en"],
                                   *attrs["aliases"])}


def walk_of(g: nx.MultiDiGraph, walk: Filter) -> Walk:
    return Walk(g, walk.relations, walk.node_kinds, walk.directed, walk.endpoints)


class EmbeddedStore:
    name = "embedded"
    path_timeout = paths.DEFAULT_TIMEOUT

    def __init__(self, g: nx.MultiDiGraph,
                 centrality_settings: centrality.Settings = centrality.DEFAULT_SETTINGS):
        if g.graph.get("version") is None:
            raise ValueError("the graph has no version: build it with graph.embedded."
                             "build_graph or loaders.dataset.load_graph")
        self.g = g
        self.centrality_settings = centrality_settings
        self._edge_count: int | None = None
        self._kept = KeptValues(KEPT_KIB)  # what ``settled`` keeps
        self._lock = threading.RLock()  # the dated views
        self._years: dict[str, int] | None = None
        self._dated: dict[int, nx.MultiDiGraph] = {}

    def _graph(self, within: Filter) -> nx.MultiDiGraph:
        """The graph as of ``within.as_of`` (the whole graph when None)."""
        year = within.as_of
        if year is None:
            return self.g
        with self._lock:
            if year not in self._dated:
                if len(self._dated) >= KEPT_YEARS:
                    del self._dated[next(iter(self._dated))]
                self._dated[year] = dated_view(self.g, year)
            return self._dated[year]

    def source_years(self) -> dict[str, int]:
        if self._years is None:
            self._years = source_years(self.g)
        return self._years

    def version(self) -> str:
        return self.g.graph["version"]

    def health(self) -> Json:
        if self._edge_count is None:  # counting walks every adjacency: once per store
            self._edge_count = self.g.number_of_edges()
        return {"status": "ok", "backend": self.name, "version": self.version(),
                "nodes": self.g.number_of_nodes(), "edges": self._edge_count}

    def settled(self, compute: Callable[[], T], key: tuple | None = None,
                weigh: Weigh | None = None) -> T:
        if key is None:
            return compute()
        # one generation: the graph does not change under a store
        return self._kept.value(None, key, compute, weigh)

    def resolve(self, text: str, within: Filter = NOW) -> str:
        """As ``resolve_node`` on the dated graph: an id it holds, or the one node it holds
        of that exact name (found through the whole graph's index: none is built per year)."""
        g = self._graph(within)
        query = text.strip()
        if g is self.g or query in g:
            return resolve_node(g, text)
        phrases = search_phrases(query)
        exact = [n for n in find_nodes(self.g, query, limit=None)
                 if n in g and not names_of(n, self.g._node[n]).isdisjoint(phrases)]
        if len(exact) > 1:
            raise AmbiguousName(query, exact)
        if not exact:
            raise NodeNotFound(query)
        return exact[0]

    def summaries(self, ids: Iterable[str], within: Filter = NOW) -> dict[str, Json]:
        g = self._graph(within)
        return node_summaries(g, (n for n in ids if n in g._node))

    def node(self, node_id: str, within: Filter = NOW) -> Json:
        g = self._graph(within)
        check_nodes(g, node_id)
        return node_view(g, node_id)

    def edge_page(self, node_id: str, limit: int, offset: int, within: Filter = NOW
                  ) -> tuple[Json, list[Json], list[Json], dict[str, int]]:
        g = self._graph(within)
        view = self.node(node_id, within)

        def edges(adjacency: dict) -> list[Json]:
            found = [{"rel": rel, "other": node_summary(g, other),
                      "properties": edge_properties(attrs),
                      "provenance": list(attrs["provenance"])}
                     for other, by_rel in adjacency[node_id].items()
                     for rel, attrs in by_rel.items()]
            return sorted(found, key=lambda e: (e["rel"], e["other"]["id"]))

        out, into = edges(g._succ), edges(g._pred)
        end = offset + limit
        return view, out[offset:end], into[offset:end], {"out": len(out), "in": len(into)}

    def search(self, text: str, kinds: Sequence[str] | None, offset: int, limit: int,
               within: Filter = NOW) -> tuple[int, list[Json]]:
        g = self._graph(within)
        if text:  # the whole graph's index (built once), kept to the year's nodes
            ids = [n for n in find_nodes(self.g, text, kinds=kinds, limit=None)
                   if g is self.g or n in g]
        else:
            kind_set = set(kinds) if kinds else None
            ids = sorted(n for n, k in g.nodes(data="kind")
                         if kind_set is None or k in kind_set)
        return len(ids), [node_summary(g, n) for n in ids[offset:offset + limit]]

    def expand(self, frontier: list[str], walk: Filter) -> dict[str, list[Json]]:
        g = self._graph(walk)
        steps = walk_of(g, walk)
        return {u: [node_summary(g, w) for w in sorted(steps.onward(u))]
                for u in frontier}

    def edges_among(self, ids: list[str], walk: Filter) -> list[Json]:
        g = self._graph(walk)
        kept, relations = set(ids), walk.relations
        return [{"from": u, "to": v, "rel": rel, "properties": edge_properties(attrs),
                 "provenance": list(attrs["provenance"])}
                for u in ids for v, by_rel in g._succ[u].items() if v in kept
                for rel, attrs in by_rel.items() if relations is None or rel in relations]

    def find_paths(self, a: str, b: str, mode: str, walk: Filter, *, max_length: int,
                   wanted: int) -> FoundPaths | None:
        g = self._graph(walk)
        if a not in g or b not in g:
            return None
        found, timed_out = paths.find(walk_of(g, walk), a, b, mode, max_length=max_length,
                                      wanted=wanted, timeout=self.path_timeout)
        return FoundPaths(found, timed_out, g)

    def subgraph(self, node_paths: list[list[str]], within: Filter = NOW
                 ) -> nx.MultiDiGraph:
        return self._graph(within)

    def backing_subgraph(self, fund: str | None, max_length: int, within: Filter = NOW
                         ) -> nx.MultiDiGraph:
        return self._graph(within)  # in memory already: the whole graph is cheapest

    def snapshot(self, within: Filter = NOW) -> nx.MultiDiGraph:
        return self._graph(within)

    def scores(self, measure: str, within: Filter = NOW) -> Scores:
        g = self._graph(within)
        values, method = centrality.measured(g, measure, self.centrality_settings)
        return Scores(values, dict(g.nodes(data="kind")), method)

    def statistics(self, within: Filter = NOW) -> Json:
        return graph_statistics(self._graph(within))
