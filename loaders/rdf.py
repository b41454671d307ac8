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

Each record's location is its subject IRI, e.g. ``graph.ttl:<https://innograph.org/id/faw>``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
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

Values = dict[str, list[Any]]  # predicate IRI -> objects (pyoxigraph terms), in file order


def is_rdf_file(path: Path) -> bool:
    return path.suffix.lower() in RDF_SUFFIXES


def parse_subjects(path: Path) -> dict[str, Values]:
    """Every subject of an RDF file with its predicates and distinct objects, in file order;
    raises ``MalformedFile`` naming the line for a syntax error."""
    subjects: dict[str, Values] = {}
    get = subjects.get
    try:
        for quad in ox.parse(path=path, format=RDF_SUFFIXES[path.suffix.lower()]):
            key = quad.subject.value
            values = get(key)
            if values is None:
                values = subjects[key] = {}
            predicate = quad.predicate.value
            found = values.get(predicate)
            if found is None:
                values[predicate] = [quad.object]
            elif (obj := quad.object) not in found:  # a graph is a set; quads repeat triples
                found.append(obj)
    except SyntaxError as exc:
        location = f"line {exc.lineno}" if exc.lineno else ""
        raise MalformedFile(location, f"invalid {path.suffix[1:]} RDF: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise MalformedFile("", f"not UTF-8 text: {exc.reason}") from None
    return subjects


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: building millions of small dicts and lists (no
    cycles) otherwise triggers full collections over an ever larger heap, doubling the time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _plain(term: Any) -> Any:
    """A literal's lexical form (the validator coerces it); other terms as they are, so the
    validator reports them as values of the wrong type."""
    return term.value if isinstance(term, ox.Literal) else term


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
                with gc_paused():
                    self._subjects = parse_subjects(self.path)
                    self._classify()
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
                kinds = [kind_of_class.get(t.value) or t.value[len(ns):] for t in types
                         if isinstance(t, ox.NamedNode) and t.value.startswith(ns)]
                if kinds:  # several: an unknown kind, for the validator to report
                    nodes.append((iri, values, ", ".join(kinds)))
                    ids = values.get(id_iri)
                    if ids and isinstance(ids[0], ox.Literal):
                        self._ids[iri] = ids[0].value
                elif any(t.value == RDF_STATEMENT for t in types):
                    self._statements.append((iri, values))
            self._nodes = nodes
        return self._nodes

    def _is_relation(self, predicate: str, objects: list[Any]) -> bool:
        """A schema relation, or an unknown ``ig:`` term linking to a resource."""
        if predicate in self._relations:
            return True
        return (predicate.startswith(self.vocab.ns) and predicate not in self._known
                and isinstance(objects[0], ox.NamedNode | ox.BlankNode))

    def _node_id(self, iri: str) -> str:
        """The id of the node an IRI names: its ``ig:id``, else the IRI's last segment."""
        node_id = self._ids.get(iri)
        return node_id if node_id is not None else iri.rsplit("/", 1)[-1]

    def _provenance(self, values: Values) -> list[dict[str, Any]]:
        entries = []
        for derivation in values.get(self._qualified, []):
            fields = self.subjects.get(derivation.value, {})
            entity = fields.get(self._entity, [])
            quote = fields.get(self.vocab.quote_iri, [])
            position = fields.get(self._position, [])
            try:
                rank = int(position[0].value) if position else 1 << 30
            except ValueError:
                rank = 1 << 30
            source = (document_file(entity[0].value)
                      if len(entity) == 1 and isinstance(entity[0], ox.NamedNode) else None)
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
            if any(len(end) != 1 for end in ends):
                yield f"<{iri}>", {"from": None, "rel": None, "to": None,
                                   "provenance": self._provenance(values)}
                continue
            statements[(ends[0][0].value, ends[1][0].value, ends[2][0].value)] = (iri, values)
        asserted = [(iri, predicate, o.value) for iri, values, _ in nodes
                    for predicate, objects in values.items()
                    if self._is_relation(predicate, objects) for o in objects]
        ns = self.vocab.ns
        for key in dict.fromkeys([*statements, *asserted]):  # statements keep graph order
            source, predicate, target = key
            relation = self._relations.get(predicate) or predicate.removeprefix(ns)
            record: RawRecord = {"from": self._node_id(source), "rel": relation,
                                 "to": self._node_id(target)}
            statement = statements.get(key)
            if statement is None:
                record["provenance"] = []  # the validator reports it: no statement, no source
                yield f"<{source}> {relation} <{target}>", record
                continue
            iri, values = statement
            self._properties(record, values, self.vocab.edge_term_of, relations=False)
            record["provenance"] = self._provenance(values)
            yield f"<{iri}>", record
