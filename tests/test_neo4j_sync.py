"""The Neo4j sync against the session's real Neo4j 5.26 server (tests/neo4j_fixture.py).

Expectations are computed from the graph of data/ (counts, properties, MENTIONS, centrality),
never hard-coded. Tests that change the database start from an empty one; the module leaves
Neo4j holding exactly data/ (as the read-side tests expect, which re-sync per module anyway).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import ServiceUnavailable
from neo4j_fixture import Neo4jTarget, start_test_server

from graph.embedded import stamp_version
from graph.neo4j_rows import (
    CENTRALITY_PROPERTIES,
    META_KEY,
    iter_mentions,
    schema_object_names,
)
from graph.neo4j_sync import DbSummary, SyncError, _verify, sync_graph
from graph.neo4j_writer import Tally
from innograph import neo4j_server
from innograph.bulk import BulkImportError, bulk_import
from innograph.cli import main
from queries.centrality import compute_all, for_sync

pytestmark = pytest.mark.neo4j


# -- fixtures and helpers ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def db(neo4j_driver: Driver, neo4j_target: Neo4jTarget,
       data_graph: nx.MultiDiGraph) -> Iterator[Database]:
    database = Database(neo4j_driver, neo4j_target)
    yield database
    database.clear()  # leave data/ synced for whoever runs next
    sync_graph(data_graph, neo4j_driver, centrality=for_sync,
               database=neo4j_target.database, replace=True,
               progress=False)


class Database:
    def __init__(self, driver: Driver, target: Neo4jTarget):
        self.driver, self.target = driver, target

    def query(self, cypher: str, **params: object) -> list[dict]:
        records, _, _ = self.driver.execute_query(cypher, params, database_=self.target.database)
        return [r.data() for r in records]

    def value(self, cypher: str, **params: object) -> object:
        return next(iter(self.query(cypher, **params)[0].values()))

    def clear(self) -> None:
        with self.driver.session(database=self.target.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
                        ).consume()

    def drop_schema(self) -> None:
        """Back to a database that never saw a sync: no constraints, no indexes of ours."""
        names = schema_object_names()
        for name in names["constraints"]:
            self.query(f"DROP CONSTRAINT {name} IF EXISTS")
        for name in names["indexes"]:
            self.query(f"DROP INDEX {name} IF EXISTS")

    def schema_objects(self) -> dict[str, str]:
        """``{name: state}`` of every constraint's index and every index."""
        return {r["name"]: r["state"] for r in self.query("SHOW INDEXES YIELD name, state")} | {
            r["name"]: "ONLINE" for r in self.query("SHOW CONSTRAINTS YIELD name")}

    def sync(self, g: nx.MultiDiGraph, **options: object):
        options.setdefault("progress", False)
        options.setdefault("centrality", for_sync)  # as the CLI hands it the scores
        return sync_graph(g, self.driver, database=self.target.database, **options)

    def relationship_counts(self) -> Counter:
        return Counter({r["t"]: r["c"] for r in self.query(
            "MATCH ()-[r]->() RETURN type(r) AS t, count(r) AS c")})


@pytest.fixture
def fresh(db: Database) -> Database:
    db.clear()
    return db


def expected_relationships(g: nx.MultiDiGraph) -> Counter:
    counts = Counter(rel for _, _, rel in g.edges(keys=True))
    counts["MENTIONS"] = sum(1 for _ in iter_mentions(g))
    return +counts


def copy_without(g: nx.MultiDiGraph, node: str, edge: tuple[str, str, str]) -> nx.MultiDiGraph:
    """``g`` minus one node (and its edges) and one other edge, re-versioned."""
    smaller = g.copy()
    smaller.remove_node(node)
    smaller.remove_edge(edge[0], edge[2], key=edge[1])
    stamp_version(smaller)
    return smaller


def leaf_and_edge(g: nx.MultiDiGraph) -> tuple[str, tuple[str, str, str]]:
    """A non-Source node to delete and an edge between two other nodes."""
    node = next(n for n, a in g.nodes(data=True) if a["kind"] != "Source" and g.degree(n) == 1)
    edge = next((u, k, v) for u, v, k in g.edges(keys=True) if node not in (u, v))
    return node, edge


