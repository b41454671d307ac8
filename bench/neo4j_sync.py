"""Benchmark: every way of writing a generated graph into Neo4j, side by side, in one run.

    python -m bench.neo4j_sync [--nodes 100000] [--edges-per-node 3] [--naive-slice 2000]

Every method writes the same records (graph.neo4j_rows: same labels, properties, provenance
lists, content hashes and derived MENTIONS) into a FRESH server (innograph.neo4j_server, same
jars, heap and page cache, a new temporary home per method); (a) and (b) get the constraints
and indexes of graph.neo4j_rows.schema_statements before their timed writes:

(a) naive: one auto-commit statement per record (MERGE node; MATCH endpoints + MERGE edge),
    timed on a slice (after 200 untimed statements) and extrapolated;
(b) plain batched ``UNWIND $rows ... MERGE`` (nodes by kind, edges by type, endpoints by an
    index lookup on ``Entity.id``), run twice: the second run writes unchanged data;
(c) ``graph.neo4j_sync.sync_graph`` on an empty database without any schema (it creates the
    constraints and indexes itself, within its time), then again on unchanged data (and
    once more with the metadata shortcut disabled, so every record is hashed and compared);
(d) ``neo4j-admin database import full`` of CSV files written beforehand (not timed), and the
    bulk path ``graph.neo4j_bulk.bulk_import`` (CSV writing + the same import, timed); these
    two run twice, alternately, and the faster run of each is kept (neo4j-admin uses every
    core, so it is the method most at the mercy of other work on the machine).

Each method runs in its own client process, so its peak RSS is its own (the graph itself, held
by every client, is reported separately); the server's peak RSS is VmHWM of its java process.
Centrality write-back is off in (c) so it writes what the others write; it is timed on its own.
Figures go to bench/results/neo4j_sync.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

HERE = Path(__file__).parent
BATCH = 10_000
WARM_UP = 200  # (a): statements run before the timed slice
SERVER_PID_ENV = "INNOGRAPH_BENCH_SERVER_PID"  # tells a method's child the server's pid
OFFLINE_ROUNDS = 2  # (d) and the bulk path take half a minute: each runs twice, best kept
# auth off: throw-away servers on free ports, for the seconds a measurement takes
SERVER = {"heap": "1g", "pagecache": "512m", "auth": False,
          "extra_config": {"db.tx_log.preallocate": "false", "db.tx_log.rotation.size": "64M"}}


# -- the client side of each method (runs in a child process) --------------------------------

def load_pickled(path: Path) -> nx.MultiDiGraph:
    return pickle.loads(path.read_bytes())


def records(g: nx.MultiDiGraph) -> tuple[dict[str, list[dict]], dict[str, list[tuple]]]:
    """The node property maps by kind and (from, to, properties) by relation type."""
    from graph.neo4j_rows import (
        MENTIONS,
        edge_hash,
        edge_properties,
        iter_mentions,
        node_hash,
        node_properties,
    )

    nodes: dict[str, list[dict]] = defaultdict(list)
    for node_id, attrs in g.nodes(data=True):
        nodes[attrs["kind"]].append(node_properties(node_id, attrs, node_hash(node_id, attrs)))
    edges: dict[str, list[tuple]] = defaultdict(list)
    for u, v, rel, attrs in g.edges(keys=True, data=True):
        edges[rel].append((u, v, edge_properties(attrs, edge_hash(u, rel, v, attrs))))
    for m in iter_mentions(g):
        edges[MENTIONS].append((m.source, m.target, m.properties(m.content_hash)))
    return nodes, edges


def _driver(uri: str):
    from neo4j import GraphDatabase, NotificationMinimumSeverity

    return GraphDatabase.driver(uri, notifications_min_severity=NotificationMinimumSeverity.OFF)


def _ensure_schema(driver) -> None:
    from graph.neo4j_sync import ensure_schema

    with driver.session() as session:
        ensure_schema(session)


def method_naive(g: nx.MultiDiGraph, uri: str, slice_size: int) -> dict[str, Any]:
    nodes, edges = records(g)
    all_nodes = [(kind, row) for kind, rows in nodes.items() for row in rows]
    all_edges = [(rel, *e) for rel, rows in edges.items() for e in rows]
    with _driver(uri) as driver:
        _ensure_schema(driver)
        with driver.session() as session:
            def merge_nodes(rows: list) -> float:
                began = time.perf_counter()
                for kind, row in rows:
                    session.run(f"MERGE (n:Entity {{id: $id}}) SET n = $row, n:`{kind}`",
                                id=row["id"], row=row).consume()
                return time.perf_counter() - began

            def merge_edges(rows: list) -> float:
                began = time.perf_counter()
                for rel, u, v, props in rows:
                    session.run(f"MATCH (a:Entity {{id: $u}}) MATCH (b:Entity {{id: $v}}) "
                                f"MERGE (a)-[r:`{rel}`]->(b) SET r = $props",
                                u=u, v=v, props=props).consume()
                return time.perf_counter() - began

            merge_nodes(all_nodes[:WARM_UP])  # a fresh JVM is slow at first: not timed
            node_seconds = merge_nodes(all_nodes[WARM_UP:WARM_UP + slice_size])
            # the rest of the nodes in bulk (not timed), so the edge slice finds endpoints
            by_kind: dict[str, list] = defaultdict(list)
            for kind, row in all_nodes[WARM_UP + slice_size:]:
                by_kind[kind].append(row)
            for kind, rows in by_kind.items():
                for start in range(0, len(rows), BATCH):
                    session.run(f"UNWIND $rows AS row CREATE (n:Entity:`{kind}`) SET n = row",
                                rows=rows[start:start + BATCH]).consume()
            merge_edges(all_edges[:WARM_UP])
            edge_seconds = merge_edges(all_edges[WARM_UP:WARM_UP + slice_size])
    per_node, per_edge = node_seconds / slice_size, edge_seconds / slice_size
    return {"slice": slice_size, "node_ms": per_node * 1e3, "edge_ms": per_edge * 1e3,
            "seconds": per_node * len(all_nodes) + per_edge * len(all_edges),
            "extrapolated": True}


def _batched_merge(driver, nodes: dict, edges: dict) -> float:
    """Write with MERGE; returns the seconds the node part took."""
    began = time.perf_counter()
    with driver.session() as session:
        for kind, rows in nodes.items():
            query = f"UNWIND $rows AS row MERGE (n:Entity {{id: row.id}}) SET n = row, n:`{kind}`"
            for start in range(0, len(rows), BATCH):
                chunk = rows[start:start + BATCH]
                session.execute_write(lambda tx, c=chunk, q=query: tx.run(q, rows=c).consume())
        node_seconds = time.perf_counter() - began
        for rel, rows in edges.items():
            query = (f"UNWIND $rows AS row MATCH (a:Entity {{id: row[0]}}) "
                     f"MATCH (b:Entity {{id: row[1]}}) MERGE (a)-[r:`{rel}`]->(b) SET r = row[2]")
            for start in range(0, len(rows), BATCH):
                chunk = [list(e) for e in rows[start:start + BATCH]]
                session.execute_write(lambda tx, c=chunk, q=query: tx.run(q, rows=c).consume())
    return node_seconds


def method_batched(g: nx.MultiDiGraph, uri: str) -> dict[str, Any]:
    with _driver(uri) as driver:
        began = time.perf_counter()
        _ensure_schema(driver)  # before the timed write, not in (b)'s time
        schema_seconds = time.perf_counter() - began
        runs, node_writes, cpu = [], [], []
        for _ in range(2):  # the row building is part of each run, as in any sync
            meter = CpuMeter()
            began = time.perf_counter()
            nodes, edges = records(g)
            node_writes.append(_batched_merge(driver, nodes, edges))
            runs.append(time.perf_counter() - began)
            cpu.append(meter.used())
    return {"seconds": runs[0], "second_run_seconds": runs[1],
            "node_write_seconds": node_writes[0], "schema_seconds": schema_seconds, **cpu[0]}


def method_sync(g: nx.MultiDiGraph, uri: str) -> dict[str, Any]:
    from graph.neo4j_rows import DEFAULT_WORKERS
    from graph.neo4j_sync import sync_graph

    with _driver(uri) as driver:
        # a database that never saw a sync: creating the schema is part of (c)'s time
        meter = CpuMeter()
        fresh = sync_graph(g, driver, centrality=False, progress=False)
        fresh_cpu = meter.used()
        again = sync_graph(g, driver, centrality=False, progress=False)
        assert not again.changed, again.summary()
        driver.execute_query("MATCH (m:InnographMeta) SET m.version = 'bench: force hashing'")
        hashed = sync_graph(g, driver, centrality=False, progress=False)
        assert not hashed.changed, hashed.summary()
        began = time.perf_counter()
        from graph.neo4j_sync import write_centrality
        from queries.centrality import for_sync

        with driver.session() as session:
            scored = write_centrality(g, session, for_sync(g))
        centrality_seconds = time.perf_counter() - began
    return {"seconds": fresh.seconds, "workers": DEFAULT_WORKERS, **fresh_cpu,
            "resync_seconds": again.seconds,
            "resync_mode": again.mode, "hashed_resync_seconds": hashed.seconds,
            "phases": fresh.phases, "resync_phases": again.phases,
            "hashed_phases": hashed.phases,
            "nodes": fresh.nodes.created, "relationships": fresh.edges.created,
            "centrality_seconds": centrality_seconds, "centrality_nodes": scored}


def method_admin(g: nx.MultiDiGraph, home: Path) -> dict[str, Any]:
    from graph.neo4j_bulk import import_options, write_csv
    from innograph import neo4j_server

    folder = home.parent / "csv"
    files = write_csv(g, folder)
    began = time.perf_counter()
    neo4j_server.import_full(home, nodes=files.node_specs, relationships=files.relationship_specs,
                             extra_args=import_options(files))
    seconds = time.perf_counter() - began
    shutil.rmtree(folder)
    return {"seconds": seconds, "relationships": files.relationships}


def method_bulk(g: nx.MultiDiGraph, home: Path) -> dict[str, Any]:
    from innograph.bulk import bulk_import

    report = bulk_import(g, home)
    return {"seconds": report.seconds, "csv_seconds": report.csv_seconds,
            "import_seconds": report.import_seconds, "csv_mib": report.csv_bytes / 2**20}


def child(argv: list[str]) -> None:
    method, graph_path, target = argv[0], Path(argv[1]), argv[2]
    g = load_pickled(graph_path)
    gc.collect()
    graph_rss = vm_mib(os.getpid(), "VmRSS")
    # reset the peak (VmHWM) to the current RSS: the peak below is the method's own
    Path("/proc/self/clear_refs").write_text("5")
    if method == "naive":
        result = method_naive(g, target, int(argv[3]))
    elif method == "batched":
        result = method_batched(g, target)
    elif method == "sync":
        result = method_sync(g, target)
    elif method == "admin":
        result = method_admin(g, Path(target))
    else:
        result = method_bulk(g, Path(target))
    result["client_peak_mib"] = vm_mib(os.getpid(), "VmHWM")
    result["client_graph_mib"] = graph_rss
    print(json.dumps(result))


# -- the parent: servers, children, report ----------------------------------------------------



def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process so far, every thread included (/proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds of this client process and of the server's JVM over a stretch of work,
    for "how many cores did each side use" (the server's pid comes from the parent)."""

    def __init__(self) -> None:
        pid = os.environ.get(SERVER_PID_ENV)
        self.server_pid = int(pid) if pid else None
        self.start = self._now()

    def _now(self) -> tuple[float, float | None]:
        server = process_cpu(self.server_pid) if self.server_pid else None
        return time.process_time(), server

    def used(self) -> dict[str, float | None]:
        client, server = self._now()
        return {"client_cpu": client - self.start[0],
                "server_cpu": None if server is None or self.start[1] is None
                else server - self.start[1]}


