"""The RDF export: IRI scheme, typed and tagged literals, every property, provenance on every
statement, six formats that agree with each other and with rdflib, streaming, the CLI."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from rdf_fixtures import (
    AWKWARD,
    GRAPH_FIXTURES,
    RDFLIB_FORMATS,
    RICH_TEXTS,
    SOURCE_A,
    SOURCE_B,
    exported,
    oxigraph_quads,
    triple_set,
)
from rdflib.compare import isomorphic

from graph.embedded import CORE_EDGE_ATTRS, CORE_NODE_ATTRS
from graph.rdf.export import FORMATS, ExportError, describe, export_graph, iter_triples
from graph.rdf.namespaces import XSD, IriScheme, vocabulary
from graph.schema import load_schema
from innograph.cli import RDF_FORMATS as CLI_FORMATS
from innograph.cli import main

VOCAB = vocabulary()
BASE = "https://innograph.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IG = VOCAB.ns
PROV = VOCAB.prefixes["prov"]


def N(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def subject_values(triples: set, subject: str, predicate: str) -> list:
    return [o for s, p, o in triples if s == N(subject) and p == N(predicate)]


# -- IRIs ----------------------------------------------------------------------------------

def test_iri_scheme(rich_graph: nx.MultiDiGraph) -> None:
    triples = triple_set(exported(rich_graph, "nt"), "nt")
    subjects = {s.value for s, _, _ in triples}
    assert {f"{BASE}id/{n}" for n in rich_graph.nodes} <= subjects
    statement = f"{BASE}statement/rich-fund.funds.demo-lab"
    assert statement in subjects
    iris = IriScheme(BASE)
    derivation = iris.provenance("rich-fund.funds.demo-lab", SOURCE_A, RICH_TEXTS[SOURCE_A][2])
    assert (N(statement), N(PROV + "qualifiedDerivation"), N(derivation)) in triples
    # the fund's third entry: named by its source and quote
    assert iris.provenance("rich-fund", SOURCE_A, RICH_TEXTS[SOURCE_A][1]) in subjects
    document = f"{BASE}source/{quote(SOURCE_A, safe='')}"
    assert "%20" in document and (N(derivation), N(PROV + "entity"), N(document)) in triples


def test_base_from_argument_and_environment(fixture_graph: nx.MultiDiGraph,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    by_argument = exported(fixture_graph, "nt", base="https://example.org/kg/")
    assert "<https://example.org/kg/id/demo-fund>" in by_argument
    assert "innograph.org/id/" not in by_argument
    monkeypatch.setenv("INNOGRAPH_BASE", "urn:example:")
    with pytest.raises(ValueError, match="ending in '/' or '#'"):
        exported(fixture_graph, "nt")
    monkeypatch.setenv("INNOGRAPH_BASE", "https://env.example/")
    assert "<https://env.example/id/demo-fund>" in exported(fixture_graph, "nt")


@pytest.mark.parametrize("base", ["not an iri/", "https://example.org/kg", "http://a b/"])
def test_bad_base_is_refused(fixture_graph: nx.MultiDiGraph, base: str) -> None:
    with pytest.raises(ValueError, match="base IRI"):
        exported(fixture_graph, "ttl", base=base)


# -- literals -------------------------------------------------------------------------------

def test_typed_and_language_tagged_literals(rich_graph: nx.MultiDiGraph) -> None:
    triples = triple_set(exported(rich_graph, "nt"), "nt")
    fund, event = f"{BASE}id/rich-fund", f"{BASE}id/innovation-conference"
    scale = f"{BASE}id/obs-rich-fund-fund-scale-cny-2023"
    subsidy = f"{BASE}id/obs-rich-fund-subsidy-per-award-cny-2023"
    cap = f"{BASE}id/obs-rich-fund-max-support-per-project-per-year-cny-2023-target"

    def only(subject: str, term: str) -> ox.Literal:
        values = subject_values(triples, subject, IG + term)
        assert len(values) == 1, (subject, term, values)
        return values[0]

    assert only(scale, "value") == ox.Literal("1500000000.0", datatype=N(XSD + "decimal"))
    assert only(scale, "periodEnd") == ox.Literal("2023", datatype=N(XSD + "gYear"))
    assert only(subsidy, "value") == ox.Literal("0.5", datatype=N(XSD + "decimal"))
    assert only(cap, "value").value == "0.0000125"  # no exponent
    assert only(event, "date") == ox.Literal("2024-05-01", datatype=N(XSD + "date"))
    assert only(event, "year") == ox.Literal("2024", datatype=N(XSD + "gYear"))
    assert only(fund, "nameZh") == ox.Literal("富基金", language="zh")
    assert only(fund, "nameEn") == ox.Literal('Rich "Fund"', language="en")
    assert only(fund, "investmentFocusZh").language == "zh"
    assert only(fund, "descriptionEn").language == "en"
    labels = subject_values(triples, fund, VOCAB.expand("rdfs:label"))
    assert {(lit.value, lit.language) for lit in labels} == {("富基金", "zh"),
                                                              ('Rich "Fund"', "en")}
    aliases = {(lit.value, lit.language) for lit in subject_values(triples, fund, IG + "alias")}
    assert aliases == {("富", "zh"), ("RF", None), (AWKWARD, None)}
    statement = f"{BASE}statement/rich-fund.funds.demo-lab"
    assert only(statement, "edgeStatus") == ox.Literal("done")
    assert only(statement, "edgeYear") == ox.Literal("2023", datatype=N(XSD + "gYear"))
    assert only(statement, "modeZh") == ox.Literal("资助", language="zh")


def test_units_are_in_the_ontology_not_lost() -> None:
    from graph.rdf.ontology import build_ontology

    onto = build_ontology()
    unit_of = {str(s): str(o) for s, o in onto.subject_objects(rdflib.URIRef(IG + "unit"))}
    # figures carry their unit on each observation and on its metric in the catalogue (the
    # metric's unit), not on a property
    schema = load_schema()
    assert set(unit_of) == {f"{IG}metric/{m}" for m in schema.metrics}
    assert unit_of[f"{IG}metric/high_tech_enterprises"] == IG + "unitCount"
    assert unit_of[f"{IG}metric/fund_scale_cny"] == IG + "unitCNY"
    assert unit_of[f"{IG}metric/processing_days"] == IG + "unitWorkingDay"


# -- completeness and provenance ------------------------------------------------------------

@pytest.mark.parametrize("graph_name", GRAPH_FIXTURES)
def test_every_property_and_provenance_entry_appears(graph_name: str,
                                                     request: pytest.FixtureRequest) -> None:
    g: nx.MultiDiGraph = request.getfixturevalue(graph_name)
    triples = triple_set(exported(g, "nt"), "nt")
    by_subject: dict[str, dict[str, set[str]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s.value, {}).setdefault(p.value, set()).add(o.value)

    def check(subject: str, key: str, attrs: dict, terms: dict, core: tuple[str, ...]) -> None:
        fields = by_subject[subject]
        for name, value in attrs.items():
            if name in core and name != "aliases":
                continue
            term = terms[name]
            expected = {term.literal(v)[0] for v in (value if term.many else [value])}
            assert expected <= fields.get(term.iri, set()), (subject, name, value)
        provenance = attrs["provenance"]
        derivations = fields[PROV + "qualifiedDerivation"]
        assert len(derivations) == len(provenance)
        assert fields[PROV + "wasDerivedFrom"] == {
            f"{BASE}source/{quote(e['source'], safe='')}" for e in provenance}
        for position, entry in enumerate(provenance, start=1):
            derivation = by_subject[IriScheme(BASE).provenance(key, entry["source"],
                                                               entry["quote"])]
            assert derivation[VOCAB.expand("rdf:type")] == {PROV + "Derivation"}
            assert derivation[PROV + "entity"] == {f"{BASE}source/"
                                                   f"{quote(entry['source'], safe='')}"}
            assert derivation[IG + "quote"] == {entry["quote"]}
            assert derivation[VOCAB.expand("schema:position")] == {str(position)}

    for node_id, attrs in g.nodes(data=True):
        subject = f"{BASE}id/{node_id}"
        check(subject, node_id, attrs, VOCAB.node_terms, CORE_NODE_ATTRS)
        fields = by_subject[subject]
        assert fields[IG + "id"] == {node_id}
        assert fields[IG + "subtype"] == {attrs["subtype"]}
        assert fields[IG + "nameZh"] == {attrs["name_zh"]}
        assert fields[VOCAB.expand("rdf:type")] == {VOCAB.class_iri[attrs["kind"]]}
    for u, v, rel, attrs in g.edges(keys=True, data=True):
        predicate = VOCAB.relation_iri[rel]
        assert (N(f"{BASE}id/{u}"), N(predicate), N(f"{BASE}id/{v}")) in triples
        key = f"{u}.{VOCAB.relation_term[rel]}.{v}"
        statement = f"{BASE}statement/{key}"
        assert by_subject[statement][VOCAB.expand("rdf:predicate")] == {predicate}
        check(statement, key, attrs, VOCAB.edge_terms, CORE_EDGE_ATTRS)


def test_source_nodes_link_to_their_document(data_graph: nx.MultiDiGraph) -> None:
    triples = triple_set(exported(data_graph, "nt"), "nt")
    has_format = N(VOCAB.provenance["has_format"])
    for node_id, attrs in data_graph.nodes(data=True):
        if attrs["kind"] == "Source":
            document = N(f"{BASE}source/{quote(attrs['file'], safe='')}")
            assert (N(f"{BASE}id/{node_id}"), has_format, document) in triples
            assert any(p == N(PROV + "entity") and o == document for _, p, o in triples)


# -- formats ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("graph_name", GRAPH_FIXTURES)
def test_every_format_states_the_same_triples(fmt: str, graph_name: str,
                                              request: pytest.FixtureRequest) -> None:
    g = request.getfixturevalue(graph_name)
    reference = triple_set(exported(g, "nt"), "nt")
    assert triple_set(exported(g, fmt), fmt) == reference


def _graphs(text: str, fmt: str) -> dict[str | None, set[tuple]]:
    """Graph name (None: the default graph) -> its triples, as Oxigraph reads them."""
    graphs: dict[str | None, set[tuple]] = {}
    for q in oxigraph_quads(text, fmt):
        name = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        graphs.setdefault(name, set()).add((q.subject, q.predicate, q.object))
    return graphs


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_quads_default_graph_is_the_whole_graph_and_named_graphs_stand_alone(
        rich_graph: nx.MultiDiGraph, fmt: str) -> None:
    graphs = _graphs(exported(rich_graph, fmt), fmt)
    assert graphs[None] == triple_set(exported(rich_graph, "nt"), "nt")
    doc_a, doc_b = (f"{BASE}source/{quote(name, safe='')}" for name in (SOURCE_A, SOURCE_B))
    assert set(graphs) == {None, doc_a, doc_b}
    iris = IriScheme(BASE)
    a, b = RICH_TEXTS[SOURCE_A], RICH_TEXTS[SOURCE_B]
    fund, name = N(f"{BASE}id/rich-fund"), N(IG + "nameZh")
    qualified = N(PROV + "qualifiedDerivation")
    for doc, quotes in ((doc_a, [a[0], a[1]]), (doc_b, [b[0]])):
        source = SOURCE_A if doc == doc_a else SOURCE_B
        g = graphs[doc]
        assert (fund, name, ox.Literal("富基金", language="zh")) in g  # the fund rests on both
        # ... each graph with only its own document's entries
        assert {o.value for s, p, o in g if s == fund and p == qualified} == {
            iris.provenance("rich-fund", source, q) for q in quotes}
        assert {o.value for _, p, o in g if p == N(PROV + "entity")} == {doc}
        assert {o.value for _, p, o in g if p == N(PROV + "wasDerivedFrom")} == {doc}
        # every relation triple ends at nodes described in the same graph
        typed = {s for s, p, _ in g if p == N(RDF_TYPE) and s.value.startswith(f"{BASE}id/")}
        for s, p, o in g:
            if p.value in VOCAB.relation_of:
                assert s in typed and o in typed, (doc, s, p, o)
        assert (N(doc), N(RDF_TYPE), N(PROV + "Entity")) in g
    # FUNDS from demo-plan cites plain.txt, but neither end does: in no named graph
    edge = (N(f"{BASE}id/demo-plan"), N(IG + "funds"), N(f"{BASE}id/demo-lab"))
    assert edge in graphs[None] and edge not in graphs[doc_a] | graphs[doc_b]
    # INVESTS_IN cites both documents; sat-co only the first: in that graph, with its entry
    invests = (fund, N(IG + "investsIn"), N(f"{BASE}id/sat-co"))
    assert invests in graphs[doc_a] and invests not in graphs[doc_b]


def test_provenance_iris_do_not_depend_on_list_order(rich_graph: nx.MultiDiGraph) -> None:
    """Reversing every provenance list keeps each derivation IRI on the same quote."""
    def quote_of(g: nx.MultiDiGraph) -> dict[str, str]:
        triples = triple_set(exported(g, "nt"), "nt")
        return {s.value: o.value for s, p, o in triples if p == N(IG + "quote")}

    reversed_graph = rich_graph.copy()
    for _, attrs in reversed_graph.nodes(data=True):
        attrs["provenance"] = attrs["provenance"][::-1]
    for _, _, attrs in reversed_graph.edges(data=True):
        attrs["provenance"] = attrs["provenance"][::-1]
    before, after = quote_of(rich_graph), quote_of(reversed_graph)
    assert len(before) == sum(len(a["provenance"]) for _, a in rich_graph.nodes(data=True)) + \
        sum(len(a["provenance"]) for _, _, a in rich_graph.edges(data=True))
    assert after == before


def _rdflib_reference(g: nx.MultiDiGraph) -> rdflib.Graph:
    """The same triples put into an rdflib Graph term by term."""
    reference = rdflib.Graph()
    for s, p, o in iter_triples(describe(g)):
        obj = (rdflib.URIRef(o) if isinstance(o, str)
               else rdflib.Literal(o[0], datatype=o[1], lang=o[2]))
        reference.add((rdflib.URIRef(s), rdflib.URIRef(p), obj))
    return reference


def _rdflib_parse(text: str, fmt: str) -> rdflib.Graph:
    if not FORMATS[fmt].quads:
        return rdflib.Graph().parse(data=text, format=RDFLIB_FORMATS[fmt])
    union = rdflib.Graph()
    for s, p, o, _ in rdflib.Dataset().parse(data=text, format=RDFLIB_FORMATS[fmt]).quads():
        union.add((s, p, o))
    return union


@pytest.mark.parametrize(("graph_name", "our_formats"), [
    ("rich_graph", tuple(FORMATS)),  # awkward strings, every property type, in every format
    ("data_graph", ("nt", "ttl")),  # the other formats equal these (test above)
])
def test_output_is_isomorphic_to_rdflibs(graph_name: str, our_formats: tuple[str, ...],
                                         request: pytest.FixtureRequest) -> None:
    """Our writers and rdflib's serialisers, each parsed by rdflib, give the same graph."""
    g = request.getfixturevalue(graph_name)
    reference = _rdflib_reference(g)
    ours = {fmt: _rdflib_parse(exported(g, fmt), fmt) for fmt in our_formats}
    for fmt in ("nt", "ttl"):
        theirs = _rdflib_parse(reference.serialize(format=RDFLIB_FORMATS[fmt]), fmt)
        for our_format, parsed in ours.items():
            assert isomorphic(parsed, theirs), (fmt, our_format)


