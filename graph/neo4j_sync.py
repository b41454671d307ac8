"""Write the embedded graph to Neo4j: batched, idempotent, change-detecting, verified.

``sync_graph(g, driver)`` is a sink: it reads the networkx graph (``graph.embedded``) and
writes the model of ``graph.neo4j_rows`` (docs/neo4j.md). The algorithm:

1. Read what Neo4j holds: per label/type counts and a digest (the sum of the stored
   ``content_hash`` values) plus the ``InnographMeta`` node. If the metadata says the last
   complete sync wrote this very graph version and the live counts and digests still equal
   what that sync left, nothing can differ: report everything unchanged without hashing a
   single record (the re-sync fast path).
2. Otherwise hash every node and edge and read the stored hashes (one list per scan). A record
   whose hash is stored is unchanged; the others are new or changed. Only the stored records
   whose hash is no longer wanted are looked up by key (id, or from/type/to), which tells a
   changed record (same key: update in place by element id) from a new one (CREATE, no MERGE
   needed) and, with ``replace``, what to delete.
3. Constraints and indexes from the schema (``IF NOT EXISTS``), before any data. Into an empty
   database a batched sync creates only the key constraints first (``Entity.id`` unique) and
   the per-kind constraints, range and full-text indexes right after the nodes (Neo4j fills
   them while the relationships are written; the sync waits for them before it verifies and
   marks the result complete): one population pass is cheaper than updating six indexes per
   node written.
4. Write: deletions, node updates, node creates (grouped by kind, so labels are static),
   edge updates by element id, edge creates grouped by relation type (static type) whose
   endpoints are matched by element id -- a direct record seek instead of an index lookup per
   endpoint. The endpoints' element ids are read once (one label scan after a large create,
   else a lookup of just the ids needed). Rows are built batch by batch while ``workers``
   batches are written in parallel transactions (``graph.neo4j_writer``).
5. Verify: counts per label and relationship type after the sync must equal the counts
   before plus what was created minus what was deleted (and, with ``replace``, the graph's own
   counts); the metadata node records the version, counts and digests.
6. Centrality write-back (scores computed by the caller, ``centrality``) when the stored
   scores are not for this graph version.

Atomicity: when everything to write fits in one batch (``batch_size`` rows, e.g. the curated
data set) the data is written in ONE transaction: a failure leaves the database as it was.
Larger syncs commit batch by batch (each a managed transaction, retried on transient errors);
running the sync again after a failure resumes it: what was written has its hash stored and is
skipped.

What readers see (``queries.stores.neo4j``): every sync that writes first sets the metadata
node's ``status`` to ``in_progress`` and bumps its ``generation`` (with ``started_at`` and
``target_version``), in a transaction of its own before the first batch, or in the one
transaction itself; ``complete`` is written only after the last write (centrality scores
included). A failure the sync sees sets ``incomplete`` and ``failure``; a killed sync leaves
``in_progress``. So a reader knows the content is settled exactly when the status is
``complete``, and the generation names that content.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from neo4j import Driver, ManagedTransaction, NotificationMinimumSeverity, Session
from neo4j.exceptions import DriverError, Neo4jError
from tqdm import tqdm

from graph.embedded import iter_edges
from graph.neo4j_rows import (
    ANALYTICS_PROPERTIES,
    CENTRALITY_PROPERTIES,
    DEFAULT_BATCH_SIZE,
    DEFAULT_WORKERS,
    DIGEST_DIVISOR,
    ENTITY_LABEL,
    KEY_CONSTRAINTS,
    MENTIONS,
    META_KEY,
    META_LABEL,
    NO_ENDS,
    SYNC_FORMAT,
    WRITTEN_BACK,
    EndsFrom,
    Mention,
    edge_columns,
    edge_hash,
    edge_properties,
    ends_from,
    iter_mentions,
    node_columns,
    node_hash,
    node_properties,
    nodes_reported_from,
    property_map,
    schema_object_names,
    schema_statements,
)
from graph.neo4j_writer import BatchFailure, BatchWriter, Tally, chunks
from graph.schema import load_schema
from graph.timeline import source_years

LOOKUP_BATCH = 20_000  # ids per endpoint lookup / stale-record read
SCAN_FOR_ENDPOINTS = 20_000  # more unknown endpoints than this: read every element id at once


class SyncError(RuntimeError):
    """The sync failed or its result does not check out; the message says what and what state
    the database is in (unchanged, or partially written and resumable)."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated + self.deleted

    def __str__(self) -> str:
        return (f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.deleted} deleted")


