"""Every query parameter check, written once: the query service calls these before it asks a
store anything, and the plain networkx functions (``queries.paths``, ``queries.backing``,
``queries.centrality``) call the same ones for their direct callers. api/params.py only turns
HTTP strings into values; what a value may be is decided here. Each raises
``InvalidQuery(field, message)``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from graph.schema import load_schema
from queries.errors import InvalidQuery

MAX_RADIUS = 3
PATH_MODES = ("shortest", "k_shortest", "all_simple")
CENTRALITY_MEASURES = ("degree", "in_degree", "out_degree", "betweenness", "closeness",
                       "harmonic", "pagerank", "eigenvector")


def at_least_one(**values: int | None) -> None:
    """Each value (None: not given) is at least 1."""
    for name, value in values.items():
        if value is not None and value < 1:
            raise InvalidQuery(name, f"must be at least 1, got {value}")


def not_negative(**values: int) -> None:
    for name, value in values.items():
        if value < 0:
            raise InvalidQuery(name, f"must not be negative, got {value}")


def node_kinds(field: str, kinds: Sequence[str] | None) -> list[str] | None:
    """Schema node kinds, or None (none given: every kind)."""
    if not kinds:
        return None
    unknown = [k for k in kinds if k not in load_schema().node_kinds]
    if unknown:
        raise InvalidQuery(field, "unknown node kinds " + ", ".join(map(repr, unknown)))
    return list(kinds)


def choices(field: str, given: Sequence[str] | None, allowed: Sequence[str]
            ) -> list[str] | None:
    """``given`` if each is one of ``allowed``, or None (none given: all)."""
    if not given:
        return None
    unknown = [v for v in given if v not in allowed]
    if unknown:
        raise InvalidQuery(field, "unknown " + ", ".join(map(repr, unknown)) + "; one of "
                           + ", ".join(allowed))
    return list(given)


def node_kind(field: str, kind: str | None) -> str | None:
    if kind is not None and kind not in load_schema().node_kinds:
        raise InvalidQuery(field, f"unknown node kind {kind!r}")
    return kind


def relations(given: Sequence[str] | None) -> list[str] | None:
    """Schema relation kinds, or None (none given: every relation)."""
    if not given:
        return None
    unknown = [r for r in given if r not in load_schema().relation_kinds]
    if unknown:
        raise InvalidQuery("relations", "unknown relation kinds " + ", ".join(map(repr, unknown)))
    return list(given)


def radius(value: int) -> None:
    if not 1 <= value <= MAX_RADIUS:
        raise InvalidQuery("radius", f"must be between 1 and {MAX_RADIUS}, got {value}")


def path_mode(mode: str) -> None:
    if mode not in PATH_MODES:
        raise InvalidQuery("mode", f"unknown mode {mode!r}; one of " + ", ".join(PATH_MODES))


def measure(name: str) -> None:
    if name not in CENTRALITY_MEASURES:
        raise InvalidQuery("measure", f"unknown measure {name!r}; one of "
                           + ", ".join(CENTRALITY_MEASURES))


def edge_page(limit: int, offset: int) -> None:
    at_least_one(edge_limit=limit)
    not_negative(edge_offset=offset)


def entity_argument(query: object, field: str = "entity") -> str:
    """An entity argument: a non-blank id or name, stripped."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidQuery(field, "give an entity id or name")
    return query.strip()


def distinct_endpoints(a: str, b: str) -> None:
    if a == b:
        raise InvalidQuery("target", f"the path's two ends are the same entity ({a})")


AS_OF_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def as_of(field: str, value: object) -> int | None:
    """A date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or an int year; None: not given) as the
    year it falls in: sources are dated by year, so a date sees all its year's sources."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:04d}" if value >= 0 else str(value)
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise InvalidQuery(field, f"must be a date ({AS_OF_FORMS}), got {value!r}")
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        raise InvalidQuery(field, f"is not a date: {value!r} ({exc})") from None
    return year


def not_before_sources(field: str, year: int | None, earliest: int | None) -> None:
    """``year`` is not before the earliest source (nothing was reported then)."""
    if year is not None and earliest is not None and year < earliest:
        raise InvalidQuery(field, f"{year} is before the earliest source (published "
                                  f"{earliest}): nothing was reported by then")


def date_range(start: int, end: int) -> None:
    if start >= end:
        raise InvalidQuery("from", f"from ({start}) must be before to ({end})")


def metric(name: str) -> None:
    metrics = load_schema().metrics
    if name not in metrics:
        raise InvalidQuery("metric", f"unknown metric {name!r}; one of " + ", ".join(metrics))
