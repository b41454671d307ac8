"""Candidate relations between entities of one sentence, from the trigger words of the rules
(graph/ingest_rules.yaml), read clause by clause the way Chinese news prose is written:

- a clause is cut at ，；： (not at 、, which joins the items of a list); a trigger inside an
  entity's name (合作 in 科技合作园区) is no trigger;
- the **subject** of a trigger is the last entity before it in its clause (after any earlier
  trigger of the clause); a clause with none takes the subject of the previous trigger of the
  clause (serial verbs: 启动实施 A), else the sentence's subject (the first entity before its
  first trigger), else the previous sentence's subject (Chinese drops a subject that stays
  the same: "长春市…。全面启动实施…"), else the article's home place (the place it names
  most, whose government is the actor of most unstated sentences);
- the **objects** are all entities after the trigger up to the next trigger or the end of the
  clause (a list "设立A、B、C" gives one relation each);
- "A 与 B 合作" (与/同/和/跟 before B, a symmetric trigger after): A with B; "A 与 B 共建 C":
  A and B both subjects of C; "A 由 B 设立" (由/被): B is the subject, A the object;
- the relation is the first of the trigger's whose endpoint kinds fit the schema; none fits,
  none is proposed (a reversed reading was wrong more often than right);
- the score says how the subject was found: in the clause, in the sentence, carried from the
  previous sentence, or the home place; and falls a little with the distance.

Also: 在 before a list of sectors closed by 领域 reads as WORKS_IN_SECTOR; a sentence opening
with a bare kind word (实验室在…, 这些企业…) speaks of the previous sentence's entities of that
kind; the items of "A、B等12家高校院所" are MEMBER_OF the group; a title between a body and a
person (长春市委书记王某) makes the person LEADS (or MEMBER_OF) it.

Pairs in one clause with no trigger between them get a relation only from the rules' kind
pairs (a Sector named beside a company: WORKS_IN_SECTOR), scored below the auto-accept line.
Relations read off names (长春XX研究院 is in 长春; 一汽技术中心 belongs to 一汽; 某汽车电子
有限公司 works in the car industry) are made by ``name_relations`` and ``sector_of_name``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.schema import Schema
from loaders.ingest.rules import Rules
from loaders.ingest.sentences import CLAUSE_MARKS, Sentence, clause_end, clause_start

CARRY = ("其", "该", "这")
PARTNER_MARKS = ("与", "同", "和", "跟")
# after a trigger, 和 joins the items of its object (围绕A和B领域); 与/同/跟 name partners of a
# later 合作 (构建与A合作)
OBJECT_PARTNER_MARKS = ("与", "同", "跟")
SYMMETRIC = ("COLLABORATES_WITH",)
JOINT = ("共", "联合")  # verbs of doing together (共建, 共同开展): the partners do it too
EVENT_ANAPHOR = r"(?:(?:此次|本次|这次|该)(?:会议|大会|活动|论坛|展会)|会上)"
DISPOSAL = ("将", "把")  # 将A纳入B: the object before the verb
REVIEW_PASSIVE = ("通过", "经过", "经")
BENEFIT = "为"  # 为A、B等8家企业审发某确认函: the programme supports them
# an entity right after one of these opens an adverbial (在A的号角下, 对A做出调整), not a
# subject
MEANS = ("通过", "依托", "借助", "利用", "以")
PREPOSITIONS = ("在", "对", "为", "从", "于", "向", "通过", "按照", "根据", "经过", "随着")
SUBJECT_KINDS = ("Institution", "Company", "Place", "Lab", "Park", "Fund", "Program", "Event",
                 "Person")
# how the subject was found -> the score of the relation (auto_accept.relation is 0.6)
SUBJECT_SCORES = {"clause": 0.8, "serial": 0.75, "sentence": 0.72, "anaphor": 0.68,
                  "carried": 0.66, "home": 0.62}
DRAFT = "（草案）"
# titles that make a person a member, not the head, of the body named before them
MEMBER_TITLES = ("常委", "委员", "院士", "教授", "研究员")
ORGANISATIONS = ("Institution", "Company", "Lab")


@dataclass(frozen=True)
class Spot:
    """An entity in the text: a known one (``ref`` its id) or a candidate (``ref`` its
    proposal key)."""
    ref: str
    kind: str
    start: int
    end: int
    group: bool = False  # a counted group (12家高校院所): its list's items are members
    weak: bool = False  # a candidate a reviewer who changes nothing rejects: no subject


@dataclass(frozen=True)
class RelationCandidate:
    source: Spot
    relation: str
    target: Spot
    trigger: str
    sentence: Sentence
    status: str | None  # planned when the sentence says so
    score: float
    how: str = ""  # the rule, for the reviewer


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


def fit(schema: Schema, relations: tuple[str, ...], a: Spot, b: Spot) -> str | None:
    for relation in relations:
        spec = schema.relation_kinds[relation]
        if a.kind in spec.from_kinds and b.kind in spec.to_kinds:
            return relation
    return None


def _break_counts(text: str) -> list[int]:
    """counts[i]: clause breaks in text[:i]; the breaks between two positions are one
    subtraction (every pair of a sentence asks)."""
    counts = [0]
    for ch in text:
        counts.append(counts[-1] + (ch in CLAUSE_MARKS))
    return counts


@dataclass
class SentenceReading:
    relations: list[RelationCandidate]
    subject: Spot | None  # the sentence's own subject, carried to the next one


def find_relations(simplified: str, sentence: Sentence, spots: list[Spot], rules: Rules,
                   schema: Schema, carried: Spot | None = None,
                   home: Spot | None = None,
                   before: tuple[Spot, ...] = ()) -> SentenceReading:
    """``simplified``: the sentence's compact simplified text; spots in compact offsets (the
    outermost names). ``carried``: the previous sentence's subject; ``home``: the article's
    home place; ``before``: the previous sentence's entities (a sentence opening with a bare
    kind word, 实验室在…, speaks of those of that kind)."""
    base = sentence.start
    spots = sorted({(s.start, s.ref): s for s in spots}.values(), key=lambda s: s.start)
    local = [(s, s.start - base, s.end - base) for s in spots]
    triggers = [t for t in _triggers(simplified, rules)
                if not any(a <= t[0] < b for _, a, b in local)]  # 合作 in 科技合作园区
    counts = _break_counts(simplified)
    names = {b: a for _, a, b in local}  # end -> start of each name in the sentence
    anaphors = _anaphors(simplified, local, before, rules)
    for at, relations in _field_markers(simplified, local, rules, bool(anaphors)):
        triggers.append((at, at + 1, "在…领域", relations))
    triggers.sort()
    unnamed = list(simplified)  # status words inside names (科技发展计划) plan nothing
    for _, a, b in local:
        unnamed[a:b] = "□" * (b - a)
    unnamed = "".join(unnamed)  # type: ignore[assignment]
    best: dict[tuple[str, str], RelationCandidate] = {}

    def offer(cand: RelationCandidate) -> None:
        key = (cand.source.ref, cand.target.ref)
        if cand.source.ref != cand.target.ref and (
                key not in best or cand.score > best[key].score):
            best[key] = cand

    first_trigger = triggers[0][0] if triggers else len(simplified)
    opening = [s for s, a, _ in local if a < first_trigger and s.kind in SUBJECT_KINDS
               and not s.weak and not simplified[:a].endswith(PARTNER_MARKS + PREPOSITIONS)]
    own = opening[0] if opening else None
    # the sentence's subject with those listed with it (长春市委、市政府以…召开…)
    owns = _opening_list(simplified, opening, base)
    topic: tuple[list[Spot], str] | None = (owns, "sentence") if own else (
        ([carried], "carried") if carried else (([home], "home") if home else None))
    # 通过/依托 A，聚焦 B: A is the means, and the subject of what follows where it fits
    means = [s for s, a, _ in local if counts[a] == 0] if counts[-1] and \
        simplified.startswith(MEANS) else []
    previous: dict[int, tuple[list[Spot], str]] = {}  # clause -> subjects of its last trigger
    partners: list[Spot] = []  # the partners of the sentence's last symmetric trigger
    set_up: dict[int, list[Spot]] = {}  # clause -> what its verb set up or runs
    for k, (t0, t1, word, relations) in enumerate(triggers):
        clause = counts[t0]
        before_start = clause_start(simplified, t0)
        if k and counts[triggers[k - 1][0]] == clause:
            before_start = max(before_start, triggers[k - 1][1])
        after_end = clause_end(simplified, t1)
        m = k + 1  # verbs in a row (支持打造A) share the object of the last (one of the
        # same relations, 启动实施A, leaves it to the last)
        while m < len(triggers) and triggers[m][0] == triggers[m - 1][1] and \
                triggers[m][3] != relations:
            m += 1
        if m < len(triggers) and counts[triggers[m][0]] == clause:
            after_end = min(after_end, triggers[m][0])
        before = [(s, a) for s, a, b in local if before_start <= a and b <= t0]
        after = [(s, a) for s, a, b in local if triggers[m - 1][1] <= a and b <= after_end
                 and not _after_partner_mark(simplified, a, t1, OBJECT_PARTNER_MARKS, names)]
        subjects, objects, how = _read(simplified, before, after, before_start, t0, rules,
                                       relations, previous.get(clause), topic)
        if clause and (how in ("sentence", "carried", "home") or not subjects) and means \
                and any(fit(schema, relations, means[0], o) for o, _ in objects):
            subjects, how = means[:1], "sentence"
        elif anaphors and how in ("sentence", "carried", "home", "clause") and not _names_between(
                local, before_start, t0) and any(
                fit(schema, relations, anaphors[0], o) for o, _ in objects):
            subjects, how = anaphors, "anaphor"
        if how in ("sentence", "carried", "home") and {"SUPPORTS", "FUNDS"} & set(relations):
            # 实施某专项，重点支持A: the programme just set up or run is what supports
            programmes = [o for o in set_up.get(clause - 1, []) if o.kind in ("Program", "Fund")
                          and any(fit(schema, relations, o, d) for d, _ in objects)]
            if programmes:
                subjects, how = programmes, "serial"
        if {"ESTABLISHED", "OPERATES"} & set(relations):
            set_up[clause] = [o for o, _ in objects]
        if relations[0] in SYMMETRIC and objects:
            partners = [o for o, _ in objects]  # 长春市与吉林大学深化合作，共建…: both build
        elif word.startswith(JOINT) and partners and how != "clause":
            subjects = subjects + [p for p in partners if p not in subjects]
        if relations == ("EVOLVED_INTO",) and how != "clause" and objects:
            # 推动A…，升级为B: what evolves is the last entity of B's kind named before
            same = [p for p, a, b in local if b <= t0 and p.kind == objects[0][0].kind]
            subjects, how = (same[-1:], "sentence") if same else ([], how)
        if subjects:
            previous[clause] = (subjects, "serial" if how == "clause" else how)
        if {"ESTABLISHED", "SUPPORTS", "LOCATED_IN"} & set(relations):
            for place, a in before:  # 在长春建设了中俄科技合作园区: set up there
                if place.kind == "Place" and simplified[:a].endswith("在"):
                    for dst, _ in objects:
                        if fit(schema, ("LOCATED_IN",), dst, place):
                            offer(RelationCandidate(dst, "LOCATED_IN", place, word, sentence,
                                                    None, 0.7, f"在+place+{word}"))
        status = relation_status(unnamed[:t0], rules)
        for src in subjects:
            for dst, distance in objects:
                relation = fit(schema, relations, src, dst)
                if relation is None:
                    continue
                score = SUBJECT_SCORES[how] - 0.003 * min(distance, 20)
                offer(RelationCandidate(src, relation, dst, word, sentence, status,
                                        round(score, 2), f"trigger {word}, subject {how}"))
    for group, g0, _ in local:  # A、B等12家高校院所: each item a member of the group
        if group.group and simplified[:g0].endswith("等"):
            for member in _list_before(local, simplified, g0 - 1):
                relation = fit(schema, ("MEMBER_OF",), member, group)
                if relation:
                    offer(RelationCandidate(member, relation, group, "", sentence, None,
                                            0.75, "member of a counted list (A、B等N家X)"))
    for i, (person, p0, _) in enumerate(local):  # 长春市委书记张某: a title joins them
        if person.kind == "Person" and i and local[i - 1][2] < p0:
            org, _, o1 = local[i - 1]
            title = simplified[o1:p0]
            if title in rules.person_titles or title.lstrip("副") in rules.person_titles:
                relation = fit(schema, ("MEMBER_OF",) if title in MEMBER_TITLES or
                               title.startswith("副") else ("LEADS", "MEMBER_OF"), person, org)
                if relation:
                    offer(RelationCandidate(person, relation, org, "", sentence, None, 0.8,
                                            f"title {title} between"))
                for relation, other, title in _title_chain(local, simplified, i - 1, rules):
                    if fit(schema, (relation,), person, other):  # 省委常委、长春市委书记张某
                        offer(RelationCandidate(person, relation, other, "", sentence, None,
                                                0.75, f"title {title} in a chain"))
    field = _field_topic(simplified, local, rules)
    if field is not None:  # 汽车产业领域，中国一汽…其研发的无人驾驶小巴…: all in that field
        for spot, _, _ in local:
            relation = fit(schema, FIELD, spot, field) if spot.kind not in (
                "Sector", "Place") else None  # (推动长春汽车产业: the city is no member)
            if relation:
                offer(RelationCandidate(spot, relation, field, "", sentence, None, 0.65,
                                        "field opening the sentence (X领域，…)"))
    for clause_at in [m.end() for m in re.finditer(BENEFIT, simplified)]:
        beneficiaries = _list_after(local, simplified, clause_at)
        end = clause_end(simplified, clause_at)
        for program, a, _ in local:
            if beneficiaries and program.kind in ("Program", "Fund") and \
                    beneficiaries[-1].end - base <= a < end:
                for who in beneficiaries:
                    if fit(schema, ("SUPPORTS",), program, who):
                        offer(RelationCandidate(program, "SUPPORTS", who, "", sentence,
                                                None, 0.65, "为+beneficiary, programme after"))
    for i, (a, _, a1) in enumerate(local):  # kinds side by side, no trigger between
        for b, b0, _ in local[i + 1:]:
            if b0 < a1 or counts[b0] != counts[a1] or any(
                    a1 <= t[0] < b0 for t in triggers):
                continue
            for pair in rules.kind_pairs:
                for src, dst in ((a, b), (b, a)):
                    if src.kind in pair.from_kinds and dst.kind in pair.to_kinds:
                        offer(RelationCandidate(src, pair.relation, dst, "", sentence,
                                                None, pair.score, "kinds in one clause"))
    return SentenceReading(sorted(best.values(), key=lambda r: (r.source.start,
                                                                r.target.start)),
                           own or (carried if simplified.lstrip("“\"").startswith(CARRY)
                                   else None))


def _read(text: str, before: list[tuple[Spot, int]], after: list[tuple[Spot, int]],
          start: int, t0: int, rules: Rules, relations: tuple[str, ...],
          serial: tuple[list[Spot], str] | None, topic: tuple[list[Spot], str] | None
          ) -> tuple[list[Spot], list[tuple[Spot, int]], str]:
    """(subjects, objects with their distance from the trigger, how the subject was found)
    of the trigger at t0 whose clause part before it starts at ``start``."""
    segment = text[start:t0]
    # the items of a list after the trigger are all as far from it as the list is
    objects = [(s, after[0][1] - t0) for s, _ in after]
    clause = text[clause_start(text, t0):t0]
    if relations == ("PART_OF",) and any(w in clause for w in DISPOSAL):
        # 将A纳入B: A is what is put into B; no A named, no relation
        at = t0 - len(clause) + max(clause.rfind(w) for w in DISPOSAL)
        return [s for s, a in before if a > at], objects, "clause"
    markers = rules.passive + (REVIEW_PASSIVE if relations[0] == "REVIEWED" and not after
                               else ())  # A已通过B审核: B reviewed A
    passive_at = max((segment.rfind(p) for p in markers), default=-1)
    if passive_at >= 0:  # A 由 B 设立: B sets A up
        agents = [s for s, a in before if a >= start + passive_at]
        patients = [(s, t0 - a) for s, a in before if a < start + passive_at]
        if not patients and topic:
            patients = [(t, 0) for t in topic[0]]
        return agents, patients, "clause"
    # 和 joins partners only before a symmetric trigger (A和B合作); elsewhere it joins the
    # items of a list (A、B和C3家企业落户…)
    marks = PARTNER_MARKS if relations[0] in SYMMETRIC else OBJECT_PARTNER_MARKS
    partners = [(s, a) for s, a in before if _after_partner_mark(text, a, start, marks)]
    if partners:
        first = min(a for _, a in partners)
        lead = [s for s, a in before if a < first]
        subject = [lead[-1]] if lead else list(topic[0]) if topic else []
        how = "clause" if lead else topic[1] if topic else "clause"
        if relations[0] in SYMMETRIC:  # A 与 B、C 合作: the list is as far as its end
            gap = t0 - max(a for _, a in partners)
            return subject, [(s, gap) for s, _ in partners], how
        return subject + [s for s, _ in partners], objects, how  # A 与 B 共建 C
    if before:  # 长春市委、市政府召开…: each item of a list before the verb is a subject
        return _coordinated(text, before), objects, "clause"
    if serial:
        return serial[0], objects, serial[1]
    if topic:
        return list(topic[0]), objects, topic[1]
    return [], objects, "clause"  # no subject (a means clause may give one)


FIELD = ("WORKS_IN_SECTOR", "TARGETS_SECTOR")


def _coordinated(text: str, before: list[tuple[Spot, int]]) -> list[Spot]:
    """The last entity before a verb and the ones listed with it (A、B和C): text between
    two items is a single 、/和/及 (与 names partners, read apart)."""
    items = [before[-1]]
    for spot, at in reversed(before[:-1]):
        end = at + (spot.end - spot.start)
        if text[end:items[-1][1]] not in ("、", "和", "及"):
            break
        items.append((spot, at))
    return [s for s, _ in reversed(items)]


def _title_chain(local: list[tuple[Spot, int, int]], text: str, k: int,
                 rules: Rules) -> list[tuple[str, Spot, str]]:
    """Bodies and titles listed before the body next to a person (省委常委、长春市委书记张某):
    (relation, body, title) for each, read leftwards while "body title、" repeats."""
    out = []
    start = local[k][1]
    for m in range(k - 1, -1, -1):
        body, _, end = local[m]
        between = text[end:start]
        title = between[:-1]
        if not between.endswith("、") or not (
                title in rules.person_titles or title.lstrip("副") in rules.person_titles):
            break
        out.append(("MEMBER_OF" if title in MEMBER_TITLES or title.startswith("副")
                    else "LEADS", body, title))
        start = local[m][1]
    return out


def _list_after(local: list[tuple[Spot, int, int]], text: str, at: int) -> list[Spot]:
    """The entities of a list that starts at ``at`` (A、B、C等8家企业), joined by 、/和/及/等."""
    items: list[Spot] = []
    for spot, a, b in local:
        if a < at:
            continue
        if a != at:
            break
        items.append(spot)
        at = b + 1 if text[b:b + 1] in ("、", "和", "及", "等") else -1
    return items


def _field_topic(text: str, local: list[tuple[Spot, int, int]], rules: Rules) -> Spot | None:
    """The sector a sentence opens with as its topic (汽车产业领域，…; 在生物医药领域，…)."""
    for spot, a, b in local[:1]:
        head = text[b:b + 3]
        if spot.kind == "Sector" and text[:a] in ("", "在") and any(
                head.startswith(h + ch) for h in rules.sector_heads for ch in "，,"):
            return spot
    return None


def _opening_list(text: str, opening: list[Spot], base: int) -> list[Spot]:
    """The sentence's first entity and the entities listed right after it (A、B…)."""
    if not opening:
        return []
    out = [opening[0]]
    for spot in opening[1:]:
        if text[out[-1].end - base:spot.start - base] not in ("、", "和", "及"):
            break
        out.append(spot)
    return out


