"""Bulk path: fill an empty, locally managed Neo4j database offline with ``neo4j-admin``.

For a server home whose database has no data yet (typically before its first start), writing
CSV files and running ``neo4j-admin database import full`` (``innograph.bulk``, which drives
the server home) is far faster than any transactional write. The CSVs hold exactly what
``graph.neo4j_sync`` would write (same labels, types, properties, content hashes, MENTIONS)
plus the ``InnographMeta`` node, so the first online ``sync_graph`` after the server starts
creates the constraints and indexes, finds every record unchanged (its fast path) and only
writes the centrality scores.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
from tqdm import tqdm

from graph.embedded import iter_edges
from graph.neo4j_rows import (
    ENTITY_LABEL,
    MENTIONS,
    META_KEY,
    META_LABEL,
    SYNC_FORMAT,
    digest_part,
    edge_hash,
    edge_properties,
    ends_from,
    iter_mentions,
    node_hash,
    node_properties,
    nodes_reported_from,
)
from graph.timeline import source_years

ARRAY_DELIMITER = "\x1f"  # ASCII unit separator: cannot occur in names or quotes
IMPORT_DIR = "innograph-bulk"  # under the home's import/ folder, removed after the import


@dataclass
class BulkReport:
    nodes: int
    relationships: int
    mentions: int
    csv_seconds: float
    import_seconds: float
    csv_bytes: int

    @property
    def seconds(self) -> float:
        return self.csv_seconds + self.import_seconds

    def summary(self) -> str:
        return (f"bulk import: {self.nodes} nodes, {self.relationships} relationships "
                f"({self.mentions} MENTIONS); CSV {self.csv_bytes / 2**20:.1f} MiB in "
                f"{self.csv_seconds:.1f} s, neo4j-admin import {self.import_seconds:.1f} s")


_CSV_TYPES = {bool: "boolean", int: "long", float: "double", str: "string", list: "string[]",
              dt.date: "date", dt.datetime: "datetime"}


def _cell_converter(python_type: type) -> Any:
    """How a value of this type is written in a cell (None: as it is)."""
    if python_type is list:
        return ARRAY_DELIMITER.join
    if python_type is bool:
        return lambda value: "true" if value else "false"
    if python_type in (dt.date, dt.datetime):
        return lambda value: value.isoformat()
    return None


class _CsvFiles:
    """One CSV file per (labels or type, property names, Python types), written row by row:
    a column has one type, and a decimal is INTEGER on one node and FLOAT on another, as the
    online sync stores it."""

    def __init__(self, folder: Path, prefix: str, key_columns: tuple[str, ...]):
        self.folder, self.prefix, self.key_columns = folder, prefix, key_columns
        self.open: dict[tuple, _CsvFile] = {}

    def add(self, name: str, keys: tuple[Any, ...], props: dict[str, Any]) -> None:
        # property order is the record's (deterministic per record shape): no sorting needed
        values = props.values()
        signature = (name, tuple(props), tuple(map(type, values)))
        out = self.open.get(signature)
        if out is None:
            out = self.open[signature] = _CsvFile(
                self.folder / f"{self.prefix}-{len(self.open):04d}.csv", name,
                [*self.key_columns, *(f"{k}:{_CSV_TYPES[t]}"
                                      for k, t in zip(signature[1], signature[2], strict=True))],
                [_cell_converter(t) for t in signature[2]])
        out.write(keys, values)

    def close(self) -> tuple[list[tuple[str, Path]], bool]:
        """The (labels or type, file) specs, and whether a value spans lines."""
        multiline = False
        for out in self.open.values():
            multiline = out.close() or multiline
        return [(out.name, out.path) for out in self.open.values()], multiline


class _CsvFile:
    def __init__(self, path: Path, name: str, header: list[str], converters: list[Any]):
        self.path, self.name, self.rows = path, name, 0
        # (column, converter) for the cells that need one: most rows convert two lists
        self.converted = [(i, c) for i, c in enumerate(converters) if c is not None]
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow(header)

    def write(self, keys: tuple[Any, ...], values: Any) -> None:
        row = [*keys, *values]
        offset = len(keys)
        for i, convert in self.converted:
            row[offset + i] = convert(row[offset + i])
        self.writer.writerow(row)
        self.rows += 1

    def close(self) -> bool:
        """Close; True when a value has a line break (more lines than rows)."""
        self.handle.close()
        text = self.path.read_text(encoding="utf-8")
        return "\r" in text or text.count("\n") != self.rows + 1


def database_exists(home: Path, database: str = "neo4j") -> bool:
    """Whether the home already has a store for ``database`` (it started, or was imported)."""
    return (home / "data" / "databases" / database / "neostore").exists()


@dataclass
class CsvExport:
    """The CSV files of a graph, as neo4j-admin takes them."""

    node_specs: list[tuple[str, Path]]
    relationship_specs: list[tuple[str, Path]]
    relationships: int  # MENTIONS included
    mentions: int
    multiline: bool  # a value spans lines: neo4j-admin needs --multiline-fields=true


def write_csv(g: nx.MultiDiGraph, folder: Path, *, progress: bool = False) -> CsvExport:
    """Write the graph and the ``InnographMeta`` node as neo4j-admin CSV files, row by row
    (nothing but the open files is held)."""
    folder.mkdir(parents=True, exist_ok=True)
    nodes = _CsvFiles(folder, "nodes", ("id:ID",))
    rels = _CsvFiles(folder, "rels", (":START_ID", ":END_ID"))
    node_digest = rel_digest = count = mentions = 0
    years = source_years(g)  # the reported_from / reported_to of every record
    reported_from = nodes_reported_from(g, years)  # the edges' ends: their seen_from
    # networkx's number_of_edges() sums the degree view: half a second on 100k nodes
    edge_total = sum(len(keyed) for nbrs in g._adj.values() for keyed in nbrs.values())
    with tqdm(total=g.number_of_nodes() + edge_total, unit="rec",
              desc="CSV for neo4j-admin", disable=not progress, file=sys.stderr, leave=False,
              mininterval=0.5) as bar:
        for node_id, attrs in g._node.items():  # networkx's dicts: views cost a second here
            h = node_hash(node_id, attrs, years)
            node_digest += digest_part(h)
            props = node_properties(node_id, attrs, h, years)
            del props["id"]  # the id:ID column is stored as property `id`
            nodes.add(f"{ENTITY_LABEL}:{attrs['kind']}", (node_id,), props)
        bar.update(g.number_of_nodes())
        for u, v, rel, attrs in iter_edges(g):
            ends = ends_from(reported_from, u, v)
            h = edge_hash(u, rel, v, attrs, years, ends)
            rel_digest += digest_part(h)
            rels.add(rel, (u, v), edge_properties(attrs, h, years, ends))
            count += 1
            if not count % 10_000:
                bar.update(10_000)
        for m in iter_mentions(g):
            h = m.content_hash
            rel_digest += digest_part(h)
            rels.add(MENTIONS, (m.source, m.target), m.properties(h))
            mentions += 1
    meta = {"key": META_KEY, "format": SYNC_FORMAT, "version": g.graph.get("version"),
            "status": "complete", "synced_at": dt.datetime.now(dt.UTC).replace(microsecond=0),
            "graph_nodes": g.number_of_nodes(), "graph_edges": count,
            "mentions": mentions, "replace": True, "bulk_import": True,
            "db_nodes": g.number_of_nodes(), "db_node_digest": node_digest,
            "db_relationships": count + mentions, "db_relationship_digest": rel_digest}
    meta_file = _CsvFiles(folder, "meta", ())  # no id: not an entity
    meta_file.add(META_LABEL, (), {k: v for k, v in meta.items() if v is not None})
    node_specs, nodes_multiline = nodes.close()
    node_specs += meta_file.close()[0]
    rel_specs, rels_multiline = rels.close()
    return CsvExport(node_specs, rel_specs, count + mentions, mentions,
                     nodes_multiline or rels_multiline)


def import_options(files: CsvExport) -> list[str]:
    """The neo4j-admin options these files need."""
    return [f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
            f"--multiline-fields={'true' if files.multiline else 'false'}"]
