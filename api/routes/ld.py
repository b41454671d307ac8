"""IRIs that resolve: ``{base}id/{node-id}``, ``{base}ontology`` and ``{base}shapes``.

An RDF client (Accept: Turtle, JSON-LD, N-Triples, ...) gets the resource's description; a
browser (Accept preferring HTML) is sent (303) to the explorer's entity page. Entity
descriptions come from the SPARQL store, so they follow the served graph's version. Served
at the site root, so that with ``INNOGRAPH_BASE`` set to the public origin (docs/rdf.md) the
IRIs in the export are these URLs.
"""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request
from rdflib import Graph

from api.problems import ApiProblem
from api.routes.rdf import FORMATS, negotiated_format, schema_document
from api.routes.sparql import keeper
from graph.rdf.namespaces import RDF_OBJECT, RDF_SUBJECT, resolve_base, vocabulary
from graph.rdf.ontology import build_ontology
from graph.rdf.shapes import build_shapes
from queries.sparql_store import StoreNotReady

bp = Blueprint("ld", __name__)
RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
               "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
               "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}
PROV_QUALIFIED = "http://www.w3.org/ns/prov#qualifiedDerivation"
# The node's own triples, the statements of its edges, and every provenance entry of both.
DESCRIBE = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND (?node AS ?s) ?s ?p ?o }}
  UNION {{ ?s <{RDF_SUBJECT}>|<{RDF_OBJECT}> ?node . ?s ?p ?o }}
  UNION {{ ?node <{PROV_QUALIFIED}> ?s . ?s ?p ?o }}
  UNION {{ ?st <{RDF_SUBJECT}>|<{RDF_OBJECT}> ?node . ?st <{PROV_QUALIFIED}> ?s . ?s ?p ?o }}
}}"""


def wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", *FORMATS_BY_TYPE])
    return best == "text/html"


FORMATS_BY_TYPE = {f.media_type: name for name, f in FORMATS.items()}


@bp.get("/id/<path:node_id>")
def entity(node_id: str) -> Response:
    if wants_html():
        return redirect(f"/#/entity/{quote(node_id, safe='')}", code=303)
    fmt = negotiated_format(None)
    iri = resolve_base(None, vocabulary().schema) + "id/" + quote(node_id, safe="")
    seconds = current_app.config["SPARQL_TIME_LIMIT_SECONDS"]
    try:
        store = keeper().get(seconds)
    except StoreNotReady as exc:
        raise ApiProblem("backend-unavailable", str(exc)) from None
    # the IRI is percent-encoded above: it holds no character that could end <...>
    triples = list(store.store.query(DESCRIBE.replace("?node", f"<{iri}>")))
    if not triples:
        raise ApiProblem("entity-not-found", f"no entity has the IRI {iri}", entity=node_id)
    body = ox.serialize(triples, format=RDF_FORMATS[fmt] if fmt not in ("trig", "nq")
                        else ox.RdfFormat.N_TRIPLES, prefixes=vocabulary().prefixes)
    media_type = FORMATS[fmt].media_type if fmt not in ("trig", "nq") else \
        FORMATS["nt"].media_type
    response = Response(body, mimetype=media_type)
    response.set_etag(f"{store.version}-{fmt}")
    response.vary.add("Accept")
    response.headers["Link"] = f'<{iri}>; rel="canonical"'
    return response.make_conditional(request)


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
