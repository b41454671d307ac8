"""``seen_from`` on stored relationships: the latest ``reported_from`` of a relationship and its
two end nodes, so a path search as of a year checks relationships only (graph/neo4j_rows.py).

Expected values come from the graph's own provenance and source years (``graph.timeline``),
never from the function under test. The Neo4j tests run against the session's server; the
module leaves it holding data/.
"""

from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path

import networkx as nx
import pytest
from neo4j import Driver
from neo4j_fixture import Neo4jTarget
from neo4j_read_fixtures import load_into_neo4j
from parity_checks import assert_same_paths

from graph.embedded import stamp_version
from graph.neo4j_bulk import write_csv
from graph.neo4j_rows import MENTIONS, edge_hash, seen_from
from graph.neo4j_sync import sync_graph
from graph.timeline import reported_in, source_years
from queries.errors import NoAnswer
from queries.stores.cypher import BEFORE_ANY_YEAR

Key = tuple[str, str, str]  # (source id, relation, target id)


def expected_seen_from(g: nx.MultiDiGraph) -> dict[Key, int | None]:
    """Per edge: the latest first-reported year of the edge and its two ends (None: none
    of the three cites a dated source)."""
    years = source_years(g)

    def first(provenance: list[dict[str, str]]) -> int | None:
        span = reported_in(provenance, years)
        return span[0] if span is not None else None

    expected = {}
    for u, v, rel, attrs in g.edges(keys=True, data=True):
        dated = [y for y in (first(attrs["provenance"]), first(g.nodes[u]["provenance"]),
                             first(g.nodes[v]["provenance"])) if y is not None]
        expected[(u, rel, v)] = max(dated) if dated else None
    return expected


def stored_seen_from(driver: Driver, target: Neo4jTarget) -> dict[Key, int | None]:
    records, _, _ = driver.execute_query(
        "MATCH (u:Entity)-[r]->(v:Entity) WHERE type(r) <> $mentions "
        "RETURN u.id AS u, type(r) AS rel, v.id AS v, r.seen_from AS seen",
        {"mentions": MENTIONS}, database_=target.database)
    return {(r["u"], r["rel"], r["v"]): r["seen"] for r in records}


# -- without a server -------------------------------------------------------------------------

def test_seen_from_is_exactly_all_three_seen():
    # coalesce(seen_from, MIN) <= Y  <=>  each of the three is undated or reported by Y
    values = (None, 2018, 2021, 2025)
    for own, u, v in itertools.product(values, repeat=3):
        combined = seen_from(own, (u, v))
        for year in range(2016, 2028):
            all_seen = all(x is None or x <= year for x in (own, u, v))
            as_stored = (BEFORE_ANY_YEAR if combined is None else combined) <= year
            assert as_stored == all_seen, (own, u, v, year)


def test_an_end_nodes_new_year_changes_the_edge_hash(data_graph: nx.MultiDiGraph):
    # the incremental sync rewrites exactly the edges whose hash changed
    u, v, rel, attrs = next(iter(data_graph.edges(keys=True, data=True)))
    years = source_years(data_graph)
    hashes = {edge_hash(u, rel, v, attrs, years, ends)
              for ends in ((None, None), (2020, None), (None, 2020), (2020, 2021), (2021, 2020))}
    assert len(hashes) == 5


def test_bulk_csv_writes_seen_from(data_graph: nx.MultiDiGraph, tmp_path: Path):
    # the offline import stores what the online sync does (compared there, test_neo4j_sync)
    found: dict[Key, int | None] = {}
    for rel, path in write_csv(data_graph, tmp_path).relationship_specs:
        if rel == MENTIONS:
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle)
            header = [column.split(":")[0] for column in next(rows)]
            for row in rows:
                seen = dict(zip(header, row, strict=True)).get("seen_from")
                found[(row[0], rel, row[1])] = int(seen) if seen else None
    assert found == expected_seen_from(data_graph)


# -- against the session's Neo4j --------------------------------------------------------------

