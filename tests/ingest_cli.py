"""The ingest tests' way of running the real CLI and checking data/ is left as it was."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> subprocess.CompletedProcess:
    """``innograph ARGS`` in a subprocess, from the project root."""
    return subprocess.run([sys.executable, "-m", "innograph.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` and the digest of its bytes."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def untouched_data_copy(tmp_path: Path) -> Iterator[Path]:
    """A fixture body: a copy of data/ under ``tmp_path``, checked unchanged afterwards."""
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    before = snapshot(copy)
    yield copy
    assert snapshot(copy) == before, "data/ changed"
