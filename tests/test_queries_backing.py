"""queries.backing: fund-to-lab chains (patterns, ranking, explanations) and reach()."""

from __future__ import annotations

import networkx as nx
import pytest
from queries_fixtures import make_graph

from graph.embedded import build_graph, stamp_version
from graph.records import EdgeRecord, NodeRecord, Provenance
from graph.schema import load_schema
from queries import backing as backing_module
from queries.backing import (
    DEFAULT_MAX_LENGTH,
    FIRST_LINKS,
    GROUP,
    GROUP_KIND,
    GROUP_SUBTYPE,
    INFERRED,
    LINKS,
    ONLY_INTO,
    PATTERNS,
    SECTOR_LINK,
    backing,
    reach,
)
from queries.embedded_backend import EmbeddedBackend
from queries.errors import InvalidQuery
from queries.kept import KeptAnswer, KeptValues
from queries.traverse import ids_of_kind


@pytest.fixture(scope="module")
def patterns_graph() -> nx.MultiDiGraph:
    """One fund reaching six labs, one per pattern, and a second fund with one stated chain."""
    return make_graph(
        [("fund", "Fund"), ("fund2", "Fund"), ("prog", "Program"), ("inst", "Institution"),
         ("co", "Company"), ("park", "Park"), ("sec", "Sector"), ("other-sec", "Sector")]
        + [(f"lab-{p}", "Lab") for p in ("direct", "prog", "inst", "co", "park", "sec")],
        [("fund", "FUNDS", "lab-direct"),
         ("fund", "FUNDS", "prog"), ("prog", "SUPPORTS", "lab-prog"),
         ("fund", "INVESTS_IN", "inst"), ("inst", "OPERATES", "lab-inst"),
         ("fund", "INVESTS_IN", "co"), ("lab-co", "AFFILIATED_WITH", "co"),
         ("fund", "FUNDS", "park"), ("park", "HOSTS", "lab-park"),
         ("fund", "TARGETS_SECTOR", "sec"), ("lab-sec", "WORKS_IN_SECTOR", "sec"),
         ("lab-direct", "WORKS_IN_SECTOR", "sec"),
         ("fund2", "INVESTS_IN", "lab-sec"),
         # not backing: the lab only works in a sector the fund does not target
         ("lab-park", "WORKS_IN_SECTOR", "other-sec")],
    )


def test_each_pattern_is_recognised(patterns_graph):
    answer = backing(patterns_graph, fund="fund")
    by_lab = {p["lab"]["id"]: p for p in answer["pairs"]}
    assert set(by_lab) == {f"lab-{p}" for p in ("direct", "prog", "inst", "co", "park", "sec")}
    assert by_lab["lab-direct"]["patterns"] == ["direct", "via_sector"]
    assert by_lab["lab-prog"]["patterns"] == ["via_program"]
    assert by_lab["lab-inst"]["patterns"] == ["via_institution"]
    assert by_lab["lab-co"]["patterns"] == ["via_company"]
    assert by_lab["lab-park"]["patterns"] == ["via_park"]
    assert by_lab["lab-sec"]["patterns"] == ["via_sector"]
    assert by_lab["lab-sec"]["inferred"] and not by_lab["lab-direct"]["inferred"]
    co_chain = by_lab["lab-co"]["chains"][0]
    assert [(h["rel"], h["direction"]) for h in co_chain["hops"]] == [
        ("INVESTS_IN", "forward"), ("AFFILIATED_WITH", "backward")]
    assert co_chain["nodes"] == ["fund", "co", "lab-co"]


def test_ranking_stated_shorter_first_and_inferred_pairs_last(patterns_graph):
    pairs = backing(patterns_graph, fund="fund")["pairs"]
    assert [p["lab"]["id"] for p in pairs] == [
        "lab-direct", "lab-prog", "lab-inst", "lab-co", "lab-park", "lab-sec"]
    chains = pairs[0]["chains"]
    assert [c["pattern"] for c in chains] == ["direct", "via_sector"]
    assert [c["inferred"] for c in chains] == [False, True]
    everything = backing(patterns_graph)["pairs"]
    inferred = [p["inferred"] for p in everything]
    assert inferred == sorted(inferred)  # stated pairs first
    # fund2 backs lab-sec directly: a stated pair, ranked with the other direct pair
    assert [(p["fund"]["id"], p["lab"]["id"]) for p in everything[:2]] == [
        ("fund", "lab-direct"), ("fund2", "lab-sec")]


