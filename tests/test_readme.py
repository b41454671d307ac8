"""The README's generated parts stay in step with the schema and the data."""

from __future__ import annotations

from pathlib import Path

from graph.schema import load_schema
from graph.schema_doc import README_END, README_START, schema_markdown
from loaders.dataset import load_graph

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_data_model_is_generated_from_the_schema() -> None:
    text = README.read_text(encoding="utf-8")
    embedded = text.split(README_START, 1)[1].split(README_END, 1)[0].strip()
    expected = schema_markdown(load_schema(), load_graph(progress=False)).strip()
    assert embedded == expected, (
        "README data model is stale: run `innograph schema --update-readme README.md`")


def test_readme_names_both_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text


def test_readme_statistics_are_the_real_output() -> None:
    from graph.embedded import statistics
    from innograph.cli import format_statistics

    text = README.read_text(encoding="utf-8")
    block = text.split("$ innograph stats\n", 1)[1].split("```", 1)[0].strip()
    assert block == format_statistics(statistics(load_graph(progress=False))).strip(), (
        "README statistics are stale: paste the output of `innograph stats`")
