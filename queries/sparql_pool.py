"""SPARQL queries over the store (``queries.sparql_store``) in worker processes that are
killed when a query runs past its time limit; answers written by pyoxigraph in the
worker, in the client's format, and passed on as bytes.

**Time limit.** pyoxigraph 0.5 cannot bound or cancel a query: Oxigraph's Rust API has a
cancellation token (oxigraph/oxigraph#1409) used by its HTTP server's timeout, but the Python
``Store.query`` takes none (oxigraph/oxigraph#1926, open), and a Python thread cannot be
killed. A query that works long before its first result (ORDER BY, COUNT or GROUP BY over a
cross product) therefore kept a thread and a core busy until Oxigraph finished it, possibly
for hours, and ``concurrent.futures`` joins its threads at interpreter exit: the process never
exited. So queries run in ``QueryPool`` worker processes (``python -m queries.sparql_pool``,
a few MB each plus pyoxigraph): each opens the on-disk store read-only (no copy of the store in
memory: the OS page cache is shared), evaluates one query at a time with the clock checked
while pyoxigraph writes the answer (every 8 KB), and a worker that has not answered at the
limit is killed (SIGKILL) and replaced in the background. The query is parsed in the worker
too, where it is evaluated (pyoxigraph parses and plans in one call, which a crafted query can
make slow). The cost is
a pipe hop per query (the answer's bytes, as the client gets them: no Python object per row
or term in the worker or the server) and reads from RocksDB instead of an
in-memory store (4 to 8 times slower per index lookup at 100k nodes, but a worker's in-memory
copy would take 2.4 GB and 18 s to load, at every start and every kill); the gain is that the
work stops at the limit, and that nothing is left to join at exit (workers are killed then;
a worker whose parent died exits by itself).
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from queries.kept import KeptValues

_SYNTAX_AT = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.S)
# Strings, IRIs and comments, which may hold keywords that are not keywords there.
_NOT_CODE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                       r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE\b", re.I)
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*|BASE\s*)<>\s*)*"
                     r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)


class SparqlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None, column: int | None):
        super().__init__(message)
        self.line, self.column = line, column


class UpdateRefused(ValueError):
    """The text is a SPARQL update; the store answers queries only."""


class ServiceRefused(ValueError):
    """The query calls another endpoint (SERVICE); the server makes no outside calls."""


class QueryTooSlow(TimeoutError):
    pass


class TooManyResults(ValueError):
    def __init__(self, limit: int):
        super().__init__(f"the query has more than {limit} results")
        self.limit = limit


class WorkerFailed(RuntimeError):
    """A query worker died or answered something unexpected (not the query's fault)."""



# -- evaluation (in a worker process) --------------------------------------------------------

def _code(text: str) -> str:
    """``text`` with strings, IRIs and comments blanked (keywords there are not keywords)."""
    return _NOT_CODE.sub(lambda m: "<>" if m[0].startswith("<") else " ", text)


def refuse_service(text: str) -> None:
    """Raise ``ServiceRefused`` if ``text`` calls another endpoint (checked before any
    evaluation: even a run over an empty store would call out)."""
    if _SERVICE.search(_code(text)):
        raise ServiceRefused("federated queries (SERVICE) are not allowed: the server "
                             "makes no outside calls")


def _refusal(text: str, exc: SyntaxError) -> ValueError:
    """pyoxigraph's ``SyntaxError`` on ``text`` as ``UpdateRefused`` (an update) or
    ``SparqlSyntaxError`` (with line and column)."""
    if _UPDATE.match(_code(text)):
        return UpdateRefused("this is a SPARQL update; the endpoint answers queries "
                             "(SELECT, ASK, CONSTRUCT, DESCRIBE) only")
    message = str(exc)
    at = _SYNTAX_AT.match(message)
    if at is None:
        return SparqlSyntaxError(message, None, None)
    line, column, what = int(at[1]), int(at[2]), at[3]
    return SparqlSyntaxError(f"line {line}, column {column}: {what}", line, column)


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


def query_form(text: str) -> str | None:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT / DESCRIBE): the first form keyword outside
    strings, IRIs and comments (the prologue holds none); None if there is none. Read from
    the text, not by evaluating it, so the server can negotiate before a worker runs it."""
    found = _FORM.search(_code(text))
    if found is None:
        return None
    keyword = found[1].upper()
    return {"SELECT": "select", "ASK": "ask"}.get(keyword, "graph")


class _Limited(io.RawIOBase):
    """Where pyoxigraph's serializer writes a line-based answer (SPARQL TSV, N-Triples: one
    result per line after the header, newlines inside terms escaped): in memory, with the
    clock and the count of results checked at every chunk it writes (8 KB), so a long answer
    stops at the limits, not when it is complete."""

    def __init__(self, deadline: float, seconds: float, max_results: int, header_lines: int):
        self._deadline, self._seconds = deadline, seconds
        self._max_lines = max_results + header_lines
        self.max_results = max_results
        self.lines = 0
        self.buffer = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        if time.monotonic() > self._deadline:
            raise QueryTooSlow(f"the query ran longer than {self._seconds:g} s")
        self.lines += bytes(chunk).count(b"\n")
        if self.lines > self._max_lines:
            raise TooManyResults(self.max_results)
        return self.buffer.write(chunk)


@dataclass
class Answer:
    """A query's answer, written by pyoxigraph in the worker: ``form`` (select, ask or graph),
    ``media_type`` and ``body`` (None: the client accepts no format for this form)."""

    form: str
    media_type: str | None
    body: bytes | None


@dataclass(frozen=True)
class Formats:
    """What the client accepts, as media types: ``results`` for SELECT and ASK, ``rdf`` for
    CONSTRUCT and DESCRIBE (None: no format of that kind), and the ``prefixes`` (name, IRI)
    Turtle answers abbreviate with (hashable: the answer cache's key)."""

    results: str | None = "application/sparql-results+json"
    rdf: str | None = "text/turtle"
    prefixes: tuple[tuple[str, str], ...] = ()


def _written(result: ox.QuerySolutions | ox.QueryTriples, line_format: Any,
             out: _Limited) -> bytes:
    """``result`` written by pyoxigraph in a format of one result a line, into ``out``,
    which checks the limits as the lines come."""
    result.serialize(out, format=line_format)
    return out.buffer.getvalue()


def _solutions(result: ox.QuerySolutions, formats: Formats, deadline: float, seconds: float,
               max_results: int) -> bytes:
    """SELECT results in the client's format, written by pyoxigraph (no Python per row):
    SPARQL TSV first, where a result is a line, so the limits are checked while it is
    written; then, for another format, TSV parsed and written again in Rust (lossless: TSV
    writes every term in SPARQL syntax; ~2 ms per 1000 rows)."""
    tsv = _written(result, ox.QueryResultsFormat.TSV, _Limited(deadline, seconds, max_results,
                                                               header_lines=1))
    target = ox.QueryResultsFormat.from_media_type(formats.results)
    if target == ox.QueryResultsFormat.TSV:
        return tsv
    return ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=target)


