"""Reading queries/cypher/*.cypher files as the Neo4j Browser does, and what each file's
answer must be, computed from the networkx graph (used by test_cypher_files and
test_neo4j_generated)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from neo4j import Driver, NotificationSeverity
from neo4j.graph import Path as GraphPath

from graph.embedded import find_nodes, resolve_node, statistics
from graph.timeline import reported_in, source_years
from queries import backing as backing_queries
from queries.centrality import centrality_scores
from queries.ecosystem.brokers import actor_rows
from queries.ecosystem.communities import communities
from queries.ecosystem.gaps import gaps
from queries.ecosystem.helix import linkage as helix_linkage
from queries.ecosystem.network import holds, network, node_edges
from queries.paths import shortest_paths

CYPHER_DIR = Path(__file__).resolve().parents[1] / "queries" / "cypher"
#: A file's values to change: its statement's first line, ``WITH <literal> AS <name>, ...``.
LITERAL = r"(?:null|'[^']*'|-?\d+)"  # null, a string or an integer
PARAM_HEADER = re.compile(rf"^WITH\s+((?:{LITERAL}\s+AS\s+\w+\s*,\s*)*"
                          rf"{LITERAL}\s+AS\s+\w+)\s*$")
PARAM_ITEM = re.compile(rf"({LITERAL})\s+AS\s+(\w+)")
Rows = list[dict[str, Any]]


# -- reading a file --------------------------------------------------------------------------

def _code_segments(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_code) where the other pieces are string literals or
    quoted names, so comments and ``;`` are only looked for in code."""
    pieces: list[tuple[str, bool]] = []
    i, start = 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"`":
            pieces.append((text[start:i], True))
            j = i + 1
            while j < len(text) and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            pieces.append((text[i:j + 1], False))
            i = start = j + 1
            continue
        if text.startswith("//", i):
            pieces.append((text[start:i], True))
            i = text.find("\n", i)
            i = len(text) if i < 0 else i
            start = i
            continue
        i += 1
    pieces.append((text[start:], True))
    return pieces


def parse_cypher_file(text: str) -> tuple[dict[str, str], str]:
    """``(params, statement)``: the file's one statement (what the Browser runs when the whole
    file is pasted) and the values of its ``WITH <literal> AS <name>`` first line by name.

    A Browser command (``:param``) or a second statement is refused: the Browser would show a
    list of statuses instead of the result frame (Browser 5.24, multi-statement mode)."""
    code = "".join(piece for piece, _ in _code_segments(text))
    commands = [line.strip() for line in code.splitlines() if line.strip().startswith(":")]
    if commands:
        raise ValueError(f"Browser command in a query file: {commands[0]}")
    statements = [""]
    for piece, is_code in _code_segments(code):
        parts = piece.split(";") if is_code else [piece]
        statements[-1] += parts[0]
        statements.extend(parts[1:])
    statements = [s.strip() for s in statements if s.strip()]
    if len(statements) != 1:
        raise ValueError(f"{len(statements)} statements: a file must hold exactly one")
    [statement] = statements
    header = PARAM_HEADER.match(statement.splitlines()[0])
    params = {name: value for value, name in PARAM_ITEM.findall(header[1])} if header else {}
    return params, statement


def with_parameters(statement: str, names: list[str]) -> str:
    """``statement`` with its literal first line replaced by ``WITH $name AS name, ...``."""
    first, _, rest = statement.partition("\n")
    assert PARAM_HEADER.match(first), first
    return "WITH " + ", ".join(f"${n} AS {n}" for n in names) + "\n" + rest


def run_file(path: Path, driver: Driver, database: str | None,
             overrides: dict[str, Any]) -> tuple[dict[str, Any], list[Rows]]:
    """Runs the file's statement as written, or with ``overrides`` for some of its values;
    returns the values used and ``[rows]``."""
    params, statement = parse_cypher_file(path.read_text(encoding="utf-8"))
    values = {name: driver.execute_query(f"RETURN {literal} AS value",
                                         database_=database).records[0]["value"]
              for name, literal in params.items()}
    unknown = set(overrides) - set(values)
    assert not unknown, f"{path.name} has no value {unknown} in its first line"
    if overrides:
        values.update(overrides)
        statement = with_parameters(statement, list(params))
    records = driver.execute_query(statement, values, database_=database).records
    return values, [[dict(record.items()) for record in records]]


