"""The innograph ontology (RDFS/OWL 2), generated from the schema with rdflib.

- A class per node kind, pairwise disjoint, subclass of the established classes the schema
  aligns it with (``rdf.align``); labels and comments in Chinese and English.
- An object property per relation kind with domain and range (a class, or the union of the
  allowed kinds), ``rdfs:subPropertyOf`` its aligned terms, and for ``rdf.inverse_align`` a
  sub-property of the *inverse* of the term (``rdfs:subPropertyOf [ owl:inverseOf t ]``).
- A data property per node and edge property with its range and unit (``ig:unit``). Years and
  dates have range ``rdfs:Literal``: ``xsd:gYear`` and ``xsd:date`` are not in the OWL 2
  datatype map (the SHACL shapes check them). Edge properties have no ``rdfs:domain``: they
  are on ``rdf:Statement``s, and OWL 2 DL reserves ``rdf:Statement`` (the shapes check that too).
- Observations read in SOSA/SSN: the metric catalogue as individuals ``ig:metric/{name}``
  (``sosa:ObservableProperty``, ``skos:Concept``, labels and aliases), and the SOSA, OWL-Time,
  DCAT and DCTERMS terms the export states about observations, periods and sources.
- The materialised backing chains (``ig:BackingChain`` and its properties), which the SPARQL
  store states in a named graph of their own (``queries/sparql_inferences.py``).
- Terms of other vocabularies are declared inline (type, label, ``rdfs:isDefinedBy``): the
  ontology is complete without fetching schema.org, ORG, FOAF, PROV-O, DCTERMS, SKOS, FRAPO
  or VIVO.

Data properties aligned with annotation properties (``rdfs:label``, ``skos:prefLabel``,
``dcterms:title``, ...) are annotation properties themselves, which keeps the ontology within
OWL 2 DL (``tests/test_rdf_engines.py`` checks the profile with ROBOT and consistency with
HermiT). Blank nodes get labels from their place in the build, so the output is the same
bytes in every process.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from graph.rdf.lists import rdf_list
from graph.rdf.namespaces import (
    RDF_LANG_STRING,
    DataTerm,
    Vocabulary,
    has_chinese,
    vocabulary,
)
from graph.schema import Schema

DCTERMS_TITLE = "http://purl.org/dc/terms/title"
ANNOTATION_PROPERTIES = {str(RDFS.label), str(RDFS.comment), str(SKOS.prefLabel),
                         str(SKOS.altLabel), DCTERMS_TITLE}
# not in the OWL 2 datatype map: such properties get range rdfs:Literal
NOT_OWL2_DATATYPES = {str(XSD.gYear), str(XSD.date)}
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))
TYPE_LABELS = {"string": ("字符串", "string"), "text": ("文本", "text"),
               "integer": ("整数", "integer"), "decimal": ("小数", "decimal number"),
               "boolean": ("布尔值", "true or false"), "date": ("日期", "date"),
               "year": ("年份", "year"), "string_list": ("字符串列表", "list of strings")}


def _zh_en(g: Graph, subject: URIRef, predicate: URIRef, zh: str, en: str) -> None:
    g.add((subject, predicate, Literal(zh, lang="zh")))
    g.add((subject, predicate, Literal(en, lang="en")))


def _humanise(local: str) -> str:
    """``FundingScheme`` -> ``funding scheme`` (labels for declared external terms)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()


