"""The curated Changchun data set: loads clean, every quote is verbatim, coverage holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from graph.schema import load_schema
from loaders.dataset import DEFAULT_DATA_DIR, load_graph

SOURCES = DEFAULT_DATA_DIR / "sources"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _records(folder: str) -> list[tuple[Path, dict]]:
    out = []
    for path in sorted((DEFAULT_DATA_DIR / folder).glob("*.yaml")):
        out += [(path, record) for record in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return out


@pytest.fixture(scope="module")
def graph():
    return load_graph(progress=False)


def test_data_set_loads_without_problems(graph) -> None:
    assert graph.number_of_nodes() > 120
    assert graph.number_of_edges() > 250


def test_every_quote_is_verbatim_in_its_source() -> None:
    """Checked here independently of the loader: whitespace may differ, characters may not."""
    texts = {p.name: _squash(p.read_text(encoding="utf-8")) for p in SOURCES.glob("*.txt")}
    checked, missing = 0, []
    for path, record in _records("nodes") + _records("observations") + _records("edges"):
        assert record.get("provenance"), f"{path.name}: {record.get('id') or record} has none"
        for entry in record["provenance"]:
            checked += 1
            if _squash(entry["quote"]) not in texts[entry["source"]]:
                missing.append(f"{path.name}: {entry['quote']}")
    assert checked > 370
    assert missing == []


def test_sources_are_the_seed_articles_and_source_nodes(graph) -> None:
    files = {p.name for p in SOURCES.glob("*.txt")}
    assert files == {"000_f7b9a75bc1616f5e.txt", "001_c2433cd2966890d3.txt"}
    source_files = {a["file"] for _, a in graph.nodes(data=True) if a["kind"] == "Source"}
    assert source_files == files
    cited = {p["source"] for _, p in graph.nodes(data="provenance") for p in p}
    assert cited == files


def test_every_kind_is_present_and_every_entity_is_connected(graph) -> None:
    kinds = {kind for _, kind in graph.nodes(data="kind")}
    assert kinds == {"Institution", "Lab", "Park", "Fund", "Company", "Achievement", "Program",
                     "Sector", "Event", "Place", "Person", "Source", "Observation"}
    lonely = {n for n, a in graph.nodes(data=True) if a["kind"] != "Source"
              and graph.degree(n) == 0}
    # an entity the sources relate to nothing else is a judgement written down, by id
    assert lonely <= _left_unlinked()
    assert _left_unlinked() <= set(graph.nodes)


def _left_unlinked() -> set[str]:
    """The ids listed in data/LEFT_OUT.md's section on entities with no stated relation."""
    text = (DEFAULT_DATA_DIR / "LEFT_OUT.md").read_text(encoding="utf-8")
    section = text.split("## Entities with no stated relation", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([a-z0-9-]+)`", section, re.MULTILINE))


def test_names_are_bilingual_and_ids_are_stable_slugs(graph) -> None:
    for node_id, a in graph.nodes(data=True):
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", node_id)
        assert re.search(r"[\u4e00-\u9fff]", a["name_zh"]) or a["kind"] == "Achievement", node_id
        assert a["name_en"].isascii(), node_id


def test_name_zh_is_written_in_a_source(graph) -> None:
    texts = "".join(_squash(p.read_text(encoding="utf-8")) for p in SOURCES.glob("*.txt"))
    for node_id, a in graph.nodes(data=True):
        if a["kind"] == "Observation":
            continue  # names derived from the subject, metric and figure; quotes are checked
        forms = [a["name_zh"], *a["aliases"]]
        assert any(_squash(f) in texts for f in forms), f"{node_id}: {forms} not in the sources"


# Names that stand in the articles (captions included): each must be a node's name or alias.
NAMED_IN_ARTICLES = [
    "长兴基金", "未来种子基金", "长春市科技创新战略合作委员会", "长春市科技成果转化战略合作委员会",
    "长白山", "北湖未来科学城", "长春医药城", "中国一汽", "长光博翔", "幸福科创园", "长新创客",
    "南关区科技局", "吉林大学", "国家半导体激光技术创新中心", "长光卫星", "吉林一号",
    "长春中健利衡医疗科技有限公司", "长春铁建重工有限公司", "长春博瑞农牧集团股份有限公司",
    "博世汽车部件（长春）有限公司", "长春英利汽车工业股份有限公司", "中国长城科技集团股份有限公司",
    "长春一汽富晟李尔汽车电器有限公司", "吉林省巨程智造光电技术有限公司", "东卓汽车电子有限公司",
    "长春百克生物科技股份公司", "长春金赛药业股份有限公司", "长春希达电子技术有限公司",
    "长春兴隆综保区双创总部基地", "长春经开科创广场", "摆渡创新工场", "中俄科技合作园区",
    "中白科技合作园区", "深圳清华研究院", "长春理工大学", "张恩惠", "长春国际光电博览会",
    "海普润斯", "一东零部件", "海伯尔",
]


@pytest.mark.parametrize("name", NAMED_IN_ARTICLES)
def test_named_entities_are_covered(graph, name: str) -> None:
    names = set()
    for _, a in graph.nodes(data=True):
        names.update([a["name_zh"], *a["aliases"]])
    assert any(name in n for n in names), f"{name} is in the articles but not in data/"


def test_dates_keep_their_types(graph) -> None:
    dated = [a["date"] for _, a in graph.nodes(data=True) if a["kind"] == "Event" and "date" in a]
    assert "2023-07-28" in dated


# -- time (issue 14) ----------------------------------------------------------------------
SCHEMA = load_schema()


def _observations(graph, subject: str, metric: str) -> list[dict]:
    found = [graph.nodes[v] for _, v, rel in graph.out_edges(subject, keys=True)
             if rel == "HAS_OBSERVATION" and graph.nodes[v]["metric"] == metric]
    return sorted(found, key=lambda a: (a["period_start"], a["period_end"]))


def test_every_source_is_dated_by_a_quote(graph) -> None:
    sources = [a for _, a in graph.nodes(data=True) if a["kind"] == "Source"]
    assert len(sources) == 2
    for a in sources:
        assert a["reports_on_start"] <= a["reports_on_end"] <= a["published_year"]
        # the years come from the text: a quote of its own names the year reported on
        quoted = "".join(p["quote"] for p in a["provenance"])
        assert f"{a['reports_on_start']}年" in quoted, a["file"]
    years = {a["file"]: (a["published_year"], a["reports_on_start"], a["reports_on_end"])
             for a in sources}
    assert years == {"000_f7b9a75bc1616f5e.txt": (2025, 2023, 2025),
                     "001_c2433cd2966890d3.txt": (2022, 2021, 2021)}


def test_no_numeric_value_outside_a_dated_observation(graph) -> None:
    """Every integer or decimal the data holds is an Observation's value or change, and
    every observation has a period and a status and belongs to one subject."""
    bare = []
    for node_id, a in graph.nodes(data=True):
        for name, value in a.items():
            spec = SCHEMA.node_property(a["kind"], name)
            if (spec is not None and spec.type in ("integer", "decimal")
                    and a["kind"] != "Observation"):
                bare.append((node_id, name, value))
    for u, v, rel, a in graph.edges(keys=True, data=True):
        for name, value in a.items():
            spec = SCHEMA.edge_property(rel, name)
            if spec is not None and spec.type in ("integer", "decimal"):
                bare.append((u, rel, v, name, value))
    assert bare == []
    observations = [(n, a) for n, a in graph.nodes(data=True) if a["kind"] == "Observation"]
    assert len(observations) >= 30
    for node_id, a in observations:
        assert a["period_start"] <= a["period_end"] and a["status"], node_id
        assert ("value" in a) != ("change_factor" in a), node_id
        assert [rel for _, _, rel in graph.in_edges(node_id, keys=True)] == ["HAS_OBSERVATION"]
    # and in the files, read here without the loader: a number stands only under a year key
    years = {name for name, spec in {**SCHEMA.node_properties, **SCHEMA.edge_properties}.items()
             if spec.type == "year"}
    for path, record in _records("nodes") + _records("edges"):
        numbers = {k for k, v in record.items()
                   if isinstance(v, int | float) and not isinstance(v, bool)}
        assert numbers <= years, (path.name, record.get("id") or record)


def test_high_tech_enterprises_2021_count_and_2023_2025_doubling_both_hold(graph) -> None:
    seen = [(a["period_start"], a["period_end"], a.get("value"), a.get("change_factor"),
             a["status"]) for a in _observations(graph, "changchun", "high_tech_enterprises")]
    assert (2021, 2021, 2296, None, "actual") in seen
    assert (2023, 2025, None, 2, "actual") in seen
    assert (2016, 2020, None, 8, "actual") in seen  # 十三五: 翻了三番


def test_national_awards_4_in_2021_and_12_in_2023_both_hold(graph) -> None:
    seen = [(a["period_start"], a["value"])
            for a in _observations(graph, "changchun", "national_sci_tech_awards")]
    assert seen == [(2021, 4), (2023, 12)]


def test_plans_reported_in_2022_show_as_planned(graph) -> None:
    """Relations stated only by what 001 (published 2022) says the city 将 do are planned."""
    planned_sentences = ("长春市将围绕", "建成后将")
    years = {a["file"]: a["published_year"] for _, a in graph.nodes(data=True)
             if a["kind"] == "Source"}
    plans = [(u, rel, v, a) for u, v, rel, a in graph.edges(keys=True, data=True)
             if rel != "HAS_OBSERVATION"
             and all(any(s in _squash(p["quote"]) for s in planned_sentences)
                     for p in a["provenance"])]
    assert len(plans) >= 3
    for u, rel, v, a in plans:
        assert a.get("status") == "planned", (u, rel, v)
        assert {years[p["source"]] for p in a["provenance"]} == {2022}
    city = graph.edges["changchun", "sci-tech-innovation-city", "OPERATES"]
    assert (city["status"], city["target_year"]) == ("planned", 2022)


def test_the_estimate_is_not_stored_as_a_result(graph) -> None:
    [revenue] = _observations(graph, "sector-above-scale-sci-tech-services",
                              "revenue_growth_percent")
    assert (revenue["value"], revenue["status"], revenue["unit"]) == (45, "estimate", "percent")


@pytest.mark.parametrize("word", ["高新技术企业", "高企", "院士", "high-tech enterprises"])
def test_figures_are_found_by_their_metric_words(graph, word: str) -> None:
    hits = [n for n, a in graph.nodes(data=True) if a["kind"] == "Observation"
            and any(word in form for form in [a["name_zh"], a["name_en"], *a["aliases"]])]
    assert hits, word