def run_cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def uri_args(target: Neo4jTarget) -> list[str]:
    args = ["--uri", target.uri]
    if target.auth:
        args += ["--user", target.auth[0], "--password", target.auth[1]]
    if target.database:
        args += ["--database", target.database]
    return args


# -- the data lands as the graph has it -------------------------------------------------------

@pytest.mark.slow
def test_sync_writes_every_node_and_edge_with_counts_checked(fresh: Database,
                                                             data_graph: nx.MultiDiGraph):
    g = data_graph
    report = fresh.sync(g, replace=True)
    mentions = sum(1 for _ in iter_mentions(g))
    assert report.nodes.created == g.number_of_nodes()
    assert report.edges.created == g.number_of_edges() + mentions
    assert report.mentions == mentions > 0
    assert fresh.value("MATCH (n:Entity) RETURN count(n)") == g.number_of_nodes()
    assert fresh.relationship_counts() == expected_relationships(g)
    by_kind = Counter(kind for _, kind in g.nodes(data="kind"))
    for kind, count in by_kind.items():
        assert fresh.value(f"MATCH (n:`{kind}`) RETURN count(n)") == count
    meta = fresh.query("MATCH (m:InnographMeta {key: $k}) RETURN properties(m) AS m",
                       k=META_KEY)[0]["m"]
    assert meta["version"] == g.graph["version"]
    assert meta["status"] == "complete"
    assert (meta["graph_nodes"], meta["graph_edges"]) == (g.number_of_nodes(),
                                                          g.number_of_edges())


def test_node_properties_keep_their_types(db: Database, data_graph: nx.MultiDiGraph):
    g = data_graph
    db.sync(g, replace=True)
    stored = {r["id"]: r["p"] for r in db.query(
        "MATCH (n:Entity) RETURN n.id AS id, properties(n) AS p")}
    for node_id, attrs in g.nodes(data=True):
        props = stored[node_id]
        for name, value in attrs.items():
            if name == "provenance":
                assert props["prov_sources"] == [p["source"] for p in value]
                assert props["prov_quotes"] == [p["quote"] for p in value]
            elif name == "aliases":
                assert props.get("aliases", []) == value
            elif name == "date":
                assert props[name].to_native() == dt.date.fromisoformat(value)
            else:
                assert props[name] == value and type(props[name]) is type(value), name
    # types as Neo4j sees them, for properties the data has
    typed = {"value": ("INTEGER NOT NULL", "FLOAT NOT NULL"), "date": ("DATE NOT NULL",),
             "period_start": ("INTEGER NOT NULL",), "year": ("INTEGER NOT NULL",),
             "aliases": ("LIST<STRING NOT NULL> NOT NULL",)}
    for prop, allowed in typed.items():
        holders = [n for n, a in g.nodes(data=True) if a.get(prop)]
        assert holders, f"data/ has no node with {prop}"
        found = db.query(f"MATCH (n:Entity) WHERE n.id IN $ids RETURN DISTINCT "
                         f"valueType(n.{prop}) AS t", ids=holders)
        assert {r["t"] for r in found} <= set(allowed), prop


def test_edge_properties_and_provenance(db: Database, data_graph: nx.MultiDiGraph):
    g = data_graph
    db.sync(g, replace=True)
    stored = {(r["a"], r["t"], r["b"]): r["p"] for r in db.query(
        "MATCH (a)-[r]->(b) WHERE type(r) <> 'MENTIONS' "
        "RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p")}
    assert len(stored) == g.number_of_edges()
    for u, v, rel, attrs in g.edges(keys=True, data=True):
        props = stored[(u, rel, v)]
        assert props["prov_sources"] == [p["source"] for p in attrs["provenance"]]
        assert props["prov_quotes"] == [p["quote"] for p in attrs["provenance"]]
        for name, value in attrs.items():
            if name not in ("rel", "provenance"):
                assert props[name] == value
        assert isinstance(props["content_hash"], int)


