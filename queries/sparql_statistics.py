"""Whole-graph tables precomputed when a SPARQL store is built: the named graph
``<https://innograph.org/ontology/statistics>``, in the W3C RDF Data Cube vocabulary (``qb:``).

Some example questions are aggregates over the whole graph (how many labs per sector, which
companies per park, how many quotes per source document): at 100k nodes Oxigraph takes 0.3 to
5 s to answer them, each time. They do not change until the graph does, so the store builder
answers them once, right after loading the export, and keeps the answers as data: one
``qb:DataSet`` per table (``igs:labs-per-sector``, ``igs:companies-per-park``,
``igs:quotes-per-source``) with its structure (``qb:DataStructureDefinition``: which
components are dimensions, measures, attributes), and one ``qb:Observation`` per row. Each
table is computed by a SPARQL CONSTRUCT over the default graph (``queries/sparql/statistics/
{table}.rq``), so every figure is derived from the graph by the same engine, and a user can
run the CONSTRUCT to check it. The examples (``queries/sparql/*.rq``) read these tables; the
default graph and the per-source graphs are untouched.

A row carries what its example shows (the sector's or park's id and name, not only its IRI)
and ``igs:rank``, its position in the order the example shows (``TABLE_ORDER``, numbered here
when the table is stored): at 100k nodes, joining each of 6319 rows to its labels took an index
lookup per row and property, and ORDER BY on strings and IRIs decodes every compared term from
the store (0.2 s for 6319 rows); an integer rank sorts in place.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:  # imported where used: the query workers import this module, not rdflib
    import rdflib

STATISTICS_GRAPH = "https://innograph.org/ontology/statistics"
TABLES_DIR = Path(__file__).with_name("sparql") / "statistics"
IGS = "https://innograph.org/ontology/statistics#"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

# Each table's order (igs:rank 1, 2, ...), as its example shows it: a key on the row's values
# by property name (integers as int, everything else as its text).
TABLE_ORDER: dict[str, Callable[[dict[str, Any]], Any]] = {
    "labs-per-sector": lambda row: (-row["labs"], row["sectorId"]),
    "companies-per-park": lambda row: (row["basis"] != "stated", -row["companies"],
                                       row["parkId"]),
    "quotes-per-source": lambda row: row["document"],
}

# The tables' structure (qb:DataStructureDefinition), the same in every store.
STRUCTURE = """\
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix igs: <https://innograph.org/ontology/statistics#> .
@prefix ig: <https://innograph.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .

igs:labs-per-sector a qb:DataSet ; qb:structure igs:labs-per-sector-structure ;
    rdfs:label "Labs per sector"@en, "各领域实验室数"@zh ;
    rdfs:comment "How many labs work in each sector (ig:worksInSector)."@en .
igs:labs-per-sector-structure a qb:DataStructureDefinition ;
    qb:component [ qb:dimension igs:sector ], [ qb:measure igs:labs ],
        [ qb:attribute igs:sectorId ], [ qb:attribute igs:sectorName ],
        [ qb:attribute igs:rank ] .

igs:companies-per-park a qb:DataSet ; qb:structure igs:companies-per-park-structure ;
    rdfs:label "Companies per park"@en, "各园区企业"@zh ;
    rdfs:comment '''Per park and basis: stated (ig:locatedIn, ig:hosts) or shared_sector
(the company works in a sector the park targets: an inference, not a location), the
companies, their names and the shared sectors.'''@en .
igs:companies-per-park-structure a qb:DataStructureDefinition ;
    qb:component [ qb:dimension igs:park ], [ qb:dimension igs:basis ],
        [ qb:measure igs:companies ], [ qb:attribute igs:companyNames ],
        [ qb:attribute igs:sectorNames ], [ qb:attribute igs:parkId ],
        [ qb:attribute igs:parkName ], [ qb:attribute igs:rank ] .

igs:quotes-per-source a qb:DataSet ; qb:structure igs:quotes-per-source-structure ;
    rdfs:label "Quotes per source document"@en, "各来源文件引文数"@zh ;
    rdfs:comment '''How many provenance entries (prov:qualifiedDerivation) cite each
source document, in all and on edges (rdf:Statement).'''@en .
igs:quotes-per-source-structure a qb:DataStructureDefinition ;
    qb:component [ qb:dimension igs:document ], [ qb:measure igs:quotes ],
        [ qb:measure igs:edgeQuotes ], [ qb:attribute igs:rank ] .

igs:sector a qb:DimensionProperty ; rdfs:label "sector"@en ; rdfs:range ig:Sector .
igs:park a qb:DimensionProperty ; rdfs:label "park"@en ; rdfs:range ig:Park .
igs:basis a qb:DimensionProperty ; rdfs:label "basis: stated or shared_sector"@en ;
    rdfs:range xsd:string .
