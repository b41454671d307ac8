"""Stream the embedded graph as RDF: Turtle, N-Triples, JSON-LD, RDF/XML, TriG and N-Quads.

The graph is read once, node by node and edge by edge; each becomes a ``Description`` (its
subject blocks plus the source documents it rests on) that a format writer turns into text
straight away, so nothing close to a second copy of the graph is ever held in memory. The
writers are plain string builders (no rdflib on this path): N-Triples runs at well over a
million triples a second. ``bench/rdf_export.py`` checks their output against rdflib's.

Mapping (docs/rdf.md has the full description):

- node ``x`` -> ``{base}id/x``: ``rdf:type`` its class, ``ig:id``, ``ig:subtype``,
  ``ig:nameZh``@zh and ``ig:nameEn``@en (both repeated as ``rdfs:label``), aliases, every
  typed property as a typed literal;
- edge ``(a, REL, b)`` -> the triple ``id:a ig:rel id:b`` plus the ``rdf:Statement``
  ``{base}statement/a.rel.b`` that carries the edge properties and provenance;
- provenance entry ``n`` of a node or statement ``s`` (key ``k``) -> ``s prov:wasDerivedFrom
  doc; prov:qualifiedDerivation p`` and ``p a prov:Derivation; prov:entity doc; ig:quote
  "..."; schema:position n``, where ``p`` is ``{base}provenance/k.{digest of source and
  quote}`` and ``doc`` (``a prov:Entity``) is ``{base}source/{file}``;
- observations and sources also in SOSA/SSN, DCAT and DCTERMS terms (schema.yaml
  ``observations``, ``periods``, ``issued``): an observation's subject
  (``sosa:hasFeatureOfInterest``, stated with the HAS_OBSERVATION edge), its metric
  (``sosa:observedProperty ig:metric/...``), and for both their period: ``{base}period/x``
  ``a time:ProperInterval, dcterms:PeriodOfTime; dcat:startDate; dcat:endDate``.

TriG and N-Quads hold the whole graph in the default graph (the Turtle output), and in the
named graph of each source document what that document supports, standing alone: the nodes
citing it, the edges citing it whose two ends cite it too, each with only that document's
provenance entries.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, Any

import networkx as nx
import pyoxigraph as ox
from tqdm import tqdm

from graph.embedded import CORE_EDGE_ATTRS, CORE_NODE_ATTRS
from graph.rdf.context import context_document, context_terms
from graph.rdf.namespaces import (
    RDF_LANG_STRING,
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_STATEMENT,
    RDF_SUBJECT,
    RDF_TYPE,
    RDFS_LABEL,
    XSD_INTEGER,
    XSD_STRING,
    IriScheme,
    Term,
    Vocabulary,
    nt_term,
    resolve_base,
    text_literal,
    vocabulary,
)
from graph.schema import OBSERVATION_KIND, OBSERVATION_RELATION

CHUNK_CHARS = 1 << 18
Block = tuple[str, list[tuple[str, Term]]]  # a subject and its (predicate, object) pairs


class ExportError(ValueError):
    """The graph holds something the export cannot represent; the message says what and where."""


@dataclass(slots=True)
class Description:
    """One node or edge as RDF: subject blocks, and the documents (named graphs) it rests on.

    ``blocks[0]`` (for an edge, ``blocks[1]``) is the subject's block: its own ``pairs_own``
    pairs, then per provenance entry a ``prov:qualifiedDerivation`` pair, then one
    ``prov:wasDerivedFrom`` pair per document. The entries' own blocks follow, in
    ``entries`` order (their documents); then, for each document not described before, its
    ``rdf:type`` block."""

    blocks: list[Block]
    graphs: list[str]  # the named graphs it goes into (documents that support it)
    entries: list[str]  # the document of each provenance entry, in order
    pairs_own: int
    subject_block: int

    def view(self, document: str) -> list[Block]:
        """The blocks as one document supports them: only its provenance entries."""
        if len(self.entries) == 1 or all(d == document for d in self.entries):
            return [b for b in self.blocks if b[0] != document]
        subject, pairs = self.blocks[self.subject_block]
        n = len(self.entries)
        own = pairs[:self.pairs_own]
        qualified = pairs[self.pairs_own:self.pairs_own + n]
        derived = [p for p in pairs[self.pairs_own + n:] if p[1] == document]
        first = self.subject_block + 1
        entries = self.blocks[first:first + n]
        kept = [i for i, d in enumerate(self.entries) if d == document]
        return [*self.blocks[:self.subject_block],
                (subject, [*own, *(qualified[i] for i in kept), *derived]),
                *(entries[i] for i in kept)]


# -- graph -> descriptions -------------------------------------------------------------------

class Describer:
    """Turns nodes and edges of the embedded graph into ``Description``s."""

    def __init__(self, base: str, vocab: Vocabulary):
        self.iris = IriScheme(base)
        self.vocab = vocab
        prov = vocab.provenance
        self._derived_from, self._qualified = prov["derived_from"], prov["qualified"]
        self._entity, self._position = prov["entity"], prov["position"]
        self._has_format = prov["has_format"]
        self._derivation, self._document_class = prov["derivation"], prov["document"]
        core = vocab.node_terms
        self._id, self._subtype = core["id"], core["subtype"]
        self._name_zh, self._name_en = core["name_zh"], core["name_en"]
        self._alias = core["aliases"]
        self._quote = vocab.quote_iri
        self._documents: dict[str, str] = {}
        self._typed: set[str] = set()  # documents whose rdf:type has been described
        self._statement_namespace = self.iris.namespaces["statement"]

    def _document(self, file: str) -> str:
        iri = self._documents.get(file)
        if iri is None:  # few distinct sources: cache their (percent-encoded) IRIs
            iri = self._documents[file] = self.iris.document(file)
        return iri

    def documents_of(self, provenance: list[dict[str, str]]) -> set[str]:
        return {self._document(entry["source"]) for entry in provenance}

    def _provenance(self, key: str, blocks: list[Block], provenance: list[dict[str, str]],
                    where: str, supported: set[str] | None = None) -> Description:
        """Adds the provenance of ``blocks[-1]`` (the subject) and wraps it up; an edge goes
        into the named graph of a document only where both ends are there too
        (``supported``), so that each graph stands alone."""
        if not provenance:
            raise ExportError(f"{where} has no provenance; every statement needs a source")
        subject_block = len(blocks) - 1
        pairs = blocks[-1][1]
        pairs_own = len(pairs)
        documents: list[str] = []
        entries: list[str] = []
        seen: dict[str, int] = {}
        for position, entry in enumerate(provenance, start=1):
            document = self._document(entry["source"])
            if document not in documents:
                documents.append(document)
            entries.append(document)
            content = self.iris.provenance(key, entry["source"], entry["quote"])
            seen[content] = repeat = seen.get(content, 0) + 1
            iri = content if repeat == 1 else f"{content}-{repeat}"  # IriScheme.provenance
            pairs.append((self._qualified, iri))
            blocks.append((iri, [(RDF_TYPE, self._derivation), (self._entity, document),
                                 (self._quote, text_literal(entry["quote"])),
                                 (self._position, (str(position), XSD_INTEGER, None))]))
        pairs += [(self._derived_from, document) for document in documents]
        for document in documents:
            if document not in self._typed:
                self._typed.add(document)
                blocks.append((document, [(RDF_TYPE, self._document_class)]))
        graphs = documents if supported is None else [d for d in documents if d in supported]
        return Description(blocks, graphs, entries, pairs_own, subject_block)

    def node(self, node_id: str, attrs: dict[str, Any]) -> Description:
        vocab = self.vocab
        subject = self.iris.node(node_id)
        kind = attrs["kind"]
        class_iri = vocab.class_iri.get(kind)
        if class_iri is None:
            raise ExportError(f"node {node_id!r} has unknown kind {kind!r}")
        name_zh = (attrs["name_zh"], None, "zh")
        name_en = (attrs["name_en"], None, "en")
        pairs: list[tuple[str, Term]] = [
            (RDF_TYPE, class_iri), (self._id.iri, (node_id, None, None)),
            (self._subtype.iri, (attrs["subtype"], None, None)),
            (self._name_zh.iri, name_zh), (RDFS_LABEL, name_zh),
            (self._name_en.iri, name_en), (RDFS_LABEL, name_en)]
        pairs += [(self._alias.iri, self._alias.literal(a)) for a in attrs["aliases"]]
        for name, value in attrs.items():
            if name in CORE_NODE_ATTRS:
                continue
            term = vocab.node_terms.get(name)
            if term is None or (term.spec.domain and kind not in term.spec.domain):
                raise ExportError(f"node {node_id!r}: property {name!r} is not in the schema "
                                  f"for {kind}")
            values = value if term.many else (value,)
            pairs += [(term.iri, term.literal(v)) for v in values]
        if "file" in attrs:  # a Source node: the document its quotes are checked against
            pairs.append((self._has_format, self._document(attrs["file"])))
        blocks = self._aligned(node_id, kind, attrs, pairs)
        blocks.append((subject, pairs))
        return self._provenance(node_id, blocks, attrs["provenance"], f"node {node_id!r}")

    def _aligned(self, node_id: str, kind: str, attrs: dict[str, Any],
                 pairs: list[tuple[str, Term]]) -> list[Block]:
        """The node's statements in SOSA, DCAT and DCTERMS terms: added to ``pairs``, and the
        block of its period, if it has one."""
        vocab = self.vocab
        if kind == OBSERVATION_KIND:
            pairs.append((vocab.observed_property, vocab.metric_iri(attrs["metric"])))
        for term in vocab.issued_from if "file" in attrs else ():
            if term.name in attrs:
                pairs.append((vocab.issued, term.literal(attrs[term.name])))
                break
        period = vocab.periods.get(kind)
        if period is None or period.start.name not in attrs or period.end.name not in attrs:
            return []
        iri = self.iris.period(node_id)
        pairs.append((period.link, iri))
        return [(iri, [*((RDF_TYPE, c) for c in vocab.period_classes),
                       (vocab.period_start, period.start.literal(attrs[period.start.name])),
                       (vocab.period_end, period.end.literal(attrs[period.end.name]))])]

    def edge(self, source: str, target: str, relation: str, attrs: dict[str, Any],
             ends: set[str] | None = None) -> Description:
        """``ends``: the documents both ends rest on (None: every document)."""
        vocab = self.vocab
        predicate = vocab.relation_iri.get(relation)
        if predicate is None:
            raise ExportError(f"edge {source} -{relation}-> {target}: unknown relation kind")
        subject, obj = self.iris.node(source), self.iris.node(target)
        key = self.iris.statement_key(source, vocab.relation_term[relation], target)
        statement = f"{self._statement_namespace}{key}"  # IriScheme.statement
        pairs: list[tuple[str, Term]] = [
            (RDF_TYPE, RDF_STATEMENT), (RDF_SUBJECT, subject), (RDF_PREDICATE, predicate),
            (RDF_OBJECT, obj)]
        for name, value in attrs.items():
            if name in CORE_EDGE_ATTRS:
                continue
            term = vocab.edge_terms.get(name)
            if term is None or (term.spec.domain and relation not in term.spec.domain):
                raise ExportError(f"edge {source} -{relation}-> {target}: property {name!r} "
                                  f"is not in the schema for {relation}")
            values = value if term.many else (value,)
            pairs += [(term.iri, term.literal(v)) for v in values]
        blocks: list[Block] = [(subject, [(predicate, obj)])]
        if relation == OBSERVATION_RELATION:  # the inverse, as SOSA has it
            blocks.append((obj, [(vocab.feature_of_interest, subject)]))
        blocks.append((statement, pairs))
        return self._provenance(key, blocks, attrs["provenance"],
                                f"edge {source} -{relation}-> {target}", ends)


def describe(g: nx.MultiDiGraph, *, base: str | None = None, vocab: Vocabulary | None = None,
             progress: bool | None = False, named_graphs: bool = True
             ) -> Iterator[Description]:
    """Every node, then every edge, of ``g`` as a ``Description``, read lazily.
    ``named_graphs=False`` skips working out which documents both ends of an edge rest on
    (only TriG and N-Quads use it)."""
    describer = Describer(resolve_base(base), vocab or vocabulary())
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=g.number_of_nodes() + g.number_of_edges(), unit=" records",
               unit_scale=True, desc="exporting", file=sys.stderr, disable=not show)
    done = 0
    with bar:
        for node_id, attrs in g.nodes(data=True):
            yield describer.node(node_id, attrs)
            done += 1
            if done % 4096 == 0:
                bar.update(4096)
        nodes = g.nodes
        for source, target, relation, attrs in g.edges(keys=True, data=True):
            # looked up per edge, not cached per node: memory stays flat
            ends = (describer.documents_of(nodes[source]["provenance"])
                    & describer.documents_of(nodes[target]["provenance"])
                    if named_graphs else None)
            yield describer.edge(source, target, relation, attrs, ends)
            done += 1
            if done % 4096 == 0:
                bar.update(4096)
        bar.update(done % 4096)


def iter_triples(descriptions: Iterable[Description]) -> Iterator[tuple[str, str, Term]]:
    """Every triple of ``descriptions``, in order (for rdflib-based consumers and tests; the
    writers work on whole descriptions)."""
    for description in descriptions:
        for subject, pairs in description.blocks:
            for predicate, obj in pairs:
                yield subject, predicate, obj


# -- term syntax -----------------------------------------------------------------------------


class _TurtleTerms:
    """Turtle spelling of terms: prefixed names for vocabulary and instance IRIs."""

    # a local name Turtle takes as it is (PN_LOCAL without escapes); ids, keys, file names
    _LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")

    def __init__(self, vocab: Vocabulary, iris: IriScheme):
        self.instances = iris.namespaces
        self.prefixes = {**vocab.prefixes, **self.instances}
        self.base = iris.base
        self._cache: dict[str, str] = {RDF_TYPE: "a"}
        self._vocab = vocab

    def header(self) -> str:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items()) + "\n"

    def iri(self, iri: str) -> str:
        spelled = self._cache.get(iri)
        if spelled is not None:
            return spelled
        if iri.startswith(self.base):
            kind, slash, local = iri[len(self.base):].partition("/")
            if slash and kind in self.instances:
                return f"{kind}:{local}" if self._LOCAL.match(local) else f"<{iri}>"
        spelled = self._vocab.curie(iri) or f"<{iri}>"
        if len(self._cache) < 10_000:  # vocabulary terms repeat; instance IRIs mostly do not
            self._cache[iri] = spelled
        return spelled

    def term(self, term: Term) -> str:
        if term.__class__ is str:
            return self.iri(term)
        lexical, datatype, language = term
        if datatype is not None:
            return f"{encode_basestring(lexical)}^^{self.iri(datatype)}"
        if language is not None:
            return f"{encode_basestring(lexical)}@{language}"
        return encode_basestring(lexical)

    def block(self, block: Block) -> str:
        """``subject p1 o1, o2 ; p2 o3 .``: objects grouped by predicate, in first-seen order."""
        subject, pairs = block
        objects: dict[str, list[str]] = {}
        for p, o in pairs:
            objects.setdefault(p, []).append(self.term(o))
        body = " ;\n    ".join(f"{self.iri(p)} {', '.join(os)}" for p, os in objects.items())
        return f"{self.iri(subject)} {body} .\n"


# -- writers: each turns descriptions into text chunks ---------------------------------------

Writer = Callable[[Iterable[Description], Vocabulary, IriScheme], Iterator[str]]


def write_ntriples(descriptions: Iterable[Description], vocab: Vocabulary,
                   iris: IriScheme) -> Iterator[str]:
    predicates: dict[str, str] = {}
    escape = encode_basestring
    for description in descriptions:
        lines = []
        append = lines.append
        for subject, pairs in description.blocks:
            head = f"<{subject}> "
            for predicate, obj in pairs:
                spelled = predicates.get(predicate)
                if spelled is None:
                    spelled = predicates[predicate] = f"<{predicate}> "
                if obj.__class__ is str:  # nt_term, inlined: this loop is the hot path
                    append(f"{head}{spelled}<{obj}> .\n")
                    continue
                lexical, datatype, language = obj
                if datatype is not None:
                    append(f"{head}{spelled}{escape(lexical)}^^<{datatype}> .\n")
                elif language is not None:
                    append(f"{head}{spelled}{escape(lexical)}@{language} .\n")
                else:
                    append(f"{head}{spelled}{escape(lexical)} .\n")
        yield "".join(lines)


def _graph_views(description: Description, typed: set[str]) -> Iterator[tuple[str, list[Block]]]:
    """Each named graph's view of a description, with the document's own rdf:type the first
    time a graph is written (``typed``: the graphs written so far)."""
    for graph in description.graphs:
        blocks = description.view(graph)
        if graph not in typed:
            typed.add(graph)
            blocks.append(next(b for b in description.blocks if b[0] == graph))
        yield graph, blocks


def write_nquads(descriptions: Iterable[Description], vocab: Vocabulary,
                 iris: IriScheme) -> Iterator[str]:
    """The whole graph in the default graph, then each document's view in its named graph."""
    typed: set[str] = set()
    for description in descriptions:
        lines = [f"<{s}> <{p}> {nt_term(o)} .\n" for s, pairs in description.blocks
                 for p, o in pairs]
        for graph, blocks in _graph_views(description, typed):
            lines += [f"<{s}> <{p}> {nt_term(o)} <{graph}> .\n" for s, pairs in blocks
                      for p, o in pairs]
        yield "".join(lines)


