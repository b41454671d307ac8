"""Every Cypher statement the Neo4j store runs, as builder functions: text only, no driver.

The graph in Neo4j is the one ``innograph sync`` writes (docs/neo4j.md): ``:Entity`` nodes
with their kind label, typed properties, provenance lists and centrality scores; relationships
typed by relation kind; derived ``(:Source)-[:MENTIONS]->`` links, which every read leaves out
(``relation_pattern``), so answers match the embedded graph's; an ``InnographMeta`` node with
the sync state. Only schema names reach a statement's text (callers validate user input
first); values travel as parameters. Parameters are named in each builder's docstring.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from graph.neo4j_rows import META_LABEL, SEEN_FROM
from graph.schema import load_schema

#: Cypher map projection of a node summary (``n`` bound to the node).
SUMMARY_FIELDS = ("id", "kind", "subtype", "name_zh", "name_en")
SUMMARY = "{" + ", ".join(f".{f}" for f in SUMMARY_FIELDS) + "}"
#: Every stored name of a node, lower-cased, for search and name resolution.
NAMES = "[s IN [n.id, n.name_zh, n.name_en] + coalesce(n.aliases, []) | toLower(s)]"
#: A year before every date (dates are years 1-9999): what a record citing no dated source
#: compares as, so it is seen as of any date.
BEFORE_ANY_YEAR = -2147483648
#: The distinct node ids of a path, as a predicate on ``ids`` (a simple path repeats none).
SIMPLE = "all(i IN range(0, size(ids) - 2) WHERE NOT ids[i] IN ids[i + 1..])"


def seen(var: str, as_of: bool) -> str:
    """`` AND`` the node or relationship ``var`` was reported by year $as_of (its earliest
    source published by then, or no dated source: ``graph.neo4j_rows`` stores
    ``reported_from``); empty when not asked as of a date.

    One property read, ``coalesce``d (a record without ``reported_from`` is always seen)
    rather than ``<= $as_of OR IS NULL``: lookups and walks start from the id index and read
    the property of what they touch (a range index cannot help them), and a scan planned
    from the OR is a union of a range seek and a label scan. PROFILE at 100k nodes
    (bench/results/time_queries.md): shortest paths as of a year 38% fewer db hits, the
    as_of listing 1.9 s -> 0.8 s."""
    return f" AND coalesce({var}.reported_from, {BEFORE_ANY_YEAR}) <= $as_of" if as_of else ""


def seen_with_ends(var: str, as_of: bool) -> str:
    """`` AND`` the stored relationship ``var`` and both its end nodes were reported by year
    $as_of: exactly ``seen`` on all three, in one read of ``seen_from`` (the latest of the
    three ``reported_from``, written by the sync). A walk that has checked the node it comes
    from checks each step by its relationship alone, not the node it reaches too: in the
    shortest-path search at 100k nodes (80 pairs as of 2026) the node check cost more than
    the relationship check (274-292 ms against 176-183; both 318-344)."""
    return (f" AND coalesce({var}.{SEEN_FROM}, {BEFORE_ANY_YEAR}) <= $as_of" if as_of
            else "")


@cache
def stored_relation_kinds() -> tuple[str, ...]:
    """The relation kinds of the data, in schema order (no derived ``MENTIONS``)."""
    return tuple(load_schema().relation_kinds)


def relation_pattern(relations: Iterable[str] | None) -> str:
    """``:`A`|`B``` for a relationship pattern; only schema relation kinds."""
    names = sorted(relations) if relations is not None else list(stored_relation_kinds())
    allowed = set(stored_relation_kinds())
    bad = [n for n in names if n not in allowed]
    if bad or not names:
        raise ValueError(f"not relation kinds of the schema: {bad or names}")
    return ":" + "|".join(f"`{n}`" for n in names)


def is_kind(var: str, kinds: Iterable[str]) -> str:
    """A test that node ``var`` is of one of the schema node ``kinds``, by its kind label
    (``:Entity:<Kind>``): a label is read from the node record, a property from its chain
    (a path search through 7 kinds at 100k nodes: 296 ms against 438 with ``n.kind IN``)."""
    names = sorted(kinds)
    bad = [n for n in names if n not in load_schema().node_kinds]
    if bad:
        raise ValueError(f"not node kinds of the schema: {bad}")
    return "(" + f"{var}:" + "|".join(f"`{n}`" for n in names) + ")" if names else "false"


def sync_state(fields: Iterable[str]) -> str:
    """The metadata node's state fields as ``meta`` ($key)."""
    projection = ", ".join(f"{name}: m.{name}" for name in fields)
    return f"MATCH (m:{META_LABEL} {{key: $key}}) RETURN {{{projection}}} AS meta"


