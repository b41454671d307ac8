"""The ecosystem analytics as questions of the query service, over either store.

``AnalyticsQueries`` is mixed into ``queries.service.QueryService``: each method reads the
whole graph with ``snapshot()`` (kept per version, or per sync generation in Neo4j), calls the
plain function of ``queries.ecosystem`` (which checks its arguments and keeps its answers per
graph version and arguments) inside ``store.settled`` (refused while a sync changes the
content), so every store gives the same answer.

``as_of`` (a year) answers over the graph as the sources published up to that year report it:
a node or relation is kept when one of the sources it cites was published by then, or when
none of its sources is dated (the generated graph; nothing can be said of it). That view gets
its own version, so the analytics keep its answers apart from the whole graph's.

``warm_analytics`` asks every analytic once with its default arguments (cheapest first), for a
background thread at start-up like the centrality warm-up: the work is short numpy, scipy and
igraph calls, so requests served meanwhile wait for the GIL milliseconds at a time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import networkx as nx

from graph.timeline import reported_in, source_years
from queries.ecosystem import brokers as brokers_queries
from queries.ecosystem import communities as communities_queries
from queries.ecosystem import gaps as gaps_queries
from queries.ecosystem import helix as helix_queries
from queries.ecosystem import suggest as suggest_queries
from queries.errors import BackendUnavailable, InvalidQuery
from queries.store import GraphStore
from queries.traverse import per_version

log = logging.getLogger(__name__)
Json = dict[str, Any]
MIN_YEAR, MAX_YEAR = 1900, 2100


def check_as_of(as_of: object) -> int | None:
    """A year (an integer from 1900 to 2100) or None."""
    if as_of is None:
        return None
    if isinstance(as_of, bool) or not isinstance(as_of, int) or not (
            MIN_YEAR <= as_of <= MAX_YEAR):
        raise InvalidQuery("as_of", f"must be a year from {MIN_YEAR} to {MAX_YEAR}, "
                                    f"got {as_of!r}")
    return as_of


def as_of_graph(g: nx.MultiDiGraph, year: int) -> nx.MultiDiGraph:
    """The records of ``g`` reported by sources published up to ``year`` (undated ones kept),
    as a graph of its own with version ``<version>@<year>``."""
    years = source_years(g)

    def known(attrs: dict[str, Any]) -> bool:
        if attrs.get("kind") == "Source" and "published_year" in attrs:
            return attrs["published_year"] <= year
        span = reported_in(attrs.get("provenance", ()), years)
        return span is None or span[0] <= year

    h = nx.MultiDiGraph()
    h.add_nodes_from((n, a) for n, a in g.nodes(data=True) if known(a))
    h.add_edges_from((u, v, k, a) for u, v, k, a in g.edges(keys=True, data=True)
                     if u in h and v in h and known(a))
    h.graph.update({k: v for k, v in g.graph.items() if not k.startswith("_")})
    h.graph["version"] = f"{g.graph.get('version')}@{year}"
    h.graph["as_of"] = year
    return h


class AnalyticsQueries:
    """Communities, brokers, triple helix, gaps and suggested links (``queries.ecosystem``)."""

    store: GraphStore
    snapshot: Callable[[], nx.MultiDiGraph]
    _resolve: Callable[..., str]

    def communities(self, *, resolution: float = 1.0, seed: int = 42, limit: int = 20,
                    top: int = 5, membership: bool = False, as_of: int | None = None) -> Json:
        """Leiden communities, largest first, named by their top members
        (``queries.ecosystem.communities``)."""
        return self._analysed("communities", as_of, communities_queries.communities,
                              resolution=resolution, seed=seed, limit=limit, top=top,
                              membership=membership)

    def brokers(self, *, sphere: str | None = None, kind: str | None = None,
                sort: str = "brokerage", limit: int = 20, evidence: int = 3,
                as_of: int | None = None) -> Json:
        """Actors by brokerage, effective size or constraint, with Gould-Fernandez roles and
        the two-paths they broker (``queries.ecosystem.brokers``)."""
        return self._analysed("brokers", as_of, brokers_queries.brokers, sphere=sphere,
                              kind=kind, sort=sort, limit=limit, evidence=evidence)

    def helix(self, *, limit: int = 50, as_of: int | None = None) -> Json:
        """Actors per sphere, ties between spheres and Leydesdorff's T(uig), overall and per
        sector (``queries.ecosystem.helix``)."""
        return self._analysed("helix", as_of, helix_queries.helix, limit=limit)

    def gaps(self, *, kind: str | None = None, limit: int = 100, evidence: int = 5,
             as_of: int | None = None) -> Json:
        """What exists and what is missing: unfunded sectors, funds without labs, transfer
        gaps, parks without labs (``queries.ecosystem.gaps``)."""
        return self._analysed("gaps", as_of, gaps_queries.gaps, kind=kind, limit=limit,
                              evidence=evidence)

    def suggest(self, *, task: str = "fund_lab", score: str = "adamic_adar",
                node: str | None = None, limit: int = 20, evidence: int = 3,
                as_of: int | None = None) -> Json:
        """Suggested links (never facts: ``"suggestion": true``), each explained by the
        relations and quotes it rests on (``queries.ecosystem.suggest``), ranked by ``score``
        (its ``method``; not so named here, where ``method`` names the question asked).
        ``node`` takes an id or an exact zh/en name or alias."""
        node_id = self._resolve(node, "node") if node is not None else None
        return self._analysed("suggest", as_of, suggest_queries.suggest, task=task,
                              method=score, node=node_id, limit=limit, evidence=evidence)

    def warm_analytics(self, progress: Callable[[str, float], None] | None = None
                       ) -> dict[str, float]:
        """Every analytic once with its default arguments, cheapest first; the seconds each
        took. Stops quietly (logged) if the store cannot be reached."""
        steps: tuple[tuple[str, Callable[[], Json]], ...] = (
            ("gaps", self.gaps), ("suggest fund_lab", self.suggest),
            ("suggest lab_company", lambda: self.suggest(task="lab_company")),
            ("communities", self.communities), ("brokers", self.brokers),
            ("helix", self.helix))
        seconds: dict[str, float] = {}
        for name, step in steps:
            start = time.perf_counter()
            try:
                step()
            except BackendUnavailable as exc:
                log.warning("analytics warm-up stopped: %s", exc)
                break
            seconds[name] = time.perf_counter() - start
            if progress is not None:
                progress(name, seconds[name])
        return seconds

    def _analysed(self, name: str, as_of: int | None, analytic: Callable[..., Json],
                  **arguments: Any) -> Json:
        year = check_as_of(as_of)
        # not kept by the store (its lock would hold other requests during a computation):
        # the analytics keep their answers per graph version and arguments themselves
        return self.store.settled(lambda: analytic(self._graph(year), **arguments))

    def _graph(self, year: int | None) -> nx.MultiDiGraph:
        g = self.snapshot()
        if year is None:
            return g
        return per_version(g, f"_ecosystem_as_of_{year}", lambda whole: as_of_graph(whole, year))
