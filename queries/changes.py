"""What changed between two dates, for ``QueryService.changes`` over any store.

Four kinds of change, in this order (``CHANGE_KINDS``), each sorted nodes first (by id), then
relations (by from, relation, to):

- ``appeared``: first reported after ``from`` and by ``to`` (in the later dated graph only);
- ``not_reported_since``: reported by ``from``, and no source published after ``from`` and by
  ``to`` reports it again (same provenance in both dated graphs). With two sources that means
  "in the 2022 article, not in the 2025 one": silence, not an end, hence the name. Records
  citing no dated source are never listed; nor is anything when no source was published in
  between (nothing could have reported it again);
- ``status_changed``: relations in both whose status differs (e.g. planned -> ongoing);
- ``metric``: a subject's metric observed on both sides: the observations reported by
  ``from`` (``before``) and those first reported after it (``after``), each with its value or
  change factor, period, status and quotes.

How: the changes are those of the two dated graphs (``graph.timeline.as_of_graph`` of each
date), but neither is built. Which records changed is read off the graph's
``graph.timeline.Timeline`` (each record's first year and its sources' years: one pass per
graph version), in one pass over it; only the relations reported both before and after
``from`` are cut to compare their status. ``Changes`` keeps the ordered keys and the counts,
and renders a page's items when asked (through ``graph.timeline.dated_view`` of each date), so
a comparison of 100k-node graphs holds ids, not a JSON item per change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.embedded import edge_properties
from graph.schema import OBSERVATION_KIND, OBSERVATION_RELATION, load_schema
from graph.timeline import Span, Timeline, attrs_as_of, dated_view, timeline
from queries.views import node_summary

Json = dict[str, Any]
CHANGE_KINDS = ("appeared", "not_reported_since", "status_changed", "metric")
OBSERVATION_FIELDS = ("metric", "value", "change_factor", "bound", "unit", "period_start",
                      "period_end", "period_zh", "status")
#: One change before it is rendered: (kind, "node", id) | (kind, "edge", (u, v, rel)) |
#: ("metric", "metric", (subject, metric, earlier observation ids, later ones)).
Key = tuple[str, str, Any]


def observation(g: nx.MultiDiGraph, node_id: str, years: Mapping[str, int]) -> Json:
    """One observation: its id, figures, period, status and provenance (each entry with its
    source's publication year)."""
    attrs = g._node[node_id]
    return {"id": node_id, **{f: attrs[f] for f in OBSERVATION_FIELDS if f in attrs},
            "provenance": [{**p, "source_year": years.get(p["source"])}
                           for p in attrs["provenance"]]}


def series_order(item: Json) -> tuple:
    return (item["period_end"], item["period_start"], item["id"])


def metric_view(name: str) -> Json:
    metric = load_schema().metrics[name]
    return {"name": name, "zh": metric.zh, "en": metric.en, "unit": metric.unit}


@dataclass
class Changes:
    """Every change from ``start`` to ``end``: ``counts`` by kind, ``len`` of all, and
    ``page(offset, limit)`` of rendered items, in ``CHANGE_KINDS`` order."""

    g: nx.MultiDiGraph
    start: int
    end: int
    keys: list[Key]
    counts: dict[str, int]
    _views: dict[int, nx.MultiDiGraph] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.keys)

    def only(self, changes: Collection[str] | None, kinds: Collection[str] | None,
             entity: str | None = None) -> Changes:
        """The changes of the kinds ``changes`` (None: all) about entities of the node
        ``kinds`` (None: any) and about ``entity`` (None: any): the entity itself, a
        relation with it at an end, a metric of it as subject; counts of those alone."""
        node = self.g._node

        def ends(key: Key) -> tuple[str, ...]:  # the entities a change is about
            _, record, what = key
            if record == "node":
                return (what,)
            if record == "edge":
                return (what[0], what[1])
            return (what[0],)  # a metric: its subject

        keys = [k for k in self.keys if (changes is None or k[0] in changes)
                and (kinds is None or any(node[n]["kind"] in kinds for n in ends(k)))
                and (entity is None or entity in ends(k))]
        counts = dict.fromkeys(CHANGE_KINDS, 0)
        for key in keys:
            counts[key[0]] += 1
        return Changes(self.g, self.start, self.end, keys, counts, self._views)

    def page(self, offset: int, limit: int) -> list[Json]:
        return [self._item(key) for key in self.keys[offset:offset + limit]]

    def _at(self, year: int) -> nx.MultiDiGraph:
        if year not in self._views:
            self._views[year] = dated_view(self.g, year)
        return self._views[year]

    def _item(self, key: Key) -> Json:
        change, record, what = key
        before, after = self._at(self.start), self._at(self.end)
        if record == "node":
            return _node_item(change, after if change == "appeared" else before, what)
        if record == "metric":
            subject, name, earlier, later = what
            years = timeline(self.g).years
            return {"change": "metric", "record": "metric",
                    "subject": node_summary(after, subject), "metric": metric_view(name),
                    "before": sorted((observation(before, o, years) for o in earlier),
                                     key=series_order),
                    "after": sorted((observation(after, o, years) for o in later),
                                    key=series_order)}
        u, v, rel = what
        if change == "not_reported_since":
            return _edge_item(change, before, u, v, rel)
        item = _edge_item(change, after, u, v, rel)
        if change == "status_changed":
            old = before._succ[u][v][rel]
            item.update(status_before=old.get("status"),
                        status_after=after._succ[u][v][rel].get("status"),
                        provenance_before=list(old["provenance"]))
        return item