def centrality_methods() -> str:
    """How the sync computed the scores, a JSON text ($key)."""
    return f"MATCH (m:{META_LABEL} {{key: $key}}) RETURN m.centrality_methods AS methods"


def counts() -> str:
    return (f"CALL () {{ MATCH (n:Entity) RETURN count(n) AS nodes }} "
            f"CALL () {{ MATCH ()-[r{relation_pattern(None)}]->() RETURN count(r) AS edges }} "
            f"RETURN nodes, edges")


def node_by_id(as_of: bool = False) -> str:
    """The id of the node with id $q, if any (reported by $as_of)."""
    return f"MATCH (n:Entity {{id: $q}}) WHERE true{seen('n', as_of)} RETURN n.id AS id"


def nodes_by_name(as_of: bool = False) -> str:
    """Ids of the nodes with an exact (lower-cased) name or alias among $phrases (a search
    text and its simplified form: ``graph.embedded.search_phrases``), by id. The TEXT index
    on ``search_names`` (every name, lower-cased) finds the candidates, so a name is not
    looked for in every node."""
    return (f"UNWIND $phrases AS q MATCH (n:Entity) WHERE n.search_names CONTAINS q "
            f"AND q IN {NAMES}{seen('n', as_of)} RETURN DISTINCT n.id AS id ORDER BY id")


def summaries(as_of: bool = False) -> str:
    """Summaries of the nodes $ids."""
    return (f"UNWIND $ids AS id MATCH (n:Entity {{id: id}}) WHERE true{seen('n', as_of)} "
            f"RETURN n {SUMMARY} AS node")


def nodes(as_of: bool = False) -> str:
    """Every property of the nodes $ids."""
    return (f"UNWIND $ids AS id MATCH (n:Entity {{id: id}}) WHERE true{seen('n', as_of)} "
            f"RETURN n {{.*}} AS node")


def edge_page(as_of: bool = False) -> str:
    """Node $id with its relation counts and one page ($offset, $limit) of each direction,
    in the embedded order (relation, then the other end's id; both ASCII, so Cypher and Python
    agree), cut on the server: a hub's other relations never leave it.

    Each direction is expanded once: its relationships (seen by $as_of: ``seen_from`` covers
    the other end, ``n`` is checked) are sorted, counted and cut in one subquery, where a
    count and a page apart expanded it twice and read the other end's year as well: at 100k
    nodes, bench/time_queries' 300 entities as of their year, same answers, 154 -> 112 db
    hits per request."""
    rels = relation_pattern(None)

    def side(pattern: str, name: str) -> str:
        return (f"CALL (n) {{ MATCH {pattern} WHERE true{seen_with_ends('r', as_of)} "
                f"WITH r, o ORDER BY type(r), o.id WITH collect([r, o]) AS found "
                f"RETURN size(found) AS {name}_total, [x IN found[$offset..$offset + $limit] | "
                f"{{rel: type(x[0]), other: {_summary_of('x[1]')}, props: properties(x[0])}}] "
                f"AS {name} }} ")

    return (f"MATCH (n:Entity {{id: $id}}) WHERE true{seen('n', as_of)} "
            f"{side(f'(n)-[r{rels}]->(o:Entity)', 'out')}"
            f"{side(f'(n)<-[r{rels}]-(o:Entity)', 'in')}"
            f"RETURN n {{.*}} AS node, out_total, in_total, out, in")


def _summary_of(expression: str) -> str:
    """``SUMMARY`` of a node given by an expression (a map projection needs a variable)."""
    return "{" + ", ".join(f"{f}: {expression}.{f}" for f in SUMMARY_FIELDS) + "}"


