"""Validation problems, collected across a whole load and reported grouped by kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# Every kind of problem a load can report, with a one-line explanation for the summary.
PROBLEM_KINDS: dict[str, str] = {
    "malformed-file": "the file cannot be parsed",
    "malformed-record": "a record is not a mapping of fields",
    "missing-field": "a required field is missing or empty",
    "bad-id": "an id is not an ASCII slug (a-z, 0-9, '-')",
    "duplicate-id": "two nodes share an id",
    "unknown-kind": "a node kind is not in the schema",
    "unknown-subtype": "a subtype is not allowed for the node kind",
    "unknown-relation": "a relation kind is not in the schema",
    "unknown-property": "a property is not allowed on this kind or relation",
    "bad-property-type": "a property value has the wrong type",
    "dangling-endpoint": "an edge names a node that does not exist",
    "wrong-endpoint-kind": "an edge joins node kinds the relation does not allow",
    "self-loop": "an edge joins a node to itself",
    "duplicate-edge": "the same (from, relation, to) edge appears twice",
    "missing-provenance": "a record has no provenance (source and quote)",
    "unknown-source": "a provenance source file is not among the source documents",
    "quote-not-found": "a quote does not occur in its source document",
}


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str
    file: str
    location: str  # "line 12", "record 3 (line 40)"
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.location}" if self.location else self.file
        field_part = f" [{self.field}]" if self.field else ""
        return f"{where}{field_part}: {self.message}"


@dataclass
class ProblemReport:
    """Counts every problem; keeps at most ``max_kept`` of them so memory stays bounded."""

    max_kept: int = 100_000
    counts: Counter[str] = field(default_factory=Counter)
    kept: list[Problem] = field(default_factory=list)

    def add(self, kind: str, file: str, location: str, field: str | None, message: str) -> None:
        if kind not in PROBLEM_KINDS:
            raise ValueError(f"unknown problem kind {kind!r}")
        self.counts[kind] += 1
        if len(self.kept) < self.max_kept:
            self.kept.append(Problem(kind, file, location, field, message))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __bool__(self) -> bool:
        return self.total > 0

    def summary(self, examples: int = 3) -> str:
        """One line per kind of problem with its count, then a few examples of each."""
        if not self:
            return "no problems"
        lines = [f"{self.total} problem(s) in {len(self.counts)} kind(s):"]
        for kind, count in self.counts.most_common():
            lines.append(f"  {kind}: {count} ({PROBLEM_KINDS[kind]})")
            lines += [f"    {p}" for p in [p for p in self.kept if p.kind == kind][:examples]]
            if count > examples:
                lines.append(f"    ... and {count - examples} more")
        return "\n".join(lines)

    def full(self) -> str:
        lines = [str(p) for p in self.kept]
        if self.total > len(self.kept):
            lines.append(f"... {self.total - len(self.kept)} more not kept (limit {self.max_kept})")
        return "\n".join(lines)


class LoadError(Exception):
    """A load that found problems; nothing was built. ``report`` says what and where."""

    def __init__(self, report: ProblemReport):
        super().__init__(report.summary())
        self.report = report