def _names_between(local: list[tuple[Spot, int, int]], start: int, end: int) -> bool:
    """Whether an entity stands between ``start`` and ``end``."""
    return any(start <= a and b <= end for _, a, b in local)


def _anaphors(text: str, local: list[tuple[Spot, int, int]], before: tuple[Spot, ...],
              rules: Rules) -> list[Spot]:
    """A sentence opening with a bare kind word (实验室, 这些企业, 上述高校) and naming no
    entity before its first break speaks of the previous sentence's entities of that kind."""
    opening = re.match(r"(?:这些|上述|各|其中)?([\u4e00-\u9fff]{2,7}?)(?=在|，|已|均|也|都|将)",
                       text) or re.match(EVENT_ANAPHOR, text)
    if not opening or any(a < opening.end() for _, a, _ in local):
        return []
    word = opening.group(1) if opening.re.groups else ""
    head = next((h for h in rules.group_heads if h.suffix == word), None)
    if head is None and re.match(EVENT_ANAPHOR, text):  # 此次会议…成立…: the event before
        return [s for s in before if s.kind == "Event"]
    return [s for s in before if head and s.kind == head.kind]


def _field_markers(text: str, local: list[tuple[Spot, int, int]],
                   rules: Rules, anaphoric: bool = False) -> list[tuple[int, tuple[str, ...]]]:
    """在 opening a list of sectors closed by 领域/产业/行业 (实验室在光电信息、新材料等领域取得
    成果): the entity before it works in them. Only with a subject in the clause (the
    relation is read as a trigger whose subject must be named there)."""
    out = []
    for i, (spot, a, _) in enumerate(local):
        if spot.kind != "Sector" or not text[:a].endswith("在"):
            continue
        rest = text[a:]
        end = min([rest.find(ch) for ch in "，。；" if ch in rest] or [len(rest)])
        if any(h in rest[:end] for h in rules.sector_heads) and (anaphoric or any(
                s.kind != "Sector" and b <= a - 1 and not any(
                    ch in text[b:a] for ch in "，。；") for s, _, b in local[:i])):
            out.append((a - 1, FIELD))
    return out


