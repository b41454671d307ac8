"""The SPARQL query page (/sparql) in headless Chromium, as a user gets there: from the
explorer's header link, pick an example, run it, read the table. What the table shows is
checked against the query layer (the API's fund-lab pairs) and the endpoint's own rows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from api.app import create_app
from queries.backend import QueryBackend
from queries.sparql_examples import example_queries

pytestmark = pytest.mark.browser


def table_rows(page: Page) -> tuple[list[str], list[list[str]]]:
    head = page.locator("#results table thead td").all_inner_texts()
    rows = [row.locator("td").all_inner_texts()
            for row in page.locator("#results table tbody tr").all()]
    return head, rows


def test_pick_an_example_run_it_see_the_table(page: Page, explorer_url: str,
                                              backend: QueryBackend) -> None:
    page.goto(explorer_url + "/")
    page.locator("#sparql-link").click()
    expect(page).to_have_url(explorer_url + "/sparql")
    select = page.locator("#examples")
    expect(select.locator("option")).to_have_count(len(example_queries()))
    select.select_option("funds-backing-labs")
    expect(page.locator("#query")).to_have_value(example_queries()["funds-backing-labs"])
    expect(page.locator("#description")).to_contain_text("Which labs a fund backs")
    page.locator("#run").click()
    expect(page.locator("#status")).to_have_text(re.compile(r"^\d+ rows$"))
    head, rows = table_rows(page)
    assert head[:4] == ["fund", "lab", "pattern", "inferred"]
    # the rows the endpoint gives for the same text, and the pairs the API gives
    answer = create_app(backend).test_client().post(
        "/api/v1/sparql", data=example_queries()["funds-backing-labs"],
        content_type="application/sparql-query").get_json()
    assert len(rows) == len(answer["results"]["bindings"]) > 0
    assert page.locator("#status").inner_text() == f"{len(rows)} rows"
    api_pairs = {(p["fund"]["id"], p["lab"]["id"])  # the fund the example names
                 for p in backend.backing(fund="changxing-fund", limit=1000)["pairs"]}
    assert {(r[0], r[1]) for r in rows} == api_pairs
    assert all(r[3] == "true" for r in rows)  # every chain on data/ is inferred
    quote1 = head.index("quote1")
    assert all(r[quote1] for r in rows)  # a quote per hop


def test_a_malformed_query_shows_the_problem(page: Page, explorer_url: str) -> None:
    page.goto(explorer_url + "/sparql")
    expect(page.locator("#examples option")).to_have_count(len(example_queries()))
    page.locator("#query").fill("SELECT ?x WHERE {\n  ?x ?p\n}")
    page.locator("#run").click()
    expect(page.locator("#status")).to_contain_text("400 Malformed SPARQL query")
    expect(page.locator("#status")).to_contain_text("line 3")
    expect(page.locator("#results table")).to_have_count(0)
