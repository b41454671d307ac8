"""Namespaces, the instance IRI scheme and the schema's RDF terms, shared by every RDF module.

``Vocabulary`` turns ``graph/schema.yaml`` into IRIs: a class per node kind, an object property
per relation kind, a data property per node or edge property, each with its literal datatype
and language rule. ``IriScheme`` mints instance IRIs under a configurable base:

    {base}id/{node-id}                                 a node
    {base}statement/{from-id}.{relation-term}.{to-id}  an edge, as an rdf:Statement
    {base}provenance/{key}.{digest}                    a provenance entry of a node or edge;
                                                       key = node id or statement key, digest
                                                       = of its source and quote (not its rank)
    {base}source/{file}                                a source document (file name %-encoded)
    {base}period/{node-id}                             the period an Observation is about or a
                                                       Source reports on (schema.yaml `periods`)

Metrics of the catalogue are ontology terms: {vocab}metric/{name}.

Node ids are ASCII slugs and terms are letters, so the dots are unambiguous. Each kind of IRI
shares one namespace ({base}id/, {base}statement/, ...): tools that abbreviate IRIs by
namespace (rdflib's Turtle writer) stay fast, where per-resource namespaces (fragments of a
node's IRI) make them quadratic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from json.encoder import encode_basestring
from typing import Any
from urllib.parse import quote, unquote

from graph.schema import PropertySpec, Schema, load_schema

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
W3C_PREFIXES = {"rdf": RDF, "rdfs": RDFS, "xsd": XSD, "owl": OWL}

RDF_TYPE = RDF + "type"
RDF_STATEMENT = RDF + "Statement"
RDF_SUBJECT = RDF + "subject"
RDF_PREDICATE = RDF + "predicate"
RDF_OBJECT = RDF + "object"
RDF_LANG_STRING = RDF + "langString"
RDFS_LABEL = RDFS + "label"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DATATYPES = {"integer": XSD_INTEGER, "decimal": XSD + "decimal", "boolean": XSD + "boolean",
                 "date": XSD + "date", "year": XSD + "gYear"}

# The provenance model (docs/rdf.md): PROV-O qualified derivations, one per provenance entry.
PROVENANCE_TERMS = {
    "derived_from": "prov:wasDerivedFrom",  # subject -> source document (unqualified shortcut)
    "qualified": "prov:qualifiedDerivation",  # subject -> {base}provenance/{key}.{digest}
    "entity": "prov:entity",  # derivation -> source document
    "position": "schema:position",  # derivation -> n (the entry's rank, 1-based)
    "has_format": "dcterms:hasFormat",  # Source node -> its text file, the source document
    "derivation": "prov:Derivation",  # rdf:type of a provenance entry
    "document": "prov:Entity",  # rdf:type of a source document
}
QUOTE_TERM = "quote"  # ig:quote, derivation -> the verbatim quote
ONTOLOGY_TERMS = ("unit", "Unit")  # the ontology's own terms (graph/rdf/ontology.py units())

ENV_BASE = "INNOGRAPH_BASE"
_BASE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]*[/#]$")
_CHINESE = re.compile("[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")

# A literal is (lexical form, datatype IRI or None, language tag or None); None and None is
# a plain xsd:string. An IRI is a str.
Literal = tuple[str, str | None, str | None]
Term = str | Literal


def nt_term(term: Term) -> str:
    """``term`` in N-Triples / N-Quads syntax."""
    if term.__class__ is str:
        return f"<{term}>"
    lexical, datatype, language = term
    if datatype is not None:
        return f"{encode_basestring(lexical)}^^<{datatype}>"
    if language is not None:
        return f"{encode_basestring(lexical)}@{language}"
    return encode_basestring(lexical)


def resolve_base(base: str | None = None, schema: Schema | None = None) -> str:
    """The instance base IRI: ``base``, else ``$INNOGRAPH_BASE``, else the schema's; checked."""
    chosen = base or os.environ.get(ENV_BASE) or (schema or load_schema()).ontology["base"]
    if not _BASE_PATTERN.match(chosen):
        raise ValueError(f"base IRI {chosen!r} is not an absolute IRI ending in '/' or '#' "
                         "(e.g. https://example.org/kg/)")
    return chosen