def _list_before(local: list[tuple[Spot, int, int]], text: str, end: int) -> list[Spot]:
    """The entities of the list A、B、C that ends at ``end``, joined by 、/和/及 only."""
    items: list[Spot] = []
    for spot, a, b in reversed(local):
        if b > end:
            continue
        if b != end:
            break
        items.append(spot)
        if a == 0 or text[a - 1] not in "、和及与":
            break
        end = a - 1
    return items


def _after_partner_mark(text: str, at: int, start: int,
                        marks: tuple[str, ...] = PARTNER_MARKS,
                        names: dict[int, int] | None = None) -> bool:
    """The entity at ``at`` follows 与/同/和/跟, or is an item of a list that does (与A、B).
    ``names``: end -> start of the entity names (创新平台与人才计划、X: the 与 inside a name
    marks no partner)."""
    i = at
    while i > start:
        ch = text[i - 1]
        if ch in marks:
            return True
        if ch != "、":
            return False
        j = i - 1  # skip the previous item of the list back to its start
        if names and j in names:
            i = names[j]
            continue
        while j > start and text[j - 1] not in "、与同和跟，,；;：:":
            j -= 1
        i = j
    return False


def name_relations(spot: Spot, name: str, known: dict[str, list[Spot]], schema: Schema,
                   sentence: Sentence) -> list[RelationCandidate]:
    """Relations a name states: 长春XX研究院 or XX（长春）有限公司 is in 长春 (LOCATED_IN a
    place its name begins with or holds in brackets); 一汽技术中心 belongs to 一汽 and
    长白山实验室鸟窝园 is part of 长白山实验室 (the longest other entity its name begins
    with: AFFILIATED_WITH, else PART_OF). ``known``: simplified name -> entities."""
    if name.endswith(DRAFT) and len(name) > len(DRAFT) + 1:  # 某某条例（草案） -> 某某条例
        for other in known.get(name[:-len(DRAFT)], ()):
            if fit(schema, ("EVOLVED_INTO",), spot, other):
                return [RelationCandidate(spot, "EVOLVED_INTO", other, "", sentence, None,
                                          0.7, "a draft of the name without （草案）")]
    if spot.kind == "Event":  # 市委十四届五次全会: the body its name begins with held it
        for n in range(len(name) - 2, 1, -1):
            for body in known.get(name[:n], ()):
                if body.ref != spot.ref and body.kind != "Place" and \
                        fit(schema, ("HELD",), body, spot):  # (长春国际…博览会: only where)
                    return [RelationCandidate(body, "HELD", spot, "", sentence, None, 0.7,
                                              f"event named after {name[:n]}")]
    if spot.kind == "Program":  # 高速智能动车组重大科技专项 is one of the 重大科技专项
        for n in range(2, len(name) - 3):
            for whole in known.get(name[n:], ()):
                if whole.ref != spot.ref and whole.kind == "Program" and \
                        fit(schema, ("PART_OF",), spot, whole):
                    return [RelationCandidate(spot, "PART_OF", whole, "", sentence, None, 0.7,
                                              f"name ends with {name[n:]}")]
    prefixes: list[tuple[str, Spot]] = []
    bracket = name.rfind("（")
    if bracket > 0 and name.endswith(("）有限公司", "）股份有限公司")):
        inner = name[bracket + 1:name.index("）", bracket)]  # 某某（长春）有限公司: in 长春
        prefixes += [(inner, p) for p in known.get(inner, ()) if p.kind == "Place"]
    prefixes += [(name[:n], o) for n in range(len(name) - 1, 1, -1)  # longest first
                 for o in known.get(name[:n], ()) if o.ref != spot.ref]
    for prefix, other in prefixes:  # the longest that states a relation
        relation = fit(schema, _name_relations(spot.kind, other.kind), spot, other)
        if relation:
            return [RelationCandidate(spot, relation, other, "", sentence, None, 0.7,
                                      f"name begins with {prefix}")]
    if spot.kind == "Company":  # a group's brand, then the place: 中车长春轨道客车…公司
        for at in range(1, 4):
            for n in range(min(len(name) - at - 2, 4), 1, -1):
                for place in known.get(name[at:at + n], ()):
                    if place.kind == "Place" and fit(schema, ("LOCATED_IN",), spot, place):
                        return [RelationCandidate(spot, "LOCATED_IN", place, "", sentence,
                                                  None, 0.65,
                                                  f"name holds the place {name[at:at + n]}")]
    return []