def test_jsonld_uses_the_published_context(rich_graph: nx.MultiDiGraph) -> None:
    import json

    from graph.rdf.context import context_document

    document = json.loads(exported(rich_graph, "jsonld"))
    assert document["@context"] == context_document()["@context"]
    fund = next(o for o in document["@graph"] if o["@id"] == f"{BASE}id/rich-fund")
    assert fund["@type"] == "Fund" and fund["nameZh"] == "富基金"
    scale = next(o for o in document["@graph"]
                 if o["@id"] == f"{BASE}id/obs-rich-fund-fund-scale-cny-2023")
    assert scale["value"] == "1500000000.0"  # typed by the context: xsd:decimal


def test_xml_refuses_a_control_character(fixture_graph: nx.MultiDiGraph) -> None:
    g = fixture_graph.copy()
    g.nodes["demo-fund"]["name_en"] = "bell\x07"
    with pytest.raises(ExportError, match=r"XML 1\.0"):
        exported(g, "xml")
    assert "bell\\u0007" in exported(g, "nt")


def test_a_property_outside_the_schema_is_an_error(fixture_graph: nx.MultiDiGraph) -> None:
    g = fixture_graph.copy()
    g.nodes["demo-lab"]["stage"] = "early"  # a Fund property, not a Lab one
    with pytest.raises(ExportError, match=r"'demo-lab'.*'stage'"):
        exported(g, "nt")


