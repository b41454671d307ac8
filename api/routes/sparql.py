"""The SPARQL 1.1 Protocol endpoint ``/api/v1/sparql`` (queries only) and its query page.

GET ``?query=`` or POST (``application/sparql-query`` body, or a form with ``query``). SELECT
and ASK answer SPARQL JSON / XML / CSV / TSV, CONSTRUCT and DESCRIBE Turtle / N-Triples /
JSON-LD, by the Accept header. The store (``queries.sparql_store``) holds the served graph's
export plus the ontology and follows the served graph's version; the default graph is the whole
graph (each fact once) and the ontology, ``GRAPH ?g`` each source document's stand-alone part
(and the statistics tables: ``queries.sparql_statistics``; the query layer's backing chains:
``queries.sparql_inferences``).
Limits: ``SPARQL_TIME_LIMIT_SECONDS`` and ``SPARQL_MAX_RESULTS``, each a problem+json error.
Queries run in ``SPARQL_WORKERS`` worker processes (``queries.sparql_pool``), killed at the
time limit, which write the answer in the negotiated format; stores are kept on disk under
``SPARQL_STORE_DIR`` (see queries/sparql_store.py and docs/rdf.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, request, send_from_directory

from api.operations import ApiBlueprint, Operation
from api.params import Param
from api.problems import ApiProblem
from api.routes.rdf import embedded_graph
from api.routes.ui import CONTENT_SECURITY_POLICY, WEB_DIR
from graph.rdf.export import iter_serialized
from graph.rdf.namespaces import resolve_base, vocabulary
from graph.rdf.ontology import build_ontology, serialize
from queries.sparql_examples import description, example_queries
from queries.sparql_inferences import backing_nquads
from queries.sparql_pool import (
    Answer,
    AnswerCache,
    Formats,
    QueryPool,
    QueryTooSlow,
    ServiceRefused,
    SparqlSyntaxError,
    TooManyResults,
    UpdateRefused,
    WorkerFailed,
    query_form,
)
from queries.sparql_store import StoreKeeper, StoreNotReady

bp = ApiBlueprint("sparql", __name__)
page = Blueprint("sparql_page", __name__)
KEEPER = "innograph.sparql.store"
POOL = "innograph.sparql.pool"
CACHE = "innograph.sparql.answers"
MAX_QUERY_CHARS = 20_000
# SPARQL_STORE_DIR: where stores are kept (None: queries.sparql_store.default_store_dir).
# SPARQL_ANSWER_CACHE_MB: answers kept per store and query (0: none; queries.sparql_pool).
DEFAULTS = {"SPARQL_TIME_LIMIT_SECONDS": 10.0, "SPARQL_MAX_RESULTS": 10_000,
            "SPARQL_WORKERS": 2, "SPARQL_STORE_DIR": None, "SPARQL_ANSWER_CACHE_MB": 64}

@dataclass(frozen=True)
class Representation:
    media_type: str
    results: ox.QueryResultsFormat | None = None  # SELECT / ASK
    rdf: ox.RdfFormat | None = None  # CONSTRUCT / DESCRIBE


RESULTS = {"application/sparql-results+json": Representation(
               "application/sparql-results+json", results=ox.QueryResultsFormat.JSON),
           "application/sparql-results+xml": Representation(
               "application/sparql-results+xml", results=ox.QueryResultsFormat.XML),
           "text/csv": Representation("text/csv", results=ox.QueryResultsFormat.CSV),
           "text/tab-separated-values": Representation(
               "text/tab-separated-values", results=ox.QueryResultsFormat.TSV)}
RESULTS["application/json"] = RESULTS["application/sparql-results+json"]
RESULTS["application/xml"] = RESULTS["application/sparql-results+xml"]
GRAPHS = {"text/turtle": Representation("text/turtle", rdf=ox.RdfFormat.TURTLE),
          "application/n-triples": Representation("application/n-triples",
                                                  rdf=ox.RdfFormat.N_TRIPLES),
          "application/ld+json": Representation("application/ld+json",
                                                rdf=ox.RdfFormat.JSON_LD)}
GRAPHS["application/json"] = GRAPHS["application/ld+json"]


class QueryText(Param):
    """The SPARQL text: longer than ordinary text parameters allow."""

    def parse(self, values: list[str]) -> str:
        if len(values) > 1:
            raise ValueError("given more than once")
        if not values[0].strip():
            raise ValueError("empty query")
        if len(values[0]) > MAX_QUERY_CHARS:
            raise ValueError(f"longer than {MAX_QUERY_CHARS} characters")
        return values[0]

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS}


QUERY_PARAM = QueryText("query", "text", "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or "
                        "DESCRIBE). Longer queries than the query string allows go by POST.",
                        required=True)
QUERY_FORM = {"type": "object", "required": ["query"],
              "properties": {"query": QUERY_PARAM.json_schema()}}
# Result-format hints some clients (SPARQLWrapper) always send; the Accept header decides.
HINTS = tuple(Param(name, "text", "Ignored (a result-format hint some clients send); the "
                    "Accept header chooses the format.") for name in ("format", "output",
                                                                     "results"))
DESCRIPTION = (
    "SPARQL 1.1 Protocol, queries only, over the served graph's RDF export and the ontology; "
    "the default graph is the whole graph (each fact once) plus the ontology, and each source "
    "document (and the ontology) is also a named graph; whole-graph tables computed once per "
    "graph version (labs per sector, companies per park, quotes per source, as RDF Data Cube "
    "observations) are the named graph `https://innograph.org/ontology/statistics`, and the "
    "query layer's backing chains (what `/api/v1/backing?fund=` answers for every fund, one "
    "`ig:BackingChain` each) the named graph `https://innograph.org/ontology/backing`. SELECT "
    "and ASK answer "
    "`application/sparql-results+json` (default), `application/sparql-results+xml`, "
    "`text/csv` or `text/tab-separated-values`; CONSTRUCT and DESCRIBE `text/turtle` "
    "(default), `application/n-triples` or `application/ld+json`, by the Accept header. "
    "Malformed SPARQL is 400 `invalid-sparql` with the line and column; updates and SERVICE "
    "are refused (400); past the time limit 503 `query-timeout`; more results than the "
    "limit 422 `too-many-results`. Example queries: `/sparql` (the query page).")
# SELECT / ASK results in the other formats; CONSTRUCT / DESCRIBE as RDF.
ALTERNATIVES = (("application/sparql-results+xml", "SparqlResultsText"),
                ("text/csv", "SparqlResultsText"),
                ("text/tab-separated-values", "SparqlResultsText"),
                ("text/turtle", "RdfDocument"), ("application/n-triples", "RdfDocument"),
                ("application/ld+json", "JsonLdDocument"))


def init_app(app: Flask) -> None:
    """Limits, the store keeper (builds on first use) and the query pool of ``app`` (worker
    processes, started on the first query)."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)

    def served() -> tuple[str, Any]:
        with app.app_context():
            g = embedded_graph()
            return g.graph["version"], iter_serialized(g, "nq")

    def inferences() -> Iterable[str]:  # the query layer's backing chains, as N-Quads
        with app.app_context():
            return backing_nquads(embedded_graph())

    def version() -> str:
        return app.extensions["innograph"].backend.version()

    def ontology() -> tuple[str, str]:
        return (serialize(build_ontology(), "ttl"),
                resolve_base(None, vocabulary().schema) + "ontology")

    directory = app.config["SPARQL_STORE_DIR"]
    app.extensions[KEEPER] = StoreKeeper(served, version, ontology=ontology,
                                         inferences=inferences,
                                         directory=Path(directory) if directory else None)
    app.extensions[POOL] = QueryPool(app.config["SPARQL_WORKERS"])
    megabytes = app.config["SPARQL_ANSWER_CACHE_MB"]
    app.extensions[CACHE] = AnswerCache(int(megabytes * 2**20)) if megabytes else None