def server_warnings(path: Path, driver: Driver, database: str | None) -> list[str]:
    """What the server warns about when the file runs as written (the Neo4j Browser shows
    these in a Warn tab beside the answer): deprecated syntax, unknown labels or keys, ..."""
    _, statement = parse_cypher_file(path.read_text(encoding="utf-8"))
    summary = driver.execute_query(statement, database_=database).summary
    return [f"{s.gql_status} {s.status_description}" for s in summary.gql_status_objects
            if s.is_notification and s.severity == NotificationSeverity.WARNING]


# -- expectations from the networkx graph -----------------------------------------------------

def names(g: nx.MultiDiGraph, node_ids: Any) -> list[str]:
    return [g.nodes[n]["name_zh"] for n in node_ids]


def quotes(attrs: dict[str, Any], source: str | None = None) -> list[str]:
    return [p["quote"] for p in attrs["provenance"] if source is None or p["source"] == source]


def assert_scores_ranked(g: nx.MultiDiGraph, rows: Rows, measure: str, limit: int,
                         keep: Callable[[float], bool] = lambda s: True) -> None:
    """``rows`` (``id``, ``measure``) are the top ``limit`` by ``measure`` as the service
    computes it, ties by id; scores equal up to floating-point noise."""
    scores = centrality_scores(g, measure)
    expected = sorted((n for n in g if keep(scores[n])), key=lambda n: (-scores[n], n))[:limit]
    assert len(rows) == len(expected)
    for row, node_id in zip(rows, expected, strict=True):
        assert row[measure] == pytest.approx(scores[row["id"]], rel=1e-9, abs=1e-12)
        if row["id"] != node_id:  # noise may reorder near-ties only
            assert scores[row["id"]] == pytest.approx(scores[node_id], rel=1e-9, abs=1e-12)


def check_backing(g, params, results):
    [rows] = results
    fund = resolve_node(g, params["fund"]) if params["fund"] is not None else None
    answer = backing_queries.backing(g, fund=fund, max_length=4, limit=10**6,
                                     chains_per_pair=10**6)
    expected = {(tuple(c["nodes"]), tuple(h["rel"] for h in c["hops"]), c["pattern"])
                for p in answer["pairs"] for c in p["chains"]}
    found = {(tuple(r["ids"]), tuple(r["relations"]), r["pattern"]) for r in rows}
    assert found == expected and len(rows) == len(expected)
    for row in rows:
        assert row["inferred"] == (row["pattern"] in backing_queries.INFERRED)
        assert row["hops"] == len(row["relations"])
        assert (row["fund"], row["lab"]) == tuple(names(g, (row["ids"][0], row["ids"][-1])))
    assert [(r["inferred"], r["hops"]) for r in rows] == sorted(
        (r["inferred"], r["hops"]) for r in rows)


def check_labs_by_sector(g, params, results):
    [rows] = results
    labs = defaultdict(list)
    for u, v, rel, attrs in g.edges(keys=True, data=True):
        if rel == "WORKS_IN_SECTOR" and g.nodes[u]["kind"] == "Lab":
            labs[v].append((u, attrs["provenance"][0]["quote"]))
    expected = [{"sector_id": s, "sector": g.nodes[s]["name_zh"],
                 "sector_en": g.nodes[s]["name_en"], "labs": len(found),
                 "lab_names": names(g, sorted(u for u, _ in found)),
                 "lab_ids": sorted(u for u, _ in found),
                 "quotes": [q for _, q in sorted(found)]}
                for s, found in labs.items()]
    expected.sort(key=lambda r: (-r["labs"], r["sector_id"]))
    assert rows == expected


