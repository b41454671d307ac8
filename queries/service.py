"""One query service over any ``GraphStore``: the questions the API and the CLI ask.

Every public method validates its parameters once (``queries.checks``), asks the store for
primitive reads (``queries.store``), runs the algorithm once and shapes the answer once with
the shared view code (``queries.views``, ``queries.paths``, ``queries.backing``,
``queries.centrality``). So a store answers only "what is there", and a new question or
parameter is written here, once, for every store. Whole-graph questions (statistics, backing,
rankings) run inside ``store.settled``, which refuses content
a sync is changing and caches the answer while the content stays the same.

Every method returns JSON-ready values and raises the errors of ``queries.errors``. Entity
arguments accept an id or an exact zh/en name or alias.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from queries import backing as backing_queries
from queries import centrality as centrality_queries
from queries import checks
from queries import paths as path_queries
from queries.analytics_service import AnalyticsQueries
from queries.store import Filter, GraphStore, Json
from queries.traverse import Walk

DEFAULT_EDGE_LIMIT = 500  # relations per direction in an entity answer (a hub has thousands)
BACKING_MAX_LENGTH = backing_queries.DEFAULT_MAX_LENGTH


class QueryService(AnalyticsQueries):  # + the ecosystem analytics (communities, ...)
    def __init__(self, store: GraphStore):
        self.store = store
        self.name = store.name  # "embedded" or "neo4j"

    def version(self) -> str:
        """The graph's content version (changes whenever the data changes)."""
        return self.store.version()

    def health(self) -> Json:
        """``{"status": "ok", "backend": ..., "nodes": n, "edges": m}``; raises
        ``BackendUnavailable`` when the store cannot be reached."""
        return self.store.health()

    def snapshot(self) -> nx.MultiDiGraph:
        """The whole graph being served, as the embedded graph holds it (for exports)."""
        return self.store.settled(self.store.snapshot, ("snapshot",))

    def statistics(self) -> Json:
        """Counts by kind and relation, quotes per source, connectivity."""
        return self.store.settled(lambda: self._statistics(), ("statistics",))

    def _statistics(self) -> Json:
        return self.store.statistics()

    def entity(self, entity: str, *, edge_limit: int = DEFAULT_EDGE_LIMIT,
               edge_offset: int = 0) -> Json:
        """One node: id, kind, subtype, names, aliases, properties, provenance, and its
        edges (``out`` / ``in``: rel, other end summary, properties, provenance), sorted by
        relation then other id, ``edge_limit`` per direction from ``edge_offset`` on, with
        ``edges_total`` and ``edges_truncated``."""
        checks.edge_page(edge_limit, edge_offset)
        node_id = self._resolve(entity)
        view = self.store.node(node_id)
        out, into, totals = self.store.edge_page(node_id, edge_limit, edge_offset)
        end = edge_offset + edge_limit
        return {**view, "edges": {"out": out, "in": into}, "edges_total": totals,
                "edges_truncated": totals["out"] > end or totals["in"] > end}

    def search(self, text: str | None, *, kinds: Sequence[str] | None = None,
               limit: int = 20, offset: int = 0) -> Json:
        """Nodes whose id, zh/en name or alias contains ``text`` (exact, then prefix, then
        partial matches), or all nodes by id without text: ``{"total", "offset", "limit",
        "items": [summary, ...]}``."""
        checks.at_least_one(limit=limit)
        checks.not_negative(offset=offset)
        wanted = text.strip() if text is not None else ""
        total, items = self.store.search(wanted, checks.node_kinds("kinds", kinds), offset,
                                         limit)
        return {"total": total, "offset": offset, "limit": limit, "items": items}

    def neighbourhood(self, entity: str, *, radius: int = 1,
                      node_kinds: Sequence[str] | None = None,
                      relations: Sequence[str] | None = None, limit: int = 200) -> Json:
        """The ego graph of ``entity``: nodes within ``radius`` hops (either direction) over
        ``relations``, passing only through ``node_kinds`` (the center always kept), at most
        ``limit`` nodes, nearest first, each level in frontier order then neighbour id
        (``truncated`` says whether some were left out); edges are those among the kept
        nodes: ``{"center", "radius", "nodes", "edges", "truncated"}``."""
        center = self._resolve(entity)
        checks.radius(radius)
        checks.at_least_one(limit=limit)
        walk = Filter.of(relations=checks.relations(relations),
                         node_kinds=checks.node_kinds("node_kinds", node_kinds),
                         endpoints=(center,))
        nodes = self.store.summaries([center])
        distance = {center: 0}
        frontier = [center]
        truncated = False
        for depth in range(1, radius + 1):  # one store read per level
            found = self.store.expand(frontier, walk)
            nxt = []
            for u in frontier:
                for w in found.get(u, ()):
                    if w["id"] in distance:
                        continue
                    if len(distance) == limit:
                        truncated = True
                        break
                    distance[w["id"]] = depth
                    nodes[w["id"]] = w
                    nxt.append(w["id"])
                if truncated:
                    break
            if truncated or not nxt:
                break
            frontier = nxt
        edges = self.store.edges_among(list(distance), walk)
        edges.sort(key=lambda e: (e["from"], e["to"], e["rel"]))
        return {"center": center, "radius": radius,
                "nodes": [{**nodes[n], "distance": d} for n, d in distance.items()],
                "edges": edges, "truncated": truncated}

    def paths(self, source: str, target: str, *, mode: str = "shortest", k: int = 5,
              max_length: int = 6, relations: Sequence[str] | None = None,
              node_kinds: Sequence[str] | None = None, directed: bool = False,
              limit: int = 20) -> Json:
        """Paths (``mode``: shortest | k_shortest | all_simple), shortest first; each hop
        carries rel, direction and provenance (``queries.paths``). Raises ``NoAnswer`` when
        there is no path."""
        checks.path_mode(mode)
        a = self._resolve(source, "source")
        b = self._resolve(target, "target")
        checks.distinct_endpoints(a, b)
        wanted = k if mode == "k_shortest" else limit
        checks.at_least_one(**{"k" if mode == "k_shortest" else "limit": wanted})
        checks.at_least_one(max_length=max_length)
        walk = Filter.of(relations=checks.relations(relations),
                         node_kinds=checks.node_kinds("node_kinds", node_kinds),
                         directed=directed, endpoints=(a, b))
        found = self.store.find_paths(a, b, mode, walk, max_length=max_length,
                                      wanted=wanted + 1)
        g = self.store.subgraph(found[0] or [[a, b]])
        steps = Walk(g, walk.relations, walk.node_kinds, walk.directed, walk.endpoints)
        return path_queries.respond(g, steps, a, b, mode, found, limit=wanted,
                                    max_length=max_length, timeout=self.store.path_timeout)

    def backing(self, *, fund: str | None = None, lab: str | None = None,
                max_length: int = BACKING_MAX_LENGTH, limit: int = 100) -> Json:
        """Which funds back which labs, with ranked, explained chains (zh/en)."""
        fund_id = self._resolve(fund, "fund") if fund is not None else None
        lab_id = self._resolve(lab, "lab") if lab is not None else None
        # chains ranked over every fund and lab: from settled content only, not kept
        return self.store.settled(lambda: backing_queries.backing(
            self.store.snapshot(), fund=fund_id, lab=lab_id, max_length=max_length,
            limit=limit))

    def centrality(self, measure: str, *, kind: str | None = None, top: int = 10) -> Json:
        """Top-k entities by ``measure`` with a distribution summary (``queries.centrality``
        says how each is computed)."""
        checks.measure(measure)
        checks.node_kind("kind", kind)
        checks.at_least_one(top=top)

        def ranked() -> tuple[str, Json, list[tuple[str, float]], Json]:
            scores = self.store.scores(measure)
            return (self.store.version(), scores.method,
                    *centrality_queries.ranking(scores.values, scores.kinds, kind))

        version, method, order, summary = self.store.settled(ranked,
                                                             ("centrality", measure, kind))
        return centrality_queries.answer(measure, kind, top, version, method, order, summary,
                                         self.store.summaries(n for n, _ in order[:top]))

    def _resolve(self, query: object, field: str = "entity") -> str:
        return self.store.resolve(checks.entity_argument(query, field))