def write_turtle(descriptions: Iterable[Description], vocab: Vocabulary,
                 iris: IriScheme) -> Iterator[str]:
    terms = _TurtleTerms(vocab, iris)
    yield terms.header()
    for description in descriptions:
        yield "".join(terms.block(b) for b in description.blocks) + "\n"


def write_trig(descriptions: Iterable[Description], vocab: Vocabulary,
               iris: IriScheme) -> Iterator[str]:
    terms = _TurtleTerms(vocab, iris)
    yield terms.header()
    typed: set[str] = set()
    for description in descriptions:
        parts = ["".join(terms.block(b) for b in description.blocks), "\n"]
        for graph, blocks in _graph_views(description, typed):
            body = "".join(terms.block(b) for b in blocks)
            parts.append(f"{terms.iri(graph)} {{\n{body}}}\n\n")
        yield "".join(parts)


class _JsonLdValues:
    """Compact JSON-LD spelling of (predicate, object) pairs under the published context."""

    def __init__(self, vocab: Vocabulary):
        self.terms = context_terms(vocab)  # IRI -> (term, coercion: "@id", datatype, "@zh")
        self.type_names = {iri: name for iri, (name, _) in self.terms.items()}

    def value(self, coercion: str | None, obj: Term) -> Any:
        if obj.__class__ is str:
            return obj if coercion == "@id" else {"@id": obj}
        lexical, datatype, language = obj
        if datatype is not None:
            return lexical if coercion == datatype else {"@value": lexical, "@type": datatype}
        if language is not None:
            return lexical if coercion == "@" + language else {"@value": lexical,
                                                               "@language": language}
        return lexical if coercion is None else {"@value": lexical}

    def node_object(self, block: Block) -> dict[str, Any]:
        subject, pairs = block
        properties: dict[str, list[Any]] = {}
        for predicate, value in pairs:
            if predicate == RDF_TYPE and value.__class__ is str:
                properties.setdefault("@type", []).append(self.type_names.get(value, value))
                continue
            key, coercion = self.terms.get(predicate, (predicate, None))
            properties.setdefault(key, []).append(self.value(coercion, value))
        return {"@id": subject, **{k: v[0] if len(v) == 1 else v for k, v in properties.items()}}


