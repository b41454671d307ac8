"""``innograph report``: the page as a reader sees it in headless Chromium (its numbers are the
API's), self-contained (the browser requests nothing but the file), in zh and en, as of a
year; bad arguments fail cleanly and leave no file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from explorer_fixtures import REPO

from graph.timeline import as_of_graph, source_years
from innograph.cli import main
from queries.embedded_backend import EmbeddedBackend

DATA = REPO / "data"


def write_report(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "report.html"
    assert main(["report", "--data", str(DATA), "--out", str(out), *args]) == 0
    return out


def opened(browser, path: Path, tmp_path: Path, name: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 20_000  # a picture with content, not a blank page
    assert requested == [path.as_uri()], "the report must need nothing but itself"
    assert not errors
    return page, shot


def values(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "cells => cells.map(c => c.dataset.value)")


def test_report_in_the_browser_shows_the_apis_numbers(browser, client, data_graph, tmp_path):
    out = write_report(tmp_path, "--lang", "en")
    page, shot = opened(browser, out, tmp_path, "report")
    if os.environ.get("INNOGRAPH_SCREENSHOTS") == "1":
        (REPO / "docs" / "report.png").write_bytes(shot.read_bytes())
    assert page.title() == "Changchun innovation ecosystem report"
    headings = page.eval_on_selector_all("h2", "hs => hs.map(h => h.id)")
    assert headings == ["sizes", "centrality", "communities", "helix", "gaps", "suggestions",
                        "changes"]
    assert page.locator("svg").count() >= 4  # the charts, drawn inline

    stats = client.get("/api/v1/statistics").get_json()
    assert page.inner_text("#size-nodes b") == str(stats["nodes"])
    assert page.inner_text("#size-edges b") == str(stats["edges"])

    degree = client.get("/api/v1/centrality?measure=pagerank&top=5").get_json()
    shown = page.eval_on_selector_all(
        "table.centrality tbody tr",
        "rows => rows.filter(r => r.cells[0].innerText === 'pagerank')"
        ".map(r => [r.cells[2].innerText, r.cells[4].dataset.value])")
    assert shown == [[i["name_en"], repr(i["score"])] for i in degree["items"]]

    communities = client.get("/api/v1/communities?limit=10").get_json()
    assert f"Q = {communities['modularity']:.3f}, {communities['total']} in all" in \
        page.inner_text("#communities + p")
    sizes = page.eval_on_selector_all("table.communities tbody tr",
                                      "rows => rows.map(r => Number(r.cells[1].innerText))")
    assert sizes == [c["size"] for c in communities["communities"]]

    helix = client.get("/api/v1/helix").get_json()
    assert page.get_attribute("#t-uig", "data-value") == repr(helix["synergy"]["T_uig"])
    assert f"T(uig) = {helix['synergy']['T_uig']:.3f}" in page.inner_text("#helix + p")

    gaps = client.get("/api/v1/gaps").get_json()
    shown_gaps = page.eval_on_selector_all(
        "table.gaps-totals tbody tr", "rows => rows.map(r => [r.cells[0].innerText, "
                                      "Number(r.cells[1].innerText)])")
    assert shown_gaps == [[k, v] for k, v in gaps["totals"].items()]

    for task in ("fund_lab", "lab_company"):
        answer = client.get(f"/api/v1/suggestions?task={task}&limit=5").get_json()
        assert page.get_attribute(f"#suggest-{task} .count", "data-value") == \
            str(answer["total"])
    first = client.get("/api/v1/suggestions?task=fund_lab&limit=1").get_json()["items"][0]
    card = page.locator(".suggestion").first
    assert card.get_attribute("data-from") == first["from"]["id"]
    assert card.get_attribute("data-to") == first["to"]["id"]
    assert "Suggestion:" in card.inner_text()
    assert card.locator("blockquote").count() > 0  # with the quotes it rests on

    years = sorted(set(source_years(data_graph).values()))
    head = page.eval_on_selector_all("table.changes thead th", "hs => hs.map(h => h.innerText)")
    assert head[1:] == [str(y) for y in years]
    nodes_row = page.eval_on_selector_all("table.changes tbody tr:first-child td.num",
                                          "cs => cs.map(c => Number(c.dataset.value))")
    assert nodes_row[-1] == stats["nodes"]  # the latest year's graph is the whole graph
    assert nodes_row[0] < nodes_row[-1]
    page.context.close()


def test_report_in_chinese_as_of_the_first_year(browser, data_graph, tmp_path):
    first = min(source_years(data_graph).values())
    out = write_report(tmp_path, "--lang", "zh", "--as-of", str(first))
    page, _ = opened(browser, out, tmp_path, "report-zh")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert page.title() == "长春创新生态报告"
    assert f"截至 {first} 年" in page.inner_text("#meta")
    then = EmbeddedBackend(as_of_graph(data_graph, first))
    assert page.inner_text("#size-nodes b") == str(then.statistics()["nodes"])
    assert page.get_attribute("#t-uig", "data-value") == repr(
        then.helix()["synergy"]["T_uig"])
    assert "只有一个来源年份" in page.inner_text("body")  # nothing earlier to compare with
    page.context.close()


@pytest.mark.parametrize("args", [["--lang", "fr"], ["--as-of", "last year"]])
def test_bad_options_are_usage_errors(tmp_path, args, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--data", str(DATA), "--out", str(tmp_path / "r.html"), *args])
    assert stopped.value.code == 2
    assert args[0] in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_unwritable_place_fails_and_leaves_nothing(tmp_path, capsys):
    missing = tmp_path / "no-such-dir" / "r.html"
    assert main(["report", "--data", str(DATA), "--out", str(missing)]) == 1
    assert "no-such-dir" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


# -- innograph analytics: the same answers on a terminal ------------------------------------

@pytest.mark.parametrize(("args", "method", "arguments"), [
    (["communities", "--limit", "3"], "communities", {"limit": 3}),
    (["brokers", "--sort", "constraint", "--limit", "4"], "brokers",
     {"sort": "constraint", "limit": 4}),
    (["helix"], "helix", {}),
    (["gaps", "--kind", "park_without_lab"], "gaps", {"kind": "park_without_lab"}),
    (["suggest", "--task", "lab_company", "--method", "paths", "--as-of", "2025"], "suggest",
     {"task": "lab_company", "score": "paths", "as_of": 2025}),
])
def test_analytics_json_is_the_services_answer(backend, capsys, args, method, arguments):
    assert main(["analytics", *args, "--data", str(DATA), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(getattr(backend, method)(**arguments)))


def test_analytics_text_marks_suggestions_and_quotes(backend, capsys):
    assert main(["analytics", "suggest", "--data", str(DATA), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SUGGESTIONS, not facts")
    first = backend.suggest(limit=1)["items"][0]
    assert first["from"]["id"] in out and first["to"]["id"] in out
    quote = first["evidence"][0]["edges"][0][0]["provenance"][0]["quote"]
    assert f"“{quote}”" in out


@pytest.mark.parametrize(("args", "blamed", "status"), [
    # a value the query refuses is a usage error (2), as argparse's own refusals are
    (["gaps", "--kind", "everything"], "argument --kind", 2),
    (["suggest", "--node", "changchun"], "argument --node", 2),
    (["communities", "--limit", "0"], "argument --limit", 2),
    # a well-formed name the graph does not hold
    (["suggest", "--node", "no-such-entity"], "--node", 1),
])
def test_analytics_bad_arguments_name_the_option(capsys, args, blamed, status):
    assert main(["analytics", *args, "--data", str(DATA)]) == status
    err = capsys.readouterr().err
    assert err.startswith("innograph analytics: error: " + blamed)