def check_parks(g, params, results):
    [rows] = results
    members = defaultdict(set)
    for u, v, rel in g.edges(keys=True):
        pairs = [(u, v)] if rel == "HOSTS" else [(v, u)] if rel in ("LOCATED_IN",
                                                                     "PART_OF") else []
        for park, member in pairs:
            if g.nodes[park]["kind"] == "Park" and g.nodes[member]["kind"] in ("Company", "Lab"):
                members[(park, g.nodes[member]["kind"])].add(member)
    assert [(r["park_id"], r["kind"]) for r in rows] == sorted(members)
    for row in rows:
        ids = sorted(members[(row["park_id"], row["kind"])])
        assert row["ids"] == ids and row["members"] == len(ids)
        assert row["names"] == names(g, ids)
        assert row["park"] == g.nodes[row["park_id"]]["name_zh"]


def check_shortest_path(g, params, results):
    [listed] = results
    a, b = resolve_node(g, params["from_name"]), resolve_node(g, params["to_name"])
    answer = shortest_paths(g, a, b, max_length=6, limit=10**6)
    expected = {tuple(p["nodes"]) for p in answer["paths"]}
    assert answer["paths"]
    assert all(isinstance(row["p"], GraphPath) for row in listed)
    assert all([n["id"] for n in row["p"].nodes] == row["ids"] for row in listed)
    assert {tuple(row["ids"]) for row in listed} == expected
    for row in listed:
        assert row["hops"] == len(row["ids"]) - 1 == answer["paths"][0]["length"]
        for u, v, quote in zip(row["ids"], row["ids"][1:], row["quotes"], strict=False):
            between = [*g._succ[u].get(v, {}).values(), *g._succ[v].get(u, {}).values()]
            assert any(quote == p["quote"] for attrs in between for p in attrs["provenance"])
        for name in names(g, row["ids"]):
            assert name in row["path"]


def check_most_central(g, params, results):
    [by_pagerank] = results
    assert_scores_ranked(g, by_pagerank, "pagerank", 20)
    degree = centrality_scores(g, "degree")
    assert all(row["degree"] == degree[row["id"]] for row in by_pagerank)


def check_brokers(g, params, results):
    [brokers] = results
    assert_scores_ranked(g, brokers, "betweenness", 10, keep=lambda s: s > 0)


def check_program(g, params, results):
    [rows] = results
    program = resolve_node(g, params["program"])
    expected = sorted((rel, g.nodes[v]["kind"], v, tuple(quotes(attrs)))
                      for _, v, rel, attrs in g.out_edges(program, keys=True, data=True)
                      if rel in ("SUPPORTS", "FUNDS", "TARGETS_SECTOR"))
    assert expected
    assert [(r["relation"], r["kind"], r["id"], tuple(r["quotes"])) for r in rows] == expected
    assert {r["program"] for r in rows} == {g.nodes[program]["name_zh"]}


def source_file(g: nx.MultiDiGraph, source: str) -> str:
    """The file of the Source node named by its id or its file."""
    return g.nodes[source]["file"] if source in g else next(
        f for _, f in g.nodes(data="file") if f == source)


def check_source(g, params, results):
    [mentioned] = results
    file = source_file(g, params["source"])
    expected = sorted((a["kind"], n, tuple(quotes(a, file))) for n, a in g.nodes(data=True)
                      if a["kind"] != "Source" and quotes(a, file))
    assert [(r["kind"], r["id"], tuple(r["quotes"])) for r in mentioned] == expected


def check_source_relations(g, params, results):
    [stated] = results
    file = source_file(g, params["source"])
    edges = sorted((rel, u, v, tuple(quotes(a, file)))
                   for u, v, rel, a in g.edges(keys=True, data=True) if quotes(a, file))
    assert [(r["relation"], r["from_id"], r["to_id"], tuple(r["quotes"])) for r in stated] == edges


