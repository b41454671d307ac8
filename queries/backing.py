"""Which funds back which labs, and the general question: which X reach which Y.

A backing chain starts at a Fund and ends at a Lab, at most ``max_length`` hops, and every
step follows one of the links below (``rel``, stored ``direction``) allowed from the kind of
node it leaves. The first intermediate node names the chain's ``pattern``:

- ``direct``: fund -FUNDS/INVESTS_IN-> lab;
- ``via_program``: fund -> programme or subsidy scheme (a Program or another Fund) -> lab;
  a fund that is PART_OF a funding programme also backs what that programme funds;
- ``via_institution`` / ``via_company`` / ``via_park``: the fund funds or invests in an
  institution, company or park that operates, established, hosts, funds or supports the lab,
  or that the lab is affiliated with, located in or part of;
- ``via_sector``: fund -TARGETS_SECTOR-> sector <-WORKS_IN_SECTOR- lab. No source says that
  this fund backs that lab: the chain is an inference from a shared sector, so it is marked
  ``inferred: true`` and its explanation says so.
- ``via_institution_group``: the chain passes through an institution group (an Institution of
  subtype ``group``, e.g. 高校院所, universities and research institutes in general), e.g.
  fund -INVESTS_IN-> start-up teams -AFFILIATED_WITH-> group <-MEMBER_OF- member institution
  -OPERATES-> lab. A chain enters a group only over AFFILIATED_WITH (or a fund's money link)
  and leaves it only to a member, so it is also an inference: the sources tie what the fund
  backs to the group in general, not to that member; ``inferred: true``, explained so.

A step over a collective edge (one with ``collective_of``: the source states the relation of
a group as a whole, e.g. 实验室 achieving results in four fields, not of the member the edge
starts at) is listed in the chain's ``collective_of`` (the group ids) and its explanation
says that the member's relation is not stated.

Chains are ranked stated before inferred, then shorter first, then by pattern in the order
above; fund-lab pairs rank by their best chain, so pairs with only inferred chains come last.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice, product
from math import prod
from operator import itemgetter
from typing import Any, NamedTuple

import networkx as nx

from graph.schema import load_schema
from queries import checks
from queries.errors import InvalidQuery
from queries.traverse import Walk, check_nodes, ids_of_kind, per_version
from queries.views import (
    BACKWARD,
    FORWARD,
    hop_from_edge,
    node_summaries,
    node_summary,
    path_view,
)

Json = dict[str, Any]
Step = tuple[str, str, str, str]  # (from node, to node, relation, stored direction)

MONEY = (("FUNDS", FORWARD), ("INVESTS_IN", FORWARD))
COLLECTIVE = "collective_of"  # edge property: the group a collective statement is about
# An institution group (GROUP_KIND of subtype GROUP_SUBTYPE) has its own row in LINKS, GROUP.
GROUP_KIND, GROUP_SUBTYPE, GROUP = "Institution", "group", "InstitutionGroup"
INTO_GROUP = ("AFFILIATED_WITH", FORWARD)  # a unit belongs to a group
MEMBER_LINK = ("MEMBER_OF", BACKWARD)  # group <- member: the only way out of a group
# The links a chain may follow out of a node, by the node's kind (or GROUP).
LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "Fund": (*MONEY, ("SUPPORTS", FORWARD)),
    "Program": (("FUNDS", FORWARD), ("SUPPORTS", FORWARD)),
    "Institution": (*MONEY, ("SUPPORTS", FORWARD), ("OPERATES", FORWARD), ("HOSTS", FORWARD),
                    ("ESTABLISHED", FORWARD), ("AFFILIATED_WITH", BACKWARD),
                    ("PART_OF", BACKWARD), INTO_GROUP),
    "Company": (*MONEY, ("SUPPORTS", FORWARD), ("OPERATES", FORWARD), ("HOSTS", FORWARD),
                ("AFFILIATED_WITH", BACKWARD), INTO_GROUP),
    "Park": (("FUNDS", FORWARD), ("SUPPORTS", FORWARD), ("HOSTS", FORWARD),
             ("LOCATED_IN", BACKWARD), ("PART_OF", BACKWARD)),
    GROUP: (MEMBER_LINK,),
}
# Links a chain may follow only into a node of the given class (kind or GROUP).
ONLY_INTO = {INTO_GROUP: GROUP}
# out of the fund that starts the chain (PART_OF only into a Program)
FIRST_LINKS = (*MONEY, ("PART_OF", FORWARD), ("TARGETS_SECTOR", FORWARD))
SECTOR_LINK = ("WORKS_IN_SECTOR", BACKWARD)  # sector <- lab, only right after the fund
PATTERNS = ("direct", "via_program", "via_institution", "via_company", "via_park", "via_sector",
            "via_institution_group")
GROUP_PATTERN = "via_institution_group"  # any chain through a group
INFERRED = frozenset({"via_sector", GROUP_PATTERN})
PATTERN_OF_KIND = {"Program": "via_program", "Fund": "via_program",
                   "Institution": "via_institution", "Company": "via_company",
                   "Park": "via_park", "Sector": "via_sector"}
LEADS = {
    "direct": ("直接支持", "Direct backing"),
    "via_program": ("经由计划或补助", "Via a programme or subsidy scheme"),
    "via_institution": ("经由机构", "Via an institution"),
    "via_company": ("经由企业", "Via a company"),
    "via_park": ("经由园区", "Via a park"),
    "via_sector": ("推断（原文未直接陈述，依据领域相同）",
                   "Inferred from a shared sector (not stated in the sources)"),
    "via_institution_group": ("推断（原文未直接陈述，依据机构群体的成员）",
                              "Inferred through a member of an institution group "
                              "(not stated in the sources)"),
}
#: The relation and node kinds a chain may use: all a store need read to answer backing.
RELATIONS = frozenset(rel for links in (*LINKS.values(), FIRST_LINKS, (SECTOR_LINK,))
                      for rel, _ in links)
NODE_KINDS = frozenset({*PATTERN_OF_KIND, "Lab"})


def links_out(attrs: dict[str, Any], depth: int) -> tuple[list[str], list[str]]:
    """The relation kinds (stored out of the node, stored into it) a chain may follow out of
    a node met ``depth`` steps from a fund that starts chains (0: that fund). A store reads
    the backing subgraph by following these from the funds, ``max_length - 1`` levels deep:
    every step of a chain (and of a node's fewest steps to a lab, where it is within the
    hops left) leaves a node at most that deep, so ``backing`` answers on it as on the
    whole graph."""
    kind = attrs["kind"]
    if kind == "Sector":  # only right after the fund
        links: tuple[tuple[str, str], ...] = (SECTOR_LINK,) if depth == 1 else ()
    else:
        links = () if kind == "Lab" else LINKS.get(link_class(attrs), ())
    if depth == 0:
        links = (*FIRST_LINKS, *links)
    return (sorted({rel for rel, way in links if way == FORWARD}),
            sorted({rel for rel, way in links if way == BACKWARD}))


DEFAULT_MAX_LENGTH = 4  # the group pattern takes 4 hops: fund, teams, group, member, lab
DEFAULT_CHAINS_PER_PAIR = 5
DEFAULT_TIMEOUT = 5.0
#: What an answer kept for asking again holds per chain, in KiB: its share of the answer
#: (about 2.5) and of the answer's JSON text, kept with it (2 to 2.6 on data/).
CHAIN_KIB = 5


def backing(g: nx.MultiDiGraph, *, fund: str | None = None, lab: str | None = None,
            max_length: int = DEFAULT_MAX_LENGTH, limit: int = 100,
            chains_per_pair: int = DEFAULT_CHAINS_PER_PAIR,
            timeout: float = DEFAULT_TIMEOUT) -> Json:
    """Fund-lab pairs with their ranked, explained chains (see the module docstring).

    Returns ``{"fund", "lab", "max_length", "total_pairs", "truncated", "timed_out",
    "pairs", "nodes"}``; each pair is ``{"fund", "lab"`` (summaries), ``"inferred"`` (only
    inferred chains), ``"best_length"``, ``"patterns"``, ``"chains_total"``, ``"chains"}``
    and each chain ``{"pattern", "inferred", "length", "nodes", "hops", "explanation":
    {"zh", "en"}}``.

    Each call searches; the query service keeps answers (``kept_weight``)."""
    funds = _endpoints(g, fund, "fund", "Fund")
    labs = _endpoints(g, lab, "lab", "Lab") if lab is not None else None  # None: any lab
    checks.at_least_one(max_length=max_length, limit=limit)
    toward = (_TowardLabs(_hops_to(g, labs, max_length)) if labs is not None
              else per_version(g, "_backing_toward_any_lab", _toward_any_lab))
    deadline = time.monotonic() + timeout
    records: dict[str, list[_Record]] = {}
    timed_out = False
    try:
        for fund_id in funds:
            _records(g, fund_id, max_length, toward, deadline, records.setdefault(fund_id, []))
    except _OutOfTime:
        timed_out = True  # pairs found so far are kept; the answer says it is partial
    total, ranked = 0, []  # the first pairs of each fund; the first of all are among them
    for fund_id, fund_records in records.items():
        if not fund_records:
            continue
        reached, first = _best_ranks(fund_records, limit)
        total += reached
        ranked += [(rank, fund_id, lab_id) for rank, lab_id in first]
    ranked.sort(key=itemgetter(0, 1))  # stable: each fund's pairs come in rank order
    del ranked[limit:]
    shown: dict[str, dict[str, _PairChains]] = defaultdict(dict)
    for _, fund_id, lab_id in ranked:
        shown[fund_id][lab_id] = _PairChains()
    for fund_id, pairs in shown.items():
        _collect(records[fund_id], pairs, chains_per_pair)
    shaper = _Shaper(g)
    views = [shaper.pair(fund_id, lab_id, rank[1], shown[fund_id][lab_id])
             for rank, fund_id, lab_id in ranked]
    on_chains = {n: shaper.summary(n) for p in views for c in p["chains"] for n in c["nodes"]}
    return {"fund": fund, "lab": lab, "max_length": max_length,
            "total_pairs": total, "truncated": total > limit,
            "timed_out": timed_out, "pairs": views, "nodes": on_chains}


def kept_weight(answer: Json) -> int | None:
    """What keeping ``answer`` costs, in KiB (``queries.kept.KEPT_KIB``; its chains and its
    encoded JSON: ``CHAIN_KIB`` each); None for a partial answer, which asking again may
    complete."""
    if answer["timed_out"]:
        return None
    return CHAIN_KIB * (1 + sum(len(p["chains"]) for p in answer["pairs"]))


def _endpoints(g: nx.MultiDiGraph, node_id: str | None, field: str, kind: str
               ) -> Sequence[str]:
    if node_id is None:
        return ids_of_kind(g, kind)
    check_nodes(g, node_id)
    actual = g.nodes[node_id]["kind"]
    if actual != kind:
        raise InvalidQuery(field, f"{node_id} is a {actual}, not a {kind}")
    return [node_id]


def link_class(attrs: dict[str, Any]) -> str:
    """The row of ``LINKS`` for a node (by its attributes): its kind, or GROUP."""
    return GROUP if _is_group(attrs) else attrs["kind"]


# Where each link sits in the table of its class (the search tries links in table order).
_ORDER: dict[str, dict[tuple[str, str], int]] = {
    cls: {link: i for i, link in enumerate(links)}
    for cls, links in {**LINKS, "Sector": (SECTOR_LINK,)}.items()}
_FIRST_ORDER = {link: i for i, link in enumerate(FIRST_LINKS)}
_Out = tuple[int, str, str, str]  # (position in the table, other node, relation, direction)


def _order_of(attrs: dict[str, Any]) -> dict[tuple[str, str], int] | None:
    """The links a chain may follow out of a node (by its attributes); None for a lab, which
    ends a chain, and for kinds no chain passes through."""
    kind = attrs["kind"]
    return None if kind == "Lab" else _ORDER.get(link_class(attrs))


def _steps_out(g: nx.MultiDiGraph, node: str, order: dict[tuple[str, str], int]) -> list[_Out]:
    """The links out of ``node`` that ``order`` allows, in table order (adjacency order within
    one link): one pass over each adjacency, however many links the table has."""
    found = []
    for adjacency, direction in ((g._succ, FORWARD), (g._pred, BACKWARD)):
        for other, by_rel in adjacency[node].items():
            if other != node:
                for rel in by_rel:
                    at = order.get((rel, direction))
                    if at is not None:
                        found.append((at, other, rel, direction))
    found.sort(key=itemgetter(0))
    return found


def _may_step(from_kind: str, link: tuple[str, str], to_attrs: dict[str, Any]) -> bool:
    """The rules beyond the link table: a sector only right after the fund and only on to a
    lab; a link of ``ONLY_INTO`` only into its class."""
    to_kind = to_attrs["kind"]
    if to_kind == "Sector" or (from_kind == "Sector" and to_kind != "Lab"):
        return False
    only_into = ONLY_INTO.get(link)
    return only_into is None or link_class(to_attrs) == only_into


def _hops_to(g: nx.MultiDiGraph, labs: Collection[str], cutoff: int | None) -> dict[str, int]:
    """The fewest steps from each node to one of ``labs`` by the link table and the step
    rules, passing no lab (at most ``cutoff``; None: any). A chain, being a simple path, needs
    at least as many: the search prunes every step that cannot reach a lab in the hops left.
    Breadth-first from the labs, stepping back over the links that lead to them."""
    attrs = g._node
    hops = dict.fromkeys(labs, 0)
    frontier, depth = list(hops), 0
    while frontier and (cutoff is None or depth < cutoff):
        depth += 1
        reached = []
        for v in frontier:
            to_attrs = attrs[v]
            # u steps forward to v over a stored u -> v edge, backward over v -> u
            for adjacency, direction in ((g._pred, FORWARD), (g._succ, BACKWARD)):
                for u, by_rel in adjacency[v].items():
                    if u in hops:
                        continue
                    order = _order_of(attrs[u])
                    if order and any((rel, direction) in order and _may_step(
                            attrs[u]["kind"], (rel, direction), to_attrs) for rel in by_rel):
                        hops[u] = depth
                        reached.append(u)
        frontier = reached
    return hops


# The steps from one node to the next, one per link joining them, in table order: chains
# through the same nodes differ only there, and rank in that order (the search's order).
Choices = tuple[Step, ...]


def _by_next_node(node: str, links: Iterable[_Out]) -> dict[str, Choices]:
    """``links`` out of ``node`` (``_Out``, in table order) as steps by next node, in
    node-id order."""
    by_node: dict[str, list[Step]] = {}
    for _, nxt, rel, direction in links:
        by_node.setdefault(nxt, []).append((node, nxt, rel, direction))
    return {nxt: tuple(by_node[nxt]) for nxt in sorted(by_node)}


# Next nodes that step into labs: (next node, choices, its steps into labs by lab).
_NearSteps = tuple[tuple[str, Choices, dict[str, Choices]], ...]


@dataclass(frozen=True, slots=True)
class _Near:
    """The next nodes of one node that step into labs (are one hop from a lab) and are not
    institution groups: ``steps``, in node-id order; ``labs``, the labs they step into."""

    steps: _NearSteps
    labs: frozenset[str]

    def has(self, node: str) -> bool:
        """Whether ``node`` is one of the next nodes (a binary search: they are in order)."""
        at = bisect_left(self.steps, node, key=itemgetter(0))
        return at < len(self.steps) and self.steps[at][0] == node

    def into_labs(self, passed: tuple[str, ...]
                  ) -> Iterator[tuple[Choices, dict[str, Choices]]]:
        """(choices, steps into labs by lab) of the next nodes not in ``passed``."""
        for nxt, choices, labs in self.steps:
            if nxt not in passed:
                yield choices, labs

    def reached(self, passed: tuple[str, ...]) -> Collection[str]:
        """The labs the next nodes not in ``passed`` step into."""
        if not passed:
            return self.labs
        return set().union(*(labs for _, labs in self.into_labs(passed)))


_NO_NEAR = _Near((), frozenset())


@dataclass(slots=True)  # one per node on the way to a lab
class _Onward:
    """The steps out of one node that can still reach a lab, in node-id order: ``labs``,
    into a lab, by lab; ``others``, (next node's hops to a lab, next node, choices, whether
    the next node is an institution group) toward the other nodes. ``near``: the next
    nodes one hop from a lab that are not groups, and those that are (``_TowardLabs.near``)."""

    labs: dict[str, Choices]
    others: tuple[tuple[int, str, Choices, bool], ...]
    _within: dict[int, tuple[tuple[str, Choices, bool], ...]] = field(default_factory=dict)
    near: tuple[_Near, _NearSteps] | None = None

    def within(self, left: int) -> tuple[tuple[str, Choices, bool], ...]:
        """``others`` to a node at most ``left`` hops from a lab, without the hops."""
        steps = self._within.get(left)
        if steps is None:
            steps = self._within[left] = tuple(o[1:] for o in self.others if o[0] <= left)
        return steps


@dataclass
class _TowardLabs:
    """``hops``: as ``_hops_to``; ``onward``: each node's ``_Onward`` (and its ``near``),
    made the first time the search needs it (all at once for the any-lab index, kept per
    graph version)."""

    hops: dict[str, int]
    onward: dict[str, _Onward] = field(default_factory=dict)

    def out_of(self, g: nx.MultiDiGraph, node: str) -> _Onward:
        entry = self.onward.get(node)
        if entry is None:
            attrs, hops = g._node, self.hops
            kind, order = attrs[node]["kind"], _order_of(attrs[node])
            by_node = _by_next_node(node, (
                s for s in (_steps_out(g, node, order) if order else ())
                if s[1] in hops and _may_step(kind, (s[2], s[3]), attrs[s[1]])))
            entry = self.onward[node] = _Onward(
                {n: c for n, c in by_node.items() if hops[n] == 0},
                tuple((hops[n], n, c, _is_group(attrs[n])) for n, c in by_node.items()
                      if hops[n] > 0))
        return entry

    def near(self, g: nx.MultiDiGraph, node: str) -> tuple[_Near, _NearSteps]:
        """The next nodes of ``node`` one hop from a lab, with their steps into labs: those
        that are not institution groups, and those that are (their chains rank apart)."""
        entry = self.out_of(g, node)
        if entry.near is None:
            steps = [(nxt, choices, self.out_of(g, nxt).labs, group)
                     for hops, nxt, choices, group in entry.others if hops == 1]
            plain = tuple(s[:3] for s in steps if not s[3])
            entry.near = (_Near(plain, frozenset().union(*(s[2] for s in plain)))
                          if plain else _NO_NEAR, tuple(s[:3] for s in steps if s[3]))
        return entry.near


def _toward_any_lab(g: nx.MultiDiGraph) -> _TowardLabs:
    """The index toward any lab, every node's ``_Onward`` made at once (about 1 s and 45 MiB
    for 100k nodes): no request pays for a hub's first visit."""
    toward = _TowardLabs(_hops_to(g, ids_of_kind(g, "Lab"), None))
    for node, hops in toward.hops.items():
        if hops > 0:
            toward.out_of(g, node)
    for node, hops in toward.hops.items():
        if hops > 0:
            toward.near(g, node)
    return toward


