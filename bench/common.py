"""What the benchmarks share: the generated data set, made once and kept in bench/.data/."""

from __future__ import annotations

from pathlib import Path

from loaders.generate import generate_dataset

HERE = Path(__file__).parent


def generated_data(nodes: int, edges_per_node: float) -> Path:
    """The directory of a seeded generated data set, generating it on first use."""
    root = HERE / ".data" / f"gen-{nodes}-{edges_per_node:g}"
    if not (root / "edges.jsonl").exists():
        generate_dataset(root, nodes=nodes, edges_per_node=edges_per_node, seed=42,
                         like=HERE.parent / "data")
    return root
