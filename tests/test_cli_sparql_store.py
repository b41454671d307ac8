"""``innograph sparql-store``: the SPARQL store built ahead of ``serve``, which then opens it."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.app import create_app
from api.routes.sparql import KEEPER
from innograph.cli import main
from loaders.dataset import default_data_dir, load_graph
from queries.embedded_backend import EmbeddedBackend


def test_built_ahead_then_opened_by_the_server(tmp_path: Path, monkeypatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INNOGRAPH_SPARQL_STORE_DIR", str(tmp_path))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert main(["sparql-store"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("innograph: built ") and " quads in " in out
    assert "building the SPARQL store of graph version" in err and "SPARQL store ready" in err
    stores = [p for p in tmp_path.iterdir() if (p / "innograph-store.json").exists()]
    assert len(stores) == 1 and stores[0].name in out

    assert main(["sparql-store"]) == 0  # the same graph again: opened, not built
    assert capsys.readouterr().out.startswith("innograph: already built (")

    app = create_app(EmbeddedBackend(load_graph(default_data_dir())))
    store = app.extensions[KEEPER].get(30)  # what a served query waits for
    assert store.built is False and store.path == stores[0]
    rows = list(store.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert int(rows[0]["n"].value) > 0


def test_a_missing_data_directory_exits_1(tmp_path: Path, monkeypatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INNOGRAPH_SPARQL_STORE_DIR", str(tmp_path / "stores"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert main(["sparql-store", "--data", str(tmp_path / "absent")]) == 1
    assert "not a data directory" in capsys.readouterr().err
    assert not (tmp_path / "stores").exists()  # nothing written


def test_a_failed_build_exits_1_naming_it_and_leaves_no_store(
        tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    import queries.sparql_store as sparql_store

    monkeypatch.setenv("INNOGRAPH_SPARQL_STORE_DIR", str(tmp_path))
    monkeypatch.delenv("NEO4J_URI", raising=False)

    def full_disk(export, *args, **kwargs):
        for _ in export:  # the export is read, then the disk fills
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sparql_store, "build_store", full_disk)
    assert main(["sparql-store"]) == 1
    err = capsys.readouterr().err
    assert "the SPARQL store could not be built in" in err
    assert "No space left on device" in err
    assert not [p for p in tmp_path.iterdir() if (p / "innograph-store.json").exists()]