def _triples(result: ox.QueryTriples, formats: Formats, deadline: float, seconds: float,
             max_results: int) -> bytes:
    """CONSTRUCT / DESCRIBE results in the client's RDF format: N-Triples (a triple a line)
    written by pyoxigraph with the limits checked, then as Turtle with the vocabulary's
    prefixes, or as JSON-LD compact under the published context (as the export writes it)."""
    lines = _written(result, ox.RdfFormat.N_TRIPLES, _Limited(deadline, seconds, max_results,
                                                              header_lines=0))
    target = ox.RdfFormat.from_media_type(formats.rdf)
    if target == ox.RdfFormat.N_TRIPLES:
        return lines
    triples = ox.parse(lines, ox.RdfFormat.N_TRIPLES)
    if target == ox.RdfFormat.JSON_LD:  # as the export and the IRIs write it: compact
        # imported here: a worker that never writes JSON-LD stays without the export's modules
        from graph.rdf.export import jsonld_of_triples
        from graph.rdf.namespaces import vocabulary

        return jsonld_of_triples(triples, vocabulary()).encode()
    return ox.serialize(triples, format=target, prefixes=dict(formats.prefixes))


def run_query(store: ox.Store, text: str, *, seconds: float, max_results: int,
              formats: Formats | None = None) -> Answer:
    """Evaluate ``text`` over ``store`` and write the answer in ``formats`` (the defaults:
    SPARQL JSON, Turtle): at most ``max_results`` rows or triples (``TooManyResults`` beyond),
    the clock checked while the answer is written (``QueryTooSlow``; a query that is slow
    before its first result is stopped by killing its worker). A text that is not a query
    this store answers raises ``ServiceRefused``, ``UpdateRefused`` or ``SparqlSyntaxError``:
    it is parsed here, where it is evaluated, since pyoxigraph parses and plans in one call
    (a parse on an empty store first planned every query twice: 15 to 30 ms for the longest
    example)."""
    formats = formats or Formats()
    deadline = time.monotonic() + seconds
    refuse_service(text)
    try:
        result = store.query(text)
    except SyntaxError as exc:
        raise _refusal(text, exc) from None
    if isinstance(result, ox.QueryBoolean):
        if formats.results is None:
            return Answer("ask", None, None)
        target = ox.QueryResultsFormat.from_media_type(formats.results)
        return Answer("ask", formats.results, result.serialize(format=target))
    if isinstance(result, ox.QueryTriples):
        if formats.rdf is None:
            return Answer("graph", None, None)
        body = _triples(result, formats, deadline, seconds, max_results)
        form, media_type = "graph", formats.rdf
    else:
        if formats.results is None:
            return Answer("select", None, None)
        body = _solutions(result, formats, deadline, seconds, max_results)
        form, media_type = "select", formats.results
    if time.monotonic() > deadline:
        raise QueryTooSlow(f"the query ran longer than {seconds:g} s")
    return Answer(form, media_type, body)


