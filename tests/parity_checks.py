"""Checking a query answer against the graph, and an embedded answer against a Neo4j one.

Most answers must be equal as JSON. Three kinds may differ in order only, by design
(queries/neo4j_backend.py): name-search ties (embedded: load order; Neo4j: id), the choice
among equally long paths when more exist than asked for, and centrality scores recomputed in
another process (floating-point noise, and so the order of near-ties). These helpers check
everything else exactly and those parts against the graph itself.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from typing import Any

import networkx as nx
import pytest

from queries.centrality import centrality_scores
from queries.views import node_summaries, path_view

Json = dict[str, Any]
SCORE = {"rel": 1e-9, "abs": 1e-12}


@cache
def _t2s():  # type: ignore[no-untyped-def]
    from opencc import OpenCC  # the library itself, not graph.chinese's fast path

    return OpenCC("t2s")


def phrases(text: str) -> list[str]:
    """What a search looks for: the text casefolded with runs of spaces as one, and its
    simplified Chinese form."""
    wanted = " ".join(text.casefold().split())
    return list(dict.fromkeys([wanted, _t2s().convert(wanted)])) if wanted else []


def _names(g: nx.MultiDiGraph, node_id: str) -> list[str]:
    a = g.nodes[node_id]
    return [s.casefold() for s in (node_id, a["name_zh"], a["name_en"], *a["aliases"])]


def _class(names: list[str], phrase: str) -> int | None:
    if phrase in names:
        return 0
    if any(n.startswith(phrase) for n in names):
        return 1
    if any(phrase in n for n in names):
        return 2
    words = phrase.split()
    if len(words) > 1 and all(any(w in n for n in names) for w in words):
        return 3
    return None


def search_rank(g: nx.MultiDiGraph, node_id: str, text: str) -> int:
    """0 exact, 1 prefix, 2 partial, 3 every word in some name: the best match class of
    ``node_id`` for ``text`` or its simplified form."""
    found = [c for p in phrases(text) if (c := _class(_names(g, node_id), p)) is not None]
    assert found, f"{node_id} does not match {text!r}"
    return min(found)


def ids_named(g: nx.MultiDiGraph, text: str) -> list[str]:
    """The ids ``text`` names: an id, else every node with it (or its simplified form) as
    zh/en name or alias (any case, surrounding spaces ignored)."""
    text = text.strip()
    if text in g:
        return [text]
    return sorted(n for n in g if not set(phrases(text)).isdisjoint(_names(g, n)))


def assert_search_from_graph(g: nx.MultiDiGraph, service: Any, text: str | None,
                             kinds: list[str] | None = None) -> None:
    """The matches the graph has, exact then prefix then partial then by words (all by id
    without text), with pages cut from the whole ranking."""
    wanted = phrases(text or "")
    ids = [n for n, a in g.nodes(data=True) if (kinds is None or a["kind"] in kinds)
           and (not wanted or any(_class(_names(g, n), p) is not None for p in wanted))]
    full = service.search(text, kinds=kinds, limit=100_000)
    got = [item["id"] for item in full["items"]]
    assert full["total"] == len(ids) == len(got)
    assert sorted(got) == sorted(ids)
    if wanted:
        assert got == sorted(ids, key=lambda n: (search_rank(g, n, text), n)), \
            "not ranked exact, prefix, partial, words; then by id"
    else:
        assert got == sorted(ids)
    for offset in (0, 1, 3):
        page = service.search(text, kinds=kinds, limit=2, offset=offset)
        assert page == {**full, "offset": offset, "limit": 2,
                        "items": full["items"][offset:offset + 2]}


def assert_centrality_from_graph(g: nx.MultiDiGraph, answer: Json, measure: str,
                                 kind: str | None, top: int) -> None:
    """The ``top`` nodes (of ``kind``) by the measure's scores on ``g``, ranked 1, 2, ..."""
    scores = centrality_scores(g, measure)
    pool = {n: s for n, s in scores.items() if kind is None or g.nodes[n]["kind"] == kind}
    items = answer["items"]
    assert (answer["measure"], answer["kind"], answer["top"], answer["version"]) == (
        measure, kind, top, g.graph["version"])
    assert answer["count"] == len(pool)
    assert len(items) == min(top, len(pool))
    assert [item["rank"] for item in items] == list(range(1, len(items) + 1))
    for item in items:
        assert item["score"] == pytest.approx(pool[item["id"]], **SCORE), item["id"]
    shown = [item["score"] for item in items]
    assert all(a >= b - SCORE["abs"] for a, b in pairwise(shown))
    if items:  # nothing left out scores above the last shown
        rest = max((s for n, s in pool.items() if n not in {i["id"] for i in items}),
                   default=None)
        assert rest is None or rest <= shown[-1] + max(SCORE["abs"], SCORE["rel"] * rest)