@dataclass
class SyncReport:
    """What a sync did. ``edges`` counts every relationship, derived MENTIONS included."""

    nodes: Counts = field(default_factory=Counts)
    edges: Counts = field(default_factory=Counts)
    mentions: int = 0
    centrality_written: int = 0
    transactions: int = 0
    mode: str = ""  # "unchanged (fast path)", "one transaction", "batched"
    version: str | None = None
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds by phase

    @property
    def changed(self) -> bool:
        return bool(self.nodes.written or self.edges.written)

    def summary(self) -> str:
        lines = [f"nodes: {self.nodes}", f"edges: {self.edges} ({self.mentions} of them MENTIONS)"]
        if not self.changed:
            lines.append(f"unchanged: {self.nodes.unchanged + self.edges.unchanged} records "
                         f"already in Neo4j as in the graph; nothing written")
        if self.centrality_written:
            lines.append(f"centrality and ecosystem analytics: {self.centrality_written} "
                         "nodes scored")
        lines.append(f"{self.mode}, {self.transactions} write transactions, "
                     f"{self.seconds:.2f} s (graph version {self.version})")
        return "\n".join(lines)


# -- reading what Neo4j holds -----------------------------------------------------------------

@dataclass
class DbSummary:
    nodes: int
    nodes_hashed: int
    node_digest: int
    relationships: dict[str, int]  # by type
    relationships_hashed: int
    relationship_digest: int
    meta: dict[str, Any]

    @property
    def relationship_total(self) -> int:
        return sum(self.relationships.values())


def read_summary(session: Session) -> DbSummary:
    """Counts, hash digests and metadata of what the database holds (three scans)."""
    return session.execute_read(_summary)


def _summary(tx: ManagedTransaction) -> DbSummary:
    n = tx.run(f"MATCH (n:{ENTITY_LABEL}) RETURN count(n) AS count, "
               "count(n.content_hash) AS hashed, sum(n.content_hash / $d) AS digest",
               d=DIGEST_DIVISOR).single(strict=True)
    rels = list(tx.run("MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS count, "
                       "count(r.content_hash) AS hashed, sum(r.content_hash / $d) AS digest",
                       d=DIGEST_DIVISOR))
    meta = tx.run(f"MATCH (m:{META_LABEL} {{key: $key}}) RETURN properties(m) AS meta",
                  key=META_KEY).single()
    return DbSummary(n["count"], n["hashed"], n["digest"],
                     {r["type"]: r["count"] for r in rels}, sum(r["hashed"] for r in rels),
                     sum(r["digest"] for r in rels), dict(meta["meta"]) if meta else {})


def _stored_hashes(session: Session) -> tuple[set[int], set[int]]:
    def work(tx: ManagedTransaction) -> tuple[set[int], set[int]]:
        nodes = tx.run(f"MATCH (n:{ENTITY_LABEL}) WHERE n.content_hash IS NOT NULL "
                       "RETURN collect(n.content_hash) AS h").single(strict=True)["h"]
        rels = tx.run("MATCH ()-[r]->() WHERE r.content_hash IS NOT NULL "
                      "RETURN collect(r.content_hash) AS h").single(strict=True)["h"]
        return set(nodes), set(rels)
    return session.execute_read(work)


def _stale_nodes(session: Session, stale: set[int]) -> dict[str, str]:
    """``{id: element id}`` of stored entities whose hash is not wanted (or missing)."""
    query = (f"MATCH (n:{ENTITY_LABEL}) WHERE n.content_hash IS NULL OR n.content_hash IN $h "
             "RETURN n.id AS id, elementId(n) AS eid")
    return {r["id"]: r["eid"] for r in session.execute_read(
        lambda tx: list(tx.run(query, h=list(stale))))}


def _stale_relationships(session: Session, stale: set[int]
                         ) -> dict[tuple[str, str, str], str]:
    """``{(from id, type, to id): element id}`` of stored relationships whose hash is not
    wanted, and of un-hashed ones between entities (written by something else)."""
    query = ("MATCH (a)-[r]->(b) WHERE r.content_hash IN $h OR (r.content_hash IS NULL "
             f"AND a:{ENTITY_LABEL} AND b:{ENTITY_LABEL}) "
             "RETURN a.id AS a, type(r) AS t, b.id AS b, elementId(r) AS eid")
    return {(r["a"], r["t"], r["b"]): r["eid"] for r in session.execute_read(
        lambda tx: list(tx.run(query, h=list(stale))))}


def _all_element_ids(session: Session) -> dict[str, str]:
    # two lists in one record: decoded in bulk, 3-4x faster than a record per node
    query = (f"MATCH (n:{ENTITY_LABEL}) "
             "RETURN collect(n.id) AS ids, collect(elementId(n)) AS eids")
    record = session.execute_read(lambda tx: tx.run(query).single(strict=True))
    return dict(zip(record["ids"], record["eids"], strict=True))


