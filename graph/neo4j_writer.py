"""Batched Cypher writes for the sync: one open transaction, or parallel managed transactions.

A Neo4j server runs each transaction on one core, and the client spends its own time building
rows; so a large sync keeps ``workers`` transactions in flight on their own sessions while the
caller's thread builds the next batch (at most ``workers + 1`` batches exist at a time, so
memory stays bounded). Every batch is a managed transaction: the driver retries it as a whole
on transient errors, deadlocks between concurrent batches included, so a batch is written
exactly once or not at all.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Any

from neo4j import ManagedTransaction, Session
from neo4j.exceptions import ConstraintError
from tqdm import tqdm


class BatchFailure(Exception):
    """A batch did not write what it should (a constraint violation, a short count)."""


@dataclass
class Tally:
    """What Neo4j reports it did, summed over the committed batches."""

    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    transactions: int = 0

    def add(self, counters: Any) -> None:
        self.nodes_created += counters.nodes_created
        self.nodes_deleted += counters.nodes_deleted
        self.relationships_created += counters.relationships_created
        self.relationships_deleted += counters.relationships_deleted


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _run_batch(tx: ManagedTransaction, query: str, rows: Sequence[Any], params: dict[str, Any]
               ) -> tuple[list[tuple], Any]:
    result = tx.run(query, rows=rows, **params)
    records = [tuple(r.values()) for r in result]
    return records, result.consume().counters


class BatchWriter:
    """Runs ``UNWIND $rows ...`` statements batch by batch.

    With ``tx`` every batch runs in that one transaction (the caller commits or rolls back).
    Without it each batch is its own managed transaction on one of ``workers`` sessions opened
    with ``open_session``; call :meth:`close` when done.
    """

    def __init__(self, *, batch_size: int, bar: tqdm, tally: Tally,
                 tx: ManagedTransaction | None = None,
                 open_session: Callable[[], Session] | None = None, workers: int = 1):
        if tx is None and open_session is None:
            raise ValueError("a BatchWriter needs a transaction or a way to open sessions")
        self.batch_size, self.bar, self.tally, self.tx = batch_size, bar, tally, tx
        self.workers = max(1, workers)
        self.batches_done = 0
        self.seconds: Counter = Counter()  # by phase: "write nodes" / "write relationships"
        self._open_session = open_session
        self._local = threading.local()
        self._sessions: list[Session] = []
        self._lock = threading.Lock()
        self._pool = (ThreadPoolExecutor(self.workers, thread_name_prefix="neo4j-sync")
                      if tx is None else None)

    def write(self, what: str, query: str, rows: Iterable[Any], *, counted: bool = True,
              **params: Any) -> list[tuple]:
        """Write ``rows`` in batches; return the records the statement returns, in order."""
        began = time.perf_counter()
        out: list[tuple] = []
        if self._pool is None:
            for chunk in chunks(rows, self.batch_size):
                run = partial(_run_batch, self.tx, query, chunk, params)
                self._done(what, chunk, self._guarded(what, chunk, run), out, counted)
        else:
            self._write_parallel(what, query, rows, params, out, counted)
        phase = "write relationships" if "relationship" in what else "write nodes"
        self.seconds[phase] += time.perf_counter() - began
        return out

    def _write_parallel(self, what: str, query: str, rows: Iterable[Any],
                        params: dict[str, Any], out: list[tuple], counted: bool) -> None:
        assert self._pool is not None
        pending: deque[tuple[list[Any], Future]] = deque()
        try:
            for chunk in chunks(rows, self.batch_size):
                pending.append((chunk, self._pool.submit(self._managed, what, query, chunk,
                                                         params)))
                if len(pending) > self.workers:  # bounded: the oldest batch must finish first
                    chunk, future = pending.popleft()
                    self._done(what, chunk, future.result(), out, counted)
            while pending:
                chunk, future = pending.popleft()
                self._done(what, chunk, future.result(), out, counted)
        except BaseException:
            # the batches already in flight finish (or fail) before the caller reports how
            # many were committed
            wait([future for _, future in pending])
            for chunk, future in pending:
                if not future.cancelled() and future.exception() is None:
                    self._done(what, chunk, future.result(), out, counted)
            raise

    def _managed(self, what: str, query: str, chunk: list[Any], params: dict[str, Any]
                 ) -> tuple[list[tuple], Any]:
        session = getattr(self._local, "session", None)
        if session is None:
            assert self._open_session is not None
            session = self._local.session = self._open_session()
            with self._lock:
                self._sessions.append(session)
        run = partial(session.execute_write, _run_batch, query, chunk, params)
        return self._guarded(what, chunk, run)

    @staticmethod
    def _guarded(what: str, chunk: list[Any], run: Callable[[], tuple[list[tuple], Any]]
                 ) -> tuple[list[tuple], Any]:
        try:
            return run()
        except ConstraintError as exc:
            raise constraint_failure(what, chunk, exc) from exc

    def _done(self, what: str, chunk: list[Any], result: tuple[list[tuple], Any],
              out: list[tuple], counted: bool) -> None:
        records, counters = result
        self.batches_done += 1
        if self._pool is not None:
            self.tally.transactions += 1
        self.tally.add(counters)
        out.extend(records)
        if counted:
            self.bar.update(len(chunk))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        for session in self._sessions:
            session.close()
        self._sessions.clear()


def constraint_failure(what: str, rows: Sequence[Any], exc: ConstraintError) -> BatchFailure:
    """The violation as a sentence naming the record when Neo4j's message names it."""
    message = exc.message or str(exc)
    named = re.search(r"property `(\w+)` = '([^']*)'", message)
    record = f"record {named.group(1)}={named.group(2)!r}" if named else "a record of the batch"
    return BatchFailure(f"constraint violation while writing {what} ({len(rows)} rows): "
                        f"{record}: {message}")
