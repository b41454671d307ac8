"""Driver errors become clear answers (issue 12 §4): Neo4j's login rate limit is a 503 with
Retry-After in the API, a retry then one line at ``serve`` start-up, and a sentence from
``sync``; an HTTP URI, no password against a server that needs one, and the system database
are each refused with a message that says what to do."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ClientError
from neo4j_fixture import Neo4jTarget

from api.app import create_app
from api.problems import login_throttled
from innograph import cli
from innograph import neo4j_server as ns
from queries.neo4j_backend import Neo4jBackend

ROOT = Path(__file__).resolve().parents[1]
VALID = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture(autouse=True)
def no_neo4j_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing from the caller's environment: no NEO4J_*, no kept password of a local home."""
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(ns.HOME_ENV, str(tmp_path / "no-home"))
    monkeypatch.setattr(ns, "DEFAULT_HOME", tmp_path / "no-home")


# --------------------------------------------------------------------------- no server needed


@pytest.mark.parametrize("command", [["sync", "--data", str(VALID), "--uri"], ["serve"]])
def test_an_http_uri_says_bolt_is_needed(command: list[str], monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    uri = "http://127.0.0.1:7474"
    if command == ["serve"]:
        monkeypatch.setenv("NEO4J_URI", uri)
    else:
        command = [*command, uri]
    assert cli.main(command) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"{uri} is an HTTP address" in err and "bolt://HOST:7687" in err, err
    assert "aiohttp" not in err


@pytest.mark.parametrize("command", [["sync", "--data", str(VALID), "--database", "system"],
                                     ["serve"]])
def test_the_system_database_is_refused(command: list[str], monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    if command == ["serve"]:
        monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
        monkeypatch.setenv("NEO4J_DATABASE", "system")
    assert cli.main(command) == 1
    err = capsys.readouterr().err
    assert "database 'system' holds Neo4j's users and settings" in err, err
    assert "SemanticError" not in err


def test_the_local_servers_password_is_used_without_typing_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    ns.write_config(home, bolt_port=17031, http_port=17032)
    ns.store_password(home, "kept-password-1")
    monkeypatch.setenv(ns.HOME_ENV, str(home))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:17031")
    cli._neo4j_environment()
    assert os.environ["NEO4J_PASSWORD"] == "kept-password-1"
    assert os.environ["NEO4J_USER"] == "neo4j"
    monkeypatch.setenv("NEO4J_PASSWORD", "given-password")  # what the user says wins
    cli._neo4j_environment()
    assert os.environ["NEO4J_PASSWORD"] == "given-password"


# --------------------------------------------------------------------------- against Neo4j


def session_server(target: Neo4jTarget) -> ns.Neo4jServer:
    if target.server is None or target.auth is None:
        pytest.skip("needs the session's own auth-enabled server, not an external NEO4J_URI")
    return target.server


@pytest.fixture(scope="module")
def user(neo4j_target: Neo4jTarget) -> Iterator[tuple[str, str]]:
    """A user of its own, so locking it out does not lock out the other tests' user."""
    server = session_server(neo4j_target)
    name, password = f"throttled_{uuid.uuid4().hex[:8]}", "right-password-1"
    with GraphDatabase.driver(server.bolt_uri, auth=server.auth) as driver:
        driver.execute_query(f"CREATE USER {name} SET PASSWORD $pw CHANGE NOT REQUIRED",
                             pw=password, database_="system")
        try:
            yield name, password
        finally:
            driver.execute_query(f"DROP USER {name}", database_="system")


def lock_out(uri: str, user: tuple[str, str]) -> None:
    """Three failed logins: Neo4j then refuses every login of the user for 5 s, even one with
    the right password (checked)."""
    for _ in range(3):  # refused as wrong, or as too many if an earlier test's lock still holds
        with GraphDatabase.driver(uri, auth=(user[0], "wrong-password")) as driver, \
                pytest.raises((AuthError, ClientError)):
            driver.verify_connectivity()
    with GraphDatabase.driver(uri, auth=user) as driver, pytest.raises(ClientError) as err:
        driver.verify_connectivity()
    assert login_throttled(err.value), err.value


@pytest.mark.neo4j
def test_rate_limit_is_a_503_with_retry_after(neo4j_target: Neo4jTarget,
                                              user: tuple[str, str]) -> None:
    server = session_server(neo4j_target)
    backend = Neo4jBackend.connect(server.bolt_uri, user=user[0], password=user[1])
    try:
        client = create_app(backend).test_client()
        lock_out(server.bolt_uri, user)
        for path in ("/api/v1/health", "/api/v1/statistics", "/api/v1/entities/demo-fund"):
            response = client.get(path)
            assert response.status_code == 503, (path, response.get_data(as_text=True))
            assert response.mimetype == "application/problem+json"
            assert response.headers["Retry-After"] == "5"
            problem = response.get_json()
            assert problem["type"].endswith("/backend-unavailable")
            assert "authentication rate limit" in problem["detail"]
    finally:
        backend.close()


@pytest.mark.neo4j
def test_rate_limit_in_sync_says_what_happened(neo4j_target: Neo4jTarget, user: tuple[str, str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    server = session_server(neo4j_target)
    lock_out(server.bolt_uri, user)
    code = cli.main(["sync", "--data", str(VALID), "--uri", server.bolt_uri,
                     "--user", user[0], "--password", user[1], "--no-centrality"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1, err
    assert "refuses logins for a few seconds" in err and "rate limit" in err, err


@pytest.mark.neo4j
def test_serve_start_fails_with_one_line_while_logins_are_refused(
        neo4j_target: Neo4jTarget, user: tuple[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    server = session_server(neo4j_target)
    monkeypatch.setattr(cli, "LOGIN_RETRY_SECONDS", 0.0)

    def serving(*args: object) -> None:  # never serve for good from inside the test
        raise AssertionError("innograph serve got past its start-up check")

    monkeypatch.setattr("api.server.make_server", serving)
    for name, value in (("NEO4J_URI", server.bolt_uri), ("NEO4J_USER", user[0]),
                        ("NEO4J_PASSWORD", user[1])):
        monkeypatch.setenv(name, value)
    lock_out(server.bolt_uri, user)
    assert cli.main(["serve", "--port", "0", "--no-warm-up"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "innograph serve: error: " in err and "authentication rate limit" in err, err


@pytest.mark.neo4j
@pytest.mark.slow
def test_serve_waits_out_the_rate_limit(neo4j_target: Neo4jTarget,
                                        user: tuple[str, str]) -> None:
    """With the right password, ``innograph serve`` retries while Neo4j throttles, then starts."""
    server = session_server(neo4j_target)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    environ |= {"NEO4J_URI": server.bolt_uri, "NEO4J_USER": user[0], "NEO4J_PASSWORD": user[1]}
    lock_out(server.bolt_uri, user)
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "innograph.cli", "serve", "--port", "0", "--no-warm-up"],
        cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert re.search(r"API at http://127\.0\.0\.1:\d+/api/v1", line), (
            line + process.stderr.read() if process.poll() is not None else line)
    finally:
        process.terminate()
        process.wait(timeout=20)
    err = process.stderr.read()
    assert "authentication rate limit); retrying" in err and "Traceback" not in err, err
    assert time.monotonic() - began < 60


@pytest.mark.neo4j
def test_no_password_against_a_server_that_needs_one(neo4j_target: Neo4jTarget,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    server = session_server(neo4j_target)
    code = cli.main(["sync", "--data", str(VALID), "--uri", server.bolt_uri, "--no-centrality"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"Neo4j at {server.bolt_uri} requires a login and no password was given" in err, err

    backend = Neo4jBackend.from_env({"NEO4J_URI": server.bolt_uri})
    try:
        response = create_app(backend).test_client().get("/api/v1/health")
    finally:
        backend.close()
    problem = json.loads(response.get_data(as_text=True))
    assert response.status_code == 503
    assert "requires a login and none was given" in problem["detail"], problem
    assert "None" not in problem["detail"]
