"""Benchmark: every ecosystem analytic on the 100k-node generated graph, and link prediction.

    python -m bench.analytics [--nodes 100000] [--edges-per-node 3] [--k 10]

Times each analytic of queries/ecosystem on the generated graph (goal: each within 30 s on
2 cores), on a cold cache (the network view is built once and its time reported apart), and
evaluates link prediction (``suggest.evaluate``: 20% of the ties of each task's kinds hidden,
seeded; AUC and precision@k of each score against a random ranking) on data/ and on the
generated graph. Generated data is kept under bench/.data/ (ignored). Figures go to
bench/results/analytics.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from bench.common import generated_data
from loaders.dataset import load_graph
from queries.ecosystem import brokers, communities, gaps, helix, network, suggest

HERE = Path(__file__).parent
GOAL_S = 30.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def run_analytics(g: nx.MultiDiGraph) -> list[tuple[str, float, str]]:
    rows = []
    for name, fn, summary in [
        ("network view (shared, built once)", lambda: network.network(g),
         lambda r: f"{len(r.ids):,} entities, {len(r.spheres):,} actors"),
        ("network view without sectors (shared)",
         lambda: network.network(g, exclude_kinds=("Sector",)),
         lambda r: f"{len(r.ids):,} entities"),
        ("communities (Leiden)", lambda: communities.communities(g),
         lambda r: f"{r['total']:,} communities, modularity {r['modularity']:.3f}"),
        ("brokers (constraint, effective size, Gould-Fernandez, all actors)",
         lambda: brokers.brokers(g), lambda r: f"{r['total']:,} actors"),
        ("triple helix (linkage, T(uig) overall and per sector)", lambda: helix.helix(g),
         lambda r: f"T(uig) {r['synergy']['T_uig']:.4f} over {r['synergy']['units']:,} "
                   f"units, {r['sectors_total']} sectors"),
        ("gaps (all four kinds)", lambda: gaps.gaps(g),
         lambda r: ", ".join(f"{k} {v:,}" for k, v in r["totals"].items())),
        ("suggest fund_lab (Adamic-Adar, all pairs ranked)",
         lambda: suggest.suggest(g, task="fund_lab"), lambda r: f"{r['total']:,} candidates"),
        ("suggest lab_company (Adamic-Adar, all pairs ranked)",
         lambda: suggest.suggest(g, task="lab_company"),
         lambda r: f"{r['total']:,} candidates"),
    ]:
        result, seconds = timed(fn)
        rows.append((name, seconds, summary(result)))
        log(f"{name}: {seconds:.1f} s")
    return rows


def evaluations(g: nx.MultiDiGraph, tasks: tuple[str, ...], k: int) -> list[dict[str, Any]]:
    found = []
    for task in tasks:
        result, seconds = timed(lambda t=task: suggest.evaluate(g, t, k=k))
        result["seconds"] = seconds
        found.append(result)
        log(f"evaluate {task}: {seconds:.1f} s")
    return found


def eval_table(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| task | ties | hidden | score | AUC | precision@k (hits) |",
             "|---|---:|---:|---|---:|---:|"]
    for r in results:
        if not r["hidden"]:
            lines.append(f"| {r['task']} | {r['ties']} | 0 | (nothing to hide) | | |")
            continue
        for method, m in r["methods"].items():
            if method == "random":
                expected = m["precision_at_k_expected"]
                lines.append(f"| {r['task']} | {r['ties']:,} | {r['hidden']:,} | random "
                             f"baseline | 0.500 | {m['precision_at_k']:.2f} (expected "
                             f"{expected:.2e}) |")
            else:
                auc = "n/a" if m["auc"] is None else f"{m['auc']:.3f}"
                lines.append(f"| {r['task']} | {r['ties']:,} | {r['hidden']:,} | {method} | "
                             f"{auc} | {m['precision_at_k']:.2f} ({m['hits']}) |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges-per-node", type=float, default=3.0)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--data", type=Path, default=HERE.parent / "data")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "analytics.md")
    args = parser.parse_args()
    tasks = tuple(suggest.TASKS)

    real = load_graph(args.data, progress=False)
    real_eval = evaluations(real, tasks, args.k)
    root = generated_data(args.nodes, args.edges_per_node)
    g, load_s = timed(lambda: load_graph(root, check_quotes=False, progress=False))
    log(f"loaded {g} in {load_s:.1f} s")
    rows = run_analytics(g)
    gen_eval = evaluations(g, ("fund_lab", "lab_company"), args.k)

    load = os.getloadavg()
    lines = [
        f"# Ecosystem analytics benchmark: {g.number_of_nodes():,} nodes, "
        f"{g.number_of_edges():,} edges",
        "",
        f"Generated graph (`generate_dataset(nodes={args.nodes}, edges_per_node="
        f"{args.edges_per_node:g})`, seed 42, mixes copied from data/), python "
        f"{sys.version.split()[0]}, networkx {nx.__version__}, {os.cpu_count()} cores, load "
        f"average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end, "
        f"{time.strftime('%Y-%m-%d')}. The machine is shared (other jobs ran meanwhile): "
        "treat figures as upper bounds. Produced by `python -m bench.analytics`.",
        "",
        f"Loading the graph (not timed below): {load_s:.1f} s.",
        "",
        f"## Each analytic, cold (goal: each within {GOAL_S:.0f} s)",
        "",
        "| analytic | seconds | goal | answer |",
        "|---|---:|---|---|",
    ]
    lines += [f"| {name} | {s:.1f} | {'met' if s <= GOAL_S else 'NOT met'} | {summary} |"
              for name, s, summary in rows]
    lines += [
        "",
        "The network view is built once per graph version and shared by every analytic; "
        "its rows are its cost, the other rows exclude it.",
        "",
        "## Link prediction",
        "",
        f"20% of the ties between the task's kinds hidden (seed 42); AUC against 2,000 random "
        f"non-tied pairs of the right kinds (ties count half); precision@{args.k} over the "
        "full ranking of candidate pairs. Random baseline: AUC 0.5 by construction; "
        "precision@k of one seeded random ranking, and its expectation (hidden / open pairs).",
        "",
        f"### data/ ({real.number_of_nodes()} nodes)",
        "",
        *eval_table(real_eval),
        "",
        f"### generated graph ({g.number_of_nodes():,} nodes)",
        "",
        *eval_table(gen_eval),
        "",
    ]
    report = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
