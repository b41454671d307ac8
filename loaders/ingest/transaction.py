"""All or nothing on a data directory: stage the new file contents in a copy, validate the
copy with the loader, then move each file into place (temp file + rename); if a rename
fails, the files already replaced are put back."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from loaders.dataset import load_graph
from loaders.ingest.errors import IngestError
from loaders.problems import LoadError


def commit(data_dir: Path, changes: dict[Path, str | bytes | None], what: str) -> None:
    """``changes``: path relative to ``data_dir`` -> new content (None deletes the file)."""
    staging = Path(tempfile.mkdtemp(prefix=".ingest-", dir=data_dir.parent))
    try:
        shutil.copytree(data_dir, staging / "data", symlinks=True)
        for rel, content in changes.items():
            target = staging / "data" / rel
            if content is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                _write(target, content)
        try:
            load_graph(staging / "data", progress=False)
        except LoadError as exc:
            raise IngestError(what, "the data would not validate, nothing was written:\n"
                              + exc.report.summary()) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _apply(data_dir, changes)


def _write(path: Path, content: str | bytes) -> None:
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)


def _apply(data_dir: Path, changes: dict[Path, str | bytes | None]) -> None:
    backups: list[tuple[Path, bytes | None]] = []
    try:
        for rel, content in changes.items():
            target = data_dir / rel
            backups.append((target, target.read_bytes() if target.exists() else None))
            if content is None:
                target.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
            _write(tmp, content)
            os.replace(tmp, target)
    except OSError:
        for target, old in reversed(backups):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(old)
        raise