def test_explanations_use_names_and_schema_labels(patterns_graph):
    relation = load_schema().relation_kinds
    pairs = {p["lab"]["id"]: p for p in backing(patterns_graph, fund="fund")["pairs"]}
    stated = pairs["lab-inst"]["chains"][0]["explanation"]
    assert f"fund中文{relation['INVESTS_IN'].zh}inst中文" in stated["zh"]
    assert f"inst中文{relation['OPERATES'].zh}lab-inst中文" in stated["zh"]
    assert f"fund en {relation['INVESTS_IN'].en} inst en" in stated["en"]
    assert "推断" not in stated["zh"] and "Inferred" not in stated["en"]
    guess = pairs["lab-sec"]["chains"][0]["explanation"]
    assert "推断" in guess["zh"] and guess["en"].startswith("Inferred")
    assert f"lab-sec en {relation['WORKS_IN_SECTOR'].en} sec en" in guess["en"]


def test_filters_and_limits(patterns_graph):
    only_lab = backing(patterns_graph, lab="lab-sec")
    assert [(p["fund"]["id"], p["patterns"]) for p in only_lab["pairs"]] == [
        ("fund2", ["direct"]), ("fund", ["via_sector"])]
    short = backing(patterns_graph, fund="fund", max_length=1)
    assert [p["lab"]["id"] for p in short["pairs"]] == ["lab-direct"]
    limited = backing(patterns_graph, limit=2)
    assert limited["total_pairs"] == 7 and len(limited["pairs"]) == 2 and limited["truncated"]
    assert set(limited["nodes"]) == {n for p in limited["pairs"] for c in p["chains"]
                                     for n in c["nodes"]}


def test_wrong_kinds_are_invalid(patterns_graph):
    with pytest.raises(InvalidQuery) as raised:
        backing(patterns_graph, fund="lab-direct")
    assert raised.value.field == "fund" and "Lab" in str(raised.value)
    with pytest.raises(InvalidQuery) as raised:
        backing(patterns_graph, lab="fund")
    assert raised.value.field == "lab"
    with pytest.raises(InvalidQuery):
        backing(patterns_graph, max_length=0)


@pytest.fixture(scope="module")
def group_graph() -> nx.MultiDiGraph:
    """Teams the fund invests in belong to an institution group; two members reach labs."""
    return make_graph(
        [("fund", "Fund"), ("fund2", "Fund"), ("teams", "Company"),
         ("group", "Institution", "group"), ("member", "Institution"),
         ("member2", "Institution"), ("co", "Company"), ("parent", "Institution")]
        + [(f"lab-{x}", "Lab") for x in ("a", "b", "c", "d")],
        [("fund", "INVESTS_IN", "teams"), ("teams", "AFFILIATED_WITH", "group"),
         ("member", "MEMBER_OF", "group"), ("member", "OPERATES", "lab-a"),
         ("member2", "MEMBER_OF", "group"), ("lab-b", "AFFILIATED_WITH", "member2"),
         ("fund", "INVESTS_IN", "member2"),  # a stated chain to lab-b as well
         # not backing: a company's parent is no group; a group's own links are not followed
         ("fund", "INVESTS_IN", "co"), ("co", "AFFILIATED_WITH", "parent"),
         ("parent", "OPERATES", "lab-c"), ("group", "OPERATES", "lab-d"),
         ("fund2", "FUNDS", "group")],
    )


def test_institution_group_chains_are_inferred(group_graph):
    answer = backing(group_graph, fund="fund")
    assert answer["max_length"] == DEFAULT_MAX_LENGTH == 4
    by_lab = {p["lab"]["id"]: p for p in answer["pairs"]}
    assert list(by_lab) == ["lab-b", "lab-a"]  # the stated pair first
    chain = by_lab["lab-a"]["chains"][0]
    assert chain["nodes"] == ["fund", "teams", "group", "member", "lab-a"]
    assert [(h["rel"], h["direction"]) for h in chain["hops"]] == [
        ("INVESTS_IN", "forward"), ("AFFILIATED_WITH", "forward"), ("MEMBER_OF", "backward"),
        ("OPERATES", "forward")]
    assert chain["pattern"] == "via_institution_group" and chain["inferred"]
    assert by_lab["lab-a"]["inferred"]
    assert all(h["provenance"] for h in chain["hops"])
    stated, guess = by_lab["lab-b"]["chains"]
    assert (stated["pattern"], stated["inferred"]) == ("via_institution", False)
    assert (guess["pattern"], guess["inferred"]) == ("via_institution_group", True)
    assert not by_lab["lab-b"]["inferred"]
    assert by_lab["lab-b"]["patterns"] == ["via_institution", "via_institution_group"]
    assert backing(group_graph, fund="fund", max_length=3)["total_pairs"] == 1


