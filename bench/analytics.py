"""Benchmark: every ecosystem analytic on data/ and on the 100k-node generated graph, side by
side, and the evaluation of link prediction.

    .venv/bin/python -m bench.analytics [--nodes 100000] [--edges-per-node 3] [--k 10]

For each graph: the warm-up (queries/ecosystem/warm.py) runs in a background thread, as a
server would run it at start-up, while this thread keeps asking shortest-path questions (a
request every 10 ms) to see how much the warm-up stalls other requests; then every analytic
is asked again 100 times (cached answers). Link prediction (``suggest.evaluate``: 20% of the
ties of a task's kinds hidden, seeded; AUC and precision@k of each score against a random
ranking) on both graphs, over several seeds on data/ (few ties there), and on data/ also
against the fund-lab backing pairs that queries/backing.py infers. Peak RSS from getrusage.
Generated data is kept under bench/.data/ (ignored). Figures go to bench/results/analytics.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from bench.common import generated_data
from loaders.dataset import load_graph
from queries import backing, paths
from queries.ecosystem import network, scoring, suggest, warm
from queries.errors import NoAnswer

HERE = Path(__file__).parent
GOAL_S = 30.0
CACHED_GOAL_MS = 50.0
CACHED_CALLS = 100
PROBE_EVERY_S = 0.01
DATA_SEEDS = range(10)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def probe(g: nx.MultiDiGraph, rng: random.Random) -> Callable[[], float]:
    """One 'other request': shortest paths between two random labs or companies (ms)."""
    ends = sorted(n for n, k in g.nodes(data="kind") if k in ("Lab", "Company"))

    def ask() -> float:
        a, b = rng.sample(ends, 2)
        start = time.perf_counter()
        with contextlib.suppress(NoAnswer):  # "no path" is an answer too (a 404)
            paths.shortest_paths(g, a, b, limit=5)
        return (time.perf_counter() - start) * 1000
    return ask


def warm_up(g: nx.MultiDiGraph, label: str) -> dict[str, Any]:
    """The warm-up in a background thread, other requests probed meanwhile; then each
    analytic asked again (cached)."""
    ask = probe(g, random.Random(1))
    idle = [ask() for _ in range(200)]
    seconds: dict[str, dict[str, float]] = {}
    start = time.perf_counter()

    def progress(name: str, step: dict[str, float]) -> None:
        step["ready"] = time.perf_counter() - start  # from the warm-up's start
        log(f"{label}: {name} {step['seconds']:.1f} s, CPU {step['cpu']:.1f} s, ready at "
            f"{step['ready']:.1f} s")
    children = warm.children_cpu()
    load_start = os.getloadavg()[0]
    thread = threading.Thread(target=lambda: seconds.update(warm.warm_up(g, progress)),
                              daemon=True)
    thread.start()
    during = []
    while thread.is_alive():
        during.append(ask())
        time.sleep(PROBE_EVERY_S)
    total = time.perf_counter() - start
    child_cpu = warm.children_cpu() - children
    cached = {}
    for name, step in warm.STEPS:
        times = []
        for _ in range(CACHED_CALLS):
            t0 = time.perf_counter()
            step(g)
            times.append((time.perf_counter() - t0) * 1000)
        cached[name] = times
    return {"seconds": seconds, "total": total, "idle": idle, "during": during,
            "cached": cached, "rss": peak_rss_mb(), "child_cpu": child_cpu,
            "load": (load_start, os.getloadavg()[0])}


def evaluations(g: nx.MultiDiGraph, tasks: tuple[str, ...], k: int,
                seeds: range | tuple[int, ...] = (42,)) -> list[dict[str, Any]]:
    found = []
    for task in tasks:
        start = time.perf_counter()
        runs = [suggest.evaluate(g, task, k=k, seed=s) for s in seeds]
        seconds = time.perf_counter() - start
        log(f"evaluate {task} ({len(runs)} seed(s)): {seconds:.1f} s")
        found.append({"task": task, "runs": runs, "seconds": seconds})
    return found


def backing_agreement(g: nx.MultiDiGraph, k: int) -> dict[str, Any]:
    """How the fund-lab scores rank the backing pairs queries/backing.py finds (chains of up
    to 4 links), against every other fund-lab pair not tied directly."""
    net = network.network(g)
    funds = [n for n in net.ids if g._node[n]["kind"] == "Fund"]
    labs = [n for n in net.ids if g._node[n]["kind"] == "Lab"]
    found = backing.backing(g, limit=10**6)["pairs"]
    patterns = {(p["fund"]["id"], p["lab"]["id"]): sorted(p["patterns"]) for p in found}
    pairs = [(f, lab) for f in funds for lab in labs if lab not in net.adj[f]]
    positive = [p for p in pairs if p in patterns]
    negative = [p for p in pairs if p not in patterns]
    scores = {p: suggest.score(g, net.adj, *p) for p in pairs}
    methods = {}
    for method in scoring.METHODS:
        auc = suggest._auc([getattr(scores[p], method) for p in positive],
                           [getattr(scores[p], method) for p in negative])
        top = suggest.suggest(g, task="fund_lab", method=method, limit=k, evidence=0)["items"]
        hits = sum(1 for i in top if (i["from"]["id"], i["to"]["id"]) in patterns)
        methods[method] = {"auc": auc, "hits": hits, "ranked": len(top)}
    return {"pairs": len(pairs), "backed": len(positive), "methods": methods,
            "patterns": sorted({x for ps in patterns.values() for x in ps})}


def eval_table(results: list[dict[str, Any]], k: int) -> list[str]:
    lines = [f"| task | ties | hidden | score | AUC | precision@{k} |",
             "|---|---:|---:|---|---:|---:|"]
    for r in results:
        runs = [x for x in r["runs"] if x["hidden"]]
        ties = r["runs"][0]["ties"]
        if not runs:
            lines.append(f"| {r['task']} | {ties:,} | 0 | (no ties of these kinds to hide) "
                         "| | |")
            continue
        hidden = runs[0]["hidden"]
        for method in [*scoring.METHODS, "random"]:
            aucs = [x["methods"][method]["auc"] for x in runs
                    if x["methods"][method]["auc"] is not None]
            precs = [x["methods"][method]["precision_at_k"] for x in runs]
            if method == "random":
                expected = statistics.mean(x["methods"]["random"]["precision_at_k_expected"]
                                           for x in runs)
                lines.append(f"| {r['task']} | {ties:,} | {hidden:,} | random baseline | 0.500 "
                             f"| {_mean(precs)} (expected {expected:.1e}) |")
            else:
                lines.append(f"| {r['task']} | {ties:,} | {hidden:,} | {method} | "
                             f"{_mean(aucs, 3)} | {_mean(precs)} |")
    return lines


def _mean(values: list[float], digits: int = 2) -> str:
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def warm_table(runs: dict[str, dict[str, Any]]) -> list[str]:
    names = list(runs)
    lines = [f"| step | {' | '.join(f'{n}: cold s (CPU s), ready at s' for n in names)} | "
             f"{' | '.join(f'{n}: cached p50 / p99 ms' for n in names)} |",
             "|---|" + "---:|" * (2 * len(names))]
    for step, _ in warm.STEPS:
        cold = " | ".join(f"{runs[n]['seconds'][step]['seconds']:.2f} "
                          f"({runs[n]['seconds'][step]['cpu']:.2f}), "
                          f"{runs[n]['seconds'][step]['ready']:.1f}" for n in names)
        hot = " | ".join(f"{percentile(runs[n]['cached'][step], 50):.2f} / "
                         f"{percentile(runs[n]['cached'][step], 99):.2f}" for n in names)
        lines.append(f"| {step} | {cold} | {hot} |")
    totals = " | ".join(f"**{runs[n]['total']:.1f}** ("
                        f"{sum(s['cpu'] for s in runs[n]['seconds'].values()):.1f})"
                        for n in names)
    lines.append(f"| whole warm-up (wall, background thread) | {totals} |"
                 + " |" * len(names))
    child = " | ".join(f"({runs[n]['child_cpu']:.1f})" for n in names)
    lines.append(f"| Leiden's child process, alongside (CPU s) | {child} |" + " |" * len(names))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges-per-node", type=float, default=3.0)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--tasks", default="fund_lab,lab_company",
                        help="link-prediction tasks evaluated on the generated graph "
                             "(actor_actor there ranks ~170M three-step pairs: minutes)")
    parser.add_argument("--data", type=Path, default=HERE.parent / "data")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "analytics.md")
    args = parser.parse_args()
    load_before = os.getloadavg()

    real = load_graph(args.data, progress=False)
    root = generated_data(args.nodes, args.edges_per_node)
    g, load_s = timed(lambda: load_graph(root, check_quotes=False, progress=False))
    log(f"loaded {g} in {load_s:.1f} s")
    # as `innograph serve` does once the graph is loaded and warmed: the loaded graph's
    # millions of objects are left out of the collector's full passes
    gc.freeze()
    rss_loaded = peak_rss_mb()
    label = f"{g.number_of_nodes() // 1000}k"
    runs = {"data/": warm_up(real, "data/"), label: warm_up(g, label)}

    real_eval = evaluations(real, tuple(suggest.TASKS), args.k, DATA_SEEDS)
    agreement = backing_agreement(real, args.k)
    gen_eval = evaluations(g, tuple(args.tasks.split(",")), args.k)
    rss_end = peak_rss_mb()
    load = os.getloadavg()
    big = runs[label]
    big_cpu = sum(s["cpu"] for s in big["seconds"].values())
    worst_cached = max(percentile(t, 99) for t in big["cached"].values())
    quiet_s = max(big_cpu, big["child_cpu"])  # the thread and Leiden's child run side by side
    lines = [
        f"# Ecosystem analytics benchmark: data/ and {g.number_of_nodes():,} nodes",
        "",
        f"Generated graph: `generate_dataset(nodes={args.nodes}, edges_per_node="
        f"{args.edges_per_node:g})`, seed 42, mixes copied from data/ "
        f"({g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges); data/: "
        f"{real.number_of_nodes()} nodes, {real.number_of_edges()} edges. Python "
        f"{sys.version.split()[0]}, networkx {nx.__version__}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d')}. Load average {load_before[0]:.1f} at the start and "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) at the end.",
        "",
        *([f"**The machine was shared with other jobs while this ran** (load average "
           f"{big['load'][0]:.1f} when the {label} warm-up started, {big['load'][1]:.1f} "
           f"when it ended, on {os.cpu_count()} cores): wall times are inflated, treat them "
           "as upper bounds; the CPU seconds are what the work itself needs."]
          if max(big["load"]) > (os.cpu_count() or 1) else []),
        "",
        f"Rerun: `.venv/bin/python -m bench.analytics{''.join(' ' + a for a in sys.argv[1:])}` "
        "(load averages as `uptime` reports them, from `os.getloadavg`).",
        "",
        f"Loading the generated graph (not part of the warm-up): {load_s:.1f} s. Peak RSS: "
        f"{rss_loaded:,.0f} MB with both graphs loaded, {big['rss']:,.0f} MB after both "
        f"warm-ups, {rss_end:,.0f} MB at the end (after the link-prediction evaluations).",
        "",
        f"## Warm-up and cached answers (goal: all within {GOAL_S:.0f} s of start-up, "
        f"cached p99 < {CACHED_GOAL_MS:.0f} ms)",
        "",
        "The warm-up (`queries.ecosystem.warm.warm_up`: the steps of `warm.STEPS`, which "
        "the server's warm-up runs too, every analytic with its default arguments) ran in a "
        "background thread, the graph's objects frozen out of the garbage collector first as "
        "the server does. Each row is cold, after the rows above it (the network rows carry "
        "the shared network views); *ready at*: seconds from the warm-up's start until that "
        "answer is kept, i.e. when a first request for it is answered from the cache. "
        "Leiden runs in a child process started at the *Leiden started* step, alongside the "
        "steps after it; `communities` waits for its labels. CPU: the warm-up thread's; "
        f"Leiden's child process apart, in the last row. Cached: the same call {CACHED_CALLS} "
        "times after the warm-up.",
        "",
        *warm_table(runs),
        "",
        f"Goal on the {label} graph, every analytic within {GOAL_S:.0f} s: whole warm-up "
        f"{big['total']:.1f} s wall (**{'met' if big['total'] <= GOAL_S else 'NOT met'}** on "
        f"this machine at this load); {big_cpu:.1f} s of CPU in the warm-up thread and "
        f"{big['child_cpu']:.1f} s in Leiden's child process on the other core (what it needs "
        f"on a quiet 2-core machine: **{'met' if quiet_s <= GOAL_S else 'NOT met'}**); "
        f"worst cached p99 {worst_cached:.1f} ms "
        f"(**{'met' if worst_cached < CACHED_GOAL_MS else 'NOT met'}**). In `innograph serve` "
        "this warm-up follows the centrality warm-up (bench/results/centrality.md: 12.7 s "
        "for every measure at 100k), so start-up to every analytic ready is the two added.",
        "",
        "### Other requests during the warm-up",
        "",
        "Shortest paths between two random labs or companies (`queries.paths."
        "shortest_paths`, limit 5), asked every 10 ms by the main thread while the warm-up "
        "thread ran, against the same request with nothing else running:",
        "",
        "| graph | requests | idle p50 / p99 ms | during warm-up p50 / p99 / max ms |",
        "|---|---:|---:|---:|",
        *[f"| {n} | {len(r['during'])} | {percentile(r['idle'], 50):.2f} / "
          f"{percentile(r['idle'], 99):.2f} | {percentile(r['during'], 50):.2f} / "
          f"{percentile(r['during'], 99):.2f} / {max(r['during']):.1f} |"
          for n, r in runs.items() if r["during"]],
        "",
        "## Link prediction",
        "",
        "`suggest.evaluate`: 20% of the ties between the task's kinds hidden (seeded); "
        "AUC against 2,000 random non-tied pairs of the right kinds (ties count half); "
        f"precision@{args.k} over the ranking of all candidate pairs. Random baseline: AUC "
        "0.5 by construction; precision@k of one seeded random ranking, and its expectation "
        "(hidden / open pairs).",
        "",
        f"### data/ (mean ± sd over {len(DATA_SEEDS)} seeds: few ties to hide)",
        "",
        *eval_table(real_eval, args.k),
        "",
        "data/ has no direct fund-lab tie and only 4 lab-company ties, so hiding ties of "
        "those kinds measures nothing (one hidden tie per run). `actor_actor` (any two "
        "actors, 90 ties) is the meaningful hide-and-find test there, and it is still small.",
        "",
        "#### fund_lab against the backing pairs of queries/backing.py",
        "",
        f"The backing query infers {agreement['backed']} fund-lab pairs on data/ "
        f"(of {agreement['pairs']} fund-lab pairs; chain patterns: "
        f"{', '.join(agreement['patterns'])}). How each score separates them from the "
        "others (AUC over all fund-lab pairs) and how many of the top "
        f"{args.k} suggestions are backing pairs:",
        "",
        f"| score | AUC | backing pairs in the top {args.k} |",
        "|---|---:|---:|",
        *[f"| {m} | {_mean([v['auc']] if v['auc'] is not None else [], 3)} | "
          f"{v['hits']} of {v['ranked']} |" for m, v in agreement["methods"].items()],
        "",
        "This is a consistency check, not a prediction test: a `via_sector` backing chain "
        "is itself an inference from a shared sector, which the scores count too. It shows "
        "that the suggestions and the backing query agree on which funds could back which "
        "labs, and where they differ (group chains of length 4 lie beyond the scores' "
        "three steps).",
        "",
        f"### generated graph ({g.number_of_nodes():,} nodes, seed 42)",
        "",
        *eval_table(gen_eval, args.k),
        "",
        "fund_lab has no direct tie to hide on the generated graph either (as on data/). "
        "`actor_actor` is left out by default (`--tasks` adds it): ranking all ~42k actors "
        "against each other within three steps means ~170M candidate pairs, which ran for "
        "more than 8 minutes here without finishing.",
        "",
        "The generated graph copies data/'s mixes of kinds and relations, its ties drawn by "
        "a seeded generator (loaders/generate.py): the figures show the scores work and "
        "run at this size, not how well they would predict in a real ecosystem.",
        "",
    ]
    report = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


if __name__ == "__main__":
    main()
