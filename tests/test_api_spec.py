"""The OpenAPI document against the running app: no route, method or parameter may drift.

The spec is generated from the route declarations, so these tests check the generator and
the parser against Flask's URL map: every route is documented with its methods and path
parameters, every documented operation exists, the parser accepts exactly the documented
query parameters, and it enforces the documented bounds and enums.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis

AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}  # Flask answers these for every route
SAMPLE_ENTITY = "changxing-fund"
API_ROOT = "/api/"  # every route below it is API; the explorer page (/, /static) is not


def api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(API_ROOT)]


@pytest.fixture(scope="module")
def spec(app) -> dict[str, Any]:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items()
            for method, op in item.items()]


def test_spec_is_valid_openapi_3_1(spec):
    assert spec["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(spec).validate()  # the OpenAPI 3.1 meta-schema


def test_every_api_route_is_documented_and_every_operation_routed(app, spec):
    routed = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
              for rule in api_rules(app) for method in rule.methods
              if method not in AUTOMATIC_METHODS}
    documented = {(path, method.upper()) for path, method, _ in operations(spec)}
    assert routed == documented


def test_path_parameters_match_the_url_rules(app, spec):
    for rule in api_rules(app):
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method, op in spec["paths"][path].items():
            declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert declared == set(rule.arguments) == set(re.findall(r"{(\w+)}", path)), \
                (method, path)


def param_schema(param: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema, or (a JSON parameter, OpenAPI ``content``) its content's."""
    if "schema" in param:
        return param["schema"]
    return next(iter(param["content"].values()))["schema"]


def valid_value(schema: dict[str, Any]) -> Any:
    if "default" in schema:
        return schema["default"]
    if schema.get("type") == "array":
        return [schema["items"]["enum"][0]]
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("type") == "integer":
        return schema.get("minimum", 1)
    if schema.get("type") == "boolean":
        return True
    return SAMPLE_ENTITY


def request_url(path: str, query: dict[str, Any]) -> str:
    path = re.sub(r"{\w+}", SAMPLE_ENTITY, path)
    query = {k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items()}
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


def blamed(response) -> dict[str, str]:
    """Parameter name -> reason, for a 400 problem (empty for any other answer)."""
    if response.status_code != 400:
        return {}
    return {p["name"]: p["reason"] for p in response.get_json().get("invalid_params", [])}


def required_query(op: dict[str, Any]) -> dict[str, Any]:
    return {p["name"]: valid_value(param_schema(p)) for p in op["parameters"]
            if p["in"] == "query" and p["required"]}


def test_parser_accepts_exactly_the_documented_query_parameters(client, spec):
    for path, _, op in operations(spec):
        base = required_query(op)
        for param in (p for p in op["parameters"] if p["in"] == "query"):
            query = {**base, param["name"]: valid_value(param_schema(param))}
            reasons = blamed(client.get(request_url(path, query)))
            assert not reasons.get(param["name"], "").startswith("unknown parameter"), \
                (path, param["name"])
        undocumented = blamed(client.get(request_url(path, {**base, "zz_undocumented": 1})))
        assert undocumented["zz_undocumented"].startswith("unknown parameter"), path


def test_parser_enforces_the_documented_bounds_and_enums(client, spec):
    checked = 0
    for path, _, op in operations(spec):
        base = required_query(op)
        for param in (p for p in op["parameters"] if p["in"] == "query"):
            schema, name = param_schema(param), param["name"]
            bad, good = [], []
            if "maximum" in schema:
                bad.append(schema["maximum"] + 1)
                good.append(schema["maximum"])
            if "minimum" in schema:
                bad.append(schema["minimum"] - 1)
                good.append(schema["minimum"])
            enum = schema.get("enum") or schema.get("items", {}).get("enum")
            if enum:
                bad.append("not-" + enum[0])
                good.append(enum[-1])
            for value in bad:
                assert name in blamed(client.get(request_url(path, {**base, name: value}))), \
                    (path, name, value)
                checked += 1
            for value in good:
                assert name not in blamed(client.get(request_url(path, {**base, name: value}))), \
                    (path, name, value)
    assert checked >= 20


def test_every_reference_resolves(spec):
    def refs(node: Any):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(spec):
        target: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            assert part in target, ref
            target = target[part]