def search(with_text: bool, as_of: bool = False, several: bool = False) -> str:
    """``total`` and one page (``items``: summaries) of the nodes of $kinds (null: all) whose
    names match the search text $q (its words $terms, longest first) or, ``several``, one of
    $phrases (``{phrase, terms}``: a text and its simplified form); ranked as
    ``graph.embedded.MATCH_CLASSES`` (exact, prefix, partial, every word in some name), ties
    by id; without text all by id."""
    if with_text:
        # the TEXT index on search_names finds the candidates of the longest word (a
        # superset: the names hold every word); the names rank them. One phrase is the
        # common case: no grouping, which would drop the properties the scan cached (at 100k
        # nodes, 200 prefixes: 42% more db hits)
        phrase, terms = ("p.phrase", "p.terms") if several else ("$q", "$terms")
        match = (f"{'UNWIND $phrases AS p ' if several else ''}MATCH (n:Entity) "
                 f"WHERE n.search_names CONTAINS {terms}[0] "
                 f"AND all(t IN {terms}[1..] WHERE n.search_names CONTAINS t) "
                 f"AND ($kinds IS NULL OR n.kind IN $kinds){seen('n', as_of)} "
                 f"WITH n, {phrase} AS q, size({terms}) AS words, {NAMES} AS names "
                 f"WITH n, CASE WHEN q IN names THEN 0 "
                 f"WHEN any(s IN names WHERE s STARTS WITH q) THEN 1 "
                 f"WHEN any(s IN names WHERE s CONTAINS q) THEN 2 "
                 f"WHEN words > 1 THEN 3 END AS rank "
                 f"WHERE rank IS NOT NULL "
                 f"{'WITH n, min(rank) AS rank ' if several else ''}")
        # one scan: matches are few, so ordered, collected, counted and cut at once
        return (f"{match}WITH n, rank ORDER BY rank, n.id WITH collect(n {SUMMARY}) AS found "
                f"RETURN size(found) AS total, found[$offset..$offset + $limit] AS items")
    match = f"MATCH (n:Entity) WHERE ($kinds IS NULL OR n.kind IN $kinds){seen('n', as_of)} "
    # every node (of $kinds): counted, and one page read in id order
    return (f"CALL () {{ {match} RETURN count(n) AS total }} "
            f"CALL () {{ {match} WITH n ORDER BY n.id SKIP $offset LIMIT $limit "
            f"RETURN collect(n {SUMMARY}) AS items }} RETURN total, items")


def expand(relations: Iterable[str] | None, directed: bool, as_of: bool = False) -> str:
    """One breadth-first level: the neighbours (summaries) of each node of $frontier over
    the relations, through nodes of $kinds (null: any) or of $keep."""
    arrow = "->" if directed else "-"
    return (f"UNWIND $frontier AS id MATCH (u:Entity {{id: id}})-[r{relation_pattern(relations)}]"
            f"{arrow}(w:Entity) "
            f"WHERE w <> u AND ($kinds IS NULL OR w.kind IN $kinds OR w.id IN $keep)"
            f"{seen('u', as_of)}{seen_with_ends('r', as_of)} "
            f"RETURN id, collect(DISTINCT w {SUMMARY}) AS neighbours")


def funds(as_of: bool = False) -> str:
    """Every Fund node, or only $id (null: all)."""
    return (f"MATCH (n:Entity:Fund) WHERE ($id IS NULL OR n.id = $id){seen('n', as_of)} "
            f"RETURN n {{.*}} AS node")


def links_out(relations: Iterable[str], as_of: bool = False) -> str:
    """One level of a bounded expansion: for each {id, out, in} of $frontier, the stored
    relationships of the relations out of the node whose type is in ``out`` and into it whose
    type is in ``in``, to nodes of $kinds; then every relationship between the two (a hop
    shows the others as alternatives): the stored ends, and the other end's properties."""
    return (f"UNWIND $frontier AS f MATCH (u:Entity {{id: f.id}})-[r{relation_pattern(relations)}]"
            f"-(w:Entity) WHERE w <> u AND w.kind IN $kinds AND type(r) IN "
            f"CASE WHEN startNode(r) = u THEN f.out ELSE f.in END{seen('u', as_of)}"
            f"{seen_with_ends('r', as_of)} "
            f"WITH DISTINCT u, w MATCH (u)-[x{relation_pattern(None)}]-(w) "
            f"WHERE true{seen_with_ends('x', as_of)} "
            f"RETURN startNode(x).id AS u, endNode(x).id AS v, type(x) AS rel, "
            f"properties(x) AS props, w {{.*}} AS node")


def edges_among(relations: Iterable[str] | None, as_of: bool = False) -> str:
    """Every relationship (of the relations) between two nodes of $ids."""
    return (f"UNWIND $ids AS id MATCH (u:Entity {{id: id}})-[r{relation_pattern(relations)}]->"
            f"(v:Entity) WHERE v.id IN $ids{seen('r', as_of)} "
            f"RETURN u.id AS u, v.id AS v, type(r) AS rel, properties(r) AS props")


