"""Benchmark: ``as_of`` and ``changes`` over HTTP on the generated graph, embedded and Neo4j
side by side (issue 14's benchmark goals).

    python -m bench.time_queries [--stores embedded,neo4j] [--nodes 100000] [--years 3]
                                 [--clients 4] [--requests 150] [--threads 8] [--seed 1]
                                 [--neo4j-home DIR] [--out bench/results/time_queries.md]

The generated graph (``innograph generate``: seed 42, 3 edges per node, kept in bench/.data/)
and the servers are those of bench/http_api.py (its ``serve``, ``neo4j_home`` and
``start_neo4j``: one ``innograph serve --data DIR`` process; one over a Neo4j server whose home
is filled once by bulk import and online sync). Requests, drawn once from the data files with
``--seed`` and asked of both stores alike:

- ``--years`` years drawn from the sources' publication years (not the latest: as of it
  nothing is cut);
- entity_as_of: ``GET /api/v1/entities/{id}?as_of=Y``, entities drawn uniformly among those
  some source up to Y reports;
- path_as_of: ``GET /api/v1/paths?from=A&to=B&as_of=Y`` (all shortest paths), pairs of those
  entities that have a path as of Y (checked once through the first store);
- entity and path: the same requests without ``as_of``, measured beside them (what as_of
  adds to the store's cost on this machine at this moment);
- changes: ``GET /api/v1/changes?from=Y1&to=Y2&limit=50&offset=K``, pages at offsets drawn over
  each comparison's total, for each pair of consecutive drawn years and the first drawn year
  against the latest source year.

Before the load, each fresh server's first requests are timed (cold): the first entity as of
each year (the first one also makes the embedded store's timeline index), the first page of
each comparison (over Neo4j the first also reads the whole graph into the API process). Then
every request is asked untimed (``warm_up``: over Neo4j until its JIT compilers' share of its
CPU in a pass settles, within ``--max-warm-passes``), and each kind in turn: ``--clients``
threads, one keep-alive connection each, ``--requests`` requests each, with the CPU time per
request of the API process, of the Neo4j server and of that its JIT compilers (how much of a
request is Python, how much Cypher, how much a fresh JVM still compiling). Goals (issue 14,
both stores): p99 < 20 ms entity and paths with as_of, < 50 ms changes with a page limit.
Over Neo4j, after the load, the statements each lookup ran are asked again through the driver
alone and through a thin Flask API (``floors``: what the API's stack pays before its own
work), and the as_of statements are PROFILEd
(operators and db hits) to show which index each uses.
Results: bench/results/time_queries.md (``--out``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from bench.common import generated_data
from bench.http_api import (
    Client,
    Served,
    cypher_load,
    http_load,
    log,
    neo4j_home,
    percentile,
    record_statements,
    resident_mib,
    serve,
    start_neo4j,
)
from bench.neo4j_sync import process_cpu
from graph.timeline import span

HERE = Path(__file__).parent
#: entity and path: the same requests without as_of, beside them (what as_of adds)
KINDS = ("entity", "entity_as_of", "path", "path_as_of", "changes")
GOALS_MS: dict[str, float | None] = {"entity": None, "entity_as_of": 20.0, "path": None,
                                     "path_as_of": 20.0, "changes": 50.0}
#: the kinds one Cypher statement answers (changes are cut from the kept whole graph)
LOOKUPS = ("entity", "entity_as_of", "path", "path_as_of")
ENTITIES = 300  # entities drawn (spread over the years)
PAGE = 50  # changes page size
PAGES = 20  # pages drawn per comparison
#: Warm passes in a row in which the JIT's share must be under ``--jit-settled``.
SETTLED_PASSES = 2
RETRY_GAP = 2.0  # seconds between asking again a cold request refused with 503
RETRY_FOR = 300.0  # seconds a cold request is asked again before the run gives up


@dataclass
class Targets:
    years: list[int]
    entity_as_of: list[str]
    path_as_of: list[str]
    spans: list[tuple[int, int]]
    changes: list[str] = field(default_factory=list)  # filled once the totals are known

    def of(self, kind: str) -> list[str]:
        if kind in ("entity", "path"):  # the as_of requests without it
            return [re.sub(r"[?&]as_of=\d+", "", p) for p in getattr(self, f"{kind}_as_of")]
        return getattr(self, kind)


@dataclass
class Run:
    store: str
    samples: dict[str, list[tuple[float, int, int]]] = field(default_factory=dict)
    #: kind -> CPU ms per request of the API process, of the Neo4j server and of that the
    #: server's JIT compilers (None: no server)
    cpu: dict[str, tuple[float, float | None, float | None]] = field(default_factory=dict)
    cold: list[tuple[str, float, int]] = field(default_factory=list)  # (request, ms, status)
    notes: dict[str, Any] = field(default_factory=dict)


# -- targets ----------------------------------------------------------------------------------

def read_nodes(root: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Each node's first year (``graph.timeline.span``) and the sources' years, from the
    data files."""
    years: dict[str, int] = {}
    provenance: dict[str, list[dict[str, str]]] = {}
    with open(root / "nodes.jsonl", encoding="utf-8") as lines:
        for line in lines:
            node = json.loads(line)
            provenance[node["id"]] = node.get("provenance", [])
            if node["kind"] == "Source" and node.get("published_year"):
                years[node["file"]] = node["published_year"]
    return {n: span(p, years)[0] for n, p in provenance.items()}, years


