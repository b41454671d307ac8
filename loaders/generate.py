"""A seeded, deterministic generator of synthetic ecosystems, for benchmarks and tests.

The output is a valid data directory (``nodes.jsonl``, ``edges.jsonl``, ``sources/``) that
loads like ``data/``. Kind, subtype and relation mixes are copied from a real data set
(``like``); endpoints are drawn with preferential attachment, so degrees are heavy-tailed as in
real ecosystems. Every record cites a sentence of a generated source text, one text per chunk
of records, so quote checks stay cheap however large the graph. Sources are dated and figures
are dated observations (``observations.jsonl``), in the proportions of ``like``: the share of
entities that are observations, and their metrics, subject kinds, statuses and period lengths.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from graph.schema import OBSERVATION_KIND, OBSERVATION_RELATION, Schema, load_schema

NODES_PER_SOURCE = 1000
EDGES_PER_SOURCE = 3000
PREFERENTIAL_SHARE = 0.6  # share of endpoints drawn in proportion to degree so far
OBSERVATIONS_PER_SOURCE = 1000
DEFAULT_OBSERVATION_SHARE = 0.17  # of the non-source nodes: the curated data's share
YEARS = (2016, 2025)  # the years generated sources report on
STATUS_WORDS = {"actual": "为", "estimate": "预计为", "target": "力争达到", "plan": "计划达到"}
_NOT_ENTITIES = ("Source", OBSERVATION_KIND)


@dataclass
class _Mix:
    kinds: Counter = field(default_factory=Counter)
    subtypes: Counter = field(default_factory=Counter)  # (kind, subtype)
    triples: Counter = field(default_factory=Counter)  # (relation, from kind, to kind)
    # (metric, subject kind, subtype, status, period length in years - 1)
    observations: Counter = field(default_factory=Counter)
    observation_share: float = DEFAULT_OBSERVATION_SHARE


def _mix_from(like: Path | None, schema: Schema) -> _Mix:
    """What to copy from ``like``; the schema's whole range where it gives nothing."""
    mix = _Mix()
    kinds, subtypes, triples = mix.kinds, mix.subtypes, mix.triples
    if like is not None and like.is_dir():
        from loaders.dataset import load_graph  # local: the generator is usable without data

        try:
            g = load_graph(like, schema=schema, check_quotes=False, progress=False)
        except Exception:
            g = None
        if g is not None:
            for _, a in g.nodes(data=True):
                if a["kind"] not in _NOT_ENTITIES:
                    kinds[a["kind"]] += 1
                    subtypes[(a["kind"], a["subtype"])] += 1
            for u, v, rel in g.edges(keys=True):
                if rel == OBSERVATION_RELATION:
                    a = g.nodes[v]
                    mix.observations[(a["metric"], g.nodes[u]["kind"], a["subtype"],
                                      a["status"], a["period_end"] - a["period_start"])] += 1
                else:
                    triples[(rel, g.nodes[u]["kind"], g.nodes[v]["kind"])] += 1
            entities = sum(kinds.values()) + sum(mix.observations.values())
            mix.observation_share = sum(mix.observations.values()) / max(entities, 1)
    if not triples:
        for name, kind in schema.node_kinds.items():
            if name not in _NOT_ENTITIES:
                kinds[name] = 1
                subtypes.update((name, s) for s in kind.subtypes)
        for rel in schema.relation_kinds.values():
            if rel.name != OBSERVATION_RELATION:
                triples.update((rel.name, f, t) for f in rel.from_kinds for t in rel.to_kinds)
        statuses = schema.node_properties["status"].values
        for metric in schema.metrics.values():
            mix.observations.update((metric.name, k, subtype, status, span)
                                    for k in metric.kinds for subtype in ("value", "change")
                                    for status in statuses for span in (0, 2))
        mix.observation_share = DEFAULT_OBSERVATION_SHARE
    return mix


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
    mix = _mix_from(like, schema)
    kinds, subtypes, triples = mix.kinds, mix.subtypes, mix.triples
    (out / "sources").mkdir(parents=True, exist_ok=True)
    show = sys.stderr.isatty() if progress is None else progress

    source_count = max(1, -(-nodes // NODES_PER_SOURCE))
    observation_count = (round((nodes - source_count) * mix.observation_share)
                         if mix.observations else 0)
    entity_count = max(nodes - source_count - observation_count, 1)
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
            start = rng.randint(*YEARS)
            end = min(start + rng.choice((0, 0, 2)), YEARS[1])
            dateline = f"{headline}，{end + 1}年发表，报道{start}年至{end}年。"
            with open(out / "sources" / file_name, "a", encoding="utf-8") as src:
                src.write(f"{dateline}\n")
            _write_jsonl(node_file, {
                "id": f"source-gen-{chunk:05d}", "kind": "Source", "subtype": "newspaper_article",
                "name_zh": headline, "name_en": f"Synthetic source {chunk:05d}",
                "file": file_name, "headline": headline, "published_year": end + 1,
                "reports_on_start": start, "reports_on_end": end,
                "provenance": [{"source": file_name, "quote": dateline}]})
    _write_observations(out, rng, schema, mix, observation_count, by_kind, ids, names)

    usable = [(t, w) for t, w in triples.items() if by_kind.get(t[1]) and by_kind.get(t[2])]
    edge_target = round(nodes * edges_per_node) - observation_count  # each has its edge
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
    return {"nodes": entity_count + source_count + observation_count,
            "edges": written + observation_count, "observations": observation_count}


def _write_observations(out: Path, rng: random.Random, schema: Schema, mix: _Mix, count: int,
                        by_kind: dict[str, list[int]], ids: list[str], names: list[str]) -> None:
    """``count`` observations of entities already written, each citing its own sentence."""
    usable = [(o, w) for o, w in mix.observations.items() if by_kind.get(o[1])]
    texts: list[str] = []
    with open(out / "observations.jsonl", "w", encoding="utf-8") as handle:
        for index in range(count if usable else 0):
            metric_name, kind, subtype, status, span = rng.choices(
                [o for o, _ in usable], [w for _, w in usable])[0]
            metric = schema.metrics[metric_name]
            subject = rng.choice(by_kind[kind])
            start = rng.randint(YEARS[0], YEARS[1] - span)
            end = start + span
            period = f"{start}年" if span == 0 else f"{start}年至{end}年"
            chunk = index // OBSERVATIONS_PER_SOURCE
            record = {"id": f"observation-{index:07d}", "subject": ids[subject],
                      "metric": metric_name, "period_start": start, "period_end": end,
                      "status": status}
            if subtype == "change":
                record["change_factor"] = rng.choice((2, 3, 8))
                figure = f"增长为{record['change_factor']}倍"
            else:
                record["value"] = rng.randint(1, 100_000)
                figure = f"{STATUS_WORDS[status]}{record['value']}"
            sentence = (f"{period}，{names[subject]}（{ids[subject]}）的{metric.zh}{figure}"
                        f"（第{index}条）。")
            record["provenance"] = [{"source": f"gen-observations-{chunk:05d}.txt",
                                     "quote": sentence}]
            _write_jsonl(handle, record)
            texts.append(sentence)
            if len(texts) == OBSERVATIONS_PER_SOURCE or index == count - 1:
                (out / "sources" / f"gen-observations-{chunk:05d}.txt").write_text(
                    "\n".join(texts) + "\n", encoding="utf-8")
                texts = []