def _element_ids(session: Session, ids: Sequence[str]) -> dict[str, str]:
    query = (f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) "
             "RETURN id, elementId(n) AS eid")
    found: dict[str, str] = {}
    for chunk in chunks(ids, LOOKUP_BATCH):
        found.update((r["id"], r["eid"]) for r in session.execute_read(
            lambda tx, c=chunk: list(tx.run(query, ids=c))))
    return found


# -- what to write ----------------------------------------------------------------------------

@dataclass(slots=True)
class _EdgeItem:
    source: str
    relation: str
    target: str
    attrs: dict[str, Any] | None  # None for a derived MENTIONS
    mention: Mention | None = None
    years: Mapping[str, int] | None = None  # source file -> year: the reported_* properties
    ends: EndsFrom = NO_ENDS  # the end nodes' reported_from: for seen_from

    def properties(self, content_hash: int) -> dict[str, Any]:
        if self.mention is not None:
            return self.mention.properties(content_hash)
        assert self.attrs is not None
        return edge_properties(self.attrs, content_hash, self.years, self.ends)


@dataclass
class _Plan:
    node_hashes: dict[str, int]
    edges: dict[int, _EdgeItem]
    node_deletes: list[str] = field(default_factory=list)  # element ids
    node_updates: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # kind: (eid, id)
    node_creates: list[str] = field(default_factory=list)  # ids
    edge_deletes: list[str] = field(default_factory=list)
    edge_updates: list[tuple[str, int]] = field(default_factory=list)  # (eid, hash)
    edge_creates: list[int] = field(default_factory=list)  # hashes
    known_eids: dict[str, str] = field(default_factory=dict)  # node id: element id

    @property
    def rows(self) -> int:
        return (len(self.node_deletes) + sum(map(len, self.node_updates.values()))
                + len(self.node_creates) + len(self.edge_deletes) + len(self.edge_updates)
                + len(self.edge_creates))


def _desired(g: nx.MultiDiGraph) -> tuple[dict[str, int], dict[int, _EdgeItem], int]:
    years = source_years(g)
    node_hashes = {node_id: node_hash(node_id, attrs, years)
                   for node_id, attrs in g.nodes(data=True)}
    edges: dict[int, _EdgeItem] = {}
    reported_from = nodes_reported_from(g, years)
    for u, v, rel, attrs in iter_edges(g):
        ends = ends_from(reported_from, u, v)
        edges[edge_hash(u, rel, v, attrs, years, ends)] = _EdgeItem(u, rel, v, attrs, None,
                                                                    years, ends)
    mentions = 0
    for m in iter_mentions(g):
        edges[m.content_hash] = _EdgeItem(m.source, MENTIONS, m.target, None, m)
        mentions += 1
    return node_hashes, edges, mentions


def _plan(g: nx.MultiDiGraph, session: Session, before: DbSummary, replace: bool
          ) -> tuple[_Plan, Counts, Counts, int]:
    node_hashes, edges, mentions = _desired(g)
    plan = _Plan(node_hashes, edges)
    nodes, rels = Counts(), Counts()
    if before.nodes == 0 and before.relationship_total == 0:
        stored_nodes: set[int] = set()
        stored_rels: set[int] = set()
    else:
        stored_nodes, stored_rels = _stored_hashes(session)

    wanted_nodes = set(node_hashes.values())
    stale = stored_nodes - wanted_nodes
    stale_ids = (_stale_nodes(session, stale)
                 if stale or before.nodes_hashed < before.nodes else {})
    kinds = g.nodes(data="kind")
    for node_id, h in node_hashes.items():
        if h in stored_nodes:
            nodes.unchanged += 1
        elif node_id in stale_ids:
            plan.node_updates.setdefault(kinds[node_id], []).append((stale_ids[node_id], node_id))
            plan.known_eids[node_id] = stale_ids[node_id]
            nodes.updated += 1
        else:
            plan.node_creates.append(node_id)
            nodes.created += 1
    if replace:
        plan.node_deletes = [eid for node_id, eid in stale_ids.items() if node_id not in g]

    stale_rels = stored_rels - edges.keys()
    unhashed = before.relationship_total - before.relationships_hashed
    stale_keys = _stale_relationships(session, stale_rels) if stale_rels or unhashed else {}
    for h, item in edges.items():
        if h in stored_rels:
            rels.unchanged += 1
            continue
        eid = stale_keys.pop((item.source, item.relation, item.target), None)
        if eid is not None:
            plan.edge_updates.append((eid, h))
            rels.updated += 1
        else:
            plan.edge_creates.append(h)
            rels.created += 1
    if replace:  # what is left of the stale keys is not in the graph any more
        plan.edge_deletes = list(stale_keys.values())
    return plan, nodes, rels, mentions


