"""docker-compose.yml, the Dockerfile and .env.example, checked against the code they run.

There is no Docker engine here, so these tests read the files: the structure compose needs,
ports published on 127.0.0.1 only, the login the two services share, the environment variables
the code reads, the CLI subcommands and options the api container calls, and the Neo4j major
version the pom pins.
"""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from innograph.cli import build_parser
from queries.neo4j_backend import ENV_VARS, Neo4jBackend

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
ENTRYPOINT = ROOT / "docker" / "api-entrypoint.sh"
ENV_EXAMPLE = ROOT / ".env.example"
PORT_SPEC = re.compile(r"^(?P<host>[\d.]+):(?P<published>\d+):(?P<target>\d+)$")


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an env file (comments and blank lines skipped)."""
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}:{number}: not KEY=VALUE: {line!r}"
        values[key.strip()] = value.strip()
    return values


def env_file_paths(service: dict) -> list[tuple[str, bool]]:
    entries = service.get("env_file", [])
    entries = [entries] if isinstance(entries, str) else entries
    return [(e, True) if isinstance(e, str) else (e["path"], e.get("required", True))
            for e in entries]


def entrypoint_commands() -> list[list[str]]:
    """The ``innograph ...`` command lines of the api entrypoint, as argument lists."""
    commands = []
    for line in ENTRYPOINT.read_text(encoding="utf-8").splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["exec"]:
            words = words[1:]
        if words[:1] == ["innograph"]:
            commands.append([w.replace("$INNOGRAPH_DATA", "/app/data") for w in words[1:]])
    return commands


def test_two_services_and_a_named_volume():
    assert set(SERVICES) == {"neo4j", "api"}
    neo4j = SERVICES["neo4j"]
    mounts = [v.split(":") for v in neo4j["volumes"]]
    assert ["neo4j-data", "/data"] in mounts
    assert "neo4j-data" in COMPOSE["volumes"]


def test_neo4j_image_is_community_of_the_pom_major_version():
    image = SERVICES["neo4j"]["image"]
    name, _, tag = image.partition(":")
    assert name == "neo4j" and tag.endswith("-community"), image
    pom = ET.parse(ROOT / "neo4j-server" / "pom.xml").getroot()
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    pinned = pom.find("m:properties/m:neo4j.version", ns).text
    assert tag.split("-")[0].split(".")[0] == pinned.split(".")[0], (image, pinned)


@pytest.mark.parametrize("service", ["neo4j", "api"])
def test_published_ports_are_bound_to_localhost(service):
    ports = SERVICES[service]["ports"]
    assert ports
    for spec in ports:
        match = PORT_SPEC.match(str(spec))
        assert match, f"{service}: port {spec!r} must be host-ip:published:target"
        assert match["host"] == "127.0.0.1", f"{service}: {spec} is not bound to 127.0.0.1"


def test_neo4j_publishes_browser_and_bolt():
    targets = {PORT_SPEC.match(p)["target"] for p in SERVICES["neo4j"]["ports"]}
    assert targets == {"7474", "7687"}


def _neo4j_conf_from_environment() -> dict[str, str]:
    """The neo4j.conf settings the image derives from NEO4J_* variables ('__' is '_', '_' is
    '.'), as its docker-entrypoint.sh does."""
    return {name.removeprefix("NEO4J_").replace("_", ".").replace("..", "_"): str(value)
            for name, value in SERVICES["neo4j"]["environment"].items()}


def test_neo4j_http_is_closed_to_other_origins_like_the_local_server(tmp_path):
    from innograph import neo4j_server

    browser_port = next(PORT_SPEC.match(p)["published"] for p in SERVICES["neo4j"]["ports"]
                        if PORT_SPEC.match(p)["target"] == "7474")
    neo4j_server.write_config(tmp_path, http_port=int(browser_port))
    local = neo4j_server.read_config(tmp_path)
    conf = _neo4j_conf_from_environment()
    for setting in ("server.http_enabled_modules",
                    "dbms.security.http_access_control_allow_origin"):
        assert conf[setting] == local[setting], setting
    assert conf["server.http_enabled_modules"] == "BROWSER"


def test_neo4j_heap_starts_at_its_full_size_like_the_local_server(tmp_path):
    from innograph import neo4j_server

    neo4j_server.write_config(tmp_path)
    local = neo4j_server.read_config(tmp_path)
    conf = _neo4j_conf_from_environment()
    assert local["server.memory.heap.initial_size"] == local["server.memory.heap.max_size"]
    assert conf["server.memory.heap.initial_size"] == conf["server.memory.heap.max_size"]


def test_neo4j_has_a_healthcheck_the_api_waits_for():
    check = SERVICES["neo4j"]["healthcheck"]
    command = " ".join(check["test"])
    assert check["test"][0] in ("CMD", "CMD-SHELL")
    assert "cypher-shell" in command or "7474" in command
    for field in ("interval", "timeout", "retries"):
        assert field in check
    assert SERVICES["api"]["depends_on"]["neo4j"]["condition"] == "service_healthy"


#: A login of the shape ``make docker-env`` writes, for the checks that need one.
SAMPLE_AUTH = "neo4j/" + "0123456789abcdef" * 2


def test_the_login_has_no_public_default():
    """Both services take NEO4J_AUTH from .env by required interpolation: compose stops with
    the message when it is unset, and .env.example holds no active value to copy."""
    for name, service in SERVICES.items():
        assert "env_file" not in service, name
        value = service["environment"]["NEO4J_AUTH"]
        assert re.fullmatch(r"\$\{NEO4J_AUTH:\?[^}]*make docker-env[^}]*\}", value), name
    assert "NEO4J_AUTH" not in env_file(ENV_EXAMPLE)
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_make_docker_env_writes_a_private_generated_login_once(tmp_path: Path):
    import stat
    import subprocess

    def make() -> None:
        subprocess.run(["make", "-s", "-C", str(tmp_path), "-f", str(ROOT / "Makefile"),
                        "docker-env"], check=True, capture_output=True)

    make()
    env = tmp_path / ".env"
    user, sep, password = env_file(env)["NEO4J_AUTH"].partition("/")
    assert (user, sep) == ("neo4j", "/") and re.fullmatch(r"[0-9a-f]{32}", password)
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    written = env.read_text(encoding="utf-8")
    make()  # an existing .env is kept
    assert env.read_text(encoding="utf-8") == written
    env.unlink()
    make()  # generated, not a fixed value
    assert env.read_text(encoding="utf-8") != written


def test_neo4j_container_gets_no_innograph_variables():
    # The image writes every NEO4J_* variable except its own (NEO4J_AUTH, ...) into
    # neo4j.conf, where Neo4j 5 rejects unknown settings such as "URI" or "PASSWORD".
    names = set(SERVICES["neo4j"].get("environment", {}))
    assert not names & set(ENV_VARS)


def test_api_environment_is_what_the_backend_reads():
    environment = {k: v for k, v in SERVICES["api"]["environment"].items()
                   if k != "NEO4J_AUTH"}  # the image's login, split by the entrypoint
    assert set(environment) <= set(ENV_VARS)
    uri = environment["NEO4J_URI"]
    host, port = re.fullmatch(r"bolt://([\w-]+):(\d+)", uri).groups()
    assert host == "neo4j" and port in {PORT_SPEC.match(p)["target"]
                                        for p in SERVICES["neo4j"]["ports"]}
    # what the entrypoint derives from NEO4J_AUTH
    script = ENTRYPOINT.read_text(encoding="utf-8")
    derived = set(re.findall(r"export ([A-Z0-9_ ]+)\n", script)[0].split())
    assert derived <= set(ENV_VARS)
    user, _, password = SAMPLE_AUTH.partition("/")
    backend = Neo4jBackend.from_env({**environment, "NEO4J_USER": user,
                                     "NEO4J_PASSWORD": password})
    try:
        assert (backend.uri, backend.user, backend.database) == (
            uri, user, environment["NEO4J_DATABASE"])
    finally:
        backend.close()


def test_api_image_installs_the_package_the_data_and_the_page():
    assert SERVICES["api"]["build"] in (".", {"context": "."})
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    # Editable install in the work dir: data/ and web/ sit beside the code, as in a checkout.
    workdir = re.findall(r"^WORKDIR (\S+)", DOCKERFILE, re.M)[-1]
    assert re.search(r"^RUN pip install -e \.", DOCKERFILE, re.M)
    assert re.search(r"INNOGRAPH_DATA=(\S+)", DOCKERFILE)[1] == f"{workdir}/data"
    assert re.search(r"^RUN npm ci\b", DOCKERFILE, re.M)
    assert "COPY --from=web /web/node_modules web/node_modules" in DOCKERFILE
    assert "docker/api-entrypoint.sh" in DOCKERFILE and ENTRYPOINT.stat().st_mode & 0o111
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    needed = ["data", "docker", "pyproject.toml", "graph", "loaders", "queries", "api",
              "innograph", "web"]
    assert not [n for n in needed if n in ignored]


def test_sync_command_reads_the_api_environment(monkeypatch):
    environment = {**SERVICES["api"]["environment"], "NEO4J_USER": "someone",
                   "NEO4J_PASSWORD": "a-secret-1"}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    sync = next(c for c in entrypoint_commands() if c[0] == "sync")
    args = build_parser().parse_args(sync)  # option defaults come from the environment
    assert (args.uri, args.user, args.password, args.database) == (
        environment["NEO4J_URI"], "someone", "a-secret-1", environment["NEO4J_DATABASE"])


def test_api_container_syncs_then_serves_with_real_cli_commands():
    commands = entrypoint_commands()
    assert [c[0] for c in commands] == ["sync", "serve"]
    parser = build_parser()
    for command in commands:
        try:
            parser.parse_args(command)
        except SystemExit:
            pytest.fail(f"innograph {' '.join(command)}: not accepted by innograph.cli")
    serve = parser.parse_args(commands[1])
    assert serve.host == "0.0.0.0"  # inside the container; compose publishes on 127.0.0.1
    published = {PORT_SPEC.match(p)["target"] for p in SERVICES["api"]["ports"]}
    assert str(serve.port) in published
    assert "exec innograph serve" in ENTRYPOINT.read_text(encoding="utf-8")
