"""Benchmark: RDF export and re-import, ours against rdflib, side by side in one run.

    python -m bench.rdf_export [--nodes 18000] [--iso-nodes 10000] [--big-nodes 1000000]

On a generated graph sized for about 750k triples it measures, each in a fresh subprocess
(wall time, CPU time, peak RSS and RSS with just the graph loaded):

- rdflib: build a ``Graph`` from the same triples, then serialise N-Triples / Turtle; parse
  the N-Triples back;
- ours: the streaming writers of ``graph.rdf.export`` (all six formats), and the re-import
  ``load_graph(file)`` (parse with pyoxigraph, validate, build the networkx graph);
- pyoxigraph's streaming serialiser fed with the same triples, for reference.

Then correctness: our N-Triples and Turtle and rdflib's, each parsed by rdflib, are
isomorphic (``rdflib.compare.isomorphic``) on the curated data set and on a generated
10k-node graph. With ``--big-nodes`` it also exports a generated graph of that many nodes as
N-Triples and Turtle (time, peak memory against the memory of the loaded graph).

Generated data and outputs live in bench/.data/ (ignored); figures go to
bench/results/rdf_export.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE / ".data" / "rdf"
DATA = HERE.parent / "data"


def rss_mb() -> float:
    """Current resident set size (MB), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    """Peak RSS (MB) since the process started or since ``reset_peak``."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Start the peak RSS over from the current RSS (Linux: /proc/self/clear_refs), so a
    task's peak is its own and not the graph loader's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# -- the measured tasks (each runs in its own process) -----------------------------------

def _rdflib_graph(g: Any) -> Any:
    import rdflib

    from graph.rdf.export import describe, iter_triples

    out = rdflib.Graph()
    uri, literal = rdflib.URIRef, rdflib.Literal
    for s, p, o in iter_triples(describe(g)):
        out.add((uri(s), uri(p), uri(o) if isinstance(o, str)
                 else literal(o[0], datatype=o[1], lang=o[2])))
    return out


def task_rdflib_write(g: Any, fmt: str, out: Path) -> dict[str, Any]:
    start = time.perf_counter()
    graph = _rdflib_graph(g)
    built = time.perf_counter()
    graph.serialize(out, format={"nt": "nt", "ttl": "turtle"}[fmt], encoding="utf-8")
    return {"build_s": built - start, "serialize_s": time.perf_counter() - built,
            "triples": len(graph)}


def task_ours_write(g: Any, fmt: str, out: Path) -> dict[str, Any]:
    from graph.rdf.export import export_graph

    export_graph(g, fmt, out, progress=False)
    return {}


def task_pyoxigraph_write(g: Any, fmt: str, out: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    from graph.rdf.export import describe, iter_triples

    def triples() -> Any:
        node, literal, triple = ox.NamedNode, ox.Literal, ox.Triple
        for s, p, o in iter_triples(describe(g)):
            obj = (node(o) if isinstance(o, str) else literal(
                o[0], datatype=node(o[1]) if o[1] else None, language=o[2]))
            yield triple(node(s), node(p), obj)

    fmt_ = {"nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE}[fmt]
    ox.serialize(triples(), out, fmt_)
    return {}


def task_rdflib_parse(path: Path) -> dict[str, Any]:
    import rdflib

    graph = rdflib.Graph().parse(path, format={".nt": "nt", ".ttl": "turtle"}[path.suffix])
    return {"triples": len(graph)}


def task_pyoxigraph_parse(path: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    return {"triples": sum(1 for _ in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES))}


def task_pyoxigraph_values(path: Path) -> dict[str, Any]:
    """The least any Python reader built on pyoxigraph does: parse, and read each term's value
    into a Python str (no index, no records)."""
    import pyoxigraph as ox

    triples = 0
    for subject, predicate, term, _ in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES):
        _ = subject.value, predicate.value, term.value
        triples += 1
    return {"triples": triples}


def task_ours_parse(path: Path) -> dict[str, Any]:
    """The RDF reader alone: parse, index by subject, raw records for the validator."""
    import gc

    from loaders.rdf import RdfFile

    gc.disable()  # as load_graph does while it reads
    rdf = RdfFile(path)
    return {"nodes": sum(1 for _ in rdf.nodes()), "edges": sum(1 for _ in rdf.edges())}


def task_ours_import(path: Path, sources: Path) -> dict[str, Any]:
    """``load_graph`` of an RDF file (or, for scale, of the generated JSON Lines)."""
    from loaders.dataset import load_graph

    g = load_graph(path, sources_dir=sources, progress=False)
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}


def task_import_stages(path: Path, sources: Path) -> dict[str, Any]:
    """Where the full re-import spends its time: ``load_graph``'s steps one after another
    (without its progress bar and file bookkeeping), each timed (wall and CPU seconds)."""
    import gc

    from graph.embedded import add_edge_record, add_node_record, new_graph, stamp_version
    from graph.schema import load_schema
    from loaders.problems import ProblemReport
    from loaders.rdf import RdfFile
    from loaders.validate import RecordValidator, SourceTexts

    stages: dict[str, list[float]] = {}
    clock = [time.perf_counter(), cpu_seconds()]

    def lap(name: str) -> None:
        now = [time.perf_counter(), cpu_seconds()]
        stages[name] = [now[0] - clock[0], now[1] - clock[1]]
        clock[:] = now

    schema = load_schema()
    gc.disable()  # as load_graph does
    rdf = RdfFile(path, schema)
    assert rdf.subjects
    lap("parse and index by subject (pyoxigraph)")
    node_records, edge_records = list(rdf.nodes()), list(rdf.edges())
    lap("raw node and edge records from the index")
    kinds: dict[str, str] = {}
    report = ProblemReport()
    validator = RecordValidator(schema, report, SourceTexts(sources), kinds.get)
    nodes = [validator.node(raw, path.name, location) for location, raw in node_records]
    kinds.update((node.id, node.kind) for node in nodes if node is not None)
    edges = [validator.edge(raw, path.name, location) for location, raw in edge_records]
    assert not report, report.summary()
    lap("validate (schema, quote checks)")
    g = new_graph()
    for node in nodes:
        add_node_record(g, node)  # type: ignore[arg-type]
    for edge in edges:
        add_edge_record(g, edge)  # type: ignore[arg-type]
    lap("build the networkx graph")
    stamp_version(g)
    lap("version hash of the graph")
    del rdf, node_records, edge_records, nodes, edges
    gc.enable()
    gc.collect()
    lap("free the index and records, one garbage collection")
    return {"stages": stages}


def task_isomorphic(g_path: Path, out_dir: Path) -> dict[str, Any]:
    """Our NT and Turtle and rdflib's, each parsed by rdflib, are isomorphic."""
    import rdflib
    from rdflib.compare import isomorphic

    from graph.rdf.export import export_graph

    g = _load_graph(g_path)
    reference = _rdflib_graph(g)
    results = {"triples": len(reference)}
    parsed = {}
    for fmt, name in (("nt", "nt"), ("ttl", "turtle")):
        theirs, ours = out_dir / f"rdflib.{fmt}", out_dir / f"ours.{fmt}"
        reference.serialize(theirs, format=name, encoding="utf-8")
        export_graph(g, fmt, ours, progress=False)
        parsed[f"rdflib-{fmt}"] = rdflib.Graph().parse(theirs, format=name)
        parsed[f"ours-{fmt}"] = rdflib.Graph().parse(ours, format=name)
    for fmt in ("nt", "ttl"):
        for theirs in ("nt", "ttl"):
            results[f"ours-{fmt} ~ rdflib-{theirs}"] = isomorphic(parsed[f"ours-{fmt}"],
                                                                  parsed[f"rdflib-{theirs}"])
    return results


