"""The SPARQL store: the served graph's RDF export in an on-disk pyoxigraph store, built
per graph version and kept on disk (queries are answered by ``queries.sparql_pool``).

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

Besides the export, a store holds what is computed once per version: the whole-graph tables
(``queries.sparql_statistics``) and the query layer's backing chains, its materialised
inferences (``queries.sparql_inferences``: N-Quads the keeper's ``inferences`` gives).
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from queries.sparql_statistics import TABLES_DIR, add_statistics

META = "innograph-store.json"  # written last: a directory without it is not a store
KEEP_NEWEST = 4  # stores kept whatever their age (prune)
KEEP_SECONDS = 7 * 24 * 3600  # and any store used within this time
# The code that decides what the store says, beyond the graph and the ontology.
_EXPORTER = ("graph/rdf/export.py", "graph/rdf/namespaces.py", "graph/schema.yaml",
             "queries/sparql_statistics.py", "queries/sparql_inferences.py",
             "queries/backing.py")



class StoreNotReady(TimeoutError):
    pass



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
                ontology: str | None = None, ontology_graph: str | None = None,
                inferences: Iterable[str] | None = None,
                progress: Callable[[str], None] | None = None) -> SparqlStore:
    """Bulk-load ``export`` (N-Quads text chunks), ``ontology`` (Turtle, also into the named
    graph ``ontology_graph``) and ``inferences`` (N-Quads chunks: the query layer's backing
    chains, ``queries.sparql_inferences``) into ``directory/key``, tagged with the graph's
    ``version``, and add the whole-graph statistics tables (``queries.sparql_statistics``).
    Built under a temporary name and renamed when complete, so a store directory is always
    whole; if another process built the same key meanwhile, its store is kept.
    ``progress`` is told each phase as it begins (a build at 100k nodes takes a minute)."""
    started = time.perf_counter()
    say = progress or (lambda _: None)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / key
    partial = directory / f"{key}.partial-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(partial, ignore_errors=True)
    phases: dict[str, float] = {}
    try:
        store = ox.Store(str(partial))
        say("exporting the graph and loading it")
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
        if inferences is not None:  # before optimize, which sorts them in with the rest
            mark = time.perf_counter()
            say("computing the backing chains and loading them")
            reader = _ChunkReader(inferences)
            store.bulk_load(io.BufferedReader(reader, 1 << 20), ox.RdfFormat.N_QUADS)
            phases["inferences"] = reader.seconds  # the query layer's search, and writing
            phases["inferences_load"] = time.perf_counter() - mark - reader.seconds
        mark = time.perf_counter()
        # one sorted run per index: the bulk load leaves overlapping files (a batch each),
        # and read-only workers never compact, so every scan would merge them all
        say("optimizing the indexes")
        store.optimize()
        phases["optimize"] = time.perf_counter() - mark
        mark = time.perf_counter()
        # the whole-graph tables, answered once per version: after optimize, whose sorted
        # runs their scans need; their few quads are one small file more
        say("computing the statistics tables")
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


# -- the keeper: the store of the served graph's current version -----------------------------

class StoreKeeper:
    """The store for the served graph's current version, opened from disk or (re)built in a
    background thread.

    ``export()`` gives ``(version, N-Quads chunks)`` of the served graph; ``version()`` its
    current version (the key), asked on every ``get`` so the store follows the served
    graph; ``ontology()`` gives ``(Turtle, the named graph it goes into)``; ``inferences()``
    the N-Quads chunks of the query layer's inferences over the served graph (made only when
    a store is built)."""

    def __init__(self, export: Callable[[], tuple[str, Iterable[str]]],
                 version: Callable[[], str], *,
                 ontology: Callable[[], tuple[str, str]] | None = None,
                 inferences: Callable[[], Iterable[str]] | None = None,
                 directory: Path | None = None):
        self._export, self._version = export, version
        self._ontology, self._inferences = ontology, inferences
        self.directory = directory or default_store_dir()
        self._lock = threading.Lock()
        self._built = threading.Condition(self._lock)
        self._store: SparqlStore | None = None
        self._building: threading.Thread | None = None
        self._schema: tuple[str | None, str | None] | None = None
        self.error: BaseException | None = None
        #: told what a build does as it goes (``innograph serve`` prints it): None, silent
        self.report: Callable[[str], None] | None = None

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
                say = self.report or (lambda _: None)
                say(f"building the SPARQL store of graph version {version} in "
                    f"{self.directory} (once per version)")
                _, chunks = self._export()
                built = build_store(chunks, version, directory=self.directory, key=key,
                                    ontology=ontology, ontology_graph=graph,
                                    inferences=self._inferences() if self._inferences else None,
                                    progress=lambda phase: say(f"SPARQL store: {phase}"))
                say(f"SPARQL store ready: {built.quads:,} quads in {built.load_seconds:.1f} s")
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
