"""Benchmark: launch-to-Bolt-ready time, RSS and stop time of the Maven-resolved Neo4j server.

    python -m bench.neo4j_server_times [--runs 3] [--heap 1g] [--pagecache 256m]

Each run starts a server on a fresh throw-away home (auth off, free ports), waits for Bolt,
runs a few queries, reads the JVM's RSS, then stops it with SIGTERM. Prints a table and JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from neo4j import GraphDatabase

from innograph import neo4j_server as ns


def one_run(heap: str, pagecache: str, fast_shutdown: bool) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="innograph-neo4j-bench-"))
    try:
        extra = {"db.tx_log.preallocate": "false"}
        if not fast_shutdown:  # Neo4j's own defaults for Bolt's Netty shutdown
            extra |= {
                "internal.dbms.bolt.netty_server_shutdown_quiet_period": "5",
                "internal.dbms.bolt.netty_server_shutdown_timeout": "15",
            }
        server = ns.start(
            home,
            bolt_port=ns.free_port(),
            http_port=ns.free_port(),
            heap=heap,
            pagecache=pagecache,
            auth=False,  # as before: a start without the password step
            extra_config=extra,
        )
        rss_ready = server.rss_bytes() or 0
        with GraphDatabase.driver(server.bolt_uri) as driver:
            driver.execute_query("UNWIND range(1, 1000) AS i CREATE (:N {i: i})")
            driver.execute_query("MATCH (n:N) RETURN count(n)")
        rss_used = server.rss_bytes() or 0
        stop_s = server.stop()
        return {
            "ready_s": server.startup_seconds or 0.0,
            "rss_ready_mib": rss_ready / 2**20,
            "rss_after_queries_mib": rss_used / 2**20,
            "stop_s": stop_s,
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--pagecache", default="256m")
    parser.add_argument(
        "--slow-shutdown", action="store_true", help="keep Neo4j's default Netty shutdown waits"
    )
    args = parser.parse_args()
    ns.ensure_jars()
    runs = []
    for i in range(args.runs):
        began = time.monotonic()
        runs.append(one_run(args.heap, args.pagecache, not args.slow_shutdown))
        print(f"run {i + 1}: {runs[-1]} ({time.monotonic() - began:.1f} s)", flush=True)
    keys = runs[0].keys()
    summary = {k: statistics.median(r[k] for r in runs) for k in keys}
    print(f"median of {len(runs)} runs (heap {args.heap}, page cache {args.pagecache}):")
    for k, v in summary.items():
        print(f"  {k:<24}{v:8.2f}")
    print(json.dumps({"runs": runs, "median": summary}))


if __name__ == "__main__":
    main()
