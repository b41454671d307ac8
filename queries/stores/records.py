"""Neo4j records in the embedded graph's shapes, so every answer is rendered alike.

The sync stores a node as its core fields, its typed properties (dates as DATE), provenance as
two aligned lists ``prov_sources`` / ``prov_quotes`` and bookkeeping (``content_hash``,
``aliases_text``, centrality scores). These helpers turn such a property map back into the
attribute dict a node or edge has in the embedded networkx graph, and build small local
``MultiDiGraph`` s from fetched nodes and edges, which the shared view code
(``queries.views``) turns into hops, paths and summaries exactly as for the embedded graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import networkx as nx

from graph.embedded import CORE_NODE_ATTRS
from graph.schema import load_schema
from graph.timeline import attrs_as_of

Json = dict[str, Any]
SUMMARY_FIELDS = ("id", "kind", "subtype", "name_zh", "name_en")


@cache
def node_property_names() -> frozenset[str]:
    """The typed node properties that belong in ``properties`` (as ``node_view`` has them):
    every schema node property except the core attributes and the id."""
    schema = load_schema()
    return frozenset({*schema.node_core, *schema.node_properties} - {"id", *CORE_NODE_ATTRS})


@cache
def edge_property_names() -> frozenset[str]:
    return frozenset(load_schema().edge_properties)


def plain(value: Any) -> Any:
    """A Neo4j property value as the embedded graph holds it (DATE -> 'YYYY-MM-DD')."""
    if hasattr(value, "iso_format"):  # neo4j.time.Date / DateTime
        return value.iso_format()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def provenance(props: Mapping[str, Any]) -> list[dict[str, str]]:
    sources = props.get("prov_sources") or []
    quotes = props.get("prov_quotes") or []
    if len(sources) != len(quotes):
        raise ValueError(f"provenance lists differ in length on {props.get('id', 'an edge')}: "
                         f"{len(sources)} sources, {len(quotes)} quotes")
    return [{"source": s, "quote": q} for s, q in zip(sources, quotes, strict=True)]


def as_of(props: Mapping[str, Any], years: Mapping[str, int], year: int,
          edge: bool = False) -> dict[str, Any]:
    """A stored record's properties as reported up to ``year``: provenance lists cut to the
    sources published by then and an edge's status as then reported
    (``graph.timeline.attrs_as_of``, which the embedded store applies)."""
    dated = attrs_as_of({**props, "provenance": provenance(props)}, years, year, edge)
    if dated is None:  # the Cypher filter let through a record it should not have
        raise ValueError(f"{props.get('id', 'an edge')} was not reported by {year}")
    kept = dated.pop("provenance")
    dated["prov_sources"] = [p["source"] for p in kept]
    dated["prov_quotes"] = [p["quote"] for p in kept]
    return dated


def node_attrs(props: Mapping[str, Any]) -> Json:
    """A stored node's property map as the embedded graph's node attributes."""
    typed = node_property_names()
    return {"kind": props["kind"], "subtype": props["subtype"], "name_zh": props["name_zh"],
            "name_en": props["name_en"], "aliases": list(props.get("aliases") or []),
            "provenance": provenance(props),
            **{k: plain(v) for k, v in props.items() if k in typed}}


def edge_attrs(rel: str, props: Mapping[str, Any]) -> Json:
    typed = edge_property_names()
    return {"rel": rel, "provenance": provenance(props),
            **{k: plain(v) for k, v in props.items() if k in typed}}


def node_view(props: Mapping[str, Any]) -> Json:
    """As ``graph.embedded.node_view``: id, core fields, ``properties``, ``provenance``."""
    attrs = node_attrs(props)
    return {"id": props["id"], "kind": attrs["kind"], "subtype": attrs["subtype"],
            "name_zh": attrs["name_zh"], "name_en": attrs["name_en"],
            "aliases": attrs["aliases"],
            "properties": {k: v for k, v in attrs.items() if k not in CORE_NODE_ATTRS},
            "provenance": attrs["provenance"]}


def summary(props: Mapping[str, Any]) -> Json:
    return {field: props[field] for field in SUMMARY_FIELDS}


def local_graph(nodes: Iterable[Mapping[str, Any]],
                edges: Iterable[tuple[str, str, str, Mapping[str, Any]]]) -> nx.MultiDiGraph:
    """A small MultiDiGraph shaped like the embedded graph, from stored node property maps and
    ``(from id, to id, relation, property map)`` edges."""
    g = nx.MultiDiGraph(version=None)
    for props in nodes:
        g.add_node(props["id"], **node_attrs(props))
    for u, v, rel, props in edges:
        g.add_edge(u, v, key=rel, **edge_attrs(rel, props))
    return g


#: The metadata node's fields a reader needs to know whether the content is settled.
STATE_FIELDS = ("status", "generation", "version", "target_version", "started_at", "failure")


@dataclass(frozen=True)
class SyncState:
    """What ``InnographMeta`` says about the content (``graph.neo4j_sync`` writes it).

    ``status`` is ``complete`` once a sync's last write is done; ``in_progress`` from before a
    sync's first write (also what a killed sync leaves); ``incomplete`` after a sync failed.
    ``generation`` goes up by one with every sync that writes, so it names the content."""

    status: str | None
    generation: int
    version: str | None
    target_version: str | None = None
    started_at: str | None = None
    failure: str | None = None

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> SyncState:
        started = meta.get("started_at")
        return cls(meta.get("status"), int(meta.get("generation") or 0), meta.get("version"),
                   meta.get("target_version"), plain(started) if started else None,
                   meta.get("failure"))

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    def reason(self) -> str:
        """Why answers may be wrong now, for people (health, problem details)."""
        target = f" to graph version {self.target_version}" if self.target_version else ""
        since = f", started {self.started_at}" if self.started_at else ""
        if self.status == "incomplete":
            why = f"a sync{target}{since} failed" + (f" ({self.failure})" if self.failure
                                                     else "")
        else:
            why = (f"a sync{target}{since} is not complete: it is still writing, or it was "
                   "stopped")
        return (f"the graph in Neo4j is being changed: {why}; the database holds part of the "
                "old and part of the new graph until `innograph sync` completes (run it again "
                "if no sync is running)")

    def view(self) -> dict[str, Any]:
        return {"status": self.status, "generation": self.generation,
                "target_version": self.target_version, "started_at": self.started_at}

    def header(self) -> str:
        """The ``Innograph-Sync-State`` field value: an RFC 8941 token with parameters."""
        value = f"{self.status or 'unknown'};generation={self.generation}"
        if self.target_version:
            value += f';target="{self.target_version}"'
        return value