def test_export_streams_without_a_second_copy(generated_graph_400: nx.MultiDiGraph) -> None:
    """Peak memory while exporting does not grow with the graph (nothing is accumulated)."""

    class Counter(io.TextIOBase):
        written = 0

        def write(self, text: str) -> int:
            self.written += len(text)
            return len(text)

    def measure(g: nx.MultiDiGraph) -> tuple[int, int]:
        sink = Counter()
        tracemalloc.start()
        export_graph(g, "nt", sink, progress=False)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak, sink.written

    small = generated_graph_400.subgraph(list(generated_graph_400)[:100]).copy()
    small_peak, small_size = measure(small)
    peak, size = measure(generated_graph_400)
    assert size > 3 * small_size
    assert peak < 1.5 * small_peak, (peak, small_peak)


def test_a_failed_export_leaves_no_file(fixture_graph: nx.MultiDiGraph,
                                        tmp_path: Path) -> None:
    g = fixture_graph.copy()
    g.nodes["demo-fund"]["name_en"] = "bell\x07"
    with pytest.raises(ExportError):
        export_graph(g, "xml", tmp_path / "out.rdf")
    assert list(tmp_path.iterdir()) == []


# -- CLI -------------------------------------------------------------------------------------

def test_cli_formats_are_the_export_formats() -> None:
    assert set(CLI_FORMATS) == set(FORMATS)


