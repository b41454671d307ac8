"""The ontology and the JSON-LD context: generated from the schema, complete, aligned with the
established vocabularies, self-contained."""

from __future__ import annotations

import json

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from graph.rdf.context import CONTEXT_PATH, context_document, context_text
from graph.rdf.namespaces import vocabulary
from graph.rdf.ontology import build_ontology
from graph.schema import load_schema

SCHEMA = load_schema()
VOCAB = vocabulary()
ONTOLOGY = build_ontology()


def labels(subject: URIRef, predicate: URIRef = RDFS.label) -> dict[str, str]:
    return {o.language: str(o) for o in ONTOLOGY.objects(subject, predicate)
            if isinstance(o, Literal)}


def class_members(expression: URIRef | BNode) -> set[URIRef]:
    """The classes of a class or of an owl:unionOf."""
    if isinstance(expression, URIRef):
        return {expression}
    return set(Collection(ONTOLOGY, ONTOLOGY.value(expression, OWL.unionOf)))


def test_a_class_per_node_kind_with_labels_comments_and_alignment() -> None:
    for kind in SCHEMA.node_kinds.values():
        c = URIRef(VOCAB.class_iri[kind.name])
        assert (c, RDF.type, OWL.Class) in ONTOLOGY
        assert labels(c) == {"zh": kind.zh, "en": kind.en}
        comments = labels(c, RDFS.comment)
        assert kind.description_zh in comments["zh"] and kind.description_en in comments["en"]
        parents = set(ONTOLOGY.objects(c, RDFS.subClassOf))
        assert parents == {URIRef(VOCAB.expand(a)) for a in kind.rdf.align}
    disjoint = ONTOLOGY.value(predicate=RDF.type, object=OWL.AllDisjointClasses)
    members = set(Collection(ONTOLOGY, ONTOLOGY.value(disjoint, OWL.members)))
    assert members == {URIRef(i) for i in VOCAB.class_iri.values()}


def test_an_object_property_per_relation_with_domain_range_and_alignment() -> None:
    for rel in SCHEMA.all_relation_kinds.values():
        p = URIRef(VOCAB.relation_iri[rel.name])
        assert (p, RDF.type, OWL.ObjectProperty) in ONTOLOGY
        assert ((p, RDF.type, OWL.SymmetricProperty) in ONTOLOGY) == rel.symmetric
        assert labels(p) == {"zh": rel.zh, "en": rel.en}
        assert set(labels(p, RDFS.comment)) == {"zh", "en"}
        domain = class_members(ONTOLOGY.value(p, RDFS.domain))
        assert domain == {URIRef(VOCAB.class_iri[k]) for k in rel.from_kinds}
        assert class_members(ONTOLOGY.value(p, RDFS.range)) == {
            URIRef(VOCAB.class_iri[k]) for k in rel.to_kinds}
        parents = set(ONTOLOGY.objects(p, RDFS.subPropertyOf))
        named = {x for x in parents if isinstance(x, URIRef)}
        inverses = {ONTOLOGY.value(x, OWL.inverseOf) for x in parents if isinstance(x, BNode)}
        assert named == {URIRef(VOCAB.expand(a)) for a in rel.rdf.align}
        assert inverses == {URIRef(VOCAB.expand(a)) for a in rel.rdf.inverse_align}


def test_inverse_alignment_example() -> None:
    """EVOLVED_INTO points from old to new; prov:wasRevisionOf from new to old."""
    produced = URIRef(VOCAB.relation_iri["EVOLVED_INTO"])
    (inverse,) = [x for x in ONTOLOGY.objects(produced, RDFS.subPropertyOf)
                  if isinstance(x, BNode)]
    assert ONTOLOGY.value(inverse, OWL.inverseOf) == URIRef(VOCAB.expand("prov:wasRevisionOf"))


@pytest.mark.parametrize("term_set", ["node", "edge"])
def test_a_data_property_per_property_with_range_unit_and_labels(term_set: str) -> None:
    terms = VOCAB.node_terms if term_set == "node" else VOCAB.edge_terms
    for term in terms.values():
        p = URIRef(term.iri)
        types = set(ONTOLOGY.objects(p, RDF.type))
        assert types & {OWL.DatatypeProperty, OWL.AnnotationProperty}, term.name
        assert labels(p) == {"zh": term.spec.zh, "en": term.spec.en}
        owl2 = term.datatype not in (str(XSD.gYear), str(XSD.date))  # not OWL 2 datatypes
        expected_range = (URIRef(term.datatype) if term.datatype and owl2 else RDF.langString
                          if term.language else RDFS.Literal)
        assert ONTOLOGY.value(p, RDFS.range) == expected_range, term.name
        unit = ONTOLOGY.value(p, URIRef(VOCAB.ns + "unit"))
        assert (unit is not None) == (term.spec.unit is not None), term.name
        if unit is not None:
            assert labels(unit)["zh"] == SCHEMA.units[term.spec.unit]["zh"]
        if term_set == "edge":  # on rdf:Statements, which OWL 2 DL reserves: no domain
            assert ONTOLOGY.value(p, RDFS.domain) is None
        for parent in term.spec.rdf.align:
            assert (p, RDFS.subPropertyOf, URIRef(VOCAB.expand(parent))) in ONTOLOGY


