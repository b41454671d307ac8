"""Declared request parameters: one declaration drives both parsing and the OpenAPI document.

A route lists its ``Param``s; ``parse_params`` checks a request against exactly that list
(unknown or repeated parameters, wrong types, out-of-range numbers and values outside the
allowed set are all 400s naming the parameter), and ``Param.openapi`` writes the same facts
into the spec. Allowed values come from the schema and ``queries.backend``, never restated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from api.problems import InvalidParams
from graph.schema import load_schema

INTEGER = re.compile(r"-?\d{1,9}")
BOOLEANS = {"true": True, "false": False}
MAX_TEXT_LENGTH = 200
MAX_LIST_ITEMS = 50
# Text must hold a character that is neither whitespace nor a control character. Spelled out,
# so that Python's ``re`` and the ECMAScript regexes of JSON Schema agree on every character
# (their \s differ on U+001C-U+001F, U+0085 and U+FEFF).
NOT_BLANK = r"[^\x00-\x20\x7f-\x9f\s\ufeff]"
# A date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` that exists in the proleptic Gregorian
# calendar (years 0001-9999, as Python's ``datetime.date``): written as a regex, so that the
# spec states exactly what the parser accepts. Whether it is after the earliest source depends
# on the data: ``queries.checks.not_before_sources``, 400 naming the parameter.
_YEAR = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH = "(?:0[1-9]|1[0-2])"
_MONTH_DAY = ("(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
              "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
              "|02-(?:0[1-9]|1[0-9]|2[0-8]))")
# 29 February: years divisible by 4, except centuries not divisible by 400 (and no year 0)
_LEAP_DAY = ("(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])"
             "|(?:0[48]|[2468][048]|[13579][26])00)-02-29")
DATE = f"^(?:{_YEAR}(?:-{_MONTH}|-{_MONTH_DAY})?|{_LEAP_DAY})$"


def node_kinds() -> tuple[str, ...]:
    return tuple(load_schema().node_kinds)


def relation_kinds() -> tuple[str, ...]:
    """The stored relation kinds (derived ones such as MENTIONS are not graph edges)."""
    return tuple(load_schema().relation_kinds)


@dataclass(frozen=True)
class Param:
    """One query or path parameter.

    ``kind`` is ``text`` (a non-blank string), ``date`` (``DATE``, passed on as text),
    ``integer``, ``boolean``, ``choice`` (one of ``choices()``), ``choice_list``
    (repeatable, or comma-separated, values of ``choices()``) or ``json`` (a JSON text, sent
    as OpenAPI's ``content: application/json`` with the schema ``content_schema()``; parsed
    here, its structure checked by the view, which the schemathesis test holds to the schema).
    """

    name: str
    kind: str
    description: str
    default: Any = None
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    choices: Callable[[], tuple[str, ...]] | None = None
    location: str = "query"
    content_schema: Callable[[], dict[str, Any]] | None = None
    arg: str = ""  # the view's argument name, when ``name`` is not one (e.g. "from")

    @property
    def key(self) -> str:
        return self.arg or self.name

    def __post_init__(self) -> None:
        if self.kind not in ("text", "date", "integer", "boolean", "choice", "choice_list",
                             "json"):
            raise ValueError(f"parameter {self.name}: unknown kind {self.kind!r}")
        if self.kind == "json" and self.content_schema is None:
            raise ValueError(f"parameter {self.name}: a json parameter needs a content_schema")
        if self.kind in ("choice", "choice_list") and self.choices is None:
            raise ValueError(f"parameter {self.name}: a {self.kind} needs choices")

    def parse(self, values: list[str]) -> Any:
        """The typed value of this parameter's raw values; raises ``ValueError`` saying why."""
        if self.kind == "choice_list":
            items = [item.strip() for value in values for item in value.split(",")]
            if not all(items):
                raise ValueError("empty value in list")
            if len(items) > MAX_LIST_ITEMS:
                raise ValueError(f"at most {MAX_LIST_ITEMS} values")
            allowed = self.choices()
            unknown = [item for item in items if item not in allowed]
            if unknown:
                raise ValueError(f"unknown value(s) {', '.join(map(repr, unknown))}; "
                                 f"allowed: {', '.join(allowed)}")
            return list(dict.fromkeys(items))
        if len(values) > 1:
            raise ValueError("given more than once")
        value = values[0]
        if self.kind == "text":
            if not re.search(NOT_BLANK, value):
                raise ValueError("must hold a character other than spaces and controls")
            if len(value) > MAX_TEXT_LENGTH:
                raise ValueError(f"longer than {MAX_TEXT_LENGTH} characters")
            return value.strip()
        if self.kind == "date":
            if not re.fullmatch(DATE, value):
                raise ValueError("must be a date that exists (YYYY, YYYY-MM or YYYY-MM-DD), "
                                 f"got {value!r}")
            return value
        if self.kind == "json":
            try:
                return json.loads(value, parse_constant=_not_json)
            except ValueError as exc:
                raise ValueError(f"not JSON: {exc}") from None
        if self.kind == "boolean":
            if value not in BOOLEANS:
                raise ValueError(f"expected true or false, got {value!r}")
            return BOOLEANS[value]
        if self.kind == "choice":
            allowed = self.choices()
            if value not in allowed:
                raise ValueError(f"unknown value {value!r}; allowed: {', '.join(allowed)}")
            return value
        if not INTEGER.fullmatch(value):
            raise ValueError(f"expected an integer, got {value!r}")
        number = int(value)
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"must be at least {self.minimum}, got {number}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"must be at most {self.maximum}, got {number}")
        return number

    def json_schema(self) -> dict[str, Any]:
        if self.kind == "text":
            schema: dict[str, Any] = {"type": "string", "minLength": 1,
                                      "maxLength": MAX_TEXT_LENGTH, "pattern": NOT_BLANK}
        elif self.kind == "date":
            schema = {"type": "string", "pattern": DATE}
        elif self.kind == "json":
            assert self.content_schema is not None
            schema = self.content_schema()
        elif self.kind == "boolean":
            schema = {"type": "boolean"}
        elif self.kind == "choice":
            schema = {"type": "string", "enum": list(self.choices())}
        elif self.kind == "choice_list":
            schema = {"type": "array", "items": {"type": "string", "enum": list(self.choices())},
                      "maxItems": MAX_LIST_ITEMS}
        else:
            schema = {"type": "integer"}
            if self.minimum is not None:
                schema["minimum"] = self.minimum
            if self.maximum is not None:
                schema["maximum"] = self.maximum
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def openapi(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": self.name, "in": self.location,
                                "required": self.required or self.location == "path",
                                "description": self.description}
        if self.kind == "json":
            spec["content"] = {"application/json": {"schema": self.json_schema()}}
        else:
            spec["schema"] = self.json_schema()
        if self.kind == "choice_list":
            spec.update(style="form", explode=True)
        return spec


