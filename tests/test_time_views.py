"""As of a year without a copy (issue 14, benchmarks): ``graph.timeline.dated_view`` holds
exactly the records, provenance and statuses the definition gives (a copy made here, record
by record, from ``kept_provenance``), ``as_of_graph`` keeps the graph's adjacency order, the
embedded store resolves names as of a year through the whole graph's index, and
``queries.changes`` (read off the timeline index) lists what a comparison of two dated copies
lists, in the same order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from itertools import combinations
from typing import Any

import networkx as nx
import pytest

from graph.embedded import edge_properties, stamp_version
from graph.schema import OBSERVATION_KIND, OBSERVATION_RELATION
from graph.timeline import (
    HUB_DEGREE,
    as_of_graph,
    dated_view,
    either_way,
    kept_provenance,
    source_years,
    status_as_of,
    timeline,
)
from queries import changes as change_queries
from queries.embedded_backend import EmbeddedBackend
from queries.errors import AmbiguousName, NodeNotFound
from queries.views import node_summary

Json = dict[str, Any]


def dated_copy(g: nx.MultiDiGraph, year: int) -> nx.MultiDiGraph:
    """The definition, record by record: a node or edge some source up to ``year`` reports
    (an edge only between kept nodes), its provenance cut, an edge's status as then reported."""
    years = source_years(g)

    def cut(attrs: Mapping[str, Any], edge: bool) -> dict[str, Any] | None:
        kept = kept_provenance(attrs["provenance"], years, year)
        if kept is None:
            return None
        out = {**attrs, "provenance": kept}
        if edge:
            status = status_as_of(attrs.get("status"), kept,
                                  len(kept) < len(attrs["provenance"]))
            if status is not None:
                out["status"] = status
        return out

    h = nx.MultiDiGraph()
    h.add_nodes_from((n, a) for n, attrs in g.nodes(data=True)
                     if (a := cut(attrs, False)) is not None)
    h.add_edges_from((u, v, k, a) for u, v, k, attrs in g.edges(keys=True, data=True)
                     if u in h and v in h and (a := cut(attrs, True)) is not None)
    return h


def edge_set(g: nx.MultiDiGraph) -> dict[tuple[str, str, str], Json]:
    return {(u, v, k): dict(a) for u, v, k, a in g.edges(keys=True, data=True)}


def years_around(g: nx.MultiDiGraph) -> list[int]:
    """Every source year, and the years just before the first and after the last."""
    found = sorted(set(source_years(g).values()))
    return [found[0] - 1, *found, found[-1] + 1]


@pytest.fixture(params=["data", "generated"])
def graph(request: pytest.FixtureRequest) -> nx.MultiDiGraph:
    name = "data_graph" if request.param == "data" else "generated_graph_1500"
    return request.getfixturevalue(name)


def test_the_view_holds_what_the_definition_gives(graph) -> None:
    assert len(set(source_years(graph).values())) > 1
    for year in years_around(graph):
        view, expected = dated_view(graph, year), dated_copy(graph, year)
        assert dict(view.nodes(data=True)) == dict(expected.nodes(data=True)), year
        assert edge_set(view) == edge_set(expected), year
        assert (view.number_of_nodes(), view.number_of_edges()) == (
            expected.number_of_nodes(), expected.number_of_edges())
        for n in graph:
            assert (n in view) == (n in expected)
            if n not in expected:
                with pytest.raises(KeyError):
                    view._succ[n]
                continue
            for mine, theirs in ((view._succ[n], expected._succ[n]),
                                 (view._pred[n], expected._pred[n])):
                assert len(mine) == len(theirs) and set(mine) == set(theirs)
                assert {o: dict(k) for o, k in mine.items()} == {
                    o: dict(k) for o, k in theirs.items()}
        assert view.graph["version"] == f"{graph.graph['version']}@{year}"
        assert "_timeline" not in view.graph  # the whole graph's index stays its own