def test_institution_group_explanation_says_what_is_inferred(group_graph):
    pairs = {p["lab"]["id"]: p for p in backing(group_graph, fund="fund")["pairs"]}
    words = pairs["lab-a"]["chains"][0]["explanation"]
    assert words["zh"].startswith("推断")
    assert ("原文只说fund中文所支持的teams中文属于group中文这一整体，并未说明属于member中文"
            in words["zh"])
    assert "据此推断fund中文可能支持lab-a中文" in words["zh"]
    assert words["en"].startswith("Inferred")
    assert ("teams en, backed by fund en, belong to group en in general, not to member en in "
            "particular") in words["en"]
    [direct] = backing(group_graph, fund="fund2")["pairs"][0]["chains"]
    assert direct["nodes"] == ["fund2", "group", "member", "lab-a"] and direct["inferred"]
    assert "fund2 en backs group en in general, not member en" in direct["explanation"]["en"]


def test_affiliation_leads_only_into_a_group_and_a_group_only_to_members(group_graph):
    reached = {p["lab"]["id"] for p in backing(group_graph, max_length=6)["pairs"]}
    assert reached == {"lab-a", "lab-b"}


def test_backing_on_generated_graph_is_consistent(generated_graph_1500):
    answer = backing(generated_graph_1500, max_length=2, limit=50)
    assert answer["total_pairs"] > 0 and not answer["timed_out"]
    for pair in answer["pairs"]:
        assert pair["fund"]["kind"] == "Fund" and pair["lab"]["kind"] == "Lab"
        for chain in pair["chains"]:
            assert chain["nodes"][0] == pair["fund"]["id"]
            assert chain["nodes"][-1] == pair["lab"]["id"]
            assert len(chain["hops"]) == chain["length"] <= 2
            assert all(generated_graph_1500.nodes[n]["kind"] != "Lab" for n in chain["nodes"][:-1])


# -- the real data ------------------------------------------------------------------------

def assert_quotes_are_stored(g: nx.MultiDiGraph, answer: dict) -> None:
    for pair in answer["pairs"]:
        for chain in pair["chains"]:
            for hop in chain["hops"]:
                src, dst = ((hop["from"], hop["to"]) if hop["direction"] == "forward"
                            else (hop["to"], hop["from"]))
                assert hop["provenance"] == g.edges[src, dst, hop["rel"]]["provenance"]
                assert all(p["quote"] for p in hop["provenance"])


def sector_labs(g: nx.MultiDiGraph, fund: str) -> set[str]:
    """Labs working in a sector the fund targets, straight from the edges."""
    sectors = {v for _, v, rel in g.out_edges(fund, keys=True) if rel == "TARGETS_SECTOR"}
    return {u for u, v, rel in g.edges(keys=True)
            if rel == "WORKS_IN_SECTOR" and v in sectors and g.nodes[u]["kind"] == "Lab"}


@pytest.mark.parametrize("fund", ["changxing-fund", "future-seed-fund"])
def test_real_fund_chains_are_quoted_and_valid(data_graph, fund):
    answer = backing(data_graph, fund=fund, limit=1000)
    assert not answer["timed_out"] and not answer["truncated"]
    assert_quotes_are_stored(data_graph, answer)
    for pair in answer["pairs"]:
        assert pair["fund"]["id"] == fund and data_graph.nodes[pair["lab"]["id"]]["kind"] == "Lab"
        for chain in pair["chains"]:
            assert chain["inferred"] == (chain["pattern"] in INFERRED)
            assert ("推断" in chain["explanation"]["zh"]) == chain["inferred"]


@pytest.mark.parametrize("fund", ["changxing-fund", "future-seed-fund"])
def test_real_sector_inference_reaches_exactly_the_labs_in_targeted_sectors(data_graph, fund):
    answer = backing(data_graph, fund=fund, limit=1000)
    via_sector = {p["lab"]["id"] for p in answer["pairs"] if "via_sector" in p["patterns"]}
    assert via_sector == sector_labs(data_graph, fund)


