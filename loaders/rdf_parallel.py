"""Load one large N-Triples or N-Quads file with two processes doing all of the work.

The ordinary load of such a file parses it in two processes (``loaders.rdf_parse``) but then
builds, validates and adds every record in this one. Here each of two forked workers reads
one part of the file and builds and validates the records found there, with the same
``RdfFile`` mapping and ``RecordValidator`` as the ordinary load; this process only puts
their graph attributes into the graph and stamps its version. The workers end without
freeing what they built.

That works when each record lies within one part, as in the files innograph writes: a node,
or a statement about an edge, comes with its provenance entries. The file is cut where a
record starts (a new subject whose first line is its ``rdf:type``), relation triples are set
aside (their statements may be anywhere), and the workers then swap what the other needs:
their subjects (no subject may have triples in both parts), their nodes' ids and kinds (to
resolve and check edge ends anywhere) and the relation triples no statement of theirs is
about (the other part must have that statement).

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
import sys
import threading
from itertools import chain
from multiprocessing.connection import Connection, wait
from operator import itemgetter
from pathlib import Path
from typing import Any

import networkx as nx

from graph.embedded import (
    edge_attributes,
    edge_item,
    encoded_item,
    iter_edges,
    new_graph,
    node_attributes,
    node_item,
    set_version,
)
from graph.rdf.namespaces import RDF_TYPE
from graph.schema import Schema
from loaders.problems import ProblemReport
from loaders.rdf import RDF_SUFFIXES, RdfFile, first_source
from loaders.rdf_parse import LINE_BASED, Triple, index_part, two_processes_pay
from loaders.validate import RecordValidator, SourceTexts

# Each worker keeps what it read of its part; the ordinary load, whose index is a third
# smaller, is the one for files beyond this size.
MAX_BYTES = 1 << 30
_PIPE_BYTES = 1 << 20
_CUT_SEARCH_BYTES = 1 << 20  # how far past the middle a record start is looked for
_TYPE_LINE = f"<{RDF_TYPE}>".encode()

# (id, attributes, encoded item), (order key, from, to, rel, attributes, encoded item)
NodeRows = list[tuple[str, dict[str, Any], bytes]]
EdgeRows = list[tuple[str, str, str, str, dict[str, Any], bytes]]
Rows = tuple[NodeRows, EdgeRows]


def can_load_in_two(path: Path, processes: int | None) -> bool:
    """Whether ``load_in_two`` applies: a line-based file of at most ``MAX_BYTES``, and two
    processes asked for, or not ruled out and worth it (``rdf_parse.two_processes_pay``)."""
    fmt = RDF_SUFFIXES.get(path.suffix.lower())
    if fmt not in LINE_BASED or processes not in (None, 2) or path.stat().st_size > MAX_BYTES:
        return False
    return processes == 2 or two_processes_pay(path, fmt)


def load_in_two(path: Path, schema: Schema,
                sources: SourceTexts | None) -> nx.MultiDiGraph | None:
    """The graph of an RDF file whose every record is clean, or None (see the module)."""
    cut = record_start_after_middle(path)
    if cut is None or "fork" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("fork")
    peers = context.Pipe()  # between the workers
    results = [context.Pipe(duplex=False) for _ in range(2)]  # (receive, send) per worker
    for _, send in results:
        _widen(send)
    workers = []
    for part, (start, end) in enumerate(((0, cut), (cut, None))):
        others = [peers[1 - part], results[1 - part][1], *(r for r, _ in results)]
        workers.append(context.Process(
            target=_work, daemon=True,
            args=(part, path, start, end, schema, sources, peers[part], results[part][1],
                  others)))
    for worker in workers:
        worker.start()
    for connection in (*peers, *(send for _, send in results)):
        connection.close()  # only the workers write: a worker's end means EOF here
    rows: dict[Connection, Rows] = {}
    try:
        waiting = [receive for receive, _ in results]
        while waiting:  # whichever is done first is read while the other works on
            for receive in wait(waiting):
                waiting.remove(receive)
                payload = _received(receive)
                if not payload:
                    return None
                rows[receive] = marshal.loads(payload)
    finally:
        for receive, _ in results:
            receive.close()
        for worker in workers:
            if len(rows) < 2:
                worker.terminate()  # still working, or already gone: either way, done with it
            worker.join()
    return _graph(*(rows[receive] for receive, _ in results))


def record_start_after_middle(path: Path) -> int | None:
    """The offset of the first line past the file's middle line that starts a record: the
    ``rdf:type`` triple of a subject the line before it is not about. None if there is none
    near the middle. (Reading and building records cost about the same per line, so the
    middle line shares the work best.)"""
    size = path.stat().st_size
    middle = _middle_line_offset(path, size)
    with open(path, "rb") as handle:
        handle.seek(middle)
        handle.readline()
        previous = b""
        while handle.tell() < min(size, middle + _CUT_SEARCH_BYTES):
            offset = handle.tell()
            subject, _, rest = handle.readline().partition(b" ")
            if rest.startswith(_TYPE_LINE) and previous and subject != previous:
                return offset
            previous = subject
    return None


def _middle_line_offset(path: Path, size: int, samples: int = 64,
                        block: int = 1 << 15) -> int:
    """Where the middle line of a file about is: line lengths sampled at ``samples`` evenly
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


