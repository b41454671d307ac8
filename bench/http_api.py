"""Benchmark: the HTTP API under a small concurrent load, embedded and over Neo4j, side by side.

    python -m bench.http_api [--stores embedded,neo4j] [--nodes 100000,1000000]
                             [--api-processes 1,2] [--edges-per-node 3] [--clients 4]
                             [--requests 150] [--threads 8] [--seed 1] [--out FILE]

For each generated graph (``--nodes``, seed 42, kept in bench/.data/ and reused):

- embedded: one ``innograph serve --data DIR`` process (waitress, ``--threads``), started as a
  user starts it; start-up is measured until it serves and until its background centrality
  warm-up reports, while one client asks for an entity every 20 ms.
- neo4j: a Neo4j server (innograph.neo4j_server, auth off: a throw-away server on free ports)
  whose home, bench/.data/neo4j-gen-N-E/, is filled once by ``innograph sync --bulk-home``
  (neo4j-admin import) and then ``innograph sync`` online (constraints, indexes, centrality
  written back), and reused by later runs. Over it, for each ``--api-processes`` P: P
  ``innograph serve --no-warm-up`` processes with ``NEO4J_URI`` set, each on its own port
  (what a proxy in front of them spreads requests over); the clients are dealt round-robin
  to the processes. Before the load each process's first (cold) requests are timed: a
  backing request (reads that fund's backing subgraph into the process) and each centrality
  measure (reads the synced scores), with the process's resident memory before and after.
- floor (measured first, so each API phase is shown against it as soon as it completes):
  the Cypher statements each request runs (recorded from the Neo4j store while the same
  request goes through the app in this process, caches warm) replayed through the driver by
  the same number of client threads, a session per request, briefly untimed, then timed:
  what the request costs Neo4j with no HTTP, Flask or answer shaping.

The results file is rewritten after every request kind measured (a run cut short keeps its
tables), each figure is logged on the terminal as it comes, and a phase that fails is logged,
noted in the file, and the run goes on with the next one.

Request kinds, one kind at a time, ``--clients`` threads each with one keep-alive
``http.client`` connection, ``--requests`` requests each: path (all shortest paths), entity,
backing (one fund's), centrality (a ranking, warmed before the load), search (a name prefix).
Latency: request sent to body read. Goals (p99): embedded path and entity < 20 ms, backing and
centrality < 50 ms; over Neo4j at 100k nodes path and entity < 50 ms, backing and centrality
< 100 ms, and every kind within 2x of its bare-Cypher floor. Figures go to
bench/results/http_api_neo4j.md (``--out``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from bench.common import generated_data
from graph.neo4j_rows import SYNC_FORMAT
from queries.backend import CENTRALITY_MEASURES

HERE = Path(__file__).parent
KINDS = ("path", "entity", "backing", "centrality", "search", "path_as_of", "entity_as_of",
         "changes")
GOALS_MS: dict[str, dict[str, float | None]] = {
    "embedded": {"path": 20, "entity": 20, "backing": 50, "centrality": 50, "search": None,
                 "path_as_of": 20, "entity_as_of": 20, "changes": 50},
    "neo4j": {"path": 50, "entity": 50, "backing": 100, "centrality": 100, "search": None,
              "path_as_of": 50, "entity_as_of": 50, "changes": 100}}
FLOOR_RATIO = 2.0  # over Neo4j, p99 within this factor of the bare Cypher's p99
GOAL_NODES = 100_000  # the Neo4j goals are set at this size; larger graphs are reported
TARGETS = 300  # distinct entities (and candidate path pairs) to draw requests from
WARM_UP_PROBE = "/api/v1/entities/{id}?edge_limit=20"
WARM_UP_GAP = 0.02  # seconds between the probe's requests

Samples = dict[str, list[tuple[float, int, int]]]  # kind -> (ms, status, bytes)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def resident_mib(pid: int) -> float:
    """The resident memory of a process (Linux /proc), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