def check_funds(g, params, results):
    [rows] = results
    expected = []
    for fund in sorted(n for n, k in g.nodes(data="kind") if k == "Fund"):
        figures = sorted((g.nodes[o] for _, o, rel in g.out_edges(fund, keys=True)
                          if rel == "HAS_OBSERVATION"),
                         key=lambda a: (a["metric"], a["period_end"]))
        for o in figures or [None]:
            expected.append((fund, None if o is None else (
                o["metric"], o.get("value"), o.get("bound"), o["unit"],
                f"{o['period_start']}-{o['period_end']}" if o["period_start"] != o["period_end"]
                else str(o["period_end"]), o.get("period_zh"), o["status"], quotes(o))))
    columns = ("metric", "value", "bound", "unit", "period", "period_zh", "status", "quotes")
    assert [(r["id"], None if r["metric"] is None else tuple(r[c] for c in columns))
            for r in rows] == expected
    for row in rows:
        a = g.nodes[row["id"]]
        assert (row["fund"], row["subtype"], row["stage"], row["investment_focus"]) == (
            a["name_zh"], a["subtype"], a.get("stage"), a.get("investment_focus_zh"))
        if row["metric"] is None:
            assert all(row[c] is None for c in columns)
        part_of = sorted(v for _, v, rel in g.out_edges(row["id"], keys=True) if rel == "PART_OF")
        backers = sorted(u for u, _, rel in g.in_edges(row["id"], keys=True)
                         if rel in ("OPERATES", "SUPPORTS"))
        assert row["part_of"] == names(g, part_of)
        assert row["backed_by"] == names(g, backers)


def check_events(g, params, results):
    [rows] = results
    events = [n for n, k in g.nodes(data="kind") if k == "Event"]

    def year(n: str) -> int | None:
        a = g.nodes[n]
        return a.get("year") or (int(a["date"][:4]) if a.get("date") else None)

    def key(n: str) -> tuple:  # Cypher sorts nulls last
        date = g.nodes[n].get("date")
        return (year(n) is None, year(n) or 0, date is None, date or "", n)

    assert [r["id"] for r in rows] == sorted(events, key=key)
    for row in rows:
        n = row["id"]
        date = g.nodes[n].get("date")
        assert (row["date"].iso_format() if row["date"] else None) == date
        assert row["year"] == year(n)
        linked = {"held_by": [u for u, _, rel in g.in_edges(n, keys=True) if rel == "HELD"],
                  **{rel.lower(): [v for _, v, r in g.out_edges(n, keys=True) if r == rel]
                     for rel in ("ESTABLISHED", "ISSUED")}}
        for column in ("held_by", "established", "issued"):
            assert row[column] == names(g, sorted(linked[column])), (n, column)
    assert any(r["established"] or r["issued"] for r in rows)


def check_counts(g, params, results):
    [rows] = results
    kinds = [{"kind": r["name"], "entities": r["count"]} for r in rows if r["what"] == "entities"]
    relations = [{"relation": r["name"], "relationships": r["count"]} for r in rows
                 if r["what"] == "relationships"]
    assert len(kinds) + len(relations) == len(rows)
    assert [r["what"] for r in rows] == sorted(r["what"] for r in rows)
    stats = statistics(g)
    assert {r["kind"]: r["entities"] for r in kinds} == stats["nodes_by_kind"]
    assert [r["kind"] for r in kinds] == list(stats["nodes_by_kind"])
    assert {r["relation"]: r["relationships"] for r in relations} == stats["edges_by_relation"]
    assert [r["relation"] for r in relations] == list(stats["edges_by_relation"])


def check_name_search(g, params, results):
    [fulltext] = results
    q = params["q"]
    # a Chinese word: the cjk analyzer's bigrams make the phrase a substring match
    expected = {n for n, a in g.nodes(data=True)
                if any(q in s for s in (a["name_zh"], a["name_en"], *a["aliases"]))}
    assert expected and len(expected) < 100
    assert {r["id"] for r in fulltext} == expected
    assert [r["score"] for r in fulltext] == sorted((r["score"] for r in fulltext), reverse=True)


def check_name_contains(g, params, results):
    [contains] = results
    q = params["q"]
    ranked = find_nodes(g, q, limit=None)
    rank = {0: "exact", 1: "prefix", 2: "partial"}

    def match_class(n: str) -> int:
        a = g.nodes[n]
        names_ = [s.casefold() for s in (n, a["name_zh"], a["name_en"], *a["aliases"])]
        w = q.casefold()
        return 0 if w in names_ else 1 if any(s.startswith(w) for s in names_) else 2

    expected_rows = sorted(ranked, key=lambda n: (match_class(n), n))
    assert [r["id"] for r in contains] == expected_rows
    assert [r["match"] for r in contains] == [rank[match_class(n)] for n in expected_rows]


