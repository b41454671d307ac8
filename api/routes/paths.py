"""Paths between two entities."""

from __future__ import annotations

from flask import Response, jsonify

from api.limits import MAX_K, MAX_PATH_LENGTH, MAX_PATHS
from api.operations import ApiBlueprint, Operation
from api.params import AS_OF, Param
from api.querying import query
from api.routes.entities import NODE_KINDS, RELATIONS
from queries.checks import PATH_MODES

bp = ApiBlueprint("paths", __name__)


@bp.operation(Operation(
    "find_paths", "/paths", "Paths between two entities",
    "How two entities are connected. `shortest`: all shortest paths; `k_shortest`: the `k` "
    "shortest simple paths; `all_simple`: simple paths up to `max_length` hops. Every hop "
    "carries its relation, direction and provenance. Edges are followed in both directions "
    "unless `directed=true`. **422 `no-answer`** when no path exists within the limits. "
    "`from` and `to` must name two different entities (JSON Schema cannot state it): the same "
    "entity twice, by id or by name, is 400 `invalid-parameters` naming `to`.",
    "paths", "Paths",
    params=(
        Param("from", "text", "Start entity: id or exact zh/en name or alias.", required=True,
              arg="source"),
        Param("to", "text", "End entity: id or exact zh/en name or alias; not the start "
              "entity.", required=True,
              arg="target"),
        Param("mode", "choice", "Which paths.", default="shortest", choices=lambda: PATH_MODES),
        Param("k", "integer", "How many paths for `k_shortest`.", default=5, minimum=1,
              maximum=MAX_K),
        Param("max_length", "integer", "At most this many hops.", default=6, minimum=1,
              maximum=MAX_PATH_LENGTH),
        RELATIONS, NODE_KINDS,
        Param("directed", "boolean", "Follow edges only from source to target.",
              default=False),
        Param("limit", "integer", "At most this many paths.", default=20, minimum=1,
              maximum=MAX_PATHS),
        AS_OF,
    ),
    problems=(404, 422),
    examples=("/api/v1/paths?from=长兴基金&to=长光卫星",
              "/api/v1/paths?from=jilin-university&to=faw&mode=k_shortest&k=3")))
def find_paths(source: str, target: str, mode: str, k: int, max_length: int,
               relations: list[str] | None, node_kinds: list[str] | None, directed: bool,
               limit: int, as_of: str | None) -> Response:
    return jsonify(query("paths", source, target, mode=mode, k=k, max_length=max_length,
                         relations=relations, node_kinds=node_kinds, directed=directed,
                         limit=limit, as_of=as_of))