def test_mentions_come_from_source_nodes(db: Database, data_graph: nx.MultiDiGraph):
    g = data_graph
    db.sync(g, replace=True)
    sources = {a["file"]: n for n, a in g.nodes(data=True) if a["kind"] == "Source"}
    assert sources, "data/ has Source nodes"
    for file, source_id in sources.items():
        expected = {n for n, a in g.nodes(data=True) if a["kind"] != "Source"
                    and any(p["source"] == file for p in a["provenance"])}
        found = {r["id"] for r in db.query(
            "MATCH (:Source {id: $s})-[m:MENTIONS]->(n:Entity) RETURN n.id AS id", s=source_id)}
        assert found == expected and expected
        quotes = db.query("MATCH (:Source {id: $s})-[m:MENTIONS]->(n:Entity) "
                          "RETURN n.id AS id, m.prov_quotes AS q LIMIT 1", s=source_id)[0]
        assert quotes["q"] == [p["quote"] for p in g.nodes[quotes["id"]]["provenance"]
                               if p["source"] == file]


def test_constraints_and_indexes_exist(db: Database, data_graph: nx.MultiDiGraph):
    db.sync(data_graph, replace=True)
    names = schema_object_names()
    constraints = {r["name"]: r for r in db.query(
        "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties")}
    for name in names["constraints"]:
        assert constraints[name]["type"] == "UNIQUENESS"
    assert constraints["entity_id"]["labelsOrTypes"] == ["Entity"]
    assert constraints["fund_id"]["labelsOrTypes"] == ["Fund"]
    indexes = {r["name"]: r for r in db.query("SHOW INDEXES YIELD name, type, state")}
    for name in names["indexes"]:
        assert indexes[name]["state"] == "ONLINE"
    assert indexes["entity_names"]["type"] == "FULLTEXT"
    # the full-text index finds an entity by an alias and by part of its Chinese name
    node, alias = next((n, a["aliases"][0]) for n, a in data_graph.nodes(data=True)
                       if a["aliases"])
    hits = db.query("CALL db.index.fulltext.queryNodes('entity_names', $q) YIELD node "
                    "RETURN node.id AS id", q=f'"{alias}"')
    assert node in {h["id"] for h in hits}
    hits = db.query("CALL db.index.fulltext.queryNodes('entity_names', '长光卫星') YIELD node "
                    "RETURN node.id AS id LIMIT 3")
    assert hits[0]["id"] == "chang-guang-satellite"


# -- idempotence and change detection ---------------------------------------------------------

def test_second_sync_changes_nothing_and_says_so(fresh: Database, data_graph: nx.MultiDiGraph):
    g = data_graph
    first = fresh.sync(g)
    assert first.changed
    second = fresh.sync(g)
    total_edges = g.number_of_edges() + first.mentions
    assert not second.changed
    assert (second.nodes.unchanged, second.edges.unchanged) == (g.number_of_nodes(), total_edges)
    assert second.transactions == 0
    assert "unchanged" in second.summary() and "nothing written" in second.summary()
    # without the metadata's shortcut, the per-record hashes reach the same verdict
    fresh.query("MATCH (m:InnographMeta) SET m.version = 'something else'")
    third = fresh.sync(g)
    assert not third.changed and third.mode != "unchanged (fast path)"
    assert (third.nodes.unchanged, third.edges.unchanged) == (g.number_of_nodes(), total_edges)


def test_batched_sync_finds_endpoints_by_one_scan(fresh: Database, data_graph: nx.MultiDiGraph,
                                                  monkeypatch: pytest.MonkeyPatch):
    import graph.neo4j_sync as sync

    monkeypatch.setattr(sync, "SCAN_FOR_ENDPOINTS", 0)  # as a large fresh sync does
    report = fresh.sync(data_graph, batch_size=50)
    assert report.mode == "batched" and report.transactions > 3
    assert fresh.relationship_counts() == expected_relationships(data_graph)
    assert not fresh.sync(data_graph).changed


def test_batched_sync_into_an_empty_database_builds_indexes_after_the_nodes(
        fresh: Database, data_graph: nx.MultiDiGraph):
    fresh.drop_schema()
    report = fresh.sync(data_graph, batch_size=50, workers=3)
    assert report.mode == "batched" and "indexes after the nodes" in report.phases
    names = schema_object_names()
    objects = fresh.schema_objects()
    for name in [*names["constraints"], *names["indexes"]]:
        assert objects.get(name) == "ONLINE", name
    assert fresh.value("MATCH (n:Entity) RETURN count(n)") == data_graph.number_of_nodes()
    assert fresh.relationship_counts() == expected_relationships(data_graph)
    again = fresh.sync(data_graph, batch_size=50)
    assert not again.changed and "indexes after the nodes" not in again.phases