class _OutOfTime(Exception):
    pass


# How chains rank before their node ids: (inferred, length, position of the pattern).
_RankClass = tuple[bool, int, int]
# Chains the search found, all of one rank class and pattern: (rank class, prefix: the
# choices of each step to a node, into, pattern, passed). ``into`` is either the node's steps
# into labs, by lab: the chains are the prefix plus one of them; or the node's next nodes one
# hop from a lab (``_Near``), except those in ``passed`` (the nodes of the prefix among
# them): the chains are the prefix, the choices to one of them, and one of its steps into
# labs.
_Record = tuple[_RankClass, tuple[Choices, ...], dict[str, Choices] | _Near, str,
                tuple[str, ...]]


def _records(g: nx.MultiDiGraph, fund: str, max_length: int, toward: _TowardLabs,
             deadline: float, records: list[_Record]) -> None:
    """Appends to ``records``, depth-first in node-id order, the chains from ``fund`` (of at
    most ``max_length`` steps, through distinct nodes) to the labs of ``toward`` (the nodes
    0 hops away); a chain ends at the first lab. Steps that cannot reach a lab in the hops
    left are never taken. Raises ``_OutOfTime`` past ``deadline``, with the records found
    so far appended."""
    attrs, hops = g._node, toward.hops
    path = [fund]  # the nodes of the chain being extended
    visits = 0

    def extend(node: str, prefix: tuple[Choices, ...], pattern: str) -> None:
        nonlocal visits
        onward = toward.out_of(g, node)
        length = len(prefix) + 1  # of the chains through the next step
        inferred, position = _PATTERN_RANK[pattern]
        if onward.labs:
            records.append(((inferred, length, position), prefix, onward.labs, pattern, ()))
        left = max_length - length  # hops left after the next step
        if left <= 0:
            return
        visits += 1
        if visits % 64 == 0 and time.monotonic() > deadline:
            raise _OutOfTime
        if left == 1:  # the next nodes step only into labs: one record for them
            near, groups = toward.near(g, node)
            if near.steps:
                passed = tuple(n for n in path[:-1] if hops.get(n) == 1 and near.has(n))
                records.append(((inferred, length + 1, position), prefix, near, pattern,
                                passed))
            group_inferred, group_position = _PATTERN_RANK[GROUP_PATTERN]
            records.extend(((group_inferred, length + 1, group_position), (*prefix, choices),
                            labs, GROUP_PATTERN, ()) for nxt, choices, labs in groups
                           if nxt not in path)
            return
        for nxt, choices, group in onward.within(left):
            if nxt not in path:
                path.append(nxt)
                extend(nxt, (*prefix, choices), GROUP_PATTERN if group else pattern)
                path.pop()

    # a sector is at least 1 hop from a lab, so TARGETS_SECTOR needs max_length >= 2
    first = _by_next_node(fund, [
        s for s in _steps_out(g, fund, _FIRST_ORDER) if hops.get(s[1], max_length) < max_length
        and (s[2] != "PART_OF" or attrs[s[1]]["kind"] == "Program")])
    for nxt, choices in first.items():
        if hops[nxt] > 0:
            path.append(nxt)
            extend(nxt, (choices,), GROUP_PATTERN if _is_group(attrs[nxt])
                   else PATTERN_OF_KIND[attrs[nxt]["kind"]])
            path.pop()
    direct = {lab: choices for lab, choices in first.items() if hops[lab] == 0}
    if direct:
        inferred, position = _PATTERN_RANK["direct"]
        records.append(((inferred, 1, position), (), direct, "direct", ()))


