"""Candidate new entities: names ending in a suffix of the rules (…大学, …研究所, …实验室,
…中心, …有限公司, …基金, …园, …示范区), built leftwards over the segmenter's tokens (jieba,
with part-of-speech tags) until a word that cannot be part of a name; and 《…》 titles. Each
comes with a proposed kind and subtype and its closest known entities (rapidfuzz), so that a
reviewer merges instead of duplicating: nothing is merged without an exact name or alias."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz, process

from loaders.ingest.mentions import Gazetteer, Mention
from loaders.ingest.rules import Rules, Suffix
from loaders.ingest.sentences import Compact, Sentence

_TITLE = re.compile(r"《([^《》]{2,60})》")
_OPEN, _CLOSE = "“「『", "”」』"
_TRAILING_FUNCTION = "的了和与及"
_PROPER = ("ns", "nr", "nt", "nz", "nrt", "nrfg", "eng", "j")


@dataclass
class Candidate:
    name: str  # as written (compact)
    start: int
    end: int
    rule: Suffix
    sentence: Sentence
    occurrences: int = 1
    proper: bool = True  # holds a proper name (place, organisation, quoted name, known entity)
    similar: list[tuple[str, str, float]] = field(default_factory=list)  # (id, name, score)


@cache
def _jieba():  # type: ignore[no-untyped-def]
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    for pair in _jieba().cut(text):
        out.append((pair.word, pair.flag, pos))
        pos += len(pair.word)
    return out


def find_candidates(c: Compact, sentences: list[Sentence], mentions: list[Mention],
                    rules: Rules) -> list[Candidate]:
    covered = [False] * len(c.simplified)
    for m in mentions:
        for i in range(m.start, m.end):
            covered[i] = True
    found: dict[str, Candidate] = {}

    def add(start: int, end: int, rule: Suffix, sentence: Sentence,
            proper: bool = True) -> None:
        if all(covered[start:end]):
            return  # a known entity's name: a mention, not a new entity
        name = c.written[start:end]
        if name in found:
            found[name].occurrences += 1
        else:
            found[name] = Candidate(name, start, end, rule, sentence, proper=proper)

    for sentence in sentences:
        simplified = c.simplified[sentence.start:sentence.end]
        for match in _TITLE.finditer(simplified):
            add(sentence.start + match.start(1), sentence.start + match.end(1), rules.titled,
                sentence)
        tokens = _tokens(simplified)
        for j, (_, _, tstart) in enumerate(tokens):
            end = tstart + len(tokens[j][0])
            rule = _suffix_at(simplified, end, rules)
            if rule is None or (j + 1 < len(tokens) and _continues(tokens[j + 1][0], rules)):
                continue
            word, flag, _ = tokens[j]
            if len(rule.suffix) == 1 and word != rule.suffix and flag not in _PROPER:
                continue  # 开局 is not a bureau, 山谷 not a valley park
            start = _extend_left(tokens, j, end - len(rule.suffix), rules)
            stem = simplified[start:end - len(rule.suffix)]
            if len(stem) < rules.min_stem or end - start > rules.max_name:
                continue
            proper = any(f in _PROPER for w, f, s in tokens if start <= s < end) or any(
                ch in _OPEN for ch in stem) or any(covered[sentence.start + start:
                                                           sentence.start + end])
            add(sentence.start + start, sentence.start + end, rule, sentence, proper)
    return list(found.values())


def _suffix_at(text: str, end: int, rules: Rules) -> Suffix | None:
    for rule in rules.suffixes:
        if text.endswith(rule.suffix, 0, end):
            return rule
    return None


def _continues(next_word: str, rules: Rules) -> bool:
    """The name goes on after this token (…中心 followed by 主任 is not a centre's name)."""
    return any(next_word.startswith(s.suffix) for s in rules.suffixes)


def _extend_left(tokens: list[tuple[str, str, int]], j: int, suffix_start: int,
                 rules: Rules) -> int:
    """The start of the name ending with token j: tokens are taken leftwards while they may
    be part of a name; a quoted “…” is taken whole."""
    start = tokens[j][2]
    if start < suffix_start:  # the token holds more than the suffix (吉林大学): its stem too
        word = tokens[j][0]
        if any(word.startswith(b) for b in rules.name_breaks):
            return suffix_start
    k = j - 1
    while k >= 0:
        word, flag, tstart = tokens[k]
        if word and word[-1] in _CLOSE:
            depth, m = 0, k
            while m >= 0:  # find the opening mark
                if tokens[m][0] and tokens[m][0][0] in _OPEN:
                    depth = 1
                    break
                m -= 1
            if not depth:
                break
            start, k = tokens[m][2], m - 1
            continue
        if not _name_word(word, flag, rules):
            break
        start, k = tstart, k - 1
    return start


def _name_word(word: str, flag: str, rules: Rules) -> bool:
    if word in rules.name_breaks or (word[0] in _TRAILING_FUNCTION and len(word) == 1):
        return False
    if not all("\u4e00" <= ch <= "\u9fff" or ch.isalnum() for ch in word):
        return False
    if flag in ("v", "vd") and word in rules.name_verbs:
        return True
    if any(t for t in rules.triggers if word in t.words):
        return False
    return flag not in rules.stop_pos


def similar_known(name: str, gazetteer: Gazetteer, threshold: float,
                  limit: int = 3) -> list[tuple[str, str, float]]:
    """Known entities whose name or alias is close to ``name``: (id, that name, score 0-100),
    best first, one per entity."""
    from loaders.ingest.text import to_simplified

    names = list(gazetteer.owners)
    out: dict[str, tuple[str, str, float]] = {}
    for choice, score, _ in process.extract(to_simplified(name), names, scorer=fuzz.ratio,
                                             limit=limit * 3, score_cutoff=threshold):
        for node_id in gazetteer.owners[choice]:
            if node_id not in out:
                out[node_id] = (node_id, choice, round(float(score), 1))
    return sorted(out.values(), key=lambda s: -s[2])[:limit]