def stored_records(db: Database) -> tuple[dict, dict]:
    """Every entity's and relationship's labels or type and properties, with their Neo4j
    value types."""
    nodes = {r["id"]: r["v"] for r in db.query(
        "MATCH (n:Entity) RETURN n.id AS id, [labels(n), properties(n), "
        "[k IN keys(n) | valueType(n[k])]] AS v")}
    rels = {(r["a"], r["t"], r["b"]): r["v"] for r in db.query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, "
        "[properties(r), [k IN keys(r) | valueType(r[k])]] AS v")}
    return nodes, rels


@pytest.mark.slow
def test_batched_parallel_sync_stores_what_one_transaction_stores(
        fresh: Database, data_graph: nx.MultiDiGraph):
    fresh.sync(data_graph, centrality=False)  # one transaction, property maps
    one_transaction = stored_records(fresh)
    fresh.clear()
    fresh.drop_schema()
    report = fresh.sync(data_graph, centrality=False, batch_size=40, workers=2)
    assert report.mode == "batched"  # columns rows, parallel batches, indexes afterwards
    nodes, rels = stored_records(fresh)
    assert len(nodes) == data_graph.number_of_nodes() and len(rels) == len(one_transaction[1])
    assert (nodes, rels) == one_transaction


def test_a_property_outside_the_schema_is_refused_not_dropped(
        fresh: Database, data_graph: nx.MultiDiGraph):
    g = data_graph.copy()
    u, v, rel = next(iter(g.edges(keys=True)))
    g.edges[u, v, rel]["bogus"] = 1  # only code, not the loaders, could put it there
    g.graph["version"] = "with a bogus property"
    with pytest.raises(SyncError, match=f"{rel} edge '{u}' -> '{v}' has properties the schema "
                                        "does not declare: bogus"):
        fresh.sync(g, batch_size=40, centrality=False)


def test_a_constraint_that_fails_after_the_nodes_is_reported_and_resumable(
        fresh: Database, data_graph: nx.MultiDiGraph):
    fresh.drop_schema()
    fund = conflicting_fund(fresh, data_graph)  # not an :Entity: only Fund.id can object
    with pytest.raises(SyncError) as failure:
        fresh.sync(data_graph, batch_size=50)
    message = str(failure.value)
    assert "indexes after the nodes failed" in message and "fund_id" in message
    assert "partially updated" in message
    assert fresh.value("MATCH (m:InnographMeta) RETURN m.status") == "incomplete"
    fresh.query("MATCH (n:Fund {id: $id}) WHERE NOT n:Entity DELETE n", id=fund)
    resumed = fresh.sync(data_graph, batch_size=50)
    # the nodes were committed before the failure, the relationships come now
    assert resumed.nodes.unchanged == data_graph.number_of_nodes() and not resumed.nodes.created
    assert fresh.relationship_counts() == expected_relationships(data_graph)
    assert fresh.schema_objects().get("fund_id") == "ONLINE"
    assert fresh.value("MATCH (m:InnographMeta) RETURN m.status") == "complete"


def test_changed_record_is_updated_in_place(fresh: Database, data_graph: nx.MultiDiGraph):
    g = data_graph.copy()
    fresh.sync(g)
    node = next(n for n, a in g.nodes(data=True) if a["kind"] == "Fund")
    element_id = fresh.value("MATCH (n:Entity {id: $id}) RETURN elementId(n)", id=node)
    g.nodes[node]["name_en"] = "Renamed fund"
    u, v, rel = next(iter(g.edges(keys=True)))
    g.edges[u, v, rel]["note_en"] = "a changed note"
    stamp_version(g)
    report = fresh.sync(g)
    assert (report.nodes.updated, report.nodes.created, report.nodes.deleted) == (1, 0, 0)
    assert (report.edges.updated, report.edges.created) == (1, 0)
    row = fresh.query("MATCH (n:Entity {id: $id}) RETURN n.name_en AS name, elementId(n) AS e, "
                      "n.pagerank AS pr", id=node)[0]
    assert row["name"] == "Renamed fund" and row["e"] == element_id and row["pr"] is not None
    assert fresh.value(f"MATCH (:Entity {{id: $u}})-[r:`{rel}`]->(:Entity {{id: $v}}) "
                       "RETURN r.note_en", u=u, v=v) == "a changed note"