def _into_labs(record: _Record) -> Iterator[tuple[Choices | None, dict[str, Choices]]]:
    """The nodes of a record that step into labs: (choices of the step to the node after the
    prefix, None if the prefix ends there; its steps into labs by lab), in node-id order."""
    _, _, into, _, passed = record
    if isinstance(into, dict):
        yield None, into
    else:
        yield from into.into_labs(passed)


def _reached(record: _Record) -> Collection[str]:
    """The labs a record's chains reach."""
    _, _, into, _, passed = record
    return into if isinstance(into, dict) else into.reached(passed)


def _best_ranks(records: list[_Record], limit: int) -> tuple[int, list[tuple[_RankClass, str]]]:
    """How many labs one fund's ``records`` reach, and the first ``limit`` of them in rank
    order, each with the rank class of its best chain. Sorts ``records`` by rank class:
    found depth-first in node-id order, within a class they stay in node-id order, so the
    first chain met to a lab is its best, and labs are met in the order of their best
    chains."""
    records.sort(key=itemgetter(0))
    best: dict[str, _RankClass] = {}
    for record in records:
        for _, labs in _into_labs(record):
            for lab in labs:
                if lab not in best:
                    best[lab] = record[0]
        if len(best) >= limit:
            break
    reached = len(set().union(*map(_reached, records)))
    return reached, [(rank, lab) for lab, rank in best.items()][:limit]


