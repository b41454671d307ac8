"""Shared pytest fixtures. Keep this file small: put fixture logic in its own module.

Every fixture module is registered here once, so each session fixture is built once per run
(importing a fixture into a test module would build it again for that module). Test modules
import only plain helpers from these modules, never fixtures.
"""

import pytest

# Plain assert messages in the helper modules that hold shared checks (registered before the
# fixture modules below import them).
pytest.register_assert_rewrite("cypher_checks", "parity_checks")

pytest_plugins = [
    "api_fixtures",  # the API over data/: `backend`, `app`, `client`
    "explorer_fixtures",  # headless Chromium: `browser`, `explorer_url`, `page`, ...
    "neo4j_fixture",  # the session's Neo4j: `neo4j_target`, `neo4j_uri`, `neo4j_driver`
    "neo4j_read_fixtures",  # Neo4j holding data/: `neo4j_with_data`, `neo4j_backend`
    "neo4j_generated_fixtures",  # Neo4j holding a generated graph: `generated`, `backends`
    "queries_fixtures",  # `data_graph` (data/), `generated_graph_1500`
    "rdf_fixtures",  # `fixture_graph`, `rich_graph`, `generated_graph_400`, ...
]


# Once the tests are done the interpreter joins the threads it must wait for (pool workers
# among them). A worker still running a runaway query would keep the run alive until CI's
# time limit, with no word of why; instead, past EXIT_GRACE_SECONDS the stacks of every
# thread are printed and the run exits with status 1.
EXIT_GRACE_SECONDS = 120


def pytest_unconfigure(config: pytest.Config) -> None:
    import faulthandler
    import sys

    faulthandler.dump_traceback_later(EXIT_GRACE_SECONDS, exit=True, file=sys.__stderr__)