def test_replace_removes_a_deleted_node_and_edge(fresh: Database, data_graph: nx.MultiDiGraph):
    fresh.sync(data_graph)
    node, edge = leaf_and_edge(data_graph)
    smaller = copy_without(data_graph, node, edge)
    report = fresh.sync(smaller, replace=True)
    assert report.nodes.deleted == 1 and report.edges.deleted >= 2
    assert fresh.value("MATCH (n:Entity {id: $id}) RETURN count(n)", id=node) == 0
    assert fresh.value(f"MATCH (:Entity {{id: $u}})-[r:`{edge[1]}`]->(:Entity {{id: $v}}) "
                       "RETURN count(r)", u=edge[0], v=edge[2]) == 0
    assert fresh.value("MATCH (n:Entity) RETURN count(n)") == smaller.number_of_nodes()
    assert fresh.relationship_counts() == expected_relationships(smaller)


def test_additive_sync_keeps_what_the_data_dropped(fresh: Database,
                                                   data_graph: nx.MultiDiGraph):
    fresh.sync(data_graph)
    node, edge = leaf_and_edge(data_graph)
    report = fresh.sync(copy_without(data_graph, node, edge))
    assert report.nodes.deleted == report.edges.deleted == 0
    assert not report.changed
    assert fresh.value("MATCH (n:Entity {id: $id}) RETURN count(n)", id=node) == 1
    assert fresh.value(f"MATCH (:Entity {{id: $u}})-[r:`{edge[1]}`]->(:Entity {{id: $v}}) "
                       "RETURN count(r)", u=edge[0], v=edge[2]) == 1
    assert fresh.value("MATCH (n:Entity) RETURN count(n)") == data_graph.number_of_nodes()


# -- centrality write-back --------------------------------------------------------------------

def test_centrality_written_and_ordered_like_the_service(db: Database,
                                                         data_graph: nx.MultiDiGraph):
    g = data_graph
    db.sync(g, replace=True)
    scores = compute_all(g)
    missing = db.value("MATCH (n:Entity) WHERE any(p IN $props WHERE n[p] IS NULL) "
                       "RETURN count(n)", props=list(CENTRALITY_PROPERTIES))
    assert missing == 0
    expected = sorted(g.nodes, key=lambda n: (-scores["pagerank"][n], n))[:15]
    found = [r["id"] for r in db.query("MATCH (n:Entity) RETURN n.id AS id "
                                       "ORDER BY n.pagerank DESC, n.id LIMIT 15")]
    assert found == expected
    degrees = {r["id"]: (r["d"], r["i"], r["o"]) for r in db.query(
        "MATCH (n:Entity) RETURN n.id AS id, n.degree AS d, n.in_degree AS i, "
        "n.out_degree AS o")}
    assert degrees == {n: (g.degree(n), g.in_degree(n), g.out_degree(n)) for n in g}
    assert db.value("MATCH (n:Entity) RETURN collect(DISTINCT n.centrality_version)") == [
        g.graph["version"]]
    methods = db.value("MATCH (m:InnographMeta {key: $k}) RETURN m.centrality_methods",
                       k=META_KEY)
    assert '"pagerank"' in methods


def test_no_centrality_leaves_scores_out(fresh: Database, data_graph: nx.MultiDiGraph):
    report = fresh.sync(data_graph, centrality=False)
    assert report.centrality_written == 0
    assert fresh.value("MATCH (n:Entity) WHERE n.pagerank IS NOT NULL RETURN count(n)") == 0


# -- failures ---------------------------------------------------------------------------------

