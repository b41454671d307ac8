"""When a record was reported: derived from its provenance and the Source nodes' dates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx


def source_years(g: nx.MultiDiGraph) -> dict[str, int]:
    """Publication year by source file name, from the graph's Source nodes."""
    return {a["file"]: a["published_year"] for _, a in g.nodes(data=True)
            if a.get("kind") == "Source" and "file" in a and "published_year" in a}


def reported_in(provenance: Iterable[Mapping[str, str]],
                years: Mapping[str, int]) -> tuple[int, int] | None:
    """The earliest and latest publication years of the sources a record cites (None if
    none of them is dated)."""
    dated = [years[p["source"]] for p in provenance if p["source"] in years]
    return (min(dated), max(dated)) if dated else None


#: Words that make a quote a plan (the schema's relation ``status`` says planned is 将, 计划,
#: 力争). Used only to tell how a relation stood in an earlier source whose record now carries
#: the later source's status (the data keeps one status per relation: the latest).
PLAN_MARKERS = ("将", "计划", "力争")
DONE_STATUSES = frozenset({None, "done", "ongoing"})


def kept_provenance(provenance: Iterable[Mapping[str, str]], years: Mapping[str, int],
                    year: int) -> list[dict[str, str]] | None:
    """The entries of ``provenance`` from sources published up to ``year`` (entries citing an
    undated source are kept: nothing says they are later); None when the record rests only on
    later sources, i.e. it was not reported yet."""
    entries = list(provenance)
    kept = [dict(p) for p in entries if years.get(p["source"], year) <= year]
    return kept if kept or not entries else None


def status_as_of(status: str | None, kept: list[dict[str, str]], dropped: bool) -> str | None:
    """A relation's status as the sources up to a date report it. The stored status is the
    latest source's; when later entries were dropped (``dropped``) and the stored status says
    the relation holds, the earlier sources may have reported it as a plan: planned when one
    of their quotes says so (a plan word), else the stored status."""
    if dropped and status in DONE_STATUSES and any(
            marker in p["quote"] for p in kept for marker in PLAN_MARKERS):
        return "planned"
    return status


def attrs_as_of(attrs: Mapping[str, Any], years: Mapping[str, int], year: int,
                edge: bool = False) -> dict[str, Any] | None:
    """A node's or edge's attributes as reported up to ``year`` (provenance cut, an edge's
    status as then reported), or None if no source up to ``year`` reports it."""
    provenance = attrs.get("provenance", ())
    kept = kept_provenance(provenance, years, year)
    if kept is None:
        return None
    out = dict(attrs)
    out["provenance"] = kept
    if edge:
        status = status_as_of(attrs.get("status"), kept, len(kept) < len(provenance))
        if status is not None:
            out["status"] = status
    return out


def as_of_graph(g: nx.MultiDiGraph, year: int) -> nx.MultiDiGraph:
    """The graph as the sources published up to ``year`` report it: records resting only on
    later sources left out, every kept record's provenance cut to those sources, relations
    with the status then reported. Its version is ``<version>@<year>`` so answers cached per
    version stay apart from the whole graph's."""
    years = source_years(g)
    h = nx.MultiDiGraph()
    h.add_nodes_from((n, kept) for n, a in g._node.items()
                     if (kept := attrs_as_of(a, years, year)) is not None)
    h.add_edges_from((u, v, k, kept) for u, v, k, a in g.edges(keys=True, data=True)
                     if u in h._node and v in h._node
                     and (kept := attrs_as_of(a, years, year, edge=True)) is not None)
    h.graph.update({k: v for k, v in g.graph.items() if not k.startswith("_")})
    h.graph["version"] = f"{g.graph.get('version')}@{year}"
    h.graph["as_of"] = year
    return h
