"""ingest -> review -> accept -> retract through the real CLI, on a copy of data/: the graph
gains what was accepted, validated; retract gives back data/ byte for byte."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from loaders.dataset import load_graph

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "tests" / "fixtures" / "ingest" / "article.txt"


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "innograph.cli", *args], cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=300)


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    return copy


def test_ingest_review_accept_retract(tmp_path, data):
    before = snapshot(data)
    review = tmp_path / "article.review.yaml"
    done = cli("ingest", str(ARTICLE), "--date", "2024-12-01", "--outlet", "长春日报",
               "--out", str(review), "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert snapshot(data) == before  # ingest writes only the review file
    proposals = yaml.safe_load(review.read_text(encoding="utf-8"))
    key = next(e["key"] for e in proposals["entities"] if e["name_zh"] == "北湖科技开发区")
    near = next(e for e in proposals["entities"] if e["name_zh"] == "长光卫星技术股份有限公司")
    # the reviewer in the terminal: merge the near miss into the known company, rename one
    answers = []
    for e in proposals["entities"]:
        answers.append(f"m {near['similar'][0]['id']}" if e is near else
                       ("e Beihu Science and Technology Development Zone\n" if e["key"] == key
                        else ""))
    done = cli("review", str(review), stdin="\n".join(answers) + "\nq\n")
    assert done.returncode == 0, done.stderr
    edited = yaml.safe_load(review.read_text(encoding="utf-8"))
    entity = next(e for e in edited["entities"] if e["key"] == key)
    assert entity["name_en"] == "Beihu Science and Technology Development Zone"
    assert next(e for e in edited["entities"] if e["key"] == near["key"])["merge_into"] == \
        "chang-guang-satellite"

    done = cli("accept", str(review), "--data", str(data))
    assert done.returncode == 0, done.stderr
    g = load_graph(data, progress=False)  # the whole data set still validates
    assert g.nodes[entity["id"]]["name_en"] == "Beihu Science and Technology Development Zone"
    source = edited["source"]["file"]
    assert (data / "sources" / source).read_bytes() == ARTICLE.read_bytes()
    assert g.nodes[edited["source"]["id"]]["outlet"] == "长春日报"
    quotes = {p["source"] for p in g.nodes["chang-guang-satellite"]["provenance"]}
    assert source in quotes  # the merge added a quote, not a node
    assert not any(d.get("name_zh") == "长光卫星技术股份有限公司" for _, d in g.nodes(data=True))
    assert any(d["kind"] == "Observation" and d.get("value") == 5000 and
               d.get("status") == "target" for _, d in g.nodes(data=True))

    again = cli("ingest", str(ARTICLE), "--data", str(data), "--out", str(tmp_path / "x.yaml"))
    assert again.returncode == 1 and "already ingested" in again.stderr

    done = cli("retract", source, "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert f"removed Park {entity['id']}" in done.stdout
    assert "kept Company chang-guang-satellite" in done.stdout
    assert snapshot(data) == before


def test_retract_keeps_records_other_sources_support(tmp_path, data):
    """An entity created by one article and mentioned by a second stays when the first is
    retracted, with the second's quote only."""
    from loaders.ingest.accept import accept
    from loaders.ingest.pipeline import ingest
    from loaders.ingest.propose import SourceMeta
    from loaders.ingest.retract import retract

    first = tmp_path / "first.txt"
    first.write_text("2024年，北湖科技开发区正式挂牌。", encoding="utf-8")
    second = tmp_path / "second.txt"
    second.write_text("北湖科技开发区吸引多家企业入驻，发展势头良好。", encoding="utf-8")
    accept(ingest(first, data, SourceMeta("2024")), data)
    review = ingest(second, data, SourceMeta("2024"))
    proposals = yaml.safe_load(review.read_text(encoding="utf-8"))
    assert any(m["name"] == "北湖科技开发区" for m in proposals["mentions"])  # now known
    accept(review, data)
    first_file = sorted((data / "sources").glob("002_*"))[0].name
    report = retract(data, first_file)
    g = load_graph(data, progress=False)
    park = next(n for n, d in g.nodes(data=True) if d["name_zh"] == "北湖科技开发区")
    assert {p["source"] for p in g.nodes[park]["provenance"]} == {
        sorted((data / "sources").glob("003_*"))[0].name}
    assert any(line.startswith("kept Park") for line in report)


