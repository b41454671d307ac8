"""The API's one JSON writer: Flask's JSON provider with orjson writing the text.

Every JSON response goes through it (``jsonify``, problem+json bodies, the OpenAPI document,
the JSON-LD context). Large answers are why: a fund's backing answer runs to 900 KiB, which the
json module takes 5-8 ms to write and orjson under 0.5 ms; an answer the query service keeps
(``queries.kept.KeptAnswer``) is written once and its text served again.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

from queries.kept import KeptAnswer

# Dates and dataclasses go to Flask's ``default`` (dates as HTTP dates, as Flask writes them)
# rather than orjson's own forms (ISO 8601 dates).
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_COMPACT = (",", ":")
_INDENTED = (",", ": ")  # json's separators when indenting: orjson's OPT_INDENT_2 output
_ORJSON_KWARGS = frozenset({"indent", "separators", "sort_keys", "ensure_ascii", "default"})


class OrjsonProvider(DefaultJSONProvider):
    """Flask's default provider, its text written by orjson where orjson writes what json would.

    The text parses to the same values as json's, in the same key order, with the same
    trailing newline on responses and debug mode's two-space indent byte for byte. Numbers may
    be spelt differently (``0.00001`` for ``1e-05``). NaN and infinities are written as
    ``null``: json wrote bare ``NaN``, which is not JSON and which browsers refuse. Whatever
    orjson cannot write (integers beyond 64 bits, non-string dict keys, lone surrogates, float
    subclasses such as numpy's, nesting deeper than 254) or any json option it has no
    counterpart for (``ensure_ascii``, other separators or indents) is written by json, so what
    was written before still is.
    """

    ensure_ascii = False  # UTF-8 Chinese, not \\u escapes
    sort_keys = False  # keep the backend's field order (id, kind, names first)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        body = self._orjson(obj, kwargs, 0)
        return super().dumps(obj, **kwargs) if body is None else body.decode()

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        indent = (self.compact is None and self._app.debug) or self.compact is False
        options = {"indent": 2} if indent else {"separators": _COMPACT}
        if isinstance(obj, KeptAnswer):  # the same answer again: its text as first written
            body = obj.encoded((indent, self.sort_keys), lambda answer: self._orjson(
                answer, options, orjson.OPT_APPEND_NEWLINE))
        else:
            body = self._orjson(obj, options, orjson.OPT_APPEND_NEWLINE)
        if body is None:
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)

    def _orjson(self, obj: Any, kwargs: dict[str, Any], option: int) -> bytes | None:
        """orjson's text for ``json.dumps(obj, **kwargs)`` with this provider's settings, or
        None where it would differ from json's or orjson cannot write ``obj``."""
        if not kwargs.keys() <= _ORJSON_KWARGS or kwargs.get("ensure_ascii", self.ensure_ascii):
            return None
        option |= _PASSTHROUGH
        if kwargs.get("indent") is not None:
            if kwargs["indent"] != 2 or kwargs.get("separators", _INDENTED) != _INDENTED:
                return None
            option |= orjson.OPT_INDENT_2
        elif kwargs.get("separators") != _COMPACT:  # json's default puts spaces after both
            return None
        if kwargs.get("sort_keys", self.sort_keys):
            option |= orjson.OPT_SORT_KEYS
        try:
            return orjson.dumps(obj, default=kwargs.get("default", self.default), option=option)
        except orjson.JSONEncodeError:
            return None
