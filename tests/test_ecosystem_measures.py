"""Ecosystem analytics against independent computations (networkx, brute force, hand-worked
graphs), for stability across runs and load orders, and for argument checks."""

from __future__ import annotations

import math
from collections import Counter
from concurrent.futures import Future
from itertools import combinations, product

import networkx as nx
import numpy as np
import pytest
from queries_fixtures import make_graph

from graph.embedded import build_graph, iter_edge_records, iter_node_records
from graph.spheres import load_spheres
from loaders.dataset import default_data_dir
from queries.ecosystem import brokers, communities, gaps, helix, scoring, suggest, warm
from queries.ecosystem.network import network
from queries.embedded_backend import EmbeddedBackend
from queries.errors import InvalidQuery

NOT_ENTITIES = {"Source", "Observation"}


def simple_view(g: nx.MultiDiGraph, drop: set[str] = frozenset()) -> nx.Graph:
    """An independent undirected simple view: entities, stored edges that hold."""
    h = nx.Graph()
    h.add_nodes_from(n for n, k in g.nodes(data="kind") if k not in NOT_ENTITIES | drop)
    h.add_edges_from((u, v) for u, v, rel, a in g.edges(keys=True, data=True)
                     if u in h and v in h and u != v and rel not in ("MENTIONS", "HAS_OBSERVATION")
                     and a.get("status") != "planned")
    return h


