"""The Maven-resolved Neo4j 5.26 Community server: start, query, Browser, bulk import, errors."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError
from neo4j_fixture import TEST_SERVER_CONFIG, Neo4jTarget, start_test_server

from innograph import neo4j_server as ns


def _listening_addresses(port: int) -> set[str]:
    """Local IPv4/IPv6 addresses with a socket in LISTEN state on *port* (Linux /proc)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            addr, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(addr)
    return found


# --------------------------------------------------------------------------- session server


@pytest.mark.neo4j
def test_server_answers_cypher(neo4j_driver, neo4j_target: Neo4jTarget) -> None:
    db = neo4j_target.database
    records, _, _ = neo4j_driver.execute_query("RETURN 1 AS one", database_=db)
    assert records[0]["one"] == 1

    marker = f"t-{uuid.uuid4()}"
    neo4j_driver.execute_query(
        "CREATE (:InnographTest {marker: $m, name: 'probe'})", m=marker, database_=db
    )
    try:
        records, _, _ = neo4j_driver.execute_query(
            "MATCH (n:InnographTest {marker: $m}) RETURN n.name AS name", m=marker, database_=db
        )
        assert [r["name"] for r in records] == ["probe"]
    finally:
        neo4j_driver.execute_query(
            "MATCH (n:InnographTest {marker: $m}) DELETE n", m=marker, database_=db
        )


@pytest.mark.neo4j
def test_server_is_neo4j_526_community(neo4j_driver, neo4j_target: Neo4jTarget) -> None:
    if neo4j_target.server is None:
        pytest.skip("NEO4J_URI points at an external server; its version is not ours to pin")
    records, _, _ = neo4j_driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN *", database_="system"
    )
    assert records[0]["name"] == "Neo4j Kernel"
    assert records[0]["versions"][0].startswith("5.26.")
    assert records[0]["edition"] == "community"


@pytest.mark.neo4j
def test_browser_is_served(neo4j_target: Neo4jTarget) -> None:
    server = neo4j_target.server
    if server is None:
        pytest.skip("NEO4J_URI points at an external server; its HTTP port is unknown")
    with urllib.request.urlopen(server.browser_url, timeout=10) as resp:
        body = resp.read().decode("utf-8", errors="replace")
        assert resp.status == 200
        assert resp.headers.get_content_type() == "text/html"
    assert "<title>Neo4j Browser</title>" in body


@pytest.mark.neo4j
def test_running_server_listens_on_loopback_only(neo4j_target: Neo4jTarget) -> None:
    server = neo4j_target.server
    if server is None:
        pytest.skip("NEO4J_URI points at an external server")
    for port in (server.bolt_port, server.http_port):
        addresses = _listening_addresses(port)
        assert addresses, f"nothing listens on port {port}"
        # 0100007F is 127.0.0.1 in /proc/net/tcp's little-endian hex
        assert addresses <= {"0100007F", "0000000000000000FFFF00000100007F"}, addresses
    rss = server.rss_bytes()
    assert rss is not None and rss < 2 * 2**30


# --------------------------------------------------------------------------- configuration


def test_generated_conf_binds_loopback(tmp_path: Path) -> None:
    conf_path = ns.write_config(tmp_path, bolt_port=17001, http_port=17002)
    conf = ns.read_config(tmp_path)
    assert conf_path == tmp_path.resolve() / "conf" / "neo4j.conf"
    assert conf["server.default_listen_address"] == "127.0.0.1"
    assert conf["server.bolt.listen_address"] == "127.0.0.1:17001"
    assert conf["server.http.listen_address"] == "127.0.0.1:17002"
    assert conf["server.https.enabled"] == "false"
    assert conf["dbms.usage_report.enabled"] == "false"
    assert conf["dbms.security.auth_enabled"] == "true"
    # the heap starts at its full size (fewer young collections while it would grow)
    assert conf["server.memory.heap.initial_size"] == conf["server.memory.heap.max_size"]
    for name in ("data", "logs", "run", "import", "plugins"):
        assert conf[f"server.directories.{name}"] == str(tmp_path.resolve() / name)
        assert (tmp_path / name).is_dir()
    assert (tmp_path / "conf" / "server-logs.xml").is_file()
    assert (tmp_path / "conf" / "user-logs.xml").is_file()
    assert ns.write_config(tmp_path, auth_enabled=False) and (
        ns.read_config(tmp_path)["dbms.security.auth_enabled"] == "false"
    )