@dataclass(frozen=True)
class IriScheme:
    """Instance IRIs under ``base`` (see the module docstring)."""

    base: str

    @property
    def namespaces(self) -> dict[str, str]:
        """Turtle prefix -> namespace of each kind of instance IRI."""
        return {kind: f"{self.base}{kind}/" for kind in ("id", "statement", "provenance",
                                                          "source", "period")}

    def node(self, node_id: str) -> str:
        return f"{self.base}id/{node_id}"

    @staticmethod
    def statement_key(source_id: str, relation_term: str, target_id: str) -> str:
        return f"{source_id}.{relation_term}.{target_id}"

    def statement(self, source_id: str, relation_term: str, target_id: str) -> str:
        return f"{self.base}statement/{self.statement_key(source_id, relation_term, target_id)}"

    def provenance(self, key: str, source: str, quote: str, repeat: int = 1) -> str:
        """The entry (``source``, ``quote``) of a node (``key`` = its id) or an edge (its
        statement key): named by its content, so reordering a provenance list keeps each IRI
        on its quote. ``repeat`` numbers the same entry given again in one list."""
        suffix = "" if repeat == 1 else f"-{repeat}"
        return f"{self.base}provenance/{key}.{provenance_digest(source, quote)}{suffix}"

    def document(self, file: str) -> str:
        return f"{self.base}source/{quote(file, safe='')}"

    def period(self, node_id: str) -> str:
        return f"{self.base}period/{node_id}"


def provenance_digest(source: str, quote: str) -> str:
    """12 hex digits of SHA-256 over the entry's source file and quote."""
    return hashlib.sha256(f"{source}\n{quote}".encode()).hexdigest()[:12]


def document_file(iri: str) -> str:
    """The file name a source-document IRI stands for (its last path segment, decoded)."""
    return unquote(iri.rsplit("/", 1)[-1])


def has_chinese(text: str) -> bool:
    return _CHINESE.search(text) is not None


def text_literal(text: str) -> Literal:
    """Free text of no fixed language: tagged @zh when it has Chinese characters, else plain."""
    return (text, None, "zh" if _CHINESE.search(text) else None)


@dataclass(frozen=True)
class DataTerm:
    """A node or edge property as an RDF data property."""

    spec: PropertySpec
    iri: str
    curie: str
    datatype: str | None  # xsd datatype IRI; None for strings
    language: str | None  # fixed tag ("zh", "en"), or None: "zh" when the text is Chinese

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def many(self) -> bool:
        return self.spec.type == "string_list"

    def literal(self, value: Any) -> Literal:
        if self.datatype is not None:
            return (lexical_form(self.spec.type, value), self.datatype, None)
        if self.language is not None:
            return (value, None, self.language)
        return text_literal(value)


def lexical_form(type_name: str, value: Any) -> str:
    """The xsd lexical form of a typed property value as the graph holds it."""
    if type_name == "decimal":  # always with a decimal point: XSD 1.0 canonical form
        if isinstance(value, float):
            value = Decimal(repr(value))
        text = format(value, "f") if isinstance(value, Decimal) else str(int(value))
        return text if "." in text else text + ".0"
    if type_name == "boolean":
        return "true" if value else "false"
    if type_name == "year":
        return f"{int(value):04d}"
    if type_name == "date" and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _language_of(spec: PropertySpec) -> str | None:
    for tag in ("zh", "en"):
        if spec.name.endswith("_" + tag):
            return tag
    return None