igs:document a qb:DimensionProperty ; rdfs:label "source document"@en ; rdfs:range prov:Entity .
igs:labs a qb:MeasureProperty ; rdfs:label "labs"@en ; rdfs:range xsd:integer .
igs:companies a qb:MeasureProperty ; rdfs:label "companies"@en ; rdfs:range xsd:integer .
igs:quotes a qb:MeasureProperty ; rdfs:label "quotes"@en ; rdfs:range xsd:integer .
igs:edgeQuotes a qb:MeasureProperty ; rdfs:label "quotes on edges"@en ;
    rdfs:range xsd:integer .
igs:companyNames a qb:AttributeProperty ; rdfs:label "company names, joined by 、"@en ;
    rdfs:range xsd:string .
igs:sectorNames a qb:AttributeProperty ; rdfs:label "shared sector names, joined by 、"@en ;
    rdfs:range xsd:string .
igs:sectorId a qb:AttributeProperty ; rdfs:label "the sector's ig:id"@en ; rdfs:range xsd:string .
igs:sectorName a qb:AttributeProperty ; rdfs:label "the sector's ig:nameZh"@en ;
    rdfs:range xsd:string .
igs:parkId a qb:AttributeProperty ; rdfs:label "the park's ig:id"@en ; rdfs:range xsd:string .
igs:parkName a qb:AttributeProperty ; rdfs:label "the park's ig:nameZh"@en ;
    rdfs:range xsd:string .
igs:rank a qb:AttributeProperty ;
    rdfs:label "the row's position in the table's order (1 first)"@en ;
    rdfs:comment '''The order its example shows: labs per sector most first, then sector
id; companies per park stated first, most companies first, then park id; quotes per source
by document IRI.'''@en ;
    rdfs:range xsd:integer .
"""


def table_queries() -> dict[str, str]:
    """Table name -> the CONSTRUCT that computes it, in name order."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(TABLES_DIR.glob("*.rq"))}


def ranks(table: str, values: Iterable[tuple[Any, str, Any]]) -> dict[Any, int]:
    """Row -> its ``igs:rank`` in ``table`` from ``(row, property IRI, value)`` of the
    table's CONSTRUCT (values as Python int or str)."""
    rows: dict[Any, dict[str, Any]] = {}
    for row, prop, value in values:
        if prop.startswith(IGS):
            rows.setdefault(row, {})[prop[len(IGS):]] = value
    ordered = sorted(rows, key=lambda row: TABLE_ORDER[table](rows[row]))
    return {row: rank for rank, row in enumerate(ordered, start=1)}


def _ox_value(term: Any) -> Any:
    if isinstance(term, ox.Literal):
        return int(term.value) if term.datatype.value == XSD_INTEGER else term.value
    return term.value


def add_statistics(store: ox.Store) -> int:
    """Compute every table over ``store``'s default graph and add it, with the ranks and the
    structure, to the named graph ``STATISTICS_GRAPH``; returns the quads added."""
    graph = ox.NamedNode(STATISTICS_GRAPH)
    rank = ox.NamedNode(IGS + "rank")
    quads = []
    for table, text in table_queries().items():
        triples = list(store.query(text))
        quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        numbered = ranks(table, ((t.subject, t.predicate.value, _ox_value(t.object))
                                 for t in triples))
        quads += [ox.Quad(row, rank, ox.Literal(str(n), datatype=ox.NamedNode(XSD_INTEGER)),
                          graph) for row, n in numbered.items()]
    store.extend(quads)
    store.load(STRUCTURE, ox.RdfFormat.TURTLE, to_graph=graph)
    # written out as table files now: left in RocksDB's write-ahead log (50 MB at 100k
    # nodes), they were replayed into memory at every read-only open, by every query worker
    # (2.5 s and the log's size each; 10 ms flushed)
    store.flush()
    return len(quads) + sum(1 for _ in ox.parse(STRUCTURE, ox.RdfFormat.TURTLE))


def add_statistics_rdflib(dataset: rdflib.Dataset) -> None:
    """The same with rdflib (a second engine): every table over ``dataset``'s default graph,
    into its named graph ``STATISTICS_GRAPH``, with the ranks."""
    import rdflib

    default = dataset.default_graph
    target = dataset.graph(rdflib.URIRef(STATISTICS_GRAPH))
    with warnings.catch_warnings():  # rdflib calls its own deprecated default_context
        warnings.simplefilter("ignore", DeprecationWarning)
        for table, text in table_queries().items():
            triples = list(default.query(text))
            for triple in triples:
                target.add(triple)
            numbered = ranks(table, ((s, str(p), o.toPython() if isinstance(o, rdflib.Literal)
                                      else str(o)) for s, p, o in triples))
            for row, n in numbered.items():
                target.add((row, rdflib.URIRef(IGS + "rank"), rdflib.Literal(n)))
    target.parse(data=STRUCTURE, format="turtle")