class _Builder:
    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.schema: Schema = vocab.schema
        self.g = Graph()
        for prefix, namespace in vocab.prefixes.items():
            self.g.bind(prefix, namespace, override=True)
        self.ontology = URIRef(vocab.ontology_iri)
        self.external: dict[URIRef, URIRef] = {}  # external term -> its OWL type
        self._blank = 0

    def bnode(self) -> BNode:
        """A blank node labelled by build order (deterministic, unlike ``BNode()``)."""
        self._blank += 1
        return BNode(f"o{self._blank}")

    def list_of(self, items: list) -> BNode | URIRef:
        return rdf_list(self.g, items, self.bnode)

    def uri(self, curie_or_iri: str) -> URIRef:
        if "://" in curie_or_iri:
            return URIRef(curie_or_iri)
        return URIRef(self.vocab.expand(curie_or_iri))

    def use(self, term: URIRef, owl_type: URIRef) -> URIRef:
        """Note an external term so it gets declared; built-in RDF/OWL terms are not."""
        if not str(term).startswith((self.vocab.ns, *BUILT_IN)):
            self.external.setdefault(term, owl_type)
        return term

    def class_expression(self, kinds: tuple[str, ...]) -> URIRef | BNode:
        classes = [URIRef(self.vocab.class_iri[k]) for k in kinds]
        if len(classes) == 1:
            return classes[0]
        union = self.bnode()
        self.g.add((union, RDF.type, OWL.Class))
        self.g.add((union, OWL.unionOf, self.list_of(classes)))
        return union

    def header(self) -> None:
        g, o = self.g, self.ontology
        g.add((o, RDF.type, OWL.Ontology))
        _zh_en(g, o, self.uri("dcterms:title"), "长春创新生态知识图谱本体",
               "innograph ontology: Changchun's innovation ecosystem")
        _zh_en(g, o, RDFS.comment,
               "由 graph/schema.yaml 生成：节点类别、关系类别、属性及其与通用词表的对齐。",
               "Generated from graph/schema.yaml: node kinds, relation kinds, properties and "
               "their alignment with established vocabularies. Edges are rdf:Statements; "
               "provenance is PROV-O qualified derivation (see docs/rdf.md).")
        g.add((o, OWL.versionInfo, Literal(str(self.schema.version))))
        self.use(self.uri("dcterms:title"), OWL.AnnotationProperty)

    def classes(self) -> None:
        g = self.g
        for kind in self.schema.node_kinds.values():
            c = URIRef(self.vocab.class_iri[kind.name])
            g.add((c, RDF.type, OWL.Class))
            g.add((c, RDFS.isDefinedBy, self.ontology))
            _zh_en(g, c, RDFS.label, kind.zh, kind.en)
            _zh_en(g, c, RDFS.comment,
                   f"{kind.description_zh}。子类（ig:subtype）：{'、'.join(kind.subtypes)}。",
                   f"{kind.description_en} Subtypes (ig:subtype): {', '.join(kind.subtypes)}.")
            for parent in kind.rdf.align:
                g.add((c, RDFS.subClassOf, self.use(self.uri(parent), OWL.Class)))
        disjoint = self.bnode()
        g.add((disjoint, RDF.type, OWL.AllDisjointClasses))
        g.add((disjoint, OWL.members,
               self.list_of([URIRef(i) for i in self.vocab.class_iri.values()])))

    def relations(self) -> None:
        g = self.g
        for rel in self.schema.all_relation_kinds.values():
            p = URIRef(self.vocab.relation_iri[rel.name])
            g.add((p, RDF.type, OWL.ObjectProperty))
            if rel.symmetric:
                g.add((p, RDF.type, OWL.SymmetricProperty))
            g.add((p, RDFS.isDefinedBy, self.ontology))
            _zh_en(g, p, RDFS.label, rel.zh, rel.en)
            note_zh = note_en = ""
            if rel.derived:
                note_zh = "由出处推导，不写入数据文件，也不写入导出；对应 prov:wasDerivedFrom。"
                note_en = (" Derived from provenance: neither written in data files nor "
                           "exported; the export states it as prov:wasDerivedFrom.")
            _zh_en(g, p, RDFS.comment, rel.description_zh + note_zh,
                   f"{rel.description_en}{note_en} Schema relation {rel.name}.")
            g.add((p, RDFS.domain, self.class_expression(rel.from_kinds)))
            g.add((p, RDFS.range, self.class_expression(rel.to_kinds)))
            for parent in rel.rdf.align:
                g.add((p, RDFS.subPropertyOf, self.use(self.uri(parent), OWL.ObjectProperty)))
            for inverse_parent in rel.rdf.inverse_align:
                inverse = self.bnode()
                g.add((inverse, OWL.inverseOf,
                       self.use(self.uri(inverse_parent), OWL.ObjectProperty)))
                g.add((p, RDFS.subPropertyOf, inverse))

    def data_property(self, term: DataTerm, domain: tuple[str, ...] | None) -> None:
        """``domain``: the node kinds that may carry it; None for an edge property."""
        g, spec = self.g, term.spec
        p = URIRef(term.iri)
        annotation = any(str(self.uri(a)) in ANNOTATION_PROPERTIES for a in spec.rdf.align)
        g.add((p, RDF.type, OWL.AnnotationProperty if annotation else OWL.DatatypeProperty))
        if not annotation and not term.many:
            g.add((p, RDF.type, OWL.FunctionalProperty))
        g.add((p, RDFS.isDefinedBy, self.ontology))
        _zh_en(g, p, RDFS.label, spec.zh, spec.en)
        type_zh, type_en = TYPE_LABELS[spec.type]
        unit_zh = unit_en = ""
        if spec.unit:
            unit = self.schema.units[spec.unit]
            unit_zh, unit_en = f"，单位：{unit['zh']}", f", unit: {unit['en']}"
            g.add((p, self.unit_property, self.unit_iri(spec.unit)))
        language = {"zh": "（中文）", "en": "（英文）"}.get(term.language or "", "")
        _zh_en(g, p, RDFS.comment, f"{spec.zh}{language}（{type_zh}{unit_zh}）。",
               f"{spec.en} ({type_en}{unit_en}). Schema property {spec.name}.")
        # OWL 2 DL: an annotation property's domain is an IRI, never a union (built only if used)
        if domain is not None and not (annotation and len(domain) > 1):
            g.add((p, RDFS.domain, self.class_expression(domain)))
        if term.datatype in NOT_OWL2_DATATYPES:
            g.add((p, RDFS.range, RDFS.Literal))
        elif term.datatype:
            g.add((p, RDFS.range, URIRef(term.datatype)))
        elif term.language:
            g.add((p, RDFS.range, URIRef(RDF_LANG_STRING)))
        else:
            g.add((p, RDFS.range, RDFS.Literal))
        kind = OWL.AnnotationProperty if annotation else OWL.DatatypeProperty
        for parent in spec.rdf.align:
            parent_iri = self.uri(parent)
            parent_kind = (OWL.AnnotationProperty if str(parent_iri) in ANNOTATION_PROPERTIES
                           else kind)
            g.add((p, RDFS.subPropertyOf, self.use(parent_iri, parent_kind)))

    @property
    def unit_property(self) -> URIRef:
        return URIRef(self.vocab.ns + "unit")

    def unit_iri(self, code: str) -> URIRef:
        return URIRef(self.vocab.ns + "unit" + "".join(p[:1].upper() + p[1:]
                                                       for p in code.split("_")))

    def units(self) -> None:
        g = self.g
        unit_class = URIRef(self.vocab.ns + "Unit")
        g.add((unit_class, RDF.type, OWL.Class))
        g.add((unit_class, RDFS.isDefinedBy, self.ontology))
        _zh_en(g, unit_class, RDFS.label, "计量单位", "unit of measure")
        g.add((self.unit_property, RDF.type, OWL.AnnotationProperty))
        g.add((self.unit_property, RDFS.isDefinedBy, self.ontology))
        _zh_en(g, self.unit_property, RDFS.label, "单位", "unit")
        _zh_en(g, self.unit_property, RDFS.comment, "数值属性的计量单位。",
               "The unit of a numeric property's values.")
        g.add((self.unit_property, RDFS.range, unit_class))
        notation = self.use(SKOS.notation, OWL.DatatypeProperty)
        for code, names in self.schema.units.items():
            u = self.unit_iri(code)
            g.add((u, RDF.type, OWL.NamedIndividual))
            g.add((u, RDF.type, unit_class))
            g.add((u, RDFS.isDefinedBy, self.ontology))
            _zh_en(g, u, RDFS.label, names["zh"], names["en"])
            g.add((u, notation, Literal(code)))

    def data_properties(self) -> None:
        vocab = self.vocab
        every_kind = tuple(self.schema.node_kinds)
        for term in vocab.node_terms.values():
            self.data_property(term, tuple(term.spec.domain or every_kind))
        for term in vocab.edge_terms.values():
            self.data_property(term, None)

    def provenance(self) -> None:
        """ig:quote, and the PROV-O / DCTERMS / schema.org terms the provenance model uses."""
        g, vocab = self.g, self.vocab
        prov = {key: URIRef(iri) for key, iri in vocab.provenance.items()}
        for key in ("derived_from", "qualified", "entity", "has_format"):
            self.use(prov[key], OWL.ObjectProperty)
        self.use(prov["position"], OWL.DatatypeProperty)
        derivation = self.use(self.uri("prov:Derivation"), OWL.Class)
        quote = URIRef(vocab.quote_iri)
        spec = self.schema.provenance["quote"]
        g.add((quote, RDF.type, OWL.DatatypeProperty))
        g.add((quote, RDF.type, OWL.FunctionalProperty))
        g.add((quote, RDFS.isDefinedBy, self.ontology))
        _zh_en(g, quote, RDFS.label, spec.zh, spec.en)
        _zh_en(g, quote, RDFS.comment, "一条出处（prov:Derivation）所依据的原文引语。",
               "The verbatim quote a provenance entry (a prov:Derivation) rests on; "
               "prov:entity names the source document.")
        g.add((quote, RDFS.domain, derivation))
        g.add((quote, RDFS.range, RDFS.Literal))

    def observations(self) -> None:
        """The metric catalogue, and the terms of the observations' and periods' alignment."""
        g, vocab = self.g, self.vocab
        for iri in (vocab.feature_of_interest, vocab.observed_property,
                    *(p.link for p in vocab.periods.values())):
            self.use(URIRef(iri), OWL.ObjectProperty)
        for iri in (vocab.period_start, vocab.period_end, vocab.issued):
            self.use(URIRef(iri), OWL.DatatypeProperty)
        for iri in vocab.period_classes:
            self.use(URIRef(iri), OWL.Class)
        classes = [self.use(URIRef(c), OWL.Class) for c in vocab.metric_classes]
        pref, alt = (self.use(SKOS.prefLabel, OWL.AnnotationProperty),
                     self.use(SKOS.altLabel, OWL.AnnotationProperty))
        for metric in self.schema.metrics.values():
            m = URIRef(vocab.metric_iri(metric.name))
            g.add((m, RDF.type, OWL.NamedIndividual))
            for c in classes:
                g.add((m, RDF.type, c))
            g.add((m, RDFS.isDefinedBy, self.ontology))
            _zh_en(g, m, RDFS.label, metric.zh, metric.en)
            _zh_en(g, m, pref, metric.zh, metric.en)
            for alias in metric.aliases:
                g.add((m, alt, Literal(alias, lang="zh" if has_chinese(alias) else "en")))
            g.add((m, self.unit_property, self.unit_iri(metric.unit)))
            g.add((m, SKOS.notation, Literal(metric.name)))

    def backing(self) -> None:
        """The materialised backing chains (schema.yaml ``ontology.backing``): in the SPARQL
        store's named graph, not in the export. Every property is functional, on
        ig:BackingChain; hops point at the export's rdf:Statements, which OWL 2 DL does not
        let a range name."""
        g, terms = self.g, self.vocab.backing
        spec = terms.spec
        chain = URIRef(terms.chain_class)
        g.add((chain, RDF.type, OWL.Class))
        g.add((chain, RDFS.isDefinedBy, self.ontology))
        _zh_en(g, chain, RDFS.label, spec["class"]["zh"], spec["class"]["en"])
        g.add((chain, RDFS.comment, Literal(
            "A chain the query layer (queries/backing.py) finds from a fund to a lab, stated "
            f"in the SPARQL store's named graph <{terms.graph}>, rebuilt with each graph "
            "version; not part of the export.", lang="en")))
        ranges = {"fund": URIRef(self.vocab.class_iri["Fund"]),
                  "lab": URIRef(self.vocab.class_iri["Lab"]),
                  "pattern": XSD.string, "inferred": XSD.boolean, "length": XSD.integer,
                  "rank": XSD.integer, "pair_rank": XSD.integer}
        objects = {"fund", "lab"}
        fields = [(URIRef(iri), spec[name]["zh"], spec[name]["en"], name in objects,
                   ranges[name]) for name, iri in terms.fields.items()]
        for n, (hop, quote) in enumerate(zip(terms.hops, terms.hop_quotes, strict=True),
                                         start=1):
            fields += [(URIRef(hop), spec["hop"]["zh"].format(n=n),
                        spec["hop"]["en"].format(n=n), True, None),
                       (URIRef(quote), spec["hop_quote"]["zh"].format(n=n),
                        spec["hop_quote"]["en"].format(n=n), False, RDFS.Literal)]
        for p, zh, en, is_object, range_ in fields:
            g.add((p, RDF.type, OWL.ObjectProperty if is_object else OWL.DatatypeProperty))
            g.add((p, RDF.type, OWL.FunctionalProperty))
            g.add((p, RDFS.isDefinedBy, self.ontology))
            _zh_en(g, p, RDFS.label, zh, en)
            g.add((p, RDFS.domain, chain))
            if range_ is not None:
                g.add((p, RDFS.range, range_))

    def declare_external(self) -> None:
        g = self.g
        namespaces = sorted(self.vocab.prefixes.items(), key=lambda kv: -len(kv[1]))
        for term, owl_type in self.external.items():
            g.add((term, RDF.type, owl_type))
            for _, namespace in namespaces:
                if str(term).startswith(namespace):
                    g.add((term, RDFS.isDefinedBy, URIRef(namespace)))
                    g.add((term, RDFS.label,
                           Literal(_humanise(str(term)[len(namespace):]), lang="en")))
                    break

    def build(self) -> Graph:
        self.header()
        self.classes()
        self.relations()
        self.units()
        self.data_properties()
        self.provenance()
        self.observations()
        self.backing()
        self.declare_external()
        return self.g


