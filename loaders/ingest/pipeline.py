"""``ingest``: one article to a review file (nothing in data/ changes)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from loaders.dataset import load_graph
from loaders.ingest.accept import existing_hashes, source_files
from loaders.ingest.errors import IngestError
from loaders.ingest.propose import SourceMeta, parse_date, propose
from loaders.ingest.review import write_review
from loaders.ingest.text import read_document


def ingest(path: Path, data_dir: Path, meta: SourceMeta, out: Path | None = None) -> Path:
    """One article to its review file (``out``, default FILE's name + .review.yaml)."""
    ((_, result, _),) = ingest_many([path], data_dir, meta, out)
    if isinstance(result, IngestError):
        raise result
    return result


def ingest_many(paths: Sequence[Path], data_dir: Path, meta: SourceMeta,
                out: Path | None = None
                ) -> Iterator[tuple[Path, Path | IngestError, dict[str, Any]]]:
    """Each article to its review file, the graph loaded once: ``(path, review file, review)``
    as each is written, or ``(path, error, {})`` for one that cannot be read (the others go
    on). Articles
    of one batch get consecutive source numbers, and one repeating an earlier article of the
    batch is refused like one already in data/. ``out`` only for a single article."""
    if out is not None and len(paths) != 1:
        raise ValueError("out names the review file of a single article")
    parse_date(meta.date)  # a bad date fails before any work
    sources_dir = data_dir / "sources"
    files = source_files(sources_dir)  # listed once: the hashes and the next number
    seen = existing_hashes(sources_dir, files)
    in_batch: dict[str, Path] = {}
    index = len(files)
    graph = None
    for path in paths:
        try:
            doc = read_document(path)
            written = doc.text.encode("utf-8") if doc.html else path.read_bytes()
            digests = (doc.sha256, hashlib.sha256(written).hexdigest())
            for digest in digests:
                if digest in seen:
                    raise IngestError(str(path), f"already ingested as data/sources/"
                                      f"{seen[digest]} (same content hash)")
                if digest in in_batch:
                    raise IngestError(str(path), f"same content as {in_batch[digest]} "
                                      "in this batch (same content hash)")
            source_file = f"{index:03d}_{digests[1][:16]}.txt"
            graph = graph if graph is not None else load_graph(data_dir, progress=False)
            review = propose(path, graph, meta, source_file=source_file, doc=doc)
        except IngestError as exc:
            yield path, exc, {}
            continue
        review["source"]["original"] = str(path.resolve())
        review_file = out or path.with_name(path.stem + ".review.yaml")
        write_review(review, review_file)
        in_batch.update(dict.fromkeys(digests, path))
        index += 1
        yield path, review_file, review