def vm_mib(pid: int, field: str = "VmHWM") -> float | None:
    """``VmHWM`` (peak RSS) or ``VmRSS`` of a process, in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_child(*args: str, server_pid: int | None = None) -> dict[str, Any]:
    env = {**os.environ, SERVER_PID_ENV: str(server_pid)} if server_pid else None
    out = subprocess.run([sys.executable, "-m", "bench.neo4j_sync", "--child", *args],
                         capture_output=True, text=True, check=False, cwd=HERE.parent, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"bench child {args[0]} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def online(method: str, graph_path: Path, root: Path, *extra: str) -> dict[str, Any]:
    from innograph import neo4j_server

    home = root / method
    server = neo4j_server.start(home, bolt_port=neo4j_server.free_port(),
                                http_port=neo4j_server.free_port(), **SERVER)
    try:
        result = run_child(method, str(graph_path), server.bolt_uri, *extra,
                           server_pid=server.pid)
        result["server_peak_mib"] = vm_mib(server.pid)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    print(f"{method}: {json.dumps(result)}", file=sys.stderr, flush=True)
    return result


def offline(method: str, graph_path: Path, root: Path) -> dict[str, Any]:
    """neo4j-admin into a stopped home, then start the server on it to check the counts."""
    from neo4j import GraphDatabase

    from innograph import neo4j_server

    home = root / method / "home"
    neo4j_server.write_config(home, heap=SERVER["heap"], pagecache=SERVER["pagecache"])
    result = run_child(method, str(graph_path), str(home))
    server = neo4j_server.start(home, bolt_port=neo4j_server.free_port(),
                                http_port=neo4j_server.free_port(), **SERVER)
    try:
        with GraphDatabase.driver(server.bolt_uri) as driver:
            result["stored_nodes"] = driver.execute_query(
                "MATCH (n:Entity) RETURN count(n) AS c").records[0]["c"]
            result["stored_relationships"] = driver.execute_query(
                "MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]
            if method == "bulk":  # the first online sync after a bulk import: schema + check
                from graph.neo4j_sync import sync_graph

                g = load_pickled(graph_path)
                first = sync_graph(g, driver, centrality=False, progress=False)
                result["first_sync_seconds"] = first.seconds
                result["first_sync_mode"] = first.mode
    finally:
        server.stop()
        shutil.rmtree(root / method, ignore_errors=True)
    print(f"{method}: {json.dumps(result)}", file=sys.stderr, flush=True)
    return result


def prepare_graph(nodes: int, edges_per_node: float) -> tuple[Path, nx.MultiDiGraph]:
    from loaders.dataset import load_graph
    from loaders.generate import generate_dataset

    data = HERE / ".data" / f"gen-{nodes}-{edges_per_node:g}"
    cached = data.with_name(data.name + ".graph.pickle")
    if not cached.exists():
        if not (data / "edges.jsonl").exists():
            generate_dataset(data, nodes=nodes, edges_per_node=edges_per_node, seed=42,
                             like=HERE.parent / "data")
        g = load_graph(data, check_quotes=False, progress=False)
        cached.write_bytes(pickle.dumps(g, protocol=pickle.HIGHEST_PROTOCOL))
    return cached, load_pickled(cached)


def report(args: argparse.Namespace, g: nx.MultiDiGraph, r: dict[str, dict]) -> str:
    from graph.neo4j_rows import iter_mentions

    mentions = sum(1 for _ in iter_mentions(g))
    rels = g.number_of_edges() + mentions
    b, c, d, bulk = r["batched"], r["sync"], r["admin"], r["bulk"]

    def row(name: str, res: dict, seconds: float, note: str = "") -> str:
        server = res.get("server_peak_mib")
        return (f"| {name} | {seconds:,.1f} | {res['client_peak_mib']:,.0f} | "
                f"{f'{server:,.0f}' if server else 'n/a (offline)'} | {note} |")

    lines = [
        f"# Neo4j write benchmark: {g.number_of_nodes():,} nodes, {rels:,} relationships",
        "",
        f"Generated graph (`loaders.generate`, seed 42, {args.edges_per_node:g} edges per "
        f"node): {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges + "
        f"{mentions:,} derived MENTIONS. Neo4j 5.26 Community from neo4j-server/lib, a fresh "
        f"server per method (heap {SERVER['heap']}, page cache {SERVER['pagecache']}), the "
        "same schema (15 uniqueness constraints, 3 range indexes, 1 full-text index): "
        "created before (a) and (b) start their clocks; (c) starts from a database without "
        "any and creates them within its time (the key constraint before the data, the rest "
        f"after it). Batch size {BATCH:,}; (c) keeps {c['workers']} write transactions in "
        f"flight. {platform.node()}, {_cpus()} CPUs, python "
        f"{sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M')}; load average "
        f"{_load()} at the end (the machine is shared: absolute times vary run to run, the "
        "methods ran back to back).",
        "",
        "| method | wall s | client peak RSS MiB | server peak RSS MiB (VmHWM) | notes |",
        "|---|---:|---:|---:|---|",
        row("(a) naive: one statement per record", r["naive"], r["naive"]["seconds"],
            f"extrapolated from {args.naive_slice:,} nodes ({r['naive']['node_ms']:.2f} ms "
            f"each) and {args.naive_slice:,} edges ({r['naive']['edge_ms']:.2f} ms each)"),
        row("(b) batched UNWIND MERGE, index lookup per endpoint", b, b["seconds"], ""),
        row("(b) same, second run (unchanged data)", b, b["second_run_seconds"], ""),
        row("(c) `sync_graph`, empty database", c, c["seconds"],
            f"speed-up over (b): {b['seconds'] / c['seconds']:.1f}x"),
        row("(c) `sync_graph` again, unchanged data", c, c["resync_seconds"],
            f"{c['resync_mode']}; speed-up over (b)'s second run: "
            f"{b['second_run_seconds'] / c['resync_seconds']:.0f}x"),
        row("(c) `sync_graph` again, unchanged, metadata shortcut off", c,
            c["hashed_resync_seconds"],
            f"every record hashed and compared; speed-up over (b)'s second run: "
            f"{b['second_run_seconds'] / c['hashed_resync_seconds']:.1f}x"),
        row("(d) `neo4j-admin database import full` (CSV ready)", d, d["seconds"],
            f"{d['stored_nodes']:,} nodes, {d['stored_relationships']:,} relationships stored; "
            f"runs {_runs(d)}"),
        row("bulk path `bulk_import` (CSV writing + import)", bulk, bulk["seconds"],
            f"CSV {bulk['csv_seconds']:.1f} s ({bulk['csv_mib']:.0f} MiB) + import "
            f"{bulk['import_seconds']:.1f} s = {bulk['seconds'] / d['seconds']:.2f}x (d); "
            f"runs {_runs(bulk)}"),
        "",
        f"Client peak RSS is the method's own peak (VmHWM reset after loading the graph); each "
        f"client holds the graph, {c['client_graph_mib']:,.0f} MiB RSS, which is included.",
        "",
        f"- After the bulk import the first online `sync_graph` (creates the constraints and "
        f"indexes, populates them, checks counts and digests: {bulk['first_sync_mode']}) took "
        f"{bulk['first_sync_seconds']:.1f} s.",
        f"- Where (c)'s time went: {_phases(c['phases'])}. (b) spent "
        f"{b['node_write_seconds']:.1f} s on nodes (row building included) and "
        f"{b['seconds'] - b['node_write_seconds']:.1f} s on relationships.",
        f"- CPU seconds of the fresh writes, client process + server JVM (every thread): "
        f"(b) {_cpu(b)}; (c) {_cpu(c)}. Wall time is bounded below by total CPU / "
        f"{_cpus()} cores.",
        f"- Re-sync with the shortcut: {_phases(c['resync_phases'])}; without it: "
        f"{_phases(c['hashed_phases'])}.",
        f"- Creating the constraints and indexes on the empty database before (b) (not in "
        f"its time): {b['schema_seconds']:.1f} s.",
        f"- Centrality write-back (compute_all on {c['centrality_nodes']:,} nodes + batched "
        f"SET of 9 properties): {c['centrality_seconds']:.1f} s, on top of (c).",
        "",
        "Goals: fresh sync >= 2x faster than (b): "
        f"{_verdict(b['seconds'] / c['seconds'] >= 2)}; bulk path within 1.5x of (d): "
        f"{_verdict(bulk['seconds'] <= 1.5 * d['seconds'])}; re-sync of unchanged data >= 10x "
        f"faster than (b)'s second run: "
        f"{_verdict(b['second_run_seconds'] / c['resync_seconds'] >= 10)}.",
    ]
    return "\n".join(lines) + "\n"


def _cpu(result: dict) -> str:
    client, server = result.get("client_cpu"), result.get("server_cpu")
    if client is None or server is None:
        return "not measured"
    return (f"{client:.1f} + {server:.1f} = {client + server:.1f} s, "
            f"{(client + server) / result['seconds']:.2f} cores on average")


def _runs(result: dict) -> str:
    return " / ".join(f"{seconds:.1f}" for seconds in result["runs"]) + " s (best kept)"


def _phases(phases: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.items())


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges-per-node", type=float, default=3.0)
    parser.add_argument("--naive-slice", type=int, default=2000)
    parser.add_argument("--only", help="comma-separated methods: naive,batched,sync,admin,bulk")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    graph_path, g = prepare_graph(args.nodes, args.edges_per_node)
    chosen = args.only.split(",") if args.only else ["naive", "batched", "sync", "admin", "bulk"]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="innograph-bench-") as tmp:
        root = Path(tmp)
        for method in chosen:
            if method == "naive":
                results[method] = online(method, graph_path, root, str(args.naive_slice))
            elif method in ("batched", "sync"):
                results[method] = online(method, graph_path, root)
        offline_methods = [m for m in ("admin", "bulk") if m in chosen]
        runs: dict[str, list[dict]] = defaultdict(list)
        for _ in range(OFFLINE_ROUNDS):  # alternated: both see the same machine load
            for method in offline_methods:
                runs[method].append(offline(method, graph_path, root))
        for method, tries in runs.items():
            best = min(tries, key=lambda r: r["seconds"])
            results[method] = {**best, "runs": [r["seconds"] for r in tries]}
    if len(results) < 5:
        print(json.dumps(results, indent=2))
        return
    text = report(args, g, results)
    out = HERE / "results" / "neo4j_sync.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
