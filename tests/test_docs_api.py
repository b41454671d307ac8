"""The curl examples of docs/api.md and docs/rdf.md print what the pages show ("real
output"): each `$ curl …` line is run as written, with curl and jq, against the API over
data/ served by waitress on a free port (HOST and API set as the page says, its
127.0.0.1:8000 pointed at that port), and its output compared with the page's."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.server import running_server

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("docs/api.md", "docs/rdf.md")
# a fenced block, then each "$ command" in it with the lines up to the next "$" or the fence
BLOCK = re.compile(r"^```(?:console|text)\n(.*?)^```", re.S | re.M)
PROMPT = re.compile(r"^\$ (.*)$", re.M)


def examples() -> list[tuple[str, str, str]]:
    """(where, command, output shown) for every curl command in the pages' blocks."""
    found = []
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        for block in BLOCK.finditer(text):
            body = block.group(1)
            prompts = list(PROMPT.finditer(body))
            for i, prompt in enumerate(prompts):
                if not prompt.group(1).startswith("curl "):
                    continue
                end = prompts[i + 1].start() if i + 1 < len(prompts) else len(body)
                line = text.count("\n", 0, block.start(1) + prompt.start()) + 1
                found.append((f"{doc}:{line}", prompt.group(1),
                              body[prompt.end():end].strip("\n")))
    return found


def comparable(text: str) -> Any:
    """JSON output (one document, or one per line) as values with floats rounded to 12
    significant digits, so a last-digit difference between BLAS builds is no failure; any
    other output as its text."""
    def rounded(value: Any) -> Any:
        if isinstance(value, float):
            return float(f"{value:.12g}")
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rounded(v) for v in value]
        return value
    try:
        return rounded(json.loads(text))
    except ValueError:
        pass
    try:
        return [rounded(json.loads(line)) for line in text.splitlines() if line.strip()]
    except ValueError:
        return text


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    with running_server(app, threads=4) as url:
        yield url.rstrip("/")


def test_the_pages_have_curl_examples():
    where = {w.split(":")[0] for w, _, _ in examples()}
    assert where == set(DOCS)
    assert len(examples()) >= 15


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")),
                    reason="the examples are curl and jq command lines")
@pytest.mark.parametrize(("where", "command", "shown"), examples(),
                         ids=[w for w, _, _ in examples()])
def test_example_prints_what_the_page_shows(base_url: str, where: str, command: str,
                                            shown: str):
    env = {**os.environ, "HOST": base_url, "API": f"{base_url}/api/v1"}
    run = subprocess.run(["bash", "-c", command.replace("http://127.0.0.1:8000", base_url)],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert run.returncode == 0, run.stderr
    real = run.stdout.strip("\n")
    assert comparable(real) == comparable(shown), (
        f"{where}: the page shows an output the command no longer prints; paste this:\n{real}")


def test_every_route_is_in_the_routes_table(client: FlaskClient):
    """README promises every route in docs/api.md: each path of the OpenAPI document has a
    row of the routes table."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if re.match(r"\| (GET|POST|GET, POST) \| ", line)]
    listed = {path for row in rows for path in re.findall(r"`(/api/[^`]+)`", row.split("|")[2])}
    paths = set(client.get("/api/v1/openapi.json").get_json()["paths"])
    assert paths <= listed, f"docs/api.md's routes table lacks {sorted(paths - listed)}"


def test_every_problem_type_is_in_the_errors_table():
    from api.problems import PROBLEM_TYPES

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| \d{3} \| `([a-z-]+)` \|", text, re.M))
    assert set(PROBLEM_TYPES) <= listed, sorted(set(PROBLEM_TYPES) - listed)