def test_year_date_and_amount_ranges() -> None:
    """xsd:gYear and xsd:date are outside OWL 2's datatype map: rdfs:Literal (SHACL checks
    the datatype); xsd:decimal is in it."""
    for term in VOCAB.node_terms.values():
        if term.spec.type in ("year", "date"):
            assert ONTOLOGY.value(URIRef(term.iri), RDFS.range) == RDFS.Literal, term.name
        if term.spec.type == "decimal":
            assert ONTOLOGY.value(URIRef(term.iri), RDFS.range) == XSD.decimal, term.name


def test_no_orphan_blank_nodes() -> None:
    """Every blank node but the disjointness axiom is used by something (no class expression
    built and then dropped)."""
    used = {o for o in ONTOLOGY.objects() if isinstance(o, BNode)}
    roots = {s for s in ONTOLOGY.subjects() if isinstance(s, BNode)} - used
    assert {ONTOLOGY.value(r, RDF.type) for r in roots} == {OWL.AllDisjointClasses}
    assert len(roots) == 1


def test_every_term_of_another_vocabulary_is_declared_inline() -> None:
    own = (VOCAB.ns, str(RDF), str(RDFS), str(OWL), str(XSD))
    used = {t for triple in ONTOLOGY for t in triple
            if isinstance(t, URIRef) and not str(t).startswith(own)
            and str(t) not in VOCAB.prefixes.values() and str(t) != VOCAB.ontology_iri}
    assert any(str(t).startswith("https://schema.org/") for t in used)
    for term in used:
        assert ONTOLOGY.value(term, RDF.type) in (OWL.Class, OWL.ObjectProperty,
                                                  OWL.DatatypeProperty,
                                                  OWL.AnnotationProperty), term
        assert ONTOLOGY.value(term, RDFS.isDefinedBy) is not None, term
        assert labels(term).get("en"), term


def test_annotation_properties_keep_owl_dl_domains() -> None:
    """OWL 2 DL allows only an IRI as the domain of an annotation property."""
    for p in ONTOLOGY.subjects(RDF.type, OWL.AnnotationProperty):
        for domain in ONTOLOGY.objects(p, RDFS.domain):
            assert isinstance(domain, URIRef), p


@pytest.mark.parametrize("fmt", ["turtle", "xml", "json-ld", "nt"])
def test_the_ontology_survives_every_format(fmt: str) -> None:
    # Same size and same ground triples (full isomorphism over the many blank nodes of the
    # unions and lists takes rdflib minutes).
    parsed = Graph().parse(data=ONTOLOGY.serialize(format=fmt), format=fmt)

    def ground(g: Graph) -> set:
        return {t for t in g if not any(isinstance(x, BNode) for x in t)}

    assert len(parsed) == len(ONTOLOGY)
    assert ground(parsed) == ground(ONTOLOGY)


def test_the_shipped_context_is_up_to_date() -> None:
    assert CONTEXT_PATH.read_text(encoding="utf-8") == context_text(), (
        "graph/rdf/context.jsonld is stale: run python -m graph.rdf.context")


def test_the_context_names_every_vocabulary_term() -> None:
    context = context_document()["@context"]
    assert context["nameZh"] == {"@id": f"{VOCAB.prefix}:nameZh", "@language": "zh"}
    assert context["funds"] == {"@id": f"{VOCAB.prefix}:funds", "@type": "@id"}
    assert context["value"] == {"@id": f"{VOCAB.prefix}:value", "@type": "xsd:decimal"}
    assert context["periodStart"] == {"@id": f"{VOCAB.prefix}:periodStart",
                                      "@type": "xsd:gYear"}
    named = {v["@id"] if isinstance(v, dict) else v for v in context.values()}
    for iri in [*VOCAB.class_iri.values(), *VOCAB.relation_iri.values(),
                *(t.iri for t in VOCAB.node_terms.values()),
                *(t.iri for t in VOCAB.edge_terms.values())]:
        assert VOCAB.curie(iri) in named, iri
    json.dumps(context)  # plain JSON
