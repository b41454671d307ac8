"""The example SPARQL queries (``queries/sparql/*.rq``), run over an RDF export.

    python -m queries.sparql_examples [--data DIR]   # every example over the data, as markdown

Each ``.rq`` file starts with comment lines saying what it asks; docs/rdf.md shows them with
their output on the curated data set, and tests check them against the query layer. They run
on pyoxigraph (``to_store``, the engine the SPARQL endpoint uses) or rdflib
(``to_rdflib_dataset``), each with the whole-graph tables the endpoint's store precomputes
(``queries.sparql_statistics``); rdflib is far too slow for the multi-hop ones on big graphs
(bench/results/sparql.md).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import rdflib

from graph.rdf.export import export_graph, iter_serialized
from queries.sparql_inferences import backing_nquads
from queries.sparql_statistics import add_statistics, add_statistics_rdflib

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


def to_rdflib_dataset(g: nx.MultiDiGraph, base: str | None = None) -> rdflib.Dataset:
    """The export of ``g`` in the default graph of an rdflib dataset, with the statistics
    tables computed by rdflib and the query layer's backing chains (the examples read them)."""
    dataset = rdflib.Dataset()
    # first: rdflib's N-Quads parser replaces the dataset's default graph
    with warnings.catch_warnings():  # the parser calls rdflib's deprecated default_context
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data="".join(backing_nquads(g, base=base)), format="nquads")
    default = dataset.default_graph
    default.parse(data="".join(iter_serialized(g, "nt", base=base)), format="nt")
    add_statistics_rdflib(dataset)
    return dataset


def to_store(g: nx.MultiDiGraph, base: str | None = None) -> ox.Store:
    """The export of ``g`` (N-Quads: the whole graph in the default graph, one named graph
    per document) in a pyoxigraph store, with the statistics tables and the query layer's
    backing chains (``queries.sparql_inferences``), as the endpoint's store has them."""
    store = ox.Store()
    store.bulk_load("".join(iter_serialized(g, "nq", base=base)).encode(),
                    ox.RdfFormat.N_QUADS)
    store.bulk_load("".join(backing_nquads(g, base=base)).encode(), ox.RdfFormat.N_QUADS)
    add_statistics(store)
    return store


def python_value(value: str, *, datatype: str | None = None, lang: str | None = None) -> Any:
    """A literal's value as rdflib maps it to Python (int, Decimal, bool, str, ...)."""
    literal = rdflib.Literal(value, lang=lang, datatype=None if lang else datatype)
    out = literal.toPython()
    return str(out) if isinstance(out, rdflib.Literal) else out


def binding_value(binding: dict[str, str] | None) -> Any:
    """A SPARQL JSON results binding as a Python value (IRIs as their text)."""
    if binding is None:
        return None
    if binding["type"] != "literal" and binding["type"] != "typed-literal":
        return binding["value"]
    return python_value(binding["value"], datatype=binding.get("datatype"),
                        lang=binding.get("xml:lang"))


def _value(term: Any) -> Any:
    if isinstance(term, rdflib.Literal):
        return python_value(str(term), datatype=term.datatype and str(term.datatype),
                            lang=term.language)
    if isinstance(term, ox.Literal):
        return python_value(term.value, datatype=term.datatype.value, lang=term.language)
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return term.value
    return None if term is None else str(term)


def with_values(query: str, **values: str) -> str:
    """``query`` with the string of each ``VALUES ?name { "..." }`` line replaced (how an
    example names what it asks about, e.g. quotes-for-entity's ?entity)."""
    for name, value in values.items():
        line = re.compile(rf'VALUES \?{name} \{{ "[^"\n]*" \}}')
        if not line.search(query):
            raise KeyError(f"the query has no VALUES ?{name} line")
        query = line.sub(f"VALUES ?{name} {{ {json.dumps(value)} }}".replace("\\", r"\\"),
                         query)
    return query


def run_example(data: rdflib.Graph | ox.Store, name: str, **values: str
                ) -> list[dict[str, Any]]:
    """Rows of example ``name`` over ``data`` (an rdflib graph or a pyoxigraph store);
    ``values`` replace what its VALUES lines ask about (``with_values``)."""
    queries = example_queries()
    if name not in queries:
        raise KeyError(f"no example query {name!r}; known: {', '.join(queries)}")
    return rows_from(data, with_values(queries[name], **values))


def rows_from(data: rdflib.Graph | ox.Store, query: str) -> list[dict[str, Any]]:
    """Rows of the SELECT ``query`` over ``data``, as Python values by variable name."""
    if isinstance(data, ox.Store):
        solutions = data.query(query)
        names = [v.value for v in solutions.variables]
        return [{k: _value(row[k]) for k in names} for row in solutions]
    with warnings.catch_warnings():  # rdflib's Dataset calls its own deprecated default_context
        warnings.simplefilter("ignore", DeprecationWarning)
        result = data.query(query)
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
    args = parser.parse_args(argv)
    data = to_store(load_graph(args.data, progress=False))
    for name, query in example_queries().items():
        body = "\n".join(line for line in query.splitlines() if not line.startswith("#"))
        print(f"### {name}\n\n{description(query)}\n\n```sparql\n{body.strip()}\n```\n")
        print(markdown_table(run_example(data, name)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