def owner_relations(spots: list[Spot], schema: Schema,
                    sentence: Sentence) -> list[RelationCandidate]:
    """长春光机所大口径…试验中心: a lab right after an organisation's name belongs to it and
    is run by it. ``spots``: all the sentence's entities, also those inside longer names
    (the lab inside its 建设方案's name)."""
    out = []
    for owner in spots:
        if owner.kind not in ("Institution", "Company"):
            continue
        for unit in spots:
            if unit.start != owner.end or unit.kind != "Lab":
                continue
            if fit(schema, ("AFFILIATED_WITH",), unit, owner):
                out.append(RelationCandidate(unit, "AFFILIATED_WITH", owner, "", sentence, None,
                                             0.7, "unit after its owner's name"))
            if fit(schema, ("OPERATES",), owner, unit):
                out.append(RelationCandidate(owner, "OPERATES", unit, "", sentence, None, 0.7,
                                             "unit after its owner's name"))
    return out


def listed_body_relations(spots: list[Spot], text: str, base: int,
                          known: dict[str, list[Spot]], bodies: frozenset[str], schema: Schema,
                          sentence: Sentence) -> list[RelationCandidate]:
    """长春市委、市政府: a bare body listed right after a body named with its place is of that
    place too (市政府 LOCATED_IN 长春). ``text``: the sentence; ``base``: its offset."""
    out = []
    for first in spots:
        for body in spots:
            if text[first.end - base:body.start - base] not in ("、", "和", "及") or \
                    text[body.start - base:body.end - base] not in bodies:
                continue
            name = text[first.start - base:first.end - base]
            place = next(((name[:n], p) for n in range(len(name) - 1, 1, -1)
                          for p in known.get(name[:n], ()) if p.kind == "Place"), None)
            if place is not None and fit(schema, ("LOCATED_IN",), body, place[1]):
                out.append(RelationCandidate(body, "LOCATED_IN", place[1], "", sentence, None,
                                             0.7, f"listed after a body of {place[0]}"))
    return out


