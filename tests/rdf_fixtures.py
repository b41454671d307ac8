"""Graphs for the RDF tests: the small fixture, a "rich" graph that uses every property type,
awkward strings and multi-source provenance, a generated graph, and the curated data set."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
import yaml

from graph.embedded import node_view
from graph.rdf.export import export_graph, rdf_format
from graph.rdf.namespaces import IriScheme
from loaders.dataset import load_graph
from loaders.generate import generate_dataset

FIXTURES = Path(__file__).parent / "fixtures"
OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
              "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML,
              "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml",
                  "trig": "trig", "nq": "nquads"}

# Awkward text: quotes, backslashes, tabs, CR/LF, XML specials, a line separator, an emoji.
AWKWARD = 'He said "go" \\ now\t<b>&amp;</b>\u2028🚀'
SOURCE_A = "报告 A.txt"  # a space and Chinese in the file name: percent-encoded in IRIs
SOURCE_B = "plain.txt"
RICH_TEXTS = {
    SOURCE_A: ["富基金设立于长春，投资早期项目。", f"富基金说：{AWKWARD}。",
               "富基金向示范实验室提供资金五千万元。", "示范计划（2021—2035年）受理项目120个。",
               "创新大会于2024年5月1日召开。", "示范实验室在建设中。", "光电产业增长12.5%。",
               "示范市有高新技术企业3000家。", "示范市长张三。", "卫星公司在轨卫星117颗。",
               "卫星公司与示范实验室联合研发。", "卫星公司参展创新大会。",
               "示范实验室从事光电产业。"],
    SOURCE_B: ["富基金投资卫星公司12.75元。", "报告B说明。", "示范计划资助示范实验室。"],
}


def _prov(source: str, quote: str) -> dict[str, str]:
    return {"source": source, "quote": quote}


def rich_records() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    a, b = RICH_TEXTS[SOURCE_A], RICH_TEXTS[SOURCE_B]
    nodes = [
        {"id": "src-a", "kind": "Source", "subtype": "newspaper_article", "name_zh": "报告A",
         "name_en": "Report A", "file": SOURCE_A, "headline": f"头条 {AWKWARD}",
         "published_year": 2024, "reports_on_start": 2023, "reports_on_end": 2024,
         "provenance": [_prov(SOURCE_A, a[0])]},
        {"id": "rich-fund", "kind": "Fund", "subtype": "investment_fund", "name_zh": "富基金",
         "name_en": 'Rich "Fund"', "aliases": ["富", "RF", AWKWARD],
         "investment_focus_zh": "投早\n投小", "stage": "early",
         "description_en": 'Line one\nLine "two"\t\\ and\r a carriage return',
         "provenance": [_prov(SOURCE_A, a[0]), _prov(SOURCE_B, b[0]), _prov(SOURCE_A, a[1])]},
        {"id": "demo-plan", "kind": "Program", "subtype": "plan", "name_zh": "示范计划",
         "name_en": "Demo plan", "start_year": 2021, "end_year": 2035,
         "provenance": [_prov(SOURCE_A, a[3])]},
        {"id": "innovation-conference", "kind": "Event", "subtype": "conference",
         "name_zh": "创新大会", "name_en": "Innovation conference", "date": "2024-05-01",
         "year": 2024, "provenance": [_prov(SOURCE_A, a[4])]},
        {"id": "demo-lab", "kind": "Lab", "subtype": "national_key_lab", "name_zh": "示范实验室",
         "name_en": "Demo lab", "status_zh": "建设中", "provenance": [_prov(SOURCE_A, a[5])]},
        {"id": "sector-optics", "kind": "Sector", "subtype": "industry", "name_zh": "光电",
         "name_en": "Optics", "provenance": [_prov(SOURCE_A, a[6])]},
        {"id": "demo-city", "kind": "Place", "subtype": "city", "name_zh": "示范市",
         "name_en": "Demo City", "provenance": [_prov(SOURCE_A, a[7])]},
        {"id": "zhang-san", "kind": "Person", "subtype": "official", "name_zh": "张三",
         "name_en": "Zhang San", "role_zh": "市长", "provenance": [_prov(SOURCE_A, a[8])]},
        {"id": "sat-co", "kind": "Company", "subtype": "company", "name_zh": "卫星公司",
         "name_en": "Satellite Co.", "aliases": ["卫星"],
         "provenance": [_prov(SOURCE_A, a[9])]},
    ]
    edges = [
        {"from": "rich-fund", "rel": "FUNDS", "to": "demo-lab", "year": 2023,
         "status": "done", "target_year": 2023, "mode_zh": "资助",
         "note_en": f"Note: {AWKWARD}\nnext line", "provenance": [_prov(SOURCE_A, a[2])]},
        {"from": "rich-fund", "rel": "INVESTS_IN", "to": "sat-co",
         "provenance": [_prov(SOURCE_B, b[0]), _prov(SOURCE_A, a[0])]},
        {"from": "zhang-san", "rel": "LEADS", "to": "demo-city", "role_zh": "市长",
         "provenance": [_prov(SOURCE_A, a[8])]},
        {"from": "sat-co", "rel": "PARTICIPATES_IN", "to": "innovation-conference",
         "role_zh": "参展", "year": 2024, "provenance": [_prov(SOURCE_A, a[11])]},
        {"from": "demo-plan", "rel": "FUNDS", "to": "demo-lab",
         "provenance": [_prov(SOURCE_B, b[2])]},
        {"from": "demo-lab", "rel": "WORKS_IN_SECTOR", "to": "sector-optics",
         "provenance": [_prov(SOURCE_A, a[12])]},
        {"from": "sat-co", "rel": "COLLABORATES_WITH", "to": "demo-lab", "mode_zh": "联合研发",
         "provenance": [_prov(SOURCE_A, a[10])]},
    ]
    return nodes, edges


def rich_observations() -> list[dict[str, Any]]:
    """Figures, as dated observations: decimals small and large, a bound, a change, each
    status."""
    a, b = RICH_TEXTS[SOURCE_A], RICH_TEXTS[SOURCE_B]

    def obs(subject: str, metric: str, year: int, quote: str, **figure: Any) -> dict[str, Any]:
        return {"subject": subject, "metric": metric, "period_start": year, "period_end": year,
                "status": "actual", **figure, "provenance": [_prov(SOURCE_A, quote)]}

    return [
        obs("rich-fund", "fund_scale_cny", 2023, a[0], value=1_500_000_000, bound="at_least"),
        obs("rich-fund", "subsidy_per_award_cny", 2023, a[2], value=0.5),
        obs("rich-fund", "max_support_per_project_per_year_cny", 2023, a[2], value=1.25e-05,
            status="target"),
        obs("demo-plan", "municipal_projects_applied", 2021, a[3], value=120),
        obs("sector-optics", "revenue_growth_percent", 2024, a[6], value=12.5,
            status="estimate", period_zh=AWKWARD),
        obs("demo-city", "high_tech_enterprises", 2023, a[7], value=3000),
        obs("demo-city", "academicians", 2023, a[7], change_factor=2, status="plan",
            period_start=2021),
        obs("sat-co", "satellites_in_orbit", 2024, a[9], value=117),
        {**obs("rich-fund", "fund_scale_cny", 2024, b[0], value=12.75),
         "provenance": [_prov(SOURCE_B, b[0])]},
    ]


def write_rich_dataset(root: Path) -> Path:
    nodes, edges = rich_records()
    (root / "sources").mkdir(parents=True)
    for name, lines in RICH_TEXTS.items():
        (root / "sources" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, records in (("nodes", nodes), ("observations", rich_observations()),
                          ("edges", edges)):
        (root / f"{name}.yaml").write_text(yaml.safe_dump(records, allow_unicode=True),
                                           encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def rich_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_rich_dataset(tmp_path_factory.mktemp("rich"))


@pytest.fixture(scope="session")
def rich_graph(rich_dir: Path) -> nx.MultiDiGraph:
    return load_graph(rich_dir, progress=False)


@pytest.fixture(scope="session")
def fixture_graph() -> nx.MultiDiGraph:
    return load_graph(FIXTURES / "valid", progress=False)


@pytest.fixture(scope="session")
def generated_dir_400(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated-400")
    # like=None: every (relation, from kind, to kind) the schema allows, not only the data's
    generate_dataset(root, nodes=400, edges_per_node=3, seed=11, like=None,
                     progress=False)
    return root


@pytest.fixture(scope="session")
def generated_graph_400(generated_dir_400: Path) -> nx.MultiDiGraph:
    """400 generated nodes (seed 11) using every relation the schema allows."""
    return load_graph(generated_dir_400, progress=False)


# data_graph (data/) is tests/queries_fixtures.py's: a data/ that does not load fails these.
GRAPH_FIXTURES = ("fixture_graph", "rich_graph", "generated_graph_400", "data_graph")


def fixture_provenance_iri(node_id: str, base: str = "https://innograph.org/") -> str:
    """The IRI of the (only) provenance entry of a node of the small fixture."""
    (entry,) = load_graph(FIXTURES / "valid", progress=False).nodes[node_id]["provenance"]
    return IriScheme(base).provenance(node_id, entry["source"], entry["quote"])


def exported(g: nx.MultiDiGraph, fmt: str, base: str | None = None) -> str:
    out = io.StringIO()
    export_graph(g, fmt, out, base=base, progress=False)
    return out.getvalue()


def oxigraph_quads(text: str, fmt: str) -> list[ox.Quad]:
    return list(ox.parse(text, OX_FORMATS[rdf_format(fmt).name]))


def triple_set(text: str, fmt: str) -> set[tuple[Any, Any, Any]]:
    return {(q.subject, q.predicate, q.object) for q in oxigraph_quads(text, fmt)}


def graph_view(g: nx.MultiDiGraph) -> tuple[dict, dict]:
    """Nodes and edges with every attribute, for comparing two graphs."""
    nodes = {n: node_view(g, n) for n in g.nodes}
    edges = {(u, k, v): dict(a) for u, v, k, a in g.edges(keys=True, data=True)}
    return nodes, edges


# -- SHACL cases on the rich graph: observations, periods, dated sources, relation status ----
# Each case breaks the rich graph's export (an rdflib Graph) in place and names the violation
# it must cause: (focus node, constraint component, path: an IRI, "^IRI" for an inverse path,
# or None). tests/test_rdf_shacl.py runs them in pyshacl, tests/test_rdf_engines.py in Jena.

ID = "https://innograph.org/id/"
IG = "https://innograph.org/ontology#"
SOSA = "http://www.w3.org/ns/sosa/"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
OBS = "obs-demo-city-high-tech-enterprises-2023"  # a value, actual, 2023
CHANGE = "obs-demo-city-academicians-2021-2023-change-plan"  # a change factor, planned
FUNDS_STATEMENT = "https://innograph.org/statement/rich-fund.funds.demo-lab"


def _set(subject: str, predicate: str, value: Any) -> Any:
    import rdflib

    return lambda g: g.set((rdflib.URIRef(subject), rdflib.URIRef(predicate), value))


def _drop(subject: str | None, predicate: str, obj: str | None = None) -> Any:
    import rdflib

    def drop(g: Any) -> None:
        g.remove((subject and rdflib.URIRef(subject), rdflib.URIRef(predicate),
                  obj and rdflib.URIRef(obj)))
    return drop


def _put(subject: str, predicate: str, value: Any) -> Any:
    import rdflib

    return lambda g: g.add((rdflib.URIRef(subject), rdflib.URIRef(predicate), value))


def _lit(text: str, datatype: str | None = None) -> Any:
    import rdflib

    return rdflib.Literal(text, datatype=rdflib.URIRef(datatype) if datatype else None)


def _iri(text: str) -> Any:
    import rdflib

    return rdflib.URIRef(text)


RICH_BREAKS: dict[str, tuple[Any, tuple[str, str, str | None]]] = {
    "observation without subject": (
        _drop(f"{ID}demo-city", f"{IG}hasObservation", f"{ID}{OBS}"),
        (ID + OBS, "MinCountConstraintComponent", f"^{IG}hasObservation")),
    "observation of two subjects": (
        _put(f"{ID}sat-co", f"{IG}hasObservation", _iri(ID + OBS)),
        (ID + OBS, "MaxCountConstraintComponent", f"^{IG}hasObservation")),
    "no feature of interest": (
        _drop(ID + OBS, f"{SOSA}hasFeatureOfInterest"),
        (ID + OBS, "MinCountConstraintComponent", f"{SOSA}hasFeatureOfInterest")),
    "metric not in the catalogue": (
        _set(ID + OBS, f"{IG}metric", _lit("gdp")),
        (ID + OBS, "InConstraintComponent", f"{IG}metric")),
    "observed property not in the catalogue": (
        _set(ID + OBS, f"{SOSA}observedProperty", _iri(f"{IG}metric/gdp")),
        (ID + OBS, "InConstraintComponent", f"{SOSA}observedProperty")),
    "value and change factor": (
        _put(ID + OBS, f"{IG}changeFactor", _lit("2.0", f"{XSD}decimal")),
        (ID + OBS, "XoneConstraintComponent", None)),
    "neither value nor change factor": (
        _drop(ID + CHANGE, f"{IG}changeFactor"),
        (ID + CHANGE, "XoneConstraintComponent", None)),
    "wrong datatype": (
        _set(ID + OBS, f"{IG}value", _lit("lots")),
        (ID + OBS, "DatatypeConstraintComponent", f"{IG}value")),
    "status not in the list": (
        _set(ID + OBS, f"{IG}status", _lit("hoped")),
        (ID + OBS, "InConstraintComponent", f"{IG}status")),
    "period start after end": (
        _set(ID + CHANGE, f"{IG}periodStart", _lit("2030", f"{XSD}gYear")),
        (ID + CHANGE, "SPARQLConstraintComponent", f"{IG}periodStart")),
    "period resource reversed": (
        _set(f"https://innograph.org/period/{CHANGE}", f"{DCAT}startDate",
             _lit("2030", f"{XSD}gYear")),
        (f"https://innograph.org/period/{CHANGE}", "SPARQLConstraintComponent",
         f"{DCAT}startDate")),
    "source without a date": (
        lambda g: (_drop(f"{ID}src-a", f"{IG}publishedYear")(g),
                   _drop(f"{ID}src-a", f"{DCTERMS}issued")(g)),
        (f"{ID}src-a", "MinCountConstraintComponent", f"{DCTERMS}issued")),
    "source without its published year": (
        _drop(f"{ID}src-a", f"{IG}publishedYear"),
        (f"{ID}src-a", "MinCountConstraintComponent", f"{IG}publishedYear")),
    "source reporting period reversed": (
        _set(f"{ID}src-a", f"{IG}reportsOnStart", _lit("2025", f"{XSD}gYear")),
        (f"{ID}src-a", "SPARQLConstraintComponent", f"{IG}reportsOnStart")),
    "relation status not in the list": (
        _set(FUNDS_STATEMENT, f"{IG}edgeStatus", _lit("maybe")),
        (FUNDS_STATEMENT, "InConstraintComponent", f"{IG}edgeStatus")),
    "target year not a year": (
        _set(FUNDS_STATEMENT, f"{IG}targetYear", _lit("soon")),
        (FUNDS_STATEMENT, "DatatypeConstraintComponent", f"{IG}targetYear")),
}


def shacl_results(report: Any) -> set[tuple[str, str, str | None]]:
    """(focus node, constraint component local name, path) of every result of a SHACL
    validation report (an rdflib Graph, from pyshacl or Jena)."""
    import rdflib
    from rdflib.namespace import RDF, SH

    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        component = str(report.value(result, SH.sourceConstraintComponent)).split("#")[-1]
        path = report.value(result, SH.resultPath)
        if isinstance(path, rdflib.BNode):
            inverse = report.value(path, SH.inversePath)
            path = f"^{inverse}" if inverse is not None else None
        found.add((str(report.value(result, SH.focusNode)), component,
                   None if path is None else str(path)))
    return found