def draw_targets(root: Path, args: argparse.Namespace) -> Targets:
    """Years, entities seen by each, and the comparisons (path pairs: ``check_paths``)."""
    rng = random.Random(args.seed)
    first, source_years = read_nodes(root)
    published = sorted(set(source_years.values()))
    years = sorted(rng.sample(published[:-1], min(args.years, len(published) - 1)))
    entities = []
    for year in years:
        seen = sorted(n for n, y in first.items() if y <= year)
        entities += [f"/api/v1/entities/{quote(n)}?as_of={year}"
                     for n in rng.sample(seen, ENTITIES // len(years))]
    spans = [*pairwise(years), (years[0], published[-1])]
    return Targets(years, entities, [], spans)


def check_paths(targets: Targets, check: Client, seed: int) -> None:
    """Pairs of each year's entities that have a path as of that year (asked once)."""
    rng = random.Random(seed)
    for year in targets.years:
        drawn = [unquote(p.split("/")[-1].split("?")[0]) for p in targets.entity_as_of
                 if p.endswith(f"as_of={year}")]
        for _ in range(len(drawn)):
            a, b = rng.sample(drawn, 2)
            path = f"/api/v1/paths?{urlencode({'from': a, 'to': b, 'as_of': year})}"
            if check.get(path)[0] == 200:
                targets.path_as_of.append(path)


def changes_url(start: int, end: int, offset: int) -> str:
    return f"/api/v1/changes?from={start}&to={end}&limit={PAGE}&offset={offset}"


def draw_pages(targets: Targets, totals: dict[tuple[int, int], int], seed: int) -> None:
    rng = random.Random(seed)
    for (start, end), total in totals.items():
        targets.changes += [changes_url(start, end, PAGE * rng.randrange(-(-total // PAGE)))
                            for _ in range(PAGES)]


# -- one store --------------------------------------------------------------------------------

def timed(client: Client, run: Run, label: str, path: str) -> bytes:
    """The request's time; when the answer is refused (503: the API's query time limit while
    the store still works on it), asked again every RETRY_GAP s until answered (on a new
    connection if the server closed this one), and the time until then recorded with the
    refusals."""
    start = time.perf_counter()
    status, body, ms = client.get(path)
    refused = 0
    while status == 503 and time.perf_counter() - start < RETRY_FOR:
        refused += 1
        time.sleep(RETRY_GAP)
        try:
            status, body, _ = client.get(path)
        except (ConnectionError, http.client.HTTPException):
            client.connection.close()  # reopened by the next request
            status, body, _ = client.get(path)
        ms = (time.perf_counter() - start) * 1000
    if refused:
        label = f"{label} (answered after {refused} x 503)"
    run.cold.append((label, ms, status))
    log(f"  cold {label}: {ms:,.0f} ms, {status}")
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
    return body


def cold_requests(served: Served, targets: Targets, run: Run) -> dict[tuple[int, int], int]:
    """A fresh server's first as_of request of each year and first page of each comparison;
    the comparisons' totals."""
    client = Client(served.url)
    run.notes["rss_start"] = resident_mib(served.process.pid)
    for year in targets.years:
        path = next(p for p in targets.entity_as_of if p.endswith(f"as_of={year}"))
        timed(client, run, f"first entity as of {year}", path)
    run.notes["rss_after_as_of"] = resident_mib(served.process.pid)
    totals = {}
    for start, end in targets.spans:
        body = timed(client, run, f"first changes {start}-{end} page", changes_url(start, end, 0))
        totals[(start, end)] = json.loads(body)["total"]
        timed(client, run, f"same changes {start}-{end}, next page",
              changes_url(start, end, PAGE))
    run.notes["rss_after_changes"] = resident_mib(served.process.pid)
    run.notes["totals"] = {f"{a}-{b}": t for (a, b), t in totals.items()}
    client.close()
    return totals


def cpu_ms(pid: int | None) -> float | None:
    seconds = process_cpu(pid) if pid is not None else None
    return seconds * 1000 if seconds is not None else None


#: Thread names of the JVM's just-in-time compilers (``C1 CompilerThre``, ``C2 CompilerThre``:
#: /proc truncates names to 15 characters).
JIT_THREADS = ("C1 Compiler", "C2 Compiler")


def jit_ms(pid: int | None) -> float | None:
    """CPU milliseconds the JVM ``pid`` spent compiling so far (its JIT threads, /proc):
    Neo4j's CPU per request on a freshly started server is partly warm-up, told apart by
    this."""
    if pid is None:
        return None
    total = 0.0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return None
    for task in tasks:
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended
            continue
        if name.startswith(JIT_THREADS):
            total += int(fields[11]) + int(fields[12])
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def warm_up(served: Served, targets: Targets, args: argparse.Namespace, run: Run,
            server_pid: int | None) -> None:
    """Every request asked untimed (about: drawn at random), ``--warm-passes`` times, by
    ``--clients`` clients; over Neo4j, then more passes
    (up to ``--max-warm-passes``) until its JIT compilers used at most ``--jit-settled``
    percent of its CPU in two passes in a row: a fresh JVM compiles for thousands of requests, and
    a server in service has done so (the first requests of a fresh server are timed apart,
    ``cold_requests``)."""
    shares: list[float] = []
    began = time.perf_counter()
    passes = 0
    while passes < max(args.warm_passes, args.max_warm_passes if server_pid else 0):
        before = (cpu_ms(server_pid), jit_ms(server_pid))
        for kind in KINDS:  # as many requests as the kind has, from as many clients as the
            # load (a JVM compiles what concurrent requests run too: with one client, the
            # JIT was still 0.5-1.3 ms of a request's Neo4j CPU under 4 once it had settled)
            paths = targets.of(kind)
            http_load([served.url], paths, args.clients, -(-len(paths) // args.clients),
                      args.seed + passes)
        passes += 1
        after = (cpu_ms(server_pid), jit_ms(server_pid))
        if None in before or None in after:
            if passes >= args.warm_passes:
                break
            continue
        shares.append(100 * (after[1] - before[1]) / max(after[0] - before[0], 1e-9))
        log(f"  warm pass {passes}: the JIT used {shares[-1]:.0f}% of Neo4j's CPU")
        # two passes in a row: a single quiet pass was followed by 0.4-0.9 ms of JIT a
        # request under the load
        last = shares[-SETTLED_PASSES:]
        if (passes >= args.warm_passes and len(last) == SETTLED_PASSES
                and max(last) <= args.jit_settled):
            break
    run.notes["warm"] = {"passes": passes, "requests": passes * sum(
        len(targets.of(k)) for k in KINDS), "seconds": time.perf_counter() - began,
        "jit_shares": shares}


def load(served: Served, targets: Targets, args: argparse.Namespace, run: Run,
         save: Any, server_pid: int | None) -> None:
    """Each kind under load; besides latency, the CPU time per request of the API process
    and of the Neo4j server (where a request's work goes: Python or Cypher)."""
    warm_up(served, targets, args, run, server_pid)
    for kind in KINDS:
        log(f"  {kind}: {args.clients} clients x {args.requests} requests")
        measured(run, kind, lambda: cpu_ms(served.process.pid), server_pid,
                 lambda k=kind: http_load([served.url], targets.of(k), args.clients,
                                          args.requests, args.seed))
        run.notes.setdefault("load", []).append(os.getloadavg()[0])
        save()
    run.notes["rss_end"] = resident_mib(served.process.pid)


def measured(run: Run, kind: str, api_cpu: Callable[[], float | None],
             server_pid: int | None, load: Callable[[], list[tuple[float, int, int]]]) -> None:
    """``load()``'s samples as ``run``'s of ``kind``, with the CPU per request of the API
    process (``api_cpu``: its CPU ms so far), of the Neo4j server and of its JIT compilers."""
    before = (api_cpu(), cpu_ms(server_pid), jit_ms(server_pid))
    run.samples[kind] = load()
    after = (api_cpu(), cpu_ms(server_pid), jit_ms(server_pid))
    n = len(run.samples[kind])
    spent = [b - a if a is not None and b is not None else None
             for a, b in zip(before, after, strict=True)]
    run.cpu[kind] = (spent[0] / n if spent[0] is not None else 0.0,
                     *(x / n if x is not None else None for x in spent[1:]))
    ms = [s[0] for s in run.samples[kind]]
    log(f"    p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, "
        f"statuses {dict(Counter(s[1] for s in run.samples[kind]))}")


def measure(root: Path, uri: str | None, targets: Targets | None, args: argparse.Namespace,
            run: Run, save: Any, server_pid: int | None = None) -> Targets:
    log(f"{run.store}: starting innograph serve")
    probe = None if uri else next(iter(read_nodes(root)[0]))
    served = serve(root, args.threads, uri, probe)
    try:
        run.notes["serving_s"] = served.serving_s
        if not uri:  # the analytics warm-up follows centrality's: measured after it, not under
            line = served.process.stdout.readline().strip()
            run.notes["ready"] = f"{served.ready_line} / {line}"
            log(f"  {line}")
        if targets is None:  # drawn with this store; its cold requests come first
            targets = draw_targets(root, args)
            totals = cold_requests(served, targets, run)
            draw_pages(targets, totals, args.seed)
            check = Client(served.url)
            check_paths(targets, check, args.seed)
            check.close()
            log(f"  years {targets.years}: {len(targets.entity_as_of)} entities, "
                f"{len(targets.path_as_of)} path pairs, spans {targets.spans}")
        else:
            cold_requests(served, targets, run)
        save()
        load(served, targets, args, run, save, server_pid)
        return targets
    finally:
        served.stop()


# -- Neo4j: the floor under the API ----------------------------------------------------------

def floors(uri: str, targets: Targets, args: argparse.Namespace, server_pid: int | None
           ) -> list[Run]:
    """What any API over this driver and server pays before its own work, on the server the
    load has just warmed. The statements the Neo4j store ran for each lookup (recorded in this
    process, up to ``--floor-sample`` requests a kind) are asked by as many client threads as
    the load, each kind in turn:

    - bare Cypher: through the driver in this process, a session per request (its API column
      is this process's CPU, the driver's);
    - thin API: over HTTP to ``bench.thin_api`` (Flask on ``innograph serve``'s waitress
      server, a route that runs a request's statements and answers the raw records as JSON:
      no checks, views or provenance cut), one keep-alive connection per client.

    Not for changes: a page is cut from the whole graph the API process read once and keeps,
    so its statements are the sync-state check and, once, that read."""
    bare, thin = Run("bare Cypher"), Run("thin API")
    log("floors: recording each request's statements")
    statements = record_statements(uri, {k: targets.of(k) for k in LOOKUPS}, args.floor_sample,
                                   list(LOOKUPS))
    for run in (bare, thin):
        run.notes["statements"] = {k: sum(map(len, v)) / len(v)
                                   for k, v in statements.items() if v}
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as file:
        json.dump(statements, file)
        file.flush()
        process = subprocess.Popen([sys.executable, "-m", "bench.thin_api", file.name, uri],
                                   cwd=HERE.parent, stdout=subprocess.PIPE, text=True)
        try:
            url = process.stdout.readline().strip()
            for kind in LOOKUPS:
                if not statements[kind]:
                    continue
                log(f"  {kind}: bare Cypher, {args.clients} clients x {args.requests} requests")
                measured(bare, kind, lambda: time.process_time() * 1000, server_pid,
                         lambda k=kind: cypher_load(uri, statements[k], args.clients,
                                                    args.requests, args.seed))
                log(f"  {kind}: thin API, {args.clients} clients x {args.requests} requests")
                paths = [f"/s/{kind}/{i}" for i in range(len(statements[kind]))]
                http_load([url], paths, args.clients, -(-len(paths) // args.clients),
                          args.seed)  # its first requests (Flask, the driver's pool)
                measured(thin, kind, lambda: cpu_ms(process.pid), server_pid,
                         lambda p=paths: http_load([url], p, args.clients, args.requests,
                                                   args.seed))
        finally:
            process.kill()
            process.wait()
    return [bare, thin]


# -- Neo4j: which index each as_of statement uses -----------------------------------------------

def profiles(uri: str, targets: Targets) -> list[tuple[str, list[str], int]]:
    """PROFILE of the statements the Neo4j store runs for an entity and a path as of a year,
    and of a scan by reported year: (statement, operators, db hits)."""
    from urllib.parse import parse_qs, urlsplit

    from neo4j import GraphDatabase

    from queries.stores import cypher

    entity = urlsplit(targets.entity_as_of[0])
    node_id, year = unquote(entity.path.rsplit("/", 1)[1]), int(entity.query.split("=")[1])
    pair = {k: v[0] for k, v in parse_qs(urlsplit(targets.path_as_of[0]).query).items()}
    asked = [
        ("entity: node and edge page", cypher.edge_page(True),
         {"id": node_id, "offset": 0, "limit": 500, "as_of": year}),
        ("path: all shortest, with their hops", cypher.shortest_paths(6, None, None, False,
                                                                       True),
         {"a": pair["from"], "b": pair["to"], "cap": 21, "kinds": None,
          "as_of": int(pair["as_of"])}),
        ("list as of Y (the explorer's Source page)", cypher.search(False, True),
         {"q": "", "kinds": ["Source"], "offset": 0, "limit": 100, "as_of": year}),
        ("scan by year: first reported after Y", "MATCH (n:Entity) WHERE "
         "n.reported_from > $as_of RETURN count(n) AS n", {"as_of": year}),
    ]
    found = []
    with GraphDatabase.driver(uri, auth=None) as driver, driver.session() as session:
        for label, text, params in asked:
            list(session.run(text, params))  # planned once before the profile
            summary = session.run("PROFILE " + text, params).consume()
            operators, hits = [], 0
            stack = [summary.profile]
            while stack:
                plan = stack.pop()
                operators.append(plan["operatorType"].split("@")[0])
                hits += plan.get("dbHits", 0)
                stack.extend(plan.get("children", []))
            found.append((label, sorted(set(operators)), hits))
            log(f"  PROFILE {label}: {hits} db hits, {sorted(set(operators))}")
    return found


# -- report -----------------------------------------------------------------------------------

def table(runs: list[Run]) -> list[str]:
    lines = ["| request | store | n | p50 ms | p90 ms | p99 ms | max ms | goal p99 | met | "
             "status | CPU ms/request: API | Neo4j | of which JIT |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|"]
    for kind in KINDS:
        for run in runs:
            if kind not in run.samples:
                continue
            ms = [s[0] for s in run.samples[kind]]
            p99 = percentile(ms, 99)
            statuses = ", ".join(f"{c}: {k}" for c, k in
                                 sorted(Counter(s[1] for s in run.samples[kind]).items()))
            goal = GOALS_MS[kind]
            met = "—" if goal is None else "yes" if p99 < goal else "**no**"
            lines.append(f"| {kind} | {run.store} | {len(ms)} | {percentile(ms, 50):.1f} | "
                         f"{percentile(ms, 90):.1f} | {p99:.1f} | {max(ms):.1f} | "
                         f"{'—' if goal is None else f'< {goal:g}'} | {met} | {statuses} | "
                         f"{cpu_cells(run, kind)} |")
    return lines


def cpu_cells(run: Run, kind: str) -> str:
    return " | ".join("—" if x is None else f"{x:.2f}"
                      for x in run.cpu.get(kind, (None, None, None)))


def cold_table(runs: list[Run]) -> list[str]:
    stores = [r.store for r in runs]
    lines = ["| first request of a fresh server | " + " | ".join(f"{s} ms" for s in stores)
             + " |", "|---|" + "---:|" * len(stores)]
    def asked(label: str) -> str:  # the request, without what its answer says
        return label.split(" (")[0]

    labels = list(dict.fromkeys(asked(label) for r in runs for label, _, _ in r.cold))
    for label in labels:
        cells = []
        for run in runs:
            found = [(lab, ms, status) for lab, ms, status in run.cold if asked(lab) == label]
            cells.append("—" if not found else f"{found[0][1]:,.0f}" + (
                f" ({found[0][0].split(' (', 1)[1]}" if " (" in found[0][0] else "")
                + ("" if found[0][2] == 200 else f" [{found[0][2]}]"))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for key, name in (("rss_start", "API process RSS at start, MiB"),
                      ("rss_after_as_of", "... after the first as_of requests"),
                      ("rss_after_changes", "... after the first changes requests"),
                      ("rss_end", "... after the load")):
        lines.append(f"| {name} | " + " | ".join(
            f"{r.notes[key]:,.0f}" if key in r.notes else "—" for r in runs) + " |")
    return lines


def warm_text(runs: list[Run], args: argparse.Namespace) -> str:
    """How each store was warmed: passes, and over Neo4j its JIT's share of each pass."""
    parts = []
    for run in runs:
        warm = run.notes.get("warm")
        if warm is None:
            continue
        text = (f"{run.store}: {warm['passes']} pass{'es' if warm['passes'] > 1 else ''}, "
                f"{warm['requests']:,} requests, {warm['seconds']:.0f} s")
        if warm["jit_shares"]:
            text += ("; the JIT's share of Neo4j's CPU in each pass "
                     + ", ".join(f"{x:.0f}%" for x in warm["jit_shares"])
                     + f", stopped at <= {args.jit_settled:g}% in {SETTLED_PASSES} passes "
                       f"in a row or {max(args.warm_passes, args.max_warm_passes)} passes")
        parts.append(text)
    return "; ".join(parts) or f"{args.warm_passes} pass(es)"


def report(args: argparse.Namespace, runs: list[Run], targets: Targets | None,
           plans: list[tuple[str, list[str], int]], load_start: float,
           failures: list[str]) -> str:
    loads = [x for r in runs for x in r.notes.get("load", [])]
    command = " ".join([".venv/bin/python -m bench.time_queries", *args.argv])
    lines = [
        f"# as_of and changes over HTTP: {args.nodes:,} nodes, embedded and Neo4j", "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPU cores "
        f"shared by the servers, the clients and other work on the machine (load average "
        f"{load_start:.1f} when the run began"
        + (f", {min(loads):.1f} to {max(loads):.1f} during the load phases" if loads else "")
        + f"); python {sys.version.split()[0]}. Rerun: `{command}`.", "",
        f"Generated graph (`innograph generate`, seed 42, {args.edges_per_node:g} edges per "
        f"node, bench/.data/). `innograph serve --threads {args.threads}`; {args.clients} "
        f"concurrent clients, one keep-alive connection each, {args.requests} requests per "
        f"client and kind, after every request was asked untimed ({warm_text(runs, args)}). "
        f"Neo4j 5.26 Community "
        f"(heap {args.neo4j_heap}, page cache {args.neo4j_pagecache}). Latency: request sent "
        "to body read, in the client. Goals (issue 14, both stores): p99 < 20 ms entity and "
        "paths with as_of, < 50 ms changes with a page limit.", "",
    ]
    if targets is not None:
        lines += [f"Years drawn from the sources' years: {', '.join(map(str, targets.years))}; "
                  f"{len(targets.entity_as_of)} entities (seen by their year), "
                  f"{len(targets.path_as_of)} path pairs with a path as of their year; "
                  "changes compared: " + ", ".join(f"{a}→{b}" for a, b in targets.spans)
                  + f", pages of {PAGE}" + (", totals " + ", ".join(
                      f"{k}: {v:,}" for k, v in runs[0].notes.get("totals", {}).items())
                      if runs else "") + ".", ""]
    lines += ["## Under load", "", *table(runs), ""]
    floor = next((r for r in runs if r.store == "bare Cypher"), None)
    if floor is not None:
        lines += ["Floors, on the server the load had just warmed, with the same number of "
                  "client threads: the statements the Neo4j store ran for each request "
                  "(recorded in the benchmark's process; statements a request: " + ", ".join(
                      f"{k} {v:.1f}" for k, v in floor.notes["statements"].items())
                  + ") asked through the driver, a session per request (bare Cypher; its API "
                  "column is the benchmark process's CPU, the driver's), and over HTTP of a "
                  "thin API (bench/thin_api.py: Flask on the same waitress server as "
                  "`innograph serve`, a route that runs a request's statements and answers "
                  "the raw records as JSON; no checks, views or provenance cut): what any API "
                  "on this stack pays before its own work.", ""]
    lines += ["## First requests (cold)", "", *cold_table(runs), ""]
    if plans:
        lines += ["## Which index the as_of Cypher uses (PROFILE, Neo4j)", "",
                  "| statement | operators | db hits |", "|---|---|---:|"]
        lines += [f"| {label} | {', '.join(ops)} | {hits:,} |" for label, ops, hits in plans]
        lines.append("")
    if failures:
        lines += ["## Failed phases", "", *(f"- {f}" for f in failures), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="embedded,neo4j")
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges-per-node", type=float, default=3.0)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warm-passes", type=int, default=1,
                        help="times every request is asked untimed before the load, at least")
    parser.add_argument("--max-warm-passes", type=int, default=40,
                        help="over Neo4j, passes asked at most while its JIT has not settled "
                             "(on a fresh server its JIT compilers used 30-55%% of its CPU "
                             "in each of the first 21 passes, 10%% and 6%% in the next two; "
                             "0: --warm-passes only)")
    parser.add_argument("--jit-settled", type=float, default=10.0,
                        help="percent of Neo4j's CPU its JIT compilers may use in each of "
                             "two warm passes in a row for the server to count as warm")
    parser.add_argument("--floor-sample", type=int, default=100,
                        help="over Neo4j, requests a kind whose statements are asked again "
                             "after the load, bare and through the thin API (0: no floors)")
    parser.add_argument("--neo4j-heap", default="2g")
    parser.add_argument("--neo4j-pagecache", default="2g")
    parser.add_argument("--neo4j-home", type=Path, default=None,
                        help="a server home already holding the graph (default: bench/"
                             "http_api's, filled on first use)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "time_queries.md")
    args = parser.parse_args()
    args.argv = sys.argv[1:]
    signal.signal(signal.SIGINT, signal.default_int_handler)  # stop cleanly in background
    stores = [s for s in args.stores.split(",") if s]
    if not stores or set(stores) - {"embedded", "neo4j"}:
        parser.error(f"--stores: embedded and/or neo4j, not {args.stores!r}")
    root = generated_data(args.nodes, args.edges_per_node)
    runs: list[Run] = []
    plans: list[tuple[str, list[str], int]] = []
    failures: list[str] = []
    targets: Targets | None = None
    load_start = os.getloadavg()[0]

    def save() -> None:
        args.out.write_text(report(args, runs, targets, plans, load_start, failures),
                            encoding="utf-8")

    for store in stores:
        run = Run(store)
        runs.append(run)
        try:
            if store == "embedded":
                targets = measure(root, None, targets, args, run, save)
                continue
            home = args.neo4j_home or neo4j_home(root, args.neo4j_heap, args.neo4j_pagecache)
            server = start_neo4j(home, args.neo4j_heap, args.neo4j_pagecache)
            try:
                targets = measure(root, server.bolt_uri, targets, args, run, save,
                                  server.pid)
                if args.floor_sample:
                    runs += floors(server.bolt_uri, targets, args, server.pid)
                    save()
                plans += profiles(server.bolt_uri, targets)
            finally:
                server.stop()
        except Exception as exc:  # reported; the other store still runs
            log(f"FAILED: {store}: {type(exc).__name__}: {exc}")
            failures.append(f"{store}: {type(exc).__name__}: {str(exc)[:400]}")
        save()
    save()
    log(f"results written to {args.out}")


if __name__ == "__main__":
    main()