@dataclass
class _PairChains:
    """The chains of one fund-lab pair: the first few in rank order, with their patterns;
    how many in all and their patterns."""

    chains: list[tuple[str, list[Step]]] = field(default_factory=list)
    total: int = 0
    patterns: set[str] = field(default_factory=set)


def _collect(records: list[_Record], pairs: dict[str, _PairChains], chains_per_pair: int
             ) -> None:
    """Fills ``pairs`` (by lab) from one fund's ``records``, as sorted by ``_best_ranks``:
    in rank order, the first ``chains_per_pair`` chains of each pair."""
    shown = pairs.keys()
    for record in records:
        if shown.isdisjoint(_reached(record)):
            continue
        _, prefix, _, pattern, _ = record
        ways = prod(map(len, prefix))  # chains through the prefix
        for last, labs in _into_labs(record):
            if shown.isdisjoint(labs):  # most nodes: checked without building a set
                continue
            through = ways if last is None else ways * len(last)
            for lab in shown & labs.keys():
                pair, steps = pairs[lab], labs[lab]
                pair.total += through * len(steps)
                pair.patterns.add(pattern)
                wanted = chains_per_pair - len(pair.chains)
                if wanted > 0:
                    choices = (*prefix, steps) if last is None else (*prefix, last, steps)
                    pair.chains += ((pattern, list(chain))
                                    for chain in islice(product(*choices), wanted))


