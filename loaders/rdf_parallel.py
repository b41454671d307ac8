"""Load one large N-Triples, N-Quads or Turtle file with two processes doing all the work.

The ordinary load of such a file parses it in two processes (``loaders.rdf_parse``) but then
builds, validates and adds every record in this one. Here each of two forked workers reads
one part of the file and builds and validates the records found there, with the same
``RdfFile`` mapping and ``RecordValidator`` as the ordinary load; this process only puts
their graph attributes into the graph and stamps its version. The workers end without
freeing what they built.

That works when each record lies within one part, as in the files innograph writes: a node,
or a statement about an edge, comes with its provenance entries. The file is cut where a
record starts (a new subject whose first line is its ``rdf:type``; in Turtle, after a line
that ends a statement), relation triples are set aside (their statements may be anywhere),
and the workers then swap what the other needs: their subjects (no subject may have triples
in both parts), their nodes' ids and kinds (to resolve and check edge ends anywhere) and the
relation triples no statement of theirs is about (the other part must have that statement).

A Turtle file's second part is read after the file's prefixes and base, which must all come
before its first statement: the first part is checked for any later directive.

It is all or nothing: a syntax error, a record the validator refuses, a duplicate, or a file
whose records do not lie within one part makes it give up (``None``), and the ordinary load
then reads the file and reports every problem as it always does. When it succeeds the graph
is the ordinary load's: the same nodes, edges and attributes in the same order, so the same
version.
"""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph.embedded import (
    edge_attributes,
    edge_item,
    encoded_item,
    new_graph,
    node_attributes,
    node_item,
    put_edges,
    put_nodes,
    set_version,
)
from graph.rdf.namespaces import RDF_TYPE
from graph.schema import Schema
from loaders.problems import ProblemReport
from loaders.rdf import RDF_SUFFIXES, RdfFile
from loaders.rdf_parse import LINE_BASED, Triple, index_part, two_processes_pay
from loaders.validate import RecordValidator, SourceTexts

# The workers together hold about twice what the ordinary load holds at its peak (756k
# triples: 224 MB each and 155 MB here, against 358 MB): beyond this size the ordinary load,
# which needs less memory, is the safer one.
MAX_BYTES = 1 << 30
_PIPE_BYTES = 1 << 20
_CUT_SEARCH_BYTES = 1 << 20  # how far past the middle a record start is looked for
_TYPE_LINE = f"<{RDF_TYPE}>".encode()
_FORMATS = (*LINE_BASED, ox.RdfFormat.TURTLE)
# A Turtle directive at a line's start (or a prefixed name like "base:x", or a line of a long
# literal: then the parallel load gives up, which is safe).
_DIRECTIVE = re.compile(rb"[ \t]*(?:@prefix|@base|prefix|base)\b", re.IGNORECASE)
_DIRECTIVE_WORDS = (b"prefix", b"base")  # "@prefix" too, lower-cased

_BATCH = 8192  # records per message: this process reads them while the workers work on

NodeRows = list[tuple[str, dict[str, Any]]]  # (id, attributes)
EdgeRows = list[tuple[str, str, str, dict[str, Any]]]  # (from, to, relation, attributes)
# What the version hash reads of a part: its nodes' encoded items, and per edge source its
# edges' encoded items, each in graph order (see graph.embedded.encoded_item).
Encoded = tuple[bytes, dict[str, bytes]]


class _Assembly:
    """The graph, filled while the workers' messages come: the nodes once both workers have
    sent theirs (the first part's first), then the first part's edges as they come and the
    second part's once the first has sent all of its own: file order, the ordinary load's."""

    def __init__(self, progress: Callable[[float], None]) -> None:
        self.g = new_graph()
        self._progress = progress  # bytes read, then bytes' worth of records received
        self._bytes_per_record = [0.0, 0.0]
        self._nodes: tuple[NodeRows, NodeRows] = ([], [])
        self._edges: tuple[EdgeRows, EdgeRows] = ([], [])  # not added yet
        self._nodes_sent = [False, False]
        self._nodes_added = False
        self._encoded: list[Encoded | None] = [None, None]
        self._duplicate = False  # an edge twice: the ordinary load reports it

    def take(self, part: int, message: tuple) -> bool:
        """Add what a message brings; True once the part has sent everything."""
        tag, content = message
        if tag == "parsed":  # (the part's bytes, its records)
            self._progress(content[0])
            self._bytes_per_record[part] = content[0] / max(content[1], 1)
            return False
        if tag in ("nodes", "edges"):
            self._progress(len(content) * self._bytes_per_record[part])
        if tag == "nodes":
            self._nodes[part].extend(content)
        else:  # a worker sends all its nodes first
            self._nodes_sent[part] = True
            if tag == "edges":
                self._edges[part].extend(content)
            else:
                self._encoded[part] = content
        self._add()
        return self._encoded[part] is not None

    def _add(self) -> None:
        if not self._nodes_added:
            if not all(self._nodes_sent):
                return
            put_nodes(self.g, chain(*self._nodes))  # ids: checked unique by the workers
            self._nodes_added = True
        self._add_edges(self._edges[0])
        if self._encoded[0] is not None:
            self._add_edges(self._edges[1])

    def _add_edges(self, rows: EdgeRows) -> None:
        if rows and not put_edges(self.g, rows):
            self._duplicate = True
        rows.clear()

    def graph(self) -> nx.MultiDiGraph | None:
        """The graph with its version, once every part has sent everything (None if an edge
        came twice)."""
        first, second = self._encoded
        if self._duplicate or first is None or second is None:
            return None
        set_version(self.g, (first[0], second[0]), _edges_encoded(self.g, first[1], second[1]))
        return self.g


