"""The query interface the API and the CLI talk to, whichever store serves.

``queries.service.QueryService`` implements it once over any ``queries.store.GraphStore``
(``EmbeddedBackend``, ``Neo4jBackend``); this protocol lets the API take a stand-in (tests
wrap a backend to make it fail). Every method returns JSON-ready values (dicts, lists, str,
numbers) and raises the errors of ``queries.errors``. Entity arguments accept an id or an
exact zh/en name or alias. ``as_of`` (a date) asks for the graph as reported up to then
(``queries.service`` says how).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import networkx as nx

from queries.checks import CENTRALITY_MEASURES
from queries.service import BACKING_MAX_LENGTH, DEFAULT_EDGE_LIMIT

__all__ = ["BACKING_MAX_LENGTH", "CENTRALITY_MEASURES", "QueryBackend"]

Json = dict[str, Any]


class QueryBackend(Protocol):
    name: str  # "embedded" or "neo4j"

    def version(self) -> str:
        """The graph's content version (changes whenever the data changes)."""

    def health(self) -> Json:
        """``{"status": "ok", "backend": ..., "nodes": n, "edges": m}``; raises
        ``BackendUnavailable`` when the store cannot be reached."""

    def statistics(self, *, as_of: str | int | None = None) -> Json: ...

    def snapshot(self) -> nx.MultiDiGraph:
        """The whole served graph as the embedded graph holds it (RDF export, SPARQL)."""

    def entity(self, entity: str, *, edge_limit: int = DEFAULT_EDGE_LIMIT,
               edge_offset: int = 0, as_of: str | int | None = None) -> Json:
        """One node: id, kind, subtype, names, aliases, properties, provenance, and its
        edges (``out`` / ``in``: rel, other end id/kind/names, properties, provenance;
        ``edge_limit`` per direction from ``edge_offset`` on, with ``edges_total`` and
        ``edges_truncated``)."""

    def search(self, text: str | None, *, kinds: Sequence[str] | None = None,
               limit: int = 20, offset: int = 0, as_of: str | int | None = None) -> Json:
        """``{"total": n, "items": [node summary, ...]}``; no text lists all (by id)."""

    def neighbourhood(self, entity: str, *, radius: int = 1,
                      node_kinds: Sequence[str] | None = None,
                      relations: Sequence[str] | None = None, limit: int = 200,
                      as_of: str | int | None = None) -> Json:
        """The ego graph: ``{"center": id, "nodes": [...], "edges": [...], "truncated": b}``."""

    def paths(self, source: str, target: str, *, mode: str = "shortest", k: int = 5,
              max_length: int = 6, relations: Sequence[str] | None = None,
              node_kinds: Sequence[str] | None = None, directed: bool = False,
              limit: int = 20, as_of: str | int | None = None) -> Json:
        """Paths (``mode``: shortest | k_shortest | all_simple); each hop carries rel,
        direction and provenance. Raises ``NoAnswer`` when there is no path."""

    def backing(self, *, fund: str | None = None, lab: str | None = None,
                max_length: int = BACKING_MAX_LENGTH, limit: int = 100,
                as_of: str | int | None = None) -> Json:
        """Which funds back which labs, with ranked, explained chains (zh/en)."""

    def centrality(self, measure: str, *, kind: str | None = None, top: int = 10,
                   as_of: str | int | None = None) -> Json:
        """Top-k entities by ``measure`` with a distribution summary."""

    def changes(self, start: str | int, end: str | int, *, limit: int = 100,
                offset: int = 0) -> Json:
        """What changed between two dates (``queries.changes``), one page."""

    def metric_series(self, subject: str, metric: str, *,
                      as_of: str | int | None = None) -> Json:
        """One metric of one subject over time."""