def test_password_is_kept_private_and_found_for_its_bolt_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    ns.write_config(home, bolt_port=17021, http_port=17022)
    assert ns.stored_password(home) is None
    password = ns.generate_password()
    assert len(password) == 32 and not password.startswith("-")
    ns.store_password(home, password)
    assert (home / ns.PASSWORD_FILE).stat().st_mode & 0o777 == 0o600
    assert ns.stored_password(home) == password
    assert [p.name for p in home.iterdir() if p.name.endswith(".tmp")] == []

    monkeypatch.setenv(ns.HOME_ENV, str(home))
    for uri in ("bolt://127.0.0.1:17021", "neo4j://localhost:17021"):
        assert ns.stored_login(uri) == ("neo4j", password), uri
    for uri in ("bolt://127.0.0.1:17022", "bolt://db.example:17021",
                "http://127.0.0.1:17021", "bolt://127.0.0.1:notaport"):
        assert ns.stored_login(uri) is None, uri


def _tcp_states(port: int) -> set[str]:
    """The states (hex, /proc/net/tcp) of IPv4 sockets whose local port is *port*."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return {row.split()[3] for row in rows if int(row.split()[1].split(":")[1], 16) == port}


def test_a_port_in_time_wait_is_free_to_start_on() -> None:
    """After a stop, the server's closed connections sit in TIME_WAIT for ~60 s; Neo4j binds
    with SO_REUSEADDR, so the check before a start must not count them as in use."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Java's do
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
    accepted.close()  # the server side closes first, as a stopping server does
    client.close()
    assert "06" in _tcp_states(port)  # TIME_WAIT
    assert not ns.port_in_use(port)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", port))
        other.listen()
        assert ns.port_in_use(port)  # a listener still counts


# --------------------------------------------------------------------------- errors


def test_missing_maven_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "mvn" else real_which(name))
    with pytest.raises(ns.Neo4jServerError, match=r"`mvn` is not on PATH.*make neo4j-jars"):
        ns.ensure_jars(tmp_path / "lib")


@pytest.mark.neo4j
def test_port_already_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = sock.getsockname()[1]
        with pytest.raises(ns.Neo4jServerError, match=rf"Bolt port 127\.0\.0\.1:{busy} .*in use"):
            ns.start(tmp_path, bolt_port=busy, http_port=ns.free_port(), timeout=30)
    assert not (tmp_path / "run" / ns.PID_FILE).exists()