@dataclass(frozen=True)
class _Part:
    """The bytes ``start:end`` of the file (to its end if ``end`` is None), read after
    ``header``; from ``plain_from`` on, the part may hold no Turtle directive (``load_in_two``
    checks it)."""

    start: int
    end: int | None
    header: bytes = b""
    plain_from: int | None = None


def can_load_in_two(path: Path, processes: int | None) -> bool:
    """Whether ``load_in_two`` applies: an N-Triples, N-Quads or Turtle file of at most
    ``MAX_BYTES``, and two processes asked for, or not ruled out and worth it (as for
    ``rdf_parse``'s two-process parse)."""
    fmt = RDF_SUFFIXES.get(path.suffix.lower())
    if fmt not in _FORMATS or processes not in (None, 2) or path.stat().st_size > MAX_BYTES:
        return False
    return processes == 2 or two_processes_pay(path)


def load_in_two(path: Path, schema: Schema, sources: SourceTexts | None,
                progress: Callable[[float], None] | None = None) -> nx.MultiDiGraph | None:
    """The graph of an RDF file whose every record is clean, or None (see the module).
    ``progress(n)``: n more bytes of the file read, and later n bytes' worth of records
    loaded (twice the file's size in all)."""
    parts = _parts(path)
    if parts is None or "fork" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("fork")
    peers = context.Pipe()  # between the workers
    results = [context.Pipe(duplex=False) for _ in range(2)]  # (receive, send) per worker
    for _, send in results:
        _widen(send)
    workers = []
    for part, spec in enumerate(parts):
        others = [peers[1 - part], results[1 - part][1], *(r for r, _ in results)]
        workers.append(context.Process(
            target=_work, daemon=True,
            args=(part, path, spec, schema, sources, peers[part], results[part][1], others)))
    for worker in workers:
        worker.start()
    for connection in (*peers, *(send for _, send in results)):
        connection.close()  # only the workers write: a worker's end means EOF here
    assembly = _Assembly(progress or (lambda _: None))
    received = False
    try:
        first = parts[0]
        if first.plain_from is not None and _directive_in(path, first.plain_from, first.end):
            return None  # checked while the workers read: a later prefix may change a part
        waiting = {receive: part for part, (receive, _) in enumerate(results)}
        while waiting:  # messages read as they come, while the workers work on
            for receive in wait(list(waiting)):
                payload = _received(receive)
                if not payload:
                    return None  # a worker gave up (or failed)
                if assembly.take(waiting[receive], marshal.loads(payload)):
                    del waiting[receive]
        received = True
        return assembly.graph()
    finally:
        for receive, _ in results:
            receive.close()
        for worker in workers:
            if not received:
                worker.terminate()  # still working, or already gone: either way, done with it
            worker.join()  # after the graph: the workers exit meanwhile


def _parts(path: Path) -> tuple[_Part, _Part] | None:
    """The file's two parts, or None if no record starts near its middle."""
    turtle = RDF_SUFFIXES[path.suffix.lower()] is ox.RdfFormat.TURTLE
    header = _turtle_header(path) if turtle else b""
    if header is None:
        return None
    cut = record_start_after_middle(path, turtle)
    if cut is None or cut <= len(header):
        return None
    return (_Part(0, cut, plain_from=len(header) if turtle else None),
            _Part(cut, None, header))