def keeper() -> StoreKeeper:
    return current_app.extensions[KEEPER]


def _acceptable(form: str) -> Representation | None:
    """The representation the Accept header prefers for ``form`` (select / ask: results,
    graph: RDF), None if it accepts none of them."""
    table = GRAPHS if form == "graph" else RESULTS
    default = "text/turtle" if form == "graph" else "application/sparql-results+json"
    if not request.accept_mimetypes:
        return table[default]
    best = request.accept_mimetypes.best_match([default, *table])
    return None if best is None else table[best]


def _not_acceptable(form: str) -> ApiProblem:
    table = GRAPHS if form == "graph" else RESULTS
    return ApiProblem("not-acceptable", f"no {'RDF' if form == 'graph' else 'results'} "
                      "format matches the Accept header; acceptable: " + ", ".join(table))


def _evaluated(text: str, formats: Formats) -> tuple[Answer, str]:
    """The answer to ``text`` from a worker within the limits, and the graph version."""
    config = current_app.config
    seconds, limit = config["SPARQL_TIME_LIMIT_SECONDS"], config["SPARQL_MAX_RESULTS"]
    try:
        store = keeper().get(seconds)
    except StoreNotReady as exc:
        raise ApiProblem("backend-unavailable", str(exc)) from None
    pool: QueryPool = current_app.extensions[POOL]
    cache: AnswerCache | None = current_app.extensions[CACHE]

    def evaluate() -> Answer:
        return pool.run(store.path, text, seconds=seconds, max_results=limit, formats=formats)

    try:
        result = (cache.answer(store.path, text, formats, evaluate) if cache
                  else evaluate())  # errors are not kept: a timeout may not recur
    except SparqlSyntaxError as exc:
        where = {} if exc.line is None else {"line": exc.line, "column": exc.column}
        raise ApiProblem("invalid-sparql", f"malformed SPARQL: {exc}", **where) from None
    except UpdateRefused as exc:
        raise ApiProblem("sparql-update-refused", str(exc)) from None
    except ServiceRefused as exc:
        raise ApiProblem("sparql-service-refused", str(exc)) from None
    except QueryTooSlow:
        raise ApiProblem("query-timeout", f"the SPARQL query took longer than {seconds:g} s; "
                         "narrow it or add a LIMIT", limit_seconds=seconds) from None
    except TooManyResults as exc:
        raise ApiProblem("too-many-results", f"{exc}; add a LIMIT or narrow the query",
                         max_results=exc.limit) from None
    except WorkerFailed as exc:
        raise ApiProblem("backend-unavailable", str(exc)) from None
    return result, store.version