def _error_message(exc: BaseException) -> tuple[Any, ...]:
    """An exception as plain values for the pipe (custom exceptions do not all pickle)."""
    if isinstance(exc, SparqlSyntaxError):
        return ("syntax", str(exc), exc.line, exc.column)
    if isinstance(exc, TooManyResults):
        return ("too-many", exc.limit)
    kinds = {UpdateRefused: "update", ServiceRefused: "service", QueryTooSlow: "timeout"}
    kind = next((k for t, k in kinds.items() if isinstance(exc, t)), "error")
    return (kind, str(exc) if kind != "error" else f"{type(exc).__name__}: {exc}")


def _error_from(message: tuple[Any, ...]) -> Exception:
    kind, *args = message
    if kind == "syntax":
        return SparqlSyntaxError(*args)
    if kind == "too-many":
        return TooManyResults(*args)
    known = {"update": UpdateRefused, "service": ServiceRefused, "timeout": QueryTooSlow}
    return known.get(kind, WorkerFailed)(*args)


def _orphan_watch(parent: int) -> None:
    """Exit when the server that started this worker is gone (e.g. killed), even mid-query:
    pyoxigraph releases the GIL while it evaluates, so this thread runs."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def worker_main(fd: int) -> None:
    """A query worker: answers ``(store path, query, seconds, max results, Formats)`` jobs on
    the connection ``fd`` with ``("ok", Answer)`` (the answer's bytes, as the client gets
    them) or an error message, one at a time."""
    conn = Connection(fd)
    threading.Thread(target=_orphan_watch, args=(os.getppid(),), daemon=True).start()
    opened: tuple[str, ox.Store] | None = None
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job == "ping":  # the server waits for this before giving it a query
            conn.send("pong")
            continue
        path, text, seconds, max_results, formats = job
        try:
            if opened is None or opened[0] != path:
                opened = None  # the old version's store is closed before the new one opens
                opened = (path, ox.Store.read_only(path))
            reply: tuple[Any, ...] = ("ok", run_query(opened[1], text, seconds=seconds,
                                                      max_results=max_results,
                                                      formats=formats))
        except Exception as exc:  # every failure goes back to the server as a message
            reply = _error_message(exc)
        conn.send(reply)


# -- the worker pool (in the server) ---------------------------------------------------------

@dataclass(eq=False)  # hashed by identity: the pool keeps a set of them
class _Worker:
    process: subprocess.Popen
    conn: Connection

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        self.conn.close()


_POOLS: weakref.WeakSet[QueryPool] = weakref.WeakSet()


class QueryPool:
    """``size`` worker processes, started on first use; a query waits for a free one within
    its time limit, and a worker still busy at the limit is killed and replaced."""

    GRACE = 0.05  # the worker's own clock stops a streaming query this much earlier
    STARTUP_SECONDS = 60.0  # for a new worker to import pyoxigraph and answer a ping

    def __init__(self, size: int):
        self.size = size
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = 0  # workers alive or starting
        self._all: set[_Worker] = set()
        _POOLS.add(self)

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", "queries.sparql_pool", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        worker = _Worker(process, Connection(ours.detach()))
        with self._lock:
            self._all.add(worker)
        try:  # ready: its start-up does not count against a query's time limit
            worker.conn.send("ping")
            if worker.conn.poll(self.STARTUP_SECONDS) and worker.conn.recv() == "pong":
                return worker
        except (OSError, EOFError):
            pass
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        raise WorkerFailed("a SPARQL worker process did not start")

    def _replace(self) -> None:
        try:
            self._idle.put(self._start())
        except (OSError, WorkerFailed):
            with self._lock:
                self._started -= 1

    def _acquire(self, deadline: float) -> tuple[_Worker, bool]:
        """An idle worker, or a new one (True) while fewer than ``size`` run, or the first
        to become idle before ``deadline``."""
        with contextlib.suppress(queue.Empty):
            return self._idle.get_nowait(), False
        with self._lock:
            start = self._started < self.size
            if start:
                self._started += 1
        if start:
            try:
                return self._start(), True
            except (OSError, WorkerFailed):
                with self._lock:
                    self._started -= 1
                raise
        try:
            return self._idle.get(timeout=max(0.0, deadline - time.monotonic())), False
        except queue.Empty:
            raise QueryTooSlow(f"all {self.size} SPARQL workers stayed busy") from None

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        threading.Thread(target=self._replace, name="sparql-worker-start", daemon=True).start()

    def run(self, path: Path, text: str, *, seconds: float, max_results: int,
            formats: Formats | None = None) -> Answer:
        """``text`` evaluated over the store at ``path`` by a worker, within ``seconds``
        (``QueryTooSlow`` past them) and ``max_results``, written in ``formats``; the query's
        own errors (``SparqlSyntaxError``, ``UpdateRefused``, ...) are raised here."""
        deadline = time.monotonic() + seconds
        worker, new = self._acquire(deadline)
        if new:  # the time a worker took to start is the server's, not the query's
            deadline = time.monotonic() + seconds
        left = deadline - time.monotonic()
        try:
            worker.conn.send((str(path), text, max(0.0, left - self.GRACE), max_results,
                              formats or Formats()))
            answered = worker.conn.poll(max(0.0, left))
            reply = worker.conn.recv() if answered else None
        except (OSError, EOFError) as exc:
            self._discard(worker)
            raise WorkerFailed(f"the SPARQL worker failed: {exc!r}") from None
        if reply is None:
            self._discard(worker)  # still evaluating: killing it is the only way to stop it
            raise QueryTooSlow(f"the query ran longer than {seconds:g} s")
        self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        raise _error_from(reply)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all]

    def close(self) -> None:
        """Kill every worker (at exit, or when the app is dropped)."""
        with self._lock:
            workers, self._all = list(self._all), set()
            self._started = self.size  # no more starts
        for worker in workers:
            worker.kill()


# Functions whose value differs between two runs over the same store.
_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.I)


class AnswerCache:
    """Answers kept by (store, query text, formats) in a ``KeptValues`` (``queries.kept``,
    the bounded cache the query service keeps its answers in): least recently used dropped
    beyond ``max_bytes``, requests for an answer being evaluated wait for it. A store never
    changes once built (a new graph version is a new store: another generation), so the same
    query over it has the same answer. Texts calling NOW(), RAND(), UUID(), STRUUID() or
    BNODE() outside strings and comments are never kept, nor an answer over a quarter of
    ``max_bytes`` (one answer may not push out most others), nor an error."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._kept = KeptValues(max_bytes)

    def _weigh(self, answer: Answer) -> int | None:
        size = len(answer.body or b"") + 200  # the key and the object, roughly
        return size if size <= self.max_bytes // 4 else None

    def keeps(self, text: str) -> bool:
        return not _VOLATILE.search(_code(text))

    def answer(self, path: Path, text: str, formats: Formats,
               evaluate: Callable[[], Answer]) -> Answer:
        """The kept answer, else ``evaluate()`` (kept if it may be); a request that finds the
        same answer being evaluated waits for it (an evaluation ends by the pool's time
        limit), then evaluates it itself if it was not kept (an error, or too big)."""
        if not self.keeps(text):
            return evaluate()
        return self._kept.value(str(path), (text, formats), evaluate, self._weigh)


@atexit.register
def _close_pools() -> None:
    for pool in list(_POOLS):
        pool.close()


if __name__ == "__main__":  # a QueryPool worker: python -m queries.sparql_pool FD
    sys.stdout = sys.stderr  # stray output must not reach the server
    # through the imported module, so that answers pickle as queries.sparql_pool.Answer
    from queries.sparql_pool import worker_main as main
    main(int(sys.argv[1]))
