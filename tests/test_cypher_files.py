"""Every queries/cypher/*.cypher file, run as the Neo4j Browser would run it, answers its
question correctly on data/.

Each file is parsed like the Browser reads it (``//`` comments dropped, ``:param name =>
expression`` lines evaluated by the server, statements split on ``;``), every statement runs
against the session's real Neo4j loaded with data/ by ``innograph``'s sync, and the rows are
checked against answers computed from the networkx graph (not merely for being non-empty).
Files run with their own ``:param`` values and with others an analyst might give.
"""

from __future__ import annotations

import re

import pytest
from cypher_checks import CASES, CHECKS, CYPHER_DIR, parse_cypher_file, run_file
from neo4j_read_fixtures import data_graph, neo4j_with_data

from queries import backing as backing_queries
from queries.views import BACKWARD

__all__ = ["data_graph", "neo4j_with_data"]


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
        params, statements = parse_cypher_file(text)
        assert statements, name
        for param in params:  # every :param is used
            assert any(f"${param}" in s for s in statements), (name, param)


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


def test_parser_reads_the_browser_syntax():
    params, statements = parse_cypher_file(
        "// a question?\n:param a => 'x; y // not a comment'\n:param b => [1, 2]\n"
        "MATCH (n {name: 'a;b'}) // trailing\nRETURN n;\n\nRETURN $a, $b;\n")
    assert params == {"a": "'x; y // not a comment'", "b": "[1, 2]"}
    assert statements == ["MATCH (n {name: 'a;b'}) \nRETURN n", "RETURN $a, $b"]


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
