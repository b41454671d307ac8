"""Every instance IRI the export and the SPARQL store mint resolves (api/routes/ld.py): the IRIs
are taken out of a real store, fetched over Flask's test client and over real HTTP, and the
answers parsed by rdflib and Apache Jena riot, engines the project did not write.

What each answer must hold is worked out here again, from the export parsed by rdflib (not
from the store), by the rule the module docstring and docs/rdf.md state."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from api_fixtures import assert_problem
from flask import Flask
from rdf_tools import jena
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from api.app import create_app
from api.routes.sparql import KEEPER
from api.server import running_server
from graph.rdf.export import iter_serialized
from graph.rdf.ontology import build_ontology
from queries.embedded_backend import EmbeddedBackend
from queries.sparql_inferences import backing_graph, backing_nquads
from queries.sparql_store import StoreKeeper

BASE = "https://innograph.org/"
KINDS = ("id", "statement", "provenance", "source", "period", "backing")
SOSA_PHENOMENON_TIME = URIRef("http://www.w3.org/ns/sosa/phenomenonTime")
IG_ID = URIRef("https://innograph.org/ontology#id")
IG = "https://innograph.org/ontology#"
# The rule (docs/rdf.md, "IRIs that resolve"), kind by kind.
CITED_BY = {"provenance": (PROV.qualifiedDerivation,), "source": (DCTERMS.hasFormat,),
            "period": (SOSA_PHENOMENON_TIME, DCTERMS.temporal)}
WHOLE = {"statement": (PROV.qualifiedDerivation,)}
GLANCE = (RDFS.label, RDF.subject, RDF.predicate, RDF.object)
MEDIA = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
         "xml": "application/rdf+xml", "trig": "application/trig", "nq": "application/n-quads"}
RDFLIB = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml", "trig": "trig",
          "nq": "nquads"}
Triples = set[tuple[Node, Node, object]]


class Served:
    """An app over a graph with its store built, and the export as rdflib reads it."""

    def __init__(self, g: nx.MultiDiGraph, store_dir: Path):
        self.graph = g
        self.app: Flask = create_app(EmbeddedBackend(g),
                                     config={"SPARQL_STORE_DIR": str(store_dir)})
        self.store = self.app.extensions[KEEPER].get(120)
        # the store's default graph: the export (whole graph) and the ontology
        self.default = rdflib.Graph().parse(data="".join(iter_serialized(g, "nt")),
                                            format="nt")
        self.default += build_ontology()
        chains = rdflib.Dataset().parse(data="".join(backing_nquads(g)), format="nquads")
        self.backing = chains.graph(URIRef(backing_graph()))

    def iris(self, kind: str) -> list[str]:
        """Every IRI of ``kind`` the store holds triples about (default or named graph)."""
        rows = self.store.store.query(
            "SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
            f"FILTER (STRSTARTS(STR(?s), '{BASE}{kind}/')) }} ORDER BY ?s")
        return [row["s"].value for row in rows]

    def expected(self, kind: str, iri: str) -> Triples:
        """The description of ``iri`` by the stated rule, from the export."""
        node, default = URIRef(iri), self.default
        if kind == "id":
            statements = {s for p in (RDF.subject, RDF.object) for s in default.subjects(p, node)}
            entries = {e for r in (node, *statements)
                       for e in default.objects(r, PROV.qualifiedDerivation)}
            return _by_value(t for r in (node, *statements, *entries)
                             for t in default.triples((r, None, None)))
        own = set((self.backing if kind == "backing" else default).triples((node, None, None)))
        citing = {t for p in CITED_BY.get(kind, ()) for t in default.triples((None, p, node))}
        whole = {t for _, p, o in own if p in WHOLE.get(kind, ())
                 for t in default.triples((o, None, None))}
        linked = {o for _, _, o in own if isinstance(o, URIRef)} | {s for s, _, _ in citing}
        glance = {t for n in linked for p in GLANCE for t in default.triples((n, p, None))}
        return _by_value(own | citing | whole | glance)

    def page(self, kind: str, iri: str) -> str | None:
        """The explorer page a browser should land on, read from the export (None: none)."""
        node, default = URIRef(iri), self.default

        def entity(resource: Node) -> str:
            subject = default.value(resource, RDF.subject)  # a statement: its subject
            return f"/#/entity/{default.value(subject or resource, IG_ID)}"

        if kind == "backing":
            fund, lab = (self.backing.value(node, URIRef(IG + p)).split("/")[-1]
                         for p in ("backingFund", "backingLab"))
            return f"/#/backing?fund={fund}&lab={lab}"
        if kind in ("id", "statement"):
            return entity(node)
        citing = {s for p in CITED_BY[kind] for s in default.subjects(p, node)}
        return entity(citing.pop()) if citing else None


@pytest.fixture(scope="module")
def rich(rich_graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Served:
    """The rich fixture: every kind of IRI, and a source file name ("报告 A.txt") that its
    IRI percent-encodes."""
    return Served(rich_graph, tmp_path_factory.mktemp("ld-rich-store"))


@pytest.fixture(scope="module")
def curated(data_graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Served:
    return Served(data_graph, tmp_path_factory.mktemp("ld-data-store"))


@pytest.fixture(scope="module")
def rich_url(rich: Served) -> Iterator[str]:
    with running_server(rich.app, threads=2) as url:
        yield url.rstrip("/")


def _path(iri: str) -> str:
    assert iri.startswith(BASE)
    return "/" + iri[len(BASE):]


def _by_value(triples: Iterable[tuple[Node, Node, Node]]) -> Triples:
    """Typed literals by value: Oxigraph keeps an xsd:decimal as a number, so the export's
    "2.0" comes back from the store as "2", the same value."""
    return {(s, p, (o.toPython(), o.datatype) if isinstance(o, Literal) and o.datatype else o)
            for s, p, o in triples}


def _parsed(body: bytes | str, fmt: str) -> Triples:
    if fmt in ("trig", "nq"):
        dataset = rdflib.Dataset().parse(data=body, format=RDFLIB[fmt])
        return _by_value((s, p, o) for s, p, o, _ in dataset.quads())
    return _by_value(rdflib.Graph().parse(data=body, format=RDFLIB[fmt]))


def test_the_store_holds_every_kind_and_an_encoded_file_name(rich: Served):
    for kind in KINDS:
        assert rich.iris(kind), kind
    assert f"{BASE}source/%E6%8A%A5%E5%91%8A%20A.txt" in rich.iris("source")


@pytest.mark.parametrize("kind", KINDS)
def test_every_iri_of_the_store_resolves_to_its_description(rich: Served, kind: str):
    """Each IRI of the kind in the store, as Turtle; the description is the stated rule's."""
    client = rich.app.test_client()
    for iri in rich.iris(kind):
        response = client.get(_path(iri), headers={"Accept": "text/turtle"})
        assert response.status_code == 200, (iri, response.get_data(as_text=True))
        assert response.headers["Link"] == f'<{iri}>; rel="canonical"'
        assert response.headers["ETag"] == f'"{rich.store.version}-ttl"'
        described = _parsed(response.data, "ttl")
        assert described == rich.expected(kind, iri), iri
        assert any(s == URIRef(iri) for s, _, _ in described)  # its own triples lead


