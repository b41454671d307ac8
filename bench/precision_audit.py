"""Precision self-audit of the curated data: 40 edges drawn with a fixed seed, each judged.

The draw is over the relations written in data/edges/*.yaml (derived relations and
observations are not drawn), identified as ``from -REL-> to`` and sorted, so it changes only
when edges are added or removed. The judgements live in data/audit/precision-2026-12.yaml, one
per drawn edge: ``verdict`` right / doubtful / wrong and a one-line ``reason``, written by a
person reading the edge's quotes against its relation.

    python -m bench.precision_audit           # the drawn edges with their quotes, then counts
    python -m bench.precision_audit --counts  # only the verdict counts

Exit code 1 when the judgement file does not cover exactly the drawn edges.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from loaders.dataset import DEFAULT_DATA_DIR

SEED = 20261214
SAMPLE = 40
VERDICTS = ("right", "doubtful", "wrong")
JUDGEMENTS = DEFAULT_DATA_DIR / "audit" / "precision-2026-12.yaml"


def edge_id(record: dict[str, Any]) -> str:
    return f"{record['from']} -{record['rel']}-> {record['to']}"


def written_edges(data: Path = DEFAULT_DATA_DIR) -> dict[str, dict[str, Any]]:
    """Every edge record of ``data``/edges, by edge id."""
    edges = {}
    for path in sorted((data / "edges").glob("*.yaml")):
        for record in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            edges[edge_id(record)] = record
    return edges


def draw(edges: dict[str, dict[str, Any]], seed: int = SEED, size: int = SAMPLE) -> list[str]:
    """``size`` edge ids drawn without replacement from the sorted ids."""
    return sorted(random.Random(seed).sample(sorted(edges), size))


def judgements(path: Path = JUDGEMENTS) -> list[dict[str, str]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["judgements"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", action="store_true", help="print only the verdict counts")
    args = parser.parse_args(argv)
    edges = written_edges()
    drawn = draw(edges)
    judged = judgements()
    by_edge = {j["edge"]: j for j in judged}
    if not args.counts:
        for edge in drawn:
            j = by_edge.get(edge, {"verdict": "UNJUDGED", "reason": ""})
            print(f"{edge}\n  {j['verdict']}: {j['reason']}")
            for entry in edges[edge]["provenance"]:
                print(f"    [{entry['source'][:3]}] {entry['quote']}")
            if edges[edge].get("note_en"):
                print(f"    note: {edges[edge]['note_en']}")
    missing, extra = sorted(set(drawn) - by_edge.keys()), sorted(by_edge.keys() - set(drawn))
    c = Counter(j["verdict"] for j in judged)
    print(f"{len(drawn)} edges drawn (seed {SEED}) of {len(edges)}: "
          + ", ".join(f"{c[v]} {v}" for v in VERDICTS))
    if missing or extra:
        print(f"judgement file out of date: unjudged {missing}, not drawn {extra}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