@pytest.mark.neo4j
@pytest.mark.slow
def test_port_taken_after_the_check_is_reported_from_the_server_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the port is grabbed between our check and Neo4j's bind, Neo4j's own error surfaces."""
    monkeypatch.setattr(ns, "port_in_use", lambda port, host="127.0.0.1": False)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = sock.getsockname()[1]
        with pytest.raises(ns.Neo4jServerError) as err:
            start_test_server(tmp_path, bolt_port=busy, timeout=120)
    assert "Address already in use" in str(err.value)
    assert f"127.0.0.1:{busy}" in str(err.value)


@pytest.mark.neo4j
def test_server_that_dies_reports_its_log(tmp_path: Path) -> None:
    """A server that exits during startup gives an error carrying the tail of its logs."""
    bad = {**TEST_SERVER_CONFIG, "server.no_such_setting": "1"}
    with pytest.raises(ns.Neo4jServerError) as err:
        # auth off: else neo4j-admin, setting the first password, is the one to complain
        start_test_server(tmp_path, auth=False, extra_config=bad)
    message = str(err.value)
    assert "exited with code" in message
    assert "server.no_such_setting" in message  # Neo4j's own complaint, from the log tail
    with pytest.raises(ns.Neo4jServerError, match=r"set-initial-password \*\*\*\* failed"
                       r"(.|\n)*server\.no_such_setting"):
        start_test_server(tmp_path / "with-auth", extra_config=bad)
    assert not (tmp_path / "with-auth" / ns.PASSWORD_FILE).exists()


# --------------------------------------------------------------------------- bulk import


@pytest.mark.neo4j
@pytest.mark.slow
def test_admin_import_then_start_shows_the_data(tmp_path: Path) -> None:
    csv = tmp_path / "csv"
    csv.mkdir()
    (csv / "orgs.csv").write_text(
        "id:ID,name,:LABEL\nu1,Zhejiang University,Organization;University\nc1,Acme,Organization\n",
        encoding="utf-8",
    )
    (csv / "people.csv").write_text("id:ID,name\np1,Alice\np2,Bob\n", encoding="utf-8")
    (csv / "rels.csv").write_text(
        ":START_ID,:END_ID,:TYPE,since:int\np1,u1,WORKS_AT,2020\np2,c1,WORKS_AT,2021\n"
        "p1,p2,KNOWS,2019\n",
        encoding="utf-8",
    )
    home = tmp_path / "home"
    output = ns.import_full(
        home,
        nodes=[csv / "orgs.csv", ("Person", csv / "people.csv")],
        relationships=[csv / "rels.csv"],
        extra_args=["--report-file", str(tmp_path / "import.report")],
    )
    assert "IMPORT DONE" in output
    assert "4 nodes" in output and "3 relationships" in output

    password = "innograph-test-pw"
    server = start_test_server(home, password=password)  # auth on: exercises set-initial-password
    try:
        assert server.startup_seconds is not None and server.startup_seconds < 120
        with GraphDatabase.driver(server.bolt_uri, auth=server.auth) as driver:
            counts, _, _ = driver.execute_query(
                "MATCH (n) RETURN count(n) AS nodes, "
                "COUNT { MATCH ()-[]->() } AS rels, COUNT { MATCH (:University) } AS unis"
            )
            assert dict(counts[0]) == {"nodes": 4, "rels": 3, "unis": 1}
            rows, _, _ = driver.execute_query(
                "MATCH (p:Person)-[w:WORKS_AT]->(o:Organization) "
                "RETURN p.name AS p, w.since AS since, o.name AS o ORDER BY p"
            )
            assert [tuple(r.values()) for r in rows] == [
                ("Alice", 2020, "Zhejiang University"),
                ("Bob", 2021, "Acme"),
            ]
    finally:
        stop_seconds = server.stop()
    assert stop_seconds < 30
    assert "Stopped." in (home / "logs" / "neo4j.log").read_text()


# --------------------------------------------------------------------------- CLI


@pytest.mark.neo4j
@pytest.mark.slow
def test_cli_start_status_stop(tmp_path: Path) -> None:
    home = tmp_path / "cli-home"
    bolt, http = ns.free_port(), ns.free_port()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "innograph.neo4j_server", *args, "--home", str(home)],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    # A home from before auth was on: its first start had auth off.
    ns.start(home, bolt_port=bolt, http_port=http, auth=False, heap="512m").stop()
    assert not (home / ns.PASSWORD_FILE).exists()

    started = cli("start", "--bolt-port", str(bolt), "--http-port", str(http), "--heap", "512m")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"bolt://127.0.0.1:{bolt}" in started.stdout
        assert f"http://127.0.0.1:{http}/browser/" in started.stdout
        assert f"Login:   user neo4j, password in {home.resolve() / ns.PASSWORD_FILE}" in (
            started.stdout)
        assert (home / "run" / ns.PID_FILE).is_file()
        shown = cli("password")
        password = (home / ns.PASSWORD_FILE).read_text().strip()
        assert shown.returncode == 0 and shown.stdout.strip() == password
        # auth is on now, with the generated password in place of the default one
        assert ns.bolt_ready(f"bolt://127.0.0.1:{bolt}", ("neo4j", password))
        for login in (None, ("neo4j", "neo4j")):
            with pytest.raises(AuthError):
                ns.bolt_ready(f"bolt://127.0.0.1:{bolt}", login)

        status = cli("status")
        assert status.returncode == 0 and "Bolt answers: yes" in status.stdout, status.stdout

        again = cli("start", "--bolt-port", str(bolt), "--http-port", str(http))
        assert again.returncode == 1 and "already running" in again.stderr
    finally:
        stopped = cli("stop")
    assert stopped.returncode == 0 and "stopped in" in stopped.stdout, stopped.stdout
    assert not (home / "run" / ns.PID_FILE).exists()
    assert cli("status").returncode == 3
    shutil.rmtree(home)  # its preallocated transaction logs take ~0.5 GB