def test_changxing_fund_backs_labs_through_its_sectors(data_graph):
    expected = sector_labs(data_graph, "changxing-fund")
    assert expected  # verified in data/: it targets sectors that labs work in
    answer = backing(data_graph, fund="changxing-fund")
    for pair in answer["pairs"]:
        if pair["lab"]["id"] in expected:
            sector_chain = next(c for c in pair["chains"] if c["pattern"] == "via_sector")
            assert sector_chain["inferred"]
            assert [h["rel"] for h in sector_chain["hops"]] == ["TARGETS_SECTOR",
                                                                "WORKS_IN_SECTOR"]


def group_labs(g: nx.MultiDiGraph, fund: str) -> set[str]:
    """Labs a member of an institution group operates, established or hosts (or that are
    affiliated with the member), where the group is what the fund's investees belong to:
    straight from the edges."""
    backed = {v for _, v, rel in g.out_edges(fund, keys=True) if rel in ("FUNDS", "INVESTS_IN")}
    groups = {v for u in backed for _, v, rel in g.out_edges(u, keys=True)
              if rel == "AFFILIATED_WITH" and g.nodes[v]["subtype"] == "group"}
    members = {u for grp in groups for u, _, rel in g.in_edges(grp, keys=True)
               if rel == "MEMBER_OF"}
    labs = {v for m in members for _, v, rel in g.out_edges(m, keys=True)
            if rel in ("OPERATES", "ESTABLISHED", "HOSTS")}
    labs |= {u for m in members for u, _, rel in g.in_edges(m, keys=True)
             if rel == "AFFILIATED_WITH"}
    return {n for n in labs if g.nodes[n]["kind"] == "Lab"}


def test_future_seed_fund_backs_labs_of_the_university_group_by_inference(data_graph):
    expected = group_labs(data_graph, "future-seed-fund")
    # verified in data/: its start-up teams belong to 高校院所, whose members run labs
    assert data_graph.nodes["universities-and-institutes"]["name_zh"] == "高校院所"
    assert {"jilin-university", "ciomp"} <= {
        u for u, _, rel in data_graph.in_edges("universities-and-institutes", keys=True)
        if rel == "MEMBER_OF"}
    assert expected
    answer = backing(data_graph, fund="future-seed-fund", limit=1000)
    assert {p["lab"]["id"] for p in answer["pairs"]} == expected
    assert_quotes_are_stored(data_graph, answer)
    for pair in answer["pairs"]:
        assert pair["inferred"] and pair["patterns"] == ["via_institution_group"]
        for chain in pair["chains"]:
            assert chain["inferred"] and chain["length"] == 4
            fund, teams, group, member, lab = chain["nodes"]
            assert lab == pair["lab"]["id"]
            assert (fund, teams, group) == ("future-seed-fund", "university-startup-teams",
                                            "universities-and-institutes")
            assert "高校院所" in chain["explanation"]["zh"]
            assert data_graph.nodes[member]["name_zh"] in chain["explanation"]["zh"]
            assert "推断" in chain["explanation"]["zh"]


def test_changxing_fund_chains_are_unchanged_by_the_longer_default(data_graph):
    """No chain from 长兴基金 is 4 hops long: the default answer is the 3-hop answer, and
    every pair is still a shared-sector inference."""
    default = backing(data_graph, fund="changxing-fund", limit=1000)
    assert default["pairs"] == backing(data_graph, fund="changxing-fund", max_length=3,
                                       limit=1000)["pairs"]
    assert {p["lab"]["id"] for p in default["pairs"]} == sector_labs(data_graph,
                                                                      "changxing-fund")
    assert all(p["patterns"] == ["via_sector"] for p in default["pairs"])


def test_real_direct_funding_edges_are_direct_chains(data_graph):
    """Every stored Fund -FUNDS/INVESTS_IN-> Lab edge comes back as a direct chain."""
    direct = {(u, v) for u, v, rel in data_graph.edges(keys=True)
              if rel in ("FUNDS", "INVESTS_IN") and data_graph.nodes[u]["kind"] == "Fund"
              and data_graph.nodes[v]["kind"] == "Lab"}
    answer = backing(data_graph, limit=10_000)
    found = {(p["fund"]["id"], p["lab"]["id"]) for p in answer["pairs"]
             if "direct" in p["patterns"]}
    assert found == direct
    inferred = [p["inferred"] for p in answer["pairs"]]
    assert inferred == sorted(inferred)


