"""docs/neo4j.md stays in step with the code: every Cypher file, centrality property,
environment variable, label and the full-text index it should name, it names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.neo4j_rows import FULLTEXT_INDEX, MENTIONS, META_LABEL, WRITTEN_BACK
from graph.schema import load_schema
from queries.neo4j_backend import ENV_VARS

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "neo4j.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "queries" / "cypher")
                                        .glob("*.cypher")))
def test_every_cypher_file_is_in_the_walk_through(name):
    row = next((line for line in DOC.splitlines() if line.startswith(f"| `{name}` |")), None)
    assert row, f"docs/neo4j.md has no table row for {name}"


def test_model_names_are_documented():
    names = [*WRITTEN_BACK, *ENV_VARS, FULLTEXT_INDEX, META_LABEL, MENTIONS,
             "prov_sources", "prov_quotes", "content_hash", ":Entity"]
    names += [f":{kind}" for kind in load_schema().node_kinds]
    missing = [n for n in names if f"`{n}" not in DOC]
    assert not missing


def test_documented_docker_login_is_the_generated_one():
    """The guide sends Docker users to `make docker-env` (a generated password), and neither
    it nor .env.example gives a password to copy."""
    assert "make docker-env" in DOC and "docker-env:" in (ROOT / "Makefile").read_text()
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert not [line for line in example.splitlines() if line.startswith("NEO4J_AUTH=")]
    assert "innograph-dev" not in DOC


def test_linked_screenshots_exist():
    linked = re.findall(r"!\[[^\]]+\]\(([^)]+\.png)\)", DOC)
    assert len(linked) >= 2
    for name in linked:
        assert (ROOT / "docs" / name).stat().st_size > 10_000, name
