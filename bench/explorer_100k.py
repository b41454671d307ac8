"""Benchmark: the explorer page on a generated 100k-node graph, in headless Chromium.

    python -m bench.explorer_100k [--nodes 100000] [--repeats 3]

The page fetches one entity and its neighbourhood at a time, never the whole graph. This
measures, from the browser's clock, how long the page takes from "open this entity" to the
neighbourhood drawn (both API calls, the panel and the Cytoscape layout), and how long a
search suggestion takes, for the biggest hub and a median-degree entity, at radius 1 and 2;
and it records every API response the page received, so the largest one is on record.
Generated data is cached under the system tmp dir; figures go to
bench/results/explorer_100k.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from playwright.sync_api import Error as PlaywrightError

from loaders.generate import generate_dataset

HERE = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
NODE_LIMIT = 150  # the page's neighbourhood limit (web/static/js/views/explore.js)

# Opens an entity by its address and resolves with the milliseconds until it is drawn.
OPEN_AND_TIME = """async (hash) => {
  const graph = document.getElementById("graph");
  const start = performance.now();
  const drawn = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (graph.dataset.state === "ready") { observer.disconnect(); resolve(); }
    });
    observer.observe(graph, { attributes: true, attributeFilter: ["data-state"] });
  });
  location.hash = hash;
  await drawn;
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  return { ms: performance.now() - start, nodes: Number(graph.dataset.nodes) };
}"""

# Types into the search box and resolves with the milliseconds until suggestions show.
SUGGEST_AND_TIME = """async (text) => {
  const input = document.querySelector("#search input");
  const list = document.querySelector("#search .suggestions");
  list.hidden = true;
  const start = performance.now();
  const shown = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (!list.hidden) { observer.disconnect(); resolve(); }
    });
    observer.observe(list, { attributes: true, childList: true });
  });
  input.value = text;
  input.dispatchEvent(new Event("input"));
  await shown;
  return { ms: performance.now() - start, items: list.querySelectorAll("[role=option]").length };
}"""


def cached_dataset(nodes: int) -> Path:
    """A generated data set of ``nodes`` nodes, built once per machine under the tmp dir,
    and again whenever the generator, the schema or data/ (which it imitates) change."""
    inputs = [HERE.parent / "loaders" / "generate.py", HERE.parent / "graph" / "schema.yaml",
              *sorted((HERE.parent / "data").rglob("*.yaml"))]
    digest = hashlib.blake2b(digest_size=6)
    for path in inputs:
        digest.update(path.read_bytes())
    root = (Path(tempfile.gettempdir()) / "innograph-explorer"
            / f"gen-{nodes}-seed42-{digest.hexdigest()}")
    if not (root / "edges.jsonl").exists():
        generate_dataset(root, nodes=nodes, seed=42, like=HERE.parent / "data", progress=False)
    return root


def sample_entities(g: nx.MultiDiGraph) -> dict[str, str]:
    """The biggest hub and a median-degree entity (ids)."""
    by_degree = sorted(g.nodes, key=lambda n: (g.degree(n), n))
    return {"hub": by_degree[-1], "median": by_degree[len(by_degree) // 2]}


@dataclass
class Responses:
    """Every API response the page received: URL, body size, and item counts."""

    seen: list[dict] = field(default_factory=list)

    def record(self, response) -> None:
        if "/api/v1/" not in response.url or response.status != 200:
            return
        try:
            body = response.body()
        except PlaywrightError:  # a suggestion request the page aborted
            return
        entry = {"url": response.url, "bytes": len(body)}
        if "json" in response.headers.get("content-type", ""):
            data = json.loads(body)
            listed = data.get("nodes") if isinstance(data.get("nodes"), list) else data.get("items")
            entry["nodes"] = len(listed) if isinstance(listed, list) else 0
            if isinstance(data.get("edges"), dict):  # one entity with its own relations
                entry["relations"] = len(data["edges"]["out"]) + len(data["edges"]["in"])
        self.seen.append(entry)

    def largest(self, part: str) -> dict | None:
        """The largest response whose URL contains ``part``."""
        matches = [r for r in self.seen if part in r["url"]]
        return max(matches, key=lambda r: r["bytes"]) if matches else None


def measure(page, base_url: str, entities: dict[str, str], g: nx.MultiDiGraph,
            repeats: int) -> list[dict]:
    """Times opening each entity at radius 1 and 2 (``repeats`` times, alternating)."""
    rows = []
    for label, entity in entities.items():
        for radius in (1, 2):
            times, nodes = [], 0
            for _ in range(repeats):
                page.evaluate(OPEN_AND_TIME, "#/")  # leave, so each opening is a real one
                result = page.evaluate(OPEN_AND_TIME, f"#/entity/{entity}?radius={radius}")
                times.append(result["ms"])
                nodes = result["nodes"]
            rows.append({"entity": f"{label} ({entity}, degree {g.degree(entity)})",
                         "radius": radius, "drawn": nodes, "median_ms": statistics.median(times),
                         "max_ms": max(times)})
    return rows


def time_suggestions(page, texts: list[str]) -> list[dict]:
    return [{"text": text, **page.evaluate(SUGGEST_AND_TIME, text)} for text in texts]


def report(nodes: int, g: nx.MultiDiGraph, load_s: float, first_view_s: float,
           rows: list[dict], suggestions: list[dict], responses: Responses) -> str:
    lines = [f"# Explorer page on a generated {nodes:,}-node graph",
             "", f"{g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges; graph loaded in "
             f"{load_s:.1f} s; headless Chromium ({CHROMIUM}), python {sys.version.split()[0]}, "
             f"{time.strftime('%Y-%m-%d')}, load average {os.getloadavg()[0]:.1f} on "
             f"{os.cpu_count()} cores (the machine is shared). Times are the browser's, from "
             "setting the address to the drawing painted (entity + neighbourhood requests, "
             "panel, layout).", "",
             f"First view (page, schema, the top-12 PageRank overview computed for the first "
             f"time): {first_view_s:.1f} s.", "",
             "| entity | radius | nodes drawn | median ms | max ms |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {r['entity']} | {r['radius']} | {r['drawn']} | {r['median_ms']:.0f} | "
              f"{r['max_ms']:.0f} |" for r in rows]
    lines += ["", "Suggestions (the time includes the page's 150 ms typing pause):", "",
              "| search typed | suggestions | ms until shown |", "|---|---:|---:|"]
    lines += [f"| {s['text']} | {s['items']} | {s['ms']:.0f} |" for s in suggestions]
    lines += ["", "Largest API responses the page received (it never asks for the whole graph):",
              "", "| request | bytes | nodes, items or relations |", "|---|---:|---:|"]
    for part in ("/neighbours", "/entities/", "/entities?", "/centrality", "/schema",
                 "/openapi.json"):
        largest = responses.largest(part)
        if largest:
            lines.append(f"| {largest['url'].split('/api/v1')[1][:70]} | {largest['bytes']:,} | "
                         f"{largest.get('relations', largest.get('nodes', ''))} |")
    total = sum(r["bytes"] for r in responses.seen)
    lines += ["", f"{len(responses.seen)} API responses, {total / 2**20:.1f} MiB in all."]
    return "\n".join(lines) + "\n"


def main() -> None:
    from playwright.sync_api import sync_playwright

    from api.app import create_app
    from api.server import running_server
    from loaders.dataset import load_graph
    from queries.embedded_backend import EmbeddedBackend

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    root = cached_dataset(args.nodes)
    start = time.perf_counter()
    g = load_graph(root, check_quotes=False, progress=False)
    load_s = time.perf_counter() - start
    entities = sample_entities(g)
    responses = Responses()
    app = create_app(EmbeddedBackend(g))
    with running_server(app) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1366, "height": 820}, locale="zh-CN")
        page.on("response", responses.record)
        start = time.perf_counter()
        page.goto(url + "/")
        page.wait_for_selector("#graph[data-state=ready]", timeout=120_000)
        first_view_s = time.perf_counter() - start
        rows = measure(page, url, entities, g, args.repeats)
        hub = g.nodes[entities["hub"]]
        suggestions = time_suggestions(page, [hub["name_zh"], hub["name_zh"][:2], hub["name_en"]])
        browser.close()
    text = report(args.nodes, g, load_s, first_view_s, rows, suggestions, responses)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "explorer_100k.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