def _name_relations(kind: str, other: str) -> tuple[str, ...]:
    """What a name beginning with another entity's name says, by their kinds."""
    if other in ("Place", "Park"):  # 长春XX研究院 is in 长春; 某园区XX基地 in that park
        return ("LOCATED_IN",)
    if kind == "Program":  # 某中心建设方案 supports that centre
        return () if other == "Program" else ("SUPPORTS",)
    if other in ORGANISATIONS:  # 一汽技术中心 belongs to 一汽
        return ("AFFILIATED_WITH", "PART_OF")
    return ()  # 长春市科技创新战略 in 长春市科技创新战略合作委员会 is a word, not an owner


def sector_of_name(spot: Spot, name: str, sectors: list[tuple[str, Spot, bool]],
                   schema: Schema, sentence: Sentence) -> list[RelationCandidate]:
    """某某汽车电子有限公司 works in the car industry: the first industry word (a sector's
    name or alias, or a word of the rules' sector_words) a company's name holds, longest
    first; a lab's name its field by the sector's own name (半导体激光技术创新中心), a park's
    its target (国际汽车城).
    A lab named after its company (中国一汽技术中心) holds no industry word of its own."""
    relation = {"Company": "WORKS_IN_SECTOR", "Lab": "WORKS_IN_SECTOR",
                "Park": "TARGETS_SECTOR"}.get(spot.kind)
    if relation is None:
        return []
    for word, sector, own in sectors:
        if spot.kind == "Lab" and not own:
            continue  # a lab's field is named in full (光学 in 光学载荷…中心 is no industry)
        if word in name and sector.ref != spot.ref and fit(schema, (relation,), spot, sector):
            return [RelationCandidate(spot, relation, sector, "", sentence, None,
                                      0.65, f"name holds the industry word {word}")]
    return []