def record_start_after_middle(path: Path, turtle: bool = False) -> int | None:
    """The offset of the first line past the file's middle line that starts a record: the
    ``rdf:type`` triple of a subject the line before it is not about (in Turtle: one that
    starts a statement after a line that ends one). None if there is none near the middle.
    (Reading and building records cost about the same per line, so the middle line shares
    the work best.)"""
    size = path.stat().st_size
    middle = _middle_line_offset(path, size)
    with open(path, "rb") as handle:
        handle.seek(middle)
        handle.readline()
        previous = b""  # the subject of the line before, or in Turtle the line
        while handle.tell() < min(size, middle + _CUT_SEARCH_BYTES):
            offset = handle.tell()
            line = handle.readline()
            subject, _, rest = line.partition(b" ")
            typed = rest.startswith(_TYPE_LINE) or (turtle and rest.startswith(b"a "))
            if turtle:
                if typed and previous.endswith(b" .") and not line[:1].isspace():
                    return offset
                previous = line.rstrip() or previous  # blank lines between statements
            else:
                if typed and previous and subject != previous:
                    return offset
                previous = subject
    return None


def _turtle_header(path: Path) -> bytes | None:
    """The directives, comments and blank lines a Turtle file starts with (None if there is
    no statement in its first ``_CUT_SEARCH_BYTES``)."""
    with open(path, "rb") as handle:
        while handle.tell() < _CUT_SEARCH_BYTES:
            offset = handle.tell()
            line = handle.readline()
            if not line:
                return None
            if line.strip() and not line.lstrip().startswith(b"#") \
                    and not _DIRECTIVE.match(line):
                handle.seek(0)
                return handle.read(offset)
    return None


def _middle_line_offset(path: Path, size: int, samples: int = 64,
                        block: int = 1 << 15) -> int:
    """About where a file's middle line is: line lengths sampled at ``samples`` evenly
    spaced places (a file's sections may differ in line length, as nodes and edges do)."""
    with open(path, "rb") as handle:
        density = []
        for n in range(samples):
            handle.seek(n * size // samples)
            data = handle.read(block)
            density.append(data.count(b"\n") / len(data) if data else 0.0)
    half, seen = sum(density) / 2, 0.0
    for n, lines in enumerate(density):
        if lines and seen + lines >= half:
            return int((n + (half - seen) / lines) * size / samples)
        seen += lines
    return size // 2


def _edges_encoded(g: nx.MultiDiGraph, first: dict[str, bytes],
                   second: dict[str, bytes]) -> Iterator[bytes]:
    """The encoded edge items in graph order: by source node, each source's edges as its
    worker encoded them, or encoded here when both workers have edges from it (their order
    then depends on both)."""
    for u, targets in g._succ.items():
        mine, theirs = first.get(u), second.get(u)
        if mine is None or theirs is None:
            if mine is not None or theirs is not None:
                yield mine if mine is not None else theirs  # type: ignore[misc]
            continue
        yield b"".join(encoded_item(edge_item(u, v, key, attributes))
                       for v, keyed in targets.items() for key, attributes in keyed.items())


def _widen(connection: Connection) -> None:
    """A pipe buffer of 1 MiB rather than 64 KiB where Linux allows it: tens of megabytes of
    rows cross in half the time."""
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import fcntl  # not on Windows

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)  # type: ignore


def _received(connection: Connection) -> bytes:
    """A message, or b"" (failure) if the sender is gone."""
    try:
        return connection.recv_bytes()
    except EOFError:
        return b""


def _send_quietly(connection: Connection, payload: bytes) -> None:
    """Send, unless the other worker has gone (it failed: this one will fail too)."""
    with contextlib.suppress(OSError):
        connection.send_bytes(payload)


def _swap(peer: Connection, payload: bytes) -> bytes:
    """Send ``payload`` to the other worker and receive its own (both send at once: one
    would block on a full pipe if neither were reading)."""
    sender = threading.Thread(target=_send_quietly, args=(peer, payload))
    sender.start()
    theirs = _received(peer)
    sender.join()
    return theirs


def _work(part: int, path: Path, spec: _Part, schema: Schema, sources: SourceTexts | None,
          peer: Connection, result: Connection, others: list[Connection]) -> None:
    """One worker: its part's rows, sent to this process in batches, then their encoded
    items; an empty message if anything was wrong (told to the other worker too, which then
    gives up)."""
    for connection in others:
        connection.close()
    try:
        sent = _send_rows(part, path, spec, schema, sources, peer,
                          lambda message: result.send_bytes(marshal.dumps(message)))
    except (SyntaxError, UnicodeDecodeError, OSError, ValueError):
        sent = False  # the ordinary load reads the file again and reports it
    with contextlib.suppress(OSError):  # this process may have given up already
        if not sent:
            result.send_bytes(b"")
        result.close()


