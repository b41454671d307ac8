"""Benchmark: the HTTP API under a small concurrent load, on a generated 100k-node graph.

    python -m bench.http_api [--nodes 100000] [--edges-per-node 3] [--clients 4]
                             [--requests 150] [--threads 8] [--seed 1]
                             [--backing-max-length N]

``innograph serve`` (waitress, ``--threads``) is started as a subprocess on a free port of
127.0.0.1, exactly as a user starts it; the start-up time is measured until it serves, and
until it reports every centrality measure computed (its background warm-up), while one
client asks for an entity every 20 ms (what a caller sees during the warm-up). Request targets
are drawn through the API itself (random entities by offset, funds by kind); path pairs are
kept only if they have a path. Then, for each kind of request in turn (a shortest-path query,
an entity, a fund's backing, a cached centrality ranking), ``--clients`` threads, each with
one keep-alive ``http.client`` connection, send ``--requests`` requests each; and once more
with the four kinds mixed (each client cycling through them). Latency is measured from
sending the request to the whole body read. Goals, on the per-kind phases: p99 < 20 ms for
path and entity, < 50 ms for backing and cached centrality. Generated data is kept under
bench/.data/ (ignored) and reused. Figures go to bench/results/http_api.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from bench.common import generated_data
from queries.backend import BACKING_MAX_LENGTH, CENTRALITY_MEASURES

HERE = Path(__file__).parent
GOALS_MS = {"path": 20, "entity": 20, "backing": 50, "centrality": 50}
KINDS = tuple(GOALS_MS)
TARGETS = 300  # distinct entities (and candidate path pairs) to draw requests from


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


class Client:
    """One keep-alive connection; ``get`` returns (status, body, milliseconds)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

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


WARM_UP_PROBE = "/api/v1/entities/{id}?edge_limit=20"
WARM_UP_GAP = 0.02  # seconds between the probe's requests


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


def start_server(root: Path, threads: int, probe_id: str
                 ) -> tuple[subprocess.Popen, str, float, float, str, list[float]]:
    """``innograph serve`` on a free port: (process, base URL, seconds until serving,
    seconds until centrality is ready, the server's ready line, latencies of requests for
    entity ``probe_id`` during the warm-up)."""
    command = [sys.executable, "-m", "innograph.cli", "serve", "--data", str(root),
               "--port", "0", "--threads", str(threads)]
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    start = time.perf_counter()
    server = subprocess.Popen(command, cwd=HERE.parent, stdout=subprocess.PIPE, text=True,
                              env=env)
    line = server.stdout.readline()
    serving_s = time.perf_counter() - start
    match = re.search(r"API at (http://[\d.]+:\d+)/api/v1", line)
    if not match:
        server.kill()
        raise RuntimeError(f"innograph serve did not start: {line!r}")
    done = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        probe = pool.submit(probe_until, match.group(1), probe_id, done)
        ready_line = server.stdout.readline().strip()
        ready_s = time.perf_counter() - start
        done.set()
        latencies = probe.result()
    if "centrality ready" not in ready_line:
        server.kill()
        raise RuntimeError(f"no centrality warm-up report: {ready_line!r}")
    return server, match.group(1), serving_s, ready_s, ready_line, latencies


