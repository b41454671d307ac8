"""The narrow interface every graph store implements: primitive reads, nothing else.

``queries.service.QueryService`` asks these; it validates parameters, runs the algorithms
(breadth-first neighbourhoods, path selection, backing chains, rankings) and shapes the
answers, once for every store. A store only says what it holds:

- identity and state: ``name``, ``version()``, ``health()``, ``source_years()`` (publication
  year by source file), ``settled(compute, key, weigh)`` (runs a whole-graph computation on
  settled content and keeps it while the content stays the same, in ``queries.kept``: within
  a budget when ``weigh`` is given, e.g. an answer per fund; Neo4j refuses it while a sync
  writes);
- lookups: ``resolve(text)`` (id or exact name -> id), ``summaries(ids)``, ``node(id)``,
  ``edge_page(id, limit, offset)`` (the node's view and a page of its edges, one read),
  ``search(text, kinds, offset, limit)``;
- traversal under a ``Filter``: ``expand(frontier, filter)`` (one round trip per
  breadth-first level), ``edges_among(ids, filter)``, ``find_paths(a, b, ...)`` (node-id
  lists with the graph their hops are rendered from: Neo4j answers a shortest-paths request
  in one statement, its two ids resolved in it; None when a or b is not an id, so names are
  resolved only then) and ``subgraph(node_paths)`` (the nodes on paths and the edges between
  consecutive ones);
- backing: ``backing_subgraph(fund, max_length)``, a graph holding every chain of at most
  ``max_length`` steps from ``fund`` (None: every fund) along ``queries.backing.links_out``,
  on which ``queries.backing`` answers as on the whole graph (Neo4j reads only that; the
  embedded store gives its graph);
- the whole graph: ``snapshot()``, a networkx MultiDiGraph shaped like the embedded graph,
  for whole-graph work (backing, analytics, RDF export); ``statistics()`` (counts, which
  Neo4j aggregates far faster than it can ship its whole graph); ``scores(measure)``
  (centrality scores with node kinds: computed, or read where a sync stored them).

Why these seams: a parameter that narrows what a query may see (relation kinds, node kinds,
the ``as_of`` year) is a field of ``Filter``, which each store
applies in one place; whole-graph analytics read ``snapshot()`` and need no per-store code.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeVar

import networkx as nx

from queries.kept import Weigh

Json = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Filter:
    """What a read may see: ``relations`` (None: all), ``node_kinds`` of the nodes a walk
    passes through (None: all; ``endpoints`` always allowed), ``directed`` (follow stored
    direction only) and ``as_of`` (a year; None: now): the graph as the sources published up
    to that year report it (``graph.timeline.as_of_graph``: records resting only on later
    sources absent, provenance cut to the earlier sources, relations with the status then
    reported). Every primitive takes one; lookups use only its ``as_of``."""

    relations: frozenset[str] | None = None
    node_kinds: frozenset[str] | None = None
    directed: bool = False
    endpoints: frozenset[str] = frozenset()
    as_of: int | None = None

    @classmethod
    def of(cls, *, relations: Collection[str] | None = None,
           node_kinds: Collection[str] | None = None, directed: bool = False,
           endpoints: Iterable[str] = (), as_of: int | None = None) -> Filter:
        return cls(frozenset(relations) if relations is not None else None,
                   frozenset(node_kinds) if node_kinds is not None else None, directed,
                   frozenset(endpoints), as_of)


#: Everything, as it is now.
NOW = Filter()


@dataclass(frozen=True)
class Scores:
    """Centrality scores of every node, each node's kind, and how they were computed."""

    values: dict[str, float]
    kinds: dict[str, str]
    method: Json


class FoundPaths(NamedTuple):
    """What ``GraphStore.find_paths`` found: the node-id lists of the paths, whether the clock
    stopped the search, and a graph holding every node on them and every edge between two
    consecutive ones (a and b alone when there is none), to render their hops from."""

    paths: list[list[str]]
    timed_out: bool
    graph: nx.MultiDiGraph


class GraphStore(Protocol):
    name: str
    path_timeout: float  # seconds ``find_paths`` may search (enumerating simple paths)

    def version(self) -> str: ...

    def health(self) -> Json: ...

    def settled(self, compute: Callable[[], T], key: tuple | None = None,
                weigh: Weigh | None = None) -> T: ...

    def source_years(self) -> dict[str, int]: ...

    def resolve(self, text: str, within: Filter = NOW) -> str: ...

    def summaries(self, ids: Iterable[str], within: Filter = NOW) -> dict[str, Json]: ...

    def node(self, node_id: str, within: Filter = NOW) -> Json: ...

    def edge_page(self, node_id: str, limit: int, offset: int, within: Filter = NOW
                  ) -> tuple[Json, list[Json], list[Json], dict[str, int]]: ...

    def search(self, text: str, kinds: Sequence[str] | None, offset: int, limit: int,
               within: Filter = NOW) -> tuple[int, list[Json]]: ...

    def expand(self, frontier: list[str], walk: Filter) -> dict[str, list[Json]]: ...

    def edges_among(self, ids: list[str], walk: Filter) -> list[Json]: ...

    def find_paths(self, a: str, b: str, mode: str, walk: Filter, *, max_length: int,
                   wanted: int) -> FoundPaths | None:
        """None when ``a`` or ``b`` is not the id of a node (seen as of ``walk.as_of``)."""

    def subgraph(self, node_paths: list[list[str]], within: Filter = NOW
                 ) -> nx.MultiDiGraph: ...

    def backing_subgraph(self, fund: str | None, max_length: int, within: Filter = NOW
                         ) -> nx.MultiDiGraph: ...

    def snapshot(self, within: Filter = NOW) -> nx.MultiDiGraph: ...

    def statistics(self, within: Filter = NOW) -> Json: ...

    def scores(self, measure: str, within: Filter = NOW) -> Scores: ...
