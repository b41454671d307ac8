"""The README's command examples print what it shows: `innograph show 长光卫星`, the
`innograph validate badx` session (run as written, from the fixtures it copies), and the
excerpt of `/api/v1/backing` (its explanation and hops are the API's)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from innograph.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def session(first_command: str) -> list[tuple[str, str]]:
    """The (command, output) pairs of the text block whose first command is this one."""
    block = README.split(f"```text\n$ {first_command}\n", 1)[1].split("```", 1)[0]
    parts = re.split(r"^\$ (.*)$", f"$ {first_command}\n{block}", flags=re.M)
    return [(parts[i], parts[i + 1].strip("\n")) for i in range(1, len(parts), 2)]


def test_show_prints_what_the_readme_shows(capsys: pytest.CaptureFixture[str]):
    [(command, shown)] = session("innograph show 长光卫星")
    assert main(command.split()[1:]) == 0
    assert capsys.readouterr().out.strip("\n") == shown, (
        "README's `innograph show` example is stale: paste the real output")


def test_validate_session_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]):
    steps = session("cp -r tests/fixtures/valid badx")
    (tmp_path / "tests").symlink_to(ROOT / "tests")  # the copies' relative paths, unchanged
    monkeypatch.chdir(tmp_path)
    copies = [command for command, _ in steps if command.startswith("cp ")]
    assert len(copies) == 4
    for command in copies:
        subprocess.run(["bash", "-c", command], check=True)
    validate, shown = next(step for step in steps if step[0].startswith("innograph validate"))
    code = main(validate.split()[1:])
    assert capsys.readouterr().err.strip("\n") == shown
    assert steps[-1] == ("echo $?", str(code)) and code == 1


def test_backing_excerpt_is_the_api_answer(client: FlaskClient):
    section = README.split("$ curl -s '127.0.0.1:8000", 1)[1].split("```", 1)[0]
    path = section.split("'", 1)[0]
    answer = client.get(path).get_json()
    pair = answer["pairs"][0]
    chain = pair["chains"][0]
    shown = json.loads("{" + section.split('"explanation": {', 1)[1].split("}", 1)[0] + "}")
    assert shown == chain["explanation"]
    for key in ("inferred", "patterns", "chains_total"):
        assert f'"{key}": {json.dumps(pair[key], ensure_ascii=False)}' in section
    hops = [json.loads(hop) for hop in re.findall(r"\{\"from\".*?\}", section, re.S)]
    assert hops == [{"from": h["from"], "rel": h["rel"], "to": h["to"],
                     "direction": h["direction"], "quote": h["provenance"][0]["quote"]}
                    for h in chain["hops"]]