def path_subgraph(as_of: bool = False) -> str:
    """``nodes``: every property of the nodes $ids; ``edges``: every relationship from
    pair[0] to pair[1] for each pair of $pairs (u, v, rel, props). One statement: a path
    answer's hops cost one round trip, not two."""
    return (f"CALL () {{ UNWIND $ids AS id MATCH (n:Entity {{id: id}}) "
            f"WHERE true{seen('n', as_of)} RETURN collect(n {{.*}}) AS nodes }} "
            f"CALL () {{ UNWIND $pairs AS pair "
            f"MATCH (u:Entity {{id: pair[0]}})-[r{relation_pattern(None)}]->"
            f"(v:Entity {{id: pair[1]}}) WHERE true{seen('r', as_of)} "
            f"RETURN collect({{u: u.id, v: v.id, rel: type(r), props: properties(r)}}) AS edges }} "
            f"RETURN nodes, edges")


def _path_match(selector: str, lengths: str, relations: Iterable[str] | None,
                kinds: Iterable[str] | None, directed: bool, as_of: bool = False) -> str:
    # A quantified path pattern: its inline node predicate prunes while Neo4j searches,
    # where a WHERE on the whole path would make it enumerate every path first.
    arrow = "->" if directed else "-"
    through = f"({is_kind('v', kinds)} OR v.id = $b)" if kinds is not None else "true"
    where = (f" WHERE {through}{seen_with_ends('r', as_of)}"
             if kinds is not None or as_of else "")
    step = f"((u)-[r{relation_pattern(relations)}]{arrow}(v){where})"
    return f"{_ends(as_of)}MATCH p = {selector} (a) {step}{{{lengths}}} (b) "


def _ends(as_of: bool) -> str:
    """``a`` and ``b``: the nodes with ids $a and $b (each seen by $as_of)."""
    return (f"MATCH (a:Entity {{id: $a}}) WHERE true{seen('a', as_of)} "
            f"MATCH (b:Entity {{id: $b}}) WHERE true{seen('b', as_of)} ")


def _shortest(function: str, max_length: int, relations: Iterable[str] | None,
              kinds: Iterable[str] | None, directed: bool, as_of: bool) -> str:
    """``p``: the shortest path(s) from ``a`` to ``b`` through nodes of ``kinds``.

    The legacy ``shortestPath`` / ``allShortestPaths``: a bidirectional breadth-first search
    that checks universal predicates on ``nodes(p)`` and ``relationships(p)`` while it expands
    (no exhaustive fallback in the plan). Same paths as ``ALL SHORTEST`` / ``SHORTEST 1`` with
    the predicate inline, in less time and with fewer db hits under a filter: on the 100k-node
    generated graph, the 226 pairs of bench/http_api.py one at a time, warm, 447 ms in all
    against 1,016 (as of a year 1,288 against 2,342; db hits 0.3x to 0.6x with a kinds or
    as_of filter, equal without)."""
    arrow = "->" if directed else "-"
    tests = []
    if kinds is not None:
        tests.append(f"all(n IN nodes(p) WHERE {is_kind('n', kinds)} OR n = a OR n = b)")
    if as_of:  # every inner node is an end of a relationship of p (a, b: by ``_ends``)
        tests.append(f"all(r IN relationships(p) WHERE true{seen_with_ends('r', True)})")
    where = f"WHERE {' AND '.join(tests)} " if tests else ""
    return (f"{function}((a)-[{relation_pattern(relations)}*..{max_length}]{arrow}(b)) "
            f"{where}")


def _hops(found: str, as_of: bool) -> str:
    """``nodes`` (the summary of each node of the node lists ``found``: all a path answer
    shows of them, so a node's provenance and scores stay on the server) and ``edges``
    (every relationship, any relation, seen by $as_of, between two consecutive nodes of a
    list: u, v, rel, props): what ``queries.views`` renders hops from."""
    return (f"{_path_nodes(found)}"
            f"CALL ({found}) {{ UNWIND {found} AS ns UNWIND range(0, size(ns) - 2) AS i "
            f"WITH DISTINCT ns[i] AS u, ns[i + 1] AS v "
            f"MATCH (u)-[r{relation_pattern(None)}]-(v) WITH DISTINCT r "
            f"WHERE true{seen('r', as_of)} RETURN collect({_EDGE}) AS edges }} ")


#: A relationship ``r`` as a hop edge: its ends' ids, its relation, its properties.
_EDGE = "{u: startNode(r).id, v: endNode(r).id, rel: type(r), props: properties(r)}"


