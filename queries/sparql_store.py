"""The SPARQL store: an in-memory pyoxigraph store of the served graph's RDF export.

``build_store`` loads an export (N-Quads: the whole graph in the default graph, and one named
graph per source document that stands alone) plus the ontology, into the default graph and its
own named graph. Queries see the default graph as the export states it: the whole graph once
(not the union of the graphs, which would repeat every triple a document's graph repeats), and
``GRAPH ?g`` each document's part.
``StoreKeeper`` keeps one store per served graph version: it builds in a background thread
(at start-up and whenever the version changes) and a query waits for the build within its time
limit. ``run_query`` evaluates with a result limit and a wall clock.

Time limit: pyoxigraph has no cancellation, and a thread cannot be killed. Evaluation releases
the GIL, so a long query never blocks the server; results are pulled one at a time and the
clock is checked between them, which stops any streaming query at the limit. A query that
spends long before its first result (a big ORDER BY or GROUP BY) is answered 503 at the limit
while its thread finishes in the background; the endpoint runs queries on a small fixed pool,
so such queries can occupy at most that many cores. Worker processes that could be killed
would cost a copy of the store each (or an on-disk store) and an inter-process hop per query;
see docs/rdf.md.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

_SYNTAX_AT = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.S)
# Strings, IRIs and comments, which may hold keywords that are not keywords there.
_NOT_CODE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                       r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE\b", re.I)
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*|BASE\s*)<>\s*)*"
                     r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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


class _ChunkReader(io.RawIOBase):
    """A binary file over an iterator of text chunks (so the export is never joined)."""

    def __init__(self, chunks: Iterable[str]):
        self._chunks: Iterator[str] = iter(chunks)
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = chunk.encode()
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]
        return n


@dataclass
class SparqlStore:
    store: ox.Store
    version: str
    quads: int
    load_seconds: float


def build_store(export: Iterable[str], version: str, *, ontology: str | None = None,
                ontology_graph: str | None = None) -> SparqlStore:
    """A store of ``export`` (N-Quads text chunks) and ``ontology`` (Turtle, into the named
    graph ``ontology_graph``), tagged with the served graph's ``version``."""
    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(io.BufferedReader(_ChunkReader(export), 1 << 20), ox.RdfFormat.N_QUADS)
    if ontology is not None:  # plain queries see it; GRAPH <ontology_graph> it alone
        store.bulk_load(ontology, ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
        if ontology_graph:
            store.bulk_load(ontology, ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ontology_graph))
    return SparqlStore(store, version, len(store), time.perf_counter() - started)


def parse_check(text: str) -> None:
    """Raise ``SparqlSyntaxError`` (with line and column), ``UpdateRefused`` or
    ``ServiceRefused`` unless ``text`` is a SPARQL query this store answers."""
    code = _NOT_CODE.sub(lambda m: "<>" if m[0].startswith("<") else " ", text)
    if _SERVICE.search(code):  # checked first: even an empty-store run would call out
        raise ServiceRefused("federated queries (SERVICE) are not allowed: the server "
                             "makes no outside calls")
    try:
        ox.Store().query(text)  # an empty store: parsing and a trivial evaluation only
    except SyntaxError as exc:
        if _UPDATE.match(code):
            raise UpdateRefused("this is a SPARQL update; the endpoint answers queries "
                                "(SELECT, ASK, CONSTRUCT, DESCRIBE) only") from None
        message = str(exc)
        at = _SYNTAX_AT.match(message)
        if at is None:
            raise SparqlSyntaxError(message, None, None) from None
        line, column, what = int(at[1]), int(at[2]), at[3]
        raise SparqlSyntaxError(f"line {line}, column {column}: {what}", line, column) from None


def query_form(text: str) -> str:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT / DESCRIBE), from an empty-store run."""
    result = ox.Store().query(text)
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    return "graph" if isinstance(result, ox.QueryTriples) else "select"


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}  # RDF-star triples: their text


@dataclass
class Answer:
    """A query's answer: ``form`` select (``variables``, ``rows`` as SPARQL JSON bindings),
    ask (``boolean``) or graph (``triples``)."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, dict[str, str]]] = field(default_factory=list)
    boolean: bool = False
    triples: list[ox.Triple] = field(default_factory=list)

    def results_json(self) -> dict[str, Any]:
        if self.form == "ask":
            return {"head": {}, "boolean": self.boolean}
        return {"head": {"vars": self.variables}, "results": {"bindings": self.rows}}


def run_query(store: SparqlStore, text: str, *, seconds: float, max_results: int,
              cancelled: Callable[[], bool] = lambda: False) -> Answer:
    """Evaluate ``text`` over the store (its default graph is the whole graph): at most
    ``max_results`` rows or triples (``TooManyResults`` beyond), the clock checked between
    results (``QueryTooSlow``); ``cancelled`` lets the caller stop it early."""
    deadline = time.monotonic() + seconds
    result = store.store.query(text)
    if isinstance(result, ox.QueryBoolean):
        return Answer("ask", boolean=bool(result))
    collected: list[Any] = []
    graph = isinstance(result, ox.QueryTriples)
    variables = [] if graph else [v.value for v in result.variables]
    try:
        for item in result:
            if len(collected) == max_results:
                raise TooManyResults(max_results)
            if time.monotonic() > deadline or cancelled():
                raise QueryTooSlow(f"the query ran longer than {seconds:g} s")
            collected.append(item)
    finally:
        del result  # pyoxigraph's results must be dropped on the thread that made them
    if time.monotonic() > deadline:
        raise QueryTooSlow(f"the query ran longer than {seconds:g} s")
    if graph:
        return Answer("graph", triples=collected)
    rows = [{name: _term_json(term) for name, term in zip(variables, solution, strict=True)
             if term is not None} for solution in collected]
    return Answer("select", variables=variables, rows=rows)


class StoreKeeper:
    """The store for the served graph's current version, (re)built in a background thread.

    ``export()`` gives ``(version, N-Quads chunks)`` of the served graph; ``version()`` its
    current version (the key), asked on every ``get`` so the store follows the served
    graph."""

    def __init__(self, export: Callable[[], tuple[str, Iterable[str]]],
                 version: Callable[[], str], *,
                 ontology: Callable[[], tuple[str, str]] | None = None):
        self._export, self._version = export, version
        self._ontology = ontology  # () -> (Turtle, the named graph it goes into)
        self._lock = threading.Lock()
        self._built = threading.Condition(self._lock)
        self._store: SparqlStore | None = None
        self._building: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        """Begin building the store for the current version (returns at once)."""
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
            _, chunks = self._export()
            ontology, graph = self._ontology() if self._ontology else (None, None)
            built = build_store(chunks, version, ontology=ontology, ontology_graph=graph)
            error = None
        except Exception as exc:  # reported to the waiting requests
            built, error = None, exc
        with self._lock:
            if built is not None:
                self._store = built
            self.error = error
            self._built.notify_all()

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
