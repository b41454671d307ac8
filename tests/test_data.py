"""The curated Changchun data set: loads clean, every quote is verbatim, coverage holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

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
    for path, record in _records("nodes") + _records("edges"):
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
                     "Sector", "Event", "Place", "Person", "Source"}
    lonely = [n for n, a in graph.nodes(data=True) if a["kind"] != "Source"
              and graph.degree(n) == 0]
    assert lonely == []


def test_names_are_bilingual_and_ids_are_stable_slugs(graph) -> None:
    for node_id, a in graph.nodes(data=True):
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", node_id)
        assert re.search(r"[\u4e00-\u9fff]", a["name_zh"]) or a["kind"] == "Achievement", node_id
        assert a["name_en"].isascii(), node_id


def test_name_zh_is_written_in_a_source(graph) -> None:
    texts = "".join(_squash(p.read_text(encoding="utf-8")) for p in SOURCES.glob("*.txt"))
    for node_id, a in graph.nodes(data=True):
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


def test_figures_keep_their_types_and_units(graph) -> None:
    assert graph.nodes["changxing-fund"]["scale_min_cny"] == 100_000_000_000
    satellites = [a.get("satellites_in_orbit") for _, a in graph.nodes(data=True)]
    assert 31 in satellites
    dated = [a["date"] for _, a in graph.nodes(data=True) if a["kind"] == "Event" and "date" in a]
    assert "2023-07-28" in dated