@pytest.mark.parametrize("kind", KINDS)
def test_every_format_gives_the_same_triples(rich: Served, kind: str):
    client = rich.app.test_client()
    iri = rich.iris(kind)[0]
    for fmt, media_type in MEDIA.items():
        response = client.get(_path(iri), headers={"Accept": media_type})
        assert response.status_code == 200 and response.mimetype == media_type, fmt
        assert _parsed(response.data, fmt) == rich.expected(kind, iri), fmt


def test_json_ld_is_the_exports_compact_form(rich: Served, curated: Served):
    """JSON-LD as the export writes it: the published context inline (the same document as
    /api/v1/rdf/context.jsonld), the context's terms as keys, the resource's node first."""
    for served in (rich, curated):
        client = served.app.test_client()
        published = client.get("/api/v1/rdf/context.jsonld").get_json()["@context"]
        iri = served.iris("id")[0]
        document = client.get(_path(iri), headers={"Accept": "application/ld+json"}).get_json()
        assert document["@context"] == published
        assert document["@graph"][0]["@id"] == iri
        keys = {k for node in document["@graph"] for k in node}
        assert not any(k.startswith("http") for k in keys), keys


def test_over_real_http_and_read_by_jena(rich: Served, rich_url: str, tmp_path: Path):
    """One IRI of each kind over HTTP in Turtle, JSON-LD, RDF/XML and N-Triples; Jena riot reads
    all the answers, and their union is the union of the descriptions."""
    files, expected = [], set()
    suffix = {"ttl": ".ttl", "jsonld": ".jsonld", "xml": ".rdf", "nt": ".nt"}
    for kind in KINDS:
        iri = rich.iris(kind)[0]
        expected |= rich.expected(kind, iri)
        for fmt, ending in suffix.items():
            request = urllib.request.Request(rich_url + _path(iri),
                                             headers={"Accept": MEDIA[fmt]})
            with urllib.request.urlopen(request) as response:
                assert response.headers["Link"] == f'<{iri}>; rel="canonical"'
                body = response.read()
            assert _parsed(body, fmt) == rich.expected(kind, iri), (iri, fmt)
            files.append(tmp_path / f"{kind}-{fmt}{ending}")
            files[-1].write_bytes(body)
    run = jena("riot", "--output=nt", *map(str, files))
    assert run.returncode == 0 and "WARN" not in run.stderr, run.stderr
    assert _parsed(run.stdout, "nt") == expected


