"""The explorer's ecosystem views (web/static/js/analytics.js) in headless Chromium against a
served app over data/: communities drawn coloured by community, brokers, gaps and suggested
links with their evidence and quotes. What the page shows is checked against the query
backend's own answers to the same questions; the page's requests are only documented API
routes (the ``page`` fixture checks that when the test ends)."""

from __future__ import annotations

import pytest
from explorer_fixtures import wait_drawn
from playwright.sync_api import Page, expect

from queries.backend import QueryBackend

pytestmark = pytest.mark.browser
COMMUNITIES_DRAWN, MEMBERS_DRAWN = 8, 5  # as web/static/js/analytics.js draws them


def node_colours(page: Page) -> dict[str, str]:
    return page.evaluate("Object.fromEntries(window.explorer.drawing.cy.nodes()"
                         ".map((n) => [n.id(), n.data('colour')]))")


def test_communities_are_listed_and_drawn_coloured_by_community(
        page: Page, explorer_url: str, backend: QueryBackend, screenshot):
    page.goto(explorer_url + "/#/")
    wait_drawn(page)
    page.locator("#tabs a[data-view=communities]").click()
    expected = backend.communities(limit=20, top=MEMBERS_DRAWN)
    items = page.locator("#panel li.community")
    expect(items).to_have_count(len(expected["communities"]))
    drawn_communities = expected["communities"][:COMMUNITIES_DRAWN]
    members = {m["id"]: c["rank"] for c in drawn_communities for m in c["top_members"]}
    assert wait_drawn(page) == len(members)
    for i, community in enumerate(expected["communities"][:3]):
        expect(items.nth(i).locator("h3")).to_have_text(community["label"]["zh"])
        expect(items.nth(i)).to_contain_text(f"{community['size']} 成员")
    expect(page.locator("#panel .summary")).to_contain_text(f"共 {expected['total']} 个社群")
    # one colour per community: members of one share it, two communities never do
    colours = node_colours(page)
    assert set(colours) == set(members)
    by_rank: dict[int, set[str]] = {}
    for node, rank in members.items():
        by_rank.setdefault(rank, set()).add(colours[node])
    assert all(len(c) == 1 for c in by_rank.values())
    assert len({next(iter(c)) for c in by_rank.values()}) == len(by_rank)
    legend = page.locator("#legend .legend-item")
    expect(legend).to_have_count(len(drawn_communities))
    expect(legend.first).to_contain_text(drawn_communities[0]["label"]["zh"])
    # the drawing has edges between members (the relations among them)
    assert int(page.get_attribute("#graph", "data-edges")) > 0
    screenshot(page, "analytics-communities")


def test_brokers_by_effective_size_of_one_sphere(page: Page, explorer_url: str,
                                                 backend: QueryBackend):
    page.goto(explorer_url + "/#/brokers")
    wait_drawn(page)
    page.locator("#controls select[name=sort]").select_option("effective_size")
    page.locator("#controls select[name=sphere]").select_option("industry")
    expected = backend.brokers(sort="effective_size", sphere="industry", limit=20)
    rows = page.locator("#panel table.brokers tbody tr")
    expect(rows).to_have_count(len(expected["items"]))
    assert len(expected["items"]) > 1
    assert [rows.nth(i).get_attribute("data-id") for i in range(rows.count())] == [
        item["id"] for item in expected["items"]]
    first = expected["items"][0]
    expect(rows.first).to_contain_text(first["name_zh"])
    expect(rows.first).to_contain_text(f"{first['effective_size']:.3f}")
    assert "sort=effective_size" in page.url and "sphere=industry" in page.url
    assert wait_drawn(page) == len(expected["items"])


def test_gaps_say_what_is_missing_with_the_quotes_of_what_exists(
        page: Page, explorer_url: str, backend: QueryBackend):
    page.goto(explorer_url + "/#/gaps?kind=transfer_gap")
    wait_drawn(page)
    expected = backend.gaps(kind="transfer_gap", evidence=3)
    items = page.locator("#panel li.gap")
    expect(items).to_have_count(expected["totals"]["transfer_gap"])
    assert expected["items"]
    item = expected["items"][0]
    shown = page.locator(f"#panel li.gap[data-id='{item['subject']['id']}']")
    expect(shown.locator(".missing")).to_have_text(item["missing"]["zh"])
    shown.locator("details summary").click()
    quotes = shown.locator("details q.quote")
    expect(quotes).to_have_count(sum(len(e["provenance"]) for e in item["exists"]))
    expect(quotes.first).to_have_text(item["exists"][0]["provenance"][0]["quote"])
    page.locator("#controls select[name=kind]").select_option("")
    every = backend.gaps(evidence=3)
    expect(items).to_have_count(len(every["items"]))


