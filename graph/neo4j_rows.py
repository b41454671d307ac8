"""How the embedded graph maps onto Neo4j: labels, schema objects, property rows, content hashes.

Shared by the online sync (``graph.neo4j_sync``) and the offline bulk import
(``graph.neo4j_bulk``) so both write exactly the same nodes, relationships and properties
(docs/neo4j.md describes the model for Browser users and the read side).

- A node is ``(:Entity:<Kind> {id, kind, subtype, name_zh, name_en, aliases, <typed
  properties>, prov_sources, prov_quotes, content_hash})``; dates become DATE values;
  ``aliases`` is absent when there are none (read it as ``coalesce(n.aliases, [])``).
- An edge is ``-[:<RELATION> {<typed properties>, prov_sources, prov_quotes, content_hash}]->``.
- A node also carries ``search_names``: its id, names and aliases lower-cased, tab-separated,
  with a TEXT index, so a search by part of a name (``CONTAINS``) is an index lookup rather
  than a scan of every node (2.4 s at 100k nodes).
- Both carry ``reported_from`` / ``reported_to``: the earliest and latest publication years of
  the sources they cite (``graph.timeline.reported_in``; absent when none is dated), so Cypher
  filters "as of" a year by index: ``WHERE n.reported_from <= $as_of``.
- A stored edge also carries ``seen_from``: the latest ``reported_from`` of itself and its two
  end nodes (absent when none of the three is dated), so "the relationship and both its ends
  were reported by Y" is one property read, ``coalesce(r.seen_from, MIN) <= Y``: a path
  search as of a year checks its relationships only (its inner nodes are their ends).
- ``(:Source)-[:MENTIONS]->(:Entity)`` is derived from provenance: one per Source node and
  entity that cites the Source's ``file``.
- ``content_hash`` is a 63-bit digest of the record as the graph holds it (key included), so
  "is this record in Neo4j as it is here" is one set lookup and two records never share one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

import networkx as nx

from graph.embedded import CORE_EDGE_ATTRS, item_digest
from graph.schema import Schema, load_schema
from graph.timeline import reported_in

#: Bump when the stored shape of a record changes: every content hash changes with it, so the
#: next sync rewrites everything once.
SYNC_FORMAT = 5
# How a sync writes, by default (here rather than in graph.neo4j_sync so the CLI can show
# them without importing the driver): rows per write transaction, transactions in flight.
DEFAULT_BATCH_SIZE = 10_000
DEFAULT_WORKERS = 2
ENTITY_LABEL = "Entity"
META_LABEL = "InnographMeta"
META_KEY = "graph"
MENTIONS = "MENTIONS"
FULLTEXT_INDEX = "entity_names"
FULLTEXT_ANALYZER = "cjk"  # CJK bigrams + standard tokens: 长光卫星 and "Jilin-1" both match
#: Node properties the centrality write-back owns (kept when a node's data is rewritten).
CENTRALITY_PROPERTIES = ("degree", "in_degree", "out_degree", "pagerank", "betweenness",
                         "closeness", "harmonic", "eigenvector", "centrality_version")
#: Node properties the ecosystem write-back owns (written with the centrality scores):
#: Leiden community rank and name, Burt's constraint and effective size, triple-helix sphere.
ANALYTICS_PROPERTIES = ("community", "community_name", "constraint", "effective_size", "sphere")
#: Everything the write-back owns: kept when a node's data is rewritten, never graph data.
WRITTEN_BACK = CENTRALITY_PROPERTIES + ANALYTICS_PROPERTIES
#: Node properties with a range index (``reported_*``: "as of" and "what appeared" filters).
INDEXED = ("kind", "name_zh", "name_en", "reported_from", "reported_to")
#: The lower-cased names of a node, tab-separated, with a TEXT index (``search_names``).
SEARCH_NAMES = "search_names"
#: The years a stored record was reported in (from its sources' publication years).
REPORTED = ("reported_from", "reported_to")
Years = Mapping[str, int] | None
#: The ``reported_from`` of an edge's source and target nodes (None: not dated).
EndsFrom = tuple[int | None, int | None]
NO_ENDS: EndsFrom = (None, None)
#: The relationship property "it and both its ends were reported from": the latest of three.
SEEN_FROM = "seen_from"
#: ``sum(content_hash / DIGEST_DIVISOR)`` over a few million records cannot overflow 64 bits.
DIGEST_DIVISOR = 1 << 24


def _digest(payload: object) -> int:
    return int.from_bytes(item_digest(payload)[:8], "big", signed=True)


def node_hash(node_id: str, attrs: dict[str, Any], years: Years = None) -> int:
    """With ``years`` (source file -> publication year), the reported years are hashed too:
    a source's new date rewrites the records that cite it."""
    return _digest((SYNC_FORMAT, node_id, attrs, _span(attrs, years)))


