"""Turn the accepted proposals of a review file into records in data/: the source text and
its Source record, new entities, relations and figures in files named after the source, and
the new quotes of known entities and edges added to their records. Validated with the loader
before anything is written; all or nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from graph.schema import load_schema
from loaders.dataset import load_graph
from loaders.ingest import yamledit
from loaders.ingest.errors import IngestError
from loaders.ingest.review import read_review, where
from loaders.ingest.text import read_document
from loaders.validate import normalise, observation_id

FOLDERS = ("nodes", "edges", "observations")


def stem_of(source_file: str) -> str:
    return "ingested-" + Path(source_file).stem.replace("_", "-").lower()


def source_text(source: dict[str, Any], review_path: Path) -> bytes:
    """The bytes that go to data/sources: the file as it is (text) or its main text (HTML)."""
    original = Path(source["original"])
    if not original.is_absolute() and not original.exists():
        original = review_path.parent / original
    doc = read_document(original)
    if doc.sha256 != source.get("sha256"):
        raise IngestError(f"{review_path}: source", f"{original} changed since it was "
                          "ingested (content hash differs); ingest it again")
    return doc.text.encode("utf-8") if doc.html else original.read_bytes()


def source_files(sources_dir: Path) -> list[Path]:
    return [p for p in sorted(sources_dir.glob("*")) if p.is_file()]


def existing_hashes(sources_dir: Path, files: list[Path] | None = None) -> dict[str, str]:
    """Content hash -> file name of data/sources (``files``: its listing, when the caller
    has it already)."""
    return {hashlib.sha256(p.read_bytes()).hexdigest(): p.name
            for p in (source_files(sources_dir) if files is None else files)}


def accept(review_path: Path, data_dir: Path) -> dict[str, int]:
    review, lines = read_review(review_path)
    source = review["source"]
    file = source.get("file")
    if not isinstance(file, str) or "/" in file or not file.endswith(".txt"):
        raise IngestError(f"{review_path}: source.file", f"{file!r} is not a file name *.txt")
    text_bytes = source_text(source, review_path)
    sources_dir = data_dir / "sources"
    seen = existing_hashes(sources_dir)
    digest = hashlib.sha256(text_bytes).hexdigest()
    if digest in seen or source.get("sha256") in seen:
        raise IngestError(str(review_path), f"this article is already in the graph as "
                          f"{seen.get(digest) or seen.get(source.get('sha256'))} (same content "
                          "hash); retract it first to ingest it again")
    if (sources_dir / file).exists():
        raise IngestError(f"{review_path}: source.file", f"data/sources/{file} exists")
    text = normalise(text_bytes.decode("utf-8"))
    graph = load_graph(data_dir, progress=False)
    schema = load_schema()

    def check_quote(key: str, quote: str) -> None:
        if normalise(quote) not in text:
            raise IngestError(where(review_path, lines, key),
                              f"quote {quote[:40]!r} is not in the article")

    ids: dict[str, str] = {}  # proposal key -> node id
    new_nodes: list[dict[str, Any]] = []
    for e in review.get("entities") or []:
        if e["decision"] == "reject":
            continue
        check_quote(e["key"], e["quote"])
        if e["decision"] == "merge":
            if e["merge_into"] not in graph:
                raise IngestError(where(review_path, lines, e["key"]),
                                  f"merge_into: no entity with id {e['merge_into']!r}")
            ids[e["key"]] = e["merge_into"]
            continue
        for name in ("id", "name_zh", "name_en", "kind", "subtype"):
            if not isinstance(e.get(name), str) or not e[name].strip():
                raise IngestError(where(review_path, lines, e["key"]), f"needs {name}")
        spec = schema.node_kinds.get(e["kind"])
        if spec is None or e["subtype"] not in spec.subtypes:
            raise IngestError(where(review_path, lines, e["key"]),
                              f"kind/subtype {e['kind']}/{e['subtype']} is not in the schema"
                              f" (kinds: {', '.join(schema.node_kinds)})")
        ids[e["key"]] = e["id"]
        node = {"id": e["id"], "kind": e["kind"], "subtype": e["subtype"],
                "name_zh": e["name_zh"], "name_en": e["name_en"]}
        node["provenance"] = [{"source": file, "quote": e["quote"]}]
        new_nodes.append(node)
    rejected = {e["key"] for e in review.get("entities") or [] if e["decision"] == "reject"}

    def resolve(key: str, ref: Any, field: str) -> str:
        if ref in ids:
            return ids[ref]
        if ref in rejected:
            raise IngestError(where(review_path, lines, key),
                              f"{field}: {ref} is a rejected entity; reject this one too")
        if isinstance(ref, str) and ref in graph:
            return ref
        raise IngestError(where(review_path, lines, key), f"{field}: no entity {ref!r}")

    # quotes added to known entities (mentions, merged entities) and to existing edges
    added: dict[tuple, list[str]] = {}
    for m in review.get("mentions") or []:
        if m["decision"] != "accept":
            continue
        check_quote(m["key"], m["quote"])
        added.setdefault(("node", resolve(m["key"], m.get("entity"), "entity")), []).append(
            m["quote"])
    for e in review.get("entities") or []:
        if e["decision"] == "merge":
            added.setdefault(("node", e["merge_into"]), []).append(e["quote"])
    new_edges = []
    for r in review.get("relations") or []:
        if r["decision"] != "accept":
            continue
        check_quote(r["key"], r["quote"])
        if r.get("rel") not in schema.relation_kinds:
            raise IngestError(where(review_path, lines, r["key"]),
                              f"rel: unknown relation {r.get('rel')!r}")
        src, dst = resolve(r["key"], r.get("from"), "from"), resolve(r["key"], r.get("to"), "to")
        if src in graph and dst in graph and graph.has_edge(src, dst, r["rel"]):
            added.setdefault(("edge", src, r["rel"], dst), []).append(r["quote"])
            continue
        edge = {"from": src, "rel": r["rel"], "to": dst}
        for name in ("status", "target_year", "year"):
            if r.get(name) is not None:
                edge[name] = r[name]
        edge["provenance"] = [{"source": file, "quote": r["quote"]}]
        new_edges.append(edge)
    new_obs: dict[str, dict[str, Any]] = {}  # by observation id
    for f in review.get("figures") or []:
        if f["decision"] != "accept":
            continue
        check_quote(f["key"], f["quote"])
        if not f.get("metric"):
            raise IngestError(where(review_path, lines, f["key"]),
                              "metric: give a metric of the catalogue (graph/schema.yaml)")
        obs = {"subject": resolve(f["key"], f.get("subject"), "subject"),
               "metric": f["metric"], "value": f.get("value"),
               "period_start": f.get("period_start"), "period_end": f.get("period_end"),
               "status": f.get("status", "actual")}
        for name in ("bound", "period_zh"):
            if f.get(name):
                obs[name] = f[name]
        # the same figure again (in data/ or earlier in this article) is one more quote
        # for that observation; the same observation with another value is the reviewer's
        oid = observation_id(obs["subject"], obs["metric"], obs)
        same = new_obs.get(oid) or (graph.nodes[oid] if oid in graph else None)
        if same is not None:
            if same.get("value") != obs["value"]:
                raise IngestError(where(review_path, lines, f["key"]),
                                  f"observation {oid} already says {same.get('value')}, this "
                                  f"figure {obs['value']}: reject it or correct one of them")
            if oid in new_obs:
                entry = {"source": file, "quote": f["quote"]}
                if entry not in new_obs[oid]["provenance"]:
                    new_obs[oid]["provenance"].append(entry)
            else:
                added.setdefault(("node", oid), []).append(f["quote"])
            continue
        obs["provenance"] = [{"source": file, "quote": f["quote"]}]
        new_obs[oid] = obs

    changes: dict[Path, str | bytes | None] = {Path("sources") / file: text_bytes}
    stem = stem_of(file)
    nodes_file = [_source_record(source, file, text_bytes.decode("utf-8")), *new_nodes]
    for folder, records in (("nodes", nodes_file), ("edges", new_edges),
                            ("observations", list(new_obs.values()))):
        if records:
            changes[Path(folder) / f"{stem}.yaml"] = _dump(records, file, folder)
    changes.update(_add_quotes(data_dir, added, file))
    from loaders.ingest.transaction import commit

    commit(data_dir, changes, str(review_path))
    return {"entities": len(new_nodes), "relations": len(new_edges),
            "figures": len(new_obs), "quotes_added": sum(len(v) for v in added.values())}


def _source_record(source: dict[str, Any], file: str, text: str) -> dict[str, Any]:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    headline = source.get("headline") or first
    record = {"id": source["id"], "kind": "Source", "subtype": "newspaper_article",
              "name_zh": headline, "name_en": source.get("name_en") or headline,
              "file": file, "headline": headline}
    for name in ("published", "outlet"):
        if source.get(name):
            record[name] = str(source[name])
    record["published_year"] = source["published_year"]
    record["reports_on_start"] = source["reports_on_start"]
    record["reports_on_end"] = source["reports_on_end"]
    notes = [f"Ingested with innograph ingest (sha256 {source.get('sha256', '')[:16]})"]
    if source.get("url"):
        notes.append(f"from {source['url']}")
    record["description_en"] = ", ".join(notes) + "."
    quote = headline if normalise(headline) in normalise(text) else first
    record["provenance"] = [{"source": file, "quote": quote}]
    return record


def _dump(records: list[dict[str, Any]], file: str, folder: str) -> str:
    from loaders.ingest.review import _Dumper

    body = yaml.dump(records, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=100_000)
    return f"# {folder}: accepted from the review of {file} (innograph accept)\n{body}"


def _record_key(rec: dict[str, Any]) -> tuple:
    if "id" in rec and ("kind" in rec or "metric" in rec):
        return ("node", rec["id"])
    if "subject" in rec and "metric" in rec:  # an observation's id is derived
        return ("node", observation_id(str(rec["subject"]), str(rec["metric"]), rec))
    return ("edge", rec.get("from"), rec.get("rel"), rec.get("to"))


def _add_quotes(data_dir: Path, added: dict[tuple, list[str]],
                file: str) -> dict[Path, str]:
    """New provenance entries inserted into the records' own files, text edited in place."""
    changes: dict[Path, str] = {}
    if not added:
        return changes
    pending = dict(added)
    for folder in FOLDERS:
        for path in sorted((data_dir / folder).glob("*.y*ml")):
            rel = path.relative_to(data_dir)
            text = path.read_text(encoding="utf-8")
            for block in reversed(yamledit.blocks(text)):  # bottom up: line numbers hold
                rec = block.record
                key = _record_key(rec)
                quotes = pending.pop(key, None)
                if not quotes:
                    continue
                have = {normalise(p.get("quote", "")) for p in rec.get("provenance") or []
                        if p.get("source") == file}
                new = [q for q in dict.fromkeys(quotes) if normalise(q) not in have]
                if new:
                    text = yamledit.add_provenance(text, block, file, new)
            if text != path.read_text(encoding="utf-8"):
                changes[rel] = text
    if pending:
        missing = ", ".join(str(k[1]) for k in pending)
        raise IngestError("accept", f"cannot add quotes to {missing}: their records are not in "
                          "YAML files of data/ (nodes, edges, observations)")
    return changes
