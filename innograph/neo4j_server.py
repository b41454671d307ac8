"""Run a real Neo4j 5.26 Community server from the jars Maven resolves into neo4j-server/lib/.

No Docker, no distribution tarball: ``neo4j-server/pom.xml`` pulls ``org.neo4j:neo4j`` and the
Browser from Maven Central, and this module writes a ``neo4j.conf`` into a *home* directory
and launches ``org.neo4j.server.CommunityEntryPoint`` on it.

Library use::

    from innograph import neo4j_server as ns

    server = ns.start(Path("/tmp/g"), bolt_port=ns.free_port(), http_port=ns.free_port())
    try:
        print(server.bolt_uri, server.browser_url)
    finally:
        server.stop()

CLI (see ``python -m innograph.neo4j_server -h``)::

    python -m innograph.neo4j_server start [--foreground] [--bolt-port 7687] [--http-port 7474]
                                           [--home neo4j-server/run/default] [--password PW]
    python -m innograph.neo4j_server status|stop|password [--home ...]

Security: any web page the user opens can reach 127.0.0.1, so the server is closed to other
origins. Auth is on, with a password generated on the home's first start and kept in
``<home>/innograph-password`` (mode 0600) where ``innograph sync``/``serve`` find it; the HTTP
port serves the Browser only (no transaction or query endpoints) and allows no other origin.
Bolt over WebSocket is not subject to CORS, so the password is what keeps pages out of it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from neo4j.exceptions import AuthError

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER_DIR = REPO_ROOT / "neo4j-server"
POM = SERVER_DIR / "pom.xml"
LIB_DIR = SERVER_DIR / "lib"
DEFAULT_HOME = SERVER_DIR / "run" / "default"

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
#: ``bin/neo4j-admin`` runs ``org.neo4j.server.startup.Neo4jAdminCommand``, a bootloader that only
#: forks a second JVM running this class; calling it directly saves that JVM start.
ADMIN_CLASS = "org.neo4j.cli.AdminTool"
#: What the distribution's own launcher passes on Java 17.
JVM_OPTIONS: tuple[str, ...] = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+UseG1GC",
    "-Dfile.encoding=UTF-8",
)
HOST = "127.0.0.1"
PID_FILE = "neo4j.pid"  # inside <home>/run, like the distribution's launcher
PASSWORD_FILE = "innograph-password"  # inside <home>: the neo4j user's password, mode 0600
USER = "neo4j"
#: Where ``stored_login`` looks, besides DEFAULT_HOME (``make ... NEO4J_HOME=`` sets it).
HOME_ENV = "INNOGRAPH_NEO4J_HOME"
CONSOLE_LOG = "console.log"  # stdout/stderr of a background server, inside <home>/logs
_HOME_DIRS = ("conf", "data", "logs", "run", "import", "plugins")


class Neo4jServerError(RuntimeError):
    """The server could not be provisioned, started, stopped or used."""


# --------------------------------------------------------------------------- jars / java


def java_executable() -> str:
    """``$JAVA_HOME/bin/java`` if set, else ``java`` on PATH; raise if there is none."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise Neo4jServerError(
            "java not found: Neo4j 5.26 needs Java 17 or 21 on PATH (or JAVA_HOME set)"
        )
    return java


STAMP = ".resolved"  # written into lib/ once Maven has copied every jar (also used by make)


