"""As of a date, what changed, metric series (issue 14, part 4) over the embedded store, and
search finding observations by their metric's names (part 6). Neo4j answers the same:
tests/test_neo4j_parity.py."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.timeline import source_years
from queries.embedded_backend import EmbeddedBackend
from queries.errors import InvalidQuery, NodeNotFound

NEW = "000_f7b9a75bc1616f5e.txt"  # the 2025 article
OLD = "001_c2433cd2966890d3.txt"  # the 2022 article


@pytest.fixture(scope="module")
def backend(data_graph: nx.MultiDiGraph) -> EmbeddedBackend:
    return EmbeddedBackend(data_graph)


def only_in(g: nx.MultiDiGraph, source: str) -> set[str]:
    return {n for n, a in g.nodes(data=True)
            if {p["source"] for p in a["provenance"]} == {source}}


def edge_to(answer: dict, rel: str, other: str) -> dict:
    [edge] = [e for e in answer["edges"]["out"] if e["rel"] == rel and e["other"]["id"] == other]
    return edge


def test_as_of_leaves_out_what_only_later_sources_report(backend, data_graph) -> None:
    later = sorted(only_in(data_graph, NEW))
    assert later, "data/ has entities only the 2025 article names"
    for node_id in later[:5]:
        with pytest.raises(NodeNotFound):
            backend.entity(node_id, as_of=2022)
        assert backend.entity(node_id, as_of="2025-06-30")["id"] == node_id
    stats = backend.statistics(as_of=2022)
    assert stats["nodes"] == data_graph.number_of_nodes() - len(only_in(data_graph, NEW))
    assert backend.statistics()["nodes"] == data_graph.number_of_nodes()
    assert backend.search("", limit=1000, as_of=2022)["total"] == stats["nodes"]
    found = {i["id"] for i in backend.search("", limit=1000, as_of=2022)["items"]}
    assert found.isdisjoint(later)


def test_as_of_cuts_provenance_to_the_sources_published_by_then(backend) -> None:
    now = backend.entity("changchun")
    then = backend.entity("changchun", as_of="2022-12-31")
    assert {p["source"] for p in now["provenance"]} == {NEW, OLD}
    assert {p["source"] for p in then["provenance"]} == {OLD}
    assert then["edges_total"]["out"] < now["edges_total"]["out"]
    for edge in then["edges"]["out"] + then["edges"]["in"]:
        assert {p["source"] for p in edge["provenance"]} == {OLD}, edge


def test_plans_reported_in_2022_show_as_planned_as_of_2022(backend) -> None:
    # 2022: 长春市将围绕打造国家区域创新中心 (a plan); 2025: 轮廓越来越清晰 (under way)
    then = edge_to(backend.entity("changchun", as_of=2022), "OPERATES",
                   "regional-innovation-centre")
    now = edge_to(backend.entity("changchun", as_of=2025), "OPERATES",
                  "regional-innovation-centre")
    assert then["properties"]["status"] == "planned"
    assert now["properties"]["status"] == "ongoing"
    # a plan only the 2022 article reports stays planned: nothing later says it was done
    for year in (2022, 2025):
        edge = edge_to(backend.entity("changchun", as_of=year), "OPERATES",
                       "sci-tech-innovation-city")
        assert edge["properties"]["status"] == "planned"
        assert edge["properties"]["target_year"] == 2022
    # 实施创新驱动发展战略 was already under way in 2021: no plan word, status kept
    edge = edge_to(backend.entity("changchun", as_of=2022), "OPERATES",
                   "innovation-driven-strategy")
    assert edge["properties"]["status"] == "ongoing"


def test_every_query_takes_as_of(backend, data_graph) -> None:
    later = only_in(data_graph, NEW)
    ego = backend.neighbourhood("changchun", as_of=2022, limit=500)
    assert ego["nodes"] and not {n["id"] for n in ego["nodes"]} & later
    assert len(ego["nodes"]) < len(backend.neighbourhood("changchun", limit=500)["nodes"])
    assert all({p["source"] for p in e["provenance"]} <= {OLD} for e in ego["edges"])
    ranked = backend.centrality("degree", as_of=2022, top=200)
    assert ranked["version"].endswith("@2022")
    assert not {i["id"] for i in ranked["items"]} & later
    chains = backend.backing(as_of=2022)
    assert not {n for n in chains["nodes"]} & later
    path = backend.paths("changchun", "ciomp", as_of=2022)
    for p in path["paths"]:
        for hop in p["hops"]:
            assert {q["source"] for q in hop["provenance"]} <= {OLD}


def test_changes_between_2022_and_2025(backend, data_graph) -> None:
    answer = backend.changes("2022", "2025", limit=1000)
    assert answer["total"] == sum(answer["counts"].values()) == len(answer["items"])
    items = answer["items"]
    appeared = {i["node"]["id"] for i in items if i["change"] == "appeared"
                and i["record"] == "node"}
    assert appeared == only_in(data_graph, NEW)  # the entities only the 2025 article names
    silent = {i["node"]["id"] for i in items if i["change"] == "not_reported_since"
              and i["record"] == "node"}
    assert silent == only_in(data_graph, OLD)
    metrics = {(i["subject"]["id"], i["metric"]["name"]): i for i in items
               if i["change"] == "metric"}
    tech = metrics["changchun", "high_tech_enterprises"]
    assert [o["value"] for o in tech["before"] if "value" in o] == [2296]
    assert [o["change_factor"] for o in tech["after"]] == [2]  # 翻倍增长 over 2023-2025
    quotes = [p["quote"] for side in ("before", "after") for o in tech[side]
              for p in o["provenance"]]
    assert "全市国家级高新技术企业总数达到2296户" in quotes
    assert "而高新技术企业数量翻倍增长，科技成果本地转化率激增" in quotes
    awards = metrics["changchun", "national_sci_tech_awards"]
    assert [(o["value"], o["period_end"]) for o in awards["before"]] == [(4, 2021)]
    assert [(o["value"], o["period_end"]) for o in awards["after"]] == [(12, 2023)]
    assert awards["after"][0]["provenance"][0]["source_year"] == 2025
    [status] = [i for i in items if i["change"] == "status_changed"]
    assert (status["from"]["id"], status["to"]["id"]) == ("changchun",
                                                          "regional-innovation-centre")
    assert (status["status_before"], status["status_after"]) == ("planned", "ongoing")
    page = backend.changes(2022, 2025, limit=10, offset=5)
    assert page["items"] == items[5:15] and page["total"] == answer["total"]


def test_metric_series_over_time(backend) -> None:
    series = backend.metric_series("长春", "national_sci_tech_awards")
    assert [(o["value"], o["period_end"], o["status"]) for o in series["observations"]] == [
        (4, 2021, "actual"), (12, 2023, "actual")]
    assert series["observations"][0]["provenance"][0]["quote"] == "获评国家级科技奖项4项"
    then = backend.metric_series("changchun", "national_sci_tech_awards", as_of=2022)
    assert [o["value"] for o in then["observations"]] == [4]
    with pytest.raises(InvalidQuery) as err:
        backend.metric_series("changchun", "no_such_metric")
    assert err.value.field == "metric"


@pytest.mark.parametrize("words", ["高企", "高新技术企业", "high-tech enterprises", "院士",
                                   "academicians", "国家级科技奖项"])
def test_search_finds_observations_by_metric_names(backend, words) -> None:
    found = backend.search(words, kinds=["Observation"])
    assert found["total"] > 0, words
    assert all(i["kind"] == "Observation" for i in found["items"])


def test_search_as_of_leaves_out_later_observations(backend) -> None:
    now = {i["id"] for i in backend.search("高企")["items"]}
    then = {i["id"] for i in backend.search("高企", as_of=2022)["items"]}
    assert then < now
    assert "obs-changchun-high-tech-enterprises-2023-2025-change" in now - then


@pytest.mark.parametrize(("value", "words"), [
    ("yesterday", "must be a date"), ("2022-13", "not a date"), ("2022-02-30", "not a date"),
    ("2021", "before the earliest source"), (1999, "before the earliest source")])
def test_bad_as_of_names_the_parameter(backend, value, words) -> None:
    for ask in (lambda: backend.entity("changchun", as_of=value),
                lambda: backend.search("长春", as_of=value),
                lambda: backend.statistics(as_of=value),
                lambda: backend.centrality("degree", as_of=value)):
        with pytest.raises(InvalidQuery) as err:
            ask()
        assert err.value.field == "as_of" and words in str(err.value)


def test_bad_change_range_names_the_parameters(backend, data_graph) -> None:
    assert min(source_years(data_graph).values()) == 2022
    with pytest.raises(InvalidQuery, match=r"from \(2025\) must be before to \(2022\)"):
        backend.changes(2025, 2022)
    with pytest.raises(InvalidQuery, match="before to"):
        backend.changes(2022, "2022-06")
    with pytest.raises(InvalidQuery) as err:
        backend.changes(2022, "soon")
    assert err.value.field == "to"
    with pytest.raises(InvalidQuery) as err:
        backend.changes(2020, 2025)
    assert err.value.field == "from"
