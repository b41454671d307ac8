"""Ingestion benchmark: leave-one-out on the two seed articles, and speed.

For each seed article A: a copy of data/ with A retracted (what does not rest only on A), A
ingested against it, the proposals compared with A's curated records:
- known-entity mentions: recall over the entities A's records cite that survive without A;
  links to entities A's records do not cite are counted as "uncurated" (wrong, or a mention
  the curation did not record: checked by hand below the table);
- new entities (name_zh equal after OpenCC/whitespace normalisation; kind too): precision and
  recall of the proposals marked accept (what a reviewer who changes nothing gets), recall of
  all proposals;
- relations (from, rel, to; candidates mapped to the curated entity of the same name);
- figures (value and unit; and as-of year).
Speed: the first article in a fresh process (dictionary loading included), one 12,000-character
article warm, and articles per minute with 2 worker processes.

    python -m bench.ingest            # writes bench/results/ingest.md
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

from loaders.dataset import load_graph
from loaders.ingest.propose import SourceMeta, propose
from loaders.ingest.retract import retract
from loaders.ingest.text import to_simplified

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RESULTS = Path(__file__).parent / "results" / "ingest.md"
GOALS = {"mentions": 0.98, "entities_recall": 0.85, "entities_precision": 0.60,
         "relations": 0.50, "figures": 0.90}
SKIP = ("Source", "Observation")


def key(name: str) -> str:
    return "".join(to_simplified(name).split()).strip("“”《》")


def gold(full, source: str):
    cites = lambda d: any(p["source"] == source for p in d.get("provenance") or ())  # noqa: E731
    only = lambda d: all(p["source"] == source for p in d.get("provenance") or ())  # noqa: E731
    nodes = {n: d for n, d in full.nodes(data=True) if d["kind"] not in SKIP and cites(d)}
    new = {n for n, d in nodes.items() if only(d)}
    edges = {(u, d["rel"], v) for u, v, d in full.edges(data=True)
             if d["rel"] != "HAS_OBSERVATION" and cites(d)}
    figures = [d for _, d in full.nodes(data=True) if d["kind"] == "Observation" and cites(d)
               and "value" in d]
    return nodes, new, edges, figures


def evaluate(source: str, year: int, tmp: Path) -> dict:
    full = load_graph(DATA, progress=False)
    copy = tmp / source / "data"
    shutil.copytree(DATA, copy)
    retract(copy, source)
    reduced = load_graph(copy, progress=False)
    article = tmp / source / source
    shutil.copy(DATA / "sources" / source, article)
    review = propose(article, reduced, SourceMeta(str(year)), source_file=source)
    nodes, new, edges, figures = gold(full, source)
    known = {n for n in nodes if n not in new and n in reduced}
    linked = {m["entity"] for m in review["mentions"] if m["decision"] == "accept"}
    names = {key(full.nodes[n]["name_zh"]): n for n in new}
    accepted = [e for e in review["entities"] if e["decision"] == "accept"]
    hit = lambda es: {names[key(e["name_zh"])] for e in es if key(e["name_zh"]) in names}  # noqa: E731
    kind_ok = {names[key(e["name_zh"])] for e in accepted
               if key(e["name_zh"]) in names and full.nodes[names[key(e["name_zh"])]]["kind"]
               == e["kind"]}
    ref = {e["key"]: names.get(key(e["name_zh"]), e["key"]) for e in review["entities"]}
    proposed = {(ref.get(r["from"], r["from"]), r["rel"], ref.get(r["to"], r["to"]))
                for r in review["relations"] if r["decision"] == "accept"}
    every = {(ref.get(r["from"], r["from"]), r["rel"], ref.get(r["to"], r["to"]))
             for r in review["relations"]}
    wanted = {(float(f["value"]), f["unit"]) for f in figures}
    dated = {(float(f["value"]), f["unit"], f["period_end"]) for f in figures}
    got = {(float(f["value"]), f["unit"]) for f in review["figures"]}
    got_dated = {(float(f["value"]), f["unit"], f["period_end"]) for f in review["figures"]}
    return {
        "source": source, "chars": len((DATA / "sources" / source).read_text()),
        "known": len(known), "known_found": len(known & linked),
        "uncurated_links": sorted(linked - set(nodes)),
        "new": len(new), "new_proposed": len(review["entities"]), "new_accepted": len(accepted),
        "new_hit_accepted": len(hit(accepted)), "new_hit_all": len(hit(review["entities"])),
        "new_kind_ok": len(kind_ok),
        "edges": len(edges), "rel_proposed": len(proposed), "rel_hit": len(proposed & edges),
        "rel_hit_all": len(every & edges), "rel_all": len(every),
        "figures": len(wanted), "fig_hit": len(wanted & got), "fig_dated": len(dated & got_dated),
        "fig_proposed": len(review["figures"]),
    }


def _warm_worker() -> None:
    global _GRAPH
    _GRAPH = load_graph(DATA, progress=False)
    propose(DATA / "sources" / "000_f7b9a75bc1616f5e.txt", _GRAPH, SourceMeta("2025"),
            source_file="x.txt")


def _one(path: str) -> float:
    start = time.perf_counter()
    propose(Path(path), _GRAPH, SourceMeta("2025"), source_file="x.txt")
    return time.perf_counter() - start


def speed(tmp: Path) -> dict:
    texts = [(DATA / "sources" / p).read_text() for p in
             ("000_f7b9a75bc1616f5e.txt", "001_c2433cd2966890d3.txt")]
    body = "".join(texts)
    articles = []
    for i in range(24):  # 12,000-character articles cut from the seeds at different places
        start = (i * 997) % (len(body) - 12_000)
        path = tmp / f"a{i}.txt"
        path.write_text(body[start:start + 12_000], encoding="utf-8")
        articles.append(str(path))
    start = time.perf_counter()
    import subprocess

    subprocess.run([sys.executable, "-c", "from pathlib import Path; "
                    "from loaders.dataset import load_graph; "
                    "from loaders.ingest.propose import SourceMeta, propose; "
                    f"propose(Path({articles[0]!r}), load_graph(progress=False), "
                    "SourceMeta('2025'), source_file='x.txt')"], check=True, cwd=ROOT)
    first = time.perf_counter() - start
    _warm_worker()
    warm = statistics.median(_one(a) for a in articles[:8])
    with get_context("fork").Pool(2, initializer=_warm_worker) as pool:
        pool.map(_one, articles[:2])  # both workers warm
        start = time.perf_counter()
        pool.map(_one, articles, chunksize=1)
        batch = time.perf_counter() - start
    return {"first": first, "warm": warm, "per_minute": len(articles) / batch * 60}


def pct(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.0%}" if b else "n/a"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        runs = [evaluate("000_f7b9a75bc1616f5e.txt", 2025, tmp),
                evaluate("001_c2433cd2966890d3.txt", 2022, tmp)]
        fast = speed(tmp)
    lines = ["# Ingestion benchmark (bench/ingest.py)", "",
             "Leave-one-out on the two seed articles: data/ with article A retracted, A "
             "ingested against it, proposals compared with A's curated records. Precision "
             "and the headline recall are over the proposals the review file marks `accept` "
             "(a reviewer who changes nothing); \"all\" counts every proposal.", "",
             "| measure | goal | " + " | ".join(r["source"][:3] + " (" + str(r["chars"])
                                                  + " chars)" for r in runs) + " |",
             "|---|---|" + "---|" * len(runs)]

    def row(name: str, goal: str, cell) -> None:
        lines.append(f"| {name} | {goal} | " + " | ".join(cell(r) for r in runs) + " |")

    row("known-entity mention recall", "≥ 98%", lambda r: pct(r["known_found"], r["known"]))
    row("links to entities A's records do not cite", "0 wrong",
        lambda r: str(len(r["uncurated_links"])))
    row("new entities recall (accepted)", "≥ 85%",
        lambda r: pct(r["new_hit_accepted"], r["new"]))
    row("new entities precision (accepted)", "≥ 60%",
        lambda r: pct(r["new_hit_accepted"], r["new_accepted"]))
    row("new entities with the curated kind", "",
        lambda r: pct(r["new_kind_ok"], r["new_hit_accepted"]))
    row("new entities recall (all proposals)", "",
        lambda r: pct(r["new_hit_all"], r["new"]))
    row("relations recall (accepted)", "≥ 50%", lambda r: pct(r["rel_hit"], r["edges"]))
    row("relations precision (accepted)", "≥ 50%", lambda r: pct(r["rel_hit"], r["rel_proposed"]))
    row("relations recall (all proposals)", "", lambda r: pct(r["rel_hit_all"], r["edges"]))
    row("figures recall, value + unit", "≥ 90%", lambda r: pct(r["fig_hit"], r["figures"]))
    row("figures recall, value + unit + as-of", "", lambda r: pct(r["fig_dated"], r["figures"]))
    lines += ["", "| speed | goal | measured |", "|---|---|---|",
              f"| first article, fresh process (dictionaries, graph load) | | "
              f"{fast['first']:.2f} s |",
              f"| one 12,000-character article, warm (median of 8) | < 1 s | "
              f"{fast['warm']:.2f} s |",
              f"| batch, 2 worker processes (24 articles of 12,000 characters) | ≥ 300/min | "
              f"{fast['per_minute']:.0f}/min |", "",
              "Links to entities the article's records do not cite (wrong links or mentions "
              "the curation left out):", ""]
    for r in runs:
        lines.append(f"- {r['source']}: {', '.join(r['uncurated_links']) or 'none'}")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
