"""``QueryBackend`` over the embedded networkx graph.

Resolves entity arguments (id, or exact zh/en name or alias) with ``graph.embedded.
resolve_node``, checks every parameter (``InvalidQuery(field, message)``) and calls the plain
query functions of ``queries.paths``, ``queries.backing``, ``queries.centrality`` and
``queries.explore``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import networkx as nx

from graph.embedded import resolve_node
from graph.schema import load_schema
from queries import backing as backing_queries
from queries import centrality as centrality_queries
from queries import explore, paths
from queries.backend import Json
from queries.errors import InvalidQuery

PATH_MODES = ("shortest", "k_shortest", "all_simple")


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, g: nx.MultiDiGraph,
                 centrality_settings: centrality_queries.Settings = (
                     centrality_queries.DEFAULT_SETTINGS)):
        if g.graph.get("version") is None:
            raise ValueError("the graph has no version: build it with graph.embedded."
                             "build_graph or loaders.dataset.load_graph")
        self.g = g
        self.centrality_settings = centrality_settings
        self._statistics: Json | None = None
        self._edge_count: int | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_data(cls, root: Path | str | None = None) -> EmbeddedBackend:
        """Load and validate a data directory (default: ``data/`` or ``$INNOGRAPH_DATA``)."""
        from loaders.dataset import load_graph

        return cls(load_graph(root, progress=False))

    def version(self) -> str:
        return self.g.graph["version"]

    def health(self) -> Json:
        if self._edge_count is None:  # counting walks every adjacency: once per backend
            self._edge_count = self.g.number_of_edges()
        return {"status": "ok", "backend": self.name, "version": self.version(),
                "nodes": self.g.number_of_nodes(), "edges": self._edge_count}

    def statistics(self) -> Json:
        with self._lock:  # counted once: the graph does not change under a backend
            if self._statistics is None:
                self._statistics = explore.statistics(self.g)
            return self._statistics

    def entity(self, entity: str, *, edge_limit: int = explore.DEFAULT_EDGE_LIMIT,
               edge_offset: int = 0) -> Json:
        return explore.entity(self.g, self._resolve(entity), edge_limit=edge_limit,
                              edge_offset=edge_offset)

    def search(self, text: str | None, *, kinds: Sequence[str] | None = None,
               limit: int = 20, offset: int = 0) -> Json:
        return explore.search(self.g, text, kinds=_node_kinds("kinds", kinds), limit=limit,
                              offset=offset)

    def neighbourhood(self, entity: str, *, radius: int = 1,
                      node_kinds: Sequence[str] | None = None,
                      relations: Sequence[str] | None = None, limit: int = 200) -> Json:
        return explore.neighbourhood(
            self.g, self._resolve(entity), radius=radius,
            node_kinds=_node_kinds("node_kinds", node_kinds),
            relations=_relations(relations), limit=limit)

    def paths(self, source: str, target: str, *, mode: str = "shortest", k: int = 5,
              max_length: int = 6, relations: Sequence[str] | None = None,
              node_kinds: Sequence[str] | None = None, directed: bool = False,
              limit: int = 20) -> Json:
        if mode not in PATH_MODES:
            raise InvalidQuery("mode", f"unknown mode {mode!r}; one of " + ", ".join(PATH_MODES))
        a = self._resolve(source, "source")
        b = self._resolve(target, "target")
        filters = {"relations": _relations(relations),
                   "node_kinds": _node_kinds("node_kinds", node_kinds), "directed": directed}
        if mode == "shortest":
            return paths.shortest_paths(self.g, a, b, max_length=max_length, limit=limit,
                                        **filters)
        if mode == "k_shortest":
            return paths.k_shortest_paths(self.g, a, b, k, max_length=max_length, **filters)
        return paths.all_simple_paths(self.g, a, b, max_length=max_length, limit=limit,
                                      **filters)

    def backing(self, *, fund: str | None = None, lab: str | None = None,
                max_length: int = backing_queries.DEFAULT_MAX_LENGTH, limit: int = 100
                ) -> Json:
        return backing_queries.backing(
            self.g, fund=self._resolve(fund, "fund") if fund is not None else None,
            lab=self._resolve(lab, "lab") if lab is not None else None,
            max_length=max_length, limit=limit)

    def centrality(self, measure: str, *, kind: str | None = None, top: int = 10) -> Json:
        return centrality_queries.centrality(self.g, measure, kind=kind, top=top,
                                             settings=self.centrality_settings)

    def _resolve(self, query: str, field: str = "entity") -> str:
        if not isinstance(query, str) or not query.strip():
            raise InvalidQuery(field, "give an entity id or name")
        return resolve_node(self.g, query)


def _node_kinds(field: str, kinds: Sequence[str] | None) -> list[str] | None:
    if not kinds:
        return None
    unknown = [k for k in kinds if k not in load_schema().node_kinds]
    if unknown:
        raise InvalidQuery(field, "unknown node kinds " + ", ".join(map(repr, unknown)))
    return list(kinds)


def _relations(relations: Sequence[str] | None) -> list[str] | None:
    if not relations:
        return None
    unknown = [r for r in relations if r not in load_schema().relation_kinds]
    if unknown:
        raise InvalidQuery("relations", "unknown relation kinds " + ", ".join(map(repr, unknown)))
    return list(relations)
