"""The example SPARQL queries (``queries/sparql/*.rq``), run with rdflib over an RDF export.

    python -m queries.sparql_examples [--data DIR]   # every example over the data, as markdown

Each ``.rq`` file starts with comment lines saying what it asks; docs/rdf.md shows them with
their output on the curated data set, and tests check them against the query layer.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import rdflib

from graph.rdf.export import export_graph

SPARQL_DIR = Path(__file__).with_name("sparql")


def example_queries() -> dict[str, str]:
    """Query name (the file stem) -> SPARQL text, in name order."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SPARQL_DIR.glob("*.rq"))}


def description(query: str) -> str:
    """The leading comment of a query, as one paragraph."""
    lines = []
    for line in query.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").rstrip())
    return " ".join(lines)


def to_rdflib(g: nx.MultiDiGraph, base: str | None = None) -> rdflib.Graph:
    """The export of ``g`` as an rdflib graph (for SPARQL and SHACL on small graphs)."""
    text = io.StringIO()
    export_graph(g, "nt", text, base=base, progress=False)
    return rdflib.Graph().parse(data=text.getvalue(), format="nt")


def _value(term: Any) -> Any:
    if isinstance(term, rdflib.Literal):
        return term.toPython()
    return None if term is None else str(term)


def run_example(data: rdflib.Graph, name: str, **bindings: Any) -> list[dict[str, Any]]:
    """Rows of example ``name`` over ``data``; ``bindings`` pre-bind variables (plain Python
    strings become literals)."""
    queries = example_queries()
    if name not in queries:
        raise KeyError(f"no example query {name!r}; known: {', '.join(queries)}")
    bound = {k: v if isinstance(v, rdflib.term.Node) else rdflib.Literal(v)
             for k, v in bindings.items()}
    result = data.query(queries[name], initBindings=bound)
    return [{str(var): _value(row[var]) for var in result.vars} for row in result]


def markdown_table(rows: list[dict[str, Any]], limit: int = 12) -> str:
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows[:limit]:
        cells = ["" if row[c] is None else str(row[c]).replace("|", "\\|") for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    if len(rows) > limit:
        lines.append(f"\n({len(rows) - limit} more rows)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from loaders.dataset import default_data_dir, load_graph

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--entity", default="changxing-fund",
                        help="the ?entity of quotes-for-entity (default: %(default)s)")
    args = parser.parse_args(argv)
    data = to_rdflib(load_graph(args.data, progress=False))
    for name, query in example_queries().items():
        bindings = {"entity": args.entity} if "?entity" in query else {}
        body = "\n".join(line for line in query.splitlines() if not line.startswith("#"))
        print(f"### {name}\n\n{description(query)}\n\n```sparql\n{body.strip()}\n```\n")
        print(markdown_table(run_example(data, name, **bindings)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
