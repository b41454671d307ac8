"""What a backing request reads from Neo4j. A fund asked by id (what links and the explorer
send) is read once per generation, with no look-up of the id: its backing graph is kept, and
so is the answer, so asked again it costs no statement beyond the sync state. A name is looked
up first, as everywhere (its answer is kept by the name too). The answers themselves are
compared with the embedded store's in tests/test_neo4j_parity.py.
"""

from __future__ import annotations

import pytest

from queries.errors import InvalidQuery, NodeNotFound
from queries.stores import cypher

LOOK_UPS = {cypher.node_by_id(dated) for dated in (False, True)} | {
    cypher.nodes_by_name(dated) for dated in (False, True)}

pytestmark = pytest.mark.neo4j



@pytest.mark.parametrize("as_of", [None, 2025])
def test_a_fund_by_id_is_read_without_a_look_up_and_once(neo4j_backend, backend, store_reads,
                                                         as_of):
    answer = neo4j_backend.backing(fund="changxing-fund", as_of=as_of)
    assert store_reads and not LOOK_UPS & set(store_reads)
    assert answer == backend.backing(fund="changxing-fund", as_of=as_of)
    store_reads.clear()
    assert neo4j_backend.backing(fund="changxing-fund", as_of=as_of) == answer
    assert store_reads == []


def test_a_lab_by_id_in_the_funds_graph_is_not_looked_up(neo4j_backend, backend, store_reads):
    answer = neo4j_backend.backing(fund="changxing-fund", lab="jiguang-lab")
    assert answer["pairs"] and not LOOK_UPS & set(store_reads)
    assert answer == backend.backing(fund="changxing-fund", lab="jiguang-lab")


def test_a_fund_by_name_is_looked_up_then_read(neo4j_backend, store_reads):
    by_id = neo4j_backend.backing(fund="changxing-fund", max_length=3)
    store_reads.clear()
    assert neo4j_backend.backing(fund="长兴基金", max_length=3) == by_id
    assert LOOK_UPS & set(store_reads)
    store_reads.clear()  # the answer is kept by the name it was asked by: no read
    assert neo4j_backend.backing(fund="长兴基金", max_length=3) == by_id
    assert store_reads == []
    # the name's empty read was not kept: another answer looks it up and reads again
    neo4j_backend.backing(fund="长兴基金", max_length=3, limit=5)
    assert cypher.funds() in store_reads and LOOK_UPS & set(store_reads)


def test_what_is_not_a_fund_is_still_refused(neo4j_backend, backend):
    for store in (neo4j_backend, backend):
        with pytest.raises(InvalidQuery, match="not a Fund"):
            store.backing(fund="jiguang-lab")
        with pytest.raises(NodeNotFound):
            store.backing(fund="no-such-fund")
        with pytest.raises(InvalidQuery, match="not a Lab"):
            store.backing(fund="changxing-fund", lab="changxing-fund")