def conflicting_fund(db: Database, g: nx.MultiDiGraph) -> str:
    """A bare (:Fund) with the id of a graph fund: the Fund id constraint rejects the sync's
    CREATE of that fund (the node is not an :Entity, so the sync does not see it as its own)."""
    fund = sorted(n for n, a in g.nodes(data=True) if a["kind"] == "Fund")[0]
    db.query("CREATE (:Fund {id: $id, note: 'in the way'})", id=fund)
    return fund


def test_constraint_violation_in_one_transaction_leaves_db_as_before(
        fresh: Database, data_graph: nx.MultiDiGraph):
    fund = conflicting_fund(fresh, data_graph)
    with pytest.raises(SyncError) as failure:
        fresh.sync(data_graph)
    message = str(failure.value)
    assert "constraint violation" in message and repr(fund) in message
    assert "the database is as it was" in message
    assert fresh.value("MATCH (n) RETURN count(n)") == 1  # only the conflicting node
    assert fresh.value("MATCH ()-[r]->() RETURN count(r)") == 0


@pytest.mark.slow
def test_constraint_violation_mid_batch_is_resumable(fresh: Database,
                                                     data_graph: nx.MultiDiGraph):
    g = data_graph
    fund = conflicting_fund(fresh, g)
    with pytest.raises(SyncError) as failure:
        fresh.sync(g, batch_size=20)
    message = str(failure.value)
    assert repr(fund) in message and "partially updated" in message
    assert "run the sync again: it resumes" in message
    written = fresh.value("MATCH (n:Entity) RETURN count(n)")
    assert 0 < written < g.number_of_nodes()
    assert fresh.value("MATCH (m:InnographMeta) RETURN m.status") == "incomplete"
    fresh.query("MATCH (n:Fund {id: $id}) WHERE NOT n:Entity DELETE n", id=fund)
    resumed = fresh.sync(g, batch_size=20)
    assert resumed.nodes.unchanged == written
    assert resumed.nodes.created == g.number_of_nodes() - written
    assert fresh.value("MATCH (n:Entity) RETURN count(n)") == g.number_of_nodes()
    assert fresh.relationship_counts() == expected_relationships(g)
    assert fresh.value("MATCH (m:InnographMeta) RETURN m.status") == "complete"


def test_lost_edges_fail_loudly():
    before = DbSummary(10, 10, 0, {"FUNDS": 4}, 4, 0, {})
    after = DbSummary(10, 10, 0, {"FUNDS": 3}, 3, 0, {})
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(10))
    with pytest.raises(SyncError, match="FUNDS: the graph has 4, Neo4j has 3"):
        _verify(g, before, after, Tally(), _counts(), _counts(), Counter({"FUNDS": 4}), False)
    with pytest.raises(SyncError, match="planned 2 new nodes, Neo4j created 0"):
        _verify(g, before, before, Tally(), _counts(created=2), _counts(),
                Counter({"FUNDS": 4}), False)


def test_a_failed_check_in_one_transaction_is_rolled_back(
        fresh: Database, data_graph: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch):
    import graph.neo4j_sync as sync

    def lost_an_edge(*args: object) -> None:
        raise SyncError("the sync did not check out: FUNDS: the graph has 1, Neo4j has 0")

    monkeypatch.setattr(sync, "_verify", lost_an_edge)
    with pytest.raises(SyncError, match=r"FUNDS: the graph has 1.*the database is as it was"):
        fresh.sync(data_graph)
    assert fresh.value("MATCH (n) RETURN count(n)") == 0


def _counts(**values: int):
    from graph.neo4j_sync import Counts

    return Counts(**values)


def test_server_down_is_a_clear_error(data_graph: nx.MultiDiGraph,
                                      capsys: pytest.CaptureFixture[str]):
    uri = f"bolt://127.0.0.1:{neo4j_server.free_port()}"
    with GraphDatabase.driver(uri, connection_timeout=2) as driver, \
            pytest.raises(ServiceUnavailable):
        sync_graph(data_graph, driver, centrality=for_sync, progress=False)
    code, _, err = run_cli("sync", "--uri", uri, capsys=capsys)
    assert code == 1
    assert f"cannot reach Neo4j at {uri}" in err


