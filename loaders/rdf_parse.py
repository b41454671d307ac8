"""Parse an RDF file into an index of its subjects: subject -> predicate -> distinct objects.

pyoxigraph does the parsing (streaming, in Rust); what Python keeps of each triple is plain
values: an IRI is a str, a blank node "_:" + its id, a literal a tuple (lexical form,
datatype IRI, language or None). Unlike pyoxigraph's objects these are not tracked by the
garbage collector, and they travel between processes with ``marshal``.

A reader may name the predicates it reads (``wanted``): the triples of any other predicate are
dropped as they are parsed, before Python builds values for them.

N-Triples, N-Quads, Turtle and TriG are parsed leniently: pyoxigraph then skips checking IRIs
and language tags, half its time. Each distinct IRI and tag is checked afterwards, as the
strict parser checks it; on a flaw (or any error of the lenient parse) the file is parsed
again strictly, so the error is pyoxigraph's own, with its line.

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
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

Literal = tuple[str, str, str | None]
Term = str | Literal
Values = dict[str, list[Term]]  # predicate IRI -> distinct objects, in file order
Subjects = dict[str, Values]  # subject -> its values, subjects in file order
Wanted = Callable[[str], bool]  # whether a predicate IRI is read
Triple = tuple[str, str, Term]
Split = tuple[Collection[str], list[Triple]]  # see index_into

LINE_BASED = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
# Formats whose lenient parse (oxttl's) skips only the IRI and language tag checks.
_LENIENT = (*LINE_BASED, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
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
        processes = 2 if fmt in LINE_BASED and two_processes_pay(path) else 1
    if processes == 2 and fmt in LINE_BASED and _CAN_FORK:
        cut = line_start_after_middle(path)
        if cut is not None:
            subjects = _parse_in_two(path, fmt, cut, wanted)
            if subjects is not None:
                return subjects
    return index_part(path, fmt, 0, None, wanted)


def two_processes_pay(path: Path) -> bool:
    """Whether a second, forked process would read ``path`` faster than one, were it cut in
    two: a large file, a free core, no other thread here (forking one is unsafe)."""
    return _CAN_FORK and _second_core() and path.stat().st_size >= TWO_PROCESS_MIN_BYTES


def index_into(subjects: Subjects, quads: ox.QuadParser, wanted: Wanted | None = None,
               iris: set[str] | None = None, languages: set[str] | None = None,
               split: Split | None = None) -> None:
    """Add every triple of ``quads`` (of a ``wanted`` predicate) to ``subjects`` (graph names
    are ignored: a graph is a set, and quads repeat triples across graphs). Every IRI the
    parse gave (of any predicate) goes into ``iris`` and every language tag into
    ``languages``, for ``terms_are_valid`` to check after a lenient parse. ``split``: the
    triples of these predicates go to its list as (subject, predicate, object) instead."""
    split_off, split_triples = split if split is not None else ((), [])
    get = subjects.get
    named, literal, blank = ox.NamedNode, ox.Literal, ox.BlankNode
    iris = set() if iris is None else iris
    languages = set() if languages is None else languages
    add_iri, add_language = iris.add, languages.add
    # One str per distinct predicate and datatype, not per triple; None: a predicate not
    # wanted. Consecutive triples mostly share their subject: it is looked up once for them.
    predicates: dict[ox.NamedNode, str | None] = {}
    datatypes: dict[ox.NamedNode, str] = {}
    last_subject: object = None
    key, values = "", None
    for quad in quads:
        subject = quad.subject
        if subject != last_subject:
            last_subject = subject
            if subject.__class__ is named:
                key = subject.value
                add_iri(key)
            else:
                key = f"_:{subject.value}"
            values = None
        predicate = quad.predicate
        name = predicates.get(predicate, _UNSEEN)
        if name is _UNSEEN:
            iri = predicate.value
            add_iri(iri)
            name = predicates[predicate] = (sys.intern(iri) if wanted is None or wanted(iri)
                                            else None)
        term = quad.object
        kind = term.__class__
        if kind is named:
            obj: Term = term.value
            add_iri(obj)
        elif kind is literal:
            datatype = term.datatype
            datatype_iri = datatypes.get(datatype)
            if datatype_iri is None:
                datatype_iri = datatypes[datatype] = sys.intern(datatype.value)
                add_iri(datatype_iri)
            language = term.language
            if language is not None:
                add_language(language)
            if name is None:
                continue
            obj = (term.value, datatype_iri, language)
        else:  # a blank node (RDF-star triple terms are not part of the ontology)
            obj = f"_:{term.value}" if kind is blank else str(term)
        if name is None:
            continue
        if name in split_off:
            split_triples.append((key, name, obj))
            continue
        if values is None:
            values = get(key)
            if values is None:
                values = subjects[key] = {}
        found = values.get(name)
        if found is None:
            values[name] = [obj]
        elif obj not in found:
            found.append(obj)


def terms_are_valid(iris: set[str], languages: set[str]) -> bool:
    """Whether every IRI and language tag is well formed: what a lenient parse skips."""
    named, literal = ox.NamedNode, ox.Literal
    try:
        for iri in iris:
            named(iri)
        for language in languages:
            literal("", language=language)
    except ValueError:
        return False
    return True


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


def line_start_after_middle(path: Path) -> int | None:
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


class _After(io.RawIOBase):
    """``header``, then a binary stream."""

    def __init__(self, header: bytes, rest: io.RawIOBase):
        self._header, self._rest = memoryview(header), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._header:
            size = min(len(buffer), len(self._header))
            buffer[:size] = self._header[:size]
            self._header = self._header[size:]
            return size
        return self._rest.readinto(buffer)  # type: ignore[return-value]


def index_part(path: Path, fmt: ox.RdfFormat, start: int = 0, end: int | None = None,
               wanted: Wanted | None = None, split: Split | None = None,
               header: bytes = b"") -> Subjects:
    """The index of the bytes ``start:end`` of a file (to its end if ``end`` is None), read
    after ``header`` (e.g. a Turtle file's prefixes, for a part that does not start it).

    The parse is lenient where pyoxigraph's leniency only skips checking IRIs and language
    tags (half its time): each distinct one is checked afterwards instead. If one fails, or
    the lenient parse fails, the part is parsed again strictly, which raises pyoxigraph's own
    error with its line."""
    if fmt in _LENIENT:
        subjects: Subjects = {}
        iris: set[str] = set()
        languages: set[str] = set()
        try:
            with _opened(path, start, end, header) as stream:
                index_into(subjects, ox.parse(stream, format=fmt, lenient=True), wanted, iris,
                           languages, split)
            if terms_are_valid(iris, languages):
                return subjects
        except (SyntaxError, UnicodeDecodeError):
            pass  # a lenient parse may name a later error: the strict one names the first
    subjects = {}
    if split is not None:
        split[1].clear()
    with _opened(path, start, end, header) as stream:
        index_into(subjects, ox.parse(stream, format=fmt), wanted, split=split)
    return subjects


@contextmanager
def _opened(path: Path, start: int, end: int | None,
            header: bytes = b"") -> Iterator[BinaryIO]:
    with open(path, "rb", buffering=0) as raw:
        raw.seek(start)
        part: io.RawIOBase = raw if end is None else _Head(raw, end - start)
        if header:
            part = _After(header, part)
        yield io.BufferedReader(part, _READ_BUFFER)


def _child(send: Connection, path: Path, fmt: ox.RdfFormat, cut: int,
           wanted: Wanted | None) -> None:
    """Index the second part and send it; an empty message says it failed."""
    try:
        payload = marshal.dumps(index_part(path, fmt, cut, None, wanted))
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
        subjects = index_part(path, fmt, 0, cut, wanted)
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
