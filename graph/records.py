"""Validated records: what loaders produce and what the graph, Neo4j and RDF sinks consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Provenance:
    """A source document (file name) and a verbatim quote from it."""

    source: str
    quote: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "quote": self.quote}


@dataclass(slots=True)
class NodeRecord:
    id: str
    kind: str
    subtype: str
    name_zh: str
    name_en: str
    provenance: tuple[Provenance, ...]
    aliases: tuple[str, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class EdgeRecord:
    source_id: str
    relation: str
    target_id: str
    provenance: tuple[Provenance, ...]
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source_id, self.relation, self.target_id)
