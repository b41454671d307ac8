"""IRIs that resolve: every instance IRI the export and the SPARQL store mint, plus
``{base}ontology`` and ``{base}shapes``.

An RDF client (Accept: Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads) gets the resource's
description from the SPARQL store, so it follows the served graph's version (ETag: the store's
version and the format; ``Link: rel=canonical`` the IRI); 404 problem+json naming the IRI when
the store holds nothing about it, 503 while the store is built. A browser (Accept preferring
HTML) is sent (303) to the explorer page that shows the resource (an IRI the store holds
nothing about is a 404 for a browser too, once the store is ready): an entity, a period (the
node's) and a source document (its Source node's, looked up in the store) to the entity page
``/#/entity/{id}``; a statement and a provenance entry to the page of the entity they start
from (a statement's subject, whose page lists its edges and quotes); a backing chain to
``/#/backing?fund=&lab=``. The explorer has no page of its own for a document: one that no
Source node names (only cited) is given to the browser as Turtle. Served at the site root, so
that with ``INNOGRAPH_BASE`` set to the public origin (docs/rdf.md) the IRIs are these URLs.

What each kind's description holds (``KINDS``): always the resource's own triples (those it
is the subject of); then

=================================  =========================================================
``id/{node-id}``                   the statements of its edges and the provenance entries of
                                   the node and of those statements, whole
``statement/{from}.{rel}.{to}``    its provenance entries, whole
``provenance/{key}.{digest}``      the triple that cites it (``prov:qualifiedDerivation``)
``source/{file}``                  the Source nodes stating it is their text
                                   (``dcterms:hasFormat``); not the quotes citing it, which
                                   are as many as the document supports (its named graph in
                                   the store and the TriG download holds those)
``period/{node-id}``               the triple of the node it is the period of
``backing/{fund}.{lab}.{digest}``  (its own triples are in the named graph
                                   ``ig:backing``, the rest in the default graph)
=================================  =========================================================

and, except for ``id/``, a glance at each resource the description links to (an object of the
resource's own triples, or a subject citing it): its ``rdfs:label`` (entities, ontology
terms) and, for a statement, its ``rdf:subject``, ``rdf:predicate`` and ``rdf:object``. So
a description grows with the resource's own triples (an entity's with its edges), never with
the size of a document or of a hub it links to.

Each IRI is built from the request's path as the export mints it
(``graph.rdf.namespaces.IriScheme``): Werkzeug decodes the path, and a source's file name is
percent-encoded again the one way the export does it, so ``%E6...``, ``%e6...`` and the raw
characters all resolve to the IRI in the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request
from rdflib import Graph

from api.problems import ApiProblem
from api.routes.rdf import FORMATS, negotiated_format, schema_document
from api.routes.sparql import keeper
from graph.rdf.export import jsonld_of_triples
from graph.rdf.namespaces import (
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_SUBJECT,
    RDFS_LABEL,
    IriScheme,
    resolve_base,
    vocabulary,
)
from graph.rdf.ontology import build_ontology
from graph.rdf.shapes import build_shapes
from queries.sparql_store import SparqlStore, StoreNotReady

bp = Blueprint("ld", __name__)
RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
               "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML,
               "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}
GLANCE = (RDFS_LABEL, RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT)


def node_query() -> str:
    """An entity: its triples, the statements of its edges, the provenance of both."""
    qualified = vocabulary().provenance["qualified"]
    return f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND (?iri AS ?s) ?s ?p ?o }}
  UNION {{ ?s <{RDF_SUBJECT}>|<{RDF_OBJECT}> ?iri . ?s ?p ?o }}
  UNION {{ ?iri <{qualified}> ?s . ?s ?p ?o }}
  UNION {{ ?st <{RDF_SUBJECT}>|<{RDF_OBJECT}> ?iri . ?st <{qualified}> ?s . ?s ?p ?o }}
}}"""