class Client:
    """One keep-alive connection; ``get`` returns (status, body, milliseconds)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)

    def get(self, path: str) -> tuple[int, bytes, float]:
        start = time.perf_counter()
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        body = response.read()
        return response.status, body, (time.perf_counter() - start) * 1000

    def json(self, path: str) -> Any:
        status, body, _ = self.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
        return json.loads(body)

    def close(self) -> None:
        self.connection.close()


# -- servers ----------------------------------------------------------------------------------

@dataclass
class Served:
    process: subprocess.Popen
    url: str
    serving_s: float
    ready_s: float | None = None
    ready_line: str = ""
    warm_up_ms: list[float] = field(default_factory=list)

    def stop(self) -> None:
        # SIGTERM: a process started in the background by a shell ignores SIGINT
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def probe_until(base_url: str, node_id: str, done: threading.Event) -> list[float]:
    """Latencies (ms) of one client asking for an entity every 20 ms until ``done``: what a
    caller sees while centrality warms up in the background."""
    client, latencies = Client(base_url), []
    path = WARM_UP_PROBE.format(id=node_id)
    while not done.is_set():
        status, _, ms = client.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} during the warm-up")
        latencies.append(ms)
        time.sleep(WARM_UP_GAP)
    client.close()
    return latencies


def serve(root: Path, threads: int, neo4j_uri: str | None, probe_id: str | None) -> Served:
    """``innograph serve`` on a free port of 127.0.0.1, as a user starts it: over ``--data
    root`` (waiting for the centrality warm-up, ``probe_id`` asked for meanwhile) or, with
    ``neo4j_uri``, over Neo4j without warm-up (the cold requests are measured instead)."""
    command = [sys.executable, "-m", "innograph.cli", "serve", "--data", str(root),
               "--port", "0", "--threads", str(threads)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    if neo4j_uri:
        command.append("--no-warm-up")
        env["NEO4J_URI"] = neo4j_uri
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=HERE.parent, stdout=subprocess.PIPE, text=True,
                               env=env)
    line = process.stdout.readline()
    match = re.search(r"API at (http://[\d.]+:\d+)/api/v1", line)
    if not match:
        process.kill()
        raise RuntimeError(f"innograph serve did not start: {line!r}")
    served = Served(process, match.group(1), time.perf_counter() - start)
    if neo4j_uri or probe_id is None:
        return served
    done = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        probe = pool.submit(probe_until, served.url, probe_id, done)
        served.ready_line = process.stdout.readline().strip()
        served.ready_s = time.perf_counter() - start
        done.set()
        served.warm_up_ms = probe.result()
    if "centrality ready" not in served.ready_line:
        served.stop()
        raise RuntimeError(f"no centrality warm-up report: {served.ready_line!r}")
    return served


def cli(*args: str) -> None:
    """An ``innograph`` command, its output on this terminal (progress of long work)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    subprocess.run([sys.executable, "-m", "innograph.cli", *args], cwd=HERE.parent, env=env,
                   check=True)


def neo4j_home(root: Path, heap: str, pagecache: str) -> Path:
    """A server home holding the graph of ``root`` synced (bulk import, then an online sync
    for constraints, indexes and centrality), made once and reused."""
    from innograph import neo4j_server

    home = HERE / ".data" / f"neo4j-{root.name}"
    marker = home / "innograph-bench-ready"
    # a home synced by an older format lacks what the reads use (e.g. reported_from)
    stamp = f"sync format {SYNC_FORMAT}"
    if marker.exists() and stamp in marker.read_text(encoding="utf-8"):
        return home
    if marker.exists():
        log(f"{home} was synced by another sync format than {SYNC_FORMAT}: made again")
    shutil.rmtree(home, ignore_errors=True)
    neo4j_server.write_config(home, auth_enabled=False, heap=heap, pagecache=pagecache)
    log(f"bulk import of {root.name} into {home}")
    began = time.perf_counter()
    cli("sync", "--data", str(root), "--bulk-home", str(home))
    server = start_neo4j(home, heap, pagecache)
    try:
        log("online sync (constraints, indexes, centrality)")
        cli("sync", "--data", str(root), "--uri", server.bolt_uri)
    finally:
        server.stop()
    marker.write_text(f"{stamp}\n{time.perf_counter() - began:.0f} s to fill\n",
                      encoding="utf-8")
    return home


def start_neo4j(home: Path, heap: str, pagecache: str) -> Any:
    from innograph import neo4j_server

    return neo4j_server.start(home, bolt_port=neo4j_server.free_port(),
                              http_port=neo4j_server.free_port(), auth=False, heap=heap,
                              pagecache=pagecache, timeout=600)


