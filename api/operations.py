"""Routes declared once: URL rule, method, parameters, responses; Flask and OpenAPI both read it.

``ApiBlueprint.operation`` registers a view with Flask and keeps its ``Operation``; the view
receives its parameters already parsed by ``api.params.parse_params`` from the same
declaration that ``api.openapi`` turns into the spec, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, request

from api.params import Param, parse_params
from api.problems import ApiProblem


@dataclass(frozen=True)
class Operation:
    operation_id: str
    rule: str  # relative to the blueprint's url_prefix, Flask syntax (<entity>)
    summary: str
    description: str
    tag: str
    response_schema: str  # a component name in api.response_schemas, the 200 body
    params: tuple[Param, ...] = ()
    problems: tuple[int, ...] = ()  # statuses beyond the ones every operation may answer
    media_type: str = "application/json"
    # more 200 representations, chosen by content negotiation: (media type, response schema)
    alternatives: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    # the OpenAPI requestBody of a POST: media type -> JSON Schema of the body
    request_body: tuple[tuple[str, dict[str, Any]], ...] = ()
    examples: tuple[str, ...] = field(default=())  # example URLs (relative), for the docs


class ApiBlueprint(Blueprint):
    """A Blueprint whose routes carry their ``Operation`` declarations."""

    def __init__(self, name: str, import_name: str, **kwargs: Any):
        super().__init__(name, import_name, **kwargs)
        self.operations: list[Operation] = []

    def operation(self, op: Operation) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            def handle(**path_args: str) -> Any:
                if op.request_body:
                    _check_body_type(op)
                return view(**parse_params(op.params, request.args, path_args))

            handle.__name__ = handle.__qualname__ = op.operation_id
            handle.__doc__ = view.__doc__
            self.add_url_rule(op.rule, op.operation_id, handle, methods=[op.method])
            self.operations.append(op)
            return view

        return register


def _check_body_type(op: Operation) -> None:
    """A 415 problem unless the body is of a media type ``op`` declares: checked here, once,
    from the declaration OpenAPI shows (a body of another type, e.g. text/plain, would
    otherwise reach the view as an empty form)."""
    accepted = [media_type for media_type, _ in op.request_body]
    if request.mimetype not in accepted:
        raise ApiProblem("unsupported-media-type",
                         f"unsupported Content-Type {request.mimetype or '(none)'}; send "
                         f"{' or '.join(accepted)}", accepted=accepted)


def operations_by_endpoint(app: Flask) -> dict[str, Operation]:
    """Every declared operation of ``app``, keyed by its Flask endpoint name."""
    return {f"{bp.name}.{op.operation_id}": op for bp in app.blueprints.values()
            if isinstance(bp, ApiBlueprint) for op in bp.operations}