def _path_nodes(found: str) -> str:
    """``nodes``: the summary of each node of the node lists ``found``, once."""
    return (f"CALL ({found}) {{ UNWIND {found} AS ns UNWIND ns AS n WITH DISTINCT n "
            f"RETURN collect(n {SUMMARY}) AS nodes }} ")


def shortest_paths(max_length: int, relations: Iterable[str] | None, kinds: Iterable[str] | None,
                   directed: bool, as_of: bool = False) -> str:
    """A path request in one statement. One row if $a and $b are ids of nodes seen by
    $as_of, none otherwise: ``paths``, the smallest $cap node-id lists of all shortest paths
    from $a to $b (through nodes of ``kinds``; None: any); ``nodes`` and ``edges`` of those
    paths (of a and b alone when there is none), as ``_hops`` says.

    Over every relation in either direction the hop edges are the relationships of the
    paths found (``_hops_of_paths``); with a relation or direction filter a hop's other
    relations are read between its ends (``_hops``).

    Where a request's time goes (100k nodes, bench/time_queries' 85 pairs as of their year,
    through the driver one at a time, a server warm after ~10,000 runs, per pair the least
    of 7-9 runs, summed; busy machine): the statement 1.41-1.91 ms a pair, the search alone
    (ids, no hops) 1.28-1.55, ``RETURN 1`` 0.48 (a session per statement costs nothing
    measurable: 0.24 ms of server CPU with one session or a new one each). The hops' part,
    ``properties(r)`` of each (``{}`` instead: same time) and grouping paths by node lists
    rather than id lists: no difference beyond the noise. 650 KB of heap per request, 530
    of it the search (``RETURN 1``: 48). Sampled under 4 clients, about half of the server's
    CPU is reading relationship and property records: the breadth-first search itself and
    its ``seen_from`` test, which reads each relationship it walks again to get the
    property: over HTTP, 4 clients, a warm server, 1.55-2.0 ms of Neo4j CPU a request as of
    a year, 1.5 without one (two runs, busy machine). On a freshly started server the JIT
    compilers were a third to half of its CPU for 15,000-19,000 requests (bench/time_queries'
    "of which JIT"): after one warm pass that benchmark measured 3.5-4.6 ms a request as of a
    year."""
    search = (f"{_ends(as_of)}CALL (a, b) {{ MATCH p = "
              f"{_shortest('allShortestPaths', max_length, relations, kinds, directed, as_of)}")
    if relations is None and not directed:
        return (f"{search}WITH [n IN nodes(p) | n.id] AS ids, nodes(p) AS ns, "
                f"relationships(p) AS rs WITH ids, ns, collect(rs) AS rss "
                f"ORDER BY ids LIMIT $cap RETURN collect(ids) AS paths, collect(ns) AS found, "
                f"collect(rss) AS hops }} "
                f"WITH paths, CASE WHEN paths = [] THEN [[a, b]] ELSE found END AS found, hops "
                f"{_hops_of_paths('found', 'hops')}RETURN paths, nodes, edges")
    return (f"{search}WITH DISTINCT [n IN nodes(p) | n.id] AS ids, nodes(p) AS ns "
            f"ORDER BY ids LIMIT $cap RETURN collect(ids) AS paths, collect(ns) AS found }} "
            f"WITH paths, CASE WHEN paths = [] THEN [[a, b]] ELSE found END AS found "
            f"{_hops('found', as_of)}RETURN paths, nodes, edges")


def _hops_of_paths(found: str, hops: str) -> str:
    """``nodes`` as ``_hops`` says; ``edges`` from ``hops`` (for each id list, the
    relationship lists of its paths) instead of a search between consecutive nodes.

    The same edges when every relation in either direction may be walked: all shortest
    paths include one path per relationship between two consecutive nodes (each such
    relationship, of either direction, is another path of the same length through the same
    nodes; seen by $as_of exactly when the walk may take it: both its ends are on a seen
    path). The search between the nodes (``Expand(Into)``: at a hub, its relationships) was
    a third of a path request's db hits: at 100k nodes, bench/time_queries' 85 pairs as of
    their year, serial, same answers: 3,193 -> 2,187 db hits and 5.5 -> 4.0 ms of server CPU
    per request (without a year 2,250 -> 1,169)."""
    return (f"{_path_nodes(found)}"
            f"CALL ({hops}) {{ UNWIND {hops} AS rss UNWIND rss AS rs UNWIND rs AS r "
            f"WITH DISTINCT r RETURN collect({_EDGE}) AS edges }} ")


