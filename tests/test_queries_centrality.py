"""queries.centrality: every measure equals networkx's own, sampling, ranking, caching."""

from __future__ import annotations

import threading
from collections.abc import Callable

import networkx as nx
import pytest
from queries_fixtures import make_graph
from scipy.stats import spearmanr

from graph.embedded import stamp_version
from loaders.dataset import load_graph
from loaders.generate import generate_dataset
from queries import centrality as C
from queries.backend import CENTRALITY_MEASURES
from queries.errors import InvalidQuery

# networkx's definition of each measure, on the view our conventions name
REFERENCE: dict[str, Callable[[nx.MultiDiGraph], dict[str, float]]] = {
    "degree": lambda g: dict(g.degree()),
    "in_degree": lambda g: dict(g.in_degree()),
    "out_degree": lambda g: dict(g.out_degree()),
    "pagerank": lambda g: nx.pagerank(g, alpha=0.85, tol=1e-12, max_iter=1000),
    "betweenness": lambda g: nx.betweenness_centrality(nx.Graph(g)),
    "closeness": lambda g: nx.closeness_centrality(nx.Graph(g)),
    "harmonic": lambda g: nx.harmonic_centrality(nx.Graph(g)),
    "eigenvector": lambda g: nx.eigenvector_centrality(nx.Graph(g), max_iter=10_000,
                                                       tol=1e-12),
}
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def generated_graph_600(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    """Small enough for networkx's exact betweenness to take about a second."""
    root = tmp_path_factory.mktemp("centrality")
    generate_dataset(root, nodes=600, edges_per_node=2.5, seed=3, progress=False)
    return load_graph(root, progress=False)


@pytest.fixture(scope="module")
def reference() -> Callable[[nx.MultiDiGraph, str], dict[str, float]]:
    """networkx's scores, computed once per graph and measure."""
    cache: dict[tuple[str, str], dict[str, float]] = {}

    def scores(g: nx.MultiDiGraph, measure: str) -> dict[str, float]:
        key = (g.graph["version"], measure)
        if key not in cache:
            cache[key] = REFERENCE[measure](g)
        return cache[key]

    return scores


def ranked(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda n: (-scores[n], n))


def assert_same_ranking(ours: dict[str, float], ref: dict[str, float], top: int) -> None:
    """Same scores within tolerance and the same top-k order (positions may only differ
    between nodes whose reference scores tie within tolerance)."""
    assert ours.keys() == ref.keys()
    worst = max(abs(ours[n] - ref[n]) for n in ref)
    assert worst <= TOLERANCE * max(1.0, max(abs(v) for v in ref.values()))
    for ours_id, ref_id in zip(ranked(ours)[:top], ranked(ref)[:top], strict=True):
        assert ours_id == ref_id or abs(ref[ours_id] - ref[ref_id]) <= TOLERANCE


@pytest.mark.parametrize("measure", CENTRALITY_MEASURES)
def test_generated_graph_measures_equal_networkx(generated_graph_600, reference, measure):
    ours = C.centrality_scores(generated_graph_600, measure)
    assert_same_ranking(ours, reference(generated_graph_600, measure), top=20)


@pytest.mark.parametrize("measure", CENTRALITY_MEASURES)
def test_real_data_measures_equal_networkx(data_graph, reference, measure):
    ours = C.centrality_scores(data_graph, measure)
    assert_same_ranking(ours, reference(data_graph, measure), top=20)


def test_centrality_answer_shape_and_kind_ranking(data_graph):
    scores = C.centrality_scores(data_graph, "pagerank")
    answer = C.centrality(data_graph, "pagerank", kind="Lab", top=5)
    labs = [n for n, k in data_graph.nodes(data="kind") if k == "Lab"]
    assert answer["count"] == len(labs)
    assert [i["id"] for i in answer["items"]] == ranked({n: scores[n] for n in labs})[:5]
    assert [i["rank"] for i in answer["items"]] == list(range(1, 6))
    assert all(i["kind"] == "Lab" and i["score"] == scores[i["id"]] for i in answer["items"])
    assert answer["distribution"]["count"] == len(labs)
    assert answer["distribution"]["max"] == max(scores[n] for n in labs)
    assert answer["method"]["exact"] and answer["version"] == data_graph.graph["version"]
    whole = C.centrality(data_graph, "pagerank", top=3)
    assert [i["id"] for i in whole["items"]] == ranked(scores)[:3]


def test_ties_break_by_id():
    g = make_graph([(n, "Company") for n in ("c", "a", "b", "hub")],
                   [(n, "COLLABORATES_WITH", "hub") for n in ("c", "a", "b")])
    items = C.centrality(g, "degree", top=4)["items"]
    assert [i["id"] for i in items] == ["hub", "a", "b", "c"]


def test_distribution_is_nearest_rank():
    summary = C.distribution([float(x) for x in range(100, 0, -1)])
    assert summary == {"count": 100, "min": 1.0, "max": 100.0, "mean": 50.5, "p50": 50.0,
                       "p90": 90.0, "p99": 99.0}
    assert C.distribution([])["count"] == 0 and C.distribution([])["p50"] is None


def test_sampled_betweenness_equals_networkx_with_the_same_sources(generated_graph_600):
    settings = C.Settings(sample_size=60, exact_max_nodes=100, seed=11)
    ours = C.centrality_scores(generated_graph_600, "betweenness", settings)
    ref = nx.betweenness_centrality(nx.Graph(generated_graph_600), k=60, seed=11)
    assert_same_ranking(ours, ref, top=20)
    method = C.centrality(generated_graph_600, "betweenness", settings=settings)["method"]
    assert method["exact"] is False and method["sample_size"] == 60


@pytest.mark.parametrize(("share", "processes"), [(0.6, 1), (1.0, 1), (1.0, 2), (0.5, 3)])
def test_betweenness_helper_process_changes_nothing_but_speed(generated_graph_600, share,
                                                             processes, caplog):
    alone = C.centrality_scores(generated_graph_600, "betweenness",
                                C.Settings(sample_size=60, exact_max_nodes=100, seed=3,
                                           helper_share=0.0))
    helped = C.centrality_scores(generated_graph_600, "betweenness",
                                 C.Settings(sample_size=60, exact_max_nodes=100, seed=3,
                                            helper_share=share, helper_processes=processes))
    assert "helper process" not in caplog.text  # the helpers computed it: no fallback
    assert alone.keys() == helped.keys()
    assert any(alone.values())
    for node, value in alone.items():
        assert helped[node] == pytest.approx(value, rel=1e-12, abs=1e-15)


def test_betweenness_without_a_helper_process_falls_back(generated_graph_600, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OSError("no processes here")

    monkeypatch.setattr(C, "ProcessPoolExecutor", refuse)
    settings = C.Settings(sample_size=60, exact_max_nodes=100, seed=4, helper_share=0.5)
    fallback = C.centrality_scores(generated_graph_600, "betweenness", settings)
    alone = C.centrality_scores(generated_graph_600, "betweenness",
                                C.Settings(sample_size=60, exact_max_nodes=100, seed=4,
                                           helper_share=0.0))
    assert fallback == pytest.approx(alone, rel=1e-12, abs=1e-15)
    assert "no betweenness helper process" in caplog.text


@pytest.mark.parametrize("measure", ["closeness", "harmonic"])
def test_pivot_estimates_rank_like_the_exact_measure(generated_graph_600, reference, measure):
    settings = C.Settings(pivots=60, exact_max_nodes=100, seed=5)
    estimate = C.centrality_scores(generated_graph_600, measure, settings)
    exact = reference(generated_graph_600, measure)
    nodes = list(generated_graph_600)
    rho = spearmanr([estimate[n] for n in nodes], [exact[n] for n in nodes]).statistic
    assert rho > 0.95
    top_exact = set(ranked(exact)[:30])
    assert len(top_exact & set(ranked(estimate)[:30])) >= 20
    method = C.centrality(generated_graph_600, measure, settings=settings)["method"]
    assert method["exact"] is False and method["estimated_nodes"] > 100


def test_compute_all_covers_every_measure_and_node(generated_graph_600):
    everything = C.compute_all(generated_graph_600)
    assert list(everything) == list(CENTRALITY_MEASURES)
    for scores in everything.values():
        assert scores.keys() == set(generated_graph_600)


def test_scores_are_cached_per_version_and_computed_once(monkeypatch):
    g = make_graph([(n, "Company") for n in "abcd"],
                   [("a", "COLLABORATES_WITH", "b"), ("b", "COLLABORATES_WITH", "c")])
    calls = []
    real = C._SINGLE["betweenness"]
    barrier = threading.Barrier(6)

    def counting(entry, settings):
        calls.append(1)
        return real(entry, settings)

    monkeypatch.setitem(C._SINGLE, "betweenness", counting)

    def ask():
        barrier.wait()
        C.centrality(g, "betweenness")

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    before = C.centrality_scores(g, "betweenness")
    assert before["b"] > 0 and before["d"] == 0
    g.add_edge("c", "d", key="COLLABORATES_WITH", rel="COLLABORATES_WITH", provenance=[])
    stamp_version(g)
    after = C.centrality_scores(g, "betweenness")
    assert len(calls) == 2 and after["c"] > 0


def test_invalid_arguments(data_graph):
    for kwargs, field in (({"measure": "fame"}, "measure"),
                          ({"measure": "degree", "kind": "Planet"}, "kind"),
                          ({"measure": "degree", "top": 0}, "top")):
        with pytest.raises(InvalidQuery) as raised:
            C.centrality(data_graph, **kwargs)
        assert raised.value.field == field


def test_tiny_graphs():
    empty = make_graph([], [])
    for measure in CENTRALITY_MEASURES:
        answer = C.centrality(empty, measure)
        assert answer["items"] == [] and answer["distribution"]["count"] == 0
    single = C.compute_all(make_graph([("a", "Company")], []))
    assert single["pagerank"] == {"a": 1.0} and single["betweenness"] == {"a": 0.0}
    assert single["closeness"] == {"a": 0.0} and single["degree"] == {"a": 0.0}


def test_eigenvector_in_a_worker_thread_prints_no_igraph_warning(capfd):
    """The API warms centrality up in a thread, where igraph's C core would print its
    warning about a disconnected graph's near-zero scores straight to stderr."""
    g = make_graph([(n, "Company") for n in ("a", "b", "c", "d", "e", "f", "g", "alone")],
                   [(u, "COLLABORATES_WITH", v) for u, v in
                    [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("e", "f"), ("f", "g")]])
    scores: dict[str, float] = {}
    worker = threading.Thread(target=lambda: scores.update(C.centrality_scores(g,
                                                                               "eigenvector")))
    worker.start()
    worker.join()
    assert_same_ranking(scores, REFERENCE["eigenvector"](g), top=8)
    assert scores["c"] > scores["a"] > scores["d"] > 0
    assert scores["e"] == scores["f"] == scores["alone"] == 0.0
    stderr = capfd.readouterr().err
    assert "eigenvector" not in stderr.lower() and "warning" not in stderr.lower(), stderr


def test_eigenvector_components_tying_for_the_largest_eigenvalue_share_it_as_networkx():
    # a triangle, a 4-cycle and a 4-leaf star all have largest eigenvalue 2; the path less
    cycle = [("w", "x"), ("x", "y"), ("y", "z"), ("z", "w")]
    star = [("hub", leaf) for leaf in ("l1", "l2", "l3", "l4")]
    pairs = [("a", "b"), ("b", "c"), ("c", "a"), *cycle, *star, ("p", "q"), ("q", "r")]
    nodes = sorted({n for pair in pairs for n in pair} | {"alone"})
    g = make_graph([(n, "Company") for n in nodes],
                   [(u, "COLLABORATES_WITH", v) for u, v in pairs])
    ours, ref = C.centrality_scores(g, "eigenvector"), REFERENCE["eigenvector"](g)
    assert_same_ranking(ours, ref, top=len(nodes))
    assert min(ours[n] for n in ("a", "w", "hub", "l1")) > 0.1
    assert ours["p"] == ours["alone"] == 0.0
