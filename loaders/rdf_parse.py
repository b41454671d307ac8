"""Parse an RDF file into an index of its subjects: subject -> predicate -> distinct objects.

pyoxigraph does the parsing (streaming, in Rust); what Python keeps of each triple is plain
values: an IRI is a str, a blank node "_:" + its id, a literal a tuple (lexical form,
datatype IRI, language or None). Unlike pyoxigraph's objects these are not tracked by the
garbage collector, and they travel between processes with ``marshal``.

A reader may name the predicates it reads (``wanted``): the triples of any other predicate are
dropped as they are parsed, before Python builds values for them.

Large N-Triples and N-Quads files (one statement per line) are parsed by two processes: the
file is cut at the first line break after its middle, a forked child indexes the second part
while this process indexes the first, and the child's index is merged into this one. The
result is the same index, in the same order, as one pass over the file gives. A syntax error
found that way makes this process parse the whole file again in one pass, so the error is
reported with exactly the line and message of a one-pass parse.
"""

from __future__ import annotations

import io
import marshal
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

Literal = tuple[str, str, str | None]
Term = str | Literal
Values = dict[str, list[Term]]  # predicate IRI -> distinct objects, in file order
Subjects = dict[str, Values]  # subject -> its values, subjects in file order
Wanted = Callable[[str], bool]  # whether a predicate IRI is read

LINE_BASED = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
TWO_PROCESS_MIN_BYTES = 8 << 20  # below this, starting a process costs more than it saves
_READ_BUFFER = 1 << 20
_UNSEEN = object()
_CAN_FORK = "fork" in multiprocessing.get_all_start_methods()  # not on Windows


def parse_subjects(path: Path, fmt: ox.RdfFormat, processes: int | None = None,
                   wanted: Wanted | None = None) -> Subjects:
    """The subject index of an RDF file. Raises ``SyntaxError`` (from pyoxigraph, with the
    line) or ``UnicodeDecodeError`` for a malformed file.

    ``processes``: 1 or 2 (2 only parts a line-based file); by default 2 for a large
    line-based file when this machine has a second core and this process runs no other thread
    (forking one is unsafe)."""
    if processes is None:
        processes = 2 if (fmt in LINE_BASED and _second_core()
                          and path.stat().st_size >= TWO_PROCESS_MIN_BYTES) else 1
    if processes == 2 and fmt in LINE_BASED and _CAN_FORK:
        cut = _line_start_after_middle(path)
        if cut is not None:
            subjects = _parse_in_two(path, fmt, cut, wanted)
            if subjects is not None:
                return subjects
    subjects = {}
    index_into(subjects, ox.parse(path=path, format=fmt), wanted)
    return subjects


def index_into(subjects: Subjects, quads: ox.QuadParser, wanted: Wanted | None = None) -> None:
    """Add every triple of ``quads`` (of a ``wanted`` predicate) to ``subjects`` (graph names
    are ignored: a graph is a set, and quads repeat triples across graphs)."""
    get = subjects.get
    named, literal, blank = ox.NamedNode, ox.Literal, ox.BlankNode
    # One str per distinct predicate, not per triple; None for a predicate not wanted.
    predicates: dict[ox.NamedNode, str | None] = {}
    for subject, predicate, term, _ in quads:
        name = predicates.get(predicate, _UNSEEN)
        if name is _UNSEEN:
            iri = predicate.value
            name = predicates[predicate] = (sys.intern(iri) if wanted is None or wanted(iri)
                                            else None)
        if name is None:
            continue
        key = subject.value if subject.__class__ is named else f"_:{subject.value}"
        kind = term.__class__
        if kind is named:
            obj: Term = term.value
        elif kind is literal:
            obj = (term.value, term.datatype.value, term.language)
        else:  # a blank node (RDF-star triple terms are not part of the ontology)
            obj = f"_:{term.value}" if kind is blank else str(term)
        values = get(key)
        if values is None:
            values = subjects[key] = {}
        found = values.get(name)
        if found is None:
            values[name] = [obj]
        elif obj not in found:
            found.append(obj)


def merge_into(subjects: Subjects, later: Subjects) -> None:
    """Add the index of a later part of a file to the index of the part before it."""
    get = subjects.get
    for key, values in later.items():
        known = get(key)
        if known is None:
            subjects[key] = values
            continue
        for name, objects in values.items():
            found = known.get(name)
            if found is None:
                known[name] = objects
            else:
                found.extend(o for o in objects if o not in found)


def _second_core() -> bool:
    """Whether a forked helper can run beside this process."""
    cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else os.cpu_count() or 1)
    return cores >= 2 and threading.active_count() == 1


def _line_start_after_middle(path: Path) -> int | None:
    """The offset just past the first line break after the middle of the file, or None."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        handle.seek(size // 2)
        handle.readline()
        cut = handle.tell()
    return cut if 0 < cut < size else None


class _Head(io.RawIOBase):
    """The first ``size`` bytes of a binary file."""

    def __init__(self, handle: BinaryIO, size: int):
        self._handle, self._left = handle, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = min(len(buffer), self._left)
        if size <= 0:
            return 0
        got = self._handle.readinto(memoryview(buffer)[:size])  # type: ignore[attr-defined]
        self._left -= got
        return got


def _index_part(path: Path, fmt: ox.RdfFormat, start: int, end: int | None,
                wanted: Wanted | None = None) -> Subjects:
    subjects: Subjects = {}
    with open(path, "rb", buffering=0) as raw:
        raw.seek(start)
        part = raw if end is None else _Head(raw, end - start)
        index_into(subjects, ox.parse(io.BufferedReader(part, _READ_BUFFER), format=fmt),
                   wanted)
    return subjects


def _child(send: Connection, path: Path, fmt: ox.RdfFormat, cut: int,
           wanted: Wanted | None) -> None:
    """Index the second part and send it; an empty message says it failed."""
    try:
        payload = marshal.dumps(_index_part(path, fmt, cut, None, wanted))
    except BaseException:  # the parent parses the whole file again and reports it
        payload = b""
    send.send_bytes(payload)
    send.close()


def _parse_in_two(path: Path, fmt: ox.RdfFormat, cut: int,
                  wanted: Wanted | None = None) -> Subjects | None:
    """The index from two processes, or None if either part failed to parse. (A forked child
    inherits ``wanted``: nothing is pickled.)"""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, path, fmt, cut, wanted),
                            daemon=True)
    child.start()
    send.close()
    payload = b""
    try:
        subjects = _index_part(path, fmt, 0, cut, wanted)
        payload = receive.recv_bytes()
    except (SyntaxError, UnicodeDecodeError, EOFError):
        pass
    finally:
        receive.close()
        if not payload:
            child.terminate()  # still parsing, or already gone: either way, done with it
        child.join()
    if not payload:
        return None
    merge_into(subjects, marshal.loads(payload))
    return subjects