def check_entity_relations(g, params, results):
    [relations] = results
    n = resolve_node(g, params["name"])
    edges = sorted([("out", rel, v) for _, v, rel in g.out_edges(n, keys=True)]
                   + [("in", rel, u) for u, _, rel in g.in_edges(n, keys=True)],
                   key=lambda e: (e[0] == "in", e[1], e[2]))
    assert [(r["direction"], r["relation"], r["other_id"]) for r in relations] == edges
    for row in relations:
        attrs = (g._succ[n][row["other_id"]] if row["direction"] == "out"
                 else g._pred[n][row["other_id"]])[row["relation"]]
        assert row["quotes"] == quotes(attrs)
    assert all([m["id"] for m in row["p"].nodes] == [n, row["other_id"]] for row in relations)


def check_entity_card(g, params, results):
    [card] = results
    n = resolve_node(g, params["name"])
    [row] = card
    a = g.nodes[n]
    assert (row["id"], row["kind"], row["name"], row["aliases"]) == (
        n, a["kind"], a["name_zh"], list(a["aliases"]))
    assert row["quotes"] == [f"{p['source']}: {p['quote']}" for p in a["provenance"]]
    assert row["pagerank"] == pytest.approx(centrality_scores(g, "pagerank")[n], rel=1e-9)


def period(a: dict[str, Any]) -> str:
    start, end = a["period_start"], a["period_end"]
    return str(end) if start == end else f"{start}-{end}"


def check_metric_over_time(g, params, results):
    [rows] = results
    subject = resolve_node(g, params["subject"])
    years = source_years(g)
    word = params["metric"].casefold()
    found = [o for _, o, rel in g.out_edges(subject, keys=True) if rel == "HAS_OBSERVATION"
             and word in [s.casefold() for s in (g.nodes[o]["metric"], *g.nodes[o]["aliases"])]]
    found.sort(key=lambda o: (g.nodes[o]["period_end"], g.nodes[o]["period_start"], o))
    assert [r["id"] for r in rows] == found
    for row, o in zip(rows, found, strict=True):
        a = g.nodes[o]
        assert (row["subject"], row["metric"], row["period"], row["status"], row["unit"]) == (
            g.nodes[subject]["name_zh"], a["metric"], period(a), a["status"], a["unit"])
        assert (row["value"], row["change_factor"], row["bound"], row["period_zh"]) == (
            a.get("value"), a.get("change_factor"), a.get("bound"), a.get("period_zh"))
        assert row["reported_in"] == sorted({years[p["source"]] for p in a["provenance"]
                                             if p["source"] in years})  # undated: none
        assert row["quotes"] == quotes(a)


def check_new_since(g, params, results):
    [rows] = results
    years = source_years(g)
    expected = []
    for n, a in g.nodes(data=True):
        span = reported_in(a["provenance"], years)
        if a["kind"] in ("Source", "Observation") or span is None or span[0] <= params["after"]:
            continue
        first = next(p["quote"] for p in a["provenance"] if years.get(p["source"]) == span[0])
        since = a.get("established_year") or a.get("announced_year") or a.get("year") or (
            int(a["date"][:4]) if a.get("date") else None)
        expected.append((a["kind"], n, a["name_zh"], span[0], since, first))
    expected.sort()
    assert [(r["kind"], r["id"], r["name"], r["first_reported"], r["since"], r["quote"])
            for r in rows] == expected


def check_plans(g, params, results):
    [rows] = results
    years = source_years(g)
    expected = []
    for u, v, rel, a in g.edges(keys=True, data=True):
        if a.get("status") not in ("planned", "ongoing") and a.get("target_year") is None:
            continue
        span = reported_in(a["provenance"], years)
        if span is None:  # no dated source states it: the file's MATCH on Source drops it
            continue
        first, last = span
        if a.get("status") == "done":
            outcome = f"done, reported {last}"
        elif a.get("status") == "ongoing":
            outcome = f"under way, reported {last}" if last > first else "under way"
        else:
            outcome = (f"still planned, reported {last}" if last > first
                       else f"not reported since {first}")
        silent = sorted(f for f, y in years.items() if y > last)
        expected.append((first, rel, u, v, a.get("status"), a.get("target_year"), last, outcome,
                         silent, [f"{p['source']}: {p['quote']}" for p in a["provenance"]]))
    expected.sort(key=lambda e: e[:4])
    assert [(r["first_reported"], r["relation"], r["from_id"], r["to_id"], r["status"],
             r["target_year"], r["last_reported"], r["outcome"], r["silent_later"], r["quotes"])
            for r in rows] == expected
    assert all((r["from_name"], r["to_name"]) == tuple(names(g, (r["from_id"], r["to_id"])))
               for r in rows)


