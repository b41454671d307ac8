"""Every queries/cypher/*.cypher file answers its question correctly on data/.

A file is one statement (a second one, or a ``:param`` line, makes the Neo4j Browser show a
list of statuses instead of the answer); the values an analyst may change are literals in its
first line, ``WITH '长兴基金' AS fund``. The statement runs against the session's real Neo4j
loaded with data/ by ``innograph``'s sync, as written and with other values, and the rows are
checked against answers computed from the networkx graph (not merely for being non-empty).
tests/test_neo4j_browser.py pastes the same files into the real Neo4j Browser.
"""

from __future__ import annotations

import re

import pytest
from cypher_checks import (
    CASES,
    CHECKS,
    CYPHER_DIR,
    parse_cypher_file,
    run_file,
    server_warnings,
    with_parameters,
)

from queries import backing as backing_queries
from queries.views import BACKWARD


def test_every_file_is_checked_and_documented():
    files = sorted(p.name for p in CYPHER_DIR.glob("*.cypher"))
    assert len(files) >= 10
    assert files == sorted(CHECKS)
    for name in files:
        text = (CYPHER_DIR / name).read_text(encoding="utf-8")
        lines = text.splitlines()
        assert lines[0].startswith("// "), f"{name}: start with the question it answers"
        heading = lines[:lines.index("//")]  # the question: the first comment paragraph
        assert all(line.startswith("// ") for line in heading)
        assert heading[-1].rstrip()[-1] in "?.", name
        params, statement = parse_cypher_file(text)
        for param in params:  # every value is used after the first line
            rest = statement.split("\n", 1)[1]
            assert re.search(rf"\b{param}\b", rest), (name, param)


def test_backing_file_follows_the_link_table():
    text = (CYPHER_DIR / "01_funds_backing_labs.cypher").read_text(encoding="utf-8")
    links = set(re.findall(r"'(\w+)\|(\w+)\|(forward|backward)'", text))
    expected = {(kind, rel, direction) for kind, table in backing_queries.LINKS.items()
                for rel, direction in table}
    expected.add(("Sector", *backing_queries.SECTOR_LINK))
    assert links == expected
    first = re.search(r"\(f\)-\[first:([\w|]+)\]->", text)[1].split("|")
    assert sorted(first) == sorted(rel for rel, _ in backing_queries.FIRST_LINKS)
    assert all(direction != BACKWARD for _, direction in backing_queries.FIRST_LINKS)


def test_parser_reads_one_statement_and_its_values():
    params, statement = parse_cypher_file(
        "// a question?\nWITH 'x; y // no comment' AS a, null AS b\n"
        "MATCH (n {name: 'a;b'}) // trailing\nRETURN n, a, b;\n")
    assert params == {"a": "'x; y // no comment'", "b": "null"}
    assert statement == ("WITH 'x; y // no comment' AS a, null AS b\n"
                         "MATCH (n {name: 'a;b'}) \nRETURN n, a, b")
    assert with_parameters(statement, list(params)).startswith("WITH $a AS a, $b AS b\nMATCH")
    assert parse_cypher_file("MATCH (n) RETURN n")[0] == {}


@pytest.mark.parametrize("text,problem", [
    (":param a => 1;\nRETURN $a;", "Browser command in a query file: :param a => 1;"),
    ("RETURN 1;\nRETURN 2;", "2 statements: a file must hold exactly one"),
    ("// only a comment\n", "0 statements: a file must hold exactly one"),
])
def test_parser_refuses_what_the_browser_would_not_show_as_one_answer(text, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        parse_cypher_file(text)


@pytest.mark.neo4j
@pytest.mark.parametrize("name,overrides", CASES,
                         ids=[f"{n[:2]}-{'-'.join(map(str, o.values())) or 'default'}"
                              for n, o in CASES])
def test_cypher_file_answers_from_the_data(neo4j_with_data, neo4j_driver, data_graph, name,
                                           overrides):
    params, results = run_file(CYPHER_DIR / name, neo4j_driver, neo4j_with_data.database,
                               overrides)
    check, _ = CHECKS[name]
    check(data_graph, params, results)


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_cypher_file_runs_without_warnings(neo4j_with_data, neo4j_driver, name):
    assert server_warnings(CYPHER_DIR / name, neo4j_driver, neo4j_with_data.database) == []


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_documented_first_line_finds_something_on_the_data(neo4j_with_data, neo4j_driver, name):
    """The checks hold on any graph, an empty answer included (tests/test_neo4j_generated.py
    runs them on a generated one); on data/ each file as written must have rows to show."""
    _, [rows] = run_file(CYPHER_DIR / name, neo4j_driver, neo4j_with_data.database, {})
    assert rows


@pytest.mark.neo4j
def test_time_files_have_answers_on_the_data(neo4j_with_data, neo4j_driver, data_graph):
    """What the time-aware files are for, shown by their documented first lines on data/."""
    def rows(name: str) -> list[dict]:
        return run_file(CYPHER_DIR / name, neo4j_driver, neo4j_with_data.database, {})[1][0]

    funds = rows("08_fund_figures.cypher")
    assert sum(r["metric"] is not None for r in funds) >= 2, funds
    figures = rows("13_metric_over_time.cypher")  # a level and a change, years apart
    assert any(r["value"] is not None for r in figures)
    assert any(r["change_factor"] is not None for r in figures)
    assert len({r["period"] for r in figures}) >= 2
    new = rows("14_new_since.cypher")
    entities = [n for n, k in data_graph.nodes(data="kind") if k not in ("Source", "Observation")]
    assert new and len(new) < len(entities)  # some, not all, appeared after 2023
    plans = rows("15_plans_and_outcomes.cypher")
    assert any(r["target_year"] is not None and r["outcome"].startswith("not reported since")
               and r["silent_later"] for r in plans)  # a plan with a year no later source states
    assert any(r["outcome"].startswith("under way, reported") for r in plans)
