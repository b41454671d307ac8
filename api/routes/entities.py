"""Entities: search and list (cursor-paginated), one entity, its neighbourhood."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request

from api.limits import MAX_ITEMS, MAX_OFFSET, MAX_RADIUS
from api.operations import ApiBlueprint, Operation
from api.pagination import BadCursor, decode_cursor, encode_cursor
from api.params import AS_OF, Param, node_kinds, relation_kinds
from api.problems import InvalidParams
from api.querying import query
from queries.service import DEFAULT_EDGE_LIMIT

bp = ApiBlueprint("entities", __name__)

ENTITY = Param("entity", "text", "An entity id (e.g. `changxing-fund`) or its exact zh/en name "
               "or alias (e.g. `长兴基金`).", location="path")
NODE_KINDS = Param("node_kinds", "choice_list", "Keep only nodes of these kinds (repeat the "
                   "parameter or separate with commas).", choices=node_kinds)
RELATIONS = Param("relations", "choice_list", "Follow only these relation kinds (repeat the "
                  "parameter or separate with commas).", choices=relation_kinds)


def cursor_filters(q: str | None, kind: list[str] | None,
                   as_of: str | None) -> dict[str, Any]:
    """The filters a cursor belongs to: its pages are of the same query."""
    return {"q": q, "kind": kind, **({"as_of": as_of} if as_of else {})}


@bp.operation(Operation(
    "list_entities", "/entities", "Search or list entities",
    "Entities whose id, zh/en name or alias contains `q` (exact matches first, then prefix, "
    "then partial matches, then, for several words, entities whose names hold every word, "
    "each class by id), or all entities by id when `q` is absent. Case does not count, nor "
    "traditional against simplified Chinese (長春光機所 finds 长春光机所). Pages are linked by an "
    "opaque `next_cursor` (also in `next` and the `Link` header); pass it back as `cursor`. "
    "Rules JSON Schema cannot state: `cursor` and `offset` exclude each other, and a cursor "
    "is valid only if this API issued it, for the same `q`, `kind` and `as_of` (else 400 "
    "`invalid-parameters` naming `cursor`).",
    "entities", "EntityPage",
    params=(
        Param("q", "text", "Text to look for in ids, names and aliases (case-insensitive)."),
        Param("kind", "choice_list", "Only entities of these node kinds (repeat the parameter "
              "or separate with commas).", choices=node_kinds),
        Param("limit", "integer", "Page size.", default=20, minimum=1, maximum=MAX_ITEMS),
        Param("offset", "integer", "Items to skip (not with `cursor`, which follows pages).",
              minimum=0,
              maximum=MAX_OFFSET),
        Param("cursor", "text", "The `next_cursor` of the previous page (same `q`, `kind` "
              "and `as_of`; not with `offset`)."),
        AS_OF,
    ),
    examples=("/api/v1/entities?q=基金&kind=Fund&limit=5", "/api/v1/entities?kind=Lab")))
def list_entities(q: str | None, kind: list[str] | None, limit: int, offset: int | None,
                  cursor: str | None, as_of: str | None) -> Response:
    filters = cursor_filters(q, kind, as_of)
    if cursor is not None and offset is not None:
        raise InvalidParams([{"name": "cursor", "reason": "give either cursor or offset"}])
    if cursor is not None:
        try:
            offset = decode_cursor(cursor, filters)
        except BadCursor as exc:
            raise InvalidParams([{"name": "cursor", "reason": str(exc)}]) from None
    offset = offset or 0
    found = query("search", q, kinds=kind, limit=limit, offset=offset, as_of=as_of)
    page = {"total": found["total"], "offset": offset, "limit": limit, "items": found["items"],
            "next_cursor": None, "next": None}
    if offset + len(found["items"]) < found["total"]:
        page["next_cursor"] = encode_cursor(offset + limit, filters)
        args = {k: v for k, v in {"q": q, "kind": kind, "limit": limit, "as_of": as_of}.items()
                if v}
        args["cursor"] = page["next_cursor"]
        page["next"] = f"{request.path}?{urlencode(args, doseq=True)}"
    response = jsonify(page)
    if page["next"]:
        response.headers["Link"] = f'<{page["next"]}>; rel="next"'
    return response


@bp.operation(Operation(
    "get_entity", "/entities/<entity>", "One entity with its relations",
    "The entity's kind, subtype, names, aliases, typed properties and provenance (source and "
    "verbatim quote), with its outgoing and incoming relations, each with provenance, sorted "
    "by relation then other id: `edge_limit` per direction from `edge_offset` on. "
    "`edges_total` counts them all and `edges_truncated` says whether more follow (a hub "
    "has thousands: page with `edge_offset`, or filter `/entities/{entity}/neighbours`).",
    "entities", "EntityDetail",
    params=(ENTITY,
            Param("edge_limit", "integer", "At most this many relations per direction.",
                  default=DEFAULT_EDGE_LIMIT, minimum=1, maximum=MAX_ITEMS),
            Param("edge_offset", "integer", "Relations of each direction to skip.", default=0,
                  minimum=0, maximum=MAX_OFFSET),
            AS_OF),
    problems=(404, 422),
    examples=("/api/v1/entities/changxing-fund",
              "/api/v1/entities/长光卫星?edge_limit=5&edge_offset=5",
              "/api/v1/entities/changchun?as_of=2022-12-31")))
def get_entity(entity: str, edge_limit: int, edge_offset: int, as_of: str | None) -> Response:
    return jsonify(query("entity", entity, edge_limit=edge_limit, edge_offset=edge_offset,
                         as_of=as_of))


@bp.operation(Operation(
    "get_neighbours", "/entities/<entity>/neighbours", "The neighbourhood of an entity",
    "The ego graph within `radius` hops (edges followed in both directions), optionally only "
    "through the given relation kinds and node kinds. `truncated` says whether `limit` cut it.",
    "entities", "Neighbourhood",
    params=(ENTITY,
            Param("radius", "integer", "Hops from the entity.", default=1, minimum=1,
                  maximum=MAX_RADIUS),
            NODE_KINDS, RELATIONS,
            Param("limit", "integer", "At most this many nodes.", default=200, minimum=1,
                  maximum=MAX_ITEMS),
            AS_OF),
    problems=(404, 422),
    examples=("/api/v1/entities/changxing-fund/neighbours?radius=2&relations=FUNDS",)))
def get_neighbours(entity: str, radius: int, node_kinds: list[str] | None,
                   relations: list[str] | None, limit: int, as_of: str | None) -> Response:
    return jsonify(query("neighbourhood", entity, radius=radius, node_kinds=node_kinds,
                         relations=relations, limit=limit, as_of=as_of))
