"""Candidate relations between entities of one sentence, for any pair of them, from the
trigger words of the rules (graph/ingest_rules.yaml):

- the direction comes from where the trigger stands: "A 设立 B" reads A -> B; "A 由 B 设立"
  (a passive marker between them, the trigger after both) reads B -> A; a trigger after both
  without a passive marker ("A 与 B 合作") reads A -> B;
- the relation is the first of the trigger's whose endpoint kinds fit the schema in that
  direction; when none fits but one fits the other way round (a 位于 sentence written object
  first), that one is proposed with a lower score;
- the score falls with the distance between the trigger and the endpoints and with every
  clause break between them; the closest trigger of a pair wins;
- a sentence opening with 其/该/这 carries the previous sentence's subject (its first
  entity) as a subject before its first word.

Pairs in one clause with no trigger get a relation only from the rules' kind pairs (a Sector
named beside a company: WORKS_IN_SECTOR), scored below the auto-accept line."""

from __future__ import annotations

from dataclasses import dataclass

from graph.schema import Schema
from loaders.ingest.rules import Rules
from loaders.ingest.sentences import Sentence

CARRY = ("其", "该", "这")
CONJUNCTIONS = ("与", "和", "同", "及", "、", "以及")
SYMMETRIC = ("COLLABORATES_WITH",)


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


def _fit(schema: Schema, relations: tuple[str, ...], a: Spot, b: Spot) -> str | None:
    for relation in relations:
        spec = schema.relation_kinds[relation]
        if a.kind in spec.from_kinds and b.kind in spec.to_kinds:
            return relation
    return None


_BREAK_CHARS = frozenset("，,；;：:")


def _break_counts(text: str) -> list[int]:
    """counts[i]: clause breaks in text[:i]; the breaks between two positions are one
    subtraction (every pair of a sentence asks)."""
    counts = [0]
    for ch in text:
        counts.append(counts[-1] + (ch in _BREAK_CHARS))
    return counts


def find_relations(simplified: str, sentence: Sentence, spots: list[Spot], rules: Rules,
                   schema: Schema, carried: Spot | None = None) -> list[RelationCandidate]:
    """``simplified``: the sentence's compact simplified text; spots in compact offsets.
    ``carried``: the previous sentence's subject, used when this one opens with 其/该/这."""
    base = sentence.start
    spots = sorted({(s.start, s.ref): s for s in spots}.values(), key=lambda s: s.start)
    if carried is not None and simplified.lstrip("“\"").startswith(CARRY) and \
            all(s.ref != carried.ref for s in spots):
        spots.insert(0, Spot(carried.ref, carried.kind, base, base))
    triggers = _triggers(simplified, rules)
    counts = _break_counts(simplified)

    def breaks(start: int, end: int) -> int:
        start, end = max(0, start), max(0, end)
        return counts[end] - counts[start] if end > start else 0

    best: dict[tuple[str, str], RelationCandidate] = {}

    def offer(cand: RelationCandidate) -> None:
        key = (cand.source.ref, cand.target.ref)
        if key not in best or cand.score > best[key].score:
            best[key] = cand

    for i, a in enumerate(spots):
        for b in spots[i + 1:]:
            if a.ref == b.ref or b.start < a.end:
                continue
            a1, b0, b1 = a.end - base, b.start - base, b.end - base
            between = simplified[a1:b0]
            passive = any(p in between for p in rules.passive)
            # "A 与 B 共建 C": A and B are co-subjects; only a symmetric relation joins them
            joined = between in CONJUNCTIONS
            for t0, t1, word, relations in triggers:
                if a1 <= t0 and t1 <= b0:  # A trigger B
                    src, dst, distance = a, b, (t0 - a1) + (b0 - t1)
                elif t0 >= b1 and t0 - b1 <= 12 and not (
                        joined and relations[0] not in SYMMETRIC):  # A (由) B trigger
                    src, dst = (b, a) if passive else (a, b)
                    distance = t0 - b1 + (0 if passive else 4)
                else:
                    continue
                relation, flipped = _fit(schema, relations, src, dst), False
                if relation is None:
                    relation, flipped = _fit(schema, relations, dst, src), True
                    if relation is None:
                        continue
                    src, dst = dst, src
                score = 0.9 - 0.02 * min(distance, 15) - 0.15 * breaks(a1, b0) \
                    - (0.15 if flipped else 0)
                status = relation_status(simplified[:t0], rules)
                offer(RelationCandidate(src, relation, dst, word, sentence, status,
                                        round(max(score, 0.1), 2)))
            if breaks(a1, b0) == 0:
                for pair in rules.kind_pairs:
                    for src, dst in ((a, b), (b, a)):
                        if src.kind in pair.from_kinds and dst.kind in pair.to_kinds:
                            offer(RelationCandidate(src, pair.relation, dst, "", sentence,
                                                    None, pair.score))
    return sorted(best.values(), key=lambda r: (r.source.start, r.target.start))