# -- reach ----------------------------------------------------------------------------------

@pytest.mark.parametrize("graph_name", ["generated_graph_1500", "data_graph"])
def test_reach_equals_bfs_on_filtered_digraph(request, graph_name):
    g = request.getfixturevalue(graph_name)
    relations = {"FUNDS", "INVESTS_IN", "SUPPORTS", "OPERATES", "HOSTS"}
    h = nx.DiGraph((u, v) for u, v, rel in g.edges(keys=True) if rel in relations)
    expected = {}
    for start in (n for n, k in g.nodes(data="kind") if k in ("Fund", "Institution")):
        if start not in h:
            continue
        for end, d in nx.single_source_shortest_path_length(h, start, cutoff=2).items():
            if d > 0 and g.nodes[end]["kind"] in ("Lab", "Company"):
                expected[(start, end)] = d
    answer = reach(g, ["Fund", "Institution"], ["Lab", "Company"], relations, 2,
                   limit=1_000_000)
    assert {(p["from"], p["to"]): p["length"] for p in answer["pairs"]} == expected
    assert answer["total"] == len(expected)
    for pair in answer["pairs"][:50]:
        assert pair["path"]["nodes"][0] == pair["from"] and pair["path"]["nodes"][-1] == pair["to"]
        assert all(h["rel"] in relations and h["direction"] == "forward"
                   for h in pair["path"]["hops"])


def test_reach_rejects_unknown_kinds(patterns_graph):
    with pytest.raises(InvalidQuery) as raised:
        reach(patterns_graph, ["Fnd"], ["Lab"], None, 2)
    assert raised.value.field == "from_kinds"
    with pytest.raises(InvalidQuery):
        reach(patterns_graph, ["Fund"], ["Lab"], ["PAYS"], 2)


def test_kind_index_follows_the_graph_version(patterns_graph):
    g = patterns_graph.copy()  # shares the cached index of patterns_graph's version
    assert list(ids_of_kind(g, "Fund")) == sorted(
        n for n, k in g.nodes(data="kind") if k == "Fund")
    g.add_node("fund-new", **{**g.nodes["fund"], "name_zh": "新基金"})
    g.add_edge("fund-new", "lab-park", key="FUNDS", **g.edges["fund", "lab-direct", "FUNDS"])
    stamp_version(g)  # a new version: the index is rebuilt
    assert "fund-new" in ids_of_kind(g, "Fund") and ids_of_kind(g, "Person") == ()
    assert ("fund-new", "lab-park") in {(p["fund"]["id"], p["lab"]["id"])
                                        for p in backing(g)["pairs"]}


def chains_by_definition(g: nx.MultiDiGraph, fund: str, max_length: int) -> set[tuple]:
    """Every backing chain from ``fund``, by the rules of the module docstring and the link
    tables, found by brute force (no pruning): simple paths over stored edges either way."""
    def cls(n: str) -> str:
        a = g.nodes[n]
        return GROUP if (a["kind"], a["subtype"]) == (GROUP_KIND, GROUP_SUBTYPE) else a["kind"]

    def allowed(u: str, v: str, link: tuple[str, str], first: bool) -> bool:
        if first:
            return link in FIRST_LINKS and (link[0] != "PART_OF" or cls(v) == "Program")
        if cls(u) == "Sector":
            return link == SECTOR_LINK and cls(v) == "Lab"
        return (link in LINKS.get(cls(u), ()) and cls(v) != "Sector"
                and ONLY_INTO.get(link, cls(v)) == cls(v))

    found = set()

    def walk(nodes: list[str], steps: list[tuple]) -> None:
        u = nodes[-1]
        if steps and cls(u) == "Lab":
            found.add(tuple(steps))
            return
        if len(steps) == max_length:
            return
        for adjacency, direction in ((g._succ, "forward"), (g._pred, "backward")):
            for v, by_rel in adjacency[u].items():
                for rel in by_rel:
                    if v not in nodes and allowed(u, v, (rel, direction), not steps):
                        walk([*nodes, v], [*steps, (u, v, rel, direction)])

    walk([fund], [])
    return found


