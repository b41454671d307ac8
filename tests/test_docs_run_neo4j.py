"""docs/neo4j.md: `make run-neo4j` starts the local server, syncs and serves in one step; its
`make run` begins with `innograph stats` over that server with no NEO4J_PASSWORD set, so the
commands that read the served graph must find the kept password as `sync` and `serve` do
(before, stats stopped the step: "requires a login and none was given")."""

from __future__ import annotations

import os

import pytest

import innograph.neo4j_server as neo4j_server
import queries.neo4j_backend as neo4j_backend
from innograph.cli import main


class Reached(Exception):
    """Raised where the backend would connect: the test needs no server."""


@pytest.mark.parametrize("command", [["stats"], ["show", "changxing-fund"],
                                     ["changes", "--from", "2022", "--to", "2025"]])
def test_served_commands_use_the_kept_password(monkeypatch: pytest.MonkeyPatch,
                                               command: list[str]):
    seen: dict[str, str | None] = {}

    def from_env(*args: object, **kwargs: object) -> None:
        seen["user"] = os.environ.get("NEO4J_USER")
        seen["password"] = os.environ.get("NEO4J_PASSWORD")
        raise Reached

    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:7687")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.delenv("NEO4J_USER", raising=False)
    monkeypatch.setattr(neo4j_server, "stored_login",
                        lambda uri: ("neo4j", "kept-secret") if uri.endswith(":7687") else None)
    monkeypatch.setattr(neo4j_backend.Neo4jBackend, "from_env", staticmethod(from_env))
    with pytest.raises(Reached):
        main(command)
    assert seen == {"user": "neo4j", "password": "kept-secret"}