def neighbours_either_way(g: nx.MultiDiGraph, n: str, targets_first: bool) -> list[str]:
    """The definition: successors then the predecessors not among them (or the other way
    round), in adjacency order, without ``n`` itself."""
    first, second = (g._succ[n], g._pred[n]) if targets_first else (g._pred[n], g._succ[n])
    return [o for o in [*first, *(o for o in second if o not in first)] if o != n]


def test_either_way_steps_as_the_dated_copy_does(graph) -> None:
    """The undirected walk's fast path (``either_way``: raw adjacency cut by first years, a
    late pair's node through its edges' spans, a hub's list kept) gives every seen node the
    neighbours, in the order, of ``as_of_graph``'s copy (the definition's records in the
    graph's adjacency order: the tests above), both ways round, and of the whole graph."""
    for year in [*years_around(graph), None]:
        view = graph if year is None else dated_view(graph, year)
        expected = graph if year is None else as_of_graph(graph, year)
        for targets_first in (True, False):
            step = either_way(view, targets_first=targets_first)
            for _ in range(2):  # the second time from the hubs' kept lists
                for n in expected:
                    assert step(n) == neighbours_either_way(expected, n, targets_first), (
                        year, n)


def test_data_has_what_the_view_reads_apart(data_graph) -> None:
    """The view's two special cases are in data/, so the test above reads them: a hub (its
    seen neighbours listed once per view) and a late pair (an edge reported after both its
    ends: its edges' spans are read)."""
    assert max(len(data_graph._succ[n]) for n in data_graph) >= HUB_DEGREE
    assert timeline(data_graph).late


def test_the_view_reads_without_copying_and_cannot_be_changed(data_graph) -> None:
    view = dated_view(data_graph, 2025)  # the latest source: nothing is cut
    assert all(view._node[n] is data_graph._node[n] for n in data_graph)
    with pytest.raises(nx.NetworkXError):
        view.add_node("x")


def test_as_of_graph_keeps_the_graphs_adjacency_order(data_graph) -> None:
    h = as_of_graph(data_graph, 2022)
    for n in h:
        for adjacency in ("_succ", "_pred"):
            order = [o for o in getattr(data_graph, adjacency)[n] if o in h]
            kept = [o for o in order if getattr(h, adjacency)[n].get(o)]
            assert list(getattr(h, adjacency)[n]) == kept
    later = as_of_graph(data_graph, 2025)
    assert list(later._pred["changchun"]) == list(data_graph._pred["changchun"])