# -- the ecosystem analytics (written back by the sync), from the plain functions -------------

def check_communities(g, params, results):
    [rows] = results
    found = communities(g, membership=True, limit=max(params["communities"], 1), top=3)
    by_rank: dict[int, list[str]] = defaultdict(list)
    for n, rank in found["membership"].items():
        by_rank[rank].append(n)
    degree = centrality_scores(g, "degree")
    expected = []
    for view in found["communities"][:max(params["communities"], 0)]:
        members = sorted(by_rank[view["rank"]], key=lambda n: (-degree[n], n))
        kinds = sorted(Counter(g.nodes[n]["kind"] for n in members).items(),
                       key=lambda kc: (-kc[1], kc[0]))
        expected.append({"community": view["rank"], "name": view["label"]["zh"],
                         "size": view["size"], "kinds": [f"{k}: {c}" for k, c in kinds],
                         "top_members": names(g, members[:params["shown"]])})
    assert rows == expected


def check_broker_sizes(g, params, results):
    [rows] = results
    mapping = network(g).spheres
    names_of = communities(g, limit=10**6, top=3)["communities"]
    membership = communities(g, membership=True, limit=1)["membership"]
    label = {c["rank"]: c["label"]["zh"] for c in names_of}
    expected = [{"id": n, "kind": g.nodes[n]["kind"], "name": g.nodes[n]["name_zh"],
                 "sphere": mapping[n], "effective_size": size, "constraint": constraint,
                 "community": label[membership[n]]}
                for n, constraint, size, _, _ in actor_rows(g, "effective_size")
                if size is not None and params["in_sphere"] in (None, mapping[n])]
    expected = expected[:params["top"]]
    # the constraint is a float sum over sets: its last bit may differ between processes
    assert [{**r, "constraint": None} for r in rows] == [{**e, "constraint": None}
                                                         for e in expected]
    for row, e in zip(rows, expected, strict=True):
        assert row["constraint"] == pytest.approx(e["constraint"], rel=1e-12)


def check_helix_linkage(g, params, results):
    [rows] = results
    net = network(g, exclude_kinds=("Sector",))
    if params["sector"] is None:
        expected = helix_linkage(net)
    else:
        wanted = params["sector"].lower()
        sectors = [s for s, a in g.nodes(data=True) if a["kind"] == "Sector" and wanted in (
            s, a["name_zh"].lower(), a["name_en"].lower())]
        members = {u for s in sectors for u, by_rel in g.pred[s].items()
                   if any(r in ("WORKS_IN_SECTOR", "TARGETS_SECTOR") and holds(r, a)
                          for r, a in by_rel.items())}
        expected = helix_linkage(net, members)
    assert [{"sphere_a": r["sphere_a"], "sphere_b": r["sphere_b"], "ties": r["ties"]}
            for r in rows] == [{"sphere_a": e["spheres"][0], "sphere_b": e["spheres"][1],
                                "ties": e["ties"]} for e in expected]