def rank_by_definition(g: nx.MultiDiGraph, nodes: list[str]) -> tuple:
    """Stated before inferred, shorter, pattern order, node ids; the pattern named by the
    first node passed, or by an institution group anywhere on the way."""
    kinds = {"Program": "via_program", "Fund": "via_program", "Institution": "via_institution",
             "Company": "via_company", "Park": "via_park", "Sector": "via_sector"}
    inner = [g.nodes[n] for n in nodes[1:-1]]
    if not inner:
        pattern = "direct"
    elif any((a["kind"], a["subtype"]) == (GROUP_KIND, GROUP_SUBTYPE) for a in inner):
        pattern = "via_institution_group"
    else:
        pattern = kinds[inner[0]["kind"]]
    return pattern in INFERRED, len(nodes) - 1, PATTERNS.index(pattern), nodes, pattern


def assert_ranked_by_definition(g: nx.MultiDiGraph, answer: dict) -> None:
    best = []
    for pair in answer["pairs"]:
        ranks = [rank_by_definition(g, c["nodes"]) for c in pair["chains"]]
        assert [r[-1] for r in ranks] == [c["pattern"] for c in pair["chains"]]
        assert ranks == sorted(ranks)
        best.append(ranks[0][:4])
    assert best == sorted(best)  # pairs by their best chain


def answer_chains(answer: dict) -> set[tuple]:
    return {tuple((h["from"], h["to"], h["rel"], h["direction"]) for h in c["hops"])
            for p in answer["pairs"] for c in p["chains"]}


@pytest.mark.parametrize("graph_name", ["generated_graph_1500", "data_graph", "group_graph"])
def test_pruned_search_finds_every_chain_by_definition(request, graph_name):
    g = request.getfixturevalue(graph_name)
    funds = sorted(n for n, k in g.nodes(data="kind") if k == "Fund")[:40]
    everything = {"limit": 10**6, "chains_per_pair": 10**6}
    checked = 0
    for fund in funds:
        for max_length in (2, 4):
            expected = chains_by_definition(g, fund, max_length)
            answer = backing(g, fund=fund, max_length=max_length, **everything)
            assert answer_chains(answer) == expected
            assert_ranked_by_definition(g, answer)
            checked += len(expected)
            for lab in sorted({c[-1][1] for c in expected})[:3]:  # one lab: its own bound
                assert answer_chains(backing(g, fund=fund, lab=lab, max_length=max_length,
                                             **everything)) == {
                    c for c in expected if c[-1][1] == lab}
    assert checked > 0


@pytest.mark.parametrize("graph_name", ["generated_graph_1500", "data_graph"])
def test_every_fund_at_once_is_every_fund_by_definition(request, graph_name):
    g = request.getfixturevalue(graph_name)
    funds = sorted(n for n, k in g.nodes(data="kind") if k == "Fund")
    expected = set().union(*(chains_by_definition(g, fund, 3) for fund in funds))
    answer = backing(g, max_length=3, limit=10**6, chains_per_pair=10**6)
    assert expected and answer_chains(answer) == expected
    assert answer["total_pairs"] == len({(c[0][0], c[-1][1]) for c in expected})
    assert_ranked_by_definition(g, answer)  # pairs of all funds ranked together


def test_limits_cut_the_full_answer(generated_graph_1500):
    """A smaller ``limit`` gives the first pairs of the full answer, a smaller
    ``chains_per_pair`` the first chains of each pair; totals and patterns are the whole's."""
    g = generated_graph_1500
    funds = sorted(n for n, k in g.nodes(data="kind") if k == "Fund")[:40]
    for fund in [*funds, None]:
        full = backing(g, fund=fund, max_length=4, limit=10**6, chains_per_pair=10**6)
        cut = backing(g, fund=fund, max_length=4, limit=7, chains_per_pair=2)
        assert cut["total_pairs"] == full["total_pairs"] == len(full["pairs"])
        assert cut["truncated"] == (full["total_pairs"] > 7)
        assert len(cut["pairs"]) == min(7, full["total_pairs"])
        for short, whole in zip(cut["pairs"], full["pairs"], strict=False):
            assert short["chains_total"] == whole["chains_total"] == len(whole["chains"])
            assert short["chains"] == whole["chains"][:2]
            assert {k: v for k, v in short.items() if k != "chains"} == {
                k: v for k, v in whole.items() if k != "chains"}
            assert whole["patterns"] == sorted({c["pattern"] for c in whole["chains"]},
                                               key=PATTERNS.index)