def _send_rows(part: int, path: Path, spec: _Part, schema: Schema,
               sources: SourceTexts | None, peer: Connection,
               send: Callable[[tuple], None]) -> bool:
    """Send the graph rows of the records of this worker's part; False if any record
    anywhere has a problem or does not lie within one part."""
    reader = RdfFile(path, schema)
    relation_triples: list[Triple] = []
    mine = b""
    try:
        subjects = index_part(path, RDF_SUFFIXES[path.suffix.lower()], spec.start, spec.end,
                              reader.wanted, (set(reader.relation_iris), relation_triples),
                              spec.header)
        rdf = RdfFile(path, schema, subjects=subjects)
        nodes = rdf.classify()
        broken, statements = rdf.statements()
        end = path.stat().st_size if spec.end is None else spec.end
        send(("parsed", (end - spec.start, len(nodes) + len(statements))))
        ids = {iri: rdf.node_id_of(iri) for iri, _, _ in nodes}
        kinds = {node_id.strip(): kind.strip() for node_id, (_, _, kind)
                 in zip(ids.values(), nodes, strict=True) if node_id is not None}
        unstated = [t for t in relation_triples if t not in statements]
        if not broken and None not in ids.values() and len(kinds) == len(nodes) \
                and not rdf.unstated(statements, nodes):
            mine = marshal.dumps((list(subjects), ids, kinds, unstated))
    finally:
        theirs = _swap(peer, mine)  # an empty message: the other gives up too
    if not mine or not theirs:
        return False
    their_subjects, their_ids, their_kinds, their_unstated = marshal.loads(theirs)
    if not subjects.keys().isdisjoint(their_subjects):
        return False  # a subject with triples in both parts
    ids.update(their_ids)
    kinds.update(their_kinds)
    if len(kinds) != len(ids):
        return False  # an id used twice
    if any(t[0] in ids and t not in statements for t in their_unstated):
        return False  # a relation triple no statement is about
    rdf.use_node_ids(ids)
    return _send_validated(rdf, nodes, statements, schema, sources,
                           {sys.intern(i): sys.intern(k) for i, k in kinds.items()}, send)


def _directive_in(path: Path, start: int, end: int | None) -> bool:
    """Whether a line of the bytes ``start:end`` may be a Turtle directive. (Words are found
    first and then checked: a regular expression anchored at every line is ten times
    slower.)"""
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(-1 if end is None else end - start).lower()
    for word in _DIRECTIVE_WORDS:
        found = data.find(word)
        while found != -1:
            line = data.rfind(b"\n", 0, found) + 1
            if _DIRECTIVE.match(data, line):
                return True
            found = data.find(word, found + 1)
    return False


def _send_validated(rdf: RdfFile, nodes: list, statements: dict, schema: Schema,
                    sources: SourceTexts | None, kinds: dict[str, str],
                    send: Callable[[tuple], None]) -> bool:
    """Send the rows of the part's records in batches, then their encoded items; False at
    the first record with a problem."""
    report = ProblemReport()
    node_validator = RecordValidator(schema, report, sources, lambda _: None)  # ids: checked
    edge_validator = RecordValidator(schema, report, sources, kinds.get)
    file = rdf.path.name  # for the record (a problem makes the ordinary load report it)
    node_rows: NodeRows = []
    node_items: list[bytes] = []
    for n, node in enumerate(nodes, start=1):
        location, raw = rdf.node_record(*node)
        record = node_validator.node(raw, file, location)
        if record is None:
            return False
        attributes = node_attributes(record)
        node_rows.append((record.id, attributes))
        node_items.append(encoded_item(node_item(record.id, attributes)))
        if n % _BATCH == 0 or n == len(nodes):
            send(("nodes", node_rows))
            node_rows = []
    edge_rows: EdgeRows = []
    edge_items: list[tuple[str, str, bytes]] = []  # (from, to, encoded item)
    for n, (ends, (iri, values)) in enumerate(statements.items(), start=1):
        location, raw = rdf.edge_record(ends, iri, values)
        edge = edge_validator.edge(raw, file, location)
        if edge is None:
            return False
        u, v, relation = edge.source_id, edge.target_id, edge.relation
        attributes = edge_attributes(edge)
        edge_rows.append((u, v, relation, attributes))
        edge_items.append((u, v, encoded_item(edge_item(u, v, relation, attributes))))
        if n % _BATCH == 0 or n == len(statements):
            send(("edges", edge_rows))
            edge_rows = []
    send(("encoded", (b"".join(node_items), _by_source(edge_items))))
    return True


def _by_source(edge_items: list[tuple[str, str, bytes]]) -> dict[str, bytes]:
    """Per edge source, its edges' encoded items in graph order: networkx keeps a source's
    targets in the order their first edge was added, and edges are added in file order."""
    targets: dict[str, dict[str, list[bytes]]] = {}
    for u, v, encoded in edge_items:
        targets.setdefault(u, {}).setdefault(v, []).append(encoded)
    return {u: b"".join(chain.from_iterable(by_target.values()))
            for u, by_target in targets.items()}
