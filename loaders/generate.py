"""A seeded, deterministic generator of synthetic ecosystems, for benchmarks and tests.

The output is a valid data directory (``nodes.jsonl``, ``edges.jsonl``, ``sources/``) that
loads like ``data/``. Kind, subtype and relation mixes are copied from a real data set
(``like``); endpoints are drawn with preferential attachment, so degrees are heavy-tailed as in
real ecosystems. Every record cites a sentence of a generated source text, one text per chunk
of records, so quote checks stay cheap however large the graph.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tqdm import tqdm

from graph.schema import Schema, load_schema

NODES_PER_SOURCE = 1000
EDGES_PER_SOURCE = 3000
PREFERENTIAL_SHARE = 0.6  # share of endpoints drawn in proportion to degree so far


def _mix_from(like: Path | None, schema: Schema) -> tuple[Counter, Counter, Counter]:
    """Kind counts, (kind, subtype) counts and (relation, from kind, to kind) counts."""
    kinds: Counter = Counter()
    subtypes: Counter = Counter()
    triples: Counter = Counter()
    if like is not None and like.is_dir():
        from loaders.dataset import load_graph  # local: the generator is usable without data

        try:
            g = load_graph(like, schema=schema, check_quotes=False, progress=False)
        except Exception:
            g = None
        if g is not None:
            for _, a in g.nodes(data=True):
                if a["kind"] != "Source":
                    kinds[a["kind"]] += 1
                    subtypes[(a["kind"], a["subtype"])] += 1
            for u, v, rel in g.edges(keys=True):
                triples[(rel, g.nodes[u]["kind"], g.nodes[v]["kind"])] += 1
    if not triples:
        for name, kind in schema.node_kinds.items():
            if name != "Source":
                kinds[name] = 1
                subtypes.update((name, s) for s in kind.subtypes)
        for rel in schema.relation_kinds.values():
            triples.update((rel.name, f, t) for f in rel.from_kinds for t in rel.to_kinds
                           if "Source" not in (f, t))
    return kinds, subtypes, triples


def _write_jsonl(handle: Any, record: dict[str, Any]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False))
    handle.write("\n")


def generate_dataset(out: Path | str, *, nodes: int, edges_per_node: float = 3.0,
                     seed: int = 42, like: Path | None = None,
                     progress: bool | None = None) -> dict[str, int]:
    """Write a synthetic data set of ``nodes`` nodes; returns the counts written."""
    out = Path(out)
    schema = load_schema()
    rng = random.Random(seed)
    kinds, subtypes, triples = _mix_from(like, schema)
    (out / "sources").mkdir(parents=True, exist_ok=True)
    show = sys.stderr.isatty() if progress is None else progress

    source_count = max(1, -(-nodes // NODES_PER_SOURCE))
    entity_count = max(nodes - source_count, 1)
    kind_names = sorted(kinds)
    kind_weights = [kinds[k] for k in kind_names]
    node_kinds = rng.choices(kind_names, weights=kind_weights, k=entity_count)
    by_kind: dict[str, list[int]] = {k: [] for k in kind_names}
    ids: list[str] = []
    names: list[str] = []
    with open(out / "nodes.jsonl", "w", encoding="utf-8") as node_file:
        texts: list[str] = []
        for index, kind in enumerate(node_kinds):
            kind_spec = schema.node_kinds[kind]
            options = [s for (k, s) in subtypes if k == kind] or list(kind_spec.subtypes)
            weights = [subtypes.get((kind, s), 1) for s in options]
            node_id = f"{kind.lower()}-{index:07d}"
            name_zh = f"{kind_spec.zh}{index:07d}号"
            sentence = f"{name_zh}（{node_id}）是一个{kind_spec.zh}。"
            chunk = index // NODES_PER_SOURCE
            _write_jsonl(node_file, {
                "id": node_id, "kind": kind, "subtype": rng.choices(options, weights)[0],
                "name_zh": name_zh, "name_en": f"{kind_spec.en} {index:07d}",
                "provenance": [{"source": f"gen-nodes-{chunk:05d}.txt", "quote": sentence}]})
            texts.append(sentence)
            if len(texts) == NODES_PER_SOURCE or index == entity_count - 1:
                (out / "sources" / f"gen-nodes-{chunk:05d}.txt").write_text(
                    "\n".join(texts) + "\n", encoding="utf-8")
                texts = []
            by_kind[kind].append(index)
            ids.append(node_id)
            names.append(name_zh)
        for chunk in range(source_count):
            file_name = f"gen-nodes-{chunk:05d}.txt"
            headline = f"合成来源{chunk:05d}"
            with open(out / "sources" / file_name, "a", encoding="utf-8") as src:
                src.write(f"{headline}。\n")
            _write_jsonl(node_file, {
                "id": f"source-gen-{chunk:05d}", "kind": "Source", "subtype": "newspaper_article",
                "name_zh": headline, "name_en": f"Synthetic source {chunk:05d}",
                "file": file_name, "headline": headline,
                "provenance": [{"source": file_name, "quote": f"{headline}。"}]})

    usable = [(t, w) for t, w in triples.items() if by_kind.get(t[1]) and by_kind.get(t[2])]
    edge_target = round(nodes * edges_per_node)
    written = 0
    if usable:
        triple_list = [t for t, _ in usable]
        triple_weights = [w for _, w in usable]
        attachment: dict[str, list[int]] = {k: [] for k in kind_names}
        seen: set[tuple[int, int, str]] = set()

        def pick(kind: str) -> int:
            pool = attachment[kind]
            if pool and rng.random() < PREFERENTIAL_SHARE:
                return rng.choice(pool)
            return rng.choice(by_kind[kind])

        bar = tqdm(total=edge_target, desc="generating edges", unit="edge", file=sys.stderr,
                   disable=not show)
        attempts = 0
        with open(out / "edges.jsonl", "w", encoding="utf-8") as edge_file:
            texts = []
            while written < edge_target and attempts < edge_target * 20:
                attempts += 1
                rel, from_kind, to_kind = rng.choices(triple_list, triple_weights)[0]
                u, v = pick(from_kind), pick(to_kind)
                if u == v or (u, v, rel) in seen:
                    continue
                seen.add((u, v, rel))
                attachment[from_kind].append(u)
                attachment[to_kind].append(v)
                chunk = written // EDGES_PER_SOURCE
                sentence = (f"{names[u]}与{names[v]}之间存在“{schema.relation_kinds[rel].zh}”"
                            f"关系（{ids[u]}→{ids[v]}）。")
                _write_jsonl(edge_file, {
                    "from": ids[u], "rel": rel, "to": ids[v],
                    "provenance": [{"source": f"gen-edges-{chunk:05d}.txt", "quote": sentence}]})
                texts.append(sentence)
                written += 1
                bar.update()
                if len(texts) == EDGES_PER_SOURCE:
                    (out / "sources" / f"gen-edges-{chunk:05d}.txt").write_text(
                        "\n".join(texts) + "\n", encoding="utf-8")
                    texts = []
            if texts:
                chunk = (written - 1) // EDGES_PER_SOURCE
                (out / "sources" / f"gen-edges-{chunk:05d}.txt").write_text(
                    "\n".join(texts) + "\n", encoding="utf-8")
        bar.close()
    else:
        (out / "edges.jsonl").write_text("", encoding="utf-8")
    return {"nodes": entity_count + source_count, "edges": written}