@pytest.mark.neo4j
def test_every_stored_edge_of_data_has_its_seen_from(neo4j_with_data: Neo4jTarget,
                                                     neo4j_driver: Driver,
                                                     data_graph: nx.MultiDiGraph):
    expected = expected_seen_from(data_graph)
    assert any(value is not None for value in expected.values())
    assert stored_seen_from(neo4j_driver, neo4j_with_data) == expected


@pytest.mark.neo4j
def test_an_end_reported_later_rewrites_the_edge(neo4j_with_data: Neo4jTarget,
                                                 neo4j_driver: Driver,
                                                 data_graph: nx.MultiDiGraph):
    years = source_years(data_graph)
    latest_file, latest = max(years.items(), key=lambda item: (item[1], item[0]))
    before = expected_seen_from(data_graph)
    # an end node of an edge that was seen before the latest year: it now rests only on the
    # latest source (its first report moves up), so the edge's seen_from must follow
    (u, rel, v) = next(key for key, value in sorted(before.items(), key=lambda kv: kv[0])
                       if value is not None and value < latest
                       and data_graph.nodes[key[2]]["kind"] != "Source")
    g = data_graph.copy()
    g.nodes[v]["provenance"] = [{"source": latest_file,
                                 "quote": g.nodes[v]["provenance"][0]["quote"]}]
    stamp_version(g)
    try:
        report = sync_graph(g, neo4j_driver, database=neo4j_with_data.database, progress=False)
        after = expected_seen_from(g)
        changed = {key for key in after if after[key] != before[key]}
        assert (u, rel, v) in changed and after[(u, rel, v)] == latest
        assert report.edges.updated >= len(changed)
        assert stored_seen_from(neo4j_driver, neo4j_with_data) == after
    finally:
        load_into_neo4j(data_graph, neo4j_driver, neo4j_with_data)


@pytest.mark.neo4j
def test_every_stored_edge_of_a_generated_graph_has_its_seen_from(
        generated: nx.MultiDiGraph, neo4j_driver: Driver, neo4j_target: Neo4jTarget):
    expected = expected_seen_from(generated)
    assert len(set(expected.values())) > 1  # years differ: not one constant
    assert stored_seen_from(neo4j_driver, neo4j_target) == expected


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of", [2019, 2024])
def test_walks_as_of_a_year_on_a_generated_graph_match_the_embedded_graph(
        generated: nx.MultiDiGraph, backends, as_of: int):
    # its edges cite no dated source and its nodes are first reported in 2019 or 2025: as of
    # 2019-2024 only the ends' years (in seen_from) keep a walk off the later nodes
    embedded, neo4j = backends
    years = source_years(generated)
    seen = sorted(n for n, a in generated.nodes(data=True)
                  if (reported_in(a["provenance"], years) or (as_of,))[0] <= as_of)
    assert 0 < len(seen) < generated.number_of_nodes()
    nodes = random.Random(as_of).sample(seen, 16)
    for a, b in zip(nodes[::2], nodes[1::2], strict=True):
        for kwargs in ({}, {"directed": True}, {"mode": "k_shortest", "k": 4, "max_length": 5},
                       {"mode": "all_simple", "max_length": 4, "limit": 10},
                       {"node_kinds": ["Institution", "Company", "Park", "Lab"]}):
            try:
                expected = embedded.paths(a, b, as_of=as_of, **kwargs)
            except NoAnswer as exc:
                with pytest.raises(NoAnswer) as raised:
                    neo4j.paths(a, b, as_of=as_of, **kwargs)
                assert str(raised.value) == str(exc)
                continue
            answer = neo4j.paths(a, b, as_of=as_of, **kwargs)
            if kwargs.get("mode", "shortest") == "shortest":
                assert answer == expected
            else:
                assert_same_paths(generated, expected, answer)
        assert (neo4j.neighbourhood(a, radius=2, as_of=as_of)
                == embedded.neighbourhood(a, radius=2, as_of=as_of))
    for fund in sorted(n for n in seen if generated.nodes[n]["kind"] == "Fund")[:6]:
        assert neo4j.backing(fund=fund, as_of=as_of) == embedded.backing(fund=fund, as_of=as_of)
