"""``ingest``: one article to a review file (nothing in data/ changes)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from loaders.dataset import load_graph
from loaders.ingest.accept import existing_hashes
from loaders.ingest.errors import IngestError
from loaders.ingest.propose import SourceMeta, parse_date, propose
from loaders.ingest.review import write_review
from loaders.ingest.text import read_document


def ingest(path: Path, data_dir: Path, meta: SourceMeta, out: Path | None = None) -> Path:
    parse_date(meta.date)  # a bad date fails before any work
    doc = read_document(path)
    written = doc.text.encode("utf-8") if doc.html else path.read_bytes()
    sources_dir = data_dir / "sources"
    seen = existing_hashes(sources_dir)
    for digest in (doc.sha256, hashlib.sha256(written).hexdigest()):
        if digest in seen:
            raise IngestError(str(path), f"already ingested as data/sources/{seen[digest]} "
                              "(same content hash)")
    index = len([p for p in sources_dir.glob("*") if p.is_file()])
    source_file = f"{index:03d}_{hashlib.sha256(written).hexdigest()[:16]}.txt"
    graph = load_graph(data_dir, progress=False)
    review = propose(path, graph, meta, source_file=source_file)
    review["source"]["original"] = str(path.resolve())
    out = out or path.with_name(path.stem + ".review.yaml")
    write_review(review, out)
    return out
