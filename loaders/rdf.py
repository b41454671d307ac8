"""Read RDF that follows the innograph ontology back into raw records, like any data file.

An RDF file in any export format (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads) holds
nodes and edges together. ``RdfFile`` parses it once with pyoxigraph (streaming, in Rust) and
yields the same raw records a YAML file would give: nodes first, then edges, for the same
``RecordValidator``, so an RDF file loads with the same checks and the same errors.

Mapping back (the inverse of ``graph.rdf.export``):

- a subject typed with an ``ig:`` class is a node: ``ig:id`` -> id, the class -> kind, every
  ``ig:`` data property -> the schema property of that term;
- a relation triple ``s ig:rel o`` and the ``rdf:Statement`` about it make an edge; edge
  properties and provenance come from the statement (a relation triple without one has no
  provenance, which the validator reports);
- ``prov:qualifiedDerivation`` entries give provenance, ordered by ``schema:position``; the
  source is the file name at the end of the ``prov:entity`` IRI;
- derived triples (``rdfs:label``, ``prov:wasDerivedFrom``, ``dcterms:hasFormat``) and terms
  of other vocabularies are skipped; unknown ``ig:`` terms reach the validator, which names
  them. Named graphs are ignored: in TriG and N-Quads they only group what the statements say.

Nodes come in file order, edges grouped by their first source document (quote checks then
read each document once). Each record's location is its subject IRI, e.g.
``graph.ttl:<https://innograph.org/id/faw>``.
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
from loaders.readers import MalformedFile, RawRecord

RDF_SUFFIXES: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}

# Terms as plain Python values: an IRI is a str, a blank node "_:" + its id, a literal a tuple
# (lexical form, datatype IRI, language or None). Unlike pyoxigraph's objects, these are not
# tracked by the garbage collector, so a large index does not make every collection longer.
Literal = tuple[str, str, str | None]
Term = str | Literal
Values = dict[str, list[Term]]  # predicate IRI -> distinct objects, in file order


@dataclass(frozen=True, slots=True)
class Resource:
    """An IRI or blank node where the validator expects a value: shown as ``<iri>``."""

    iri: str

    def __repr__(self) -> str:
        return f"<{self.iri}>"


def is_rdf_file(path: Path) -> bool:
    return path.suffix.lower() in RDF_SUFFIXES


def parse_subjects(path: Path) -> dict[str, Values]:
    """Every subject of an RDF file with its predicates and distinct objects, in file order;
    raises ``MalformedFile`` naming the line for a syntax error."""
    subjects: dict[str, Values] = {}
    get = subjects.get
    named, literal = ox.NamedNode, ox.Literal
    try:
        for quad in ox.parse(path=path, format=RDF_SUFFIXES[path.suffix.lower()]):
            subject, term = quad.subject, quad.object
            key = subject.value if subject.__class__ is named else f"_:{subject.value}"
            kind = term.__class__
            if kind is named:
                obj: Term = term.value
            elif kind is literal:
                obj = (term.value, term.datatype.value, term.language)
            else:  # a blank node (RDF-star triple terms are not part of the ontology)
                obj = f"_:{term.value}" if kind is ox.BlankNode else str(term)
            values = get(key)
            if values is None:
                values = subjects[key] = {}
            predicate = quad.predicate.value
            found = values.get(predicate)
            if found is None:
                values[predicate] = [obj]
            elif obj not in found:  # a graph is a set; quads repeat triples across graphs
                found.append(obj)
    except SyntaxError as exc:
        location = f"line {exc.lineno}" if exc.lineno else ""
        raise MalformedFile(location, f"invalid {path.suffix[1:]} RDF: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise MalformedFile("", f"not UTF-8 text: {exc.reason}") from None
    return subjects


def _plain(term: Term) -> str | Resource:
    """A literal's lexical form (the validator coerces it); a resource as a ``Resource``, which
    the validator reports as a value of the wrong type."""
    return term[0] if isinstance(term, tuple) else Resource(term)


def _first_source(located: tuple[str, RawRecord]) -> str:
    provenance = located[1]["provenance"]
    return (provenance[0]["source"] or "") if provenance else ""


class RdfFile:
    """One RDF file read as raw node and edge records (parsed on first use, once)."""

    def __init__(self, path: Path, schema: Schema | None = None):
        self.path = path
        self.vocab: Vocabulary = vocabulary(schema)
        self._subjects: dict[str, Values] | None = None
        self._nodes: list[tuple[str, Values, str]] | None = None  # (IRI, values, kind)
        self._statements: list[tuple[str, Values]] = []
        self._ids: dict[str, str] = {}  # node IRI -> its ig:id
        self._failed = False  # a syntax error is reported once, with the nodes
        prov = self.vocab.provenance
        self._qualified, self._entity = prov["qualified"], prov["entity"]
        self._position = prov["position"]
        vocab = self.vocab
        self._relations = {vocab.relation_iri[r]: r for r in vocab.schema.relation_kinds}
        # ig: terms that are neither relations nor unknown: data properties, derived relations
        self._known = {*vocab.node_term_of, *vocab.edge_term_of, vocab.quote_iri,
                       *vocab.relation_of}

    @property
    def subjects(self) -> dict[str, Values]:
        if self._subjects is None:
            try:
                self._subjects = parse_subjects(self.path)
            except MalformedFile:
                self._failed = True
                raise
        return self._subjects

    def _classify(self) -> list[tuple[str, Values, str]]:
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
                         if isinstance(t, str) and t.startswith(ns)]
                if kinds:  # several: an unknown kind, for the validator to report
                    nodes.append((iri, values, ", ".join(kinds)))
                    ids = values.get(id_iri)
                    if ids and isinstance(ids[0], tuple):
                        self._ids[iri] = ids[0][0]
                elif RDF_STATEMENT in types:
                    self._statements.append((iri, values))
            self._nodes = nodes
        return self._nodes

    def _is_relation(self, predicate: str, objects: list[Any]) -> bool:
        """A schema relation, or an unknown ``ig:`` term linking to a resource."""
        if predicate in self._relations:
            return True
        return (predicate.startswith(self.vocab.ns) and predicate not in self._known
                and isinstance(objects[0], str))

    def _node_id(self, iri: str) -> str:
        """The id of the node an IRI names: its ``ig:id``, else the IRI's last segment."""
        node_id = self._ids.get(iri)
        return node_id if node_id is not None else iri.rsplit("/", 1)[-1]

    def _provenance(self, values: Values) -> list[dict[str, Any]]:
        entries = []
        for derivation in values.get(self._qualified, []):
            fields = self.subjects.get(derivation, {}) if isinstance(derivation, str) else {}
            entity = fields.get(self._entity, [])
            quote = fields.get(self.vocab.quote_iri, [])
            position = fields.get(self._position, [])
            try:
                rank = int(position[0][0]) if position else 1 << 30
            except (ValueError, TypeError):
                rank = 1 << 30
            source = (document_file(entity[0])
                      if len(entity) == 1 and isinstance(entity[0], str) else None)
            entries.append((rank, {"source": source,
                                   "quote": _plain(quote[0]) if len(quote) == 1 else None}))
        entries.sort(key=lambda entry: entry[0])
        return [entry for _, entry in entries]

    def _properties(self, record: RawRecord, values: Values, terms: dict,
                    relations: bool) -> None:
        """Data properties into ``record`` under their schema names, unknown ``ig:`` terms
        under their local names (for the validator to report); relations are skipped when
        ``relations`` (they become edges)."""
        ns = self.vocab.ns
        for predicate, objects in values.items():
            term = terms.get(predicate)
            if term is not None:
                name, many = term.name, term.many
            elif (predicate.startswith(ns) and predicate not in self._known
                  and not (relations and self._is_relation(predicate, objects))):
                name, many = predicate[len(ns):], False
            else:
                continue
            found = [_plain(o) for o in objects]
            record[name] = found if many or len(found) > 1 else found[0]

    def nodes(self) -> Iterator[tuple[str, RawRecord]]:
        node_terms = self.vocab.node_term_of
        for iri, values, kind in self._classify():
            record: RawRecord = {"kind": kind}
            self._properties(record, values, node_terms, relations=True)
            record["provenance"] = self._provenance(values)
            yield f"<{iri}>", record

    def edges(self) -> Iterator[tuple[str, RawRecord]]:
        if self._failed:
            return
        nodes = self._classify()
        statements: dict[tuple[str, str, str], tuple[str, Values]] = {}
        for iri, values in self._statements:
            ends = [values.get(p, []) for p in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT)]
            if any(len(end) != 1 or not isinstance(end[0], str) for end in ends):
                yield f"<{iri}>", {"from": None, "rel": None, "to": None,
                                   "provenance": self._provenance(values)}
                continue
            statements[(ends[0][0], ends[1][0], ends[2][0])] = (iri, values)
        asserted = [(iri, predicate, o) for iri, values, _ in nodes
                    for predicate, objects in values.items()
                    if self._is_relation(predicate, objects) for o in objects]
        ns = self.vocab.ns
        records: list[tuple[str, RawRecord]] = []
        for key in dict.fromkeys([*statements, *asserted]):
            source, predicate, target = key
            relation = self._relations.get(predicate) or predicate.removeprefix(ns)
            record: RawRecord = {"from": self._node_id(source), "rel": relation,
                                 "to": self._node_id(target)}
            statement = statements.get(key)
            if statement is None:
                record["provenance"] = []  # the validator reports it: no statement, no source
                records.append((f"<{source}> {relation} <{target}>", record))
                continue
            iri, values = statement
            self._properties(record, values, self.vocab.edge_term_of, relations=False)
            record["provenance"] = self._provenance(values)
            records.append((f"<{iri}>", record))
        # Grouped by source document (stable: file order within a document), so that checking
        # quotes reads each document once; in graph order they would come in any order.
        records.sort(key=_first_source)
        yield from records