# -- names as of a year ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shared_name_graph(data_graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """data/ with a node only the 2025 article reports given the name of one the 2022 one
    does: the name is ambiguous now, not as of 2022."""
    g = data_graph.copy()
    years = source_years(g)
    early = next(n for n, a in g.nodes(data=True)
                 if {years[p["source"]] for p in a["provenance"]} == {2022})
    late = next(n for n, a in g.nodes(data=True)
                if {years[p["source"]] for p in a["provenance"]} == {2025})
    g.nodes[late]["aliases"] = [*g.nodes[late]["aliases"], g.nodes[early]["name_zh"]]
    stamp_version(g)
    g.graph["early"], g.graph["late"] = early, late
    return g


def test_names_resolve_among_what_the_year_sees(shared_name_graph) -> None:
    g = shared_name_graph
    early, late, name = g.graph["early"], g.graph["late"], g.nodes[g.graph["early"]]["name_zh"]
    backend = EmbeddedBackend(g)
    with pytest.raises(AmbiguousName) as err:
        backend.entity(name)
    assert set(err.value.candidates) == {early, late}
    assert backend.entity(name, as_of=2022)["id"] == early
    assert backend.entity(f"  {name.upper()} ", as_of=2022)["id"] == early
    with pytest.raises(NodeNotFound):
        backend.entity(late, as_of=2022)
    with pytest.raises(NodeNotFound):
        backend.entity(g.nodes[late]["name_en"], as_of=2022)
    assert backend.entity(g.nodes[late]["name_en"], as_of=2025)["id"] == late
    found = {i["id"] for i in backend.search(name, limit=100, as_of=2022)["items"]}
    assert early in found and late not in found


# -- what changed ------------------------------------------------------------------------------

def changes_of_copies(g: nx.MultiDiGraph, start: int, end: int) -> list[Json]:
    """Every change, by comparing two dated copies record by record (the definition in
    queries/changes.py's docstring)."""
    before, after, years = dated_copy(g, start), dated_copy(g, end), source_years(g)
    between = any(start < y <= end for y in years.values())

    def dated(provenance: list[Json]) -> bool:
        return any(p["source"] in years for p in provenance)

    def node(change: str, h: nx.MultiDiGraph, n: str) -> Json:
        return {"change": change, "record": "node", "node": node_summary(h, n),
                "provenance": h.nodes[n]["provenance"]}

    def edge(change: str, h: nx.MultiDiGraph, u: str, v: str, rel: str) -> Json:
        a = h.edges[u, v, rel]
        return {"change": change, "record": "edge", "from": node_summary(h, u), "rel": rel,
                "to": node_summary(h, v), "properties": edge_properties(a),
                "provenance": a["provenance"]}

    appeared = [node("appeared", after, n) for n in sorted(after) if n not in before]
    silent = [node("not_reported_since", before, n) for n in sorted(before)
              if between and dated(before.nodes[n]["provenance"])
              and after.nodes[n]["provenance"] == before.nodes[n]["provenance"]]
    status = []
    for u, v, rel in sorted(after.edges(keys=True), key=lambda e: (e[0], e[2], e[1])):
        new = after.edges[u, v, rel]
        if not before.has_edge(u, v, rel):
            appeared.append(edge("appeared", after, u, v, rel))
            continue
        old = before.edges[u, v, rel]
        if old.get("status") != new.get("status"):
            status.append({**edge("status_changed", after, u, v, rel),
                           "status_before": old.get("status"),
                           "status_after": new.get("status"),
                           "provenance_before": old["provenance"]})
        elif between and dated(old["provenance"]) and old["provenance"] == new["provenance"]:
            silent.append(edge("not_reported_since", before, u, v, rel))

    def observed(h: nx.MultiDiGraph) -> dict[tuple[str, str], set[str]]:
        found = defaultdict(set)
        for u, v, rel in h.edges(keys=True):
            if rel == OBSERVATION_RELATION and h.nodes[v]["kind"] == OBSERVATION_KIND:
                found[(u, h.nodes[v]["metric"])].add(v)
        return found

    def series(h: nx.MultiDiGraph, ids: set[str]) -> list[Json]:
        return sorted((change_queries.observation(h, o, years) for o in ids),
                      key=change_queries.series_order)

    metrics = []
    old_series = observed(before)
    for (subject, name), ids in sorted(observed(after).items()):
        earlier = old_series.get((subject, name), set())
        if earlier and ids - earlier:
            metrics.append({"change": "metric", "record": "metric",
                            "subject": node_summary(after, subject),
                            "metric": change_queries.metric_view(name),
                            "before": series(before, earlier),
                            "after": series(after, ids - earlier)})
    return appeared + silent + status + metrics


def test_changes_are_those_of_two_dated_copies(graph) -> None:
    spans = list(combinations(sorted(set(source_years(graph).values())), 2))
    for start, end in [*spans[:6], (years_around(graph)[0], years_around(graph)[-1])]:
        found = change_queries.changes(graph, start, end)
        expected = changes_of_copies(graph, start, end)
        assert len(found) == len(expected)
        assert found.page(0, len(found)) == expected, (start, end)
        assert found.counts == {k: sum(1 for i in expected if i["change"] == k)
                                for k in change_queries.CHANGE_KINDS}
        assert found.page(3, 4) == expected[3:7]
        assert found.page(len(found), 5) == []
