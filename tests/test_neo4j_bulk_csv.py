"""The neo4j-admin CSV files of the bulk path, read back with the csv module (no server)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import networkx as nx

from graph.neo4j_bulk import ARRAY_DELIMITER, write_csv
from graph.neo4j_rows import ENTITY_LABEL, META_LABEL, iter_mentions


def read_rows(specs: list[tuple[str, Path]]) -> list[tuple[str, dict[str, str]]]:
    rows = []
    for name, path in specs:
        with path.open(encoding="utf-8", newline="") as handle:
            rows += [(name, row) for row in csv.DictReader(handle)]
    return rows


def test_every_record_lands_once_with_its_labels_and_provenance(data_graph: nx.MultiDiGraph,
                                                                tmp_path: Path):
    g = data_graph
    files = write_csv(g, tmp_path)
    nodes = read_rows(files.node_specs)
    entities = {row["id:ID"]: (name, row) for name, row in nodes if name != META_LABEL}
    assert len(entities) == g.number_of_nodes() == len(nodes) - 1
    for node_id, attrs in g.nodes(data=True):
        labels, row = entities[node_id]
        assert labels == f"{ENTITY_LABEL}:{attrs['kind']}"
        assert row["name_zh:string"] == attrs["name_zh"]
        assert row["prov_quotes:string[]"].split(ARRAY_DELIMITER) == [
            p["quote"] for p in attrs["provenance"]]
    rels = read_rows(files.relationship_specs)
    mentions = sum(1 for _ in iter_mentions(g))
    assert files.relationships == len(rels) == g.number_of_edges() + mentions
    assert files.mentions == mentions
    expected = Counter(rel for _, _, rel in g.edges(keys=True)) + Counter({"MENTIONS": mentions})
    assert Counter(name for name, _ in rels) == expected
    meta = [row for name, row in nodes if name == META_LABEL]
    assert meta[0]["db_relationships:long"] == str(files.relationships)
    assert not files.multiline


def test_a_line_break_in_a_value_asks_for_multiline_fields(data_graph: nx.MultiDiGraph,
                                                           tmp_path: Path):
    g = data_graph.copy()
    node = next(iter(g.nodes))
    g.nodes[node]["name_en"] += "\nsecond line"
    files = write_csv(g, tmp_path)
    assert files.multiline
    rows = read_rows(files.node_specs)
    assert any(row.get("name_en:string", "").endswith("\nsecond line") for _, row in rows)