def answer(text: str) -> Response:
    """Run ``text`` within the limits (parse check included: in the worker, since pyoxigraph
    parses by evaluating) and send the bytes the worker wrote in the negotiated format
    unchanged (no Python per row in the server)."""
    form = query_form(text)
    results, rdf = _acceptable("select"), _acceptable("graph")
    if form is not None and (rdf if form == "graph" else results) is None:
        raise _not_acceptable(form)  # a 406 before any work
    formats = Formats(results=results and results.media_type, rdf=rdf and rdf.media_type,
                      prefixes=tuple(vocabulary().prefixes.items()))
    result, version = _evaluated(text, formats)
    if result.body is None or result.media_type is None:  # a form the text did not show
        raise _not_acceptable(result.form)
    response = Response(result.body, mimetype=result.media_type)
    if result.media_type.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Innograph-Graph-Version"] = version
    response.vary.add("Accept")
    return response


@bp.operation(Operation(
    "sparql_get", "/sparql", "SPARQL query (GET)", DESCRIPTION, "sparql", "SparqlResults",
    params=(QUERY_PARAM, *HINTS), problems=(406, 422), media_type="application/sparql-results+json",
    alternatives=ALTERNATIVES,
    examples=("/api/v1/sparql?query=SELECT%20%2A%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
              "%20LIMIT%205",)))
def sparql_get(query: str, **_hints: str) -> Response:
    return answer(query)


@bp.before_request
def refuse_update() -> None:
    """An update (SPARQL 1.1 Protocol: a sparql-update body or a form's ``update`` field) is
    refused as such, before its body type is checked (it is not one the query POST reads)."""
    if request.endpoint == "sparql.sparql_post" and (
            request.mimetype == "application/sparql-update" or (
                request.mimetype == "application/x-www-form-urlencoded"
                and "update" in request.form)):
        raise ApiProblem("sparql-update-refused", "SPARQL updates are not accepted: the "
                         "endpoint answers queries only")


@bp.operation(Operation(
    "sparql_post", "/sparql", "SPARQL query (POST)",
    DESCRIPTION + " The query is the body (`Content-Type: application/sparql-query`) or the "
    "`query` field of a form (`application/x-www-form-urlencoded`).",
    "sparql", "SparqlResults", problems=(406, 422),
    media_type="application/sparql-results+json", alternatives=ALTERNATIVES, method="POST",
    request_body=(("application/sparql-query", QUERY_PARAM.json_schema()),
                  ("application/x-www-form-urlencoded", QUERY_FORM))))
def sparql_post() -> Response:
    if request.mimetype == "application/sparql-query":
        text = request.get_data(as_text=True)
    else:  # a form (the operation reads no other type: api.operations)
        texts = request.form.getlist("query")
        if len(texts) != 1:
            raise ApiProblem("invalid-parameters", "invalid parameter(s): query",
                             invalid_params=[{"name": "query", "reason": "give exactly one"}])
        text = texts[0]
    try:
        QUERY_PARAM.parse([text])
    except ValueError as exc:
        raise ApiProblem("invalid-parameters", "invalid parameter(s): query",
                         invalid_params=[{"name": "query", "reason": str(exc)}]) from None
    return answer(text)


@bp.operation(Operation(
    "sparql_examples", "/sparql/examples", "The example SPARQL queries",
    "The shipped example queries (queries/sparql/*.rq): name, description and text; the "
    "query page offers them.", "sparql", "SparqlExamples",
    examples=("/api/v1/sparql/examples",)))
def sparql_examples() -> Response:
    items = [{"name": name, "description": description(text), "query": text}
             for name, text in example_queries().items()]
    return current_app.json.response({"items": items})


@page.get("/sparql")
def query_page() -> Response:
    response = send_from_directory(WEB_DIR, "sparql.html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
