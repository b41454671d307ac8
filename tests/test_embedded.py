"""graph.embedded's fast builders write networkx's internal dicts: the graph they make must be
the one networkx's public API makes, so a networkx release that changes its layout fails here."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.embedded import (
    add_edge_record,
    add_node_record,
    edge_attributes,
    new_graph,
    node_attributes,
    put_edges,
    put_node,
    put_nodes,
)
from graph.records import EdgeRecord, NodeRecord, Provenance

P = (Provenance("a.md", "quoted"),)
NODES = [
    NodeRecord("n1", "institution", "university", "清华大学", "Tsinghua", P, ("THU",),
               {"founded": 1911}),
    NodeRecord("n2", "company", "startup", "公司", "Co", P),
    NodeRecord("n1", "company", "other", "重复", "Duplicate", ()),  # duplicate id: ignored
]
EDGES = [
    EdgeRecord("n1", "founded", "n2", P, {"year": 2001}),
    EdgeRecord("n1", "invested_in", "n2", P),  # second key between the same pair
    EdgeRecord("n2", "located_in", "ghost", P),  # ghost is not a node: added bare
    EdgeRecord("orphan", "cites", "n1", P),  # orphan too, as the source
    EdgeRecord("n1", "founded", "n2", (), {"year": 1999}),  # duplicate (from, rel, to): ignored
]


def _public_graph() -> nx.MultiDiGraph:
    """The same records through networkx's public API, first record winning like the loaders."""
    g = new_graph()
    for n in NODES:
        if n.id not in g:
            g.add_node(n.id, kind=n.kind, subtype=n.subtype, name_zh=n.name_zh,
                       name_en=n.name_en, aliases=list(n.aliases),
                       provenance=[p.to_dict() for p in n.provenance], **n.properties)
    for e in EDGES:
        if not g.has_edge(e.source_id, e.target_id, key=e.relation):
            g.add_edge(e.source_id, e.target_id, key=e.relation, rel=e.relation,
                       provenance=[p.to_dict() for p in e.provenance], **e.properties)
    return g


def _fast_graph() -> nx.MultiDiGraph:
    g = new_graph()
    added = [add_node_record(g, n) for n in NODES] + [add_edge_record(g, e) for e in EDGES]
    assert added == [True, True, False, True, True, True, True, False]
    return g


def test_fast_builders_make_the_graph_the_public_api_makes() -> None:
    fast, public = _fast_graph(), _public_graph()
    assert nx.utils.graphs_equal(fast, public)
    # Same attributes, and same order (iteration order reaches query results).
    assert list(fast.nodes(data=True)) == list(public.nodes(data=True))
    assert fast.nodes["ghost"] == {} and fast.nodes["orphan"] == {}
    assert list(fast.edges(keys=True, data=True)) == list(public.edges(keys=True, data=True))
    assert fast.edges["n1", "n2", "founded"] == {"rel": "founded", "year": 2001,
                                                "provenance": [P[0].to_dict()]}
    # Every view networkx builds on its dicts: predecessors must be filled in too.
    for view in ("adj", "succ", "pred"):
        assert dict(getattr(fast, view)) == dict(getattr(public, view)), view
    assert list(fast.in_edges(keys=True, data=True)) == list(public.in_edges(keys=True,
                                                                              data=True))
    assert list(fast.out_edges(keys=True, data=True)) == list(public.out_edges(keys=True,
                                                                               data=True))
    assert dict(fast.in_degree()) == dict(public.in_degree())
    assert sorted(fast.predecessors("n2")) == sorted(public.predecessors("n2")) == ["n1"]
    assert fast.number_of_edges() == public.number_of_edges() == 4


def _bulk_graph() -> nx.MultiDiGraph:
    """The same records through the bulk builders (rows of clean records: no duplicates, no
    edge to a missing node; those are the loaders' to refuse)."""
    g = new_graph()
    assert put_nodes(g, [(n.id, node_attributes(n)) for n in NODES[:2]])
    for node_id in ("ghost", "orphan"):
        put_node(g, node_id, {})
    assert put_edges(g, [(e.source_id, e.target_id, e.relation, edge_attributes(e))
                         for e in EDGES[:4]])
    return g


