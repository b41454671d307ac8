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
