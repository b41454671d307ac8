"""The layers import only downward (README, "Layers"), and the query layer reads no files.

Every module of graph/, loaders/, queries/, api/ and innograph/ is parsed (ast) and each of
its imports, at module level or inside a function, is checked against the rules below."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("graph", "loaders", "queries", "api", "innograph")
#: What each layer may not import.
FORBIDDEN = {
    "graph": {"loaders", "queries", "api", "innograph"},
    "loaders": {"queries", "api", "innograph"},
    "queries": {"api", "innograph"},
    "api": {"innograph"},
    "innograph": set(),
}
#: Reading files in queries/: only the SPARQL texts shipped beside the modules.
# The query layer reads no data files. Allowed: the shipped example queries and the
# statistics tables' CONSTRUCT queries (queries/sparql/, part of the code), and the SPARQL
# store, whose on-disk RocksDB directory is a store of its own (like Neo4j's), kept by graph
# version; it reads its own metadata, never data/.
FILE_READS_ALLOWED = {"queries/sparql_examples.py", "queries/sparql_statistics.py",
                      "queries/sparql_store.py"}
FILE_READ_CALLS = {"open", "read_text", "read_bytes", "load_graph", "iterdir", "glob"}


def modules() -> list[Path]:
    return sorted(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py"))


def imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def forbidden_imports(path: Path) -> list[str]:
    layer = path.relative_to(ROOT).parts[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(ROOT)}:{line} imports {name}" for line, name in imports(tree)
            if name.split(".")[0] in FORBIDDEN[layer]]


def file_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in FILE_READ_CALLS:
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {name}")
    return calls


def test_no_layer_imports_against_the_direction_of_the_layers():
    assert len(modules()) > 50
    bad = [problem for path in modules() for problem in forbidden_imports(path)]
    assert bad == []


def test_the_query_layer_reads_no_files():
    bad = [problem for path in sorted((ROOT / "queries").rglob("*.py"))
           if str(path.relative_to(ROOT)) not in FILE_READS_ALLOWED
           for problem in file_reads(path)]
    assert bad == []


@pytest.mark.parametrize(("layer", "source", "found"), [
    ("graph", "from queries.centrality import compute_all\n", True),
    ("graph", "def f():\n    from innograph import neo4j_server\n", True),
    ("api", "import innograph.cli\n", True),
    ("queries", "from graph.embedded import node_view\n", False),
])
def test_the_checks_see_imports_anywhere(tmp_path: Path, layer: str, source: str,
                                         found: bool, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / layer
    folder.mkdir()
    module = folder / "probe.py"
    module.write_text(source, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path, raising=False)
    assert bool(forbidden_imports(module)) is found


def test_the_file_read_check_sees_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    module = tmp_path / "queries" / "probe.py"
    module.parent.mkdir()
    module.write_text("def f(p):\n    return p.read_text()\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path, raising=False)
    assert file_reads(module) == ["queries/probe.py:2 calls read_text"]