def _is_group(attrs: dict[str, Any]) -> bool:
    return attrs["kind"] == GROUP_KIND and attrs.get("subtype") == GROUP_SUBTYPE


_PATTERN_RANK = {pattern: (pattern in INFERRED, i) for i, pattern in enumerate(PATTERNS)}


class _StepView(NamedTuple):  # a tuple: made ~50 times an answer, faster than a dataclass
    """One step of a chain as answers show it: its hop, its words (zh, en), the collective
    statement it rests on (member, relation, other end, group; stored direction), if any,
    and whether it goes into an institution group."""

    hop: Json
    zh: str
    en: str
    collective: tuple[str, str, str, str] | None
    into_group: bool


class _Shaper:
    """The JSON of one answer. A fund's chains share most of their steps and all their ends,
    so each step's hop and words and each node's summary are made once per answer, and the
    same (read-only) object stands wherever it recurs."""

    def __init__(self, g: nx.MultiDiGraph):
        self.g = g
        self.labels = load_schema().relation_kinds
        self.steps: dict[Step, _StepView] = {}
        self.summaries: dict[str, Json] = {}

    def summary(self, node: str) -> Json:
        found = self.summaries.get(node)
        if found is None:
            found = self.summaries[node] = node_summary(self.g, node)
        return found

    def step(self, step: Step) -> _StepView:
        found = self.steps.get(step)
        if found is None:
            found = self.steps[step] = self._step_view(step)
        return found

    def _step_view(self, step: Step) -> _StepView:
        u, v, rel, direction = step
        nodes = self.g._node
        src, dst = (u, v) if direction == FORWARD else (v, u)
        a, b, label = nodes[src], nodes[dst], self.labels[rel]
        group = self.g._succ[src][dst][rel].get(COLLECTIVE)
        return _StepView(hop_from_edge(self.g, u, v, rel, direction),
                         f"{a['name_zh']}{label.zh}{b['name_zh']}",
                         f"{a['name_en']} {label.en} {b['name_en']}",
                         None if group is None else (src, rel, dst, group),
                         _is_group(nodes[v]))

    def pair(self, fund: str, lab: str, best_length: int, pair: _PairChains) -> Json:
        return {"fund": self.summary(fund), "lab": self.summary(lab),
                "inferred": pair.patterns <= INFERRED, "best_length": best_length,
                "patterns": sorted(pair.patterns, key=PATTERNS.index),
                "chains_total": pair.total,
                "chains": [self.chain(pattern, c) for pattern, c in pair.chains]}

    def chain(self, pattern: str, chain: list[Step]) -> Json:
        views = [self.step(step) for step in chain]
        return {"pattern": pattern, "inferred": pattern in INFERRED, "length": len(chain),
                "nodes": [chain[0][0], *(step[1] for step in chain)],
                "hops": [view.hop for view in views],
                "collective_of": [view.collective[3] for view in views if view.collective],
                "explanation": self.explain(chain, pattern, views)}

    def explain(self, chain: list[Step], pattern: str, views: list[_StepView]
                ) -> dict[str, str]:
        """The chain in words, zh and en, from node names and the schema's relation
        labels."""
        nodes = self.g._node
        lead_zh, lead_en = LEADS[pattern]
        zh = f"{lead_zh}：{'；'.join(view.zh for view in views)}"
        en = f"{lead_en}: {'; '.join(view.en for view in views)}"
        fund, lab = nodes[chain[0][0]], nodes[chain[-1][1]]
        if pattern == GROUP_PATTERN:  # the first step into a group (never the last step)
            at = next(i for i, view in enumerate(views[:-1]) if view.into_group)
            entry, group, member = (nodes[n] for n in (chain[at][0], chain[at][1],
                                                       chain[at + 1][1]))
            if at == 0:  # the fund itself backs the group
                zh += (f"。原文只说{fund['name_zh']}支持{group['name_zh']}这一整体，"
                       f"并未说明支持{member['name_zh']}")
                en += (f". The sources say {fund['name_en']} backs {group['name_en']} in "
                       f"general, not {member['name_en']} in particular")
            else:
                zh += (f"。原文只说{fund['name_zh']}所支持的{entry['name_zh']}属于"
                       f"{group['name_zh']}这一整体，并未说明属于{member['name_zh']}")
                en += (f". The sources say that {entry['name_en']}, backed by "
                       f"{fund['name_en']}, belong to {group['name_en']} in general, not to "
                       f"{member['name_en']} in particular")
        for view in views:
            if view.collective is not None:
                member, rel, other, _ = view.collective
                m, o, label = nodes[member], nodes[other], self.labels[rel]
                zh += (f"。原文所说的是{m['name_zh']}所属群体的整体情况，"
                       f"并未单独说明{m['name_zh']}{label.zh}{o['name_zh']}")
                en += (f". The sources state this of a group {m['name_en']} belongs to as a "
                       f"whole: that {m['name_en']} itself {label.en} {o['name_en']} is not "
                       f"stated")
        if pattern in INFERRED:
            zh += f"。据此推断{fund['name_zh']}可能支持{lab['name_zh']}"
            en += f". Hence {fund['name_en']} may back {lab['name_en']}"
        return {"zh": zh + "。", "en": en + "."}


