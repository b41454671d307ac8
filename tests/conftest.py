"""Shared pytest fixtures. Keep this file small: put fixture logic in its own module."""

import pytest

# Headless Chromium (one Playwright per session, so it must be defined here): `browser`.
from explorer_fixtures import browser

# Neo4j: `neo4j_uri`, `neo4j_driver` (and `neo4j_target` for auth/database/server details).
from neo4j_fixture import neo4j_driver, neo4j_target, neo4j_uri

# Plain assert messages in the helper modules that hold shared checks.
pytest.register_assert_rewrite("cypher_checks", "parity_checks")

__all__ = ["browser", "neo4j_driver", "neo4j_target", "neo4j_uri"]
