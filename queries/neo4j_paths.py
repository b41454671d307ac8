"""Paths and backing chains found with Cypher, rendered like the embedded backend's.

Neo4j finds the node sequences: ``ALL SHORTEST`` quantified path patterns for shortest
paths, fixed-length patterns one length at a time for k-shortest and all simple paths, and
a quantified path pattern generated from ``queries.backing``'s link table for backing
chains. The nodes and edges on the answer are then fetched into a small local graph and
rendered by ``queries.views`` / ``queries.backing``, so hops, alternatives, explanations and
ranking are the embedded backend's own.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection, Iterable
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import networkx as nx

from queries import backing as embedded_backing
from queries.errors import InvalidQuery, NoAnswer
from queries.neo4j_records import local_graph, relation_pattern, stored_relation_kinds
from queries.traverse import Walk
from queries.views import node_summaries, node_summary, path_view

if TYPE_CHECKING:
    from queries.neo4j_backend import Neo4jBackend

Json = dict[str, Any]
DEFAULT_TIMEOUT = 5.0  # seconds a path enumeration may run (includes query planning)
BACKING_TIMEOUT = embedded_backing.DEFAULT_TIMEOUT
FUNDS_PER_STATEMENT = 200
#: The distinct node ids of a path, as a predicate on ``ids`` (a simple path repeats none).
SIMPLE = "all(i IN range(0, size(ids) - 2) WHERE NOT ids[i] IN ids[i + 1..])"


def fetch_subgraph(backend: Neo4jBackend, node_paths: Iterable[list[str]]) -> nx.MultiDiGraph:
    """The nodes on ``node_paths`` and every stored edge (any relation, either direction)
    between two consecutive nodes of a path: what ``queries.views`` needs to render hops."""
    node_paths = list(node_paths)
    ids = list(dict.fromkeys(n for p in node_paths for n in p))
    pairs = sorted({pair for p in node_paths for u, v in pairwise(p) for pair in ((u, v), (v, u))})
    nodes = [r["node"] for r in backend.run(
        "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN n {.*} AS node", ids=ids)]
    edges = [(r["u"], r["v"], r["rel"], r["props"]) for r in backend.run(
        f"UNWIND $pairs AS pair MATCH (u:Entity {{id: pair[0]}})-[r{relation_pattern(None)}]->"
        f"(v:Entity {{id: pair[1]}}) RETURN u.id AS u, v.id AS v, type(r) AS rel, "
        f"properties(r) AS props", pairs=[list(p) for p in pairs])]
    return local_graph(nodes, edges)


class PathSearch:
    """One path question: endpoints and filters, with the three ways to answer it."""

    def __init__(self, backend: Neo4jBackend, a: str, b: str, *,
                 relations: Collection[str] | None, node_kinds: Collection[str] | None,
                 directed: bool, max_length: int):
        for name, value in (("max_length", max_length),):
            if value < 1:
                raise InvalidQuery(name, f"must be at least 1, got {value}")
        self.backend = backend
        self.a, self.b = a, b
        self.relations = relations
        self.node_kinds = node_kinds
        self.directed = directed
        self.max_length = max_length
        # A quantified path pattern: its inline node predicate prunes while Neo4j searches,
        # where a WHERE on the whole path would make it enumerate every path first.
        arrow = "->" if directed else "-"
        where = " WHERE v.kind IN $kinds OR v.id = $b" if node_kinds is not None else ""
        self._step = f"((u)-[r{relation_pattern(relations)}]{arrow}(v){where})"

    def _match(self, selector: str, lengths: str) -> str:
        return (f"MATCH (a:Entity {{id: $a}}), (b:Entity {{id: $b}}) "
                f"MATCH p = {selector} (a) {self._step}{{{lengths}}} (b) ")

    def shortest(self, limit: int) -> Json:
        _check_positive(limit=limit)
        records = self.backend.run(
            self._match("ALL SHORTEST", f"1,{self.max_length}")
            + "WITH DISTINCT [n IN nodes(p) | n.id] AS ids RETURN ids ORDER BY ids LIMIT $cap",
            a=self.a, b=self.b, kinds=self.node_kinds, cap=limit + 1)
        node_paths = [r["ids"] for r in records]
        if not node_paths:
            raise NoAnswer(self._no_path_message())
        return self._answer("shortest", node_paths, limit, {})

    def k_shortest(self, k: int, *, timeout: float) -> Json:
        _check_positive(k=k)
        node_paths, timed_out = self._simple_paths(k + 1, timeout)
        if not node_paths:
            raise NoAnswer(self._no_path_message(timed_out, timeout))
        return self._answer("k_shortest", node_paths, k, {"k": k, "timed_out": timed_out})

    def all_simple(self, limit: int, *, timeout: float) -> Json:
        _check_positive(limit=limit)
        node_paths, timed_out = self._simple_paths(limit + 1, timeout)
        if not node_paths:
            raise NoAnswer(self._no_path_message(timed_out, timeout))
        return self._answer("all_simple", node_paths, limit,
                            {"max_length": self.max_length, "timed_out": timed_out})

    def _simple_paths(self, wanted: int, timeout: float) -> tuple[list[list[str]], bool]:
        """Up to ``wanted`` simple paths, shortest first, one length at a time from the
        distance between the endpoints (the smallest node-id sequences of the last length);
        stops at ``timeout`` seconds."""
        from queries.neo4j_backend import QueryTimedOut

        deadline = time.monotonic() + timeout
        found: list[list[str]] = []
        try:
            shortest = self.backend.run(
                self._match("SHORTEST 1", f"1,{self.max_length}") + "RETURN length(p) AS n",
                timeout=timeout, a=self.a, b=self.b, kinds=self.node_kinds)
        except QueryTimedOut:
            return found, True
        if not shortest:
            return found, False
        for length in range(shortest[0]["n"], self.max_length + 1):
            left = deadline - time.monotonic()
            if left <= 0:
                return found, True
            try:
                records = self.backend.run(
                    self._match("", f"{length}")
                    + f"WITH [n IN nodes(p) | n.id] AS ids WHERE {SIMPLE} "
                    f"WITH DISTINCT ids RETURN ids ORDER BY ids LIMIT $cap",
                    timeout=left, a=self.a, b=self.b, kinds=self.node_kinds,
                    cap=wanted - len(found))
            except QueryTimedOut:
                return found, True
            found += [r["ids"] for r in records]
            if len(found) >= wanted:
                break
        return found, False

    def _answer(self, mode: str, node_paths: list[list[str]], limit: int, extra: Json) -> Json:
        """As ``queries.paths``: the first ``limit`` paths (shortest, then by node ids)."""
        truncated = len(node_paths) > limit
        node_paths = sorted(node_paths[:limit], key=lambda p: (len(p), p))
        g = fetch_subgraph(self.backend, node_paths)
        walk = self._walk(g)
        return {"source": node_summary(g, self.a), "target": node_summary(g, self.b),
                "mode": mode, "filters": walk.describe(), **extra, "count": len(node_paths),
                "truncated": truncated,
                "paths": [path_view(g, p, walk.relations, walk.directed) for p in node_paths],
                "nodes": node_summaries(g, (n for p in node_paths for n in p))}

    def _walk(self, g: nx.MultiDiGraph) -> Walk:
        return Walk.of(g, relations=self.relations, node_kinds=self.node_kinds,
                       directed=self.directed, endpoints=(self.a, self.b))

    def _no_path_message(self, timed_out: bool = False, timeout: float = 0.0) -> str:
        g = fetch_subgraph(self.backend, [[self.a, self.b]])
        names = {n: f"{n} ({g.nodes[n]['name_zh']} / {g.nodes[n]['name_en']})"
                 for n in (self.a, self.b)}
        text = self._walk(g).filter_text()
        if timed_out:
            return (f"no path from {names[self.a]} to {names[self.b]} found within "
                    f"{timeout:g} s ({text}; at most {self.max_length} hops)")
        return (f"no path from {names[self.a]} to {names[self.b]} ({text}; at most "
                f"{self.max_length} hops)")


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise InvalidQuery(name, f"must be at least 1, got {value}")


# -- backing --------------------------------------------------------------------------------

Step = embedded_backing.Step


def _link_key(kind: str, rel: str, direction: str) -> str:
    return f"{kind}|{rel}|{direction}"


def _link_class(node: str) -> str:
    """Cypher for ``queries.backing.link_class`` of the node variable ``node``: the row of
    the link table its links are in (its kind, or the institution-group row)."""
    b = embedded_backing
    return (f"CASE WHEN {node}.kind = '{b.GROUP_KIND}' AND {node}.subtype = '{b.GROUP_SUBTYPE}' "
            f"THEN '{b.GROUP}' ELSE {node}.kind END")


def backing_statement(max_length: int, one_lab: bool) -> str:
    """The Cypher for backing chains, generated from ``queries.backing``'s link table.

    A chain leaves the fund over a first link (PART_OF only into a programme), then takes
    zero or more steps, each allowed by the link table for the class (kind, or institution
    group) of node it leaves, and each link of ``ONLY_INTO`` only into its class; it never
    passes through a lab (it ends at the first one), reaches a sector only on its first step
    and leaves a sector only to a lab (the inferred shared-sector pattern), and repeats no
    node."""
    first_rels = sorted({rel for rel, _ in embedded_backing.FIRST_LINKS})
    link_rels = sorted({rel for links in embedded_backing.LINKS.values() for rel, _ in links}
                       | {embedded_backing.SECTOR_LINK[0]})
    for rel in (*first_rels, *link_rels):
        if rel not in stored_relation_kinds():
            raise ValueError(f"backing link relation {rel} is not in the schema")
    direction = "CASE WHEN startNode({r}) = {u} THEN 'forward' ELSE 'backward' END"
    lab = "(l:Lab {id: $lab})" if one_lab else "(l:Lab)"
    first = f"(f)-[r0:{'|'.join(first_rels)}]-"
    step_direction = direction.format(r="r", u="u")
    only_into = "".join(
        f"AND (type(r) + '|' + {step_direction} <> '{rel}|{link_direction}' "
        f"OR {_link_class('v')} = '{into}') "
        for (rel, link_direction), into in embedded_backing.ONLY_INTO.items())
    if max_length > 1:
        steps = (f"((u)-[r:{'|'.join(link_rels)}]-(v) "
                 f"WHERE u.kind <> 'Lab' AND v.kind <> 'Sector' "
                 f"AND (u.kind <> 'Sector' OR v.kind = 'Lab') "
                 f"AND {_link_class('u')} + '|' + type(r) + '|' + {step_direction} "
                 f"IN $links {only_into}){{0,{max_length - 1}}} ")
        pattern = f"{first}(x) {steps}{lab}"
    else:
        pattern = first + lab.replace("(l:", "(x:")
    return (f"UNWIND $funds AS fund_id MATCH (f:Fund {{id: fund_id}}) "
            f"MATCH p = {pattern} "
            f"WHERE 'Fund|' + type(r0) + '|' + {direction.format(r='r0', u='f')} IN $first "
            f"AND (type(r0) <> 'PART_OF' OR x.kind = 'Program') "
            f"WITH fund_id, p, [n IN nodes(p) | n.id] AS ids WHERE {SIMPLE} "
            f"RETURN fund_id, ids, [r IN relationships(p) | type(r)] AS rels, "
            f"[i IN range(0, size(ids) - 2) | CASE WHEN startNode(relationships(p)[i]) = "
            f"nodes(p)[i] THEN 'forward' ELSE 'backward' END] AS directions")


def backing_parameters() -> Json:
    links = [_link_key(kind, rel, direction)
             for kind, kind_links in embedded_backing.LINKS.items()
             for rel, direction in kind_links]
    links.append(_link_key("Sector", *embedded_backing.SECTOR_LINK))
    first = [_link_key("Fund", rel, direction) for rel, direction in embedded_backing.FIRST_LINKS]
    return {"links": links, "first": first}


def _dfs_order(classes: dict[str, str], chain: list[Step]) -> list[int]:
    """The position of each step in its link table: the embedded depth-first search tries
    links in table order, so this orders chains through the same nodes as it does (the
    ranking sort is stable)."""
    order = []
    for i, (u, _, rel, direction) in enumerate(chain):
        if i == 0:
            links = embedded_backing.FIRST_LINKS
        elif classes[u] == "Sector":
            links = (embedded_backing.SECTOR_LINK,)
        else:
            links = embedded_backing.LINKS[classes[u]]
        order.append(links.index((rel, direction)))
    return order


def backing(backend: Neo4jBackend, *, fund: str | None, lab: str | None, max_length: int,
            limit: int, chains_per_pair: int = embedded_backing.DEFAULT_CHAINS_PER_PAIR,
            timeout: float = BACKING_TIMEOUT) -> Json:
    """As ``queries.backing.backing``, with the chains found by Cypher and ranked and rendered
    by the embedded module's own functions."""
    from queries.neo4j_backend import QueryTimedOut

    if max_length < 1:
        raise InvalidQuery("max_length", f"must be at least 1, got {max_length}")
    if limit < 1:
        raise InvalidQuery("limit", f"must be at least 1, got {limit}")
    funds = [fund] if fund is not None else [
        r["id"] for r in backend.run("MATCH (f:Fund) RETURN f.id AS id ORDER BY id")]
    statement = backing_statement(max_length, lab is not None)
    params = backing_parameters()
    deadline = time.monotonic() + timeout
    chains: list[list[Step]] = []
    timed_out = False
    for start in range(0, len(funds), FUNDS_PER_STATEMENT):
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise QueryTimedOut
            records = backend.run(statement, timeout=left, lab=lab,
                                  funds=funds[start:start + FUNDS_PER_STATEMENT], **params)
        except QueryTimedOut:
            timed_out = True  # chains of the funds done so far are kept, as embedded
            break
        chains += [[(ids[i], ids[i + 1], rels[i], directions[i]) for i in range(len(rels))]
                   for ids, rels, directions in
                   ((r["ids"], r["rels"], r["directions"]) for r in records)]
    g = fetch_subgraph(backend, ([c[0][0], *(s[1] for s in c)] for c in chains))
    classes = {n: embedded_backing.link_class(a) for n, a in g.nodes(data=True)}
    chains.sort(key=lambda c: ([c[0][0], *(s[1] for s in c)], _dfs_order(classes, c)))
    by_pair: dict[tuple[str, str], list[list[Step]]] = defaultdict(list)
    for chain in chains:
        by_pair[(chain[0][0], chain[-1][1])].append(chain)
    ranked = []
    for (fund_id, lab_id), pair_chains in by_pair.items():
        pair_chains.sort(key=lambda c: embedded_backing._chain_rank(g, c))
        ranked.append((embedded_backing._chain_rank(g, pair_chains[0]), fund_id, lab_id,
                       pair_chains))
    ranked.sort(key=lambda r: r[:3])
    shown = [embedded_backing._pair(g, f, b, pair_chains, chains_per_pair)
             for _, f, b, pair_chains in ranked[:limit]]
    on_chains = (n for p in shown for c in p["chains"] for n in c["nodes"])
    return {"fund": fund, "lab": lab, "max_length": max_length,
            "total_pairs": len(ranked), "truncated": len(ranked) > limit,
            "timed_out": timed_out, "pairs": shown, "nodes": node_summaries(g, on_chains)}