def assert_same_search(g: nx.MultiDiGraph, embedded: Any, neo4j: Any, text: str | None,
                       kinds: list[str] | None = None) -> None:
    """Same total and items; with text, each rank class in id order on Neo4j's side."""
    full_e = embedded.search(text, kinds=kinds, limit=100_000)
    full_n = neo4j.search(text, kinds=kinds, limit=100_000)
    assert full_n["total"] == full_e["total"]
    ids_e = [item["id"] for item in full_e["items"]]
    if text and text.strip():
        ranks = [search_rank(g, n, text) for n in ids_e]
        assert ranks == sorted(ranks), "embedded search is not ranked by match class"
        ids_e = sorted(ids_e, key=lambda n: (search_rank(g, n, text), n))
    assert [item["id"] for item in full_n["items"]] == ids_e
    by_id = {item["id"]: item for item in full_e["items"]}
    assert full_n["items"] == [by_id[n] for n in ids_e]
    for offset in (0, 1, 3):
        page = neo4j.search(text, kinds=kinds, limit=2, offset=offset)
        assert page == {"total": full_e["total"], "offset": offset, "limit": 2,
                        "items": [by_id[n] for n in ids_e[offset:offset + 2]]}


def assert_same_paths(g: nx.MultiDiGraph, embedded: Json, neo4j: Json) -> None:
    """Exactly equal, except which of the longest paths are kept when there were more."""
    assert neo4j.pop("timed_out", False) is False
    embedded = {k: v for k, v in embedded.items() if k != "timed_out"}

    def frame(answer: Json) -> Json:
        return {k: v for k, v in answer.items() if k not in ("paths", "nodes")}

    assert frame(neo4j) == frame(embedded)
    assert [p["length"] for p in neo4j["paths"]] == [p["length"] for p in embedded["paths"]]
    if not embedded["truncated"]:
        assert neo4j["paths"] == embedded["paths"]
        assert neo4j["nodes"] == embedded["nodes"]
        return
    longest = max(p["length"] for p in embedded["paths"])
    assert ([p for p in neo4j["paths"] if p["length"] < longest]
            == [p for p in embedded["paths"] if p["length"] < longest])
    filters = embedded["filters"]
    for path in neo4j["paths"]:
        nodes = path["nodes"]
        assert len(set(nodes)) == len(nodes), f"not a simple path: {nodes}"
        assert nodes[0] == embedded["source"]["id"] and nodes[-1] == embedded["target"]["id"]
        if filters["node_kinds"] is not None:
            assert all(g.nodes[n]["kind"] in filters["node_kinds"] for n in nodes[1:-1])
        # a path of the graph (raises if two consecutive nodes are not joined as allowed),
        # rendered as the embedded backend renders it
        assert path == path_view(g, nodes, filters["relations"], filters["directed"])
    assert neo4j["nodes"] == node_summaries(g, (n for p in neo4j["paths"] for n in p["nodes"]))


def assert_same_centrality(g: nx.MultiDiGraph, embedded: Json, neo4j: Json) -> None:
    """Equal rankings up to floating-point noise: a near-tie may be ordered differently."""
    for key in ("measure", "kind", "top", "version", "method", "count"):
        assert neo4j[key] == embedded[key], key
    assert set(neo4j["distribution"]) == set(embedded["distribution"])
    for key, value in embedded["distribution"].items():
        assert neo4j["distribution"][key] == pytest.approx(value, **SCORE), key
    scores = centrality_scores(g, embedded["measure"])
    assert len(neo4j["items"]) == len(embedded["items"])
    for e, n in zip(embedded["items"], neo4j["items"], strict=True):
        assert n["rank"] == e["rank"]
        assert n["score"] == pytest.approx(e["score"], **SCORE)
        assert n["score"] == pytest.approx(scores[n["id"]], **SCORE)
        if n["id"] == e["id"]:
            assert n == {**e, "score": n["score"]}
        else:  # a different node only where its embedded score ties this rank's
            assert scores[n["id"]] == pytest.approx(e["score"], **SCORE)
