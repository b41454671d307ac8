"""What changed between two dates: two dated snapshots (``graph.timeline.as_of_graph``)
compared, for ``QueryService.changes`` over any store.

Four kinds of change, in this order (``CHANGE_KINDS``), each sorted nodes first (by id), then
relations (by from, relation, to):

- ``appeared``: first reported after ``from`` and by ``to`` (in the later snapshot only);
- ``not_reported_since``: reported by ``from``, and no source published after ``from`` and by
  ``to`` reports it again (same provenance in both snapshots). With two sources that means
  "in the 2022 article, not in the 2025 one": silence, not an end, hence the name. Records
  citing no dated source are never listed; nor is anything when no source was published in
  between (nothing could have reported it again);
- ``status_changed``: relations in both whose status differs (e.g. planned -> ongoing);
- ``metric``: a subject's metric observed on both sides: the observations reported by
  ``from`` (``before``) and those first reported after it (``after``), each with its value or
  change factor, period, status and quotes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import networkx as nx

from graph.embedded import edge_properties
from graph.schema import OBSERVATION_KIND, OBSERVATION_RELATION, load_schema
from queries.views import node_summary

Json = dict[str, Any]
CHANGE_KINDS = ("appeared", "not_reported_since", "status_changed", "metric")
OBSERVATION_FIELDS = ("metric", "value", "change_factor", "bound", "unit", "period_start",
                      "period_end", "period_zh", "status")


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


def _node_item(change: str, g: nx.MultiDiGraph, n: str) -> Json:
    return {"change": change, "record": "node", "node": node_summary(g, n),
            "provenance": list(g._node[n]["provenance"])}


def _edge_item(change: str, g: nx.MultiDiGraph, u: str, v: str, rel: str) -> Json:
    attrs = g._succ[u][v][rel]
    return {"change": change, "record": "edge", "from": node_summary(g, u), "rel": rel,
            "to": node_summary(g, v), "properties": edge_properties(attrs),
            "provenance": list(attrs["provenance"])}


def _observed(g: nx.MultiDiGraph) -> dict[tuple[str, str], list[str]]:
    """Observation ids by (subject, metric)."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u, v, rel in g.edges(keys=True):
        if rel == OBSERVATION_RELATION and g._node[v]["kind"] == OBSERVATION_KIND:
            found[(u, g._node[v]["metric"])].append(v)
    return found


def changes(before: nx.MultiDiGraph, after: nx.MultiDiGraph, years: Mapping[str, int],
            start: int, end: int) -> list[Json]:
    """Every change from the snapshot as of ``start`` to the one as of ``end``."""
    reported_between = any(start < y <= end for y in years.values())

    def dated(provenance: list[Json]) -> bool:
        return any(p["source"] in years for p in provenance)

    appeared = [_node_item("appeared", after, n) for n in sorted(after._node)
                if n not in before._node]
    silent = [_node_item("not_reported_since", before, n) for n in sorted(before._node)
              if reported_between and dated(before._node[n]["provenance"])
              and after._node[n]["provenance"] == before._node[n]["provenance"]]
    status = []
    for u, v, rel in sorted(after.edges(keys=True), key=lambda e: (e[0], e[2], e[1])):
        attrs = after._succ[u][v][rel]
        old = before._succ.get(u, {}).get(v, {}).get(rel)
        if old is None:
            appeared.append(_edge_item("appeared", after, u, v, rel))
        elif old.get("status") != attrs.get("status"):
            status.append({**_edge_item("status_changed", after, u, v, rel),
                           "status_before": old.get("status"),
                           "status_after": attrs.get("status"),
                           "provenance_before": list(old["provenance"])})
        elif reported_between and dated(old["provenance"]) \
                and old["provenance"] == attrs["provenance"]:
            silent.append(_edge_item("not_reported_since", before, u, v, rel))
    metrics = []
    old_series, new_series = _observed(before), _observed(after)
    for (subject, name), ids in sorted(new_series.items()):
        earlier = set(old_series.get((subject, name), ()))
        later = [o for o in ids if o not in earlier]
        if earlier and later:
            metrics.append({
                "change": "metric", "record": "metric", "subject": node_summary(after, subject),
                "metric": metric_view(name),
                "before": sorted((observation(before, o, years) for o in earlier),
                                 key=series_order),
                "after": sorted((observation(after, o, years) for o in later),
                                key=series_order)})
    return appeared + silent + status + metrics