FIGURE_2021 = "obs-changchun-high-tech-enterprises-2021"  # 2296 in data/observations/figures.yaml


def test_figure_the_graph_has_becomes_a_quote(tmp_path, data):
    """Same subject, metric, period, status and value as an existing observation: accepted,
    it is one more provenance entry of that observation (no duplicate id); within the article
    a repeated figure is one observation with both quotes; retract gives data/ back."""
    from loaders.ingest.accept import accept
    from loaders.ingest.pipeline import ingest
    from loaders.ingest.propose import SourceMeta
    from loaders.ingest.retract import retract

    before = snapshot(data)
    article = tmp_path / "again.txt"
    article.write_text("2021年，长春市国家级高新技术企业总数达到2296户。\n"
                       "2024年，长春市国家级高新技术企业达到3300户。"
                       "截至2024年，长春市国家级高新技术企业总数为3300户。", encoding="utf-8")
    review = ingest(article, data, SourceMeta("2024-12-01"))
    figures = yaml.safe_load(review.read_text(encoding="utf-8"))["figures"]
    dup = next(f for f in figures if f["value"] == 2296)
    assert dup["existing"] == FIGURE_2021 and dup["decision"] == "accept"
    assert [f.get("existing") for f in figures if f["value"] == 3300] == [None, None]
    counts = accept(review, data)
    assert counts["figures"] == 1  # 2024's, once
    g = load_graph(data, progress=False)
    file = sorted((data / "sources").glob("002_*"))[0].name
    assert {"source": file, "quote": "2021年，长春市国家级高新技术企业总数达到2296户。"} in \
        g.nodes[FIGURE_2021]["provenance"]
    assert [p["source"] for p in g.nodes[FIGURE_2021]["provenance"]].count(file) == 1
    new = g.nodes["obs-changchun-high-tech-enterprises-2024"]
    assert new["value"] == 3300 and len(new["provenance"]) == 2
    report = retract(data, file)
    assert any(line.startswith("kept figure changchun high_tech_enterprises 2296")
               for line in report)
    assert snapshot(data) == before


def test_figure_with_another_value_conflicts(tmp_path, data):
    """Another value for an existing observation is proposed as a rejected conflict naming
    it; accepted anyway, accept stops with the proposal and the observation named."""
    from loaders.ingest.accept import accept
    from loaders.ingest.errors import IngestError
    from loaders.ingest.pipeline import ingest
    from loaders.ingest.propose import SourceMeta

    before = snapshot(data)
    article = tmp_path / "other.txt"
    article.write_text("2021年，长春市国家级高新技术企业总数达到2300户。", encoding="utf-8")
    review = ingest(article, data, SourceMeta("2022"))
    text = review.read_text(encoding="utf-8")
    figure = yaml.safe_load(text)["figures"][0]
    assert figure["conflicts"] == {"id": FIGURE_2021, "value": 2296}
    assert figure["decision"] == "reject" and FIGURE_2021 in figure["note"]
    import io

    from innograph.ingest_cli import walk

    shown = io.StringIO()  # the terminal review says so too
    walk({"figures": [figure]}, io.StringIO("\n"), shown)
    assert f"conflicts with {FIGURE_2021} = 2296" in shown.getvalue()
    forced = "decision: accept\n  conflicts"
    review.write_text(text.replace("decision: reject\n  conflicts", forced), encoding="utf-8")
    assert forced in review.read_text(encoding="utf-8")
    with pytest.raises(IngestError) as error:
        accept(review, data)
    assert f"(proposal {figure['key']})" in str(error.value)
    assert f"observation {FIGURE_2021} already says 2296" in str(error.value)
    assert snapshot(data) == before
