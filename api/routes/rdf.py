"""RDF: the graph, its ontology and its SHACL shapes in six formats, and the JSON-LD context.

The format comes from ``?format=`` when given, else from the ``Accept`` header (Turtle when
it accepts anything); an ``Accept`` header that no format satisfies gets 406. The graph is
streamed straight from ``graph.rdf.export`` (no copy is built in memory) with an ETag of the
graph version, so a client can revalidate cheaply. See docs/rdf.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import networkx as nx
from flask import Response, current_app, request, stream_with_context
from rdflib import Graph

from api.operations import ApiBlueprint, Operation
from api.params import AS_OF, Param
from api.problems import ApiProblem
from api.querying import runner
from graph.rdf.context import context_document
from graph.rdf.export import FORMATS, iter_serialized
from graph.rdf.ontology import build_ontology, serialize
from graph.rdf.shapes import build_shapes

bp = ApiBlueprint("rdf", __name__)
CACHE_KEY = "innograph.rdf.documents"
DEFAULT_FORMAT = "ttl"
# JSON-LD is also what a client asking for plain JSON gets, RDF/XML for plain XML.
MEDIA_TYPES = {**{f.media_type: name for name, f in FORMATS.items()},
               "application/json": "jsonld", "application/xml": "xml", "text/xml": "xml"}
# ?format= takes the short names, the formats' common names and their media types.
FORMAT_NAMES = {**{name: name for name in FORMATS},
                "turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld",
                "rdfxml": "xml", "rdf/xml": "xml", "rdf+xml": "xml", "nquads": "nq",
                "n-quads": "nq", **MEDIA_TYPES}
# The 200 content of each operation, for the OpenAPI document: media type -> response schema.
ALTERNATIVES = tuple((f.media_type, "JsonLdDocument" if name == "jsonld" else "RdfDocument")
                     for name, f in FORMATS.items() if name != DEFAULT_FORMAT)
FORMAT_PARAM = Param(
    "format", "choice", "RDF format: " + "; ".join(
        f"{f.label}: " + ", ".join(f"`{alias}`" for alias, to in FORMAT_NAMES.items()
                                   if to == name) for name, f in FORMATS.items())
    + ". Without it the Accept header chooses (Turtle for */*).",
    choices=lambda: tuple(FORMAT_NAMES))


def negotiated_format(requested: str | None) -> str:
    """``requested``, else the best match for the Accept header; 406 when none matches."""
    if requested is not None:
        return FORMAT_NAMES[requested]
    if not request.accept_mimetypes:
        return DEFAULT_FORMAT
    best = request.accept_mimetypes.best_match([FORMATS[DEFAULT_FORMAT].media_type,
                                                *MEDIA_TYPES])
    if best is None:
        raise ApiProblem("not-acceptable", "no RDF format matches the Accept header; "
                         "acceptable: " + ", ".join(MEDIA_TYPES))
    return MEDIA_TYPES[best]


def rdf_response(body: Callable[[], object], fmt: str, etag: str) -> Response:
    spec = FORMATS[fmt]
    response = Response(body(), mimetype=spec.media_type)
    response.set_etag(f"{etag}-{fmt}")
    response.vary.add("Accept")
    return response.make_conditional(request)


def served_graph(as_of: str | None = None) -> nx.MultiDiGraph:
    """The graph the app serves (as reported up to ``as_of``: its dated view), from the store
    in use (with Neo4j: the graph Neo4j holds, read once per synced generation);
    ``BackendUnavailable`` (503) when it cannot be read."""
    return runner().backend.snapshot(as_of=as_of)


embedded_graph = served_graph  # the name api/routes/sparql.py imports


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def schema_document(name: str, build: Callable[[], Graph], fmt: str) -> str:
    """The ontology or the shapes in ``fmt``, built once per app."""
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    if (name, fmt) not in cache:
        cache[(name, fmt)] = serialize(build(), fmt)
    return cache[(name, fmt)]


@bp.operation(Operation(
    "get_rdf", "/rdf", "The graph as RDF",
    "Every node and edge with all its properties and provenance: nodes at `{base}id/{id}`, "
    "edges as the triple plus an `rdf:Statement` that carries the edge properties, every "
    "statement's sources and quotes as PROV-O qualified derivations; in TriG and N-Quads also "
    "one named graph per source document. Streamed; the ETag is the graph version (with "
    "`as_of`, the version and the year). With `as_of`, the graph as reported up to that "
    "date: what only later sources report is absent, provenance is cut to the earlier "
    "sources (and their named graphs alone are written), a relation has the status then "
    "reported.",
    "rdf", "RdfDocument", params=(FORMAT_PARAM, AS_OF), problems=(406,),
    media_type=FORMATS[DEFAULT_FORMAT].media_type, alternatives=ALTERNATIVES,
    examples=("/api/v1/rdf?format=ttl", "/api/v1/rdf?format=jsonld",
              "/api/v1/rdf?format=ttl&as_of=2022")))
def get_rdf(format: str | None, as_of: str | None) -> Response:
    fmt = negotiated_format(format)
    g = served_graph(as_of)
    return rdf_response(lambda: stream_with_context(iter_serialized(g, fmt)), fmt,
                        g.graph["version"])


@bp.operation(Operation(
    "get_rdf_ontology", "/rdf/ontology", "The ontology (RDFS/OWL)",
    "A class per node kind, an object property per relation kind, a data property per "
    "property, with zh/en labels and comments, domains and ranges, units, and alignment to "
    "schema.org, W3C ORG, FOAF, PROV-O, DCTERMS, SKOS, FRAPO and VIVO; generated from the "
    "schema.", "rdf", "RdfDocument", params=(FORMAT_PARAM,), problems=(406,),
    media_type=FORMATS[DEFAULT_FORMAT].media_type, alternatives=ALTERNATIVES,
    examples=("/api/v1/rdf/ontology",)))
def get_rdf_ontology(format: str | None) -> Response:
    fmt = negotiated_format(format)
    text = schema_document("ontology", build_ontology, fmt)
    return rdf_response(lambda: text, fmt, digest(text))


@bp.operation(Operation(
    "get_rdf_shapes", "/rdf/shapes", "SHACL shapes",
    "The shapes a valid export conforms to (pyshacl with advanced features), generated from "
    "the schema.", "rdf", "RdfDocument", params=(FORMAT_PARAM,), problems=(406,),
    media_type=FORMATS[DEFAULT_FORMAT].media_type, alternatives=ALTERNATIVES,
    examples=("/api/v1/rdf/shapes",)))
def get_rdf_shapes(format: str | None) -> Response:
    fmt = negotiated_format(format)
    text = schema_document("shapes", build_shapes, fmt)
    return rdf_response(lambda: text, fmt, digest(text))


@bp.operation(Operation(
    "get_rdf_context", "/rdf/context.jsonld", "The JSON-LD context",
    "The @context of the JSON-LD export (also shipped as graph/rdf/context.jsonld): short "
    "keys for every class, relation and property of the vocabulary.",
    "rdf", "JsonLdDocument", media_type="application/ld+json",
    examples=("/api/v1/rdf/context.jsonld",)))
def get_rdf_context() -> Response:
    response = current_app.response_class(
        current_app.json.dumps(context_document(), indent=2) + "\n",
        mimetype="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # JSON-LD processors fetch it
    return response