# -- writing ----------------------------------------------------------------------------------

def _node_update_query(kind: str) -> str:
    others = [k for k in load_schema().node_kinds if k != kind]
    remove = ("REMOVE n" + "".join(f":`{k}`" for k in others)) if others else ""
    kept = ", ".join(f".{p}" for p in WRITTEN_BACK)
    return (f"UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row[0] "
            f"WITH n, row, n {{{kept}}} AS kept SET n = row[1] SET n += kept {remove} "
            f"SET n:{ENTITY_LABEL}:`{kind}` RETURN count(n)")


def _apply(g: nx.MultiDiGraph, plan: _Plan, writer: BatchWriter, session: Session,
           after_nodes: Callable[[], None] | None = None) -> None:
    """Write the plan: deletions, nodes, ``after_nodes()``, then the edges that need the nodes.
    Rows are built batch by batch as the writer takes them, so building overlaps with the
    server's writing."""
    def check(what: str, done: int, expected: int) -> None:
        if done != expected:
            raise BatchFailure(f"{what}: {done} of {expected} written")

    if plan.edge_deletes:
        writer.write("stale relationships", "UNWIND $rows AS eid MATCH ()-[r]->() "
                     "WHERE elementId(r) = eid DELETE r", plan.edge_deletes)
    if plan.node_deletes:
        writer.write("stale nodes", "UNWIND $rows AS eid MATCH (n) WHERE elementId(n) = eid "
                     "DETACH DELETE n", plan.node_deletes)
    node_attrs, node_hashes, years = g.nodes, plan.node_hashes, source_years(g)
    for kind, items in plan.node_updates.items():
        rows = ((eid, node_properties(node_id, node_attrs[node_id], node_hashes[node_id], years))
                for eid, node_id in items)
        done = writer.write(f"{kind} node updates", _node_update_query(kind), rows)
        check(f"{kind} node updates", sum(r[0] for r in done), len(items))
    creates: dict[str, list[str]] = defaultdict(list)
    for node_id in plan.node_creates:
        creates[node_attrs[node_id]["kind"]].append(node_id)
    for kind, ids in creates.items():  # static labels: one statement (and plan) per kind
        columns = node_columns(kind)
        rows = (_as_row(node_properties(node_id, node_attrs[node_id], node_hashes[node_id],
                                        years), columns, ("node", node_id)) for node_id in ids)
        # no RETURN: streaming each new element id back costs more than one scan for them
        before = writer.tally.nodes_created
        writer.write(f"{kind} nodes", f"UNWIND $rows AS row CREATE (n:{ENTITY_LABEL}:`{kind}` "
                     f"{property_map(columns)})", rows)
        check(f"{kind} nodes", writer.tally.nodes_created - before, len(ids))

    if after_nodes is not None:
        after_nodes()
    if plan.edge_updates:
        rows = ((eid, plan.edges[h].properties(h)) for eid, h in plan.edge_updates)
        done = writer.write("relationship updates", "UNWIND $rows AS row MATCH ()-[r]->() "
                            "WHERE elementId(r) = row[0] SET r = row[1] RETURN count(r)", rows)
        check("relationship updates", sum(r[0] for r in done), len(plan.edge_updates))
    if plan.edge_creates:
        _create_edges(plan, writer, session, check)


def _create_edges(plan: _Plan, writer: BatchWriter, session: Session,
                  check: Callable[[str, int, int], None]) -> None:
    items = plan.edges
    endpoints = {x for h in plan.edge_creates for x in (items[h].source, items[h].target)}
    unknown = sorted(endpoints - plan.known_eids.keys())
    if unknown:
        if writer.tx is not None:  # inside the one transaction: look up in it
            plan.known_eids.update(writer.write(
                "endpoint lookup", f"UNWIND $rows AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) "
                "RETURN id, elementId(n)", unknown, counted=False))
        elif len(unknown) > SCAN_FOR_ENDPOINTS:  # e.g. a fresh sync: one label scan
            plan.known_eids.update(_all_element_ids(session))
        else:
            plan.known_eids.update(_element_ids(session, unknown))
    eids = plan.known_eids
    missing = sorted(endpoints - eids.keys())
    if missing:
        raise BatchFailure("relationships: endpoint nodes not in Neo4j: " + ", ".join(missing[:5]))
    by_type: dict[str, list[int]] = defaultdict(list)
    for h in plan.edge_creates:
        by_type[items[h].relation].append(h)
    # Static types (with a dynamic $(type), 5.26.0 gave every row the first row's type);
    # endpoints by element id: a direct record seek instead of an index lookup.
    for rel, hashes in by_type.items():
        # in the order of the start nodes' records (same-prefix element ids by length, then
        # text): consecutive rows touch neighbouring records; about a third less server time
        hashes.sort(key=lambda h: (len(eids[items[h].source]), eids[items[h].source]))
        columns = edge_columns(rel)
        rows = (_edge_row(items[h], h, eids, columns) for h in hashes)
        before = writer.tally.relationships_created
        writer.write(f"{rel} relationships",
                     "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row[0] "
                     "MATCH (b) WHERE elementId(b) = row[1] "
                     f"CREATE (a)-[:`{rel}` {property_map(columns, 2)}]->(b)", rows)
        check(f"{rel} relationships", writer.tally.relationships_created - before, len(hashes))


