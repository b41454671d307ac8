"""queries.kept: what a store keeps per content generation, and kept answers' JSON text."""

from __future__ import annotations

import gc
import threading
import time

import orjson
import pytest
from queries_fixtures import make_graph

from api.app import create_app
from api.json_provider import OrjsonProvider
from queries.embedded_backend import EmbeddedBackend
from queries.kept import KeptAnswer, KeptValues


def test_a_value_is_computed_once_per_generation_and_key():
    kept, calls = KeptValues(budget=10), []

    def compute(value):
        def run():
            calls.append(value)
            return value
        return run

    assert kept.value(1, "a", compute("a1")) == "a1"
    assert kept.value(1, "a", compute("other")) == "a1"
    assert kept.value(1, "b", compute("b1")) == "b1"
    assert kept.value(2, "a", compute("a2")) == "a2"  # a new generation: the old ones go
    assert kept.value(2, "b", compute("b2")) == "b2"
    assert calls == ["a1", "b1", "a2", "b2"]


def test_weighted_values_share_the_budget_least_recently_asked_first():
    kept = KeptValues(budget=5)
    kept.value(0, "fixed", lambda: "big")  # no weight: outside the budget
    for key in ("x", "y"):
        kept.value(0, key, lambda k=key: k, weigh=lambda _: 2)
    kept.value(0, "x", lambda: "again", weigh=lambda _: 2)  # x asked again: y is older
    kept.value(0, "z", lambda: "z", weigh=lambda _: 2)
    assert kept.held == 4
    assert kept.value(0, "y", lambda: "y anew", weigh=lambda _: 2) == "y anew"
    assert kept.value(0, "x", lambda: "x anew", weigh=lambda _: 2) == "x anew"  # x went for y
    assert kept.value(0, "fixed", lambda: "other") == "big"
    assert kept.value(0, "huge", lambda: 1, weigh=lambda _: 6) == 1  # beyond the budget
    assert kept.value(0, "huge", lambda: 2, weigh=lambda _: 6) == 2
    assert kept.held <= kept.budget


def test_a_value_weighed_none_is_not_kept():
    kept = KeptValues(budget=5)
    assert kept.value(0, "partial", lambda: 1, weigh=lambda _: None) == 1
    assert kept.value(0, "partial", lambda: 2, weigh=lambda _: None) == 2
    assert kept.held == 0


def test_concurrent_askers_wait_for_one_computation():
    kept, calls = KeptValues(budget=5), []
    started = threading.Event()

    def slow():
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return "done"

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(kept.value(0, "k", slow)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["done"] * 4 and calls == [1]


def test_a_computation_asking_for_its_own_key_fails_instead_of_waiting_forever():
    kept = KeptValues(budget=5)
    outcome: list[object] = []

    def ask() -> None:
        try:
            outcome.append(kept.value(0, "k", lambda: kept.value(0, "k", lambda: "inner")))
        except RecursionError as exc:
            outcome.append(exc)

    asker = threading.Thread(target=ask, daemon=True)  # a wait would leave it hanging here
    asker.start()
    asker.join(timeout=10)
    assert not asker.is_alive()
    assert isinstance(outcome[0], RecursionError) and "'k'" in str(outcome[0])
    # nothing is left held: the key is computed again, and an inner key may be asked
    assert kept.value(0, "k", lambda: kept.value(0, "j", lambda: "j") + "k") == "jk"


def test_a_kept_answer_is_written_once_per_form():
    answer, writes = KeptAnswer({"a": [1, 2]}), []

    def write(obj):
        writes.append(obj)
        return orjson.dumps(obj)

    assert answer.encoded("compact", write) == b'{"a":[1,2]}'
    assert answer.encoded("compact", write) == b'{"a":[1,2]}'
    assert answer.encoded("indented", write) == b'{"a":[1,2]}'
    assert writes == [answer, answer]
    assert answer.encoded("declined", lambda _: None) is None  # written by json each time


def test_the_api_writes_a_kept_backing_answer_once(monkeypatch):
    """Asked again, the response is the same text, not written again."""
    g = make_graph([("fund", "Fund"), ("co", "Company"), ("lab", "Lab")],
                   [("fund", "INVESTS_IN", "co"), ("co", "OPERATES", "lab")])
    web = create_app(EmbeddedBackend(g)).test_client()
    writes = []
    write = OrjsonProvider._orjson

    def counted(self, obj, kwargs, option):
        writes.append(type(obj))
        return write(self, obj, kwargs, option)

    monkeypatch.setattr(OrjsonProvider, "_orjson", counted)
    bodies = [web.get("/api/v1/backing?fund=fund").data for _ in range(3)]
    assert bodies[0] == bodies[1] == bodies[2] and bodies[0].endswith(b"}\n")
    assert orjson.loads(bodies[0])["pairs"][0]["lab"]["id"] == "lab"
    assert writes == [KeptAnswer]
    other = web.get("/api/v1/backing?fund=fund&limit=1")  # another answer: written
    assert other.status_code == 200 and writes == [KeptAnswer] * 2


@pytest.mark.parametrize("params", [{}, {"fund": "changxing-fund"},
                                    {"fund": "changxing-fund", "max_length": 2}])
def test_backing_over_http_is_the_services_answer(client, backend, params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    for _ in range(2):  # written first, then served as kept: the same JSON
        body = client.get(f"/api/v1/backing?{query}").get_json()
        assert body == orjson.loads(orjson.dumps(backend.backing(**params)))


def test_what_is_kept_is_frozen_out_of_the_collectors_view(monkeypatch):
    """A kept value lives as long as its generation: frozen when kept, so full collections
    do not walk it; a value not kept (over the budget) is not frozen."""
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    kept = KeptValues(budget=10)
    kept.value("g1", "snapshot", lambda: [{"n": i} for i in range(100)])
    assert frozen == [1]
    kept.value("g1", "snapshot", lambda: [])  # asked again: kept, nothing new
    assert frozen == [1]
    kept.value("g1", "answer", lambda: {"big": 1}, weigh=lambda _: 11)  # over the budget
    assert frozen == [1]
    kept.value("g1", "answer", lambda: {"small": 1}, weigh=lambda _: 5)
    assert frozen == [1, 1]


def test_freezing_moves_what_is_kept_out_of_every_collected_generation():
    kept = KeptValues(budget=10)
    before = gc.get_freeze_count()
    value = kept.value("g1", "rows", lambda: [[i] for i in range(1000)])  # lists: tracked
    assert len(value) == 1000 and gc.get_freeze_count() >= before + 1001