def ensure_jars(lib_dir: Path = LIB_DIR, pom: Path = POM) -> Path:
    """Make sure the Neo4j jars are in *lib_dir*, running Maven if they are not.

    Re-resolves (into an emptied *lib_dir*) when ``pom.xml`` is newer than the stamp.
    """
    stamp = lib_dir / STAMP
    if stamp.is_file() and stamp.stat().st_mtime >= pom.stat().st_mtime:
        return lib_dir
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError(
            f"{lib_dir} has no resolved Neo4j jars and `mvn` is not on PATH: install Maven 3.8+ "
            f"and Java 17, then run `make neo4j-jars`"
        )
    java_executable()
    if lib_dir.exists():
        shutil.rmtree(lib_dir)
    cmd = [
        mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(pom), "dependency:copy-dependencies",
        f"-Dneo4j.lib.dir={lib_dir.resolve()}",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not any(lib_dir.glob("neo4j-5.*.jar")):
        out = (proc.stdout + proc.stderr).strip()[-4000:]
        raise Neo4jServerError(f"resolving Neo4j jars failed ({' '.join(cmd)}):\n{out}")
    stamp.touch()
    return lib_dir


def _classpath(lib_dir: Path) -> str:
    return str(lib_dir / "*")


# --------------------------------------------------------------------------- configuration

_SERVER_LOGS_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by innograph.neo4j_server: debug.log (everything), http.log, query.log. -->
<Configuration status="ERROR" packages="org.neo4j.logging.log4j">
  <Appenders>
    <RollingRandomAccessFile name="DebugLog" fileName="${config:server.directories.logs}/debug.log"
        filePattern="$${config:server.directories.logs}/debug.log.%02i">
      <Neo4jDebugLogLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p [%c{1.}] %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>
    <RollingRandomAccessFile name="HttpLog" fileName="${config:server.directories.logs}/http.log"
        filePattern="$${config:server.directories.logs}/http.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>
    <RollingRandomAccessFile name="QueryLog" fileName="${config:server.directories.logs}/query.log"
        filePattern="$${config:server.directories.logs}/query.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="DebugLog"/></Root>
    <Logger name="HttpLogger" level="INFO" additivity="false">
      <AppenderRef ref="HttpLog"/>
    </Logger>
    <Logger name="QueryLogger" level="INFO" additivity="false">
      <AppenderRef ref="QueryLog"/>
    </Logger>
  </Loggers>
</Configuration>
"""

_USER_LOGS_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by innograph.neo4j_server: neo4j.log, also echoed on stdout. -->
<Configuration status="ERROR" packages="org.neo4j.logging.log4j">
  <Appenders>
    <RollingRandomAccessFile name="Neo4jLog" fileName="${config:server.directories.logs}/neo4j.log"
        filePattern="$${config:server.directories.logs}/neo4j.log.%02i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy fileIndex="min" max="3"/>
    </RollingRandomAccessFile>
    <Console name="ConsoleAppender" target="SYSTEM_OUT">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss.SSSZ}{GMT+0} %-5p %m%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="INFO">
      <AppenderRef ref="Neo4jLog"/>
      <AppenderRef ref="ConsoleAppender"/>
    </Root>
  </Loggers>
</Configuration>
"""


def conf_dir(home: Path) -> Path:
    return home / "conf"


def write_config(
    home: Path,
    *,
    bolt_port: int = 7687,
    http_port: int = 7474,
    auth_enabled: bool = True,
    heap: str = "1g",
    pagecache: str = "256m",
    lib_dir: Path = LIB_DIR,
    fast_shutdown: bool = True,
    extra: Mapping[str, str] | None = None,
) -> Path:
    """Write ``<home>/conf/neo4j.conf`` (+ log4j configs) and create the home's directories.

    Everything listens on 127.0.0.1 only; HTTPS and the usage report are off; the HTTP port
    serves the Browser only and no other origin. Returns the path of ``neo4j.conf``.
    Rewriting it on an existing home keeps the data.
    """
    home = home.resolve()
    for name in _HOME_DIRS:
        (home / name).mkdir(parents=True, exist_ok=True)
    cdir = conf_dir(home)
    settings: dict[str, str] = {
        "server.default_listen_address": HOST,
        "server.default_advertised_address": HOST,
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": f"{HOST}:{bolt_port}",
        "server.bolt.advertised_address": f"{HOST}:{bolt_port}",
        "server.http.enabled": "true",
        "server.http.listen_address": f"{HOST}:{http_port}",
        "server.http.advertised_address": f"{HOST}:{http_port}",
        "server.https.enabled": "false",
        # A page on another origin must not run Cypher over HTTP: no transaction or query API
        # (the Browser talks Bolt; discovery at / stays), and CORS allows only this origin.
        "server.http_enabled_modules": "BROWSER",
        "dbms.security.http_access_control_allow_origin": f"http://{HOST}:{http_port}",
        "dbms.usage_report.enabled": "false",
        # The Browser otherwise calls Segment, Sentry, canny.io and Google Fonts from the page;
        # 5.26 has no browser.allow_outgoing_connections (4.x), only these two.
        "client.allow_telemetry": "false",
        "browser.remote_content_hostname_whitelist": HOST,
        # Browser 5.24 still loads Segment, canny.io, Sentry and Google Fonts with telemetry
        # off (fonts are a CSS @import in its bundle): the page's CSP lets it reach this host
        # only (Bolt's WebSocket and discovery included), so those requests are never sent.
        "dbms.security.http_static_content_security_policy_header": (
            "default-src 'self'; script-src 'self'; img-src 'self' data:; "
            "style-src 'self' 'unsafe-inline'; font-src 'self' data:; base-uri 'none'; "
            "object-src 'none'; frame-ancestors 'none'; "
            f"connect-src 'self' ws://{HOST}:* http://{HOST}:* ws://localhost:* http://localhost:*"
        ),
        "dbms.security.auth_enabled": "true" if auth_enabled else "false",
        # The heap starts at its full size (``start`` passes -Xms too), as Neo4j's log asks
        # on every start otherwise: from its default start (1/64 of the machine's memory) G1
        # kept a small young generation and collected it every ~0.65 s under the path
        # benchmark's load (pauses 6-20 ms) until the heap had grown; from the full heap
        # every 12-17 s (pauses 3-26 ms; bench/time_queries at 100k nodes, 2 shared cores).
        "server.memory.heap.initial_size": heap,
        "server.memory.heap.max_size": heap,
        "server.memory.pagecache.size": pagecache,
        "server.directories.data": str(home / "data"),
        "server.directories.logs": str(home / "logs"),
        "server.directories.run": str(home / "run"),
        "server.directories.import": str(home / "import"),
        "server.directories.plugins": str(home / "plugins"),
        "server.directories.lib": str(lib_dir.resolve()),
        "server.logs.config": str(cdir / "server-logs.xml"),
        "server.logs.user.config": str(cdir / "user-logs.xml"),
        "server.jvm.additional": " ".join(JVM_OPTIONS),
    }
    if fast_shutdown:
        # Internal 5.26 settings (integers, seconds): Bolt's Netty event loops otherwise wait a
        # 5 s quiet period twice on shutdown, which makes a clean stop take ~10 s instead of <1 s.
        settings["internal.dbms.bolt.netty_server_shutdown_quiet_period"] = "0"
        settings["internal.dbms.bolt.netty_server_shutdown_timeout"] = "2"
    settings.update(extra or {})
    lines = ["# Generated by innograph.neo4j_server -- edits are overwritten on the next start."]
    for key, value in settings.items():
        if key == "server.jvm.additional":  # may repeat; one option per line
            lines.extend(f"{key}={opt}" for opt in value.split())
        else:
            lines.append(f"{key}={value}")
    conf = cdir / "neo4j.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (cdir / "server-logs.xml").write_text(_SERVER_LOGS_XML, encoding="utf-8")
    (cdir / "user-logs.xml").write_text(_USER_LOGS_XML, encoding="utf-8")
    return conf


def read_config(home: Path) -> dict[str, str]:
    """The key/value pairs of ``<home>/conf/neo4j.conf`` (last one wins)."""
    conf = conf_dir(home) / "neo4j.conf"
    if not conf.is_file():
        raise Neo4jServerError(f"{conf} does not exist: start the server on {home} first")
    out: dict[str, str] = {}
    for line in conf.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def _port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


# --------------------------------------------------------------------------- neo4j-admin


def run_admin(
    home: Path,
    args: Sequence[str],
    *,
    lib_dir: Path = LIB_DIR,
    heap: str = "1g",
    timeout: float | None = 600,
    secret: str | None = None,
) -> str:
    """Run ``neo4j-admin ARGS`` against *home* (whose conf must exist); return its output.

    *heap* is the admin JVM's max heap (bulk import uses off-heap memory on top of it).
    *secret* (e.g. a password among *args*) is masked in error messages.
    """
    home = home.resolve()
    ensure_jars(lib_dir)
    java = java_executable()
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(conf_dir(home)))
    classpath = f"{conf_dir(home)}/*{os.pathsep}{_classpath(lib_dir)}"  # as neo4j-admin does
    cmd = [java, f"-Xmx{heap}", *JVM_OPTIONS, "-cp", classpath, ADMIN_CLASS, *args]
    proc = subprocess.run(
        cmd, env=env, cwd=home, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        message = (
            f"neo4j-admin {' '.join(args)} failed with exit code {proc.returncode}:\n"
            f"{output.strip()[-4000:]}"
        )
        raise Neo4jServerError(message.replace(secret, "****") if secret else message)
    return output


def set_initial_password(home: Path, password: str, *, lib_dir: Path = LIB_DIR) -> None:
    """Set the ``neo4j`` user's password; only has effect before the home's first start."""
    if len(password) < 8:
        raise Neo4jServerError("Neo4j 5 needs a password of at least 8 characters")
    run_admin(
        home,
        ["dbms", "set-initial-password", password],
        lib_dir=lib_dir,
        heap="256m",
        secret=password,
    )


def password_file(home: Path) -> Path:
    return home / PASSWORD_FILE


def stored_password(home: Path) -> str | None:
    """The password kept in *home* (see ``store_password``), or None if there is none."""
    try:
        text = password_file(home).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return text or None


def store_password(home: Path, password: str) -> None:
    """Keep *password* in ``<home>/innograph-password``, readable by this user only.

    Written to a temporary file created 0600 and renamed over, so no reader ever sees a
    partial file or one with wider permissions.
    """
    target = password_file(home)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{PASSWORD_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(password + "\n")
        os.chmod(tmp, 0o600)  # in case it existed with other bits
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def generate_password() -> str:
    """A random password for a local home (32 hex digits: nothing a shell or an argument
    parser could take for an option)."""
    return secrets.token_hex(16)


def _candidate_homes() -> list[Path]:
    homes = [Path(os.environ[HOME_ENV])] if os.environ.get(HOME_ENV) else []
    return [*homes, DEFAULT_HOME]


def stored_login(uri: str) -> tuple[str, str] | None:
    """The login for *uri* if it is the Bolt address of a local home with a stored password.

    Looks at ``$INNOGRAPH_NEO4J_HOME`` and the default home: a home matches when *uri* is
    ``bolt://`` or ``neo4j://`` on a loopback host and the home's configured Bolt port.
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(uri)
        port = parts.port or 7687
    except ValueError:
        return None
    if parts.scheme not in ("bolt", "neo4j") or parts.hostname not in (
        "127.0.0.1", "localhost", "::1",
    ):  # fmt: skip
        return None
    for home in _candidate_homes():
        try:
            bolt = _port_of(read_config(home)["server.bolt.listen_address"])
        except (Neo4jServerError, KeyError, ValueError, OSError):
            continue
        password = stored_password(home)
        if bolt == port and password is not None:
            return (USER, password)
    return None


CsvSpec = Path | str | tuple[str, Path | str]


def _csv_arg(flag: str, spec: CsvSpec) -> str:
    if isinstance(spec, tuple):
        label, path = spec
        return f"{flag}={label}={Path(path).resolve()}"
    text = str(spec)
    if "=" in text:  # already "Label=file[,file...]" in neo4j-admin syntax
        return f"{flag}={text}"
    return f"{flag}={Path(text).resolve()}"


def import_full(
    home: Path,
    *,
    nodes: Sequence[CsvSpec],
    relationships: Sequence[CsvSpec] = (),
    database: str = "neo4j",
    overwrite: bool = True,
    extra_args: Sequence[str] = (),
    lib_dir: Path = LIB_DIR,
    heap: str = "1g",
    timeout: float | None = 3600,
) -> str:
    """Bulk-load CSV files with ``neo4j-admin database import full`` into *home*.

    The server on *home* must be stopped. Each node/relationship spec is a CSV path (labels
    or types come from its ``:LABEL``/``:TYPE`` column), a ``(label_or_type, path)`` pair, or a
    raw ``"Label=a.csv,b.csv"`` string. A missing conf is generated with defaults. Returns the
    tool's output (it reports the node, relationship and property counts).
    """
    home = home.resolve()
    if not (conf_dir(home) / "neo4j.conf").is_file():
        write_config(home, lib_dir=lib_dir)
    args = ["database", "import", "full"]
    args += [_csv_arg("--nodes", spec) for spec in nodes]
    args += [_csv_arg("--relationships", spec) for spec in relationships]
    if overwrite:
        args.append("--overwrite-destination=true")
    args += [*extra_args, database]
    return run_admin(home, args, lib_dir=lib_dir, heap=heap, timeout=timeout)


# --------------------------------------------------------------------------- start / stop


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = HOST) -> bool:
    """Whether something listens on (or holds) *port*; a closed connection's TIME_WAIT does
    not count, since Neo4j binds with SO_REUSEADDR too (else a restart waits ~60 s)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def log_tail(home: Path, lines: int = 40) -> str:
    """The last lines of the home's console output, neo4j.log and debug.log (for errors)."""
    parts = []
    for name in (CONSOLE_LOG, "neo4j.log", "debug.log"):
        tail = _tail(home / "logs" / name, lines)
        if tail:
            parts.append(f"--- {home / 'logs' / name} (last {lines} lines) ---\n{tail}")
    return "\n".join(parts) or f"(no log output in {home / 'logs'})"


def rss_bytes(pid: int) -> int | None:
    """Resident set size of *pid* in bytes (Linux), or None if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def bolt_ready(uri: str, auth: tuple[str, str] | None = None, *, timeout: float = 3.0) -> bool:
    """Whether a Bolt server at *uri* answers ``verify_connectivity`` within *timeout* s.

    Raises ``neo4j.exceptions.AuthError`` if it answers but rejects *auth*.
    """
    from neo4j import GraphDatabase
    from neo4j.exceptions import DriverError, Neo4jError

    try:
        with GraphDatabase.driver(
            uri, auth=auth, connection_timeout=timeout, connection_acquisition_timeout=timeout
        ) as driver:
            driver.verify_connectivity()
    except AuthError:
        raise
    except (DriverError, Neo4jError, OSError):  # refused, timed out, still starting ...
        return False
    return True


@dataclass
class Neo4jServer:
    """Handle on a running server. ``process`` is None when attached through a pid file."""

    home: Path
    bolt_port: int
    http_port: int
    pid: int
    auth: tuple[str, str] | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    startup_seconds: float | None = None

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{HOST}:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    @property
    def browser_url(self) -> str:
        return f"{self.http_url}/browser/"

    def rss_bytes(self) -> int | None:
        return rss_bytes(self.pid)

    def stop(self, timeout: float = 60.0) -> float:
        """SIGTERM, wait up to *timeout*, then SIGKILL. Returns the seconds it took."""
        return _stop(self, timeout)

    def __enter__(self) -> Neo4jServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _pid_file(home: Path) -> Path:
    return home / "run" / PID_FILE


def _pid_is_our_server(pid: int, home: Path) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    args = [a.decode(errors="replace") for a in cmdline]
    return MAIN_CLASS in args and f"--home-dir={home.resolve()}" in args


def _stop(server: Neo4jServer, timeout: float) -> float:
    begin = time.monotonic()
    proc = server.process
    if proc is not None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
    elif _pid_is_our_server(server.pid, server.home):
        os.kill(server.pid, signal.SIGTERM)
        deadline = begin + timeout
        while _pid_is_our_server(server.pid, server.home) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _pid_is_our_server(server.pid, server.home):
            os.kill(server.pid, signal.SIGKILL)
            while _pid_is_our_server(server.pid, server.home):
                time.sleep(0.1)
    pid_file = _pid_file(server.home)
    with contextlib.suppress(OSError):
        if pid_file.read_text().strip() == str(server.pid):
            pid_file.unlink()
    return time.monotonic() - begin


def start(
    home: Path = DEFAULT_HOME,
    *,
    bolt_port: int = 7687,
    http_port: int = 7474,
    password: str | None = None,
    auth: bool = True,
    heap: str = "1g",
    pagecache: str = "256m",
    timeout: float = 120.0,
    foreground: bool = False,
    lib_dir: Path = LIB_DIR,
    extra_config: Mapping[str, str] | None = None,
) -> Neo4jServer:
    """Start a server on *home* and return once Bolt answers and the HTTP port is open.

    Auth is on. The ``neo4j`` user's password is *password*, else the one kept in the home,
    else a generated one; it is set before the home's first start and kept in
    ``<home>/innograph-password`` (a home that has started before keeps the password it has;
    one that ran with auth off gets the new password in place of Neo4j's default).
    ``auth=False`` is for throw-away servers nobody else can reach. The server's stdout/stderr
    go to ``<home>/logs/console.log``, or to this process's stdout when *foreground*. Raises
    :class:`Neo4jServerError` with the tail of the logs if it does not come up in *timeout* s.
    """
    home = home.resolve()
    ensure_jars(lib_dir)
    java = java_executable()
    existing = _read_pid(home)
    if existing is not None:
        raise Neo4jServerError(
            f"a server is already running on {home} (pid {existing}); stop it first"
        )
    for name, port in (("Bolt", bolt_port), ("HTTP", http_port)):
        if port_in_use(port):
            raise Neo4jServerError(
                f"cannot start Neo4j: {name} port {HOST}:{port} is already in use "
                f"(choose another with --{name.lower()}-port)"
            )
    first_start = not (home / "data" / "databases" / "system").exists()
    kept = stored_password(home) if auth else None
    # A home that ran before without a kept password ran with auth off (its neo4j user still
    # has Neo4j's default password): a generated password replaces that once it is up.
    adopt = auth and password is None and kept is None and not first_start
    if auth and password is None:
        password = kept or generate_password()
    write_config(
        home,
        bolt_port=bolt_port,
        http_port=http_port,
        auth_enabled=auth,
        heap=heap,
        pagecache=pagecache,
        lib_dir=lib_dir,
        extra=extra_config,
    )
    if password is not None and first_start:
        set_initial_password(home, password, lib_dir=lib_dir)
        store_password(home, password)

    cmd = [
        java, f"-Xms{heap}", f"-Xmx{heap}", *JVM_OPTIONS,
        "-cp", _classpath(lib_dir), MAIN_CLASS,
        f"--home-dir={home}", f"--config-dir={conf_dir(home)}",
    ]  # fmt: skip
    console = home / "logs" / CONSOLE_LOG
    began = time.monotonic()
    if foreground:
        proc = subprocess.Popen(cmd, cwd=home, start_new_session=True)
    else:
        with console.open("wb") as out:
            proc = subprocess.Popen(
                cmd, cwd=home, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
    _pid_file(home).write_text(f"{proc.pid}\n")
    login = (USER, password) if password is not None else None
    server = Neo4jServer(home, bolt_port, http_port, proc.pid, login, proc)
    try:
        if adopt:
            _wait_until_ready(server, timeout, login=(USER, DEFAULT_PASSWORD))
            _replace_default_password(server)
        else:
            _wait_until_ready(server, timeout)
        if password is not None and password != kept:
            store_password(home, password)
    except BaseException:
        server.stop(timeout=30)
        raise
    server.startup_seconds = time.monotonic() - began
    return server


DEFAULT_PASSWORD = "neo4j"  # Neo4j's own, for a user that has never set one


def _replace_default_password(server: Neo4jServer) -> None:
    """Give the neo4j user of a home that ran with auth off the server's (new) password."""
    from neo4j import GraphDatabase

    assert server.auth is not None
    try:
        with GraphDatabase.driver(server.bolt_uri, auth=(USER, DEFAULT_PASSWORD)) as driver:
            driver.execute_query(
                "ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
                old=DEFAULT_PASSWORD, new=server.auth[1], database_="system",
            )  # fmt: skip
    except AuthError as exc:
        raise Neo4jServerError(
            f"{server.home} ran before with a password innograph does not keep "
            f"({password_file(server.home)} is missing): give it once with --password "
            f"and it is kept from then on"
        ) from exc


def _startup_failure(home: Path) -> str | None:
    """Neo4j's own "Failed to start" line and its causes, if neo4j.log has them.

    (On e.g. a port taken by another process the JVM logs this but does not exit.)
    """
    try:
        lines = (home / "logs" / "neo4j.log").read_text(errors="replace").splitlines()
    except OSError:
        return None
    failed = [line for line in lines if " ERROR " in line and "Failed to start" in line]
    if not failed:
        return None
    causes = [line.strip() for line in lines if line.startswith("Caused by:")]
    return "\n".join([failed[0], *causes[-3:]])


def _failure(server: Neo4jServer, headline: str) -> Neo4jServerError:
    summary = _startup_failure(server.home)
    parts = [headline, *([summary] if summary else []), log_tail(server.home)]
    return Neo4jServerError("\n".join(parts))


def _wait_until_ready(
    server: Neo4jServer, timeout: float, login: tuple[str, str] | None = None
) -> None:
    login = login or server.auth
    deadline = time.monotonic() + timeout
    proc = server.process
    assert proc is not None
    while True:
        code = proc.poll()
        if code is not None:
            raise _failure(
                server, f"Neo4j exited with code {code} before Bolt answered on {server.bolt_uri}"
            )
        if _startup_failure(server.home) is not None:
            raise _failure(server, f"Neo4j failed to start on {server.home}")
        try:
            # HTTP comes up after Bolt: wait for both, so the Browser answers too
            if bolt_ready(server.bolt_uri, login) and _accepts(server.http_port):
                return
        except AuthError as exc:
            if login is not None and login[1] == DEFAULT_PASSWORD:
                raise Neo4jServerError(
                    f"{server.home} ran before with a password innograph does not keep "
                    f"({password_file(server.home)} is missing): give it once with "
                    f"--password and it is kept from then on"
                ) from exc
            raise Neo4jServerError(
                f"Neo4j is up on {server.bolt_uri} but rejected the password for user "
                f"'neo4j' ({exc.message}); a home keeps the password of its first start"
            ) from exc
        if time.monotonic() > deadline:
            raise _failure(
                server, f"Neo4j did not answer on {server.bolt_uri} within {timeout:.0f} s"
            )
        time.sleep(0.25)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1.0):
            return True
    except OSError:
        return False


def _read_pid(home: Path) -> int | None:
    """The pid in the home's pid file if that process is still our server, else None."""
    try:
        pid = int(_pid_file(home).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _pid_is_our_server(pid, home) else None


def attach(home: Path = DEFAULT_HOME, password: str | None = None) -> Neo4jServer | None:
    """A handle on the server a previous ``start`` left running on *home*, or None.

    Its login uses *password*, else the home's kept one (none if auth is off)."""
    home = home.resolve()
    pid = _read_pid(home)
    if pid is None:
        return None
    conf = read_config(home)
    if conf.get("dbms.security.auth_enabled") == "false":
        auth = None
    else:
        password = password or stored_password(home)
        auth = (USER, password) if password is not None else None
    return Neo4jServer(
        home,
        _port_of(conf["server.bolt.listen_address"]),
        _port_of(conf["server.http.listen_address"]),
        pid,
        auth,
    )


def stop(home: Path = DEFAULT_HOME, timeout: float = 60.0) -> float | None:
    """Stop the server running on *home*; return seconds taken, or None if none was running."""
    server = attach(home)
    return None if server is None else server.stop(timeout)


@contextlib.contextmanager
def running(home: Path, **kwargs: object) -> Iterator[Neo4jServer]:
    """``with running(home, bolt_port=..., http_port=...) as server:`` -- start, then stop."""
    server = start(home, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- CLI


def _describe(server: Neo4jServer) -> str:
    rss = server.rss_bytes()
    lines = [
        f"Neo4j running (pid {server.pid}, home {server.home})",
        f"  Bolt:    {server.bolt_uri}",
        f"  Browser: {server.browser_url}",
    ]
    if server.auth is not None:
        lines.append(
            f"  Login:   user {server.auth[0]}, password in {password_file(server.home)} "
            f"(python -m innograph.neo4j_server password --home {server.home})"
        )
    if server.startup_seconds is not None:
        lines.append(f"  ready in {server.startup_seconds:.1f} s")
    if rss is not None:
        lines.append(f"  RSS {rss / 2**20:.0f} MiB")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m innograph.neo4j_server",
        description="Start/stop a local Neo4j 5.26 Community server (jars from Maven Central).",
    )
    parser.add_argument(
        "command", choices=["start", "stop", "status", "password"],
        help="password: print the kept password of the neo4j user (for the Browser's login)",
    )  # fmt: skip
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help="server home directory")
    parser.add_argument("--bolt-port", type=int, default=7687)
    parser.add_argument("--http-port", type=int, default=7474)
    parser.add_argument(
        "--password",
        help="the neo4j user's password on the home's first start (>= 8 chars; default: "
        "generated), kept in <home>/innograph-password",
    )
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--pagecache", default="256m")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for Bolt")
    parser.add_argument(
        "--foreground", action="store_true", help="start: stay attached until Ctrl-C"
    )
    args = parser.parse_args(argv)
    home: Path = args.home.resolve()

    if args.command == "password":
        password = stored_password(home)
        if password is None:
            print(f"error: no password kept in {home} (start the server first)", file=sys.stderr)
            return 1
        print(password)
        return 0
    try:
        if args.command == "status":
            server = attach(home, args.password)
            if server is None:
                print(f"no Neo4j server running on {home}")
                return 3
            print(_describe(server))
            try:
                answers = bolt_ready(server.bolt_uri, server.auth)
            except AuthError:
                print("  Bolt answers: yes, but rejects that password")
                return 1
            print(f"  Bolt answers: {'yes' if answers else 'no'}")
            return 0 if answers else 1
        if args.command == "stop":
            seconds = stop(home)
            print(
                f"no Neo4j server running on {home}"
                if seconds is None
                else f"Neo4j on {home} stopped in {seconds:.1f} s"
            )
            return 0
        server = start(
            home,
            bolt_port=args.bolt_port,
            http_port=args.http_port,
            password=args.password,
            heap=args.heap,
            pagecache=args.pagecache,
            timeout=args.timeout,
            foreground=args.foreground,
        )
    except Neo4jServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    print(_describe(server), flush=True)
    if not args.foreground:
        print(f"stop it with: python -m innograph.neo4j_server stop --home {home}")
        return 0
    print("Ctrl-C stops it.", flush=True)

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        assert server.process is not None
        code = server.process.wait()
        print(f"Neo4j exited by itself with code {code}", file=sys.stderr)
        return code or 1
    except KeyboardInterrupt:
        print("\nstopping Neo4j ...", flush=True)
        print(f"stopped in {server.stop():.1f} s")
        return 0


if __name__ == "__main__":
    sys.exit(main())
