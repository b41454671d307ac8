"""Benchmark: centrality and shortest paths, networkx vs igraph, and compute_all on 100k nodes.

    python -m bench.centrality [--nodes 100000] [--edges-per-node 3] [--subgraph 10000]
                               [--sources 500] [--pairs 200]

One run, side by side on a generated graph: PageRank (whole graph), exact betweenness and
closeness (a connected subgraph of ``--subgraph`` nodes grown by BFS from the best-connected
node), sampled betweenness from ``--sources`` sources (whole graph; both libraries get the
same sources, so scores must agree exactly), one shortest path by BFS between random
connected pairs, and ``queries.centrality.compute_all`` on the whole graph (goal: < 20 s).
Every pair of rankings is checked: identical top-100 order and Spearman rank correlation.
Generated data is kept under bench/.data/ (ignored) and reused. Figures go to
bench/results/centrality.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import igraph as ig
import networkx as nx
from scipy.stats import spearmanr

from bench.common import generated_data
from loaders.dataset import load_graph
from queries import centrality as C
from queries.paths import shortest_paths

HERE = Path(__file__).parent
TOP = 100


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def to_igraph(h: nx.Graph) -> tuple[ig.Graph, list[str]]:
    ids = list(h)
    index = {n: i for i, n in enumerate(ids)}
    return ig.Graph(n=len(ids), edges=[(index[u], index[v]) for u, v in h.edges()],
                    directed=h.is_directed()), ids


def compare(ref: dict[str, float], other: dict[str, float]) -> dict[str, Any]:
    """Top-100 order identical? Spearman over all nodes; largest score difference."""
    def ranked(s: dict[str, float]) -> list[str]:
        return sorted(s, key=lambda n: (-round(s[n], 12), n))

    nodes = list(ref)
    return {"top_identical": ranked(ref)[:TOP] == ranked(other)[:TOP],
            "spearman": spearmanr([ref[n] for n in nodes], [other[n] for n in nodes]).statistic,
            "max_diff": max(abs(ref[n] - other[n]) for n in nodes)}


def bfs_subgraph(h: nx.Graph, size: int) -> nx.Graph:
    start = max(h, key=h.degree)
    kept = list(nx.bfs_tree(h, start))[:size]  # BFS order: nearest first, so it is connected
    return nx.Graph(h.subgraph(kept))


def path_pairs(h: nx.Graph, count: int, seed: int) -> list[tuple[str, str]]:
    giant = sorted(max(nx.connected_components(h), key=len))
    rng = random.Random(seed)
    return [tuple(rng.sample(giant, 2)) for _ in range(count)]


def per_call_ms(fn: Callable[[str, str], Any], pairs: list[tuple[str, str]]) -> dict[str, float]:
    times = []
    for a, b in pairs:
        start = time.perf_counter()
        fn(a, b)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"mean": statistics.fmean(times), "p50": times[len(times) // 2],
            "p99": times[min(len(times) - 1, int(len(times) * 0.99))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges-per-node", type=float, default=3.0)
    parser.add_argument("--subgraph", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "centrality.md")
    args = parser.parse_args()

    root = generated_data(args.nodes, args.edges_per_node)
    g, load_s = timed(lambda: load_graph(root, check_quotes=False, progress=False))
    log(f"loaded {g} in {load_s:.1f} s")
    rows: list[tuple[str, str, float | None, float, dict[str, Any] | None]] = []

    # compute_all first, on a cold cache: the figure the service depends on
    settings = C.DEFAULT_SETTINGS
    entry, convert_s = timed(lambda: C._entry(g, settings))
    per_measure = {}
    for measure in C.CENTRALITY_MEASURES:
        _, per_measure[measure] = timed(lambda m=measure: C.centrality_scores(g, m, settings))
    compute_all_s = convert_s + sum(per_measure.values())
    log(f"compute_all {compute_all_s:.1f} s")

    undirected = nx.Graph(g)
    ug, ug_ids = entry.undirected, entry.ids

    # PageRank on the whole directed graph
    _, nx_pr_s = timed(lambda: nx.pagerank(g))  # timed with networkx's defaults (tol 1e-6)
    nx_pr = nx.pagerank(g, tol=1e-12, max_iter=1000)  # ranks compared at full precision
    ig_pr, ig_pr_s = timed(lambda: entry.directed.pagerank(directed=True, damping=0.85))
    rows.append(("PageRank", f"{g.number_of_nodes():,} nodes", nx_pr_s, ig_pr_s,
                 compare(nx_pr, dict(zip(ug_ids, ig_pr, strict=True)))))
    log(f"pagerank nx {nx_pr_s:.2f} s, igraph {ig_pr_s:.2f} s")

    # sampled betweenness on the whole graph, the same sources for both
    sample_settings = C.Settings(sample_size=args.sources, exact_max_nodes=0)
    ours_bs, ours_bs_s = timed(lambda: C._betweenness(entry, sample_settings))
    nx_bs, nx_bs_s = timed(lambda: nx.betweenness_centrality(
        undirected, k=args.sources, seed=sample_settings.seed))
    rows.append((f"betweenness, sampled ({args.sources} sources)",
                 f"{g.number_of_nodes():,} nodes", nx_bs_s, ours_bs_s,
                 compare(nx_bs, dict(zip(ug_ids, ours_bs.values, strict=True)))))
    log(f"sampled betweenness nx {nx_bs_s:.1f} s, igraph {ours_bs_s:.1f} s")

    # exact betweenness and closeness on a connected subgraph
    sub = bfs_subgraph(undirected, args.subgraph)
    sub_ig, sub_ids = to_igraph(sub)
    n = sub.number_of_nodes()
    size = f"{n:,} nodes, {sub.number_of_edges():,} edges"
    ig_bx, ig_bx_s = timed(lambda: sub_ig.betweenness(directed=False))
    nx_bx, nx_bx_s = timed(lambda: nx.betweenness_centrality(sub))
    scale = 2 / ((n - 1) * (n - 2))
    rows.append(("betweenness, exact", size, nx_bx_s, ig_bx_s,
                 compare(nx_bx, {v: b * scale for v, b in zip(sub_ids, ig_bx, strict=True)})))
    log(f"exact betweenness nx {nx_bx_s:.1f} s, igraph {ig_bx_s:.1f} s")
    ig_cl, ig_cl_s = timed(lambda: sub_ig.closeness(normalized=True))
    nx_cl, nx_cl_s = timed(lambda: nx.closeness_centrality(sub))
    rows.append(("closeness, exact", size, nx_cl_s, ig_cl_s,
                 compare(nx_cl, dict(zip(sub_ids, ig_cl, strict=True)))))
    log(f"closeness nx {nx_cl_s:.1f} s, igraph {ig_cl_s:.1f} s")

    # one shortest path between random connected pairs
    pairs = path_pairs(undirected, args.pairs, seed=1)
    index = {v: i for i, v in enumerate(ug_ids)}
    nx_sp = per_call_ms(lambda a, b: nx.bidirectional_shortest_path(undirected, a, b), pairs)
    ig_sp = per_call_ms(lambda a, b: ug.get_shortest_path(index[a], index[b]), pairs)
    ours_one = per_call_ms(lambda a, b: shortest_paths(g, a, b, limit=1), pairs)
    ours_sp = per_call_ms(lambda a, b: shortest_paths(g, a, b, limit=20), pairs)
    same_length = all(
        len(nx.bidirectional_shortest_path(undirected, a, b))
        == len(ug.get_shortest_path(index[a], index[b]))
        == shortest_paths(g, a, b, limit=1)["paths"][0]["length"] + 1 for a, b in pairs)

    write_report(args, g, load_s, rows, per_measure, convert_s, compute_all_s,
                 {"networkx bidirectional_shortest_path": nx_sp,
                  "igraph get_shortest_path (one-sided BFS)": ig_sp,
                  "queries.paths.shortest_paths (one path, with hops)": ours_one,
                  "queries.paths.shortest_paths (all shortest, <= 20, with hops)": ours_sp},
                 same_length, entry)


def write_report(args: argparse.Namespace, g: nx.MultiDiGraph, load_s: float, rows: list,
                 per_measure: dict[str, float], convert_s: float, compute_all_s: float,
                 path_rows: dict[str, dict[str, float]], same_length: bool,
                 entry: Any) -> None:
    load = os.getloadavg()
    lines = [
        f"# Centrality benchmark: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges",
        "",
        f"Generated graph (`generate_dataset(nodes={args.nodes}, edges_per_node="
        f"{args.edges_per_node:g})`), python {sys.version.split()[0]}, networkx "
        f"{nx.__version__}, igraph {ig.__version__}, {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) at the end, "
        f"{time.strftime('%Y-%m-%d')}. The machine is shared: treat figures as upper bounds.",
        "",
        f"Loading the graph (not timed below): {load_s:.1f} s.",
        "",
        "## networkx vs igraph",
        "",
        "Rankings: `top-100` = identical top-100 order (ties by id), `rho` = Spearman rank "
        "correlation over all nodes, `max diff` = largest score difference. networkx's "
        "PageRank is timed with its defaults (tolerance 1e-6) and compared from a second run "
        "at tolerance 1e-12, so that the check is not about its stopping rule.",
        "",
        "| measure | graph | networkx (s) | igraph (s) | speed-up | top-100 | rho | max diff |",
        "|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for name, size, nx_s, ig_s, check in rows:
        lines.append(f"| {name} | {size} | {nx_s:.2f} | {ig_s:.2f} | {nx_s / ig_s:.0f}x | "
                     f"{'identical' if check['top_identical'] else 'DIFFERENT'} | "
                     f"{check['spearman']:.6f} | {check['max_diff']:.1e} |")
    lines += [
        "",
        f"## One shortest path, {args.pairs} random connected pairs (ms per call)",
        "",
        "| implementation | mean | p50 | p99 |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {r['mean']:.2f} | {r['p50']:.2f} | {r['p99']:.2f} |"
              for name, r in path_rows.items()]
    lines += [
        "",
        f"Same path length from all three for every pair: {'yes' if same_length else 'NO'}.",
        "",
        "## compute_all (every measure, cold cache)",
        "",
        f"Goal: all measures for the {g.number_of_nodes():,}-node graph within 20 s. "
        f"Measured: **{compute_all_s:.1f} s** "
        f"({'met' if compute_all_s <= 20 else 'NOT met'}).",
        "",
        "| step | seconds | method |",
        "|---|---:|---|",
        f"| networkx -> igraph conversion | {convert_s:.2f} | |",
    ]
    for measure, seconds in per_measure.items():
        method = entry.scores[measure].method
        how = "exact" if method.get("exact") else (
            f"{method.get('estimator')}, sample {method.get('sample_size')}")
        lines.append(f"| {measure} | {seconds:.2f} | {how} |")
    lines += ["", "closeness and harmonic come from the same BFS distances, computed once: the "
              "closeness row carries the cost of both."]
    report = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
