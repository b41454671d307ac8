"""Gaps: where the ecosystem has one part of a chain and not the next, with what exists.

- ``unfunded_sector``: labs work in the sector, no fund targets it;
- ``fund_without_lab``: a fund targets a sector no lab works in;
- ``transfer_gap``: a lab with no relation to any company (either direction, any relation):
  no stated route for its results into industry;
- ``park_without_lab``: a park that neither hosts a lab nor has one located in it.

A link counts only if it holds (network.py): a planned relation is not yet a link, but is
listed in the gap's evidence (``planned``), since it says the gap is meant to close. Every
gap says what is missing in words and carries the edges that exist, with their quotes; a
gap is an absence in the two source articles, not proof of an absence in the city.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from queries.ecosystem.network import (
    PLANNED,
    cached,
    check_kind,
    check_positive,
    edge_order,
    edge_view,
    holds,
    node_edges,
)
from queries.traverse import ids_of_kind
from queries.views import node_summary

Json = dict[str, Any]
GAP_KINDS = ("unfunded_sector", "fund_without_lab", "transfer_gap", "park_without_lab")
WORKS, TARGETS = "WORKS_IN_SECTOR", "TARGETS_SECTOR"
EVIDENCE = 5  # edges of what exists per gap, by default
PARK_LAB = (("HOSTS", "Park", "Lab"), ("LOCATED_IN", "Lab", "Park"))


def _edges(g: nx.MultiDiGraph, node: str, *, incoming: bool, rel: str, kind: str
           ) -> tuple[list[Json], list[Json]]:
    """(holding, planned) edges of ``rel`` between ``node`` and nodes of ``kind``."""
    adjacency = g._pred if incoming else g._succ
    held, planned = [], []
    for other, by_rel in adjacency[node].items():
        attrs = by_rel.get(rel)
        if attrs is None or g._node[other]["kind"] != kind:
            continue
        view = edge_view(other, node, rel, attrs) if incoming else edge_view(node, other, rel,
                                                                               attrs)
        (held if holds(rel, attrs) else planned).append(view)
    held.sort(key=lambda e: (e["from"], e["to"]))
    planned.sort(key=lambda e: (e["from"], e["to"]))
    return held, planned


def gaps(g: nx.MultiDiGraph, *, kind: str | None = None, limit: int = 100,
         evidence: int = EVIDENCE) -> Json:
    """Every gap (of ``kind`` only, if given), up to ``limit`` of each kind, by id.

    Returns ``{"version", "kinds", "totals", "items"}``; an item is ``{"gap", "subject",
    "missing": {zh, en}, "exists", "exists_total", "planned"}``, ``exists`` holding up to
    ``evidence`` edges with their quotes."""
    check_kind("kind", kind, GAP_KINDS)
    check_positive("limit", limit)
    check_positive("evidence", evidence, minimum=0)
    wanted = GAP_KINDS if kind is None else (kind,)
    found = {k: _found(g, k, evidence) for k in wanted}
    return {"version": g.graph.get("version"), "kinds": list(wanted),
            "totals": {k: len(v) for k, v in found.items()},
            "items": [item for k in wanted for item in found[k][:limit]]}


def _found(g: nx.MultiDiGraph, kind: str, evidence: int) -> list[Json]:
    """The gaps of ``kind`` with up to ``evidence`` edges each, kept per version: found once
    with ``EVIDENCE`` edges for any smaller ``evidence`` (the explorer asks for fewer than
    the warm-up's default), then cut."""
    if evidence > EVIDENCE:
        return cached(g, "_ecosystem_gaps", (kind, evidence),
                      lambda: _FINDERS[kind](g, evidence))
    items = cached(g, "_ecosystem_gaps", (kind, EVIDENCE), lambda: _FINDERS[kind](g, EVIDENCE))
    if evidence == EVIDENCE:
        return items
    return cached(g, "_ecosystem_gaps", (kind, evidence),
                  lambda: [{**i, "exists": i["exists"][:evidence]} for i in items])


def _linked(g: nx.MultiDiGraph, node: str, *, incoming: bool, rel: str, kind: str) -> bool:
    """Whether a holding ``rel`` edge joins ``node`` to a node of ``kind`` (``_edges``
    without building the views: a big sector has thousands of edges)."""
    adjacency = g._pred if incoming else g._succ
    nodes = g._node
    return any((attrs := by_rel.get(rel)) is not None and nodes[other]["kind"] == kind
               and holds(rel, attrs) for other, by_rel in adjacency[node].items())


def _unfunded_sectors(g: nx.MultiDiGraph, evidence: int) -> list[Json]:
    items = []
    for sector in ids_of_kind(g, "Sector"):
        if _linked(g, sector, incoming=True, rel=TARGETS, kind="Fund") or not _linked(
                g, sector, incoming=True, rel=WORKS, kind="Lab"):
            continue
        labs, _ = _edges(g, sector, incoming=True, rel=WORKS, kind="Lab")
        _, planned = _edges(g, sector, incoming=True, rel=TARGETS, kind="Fund")
        items.append(_item(g, "unfunded_sector", sector, labs, planned, evidence,
                           "没有基金聚焦该领域（TARGETS_SECTOR）",
                           f"no fund targets this sector, though {len(labs)} lab(s) "
                           "work in it"))
    return items


def _funds_without_labs(g: nx.MultiDiGraph, evidence: int) -> list[Json]:
    items = []
    with_labs: dict[str, bool] = {}  # per sector, looked at once
    for fund in ids_of_kind(g, "Fund"):
        targets, _ = _edges(g, fund, incoming=False, rel=TARGETS, kind="Sector")
        empty = []
        for e in targets:
            if e["to"] not in with_labs:
                with_labs[e["to"]] = _linked(g, e["to"], incoming=True, rel=WORKS, kind="Lab")
            if not with_labs[e["to"]]:
                empty.append(e)
        if empty:
            names = ", ".join(g._node[e["to"]]["name_en"] for e in empty)
            items.append(_item(g, "fund_without_lab", fund, empty, [], evidence,
                               "基金聚焦的领域中没有实验室（WORKS_IN_SECTOR）",
                               f"no lab works in the sector(s) this fund targets: {names}"))
    return items


def _transfer_gaps(g: nx.MultiDiGraph, evidence: int) -> list[Json]:
    items = []
    nodes = g._node
    for lab in ids_of_kind(g, "Lab"):
        links = [(forward, other, rel, attrs)
                 for adjacency, forward in ((g._succ, True), (g._pred, False))
                 for other, by_rel in adjacency[lab].items()
                 if nodes[other]["kind"] == "Company" for rel, attrs in by_rel.items()]
        if not any(holds(rel, attrs) for _, _, rel, attrs in links):
            planned = [edge_view(lab, other, rel, attrs) if forward
                       else edge_view(other, lab, rel, attrs)
                       for forward, other, rel, attrs in links]  # none holds: all planned
            exists, total = node_edges(g, lab, evidence)
            items.append(_item(g, "transfer_gap", lab, exists, planned, evidence,
                               "与任何企业都没有关系（成果转化缺口）",
                               "no relation to any company (a technology-transfer gap)",
                               total))
    return items


def _parks_without_labs(g: nx.MultiDiGraph, evidence: int) -> list[Json]:
    items = []
    for park in ids_of_kind(g, "Park"):
        hosted, planned_hosted = _edges(g, park, incoming=False, rel="HOSTS", kind="Lab")
        located, planned_located = _edges(g, park, incoming=True, rel="LOCATED_IN", kind="Lab")
        if not hosted and not located:
            exists, total = node_edges(g, park, evidence)
            items.append(_item(g, "park_without_lab", park, exists,
                               planned_hosted + planned_located, evidence,
                               "园区未承载实验室（无 HOSTS 实验室，也无实验室位于其中）",
                               "the park hosts no lab and no lab is located in it", total))
    return items


def _item(g: nx.MultiDiGraph, gap: str, subject: str, exists: list[Json],
          planned: list[Json], evidence: int, zh: str, en: str, total: int | None = None
          ) -> Json:
    return {"gap": gap, "subject": node_summary(g, subject), "missing": {"zh": zh, "en": en},
            "exists": sorted(exists, key=edge_order)[:evidence],
            "exists_total": len(exists) if total is None else total,
            "planned": sorted((e for e in planned if e["properties"].get("status") == PLANNED),
                              key=edge_order)}


_FINDERS = {"unfunded_sector": _unfunded_sectors, "fund_without_lab": _funds_without_labs,
            "transfer_gap": _transfer_gaps, "park_without_lab": _parks_without_labs}