def test_chains_through_the_same_nodes_come_in_link_table_order():
    """Two links join the fund and the company, two the company and the lab: four chains
    through the same nodes, ordered by the first link, then the second, in table order."""
    g = make_graph([("fund", "Fund"), ("co", "Company"), ("lab", "Lab")],
                   [("fund", "INVESTS_IN", "co"), ("fund", "FUNDS", "co"),
                    ("lab", "AFFILIATED_WITH", "co"), ("co", "OPERATES", "lab")])
    first = sorted([("FUNDS", "forward"), ("INVESTS_IN", "forward")], key=FIRST_LINKS.index)
    second = sorted([("AFFILIATED_WITH", "backward"), ("OPERATES", "forward")],
                    key=LINKS["Company"].index)
    expected = [[a, b] for a in first for b in second]
    pair, = backing(g, fund="fund")["pairs"]
    assert pair["chains_total"] == 4
    assert [[(h["rel"], h["direction"]) for h in c["hops"]] for c in pair["chains"]] == expected
    pair, = backing(g, fund="fund", chains_per_pair=3)["pairs"]
    assert pair["chains_total"] == 4
    assert [[(h["rel"], h["direction"]) for h in c["hops"]] for c in pair["chains"]] == (
        expected[:3])


def test_a_group_one_hop_from_a_lab_ranks_with_the_inferred_chains():
    """A lab that is itself a member of the group: the group is one hop from a lab, next to
    a company that also reaches labs directly."""
    g = make_graph(
        [("fund", "Fund"), ("teams", "Company"), ("group", "Institution", "group"),
         ("lab-member", "Lab"), ("lab-teams", "Lab"), ("co", "Company")],
        [("fund", "INVESTS_IN", "teams"), ("teams", "AFFILIATED_WITH", "group"),
         ("lab-member", "MEMBER_OF", "group"), ("teams", "OPERATES", "lab-teams"),
         ("teams", "SUPPORTS", "co"), ("co", "OPERATES", "lab-member")])
    for max_length in (2, 3, 4):
        expected = chains_by_definition(g, "fund", max_length)
        answer = backing(g, fund="fund", max_length=max_length, limit=10**6,
                         chains_per_pair=10**6)
        assert answer_chains(answer) == expected
        assert_ranked_by_definition(g, answer)
    pairs = {p["lab"]["id"]: p for p in backing(g, fund="fund", max_length=3)["pairs"]}
    assert pairs["lab-member"]["patterns"] == ["via_company", "via_institution_group"]
    assert not pairs["lab-member"]["inferred"] and pairs["lab-member"]["chains_total"] == 2


# -- collective statements --------------------------------------------------------------------

def collective_graph(collective: bool) -> nx.MultiDiGraph:
    """fund -TARGETS_SECTOR-> sec <-WORKS_IN_SECTOR- lab, the lab's edge stated of its group
    (``collective_of``) or of the lab itself."""
    quote = (Provenance("s.txt", "quote"),)
    nodes = [NodeRecord(n, kind, "x", f"{n}中文", f"{n} en", quote)
             for n, kind in (("fund", "Fund"), ("sec", "Sector"), ("lab", "Lab"),
                             ("labs", "Lab"))]
    props = {"collective_of": "labs"} if collective else {}
    return build_graph(nodes, [EdgeRecord("fund", "TARGETS_SECTOR", "sec", quote),
                               EdgeRecord("lab", "WORKS_IN_SECTOR", "sec", quote, props),
                               EdgeRecord("lab", "PART_OF", "labs", quote)])


@pytest.mark.parametrize("collective", [True, False])
def test_a_chain_over_a_collective_edge_says_so(collective):
    answer = backing(collective_graph(collective), fund="fund", lab="lab")
    chain = answer["pairs"][0]["chains"][0]
    assert chain["nodes"] == ["fund", "sec", "lab"]
    assert chain["collective_of"] == (["labs"] if collective else [])
    zh, en = chain["explanation"]["zh"], chain["explanation"]["en"]
    assert ("并未单独说明lab中文从事领域sec中文" in zh) is collective
    assert ("that lab en itself works in sector sec en is not stated" in en) is collective
    assert en.endswith("Hence fund en may back lab en.")