def test_cli_export_to_file_and_stdout(rich_dir: Path, tmp_path: Path,
                                       capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    out = tmp_path / "graph.trig"
    assert main(["export", "--data", str(rich_dir), "--out", str(out)]) == 0
    assert "as TriG" in capsysbinary.readouterr().err.decode()
    trig = out.read_text(encoding="utf-8")
    assert main(["export", "--data", str(rich_dir), "--format", "trig"]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8") == trig
    assert main(["export", "--data", str(rich_dir), "--format", "nt",
                 "--base", "https://example.org/"]) == 0
    assert b"<https://example.org/id/rich-fund>" in capsysbinary.readouterr().out


@pytest.mark.parametrize("what", ["--ontology", "--shapes"])
def test_cli_writes_ontology_and_shapes(what: str, tmp_path: Path) -> None:
    out = tmp_path / "schema.jsonld"
    assert main(["export", what, "--out", str(out)]) == 0
    parsed = rdflib.Graph().parse(out, format="json-ld")
    owl_or_shacl = "http://www.w3.org/2002/07/owl#" if what == "--ontology" else \
        "http://www.w3.org/ns/shacl#"
    assert any(str(o).startswith(owl_or_shacl) for o in parsed.objects())


def test_cli_errors(rich_dir: Path, tmp_path: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--data", str(rich_dir), "--base", "nope"]) == 1
    assert "base IRI 'nope'" in capsys.readouterr().err
    assert main(["export", "--data", str(tmp_path / "missing")]) == 1
    assert "not a data directory" in capsys.readouterr().err
    assert main(["export", "--data", str(rich_dir), "--out",
                 str(tmp_path / "no" / "such" / "dir.ttl")]) == 1
    assert "cannot write" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["export", "--format", "yaml"])
    assert usage.value.code == 2


def test_progress_bar_when_asked(generated_graph_400: nx.MultiDiGraph,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    export_graph(generated_graph_400, "nt", io.StringIO(), progress=True)
    err = capsys.readouterr().err
    total = generated_graph_400.number_of_nodes() + generated_graph_400.number_of_edges()
    assert "exporting" in err and f"{total / 1000:.2f}k/{total / 1000:.2f}k" in err
    export_graph(generated_graph_400, "nt", io.StringIO(), progress=None)  # not a terminal: none
    assert capsys.readouterr().err == ""
