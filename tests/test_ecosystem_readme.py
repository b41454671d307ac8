"""The README's explained suggestion (section "Ecosystem analytics and the report") is the
API's answer over data/, verbatim but for the data's version, and its quotes occur in the
sources it names."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask.testing import FlaskClient

from loaders.dataset import default_data_dir

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"```text\nGET (/api/v1/suggestions\?[^\n]+)\n```\s*\n"
                     r"<details><summary>[^<]*</summary>\s*```json\n(.*?)\n```", re.S)


def readme_example() -> tuple[str, dict]:
    section = README.read_text(encoding="utf-8").split("## Ecosystem analytics", 1)[1]
    found = EXAMPLE.search(section.split("\n## ", 1)[0])
    assert found, "the analytics section shows a GET of /suggestions and its JSON answer"
    return found.group(1), json.loads(found.group(2))


def test_the_readme_suggestion_is_the_api_answer(client: FlaskClient):
    path, shown = readme_example()
    response = client.get(path)
    assert response.status_code == 200
    answer = response.get_json()
    assert {**shown, "version": None} == {**answer, "version": None}
    assert answer["suggestion"] is True and answer["items"]
    assert all(item["stated"] is False and item["evidence"] for item in answer["items"])


def test_the_readme_quotes_are_in_their_sources():
    _, shown = readme_example()
    provenance = [p for item in shown["items"] for path in item["evidence"]
                  for hop in path["edges"] for edge in hop for p in edge["provenance"]]
    assert provenance
    sources = default_data_dir() / "sources"
    for p in provenance:
        text = (sources / p["source"]).read_text(encoding="utf-8")
        assert p["quote"] in re.sub(r"\s+", "", text) or p["quote"] in text
    prose = README.read_text(encoding="utf-8")
    for p in provenance:  # the prose quotes what the answer shows
        assert f"“{p['quote']}”" in prose