def _edge_row(item: _EdgeItem, content_hash: int, eids: dict[str, str],
              columns: tuple[str, ...]) -> list[Any]:
    """Start and end element ids, then the properties in ``columns`` order."""
    return [eids[item.source], eids[item.target],
            *_as_row(item.properties(content_hash), columns,
                     (f"{item.relation} edge", item.source, item.target))]


def _as_row(props: dict[str, Any], columns: tuple[str, ...], record: tuple[str, ...]
            ) -> list[Any]:
    """``props`` as a list in ``columns`` order. A property outside them would be lost: the
    error names the ``record`` (what, then its key; formatted only then, off the hot path)."""
    row = [props.pop(name, None) for name in columns]
    if props:
        what, *key = record
        raise BatchFailure(f"{what} {' -> '.join(map(repr, key))} has properties the schema "
                           "does not declare: " + ", ".join(sorted(props)))
    return row


def _write_meta(tx_or_session: Any, props: dict[str, Any], *, begin: bool = False) -> None:
    """Set ``props`` on the metadata node; ``begin``: the content is about to change, so the
    ``generation`` goes up by one (readers key their caches on it)."""
    query = f"MERGE (m:{META_LABEL} {{key: $key}}) SET m += $props"
    if begin:
        query += " SET m.generation = coalesce(m.generation, 0) + 1"
    if isinstance(tx_or_session, Session):
        tx_or_session.execute_write(lambda tx: tx.run(query, key=META_KEY, props=props).consume())
    else:
        tx_or_session.run(query, key=META_KEY, props=props).consume()


# -- the sync ---------------------------------------------------------------------------------

