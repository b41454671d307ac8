"""What each shipped SPARQL example (queries/sparql/*.rq) must answer, computed from the graph
by the query layer (``queries.backing.backing``, ``statistics``) or directly over networkx.

Each check takes the graph and the example's rows (Python values, from any client: rdflib,
pyoxigraph or SPARQLWrapper over HTTP) and returns ``(answer, expected)``, comparable with
``==``. Used by tests/test_rdf_sparql.py (in-process engines) and tests/test_sparql_endpoint.py
(the endpoint over real HTTP)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import networkx as nx

from graph.embedded import statistics
from graph.rdf.namespaces import IriScheme, vocabulary
from queries.backing import backing

VOCAB = vocabulary()
IRIS = IriScheme("https://innograph.org/")
Rows = list[dict[str, Any]]
ENTITY = "changxing-fund"  # quotes-for-entity's entity where the graph has it
BACKING_PAGE = 100  # the API's default limit: funds-backing-labs's ?pairRank bound


def by_kind(g: nx.MultiDiGraph, kind: str) -> set[str]:
    return {n for n, k in g.nodes(data="kind") if k == kind}


def example_entity(g: nx.MultiDiGraph) -> str:
    """The entity quotes-for-entity is asked about: changxing-fund, else the busiest node."""
    return ENTITY if ENTITY in g else min(g.degree, key=lambda nd: (-nd[1], nd[0]))[0]


def asked_values(g: nx.MultiDiGraph, query: str) -> list[dict[str, str]]:
    """What an example is asked about on ``g`` (``with_values``), one run each: its rows
    together are what the check compares. quotes-for-entity: ``example_entity``;
    funds-backing-labs: every fund in turn (so the check covers the whole graph's chains)."""
    if "VALUES ?entity" in query:
        return [{"entity": example_entity(g)}]
    if "VALUES ?fund" in query:
        return [{"fund": fund} for fund in sorted(by_kind(g, "Fund"))]
    return [{}]


def _is_group(g: nx.MultiDiGraph, node: str) -> bool:
    attrs = g.nodes[node]
    return attrs["kind"] == "Institution" and attrs.get("subtype") == "group"


def in_example_shape(g: nx.MultiDiGraph, chain: dict) -> bool:
    """Whether a backing chain has a shape funds-backing-labs covers: at most two hops, or
    through an institution group entered at the first or second step and left to a member
    that is the lab or steps into it."""
    length, nodes = chain["length"], chain["nodes"]
    if length <= 2:
        return True
    if chain["pattern"] != "via_institution_group":
        return False
    at = next(i for i, n in enumerate(nodes[1:-1], start=1) if _is_group(g, n))
    return at in (1, 2) and length - at in (1, 2)


def _hop(g: nx.MultiDiGraph, hop: dict) -> tuple[str, str]:
    """(statement key, first quote) of a backing hop, in the stored direction."""
    src, dst = (hop["from"], hop["to"]) if hop["direction"] == "forward" else \
        (hop["to"], hop["from"])
    quote = g.edges[src, dst, hop["rel"]]["provenance"][0]["quote"]
    return f"{src}.{VOCAB.relation_term[hop['rel']]}.{dst}", quote


def backing_chains(g: nx.MultiDiGraph) -> list[tuple[dict, dict]]:
    """(pair, chain) of every chain the API finds (max_length 4, all chains)."""
    answer = backing(g, limit=10**6, chains_per_pair=10**6, timeout=120)
    assert not answer["timed_out"]
    return [(pair, chain) for pair in answer["pairs"] for chain in pair["chains"]]


def _chain_row(g: nx.MultiDiGraph, pair: dict, chain: dict) -> tuple:
    return (pair["fund"]["id"], pair["lab"]["id"], chain["pattern"], chain["inferred"],
            chain["length"], tuple(_hop(g, h) for h in chain["hops"]),
            (chain["collective_of"] or [None])[0])


def _row_chain(row: dict) -> tuple:
    return (row["fund"], row["lab"], row["pattern"], row["inferred"], row["length"],
            tuple((row[f"hop{i}"], row[f"quote{i}"]) for i in range(1, 5) if row.get(f"hop{i}")),
            row.get("collectiveOf"))


def funds_backing_labs(g: nx.MultiDiGraph, rows: Rows) -> tuple[list, list]:
    """The example asked about each fund in turn (``asked_values``) gives, in order, the
    chains of the API's answer for that fund (/api/v1/backing?fund=, its first page of
    ``BACKING_PAGE`` pairs and the chains it shows per pair), each hop with its statement's
    first quote."""
    expected = [_chain_row(g, pair, chain)
                for fund in sorted(by_kind(g, "Fund"))
                for pair in backing(g, fund=fund, limit=BACKING_PAGE, timeout=120)["pairs"]
                for chain in pair["chains"]]
    return [_row_chain(r) for r in rows], expected


def derived_funds_backing_labs(g: nx.MultiDiGraph, rows: Rows) -> tuple[set, set]:
    """queries/sparql/derived/funds-backing-labs.rq, which derives the chains from the
    statements: exactly the API's chains of the shapes it covers (``in_example_shape``)."""
    expected = {_chain_row(g, pair, chain)
                for pair, chain in backing_chains(g) if in_example_shape(g, chain)}
    answer = {_row_chain(r) for r in rows}
    assert len(answer) == len(rows)  # one row per chain
    return answer, expected


def labs_per_sector(g: nx.MultiDiGraph, rows: Rows) -> tuple[dict, dict]:
    labs = by_kind(g, "Lab")
    counts = Counter(v for u, v, rel in g.edges(keys=True)
                     if rel == "WORKS_IN_SECTOR" and u in labs)
    return {r["sector"]: r["labs"] for r in rows}, dict(counts)


def companies_per_park(g: nx.MultiDiGraph, rows: Rows) -> tuple[dict, dict]:
    companies, parks = by_kind(g, "Company"), by_kind(g, "Park")
    found: dict[tuple[str, str], tuple[set[str], set[str]]] = {}

    def add(park: str, basis: str, company: str, sector: str | None = None) -> None:
        names, sectors = found.setdefault((park, basis), (set(), set()))
        names.add(g.nodes[company]["name_zh"])
        if sector is not None:
            sectors.add(g.nodes[sector]["name_zh"])

    for u, v, rel in g.edges(keys=True):
        if rel == "LOCATED_IN" and u in companies and v in parks:
            add(v, "stated", u)
        if rel == "HOSTS" and u in parks and v in companies:
            add(u, "stated", v)
        if rel == "TARGETS_SECTOR" and u in parks:
            for c, _, r in g.in_edges(v, keys=True):
                if r == "WORKS_IN_SECTOR" and c in companies:
                    add(u, "shared_sector", c, v)
    expected = {key: (len(names), basis_inferred(key[1]), names, sectors)
                for key, (names, sectors) in found.items()}
    answer = {(r["park"], r["basis"]): (r["companies"], r["inferred"], _split(r["names"]),
                                        _split(r["sectors"])) for r in rows}
    return answer, expected


def basis_inferred(basis: str) -> bool:
    return basis != "stated"


def _split(text: str | None) -> set[str]:
    return set(filter(None, (text or "").split("、")))


def quotes_for_entity(g: nx.MultiDiGraph, rows: Rows) -> tuple[set, set]:
    entity = example_entity(g)
    expected = set()
    for direction, edges in (("out", g.out_edges(entity, keys=True, data=True)),
                             ("in", g.in_edges(entity, keys=True, data=True))):
        for u, v, rel, attrs in edges:
            other = v if direction == "out" else u
            for position, p in enumerate(attrs["provenance"], start=1):
                expected.add((direction, VOCAB.relation_term[rel], other,
                              IRIS.document(p["source"]), position, p["quote"]))
    return {(r["direction"], r["relation"], r["other"], r["document"], r["position"],
             r["quote"]) for r in rows}, expected


def quotes_per_source(g: nx.MultiDiGraph, rows: Rows) -> tuple[dict, dict]:
    totals = statistics(g)["quotes_by_source"]  # the query layer's statistics
    on_edges = Counter(p["source"] for _, _, prov in g.edges(data="provenance") for p in prov)
    return ({r["document"]: (r["quotes"], r["edgeQuotes"]) for r in rows},
            {IRIS.document(s): (n, on_edges[s]) for s, n in totals.items()})


def _observations(g: nx.MultiDiGraph, subject: str) -> list[dict]:
    return [g.nodes[v] for _, v, rel in g.out_edges(subject, keys=True)
            if rel == "HAS_OBSERVATION"]


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def fund_figures(g: nx.MultiDiGraph, rows: Rows) -> tuple[list, list]:
    expected = [(fund, g.nodes[fund]["name_zh"], o["metric"], _number(o.get("value")),
                 o.get("bound"), o.get("unit"), str(o["period_start"]), str(o["period_end"]),
                 o["status"], o["provenance"][0]["quote"])
                for fund in sorted(by_kind(g, "Fund")) for o in _observations(g, fund)]
    # largest value first (no value last), then fund, metric, end year
    expected.sort(key=lambda r: (r[3] is None, -(r[3] or 0), r[0], r[2], r[7]))
    answer = [(r["fund"], r["fundName"], r["metric"], _number(r["value"]), r["bound"],
               r["unit"], str(r["start"]), str(r["end"]), r["status"], r["quote"])
              for r in rows]
    return answer, expected


def metric_over_time(g: nx.MultiDiGraph, rows: Rows) -> tuple[list, list]:
    subject, metric = "changchun", "high_tech_enterprises"
    series = [o for o in _observations(g, subject) if o["metric"] == metric] \
        if subject in g else []
    expected = sorted((str(o["period_start"]), str(o["period_end"]), _number(o.get("value")),
                       _number(o.get("change_factor")), o["status"],
                       o["provenance"][0]["quote"]) for o in series)
    answer = [(str(r["start"]), str(r["end"]), _number(r["value"]),
               _number(r["changeFactor"]), r["status"], r["quote"]) for r in rows]
    return answer, expected


CHECKS: dict[str, Callable[[nx.MultiDiGraph, Rows], tuple[Any, Any]]] = {
    "funds-backing-labs": funds_backing_labs,
    "labs-per-sector": labs_per_sector,
    "companies-per-park": companies_per_park,
    "quotes-for-entity": quotes_for_entity,
    "quotes-per-source": quotes_per_source,
    "fund-figures": fund_figures,
    "metric-over-time": metric_over_time,
}