# rdflib's names for the export formats (see graph.rdf.export.FORMATS)
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml",
                  "trig": "trig", "nq": "nquads"}
OX_FORMATS = {"xml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}


def serialize(graph: Graph, fmt: str) -> str:
    """An rdflib graph (the ontology, the shapes) in one of the export formats; in TriG and
    N-Quads its triples are in the default graph. The same graph gives the same bytes in
    every process: rdflib's writers follow its store's order, which depends on string
    hashing, so the triples go into a fresh graph sorted, and line-based output is sorted."""
    ordered = Dataset() if fmt in ("trig", "nq") else Graph()
    for prefix, namespace in sorted(graph.namespaces()):
        ordered.bind(prefix, namespace, override=True)
    target = ordered.default_graph if isinstance(ordered, Dataset) else ordered
    for triple in sorted(graph):
        target.add(triple)
    if fmt in ("xml", "jsonld"):  # rdflib's writers here follow hash order whatever we do
        lines = sorted(ordered.serialize(format="nt").splitlines(keepends=True))
        prefixes = {p: str(ns) for p, ns in sorted(graph.namespaces()) if p}
        return ox.serialize(ox.parse("".join(lines), ox.RdfFormat.N_TRIPLES),
                            format=OX_FORMATS[fmt], prefixes=prefixes).decode("utf-8")
    text = ordered.serialize(format=RDFLIB_FORMATS[fmt])
    if fmt in ("nt", "nq"):
        return "".join(sorted(text.splitlines(keepends=True)))
    return text


def build_ontology(schema: Schema | None = None) -> Graph:
    """The ontology as an rdflib ``Graph`` (serialise it in any format rdflib writes)."""
    return _Builder(vocabulary(schema)).build()
