"""The bulk path over a server home this package manages: ``graph.neo4j_bulk`` writes the
CSV files (the sink's part), this drives ``neo4j-admin`` in the home (``innograph.
neo4j_server``), so the graph layer never depends on the command-line package."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import networkx as nx

from graph.neo4j_bulk import (
    IMPORT_DIR,
    BulkReport,
    database_exists,
    import_options,
    write_csv,
)
from innograph import neo4j_server


class BulkImportError(RuntimeError):
    """The home is not one the bulk path may fill, or neo4j-admin failed."""


def bulk_import(g: nx.MultiDiGraph, home: Path, *, database: str = "neo4j",
                overwrite: bool = False, heap: str = "1g", progress: bool | None = None
                ) -> BulkReport:
    """Import ``g`` into ``database`` of the stopped server home ``home`` with neo4j-admin.

    Refuses a running server, and a database that already has a store unless ``overwrite``
    (which replaces it whole). Start the server afterwards and run ``sync_graph`` once: it
    creates the constraints and indexes and writes the centrality scores.
    """
    home = home.resolve()
    if neo4j_server.attach(home) is not None:
        raise BulkImportError(f"the Neo4j server on {home} is running: neo4j-admin import "
                              "needs it stopped (python -m innograph.neo4j_server stop --home "
                              f"{home}), or use the online `innograph sync`")
    if database_exists(home, database) and not overwrite:
        raise BulkImportError(f"database {database!r} already exists in {home}: the bulk path "
                              "only fills a database that has no store yet (use the online "
                              "`innograph sync`, or overwrite=True to replace it whole)")
    if not (neo4j_server.conf_dir(home) / "neo4j.conf").is_file():
        neo4j_server.write_config(home)
    folder = home / "import" / IMPORT_DIR
    shutil.rmtree(folder, ignore_errors=True)
    progress = sys.stderr.isatty() if progress is None else progress
    began = time.perf_counter()
    try:
        files = write_csv(g, folder, progress=progress)
        csv_bytes = sum(p.stat().st_size for p in folder.iterdir())
        csv_seconds = time.perf_counter() - began
        began = time.perf_counter()
        try:
            neo4j_server.import_full(home, nodes=files.node_specs,
                                     relationships=files.relationship_specs,
                                     database=database, overwrite=True,
                                     extra_args=import_options(files), heap=heap)
        except neo4j_server.Neo4jServerError as exc:
            raise BulkImportError(str(exc)) from exc
        import_seconds = time.perf_counter() - began
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return BulkReport(g.number_of_nodes(), files.relationships, files.mentions, csv_seconds,
                      import_seconds, csv_bytes)
