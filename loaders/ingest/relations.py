"""Candidate relations between entities of one sentence, from the trigger words of the rules:
the entity before the trigger is the subject, those after it (up to the next trigger) the
objects; a passive marker (由, 被) swaps them. The first relation of the trigger whose endpoint
kinds fit the schema is proposed; none fits, none is proposed."""

from __future__ import annotations

from dataclasses import dataclass

from graph.schema import Schema
from loaders.ingest.rules import Rules
from loaders.ingest.sentences import Sentence


@dataclass(frozen=True)
class Spot:
    """An entity in the text: a known one (``ref`` its id) or a candidate (``ref`` its
    proposal key)."""
    ref: str
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class RelationCandidate:
    source: Spot
    relation: str
    target: Spot
    trigger: str
    sentence: Sentence
    status: str | None  # planned when the sentence says so
    score: float


def _triggers(text: str, rules: Rules) -> list[tuple[int, int, str, tuple[str, ...]]]:
    found = []
    for trigger in rules.triggers:
        for word in trigger.words:
            at = text.find(word)
            while at >= 0:
                found.append((at, at + len(word), word, trigger.relations))
                at = text.find(word, at + 1)
    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    out, covered = [], -1
    for t in found:
        if t[0] >= covered:
            out.append(t)
            covered = t[1]
    return out


def relation_status(text: str, rules: Rules) -> str | None:
    for words, _, relation in rules.status_words:
        if any(w in text for w in words):
            return relation
    return None


def find_relations(simplified: str, sentence: Sentence, spots: list[Spot], rules: Rules,
                   schema: Schema) -> list[RelationCandidate]:
    """``simplified``: the sentence's compact simplified text; spots in compact offsets."""
    spots = sorted(spots, key=lambda s: s.start)
    triggers = _triggers(simplified, rules)
    out: list[RelationCandidate] = []
    seen: set[tuple[str, str, str]] = set()
    base = sentence.start
    for index, (t_start, t_end, word, relations) in enumerate(triggers):
        before = [s for s in spots if s.end - base <= t_start]
        limit = triggers[index + 1][0] if index + 1 < len(triggers) else len(simplified)
        after = [s for s in spots if t_end <= s.start - base < limit]
        if len(before) >= 2 and any(
                p in simplified[before[-2].end - base:before[-1].start - base]
                for p in rules.passive):
            # "A 由 B 设立": B (just before the trigger) did it to A
            subject, after = before[-1], [before[-2]]
        elif before and after:
            subject = before[-1]
        else:
            continue
        status = relation_status(simplified[:t_start], rules)
        for obj in after:
            if obj.ref == subject.ref:
                continue
            for relation in relations:
                spec = schema.relation_kinds[relation]
                if subject.kind in spec.from_kinds and obj.kind in spec.to_kinds:
                    key = (subject.ref, relation, obj.ref)
                    if key not in seen:
                        seen.add(key)
                        near = "，" not in simplified[subject.end - base:obj.start - base]
                        out.append(RelationCandidate(subject, relation, obj, word, sentence,
                                                     status, 0.7 if near else 0.5))
                    break
    return out