def _load_graph(path: Path) -> Any:
    if path.suffix == ".pickle":
        with open(path, "rb") as handle:
            return pickle.load(handle)
    from loaders.dataset import load_graph

    return load_graph(path, progress=False)


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the reader's)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


# Modules each task uses, imported before its clock starts: the task's time is its own work.
TASK_MODULES = {"rdflib-write": ["rdflib", "graph.rdf.export"], "rdflib-parse": ["rdflib"],
                "pyoxigraph-write": ["pyoxigraph", "graph.rdf.export"],
                "pyoxigraph-parse": ["pyoxigraph"], "pyoxigraph-values": ["pyoxigraph"],
                "ours-write": ["graph.rdf.export"],
                "ours-parse": ["loaders.rdf"], "ours-import": ["loaders.dataset"],
                "import-stages": ["loaders.dataset"]}


def child(argv: list[str]) -> None:
    """Run one task and print its figures as JSON: ``--child TASK GRAPH_OR_FILE ARGS...``."""
    task, source, *rest = argv
    for module in TASK_MODULES.get(task, []):
        importlib.import_module(module)
    before = rss_mb()
    start, cpu = time.perf_counter(), cpu_seconds()
    readers = {"rdflib-parse": lambda: task_rdflib_parse(Path(source)),
               "import-stages": lambda: task_import_stages(Path(source), Path(rest[0])),
               "pyoxigraph-parse": lambda: task_pyoxigraph_parse(Path(source)),
               "pyoxigraph-values": lambda: task_pyoxigraph_values(Path(source)),
               "ours-parse": lambda: task_ours_parse(Path(source)),
               "ours-import": lambda: task_ours_import(Path(source), Path(rest[0]))}
    if task in readers:
        figures = readers[task]()
        loaded = before
    elif task == "isomorphic":
        figures = task_isomorphic(Path(source), Path(rest[0]))
        loaded = before
    else:
        g = _load_graph(Path(source))
        loaded = rss_mb()
        reset_peak()
        start, cpu = time.perf_counter(), cpu_seconds()
        fmt, out = rest
        writer = {"rdflib-write": task_rdflib_write, "ours-write": task_ours_write,
                  "pyoxigraph-write": task_pyoxigraph_write}[task]
        figures = writer(g, fmt, Path(out))
        figures["bytes"] = Path(out).stat().st_size
    figures.update(seconds=time.perf_counter() - start, cpu_seconds=cpu_seconds() - cpu,
                   peak_rss_mb=peak_mb(), loaded_rss_mb=loaded,
                   child_peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    print(json.dumps(figures))


def run(task: str, *args: Any) -> dict[str, Any]:
    print(f"  {task} {' '.join(str(a) for a in args)}", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, "-m", "bench.rdf_export", "--child", task,
                           *map(str, args)], capture_output=True, text=True,
                          cwd=HERE.parent)
    if done.returncode != 0:
        raise RuntimeError(f"{task} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


RDFLIB_RUNS, OUR_RUNS = 2, 3  # re-import rows: the best of this many fresh processes each


def best_of(runs: int, task: str, *args: Any) -> dict[str, Any]:
    """The fastest of ``runs`` fresh runs of a task, with every run's seconds."""
    results = [run(task, *args) for _ in range(runs)]
    best = min(results, key=lambda r: r["seconds"])
    return {**best, "all_seconds": [r["seconds"] for r in results]}


# -- orchestration -------------------------------------------------------------------------

def prepared_graph(nodes: int) -> tuple[Path, Path]:
    """A generated data set of ``nodes`` nodes and a pickle of its loaded graph."""
    from loaders.dataset import load_graph
    from loaders.generate import generate_dataset

    root = WORK / f"gen-{nodes}"
    if not (root / "edges.jsonl").exists():
        print(f"generating {nodes:,} nodes", file=sys.stderr, flush=True)
        generate_dataset(root, nodes=nodes, edges_per_node=3, seed=42, like=DATA)
    pickled = WORK / f"gen-{nodes}.graph.pickle"
    if not pickled.exists() or pickled.stat().st_mtime < (root / "edges.jsonl").stat().st_mtime:
        g = load_graph(root, progress=False)
        with open(pickled, "wb") as handle:
            pickle.dump(g, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return root, pickled


def speed_and_memory(nodes: int) -> dict[str, Any]:
    root, pickled = prepared_graph(nodes)
    out = WORK / "out"
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, Any] = {}
    for fmt in ("nt", "ttl"):
        rows[f"rdflib-{fmt}"] = run("rdflib-write", pickled, fmt, out / f"rdflib.{fmt}")
        rows[f"pyoxigraph-{fmt}"] = run("pyoxigraph-write", pickled, fmt, out / f"ox.{fmt}")
    for fmt in ("nt", "ttl", "nq", "trig", "jsonld", "xml"):
        rows[f"ours-{fmt}"] = run("ours-write", pickled, fmt, out / f"ours.{fmt}")
    ours_nt = out / "ours.nt"
    with open(ours_nt, "rb") as handle:
        rows["triples"] = sum(1 for _ in handle)
    for fmt in ("nt", "ttl"):  # best of two each: the machine's speed wanders
        rows[f"rdflib-parse-{fmt}"] = best_of(RDFLIB_RUNS, "rdflib-parse", out / f"ours.{fmt}")
    rows["pyoxigraph-parse-nt"] = run("pyoxigraph-parse", ours_nt)
    rows["pyoxigraph-values-nt"] = run("pyoxigraph-values", ours_nt)
    rows["ours-parse-nt"] = run("ours-parse", ours_nt)
    for fmt in ("nt", "ttl"):
        rows[f"ours-import-{fmt}"] = best_of(OUR_RUNS, "ours-import", out / f"ours.{fmt}",
                                             root / "sources")
    rows["import-stages"] = run("import-stages", ours_nt, root / "sources")
    rows["jsonl-load"] = run("ours-import", root, root / "sources")
    return rows


def big_export(nodes: int) -> dict[str, Any]:
    from loaders.generate import generate_dataset

    root = WORK / f"gen-{nodes}"
    if not (root / "edges.jsonl").exists():
        print(f"generating {nodes:,} nodes", file=sys.stderr, flush=True)
        generate_dataset(root, nodes=nodes, edges_per_node=3, seed=42, like=DATA)
    rows = {}
    for fmt in ("nt", "ttl"):
        target = WORK / "out" / f"big.{fmt}"
        rows[fmt] = run("ours-write", root, fmt, target)
        if fmt == "nt":
            with open(target, "rb") as handle:
                rows["triples"] = sum(1 for _ in handle)
        target.unlink()
    return rows


def isomorphism(nodes: int) -> dict[str, Any]:
    _, pickled = prepared_graph(nodes)
    out = WORK / "iso"
    out.mkdir(parents=True, exist_ok=True)
    return {"data/": run("isomorphic", DATA, out), f"generated {nodes:,} nodes":
            run("isomorphic", pickled, out)}


# -- report --------------------------------------------------------------------------------

def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "-"


def _runs(r: dict[str, Any]) -> str:
    return "best of " + ", ".join(f"{seconds:.2f}" for seconds in r["all_seconds"]) + " s"


def import_stages(stages: dict[str, list[float]], full: dict[str, Any]) -> list[str]:
    """Where the full N-Triples re-import spends its time."""
    lines = ["", "### Where the full re-import spends its time", "",
             f"The full re-import took {full['seconds']:.2f} s. Its steps, timed one after "
             "another in one more fresh process:", "",
             "| step | seconds | CPU s | share |", "|---|---:|---:|---:|"]
    total = sum(wall for wall, _ in stages.values())
    for name, (wall, cpu) in stages.items():
        lines.append(f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / total:.0%} |")
    lines.append(f"| total | {total:.2f} | {sum(c for _, c in stages.values()):.2f} | |")
    return lines


def report(args: argparse.Namespace, speed: dict[str, Any], iso: dict[str, Any],
           big: dict[str, Any] | None) -> str:
    t = speed["triples"]
    lines = [
        "# RDF export benchmark", "",
        f"One run on {time.strftime('%Y-%m-%d')}, python {platform.python_version()}, "
        f"{platform.machine()}; a generated graph of {args.nodes:,} nodes and "
        f"{speed['ours-import-nt']['edges']:,} edges = **{t:,} triples** (N-Triples lines). "
        "Each row is a fresh process: *seconds* is wall time of the task alone (the modules "
        "it uses are imported before the clock starts), "
        "*graph RSS* its size with just the networkx graph loaded (the writers start from "
        "it), *peak RSS* its high-water mark during the task (for the writers the peak is "
        "reset after loading the graph, so it is the task's own); *CPU s* adds the CPU time "
        "of child processes. "
        "The machine has 2 cores shared with other work, so wall times vary run to run (CPU "
        "seconds less so); the "
        "ratios are what count.", "",
        "| task | seconds | CPU s | triples/s | peak RSS MB | graph RSS MB | output MB |",
        "|---|---:|---:|---:|---:|---:|---:|"]

    def row(name: str, r: dict[str, Any], seconds: float | None = None) -> str:
        s = seconds if seconds is not None else r["seconds"]
        size = f"{r['bytes'] / 2**20:,.0f}" if "bytes" in r else ""
        return (f"| {name} | {s:.2f} | {r['cpu_seconds']:.2f} | {t / s:,.0f} | "
                f"{r['peak_rss_mb']:,.0f} | {r['loaded_rss_mb']:,.0f} | {size} |")

    for fmt, label in (("nt", "N-Triples"), ("ttl", "Turtle")):
        r = speed[f"rdflib-{fmt}"]
        lines.append(f"| rdflib: build Graph ({r['build_s']:.2f} s) + serialise {label} "
                     f"({r['serialize_s']:.2f} s) |" + row("", r)[4:])
        lines.append(row(f"pyoxigraph streaming serialiser, {label}", speed[f"pyoxigraph-{fmt}"]))
        lines.append(row(f"**ours, {label}**", speed[f"ours-{fmt}"]))
    for fmt, label in (("nq", "N-Quads"), ("trig", "TriG"), ("jsonld", "JSON-LD"),
                       ("xml", "RDF/XML")):
        lines.append(row(f"ours, {label}", speed[f"ours-{fmt}"]))
    for fmt, label in (("nt", "N-Triples"), ("ttl", "Turtle")):
        lines.append(row(f"rdflib: parse {label} ({_runs(speed[f'rdflib-parse-{fmt}'])})",
                         speed[f"rdflib-parse-{fmt}"]))
    lines.append(row("pyoxigraph: parse N-Triples (no graph built)",
                     speed["pyoxigraph-parse-nt"]))
    lines.append(row("pyoxigraph: parse N-Triples and read every term's value into Python "
                     "(one process; the least a reader on pyoxigraph does)",
                     speed["pyoxigraph-values-nt"]))
    lines.append(row("ours: read N-Triples into raw records, as the ordinary load does "
                     "(pyoxigraph parse, index by subject, node and edge records)",
                     speed["ours-parse-nt"]))
    lines.append(row("**ours: re-import N-Triples in full** (parse, build and validate the "
                     "records with quote checks, build the networkx graph; "
                     f"{_runs(speed['ours-import-nt'])})", speed["ours-import-nt"]))
    lines.append(row("**ours: re-import Turtle in full** "
                     f"({_runs(speed['ours-import-ttl'])})", speed["ours-import-ttl"]))
    lines.append(row("for scale: `load_graph` of the same graph's JSON Lines (same validator, "
                     "no RDF)", speed["jsonl-load"]))

    def goal(name: str, ours: dict, theirs: dict, speed_goal: float,
             memory: bool) -> list[str]:
        speedup = theirs["seconds"] / ours["seconds"]
        cpu = theirs["cpu_seconds"] / ours["cpu_seconds"]
        text = [f"| {name} | {speedup:.1f}x (CPU {cpu:.1f}x) | >= {speed_goal:g}x | "
                f"{'met' if speedup >= speed_goal else '**not met**'} |"]
        if memory:
            share = ours["peak_rss_mb"] / theirs["peak_rss_mb"]
            extra = ((ours["peak_rss_mb"] - ours["loaded_rss_mb"])
                     / max(theirs["peak_rss_mb"] - theirs["loaded_rss_mb"], 1))
            text.append(f"| {name}: peak memory | 1/{1 / share:.1f} of rdflib's (above the "
                        f"loaded graph: 1/{1 / max(extra, 1e-9):.0f}) | <= 1/5 | "
                        f"{'met' if share <= 0.2 else '**not met**'} |")
        return text

    lines += ["", "## Goals", "", "| goal | measured | target | |", "|---|---:|---:|---|"]
    lines += goal("N-Triples export vs rdflib build + serialise", speed["ours-nt"],
                  speed["rdflib-nt"], 20, True)
    lines += goal("Turtle export vs rdflib build + serialise", speed["ours-ttl"],
                  speed["rdflib-ttl"], 10, True)
    lines += ["", "The re-import's former 10x goal is retired (issue 13): the two-worker load "
              "that met it served no common user path. The ratios are shown for reference:", ""]
    for fmt, label in (("nt", "N-Triples"), ("ttl", "Turtle")):
        ratio = _ratio(speed[f"rdflib-parse-{fmt}"]["seconds"],
                       speed[f"ours-import-{fmt}"]["seconds"])
        lines.append(f"- re-import of {label} in full vs rdflib's parse of it: {ratio}")
    lines += ["", "The re-import rows, from bare to complete: pyoxigraph's parser alone (what the "
              "reader is built on); the ordinary reader up to the raw records the validator "
              "takes (parse, index the triples by subject, build node and edge records: Python "
              "work per triple on top of the parse); and the full load, which adds the same "
              "schema validation, quote checks against the source texts and networkx graph "
              "building as any data file gets; the JSON Lines row shows that share on its own. "
              "rdflib's parse builds only its triple store, with no validation. The re-import "
              "rows are the best of several fresh runs (the seconds of each are given), and so "
              "are rdflib's parses they are compared with; *CPU s* counts child processes."]
    lines += import_stages(speed["import-stages"]["stages"], speed["ours-import-nt"])
    lines += ["", "## Correctness: our output and rdflib's parse to isomorphic graphs", "",
              "Both serialisations of the same triples, each parsed back by rdflib, compared "
              "with `rdflib.compare.isomorphic`.", "",
              "| graph | triples | ours NT ~ rdflib NT | ours NT ~ rdflib Turtle | "
              "ours Turtle ~ rdflib NT | ours Turtle ~ rdflib Turtle |",
              "|---|---:|---|---|---|---|"]
    for name, r in iso.items():
        cells = [str(r[f"ours-{a} ~ rdflib-{b}"]) for a in ("nt", "ttl") for b in ("nt", "ttl")]
        lines.append(f"| {name} | {r['triples']:,} | " + " | ".join(cells) + " |")
    if big:
        lines += ["", f"## Large graph: {args.big_nodes:,} generated nodes, "
                  f"{big['triples']:,} triples", "",
                  "Streaming export of the whole graph to disk (the graph is loaded and "
                  "validated first; its memory is the *graph RSS*; the peak is the export's "
                  "own, measured from there).", "",
                  "| format | seconds | CPU s | triples/s | peak RSS MB | graph RSS MB | above the "
                  "graph MB | output MB |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for fmt in ("nt", "ttl"):
            r = big[fmt]
            lines.append(f"| {fmt} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
                         f"{big['triples'] / r['seconds']:,.0f} | "
                         f"{r['peak_rss_mb']:,.0f} | {r['loaded_rss_mb']:,.0f} | "
                         f"{r['peak_rss_mb'] - r['loaded_rss_mb']:,.0f} | "
                         f"{r['bytes'] / 2**20:,.0f} |")
    lines += ["", "Reference figures from the issue (another machine, 750k triples): rdflib "
              "build 9.6 s + N-Triples serialise 3.2 s (peak 880 MB), Turtle 23 s (950 MB), "
              "N-Triples parse 18.8 s (1 GB); pyoxigraph streaming serialise 1.3 s (93 MB), "
              "parse 0.6 s.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=18_000,
                        help="generated graph for the side-by-side run (default: %(default)s, "
                             "about 750k triples)")
    parser.add_argument("--iso-nodes", type=int, default=10_000,
                        help="generated graph for the isomorphism check (default: %(default)s)")
    parser.add_argument("--big-nodes", type=int, default=0,
                        help="also export a generated graph of this many nodes (e.g. 1000000)")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    speed = speed_and_memory(args.nodes)
    iso = isomorphism(args.iso_nodes)
    big = big_export(args.big_nodes) if args.big_nodes else None
    text = report(args, speed, iso, big)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "rdf_export.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