def shortest_length(max_length: int, relations: Iterable[str] | None, kinds: Iterable[str] | None,
                    directed: bool, as_of: bool = False) -> str:
    """One row if $a and $b are ids of nodes seen by $as_of, none otherwise: ``n``, the
    length of a shortest path from $a to $b (through ``kinds``), null when there is none."""
    return (f"{_ends(as_of)}OPTIONAL MATCH p = "
            f"{_shortest('shortestPath', max_length, relations, kinds, directed, as_of)}"
            f"RETURN length(p) AS n")


def simple_paths_of_length(length: int, relations: Iterable[str] | None,
                           kinds: Iterable[str] | None,
                           directed: bool, as_of: bool = False) -> str:
    """The smallest $cap node-id lists of the simple paths of ``length`` from $a to $b."""
    return (_path_match("", f"{length}", relations, kinds, directed, as_of)
            + f"WITH [n IN nodes(p) | n.id] AS ids WHERE {SIMPLE} "
            f"WITH DISTINCT ids RETURN ids ORDER BY ids LIMIT $cap")


def all_ids() -> str:
    """``ids``: every node's id, in order (one record: the whole graph is read in chunks of
    them, ``nodes_and_edges``)."""
    return "MATCH (n:Entity) WITH n.id AS id ORDER BY id RETURN collect(id) AS ids"


def nodes_and_edges() -> str:
    """One chunk of the whole graph, as two lists in one record: ``nodes`` (every property
    of the nodes $ids, in that order) and ``edges`` (``[u, v, rel, props]`` of every
    relationship out of them, by u in the order of $ids, then v, then rel).

    In chunks of a few thousand records per Bolt record rather than one record per node and
    edge: the driver's cost is per record (at 100k nodes, reading the whole graph took
    9-11 s for the nodes and 16-20 s for the edges a record each, 4-6 and 9-10 s in lists,
    with the machine busy); each chunk is bounded, so no statement holds the graph in the
    server's memory."""
    return (f"CALL () {{ UNWIND $ids AS id MATCH (n:Entity {{id: id}}) "
            f"WITH n ORDER BY n.id RETURN collect(n {{.*}}) AS nodes }} "
            f"CALL () {{ UNWIND range(0, size($ids) - 1) AS i "
            f"MATCH (u:Entity {{id: $ids[i]}})-[r{relation_pattern(None)}]->(v:Entity) "
            f"WITH i, v.id AS v, type(r) AS rel, r ORDER BY i, v, rel "
            f"RETURN collect([$ids[i], v, rel, properties(r)]) AS edges }} "
            f"RETURN nodes, edges")


def source_years() -> str:
    """Publication year by file of every dated Source node."""
    return ("MATCH (s:Entity:Source) WHERE s.file IS NOT NULL AND s.published_year IS NOT NULL "
            "RETURN s.file AS file, s.published_year AS year")


def score_check() -> str:
    """How many nodes there are, how many have the $measure score, and of which versions."""
    return ("MATCH (n:Entity) RETURN count(n) AS n, count(n[$measure]) AS scored, "
            "collect(DISTINCT n.centrality_version) AS versions")


def scores() -> str:
    """The kind and $measure score of every node (the property the sync writes is the
    measure's name: one statement text for every measure, so Neo4j plans it once)."""
    return "MATCH (n:Entity) RETURN n.id AS id, n.kind AS kind, n[$measure] AS score"


def nodes_by_kind() -> str:
    return "MATCH (n:Entity) RETURN n.kind AS kind, count(*) AS n"


def edges_by_relation() -> str:
    return f"MATCH ()-[r{relation_pattern(None)}]->() RETURN type(r) AS rel, count(*) AS n"


def quotes_by_source() -> str:
    rels = relation_pattern(None)
    return (f"CALL () {{ MATCH (n:Entity) UNWIND n.prov_sources AS source RETURN source "
            f"UNION ALL MATCH ()-[r{rels}]->() UNWIND r.prov_sources AS source RETURN source }} "
            f"RETURN source, count(*) AS n")


def isolated() -> str:
    return (f"MATCH (n:Entity) WHERE NOT EXISTS {{ (n)-[{relation_pattern(None)}]-() }} "
            f"RETURN count(n) AS n")


def linked_pairs() -> str:
    """Each pair of distinct nodes joined by a relationship, once per direction."""
    return (f"MATCH (u:Entity)-[{relation_pattern(None)}]->(v:Entity) "
            f"WHERE u <> v RETURN DISTINCT u.id AS u, v.id AS v")
