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

Time (docs/api.md, "As of a date"). ``as_of`` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or an int
year; a year means its end) asks for the graph as reported up to that date. Sources are dated
by year, so a date sees every source published in its year. A node or relation every
provenance entry of which cites a source published later is absent (404 for an entity asked
by name); a kept record keeps only the provenance from sources published by then (entries
citing an undated source are kept: nothing says they are later); observations are nodes, so
one reported later is absent too. The data keeps one status per relation, the latest source's;
as of an earlier date a relation that lost its later provenance shows as ``planned`` when one
of its remaining quotes is a plan (将, 计划, 力争: ``graph.timeline.status_as_of``). An
``as_of`` before the earliest source is an ``InvalidQuery`` naming the parameter. The year
travels to the store in the ``Filter`` of every primitive read: one place per store applies
it. ``changes(from, to)`` compares the whole graph as of both dates (``queries.changes``) and
``metric_series(subject, metric)`` reads through the same filter.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from graph.embedded import NodeNotFound
from graph.schema import OBSERVATION_RELATION
from queries import backing as backing_queries
from queries import centrality as centrality_queries
from queries import changes as change_queries
from queries import checks
from queries import paths as path_queries
from queries.analytics_service import AnalyticsQueries
from queries.kept import KeptAnswer
from queries.store import NOW, Filter, FoundPaths, GraphStore, Json
from queries.traverse import Walk

DEFAULT_EDGE_LIMIT = 500  # relations per direction in an entity answer (a hub has thousands)
BACKING_MAX_LENGTH = backing_queries.DEFAULT_MAX_LENGTH