def test_source_file_names_round_trip_however_the_path_is_encoded(rich: Served,
                                                                  rich_url: str):
    iri = f"{BASE}source/%E6%8A%A5%E5%91%8A%20A.txt"
    client = rich.app.test_client()
    for path in ("/source/%E6%8A%A5%E5%91%8A%20A.txt", "/source/%e6%8a%a5%e5%91%8a%20A.txt",
                 "/source/报告 A.txt"):
        response = client.get(path, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, path
        assert response.headers["Link"] == f'<{iri}>; rel="canonical"'
        assert _parsed(response.data, "nt") == rich.expected("source", iri)
    request = urllib.request.Request(f"{rich_url}/source/%e6%8a%a5%e5%91%8a%20A.txt",
                                     headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Link"] == f'<{iri}>; rel="canonical"'


@pytest.mark.parametrize("kind", KINDS)
def test_a_browser_is_sent_to_the_explorer_page(rich: Served, kind: str):
    client = rich.app.test_client()
    for iri in rich.iris(kind)[:5]:
        response = client.get(_path(iri), headers={"Accept": "text/html,*/*;q=0.8"})
        page = rich.page(kind, iri)
        if page is None:  # a document only cited, no Source node: its description
            assert kind == "source" and response.status_code == 200, iri
            assert response.mimetype == "text/turtle"
            assert _parsed(response.data, "ttl") == rich.expected(kind, iri)
            continue
        assert response.status_code == 303, iri
        assert response.headers["Location"] == page, iri
        assert "Accept" in response.headers["Vary"]
    pages = [rich.page(kind, iri) for iri in rich.iris(kind)]
    assert any(pages), "no IRI of the kind has a page"


def test_curated_data_descriptions_are_bounded(curated: Served):
    """On data/: the first IRIs of each kind resolve to the rule's description; a source
    document cited by hundreds of quotes is described without them."""
    client = curated.app.test_client()
    for kind in KINDS:
        for iri in curated.iris(kind)[:3]:
            response = client.get(_path(iri), headers={"Accept": "application/ld+json"})
            assert _parsed(response.data, "jsonld") == curated.expected(kind, iri), iri
    document = URIRef(curated.iris("source")[0])
    citing = set(curated.default.subjects(PROV.entity, document))
    assert len(citing) > 100
    response = client.get(_path(document), headers={"Accept": "application/n-triples"})
    described = _parsed(response.data, "nt")
    assert not any(o == document and p == PROV.entity for _, p, o in described)
    assert len(described) < 20


MISSING = {"id": "/id/no-such-node", "statement": "/statement/no-such.operates.thing",
           "provenance": "/provenance/no-such.0123456789ab",
           "source": "/source/no%20such.txt", "period": "/period/no-such",
           "backing": "/backing/no-fund.no-lab.0123456789ab"}


@pytest.mark.parametrize("kind", KINDS)
def test_an_iri_the_store_does_not_hold_is_a_404_naming_it(rich: Served, kind: str):
    client = rich.app.test_client()
    response = client.get(MISSING[kind], headers={"Accept": "text/turtle"})
    problem = assert_problem(response, 404, "entity-not-found" if kind == "id" else "not-found")
    assert problem["iri"] == BASE + MISSING[kind][1:]
    assert problem["iri"] in problem["detail"]
    # no IRI has these characters: nothing to look up, and nothing spliced into a query
    response = client.get(f"/{kind}/a>b%20%7Bc", headers={"Accept": "text/turtle"})
    assert_problem(response, 404)
    assert_problem(client.get(MISSING[kind], headers={"Accept": "image/png"}), 406)


@pytest.mark.parametrize("kind", KINDS)
def test_a_browser_asking_an_iri_the_store_does_not_hold_gets_a_404(rich: Served, kind: str):
    """Not a 303 to an explorer page with nothing on it (a link checker would count the IRI
    as resolving)."""
    response = rich.app.test_client().get(MISSING[kind],
                                          headers={"Accept": "text/html,*/*;q=0.8"})
    problem = assert_problem(response, 404, "entity-not-found" if kind == "id" else "not-found")
    assert problem["iri"] == BASE + MISSING[kind][1:]


def test_a_source_without_a_node_sends_no_browser_anywhere(rich: Served):
    response = rich.app.test_client().get(MISSING["source"], headers={"Accept": "text/html"})
    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize("kind", KINDS)
def test_revalidation_by_the_store_version(rich: Served, kind: str):
    client = rich.app.test_client()
    path = _path(rich.iris(kind)[0])
    first = client.get(path, headers={"Accept": "text/turtle"})
    again = client.get(path, headers={"Accept": "text/turtle",
                                      "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    other = client.get(path, headers={"Accept": "application/n-triples",
                                      "If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200 and "Accept" in other.headers["Vary"]


def test_503_while_the_store_is_built(rich_graph: nx.MultiDiGraph, tmp_path: Path,
                                      rich: Served):
    """A store whose build is held back: every kind answers 503 problem+json (a browser too,
    for a source, whose page is looked up in the store), then 200 once it is built."""
    app = create_app(EmbeddedBackend(rich_graph),
                     config={"SPARQL_TIME_LIMIT_SECONDS": 0.05})
    release = threading.Event()

    def held_export() -> tuple[str, Iterable[str]]:
        release.wait(60)
        return rich_graph.graph["version"], iter_serialized(rich_graph, "nq")

    app.extensions[KEEPER] = StoreKeeper(held_export, lambda: rich_graph.graph["version"],
                                         directory=tmp_path)
    client = app.test_client()
    path = _path(rich.iris("statement")[0])
    try:
        for kind in KINDS:
            response = client.get(_path(rich.iris(kind)[0]), headers={"Accept": "text/turtle"})
            assert_problem(response, 503, "backend-unavailable")
        response = client.get(_path(rich.iris("source")[0]), headers={"Accept": "text/html"})
        assert_problem(response, 503, "backend-unavailable")
    finally:
        release.set()
    app.extensions[KEEPER].get(120)
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 200
