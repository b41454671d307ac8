"""Read RDF that follows the innograph ontology back into raw records, like any data file.

An RDF file in any export format (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads) holds
nodes and edges together. ``RdfFile`` parses it once (``loaders.rdf_parse``: pyoxigraph)
and yields the same raw records a YAML file
would give: nodes first, then edges, for the same ``RecordValidator``, so an RDF file loads
with the same checks and the same errors.

Mapping back (the inverse of ``graph.rdf.export``):

- a subject typed with an ``ig:`` class is a node: ``ig:id`` -> id, the class -> kind, every
  ``ig:`` data property -> the schema property of that term;
- a relation triple ``s ig:rel o`` and the ``rdf:Statement`` about it make an edge; edge
  properties and provenance come from the statement (a relation triple without one has no
  provenance, which the validator reports; one whose object is a literal has no ``to``);
- ``prov:qualifiedDerivation`` entries give provenance, ordered by ``schema:position``; the
  source is the file name at the end of the ``prov:entity`` IRI;
- derived triples (``rdfs:label``, ``prov:wasDerivedFrom``, ``dcterms:hasFormat``) and terms
  of other vocabularies are skipped; unknown ``ig:`` terms reach the validator, which names
  them. Named graphs are ignored: in TriG and N-Quads they only group what the statements say.

Nodes and edges come in file order (of their subjects, then their statements): a graph
exported and read back has its nodes and edges in the same order, so the same version. Each
record's location is its subject IRI, e.g. ``graph.ttl:<https://innograph.org/id/faw>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.rdf.namespaces import (
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_STATEMENT,
    RDF_SUBJECT,
    RDF_TYPE,
    Vocabulary,
    document_file,
    vocabulary,
)
from graph.schema import Schema
from loaders.rdf_parse import Subjects, Term, Values, Wanted, parse_subjects
from loaders.readers import MalformedFile, RawRecord

RDF_SUFFIXES: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}
_LAST = 1 << 30  # the rank of a provenance entry without a usable schema:position
_UNSEEN = object()
Field = tuple[str, bool] | str | None  # see RdfFile._field
Statements = dict[tuple[str, str, str], tuple[str, Values]]  # (s, p, o) -> statement IRI, values


@dataclass(frozen=True, slots=True)
class Resource:
    """An IRI or blank node where the validator expects a value: shown as ``<iri>``."""

    iri: str

    def __repr__(self) -> str:
        return f"<{self.iri}>"


@dataclass(frozen=True, slots=True)
class LiteralTerm:
    """A literal where the validator expects a node: shown as ``"text"``."""

    text: str

    def __repr__(self) -> str:
        return f'"{self.text}"'


def is_rdf_file(path: Path) -> bool:
    return path.suffix.lower() in RDF_SUFFIXES


def read_subjects(path: Path, wanted: Wanted | None = None) -> Subjects:
    """Every subject of an RDF file with its (``wanted``) predicates and distinct objects, in
    file order; raises ``MalformedFile`` naming the line for a syntax error."""
    try:
        return parse_subjects(path, RDF_SUFFIXES[path.suffix.lower()], wanted)
    except SyntaxError as exc:
        location = f"line {exc.lineno}" if exc.lineno else ""
        raise MalformedFile(location, f"invalid {path.suffix[1:]} RDF: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise MalformedFile("", f"not UTF-8 text: {exc.reason}") from None


def _plain(term: Term) -> str | Resource:
    """A literal's lexical form (the validator coerces it); a resource as a ``Resource``, which
    the validator reports as a value of the wrong type."""
    return term[0] if term.__class__ is tuple else Resource(term)  # type: ignore[return-value]


class RdfFile:
    """One RDF file read as raw node and edge records (parsed on first use, once)."""

    def __init__(self, path: Path, schema: Schema | None = None):
        self.path = path
        self.vocab: Vocabulary = vocabulary(schema)
        self._subjects: Subjects | None = None
        self._nodes: list[tuple[str, Values, str]] | None = None  # (IRI, values, kind)
        self._statements: list[tuple[str, Values]] = []
        self._ids: dict[str, str] = {}  # node IRI -> its ig:id
        self._documents: dict[str, str] = {}  # source-document IRI -> file name
        self._failed = False  # a syntax error is reported once, with the nodes
        vocab = self.vocab
        prov = vocab.provenance
        self._qualified, self._entity = prov["qualified"], prov["entity"]
        self._position, self._quote = prov["position"], vocab.quote_iri
        self._relations = {vocab.relation_iri[r]: r for r in vocab.schema.relation_kinds}
        # ig: terms that are neither relations nor unknown: data properties, derived relations
        self._known = {*vocab.node_term_of, *vocab.edge_term_of, vocab.quote_iri,
                       *vocab.relation_of}
        self._node_fields: dict[str, Field] = {}  # caches of ``_field``, per record kind
        self._edge_fields: dict[str, Field] = {}
        # What the mapping reads: ig: terms and the RDF, PROV-O and schema.org terms above.
        # Derived triples (labels, the unqualified wasDerivedFrom, derived relations such as
        # MENTIONS, ...) are not even indexed.
        read = {RDF_TYPE, RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT, self._qualified,
                self._entity, self._position, *vocab.node_term_of, *vocab.edge_term_of}
        derived = set(vocab.relation_of) - set(self._relations)
        ns = vocab.ns
        self.wanted: Wanted = lambda iri: iri in read or (iri.startswith(ns)
                                                          and iri not in derived)

    @property
    def subjects(self) -> Subjects:
        if self._subjects is None:
            try:
                self._subjects = read_subjects(self.path, self.wanted)
            except MalformedFile:
                self._failed = True
                raise
        return self._subjects

    def classify(self) -> list[tuple[str, Values, str]]:
        """Sort the subjects once: nodes (typed with an ``ig:`` class) with their kind, and
        statements; the rest (provenance entries, documents, foreign resources) are looked
        up from these."""
        if self._nodes is None:
            ns, kind_of_class = self.vocab.ns, self.vocab.kind_of_class
            id_iri = self.vocab.node_terms["id"].iri
            nodes: list[tuple[str, Values, str]] = []
            for iri, values in self.subjects.items():
                types = values.get(RDF_TYPE)
                if not types:
                    continue
                kinds = [kind_of_class.get(t) or t[len(ns):] for t in types
                         if t.__class__ is str and t.startswith(ns)]  # type: ignore[union-attr]
                if kinds:  # several: an unknown kind, for the validator to report
                    nodes.append((iri, values, ", ".join(kinds)))
                    ids = values.get(id_iri)
                    if ids and ids[0].__class__ is tuple:
                        self._ids[iri] = ids[0][0]
                elif RDF_STATEMENT in types:
                    self._statements.append((iri, values))
            self._nodes = nodes
        return self._nodes

    def _is_relation(self, predicate: str, objects: list[Term]) -> bool:
        """A schema relation, or an unknown ``ig:`` term linking to a resource."""
        if predicate in self._relations:
            return True
        return (predicate.startswith(self.vocab.ns) and predicate not in self._known
                and objects[0].__class__ is str)

    def _node_id(self, term: Term) -> str | LiteralTerm:
        """The id of the node an IRI names: its ``ig:id``, else the IRI's last segment."""
        if term.__class__ is tuple:
            return LiteralTerm(term[0])
        node_id = self._ids.get(term)  # type: ignore[arg-type]
        return node_id if node_id is not None else term.rsplit("/", 1)[-1]  # type: ignore

    def _provenance(self, values: Values) -> list[dict[str, Any]]:
        derivations = values.get(self._qualified)
        if not derivations:
            return []
        if len(derivations) == 1:  # the usual case: no order to find
            return [self._entry(derivations[0])]
        ranked = [(self._rank(derivation), self._entry(derivation))
                  for derivation in derivations]
        ranked.sort(key=lambda entry: entry[0])
        return [entry for _, entry in ranked]

    def _fields(self, derivation: Term) -> Values:
        subjects = self._subjects or {}
        return (subjects.get(derivation) if derivation.__class__ is str  # type: ignore
                else None) or {}

    def _entry(self, derivation: Term) -> dict[str, Any]:
        """A provenance entry: the source is the file name at the end of ``prov:entity``."""
        fields = self._fields(derivation)
        entity = fields.get(self._entity, ())
        quote = fields.get(self._quote, ())
        source = None
        if len(entity) == 1 and entity[0].__class__ is str:
            source = self._documents.get(entity[0])  # type: ignore[call-overload]
            if source is None:
                source = self._documents[entity[0]] = document_file(entity[0])  # type: ignore
        return {"source": source, "quote": _plain(quote[0]) if len(quote) == 1 else None}

    def _rank(self, derivation: Term) -> int:
        """Where an entry goes among several: its ``schema:position``, else last."""
        position = self._fields(derivation).get(self._position)
        try:
            return int(position[0][0]) if position else _LAST  # type: ignore[arg-type]
        except (ValueError, TypeError):
            return _LAST

    def _field(self, predicate: str, data_terms: dict[str, Any]) -> Field:
        """What a predicate is in a record: a data property (name, many values), an unknown
        ``ig:`` term (its local name, for the validator to report), or nothing (None)."""
        term = data_terms.get(predicate)
        if term is not None:
            return term.name, term.many
        ns = self.vocab.ns
        if predicate.startswith(ns) and predicate not in self._known:
            return predicate[len(ns):]
        return None

    def _properties(self, record: RawRecord, values: Values, fields: dict[str, Field],
                    data_terms: dict[str, Any], relations: bool) -> None:
        """Data properties into ``record`` under their schema names, unknown ``ig:`` terms
        under their local names (for the validator to report); relations are skipped when
        ``relations`` (they become edges). ``fields`` caches ``_field`` by predicate."""
        for predicate, objects in values.items():
            field = fields.get(predicate, _UNSEEN)
            if field is _UNSEEN:
                field = fields[predicate] = self._field(predicate, data_terms)
            if field is None:
                continue
            if field.__class__ is str:
                if relations and objects[0].__class__ is str:
                    continue  # an unknown term linking to a resource: an edge
                name, many = field, False
            else:
                name, many = field  # type: ignore[misc]
            if len(objects) == 1 and not many:
                record[name] = _plain(objects[0])
            else:
                record[name] = [_plain(o) for o in objects]

    def node_record(self, iri: str, values: Values, kind: str) -> tuple[str, RawRecord]:
        """One node of ``classify`` as (location, raw record)."""
        record: RawRecord = {"kind": kind}
        self._properties(record, values, self._node_fields, self.vocab.node_term_of,
                         relations=True)
        record["provenance"] = self._provenance(values)
        return f"<{iri}>", record

    def nodes(self) -> Iterator[tuple[str, RawRecord]]:
        for node in self.classify():
            yield self.node_record(*node)

    def statements(self) -> tuple[list[tuple[str, RawRecord]], Statements]:
        """The ``rdf:Statement`` subjects: raw records of those not about one resource triple
        (for the validator to report), and the rest by the triple they are about (the last
        one about a triple counts)."""
        self.classify()
        broken: list[tuple[str, RawRecord]] = []
        statements: Statements = {}
        for iri, values in self._statements:
            ends = (_resource(values, RDF_SUBJECT), _resource(values, RDF_PREDICATE),
                    _resource(values, RDF_OBJECT))
            if None in ends:
                broken.append((f"<{iri}>", {"from": None, "rel": None, "to": None,
                                            "provenance": self._provenance(values)}))
                continue
            statements[ends] = (iri, values)  # type: ignore[index]
        return broken, statements

    def edge_record(self, ends: tuple[str, str, str], iri: str,
                    values: Values) -> tuple[str, RawRecord]:
        """The edge a statement (``iri``, ``values``) about the triple ``ends`` makes."""
        source, predicate, target = ends
        relation = self._relations.get(predicate) or predicate.removeprefix(self.vocab.ns)
        record: RawRecord = {"from": self._node_id(source), "rel": relation,
                             "to": self._node_id(target)}
        self._properties(record, values, self._edge_fields, self.vocab.edge_term_of,
                         relations=False)
        record["provenance"] = self._provenance(values)
        return f"<{iri}>", record

    def unstated(self, statements: Statements,
                 nodes: list[tuple[str, Values, str]]) -> list[tuple[str, RawRecord]]:
        """Edges of the relation triples of ``nodes`` that no statement is about: they have no
        provenance, which the validator reports."""
        relations, ns = self._relations, self.vocab.ns
        unstated = dict.fromkeys((iri, predicate, o) for iri, values, _ in nodes
                                 for predicate, objects in values.items()
                                 if self._is_relation(predicate, objects) for o in objects
                                 if (iri, predicate, o) not in statements)
        records: list[tuple[str, RawRecord]] = []
        for source, predicate, target in unstated:
            relation = relations.get(predicate) or predicate.removeprefix(ns)
            record = {"from": self._node_id(source), "rel": relation,
                      "to": self._node_id(target), "provenance": []}
            shown = f"<{target}>" if target.__class__ is str else repr(record["to"])
            records.append((f"<{source}> {relation} {shown}", record))
        return records

    def edges(self) -> Iterator[tuple[str, RawRecord]]:
        if self._failed:
            return
        broken, statements = self.statements()
        yield from broken
        records = [self.edge_record(ends, iri, values)
                   for ends, (iri, values) in statements.items()]
        records += self.unstated(statements, self.classify())
        yield from records


def _resource(values: Values, predicate: str) -> str | None:
    """The one object of ``predicate`` if it is a resource, else None."""
    objects = values.get(predicate)
    return objects[0] if objects and len(objects) == 1 and objects[0].__class__ is str else None
