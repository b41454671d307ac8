"""Warm-up: every ecosystem analytic computed once, with its default arguments, so that the
first request for it finds the answer kept for the graph version (as centrality does).

``STEPS`` is the one list of what is warmed, in order: the shared network views first (every
analytic reads them), then Leiden started (in a child process on large graphs, so it runs on
the other core while this thread computes the rest), then the analytics cheapest first, and
communities last, which by then mostly waits for Leiden's labels. The query service
(queries/analytics_service.py) warms through the same list, each step inside its store's
``settled``.

Meant for a background thread at start-up (``start``). The work is Python loops and numpy
and scipy calls of a fraction of a second each (sparse products by chunks of rows), so
requests served by other threads meanwhile wait for the GIL a few milliseconds at a time,
not for a whole analytic.
"""

from __future__ import annotations

import gc
import logging
import resource
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx

from queries.ecosystem import brokers, communities, gaps, helix, network, suggest
from queries.errors import BackendUnavailable

log = logging.getLogger(__name__)
Json = dict[str, Any]
T = TypeVar("T")
Runner = Callable[[Callable[[], Any]], Any]

STEPS: tuple[tuple[str, Callable[[nx.MultiDiGraph], Any]], ...] = (
    ("network", lambda g: network.network(g)),
    ("network without sectors", lambda g: network.network(g, exclude_kinds=("Sector",))),
    ("Leiden started", lambda g: communities.leiden_started(g)),
    ("gaps", lambda g: gaps.gaps(g)),
    ("suggest fund_lab", lambda g: suggest.suggest(g, task="fund_lab")),
    ("suggest lab_company", lambda g: suggest.suggest(g, task="lab_company")),
    ("triple helix", lambda g: helix.helix(g)),
    ("brokers", lambda g: brokers.brokers(g)),
    ("communities", lambda g: communities.communities(g)),
)


def _directly(compute: Callable[[], T]) -> T:
    return compute()


def warm_up(g: nx.MultiDiGraph, progress: Callable[[str, Json], None] | None = None,
            run: Runner = _directly) -> dict[str, Json]:
    """Compute every analytic of ``STEPS`` on ``g``, each through ``run`` (a store's
    ``settled``, say); per step ``{"seconds", "cpu"}``: wall and this thread's CPU seconds,
    each step after the ones before it (Leiden's child process is not this thread: see
    ``children_cpu``). Stops (logged) at the first step the store refuses
    (``BackendUnavailable``)."""
    done = {}
    # The steps allocate hundreds of thousands of containers that live as long as the graph
    # version; each full pass of the cyclic collector over them held the GIL for 0.2-1.4 s at
    # 100k, stalling every other request. So automatic collection waits during the warm-up
    # (reference counting still frees nearly everything) and what each step kept is frozen
    # out of later passes.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for name, step in STEPS:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                run(lambda step=step: step(g))
            except BackendUnavailable as exc:
                log.warning("ecosystem warm-up stopped at %s: %s", name, exc)
                break
            gc.freeze()
            done[name] = {"seconds": time.perf_counter() - wall,
                          "cpu": time.thread_time() - cpu}
            if progress is not None:
                progress(name, done[name])
    finally:
        if collecting:
            gc.enable()
    return done


def children_cpu() -> float:
    """CPU seconds of this process's finished child processes (Leiden's, here)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start(g: nx.MultiDiGraph) -> threading.Thread:
    """``warm_up(g)`` in a daemon thread (logged; a failure is logged, not raised)."""
    def run() -> None:
        try:
            started = time.perf_counter()
            warm_up(g, lambda n, s: log.info("ecosystem %s: %.1f s", n, s["seconds"]))
            log.info("ecosystem analytics ready in %.1f s", time.perf_counter() - started)
        except Exception:  # a warm-up failure must not take the server down
            log.exception("ecosystem warm-up failed")
    thread = threading.Thread(target=run, name="ecosystem-warm-up", daemon=True)
    thread.start()
    return thread
