"""`innograph ingest page.html`: proposals come from the article body only (not the navigation,
related links, footer or scripts), quotes are verbatim from the extracted main text, and that
text is what `accept` stores under data/sources/, so the loader's quote check passes."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest
import yaml
from ingest_cli import ROOT, cli, snapshot

from loaders.dataset import load_graph
from loaders.validate import normalise

PAGE = ROOT / "tests" / "fixtures" / "ingest" / "article.html"
# names of the page's chrome that the candidate rules would propose in a body (checked below)
CHROME = ["北湖科技开发区", "长春人工智能产业园", "长春北湖数字产业基金",
          "长春新能源汽车研究院有限公司", "长春日报社有限公司", "长春新闻传媒集团",
          "东北光谷孵化中心", "长春数字经济研究院有限公司", "长春云计算中心"]


def squeeze(text: str) -> str:
    return "".join(normalise(text).split())


@pytest.fixture(scope="module")
def page_parts() -> tuple[str, str]:
    """The text of the <article> element and of everything else, read with lxml (not the
    extractor under test)."""
    tree = lxml.html.fromstring(PAGE.read_bytes())
    body = tree.xpath("//article")[0].text_content()
    for element in tree.xpath("//article"):
        element.drop_tree()
    rest = " ".join(tree.xpath("//text()"))
    return squeeze(body), rest


def test_chrome_names_are_candidates_in_a_body(tmp_path):
    """The control for the test below: in article text, the chrome's names are proposed."""
    from loaders.ingest.propose import SourceMeta, propose

    path = tmp_path / "chrome.txt"
    path.write_text("。".join(f"{name}正式揭牌" for name in CHROME) + "。", encoding="utf-8")
    review = propose(path, load_graph(progress=False), SourceMeta("2022"),
                     source_file="009_x.txt")
    assert {e["name_zh"] for e in review["entities"]} >= set(CHROME)


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    return copy


def test_html_page_end_to_end(tmp_path, data, page_parts):
    body, rest = page_parts
    assert all(name in rest for name in CHROME)  # the fixture has them outside the body
    before = snapshot(data)
    review_path = tmp_path / "page.review.yaml"
    done = cli("ingest", str(PAGE), "--date", "2022-03-15", "--out", str(review_path),
               "--data", str(data))
    assert done.returncode == 0, done.stderr
    review = yaml.safe_load(review_path.read_text(encoding="utf-8"))
    assert review["source"]["html"] is True
    proposals = [p for s in ("mentions", "entities", "relations", "figures")
                 for p in review[s]]
    for p in proposals:  # every quote is body text, none runs into the chrome
        assert squeeze(p["quote"]) in body, p
    named = {e["name_zh"] for e in review["entities"]} | {m["name"] for m in review["mentions"]}
    assert not named & set(CHROME)
    assert "长春精密光学创新研究院" in {e["name_zh"] for e in review["entities"]}
    assert {m["entity"] for m in review["mentions"]} >= {
        "ciomp", "jilin-university", "chang-guang-satellite", "changchun"}
    # the byline (date, outlet, reporter) is not a sentence of the article
    assert not any("记者" in p["quote"] for p in proposals)

    done = cli("accept", str(review_path), "--data", str(data))
    assert done.returncode == 0, done.stderr
    stored = (data / "sources" / review["source"]["file"]).read_text(encoding="utf-8")
    assert "<" not in stored and not any(name in stored for name in CHROME)
    paragraphs = [line for line in stored.splitlines() if line.strip()]
    assert len(paragraphs) == 4  # the headline and the three paragraphs, each on its line
    assert all(squeeze(line) in body for line in paragraphs)  # the main text, not the page
    for p in proposals:
        if p["decision"] == "accept":
            assert normalise(p["quote"]) in normalise(stored), p
    g = load_graph(data, progress=False)  # the loader checks every quote against sources/
    new = next(n for n, d in g.nodes(data=True) if d["name_zh"] == "长春精密光学创新研究院")
    assert g.nodes[new]["provenance"][0]["source"] == review["source"]["file"]

    again = cli("ingest", str(PAGE), "--data", str(data), "--out", str(tmp_path / "x.yaml"))
    assert again.returncode == 1 and "already ingested" in again.stderr

    done = cli("retract", review["source"]["file"], "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert snapshot(data) == before