def test_wrong_database_is_a_clear_error(db: Database, capsys: pytest.CaptureFixture[str]):
    code, _, err = run_cli("sync", *uri_args(db.target), "--database", "nosuchdb",
                           "--no-centrality", capsys=capsys)
    assert code == 1
    assert "database 'nosuchdb' does not exist" in err


def test_cli_sync_exit_codes_and_report(db: Database, data_graph: nx.MultiDiGraph,
                                        capsys: pytest.CaptureFixture[str]):
    db.sync(data_graph, replace=True)
    code, out, _ = run_cli("sync", *uri_args(db.target), capsys=capsys)
    assert code == 0
    assert f"{data_graph.number_of_nodes()} unchanged" in out and "nothing written" in out
    code, _, err = run_cli("sync", *uri_args(db.target), "--batch-size", "0", capsys=capsys)
    assert code == 1 and "--batch-size" in err
    with pytest.raises(SystemExit) as usage:
        main(["sync", "--no-such-flag"])
    assert usage.value.code == 2


# -- bulk path and an auth-enabled server -----------------------------------------------------

PASSWORD = "innograph-test-pw"


@pytest.fixture(scope="module")
def bulk_server(tmp_path_factory: pytest.TempPathFactory, data_graph: nx.MultiDiGraph
                ) -> Iterator[tuple[neo4j_server.Neo4jServer, object]]:
    """A second, auth-enabled server whose database was filled by the bulk path."""
    home = tmp_path_factory.mktemp("bulk") / "home"
    report = bulk_import(data_graph, home)
    server = start_test_server(home, password=PASSWORD)
    try:
        yield server, report
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.slow
def test_bulk_import_equals_online_sync(bulk_server, db: Database,
                                        data_graph: nx.MultiDiGraph):
    server, report = bulk_server
    g = data_graph
    assert report.nodes == g.number_of_nodes()
    db.sync(g, replace=True)
    with GraphDatabase.driver(server.bolt_uri, auth=("neo4j", PASSWORD)) as driver:
        first = sync_graph(g, driver, centrality=for_sync,
                           progress=False)  # schema + centrality; data unchanged
        assert not first.changed and first.mode == "unchanged (fast path)"
        query_nodes = ("MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels, "
                       "properties(n) AS p")
        query_rels = ("MATCH (a)-[r]->(b) RETURN a.id + ' ' + type(r) + ' ' + b.id AS k, "
                      "properties(r) AS p")
        bulk_nodes = {r["id"]: (sorted(r["labels"]), _data(r["p"]))
                      for r in driver.execute_query(query_nodes).records}
        bulk_rels = {r["k"]: r["p"] for r in driver.execute_query(query_rels).records}
    online_nodes = {r["id"]: (sorted(r["labels"]), _data(r["p"])) for r in db.query(query_nodes)}
    online_rels = {r["k"]: r["p"] for r in db.query(query_rels)}
    assert bulk_nodes == online_nodes
    assert bulk_rels == online_rels


def _data(props: dict) -> dict:
    """Node properties without the centrality scores (floats may differ in the last bit
    between two computations)."""
    return {k: v for k, v in props.items() if k not in CENTRALITY_PROPERTIES}


@pytest.mark.slow
def test_wrong_password_is_a_clear_error(bulk_server, capsys: pytest.CaptureFixture[str]):
    server, _ = bulk_server
    code, _, err = run_cli("sync", "--uri", server.bolt_uri, "--password", "not-the-password",
                           "--no-centrality", capsys=capsys)
    assert code == 1
    assert f"Neo4j at {server.bolt_uri} refused the credentials of user 'neo4j'" in err


@pytest.mark.slow
def test_bulk_refuses_a_running_or_filled_home(bulk_server, data_graph: nx.MultiDiGraph,
                                               tmp_path: Path):
    server, _ = bulk_server
    with pytest.raises(BulkImportError, match="is running"):
        bulk_import(data_graph, server.home)
    filled = tmp_path / "filled"
    (filled / "data" / "databases" / "neo4j").mkdir(parents=True)
    (filled / "data" / "databases" / "neo4j" / "neostore").touch()
    with pytest.raises(BulkImportError, match="already exists"):
        bulk_import(data_graph, filled)