class _NotHeld(Exception):
    """A backing graph read for a fund id that it does not hold (a name, or not a fund)."""


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

    def snapshot(self, *, as_of: str | int | None = None) -> nx.MultiDiGraph:
        """The whole graph being served (as of a date), as the embedded graph holds it."""
        # the store keeps it (per version, or per sync generation, and year): kept here too,
        # under the store's own key, a dated snapshot over Neo4j waited for itself
        return self.store.snapshot(self._within(as_of))

    def statistics(self, *, as_of: str | int | None = None) -> Json:
        """Counts by kind and relation, quotes per source, connectivity (as of a date)."""
        within = self._within(as_of)
        return self.store.settled(lambda: self.store.statistics(within),
                                  ("statistics", within.as_of))

    def entity(self, entity: str, *, edge_limit: int = DEFAULT_EDGE_LIMIT,
               edge_offset: int = 0, as_of: str | int | None = None) -> Json:
        """One node: id, kind, subtype, names, aliases, properties, provenance, and its
        edges (``out`` / ``in``: rel, other end summary, properties, provenance), sorted by
        relation then other id, ``edge_limit`` per direction from ``edge_offset`` on, with
        ``edges_total`` and ``edges_truncated``."""
        checks.edge_page(edge_limit, edge_offset)
        within = self._within(as_of)
        try:  # an id (what links and the explorer send): the page is the one read
            view, out, into, totals = self.store.edge_page(
                checks.entity_argument(entity), edge_limit, edge_offset, within)
        except NodeNotFound:  # a name, or an id not seen as of the date: resolved as always
            view, out, into, totals = self.store.edge_page(
                self._resolve(entity, within=within), edge_limit, edge_offset, within)
        end = edge_offset + edge_limit
        return {**view, "edges": {"out": out, "in": into}, "edges_total": totals,
                "edges_truncated": totals["out"] > end or totals["in"] > end}

    def search(self, text: str | None, *, kinds: Sequence[str] | None = None,
               limit: int = 20, offset: int = 0, as_of: str | int | None = None) -> Json:
        """Nodes whose id, zh/en name or alias match ``text`` in either Chinese script
        (``graph.embedded.find_nodes``: exact, then prefix, partial and all-words matches),
        or all nodes by id without text: ``{"total", "offset", "limit", "items":
        [summary, ...]}``."""
        checks.at_least_one(limit=limit)
        checks.not_negative(offset=offset)
        within = self._within(as_of)
        wanted = text.strip() if text is not None else ""
        total, items = self.store.search(wanted, checks.node_kinds("kinds", kinds), offset,
                                         limit, within)
        return {"total": total, "offset": offset, "limit": limit, "items": items}

    def neighbourhood(self, entity: str, *, radius: int = 1,
                      node_kinds: Sequence[str] | None = None,
                      relations: Sequence[str] | None = None, limit: int = 200,
                      as_of: str | int | None = None) -> Json:
        """The ego graph of ``entity``: nodes within ``radius`` hops (either direction) over
        ``relations``, passing only through ``node_kinds`` (the center always kept), at most
        ``limit`` nodes, nearest first, each level in frontier order then neighbour id
        (``truncated`` says whether some were left out); edges are those among the kept
        nodes: ``{"center", "radius", "nodes", "edges", "truncated"}``."""
        within = self._within(as_of)
        center = self._resolve(entity, within=within)
        checks.radius(radius)
        checks.at_least_one(limit=limit)
        walk = Filter.of(relations=checks.relations(relations),
                         node_kinds=checks.node_kinds("node_kinds", node_kinds),
                         endpoints=(center,), as_of=within.as_of)
        nodes = self.store.summaries([center], within)
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
              limit: int = 20, as_of: str | int | None = None) -> Json:
        """Paths (``mode``: shortest | k_shortest | all_simple), shortest first; each hop
        carries rel, direction and provenance (``queries.paths``). Raises ``NoAnswer`` when
        there is no path. Every parameter is checked before the store is read."""
        checks.path_mode(mode)
        within = self._within(as_of)
        ends = (checks.entity_argument(source, "source"),
                checks.entity_argument(target, "target"))
        wanted = k if mode == "k_shortest" else limit
        checks.at_least_one(**{"k" if mode == "k_shortest" else "limit": wanted})
        checks.at_least_one(max_length=max_length)
        relations, kinds = checks.relations(relations), checks.node_kinds("node_kinds",
                                                                          node_kinds)

        def search(a: str, b: str) -> tuple[Filter, FoundPaths] | None:
            walk = Filter.of(relations=relations, node_kinds=kinds, directed=directed,
                             endpoints=(a, b), as_of=within.as_of)
            found = self.store.find_paths(a, b, mode, walk, max_length=max_length,
                                          wanted=wanted + 1)
            return (walk, found) if found is not None else None

        # two ids (what links and the explorer send): the path read resolves them itself
        searched = search(*ends) if ends[0] != ends[1] else None
        if searched is None:  # a name, or an id not seen as of the date: resolved as always
            ends = (self._resolve(source, "source", within),
                    self._resolve(target, "target", within))
            checks.distinct_endpoints(*ends)
            searched = search(*ends)
            if searched is None:  # a sync removed an end since it was resolved
                raise NodeNotFound(source)
        walk, found = searched
        g = found.graph
        steps = Walk(g, walk.relations, walk.node_kinds, walk.directed, walk.endpoints)
        return path_queries.respond(g, steps, *ends, mode, (found.paths, found.timed_out),
                                    limit=wanted, max_length=max_length,
                                    timeout=self.store.path_timeout)

    def backing(self, *, fund: str | None = None, lab: str | None = None,
                max_length: int = BACKING_MAX_LENGTH, limit: int = 100,
                as_of: str | int | None = None) -> Json:
        """Which funds back which labs, with ranked, explained chains (zh/en). Kept by the
        store per content generation and parameters (``backing_queries.kept_weight``): a
        question asked again is one read of the sync state over Neo4j, and the answer is
        the same read-only ``KeptAnswer``, its JSON written once."""
        within = self._within(as_of)
        fund_id = checks.entity_argument(fund, "fund") if fund is not None else None
        lab_arg = checks.entity_argument(lab, "lab") if lab is not None else None
        return self.store.settled(
            lambda: KeptAnswer(self._backing(fund_id, lab_arg, max_length, limit, within)),
            ("backing answer", fund_id, lab_arg, max_length, limit, within.as_of),
            backing_queries.kept_weight)

    def _backing(self, fund_id: str | None, lab: str | None, max_length: int, limit: int,
                 within: Filter) -> Json:
        """``backing`` of arguments already checked (stripped ids or names)."""
        def held(fund_id: str | None) -> nx.MultiDiGraph | None:
            """The part of the graph chains may use, from settled content, kept per
            generation; None (and nothing kept) when it does not hold the fund asked about."""
            def read() -> nx.MultiDiGraph:
                g = self.store.backing_subgraph(fund_id, max_length, within)
                if fund_id is not None and fund_id not in g:
                    raise _NotHeld
                return g

            try:
                return self.store.settled(read, ("backing", fund_id, max_length, within.as_of))
            except _NotHeld:
                return None

        # a fund's id (what links and the explorer send): its kept graph, no other read
        g = held(fund_id)
        if g is None:  # a name, or not a fund (as of the date): resolved as always
            named = self._resolve(fund_id, "fund", within)
            g = held(named) if named != fund_id else None
            fund_id = named
        lab_id = lab
        if lab_id is not None and (g is None or lab_id not in g):  # an id in g needs no read
            lab_id = self._resolve(lab_id, "lab", within)
        if g is None or any(n is not None and n not in g for n in (fund_id, lab_id)):
            # not a fund, or a lab no chain reaches: the endpoints alone say which
            g = self.store.subgraph([[n] for n in (fund_id, lab_id) if n is not None], within)
        return backing_queries.backing(g, fund=fund_id, lab=lab_id, max_length=max_length,
                                       limit=limit)

    def centrality(self, measure: str, *, kind: str | None = None, top: int = 10,
                   as_of: str | int | None = None) -> Json:
        """Top-k entities by ``measure`` with a distribution summary (``queries.centrality``
        says how each is computed); as of a date, computed on that date's snapshot (kept per
        content generation and year)."""
        checks.measure(measure)
        checks.node_kind("kind", kind)
        checks.at_least_one(top=top)
        within = self._within(as_of)

        def ranked() -> tuple[str, Json, list[tuple[str, float]], Json]:
            scores = self.store.scores(measure, within)
            version = self.store.version()
            return (version if within.as_of is None else f"{version}@{within.as_of}",
                    scores.method, *centrality_queries.ranking(scores.values, scores.kinds,
                                                               kind))

        version, method, order, summary = self.store.settled(
            ranked, ("centrality", measure, kind, within.as_of))
        return centrality_queries.answer(measure, kind, top, version, method, order, summary,
                                         self.store.summaries((n for n, _ in order[:top]),
                                                              within))

    def changes(self, start: str | int, end: str | int, *, limit: int = 100,
                offset: int = 0, changes: Sequence[str] | None = None,
                kinds: Sequence[str] | None = None, entity: str | None = None) -> Json:
        """What changed from ``start`` to ``end`` (dates as for ``as_of``; ``queries.changes``
        says what each kind of change means), only of the kinds ``changes``, about entities
        of the node ``kinds`` and about ``entity`` (an id or name) if given
        (``Changes.only``): ``{"from", "to", "counts": {kind: n}, "total", "offset",
        "limit", "items"}``, one page of the changes in ``CHANGE_KINDS`` order."""
        first = checks.as_of("from", start)
        last = checks.as_of("to", end)
        assert first is not None and last is not None  # None only when not given
        checks.date_range(first, last)
        earliest = min(self.store.source_years().values(), default=None)
        checks.not_before_sources("from", first, earliest)
        checks.at_least_one(limit=limit)
        checks.not_negative(offset=offset)
        wanted = checks.choices("change", changes, change_queries.CHANGE_KINDS)
        kinds = checks.node_kinds("kind", kinds)
        about = self._resolve(entity) if entity is not None else None  # at any date

        # kept per content and dates (the changed records' keys): a page renders its items
        every = self.store.settled(
            lambda: change_queries.changes(self.store.snapshot(), first, last),
            ("changes", first, last))
        found = every
        if wanted is not None or kinds is not None or about is not None:  # kept per filter
            chosen = (tuple(sorted(set(wanted))) if wanted else None,
                      tuple(sorted(set(kinds))) if kinds else None, about)
            found = self.store.settled(lambda: every.only(*chosen),
                                       ("changes", first, last, *chosen))
        answer_entity = {"entity": about} if about is not None else {}
        return {"from": first, "to": last, **answer_entity, "counts": dict(found.counts),
                "total": len(found), "offset": offset, "limit": limit,
                "items": found.page(offset, limit)}

    def metric_series(self, subject: str, metric: str, *,
                      as_of: str | int | None = None) -> Json:
        """The observations of ``metric`` on ``subject`` over time (as reported up to
        ``as_of``), by period end: value or change factor, bound, unit, period, status,
        quotes with their source's year: ``{"subject", "metric", "as_of", "observations"}``."""
        checks.metric(metric)
        within = self._within(as_of)
        subject_id = self._resolve(subject, "subject", within)
        walk = Filter.of(relations=[OBSERVATION_RELATION], directed=True,
                         as_of=within.as_of)
        found = self.store.expand([subject_id], walk).get(subject_id, [])
        years = self.store.source_years()
        series = []
        for item in found:
            view = self.store.node(item["id"], within)
            props = view["properties"]
            if props.get("metric") == metric:
                series.append({"id": view["id"], **{
                    f: props[f] for f in change_queries.OBSERVATION_FIELDS if f in props},
                    "provenance": [{**p, "source_year": years.get(p["source"])}
                                   for p in view["provenance"]]})
        series.sort(key=change_queries.series_order)
        return {"subject": self.store.summaries([subject_id], within)[subject_id],
                "metric": change_queries.metric_view(metric), "as_of": within.as_of,
                "observations": series}

    def _within(self, as_of: object) -> Filter:
        """The ``Filter`` of a date: parsed and checked against the earliest source."""
        year = checks.as_of("as_of", as_of)
        if year is None:
            return NOW
        checks.not_before_sources("as_of", year,
                                  min(self.store.source_years().values(), default=None))
        return Filter.of(as_of=year)

    def _resolve(self, query: object, field: str = "entity", within: Filter = NOW) -> str:
        text = checks.entity_argument(query, field)
        try:
            return self.store.resolve(text, within)
        except NodeNotFound:
            if within.as_of is None:
                raise
            self.store.resolve(text, NOW)  # unknown at any date: the plain "no entity"
            raise NodeNotFound(text, as_of=within.as_of) from None