def check_transfer_gap(g, params, results):
    [rows] = results
    kind = params["partner_kind"]
    spheres = network(g).spheres
    membership = communities(g, membership=True, limit=1)["membership"]
    label = {c["rank"]: c["label"]["zh"] for c in communities(g, limit=10**6, top=3)[
        "communities"]}
    if kind == "Company":  # the API's transfer gaps
        items = gaps(g, kind="transfer_gap", limit=10**6)["items"]
        expected_ids = [i["subject"]["id"] for i in items]
        totals = {i["subject"]["id"]: i["exists_total"] for i in items}
        planned = {i["subject"]["id"]: sorted(
            g.nodes[e["to"] if e["from"] == i["subject"]["id"] else e["from"]]["name_zh"]
            for e in i["planned"]) for i in items}
    else:  # the same absence for another kind of partner, counted here by hand
        expected_ids, totals, planned = [], {}, {}
        for lab in sorted(n for n, a in g.nodes(data=True) if a["kind"] == "Lab"):
            edges = [(o, r, a) for o, by_rel in [*g.succ[lab].items(), *g.pred[lab].items()]
                     for r, a in by_rel.items() if g.nodes[o]["kind"] == kind]
            if not any(holds(r, a) for _, r, a in edges):
                expected_ids.append(lab)
                totals[lab] = node_edges(g, lab, 0)[1]
                planned[lab] = sorted(g.nodes[o]["name_zh"] for o, _, a in edges
                                      if a.get("status") == "planned")
    assert [r["id"] for r in rows] == expected_ids
    for row in rows:
        lab = g.nodes[row["id"]]
        assert row["name"] == lab["name_zh"]
        assert row["sphere"] == spheres.get(row["id"])
        assert row["community"] == label[membership[row["id"]]]
        assert row["links"] == totals[row["id"]]
        assert sorted(row["planned"]) == planned[row["id"]]
        assert row["quote"] == lab["provenance"][0]["quote"]


CHECKS: dict[str, tuple[Callable, list[dict[str, Any]]]] = {
    "01_funds_backing_labs.cypher": (check_backing, [{}, {"fund": "长兴基金"},
                                                     {"fund": "future-seed-fund"}]),
    "02_labs_by_sector.cypher": (check_labs_by_sector, [{}]),
    "03_park_companies_labs.cypher": (check_parks, [{}]),
    "04_shortest_path.cypher": (check_shortest_path, [
        {}, {"from_name": "一汽", "to_name": "吉林大学"},
        {"from_name": "Future Seed Fund", "to_name": "changbaishan-lab"}]),
    "05_most_central.cypher": (check_most_central, [{}]),
    "05b_brokers.cypher": (check_brokers, [{}]),
    "06_program_supports.cypher": (check_program, [
        {}, {"program": "外国高端人才确认函"},
        {"program": "intl-cooperation-park-special-project"}]),
    "07_source_article.cypher": (check_source, [{}, {"source": "001_c2433cd2966890d3.txt"}]),
    "07b_source_relations.cypher": (check_source_relations, [
        {}, {"source": "001_c2433cd2966890d3.txt"}]),
    "08_fund_figures.cypher": (check_funds, [{}]),
    "09_events.cypher": (check_events, [{}]),
    "10_kinds_and_relations.cypher": (check_counts, [{}]),
    "11_name_search.cypher": (check_name_search, [{}, {"q": "吉林"}, {"q": "实验室"}]),
    "11b_name_contains.cypher": (check_name_contains, [{}, {"q": "吉林"}, {"q": "实验室"}]),
    "12_entity_card.cypher": (check_entity_card, [{}, {"name": "一汽"}, {"name": "CIOMP"}]),
    "12b_entity_relations.cypher": (check_entity_relations, [{}, {"name": "一汽"},
                                                             {"name": "CIOMP"}]),
    "13_metric_over_time.cypher": (check_metric_over_time, [
        {}, {"subject": "changchun", "metric": "national_sci_tech_awards"},
        {"subject": "Changchun", "metric": "国家级科技奖项"}]),
    "14_new_since.cypher": (check_new_since, [{}, {"after": 2021}]),
    "15_plans_and_outcomes.cypher": (check_plans, [{}]),
    "16_communities.cypher": (check_communities, [{}, {"communities": 3, "shown": 2}]),
    "16b_brokers_effective_size.cypher": (check_broker_sizes, [
        {}, {"in_sphere": "industry", "top": 5}, {"in_sphere": "university"}]),
    "16c_helix_linkage.cypher": (check_helix_linkage, [
        {}, {"sector": "光电信息"}, {"sector": "Biomedicine"}]),
    "16d_transfer_gap.cypher": (check_transfer_gap, [{}, {"partner_kind": "Fund"}]),
}
CASES = [(name, overrides) for name, (_, runs) in CHECKS.items() for overrides in runs]
