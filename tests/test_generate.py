"""The synthetic generator: deterministic, valid, shaped like a real ecosystem."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from graph.schema import load_schema
from loaders.dataset import DEFAULT_DATA_DIR, load_graph
from loaders.generate import generate_dataset

FIXTURE = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture
def like_dir() -> Path:
    """The curated data set, which has dated sources and observations."""
    return DEFAULT_DATA_DIR


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    generate_dataset(tmp_path / "a", nodes=600, seed=7, like=FIXTURE, progress=False)
    generate_dataset(tmp_path / "b", nodes=600, seed=7, like=FIXTURE, progress=False)
    generate_dataset(tmp_path / "c", nodes=600, seed=8, like=FIXTURE, progress=False)
    assert filecmp.cmp(tmp_path / "a" / "edges.jsonl", tmp_path / "b" / "edges.jsonl", False)
    assert filecmp.cmp(tmp_path / "a" / "nodes.jsonl", tmp_path / "b" / "nodes.jsonl", False)
    assert not filecmp.cmp(tmp_path / "a" / "edges.jsonl", tmp_path / "c" / "edges.jsonl", False)


def test_generated_data_is_valid_and_sized(tmp_path: Path) -> None:
    summary = generate_dataset(tmp_path, nodes=2500, edges_per_node=3, seed=1, progress=False)
    g = load_graph(tmp_path, progress=False)
    assert g.number_of_nodes() == summary["nodes"] == 2500
    assert g.number_of_edges() == summary["edges"] == 7500


def test_mix_copies_the_like_data_set(tmp_path: Path) -> None:
    generate_dataset(tmp_path, nodes=1000, seed=3, like=FIXTURE, progress=False)
    g = load_graph(tmp_path, progress=False)
    kinds = {k for _, k in g.nodes(data="kind")}
    # The fixture has Institution, Program, Fund, Lab and Sector entities (plus sources).
    assert kinds == {"Institution", "Program", "Fund", "Lab", "Sector", "Source"}
    assert {rel for _, _, rel in g.edges(keys=True)} == {
        "ISSUED", "TARGETS_SECTOR", "FUNDS", "WORKS_IN_SECTOR"}


def test_degrees_are_heavy_tailed(tmp_path: Path) -> None:
    generate_dataset(tmp_path, nodes=5000, seed=5, progress=False)
    g = load_graph(tmp_path, progress=False, check_quotes=False)
    degrees = sorted((d for _, d in g.degree()), reverse=True)
    mean = sum(degrees) / len(degrees)
    # Preferential attachment: hubs far above the mean, as in the real ecosystem.
    assert degrees[0] > 10 * mean


def test_sources_are_dated_and_figures_are_observations_in_the_data_sets_share(
        tmp_path: Path, like_dir: Path) -> None:
    like = load_graph(like_dir, progress=False)
    summary = generate_dataset(tmp_path, nodes=3000, seed=4, like=like_dir, progress=False)
    g = load_graph(tmp_path, progress=False)
    assert g.number_of_nodes() == summary["nodes"] == 3000
    assert g.number_of_edges() == summary["edges"] == 9000

    def share(graph) -> float:
        kinds = [k for _, k in graph.nodes(data="kind") if k != "Source"]
        return kinds.count("Observation") / len(kinds)

    assert summary["observations"] > 300
    assert abs(share(g) - share(like)) < 0.01
    sources = [a for _, a in g.nodes(data=True) if a["kind"] == "Source"]
    assert sources and all(a["reports_on_start"] <= a["reports_on_end"] < a["published_year"]
                           for a in sources)
    observations = [(n, a) for n, a in g.nodes(data=True) if a["kind"] == "Observation"]
    for node_id, a in observations:
        [(subject, _, rel)] = g.in_edges(node_id, keys=True)
        assert rel == "HAS_OBSERVATION"
        assert g.nodes[subject]["kind"] in load_schema().metrics[a["metric"]].kinds
        assert a["period_start"] <= a["period_end"]
        assert ("value" in a) != ("change_factor" in a)
    like_metrics = {a["metric"] for _, a in like.nodes(data=True) if a["kind"] == "Observation"}
    assert {a["metric"] for _, a in observations} <= like_metrics