def edge_hash(source: str, relation: str, target: str, attrs: dict[str, Any],
              years: Years = None, ends: EndsFrom = NO_ENDS) -> int:
    """``ends`` are hashed too: an end node's new ``reported_from`` changes the edge's
    ``seen_from``, so the sync rewrites the edge."""
    return _digest((SYNC_FORMAT, source, relation, target, attrs, _span(attrs, years), ends))


def nodes_reported_from(g: nx.MultiDiGraph, years: Mapping[str, int]) -> dict[str, int]:
    """node id -> its ``reported_from``, for the dated nodes: what ``ends_from`` reads."""
    spans = ((node_id, reported_in(attrs["provenance"], years))
             for node_id, attrs in g._node.items())  # networkx's dict: no view per node
    return {node_id: span[0] for node_id, span in spans if span is not None}


def ends_from(reported_from: Mapping[str, int], source: str, target: str) -> EndsFrom:
    return reported_from.get(source), reported_from.get(target)


def _span(attrs: dict[str, Any], years: Years) -> tuple[int, int] | None:
    return reported_in(attrs["provenance"], years) if years is not None else None


def digest_part(content_hash: int) -> int:
    """What ``content_hash / DIGEST_DIVISOR`` is in Cypher (integer division truncates)."""
    part = abs(content_hash) // DIGEST_DIVISOR
    return -part if content_hash < 0 else part


# -- schema objects ---------------------------------------------------------------------------

def _constraint_name(label: str) -> str:
    return f"{label.lower()}_id"


def schema_statements(schema: Schema | None = None) -> list[str]:
    """Constraints and indexes, from the schema: ``Entity.id`` unique and ``<Kind>.id`` unique
    per kind label, range indexes on kind and names, the full-text index over names and
    aliases, and the metadata node's key."""
    schema = schema or load_schema()
    statements = [
        f"CREATE CONSTRAINT {_constraint_name(label)} IF NOT EXISTS "
        f"FOR (n:`{label}`) REQUIRE n.id IS UNIQUE"
        for label in (ENTITY_LABEL, *schema.node_kinds)
    ]
    statements.append(f"CREATE CONSTRAINT innograph_meta_key IF NOT EXISTS "
                      f"FOR (m:{META_LABEL}) REQUIRE m.key IS UNIQUE")
    statements += [f"CREATE INDEX entity_{prop} IF NOT EXISTS FOR (n:{ENTITY_LABEL}) ON (n.{prop})"
                   for prop in INDEXED]
    statements.append(f"CREATE TEXT INDEX entity_{SEARCH_NAMES} IF NOT EXISTS "
                      f"FOR (n:{ENTITY_LABEL}) ON (n.{SEARCH_NAMES})")
    statements.append(
        f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:{ENTITY_LABEL}) "
        f"ON EACH [n.name_zh, n.name_en, n.aliases] "
        f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{FULLTEXT_ANALYZER}'}}}}")
    return statements


#: The constraints a sync creates before any data even in an empty database (the rest of the
#: schema objects may follow the data there): the entity key and the metadata node's key.
KEY_CONSTRAINTS = frozenset({_constraint_name(ENTITY_LABEL), "innograph_meta_key"})


def schema_object_names(schema: Schema | None = None) -> dict[str, list[str]]:
    """The names :func:`schema_statements` creates: ``{"constraints": [...], "indexes": [...]}``."""
    schema = schema or load_schema()
    return {
        "constraints": [_constraint_name(label) for label in (ENTITY_LABEL, *schema.node_kinds)]
        + ["innograph_meta_key"],
        "indexes": [*(f"entity_{prop}" for prop in (*INDEXED, SEARCH_NAMES)), FULLTEXT_INDEX],
    }


# -- property rows ----------------------------------------------------------------------------

@cache
def date_properties() -> frozenset[str]:
    """Properties of schema type ``date`` (stored as Neo4j DATE)."""
    schema = load_schema()
    specs = [*schema.node_core.values(), *schema.node_properties.values(),
             *schema.edge_properties.values()]
    return frozenset(spec.name for spec in specs if spec.type == "date")


def _typed(name: str, value: Any, dates: frozenset[str]) -> Any:
    if name in dates and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(value, tuple):
        return list(value)
    return value


_SOURCE, _QUOTE = itemgetter("source"), itemgetter("quote")
#: Properties every stored node and relationship has besides the schema's own.
STORED_EXTRAS = ("prov_sources", "prov_quotes", *REPORTED, "content_hash")


@cache
def node_columns(kind: str) -> tuple[str, ...]:
    """Every property a ``kind`` node may have in Neo4j, in a fixed order. A large sync sends
    each new node as a list in this order: no map keys to pack and unpack per row."""
    return (*(p.name for p in load_schema().properties_of_kind(kind)), SEARCH_NAMES,
            *STORED_EXTRAS)


