"""docs/rdf.md shows real output: its Turtle examples are lines of the export of data/ (or of
the ontology), and its SPARQL examples section is what `python -m queries.sparql_examples`
prints over data/. (Its curl examples: tests/test_docs_api.py.)"""

from __future__ import annotations

import io
import re
from contextlib import redirect_stdout
from pathlib import Path

from innograph.cli import main as cli_main
from queries.sparql_examples import main as examples_main

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "rdf.md").read_text(encoding="utf-8")
EXAMPLES_HEADING = "Output on `data/` as of this writing:\n"


def exported_lines(tmp_path: Path, *flags: str) -> set[str]:
    out = tmp_path / f"export{'-'.join(flags)}.ttl"
    assert cli_main(["export", "--out", str(out), *flags]) == 0
    return set(out.read_text(encoding="utf-8").splitlines())


def test_turtle_examples_are_lines_of_the_export(tmp_path: Path):
    blocks = re.findall(r"```turtle\n(.*?)```", DOC, re.S)
    assert len(blocks) >= 3
    real = exported_lines(tmp_path) | exported_lines(tmp_path, "--ontology")
    shown = [line for block in blocks for line in block.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    stale = [line for line in shown if line not in real]
    assert not stale, "docs/rdf.md shows Turtle the export no longer writes:\n" + "\n".join(stale)


def test_sparql_examples_section_is_the_generated_one():
    printed = io.StringIO()
    with redirect_stdout(printed):
        assert examples_main([]) == 0
    section = DOC.split(EXAMPLES_HEADING, 1)[1]
    assert section.strip() == printed.getvalue().strip(), (
        "docs/rdf.md's SPARQL examples are stale: replace everything after "
        f"{EXAMPLES_HEADING.strip()!r} with the output of `python -m queries.sparql_examples`")
