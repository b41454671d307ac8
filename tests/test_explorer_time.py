"""The explorer page in time, end to end in headless Chromium against a served app over data/:
the year control (every request as of the chosen year, the address keeps it), the "what
changed" view and the metric charts.

What the page shows is checked against the query backend's own answer for the same question,
so the tests follow the data rather than hard-coded figures.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from explorer_fixtures import REPO, PageWatch, open_page, serve, wait_drawn
from playwright.sync_api import Page, expect

from queries.backend import QueryBackend
from queries.embedded_backend import EmbeddedBackend

pytestmark = pytest.mark.browser

# The routes that take as_of (the OpenAPI document): the page must pass it to each of them.
DATED = ("/api/v1/statistics", "/api/v1/entities", "/api/v1/paths", "/api/v1/backing",
         "/api/v1/centrality")
UNDATED = ("/api/v1/schema", "/api/v1/openapi.json", "/api/v1/changes")
CHANGES_PAGE = 50  # the changes view's page size (web/static/js/views/changes.js)


def keep_screenshot(path, name: str) -> None:
    """docs/<name>.png for the README, when INNOGRAPH_SCREENSHOTS=1."""
    if os.environ.get("INNOGRAPH_SCREENSHOTS") == "1":
        shutil.copyfile(path, REPO / "docs" / f"{name}.png")


def source_years(backend: QueryBackend) -> list[str]:
    sources = backend.search(None, kinds=["Source"], limit=100)["items"]
    return sorted({str(backend.entity(s["id"])["properties"]["published_year"])
                   for s in sources})


def only_in_later(backend: QueryBackend, start: str, end: str) -> list[dict]:
    """Entities the sources up to ``start`` do not name and those up to ``end`` do."""
    first = backend.changes(start, end, limit=1)
    appeared = backend.changes(start, end, limit=first["counts"]["appeared"])["items"]
    return [item["node"] for item in appeared if item["record"] == "node"]


def calls_since(watch: PageWatch, mark: int) -> list[tuple[str, dict[str, list[str]]]]:
    return [(urlsplit(url).path, parse_qs(urlsplit(url).query))
            for url in watch.api_calls[mark:]]


def choose_year(page: Page, year: str) -> None:
    page.select_option("#year select[name=as_of]", year)
    expect(page.locator("#year")).to_have_attribute("data-as-of", year)


def test_year_control_redraws_the_entity_and_passes_as_of_to_every_request(
        watched_page: tuple[Page, PageWatch], explorer_url: str, backend: QueryBackend,
        screenshot):
    page, watch = watched_page
    years = source_years(backend)
    assert len(years) >= 2
    early, late = years[0], years[-1]
    newcomer = next(n for n in only_in_later(backend, early, late)
                    if n["id"] == "beihu-future-science-city")
    page.goto(f"{explorer_url}/#/entity/{quote(newcomer['id'])}")
    wait_drawn(page)
    select = page.locator("#year select[name=as_of]")
    assert select.locator("option").evaluate_all("os => os.map(o => o.value)") == ["", *years]
    expect(page.locator("#panel h2.entity-name")).to_have_text(newcomer["name_zh"])

    mark = len(watch.api_calls)
    choose_year(page, early)
    assert parse_qs(urlsplit(page.url).query) == {"as_of": [early]}
    assert urlsplit(page.url).fragment == f"/entity/{newcomer['id']}"
    expect(page.locator("#panel .absent")).to_contain_text(early)
    expect(page.locator("#panel article.entity")).to_have_count(0)
    assert int(page.get_attribute("#graph", "data-nodes")) == 0
    stats = backend.statistics(as_of=early)
    expect(page.locator("#stats")).to_contain_text(f"{stats['nodes']:,}")
    dated = [(path, query) for path, query in calls_since(watch, mark)
             if path.startswith(DATED)]
    assert dated, "changing the year made no request"
    assert all(query.get("as_of") == [early] for _, query in dated), dated

    # The search box looks only at what was reported by then.
    page.locator("#search input").press_sequentially(newcomer["name_zh"], delay=20)
    expect(page.locator("#search .suggestions")).to_contain_text("无匹配结果")
    page.locator("#search input").fill("")

    choose_year(page, late)
    expect(page.locator("#panel h2.entity-name")).to_have_text(newcomer["name_zh"])
    entity = backend.entity(newcomer["id"], as_of=late)
    relations = entity["edges"]["out"] + entity["edges"]["in"]
    expect(page.locator("#panel .relation")).to_have_count(len(relations))
    hood = backend.neighbourhood(newcomer["id"], radius=1, limit=150, as_of=late)
    assert wait_drawn(page) == len(hood["nodes"])

    # Back returns to the earlier year; the address alone restores it in a new page.
    page.go_back()
    expect(page.locator("#year")).to_have_attribute("data-as-of", early)
    expect(page.locator("#panel .absent")).to_be_visible()
    page.goto(f"{explorer_url}/?as_of={early}#/entity/changchun")
    wait_drawn(page)
    expect(select).to_have_value(early)
    hood = backend.neighbourhood("changchun", radius=1, limit=150, as_of=early)
    assert int(page.get_attribute("#graph", "data-nodes")) == len(hood["nodes"])
    # Moving within the page (a relation's link) keeps the year.
    page.locator("#panel .relation a.entity-link[data-id=hangzhou]").first.click()
    expect(page.locator("#panel article.entity")).to_have_attribute("data-id", "hangzhou")
    assert parse_qs(urlsplit(page.url).query) == {"as_of": [early]}
    undated = [path for path, query in calls_since(watch, 0)
               if path.startswith(UNDATED) and "as_of" in query]
    assert not undated


def test_centrality_ranks_the_graph_as_of_the_chosen_year(
        page: Page, explorer_url: str, backend: QueryBackend):
    early = source_years(backend)[0]
    shown = {}
    for year in (early, None):
        page.goto(f"{explorer_url}/{f'?as_of={year}' if year else ''}#/centrality")
        wait_drawn(page)
        measure = page.locator("select[name=measure]").input_value()
        top = int(page.locator("select[name=top]").input_value())
        expected = backend.centrality(measure, top=top, as_of=year)["items"]
        rows = page.locator("#panel table.ranking tbody tr")
        expect(rows).to_have_count(len(expected))
        shown[year] = rows.evaluate_all("rs => rs.map(r => r.dataset.id)")
        assert shown[year] == [item["id"] for item in expected]
    assert shown[early] != shown[None]  # the year matters to this ranking


def test_a_plan_reported_earlier_shows_as_planned_as_of_then(
        page: Page, explorer_url: str, backend: QueryBackend, screenshot):
    years = source_years(backend)
    early, late = years[0], years[-1]
    first = backend.changes(early, late, limit=1)
    counts = first["counts"]
    start = counts["appeared"] + counts["not_reported_since"]
    changed = backend.changes(early, late, limit=counts["status_changed"], offset=start)["items"]
    assert changed and all(item["change"] == "status_changed" for item in changed)
    planned = [item for item in changed if item["status_before"] == "planned"]
    assert planned, "no relation planned in the earlier source"
    for item in planned:
        target = item["to"]["id"]
        for year, status in ((early, item["status_before"]), (late, item["status_after"])):
            page.goto(f"{explorer_url}/?as_of={year}#/entity/{quote(target)}")
            wait_drawn(page)
            relation = page.locator(f"#panel .relation[data-rel={item['rel']}]"
                                    f"[data-other={item['from']['id']}]")
            expect(relation).to_have_attribute("data-status", status)
            badge = relation.locator(".status-badge")
            expect(badge).to_have_attribute("data-status", status)
            expect(badge).to_have_text({"planned": "计划", "ongoing": "进行中",
                                        "done": "已完成"}[status])
            stated = backend.entity(target, as_of=year)
            quotes = next(e for e in stated["edges"]["in"]
                          if e["rel"] == item["rel"] and e["other"]["id"] == item["from"]["id"])
            for source in quotes["provenance"]:
                expect(relation.locator(".quote", has_text=source["quote"])).to_be_visible()
            # the drawing dashes the relation while it is planned
            dashed = page.evaluate(
                "([s, t]) => window.explorer.drawing.cy.edges().filter("
                "e => e.source().id() === s && e.target().id() === t && e.hasClass('planned'))"
                ".length", [item["from"]["id"], target])
            assert dashed == (1 if status == "planned" else 0)


def test_changes_view_lists_each_change_with_its_quotes_from_both_years(
        page: Page, explorer_url: str, backend: QueryBackend, screenshot):
    years = source_years(backend)
    early, late = years[0], years[-1]
    page.goto(f"{explorer_url}/")
    wait_drawn(page)
    page.locator("#tabs a[data-view=changes]").click()
    view = page.locator("#panel article.changes")
    expect(view).to_have_attribute("data-from", early)
    expect(view).to_have_attribute("data-to", late)
    answer = backend.changes(early, late, limit=CHANGES_PAGE)
    expect(view.locator("h2")).to_contain_text(str(answer["total"]))
    items = view.locator("li.change")
    expect(items).to_have_count(len(answer["items"]))
    for i, item in enumerate(answer["items"][:5]):
        expect(items.nth(i)).to_have_attribute("data-change", item["change"])
        for source in item["provenance"]:
            expect(items.nth(i).locator(".quote", has_text=source["quote"]).first).to_be_visible()
    # Pages like the API's.
    page.locator("#panel button[name=next]").click()
    expect(page).to_have_url(f"{explorer_url}/#/changes?from={early}&to={late}"
                             f"&offset={CHANGES_PAGE}")
    second = backend.changes(early, late, limit=CHANGES_PAGE, offset=CHANGES_PAGE)["items"]
    expect(items).to_have_count(len(second))
    expect(items.first).to_have_attribute("data-change", second[0]["change"])

    # The metric section: 长春's high-tech enterprises and national awards, both sides quoted.
    page.locator("#panel .change-kinds li[data-change=metric] a").click()
    counts = answer["counts"]
    start = counts["appeared"] + counts["not_reported_since"] + counts["status_changed"]
    metrics = backend.changes(early, late, limit=CHANGES_PAGE, offset=start)["items"]
    metrics = [m for m in metrics if m["change"] == "metric"]
    assert {(m["subject"]["id"], m["metric"]["name"]) for m in metrics} >= {
        ("changchun", "high_tech_enterprises"), ("changchun", "national_sci_tech_awards")}
    for metric in metrics:
        row = page.locator(f"#panel li.change[data-change=metric]"
                           f"[data-subject='{metric['subject']['id']}']"
                           f"[data-metric={metric['metric']['name']}]")
        expect(row).to_contain_text(metric["metric"]["zh"])
        for year, side in ((early, "before"), (late, "after")):
            column = row.locator(f".side[data-year='{year}']")
            expect(column.locator(".observation")).to_have_count(len(metric[side]))
            for obs in metric[side]:
                shown = column.locator(f".observation[data-id='{obs['id']}']")
                value = obs.get("value")
                expect(shown.locator(".obs-value")).to_contain_text(
                    f"{value:,}" if value is not None else f"×{obs['change_factor']}")
                for source in obs["provenance"]:
                    quote_item = shown.locator("li", has=page.locator(
                        ".quote", has_text=source["quote"]))
                    expect(quote_item).to_contain_text(source["source"])
    awards = page.locator("#panel li.change[data-metric=national_sci_tech_awards]")
    expect(awards.locator(f".side[data-year='{early}'] .obs-value")).to_have_text("4")
    expect(awards.locator(f".side[data-year='{late}'] .obs-value")).to_have_text("12")
    row = page.locator("#panel li.change[data-metric=high_tech_enterprises]")
    row.scroll_into_view_if_needed()
    keep_screenshot(screenshot(page, "explorer-changes"), "explorer-changes")

    # A status change shows both statuses, each with its own year's quote.
    page.locator("#panel .change-kinds li[data-change=status_changed] a").click()
    status = page.locator("#panel li.change[data-change=status_changed]").first
    expect(status.locator(f".side[data-year='{early}'] .status-badge")).to_have_text("计划")
    expect(status.locator(f".side[data-year='{early}'] .quote")).to_contain_text(
        ["长春市将围绕打造国家区域创新中心"])


def test_changes_view_of_one_kind(page: Page, explorer_url: str, backend: QueryBackend):
    """The kind control: the changes about labs (the labs, their relations, their metrics),
    as the API answers them, and the address keeps the kind across pages and years."""
    years = source_years(backend)
    early, late = years[0], years[-1]
    page.goto(f"{explorer_url}/#/changes?from={early}&to={late}")
    view = page.locator("#panel article.changes")
    expect(view).to_have_attribute("data-from", early)
    page.select_option("#controls form.year-range select[name=kind]", "Lab")
    page.locator("#controls form.year-range button[name=compare]").click()
    expect(page).to_have_url(f"{explorer_url}/#/changes?from={early}&to={late}&kind=Lab")
    expect(view).to_have_attribute("data-kind", "Lab")
    answer = backend.changes(early, late, limit=CHANGES_PAGE, kinds=["Lab"])
    assert answer["total"] < backend.changes(early, late, limit=1)["total"]
    expect(view.locator("h2")).to_contain_text(str(answer["total"]))
    items = view.locator("li.change")
    expect(items).to_have_count(len(answer["items"]))
    for i, item in enumerate(answer["items"]):
        if item["record"] == "node":
            expect(items.nth(i)).to_have_attribute("data-id", item["node"]["id"])
    labs = view.locator("li.change[data-record=node] .chip")
    assert labs.count() > 0
    expect(labs).to_have_text([labs.first.inner_text()] * labs.count())
    # the section links keep the kind
    page.locator("#panel .change-kinds li[data-change=appeared] a").click()
    expect(page).to_have_url(f"{explorer_url}/#/changes?from={early}&to={late}&kind=Lab"
                             f"&offset=0")
    # back to every kind
    page.select_option("#controls form.year-range select[name=kind]", "")
    page.locator("#controls form.year-range button[name=compare]").click()
    expect(page).to_have_url(f"{explorer_url}/#/changes?from={early}&to={late}")
    expect(view.locator("h2")).to_contain_text(
        str(backend.changes(early, late, limit=1)["total"]))


def test_an_entitys_page_links_to_what_changed_about_it(page: Page, explorer_url: str,
                                                         backend: QueryBackend):
    """长春's page links to the changes about it (itself, its relations, its metrics), as the
    API answers them; a link goes back to every entity."""
    years = source_years(backend)
    early, late = years[0], years[-1]
    page.goto(f"{explorer_url}/#/entity/changchun")
    page.locator("#panel a.entity-changes").click()
    expect(page).to_have_url(f"{explorer_url}/#/changes?entity=changchun")
    view = page.locator("#panel article.changes")
    expect(view).to_have_attribute("data-entity", "changchun")
    answer = backend.changes(early, late, limit=CHANGES_PAGE, entity="changchun")
    whole = backend.changes(early, late, limit=1)["total"]
    assert 0 < answer["total"] < whole
    expect(view.locator("h2")).to_contain_text(str(answer["total"]))
    expect(view.locator("li.change")).to_have_count(len(answer["items"]))
    expect(view.locator("li.change[data-change=metric]")).to_have_count(
        sum(item["change"] == "metric" for item in answer["items"]))
    view.locator(".changes-entity a[name=all-entities]").click()
    expect(view.locator("h2")).to_contain_text(str(whole))
    expect(view).to_have_attribute("data-entity", "")


def test_metric_chart_for_changchun_high_tech_enterprises(
        page: Page, explorer_url: str, backend: QueryBackend, screenshot):
    series = backend.metric_series("changchun", "high_tech_enterprises")["observations"]
    assert len(series) >= 2
    page.goto(f"{explorer_url}/#/entity/changchun")
    wait_drawn(page)
    figure = page.locator("#panel figure.metric-chart[data-metric=high_tech_enterprises]")
    expect(figure).to_have_attribute("data-points", str(len(series)))
    expect(figure.locator("figcaption")).to_contain_text("国家级高新技术企业数量")
    points = figure.locator(".metric-points .observation")
    expect(points).to_have_count(len(series))
    for i, obs in enumerate(series):
        expect(points.nth(i)).to_have_attribute("data-id", obs["id"])
        expect(points.nth(i).locator(".status-badge")).to_have_attribute("data-status",
                                                                          obs["status"])
    # The chart is drawn by Chart.js: one point or bar per observation, at its period.
    drawn = figure.locator("canvas").evaluate(
        "c => { const chart = Chart.getChart(c); return chart.data.datasets.map(d => d.data); }")
    assert [next(d[i] for d in drawn if d[i] is not None) for i in range(len(series))] == \
        [obs.get("value", obs.get("change_factor")) for obs in series]
    # Hovering a point shows its period, status and quote.
    level = next(i for i, obs in enumerate(series) if obs.get("value") is not None)
    x, y = figure.locator("canvas").evaluate(
        """(c, i) => { const chart = Chart.getChart(c);
        const meta = chart.getDatasetMeta(0).data[i]; const box = c.getBoundingClientRect();
        return [box.left + meta.x, box.top + meta.y]; }""", level)
    page.mouse.move(x, y)
    tooltip = figure.locator(".chart-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_attribute("data-index", str(level))
    expect(tooltip).to_contain_text(f"{series[level]['value']:,}")
    for source in series[level]["provenance"]:
        expect(tooltip).to_contain_text(source["quote"])

    # As of the earlier source, only what it reported is charted.
    years = source_years(backend)
    early = backend.metric_series("changchun", "high_tech_enterprises",
                                  as_of=years[0])["observations"]
    choose_year(page, years[0])
    if len(early) >= 2:
        expect(figure).to_have_attribute("data-points", str(len(early)))
    else:
        expect(figure).to_have_count(0)
    figure.scroll_into_view_if_needed()
    keep_screenshot(screenshot(page, "explorer-year"), "explorer-year")


@pytest.fixture(scope="module")
def generated_backend(generated_graph_1500) -> QueryBackend:
    return EmbeddedBackend(generated_graph_1500)


@pytest.fixture(scope="module")
def generated_url(generated_backend: QueryBackend) -> Iterator[str]:
    yield from serve(generated_backend)


def mixed_series(graph) -> tuple[str, str]:
    """A subject and metric with two or more observations, not all of them actual (data/ has
    none yet: the generated graph gives plans and estimates in data/'s proportions)."""
    series: dict[tuple[str, str], list[str]] = {}
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") == "Observation":
            subject = next(u for u, _ in graph.in_edges(node))
            series.setdefault((subject, attrs["metric"]), []).append(attrs["status"])
    return next(key for key, statuses in sorted(series.items())
                if len(statuses) >= 2 and "actual" in statuses
                and any(s != "actual" for s in statuses))


def test_chart_draws_plans_and_estimates_apart_from_actual_figures(
        browser, generated_url: str, generated_backend: QueryBackend, generated_graph_1500,
        api_routes):
    subject, metric = mixed_series(generated_graph_1500)
    series = generated_backend.metric_series(subject, metric)["observations"]
    page, watch = open_page(browser, generated_url, api_routes)
    try:
        page.goto(f"{generated_url}/#/entity/{quote(subject)}")
        wait_drawn(page)
        figure = page.locator(f"#panel figure.metric-chart[data-metric={metric}]")
        expect(figure).to_have_attribute("data-points", str(len(series)))
        fills = figure.locator("canvas").evaluate(
            """c => { const chart = Chart.getChart(c);
            return chart.data.labels.map((_, i) => {
              const d = chart.data.datasets.findIndex(s => s.data[i] !== null);
              return chart.getDatasetMeta(d).data[i].options.backgroundColor; }); }""")
        hollow = [fill == "#fff" for fill in fills]
        assert hollow == [obs["status"] != "actual" for obs in series], (fills, series)
        badges = figure.locator(".metric-points .status-badge")
        assert badges.evaluate_all("bs => bs.map(b => b.dataset.status)") == \
            [obs["status"] for obs in series]
    finally:
        page.context.close()
    watch.check()
