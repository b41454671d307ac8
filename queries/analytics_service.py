"""The ecosystem analytics as questions of the query service, over either store.

``AnalyticsQueries`` is mixed into ``queries.service.QueryService``: each method reads the
whole graph with ``snapshot()`` (kept per version, or per sync generation in Neo4j), calls the
plain function of ``queries.ecosystem`` (which checks its arguments and keeps its answers per
graph version and arguments) inside ``store.settled`` (refused while a sync changes the
content), so every store gives the same answer.

``as_of`` (a date, as everywhere: queries/service.py, "Time") answers over the service's
dated snapshot, which has a version of its own (``<version>@<year>``), so the analytics keep
its answers apart from the whole graph's.

``warm_analytics`` computes every analytic once with its default arguments over the service's
snapshot, through the one step list of ``queries.ecosystem.warm`` (each step inside
``store.settled``), for a background thread at start-up like the centrality warm-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import networkx as nx

from queries.ecosystem import brokers as brokers_queries
from queries.ecosystem import communities as communities_queries
from queries.ecosystem import gaps as gaps_queries
from queries.ecosystem import helix as helix_queries
from queries.ecosystem import suggest as suggest_queries
from queries.ecosystem import warm
from queries.errors import BackendUnavailable
from queries.store import GraphStore

log = logging.getLogger(__name__)
Json = dict[str, Any]
class AnalyticsQueries:
    """Communities, brokers, triple helix, gaps and suggested links (``queries.ecosystem``)."""

    store: GraphStore
    snapshot: Callable[..., nx.MultiDiGraph]  # QueryService.snapshot(as_of=...)
    _resolve: Callable[..., str]
    _within: Callable[[object], Any]

    def communities(self, *, resolution: float = 1.0, seed: int = 42, limit: int = 20,
                    top: int = 5, membership: bool = False, as_of: str | int | None = None) -> Json:
        """Leiden communities, largest first, named by their top members
        (``queries.ecosystem.communities``)."""
        return self._analysed(as_of, communities_queries.communities,
                              resolution=resolution, seed=seed, limit=limit, top=top,
                              membership=membership)

    def brokers(self, *, sphere: str | None = None, kind: str | None = None,
                sort: str = "brokerage", limit: int = 20, evidence: int = 3,
                as_of: str | int | None = None) -> Json:
        """Actors by brokerage, effective size or constraint, with Gould-Fernandez roles and
        the two-paths they broker (``queries.ecosystem.brokers``)."""
        return self._analysed(as_of, brokers_queries.brokers, sphere=sphere,
                              kind=kind, sort=sort, limit=limit, evidence=evidence)

    def helix(self, *, limit: int = 50, as_of: str | int | None = None) -> Json:
        """Actors per sphere, ties between spheres and Leydesdorff's T(uig), overall and per
        sector (``queries.ecosystem.helix``)."""
        return self._analysed(as_of, helix_queries.helix, limit=limit)

    def gaps(self, *, kind: str | None = None, limit: int = 100, evidence: int = 5,
             as_of: str | int | None = None) -> Json:
        """What exists and what is missing: unfunded sectors, funds without labs, transfer
        gaps, parks without labs (``queries.ecosystem.gaps``)."""
        return self._analysed(as_of, gaps_queries.gaps, kind=kind, limit=limit,
                              evidence=evidence)

    def suggest(self, *, task: str = "fund_lab", score: str = "adamic_adar",
                node: str | None = None, limit: int = 20, evidence: int = 3,
                as_of: str | int | None = None) -> Json:
        """Suggested links (never facts: ``"suggestion": true``), each explained by the
        relations and quotes it rests on (``queries.ecosystem.suggest``), ranked by ``score``
        (its ``method``; not so named here, where ``method`` names the question asked).
        ``node`` takes an id or an exact zh/en name or alias."""
        node_id = (self._resolve(node, "node", self._within(as_of)) if node is not None
                   else None)
        return self._analysed(as_of, suggest_queries.suggest, task=task,
                              method=score, node=node_id, limit=limit, evidence=evidence)

    def warm_analytics(self, progress: Callable[[str, float], None] | None = None
                       ) -> dict[str, float]:
        """Every analytic once with its default arguments (``queries.ecosystem.warm.STEPS``);
        the seconds each step took. Stops quietly (logged) if the store cannot be reached."""
        try:
            g = self.snapshot()
        except BackendUnavailable as exc:
            log.warning("analytics warm-up stopped: %s", exc)
            return {}
        done = warm.warm_up(g, None if progress is None else
                            lambda name, step: progress(name, step["seconds"]),
                            run=self.store.settled)
        return {name: step["seconds"] for name, step in done.items()}

    def _analysed(self, as_of: str | int | None, analytic: Callable[..., Json],
                  **arguments: Any) -> Json:
        g = self.snapshot(as_of=as_of)  # checks as_of; kept per version (and date)
        # not kept by the store (its lock would hold other requests during a computation):
        # the analytics keep their answers per graph version and arguments themselves
        return self.store.settled(lambda: analytic(g, **arguments))
