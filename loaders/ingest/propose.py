"""Run every proposer over one document and gather the proposals of a review file."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ahocorasick
import networkx as nx

from graph.schema import Schema, load_schema
from loaders.ingest.candidates import (
    SCORES,
    common_word,
    find_candidates,
    similar_known,
    suffix_words,
)
from loaders.ingest.errors import IngestError
from loaders.ingest.figures import FigureCandidate, find_figures
from loaders.ingest.mentions import Gazetteer, Mention, gazetteer_for, plausible
from loaders.ingest.relations import (
    RelationCandidate,
    Spot,
    find_relations,
    listed_body_relations,
    name_relations,
    owner_relations,
    sector_of_name,
)
from loaders.ingest.rules import Rules, load_rules, per_object
from loaders.ingest.sentences import (
    Compact,
    Sentence,
    clause_start,
    compact,
    split_sentences,
)
from loaders.ingest.text import Document, read_document
from loaders.validate import observation_id

YEAR = re.compile(r"(?<![\d—–-])((?:19|20)\d\d)年")
NEAR_MISS = 85  # a candidate this close to a known name waits for the reviewer


@dataclass(frozen=True)
class SourceMeta:
    date: str | None = None  # YYYY or YYYY-MM-DD as given
    title: str | None = None
    outlet: str | None = None
    url: str | None = None


def parse_date(text: str | None, today: date | None = None) -> tuple[int | None, str | None]:
    """(year, ISO date or None) of ``--date``; an IngestError when unparseable or future."""
    if text is None:
        return None, None
    today = today or date.today()
    if re.fullmatch(r"\d{4}", text):
        year, iso = int(text), None
        if year > today.year:
            raise IngestError("--date", f"{text} is in the future", 2)
        return year, iso
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise IngestError("--date", f"{text!r} is not a date (YYYY-MM-DD or YYYY)", 2) from None
    if day > today:
        raise IngestError("--date", f"{text} is in the future", 2)
    return day.year, day.isoformat()


@per_object
def _pinyin(rules: Rules):  # type: ignore[no-untyped-def]
    """One pypinyin converter per process (its module function builds one per call), with
    the rules' readings of the region's names (长光 is chang guang: 长 abbreviates 长春)
    added to its phrases (a table of the library's own, shared by its converters)."""
    from pypinyin import load_phrases_dict
    from pypinyin.core import Pinyin

    load_phrases_dict({word: [[s] for s in syllables]
                       for word, syllables in rules.readings.items()})
    return Pinyin()


def transliterate(name: str, suffix: str, suffix_en: str, rules: Rules
                  ) -> tuple[str, list[str]]:
    """(an English name for a reviewer to correct: the stem word by word, in the rules'
    English where they have the word, else in pinyin, + the suffix's English word, 北湖科技
    开发区 -> Beihu Science and Technology Development Zone; the whole name's syllables, for
    its id). The stem is read word by word (one segmentation), so a word of the region's
    names is not read across a neighbour (科学院|长春, not 院长 "dean" + 春)."""
    from loaders.ingest.candidates import segment

    stem = name[:-len(suffix)] if suffix and name.endswith(suffix) else name
    reader = _pinyin(rules)
    words = [w for w in segment(stem) if w.strip("“”《》「」（）()")]
    read = [reader.lazy_pinyin(w) for w in words]
    english = " ".join([*(rules.english.get(w) or "".join(r).capitalize()
                          for w, r in zip(words, read, strict=True)), suffix_en]).strip()
    return english, [s for r in read for s in r] + reader.lazy_pinyin(name[len(stem):])


def slug(syllables: list[str], taken: set[str]) -> str:
    words = [s.lower() for s in syllables if re.fullmatch(r"[A-Za-z0-9]+", s)]
    base = "-".join(words)[:60].strip("-") or "entity"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _decision(score: float, threshold: float) -> str:
    return "accept" if score >= threshold else "reject"


def propose(path: Path, graph: nx.MultiDiGraph, meta: SourceMeta, *,
            source_file: str, schema: Schema | None = None, rules: Rules | None = None,
            gazetteer: Gazetteer | None = None, doc: Document | None = None) -> dict[str, Any]:
    """The review document (a dict in the review-file format) for the article at ``path``
    (``doc``: the article as ``read_document`` gives it, when the caller has read it)."""
    schema = schema or load_schema()
    rules = rules or load_rules()
    year, iso = parse_date(meta.date)
    doc = doc or read_document(path)
    gazetteer = gazetteer or gazetteer_for(graph)
    c = compact(doc)
    sentences = split_sentences(c)
    mentions = plausible(gazetteer.find(c.simplified, c.written), c.simplified, gazetteer,
                         common_word, suffix_words(rules), rules.sector_heads)
    candidates = find_candidates(c, sentences, mentions, rules,
                                 {i: e.kind for i, e in gazetteer.entities.items()})
    mentions, candidates = _counted_known(mentions, candidates, c, gazetteer)
    mentions, anaphors = _not_generic(mentions, candidates, c, suffix_words(rules))
    auto = rules.auto_accept

    starts = [s.start for s in sentences]

    def sentence_of(pos: int) -> Sentence:
        return sentences[max(0, bisect.bisect_right(starts, pos) - 1)]

    def offset(start: int, end: int) -> list[int]:
        return [c.offsets[start], c.offsets[end - 1] + 1]

    review: dict[str, Any] = {"source": _source_block(doc, meta, year, iso, source_file, c,
                                                      sentences, rules)}
    # mentions: one per entity and sentence
    review_mentions, seen = [], set()
    for m in mentions:
        sentence = sentence_of(m.start)
        if (m.ids[0], sentence.start) in seen:
            continue
        seen.add((m.ids[0], sentence.start))
        ambiguous = len(m.ids) > 1
        score = 0.5 if ambiguous else 1.0
        entry = {"key": f"m{len(review_mentions) + 1}", "entity": m.ids[0], "name": m.text,
                 "kind": gazetteer.entities[m.ids[0]].kind, "offset": offset(m.start, m.end),
                 "quote": sentence.quote, "rule": m.by, "score": score,
                 "decision": _decision(score, auto["mention"])}
        if ambiguous:
            entry["alternatives"] = list(m.ids[1:])
        review_mentions.append(entry)
    review["mentions"] = review_mentions
    # new entities
    taken = set(graph.nodes)
    entities, key_of = [], {}
    short = _short_names(candidates, c)  # 长白山 counted -> 长白山实验室 named elsewhere
    for cand in candidates:
        if cand.name in short:
            continue
        similar = similar_known(c.simplified[cand.start:cand.end], gazetteer,
                                rules.similar_threshold)
        score = cand.score + min(0.1, 0.05 * (cand.occurrences - 1))
        key = f"e{len(entities) + 1}"
        key_of[cand.name] = key
        english, syllables = transliterate(cand.name, cand.rule.suffix, cand.rule.en, rules)
        entry = {"key": key, "id": slug(syllables, taken), "name_zh": cand.name,
                 "name_en": english,
                 "kind": cand.rule.kind, "subtype": cand.rule.subtype,
                 "offset": offset(cand.start, cand.end), "quote": cand.sentence.quote,
                 "rule": cand.how,
                 "score": round(score, 2),
                 "decision": _decision(round(score, 2), auto["entity"])}
        if similar:
            entry["similar"] = [{"id": i, "name": n, "score": s} for i, n, s in similar]
            if similar[0][2] >= NEAR_MISS and _near_miss(
                    c.simplified[cand.start:cand.end], similar[0][1], cand.how):
                # a near miss may be the same entity or another one (长新创谷 vs 长新创客):
                # the reviewer decides; nothing merges by itself
                entry["decision"] = "reject"
                entry["note"] = ("close to a known entity: set decision to merge with "
                                 "merge_into, or accept it as a new entity")
        placed = _place_and_known(c.simplified[cand.start:cand.end], gazetteer)
        if placed:  # 长春市政府 = 长春市 + 市政府 (known): most likely that entity
            entry["similar"] = [{"id": placed[0], "name": placed[1], "score": 100.0},
                                *(x for x in entry.get("similar", ()) if x["id"] != placed[0])]
            entry["decision"] = "reject"
            entry["note"] = (f"a place and the known name {placed[1]}: set decision to merge "
                             f"with merge_into: {placed[0]}, or accept it as a new entity")
        entities.append(entry)
    for name, full in short.items():
        key_of[name] = key_of[full]
    review["entities"] = entities
    # relations and figures, sentence by sentence
    spots_by_sentence: dict[int, list[Spot]] = {}
    for m in mentions:
        s = sentence_of(m.start)
        spots_by_sentence.setdefault(s.start, []).append(
            Spot(m.ids[0], gazetteer.entities[m.ids[0]].kind, m.start, m.end))
    kind_of = {cand.name: cand.rule.kind for cand in candidates}
    for name, full in short.items():  # a short name is read as the entity it names
        kind_of[name] = kind_of[full]
    groups = {cand.name for cand in candidates if cand.how.startswith("group")}
    decisions = {e["key"]: e["decision"] for e in entities}
    for name, at in _first_in_each_sentence(c.written, list(kind_of), sentences):
        spots_by_sentence.setdefault(sentence_of(at).start, []).append(
            Spot(key_of[name], kind_of[name], at, at + len(name), name in groups,
                 decisions.get(key_of[name]) != "accept"))
    for m in anaphors:  # 该实验室: the nearest lab named before it
        named = max((cand for cand in candidates if cand.end <= m.start
                     and cand.name in key_of and cand.how.startswith("suffix")
                     and c.simplified[cand.start:cand.end].endswith(
                         c.simplified[m.start:m.end])), key=lambda cand: cand.end, default=None)
        if named is not None:
            spots = spots_by_sentence.setdefault(sentence_of(m.start).start, [])
            spots.append(Spot(key_of[named.name], named.rule.kind, m.start, m.end, False,
                              decisions.get(key_of[named.name]) != "accept"))
            spots.sort(key=lambda p: p.start)
    figures: list[dict[str, Any]] = []

    seen_relations: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add_relation(r: RelationCandidate, s: Sentence) -> None:
        """One proposal per (from, rel, to) in the article: the best-scored sentence's."""
        triple = (r.source.ref, r.relation, r.target.ref)
        if triple in seen_relations and seen_relations[triple]["score"] >= r.score:
            return
        endpoints_ok = all(decisions.get(ref, "accept") == "accept"
                           for ref in (r.source.ref, r.target.ref))
        entry = {"key": "", "from": r.source.ref, "rel": r.relation,
                 "to": r.target.ref, "quote": s.quote, "trigger": r.trigger or None,
                 "rule": r.how, "score": r.score,
                 "decision": _decision(r.score, auto["relation"]) if endpoints_ok
                 else "reject"}
        if r.status:
            entry["status"] = r.status
        seen_relations[triple] = entry

    known_by_name = {name: [Spot(i, gazetteer.entities[i].kind, 0, 0) for i in ids]
                     for name, ids in gazetteer.owners.items()}
    for cand in candidates:
        known_by_name.setdefault(c.simplified[cand.start:cand.end], []).append(
            Spot(key_of[cand.name], cand.rule.kind, 0, 0))
    home = _home_place(mentions, gazetteer)
    sectors = _sector_words(known_by_name, rules)
    named: set[tuple[str, str]] = set()  # (entity, name) read for relations already
    # an undated figure is as of the last year the article reports on (a review of 2021
    # published in 2022 reports 2021's figures), which is the publication year when the
    # article names no earlier one
    default_year = review["source"]["reports_on_end"]
    carried: Spot | None = None
    previous_spots: tuple[Spot, ...] = ()
    newlines = [i for i, ch in enumerate(doc.text) if ch == "\n"]
    paragraph, context_year = -1, None
    for s in sentences:
        here = bisect.bisect(newlines, c.offsets[s.start])
        if here != paragraph:  # a year dates the figures after it in its paragraph only
            paragraph, context_year = here, None
            carried = None  # a new paragraph: its unstated subject is the home place
            previous_spots = ()
        simplified = c.simplified[s.start:s.end]
        spots = _outermost(spots_by_sentence.get(s.start, []))
        reading = find_relations(simplified, s, spots, rules, schema, carried, home,
                                 previous_spots)
        for r in reading.relations:
            add_relation(r, s)
        # names are read for every entity of the sentence, also one inside a longer name
        # (中车长春轨道客车股份有限公司 inside its 技术中心's name)
        # (each way it is written: 中车长客 says less than 中车长春轨道客车股份有限公司)
        for spot in sorted(spots_by_sentence.get(s.start, []), key=lambda p: p.start):
            name = c.simplified[spot.start:spot.end]
            if (spot.ref, name) not in named:
                named.add((spot.ref, name))
                for r in name_relations(spot, name, known_by_name, schema, s) + \
                        sector_of_name(spot, name, sectors, schema, s):
                    add_relation(r, s)
        for r in owner_relations(spots_by_sentence.get(s.start, []), schema, s) + \
                listed_body_relations(spots, simplified, s.start, known_by_name,
                                      frozenset(b for b, _ in rules.bodies), schema, s):
            add_relation(r, s)
        carried = reading.subject or carried
        previous_spots = tuple(spots)
        names = tuple((p.start - s.start, p.end - s.start) for p in spots)
        for f in find_figures(simplified, s, rules, schema, default_year, context_year,
                              review["source"]["published_year"], names):
            # the nearest entity a reviewer who changes nothing keeps (not 轨运行卫星, a
            # rejected cut of 在轨运行卫星, before 吉林一号's figure)
            subject = _subject(f.subject_kinds, [p for p in spots if decisions.get(
                p.ref, "accept") == "accept"], f.start,
                f.end + 1 if simplified[f.end - s.start:f.end - s.start + 1] == "的" else None)
            subject, metric, score = _beyond_nearest(
                f, subject, spots, home, simplified[:f.start - s.start], rules, schema)
            entry = {"key": f"f{len(figures) + 1}", "subject": subject, "metric": metric,
                     "value": f.value, "unit": f.unit, "written": f.written,
                     "period_start": f.period_start, "period_end": f.period_end,
                     "status": f.status, "offset": offset(f.start, f.end), "quote": s.quote,
                     "rule": f"unit {f.written}" + (
                         f", metric word {f.metric_word}" if f.metric_word else
                         ", the count of a group" if metric else ", no metric word"),
                     "score": score if subject else 0.3}
            if f.period_zh:
                entry["period_zh"] = f.period_zh
            if f.bound:
                entry["bound"] = f.bound
            entry["decision"] = _decision(entry["score"], auto["figure"])
            _against_graph(entry, graph)
            figures.append(entry)
        years = [int(y) for y in YEAR.findall(simplified)
                 if default_year is None or int(y) <= default_year]  # not a target year
        if years:
            context_year = years[-1]
    for i, entry in enumerate(seen_relations.values(), 1):
        entry["key"] = f"r{i}"
    review["relations"] = list(seen_relations.values())
    review["figures"] = figures
    return review


_ADMIN = ("省", "市", "区", "县", "镇")


SHORT_REST = r"(?:技术|科技|股份|集团|实业|控股|发展|工业){0,2}(?:股份)?有限(?:责任)?公司"


def _short_names(candidates: list, c: Compact) -> dict[str, str]:
    """Counted items whose name and their head's suffix (or a shorter ending of it) is the
    name of another candidate of the article (长白山 of 长白山、三江和吉光3个省实验室, and
    长白山实验室 in a caption), and companies' short names: the short name -> that
    candidate's name."""
    by_name = {c.simplified[x.start:x.end]: x.name for x in candidates}
    out = {}
    companies = [(c.simplified[x.start:x.end], x.name) for x in candidates
                 if x.rule.kind == "Company"]
    for cand in candidates:
        name = c.simplified[cand.start:cand.end]
        # 长光卫星 beside 长光卫星技术有限公司: a company's short name (its legal name less
        # a trade word or two and the legal form)
        full = next((n for s, n in companies if cand.rule.kind != "Company" and s.startswith(name)
                     and re.fullmatch(SHORT_REST, s[len(name):])), None)
        if full and len(name) >= 3:
            out[cand.name] = full
            continue
        if cand.how.startswith("counted item"):
            name, suffix = c.simplified[cand.start:cand.end], cand.rule.suffix
            full = next((by_name[name + suffix[n:]] for n in range(len(suffix) - 1)
                         if name + suffix[n:] in by_name), None)
            if full:
                out[cand.name] = full
    return out


def _counted_known(mentions: list[Mention], candidates: list, c: Compact,
                   gazetteer: Gazetteer) -> tuple[list[Mention], list]:
    """长白山、三江和吉光3个省实验室: a counted item whose name and its head's suffix (or a
    shorter ending of it) is a known name (长白山实验室) is that entity, named short."""
    kept, extra = [], []
    for cand in candidates:
        name = c.simplified[cand.start:cand.end]
        suffix = cand.rule.suffix
        ids = next((gazetteer.owners[name + suffix[n:]] for n in range(len(suffix) - 1)
                    if cand.how.startswith("counted item")
                    and name + suffix[n:] in gazetteer.owners), None)
        if ids:
            extra.append(Mention(cand.start, cand.end, cand.name, ids, "alias"))
        else:
            kept.append(cand)
    return sorted(mentions + extra, key=lambda m: m.start), kept


_DEMONSTRATIVES = ("该", "此", "这", "这个", "这一", "上述")


def _not_generic(mentions: list[Mention], candidates: list, c: Compact,
                 generic: frozenset[str]) -> tuple[list[Mention], list[Mention]]:
    """A known name that is a generic word (实验室, the graph's group of labs) is no
    mention inside a longer suffixed name proposed around it (智能网联汽车联合实验室), nor
    after a demonstrative (该实验室: the lab named before, not the group): (the mentions
    kept, the generic words after a demonstrative)."""
    spans = [(f.start, f.end) for f in candidates if f.how.startswith("suffix")]
    kept, anaphors = [], []
    for m in mentions:
        if c.simplified[m.start:m.end] not in generic:
            kept.append(m)
        elif c.simplified[:m.start].endswith(_DEMONSTRATIVES):
            anaphors.append(m)
        elif not any(a <= m.start and m.end <= b and b - a > m.end - m.start for a, b in spans):
            kept.append(m)
    return kept, anaphors


def _place_and_known(name: str, gazetteer: Gazetteer) -> tuple[str, str] | None:
    """(id, name) of the known entity a candidate names after a place (长春 + 市政府, 长春市 +
    科技局): the same entity, written with its place."""
    for n in range(2, len(name) - 1):
        head, rest = name[:n], name[n:]
        if rest in gazetteer.owners and any(
                gazetteer.entities[i].kind == "Place" for i in gazetteer.owners.get(head, ())):
            owner = gazetteer.owners[rest][0]
            if gazetteer.entities[owner].kind != "Place":
                return owner, rest
    return None


def _near_miss(name: str, known: str, how: str) -> bool:
    """Whether a candidate this close to a known name may be that entity (the reviewer
    decides) or is plainly another: a group with another count (12家高校院所 vs 11家…), a
    unit of the known entity (its name and a suffix: …有限公司技术中心), a place of another
    level (吉林省 vs 吉林市)."""
    if how.startswith("group"):
        count = re.match(r"\d+|[一二两三四五六七八九十百千]+", name)
        return bool(count) and known.startswith(count.group())  # type: ignore[union-attr]
    if name.startswith(known) and len(name) > len(known):
        return False
    return not (name[-1:] in _ADMIN and known[-1:] in _ADMIN and name[-1] != known[-1])


def _sector_words(known: dict[str, list[Spot]],
                  rules: Rules) -> list[tuple[str, Spot, bool]]:
    """(industry word, Sector, the sector's own name) triples, longest word first: the names
    and aliases of the known and proposed sectors, and the rules' sector_words whose sector
    is one of them."""
    by_name = {name: spot for name, spots in known.items() for spot in spots
               if spot.kind == "Sector"}
    pairs = {name: (spot, True) for name, spot in by_name.items()}
    for word, sector in rules.sector_words:
        if sector in by_name:
            pairs.setdefault(word, (by_name[sector], False))
    return sorted(((w, p, own) for w, (p, own) in pairs.items()), key=lambda t: -len(t[0]))


MODALS = ("将", "拟", "力争", "预计", "争取", "确保", "目标")  # not 计划/规划: names hold them


def _plan_year(text: str, start: int, end: int, plan_words: list[str]) -> bool:
    """A year that introduces a plan (到2027年; 2022年，长春市将…): a modal word in its own
    clause or the next one. Plan nouns (计划, 规划) count only in the year's own clause, where
    they are rarely part of a name (2021年，…科技发展计划体系 reports on 2021)."""
    if text[max(0, start - 1):start] == "到":
        return True
    clauses = re.split(r"[，,；;：:]", text[end:])
    own, following = clauses[0], "".join(clauses[:2])
    return any(w in following for w in MODALS) or any(
        w in own for w in plan_words if w not in MODALS)


def _home_place(mentions: list[Mention], gazetteer: Gazetteer) -> Spot | None:
    """The place the article names most (first named on a tie): the actor of the sentences
    that name none (a city's articles report what its government did)."""
    counts: dict[str, int] = {}
    for m in mentions:
        if gazetteer.entities[m.ids[0]].kind == "Place":
            counts[m.ids[0]] = counts.get(m.ids[0], 0) + 1
    if not counts:
        return None
    top = max(counts, key=lambda i: counts[i])  # dicts keep order: the first on a tie
    return Spot(top, "Place", 0, 0)


def _first_in_each_sentence(text: str, names: list[str],
                            sentences: list[Sentence]) -> list[tuple[str, int]]:
    """(name, offset) of each occurrence of each name inside a sentence (a name named twice
    in a sentence is read twice: 《某确认函》…为A、B审发某确认函); one pass of an Aho-Corasick
    automaton over the text, not a search per name and sentence."""
    if not names:
        return []
    automaton = ahocorasick.Automaton()
    for name in names:
        automaton.add_word(name, name)
    automaton.make_automaton()
    starts = [s.start for s in sentences]
    first: dict[tuple[str, int], int] = {}
    for end, name in automaton.iter(text):
        at = end - len(name) + 1
        i = bisect.bisect_right(starts, at) - 1
        if i < 0 or end >= sentences[i].end:
            continue  # across a sentence boundary
        first.setdefault((name, at), at)
    return [(name, at) for (name, _), at in first.items()]


def _against_graph(entry: dict[str, Any], graph: nx.MultiDiGraph) -> None:
    """A figure the graph already has (same subject, metric, period, status and value) is a
    second quote for that observation; one with another value conflicts with it and waits for
    the reviewer (which figure is right is not for a rule to say)."""
    if not entry["subject"] or not entry["metric"] or entry["subject"] not in graph:
        return
    oid = observation_id(entry["subject"], entry["metric"], entry)
    if oid not in graph:
        return
    have = graph.nodes[oid].get("value")
    if have == entry["value"]:
        entry["existing"] = oid
        entry["rule"] += f"; already observation {oid}: accept adds this quote to it"
    else:
        entry["conflicts"] = {"id": oid, "value": have}
        entry["decision"] = "reject"
        entry["note"] = (f"observation {oid} already says {have}: check both quotes; correct "
                         "this figure or the existing record before accepting")


def _outermost(spots: list[Spot]) -> list[Spot]:
    """Spots not inside a longer one (长春 inside 长春光电子产业研究院 is not an entity of
    the sentence on its own), in text order."""
    spots = sorted(spots, key=lambda p: (p.start, -(p.end - p.start)))
    out: list[Spot] = []
    for spot in spots:
        if out and spot.start < out[-1].end:
            continue
        out.append(spot)
    return out


#: A figure of a place's metric (``Rules.place_kinds``), in a sentence that names none: the
#: article's home place's, accepted but below a named subject's score.
HOME_SCORE = 0.7


def _beyond_nearest(f: FigureCandidate, subject: str | None, spots: list[Spot],
                    home: Spot | None, before: str, rules: Rules, schema: Schema
                    ) -> tuple[str | None, str | None, float]:
    """(subject, metric, score) of a figure where the nearest entity before it (``subject``)
    and the catalogue words around it say nothing: the home place (全市…, or a place's
    metric in a sentence naming none), or the group whose name holds the count."""
    metric, score = f.metric, f.score
    if subject is None and home is not None and home.kind in f.subject_kinds:
        if _names_home(before, rules):
            subject = home.ref  # 全市…突破5000户: the city the article is about
        elif set(f.subject_kinds) <= rules.place_kinds \
                and not _named_in_clause(f, spots, before) \
                and not _about_a_unit(before, rules):
            # a city's own statistic, no entity named in its clause (新入选院士1人,
            # 2024年，高新技术企业达到3000户); a zone's is named (长春新区拥有…)
            subject, score = home.ref, min(score, HOME_SCORE)
    group = next((p for p in spots if p.group and p.start <= f.start and f.end <= p.end),
                 None)  # 12家高校院所, 中科院所属121家科研单位
    if metric is None and group is not None and rules.group_metric and \
            f.unit == schema.metrics[rules.group_metric].unit:
        # the count in a group's name says how many units it stands for
        metric, subject, score = rules.group_metric, group.ref, SCORES["group"]
    return subject, metric, score


def _clause(before: str) -> str:
    """The figure's clause: its sentence up to the figure (``before``), from the last clause
    mark."""
    return before[clause_start(before, len(before)):]


def _named_in_clause(f: FigureCandidate, spots: list[Spot], before: str) -> bool:
    """Whether an entity is named in the figure's clause before it (compact offsets), other
    than inside its metric word (中科院 of 新入选中科院院士: the metric, not its subject)."""
    clause = _clause(before)
    start = f.start - len(clause)
    at = clause.rfind(f.metric_word) if f.metric_word else -1
    word = (start + at, start + at + len(f.metric_word or "")) if at >= 0 else (0, 0)
    return any(start <= p.start and p.end <= f.start
               and not (word[0] <= p.start and p.end <= word[1]) for p in spots)


def _about_a_unit(before: str, rules: Rules) -> bool:
    """Whether the figure's sentence (``before``: up to the figure) opens with the type word
    of a unit (新区…, 该园区…: ``topic_kinds``), so speaks of one named before, not of the
    home place."""
    opening = next((before[len(d):] for d in sorted(_DEMONSTRATIVES, key=len, reverse=True)
                    if before.startswith(d)), before)
    return any(opening.startswith(s.suffix) for s in rules.suffixes
               if len(s.suffix) >= 2 and s.kind in rules.topic_kinds)


def _names_home(before: str, rules: Rules) -> bool:
    """Whether the figure's clause (``before``: its sentence up to the figure) speaks of the
    article's own place as a whole (全市, 我市: ``home_words``)."""
    return any(w in _clause(before) for w in rules.home_words)


def _subject(kinds: tuple[str, ...], spots: list[Spot], before: int,
             modified: int | None = None) -> str | None:
    """The nearest entity before the figure whose kind the metric may be about; an entity
    of such a kind right after the figure and 的 (``modified``: where it would start) is
    the one the figure describes (规模5亿元的天使投资基金)."""
    after = [s for s in spots if s.kind in kinds and s.start == modified]
    if after:
        return after[0].ref
    fitting = [s for s in spots if s.kind in kinds and s.start < before]
    return max(fitting, key=lambda s: s.start).ref if fitting else None


def _source_block(doc: Document, meta: SourceMeta, year: int | None, iso: str | None,
                  source_file: str, c: Compact, sentences: list[Sentence],
                  rules: Rules) -> dict[str, Any]:
    # years of plans and targets (2022年，长春市将…) are not years the article reports on
    plan_words = [w for words, _, _ in rules.status_words for w in words]
    years = [int(m.group(1)) for s in sentences for m in YEAR.finditer(s.quote)
             if not _plan_year(s.quote, m.start(), m.end(), plan_words)]
    this_year = date.today().year
    published_year = year or max([y for y in years if y <= this_year] or [this_year])
    past = [y for y in years if y <= published_year]
    headline = meta.title or (sentences[0].quote if sentences else doc.path.stem)
    block: dict[str, Any] = {
        "file": source_file, "original": str(doc.path), "sha256": doc.sha256,
        "id": "source-" + source_file.split("_", 1)[-1].split(".")[0][:16],
        "headline": headline[:200], "published_year": published_year,
        "reports_on_start": min(past) if past else published_year,
        "reports_on_end": max(past) if past else published_year,
    }
    if iso:
        block["published"] = iso
    if meta.outlet:
        block["outlet"] = meta.outlet
    if meta.url:
        block["url"] = meta.url
    block["html"] = doc.html
    return block
