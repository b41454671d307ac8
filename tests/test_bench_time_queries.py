"""bench/time_queries' JIT accounting: the CPU of a JVM's compiler threads read from /proc,
and how the report says each store was warmed."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time

import pytest

from bench.time_queries import Run, jit_ms, warm_text


def test_jit_ms_is_none_without_a_process_and_zero_without_compiler_threads() -> None:
    assert jit_ms(None) is None
    assert jit_ms(2**22 + 12345) is None  # above Linux's pid limit: no such process
    assert jit_ms(os.getpid()) == 0.0  # CPython has no C1/C2 compiler threads


@pytest.mark.skipif(shutil.which("jshell") is None, reason="needs a JDK's jshell")
def test_jit_ms_counts_a_jvm_s_compiler_threads() -> None:
    # a JVM that stays up (waiting for input) and compiles its own code while it starts
    process = subprocess.Popen(["jshell", "-q"], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        spent = 0.0
        while time.monotonic() < deadline and not spent:
            time.sleep(0.5)
            spent = jit_ms(process.pid) or 0.0
        assert spent > 0  # jshell's start compiles its own code
    finally:
        process.kill()
        process.wait()


def test_warm_text_names_passes_and_jit_shares() -> None:
    args = argparse.Namespace(warm_passes=1, max_warm_passes=20, jit_settled=10.0)
    embedded, neo4j = Run("embedded"), Run("neo4j")
    embedded.notes["warm"] = {"passes": 1, "requests": 830, "seconds": 4.2, "jit_shares": []}
    neo4j.notes["warm"] = {"passes": 3, "requests": 2490, "seconds": 30.4,
                           "jit_shares": [52.0, 20.4, 6.1]}
    text = warm_text([embedded, neo4j], args)
    assert text == ("embedded: 1 pass, 830 requests, 4 s; neo4j: 3 passes, 2,490 requests, "
                    "30 s; the JIT's share of Neo4j's CPU in each pass 52%, 20%, 6%, stopped "
                    "at <= 10% in 2 passes in a row or 20 passes")
    assert warm_text([Run("neo4j")], args) == "1 pass(es)"  # not warmed yet


@pytest.mark.neo4j
def test_thin_api_answers_a_recorded_requests_records(neo4j_target) -> None:
    """bench/thin_api's route runs request i of a kind (its statements in turn) and answers
    their records as JSON, Neo4j's dates as ISO text."""
    from bench.thin_api import thin_app

    statements = {"entity": [[["RETURN $x AS x", None, {"x": 1}],
                              ["UNWIND [2, 3] AS y RETURN y, date('2025-01-02') AS d", 5.0,
                               {}]]]}
    client = thin_app(statements, neo4j_target.uri, neo4j_target.auth).test_client()
    answer = client.get("/s/entity/0")
    assert answer.status_code == 200
    assert answer.get_json() == [{"x": 1}, {"y": 2, "d": "2025-01-02"},
                                 {"y": 3, "d": "2025-01-02"}]