class Vocabulary:
    """The schema's terms as IRIs, both ways (schema name -> IRI and IRI -> schema name)."""

    def __init__(self, schema: Schema):
        ontology = schema.ontology
        self.schema = schema
        self.ns = ontology["vocab"]
        self.prefix = ontology["prefix"]
        self.ontology_iri = self.ns.rstrip("#/")
        self.prefixes: dict[str, str] = {self.prefix: self.ns, **W3C_PREFIXES,
                                         **ontology["prefixes"]}
        self.class_iri = {k.name: self.ns + k.rdf.term for k in schema.node_kinds.values()}
        self.kind_of_class = {iri: kind for kind, iri in self.class_iri.items()}
        self.relation_iri = {r.name: self.ns + r.rdf.term
                             for r in schema.all_relation_kinds.values()}
        self.relation_term = {r.name: r.rdf.term for r in schema.all_relation_kinds.values()}
        self.relation_of = {iri: name for name, iri in self.relation_iri.items()}
        node_specs = {**schema.node_core, **schema.node_properties}
        self.node_terms = {n: self._data_term(s) for n, s in node_specs.items() if s.rdf}
        self.edge_terms = {n: self._data_term(s) for n, s in schema.edge_properties.items()}
        self.node_term_of = {t.iri: t for t in self.node_terms.values()}
        self.edge_term_of = {t.iri: t for t in self.edge_terms.values()}
        self.quote_iri = self.ns + QUOTE_TERM
        self.provenance = {key: self.expand(curie) for key, curie in PROVENANCE_TERMS.items()}
        self._observation_terms(ontology)
        self.backing = BackingTerms.of(self, ontology["backing"])
        self._check_unique_terms()

    def _observation_terms(self, ontology: dict[str, Any]) -> None:
        """The SOSA/SSN reading of observations, the periods and dcterms:issued of sources
        (schema.yaml `observations`, `periods`, `issued`)."""
        observations = ontology["observations"]
        self.feature_of_interest = self.expand(observations["feature_of_interest"])
        self.observed_property = self.expand(observations["observed_property"])
        self.metric_classes = [self.expand(c) for c in observations["metric_class"]]
        self.results = tuple(observations["results"])
        periods = ontology["periods"]
        self.period_classes = [self.expand(c) for c in periods["class"]]
        self.period_start, self.period_end = (self.expand(periods["start"]),
                                              self.expand(periods["end"]))
        self.periods = {kind: Period(self.expand(p["link"]), self.node_terms[p["start"]],
                                     self.node_terms[p["end"]])
                        for kind, p in periods["of"].items()}
        self.issued = self.expand(ontology["issued"]["term"])
        self.issued_from = [self.node_terms[n] for n in ontology["issued"]["from"]]

    def metric_iri(self, name: str) -> str:
        return f"{self.ns}metric/{name}"

    def _data_term(self, spec: PropertySpec) -> DataTerm:
        assert spec.rdf is not None
        datatype = XSD_DATATYPES.get(spec.type)
        language = None if datatype else _language_of(spec)
        return DataTerm(spec, self.ns + spec.rdf.term, f"{self.prefix}:{spec.rdf.term}",
                        datatype, language)

    def _check_unique_terms(self) -> None:
        iris = [*self.class_iri.values(), *self.relation_iri.values(),
                *(t.iri for t in self.node_terms.values()),
                *(t.iri for t in self.edge_terms.values()), self.quote_iri,
                *(self.ns + t for t in ONTOLOGY_TERMS), *self.backing.iris]
        clashes = sorted({iri for iri in iris if iris.count(iri) > 1})
        if clashes:
            raise ValueError(f"schema.yaml: RDF terms used twice: {', '.join(clashes)}")

    def expand(self, curie: str) -> str:
        """``prefix:local`` as a full IRI; raises ``ValueError`` for an undeclared prefix."""
        prefix, _, local = curie.partition(":")
        if prefix not in self.prefixes:
            raise ValueError(f"schema.yaml: term {curie!r} uses undeclared prefix {prefix!r}")
        return self.prefixes[prefix] + local

    def curie(self, iri: str) -> str | None:
        """``prefix:local`` for an IRI in a declared namespace, when the local part is simple."""
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and _SIMPLE_LOCAL.match(iri[len(namespace):]):
                return f"{prefix}:{iri[len(namespace):]}"
        return None


@dataclass(frozen=True)
class Period:
    """A node kind's year range as a period resource: ``node link period``, the period's
    start and end taken from these two properties of the node."""

    link: str
    start: DataTerm
    end: DataTerm


@dataclass(frozen=True)
class BackingTerms:
    """The terms of the materialised backing chains (schema.yaml ``ontology.backing``): the
    named graph, the class, a property per field (``fields``: name -> IRI) and one per hop
    position (``hops[n - 1]``: ig:hop{n}, ``hop_quotes[n - 1]``: ig:hopQuote{n})."""

    graph: str
    chain_class: str
    fields: dict[str, str]
    hops: tuple[str, ...]
    hop_quotes: tuple[str, ...]
    patterns: tuple[str, ...]
    spec: dict[str, Any]  # the schema's entry (labels for the ontology)

    FIELDS = ("fund", "lab", "pattern", "inferred", "length", "rank", "pair_rank")

    @classmethod
    def of(cls, vocab: Vocabulary, raw: dict[str, Any]) -> BackingTerms:
        positions = range(1, int(raw["max_hops"]) + 1)
        return cls(f"{vocab.ontology_iri}/{raw['graph']}", vocab.ns + raw["class"]["term"],
                   {name: vocab.ns + raw[name]["term"] for name in cls.FIELDS},
                   tuple(f"{vocab.ns}{raw['hop']['term']}{n}" for n in positions),
                   tuple(f"{vocab.ns}{raw['hop_quote']['term']}{n}" for n in positions),
                   tuple(raw["patterns"]), raw)

    @property
    def iris(self) -> list[str]:
        return [self.chain_class, *self.fields.values(), *self.hops, *self.hop_quotes]


_SIMPLE_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@cache
def _default_vocabulary() -> Vocabulary:
    return Vocabulary(load_schema())


def vocabulary(schema: Schema | None = None) -> Vocabulary:
    """The vocabulary of ``schema`` (the default schema's is built once)."""
    if schema is None or schema is load_schema():
        return _default_vocabulary()
    return Vocabulary(schema)