def reloaded(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The same graph loaded in reverse order."""
    return build_graph(list(iter_node_records(g))[::-1], list(iter_edge_records(g))[::-1])


# -- communities -----------------------------------------------------------------------------

@pytest.mark.parametrize("graph", ["data_graph", "generated_graph_1500"])
def test_community_modularity_is_networkx_modularity_of_the_partition(graph, request):
    g = request.getfixturevalue(graph)
    answer = communities.communities(g, limit=10**6, membership=True)
    h = simple_view(g, {"Sector"})
    parts: dict[int, set[str]] = {}
    for node, rank in answer["membership"].items():
        parts.setdefault(rank, set()).add(node)
    assert set(answer["membership"]) == set(h)
    expected = nx.community.modularity(h, parts.values())
    assert answer["modularity"] == pytest.approx(expected, abs=1e-9)
    assert sum(c["modularity"] for c in answer["communities"]) == pytest.approx(expected)
    assert [c["size"] for c in answer["communities"]] == [len(parts[r]) for r in sorted(parts)]
    louvain = nx.community.modularity(h, nx.community.louvain_communities(h, seed=1))
    assert expected >= 0.97 * louvain  # Leiden is at least about as good as Louvain
    assert expected > 0.3


def test_communities_are_the_same_across_runs_and_load_orders(generated_graph_1500):
    first = communities.communities(generated_graph_1500, membership=True)
    again = communities.communities(generated_graph_1500, membership=True)
    other = communities.communities(reloaded(generated_graph_1500), membership=True)
    assert first == again
    assert first["membership"] == other["membership"]
    assert first["communities"] == other["communities"]


def test_two_cliques_joined_by_one_edge_are_two_named_communities():
    nodes = [(f"a{i}", "Company") for i in range(4)] + [(f"b{i}", "Lab") for i in range(4)]
    edges = [(f"{p}{i}", "COLLABORATES_WITH", f"{p}{j}") for p in "ab"
             for i, j in combinations(range(4), 2)] + [("a0", "COLLABORATES_WITH", "b0")]
    answer = communities.communities(make_graph(nodes, edges), membership=True)
    assert answer["total"] == 2
    by_kind = {c["kinds"][0]["name"]: c for c in answer["communities"]}
    assert by_kind["Company"]["size"] == by_kind["Lab"]["size"] == 4
    assert by_kind["Company"]["top_members"][0]["id"] == "a0"  # most ties inside, then id
    assert by_kind["Company"]["spheres"] == [{"name": "industry", "count": 4}]


# -- brokers ---------------------------------------------------------------------------------

def test_constraint_and_effective_size_are_networkx(generated_graph_1500):
    g = generated_graph_1500
    h = simple_view(g, {"Sector"})
    answer = brokers.brokers(g, limit=10**6, evidence=0)
    expected_c = nx.constraint(h, [i["id"] for i in answer["items"]])
    expected_e = nx.effective_size(h, [i["id"] for i in answer["items"]])
    assert answer["items"]
    for item in answer["items"]:
        if math.isnan(expected_c[item["id"]]):
            assert item["constraint"] is None and item["effective_size"] is None
        else:
            assert item["constraint"] == pytest.approx(expected_c[item["id"]])
            assert item["effective_size"] == pytest.approx(expected_e[item["id"]])


def brute_force_roles(g: nx.MultiDiGraph) -> dict[str, Counter]:
    """Gould-Fernandez roles by enumerating every ordered triple of actors."""
    mapping = load_spheres()
    symmetric = {"COLLABORATES_WITH"}
    d = nx.DiGraph()
    sphere = {n: mapping.of(a) for n, a in g.nodes(data=True)
              if a["kind"] not in NOT_ENTITIES | {"Sector"} and mapping.of(a)}
    for u, v, rel, a in g.edges(keys=True, data=True):
        if u in sphere and v in sphere and u != v and a.get("status") != "planned" \
                and rel not in ("MENTIONS", "HAS_OBSERVATION"):
            d.add_edge(u, v)
            if rel in symmetric:
                d.add_edge(v, u)
    roles: dict[str, Counter] = {n: Counter() for n in sphere}
    for b in d:
        for a, c in product(d.predecessors(b), d.successors(b)):
            if a != c and not d.has_edge(a, c):
                roles[b][brokers.role(sphere[a], sphere[b], sphere[c])] += 1
    return roles


@pytest.mark.parametrize("graph", ["data_graph", "generated_graph_1500"])
def test_brokerage_roles_match_brute_force(graph, request):
    g = request.getfixturevalue(graph)
    expected = brute_force_roles(g)
    answer = brokers.brokers(g, limit=10**6, evidence=0)
    got = {i["id"]: Counter({r: c for r, c in i["brokerage"].items() if c})
           for i in answer["items"]}
    assert got == expected
    assert sum(sum(c.values()) for c in got.values()) > 0


def test_hand_worked_brokerage_roles_with_quoted_evidence():
    # uni -> gov -> company (liaison); company2 -> gov <- uni is no two-path; gov -> lab:
    # uni -> gov -> lab is itinerant (university, government, university)
    g = make_graph([("uni", "Institution", "university"), ("gov", "Institution", "government_body"),
                    ("co", "Company"), ("lab", "Lab", "provincial_lab")],
                   [("uni", "SUPPORTS", "gov"), ("gov", "SUPPORTS", "co"),
                    ("gov", "SUPPORTS", "lab")])
    item = next(i for i in brokers.brokers(g)["items"] if i["id"] == "gov")
    assert item["brokerage"] == {"liaison": 1, "gatekeeper": 0, "representative": 0,
                                 "itinerant": 1, "coordinator": 0}
    assert item["constraint"] == pytest.approx(3 * (1 / 3) ** 2)
    assert item["effective_size"] == 3
    first = item["evidence"][0]
    assert first["role"] == "liaison" and first["nodes"] == ["uni", "gov", "co"]
    assert first["edges"][0][0]["provenance"] == [{"source": "s.txt",
                                                   "quote": "quote uni SUPPORTS gov"}]


# -- triple helix ----------------------------------------------------------------------------

def test_t_uig_of_a_hand_worked_distribution():
    # four units: all three spheres, u only, i only, g only. H(x) = 1 bit each, H(xy) = 2
    # bits each (four equally likely cells), H(uig) = 2 bits: T = 3 - 6 + 2 = -1.
    units = [frozenset("uig"), frozenset("u"), frozenset("i"), frozenset("g")]
    assert helix.transmission(units, ("u", "i", "g")) == pytest.approx(-1.0)
    # a unit with none of the three is no observation (as a paper without those addresses)
    assert helix.transmission([*units, frozenset()], ("u", "i", "g")) == pytest.approx(-1.0)


def numpy_t(profiles: list[frozenset[str]], dims: tuple[str, str, str]) -> float:
    """T(uig) from a 2x2x2 probability table with numpy (an independent computation)."""
    table = np.zeros((2, 2, 2))
    for p in profiles:
        if p & set(dims):
            table[tuple(int(d in p) for d in dims)] += 1
    table /= table.sum()

    def h(p: np.ndarray) -> float:
        p = p[p > 0]
        return float(-(p * np.log2(p)).sum())

    single = sum(h(table.sum(axis=tuple(a for a in range(3) if a != k))) for k in range(3))
    pairs = sum(h(table.sum(axis=k)) for k in range(3))
    return single - pairs + h(table.ravel())


@pytest.mark.parametrize("graph", ["data_graph", "generated_graph_1500"])
def test_t_uig_overall_and_per_sector_match_numpy(graph, request):
    data_graph = request.getfixturevalue(graph)
    answer = helix.helix(data_graph, limit=1000)
    mapping = load_spheres()
    h = simple_view(data_graph, {"Sector"})
    spheres = {n: mapping.of(data_graph.nodes[n]) for n in h}
    position = {n: i for i, n in enumerate(h)}
    profiles = [frozenset({spheres[o] for o in [n, *h[n]] if spheres[o]}) for n in h]
    assert answer["synergy"]["T_uig"] == pytest.approx(numpy_t(profiles, mapping.helices))
    assert answer["synergy"]["units"] == sum(1 for p in profiles if p & set(mapping.helices))
    checked = 0
    for sector in answer["sectors"]:
        members = {u for u, _, rel in data_graph.in_edges(sector["id"], keys=True)
                   if rel in ("WORKS_IN_SECTOR", "TARGETS_SECTOR") and u in h}
        sector_profiles = [profiles[position[n]] for n in members]
        if sector["synergy"]["T_uig"] is not None:
            assert sector["synergy"]["T_uig"] == pytest.approx(
                numpy_t(sector_profiles, mapping.helices), abs=1e-9)
            checked += 1
    assert checked >= 5
    ties = Counter()
    for u, v in h.edges():
        if spheres[u] and spheres[v]:
            ties[tuple(sorted((spheres[u], spheres[v])))] += 1
    assert {tuple(x["spheres"]): x["ties"] for x in answer["linkage"]} == ties


# -- gaps ------------------------------------------------------------------------------------

def gap_graph(without: tuple[str, str, str] | None = None) -> nx.MultiDiGraph:
    edges = [("lab1", "WORKS_IN_SECTOR", "s1"), ("f1", "TARGETS_SECTOR", "s2"),
             ("lab2", "AFFILIATED_WITH", "co"), ("p1", "HOSTS", "lab1"),
             ("lab2", "WORKS_IN_SECTOR", "s2")]
    return make_graph(
        [("s1", "Sector"), ("s2", "Sector"), ("lab1", "Lab"), ("lab2", "Lab"), ("f1", "Fund"),
         ("co", "Company"), ("p1", "Park"), ("p2", "Park")],
        [e for e in edges if e != without])


def test_each_gap_kind_on_a_hand_made_graph_with_its_evidence():
    g = gap_graph()
    answer = gaps.gaps(g)
    found = {(i["gap"], i["subject"]["id"]) for i in answer["items"]}
    assert found == {("unfunded_sector", "s1"), ("transfer_gap", "lab1"),
                     ("park_without_lab", "p2")}
    unfunded = next(i for i in answer["items"] if i["gap"] == "unfunded_sector")
    assert unfunded["exists"][0]["from"] == "lab1"
    assert unfunded["exists"][0]["provenance"][0]["quote"] == "quote lab1 WORKS_IN_SECTOR s1"
    # without the lab in s2 (another graph version), the fund targets a sector without labs
    fund = gaps.gaps(gap_graph(without=("lab2", "WORKS_IN_SECTOR", "s2")),
                     kind="fund_without_lab")["items"]
    assert [i["subject"]["id"] for i in fund] == ["f1"]
    assert fund[0]["exists"][0]["to"] == "s2"


def test_a_planned_link_does_not_close_a_gap_but_is_shown():
    g = gap_graph()
    g.add_edge("lab1", "co", key="COLLABORATES_WITH", rel="COLLABORATES_WITH", status="planned",
               provenance=[{"source": "s.txt", "quote": "将合作"}])
    item = next(i for i in gaps.gaps(g, kind="transfer_gap")["items"]
                if i["subject"]["id"] == "lab1")
    assert item["planned"][0]["provenance"][0]["quote"] == "将合作"


# -- link suggestions ------------------------------------------------------------------------

def test_scores_match_networkx_and_path_enumeration(generated_graph_1500):
    g = generated_graph_1500
    h = simple_view(g)
    answer = suggest.suggest(g, task="lab_company", limit=50, evidence=0)
    assert answer["items"] and answer["suggestion"] is True
    for item in answer["items"]:
        u, v = item["from"]["id"], item["to"]["id"]
        assert not h.has_edge(u, v) and item["stated"] is False
        [(_, _, aa)] = nx.adamic_adar_index(h, [(u, v)])
        assert item["scores"]["adamic_adar"] == pytest.approx(aa)
        assert item["scores"]["common_neighbours"] == len(list(nx.common_neighbors(h, u, v)))
        assert item["scores"]["paths"] == sum(1 for _ in nx.all_simple_paths(h, u, v, cutoff=3))
    keys = [(-i["scores"]["adamic_adar"], -i["scores"]["common_neighbours"])
            for i in answer["items"]]
    assert keys == sorted(keys)


def test_suggestions_are_explained_with_verbatim_quotes_and_stored_nowhere(data_graph):
    version, edges = data_graph.graph["version"], data_graph.number_of_edges()
    answer = suggest.suggest(data_graph, task="fund_lab", evidence=3)
    assert answer["items"]
    texts = {}
    for item in answer["items"]:
        assert "state no relation" in item["explanation"]["en"]
        assert item["evidence"]
        for path in item["evidence"]:
            for hop in path["edges"]:
                assert hop
                for edge in hop:
                    for p in edge["provenance"]:
                        text = texts.setdefault(p["source"], "".join(
                            (default_data_dir() / "sources" / p["source"]).read_text(
                                encoding="utf-8").split()))
                        assert "".join(p["quote"].split()) in text
    assert data_graph.number_of_edges() == edges and data_graph.graph["version"] == version
    assert suggest.suggest(data_graph, task="fund_lab", evidence=3) == answer


def test_evaluation_finds_hidden_ties_better_than_random(generated_graph_1500):
    result = suggest.evaluate(generated_graph_1500, "actor_actor", k=20)
    assert result["hidden"] > 50
    assert result["methods"]["adamic_adar"]["auc"] > 0.6
    assert result["methods"]["adamic_adar"]["auc"] > result["methods"]["random"]["auc"]
    assert suggest.evaluate(generated_graph_1500, "actor_actor", k=20) == result


@pytest.mark.parametrize(("call", "field"), [
    (lambda g: communities.communities(g, resolution=0), "resolution"),
    (lambda g: communities.communities(g, limit=0), "limit"),
    (lambda g: brokers.brokers(g, sphere="church"), "sphere"),
    (lambda g: brokers.brokers(g, sort="charisma"), "sort"),
    (lambda g: gaps.gaps(g, kind="potholes"), "kind"),
    (lambda g: helix.helix(g, limit=-1), "limit"),
    (lambda g: suggest.suggest(g, task="marriage"), "task"),
    (lambda g: suggest.suggest(g, method="astrology"), "method"),
    (lambda g: suggest.suggest(g, node="s1"), "node"),
])
def test_bad_arguments_are_refused_naming_the_field(call, field):
    with pytest.raises(InvalidQuery) as caught:
        call(gap_graph())
    assert caught.value.field == field


def test_network_leaves_out_sources_observations_and_planned_links(data_graph):
    net = network(data_graph)
    kinds = {data_graph.nodes[n]["kind"] for n in net.ids}
    assert not kinds & NOT_ENTITIES
    assert set(net.ids) == set(simple_view(data_graph))
    assert sum(map(len, net.adj.values())) // 2 == simple_view(data_graph).number_of_edges()


def brute_force_ranking(g: nx.MultiDiGraph, task: str, method: str,
                        node: str | None = None) -> list[tuple]:
    """The first pass's ranking: per-pair set arithmetic over every candidate in Python."""
    net = network(g)
    first, second = suggest.TASKS[task]
    steps = 3 if method == "paths" else 2
    sources = [n for n in net.ids if suggest.of_kind(g, net, n, first)]
    if node is not None and suggest.of_kind(g, net, node, first):
        sources = [node]
    pairs = []
    for u in sources:
        for v in suggest.candidates(g, net, net.adj, u, second, steps):
            if node is not None and node not in (u, v):
                continue
            if node is None and first == second and v < u:
                continue
            s = suggest.score(g, net.adj, u, v)
            pairs.append((u, v, s))
    pairs.sort(key=lambda t: (tuple(-round(x, 12) for x in t[2].key(method)), t[0], t[1]))
    return [(u, v, s.common_neighbours, s.shared_sectors, s.paths, s.adamic_adar)
            for u, v, s in pairs]


def sparse_ranking(g: nx.MultiDiGraph, task: str, method: str, node: str | None = None,
                   ) -> list[tuple]:
    net = network(g)
    r = suggest.ranked(g, net, suggest.matrix_of(g, net, net.adj), task, method, node)
    return [(net.ids[u], net.ids[v], int(s[1]), int(s[2]), int(s[3]), float(s[0]))
            for u, v, s in zip(r.u, r.v, r.scores, strict=True)]


@pytest.mark.parametrize("task", list(suggest.TASKS))
@pytest.mark.parametrize("method", list(suggest.METHODS))
def test_sparse_ranking_is_the_brute_force_ranking(generated_graph_1500, task, method):
    expected = brute_force_ranking(generated_graph_1500, task, method)
    got = sparse_ranking(generated_graph_1500, task, method)
    assert len(got) == len(expected) > 10
    assert [p[:5] for p in got] == [p[:5] for p in expected]
    assert [p[5] for p in got] == pytest.approx([p[5] for p in expected])


@pytest.mark.parametrize("method", ["adamic_adar", "paths"])
def test_sparse_ranking_from_or_to_one_node_is_brute_force(generated_graph_1500, method):
    g = generated_graph_1500
    ranking = sparse_ranking(g, "lab_company", method)
    lab, company = ranking[0][0], ranking[0][1]
    for node in (lab, company):
        got = sparse_ranking(g, "lab_company", method, node)
        assert [p[:5] for p in got] == [p[:5] for p in
                                        brute_force_ranking(g, "lab_company", method, node)]
        assert got and all(node in p[:2] for p in got)
    answer = suggest.suggest(g, task="lab_company", method=method, node=company, evidence=0)
    assert answer["items"][0]["to"]["id"] == company


def test_the_per_source_cap_keeps_the_best_pairs_exactly(generated_graph_1500):
    g = generated_graph_1500
    net = network(g)
    mx = suggest.matrix_of(g, net, net.adj)
    sources = suggest.kind_indices(g, net, "Lab")
    targets = suggest.kind_indices(g, net, "Company")
    full = scoring.rank(mx, sources, targets, "paths")
    capped = scoring.rank(mx, sources, targets, "paths", cap=3)
    per_source = Counter(full.u.tolist())
    assert capped.total == full.total
    assert capped.sources_capped == sum(1 for c in per_source.values() if c > 3) > 0
    assert len(capped) == sum(min(c, 3) for c in per_source.values())
    # the best 3 pairs overall are the same, and each source keeps its own best 3
    assert list(zip(capped.u[:3], capped.v[:3], strict=True)) == list(
        zip(full.u[:3], full.v[:3], strict=True))
    for u in list(per_source)[:50]:
        assert full.v[full.u == u][:3].tolist() == capped.v[capped.u == u].tolist()


def test_each_community_count_is_networkx_on_its_members(generated_graph_1500):
    answer = communities.communities(generated_graph_1500, limit=10**6, membership=True)
    h = simple_view(generated_graph_1500, {"Sector"})
    m = h.number_of_edges()
    for c in answer["communities"][:30]:
        members = {n for n, r in answer["membership"].items() if r == c["rank"]}
        sub = h.subgraph(members)
        assert c["size"] == len(members)
        assert c["internal_edges"] == sub.number_of_edges()
        degree_sum = sum(d for _, d in h.degree(members))
        assert c["modularity"] == pytest.approx(sub.number_of_edges() / m
                                                - (degree_sum / (2 * m)) ** 2)
        for member in c["top_members"]:
            assert member["internal_degree"] == sub.degree(member["id"])


def test_warm_up_in_a_thread_keeps_every_default_answer(generated_graph_1500, monkeypatch):
    g = reloaded(generated_graph_1500)  # same version, nothing kept yet
    thread = warm.start(g)
    thread.join(timeout=120)
    assert not thread.is_alive()
    answers = {name: settled(step(g)) for name, step in warm.STEPS}

    def recomputed(*args, **kwargs):
        raise AssertionError("recomputed after the warm-up")
    for module, name in [(communities, "partition"), (communities, "leiden_membership"),
                         (suggest, "ranked"), (brokers, "structural_holes"),
                         (helix, "_synergy"), (scoring, "rank")]:
        monkeypatch.setattr(module, name, recomputed)
    monkeypatch.setattr(gaps, "_FINDERS", {k: recomputed for k in gaps.GAP_KINDS})
    for name, step in warm.STEPS:
        assert settled(step(g)) == answers[name]
    # and they are the answers of a cold computation on another copy of the graph
    monkeypatch.undo()
    other = reloaded(generated_graph_1500)
    for name, step in warm.STEPS:
        if not name.startswith("network"):
            assert settled(step(other)) == answers[name], name


def settled(answer):
    """A step's answer, Leiden's future waited for."""
    return answer.result(timeout=120) if isinstance(answer, Future) else answer


def test_the_service_warms_through_the_one_step_list(data_graph, monkeypatch):
    backend = EmbeddedBackend(reloaded(data_graph))  # nothing kept yet
    real = backend.store.settled
    through = []

    def settled_counted(compute, key=None):
        through.append(key)
        return real(compute, key)
    monkeypatch.setattr(backend.store, "settled", settled_counted)
    seconds = backend.warm_analytics()
    assert list(seconds) == [name for name, _ in warm.STEPS]
    # every step inside the store's settled (not kept by the store); the snapshot is the
    # store's own (the embedded graph: no read to settle)
    assert through == [None] * len(warm.STEPS)

    def recomputed(*args, **kwargs):
        raise AssertionError("recomputed after the warm-up")
    for module, name in [(communities, "partition"), (suggest, "ranked"),
                         (brokers, "structural_holes"), (helix, "_synergy")]:
        monkeypatch.setattr(module, name, recomputed)
    monkeypatch.setattr(gaps, "_FINDERS", {k: recomputed for k in gaps.GAP_KINDS})
    # the service's default questions find the warmed answers
    assert backend.communities()["communities"]
    assert backend.brokers()["items"] and backend.helix()["linkage"]
    assert backend.gaps()["items"] and backend.suggest()["suggestion"]
    assert backend.suggest(task="lab_company")["suggestion"]


def test_pair_scores_are_the_per_pair_set_arithmetic(generated_graph_1500):
    g = generated_graph_1500
    net = network(g)
    mx = suggest.matrix_of(g, net, net.adj)
    rng = np.random.default_rng(3)
    pairs = [(int(u), int(v)) for u, v in rng.integers(0, len(net.ids), size=(3000, 2))
             if u != v and net.ids[v] not in net.adj[net.ids[u]]]
    got = scoring.pair_scores(mx, np.array([u for u, _ in pairs]), np.array([v for _, v in pairs]))
    expected = [suggest.score(g, net.adj, net.ids[u], net.ids[v]) for u, v in pairs]
    assert got[:, 1].tolist() == [s.common_neighbours for s in expected]
    assert got[:, 2].tolist() == [s.shared_sectors for s in expected]
    assert got[:, 3].tolist() == [s.paths for s in expected]
    assert got[:, 0] == pytest.approx([s.adamic_adar for s in expected])
    assert sum(s.paths > 0 for s in expected) > 100


def test_leiden_in_a_child_process_is_leiden_in_process(generated_graph_1500):
    net = network(generated_graph_1500, exclude_kinds=("Sector",))
    index = {n: i for i, n in enumerate(net.ids)}
    edges = [(index[u], index[v]) for u in net.ids for v in net.adj[u] if u < v]
    here = communities.leiden_membership(len(net.ids), edges, 1.0, 42, in_process=True)
    child = communities.leiden_membership(len(net.ids), edges, 1.0, 42, in_process=False)
    assert here == child
    assert len(set(here)) > 10


def test_concurrent_first_calls_compute_once(generated_graph_1500, monkeypatch):
    import threading
    import time

    g = reloaded(generated_graph_1500)
    calls = []
    real = communities.partition

    def slow(*args, **kwargs):
        calls.append(1)
        time.sleep(0.2)
        return real(*args, **kwargs)
    monkeypatch.setattr(communities, "partition", slow)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(communities.communities(g)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(answers) == 4 and all(a == answers[0] for a in answers)
