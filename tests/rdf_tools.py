"""Outside RDF/OWL engines for the tests: Apache Jena's command-line tools and ROBOT (OWL API,
HermiT, ELK), resolved from Maven Central by tools/rdf-check/pom.xml the way the Neo4j server
is (``make rdf-tools``). They never skip: without Java or Maven the tests fail, saying so."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

POM = Path(__file__).resolve().parents[1] / "tools" / "rdf-check" / "pom.xml"
LIB = POM.parent / "lib"
STAMP = ".resolved"
CHECK_JAR = {"jena": "jena-cmds-*.jar", "robot": "robot-command-*.jar"}


def tool_jars(tool: str) -> Path:
    """The folder of ``tool``'s jars, resolved with Maven when missing or older than the pom."""
    lib = LIB / tool
    stamp = lib / STAMP
    if stamp.is_file() and stamp.stat().st_mtime >= POM.stat().st_mtime:
        return lib
    mvn = shutil.which("mvn")
    assert mvn and shutil.which("java"), (
        f"{lib} has no resolved jars and mvn or java is missing: install Maven 3.8+ and "
        "Java 17, then run `make rdf-tools`")
    shutil.rmtree(lib, ignore_errors=True)
    cmd = [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(POM),
           "dependency:copy-dependencies", f"-Ptool-{tool}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and any(lib.glob(CHECK_JAR[tool])), (
        f"resolving {tool} failed ({' '.join(cmd)}):\n{(proc.stdout + proc.stderr)[-4000:]}")
    stamp.touch()
    return lib


def run_tool(tool: str, main_class: str, *args: str, timeout: int = 300
             ) -> subprocess.CompletedProcess[str]:
    cmd = ["java", "-Xmx1g", "-cp", str(tool_jars(tool) / "*"), main_class, *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)


def robot(*args: str) -> subprocess.CompletedProcess[str]:
    return run_tool("robot", "org.obolibrary.robot.CommandLineInterface", *args)


def jena(command: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A Jena command: ``riot``, ``sparql`` (arq) or ``shacl``."""
    main = {"riot": "riotcmd.riot", "sparql": "arq.sparql", "shacl": "shacl.shacl"}[command]
    return run_tool("jena", main, *args)


if __name__ == "__main__":  # make rdf-tools
    for name in CHECK_JAR:
        print(f"{name}: {tool_jars(name)}")