def write_jsonld(descriptions: Iterable[Description], vocab: Vocabulary,
                 iris: IriScheme) -> Iterator[str]:
    values = _JsonLdValues(vocab)
    # The published context, inline: the file parses offline, with no remote context to fetch.
    context = json.dumps(context_document(vocab)["@context"], ensure_ascii=False, indent=1)
    yield f'{{"@context": {context},\n"@graph": [\n'
    separator = ""
    for description in descriptions:
        for block in description.blocks:
            yield separator + json.dumps(values.node_object(block), ensure_ascii=False)
            separator = ",\n"
    yield "\n]}\n"


def jsonld_blocks(blocks: Iterable[Block], vocab: Vocabulary) -> str:
    """One JSON-LD document of ``blocks`` in the export's form: the published context inline,
    a node object per block with the context's terms (what ``write_jsonld`` writes, for a few
    resources: an IRI's description)."""
    values = _JsonLdValues(vocab)
    return json.dumps({"@context": context_document(vocab)["@context"],
                       "@graph": [values.node_object(block) for block in blocks]},
                      ensure_ascii=False, indent=1)


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
    """A pyoxigraph term as the export's (an IRI or blank node as text, a literal as
    (lexical, datatype or None, language or None))."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    datatype = term.datatype.value
    return (term.value, None if datatype in (XSD_STRING, RDF_LANG_STRING) else datatype,
            term.language)


def jsonld_of_triples(triples: Iterable[ox.Triple], vocab: Vocabulary,
                      first: str | None = None) -> str:
    """``jsonld_blocks`` of pyoxigraph triples, grouped by subject in order of first
    appearance (``first``'s node, if given, leads: a described resource's own)."""
    blocks: dict[str, list[tuple[str, Term]]] = {}
    for triple in triples:
        subject = _term(triple.subject)
        assert isinstance(subject, str)
        blocks.setdefault(subject, []).append((triple.predicate.value, _term(triple.object)))
    ordered = sorted(blocks.items(), key=lambda block: block[0] != first)
    return jsonld_blocks(ordered, vocab)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str, where: str) -> str:
    if _XML_INVALID.search(text):
        raise ExportError(f"{where}: a literal holds a control character that XML 1.0 cannot "
                          "represent; use another format (e.g. N-Triples)")
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _xml_attribute(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def write_rdfxml(descriptions: Iterable[Description], vocab: Vocabulary,
                 iris: IriScheme) -> Iterator[str]:
    qnames: dict[str, str] = {}

    def qname(predicate: str) -> str:
        spelled = qnames.get(predicate)
        if spelled is None:
            curie = vocab.curie(predicate)
            if curie is None:
                raise ExportError(f"predicate <{predicate}> has no XML qualified name; "
                                  "use another format")
            spelled = qnames[predicate] = curie
        return spelled

    namespaces = " ".join(f'xmlns:{p}="{_xml_attribute(ns)}"' for p, ns in vocab.prefixes.items())
    yield f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF {namespaces}>\n'
    for description in descriptions:
        parts = []
        for subject, pairs in description.blocks:
            parts.append(f'<rdf:Description rdf:about="{_xml_attribute(subject)}">\n')
            for predicate, obj in pairs:
                name = qname(predicate)
                if obj.__class__ is str:
                    parts.append(f'  <{name} rdf:resource="{_xml_attribute(obj)}"/>\n')
                    continue
                lexical, datatype, language = obj
                text = _xml_text(lexical, f"<{subject}> {name}")
                if datatype is not None:
                    parts.append(f'  <{name} rdf:datatype="{datatype}">{text}</{name}>\n')
                elif language is not None:
                    parts.append(f'  <{name} xml:lang="{language}">{text}</{name}>\n')
                else:
                    parts.append(f"  <{name}>{text}</{name}>\n")
            parts.append("</rdf:Description>\n")
        yield "".join(parts)
    yield "</rdf:RDF>\n"


@dataclass(frozen=True)
class RdfFormat:
    name: str  # the CLI and ?format= name
    label: str
    media_type: str
    extension: str
    quads: bool  # named graphs (one per source document)
    writer: Writer


FORMATS: dict[str, RdfFormat] = {f.name: f for f in (
    RdfFormat("ttl", "Turtle", "text/turtle", ".ttl", False, write_turtle),
    RdfFormat("nt", "N-Triples", "application/n-triples", ".nt", False, write_ntriples),
    RdfFormat("jsonld", "JSON-LD", "application/ld+json", ".jsonld", False, write_jsonld),
    RdfFormat("xml", "RDF/XML", "application/rdf+xml", ".rdf", False, write_rdfxml),
    RdfFormat("trig", "TriG", "application/trig", ".trig", True, write_trig),
    RdfFormat("nq", "N-Quads", "application/n-quads", ".nq", True, write_nquads),
)}


def rdf_format(name: str) -> RdfFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown RDF format {name!r}; known: {', '.join(FORMATS)}") from None


def iter_serialized(g: nx.MultiDiGraph, format: str, *, base: str | None = None,
                    vocab: Vocabulary | None = None,
                    progress: bool | None = False) -> Iterator[str]:
    """The export of ``g`` in ``format`` as text chunks, produced lazily (for HTTP streaming)."""
    spec = rdf_format(format)
    vocab = vocab or vocabulary()
    base = resolve_base(base, vocab.schema)
    chunks = spec.writer(describe(g, base=base, vocab=vocab, progress=progress,
                                  named_graphs=spec.quads), vocab,
                         IriScheme(base))
    batch: list[str] = []
    size = 0
    for chunk in chunks:  # one chunk per node or edge: coalesce them into ~256 KB pieces
        batch.append(chunk)
        size += len(chunk)
        if size >= CHUNK_CHARS:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


def export_graph(g: nx.MultiDiGraph, format: str, out: Path | str | IO[str], *,
                 base: str | None = None, progress: bool | None = None) -> int:
    """Write the export of ``g`` to a file path or text stream; returns characters written.

    An unknown format or a bad base raises ``ValueError`` before anything is written; a file
    is written under a temporary name and renamed when complete, so a failed export leaves
    no partial file behind.
    """
    rdf_format(format)
    resolve_base(base)
    chunks = iter_serialized(g, format, base=base, progress=progress)
    if not isinstance(out, str | Path):
        return sum(out.write(chunk) for chunk in chunks)
    path = Path(out)
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
            written = sum(handle.write(chunk) for chunk in chunks)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return written