def _node_item(change: str, g: nx.MultiDiGraph, n: str) -> Json:
    return {"change": change, "record": "node", "node": node_summary(g, n),
            "provenance": list(g._node[n]["provenance"])}


def _edge_item(change: str, g: nx.MultiDiGraph, u: str, v: str, rel: str) -> Json:
    attrs = g._succ[u][v][rel]
    return {"change": change, "record": "edge", "from": node_summary(g, u), "rel": rel,
            "to": node_summary(g, v), "properties": edge_properties(attrs),
            "provenance": list(attrs["provenance"])}


def changes(g: nx.MultiDiGraph, start: int, end: int) -> Changes:
    """Every change in ``g`` (the whole graph) from the graph as of ``start`` to the one as of
    ``end`` (``start`` < ``end``)."""
    index = timeline(g)
    reported_between = any(start < y <= end for y in index.years.values())

    def silent(seen: Span) -> bool:  # reported by start (a dated source), not again since
        return (reported_between and seen[1][0] <= start
                and not any(start < y <= end for y in seen[1]))

    nodes = index.nodes
    appeared: list[Key] = [("appeared", "node", n) for n in sorted(nodes)
                           if start < nodes[n][0] <= end]
    quiet: list[Key] = [("not_reported_since", "node", n) for n in sorted(nodes)
                        if nodes[n][1] and nodes[n][0] <= start and silent(nodes[n])]
    new_edges, quiet_edges, status = [], [], []
    observed: dict[tuple[str, str], tuple[list[str], list[str]]] = defaultdict(
        lambda: ([], []))
    for (u, v, rel), seen in index.edges.items():
        if seen[0] > end:
            continue
        if rel == OBSERVATION_RELATION and g._node[v]["kind"] == OBSERVATION_KIND:
            observed[(u, g._node[v]["metric"])][seen[0] > start].append(v)
        if seen[0] > start:
            new_edges.append((u, rel, v))
        elif _status_changed(g._succ[u][v][rel], index, seen, start, end):
            status.append((u, rel, v))
        elif seen[1] and silent(seen):
            quiet_edges.append((u, rel, v))
    appeared += [("appeared", "edge", (u, v, rel)) for u, rel, v in sorted(new_edges)]
    quiet += [("not_reported_since", "edge", (u, v, rel)) for u, rel, v in sorted(quiet_edges)]
    keys = [*appeared, *quiet,
            *(("status_changed", "edge", (u, v, rel)) for u, rel, v in sorted(status)),
            *(("metric", "metric", (subject, name, earlier, later))
              for (subject, name), (earlier, later) in sorted(observed.items())
              if earlier and later)]
    counts = dict.fromkeys(CHANGE_KINDS, 0)
    for key in keys:
        counts[key[0]] += 1
    return Changes(g, start, end, keys, counts)


def _status_changed(attrs: Mapping[str, Any], index: Timeline, seen: Span, start: int,
                    end: int) -> bool:
    """Whether a relation seen by ``start`` has another status as of ``end``: only when a
    source published in between reports it (else both cut the same entries)."""
    if not any(start < y <= end for y in seen[1]):
        return False
    before = attrs_as_of(attrs, index.years, start, edge=True)
    after = attrs_as_of(attrs, index.years, end, edge=True)
    assert before is not None and after is not None
    return before.get("status") != after.get("status")
