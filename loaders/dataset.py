"""Load a data directory into the embedded graph: read, validate, build; all or nothing.

A data directory holds ``nodes/``, ``observations/`` and ``edges/`` folders (or ``nodes.*`` /
``observations.*`` / ``edges.*`` files) in YAML, JSON Lines or CSV, and a ``sources/`` folder
with the documents the quotes come from. Nodes are read first, then observations (each an
Observation node and the HAS_OBSERVATION edge from its subject), then edges, record by
record, straight into a fresh graph; the graph is returned only if no problem was found,
otherwise ``LoadError`` carries the grouped report.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import networkx as nx
from tqdm import tqdm

from graph.embedded import add_edge_record, add_node_record, new_graph, stamp_version
from graph.schema import Schema, load_schema
from loaders.problems import LoadError, ProblemReport
from loaders.rdf import RDF_SUFFIXES, RdfFile, is_rdf_file
from loaders.readers import READERS, MalformedFile
from loaders.validate import RecordValidator, SourceTexts

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def default_data_dir() -> Path:
    return Path(os.environ.get("INNOGRAPH_DATA", DEFAULT_DATA_DIR))


@dataclass(frozen=True)
class DataLayout:
    root: Path
    node_files: list[Path]
    edge_files: list[Path]
    sources_dir: Path
    rdf_files: list[Path] = field(default_factory=list)  # nodes and edges in one file each
    observation_files: list[Path] = field(default_factory=list)


def find_layout(root: Path) -> DataLayout:
    """The data files of a directory (or one RDF file, with ``sources/`` beside it); raises
    ``FileNotFoundError`` naming what is missing."""
    if root.is_file() and is_rdf_file(root):
        return DataLayout(root.parent, [], [], root.parent / "sources", [root])
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a data directory (expected nodes/, edges/, sources/)")

    def files(name: str) -> list[Path]:
        folder = sorted(p for p in (root / name).glob("*") if p.suffix.lower() in READERS)
        single = sorted(p for p in root.glob(f"{name}.*") if p.suffix.lower() in READERS)
        return folder + single

    layout = DataLayout(root, files("nodes"), files("edges"), root / "sources",
                        sorted(p for p in root.glob("*") if p.is_file() and is_rdf_file(p)),
                        files("observations"))
    if not layout.node_files and not layout.rdf_files:
        known = "|".join(sorted(ext.lstrip(".") for ext in READERS))
        rdf = "|".join(sorted(ext.lstrip(".") for ext in RDF_SUFFIXES))
        raise FileNotFoundError(
            f"{root}: no node files (expected nodes/*.{known} or nodes.{known}, "
            f"or an RDF file *.{rdf})")
    return layout


def _progress(total_bytes: int, enabled: bool | None) -> tqdm | nullcontext:
    enabled = sys.stderr.isatty() if enabled is None else enabled
    if not enabled:
        return nullcontext()
    return tqdm(total=total_bytes, unit="B", unit_scale=True, desc="loading", file=sys.stderr)


@contextmanager
def _collections_paused() -> Iterator[None]:
    """No cyclic garbage collection while loading: a load makes millions of container objects
    and almost no cycles, and each collection would walk all of them again (a fifth of the
    time of a large load). Afterwards they go straight to the oldest generation (freeze, then
    unfreeze: two list splices), where they belong as long as the graph lives: the first
    young collection would otherwise walk them all once more (0.06 s for 72k records)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # else unfreeze would undo the caller's own freeze
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _records(files: list[Path], root: Path, report: ProblemReport, bar: tqdm | None,
             read: Callable[[Path], Iterator] | None = None) -> Iterator[tuple[str, str, object]]:
    for path in files:
        label = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        try:
            for location, raw in (read or READERS[path.suffix.lower()])(path):
                yield label, location, raw
        except MalformedFile as exc:
            report.add("malformed-file", label, exc.location, None, str(exc))
        except OSError as exc:
            report.add("malformed-file", label, "", None, f"cannot read: {exc.strerror or exc}")
        if bar is not None:
            bar.update(path.stat().st_size if path.exists() else 0)


def load_graph(root: Path | str | None = None, *, schema: Schema | None = None,
               check_quotes: bool = True, progress: bool | None = None,
               max_kept_problems: int = 100_000,
               sources_dir: Path | str | None = None) -> nx.MultiDiGraph:
    """Validate and load a data directory or RDF file into a new graph, or raise
    ``LoadError``. Quotes are checked against ``sources_dir`` (default: ``sources/`` beside
    the data)."""
    root = Path(root) if root is not None else default_data_dir()
    layout = find_layout(root)
    root = layout.root  # a single RDF file: its folder, so problems name the file
    schema = schema or load_schema()
    report = ProblemReport(max_kept=max_kept_problems)
    sources_dir = Path(sources_dir) if sources_dir is not None else layout.sources_dir
    sources = SourceTexts(sources_dir) if check_quotes else None
    g = new_graph()
    kinds: dict[str, str] = {}  # accepted node id -> kind, for the validator's lookups
    validator = RecordValidator(
        schema, report, sources, kinds.get,
        lambda node_id: (g.nodes[node_id]["name_zh"], g.nodes[node_id]["name_en"]))
    rdf = {path: RdfFile(path, schema)  # each parsed once
           for path in layout.rdf_files}
    total = sum(p.stat().st_size for p in layout.node_files + layout.observation_files
                + layout.edge_files + layout.rdf_files * 2)
    with _progress(total, progress) as bar, _collections_paused():
        bar = bar if isinstance(bar, tqdm) else None
        node_records = chain(_records(layout.node_files, root, report, bar),
                             _records(layout.rdf_files, root, report, bar,
                                      lambda path: rdf[path].nodes()))
        for file, location, raw in node_records:
            record = validator.node(raw, file, location)
            if record is not None:
                add_node_record(g, record)
                kinds[record.id] = record.kind
        for file, location, raw in _records(layout.observation_files, root, report, bar):
            observed = validator.observation(raw, file, location)
            if observed is not None:
                add_node_record(g, observed[0])
                kinds[observed[0].id] = observed[0].kind
                add_edge_record(g, observed[1])
        edge_records = chain(_records(layout.edge_files, root, report, bar),
                             _records(layout.rdf_files, root, report, bar,
                                      lambda path: rdf[path].edges()))
        for file, location, raw in edge_records:
            record = validator.edge(raw, file, location)
            if record is not None and not add_edge_record(g, record):
                report.add("duplicate-edge", file, location, None,
                           f"edge {record.source_id} -{record.relation}-> {record.target_id} "
                           "appears twice")
        rdf.clear()  # parsed files go first: collections, when they resume, walk the graph only
        if report:
            raise LoadError(report)
        stamp_version(g)
    return g
