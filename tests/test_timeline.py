"""Every record's "reported in" years derive from its sources (issue 14, part 3)."""

from __future__ import annotations

from graph.timeline import reported_in, source_years
from loaders.dataset import load_graph


def test_reported_in_spans_the_sources_a_record_cites() -> None:
    g = load_graph(progress=False)
    years = source_years(g)
    assert years == {"000_f7b9a75bc1616f5e.txt": 2025, "001_c2433cd2966890d3.txt": 2022}
    both = g.edges["changchun", "regional-innovation-centre", "OPERATES"]["provenance"]
    assert reported_in(both, years) == (2022, 2025)
    planned = g.edges["changchun", "sci-tech-innovation-city", "OPERATES"]["provenance"]
    assert reported_in(planned, years) == (2022, 2022)
    assert reported_in([{"source": "elsewhere.txt", "quote": "x"}], years) is None
    undated = [n for n, a in g.nodes(data=True) if reported_in(a["provenance"], years) is None]
    assert undated == []