def _graph(first: Rows, second: Rows) -> nx.MultiDiGraph | None:
    """The graph of both workers' rows (None if an edge is there twice: the ordinary load
    reports it), with its version from the rows' encoded items."""
    g = new_graph()
    node, succ, pred = g._node, g._succ, g._pred  # see graph.embedded.put_node, put_edge
    intern = sys.intern  # ids shared with the edges, as the ordinary load shares them
    node_items = []
    for node_id, attributes, encoded in chain(first[0], second[0]):
        node_id = intern(node_id)
        succ[node_id], pred[node_id], node[node_id] = {}, {}, attributes
        node_items.append(encoded)
    edges = first[1] + second[1]
    edges.sort(key=itemgetter(0))  # stable: the ordinary load's order (RdfFile.edges)
    edge_items = {}
    for _, u, v, relation, attributes, encoded in edges:
        out = succ[u]
        keys = out.get(v)
        if keys is None:
            keys = out[v] = pred[v][intern(u)] = {}
        elif relation in keys:
            return None
        keys[relation] = attributes
        edge_items[u, v, relation] = encoded
    set_version(g, node_items, (edge_items[u, v, key] for u, v, key, _ in iter_edges(g)))
    return g


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


def _work(part: int, path: Path, start: int, end: int | None, schema: Schema,
          sources: SourceTexts | None, peer: Connection, result: Connection,
          others: list[Connection]) -> None:
    """One worker: its part's rows, sent to this process; an empty message if anything was
    wrong (told to the other worker too, which then gives up)."""
    for connection in others:
        connection.close()
    payload = b""
    try:
        rows = _rows(part, path, start, end, schema, sources, peer)
        if rows is not None:
            payload = marshal.dumps(rows)  # JSON-like values only: faster than pickle
    except (SyntaxError, UnicodeDecodeError, OSError, ValueError):
        payload = b""  # the ordinary load reads the file again and reports it
    result.send_bytes(payload)
    result.close()


def _rows(part: int, path: Path, start: int, end: int | None, schema: Schema,
          sources: SourceTexts | None, peer: Connection) -> Rows | None:
    """The graph rows of the records of this worker's part, or None if any record anywhere
    has a problem or does not lie within one part."""
    reader = RdfFile(path, schema)
    relations, wanted = set(reader.relation_iris), reader.wanted
    derived = set(reader.vocab.relation_of) - relations  # never read: left out of the index
    relation_triples: list[Triple] = []
    mine = b""
    try:
        subjects = index_part(path, RDF_SUFFIXES[path.suffix.lower()], start, end,
                              lambda iri: wanted(iri) and iri not in derived,
                              (relations, relation_triples))
        rdf = RdfFile(path, schema, subjects=subjects)
        nodes = rdf.classify()
        broken, statements = rdf.statements()
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
        return None
    their_subjects, their_ids, their_kinds, their_unstated = marshal.loads(theirs)
    if not subjects.keys().isdisjoint(their_subjects):
        return None  # a subject with triples in both parts
    ids.update(their_ids)
    kinds.update(their_kinds)
    if len(kinds) != len(ids):
        return None  # an id used twice
    if any(t[0] in ids and t not in statements for t in their_unstated):
        return None  # a relation triple no statement is about
    rdf.use_node_ids(ids)
    return _validated(rdf, nodes, statements, schema, sources,
                      {sys.intern(i): sys.intern(k) for i, k in kinds.items()})


def _validated(rdf: RdfFile, nodes: list, statements: dict, schema: Schema,
               sources: SourceTexts | None,
               kinds: dict[str, str]) -> Rows | None:
    """The rows of the part's clean records; None at the first record with a problem."""
    report = ProblemReport()
    node_validator = RecordValidator(schema, report, sources, lambda _: None)  # ids: checked
    edge_validator = RecordValidator(schema, report, sources, kinds.get)
    file = rdf.path.name  # for the record (a problem makes the ordinary load report it)
    node_rows: NodeRows = []
    for node in nodes:
        location, raw = rdf.node_record(*node)
        record = node_validator.node(raw, file, location)
        if record is None:
            return None
        attributes = node_attributes(record)
        node_rows.append((record.id, attributes, encoded_item(node_item(record.id, attributes))))
    edge_rows: EdgeRows = []
    for ends, (iri, values) in statements.items():
        location, raw = rdf.edge_record(ends, iri, values)
        edge = edge_validator.edge(raw, file, location)
        if edge is None:
            return None
        u, v, relation = edge.source_id, edge.target_id, edge.relation
        attributes = edge_attributes(edge)
        edge_rows.append((first_source(raw), u, v, relation, attributes,
                          encoded_item(edge_item(u, v, relation, attributes))))
    return node_rows, edge_rows