# -- targets and load -------------------------------------------------------------------------

def draw_targets(root: Path, rng: random.Random, check: Client) -> dict[str, list[str]]:
    """Request paths for each kind, drawn from the data files so every store gets the same:
    entities uniformly, funds, name prefixes; path pairs that have a path (checked once
    through ``check``, so the load asks real path questions)."""
    ids, funds, names, years = [], [], [], set()
    with open(root / "nodes.jsonl", encoding="utf-8") as lines:
        for line in lines:
            node = json.loads(line)
            ids.append(node["id"])
            names.append(node["name_zh"])
            if node["kind"] == "Fund":
                funds.append(node["id"])
            if node["kind"] == "Source" and node.get("published_year"):
                years.add(node["published_year"])
    first, last = min(years), max(years)  # as_of the latest: every record, filter still run
    drawn = rng.sample(range(len(ids)), TARGETS)
    pairs = []
    for _ in range(TARGETS):
        a, b = rng.sample(drawn, 2)
        path = f"/api/v1/paths?{urlencode({'from': ids[a], 'to': ids[b]})}"
        if check.get(path)[0] == 200:
            pairs.append(path)
    kinds = [None, "Lab", "Fund", "Company"]
    return {
        "path": pairs,
        "entity": [f"/api/v1/entities/{quote(ids[i])}" for i in drawn],
        "backing": [f"/api/v1/backing?fund={quote(f)}"
                    for f in rng.sample(funds, min(len(funds), TARGETS))],
        "centrality": [centrality_path(m, k) for m in CENTRALITY_MEASURES for k in kinds],
        # a prefix shared by ~100 names (generated names end in a 7-digit number and 号)
        "search": [f"/api/v1/entities?{urlencode({'q': names[i][:-3]})}" for i in drawn],
        "path_as_of": [f"{p}&as_of={last}" for p in pairs],
        "entity_as_of": [f"/api/v1/entities/{quote(ids[i])}?as_of={last}" for i in drawn],
        # pages of one comparison (kept per generation and dates after the first request)
        "changes": [f"/api/v1/changes?from={first}&to={last}&limit=50&offset={50 * k}"
                    for k in range(20)] if first < last else [],
    }


def centrality_path(measure: str, kind: str | None) -> str:
    params: dict[str, Any] = {"measure": measure, "top": 10}
    if kind is not None:
        params["kind"] = kind
    return f"/api/v1/centrality?{urlencode(params)}"


