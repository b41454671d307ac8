"""The explorer page end to end, in headless Chromium against a served app over data/.

Each step checks what the page shows against the query backend's own answer for the same
question (names, relation counts, quotes, drawn node counts), so the tests follow the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import networkx as nx
import pytest
from explorer_fixtures import PHONE, open_page, serve, wait_drawn
from playwright.sync_api import Page, expect

from graph.schema import load_schema
from queries.backend import QueryBackend

pytestmark = pytest.mark.browser

NODE_LIMIT = 150  # the page's neighbourhood limit (web/static/js/views/explore.js)
RELATIONS_SHOWN = 50  # relations listed before "show all" (same file)
SCHEMA = load_schema()


def drawn_ids(page: Page) -> set[str]:
    return set(page.evaluate("window.explorer.drawing.drawnNodeIds()"))


def open_entity(page: Page, base: str, entity_id: str, query: str = "") -> int:
    page.goto(f"{base}/#/entity/{quote(entity_id)}{query}")
    count = wait_drawn(page)
    expect(page.locator("#panel article.entity")).to_have_attribute("data-id", entity_id)
    return count


def pick_suggestion(page: Page, box: str, text: str, entity_id: str) -> None:
    """Types ``text`` key by key into the picker ``box`` and clicks the suggestion
    ``entity_id``."""
    field = page.locator(f"{box} input")
    field.fill("")
    field.press_sequentially(text, delay=20)
    option = page.locator(f"{box} .suggestions li[data-id='{entity_id}']")
    option.click()


@pytest.mark.parametrize(("typed", "entity_id"), [("長春光機所", "ciomp"),
                                                ("changchun optics", "ciomp"),
                                                ("吉林大學", "jilin-university")])
def test_search_in_traditional_chinese_or_by_words_finds_the_entity(
        page: Page, explorer_url: str, typed: str, entity_id: str):
    """What a user types who writes traditional characters, or English words out of order:
    the entity is suggested, and choosing it opens its page."""
    page.goto(explorer_url + "/")
    wait_drawn(page)
    page.locator("#search input").press_sequentially(typed, delay=30)
    option = page.locator(f"#search .suggestions li[role=option][data-id='{entity_id}']")
    expect(option).to_be_visible()
    option.click()
    expect(page).to_have_url(f"{explorer_url}/#/entity/{entity_id}")


def test_search_for_chang_guang_satellite_opens_its_panel_and_drawing(
        page: Page, explorer_url: str, backend: QueryBackend, screenshot):
    page.goto(explorer_url + "/")
    wait_drawn(page)
    page.locator("#search input").press_sequentially("长光卫星", delay=30)
    options = page.locator("#search .suggestions li[role=option]")
    expected = backend.search("长光卫星", limit=8)["items"]
    expect(options).to_have_count(len(expected))
    assert [options.nth(i).get_attribute("data-id") for i in range(len(expected))] == \
        [item["id"] for item in expected]
    expect(options.first).to_contain_text(expected[0]["name_zh"])
    screenshot(page, "search")

    options.first.click()
    expect(page).to_have_url(f"{explorer_url}/#/entity/{expected[0]['id']}")
    drawn = wait_drawn(page)
    entity = backend.entity(expected[0]["id"])
    panel = page.locator("#panel")
    expect(panel.locator("h2.entity-name")).to_have_text(entity["name_zh"])
    expect(panel.locator(".chip").first).to_have_text(SCHEMA.node_kinds[entity["kind"]].zh)
    relations = entity["edges"]["out"] + entity["edges"]["in"]
    expect(panel.locator(".relation")).to_have_count(len(relations))
    for relation in relations:
        item = panel.locator(f".relation[data-rel='{relation['rel']}']"
                             f"[data-other='{relation['other']['id']}']")
        expect(item).to_contain_text(SCHEMA.relation_kinds[relation["rel"]].zh)
        for source in relation["provenance"]:
            expect(item.locator(".quote", has_text=source["quote"]).first).to_be_visible()
    hood = backend.neighbourhood(entity["id"], radius=1, limit=NODE_LIMIT)
    assert drawn == len(hood["nodes"])
    assert drawn_ids(page) == {n["id"] for n in hood["nodes"]}
    assert int(page.get_attribute("#graph", "data-edges")) == len(hood["edges"])
    kinds = {n["kind"] for n in hood["nodes"]}
    expect(page.locator("#legend .legend-item")).to_have_count(len(kinds))
    screenshot(page, "entity")


def test_radius_and_kind_filters_redraw_what_the_api_answers(
        page: Page, explorer_url: str, backend: QueryBackend, screenshot):
    center = "ciomp"
    open_entity(page, explorer_url, center)
    page.select_option("select[name=radius]", "2")
    expect(page).to_have_url(f"{explorer_url}/#/entity/{center}?radius=2")
    hood = backend.neighbourhood(center, radius=2, limit=NODE_LIMIT)
    assert wait_drawn(page) == len(hood["nodes"])

    relation = backend.entity(center)["edges"]["out"][0]["rel"]
    menu = page.locator("details[data-filter=rels]")
    menu.locator("summary").click()
    menu.get_by_role("button", name="清空").click()
    menu.locator(f"input[value='{relation}']").check()
    menu.locator("button[name=apply]").click()
    expect(page).to_have_url(f"{explorer_url}/#/entity/{center}?radius=2&rels={relation}")
    filtered = backend.neighbourhood(center, radius=2, relations=[relation], limit=NODE_LIMIT)
    assert wait_drawn(page) == len(filtered["nodes"]) < len(hood["nodes"])
    assert {e["rel"] for e in filtered["edges"]} == {relation}

    kinds = [next(n["kind"] for n in hood["nodes"] if n["distance"] == 1)]
    page.goto(f"{explorer_url}/#/entity/{center}?radius=2&kinds={kinds[0]}")
    by_kind = backend.neighbourhood(center, radius=2, node_kinds=kinds, limit=NODE_LIMIT)
    assert wait_drawn(page) == len(by_kind["nodes"]) > 1
    assert drawn_ids(page) == {n["id"] for n in by_kind["nodes"]}
    screenshot(page, "neighbourhood-filtered")


def test_a_hub_is_drawn_truncated_and_says_so(page: Page, explorer_url: str,
                                               backend: QueryBackend, data_graph):
    hub = max(data_graph.nodes, key=data_graph.degree)
    hood = backend.neighbourhood(hub, radius=2, limit=NODE_LIMIT)
    assert hood["truncated"]  # the curated data's biggest hub has more than the limit
    assert open_entity(page, explorer_url, hub, "?radius=2") == NODE_LIMIT
    expect(page.locator("#drawing-status b")).to_contain_text(str(NODE_LIMIT))
    # Its relations come 50 at once, all of them on request.
    edges = backend.entity(hub)["edges"]
    total = len(edges["out"]) + len(edges["in"])
    assert total > RELATIONS_SHOWN
    expect(page.locator(".relation")).to_have_count(RELATIONS_SHOWN)
    page.locator("button[name=more-relations]").click()
    expect(page.locator(".relation")).to_have_count(total)


def settled_position(page: Page, node_id: str) -> dict[str, float]:
    """Where ``node_id`` is drawn, once two reads 100 ms apart agree: the panel beside the
    drawing may still be filling in (and the drawing moving with it) when the view says it
    is drawn, and a click at a position read before that missed the node (a busy machine)."""
    page.wait_for_load_state("networkidle")  # e.g. a metric's chart, fetched after the panel
    read = f"window.explorer.drawing.nodePosition({node_id!r})"
    last = page.evaluate(read)
    for _ in range(50):
        page.wait_for_timeout(100)
        now = page.evaluate(read)
        if now == last:
            return now
        last = now
    raise AssertionError(f"{node_id} kept moving in the drawing")


def test_following_a_relation_and_clicking_a_drawn_node_move_there(
        page: Page, explorer_url: str, backend: QueryBackend):
    start = "chang-guang-satellite"
    open_entity(page, explorer_url, start)
    target = backend.entity(start)["edges"]["out"][0]["other"]
    page.locator(f".relation[data-other='{target['id']}'] a[data-id='{target['id']}']") \
        .first.click()
    expect(page.locator("#panel article.entity")).to_have_attribute("data-id", target["id"])
    expect(page.locator("#panel h2.entity-name")).to_have_text(target["name_zh"])
    hood = backend.neighbourhood(target["id"], radius=1, limit=NODE_LIMIT)
    assert wait_drawn(page) == len(hood["nodes"])

    # Click a neighbour in the drawing itself (canvas coordinates from the drawing).
    neighbour = next(n["id"] for n in hood["nodes"] if n["id"] not in (target["id"],))
    page.mouse.click(**settled_position(page, neighbour))
    expect(page.locator("#panel article.entity")).to_have_attribute("data-id", neighbour)
    assert wait_drawn(page) == len(backend.neighbourhood(neighbour, limit=NODE_LIMIT)["nodes"])


def test_path_view_lists_and_draws_the_paths_with_each_hops_quote(
        page: Page, explorer_url: str, backend: QueryBackend, screenshot):
    page.goto(explorer_url + "/#/paths")
    wait_drawn(page)
    pick_suggestion(page, "form .picker:nth-of-type(1)", "长兴基金", "changxing-fund")
    pick_suggestion(page, "form .picker:nth-of-type(2)", "长光卫星", "chang-guang-satellite")
    page.locator("button[name=find]").click()
    expect(page).to_have_url(re.compile(r"#/paths\?from=changxing-fund&to=chang-guang"))
    drawn = wait_drawn(page)
    answer = backend.paths("changxing-fund", "chang-guang-satellite", max_length=6)
    cards = page.locator(".path-card")
    expect(cards).to_have_count(answer["count"])
    for card, path in zip(cards.all(), answer["paths"], strict=True):
        expect(card.locator(".hop")).to_have_count(path["length"])
        for hop_item, hop in zip(card.locator(".hop").all(), path["hops"], strict=True):
            expect(hop_item).to_contain_text(SCHEMA.relation_kinds[hop["rel"]].zh)
            expect(hop_item.locator(".quote").first).to_have_text(hop["provenance"][0]["quote"])
    assert drawn == len(answer["nodes"])
    assert drawn_ids(page) == set(answer["nodes"])
    cards.first.click()
    expect(page.locator(".path-card.selected")).to_have_count(1)
    expect(cards.first).to_have_class(re.compile("selected"))
    screenshot(page, "paths")


def test_unconnected_entities_get_the_apis_no_path_answer(
        page: Page, explorer_url: str, data_graph):
    components = sorted(nx.weakly_connected_components(data_graph), key=len, reverse=True)
    a, b = sorted(components[0])[0], sorted(components[1])[0]
    page.goto(f"{explorer_url}/#/paths?from={a}&to={b}")
    assert wait_drawn(page) == 0
    expect(page.locator("#panel .error")).to_be_visible()


def test_funds_to_labs_view_lists_chains_and_draws_the_chosen_one(
        page: Page, explorer_url: str, backend: QueryBackend, screenshot):
    page.goto(explorer_url + "/")
    wait_drawn(page)
    page.locator("#tabs a[data-view=backing]").click()
    answer = backend.backing()
    pairs = page.locator(".pair")
    expect(pairs).to_have_count(len(answer["pairs"]))
    first_chain = answer["pairs"][0]["chains"][0]
    assert wait_drawn(page) == len(first_chain["nodes"])
    assert drawn_ids(page) == set(first_chain["nodes"])
    for item, pair in zip(pairs.all(), answer["pairs"], strict=True):
        assert item.get_attribute("data-fund") == pair["fund"]["id"]
        assert item.get_attribute("data-lab") == pair["lab"]["id"]
        flag = "推断" if pair["inferred"] else "原文直接陈述"
        expect(item.locator("h3 .flag")).to_have_text(flag)
        expect(item.locator(".chain")).to_have_count(len(pair["chains"]))
        expect(item.locator(".explanation").first).to_have_text(
            pair["chains"][0]["explanation"]["zh"])
    screenshot(page, "backing")

    last_pair = answer["pairs"][-1]
    chain = last_pair["chains"][-1]
    pairs.last.locator(".chain").last.click()
    expect(pairs.last.locator(".chain").last).to_have_class(re.compile("selected"))
    assert int(page.get_attribute("#graph", "data-nodes")) == len(chain["nodes"])
    assert drawn_ids(page) == set(chain["nodes"])

    page.locator("#lang-toggle").click()
    wait_drawn(page)
    expect(page.locator(".pair .explanation").first).to_have_text(
        answer["pairs"][0]["chains"][0]["explanation"]["en"])


def test_centrality_view_ranks_and_sizes_by_score(
        page: Page, explorer_url: str, backend: QueryBackend, screenshot):
    page.goto(explorer_url + "/#/centrality")
    wait_drawn(page)
    page.select_option("select[name=measure]", "betweenness")
    expect(page).to_have_url(re.compile("measure=betweenness"))
    ranking = backend.centrality("betweenness", top=20)
    rows = page.locator("table.ranking tbody tr")
    expect(rows).to_have_count(len(ranking["items"]))
    assert [r.get_attribute("data-id") for r in rows.all()] == \
        [item["id"] for item in ranking["items"]]
    assert wait_drawn(page) == len(ranking["items"])
    sizes = page.evaluate("window.explorer.drawing.cy.nodes().map(n => [n.id(), n.width()])")
    size = dict(sizes)
    scores = [(item["score"], size[item["id"]]) for item in ranking["items"]]
    assert [s for _, s in sorted(scores)] == sorted(s for _, s in scores)  # bigger score, bigger
    assert scores[0][1] > scores[-1][1]
    screenshot(page, "centrality")


def test_language_toggle_switches_the_interface_and_schema_labels(
        page: Page, explorer_url: str, backend: QueryBackend):
    entity = backend.entity("jilin-university")
    open_entity(page, explorer_url, entity["id"])
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    expect(page.locator("#tabs a[data-view=paths]")).to_have_text("路径")
    page.locator("#lang-toggle").click()
    wait_drawn(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#panel h2.entity-name")).to_have_text(entity["name_en"])
    expect(page.locator("#panel .chip").first).to_have_text(SCHEMA.node_kinds[entity["kind"]].en)
    expect(page.locator("#tabs a[data-view=paths]")).to_have_text("Paths")
    expect(page.locator("#lang-toggle")).to_have_text("中文")
    page.reload()  # the choice is remembered
    wait_drawn(page)
    expect(page.locator("#panel h2.entity-name")).to_have_text(entity["name_en"])


def test_phone_layout_has_no_sideways_scroll_and_draws_first(
        browser, explorer_url: str, api_routes, screenshot):
    page, watch = open_page(browser, explorer_url, api_routes, viewport=PHONE)
    try:
        open_entity(page, explorer_url, "jilin-university")
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1] == PHONE["width"]
        graph = page.locator("#graph").bounding_box()
        panel = page.locator("#panel").bounding_box()
        assert graph["width"] == PHONE["width"] and graph["y"] < panel["y"]
        screenshot(page, "phone")
    finally:
        page.context.close()
    watch.check()


@pytest.fixture(scope="module")
def url_without_library(backend: QueryBackend, tmp_path_factory) -> Iterator[str]:
    """The app as served where npm never ran: web/node_modules is empty."""
    yield from serve(backend, {"WEB_MODULES_DIR": str(tmp_path_factory.mktemp("no_modules"))})


def test_without_the_drawing_library_the_page_says_so_and_still_works(
        browser, url_without_library: str, api_routes, backend: QueryBackend, screenshot):
    page, watch = open_page(browser, url_without_library, api_routes)
    try:
        page.goto(url_without_library + "/")
        assert wait_drawn(page) == 0
        expect(page.locator("#notice")).to_be_visible()
        expect(page.locator("#notice")).to_contain_text("绘图库缺失")
        expect(page.locator("#graph .missing")).to_contain_text("cytoscape")
        pick_suggestion(page, "#search", "长光卫星", "chang-guang-satellite")
        entity = backend.entity("chang-guang-satellite")
        expect(page.locator("#panel h2.entity-name")).to_have_text(entity["name_zh"])
        expect(page.locator(".relation")).to_have_count(
            len(entity["edges"]["out"]) + len(entity["edges"]["in"]))
        screenshot(page, "without-library")
    finally:
        page.context.close()
    # the one file missing is the library this server was made without
    assert [m.rsplit("/", 1)[-1] for m in watch.missing] == ["cytoscape.mjs"]
    watch.missing.clear()
    watch.check()


def test_keyboard_picks_a_suggestion_and_a_clicked_edge_shows_its_quote(
        page: Page, explorer_url: str, backend: QueryBackend):
    page.goto(explorer_url + "/")
    wait_drawn(page)
    field = page.locator("#search input")
    field.press_sequentially("吉林", delay=20)
    expected = backend.search("吉林", limit=8)["items"]
    assert len(expected) >= 2
    expect(page.locator("#search .suggestions li[role=option]")).to_have_count(len(expected))
    field.press("ArrowDown")
    field.press("ArrowDown")
    field.press("Enter")
    chosen = expected[1]
    expect(page.locator("#panel article.entity")).to_have_attribute("data-id", chosen["id"])
    wait_drawn(page)

    edge = page.evaluate("""() => {
      const drawing = window.explorer.drawing;
      const edge = drawing.cy.edges()[0];
      const box = drawing.container.getBoundingClientRect();
      const p = edge.renderedMidpoint();
      return { x: box.left + p.x, y: box.top + p.y, data: edge.data("edge") };
    }""")
    page.mouse.click(edge["x"], edge["y"])
    selection = page.locator("#selection")
    expect(selection).to_be_visible()
    expect(selection).to_contain_text(SCHEMA.relation_kinds[edge["data"]["rel"]].zh)
    expect(selection.locator(".quote").first).to_have_text(
        edge["data"]["provenance"][0]["quote"])


def test_an_address_naming_no_view_says_so_on_the_start_page(page: Page, explorer_url: str):
    page.goto(f"{explorer_url}/#/no-such-view")
    wait_drawn(page)
    expect(page.locator("#panel [role=alert]")).to_contain_text("no-such-view")
    expect(page.locator("#panel .starters li").first).to_be_visible()  # the start page itself
    page.goto(f"{explorer_url}/#/")
    wait_drawn(page)
    expect(page.locator("#panel .starters li").first).to_be_visible()
    expect(page.locator("#panel [role=alert]")).to_have_count(0)
