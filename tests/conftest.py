"""Shared pytest fixtures. Keep this file small: put fixture logic in its own module."""

# Neo4j: `neo4j_uri`, `neo4j_driver` (and `neo4j_target` for auth/database/server details).
from neo4j_fixture import neo4j_driver, neo4j_target, neo4j_uri

__all__ = ["neo4j_driver", "neo4j_target", "neo4j_uri"]