def resident_mib(pid: int) -> float:
    """The resident memory of a process (Linux /proc), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def draw_targets(client: Client, rng: random.Random, backing_max_length: int | None
                 ) -> dict[str, list[str]]:
    """Request paths for each kind: entities by random offset, funds by kind, path pairs
    that have a path (checked once here, so the load phase asks real path questions)."""
    total = client.json("/api/v1/entities?limit=1")["total"]
    ids = [client.json(f"/api/v1/entities?limit=1&offset={rng.randrange(total)}")["items"][0]
           ["id"] for _ in range(TARGETS)]
    funds = [f["id"] for f in client.json("/api/v1/entities?kind=Fund&limit=1000")["items"]]
    pairs = []
    for _ in range(TARGETS):
        a, b = rng.sample(ids, 2)
        path = f"/api/v1/paths?{urlencode({'from': a, 'to': b})}"
        if client.get(path)[0] == 200:
            pairs.append(path)
    kinds = [None, "Lab", "Fund", "Company"]
    max_length = "" if backing_max_length is None else f"&max_length={backing_max_length}"
    return {
        "path": pairs,
        "entity": [f"/api/v1/entities/{quote(i)}" for i in ids],
        "backing": [f"/api/v1/backing?fund={quote(f)}{max_length}" for f in rng.sample(
            funds, min(len(funds), TARGETS))],
        "centrality": [centrality_path(m, k) for m in CENTRALITY_MEASURES for k in kinds],
    }


def centrality_path(measure: str, kind: str | None) -> str:
    params: dict[str, Any] = {"measure": measure, "top": 10}
    if kind is not None:
        params["kind"] = kind
    return f"/api/v1/centrality?{urlencode(params)}"


def run_load(base_url: str, targets: dict[str, list[str]], kinds: tuple[str, ...],
             clients: int, requests: int, seed: int
             ) -> tuple[dict[str, list[tuple[float, int, int]]], float]:
    """``clients`` threads each send ``requests`` requests, cycling through ``kinds``.
    Returns per kind (ms, status, bytes) samples and the wall-clock seconds of the load."""
    samples: dict[str, list[tuple[float, int, int]]] = {kind: [] for kind in kinds}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def client_loop(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        client = Client(base_url)
        mine: dict[str, list[tuple[float, int, int]]] = {kind: [] for kind in kinds}
        try:
            for i in range(requests):
                kind = kinds[i % len(kinds)]
                status, body, ms = client.get(rng.choice(targets[kind]))
                mine[kind].append((ms, status, len(body)))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            client.close()
            with lock:
                for kind in kinds:
                    samples[kind] += mine[kind]

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return samples, time.perf_counter() - start


def latency_table(samples: dict[str, list[tuple[float, int, int]]]) -> list[str]:
    lines = ["| request | n | p50 ms | p90 ms | p99 ms | max ms | goal p99 | met | mean KiB "
             "| status |", "|---|---:|---:|---:|---:|---:|---:|---|---:|---|"]
    for kind, kind_samples in samples.items():
        ms = [s[0] for s in kind_samples]
        statuses = Counter(s[1] for s in kind_samples)
        p99 = percentile(ms, 99)
        mean_kib = sum(s[2] for s in kind_samples) / len(ms) / 1024
        lines.append(
            f"| {kind} | {len(ms)} | {percentile(ms, 50):.1f} | {percentile(ms, 90):.1f} | "
            f"{p99:.1f} | {max(ms):.1f} | < {GOALS_MS[kind]} | "
            f"{'yes' if p99 < GOALS_MS[kind] else '**no**'} | {mean_kib:.1f} | "
            f"{', '.join(f'{code}: {n}' for code, n in sorted(statuses.items()))} |")
    return lines


def report(args: argparse.Namespace, sizes: dict[str, int], serving_s: float, ready_s: float,
           ready_line: str, targets: dict[str, list[str]],
           phases: dict[str, tuple[dict[str, list[tuple[float, int, int]]], float]]) -> str:
    lines = [
        f"# HTTP API under load: {sizes['nodes']:,} nodes, {sizes['edges']:,} edges", "",
        f"`innograph serve --threads {args.threads}` (waitress) on 127.0.0.1; {args.clients} "
        f"concurrent clients (threads in the benchmark process, one keep-alive `http.client` "
        f"connection each), {args.requests} requests per client and phase; {os.cpu_count()} "
        f"CPU cores shared by server and clients (and other work: load average "
        f"{args.load_average:.1f} when the load began), python "
        f"{sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}. Latency: request sent to "
        "body read, in the client.", "",
        "## Start-up", "",
        f"- serving (load + validate the data with quotes checked, build the app, bind): "
        f"**{serving_s:.1f} s**",
        f"- every centrality measure ready ({len(CENTRALITY_MEASURES)} measures, computed in "
        f"the background after binding): **{ready_s:.1f} s** after start "
        f"(server: \"{ready_line.removeprefix('innograph: ')}\"); goal: within 20 s of "
        f"start: {'met' if ready_s < 20 else '**not met**'} (betweenness sampled from "
        "500 sources, closeness and harmonic from 250 pivots: the sample sizes are in each "
        "answer's `method`)",
        f"- meanwhile, one client asking for an entity every {WARM_UP_GAP * 1000:.0f} ms "
        f"(`{WARM_UP_PROBE}`) from serving to ready: {len(args.warm_up_ms)} requests, p50 "
        f"{percentile(args.warm_up_ms, 50):.1f} ms, p99 {percentile(args.warm_up_ms, 99):.1f} "
        f"ms, max {max(args.warm_up_ms):.1f} ms (igraph holds the GIL while it computes: the "
        "heavy measures run in spawned processes, the rest in short calls)",
        f"- server resident memory, warmed up: {args.server_mib:,.0f} MiB", ""]
    for name, (samples, wall_s) in phases.items():
        total = sum(len(s) for s in samples.values())
        lines += [f"## {name}", "", *latency_table(samples), "",
                  f"{total} requests in {wall_s:.1f} s: {total / wall_s:.0f} requests/s.", ""]
    lines += [
        "## Requests", "",
        f"- path: `GET /api/v1/paths?from=A&to=B` (all shortest paths, default max_length 6, "
        f"limit 20), {len(targets['path'])} random pairs of the {TARGETS} drawn entities that "
        "have a path",
        f"- entity: `GET /api/v1/entities/{{id}}`, {len(targets['entity'])} entities drawn "
        "uniformly (by random offset), so hubs come up as often as they exist",
        f"- backing: `GET /api/v1/backing?fund={{id}}"
        f"{'' if args.backing_max_length is None else '&max_length=N'}` (max_length "
        f"{args.backing_max_length or BACKING_MAX_LENGTH}"
        f"{', the default' if args.backing_max_length is None else ''}, limit 100), "
        f"{len(targets['backing'])} funds",
        f"- centrality: `GET /api/v1/centrality?measure=M&top=10[&kind=K]`, every measure x "
        f"(all, Lab, Fund, Company): {len(targets['centrality'])} rankings, each requested once "
        "before the load (the warm-up computes the scores; a kind's ranking is sorted on its "
        "first request)"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges-per-node", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backing-max-length", type=int, default=None,
                        help="max_length of the backing requests (default: the API's)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "http_api.md")
    args = parser.parse_args()

    root = generated_data(args.nodes, args.edges_per_node)
    log("starting innograph serve")
    with open(root / "nodes.jsonl", encoding="utf-8") as nodes:
        probe_id = json.loads(nodes.readline())["id"]
    server, base_url, serving_s, ready_s, ready_line, warm_up_ms = start_server(
        root, args.threads, probe_id)
    args.warm_up_ms = warm_up_ms
    try:
        log(f"serving after {serving_s:.1f} s, centrality ready after {ready_s:.1f} s")
        client = Client(base_url)
        sizes = client.json("/api/v1/health")
        targets = draw_targets(client, random.Random(args.seed), args.backing_max_length)
        for path in targets["centrality"]:  # the load measures cached rankings
            client.json(path)
        client.close()
        args.load_average = os.getloadavg()[0]
        args.server_mib = resident_mib(server.pid)
        per_kind: dict[str, list[tuple[float, int, int]]] = {}
        per_kind_s = 0.0
        for kind in KINDS:
            log(f"{kind}: {args.clients} clients x {args.requests} requests")
            samples, wall_s = run_load(base_url, targets, (kind,), args.clients,
                                       args.requests, args.seed)
            per_kind.update(samples)
            per_kind_s += wall_s
        log(f"mixed: {args.clients} clients x {args.requests} requests of each kind")
        mixed = run_load(base_url, targets, KINDS, args.clients, args.requests * len(KINDS),
                         args.seed)
        phases = {"One kind of request at a time": (per_kind, per_kind_s),
                  "All four kinds mixed (informative: slow backing queries hold the GIL)": mixed}
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    text = report(args, sizes, serving_s, ready_s, ready_line, targets, phases)
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