def test_bulk_builders_make_the_graph_the_public_api_makes() -> None:
    bulk, public = _bulk_graph(), _public_graph()
    assert list(bulk.nodes(data=True)) == list(public.nodes(data=True))
    for view in ("succ", "pred"):
        assert dict(getattr(bulk, view)) == dict(getattr(public, view)), view
    assert list(bulk.in_edges(keys=True, data=True)) == list(public.in_edges(keys=True,
                                                                             data=True))
    assert list(bulk.edges(keys=True, data=True)) == list(public.edges(keys=True, data=True))
    # A taken id or an existing edge stops them, the rows after it not added.
    assert not put_nodes(bulk, [("n3", {}), ("n1", {}), ("n4", {})])
    assert "n3" in bulk and "n4" not in bulk
    assert not put_edges(bulk, [("n2", "n3", "x", {}), ("n1", "n2", "founded", {}),
                                ("n3", "n2", "y", {})])
    assert bulk.has_edge("n2", "n3", "x") and not bulk.has_edge("n3", "n2", "y")
    assert bulk.edges["n1", "n2", "founded"]["year"] == 2001  # not overwritten


def test_one_key_dict_is_shared_by_both_ends_as_networkx_shares_it() -> None:
    for g in (_fast_graph(), _public_graph(), _bulk_graph()):
        for u, targets in g._succ.items():
            for v, keys in targets.items():
                assert g._pred[v][u] is keys, (u, v)
        # Changing an edge from one end shows at the other, as for add_edge's graphs.
        g.succ["n1"]["n2"]["founded"]["year"] = 2002
        assert g.pred["n2"]["n1"]["founded"]["year"] == 2002


def test_fast_builders_drop_networkx_cached_conversions_like_the_public_api() -> None:
    fast, public = new_graph(), new_graph()
    if not hasattr(public, "__networkx_cache__"):
        pytest.skip("networkx < 3.3 caches nothing on the graph")
    for g in (fast, public):
        # networkx >= 3.3 caches converted graphs here and clears the cache on every change.
        g.__networkx_cache__ = {"stale": object()}
    public.add_nodes_from(["n1", "n2"])
    add_node_record(fast, NODES[0])
    assert public.__networkx_cache__ == fast.__networkx_cache__ == {}
    add_node_record(fast, NODES[1])
    for g in (fast, public):
        g.__networkx_cache__ = {"stale": object()}
    public.add_edge("n1", "n2", key="founded")  # between existing nodes: no node is added
    add_edge_record(fast, EDGES[0])
    assert public.__networkx_cache__ == fast.__networkx_cache__ == {}


def _graph_of(nodes: list[NodeRecord], edges: list[EdgeRecord]) -> nx.MultiDiGraph:
    g = new_graph()
    for record in nodes:
        add_node_record(g, record)
    for record in edges:
        add_edge_record(g, record)
    return g


def test_the_version_does_not_depend_on_load_order() -> None:
    from graph.embedded import stamp_version

    edges = EDGES[:4]  # not the duplicate: which of two duplicates wins depends on order
    version = stamp_version(_graph_of(NODES[:2], edges))
    reordered = _graph_of(NODES[1::-1], edges[::-1])
    assert list(reordered) != list(_graph_of(NODES[:2], edges))  # really another order
    assert stamp_version(reordered) == version
    # The same attributes set in another order are the same item.
    attrs = reordered.nodes["n1"]
    backwards = dict(reversed(attrs.items()))
    attrs.clear()
    attrs.update(backwards)
    assert stamp_version(reordered) == version


def test_the_version_is_the_documented_canonical_json_not_marshal() -> None:
    """Computed here from the documented encoding with json and hashlib alone: sorted-key
    JSON of ["node", id, attributes] and ["edge", from, relation, to, attributes], a 16-byte
    BLAKE2b of each, their sum mod 2**128, and a 12-byte BLAKE2b of that sum."""
    import hashlib
    import json

    from graph.embedded import iter_edges, stamp_version

    g = _graph_of(NODES[:2], EDGES[:4])
    total = 0
    items = [["node", n, a] for n, a in g.nodes(data=True)]
    items += [["edge", u, k, v, a] for u, v, k, a in iter_edges(g)]
    for item in items:
        text = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        total += int.from_bytes(hashlib.blake2b(text.encode(), digest_size=16).digest(), "big")
    expected = hashlib.blake2b((total % (1 << 128)).to_bytes(16, "big"), digest_size=12)
    assert stamp_version(g) == expected.hexdigest()
    g.nodes["n2"]["name_en"] = "Co."
    assert stamp_version(g) != expected.hexdigest()
