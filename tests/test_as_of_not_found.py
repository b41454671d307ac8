"""An entity asked for as of a year before any source reports it: the answer says so (and
that later sources do), instead of claiming no such entity exists; an entity unknown at any
date keeps the plain "no entity" answer. Over the API and the CLI, on data/."""

from __future__ import annotations

import pytest

from innograph.cli import main

LATER = "changxing-fund"  # reported only by the 2025 article (source-000)


def test_api_says_the_entity_is_reported_later(client):
    assert client.get(f"/api/v1/entities/{LATER}").status_code == 200
    response = client.get(f"/api/v1/entities/{LATER}", query_string={"as_of": "2022"})
    assert response.status_code == 404
    body = response.get_json()
    assert body["type"].endswith("/entity-not-found")
    assert body["as_of"] == 2022 and body["entity"] == LATER
    assert "up to 2022" in body["detail"] and "later sources report it" in body["detail"]
    paths = client.get("/api/v1/paths", query_string={
        "from": "changchun", "to": "长兴基金", "as_of": "2022"})
    assert paths.status_code == 404 and paths.get_json()["as_of"] == 2022


def test_api_unknown_entity_with_as_of_is_plain_not_found(client):
    body = client.get("/api/v1/entities/atlantis", query_string={"as_of": "2022"}).get_json()
    assert body["status"] == 404 and "as_of" not in body
    assert body["detail"] == "no entity with id or name 'atlantis'"


def test_cli_show_as_of_says_reported_later(capsys: pytest.CaptureFixture[str]):
    assert main(["show", LATER, "--as-of", "2022"]) == 1
    err = capsys.readouterr().err
    assert "not reported by any source published up to 2022" in err
    assert "did you mean" not in err
    assert main(["show", LATER, "--as-of", "2025"]) == 0
