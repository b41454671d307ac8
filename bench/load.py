"""Benchmark: time and peak memory to load and validate a generated graph.

    python -m bench.load [--nodes 1000000] [--edges-per-node 3]

Each load runs in a fresh subprocess so its peak RSS is its own. Generated data is kept under
bench/.data/ (ignored) and reused when present. Figures go to bench/results/load.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.common import generated_data

HERE = Path(__file__).parent
CHILD = """
import json, resource, sys, time
from loaders.dataset import load_graph
start = time.perf_counter()
g = load_graph(sys.argv[1], check_quotes=sys.argv[2] == "1", progress=False)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure_load(root: Path, check_quotes: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(root), "1" if check_quotes else "0"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges-per-node", type=float, default=3.0)
    args = parser.parse_args()
    root = generated_data(args.nodes, args.edges_per_node)
    size_mb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 2**20
    rows = [("load + validate (quotes checked)", measure_load(root, True)),
            ("load + validate (quotes skipped)", measure_load(root, False))]
    lines = [f"# Load benchmark: {args.nodes:,} nodes, {args.edges_per_node:g} edges per node",
             "", f"Input: {size_mb:,.0f} MB of JSON Lines and source texts "
             f"(python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}).", "",
             "| run | nodes | edges | seconds | peak RSS (MB) |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {name} | {r['nodes']:,} | {r['edges']:,} | {r['seconds']:.1f} | "
              f"{r['peak_rss_mb']:,.0f} |" for name, r in rows]
    report = "\n".join(lines) + "\n"
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"load-{args.nodes}.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
