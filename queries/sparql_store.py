"""The SPARQL store: the served graph's RDF export in an on-disk pyoxigraph store, queried by
worker processes that are killed when a query runs past its time limit.

**Store.** ``build_store`` bulk-loads an export (N-Quads: the whole graph in the default
graph, and one named graph per source document that stands alone) plus the ontology (into the
default graph and its own named graph) into a RocksDB directory named by a key: a digest of
the served graph's version, the ontology (which holds the base IRI) and the exporter's code.
Queries see the default graph as the export states it: the whole graph once (not the union of
the graphs, which would repeat every triple a document's graph repeats), and ``GRAPH ?g`` each
document's part. A built store is kept on disk (``default_store_dir``), so a server that
starts on a graph it has served before opens its store in milliseconds instead of exporting
and loading millions of quads again (bench/results/sparql.md has both figures); a new graph
version is built in a background thread while the old answers nothing (503, still loading).
``StoreKeeper`` keeps the store of the current version; ``prune`` removes stores unused for a
week beyond the newest few.

**Time limit.** pyoxigraph 0.5 cannot bound or cancel a query: Oxigraph's Rust API has a
cancellation token (oxigraph/oxigraph#1409) used by its HTTP server's timeout, but the Python
``Store.query`` takes none (oxigraph/oxigraph#1926, open), and a Python thread cannot be
killed. A query that works long before its first result (ORDER BY, COUNT or GROUP BY over a
cross product) therefore kept a thread and a core busy until Oxigraph finished it, possibly
for hours, and ``concurrent.futures`` joins its threads at interpreter exit: the process never
exited. So queries run in ``QueryPool`` worker processes (``python -m queries.sparql_store``,
a few MB each plus pyoxigraph): each opens the on-disk store read-only (no copy of the store in
memory: the OS page cache is shared), evaluates one query at a time with the clock checked
between results, and a worker that has not answered at the limit is killed (SIGKILL) and
replaced in the background. The query is parsed in the worker too, where it is evaluated
(pyoxigraph parses and plans in one call, which a crafted query can make slow). The cost is
a pipe hop per query (well under a millisecond) and reads from RocksDB instead of an
in-memory store (4 to 8 times slower per index lookup at 100k nodes, but a worker's in-memory
copy would take 2.4 GB and 18 s to load, at every start and every kill); the gain is that the
work stops at the limit, and that nothing is left to join at exit (workers are killed then;
a worker whose parent died exits by itself).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from queries.sparql_statistics import TABLES_DIR, add_statistics

_SYNTAX_AT = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.S)
# Strings, IRIs and comments, which may hold keywords that are not keywords there.
_NOT_CODE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                       r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE\b", re.I)
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*|BASE\s*)<>\s*)*"
                     r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
META = "innograph-store.json"  # written last: a directory without it is not a store
KEEP_NEWEST = 4  # stores kept whatever their age (prune)
KEEP_SECONDS = 7 * 24 * 3600  # and any store used within this time
# The code that decides what the store says, beyond the graph and the ontology.
_EXPORTER = ("graph/rdf/export.py", "graph/rdf/namespaces.py", "graph/schema.yaml",
             "queries/sparql_statistics.py")


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


class StoreNotReady(TimeoutError):
    pass


class WorkerFailed(RuntimeError):
    """A query worker died or answered something unexpected (not the query's fault)."""


class _ChunkReader(io.RawIOBase):
    """A binary file over an iterator of text chunks (so the export is never joined)."""

    def __init__(self, chunks: Iterable[str]):
        self._chunks: Iterator[str] = iter(chunks)
        self._left = memoryview(b"")
        self.seconds = 0.0  # spent making the chunks (the export), not parsing them


    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            started = time.perf_counter()
            chunk = next(self._chunks, None)
            self.seconds += time.perf_counter() - started
            if chunk is None:
                return 0
            self._left = memoryview(chunk.encode())
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]  # a view: no copy of what is left
        return n


# -- the store on disk -----------------------------------------------------------------------

def default_store_dir() -> Path:
    """``INNOGRAPH_SPARQL_STORE_DIR``, else ``$XDG_CACHE_HOME/innograph/sparql`` (``~/.cache``)."""
    explicit = os.environ.get("INNOGRAPH_SPARQL_STORE_DIR")
    if explicit:
        return Path(explicit)
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "innograph" / "sparql"


def _exporter_digest() -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=8)
    tables = sorted(TABLES_DIR.glob("*.rq"))  # the statistics tables' CONSTRUCTs
    for path in [*(root / name for name in _EXPORTER), *tables]:
        digest.update(path.read_bytes() if path.exists() else path.name.encode())
    return digest.hexdigest()


def store_key(version: str, ontology: str | None, ontology_graph: str | None) -> str:
    """The directory name of the store of this graph version, ontology and exporter."""
    digest = hashlib.blake2b(digest_size=12)
    for part in (version, ontology or "", ontology_graph or "", _exporter_digest()):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass
class SparqlStore:
    """A store on disk: ``path``, the graph ``version`` it holds, its ``quads``, and how long
    it took to make it available in this process (``load_seconds``; ``built``: exported and
    loaded now, else opened as built before)."""

    path: Path
    version: str
    quads: int
    load_seconds: float
    built: bool
    phases: dict[str, float] = field(default_factory=dict)  # a build's seconds by phase
    _store: ox.Store | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def store(self) -> ox.Store:
        """A read-only handle in this process, for small queries of the server's own (an
        IRI's description); users' queries go through ``QueryPool``."""
        with self._lock:
            if self._store is None:
                self._store = ox.Store.read_only(str(self.path))
            return self._store


def open_store(directory: Path, key: str) -> SparqlStore | None:
    """The store built before under ``directory/key``, or None."""
    started = time.perf_counter()
    path = directory / key
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    os.utime(path)  # used now: prune keeps it
    return SparqlStore(path, meta["version"], meta["quads"], time.perf_counter() - started,
                       built=False)


def build_store(export: Iterable[str], version: str, *, directory: Path, key: str,
                ontology: str | None = None,
                ontology_graph: str | None = None) -> SparqlStore:
    """Bulk-load ``export`` (N-Quads text chunks) and ``ontology`` (Turtle, also into the named
    graph ``ontology_graph``) into ``directory/key``, tagged with the graph's ``version``, and
    add the whole-graph statistics tables (``queries.sparql_statistics``).
    Built under a temporary name and renamed when complete, so a store directory is always
    whole; if another process built the same key meanwhile, its store is kept."""
    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / key
    partial = directory / f"{key}.partial-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(partial, ignore_errors=True)
    phases: dict[str, float] = {}
    try:
        store = ox.Store(str(partial))
        reader = _ChunkReader(export)
        store.bulk_load(io.BufferedReader(reader, 1 << 20), ox.RdfFormat.N_QUADS)
        phases["export"] = reader.seconds  # the Python export, pulled by the parser
        phases["parse_and_index"] = time.perf_counter() - started - reader.seconds
        mark = time.perf_counter()
        if ontology is not None:  # plain queries see it; GRAPH <ontology_graph> it alone
            store.bulk_load(ontology, ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
            if ontology_graph:
                store.bulk_load(ontology, ox.RdfFormat.TURTLE,
                                to_graph=ox.NamedNode(ontology_graph))
        phases["ontology"] = time.perf_counter() - mark
        mark = time.perf_counter()
        # one sorted run per index: the bulk load leaves overlapping files (a batch each),
        # and read-only workers never compact, so every scan would merge them all
        store.optimize()
        phases["optimize"] = time.perf_counter() - mark
        mark = time.perf_counter()
        # the whole-graph tables, answered once per version: after optimize, whose sorted
        # runs their scans need; their few quads are one small file more
        add_statistics(store)
        phases["statistics"] = time.perf_counter() - mark
        quads = len(store)
        del store  # closes RocksDB before the directory is renamed
        seconds = time.perf_counter() - started
        (partial / META).write_text(json.dumps(
            {"version": version, "quads": quads, "build_seconds": round(seconds, 3),
             "phases": {k: round(v, 3) for k, v in phases.items()}}),
            encoding="utf-8")
        try:
            partial.rename(final)
        except OSError:  # built meanwhile by another process: that one is as good
            if not (final / META).exists():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return SparqlStore(final, version, quads, time.perf_counter() - started, built=True,
                       phases=phases)


def prune(directory: Path, keep: Iterable[str] = ()) -> list[Path]:
    """Remove stores beyond the ``KEEP_NEWEST`` most recently used that nobody used for
    ``KEEP_SECONDS``, and partial builds older than a day; never the keys in ``keep``.
    Returns what was removed."""
    if not directory.is_dir():
        return []
    now, kept = time.time(), set(keep)
    stores = sorted((p for p in directory.iterdir() if (p / META).exists()),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    old = [p for p in stores[KEEP_NEWEST:]
           if p.name not in kept and now - p.stat().st_mtime > KEEP_SECONDS]
    old += [p for p in directory.glob("*.partial-*") if now - p.stat().st_mtime > 86400]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return old


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
    CONSTRUCT and DESCRIBE (None: no format of that kind), and the ``prefixes`` Turtle and
    JSON-LD answers abbreviate with."""

    results: str | None = "application/sparql-results+json"
    rdf: str | None = "text/turtle"
    prefixes: dict[str, str] = field(default_factory=dict)


def _solutions(result: ox.QuerySolutions, formats: Formats, deadline: float, seconds: float,
               max_results: int) -> bytes:
    """SELECT results in the client's format, written by pyoxigraph (no Python per row):
    SPARQL TSV first, where a result is a line, so the limits are checked while it is
    written; then, for another format, TSV parsed and written again in Rust (lossless: TSV
    writes every term in SPARQL syntax; ~2 ms per 1000 rows)."""
    out = _Limited(deadline, seconds, max_results, header_lines=1)
    result.serialize(out, format=ox.QueryResultsFormat.TSV)
    tsv = out.buffer.getvalue()
    target = ox.QueryResultsFormat.from_media_type(formats.results)
    if target == ox.QueryResultsFormat.TSV:
        return tsv
    return ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=target)


def _triples(result: ox.QueryTriples, formats: Formats, deadline: float, seconds: float,
             max_results: int) -> bytes:
    """CONSTRUCT / DESCRIBE results in the client's RDF format: N-Triples (a triple a line)
    written by pyoxigraph with the limits checked, then as Turtle or JSON-LD with the
    vocabulary's prefixes."""
    out = _Limited(deadline, seconds, max_results, header_lines=0)
    result.serialize(out, format=ox.RdfFormat.N_TRIPLES)
    lines = out.buffer.getvalue()
    target = ox.RdfFormat.from_media_type(formats.rdf)
    if target == ox.RdfFormat.N_TRIPLES:
        return lines
    return ox.serialize(ox.parse(lines, ox.RdfFormat.N_TRIPLES), format=target,
                        prefixes=formats.prefixes)


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
                [sys.executable, "-m", "queries.sparql_store", str(theirs.fileno())],
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


@atexit.register
def _close_pools() -> None:
    for pool in list(_POOLS):
        pool.close()


# -- the keeper: the store of the served graph's current version -----------------------------

class StoreKeeper:
    """The store for the served graph's current version, opened from disk or (re)built in a
    background thread.

    ``export()`` gives ``(version, N-Quads chunks)`` of the served graph; ``version()`` its
    current version (the key), asked on every ``get`` so the store follows the served
    graph; ``ontology()`` gives ``(Turtle, the named graph it goes into)``."""

    def __init__(self, export: Callable[[], tuple[str, Iterable[str]]],
                 version: Callable[[], str], *,
                 ontology: Callable[[], tuple[str, str]] | None = None,
                 directory: Path | None = None):
        self._export, self._version = export, version
        self._ontology = ontology
        self.directory = directory or default_store_dir()
        self._lock = threading.Lock()
        self._built = threading.Condition(self._lock)
        self._store: SparqlStore | None = None
        self._building: threading.Thread | None = None
        self._schema: tuple[str | None, str | None] | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        """Begin opening or building the store for the current version (returns at once)."""
        with self._lock:
            self._start_locked()

    def _start_locked(self) -> None:
        if self._building is None or not self._building.is_alive():
            self._building = threading.Thread(target=self._build, name="sparql-store",
                                              daemon=True)
            self._building.start()

    def _build(self) -> None:
        try:
            version = self._version()  # the key: what the served graph says it is now
            if self._schema is None:
                self._schema = self._ontology() if self._ontology else (None, None)
            ontology, graph = self._schema
            key = store_key(version, ontology, graph)
            self._usable_directory()
            built = open_store(self.directory, key)
            if built is None:
                _, chunks = self._export()
                built = build_store(chunks, version, directory=self.directory, key=key,
                                    ontology=ontology, ontology_graph=graph)
                prune(self.directory, keep=[key])
            error = None
        except Exception as exc:  # reported to the waiting requests
            built, error = None, exc
        with self._lock:
            if built is not None:
                self._store = built
            self.error = error
            self._built.notify_all()

    def _usable_directory(self) -> None:
        """Fall back to a temporary directory (removed at exit) where the configured one
        cannot be written, e.g. a read-only home: the store is then built at every start."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.directory):
                return
        except OSError as exc:
            fallback = tempfile.mkdtemp(prefix="innograph-sparql-")
            atexit.register(shutil.rmtree, fallback, ignore_errors=True)
            print(f"innograph: cannot keep SPARQL stores in {self.directory} ({exc}); "
                  f"using {fallback} for this run", file=sys.stderr)
            self.directory = Path(fallback)

    def get(self, wait_seconds: float) -> SparqlStore:
        """The store of the served graph's version, waiting up to ``wait_seconds`` for a
        build; ``StoreNotReady`` after that, the build's error if it failed."""
        wanted = self._version()
        deadline = time.monotonic() + wait_seconds
        with self._lock:
            while self._store is None or self._store.version != wanted:
                if self.error is not None and (self._building is None
                                               or not self._building.is_alive()):
                    error, self.error = self.error, None
                    raise error
                self._start_locked()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StoreNotReady("the SPARQL store for graph version "
                                        f"{wanted} is still loading")
                self._built.wait(left)
            return self._store

    @property
    def current(self) -> SparqlStore | None:
        return self._store


if __name__ == "__main__":  # a QueryPool worker: python -m queries.sparql_store FD
    sys.stdout = sys.stderr  # stray output must not reach the server
    # through the imported module, so that answers pickle as queries.sparql_store.Answer
    from queries.sparql_store import worker_main as main
    main(int(sys.argv[1]))