def _not_json(constant: str) -> None:
    """Python's json reads NaN and Infinity, which JSON does not have."""
    raise ValueError(f"{constant} is not JSON")


#: The date every time-aware operation takes (queries.service: "as of a date").
AS_OF = Param("as_of", "date", "The graph as reported up to this date (`YYYY`, `YYYY-MM` or "
              "`YYYY-MM-DD`; a year means its end; sources are dated by year, so a date sees "
              "every source published in its year): records only later sources report are "
              "absent, provenance is cut to the earlier sources, and a relation shows the "
              "status then reported (e.g. `planned`). Before the earliest source: 400 naming "
              "`as_of`.")


def parse_params(params: tuple[Param, ...], query: MultiDict,
                 path: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Typed arguments for a view, keyed by ``Param.key``; raises ``InvalidParams`` with every
    problem found (unknown, missing, malformed or out-of-range parameters)."""
    problems: list[dict[str, str]] = []
    declared = {p.name for p in params if p.location == "query"}
    problems += [{"name": name, "reason": "unknown parameter; allowed: "
                  + (", ".join(sorted(declared)) or "none")}
                 for name in query if name not in declared]
    parsed: dict[str, Any] = {}
    for param in params:
        if param.location == "path":
            raw = [path[param.name]] if path and param.name in path else []
        else:
            raw = query.getlist(param.name)
        if not raw:
            if param.required:
                problems.append({"name": param.name, "reason": "required"})
            parsed[param.key] = param.default
            continue
        try:
            parsed[param.key] = param.parse(raw)
        except ValueError as exc:
            problems.append({"name": param.name, "reason": str(exc)})
    if problems:
        raise InvalidParams(problems)
    return parsed
