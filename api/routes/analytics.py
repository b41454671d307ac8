"""Analytics: which funds back which labs, centrality rankings, graph statistics."""

from __future__ import annotations

from flask import Response, jsonify

from api.limits import MAX_ITEMS, MAX_PATH_LENGTH, MAX_TOP
from api.operations import ApiBlueprint, Operation
from api.params import AS_OF, Param, node_kinds
from api.querying import query
from queries.backend import BACKING_MAX_LENGTH, CENTRALITY_MEASURES

bp = ApiBlueprint("analytics", __name__)


@bp.operation(Operation(
    "get_backing", "/backing", "Which funds back which labs",
    "Funds and the labs they back: directly, through a programme, institution, company or "
    "park (at most `max_length` hops), or, marked `inferred`, through a sector both work in or "
    "through a member of an institution group (e.g. 高校院所) that what the fund backs belongs "
    "to. Pairs rank stated before inferred, then shorter first; each chain is explained in zh and "
    "en and every hop carries its provenance. Filter by `fund` and/or `lab`.",
    "analytics", "Backing",
    params=(
        Param("fund", "text", "Only this fund: id or exact zh/en name or alias."),
        Param("lab", "text", "Only this lab: id or exact zh/en name or alias."),
        Param("max_length", "integer", "At most this many hops per chain.",
              default=BACKING_MAX_LENGTH, minimum=1, maximum=MAX_PATH_LENGTH),
        Param("limit", "integer", "At most this many fund-lab pairs.", default=100, minimum=1,
              maximum=MAX_ITEMS),
        AS_OF,
    ),
    problems=(404, 422),
    examples=("/api/v1/backing", "/api/v1/backing?fund=长兴基金")))
def get_backing(fund: str | None, lab: str | None, max_length: int, limit: int,
                as_of: str | None) -> Response:
    return jsonify(query("backing", fund=fund, lab=lab, max_length=max_length, limit=limit,
                         as_of=as_of))


@bp.operation(Operation(
    "get_centrality", "/centrality", "Most central entities",
    "The `top` entities by a centrality `measure`, optionally only of one node `kind`, with a "
    "summary of the measure's distribution. Results are cached per graph version (and `as_of` "
    "year: computed on that date's graph).",
    "analytics", "Centrality",
    params=(
        Param("measure", "choice", "Centrality measure.", default="pagerank",
              choices=lambda: CENTRALITY_MEASURES),
        Param("kind", "choice", "Rank only entities of this node kind.", choices=node_kinds),
        Param("top", "integer", "How many entities.", default=10, minimum=1, maximum=MAX_TOP),
        AS_OF,
    ),
    examples=("/api/v1/centrality?measure=betweenness&top=5",
              "/api/v1/centrality?measure=pagerank&kind=Lab")))
def get_centrality(measure: str, kind: str | None, top: int, as_of: str | None) -> Response:
    return jsonify(query("centrality", measure, kind=kind, top=top, as_of=as_of))


@bp.operation(Operation(
    "get_statistics", "/statistics", "Graph statistics",
    "Counts of nodes by kind and edges by relation, quotes per source and connectivity.",
    "analytics", "Statistics", params=(AS_OF,),
    examples=("/api/v1/statistics", "/api/v1/statistics?as_of=2022")))
def get_statistics(as_of: str | None) -> Response:
    return jsonify(query("statistics", as_of=as_of))
