"""api.json_provider: every JSON answer of the API is written by orjson and parses to exactly
what Flask's json writer wrote before (values, types, key order), in UTF-8 with a newline."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import uuid
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask.testing import FlaskClient

from api.app import create_app
from api.json_provider import OrjsonProvider
from api.operations import operations_by_endpoint

JSON_TYPES = ("application/json", "application/problem+json", "application/ld+json")
# Not in any operation's examples: error answers and pages of answers.
MORE_URLS = ("/api/v1/entities?kind=Lab&limit=2", "/api/v1/entities/no-such-entity",
             "/api/v1/centrality?measure=eigenvector&top=50", "/api/v1/paths?from=x",
             "/api/v1/backing?fund=changxing-fund&limit=1000", "/api/v1/nowhere")


def _urls(app: Flask) -> list[str]:
    examples = [url for op in operations_by_endpoint(app).values() for url in op.examples
                if op.media_type in JSON_TYPES]
    return examples + list(MORE_URLS)


@pytest.fixture(scope="module")
def flask_json_client(backend: Any) -> FlaskClient:
    """The same API written by Flask's own json provider, set as the API set it before."""
    reference = create_app(backend)
    reference.json = DefaultJSONProvider(reference)
    reference.json.ensure_ascii = False
    reference.json.sort_keys = False
    return reference.test_client()


def _exactly(value: Any) -> str:
    """``value`` with its types and key order showing (1 is not 1.0, {a, b} is not {b, a})."""
    return repr(value)


def test_every_answer_parses_to_what_flask_json_wrote(app, client, flask_json_client):
    urls = _urls(app)
    assert len(urls) > 15
    for url in urls:
        ours, theirs = client.get(url), flask_json_client.get(url)
        assert ours.status_code == theirs.status_code, url
        assert ours.mimetype == theirs.mimetype and ours.mimetype in JSON_TYPES, url
        assert _exactly(json.loads(ours.data)) == _exactly(json.loads(theirs.data)), url
        assert ours.data.endswith(b"\n") == theirs.data.endswith(b"\n"), url
        assert not ours.data.endswith(b"\n\n"), url
        text = ours.data.decode("utf-8")
        assert "\\u" not in text.replace("\\\\", ""), url  # Chinese as UTF-8, not escaped


def test_chinese_is_written_as_utf8(client, data_graph):
    body = client.get("/api/v1/entities/changxing-fund").data
    name = data_graph.nodes["changxing-fund"]["name_zh"]
    assert any(ord(c) > 127 for c in name) and name.encode("utf-8") in body


def test_every_answer_is_written_by_orjson(app, client, monkeypatch):
    """Typical answers never reach the json module (the slow path is for the odd value)."""
    def json_module(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("written by the json module")

    monkeypatch.setattr(DefaultJSONProvider, "dumps", json_module)
    for url in _urls(app):
        response = client.get(url)
        assert response.status_code < 500, (url, response.data[:300])
        json.loads(response.data)


@pytest.fixture
def bare_app() -> Flask:
    bare = Flask(__name__)
    bare.json = OrjsonProvider(bare)
    return bare


def _written(app: Flask, value: Any) -> bytes:
    with app.app_context():
        return app.json.response(value).get_data()


def _json(value: Any, **kwargs: Any) -> str:
    """What Flask's provider, set as the API set it, wrote for ``value``."""
    return json.dumps(value, **{"default": DefaultJSONProvider.default, "ensure_ascii": False,
                                **kwargs})


# Values orjson writes itself and values it leaves to json: each must read back as before.
PAYLOADS = {
    "numbers": {"small": 1e-05, "tiny": 5e-324, "huge": 1.5e300, "third": 1 / 3, "int": 7,
                "float_int": 2.0, "neg": -0.0, "i64": [2**63 - 1, -(2**63), 2**64 - 1]},
    "big_ints": {"id": "x", "big": 2**64, "neg": -(2**70), "list": [1, 10**30]},
    "chinese": {"name_zh": "长春光学精密机械与物理研究所", "aliases": ["长光所", "CIOMP"],
                "quote": "“引号” and \\ and \" and \n and \u2028"},
    "order": {"id": "b", "kind": "Lab", "a": {"z": 1, "y": 2}, "名": 3},
    "non_str_keys": {3: "three", 2.5: "half", True: "yes", None: "none"},
    "flask_types": {"date": dt.date(2024, 5, 1), "when": dt.datetime(2024, 5, 1, 12, 30),
                    "decimal": Decimal("1.10"), "uuid": uuid.UUID(int=5)},
    "nested": {"a": [], "b": {}, "c": [[], [{}], {"d": [1, "二"]}], "e": None, "f": False},
}


@dataclasses.dataclass
class Pair:
    fund: str
    lab: str


@pytest.mark.parametrize("name", PAYLOADS)
def test_written_values_read_back_as_json_wrote_them(bare_app, name):
    value = PAYLOADS[name]
    written = _written(bare_app, value)
    assert written.endswith(b"}\n")
    assert _exactly(json.loads(written)) == _exactly(json.loads(_json(value)))


def test_keys_keep_their_order_unless_sorting_is_asked_for(bare_app):
    value = PAYLOADS["order"]
    expected = '{"id":"b","kind":"Lab","a":{"z":1,"y":2},"名":3}\n'
    assert _written(bare_app, value) == expected.encode()
    bare_app.json.sort_keys = True
    assert _written(bare_app, value).decode() == _json(value, sort_keys=True,
                                                       separators=(",", ":")) + "\n"


def test_dataclasses_and_unwritable_values_as_flask_wrote_them(bare_app):
    assert json.loads(_written(bare_app, [Pair("f", "l")])) == [{"fund": "f", "lab": "l"}]
    with pytest.raises(TypeError, match="not JSON serializable"):
        _written(bare_app, {"x": object()})


def test_not_a_number_is_written_as_null(bare_app):
    """json wrote bare NaN, which is not JSON: strict parsers (browsers) refused the answer."""
    written = _written(bare_app, {"nan": math.nan, "inf": math.inf, "list": [-math.inf, 1.0]})
    assert written == b'{"nan":null,"inf":null,"list":[null,1.0]}\n'


def test_debug_indent_and_dumps_options_are_json_s_byte_for_byte(bare_app):
    value = {**PAYLOADS["chinese"], **PAYLOADS["nested"], "n": [1, 2.5, 3]}
    bare_app.debug = True
    assert _written(bare_app, value).decode() == _json(value, indent=2) + "\n"
    with bare_app.app_context():
        for kwargs in ({"indent": 2}, {"separators": (",", ":")}, {}, {"indent": 4},
                       {"ensure_ascii": True}, {"sort_keys": True, "indent": 2}):
            assert bare_app.json.dumps(value, **kwargs) == _json(value, **kwargs), kwargs