def ensure_schema(session: Session, *, keys_only: bool = False, wait: bool = True) -> None:
    """Create the schema's missing constraints and indexes and (``wait``) wait until they are
    online.

    ``keys_only``: just the constraints that keep ids unique (``Entity.id``, the metadata
    key); the rest follows with a later call. A sync into an empty database does so: Neo4j
    then fills the other indexes in one pass over the nodes instead of updating all of them
    for every node written (``Entity.id`` already guards every id), while the relationships
    are being written."""
    names = schema_object_names()
    existing = {r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")}
    existing |= {r["name"] for r in session.run("SHOW INDEXES YIELD name")}
    missing = [statement for name, statement in zip(
        [*names["constraints"], *names["indexes"]], schema_statements(), strict=True)
        if name not in existing and (not keys_only or name in KEY_CONSTRAINTS)]
    if missing:  # one schema transaction for all of them
        with session.begin_transaction() as tx:
            for statement in missing:
                tx.run(statement).consume()
            tx.commit()
        if wait:
            await_indexes(session)


def await_indexes(session: Session) -> None:
    """Wait until every index is online (populated)."""
    session.run("CALL db.awaitIndexes(300)").consume()


def _fast_path_holds(g: nx.MultiDiGraph, before: DbSummary, replace: bool) -> bool:
    meta = before.meta
    version = g.graph.get("version")
    if version is None or meta.get("status") != "complete":
        return False
    same = (meta.get("format") == SYNC_FORMAT and meta.get("version") == version
            and meta.get("db_nodes") == before.nodes
            and meta.get("db_node_digest") == before.node_digest
            and meta.get("db_relationships") == before.relationship_total
            and meta.get("db_relationship_digest") == before.relationship_digest
            and before.nodes_hashed == before.nodes
            and before.relationships_hashed == before.relationship_total)
    if not same:
        return False
    expected_rels = meta.get("graph_edges", -1) + meta.get("mentions", -1)
    return not replace or (before.nodes == g.number_of_nodes()
                           and before.relationship_total == expected_rels)


def _verify(g: nx.MultiDiGraph, before: DbSummary, after: DbSummary, tally: Tally,
            nodes: Counts, rels: Counts, expected_by_type: Counter, replace: bool) -> None:
    problems: list[str] = []
    if tally.nodes_created != nodes.created:
        problems.append(f"planned {nodes.created} new nodes, Neo4j created {tally.nodes_created}")
    expected_nodes = before.nodes + tally.nodes_created - tally.nodes_deleted
    if after.nodes != expected_nodes:
        problems.append(f"expected {expected_nodes} entity nodes after the sync "
                        f"({before.nodes} before + {tally.nodes_created} created - "
                        f"{tally.nodes_deleted} deleted), found {after.nodes}")
    expected_rels = (before.relationship_total + tally.relationships_created
                     - tally.relationships_deleted)
    if after.relationship_total != expected_rels:
        problems.append(f"expected {expected_rels} relationships after the sync, found "
                        f"{after.relationship_total}")
    for rel, count in expected_by_type.items():
        found = after.relationships.get(rel, 0)
        if found < count or (replace and found != count):
            problems.append(f"{rel}: the graph has {count}, Neo4j has {found}")
    if after.nodes < g.number_of_nodes() or (replace and after.nodes != g.number_of_nodes()):
        problems.append(f"the graph has {g.number_of_nodes()} nodes, Neo4j has {after.nodes}")
    if problems:
        raise SyncError("the sync did not check out: " + "; ".join(problems))


def _progress(total: int, show: bool | None) -> tqdm:
    enabled = sys.stderr.isatty() if show is None else show
    return tqdm(total=total, unit="rec", desc="neo4j sync", disable=not enabled or total == 0,
                file=sys.stderr, leave=False)


def sync_graph(g: nx.MultiDiGraph, driver: Driver, *, database: str | None = None,
               batch_size: int = DEFAULT_BATCH_SIZE, replace: bool = False,
               centrality: Scorer | bool | None = None, progress: bool | None = None,
               workers: int = DEFAULT_WORKERS) -> SyncReport:
    """Make Neo4j hold ``g``; return what was created, updated, unchanged and deleted.

    Additive by default; ``replace=True`` also deletes entities and relationships that are
    no longer in ``g``. With ``centrality`` (a function computing the scores of ``g``; None
    or False: none) the scores are written back when the stored ones are not of this graph
    version. A sync larger than one batch keeps ``workers`` write transactions in flight at
    once. Raises :class:`SyncError` (message says whether the database is
    unchanged or partially written and resumable) when a write fails or the result does not
    check out; connection, authentication and unknown-database errors are the driver's.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    began = time.perf_counter()
    version = g.graph.get("version")
    report = SyncReport(version=version)
    phases = report.phases
    # the content_hash "property does not exist" warnings of a fresh database are noise
    def open_session() -> Session:
        return driver.session(database=database,
                              notifications_min_severity=NotificationMinimumSeverity.OFF)

    with open_session() as session:
        with _timed(phases, "read state"):
            before = read_summary(session)
        stale_scores = bool(centrality) and _scores_stale(before.meta, version)
        if _fast_path_holds(g, before, replace):
            with _timed(phases, "schema"):
                ensure_schema(session)
            report.nodes.unchanged = before.meta["graph_nodes"]
            report.edges.unchanged = before.meta["graph_edges"] + before.meta["mentions"]
            report.mentions = before.meta["mentions"]
            report.mode = "unchanged (fast path)"
            scores_due = stale_scores
            if scores_due:  # the scores change: readers must know, as for any write
                _write_meta(session, _in_progress(version), begin=True)
        else:
            scores_due = _sync_changes(g, session, before, replace, _Options(
                batch_size, workers, progress, open_session, bool(centrality)), report)
        if scores_due:
            with _timed(phases, "centrality"):
                try:
                    assert centrality
                    report.centrality_written = write_centrality(
                        g, session, centrality(g), batch_size=batch_size)
                except (SyncError, Neo4jError, DriverError) as exc:
                    _mark_failed(session, exc)
                    raise
            _write_meta(session, {"status": "complete", "synced_at": dt.datetime.now(dt.UTC)})
    report.seconds = time.perf_counter() - began
    return report


@dataclass
class _Options:
    batch_size: int
    workers: int
    progress: bool | None
    open_session: Callable[[], Session]
    centrality: bool = False


def _sync_changes(g: nx.MultiDiGraph, session: Session, before: DbSummary, replace: bool,
                  options: _Options, report: SyncReport) -> bool:
    """Write what changed; True when centrality scores are to be written next (the status
    stays ``in_progress`` for them)."""
    with _timed(report.phases, "hash and plan"):
        plan, nodes, rels, mentions = _plan(g, session, before, replace)
    nodes.deleted, rels.deleted = len(plan.node_deletes), len(plan.edge_deletes)
    report.nodes, report.edges, report.mentions = nodes, rels, mentions
    expected_by_type: Counter = Counter(item.relation for item in plan.edges.values())
    tally = Tally()
    batch_size = options.batch_size
    single = plan.rows <= batch_size
    report.mode = "one transaction" if single else "batched"
    # an empty database gets its secondary indexes after the nodes (ensure_schema says why)
    defer_indexes = not single and before.nodes == 0 and before.relationship_total == 0
    with _timed(report.phases, "schema"):
        ensure_schema(session, keys_only=defer_indexes)

    def indexes_after_nodes() -> None:
        with _timed(report.phases, "indexes after the nodes"):
            try:
                ensure_schema(session, wait=False)  # filled while relationships are written
            except Neo4jError as exc:
                raise BatchFailure("creating the constraints and indexes after the nodes "
                                   f"failed ({_reason(exc)})") from exc

    version = g.graph.get("version")
    meta = {"format": SYNC_FORMAT, "version": version,
            "graph_nodes": g.number_of_nodes(), "graph_edges": g.number_of_edges(),
            "mentions": mentions, "replace": replace}
    # complete once the data is written, unless centrality scores are written after it
    scores_follow = options.centrality and (
        plan.rows > 0 or _scores_stale(before.meta, version))
    settled = _in_progress(version) if scores_follow else {}
    with _progress(plan.rows, options.progress) as bar:
        if single:
            def work(tx: ManagedTransaction) -> tuple[Tally, DbSummary]:
                local = Tally(transactions=1)
                _apply(g, _copy_plan(plan), BatchWriter(batch_size=batch_size, bar=bar,
                                                        tally=local, tx=tx), session)
                after = _summary(tx)  # checked before the commit: a bad result is rolled back
                _verify(g, before, after, local, nodes, rels, expected_by_type, replace)
                # with the data, atomically: the generation goes up as the content changes
                _write_meta(tx, {**meta, **_complete(after), **settled}, begin=True)
                return local, after
            try:
                with _timed(report.phases, "write and verify (one transaction)"):
                    tally, after = session.execute_write(work)
            except (BatchFailure, SyncError, Neo4jError, DriverError) as exc:
                raise SyncError(f"{_reason(exc)}. Nothing was written: the sync ran as one "
                                "transaction, which was rolled back; the database is as it "
                                "was before.") from exc
        else:
            writer = BatchWriter(batch_size=batch_size, bar=bar, tally=tally,
                                 open_session=options.open_session, workers=options.workers)
            _write_meta(session, _in_progress(version), begin=True)  # before the first batch
            try:
                _apply(g, plan, writer, session, indexes_after_nodes if defer_indexes else None)
                report.phases.update(writer.seconds)
            except (BatchFailure, Neo4jError, DriverError) as exc:
                _mark_failed(session, exc)
                raise SyncError(
                    f"{_reason(exc)}. {writer.batches_done} batches were committed before the "
                    f"failure: {_PARTIAL}") from exc
            finally:
                writer.close()
            if defer_indexes:
                with _timed(report.phases, "await indexes"):
                    await_indexes(session)
            with _timed(report.phases, "verify"):
                after = read_summary(session)
            try:
                _verify(g, before, after, tally, nodes, rels, expected_by_type, replace)
            except SyncError as exc:
                _mark_failed(session, exc)
                raise SyncError(f"{exc}. Every batch was committed: {_PARTIAL}") from None
            _write_meta(session, {**meta, **_complete(after), **settled})
    # nodes deleted by DETACH DELETE took their relationships along: Neo4j counted them
    nodes.deleted, rels.deleted = tally.nodes_deleted, tally.relationships_deleted
    # + the "incomplete" mark a batched sync starts with and its final metadata write
    report.transactions = tally.transactions + (0 if single else 2)
    return scores_follow


def _in_progress(version: str | None) -> dict[str, Any]:
    """Metadata of a sync that is writing (written with ``begin=True``)."""
    return {"status": "in_progress", "started_at": dt.datetime.now(dt.UTC),
            "target_version": version, "failure": None}


def _mark_failed(session: Session, exc: BaseException) -> None:
    """Best effort: say the sync failed (if even this cannot be written, the status stays
    ``in_progress``, which readers treat alike)."""
    with suppress(Neo4jError, DriverError):
        _write_meta(session, {"status": "incomplete", "failure": _reason(exc)[:500]})


_PARTIAL = ("the database is partially updated (InnographMeta status 'incomplete'). Fix the "
            "cause and run the sync again: it resumes, skipping every record already written "
            "(content hashes).")


def _complete(after: DbSummary) -> dict[str, Any]:
    """Metadata of a complete sync: what the re-sync fast path compares with."""
    return {"status": "complete", "synced_at": dt.datetime.now(dt.UTC),
            "db_nodes": after.nodes, "db_node_digest": after.node_digest,
            "db_relationships": after.relationship_total,
            "db_relationship_digest": after.relationship_digest}


@contextmanager
def _timed(phases: dict[str, float], name: str) -> Iterator[None]:
    began = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - began


def _copy_plan(plan: _Plan) -> _Plan:
    """A retried transaction function must start from the same plan (element ids learnt in a
    rolled-back attempt are void)."""
    return _Plan(plan.node_hashes, plan.edges, plan.node_deletes, plan.node_updates,
                 plan.node_creates, plan.edge_deletes, plan.edge_updates, plan.edge_creates,
                 dict(plan.known_eids))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, Neo4jError):
        return f"Neo4j refused a write ({exc.code}): {exc.message}"
    return str(exc)


# -- centrality write-back --------------------------------------------------------------------

@dataclass(frozen=True)
class CentralityScores:
    """What the write-back stores: ``scores`` ``{measure: {node id: score}}`` and
    ``methods`` ``{measure: how it was computed}``. The caller computes them (innograph/cli.py
    with ``queries.centrality.for_sync``): this sink does not know how."""

    scores: dict[str, dict[str, float]]
    methods: dict[str, Any]
    #: ``{property: {node id: value}}`` for ``ANALYTICS_PROPERTIES`` (community, sphere, ...);
    #: a node missing from a property's map gets none (e.g. constraint of a non-actor)
    analytics: dict[str, dict[str, Any]] = field(default_factory=dict)


#: Computes the scores of a graph, asked only when the stored ones are stale.
Scorer = Callable[[nx.MultiDiGraph], CentralityScores]


def _scores_stale(meta: Mapping[str, Any], version: str | None) -> bool:
    """Whether the stored scores are of another graph version, or from before the ecosystem
    analytics were written with them (a database synced by an older innograph)."""
    return meta.get("centrality_version") != version or "analytics_methods" not in meta


def write_centrality(g: nx.MultiDiGraph, session: Session, computed: CentralityScores, *,
                     batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Store ``computed`` on the nodes of ``g`` as ``degree``, ``in_degree``, ``out_degree``,
    ``pagerank``, ``betweenness``, ``closeness``, ``harmonic``, ``eigenvector`` and
    ``centrality_version`` (the graph version), and the ``analytics`` values in the same
    statement (a node without a value has the property removed); the metadata node gets
    ``centrality_version``, ``centrality_methods`` (JSON: how each measure was computed) and,
    with analytics, ``analytics_methods``. Returns the number of nodes scored."""
    scores, analytics = computed.scores, computed.analytics
    measures = [m for m in CENTRALITY_PROPERTIES if m in scores]
    extra = [p for p in ANALYTICS_PROPERTIES if p in analytics]
    integral = {"degree", "in_degree", "out_degree"}
    rows = [[node_id, *(int(scores[m][node_id]) if m in integral else float(scores[m][node_id])
                        for m in measures), *(analytics[p].get(node_id) for p in extra)]
            for node_id in g.nodes]
    assignments = ", ".join(f"n.{m} = row[{i + 1}]" for i, m in enumerate([*measures, *extra]))
    query = (f"UNWIND $rows AS row MATCH (n:{ENTITY_LABEL} {{id: row[0]}}) "
             f"SET {assignments}, n.centrality_version = $version RETURN count(n)")
    version = g.graph.get("version")
    written = 0
    for chunk in chunks(rows, batch_size):
        written += session.execute_write(
            lambda tx, c=chunk: tx.run(query, rows=c, version=version).single(strict=True)[0])
    if written != len(rows):
        raise SyncError(f"centrality write-back reached {written} of {len(rows)} nodes")
    methods = {m: computed.methods.get(m, {}) for m in measures}
    meta = {"centrality_version": version,
            "centrality_methods": json.dumps(methods, ensure_ascii=False)}
    if extra:
        meta["analytics_methods"] = json.dumps(
            {p: computed.methods.get(p, {}) for p in extra}, ensure_ascii=False)
    _write_meta(session, meta)
    return written


def describe_connection_error(exc: BaseException, uri: str, database: str | None,
                              user: str | None) -> str | None:
    """A one-line explanation of a driver error about reaching the database, or None."""
    from neo4j.exceptions import AuthError, ServiceUnavailable

    if isinstance(exc, AuthError):
        return (f"Neo4j at {uri} refused the credentials of user {user!r} "
                "(check NEO4J_USER / NEO4J_PASSWORD or --user / --password)")
    if isinstance(exc, ServiceUnavailable):
        return (f"cannot reach Neo4j at {uri}: is the server running? "
                "(start one with `make neo4j`, or set NEO4J_URI / --uri)")
    if isinstance(exc, Neo4jError) and exc.code and "DatabaseNotFound" in exc.code:
        return (f"database {database!r} does not exist on {uri} (Neo4j Community has one "
                "user database, 'neo4j'; check NEO4J_DATABASE / --database)")
    return None