def test_real_lab_sector_chains_resting_on_the_collective_sentence_say_so(data_graph):
    """data/: 实验室在光电信息、新材料、生物医药、现代农业等领域相继取得了一批重要科研成果 is
    said of the labs as a group; 长兴基金 targets 光电信息 and 生物医药, so its chains to 吉光
    rest on that sentence."""
    collective = {(u, v) for u, v, group in data_graph.edges(data="collective_of")
                  if group is not None}
    assert ("jiguang-lab", "sector-optoelectronics") in collective
    answer = backing(data_graph, fund="changxing-fund", lab="jiguang-lab")
    chains = answer["pairs"][0]["chains"]
    assert chains
    for chain in chains:
        rests = any((h["from"], h["to"]) in collective or (h["to"], h["from"]) in collective
                    for h in chain["hops"])
        assert bool(chain["collective_of"]) is rests
        assert ("并未单独说明吉光从事领域" in chain["explanation"]["zh"]) is rests


# -- answers kept for asking again (by the store, through the query service) -------------------

def kept_graph() -> nx.MultiDiGraph:
    """Two funds with a chain each, built afresh (a graph of its own: nothing kept for it)."""
    return make_graph([("fund-a", "Fund"), ("fund-b", "Fund"), ("co", "Company"),
                       ("lab-a", "Lab"), ("lab-b", "Lab")],
                      [("fund-a", "INVESTS_IN", "co"), ("co", "OPERATES", "lab-a"),
                       ("fund-b", "FUNDS", "lab-b")])


@pytest.fixture
def searches(monkeypatch):
    """How many funds the chain search has been run for (each call of ``_records``)."""
    calls = []
    search = backing_module._records

    def counted(g, fund, *args):
        calls.append(fund)
        return search(g, fund, *args)

    monkeypatch.setattr(backing_module, "_records", counted)
    return calls


def test_a_question_asked_again_is_answered_without_a_search(searches):
    g = kept_graph()
    service = EmbeddedBackend(g)
    first = service.backing(fund="fund-a")
    assert isinstance(first, KeptAnswer) and first == backing(g, fund="fund-a")
    searches.clear()
    assert service.backing(fund=" fund-a ") is first and searches == []
    service.backing(fund="fund-a", limit=1)  # other parameters: another answer
    service.backing(fund="fund-a", max_length=1)
    assert searches == ["fund-a"] * 2


def test_the_search_itself_keeps_nothing(searches):
    g = kept_graph()
    assert backing(g, fund="fund-a") == backing(g, fund="fund-a")
    assert searches == ["fund-a", "fund-a"]


def test_kept_answers_are_the_stores_own(searches):
    """Another store (another graph, or the same graph served anew) answers afresh."""
    g = kept_graph()
    EmbeddedBackend(g).backing(fund="fund-b")
    h = kept_graph()
    h.add_edge("fund-b", "lab-a", key="FUNDS", **h.edges["fund-b", "lab-b", "FUNDS"])
    stamp_version(h)
    labs = [p["lab"]["id"] for p in EmbeddedBackend(h).backing(fund="fund-b")["pairs"]]
    assert labs == ["lab-a", "lab-b"]
    EmbeddedBackend(g).backing(fund="fund-b")
    assert searches == ["fund-b"] * 3


def test_a_timed_out_answer_is_not_kept(monkeypatch):
    service = EmbeddedBackend(kept_graph())
    search = backing_module._records

    def out_of_time(g, fund, *args):  # the clock runs out after the first fund
        search(g, fund, *args)
        raise backing_module._OutOfTime

    monkeypatch.setattr(backing_module, "_records", out_of_time)
    partial = service.backing()
    assert partial["timed_out"] and partial["total_pairs"] == 1
    monkeypatch.undo()
    whole = service.backing()
    assert not whole["timed_out"] and whole["total_pairs"] == 2


def test_kept_answers_stay_within_the_stores_budget(searches):
    """An answer weighs CHAIN_KIB per chain and one more; the least recently asked go
    first."""
    service = EmbeddedBackend(kept_graph())
    one_fund = backing_module.CHAIN_KIB * 2  # a chain each
    kept = service.store._kept = KeptValues(budget=2 * one_fund)
    for fund in ("fund-a", "fund-b", "fund-a", "fund-b"):  # both kept
        service.backing(fund=fund)
    assert searches == ["fund-a", "fund-b"] and kept.held == 2 * one_fund
    service.backing(max_length=4)  # both funds' chains: both fund answers go
    assert kept.held == backing_module.CHAIN_KIB * 3
    service.backing(fund="fund-a")  # the all-funds answer goes
    service.backing(max_length=4)
    assert searches == ["fund-a", "fund-b", "fund-a", "fund-b", "fund-a", "fund-a", "fund-b"]
    assert kept.held <= kept.budget
