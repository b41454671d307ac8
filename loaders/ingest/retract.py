"""Take one source back out of data/: every quote from it goes; a record left without quotes
goes (and the edges and figures that needed it); records other sources support stay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loaders.ingest import yamledit
from loaders.ingest.accept import FOLDERS
from loaders.ingest.errors import IngestError
from loaders.ingest.transaction import commit


def find_source(data_dir: Path, name: str) -> str:
    """The file name of a source given by file name or Source id; exit code 2 if unknown."""
    if (data_dir / "sources" / name).is_file():
        return name
    for path in sorted((data_dir / "nodes").glob("*.y*ml")):
        for block in yamledit.blocks(path.read_text(encoding="utf-8")):
            rec = block.record
            if rec.get("kind") == "Source" and name in (rec.get("id"), rec.get("file")):
                return rec["file"]
    known = sorted(p.name for p in (data_dir / "sources").glob("*") if p.is_file())
    raise IngestError(name, f"no such source (known: {', '.join(known)})", 2)


def _label(record: dict[str, Any]) -> str:
    if "id" in record:
        return f"{record.get('kind', 'node')} {record['id']} ({record.get('name_zh', '')})"
    if "subject" in record:
        return f"figure {record['subject']} {record.get('metric')} {record.get('value')}"
    return f"edge {record.get('from')} -{record.get('rel')}-> {record.get('to')}"


def retract(data_dir: Path, name: str) -> list[str]:
    """Lines saying what was removed, after the change is written."""
    file = find_source(data_dir, name)
    changes: dict[Path, str | bytes | None] = {Path("sources") / file: None}
    report: list[str] = [f"removed source text data/sources/{file}"]
    removed_ids: set[str] = set()
    texts: dict[Path, str] = {}
    for folder in FOLDERS:  # nodes first: edges and figures of removed nodes go too
        for path in sorted((data_dir / folder).glob("*.y*ml")):
            rel = path.relative_to(data_dir)
            text = path.read_text(encoding="utf-8")
            new, removed, trimmed = yamledit.remove_source(text, file)
            for rec in removed:
                report.append(f"removed {_label(rec)} [{rel}]")
                if "id" in rec:
                    removed_ids.add(rec["id"])
            for rec in trimmed:
                report.append(f"kept {_label(rec)}, minus its quotes from {file} [{rel}]")
            texts[rel] = new
    for rel, text in texts.items():
        blocks = yamledit.blocks(text)
        lines = text.splitlines(keepends=True)
        for block in reversed(blocks):
            rec = block.record
            ends = {rec.get("from"), rec.get("to"), rec.get("subject")}
            if ends & removed_ids:
                del lines[block.start:block.end]
                report.append(f"removed {_label(rec)}: it needs a removed node [{rel}]")
        text = "".join(lines)
        original = (data_dir / rel).read_text(encoding="utf-8")
        if text != original:
            gone = rel.name.startswith("ingested-") and not yamledit.has_records(text)
            changes[rel] = None if gone else text
            if gone:
                report.append(f"removed file {rel}")
    commit(data_dir, changes, f"retract {name}")
    return report
