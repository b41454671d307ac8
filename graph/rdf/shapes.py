"""SHACL shapes generated from the schema: what a valid export looks like, checked by pyshacl.

- ``ig:{Kind}Shape`` (target: the class) is closed: exactly one ``ig:id`` (an ASCII slug),
  ``ig:subtype`` (one of the kind's subtypes), ``ig:nameZh``@zh and ``ig:nameEn``@en; the
  typed properties the kind may carry, each with its datatype, at most once; the relations it
  may start, each ending at an allowed class; and at least one provenance entry.
- ``ig:StatementShape`` (target: ``rdf:Statement``): subject, predicate (a relation of the
  schema) and object, distinct ends, the edge properties the relation may carry, provenance,
  and the asserted triple it describes.
- Observations (``ig:ObservationShape``): exactly one subject (the inverse of
  ``ig:hasObservation``, and ``sosa:hasFeatureOfInterest``), a metric of the catalogue (the
  ``ig:metric`` name and the ``sosa:observedProperty`` resource), exactly one of the results
  (``ig:value`` or ``ig:changeFactor``), a status of the allowed list; a node with a period
  (observations, sources) has start <= end (a SPARQL check) and its period resource
  (``ig:PeriodShape``); a source has exactly one ``dcterms:issued``, so a source without a
  date is a violation.
- ``ig:DerivationShape`` (target: objects of ``prov:qualifiedDerivation``): one source
  document, one non-empty quote, one position.
- ``ig:BackingChainShape``: the SPARQL store's materialised backing chains (one fund, lab,
  pattern of the query layer's, inferred flag, length, rank; hop 1 and its quote, each later
  hop at most once, an rdf:Statement).
- ``ig:RelationProvenanceShape`` and ``ig:AssertedStatementShape`` (SHACL-SPARQL, with
  SHACL-AF SPARQL targets): every relation triple has its statement with provenance, so no
  edge can lose its source, and every statement's triple is asserted. Validate with
  ``advanced=True`` (``validate`` below does).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from graph.rdf.lists import rdf_list
from graph.rdf.namespaces import (
    RDF_LANG_STRING,
    RDF_STATEMENT,
    DataTerm,
    Vocabulary,
    vocabulary,
)
from graph.schema import NODE_ID_PATTERN, OBSERVATION_KIND, OBSERVATION_RELATION, Schema


class _Builder:
    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.schema = vocab.schema
        self.g = Graph()
        for prefix, namespace in vocab.prefixes.items():
            self.g.bind(prefix, namespace, override=True)
        self.g.bind("sh", SH)
        self.ig = vocab.ns
        prov = {key: URIRef(iri) for key, iri in vocab.provenance.items()}
        self.derived_from, self.qualified = prov["derived_from"], prov["qualified"]
        self.entity, self.position, self.has_format = (prov["entity"], prov["position"],
                                                       prov["has_format"])
        self._blank = 0

    def bnode(self) -> BNode:
        """A blank node labelled by build order: the same bytes in every process."""
        self._blank += 1
        return BNode(f"s{self._blank}")

    def shape(self, local: str) -> URIRef:
        return URIRef(self.ig + local)

    def list_of(self, items: Iterable) -> BNode | URIRef:
        return rdf_list(self.g, items, self.bnode)

    def property(self, node_shape: URIRef, path: URIRef, **constraints) -> BNode:
        g = self.g
        p = self.bnode()
        g.add((node_shape, SH.property, p))
        g.add((p, SH.path, path))
        for key, value in constraints.items():
            g.add((p, SH[key], value))
        return p

    def literal_constraints(self, term: DataTerm) -> dict:
        if term.datatype:
            return {"datatype": URIRef(term.datatype)}
        if term.language:
            return {"datatype": URIRef(RDF_LANG_STRING),
                    "languageIn": self.list_of([Literal(term.language)]), "minLength": Literal(1)}
        # xsd:string or rdf:langString; sh:or of the two datatypes is ten times slower in pyshacl
        return {"nodeKind": SH.Literal, "minLength": Literal(1)}

    def _anonymous(self, **constraints) -> BNode:
        node = self.bnode()
        for key, value in constraints.items():
            self.g.add((node, SH[key], URIRef(value) if key == "datatype" else value))
        return node

    def data_property(self, node_shape: URIRef, term: DataTerm, required: bool = False) -> None:
        constraints = self.literal_constraints(term)
        # the metric is a key of the catalogue; other strings may list their values
        allowed = tuple(self.schema.metrics) if term.name == "metric" else term.spec.values
        if allowed:
            constraints["in"] = self.list_of(Literal(v) for v in allowed)
        if not term.many:
            constraints["maxCount"] = Literal(1)
        if required:
            constraints["minCount"] = Literal(1)
        p = self.property(node_shape, URIRef(term.iri), **constraints)
        self.g.add((p, SH.name, Literal(term.name)))

    def provenance(self, node_shape: URIRef) -> None:
        self.property(node_shape, self.qualified, minCount=Literal(1), nodeKind=SH.IRI,
                      node=self.shape("DerivationShape"))
        self.property(node_shape, self.derived_from, minCount=Literal(1), nodeKind=SH.IRI)

    def class_constraint(self, kinds: tuple[str, ...]) -> dict:
        classes = [URIRef(self.vocab.class_iri[k]) for k in kinds]
        if len(classes) == 1:
            return {"class": classes[0]}
        # "an instance of one of these classes": one of its types is in the list (much faster
        # in pyshacl than sh:or over sh:class; node classes have no subclasses to follow)
        typed = self.bnode()
        self.g.add((typed, SH.path, RDF.type))
        one_of = self._anonymous(**{"in": self.list_of(classes)})
        self.g.add((typed, SH.qualifiedValueShape, one_of))
        self.g.add((typed, SH.qualifiedMinCount, Literal(1)))
        return {"node": self._anonymous(property=typed)}

    def node_shapes(self) -> None:
        g, vocab, schema = self.g, self.vocab, self.schema
        core = vocab.node_terms
        for kind in schema.node_kinds.values():
            s = self.shape(f"{kind.rdf.term}Shape")
            g.add((s, RDF.type, SH.NodeShape))
            g.add((s, SH.targetClass, URIRef(vocab.class_iri[kind.name])))
            g.add((s, SH.closed, Literal(True)))
            g.add((s, SH.ignoredProperties, self.list_of([RDF.type, RDFS.label])))
            id_shape = self.property(s, URIRef(core["id"].iri), minCount=Literal(1),
                                     maxCount=Literal(1), datatype=XSD.string,
                                     pattern=Literal(NODE_ID_PATTERN.pattern))
            g.add((id_shape, SH.name, Literal("id")))
            self.property(s, URIRef(core["subtype"].iri), minCount=Literal(1),
                          maxCount=Literal(1), datatype=XSD.string,
                          **{"in": self.list_of(Literal(t) for t in kind.subtypes)})
            for spec in schema.properties_of_kind(kind.name):
                term = core.get(spec.name)
                if term is None or spec.name in ("id", "subtype"):
                    continue  # `kind` is rdf:type
                self.data_property(s, term, required=spec.required)
            for rel in schema.relation_kinds.values():
                if kind.name in rel.from_kinds:
                    p = self.property(s, URIRef(vocab.relation_iri[rel.name]), nodeKind=SH.IRI,
                                      **self.class_constraint(rel.to_kinds))
                    g.add((p, SH.message, Literal(
                        f"{rel.name} from a {kind.name} must end at a "
                        f"{' or '.join(rel.to_kinds)}")))
            if kind.name == "Source":
                self.property(s, self.has_format, maxCount=Literal(1), nodeKind=SH.IRI)
                self.issued(s)
            if kind.name == OBSERVATION_KIND:
                self.observation(s)
            if kind.name in vocab.periods:
                self.period(s, kind.name)
            self.provenance(s)

    def exactly_one(self, node_shape: URIRef, path: URIRef | BNode, message: str,
                    **constraints) -> None:
        p = self.property(node_shape, path, minCount=Literal(1), maxCount=Literal(1),
                          **constraints)
        self.g.add((p, SH.message, Literal(message)))

    def observation(self, s: URIRef) -> None:
        g, vocab = self.g, self.vocab
        inverse = self._anonymous(inversePath=URIRef(vocab.relation_iri[OBSERVATION_RELATION]))
        self.exactly_one(s, inverse, "an observation is about exactly one subject "
                         "(one ig:hasObservation to it)")
        self.exactly_one(s, URIRef(vocab.feature_of_interest),
                         "an observation has exactly one feature of interest: its subject",
                         nodeKind=SH.IRI)
        self.exactly_one(s, URIRef(vocab.observed_property),
                         "an observation observes exactly one metric of the catalogue",
                         **{"in": self.list_of(URIRef(vocab.metric_iri(m))
                                               for m in self.schema.metrics)})
        one_of = [self._anonymous(property=self._anonymous(
            path=URIRef(vocab.node_terms[r].iri), minCount=Literal(1))) for r in vocab.results]
        g.add((s, SH.xone, self.list_of(one_of)))

    def period(self, s: URIRef, kind: str) -> None:
        period = self.vocab.periods[kind]
        self.exactly_one(s, URIRef(period.link), f"a {kind} has exactly one period",
                         nodeKind=SH.IRI, node=self.shape("PeriodShape"))

    def period_order(self, local: str, start: str, end: str, what: str) -> None:
        """start <= end as a SPARQL check, not sh:lessThanOrEquals: rdflib gives xsd:gYear
        literals no value, so pyshacl cannot order them (it fails or passes at random); the
        years compare as integers in every engine."""
        year = "<http://www.w3.org/2001/XMLSchema#integer>"
        reversed_ = (f"?this <{start}> ?value ; <{end}> ?end . BIND (<{start}> AS ?path) "
                     f"FILTER ({year}(STR(?value)) > {year}(STR(?end)))")
        self.sparql_check(local, reversed_, reversed_, f"{what} starts after it ends")

    def period_orders(self) -> None:
        vocab = self.vocab
        for kind, period in vocab.periods.items():
            self.period_order(f"{vocab.class_iri[kind].rsplit('#', 1)[-1]}PeriodOrderShape",
                              period.start.iri, period.end.iri,
                              f"the period of a {kind} ({period.start.name}..{period.end.name})")
        self.period_order("PeriodOrderShape", vocab.period_start, vocab.period_end, "a period")

    def period_shape(self) -> None:
        g, vocab = self.g, self.vocab
        s = self.shape("PeriodShape")
        g.add((s, RDF.type, SH.NodeShape))
        g.add((s, SH.closed, Literal(True)))
        g.add((s, SH.ignoredProperties, self.list_of([RDF.type])))
        for c in vocab.period_classes:
            self.property(s, RDF.type, hasValue=URIRef(c))
        self.exactly_one(s, URIRef(vocab.period_start), "a period has one start year",
                         datatype=XSD.gYear)
        self.exactly_one(s, URIRef(vocab.period_end), "a period has one end year",
                         datatype=XSD.gYear)

    def issued(self, s: URIRef) -> None:
        """``dcterms:issued``: one date or year, whichever the source gives most precisely."""
        vocab = self.vocab
        options = [self._anonymous(datatype=t.datatype) for t in vocab.issued_from]
        self.exactly_one(s, URIRef(vocab.issued), "a source has exactly one publication date "
                         "or year (dcterms:issued)", **{"or": self.list_of(options)})

    def statement_shape(self) -> None:
        g, vocab, schema = self.g, self.vocab, self.schema
        s = self.shape("StatementShape")
        g.add((s, RDF.type, SH.NodeShape))
        g.add((s, SH.targetClass, URIRef(RDF_STATEMENT)))
        g.add((s, SH.closed, Literal(True)))
        g.add((s, SH.ignoredProperties, self.list_of([RDF.type])))
        self.property(s, RDF.subject, minCount=Literal(1), maxCount=Literal(1),
                      nodeKind=SH.IRI, disjoint=RDF.object)
        relations = [URIRef(vocab.relation_iri[r]) for r in schema.relation_kinds]
        self.property(s, RDF.predicate, minCount=Literal(1), maxCount=Literal(1),
                      **{"in": self.list_of(relations)})
        self.property(s, RDF.object, minCount=Literal(1), maxCount=Literal(1), nodeKind=SH.IRI)
        for term in vocab.edge_terms.values():
            self.data_property(s, term)
            if term.spec.domain:  # the property only on statements of the allowed relations
                absent = self._anonymous(path=URIRef(term.iri), maxCount=Literal(0))
                allowed = self._anonymous(path=RDF.predicate, **{"in": self.list_of(
                    URIRef(vocab.relation_iri[r]) for r in term.spec.domain)})
                g.add((s, SH["or"], self.list_of([absent, allowed])))
        self.provenance(s)

    def derivation_shape(self) -> None:
        g = self.g
        s = self.shape("DerivationShape")
        g.add((s, RDF.type, SH.NodeShape))
        g.add((s, SH.targetObjectsOf, self.qualified))
        g.add((s, SH.closed, Literal(True)))
        g.add((s, SH.ignoredProperties, self.list_of([RDF.type])))
        self.property(s, self.entity, minCount=Literal(1), maxCount=Literal(1), nodeKind=SH.IRI)
        quote = self.property(s, URIRef(self.vocab.quote_iri), minCount=Literal(1),
                              maxCount=Literal(1), minLength=Literal(1), nodeKind=SH.Literal)
        g.add((quote, SH.name, Literal("quote")))
        self.property(s, self.position, minCount=Literal(1), maxCount=Literal(1),
                      datatype=XSD.integer, minInclusive=Literal(1))

    def backing_chain_shape(self) -> None:
        """``ig:BackingChainShape``: the SPARQL store's materialised backing chains
        (``queries/sparql_inferences.py``; validate them with the export, whose funds, labs
        and statements they name)."""
        g, terms = self.g, self.vocab.backing
        fields = {name: URIRef(iri) for name, iri in terms.fields.items()}
        s = self.shape("BackingChainShape")
        g.add((s, RDF.type, SH.NodeShape))
        g.add((s, SH.targetClass, URIRef(terms.chain_class)))
        g.add((s, SH.closed, Literal(True)))
        g.add((s, SH.ignoredProperties, self.list_of([RDF.type])))
        for name in ("fund", "lab"):
            self.exactly_one(s, fields[name], f"a backing chain has one {name}",
                             nodeKind=SH.IRI, **{"class": URIRef(self.vocab.class_iri[
                                 "Fund" if name == "fund" else "Lab"])})
        self.exactly_one(s, fields["pattern"], "a backing chain has one pattern of the "
                         "query layer's", datatype=XSD.string,
                         **{"in": self.list_of(Literal(p) for p in terms.patterns)})
        self.exactly_one(s, fields["inferred"], "a backing chain is inferred or not",
                         datatype=XSD.boolean)
        self.exactly_one(s, fields["length"], "a backing chain has a length in hops",
                         datatype=XSD.integer, minInclusive=Literal(1),
                         maxInclusive=Literal(len(terms.hops)))
        for name in ("rank", "pair_rank"):
            self.exactly_one(s, fields[name], f"a backing chain has a {name.replace('_', ' ')} "
                             "in its fund's answer", datatype=XSD.integer,
                             minInclusive=Literal(1))
        for n, (hop, quote) in enumerate(zip(terms.hops, terms.hop_quotes, strict=True),
                                         start=1):
            required = {"minCount": Literal(1)} if n == 1 else {}
            self.property(s, URIRef(hop), maxCount=Literal(1), nodeKind=SH.IRI,
                          **{"class": URIRef(RDF_STATEMENT)}, **required)
            self.property(s, URIRef(quote), maxCount=Literal(1), nodeKind=SH.Literal,
                          minLength=Literal(1), **required)

    def sparql_check(self, local: str, offenders: str, report: str, message: str) -> None:
        """A shape whose SHACL-AF SPARQL target selects only the offending nodes, so pyshacl
        runs one query over the graph instead of one per node (it re-parses each)."""
        g = self.g
        s = self.shape(local)
        g.add((s, RDF.type, SH.NodeShape))
        target = self.bnode()
        g.add((s, SH.target, target))
        g.add((target, RDF.type, SH.SPARQLTarget))
        g.add((target, SH.select, Literal(f"SELECT ?this WHERE {{ {offenders} }}")))
        self.prefixes(target)
        constraint = self.bnode()
        g.add((s, SH.sparql, constraint))
        g.add((constraint, SH.message, Literal(message)))
        g.add((constraint, SH.select, Literal(
            f"SELECT $this ?path ?value WHERE {{ {report.replace('?this', '$this')} }}")))
        self.prefixes(constraint)

    def relation_checks(self) -> None:
        # One UNION branch per relation: rdflib matches a bound predicate by index, where
        # "?this ?path ?value FILTER (?path IN (...))" scans every triple.
        branches = " UNION ".join(
            f"{{ ?this <{iri}> ?value BIND (<{iri}> AS ?path) }}"
            for iri in (self.vocab.relation_iri[r] for r in self.schema.relation_kinds))
        unbacked = (f"{branches} FILTER NOT EXISTS {{ ?st rdf:subject ?this ; "
                    "rdf:predicate ?path ; rdf:object ?value ; prov:qualifiedDerivation ?d }")
        self.sparql_check("RelationProvenanceShape", unbacked, unbacked,
                          "relation {?path} to {?value} has no rdf:Statement with provenance")
        unasserted = ("?this rdf:subject ?s ; rdf:predicate ?path ; rdf:object ?value . "
                      "FILTER NOT EXISTS { ?s ?path ?value }")
        self.sparql_check("AssertedStatementShape", unasserted, unasserted,
                          "the statement's triple ({?path} {?value}) is not asserted")

    def prefixes(self, constraint: BNode) -> None:
        """Declare the prefixes SPARQL constraints use (``sh:prefixes``, SHACL 5.2.1)."""
        g = self.g
        declarations = self.shape("Prefixes")
        g.add((constraint, SH.prefixes, declarations))
        if (declarations, None, None) in g:
            return
        for prefix, namespace in (("rdf", str(RDF)), ("prov", self.vocab.prefixes["prov"])):
            d = self.bnode()
            g.add((declarations, SH.declare, d))
            g.add((d, SH.prefix, Literal(prefix)))
            g.add((d, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))

    def build(self) -> Graph:
        self.node_shapes()
        self.statement_shape()
        self.derivation_shape()
        self.period_shape()
        self.period_orders()
        self.relation_checks()
        self.backing_chain_shape()
        return self.g


def build_shapes(schema: Schema | None = None) -> Graph:
    """The SHACL shapes graph as an rdflib ``Graph``."""
    return _Builder(vocabulary(schema)).build()


def validate(data: Graph, shapes: Graph | None = None) -> tuple[bool, Graph, str]:
    """Run pyshacl over ``data``: ``(conforms, results graph, results text)``."""
    from pyshacl import validate as shacl_validate

    return shacl_validate(data, shacl_graph=shapes or build_shapes(), inference="none",
                          advanced=True, allow_warnings=False)
