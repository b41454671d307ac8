"""Parse an RDF file into an index of its subjects: subject -> predicate -> distinct objects.

pyoxigraph does the parsing (streaming, in Rust); what Python keeps of each triple is plain
values: an IRI is a str, a blank node "_:" + its id, a literal a tuple (lexical form,
datatype IRI, language or None). Unlike pyoxigraph's objects these are not tracked by the
garbage collector.

A reader may name the predicates it reads (``wanted``): the triples of any other predicate are
dropped as they are parsed, before Python builds values for them.

N-Triples, N-Quads, Turtle and TriG are parsed leniently: pyoxigraph then skips checking IRIs
and language tags, half its time. Each distinct IRI and tag is checked afterwards, as the
strict parser checks it; on a flaw (or any error of the lenient parse) the file is parsed
again strictly, so the error is pyoxigraph's own, with its line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

Literal = tuple[str, str, str | None]
Term = str | Literal
Values = dict[str, list[Term]]  # predicate IRI -> distinct objects, in file order
Subjects = dict[str, Values]  # subject -> its values, subjects in file order
Wanted = Callable[[str], bool]  # whether a predicate IRI is read

# Formats whose lenient parse (oxttl's) skips only the IRI and language tag checks.
_LENIENT = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE,
            ox.RdfFormat.TRIG)
_UNSEEN = object()


def parse_subjects(path: Path, fmt: ox.RdfFormat, wanted: Wanted | None = None) -> Subjects:
    """The subject index of an RDF file. Raises ``SyntaxError`` (from pyoxigraph, with the
    line) or ``UnicodeDecodeError`` for a malformed file.

    The parse is lenient where pyoxigraph's leniency only skips checking IRIs and language
    tags (half its time): each distinct one is checked afterwards instead. If one fails, or
    the lenient parse fails, the file is parsed again strictly, which raises pyoxigraph's own
    error with its line."""
    if fmt in _LENIENT:
        subjects: Subjects = {}
        iris: set[str] = set()
        languages: set[str] = set()
        try:
            index_into(subjects, ox.parse(path=path, format=fmt, lenient=True), wanted, iris,
                       languages)
            if terms_are_valid(iris, languages):
                return subjects
        except (SyntaxError, UnicodeDecodeError):
            pass  # a lenient parse may name a later error: the strict one names the first
    subjects = {}
    index_into(subjects, ox.parse(path=path, format=fmt), wanted)
    return subjects


def index_into(subjects: Subjects, quads: ox.QuadParser, wanted: Wanted | None = None,
               iris: set[str] | None = None, languages: set[str] | None = None) -> None:
    """Add every triple of ``quads`` (of a ``wanted`` predicate) to ``subjects`` (graph names
    are ignored: a graph is a set, and quads repeat triples across graphs). Every IRI the
    parse gave (of any predicate) goes into ``iris`` and every language tag into
    ``languages``, for ``terms_are_valid`` to check after a lenient parse."""
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
