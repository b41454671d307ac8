"""Backing over Neo4j reads the backing subgraph (``Neo4jStore.backing_subgraph``), never the
whole-graph snapshot, and answers as the embedded store does on the whole graph: all pairs,
per fund, per lab, each ``max_length``, as of a year, and for endpoints no chain reaches."""

from __future__ import annotations

import pytest
from neo4j_generated_fixtures import sample

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def test_backing_reads_a_small_subgraph_and_no_snapshot(generated, backends):
    embedded, neo4j = backends
    neo4j.store._kept.clear()
    for max_length in (1, 2, 3, 4):
        assert neo4j.backing(max_length=max_length, limit=500) == embedded.backing(
            max_length=max_length, limit=500)
    kept = neo4j.store._kept.keys()
    assert not any("snapshot" in key for key in kept)
    whole = neo4j.store.backing_subgraph(None, 4)
    funds = {n for n, kind in generated.nodes(data="kind") if kind == "Fund"}
    assert funds <= set(whole)
    assert set(whole) < set(generated)  # only what chains may use
    for u, v, rel in whole.edges(keys=True):  # real edges, same attributes
        assert whole.edges[u, v, rel] == generated.edges[u, v, rel]


def outcome(backend, **kwargs):
    try:
        return backend.backing(**kwargs)
    except Exception as exc:  # compared across stores
        return type(exc), str(exc)


def test_backing_per_fund_lab_and_year_alike(generated, backends):
    embedded, neo4j = backends
    years = sorted(set(embedded.store.source_years().values()))
    answered = 0
    for as_of in (None, *years):
        for fund in sample(generated, 6, 8, "Fund"):
            for max_length in (2, 4):
                expected = outcome(embedded, fund=fund, max_length=max_length, as_of=as_of)
                assert outcome(neo4j, fund=fund, max_length=max_length, as_of=as_of) == expected
                answered += isinstance(expected, dict) and expected["total_pairs"] > 0
        for lab in sample(generated, 6, 9, "Lab"):
            assert outcome(neo4j, lab=lab, as_of=as_of) == outcome(embedded, lab=lab, as_of=as_of)
    assert answered > 0
    # a lab given as the fund, a fund as the lab, a lab no chain reaches: alike
    fund, lab = sample(generated, 1, 1, "Fund")[0], sample(generated, 1, 1, "Lab")[0]
    for kwargs in ({"fund": lab}, {"lab": fund}, {"fund": fund, "lab": lab, "max_length": 1}):
        assert outcome(neo4j, **kwargs) == outcome(embedded, **kwargs)