def test_suggestions_are_marked_as_such_with_evidence_and_quotes(
        page: Page, explorer_url: str, backend: QueryBackend, screenshot):
    page.goto(explorer_url + "/#/suggestions")
    wait_drawn(page)
    expected = backend.suggest(task="fund_lab", limit=20, evidence=3)
    assert expected["suggestion"] and expected["items"]
    expect(page.locator("#panel .suggestion-note")).to_contain_text("推测，并非事实")
    items = page.locator("#panel li.suggested")
    expect(items).to_have_count(len(expected["items"]))
    top = expected["items"][0]
    first = items.first
    assert (first.get_attribute("data-from"), first.get_attribute("data-to")) == (
        top["from"]["id"], top["to"]["id"])
    expect(first.locator(".explanation")).to_have_text(top["explanation"]["zh"])
    stated = [p["quote"] for path in top["evidence"] for hop in path["edges"] for e in hop
              for p in e["provenance"]]
    expect(first.locator("q.quote")).to_have_count(len(stated))
    expect(first.locator("q.quote").first).to_have_text(stated[0])
    # on the graph: one dashed, labelled link per suggestion, apart from stated relations
    assert wait_drawn(page) == len({n for i in expected["items"]
                                    for n in (i["from"]["id"], i["to"]["id"])})
    drawn = suggested_edges(page)
    assert [(e["from"], e["to"]) for e in drawn] == [
        (i["from"]["id"], i["to"]["id"]) for i in expected["items"]]
    assert all(e["lineStyle"] == "dashed" and e["label"].startswith("推测") for e in drawn)
    assert {e["colour"] for e in drawn} != {"rgb(169,176,191)"}  # not a stated edge's grey
    expect(page.locator("#legend .legend-suggested")).to_contain_text("推测关系（并非事实）")
    screenshot(page, "analytics-suggestions")
    # clicking a suggested link brings its entry forward (it is no stated relation to show)
    last = expected["items"][-1]
    page.evaluate("([a, b]) => window.explorer.drawing.cy.edges('.suggested')"
                  ".filter((e) => e.source().id() === a && e.target().id() === b)"
                  ".emit('tap')", [last["from"]["id"], last["to"]["id"]])
    expect(page.locator("#panel li.suggested.focused")).to_have_count(1)
    expect(page.locator("#panel li.suggested.focused")).to_have_attribute(
        "data-to", last["to"]["id"])
    expect(page.locator("#selection")).to_be_hidden()
    page.locator("#controls select[name=task]").select_option("lab_company")
    other = backend.suggest(task="lab_company", limit=20, evidence=3)
    expect(items).to_have_count(len(other["items"]))
    if other["items"]:
        expect(items.first).to_have_attribute("data-from", other["items"][0]["from"]["id"])
    wait_drawn(page)
    assert [(e["from"], e["to"]) for e in suggested_edges(page)] == [
        (i["from"]["id"], i["to"]["id"]) for i in other["items"]]


def suggested_edges(page: Page) -> list[dict[str, str]]:
    """The drawing's suggested links, in drawing order, with their computed style."""
    return page.evaluate("window.explorer.drawing.cy.edges('.suggested').map((e) => ({"
                         "from: e.source().id(), to: e.target().id(), label: e.style('label'),"
                         "lineStyle: e.style('line-style'), colour: e.style('line-color')}))")


def test_english_and_a_bad_route_parameter(page: Page, explorer_url: str,
                                           backend: QueryBackend):
    page.goto(explorer_url + "/#/brokers?sort=nonsense")
    wait_drawn(page)
    page.locator("#lang-toggle").click()
    expect(page.locator("#controls nav.analytics-views a[data-view=gaps]")).to_have_text("Gaps")
    expect(page.locator("#tabs a.active")).to_have_text("Ecosystem")
    # an unknown sort falls back to the default ranking, as the API's default
    expected = backend.brokers(limit=20)
    expect(page.locator("#panel table.brokers tbody tr").first).to_have_attribute(
        "data-id", expected["items"][0]["id"])
