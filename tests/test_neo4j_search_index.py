"""Search over Neo4j finds its candidates through the TEXT index on ``search_names`` (a scan
of every node took 2.4 s at 100k nodes), and ranks them by name as the embedded store does."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph.neo4j_rows import SEARCH_NAMES, search_names
from queries.stores import cypher

pytestmark = pytest.mark.neo4j


def operators(plan) -> list[tuple[str, str]]:
    """Every operator of a plan tree: (name, details)."""
    found = [(plan.get("operatorType", ""), str(plan.get("args", {}).get("Details", "")))]
    for child in plan.get("children", []):
        found += operators(child)
    return found


@pytest.mark.parametrize("as_of", [False, True])
@pytest.mark.parametrize("kinds", [None, ["Company", "Lab"]])
@pytest.mark.parametrize("several", [False, True])  # a text, or it and its simplified form
def test_search_reads_the_text_index(neo4j_with_data, neo4j_driver: Driver, as_of, kinds,
                                     several):
    phrases = [{"phrase": "長春 光", "terms": ["長春", "光"]},
               {"phrase": "长春 光", "terms": ["长春", "光"]}]
    given = {"phrases": phrases} if several else {"q": "长春 光", "terms": ["长春", "光"]}
    with neo4j_driver.session(database=neo4j_with_data.database) as session:
        summary = session.run("EXPLAIN " + cypher.search(True, as_of, several), **given,
                              kinds=kinds, offset=0, limit=20, as_of=2022).consume()
    used = operators(summary.plan)
    assert any(name.startswith("NodeIndexContainsScan") and SEARCH_NAMES in details
               for name, details in used), used
    assert not any(name.startswith(("AllNodesScan", "NodeByLabelScan")) for name, _ in used)


def test_every_node_stores_its_search_names(neo4j_with_data, neo4j_driver: Driver, data_graph):
    with neo4j_driver.session(database=neo4j_with_data.database) as session:
        stored = {r["id"]: r["names"] for r in session.run(
            f"MATCH (n:Entity) RETURN n.id AS id, n.{SEARCH_NAMES} AS names")}
    assert stored == {node_id: search_names(node_id, attrs)
                      for node_id, attrs in data_graph.nodes(data=True)}


def test_search_names_hold_every_name_lower_cased():
    text = search_names("cgstl", {"name_zh": "长光卫星", "name_en": "Chang Guang Satellite",
                                  "aliases": ["CGSTL", "长光卫星技术股份有限公司"]})
    assert text.split("\t") == ["cgstl", "长光卫星", "chang guang satellite", "cgstl",
                                "长光卫星技术股份有限公司"]
