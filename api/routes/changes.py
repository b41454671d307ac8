"""Time: what changed between two dates, and one metric of one subject over time."""

from __future__ import annotations

from flask import Response, jsonify

from api.limits import MAX_ITEMS, MAX_OFFSET
from api.operations import ApiBlueprint, Operation
from api.params import AS_OF, Param, node_kinds
from api.querying import query
from api.routes.entities import ENTITY
from graph.schema import load_schema
from queries.changes import CHANGE_KINDS

bp = ApiBlueprint("changes", __name__)


def metric_names() -> tuple[str, ...]:
    return tuple(load_schema().metrics)


@bp.operation(Operation(
    "get_changes", "/changes", "What changed between two dates",
    "The graph as reported up to `from` compared with the graph as reported up to `to` "
    "(dates as for `as_of`), one page of changes in this order: `appeared` (entities and "
    "relations first reported after `from`), `not_reported_since` (reported by `from`, and no "
    "source published after it reports them again: silence, not an end), `status_changed` "
    "(relations whose status differs, e.g. `planned` then `ongoing`, with both statuses and "
    "both provenances) and `metric` (a subject's metric observed on both sides: `before` and "
    "`after` observations, each with its value or change factor, period, status and quotes). "
    "`counts` gives each kind's total. `change` keeps some kinds of change; `kind` keeps the "
    "changes about entities of some node kinds (an entity of one, a relation with an end of "
    "one, a metric of a subject of one); `entity` those about one entity (itself, its "
    "relations, its metrics; 404 if no source names it); `counts` and `total` are then of "
    "those. `from` must be before `to` and not before the earliest source (else 400 "
    "`invalid-parameters` naming it).",
    "time", "Changes",
    params=(
        Param("from", "date", "The earlier date.", required=True, arg="start"),
        Param("to", "date", "The later date.", required=True, arg="end"),
        Param("change", "choice_list", "Only these kinds of change (repeat the parameter or "
              "separate with commas).", choices=lambda: CHANGE_KINDS, arg="changes"),
        Param("kind", "choice_list", "Only changes about entities of these node kinds.",
              choices=node_kinds, arg="kinds"),
        Param("entity", "text", "Only changes about this entity: an id or its exact zh/en "
              "name or alias."),
        Param("limit", "integer", "Page size.", default=100, minimum=1, maximum=MAX_ITEMS),
        Param("offset", "integer", "Changes to skip.", default=0, minimum=0,
              maximum=MAX_OFFSET),
    ),
    examples=("/api/v1/changes?from=2022&to=2025",
              "/api/v1/changes?from=2022&to=2025&change=appeared&kind=Lab",
              "/api/v1/changes?from=2022&to=2025&entity=长春",
              "/api/v1/changes?from=2022&to=2025&limit=20&offset=20"),
    problems=(404,)))
def get_changes(start: str, end: str, changes: list[str] | None, kinds: list[str] | None,
                entity: str | None, limit: int, offset: int) -> Response:
    return jsonify(query("changes", start, end, limit=limit, offset=offset, changes=changes,
                         kinds=kinds, entity=entity))


@bp.operation(Operation(
    "get_metric_series", "/entities/<entity>/metrics/<metric>", "A metric over time",
    "The observations of one metric (a name of the schema's metric catalogue) on one "
    "entity, by period end: value or change factor, bound, unit, period, status (actual, "
    "estimate, target, plan) and quotes with their source's publication year. Empty when the "
    "sources give no figure of it.",
    "time", "MetricSeries",
    params=(ENTITY,
            Param("metric", "choice", "A metric of the catalogue (`/api/v1/schema`: `metrics`).",
                  choices=metric_names, location="path"),
            AS_OF),
    problems=(404, 422),
    examples=("/api/v1/entities/changchun/metrics/national_sci_tech_awards",
              "/api/v1/entities/长春/metrics/high_tech_enterprises?as_of=2022")))
def get_metric_series(entity: str, metric: str, as_of: str | None) -> Response:
    return jsonify(query("metric_series", entity, metric, as_of=as_of))
