"""When a record was reported: derived from its provenance and the Source nodes' dates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx


def source_years(g: nx.MultiDiGraph) -> dict[str, int]:
    """Publication year by source file name, from the graph's Source nodes."""
    return {a["file"]: a["published_year"] for _, a in g.nodes(data=True)
            if a.get("kind") == "Source" and "file" in a and "published_year" in a}


def reported_in(provenance: Iterable[Mapping[str, str]],
                years: Mapping[str, int]) -> tuple[int, int] | None:
    """The earliest and latest publication years of the sources a record cites (None if
    none of them is dated)."""
    dated = [years[p["source"]] for p in provenance if p["source"] in years]
    return (min(dated), max(dated)) if dated else None