def run_clients(clients: int, requests: int, seed: int,
                send: Any) -> tuple[list[tuple[float, int, int]], float]:
    """``clients`` threads each call ``send(number, rng)`` ``requests`` times (it returns
    (ms, status, bytes)); the samples and the wall-clock seconds."""
    samples: list[tuple[float, int, int]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def loop(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        mine = []
        try:
            for _ in range(requests):
                mine.append(send(number, rng))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return samples, time.perf_counter() - start


def http_load(urls: list[str], paths: list[str], clients: int, requests: int, seed: int
              ) -> list[tuple[float, int, int]]:
    """Client n talks to ``urls[n % len(urls)]`` over one keep-alive connection."""
    connections = [Client(urls[n % len(urls)]) for n in range(clients)]

    def send(number: int, rng: random.Random) -> tuple[float, int, int]:
        status, body, ms = connections[number].get(rng.choice(paths))
        return ms, status, len(body)

    try:
        return run_clients(clients, requests, seed, send)[0]
    finally:
        for connection in connections:
            connection.close()


# -- the bare-Cypher floor --------------------------------------------------------------------

Statement = tuple[str, float | None, dict[str, Any]]


def record_statements(uri: str, targets: dict[str, list[str]], sample: int,
                      kinds: list[str]) -> dict[str, list[list[Statement]]]:
    """For up to ``sample`` requests of each kind, the Cypher statements the Neo4j store
    runs to answer it (asked through the app in this process, once to warm its caches and
    once recorded)."""
    from api.app import create_app
    from queries.neo4j_backend import Neo4jBackend

    backend = Neo4jBackend.connect(uri)
    store = backend.store
    recorded: list[Statement] = []
    run = store.run

    def recording_run(text: str, timeout: float | None = None, **params: Any) -> Any:
        recorded.append((text, timeout, params))
        return run(text, timeout, **params)

    store.run = recording_run  # type: ignore[method-assign]
    client = create_app(backend).test_client()
    found: dict[str, list[list[Statement]]] = {}
    try:
        for kind in kinds:
            found[kind] = []
            for path in targets[kind][:sample]:
                client.get(path)  # under load the sync state read here serves the next one
                recorded.clear()
                response = client.get(path)
                if response.status_code != 200:  # said; the kind's other requests still count
                    log(f"  not recorded: GET {path} in-process: {response.status_code} "
                        f"{response.get_data()[:200]!r}")
                    continue
                found[kind].append(list(recorded))
            log(f"  {kind}: statements of {len(found[kind])} requests recorded")
    finally:
        backend.close()
    return found


def cypher_load(uri: str, statements: list[list[Statement]], clients: int, requests: int,
                seed: int) -> list[tuple[float, int, int]]:
    """Each request: its statements, one after another, through the driver."""
    from neo4j import READ_ACCESS, GraphDatabase, Query

    with GraphDatabase.driver(uri, auth=None) as driver:
        def send(number: int, rng: random.Random) -> tuple[float, int, int]:
            chosen = rng.choice(statements)
            start = time.perf_counter()
            rows = 0
            with driver.session(default_access_mode=READ_ACCESS,
                                notifications_min_severity="OFF") as session:
                for text, timeout, params in chosen:
                    rows += len(list(session.run(Query(text, timeout=timeout), params)))
            return (time.perf_counter() - start) * 1000, 200, rows

        return run_clients(clients, requests, seed, send)[0]


# -- one configuration ------------------------------------------------------------------------

@dataclass
class Run:
    nodes: int
    store: str  # "embedded", "neo4j" or "cypher" (the floor)
    processes: int
    samples: Samples
    memory_mib: list[float] = field(default_factory=list)  # each API process after the load
    notes: dict[str, Any] = field(default_factory=dict)


def load_phases(urls: list[str], targets: dict[str, list[str]], args: argparse.Namespace,
                run: Run, progress: Progress) -> None:
    """Each kind in turn into ``run.samples``; the figures are logged and the results file
    rewritten after each, so a run cut short keeps what it measured."""
    for kind in args.kinds:
        if not targets[kind]:
            log(f"  {kind}: no targets, skipped")
            continue
        log(f"  {kind}: {args.clients} clients x {args.requests} requests")
        run.samples[kind] = http_load(urls, targets[kind], args.clients, args.requests,
                                      args.seed)
        progress.measured(run, kind)


def until_answered(client: Client, path: str, tries: int = 30) -> tuple[float, int, float]:
    """The first request's (ms, status) and the ms until one answered 200: a cold read past
    the API's time limit (503) goes on in the process and is kept, so asking again gets it."""
    began = time.perf_counter()
    status, body, first = client.get(path)
    first_status = status
    for _ in range(tries - 1):
        if status == 200:
            break
        log(f"  {path}: {status} after {first:,.0f} ms ({body[:120]!r}); asking again")
        status, body, _ = client.get(path)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} after {tries} tries: {body[:300]!r}")
    return first, first_status, (time.perf_counter() - began) * 1000


def cold_requests(served: Served, targets: dict[str, list[str]]) -> dict[str, Any]:
    """A fresh process's first requests: a backing answer (reads the fund's backing subgraph),
    then the same one warm, then each centrality measure (reads the synced scores). A first
    request past the API's time limit is noted (its status) and asked again until answered."""
    client = Client(served.url)
    pid = served.process.pid
    before = resident_mib(pid)
    backing = until_answered(client, targets["backing"][0])
    after_snapshot = resident_mib(pid)
    backing_warm = client.get(targets["backing"][0])[2]
    centrality = {m: until_answered(client, centrality_path(m, None))
                  for m in CENTRALITY_MEASURES}
    figures = {"rss_start": before, "backing_cold": backing, "backing_warm_ms": backing_warm,
               "snapshot_mib": after_snapshot - before, "centrality_cold": centrality,
               "rss_warm": resident_mib(pid)}
    for path in targets["centrality"]:  # the load measures cached rankings
        status, body, ms = client.get(path)
        if status != 200:  # said, not fatal: the load then measures what users get
            log(f"  warming {path}: {status} after {ms:.0f} ms: {body[:200]!r}")
    client.close()
    return figures


def cold_figure(first_ms: float, status: int, answered_ms: float) -> str:
    """``123``, or ``10,010 (503; answered after 25,300)`` when the first request gave up."""
    if status == 200:
        return f"{first_ms:,.0f}"
    return f"{first_ms:,.0f} ({status}; answered after {answered_ms:,.0f})"


def warm_pass(url: str, targets: dict[str, list[str]], sample: int, kinds: list[str]
              ) -> None:
    """Every target once, untimed: Neo4j plans each statement and its JIT warms up before
    the load, and the process keeps what it keeps per generation (a fund's backing subgraph,
    a comparison of two years), as a process that has served for a while has: the load
    measures the steady state, the cold requests the first ones."""
    client = Client(url)
    for kind in kinds:
        # answers a process keeps: every target; the others: enough to plan and compile
        kept = kind in ("backing", "centrality", "changes")
        for path in targets[kind] if kept else targets[kind][:sample]:
            client.get(path)
    client.close()


def run_embedded(root: Path, n: int, args: argparse.Namespace,
                 targets: dict[str, list[str]] | None, progress: Progress
                 ) -> dict[str, list[str]]:
    log(f"embedded, {n:,} nodes: starting innograph serve")
    with open(root / "nodes.jsonl", encoding="utf-8") as nodes:
        probe_id = json.loads(nodes.readline())["id"]
    served = serve(root, args.threads, None, probe_id)
    try:
        log(f"  serving after {served.serving_s:.1f} s, ready after {served.ready_s:.1f} s")
        if targets is None:
            check = Client(served.url)
            targets = draw_targets(root, random.Random(args.seed), check)
            check.close()
        warm = Client(served.url)
        for path in targets["centrality"]:
            warm.json(path)
        warm.close()
        run = progress.add(Run(n, "embedded", 1, {}, [resident_mib(served.process.pid)],
                               {"serving_s": served.serving_s, "ready_s": served.ready_s,
                                "ready_line": served.ready_line,
                                "warm_up_ms": served.warm_up_ms}))
        load_phases([served.url], targets, args, run, progress)
        run.memory_mib = [resident_mib(served.process.pid)]
        progress.save()
        return targets
    finally:
        served.stop()


def run_floor(uri: str, n: int, targets: dict[str, list[str]], args: argparse.Namespace,
              progress: Progress) -> None:
    """The bare Cypher of each request kind through the driver (measured first, so every
    API phase after it is shown against its floor as soon as it completes)."""
    log(f"cypher floor, {n:,} nodes: recording each request's statements")
    statements = record_statements(uri, targets, args.floor_sample, args.kinds)
    per_request = {k: sum(len(s) for s in v) / len(v) for k, v in statements.items() if v}
    run = progress.add(Run(n, "cypher", 0, {}, notes={"statements": per_request}))
    for kind in args.kinds:
        if not statements[kind]:
            continue
        log(f"  {kind}: bare Cypher, {args.clients} clients x {args.requests} requests "
            "(after the same load untimed: Neo4j plans and compiles the statements first)")
        cypher_load(uri, statements[kind], args.clients, min(args.requests, 10), args.seed)
        run.samples[kind] = cypher_load(uri, statements[kind], args.clients, args.requests,
                                        args.seed)
        progress.measured(run, kind)


def run_api_processes(root: Path, n: int, processes: int, uri: str,
                      targets: dict[str, list[str]], args: argparse.Namespace,
                      progress: Progress, neo4j_rss: Any) -> None:
    log(f"neo4j, {n:,} nodes, {processes} API process(es)")
    began = time.perf_counter()
    served = []
    try:
        for _ in range(processes):
            served.append(serve(root, args.threads, uri, None))
        run = progress.add(Run(n, "neo4j", processes, {}, notes={
            "serving_s": (time.perf_counter() - began) / processes, "cold": []}))
        for s in served:
            run.notes["cold"].append(cold_requests(s, targets))
            log(f"  cold requests of process {len(run.notes['cold'])}: "
                f"{run.notes['cold'][-1]}")
        for i, s in enumerate(served):  # each holds its own kept answers (backing, changes)
            log(f"  warm pass of process {i + 1} (every target once, untimed)")
            warm_pass(s.url, targets, args.warm_sample, args.kinds)
        load_phases([s.url for s in served], targets, args, run, progress)
        run.memory_mib = [resident_mib(s.process.pid) for s in served]
        run.notes["neo4j_mib"] = neo4j_rss()
        progress.save()
    finally:
        for s in served:
            s.stop()


def run_neo4j(root: Path, n: int, args: argparse.Namespace,
              targets: dict[str, list[str]] | None, progress: Progress
              ) -> dict[str, list[str]]:
    home = neo4j_home(root, args.neo4j_heap, args.neo4j_pagecache)
    log(f"neo4j, {n:,} nodes: starting the server on {home}")
    server = start_neo4j(home, args.neo4j_heap, args.neo4j_pagecache)
    try:
        if targets is None:
            served = serve(root, args.threads, server.bolt_uri, None)
            try:
                check = Client(served.url)
                targets = draw_targets(root, random.Random(args.seed), check)
                check.close()
            finally:
                served.stop()
        progress.attempt(f"{n:,} nodes, bare Cypher floor",
                         lambda: run_floor(server.bolt_uri, n, targets, args, progress))
        for processes in args.api_processes:
            progress.attempt(
                f"{n:,} nodes, Neo4j, {processes} API process(es)",
                lambda p=processes: run_api_processes(
                    root, n, p, server.bolt_uri, targets, args, progress,
                    lambda: (server.rss_bytes() or 0) / 2**20))
    finally:
        server.stop()
    return targets


class Progress:
    """The runs measured so far, written to the results file after each request kind: a
    crash late in a long run keeps every table completed before it. A phase that fails is
    logged with its cause, noted in the report, and the run goes on with the next one."""

    def __init__(self, args: argparse.Namespace):
        self.args, self.runs, self.failures = args, [], []
        self.load_start = os.getloadavg()[0]
        self.loads: list[float] = []

    def add(self, run: Run) -> Run:
        self.runs.append(run)
        return run

    def measured(self, run: Run, kind: str) -> None:
        ms = [s[0] for s in run.samples[kind]]
        statuses = Counter(s[1] for s in run.samples[kind])
        self.loads.append(os.getloadavg()[0])
        log(f"    p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, "
            f"max {max(ms):.1f} ms, statuses {dict(statuses)}, load {self.loads[-1]:.1f}")
        self.save()

    def attempt(self, phase: str, work: Any) -> None:
        try:
            work()
        except Exception as exc:  # logged and reported; later phases still run
            log(f"FAILED: {phase}: {type(exc).__name__}: {exc}")
            self.failures.append(f"{phase}: {type(exc).__name__}: {str(exc)[:400]}")
            self.save()

    def save(self) -> None:
        self.args.out.parent.mkdir(exist_ok=True)
        self.args.out.write_text(report(self.args, self.runs, self.load_start, self.loads,
                                        self.failures), encoding="utf-8")


# -- report -----------------------------------------------------------------------------------

def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


def results_table(runs: list[Run]) -> list[str]:
    lines = ["| nodes | store | API processes | request | n | p50 ms | p99 ms | max ms | "
             "goal p99 | met | bare Cypher p99 ms | within 2x | status |",
             "|---:|---|---:|---|---:|---:|---:|---:|---:|---|---:|---|---|"]
    floors = {(r.nodes, kind): percentile([s[0] for s in r.samples[kind]], 99)
              for r in runs if r.store == "cypher" for kind in r.samples}
    for run in runs:
        for kind, samples in run.samples.items():
            ms = [s[0] for s in samples]
            p99 = percentile(ms, 99)
            goal = None if run.store == "cypher" else GOALS_MS[run.store][kind]
            goal_applies = goal is not None and (run.store == "embedded"
                                                 or run.nodes <= GOAL_NODES)
            floor = floors.get((run.nodes, kind)) if run.store == "neo4j" else None
            statuses = ("rows" if run.store == "cypher" else ", ".join(
                f"{code}: {k}" for code, k in sorted(Counter(s[1] for s in samples).items())))
            lines.append(
                f"| {run.nodes:,} | {run.store if run.store != 'cypher' else 'bare Cypher'} | "
                f"{run.processes or '—'} | {kind} | {len(ms)} | {percentile(ms, 50):.1f} | "
                f"{p99:.1f} | {max(ms):.1f} | {f'< {goal}' if goal else '—'} | "
                f"{verdict(p99 < goal if goal_applies else None)} | "
                f"{f'{floor:.1f}' if floor is not None else '—'} | "
                f"{verdict(p99 <= FLOOR_RATIO * floor if floor is not None else None)} | "
                f"{statuses} |")
    return lines


def cold_table(runs: list[Run]) -> list[str]:
    lines = ["| nodes | API processes | process | RSS at start MiB | first backing ms "
             "(subgraph read) | same backing warm ms | subgraph MiB | first centrality ms "
             "(each measure, scores read) | RSS warm MiB | RSS after load MiB | Neo4j RSS MiB |",
             "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for run in runs:
        if run.store != "neo4j":
            continue
        for i, cold in enumerate(run.notes["cold"]):
            after_load = (f"{run.memory_mib[i]:,.0f}" if i < len(run.memory_mib) else "—")
            neo4j = (f"{run.notes['neo4j_mib']:,.0f}" if "neo4j_mib" in run.notes else "—")
            centrality = ", ".join(f"{m} {cold_figure(*figures)}"
                                   for m, figures in cold["centrality_cold"].items())
            lines.append(
                f"| {run.nodes:,} | {run.processes} | {i + 1} | {cold['rss_start']:,.0f} | "
                f"{cold_figure(*cold['backing_cold'])} | {cold['backing_warm_ms']:,.1f} | "
                f"{cold['snapshot_mib']:,.0f} | {centrality} | {cold['rss_warm']:,.0f} | "
                f"{after_load} | {neo4j} |")
    return lines


def report(args: argparse.Namespace, runs: list[Run], load_start: float, loads: list[float],
           failures: list[str]) -> str:
    during = (f"1-minute load average {min(loads):.1f} to {max(loads):.1f} at the end of each "
              "measured request kind" if loads else "no request kind measured yet")
    lines = [
        "# HTTP API under load: embedded and over Neo4j, with the bare-Cypher floor", "",
        f"Written {time.strftime('%Y-%m-%d %H:%M')} UTC; {os.cpu_count()} CPU cores shared by "
        f"everything (Neo4j, the API processes, the clients, and other work on the machine: "
        f"load average {load_start:.1f} when the run began, {during}, "
        f"{os.getloadavg()[0]:.1f} when this was written); python {sys.version.split()[0]}. "
        f"Command: `{' '.join(['.venv/bin/python -m bench.http_api', *args.argv])}`.", "",
        *([f"**Phases that failed** (the run went on): {'; '.join(failures)}", ""]
          if failures else []),
        f"Generated graphs (`loaders.generate`, seed 42, {args.edges_per_node:g} edges per "
        f"node). `innograph serve --threads {args.threads}` (waitress) on 127.0.0.1; "
        f"{args.clients} concurrent clients (threads in the benchmark process, one keep-alive "
        f"`http.client` connection each, dealt round-robin to the API processes), "
        f"{args.requests} requests per client and kind. Neo4j 5.26 Community (heap "
        f"{args.neo4j_heap}, page cache {args.neo4j_pagecache}, auth off). Latency: request "
        "sent to body read, in the client. Goals over Neo4j apply at "
        f"{GOAL_NODES:,} nodes; larger graphs are reported.", "",
        "## Latency by request kind", "", *results_table(runs), "",
        "The bare-Cypher rows replay, through the driver with the same number of client "
        "threads, the statements the Neo4j store ran for each request (recorded in process, "
        "caches warm; a session per request). Statements per request: " + "; ".join(
            f"{r.nodes:,} nodes: " + ", ".join(f"{k} {v:.1f}" for k, v in
                                               r.notes["statements"].items())
            for r in runs if r.store == "cypher" and r.notes.get("statements")) + ".", "",
        "## Cold requests and memory of each API process over Neo4j", "",
        *cold_table(runs), "",
        "An API process over Neo4j holds no graph until a whole-graph answer (RDF export, "
        "SPARQL, analytics) needs one. Backing reads only the subgraph its chains may use "
        "(from the fund asked about; every fund's without one), kept per synced generation "
        "and parameters (\"subgraph MiB\" is what the first read added to the process). "
        "Centrality reads the scores the sync wrote (one statement per measure, kept per "
        "generation).",
        "", "## Embedded start-up", ""]
    for run in runs:
        if run.store != "embedded" or not run.memory_mib:
            continue
        warm = run.notes["warm_up_ms"]
        lines.append(
            f"- {run.nodes:,} nodes: serving after {run.notes['serving_s']:.1f} s, every "
            f"centrality measure ready after {run.notes['ready_s']:.1f} s (server: "
            f"\"{run.notes['ready_line'].removeprefix('innograph: ')}\"); meanwhile "
            f"{len(warm)} entity requests, p50 {percentile(warm, 50):.1f} ms, p99 "
            f"{percentile(warm, 99):.1f} ms; resident memory after the load "
            f"{run.memory_mib[0]:,.0f} MiB")
    lines += [
        "", "## Requests", "",
        "- path: `GET /api/v1/paths?from=A&to=B` (all shortest paths, max_length 6, limit "
        "20), random pairs of the drawn entities that have a path",
        f"- entity: `GET /api/v1/entities/{{id}}` (up to 500 relations per direction), "
        f"{TARGETS} entities drawn uniformly",
        "- backing: `GET /api/v1/backing?fund={id}` (max_length 4, limit 100), funds drawn "
        "uniformly",
        "- centrality: `GET /api/v1/centrality?measure=M&top=10[&kind=K]`, every measure x "
        "(all, Lab, Fund, Company), each requested once before the load",
        "- search: `GET /api/v1/entities?q=PREFIX` (limit 20), the zh name of a drawn entity "
        "without its last three characters (about 100 names share such a prefix)"]
    return "\n".join(lines) + "\n"


def number_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="embedded,neo4j",
                        help="comma-separated, measured in this order: embedded, neo4j "
                             "(default: %(default)s)")
    parser.add_argument("--nodes", type=number_list, default=[100_000])
    parser.add_argument("--api-processes", type=number_list, default=[1, 2],
                        help="API processes over one Neo4j (default: 1,2)")
    parser.add_argument("--edges-per-node", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help="comma-separated request kinds to measure (default: all: "
                             "%(default)s)")
    parser.add_argument("--floor-sample", type=int, default=60,
                        help="requests of each kind whose statements are recorded for the "
                             "floor (default: %(default)s)")
    parser.add_argument("--warm-sample", type=int, default=30,
                        help="requests of each kind whose answer a process does not keep, "
                             "asked untimed before the load (default: %(default)s)")
    parser.add_argument("--neo4j-heap", default="2g")
    parser.add_argument("--neo4j-pagecache", default="2g")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "http_api_neo4j.md")
    args = parser.parse_args()
    args.argv = sys.argv[1:]
    # Ctrl-C (SIGINT) stops the run cleanly (servers stopped, results kept) even when it was
    # started in the background, where the shell makes SIGINT ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    stores = [s for s in args.stores.split(",") if s]
    if bad := set(stores) - {"embedded", "neo4j"}:
        parser.error(f"unknown stores: {', '.join(sorted(bad))}")
    args.kinds = [k for k in args.kinds.split(",") if k]
    if bad := set(args.kinds) - set(KINDS):
        parser.error(f"unknown request kinds: {', '.join(sorted(bad))}")
    progress = Progress(args)
    for n in args.nodes:
        log(f"{n:,} nodes: the generated data set (made once in bench/.data/)")
        root = generated_data(n, args.edges_per_node)
        targets: dict[str, list[str]] | None = None
        for store in stores:  # in the order given
            def measure(n: int = n, root: Path = root, store: str = store) -> None:
                nonlocal targets
                run = run_embedded if store == "embedded" else run_neo4j
                targets = run(root, n, args, targets, progress)
            progress.attempt(f"{n:,} nodes, {store}", measure)
    progress.save()
    log(f"results written to {args.out}")
    print(args.out.read_text(encoding="utf-8"))

if __name__ == "__main__":
    main()