def resource_query(*, cited_by: tuple[str, ...] = (), whole: tuple[str, ...] = (),
                   graph: str | None = None) -> str:
    """Any other resource: its own triples (in ``graph`` when given), the triples that cite it
    by a ``cited_by`` predicate, whole the resources it links to by a ``whole`` predicate, and
    a glance (``GLANCE``) at everything it links to or is cited by.

    One branch per predicate, each a single basic graph pattern that starts from the IRI:
    Oxigraph orders the patterns of a BGP by what is bound, but evaluates a pattern joined to a
    VALUES or UNION block on its own (``?s ?p ?o``: a scan). In a 100k-node store (6.5 M quads)
    a description took 6.5-20 s written that way, 0.3-0.7 ms as branches."""
    def own(pattern: str) -> str:  # the resource's own triples live in ``graph``
        return pattern if graph is None else f"GRAPH <{graph}> {{ {pattern} }}"

    branches = [own("?iri ?p ?o BIND (?iri AS ?s)")]
    branches += [f"?s <{p}> ?iri BIND (<{p}> AS ?p) BIND (?iri AS ?o)" for p in cited_by]
    branches += [f"{own(f'?iri <{w}> ?s')} . ?s ?p ?o" for w in whole]
    linked = [own("?iri ?q ?s")] + [f"?s <{p}> ?iri" for p in cited_by]
    branches += [f"{link} . ?s <{g}> ?o BIND (<{g}> AS ?p)" for link in linked for g in GLANCE]
    union = "\n  UNION ".join(f"{{ {branch} }}" for branch in branches)
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{\n  {union}\n}}"


def _entity_page(node_id: str) -> str:
    return f"/#/entity/{quote(node_id, safe='')}"


def _first_id(local: str) -> str:
    """The node id a statement or provenance key starts with (ids hold no dots)."""
    return local.split(".", 1)[0]


def _backing_page(local: str) -> str:
    fund, _, rest = local.partition(".")
    return "/#/backing?" + urlencode({"fund": fund, "lab": rest.partition(".")[0]})


def _source_page(store: SparqlStore, iri: str) -> str | None:
    """The entity page of the Source node whose text the document is (the explorer has no
    page of its own for a document), None when no node says so (a document only cited)."""
    vocab = vocabulary()
    rows = store.store.query(_with_iri(
        f"SELECT ?id WHERE {{ ?n <{vocab.provenance['has_format']}> ?iri ; "
        f"<{vocab.node_terms['id'].iri}> ?id }} ORDER BY ?id LIMIT 1", iri))
    for row in rows:
        return _entity_page(row["id"].value)
    return None


@dataclass(frozen=True)
class Kind:
    """One kind of IRI: how the export mints it from the path's rest (``local``), the query
    of its description, and the explorer page a browser is sent to (from ``local``, or
    looked up in the store by ``stored_page``)."""

    name: str
    mint: Callable[[IriScheme, str], str]
    query: str  # the description's CONSTRUCT, ``?iri`` standing for the IRI
    page: Callable[[str], str] | None = None
    stored_page: Callable[[SparqlStore, str], str | None] | None = None
    problem: str = "not-found"


def _kinds() -> dict[str, Kind]:
    vocab = vocabulary()
    prov = vocab.provenance
    links = tuple(dict.fromkeys(period.link for period in vocab.periods.values()))
    backing = vocab.backing.graph
    kinds = (
        Kind("id", IriScheme.node, node_query(), _entity_page, problem="entity-not-found"),
        Kind("statement", lambda iris, local: f"{iris.base}statement/{local}",
             resource_query(whole=(prov["qualified"],)),
             lambda local: _entity_page(_first_id(local))),
        Kind("provenance", lambda iris, local: f"{iris.base}provenance/{local}",
             resource_query(cited_by=(prov["qualified"],)),
             lambda local: _entity_page(_first_id(local))),
        Kind("source", IriScheme.document,
             resource_query(cited_by=(prov["has_format"],)),
             stored_page=_source_page),
        Kind("period", IriScheme.period, resource_query(cited_by=links),
             _entity_page),
        # sparql_inferences mints these, in the store only
        Kind("backing", lambda iris, local: f"{iris.base}backing/{local}",
             resource_query(graph=backing), _backing_page),
    )
    return {kind.name: kind for kind in kinds}


KINDS = _kinds()


def wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", *FORMATS_BY_TYPE])
    return best == "text/html"


FORMATS_BY_TYPE = {f.media_type: name for name, f in FORMATS.items()}


def _store() -> SparqlStore:
    try:
        return keeper().get(current_app.config["SPARQL_TIME_LIMIT_SECONDS"])
    except StoreNotReady as exc:
        raise ApiProblem("backend-unavailable", str(exc)) from None


def _not_found(kind: Kind, iri: str) -> ApiProblem:
    return ApiProblem(kind.problem, f"the store holds nothing about the IRI {iri}", iri=iri)


def _mint(kind: Kind, local: str) -> str:
    iri = kind.mint(IriScheme(resolve_base(None, vocabulary().schema)), local)
    try:
        ox.NamedNode(iri)
    except ValueError:  # characters no IRI holds (nothing the export mints), '>' among them
        raise _not_found(kind, iri) from None
    return iri


def _with_iri(query: str, iri: str) -> str:
    """``query`` with ``?iri`` bound to ``iri`` (checked by ``_mint``): written into the text,
    as pyoxigraph's substitutions join at the top and leave the inner patterns unbound."""
    return query.replace("?iri", f"<{iri}>")


def _not_held(iri: str) -> bool:
    """Whether the served version's store holds nothing about ``iri`` (in any graph). While
    that store is still built, nothing is known: the browser goes to the page, whose own
    request then says what the graph holds."""
    try:
        store = keeper().get(0)
    except StoreNotReady:
        return False
    return next(store.store.quads_for_pattern(ox.NamedNode(iri), None, None, None),
                None) is None


def _see_other(page: str) -> Response:
    response = redirect(page, code=303)
    response.vary.add("Accept")  # the same URL answers RDF clients with RDF: caches must know
    return response


def resolve(kind: Kind, local: str) -> Response:
    """The answer at ``{base}{kind}/{local}``: 303 for a browser, else the description."""
    iri = _mint(kind, local)
    html = wants_html()
    if html and kind.page is not None:
        if _not_held(iri):  # not a redirect to a page with nothing on it
            raise _not_found(kind, iri)
        return _see_other(kind.page(local))
    fmt = "ttl" if html else negotiated_format(None)
    store = _store()
    if html and kind.stored_page is not None:
        page = kind.stored_page(store, iri)
        if page is not None:
            return _see_other(page)
        # no explorer page shows it: the browser gets the description, in Turtle
    triples = list(store.store.query(_with_iri(kind.query, iri)))
    if not triples:
        raise _not_found(kind, iri)
    if fmt == "jsonld":  # as the export writes JSON-LD: compact, under the published context
        body: str | bytes = jsonld_of_triples(triples, vocabulary(), first=iri)
    else:
        body = ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=vocabulary().prefixes)
    response = Response(body, mimetype=FORMATS[fmt].media_type)
    response.set_etag(f"{store.version}-{fmt}")
    response.vary.add("Accept")
    response.headers["Link"] = f'<{iri}>; rel="canonical"'
    return response.make_conditional(request)


def _view(kind: Kind) -> Callable[[str], Response]:
    def view(local: str) -> Response:
        return resolve(kind, local)
    view.__name__ = kind.name
    view.__doc__ = f"``{{base}}{kind.name}/...``: see the module docstring."
    return view


for _kind in KINDS.values():
    bp.add_url_rule(f"/{_kind.name}/<path:local>", view_func=_view(_kind), methods=["GET"])


def _schema_graph(name: str) -> Graph:
    return build_ontology() + build_shapes() if name == "ontology" else build_shapes()


def _document(name: str) -> Response:
    if wants_html():
        return redirect("/api/docs", code=303)
    fmt = negotiated_format(None)
    # Shape IRIs live in the ontology's namespace: the ontology document holds them too.
    text = schema_document(f"ld-{name}", lambda: _schema_graph(name), fmt)
    response = Response(text, mimetype=FORMATS[fmt].media_type)
    response.vary.add("Accept")
    return response


@bp.get("/ontology")
def ontology() -> Response:
    return _document("ontology")


@bp.get("/shapes")
def shapes() -> Response:
    return _document("shapes")