@cache
def edge_columns(relation: str) -> tuple[str, ...]:
    """Every property a ``relation`` relationship may have in Neo4j, in a fixed order."""
    schema = load_schema()
    own = schema.properties_of_relation(relation) if relation in schema.relation_kinds else []
    return (*(p.name for p in own), *STORED_EXTRAS, SEEN_FROM)


def property_map(columns: tuple[str, ...], first: int = 0) -> str:
    """``{`name`: row[first], ...}``: the Cypher map literal that reads a columns row. Absent
    values are null, which CREATE leaves unset."""
    return "{" + ", ".join(f"`{c}`: row[{first + i}]" for i, c in enumerate(columns)) + "}"


def _provenance(props: dict[str, Any], provenance: list[dict[str, str]], years: Years) -> None:
    props["prov_sources"] = list(map(_SOURCE, provenance))
    props["prov_quotes"] = list(map(_QUOTE, provenance))
    span = reported_in(provenance, years) if years is not None else None
    if span is not None:
        props["reported_from"], props["reported_to"] = span


def node_properties(node_id: str, attrs: dict[str, Any], content_hash: int,
                    years: Years = None) -> dict[str, Any]:
    """The Neo4j property map of one node."""
    dates = date_properties()
    props: dict[str, Any] = {"id": node_id}
    for name, value in attrs.items():
        if name != "provenance":
            props[name] = _typed(name, value, dates)
    if not props.get("aliases"):  # neo4j-admin import cannot store an empty list: absent
        props.pop("aliases", None)
    props[SEARCH_NAMES] = search_names(node_id, attrs)
    _provenance(props, attrs["provenance"], years)
    props["content_hash"] = content_hash
    return props


def search_names(node_id: str, attrs: Mapping[str, Any]) -> str:
    """The id, names and aliases of a node, lower-cased as Cypher's ``toLower`` does, tab-
    separated (a newline would make neo4j-admin parse multi-line fields). Whatever a name
    contains, this contains: a ``CONTAINS`` on it (by index) finds a superset of the nodes
    whose names match, which the search then ranks by name."""
    names = [node_id, attrs.get("name_zh"), attrs.get("name_en"), *(attrs.get("aliases") or ())]
    return "\t".join(name.lower() for name in names if name)


def edge_properties(attrs: dict[str, Any], content_hash: int, years: Years = None,
                    ends: EndsFrom = NO_ENDS) -> dict[str, Any]:
    """The Neo4j property map of one stored edge (``rel`` is the type, not a property);
    ``ends``: its end nodes' ``reported_from``, for ``seen_from``."""
    dates = date_properties()
    props = {name: _typed(name, value, dates) for name, value in attrs.items()
             if name not in CORE_EDGE_ATTRS}
    _provenance(props, attrs["provenance"], years)
    seen = seen_from(props.get("reported_from"), ends)
    if seen is not None:
        props[SEEN_FROM] = seen
    props["content_hash"] = content_hash
    return props


def seen_from(own: int | None, ends: EndsFrom) -> int | None:
    """The latest of the dated years among an edge's own ``reported_from`` and its ends'
    (None when none is dated). Undated records are seen as of any year, so for every Y:
    ``coalesce(seen_from, MIN) <= Y`` <=> each of the three is undated or <= Y."""
    dated = [year for year in (own, *ends) if year is not None]
    return max(dated) if dated else None


@dataclass(frozen=True, slots=True)
class Mention:
    """A derived ``(source)-[:MENTIONS]->(target)`` with the quotes the target takes from it."""

    source: str
    target: str
    file: str
    quotes: tuple[str, ...]

    @property
    def content_hash(self) -> int:
        return edge_hash(self.source, MENTIONS, self.target, {"quotes": list(self.quotes)})

    def properties(self, content_hash: int) -> dict[str, Any]:
        return {"prov_sources": [self.file] * len(self.quotes),
                "prov_quotes": list(self.quotes), "content_hash": content_hash}


def iter_mentions(g: nx.MultiDiGraph) -> Iterator[Mention]:
    """One MENTIONS per (Source node, entity citing that Source's file), in graph order."""
    nodes = g._node  # networkx's own dict: its views cost more than this loop's work
    sources_by_file: dict[str, list[str]] = defaultdict(list)
    for node_id, attrs in nodes.items():
        if attrs["kind"] == "Source" and attrs.get("file"):
            sources_by_file[attrs["file"]].append(node_id)
    if not sources_by_file:
        return
    for node_id, attrs in nodes.items():
        if attrs["kind"] == "Source":
            continue
        quotes: dict[str, list[str]] = defaultdict(list)
        for p in attrs["provenance"]:
            if p["source"] in sources_by_file:
                quotes[p["source"]].append(p["quote"])
        for file, cited in quotes.items():
            for source_id in sources_by_file[file]:
                yield Mention(source_id, node_id, file, tuple(cited))
