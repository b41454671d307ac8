"""The ecosystem analytics ``innograph sync`` writes back to Neo4j (community, community_name,
constraint, effective_size, sphere), read with plain Cypher through the driver and compared
with the plain functions of queries/ecosystem/; and kept out of the graph the Neo4j store
reads back (they are bookkeeping, not data)."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from neo4j import Driver

from graph.neo4j_rows import ANALYTICS_PROPERTIES, META_KEY, WRITTEN_BACK
from graph.neo4j_sync import sync_graph
from queries.centrality import for_sync
from queries.ecosystem.brokers import actor_rows
from queries.ecosystem.communities import communities
from queries.ecosystem.network import network
from queries.stores.records import node_property_names

pytestmark = pytest.mark.neo4j


def stored(driver: Driver, database: str | None) -> dict[str, dict]:
    records = driver.execute_query(
        "MATCH (n:Entity) RETURN n.id AS id, n {" + ", ".join(f".{p}" for p in
                                                              ANALYTICS_PROPERTIES)
        + "} AS values", database_=database).records
    return {r["id"]: r["values"] for r in records}


def test_written_back_names_are_no_graph_property():
    """The store keeps only schema properties: a schema property of one of these names
    would pull the written-back value into the graph."""
    assert not set(WRITTEN_BACK) & node_property_names()


def test_every_node_has_the_analytics_of_the_plain_functions(neo4j_with_data, neo4j_driver,
                                                             data_graph: nx.MultiDiGraph):
    g = data_graph
    found = communities(g, membership=True, limit=1)
    label = {c["rank"]: c["label"]["zh"]
             for c in communities(g, limit=found["total"], top=3)["communities"]}
    spheres = network(g).spheres
    holes = {n: (c, s) for n, c, s, _, _ in actor_rows(g, "brokerage")}
    values = stored(neo4j_driver, neo4j_with_data.database)
    assert set(values) == set(g)
    for n, v in values.items():
        rank = found["membership"].get(n)
        assert v["community"] == rank, n
        assert v["community_name"] == (label[rank] if rank else None), n
        assert v["sphere"] == spheres.get(n), n
        constraint, size = holes.get(n, (None, None))
        assert v["effective_size"] == (pytest.approx(size) if size is not None else None), n
        assert v["constraint"] == (pytest.approx(constraint) if constraint is not None
                                   else None), n
    # what a reader of the Browser sees: every actor has a sphere, non-actors none
    kinds = {n: k for n, k in g.nodes(data="kind")}
    assert {kinds[n] for n, v in values.items() if v["sphere"] is None} >= {"Sector",
                                                                             "Source"}
    assert sum(v["community"] is not None for v in values.values()) == len(found["membership"])
    meta = neo4j_driver.execute_query("MATCH (m:InnographMeta {key: $k}) "
                                      "RETURN m.analytics_methods AS methods", k=META_KEY,
                                      database_=neo4j_with_data.database).records[0]["methods"]
    methods = json.loads(meta)
    assert set(methods) == set(ANALYTICS_PROPERTIES)
    assert methods["community"]["modularity"] == pytest.approx(found["modularity"])


def test_snapshot_leaves_the_analytics_out(neo4j_backend, data_graph: nx.MultiDiGraph):
    snapshot = neo4j_backend.snapshot()
    assert dict(snapshot.nodes(data=True)) == dict(data_graph.nodes(data=True))
    leaked = {p for _, attrs in snapshot.nodes(data=True) for p in attrs} & set(WRITTEN_BACK)
    assert not leaked


def test_a_database_synced_without_analytics_gets_them(neo4j_with_data, neo4j_driver,
                                                       data_graph: nx.MultiDiGraph):
    """A database whose scores are of this version but from before the analytics (an older
    innograph) is scored again by the next sync, though its data is unchanged."""
    database = neo4j_with_data.database
    before = stored(neo4j_driver, database)
    neo4j_driver.execute_query(
        "MATCH (n:Entity) REMOVE n.community, n.community_name, n.constraint, "
        "n.effective_size, n.sphere", database_=database)
    neo4j_driver.execute_query("MATCH (m:InnographMeta {key: $k}) REMOVE m.analytics_methods",
                               k=META_KEY, database_=database)
    report = sync_graph(data_graph, neo4j_driver, centrality=for_sync, database=database,
                        replace=True, progress=False)
    assert report.mode == "unchanged (fast path)"
    assert report.centrality_written == data_graph.number_of_nodes()
    after = stored(neo4j_driver, database)
    assert {n: {**v, "constraint": None} for n, v in after.items()} == {
        n: {**v, "constraint": None} for n, v in before.items()}
    again = sync_graph(data_graph, neo4j_driver, centrality=for_sync, database=database,
                       replace=True, progress=False)
    assert again.centrality_written == 0  # scored once: nothing is stale any more