# -- the generalisation ---------------------------------------------------------------------

def reach(g: nx.MultiDiGraph, from_kinds: Collection[str], to_kinds: Collection[str],
          relations: Collection[str] | None, max_length: int, *, directed: bool = True,
          limit: int = 100, timeout: float = DEFAULT_TIMEOUT) -> Json:
    """Which entities of ``from_kinds`` reach entities of ``to_kinds`` within ``max_length``
    hops over ``relations`` (None = all), following edge direction when ``directed``.

    Returns ``{"total", "truncated", "timed_out", "pairs", "nodes", ...filters}``; each pair
    is ``{"from", "to"`` (ids), ``"length"`` (shortest), ``"path"`` (one shortest path with
    its hops)}, shortest first."""
    schema = load_schema()
    for name, kinds in (("from_kinds", from_kinds), ("to_kinds", to_kinds)):
        unknown = sorted(set(kinds) - set(schema.node_kinds))
        if not kinds or unknown:
            raise InvalidQuery(name, f"unknown node kinds {unknown}" if unknown
                               else "give at least one node kind")
    if relations is not None:
        unknown = sorted(set(relations) - set(schema.relation_kinds))
        if unknown:
            raise InvalidQuery("relations", f"unknown relation kinds {unknown}")
    if max_length < 1:
        raise InvalidQuery("max_length", f"must be at least 1, got {max_length}")
    walk = Walk.of(g, relations=relations, directed=directed)
    targets = set(to_kinds)
    deadline = time.monotonic() + timeout
    found: list[tuple[int, str, str, list[str]]] = []
    timed_out = False
    starts = sorted(n for kind in set(from_kinds) for n in ids_of_kind(g, kind))
    for start in starts:
        parents: dict[str, str | None] = {start: None}
        frontier, depth = [start], 0
        while frontier and depth < max_length:
            depth += 1
            nxt = []
            for u in frontier:
                for w in walk.onward(u):
                    if w in parents:
                        continue
                    parents[w] = u
                    nxt.append(w)
                    if g._node[w]["kind"] in targets:
                        found.append((depth, start, w, _trace(parents, w)))
            frontier = nxt
        if time.monotonic() > deadline:
            timed_out = True
            break
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    shown = found[:limit]
    return {"from_kinds": sorted(from_kinds), "to_kinds": sorted(to_kinds),
            **walk.describe(), "max_length": max_length, "total": len(found),
            "truncated": len(found) > limit, "timed_out": timed_out,
            "pairs": [{"from": a, "to": b, "length": d,
                       "path": path_view(g, p, walk.relations, walk.directed)}
                      for d, a, b, p in shown],
            "nodes": node_summaries(g, (n for *_, p in shown for n in p))}


def _trace(parents: dict[str, str | None], node: str) -> list[str]:
    path = [node]
    while parents[path[-1]] is not None:
        path.append(parents[path[-1]])
    return path[::-1]
