"""Candidate new entities, each by a general rule of graph/ingest_rules.yaml:

- names ending in a suffix (…大学, …研究所, …实验室, …中心, …有限公司, …基金, …园, …工程,
  …机制), built leftwards over the segmenter's words until one that cannot be part of a name;
- 《…》 titles (policies) and names in quotation marks (“先投后股”: mechanisms, programmes);
- groups: a count, a classifier and a head noun (11家全国重点实验室), one node for the group,
  and the names counted before it (启明、曙光和星海3家企业), each of the head's kind;
- enumerations (A、B、C等…产业/领域, …等8家企业): each item, of the kind the list's head says;
  A和B领域 after a field verb; suffixed items of a list closed by 等;
- products and firsts (某公司研发的…, 全国首台…) and awards (…奖);
- people: a title and a name (市委书记张某某表示); places: words the segmenter's dictionary
  tags as place names, or ending in 省/市/区/县.

Words come from jieba's plain segmentation (with its HMM for unknown words); their tags are
one dictionary lookup each (no tagging model: that was most of the time per article). Each
candidate has a proposed kind and subtype and its closest known entities (rapidfuzz), so that
a reviewer merges instead of duplicating: nothing is merged without an exact name or alias."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz, process

from loaders.ingest import contexts
from loaders.ingest.figures import count_number
from loaders.ingest.mentions import Gazetteer, Mention
from loaders.ingest.rules import Rules, Suffix, per_object
from loaders.ingest.sentences import Compact, Sentence, clause_start

_TITLE = re.compile(r"《([^《》]{2,60})》")
_QUOTED = re.compile(r"[“「『〈]([^“”「」『』〈〉]{2,40})[”」』〉]")
_OPEN, _CLOSE = "“「『〈", "”」』〉"
_TRAILING_FUNCTION = "的了和与及"
_PROPER = ("ns", "nr", "nt", "nz", "nrt", "nrfg", "eng", "j", "x")
_NOT_NAME = "，,、。；;：:！!？?（）() "
_COUNT = r"(?:\d+|[一二两三四五六七八九十百千]+)"
_NUMERAL = re.compile(r"[\d.,%％]+|[零一二两三四五六七八九十百千万亿]+[个家项批所座名位]?")
_YEARS = re.compile(r"[（(]\d{4}\s*[—–-]+\s*\d{4}年?[）)]")
_PREPOSED = "为在与对将把被从向"  # prepositions the HMM may glue to a name's start
ORGANISED = ("Institution", "Company", "Lab", "Park")
_PLAN_VERBS = ("建设", "发展", "实施", "运行", "管理")  # before 方案/规划/办法: in the name
_PLAN_NOUNS = ("方案", "规划", "办法", "细则", "专项", "计划")
_GLUED = "则的是也将已于为和与等并在还都"  # function words jieba's HMM may glue to a name
_COMMON = ("n", "vn", "v", "a", "an")  # tags of common words (not names, not unknown words)
_NOT_ITEM = ("v", "vd", "d", "ad", "p", "c", "r", "m", "f", "t")  # vn: 生命健康 is a field
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_SPEECH = "表示|说|指出|介绍|强调|认为|主持|出席|调研|会见|致辞|讲话|参加|带队|一行"

# base scores of the rules: what a reviewer who changes nothing accepts is scored >= the
# rules' auto_accept.entity (0.7)
SCORES = {"suffix": 0.8, "suffix_common": 0.4, "title": 0.8, "quoted": 0.75,
          "quoted_alone": 0.5, "group": 0.8, "enumeration": 0.75, "person": 0.8,
          "place": 0.8, "place_plain": 0.7, "place_inside": 0.5, "product": 0.75,
          "maker": 0.7}


@dataclass
class Candidate:
    name: str  # as written (compact)
    start: int
    end: int
    rule: Suffix  # the proposed kind, subtype and English word
    sentence: Sentence
    how: str  # the rule that found it, for the reviewer
    score: float
    occurrences: int = 1
    similar: list[tuple[str, str, float]] = field(default_factory=list)  # (id, name, score)


@cache
def _jieba():  # type: ignore[no-untyped-def]
    """jieba, initialised once per process, and its dictionary's word -> tag table."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba, jieba.posseg.dt.word_tag_tab


def common_word(word: str) -> bool:
    """Whether the segmenter's dictionary holds ``word`` as a common word (not a name)."""
    tag = _jieba()[1].get(word)
    return tag is not None and tag not in _PROPER


@per_object
def suffix_words(rules: Rules) -> frozenset[str]:
    """The name suffixes and group heads: generic words (实验室, 中心, 高校院所)."""
    return frozenset(s.suffix for s in (*rules.suffixes, *rules.group_heads))


def segment(text: str) -> list[str]:
    return list(_jieba()[0].cut(text, HMM=True))


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(word, tag, offset); a word the dictionary does not know is tagged x."""
    jieba, tags = _jieba()
    out, pos = [], 0
    for word in jieba.cut(text, HMM=True):
        tag = tags.get(word) or ("m" if _NUMERAL.fullmatch(word) else
                                 "eng" if word.isascii() and word.isalnum() else "x")
        out.append((word, tag, pos))
        pos += len(word)
    return out


Add = Callable[[int, int, Suffix, Sentence, str, float], None]


@per_object
def _suffix_index(rules: Rules) -> tuple[dict[str, Suffix], tuple[int, ...], frozenset[str]]:
    """suffix -> rule, the suffix lengths (longest first), and the characters a suffix ends
    with (most words end in none of them: one set lookup rules them out)."""
    index = {s.suffix: s for s in rules.suffixes}
    return (index, tuple(sorted({len(s) for s in index}, reverse=True)),
            frozenset(s[-1] for s in index))


@per_object
def _group_pattern(rules: Rules) -> re.Pattern[str]:
    heads = "|".join(re.escape(h.suffix) for h in rules.group_heads)
    classifiers = "".join(rules.group_classifiers)
    return re.compile(rf"{_COUNT}[{classifiers}][\u4e00-\u9fff]{{0,{rules.group_max_stem}}}?"
                      rf"(?:{heads})")


@per_object
def _person_patterns(rules: Rules) -> tuple[re.Pattern[str], re.Pattern[str]]:
    titles = "|".join(re.escape(t) for t in rules.person_titles)
    surnames = "".join(sorted(rules.surnames))
    before = re.compile(rf"(?:{titles})([{surnames}][\u4e00-\u9fff]{{1,2}}?)"
                        rf"(?=(?:{_SPEECH})|[，。、；：（(])")
    after = re.compile(rf"(?<![\u4e00-\u9fff])([{surnames}][\u4e00-\u9fff]{{1,2}})"
                       rf"(?:{titles})(?![\u4e00-\u9fff])")
    return before, after


def find_candidates(c: Compact, sentences: list[Sentence], mentions: list[Mention],
                    rules: Rules, kinds: dict[str, str] | None = None) -> list[Candidate]:
    """``kinds``: known entity id -> kind (an organisation's name before a unit's keeps
    apart from it)."""
    covered = [False] * len(c.simplified)
    owner_ends = set()  # where a known organisation's name ends
    for m in mentions:
        for i in range(m.start, m.end):
            covered[i] = True
        if kinds and kinds.get(m.ids[0]) in ("Institution", "Company"):
            owner_ends.add(m.end)
    found: dict[str, Candidate] = {}

    def add(start: int, end: int, rule: Suffix, sentence: Sentence, how: str,
            score: float) -> None:
        if end - start < 2 or all(covered[start:end]):
            return  # a known entity's name: a mention, not a new entity
        name = c.written[start:end]
        if name in found:
            found[name].occurrences += 1
            found[name].score = max(found[name].score, score)
            if found[name].how.startswith("place word") and how.startswith("counted item"):
                # 长白山、三江和吉光3个省实验室: the count says what 长白山 is here
                found[name].rule, found[name].how = rule, how
        else:
            found[name] = Candidate(name, start, end, rule, sentence, how, score)

    for sentence in sentences:
        base = sentence.start
        text = c.simplified[base:sentence.end]
        for match in _TITLE.finditer(text):
            add(base + match.start(1), base + match.end(1), rules.titled, sentence,
                "title 《…》", SCORES["title"])
        _quoted(text, base, sentence, rules, add)
        for match in _group_pattern(rules).finditer(text):
            head = next(h for h in rules.group_heads if match.group().endswith(h.suffix))
            start = match.start()
            if re.match(rf"一([{''.join(rules.group_classifiers)}])\1", match.group()):
                continue  # 一个个科技创新平台: "one after another", no count
            owner = re.search(r"(所属|下属|直属|旗下)$", text[:start])
            if owner and covered[base + owner.start() - 1]:
                # 中科院所属121家科研单位: the group is named with its owner
                start = owner.start()
                while start > 0 and covered[base + start - 1]:
                    start -= 1
            if match.group().startswith("一批"):  # "a batch of": no count, the kind is named
                start += 2
                if match.end() - start <= len(head.suffix):
                    continue  # 一批企业: no name at all
            add(base + start, base + match.end(), head, sentence,
                f"group N+classifier+{head.suffix}", SCORES["group"])
            _counted_items(text, base, match.start(), head, sentence, rules, add)
        tokens = _tokens(text)
        _suffixed(text, base, tokens, covered, sentence, rules, add,
                  {e - base for e in owner_ends if base < e < sentence.end},
                  [(m.start - base, m.end - base) for m in mentions
                   if base <= m.start and m.end <= sentence.end])
        _bodies(text, base, tokens, sentence, rules, add)
        _counted_products(text, base, sentence, rules, add)
        _enumerations(text, base, sentence, rules, add)
        _products(text, base, tokens, sentence, rules, add)
        _people(text, base, sentence, rules, add)
        _places(base, tokens, sentence, rules, add)
        if rules.context is not None:
            contexts.achievements(text, base, sentence, rules.context, add,
                                  SCORES["enumeration"])
            contexts.sectors(text, base, tokens, sentence, rules.context, rules.sector,
                             _NOT_ITEM, add, SCORES["enumeration"])
            contexts.subsidies(text, base, sentence, rules.context, add, SCORES["enumeration"])
            contexts.rankings(text, base, sentence, rules.context, add, SCORES["enumeration"])
            contexts.procedures(text, base, sentence, covered, rules.context, add,
                                SCORES["enumeration"])
    if rules.context is not None:
        _read_contexts(c, sentences, mentions, kinds or {}, found, covered, rules, add)
    # nothing inside a 《…》 title is a name of its own (《…计划申报指南》), and a programme
    # word inside a longer name is a word of it (…转化战略 in …转化战略合作委员会; an
    # organisation inside one is its owner: 长白山实验室 in 长白山实验室鸟窝园)
    outer = [(f.start, f.end, f.how) for f in found.values()
             if f.how.startswith(("title", "suffix", "quoted", "record"))]
    for f in found.values():  # 南关区 opening 南关区科技局: the organisation's name attests it
        if f.rule.kind == "Place" and f.score < SCORES["place"] and f.name[-1] in "省市区县" \
                and any(g.name.startswith(f.name) and len(g.name) > len(f.name)
                        and g.rule.kind in ORGANISED for g in found.values()):
            f.score = SCORES["place"]  # (anywhere in the article: 吉林省巨程…有限公司)
        elif f.how.startswith("place word") and f.score < SCORES["place_plain"] and \
                _listed_with_place(c.simplified, f.start, f.end, [
                    (m.start, m.end) for m in mentions if (kinds or {}).get(m.ids[0]) == "Place"
                ] + [(g.start, g.end) for g in found.values() if g.rule.kind == "Place"
                     and g.score >= SCORES["place_plain"]]):
            f.score = SCORES["place_plain"]  # 与杭州、天津对口合作: listed with a known place
    counted = [(f.start, f.end) for f in found.values() if f.how.startswith("counted product")]
    found = {n: f for n, f in found.items() if not (f.how.startswith("product") and any(
        f.start < a and b == f.end for a, b in counted))}  # 双飞翼无人机TW50: TW50 is counted
    return [f for f in found.values() if not any(
        a <= f.start and f.end <= b and (b - a) > (f.end - f.start) and (
            how.startswith("title") or (f.how.startswith("suffix") and f.rule.kind == "Program")
            or (how.startswith(("quoted", "record")) and f.how.startswith("suffix")))
        # a cut of “…大会”, of 创造…卫星…纪录
        for a, b, how in outer)]


def _read_contexts(c: Compact, sentences: list[Sentence], mentions: list[Mention],
                   kinds: dict[str, str], found: dict[str, Candidate], covered: list[bool],
                   rules: Rules, add: Add) -> None:
    """The rules of loaders/ingest/contexts.py that need every candidate of the article: a
    programme brought under another, generic names their context makes specific, list
    items typed by their known siblings."""
    ctx, auto = rules.context, rules.auto_accept["entity"]
    sure = SCORES["enumeration"]

    def accepted(kind: str | None, a: int, b: int) -> bool:
        return any(a <= m.start < b and (kind is None or kinds.get(m.ids[0]) == kind)
                   for m in mentions) or any(
            a <= f.start < b and f.score >= auto and (kind is None or f.rule.kind == kind)
            for f in found.values())

    for sentence in sentences:
        contexts.included(c.simplified[sentence.start:sentence.end], sentence.start, sentence,
                          ctx, lambda a, b: accepted("Program", a, b), rules.quoted, add, sure)
    titles = [f.name for f in found.values() if f.how.startswith("title")]
    for f in list(found.values()):
        if f.score >= auto and f.how.startswith("quoted"):
            continue
        if f.how.startswith("quoted"):  # a quoted word alone waits for the reviewer, unless
            named = contexts.quoted_named(f.name.strip("“”「」『』〈〉"), titles, ctx)
            if named:
                f.score, f.how = max(f.score, sure), f"{f.how} + {named}"
            continue
        if f.score >= auto or not f.how.startswith("suffix"):
            continue
        base = f.sentence.start
        why = contexts.specific(c.simplified[base:f.sentence.end], f.start - base,
                                f.end - base, covered, base, ctx,
                                lambda a, b, base=base: accepted(None, base + a, base + b))
        if why:
            f.score, f.how = max(f.score, sure), f"{f.how} + {why}"
    spans = {(f.start, f.end): (f.rule.kind, f.score >= auto) for f in found.values()}
    for sentence in sentences:
        for i, j, kind, how in contexts.list_items(c, sentence, mentions, kinds, spans, ctx,
                                                   common_word):
            f = found.get(c.written[i:j])
            if f is None:
                add(i, j, ctx.sibling_kinds[kind], sentence, how, sure)
            elif f.rule.kind == kind and f.score < sure:
                f.score, f.how = sure, f"{f.how} + {how}"


def _listed_with_place(text: str, start: int, end: int,
                       places: list[tuple[int, int]]) -> bool:
    """A place word that is an item of a list with a place (杭州、天津)."""
    joins = "、和与及"
    return any((b == start - 1 and text[b] in joins) or (a == end + 1 and text[end] in joins)
               for a, b in places)


def _counted_items(text: str, base: int, at: int, head: Suffix, sentence: Sentence,
                   rules: Rules, add: Add) -> None:
    """长白山、三江和吉光3个省实验室: as many names before the count as it says, each of the
    head's kind (a lab, not a group of labs)."""
    count = re.match(_COUNT, text[at:])
    number = count_number(count.group()) if count else None
    clause = text[max(text.rfind(ch, 0, at) for ch in "，。；：,;:") + 1:at]
    if clause.endswith("等"):
        return  # A、B等3家企业: some of the three, read by the enumeration rule
    parts = re.split(r"、|和|及|与", clause)
    if not number or number < 2 or len(parts) < number:
        return
    items = parts[-number:]
    items[0] = _trailing_name(items[0], rules)
    # 实验室 -> a lab's own kind and subtype; 企业 -> the head's (a company)
    single = _suffix_at(head.suffix, len(head.suffix), rules) or (
        None if head.subtype.endswith("group") else head)
    if single is None or not all(  # the count vouches for the items: no tag check
            item and len(item) <= rules.sector_item_max and _HAN.fullmatch(item)
            for item in items):
        return
    end = at
    for item in reversed(items):
        add(base + end - len(item), base + end, single, sentence,
            f"counted item …{number}{head.suffix}", SCORES["enumeration"])
        end -= len(item) + 1


def _quoted(text: str, base: int, sentence: Sentence, rules: Rules, add: Add) -> None:
    """“先投后股”: a quoted name that no suffix explains (slogans with 、/， are not names). It
    is proposed for acceptance when a word of quoted_context follows it closely (“先投后股”等
    改革举措) or a suffix makes it a name; else (“加速键”, “国家队”) it waits for the reviewer."""
    for match in _QUOTED.finditer(text):
        inner = match.group(1)
        rule = _suffix_at(inner, len(inner), rules)
        # a quoted name with a suffix may be long (a conference's motto-like name)
        if len(inner) > (rules.max_name * 2 if rule else rules.quoted_max) or any(
                ch in _NOT_NAME for ch in inner) or not _HAN.search(inner) or \
                inner in rules.plan_periods:
            continue
        after = text[match.end():match.end() + rules.quoted_window]
        after = after.split("的", 1)[0]  # “最后一公里”的支撑体系: 的 joins a modifier, not a name
        # a formula (“基金+机制+服务”, “1+N”) names a mechanism however it is used
        named = rule is not None or any(w in after for w in rules.quoted_context) or (
            "+" in inner and len(inner) > 2)
        kind = next((k for k in rules.quoted_kinds if k.suffix in after), None)
        add(base + match.start(1), base + match.end(1), rule or kind or rules.quoted, sentence,
            "quoted “…”" + (" + context" if named else ""),
            SCORES["quoted"] if named else SCORES["quoted_alone"])


def _suffixed(text: str, base: int, tokens: list[tuple[str, str, int]], covered: list[bool],
              sentence: Sentence, rules: Rules, add: Add, owners: set[int],
              known: list[tuple[int, int]] | None = None) -> None:
    """``owners``: sentence offsets where a known organisation's name ends; ``known``: the
    sentence spans of known names (a part of one the segmenter cut off is a name word)."""
    for j, (word, flag, tstart) in enumerate(tokens):
        end = tstart + len(word)
        if flag == "x" and len(word) == 2 and word[1] in _GLUED:
            end -= 1  # the HMM glued a function word to a name's end (长春医药城|则 -> 城则)
        rule = _suffix_at(text, end, rules)
        if rule is None or (j + 1 < len(tokens) and rule.kind != "Company" and
                            _continues(tokens[j + 1][0], rules)):
            continue  # (a company named inside its unit's name is an entity too: 某公司研究院)
        if len(rule.suffix) == 1 and word != rule.suffix and flag not in _PROPER[:-1] and \
                not (flag in ("x", "n") and len(word) >= 3):
            continue  # 开局 is not a bureau, 山谷 not a valley park; 科创园, 科技部 are names
        start = _extend_left(tokens, j, end - len(rule.suffix), rules, known or ())
        governed = False
        if rule.kind == "Event":
            start = _event_start(text, start, rules)
        elif rule.kind == "Program":
            cut, start = start, _program_start(text, start, rules)
            governed = start < cut  # a long name its verb governs is a specific one
        if _length(text[start:end]) > rules.max_name:  # 长春光机所|大口径…试验中心: the
            # owner stays apart
            start = _owner_end(text, tokens, start, end - len(rule.suffix), rules)
        # a known organisation before a unit with a name of its own (吉林大学|综合极端条件
        # 实验装置) is its owner, not part of its name (吉林大学|技术中心 names no unit alone)
        own = [o for o in owners if start < o and end - len(rule.suffix) - o >= OWN_STEM]
        owned = bool(own) and rule.kind == "Lab"
        if owned:
            start = max(own)
        stem = text[start:end - len(rule.suffix)]
        if len(stem) > 2 and stem[0] in _OPEN and stem[-1] in _CLOSE and \
                all(covered[base + start + 1:base + end - len(rule.suffix) - 1]):
            continue  # “揭榜挂帅”模式: the known 揭榜挂帅 and its type word
        if len(stem) < rules.min_stem or _length(text[start:end]) > rules.max_name:
            continue
        if stem in _suffix_index(rules)[0]:
            continue  # 新区计划到2027年: a type word (新区, the 长春新区 named before) and a verb
        prefix = next((p for p in rules.name_prefixes if text.startswith(p, start - len(p))), "")
        start -= len(prefix)  # 省部共建“…”国家重点实验室: an official designation
        if text.startswith("年度", start) and re.fullmatch(r"\d{4}", text[start - 4:start]):
            start -= 4  # 2023年度国家科学技术奖: the year is part of the name
        years = _YEARS.match(text, end)  # 行动计划（2025—2027年） is one name
        if years:
            end = years.end()
        # a proper part of the stem (the suffix's own tag says nothing: jieba tags 卫星 nr)
        proper = any(f in _PROPER and w not in rules.not_places
                     for w, f, s in tokens if start <= s < end - len(rule.suffix)) or any(
            ch in _OPEN for ch in stem) or any(covered[base + start:base + end]) or owned or \
            governed
        # an event a clause says was held (召开了…座谈会、…对接会) is one, however generic
        # its name; so is an award
        held = rule.kind == "Event" and (
            any(w in text[clause_start(text, start):start] for w in _HELD)
            or text.startswith(_HELD, end) or text.startswith(_HELD, end + 1)  # …全会召开
            or _ORDINALS.search(text[:end - len(rule.suffix)]) is not None)  # 十四届五次
        add(base + start, base + end, rule, sentence, f"suffix {rule.suffix}",
            SCORES["suffix" if proper or held or rule.subtype == "award" else "suffix_common"])


_HELD = ("召开", "举办", "举行", "主办", "承办")
# characters besides the suffix that make a unit's name its own, apart from its owner's
# (吉林大学|综合极端条件实验装置; 吉林大学智能制造中心 keeps its owner)
OWN_STEM = 6
_ORDINALS = re.compile(r"(?:[\d一二三四五六七八九十]+[届次])+$")
_COUNTED = re.compile(r"^[\d一二两三四五六七八九十百千]+[项个家批类条所座]")


def _length(name: str) -> int:
    """A name's length for max_name: a quoted name inside it counts as one word
    (“空间目标光电探测技术与应用”国家重点实验室建设运行方案)."""
    return len(re.sub(r"[“「『〈][^”」』〉]*[”」』〉]", "□", name))


def _owner_end(text: str, tokens: list[tuple[str, str, int]], start: int, stem_end: int,
               rules: Rules) -> int:
    """Where a unit's name starts after its owner's (长春光机所|大口径…试验中心): after the
    last word of the stem that ends an organisation's name (a suffix of an institution or
    company, or 所/院 of an institute's short name: 光机所)."""
    cut = start
    for word, _, at in tokens:
        end = at + len(word)
        if start < end < stem_end and (word[-1] in "所院" or (
                (rule := _suffix_at(text, end, rules)) is not None
                and rule.kind in ("Institution", "Company"))):
            cut = end
    return cut


def _event_start(text: str, start: int, rules: Rules) -> int:
    """An event's name takes the session numbers and the body before them (市委十四届五次
    全会), or a scope word (全市教育科技人才大会)."""
    ordinals = _ORDINALS.search(text[:start])
    if ordinals:
        start = ordinals.start()
        body = next((w for w, _ in rules.bodies if text.startswith(w, start - len(w))), None)
        return start - len(body) if body else start
    scope = next((w for w in rules.event_scopes if text.startswith(w, start - len(w))), None)
    return start - len(scope) if scope else start


def _program_start(text: str, start: int, rules: Rules) -> int:
    """A programme's name cut short inside (百万大学生来|长留长工程, 国际和|区域…专项) runs
    back to the word that governs it (实施, 启动, 在…) when only name characters lie
    between: no punctuation, 的 or 等, and no count opening it (实施6项工程)."""
    clause = max(text.rfind(ch, 0, start) for ch in "，。；：,;:、“”《》（）") + 1
    best = None
    for word in rules.program_anchors:
        at = text.rfind(word, clause, start)
        if at >= 0 and (best is None or at + len(word) > best):
            best = at + len(word)
    if best is None or best == start or start - best > rules.program_reach:
        return start
    gap = text[best:start]
    if not _HAN.fullmatch(gap) or any(ch in gap for ch in "的等") or _COUNTED.match(gap):
        return start
    return best


@per_object
def _bodies_by_first(rules: Rules) -> dict[str, tuple[tuple[str, Suffix], ...]]:
    """The rules' bodies by their first character."""
    out: dict[str, list[tuple[str, Suffix]]] = {}
    for body, rule in rules.bodies:
        out.setdefault(body[0], []).append((body, rule))
    return {k: tuple(v) for k, v in out.items()}


def _bodies(text: str, base: int, tokens: list[tuple[str, str, int]], sentence: Sentence,
            rules: Rules, add: Add) -> None:
    """Standard bodies named bare (省委常委, 市委、市政府, 国务院审批): a word of the rules'
    bodies that opens a segmenter word and follows no place or name of its own (白城市委 is
    read by the suffixes)."""
    by_first = _bodies_by_first(rules)
    for j, (word, _, at) in enumerate(tokens):
        for body, rule in by_first.get(word[:1], ()):  # most words open no body's name
            if not word.startswith(body) and not (word == body[:len(word)] and
                                                  text.startswith(body, at)):
                continue
            if j and tokens[j - 1][1] in ("ns", "x", "j", "nt", "nz") and \
                    _HAN.fullmatch(tokens[j - 1][0]):
                continue
            if body[0] in "省市区县" and at and _HAN.fullmatch(text[at - 1]) and \
                    text[at - 1] not in "和与及":
                continue  # 启明|县委: a county's own committee, named with its county
            add(base + at, base + at + len(body), rule, sentence, f"body {body}",
                SCORES["suffix"])
            break


def _counted_products(text: str, base: int, sentence: Sentence, rules: Rules,
                      add: Add) -> None:
    """TW50、TW200两款无人机: the names counted before a product classifier, each an
    achievement; a first item that ends in a model code like the others is that code."""
    if rules.product is None or not rules.product_classifiers:
        return
    pattern = rf"((?:[A-Za-z0-9\u4e00-\u9fff]+、)+[A-Za-z0-9\u4e00-\u9fff]+?)" \
              rf"(两|\d+|[一二三四五六七八九十]+)[{rules.product_classifiers}]"
    for match in re.finditer(pattern, text):
        items = match.group(1).split("、")
        number = count_number(match.group(2)) if match.group(2) != "两" else 2
        if number != len(items) or any(len(i) > rules.product_max for i in items[1:]):
            continue
        code = re.search(r"[A-Za-z][A-Za-z0-9-]*\d[A-Za-z0-9-]*$", items[0])
        if code and all(re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*\d[A-Za-z0-9-]*", i)
                        for i in items[1:]):
            items[0] = code.group()
        else:
            items[0] = _trailing_name(items[0], rules)
        if not items[0]:
            continue
        end = match.end(1)
        for item in reversed(items):
            add(base + end - len(item), base + end, rules.product, sentence,  # type: ignore[arg-type]
                f"counted product …{number}{match.group()[-1]}", SCORES["enumeration"])
            end -= len(item) + 1


def _enumerations(text: str, base: int, sentence: Sentence, rules: Rules,
                  add: Add) -> None:
    """A、B、C等优势产业 / A、B等8家企业: each item gets the kind of the list's head; a clause
    opening with "X领域" names a sector too."""
    heads = [(h, rules.sector) for h in rules.sector_heads] + [
        (g.suffix, g) for g in rules.group_heads] + [(p.suffix, p) for p in rules.program_heads]
    limit = rules.sector_item_max
    for clause in re.finditer(r"[^，。；：！？,;:]+", text):
        body, at = clause.group(), clause.start()
        for name in _table_sectors(rules):  # 助力轨道交通装备产业…: a sector of the rules' table
            for hit in re.finditer(re.escape(name) + f"(?:{'|'.join(rules.sector_heads)})", body):
                add(base + at + hit.start(), base + at + hit.start() + len(name), rules.sector,
                    sentence, "table sector before 产业/领域", SCORES["enumeration"])
        lead = re.match(r"([\u4e00-\u9fff]{2,6}?)(?:产业)?领域", body)
        if lead:
            add(base + at + lead.start(1), base + at + lead.end(1), rules.sector, sentence,
                "clause opening X领域", SCORES["enumeration"])
        if "、" not in body:
            _pair(body, at, base, sentence, rules, add)
            continue
        parts = body.split("、")
        _suffixed_items(parts, at, base, sentence, rules, add)
        last = parts[-1]
        tail = re.match(rf"([^等、的\W_]{{2,{limit}}}?)(等?)"
                        rf"((?:{_COUNT}[{''.join(rules.group_classifiers)}])?"
                        rf"[^等的于\W\d_]{{0,6}}?)({'|'.join(h for h, _ in heads)})", last)
        if not tail or (not tail.group(2) and tail.group(4) not in rules.sector_heads):
            continue  # A、B等N家企业 needs its 等; A、B产业 does not
        rule = next(r for h, r in heads if h == tail.group(4))
        items = [_trailing_name(parts[0], rules), *parts[1:-1], tail.group(1)]
        # programmes are often named by what they do (人才交叉挂职、兼职创新等机制): a verb
        # may open one, unless it governs an object (优化资源整合、完善政策配套等举措)
        verbs = rule.kind == "Program"
        good = [_list_item(item, limit, rules if verbs else None) for item in items]
        if 3 * good.count(False) > len(good):
            continue  # a list of actions (优化资源整合、完善政策配套), not of names
        pos = at
        for part, item, ok in zip(parts, items, good, strict=True):
            start = pos + (len(part) - len(item) if part is parts[0] else 0)
            if ok:  # one odd item does not sink the list's names
                add(base + start, base + start + len(item), rule, sentence,
                    f"enumeration …等{tail.group(4)}", SCORES["enumeration"])
            pos += len(part) + 1


@per_object
def _table_sectors(rules: Rules) -> tuple[str, ...]:
    """The sectors the rules' sector_words table names (轨道交通装备, 现代农业…)."""
    return tuple(sorted({sector for _, sector in rules.sector_words}, key=len, reverse=True))


def _list_item(item: str, limit: int, verbs: Rules | None = None) -> bool:
    """An item of a list that may be a name: short, letters only, not opening with a verb
    (with ``verbs``: not with a governing verb of its name_breaks)."""
    if not item or len(item) > limit or re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", item) is None:
        return False
    word, tag, _ = _tokens(item)[0]
    if verbs is not None and tag == "v":
        return word not in verbs.name_breaks and len(word) > 1
    return tag not in _NOT_ITEM


@per_object
def _sector_verbs(rules: Rules) -> tuple[str, ...]:
    """Words after which a list of fields follows: the triggers of sector relations (聚焦,
    投向…) and 在/涉及/覆盖/包括."""
    return (*(w for t in rules.triggers for w in t.words
              if {"TARGETS_SECTOR", "WORKS_IN_SECTOR"} & set(t.relations)),
            "在", "涉及", "覆盖", "涵盖", "包括", "如")


def _pair(body: str, at: int, base: int, sentence: Sentence, rules: Rules, add: Add) -> None:
    """A和B领域 / A及B产业: two sectors joined by 和/及/与 before a sector head."""
    heads = "|".join(rules.sector_heads)
    limit = rules.sector_item_max
    for match in re.finditer(rf"([\u4e00-\u9fff]{{2,{limit}}}?)(?:和|及|与)"
                             rf"([\u4e00-\u9fff]{{2,{limit}}}?)等?(?:{heads})", body):
        first = _trailing_name(match.group(1), rules)
        lead = body[:match.start(1) + len(match.group(1)) - len(first)]
        if not first or not _list_item(first, limit) or not _list_item(match.group(2), limit) \
                or not lead.endswith(_sector_verbs(rules)):
            continue  # only after 聚焦/围绕/在…: 高校创新资源与城市产业需求 lists no sectors
        for start, end in ((match.end(1) - len(first), match.end(1)), match.span(2)):
            add(base + at + start, base + at + end, rules.sector, sentence,
                "pair A和B+" + match.group()[-2:], SCORES["enumeration"])


def _suffixed_items(parts: list[str], at: int, base: int, sentence: Sentence, rules: Rules,
                    add: Add) -> None:
    """A、B、C等…: a list closed by 等 whose items each end in a name suffix is a list of
    names (重大科技专项、重点研发计划等七大类计划; 概念验证中心、中试基地等平台), however
    generic each looks alone: each item is proposed at the enumeration's score."""
    if len(parts) < 2 or "等" not in parts[-1]:
        return
    items = [_trailing_name(parts[0], rules), *parts[1:-1], parts[-1].split("等", 1)[0]]
    rules_of = [_suffix_at(item, len(item), rules) for item in items]
    # an item that is only a suffix (中试基地 in 概念验证中心、中试基地等平台) is a name when
    # most items of its list have a stem (研发中心、技术创新中心等 names none)
    stems = sum(1 for item, r in zip(items, rules_of, strict=True)
                if r is not None and len(item) > len(r.suffix))
    if 2 * stems < len(items) or any(
           r is None or len(item) < max(len(r.suffix), 3) or len(item) > rules.max_name
           or not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9“”]+", item)
           for item, r in zip(items, rules_of, strict=True)):
        return
    pos = at
    for part, item, rule in zip(parts, items, rules_of, strict=True):
        start = pos + (len(part) - len(item) if part is parts[0] else 0)
        add(base + start, base + start + len(item), rule, sentence,  # type: ignore[arg-type]
            f"enumeration item …{rule.suffix}、…等", SCORES["enumeration"])  # type: ignore[union-attr]
        pos += len(part) + 1


def _trailing_name(part: str, rules: Rules) -> str:
    """The name at the end of the first item of a list: its last words, up to a word that
    cannot be part of a name (重点投向汽车智能网联 -> 汽车智能网联)."""
    tokens = _tokens(part)
    if not tokens:
        return ""
    j = len(tokens) - 1
    start = _extend_left(tokens, j, tokens[j][2], rules) if _name_word(
        tokens[j][0], tokens[j][1], rules) else len(part)
    name = part[start:]
    return name[-rules.sector_item_max:] if len(name) >= 2 else ""


_PRODUCT_TAGS = ("n", "nz", "nr", "ns", "x", "eng", "vn", "l", "j", "an", "nt")


def _products(text: str, base: int, tokens: list[tuple[str, str, int]], sentence: Sentence,
              rules: Rules, add: Add) -> None:
    """某公司研发的无人驾驶智能小巴 / 全球首列氢能市域列车: the noun phrase after a product
    verb and 的, or after 首 and a classifier (with the scope word before 首, if any)."""
    if rules.product is None:
        return
    for j, (word, _, start) in enumerate(tokens):
        nxt = tokens[j + 1][0] if j + 1 < len(tokens) else ""
        if word in rules.product_verbs and nxt == "的":
            _noun_phrase(text, base, tokens, j + 2, None, sentence, rules, add,
                         f"product {word}的…")
            _maker(text, base, tokens, j, sentence, rules, add)
        elif word.startswith("首") and len(word) <= 2 and (
                word[1:] or nxt[:1]) and (word[1:] or nxt[:1]) in rules.first_classifiers:
            scope = tokens[j - 1] if j and tokens[j - 1][0] in rules.first_scopes else None
            after = j + 1 if len(word) == 2 else j + 2
            _noun_phrase(text, base, tokens, after, scope[2] if scope else start,
                         sentence, rules, add, "first 首+classifier+…")


_MAKER_ADVERBS = ("自主", "独立", "自行", "成功", "联合", "率先")
_UNKNOWN = ("x", "nz", "nr", "nrt", "j", "eng")


def _maker(text: str, base: int, tokens: list[tuple[str, str, int]], j: int,
           sentence: Sentence, rules: Rules, add: Add) -> None:
    """长光博翔自主研发的…: words the dictionary does not know, opening a clause before a
    product verb, name its maker (a company)."""
    k = j - 1
    while k >= 0 and tokens[k][0] in _MAKER_ADVERBS:
        k -= 1
    end = tokens[k + 1][2] if k + 1 < len(tokens) else 0
    while k >= 0 and tokens[k][1] in _UNKNOWN and _HAN.fullmatch(tokens[k][0]):
        k -= 1
    start = tokens[k + 1][2]
    company = _suffix_at("公司", 2, rules)
    if company is None or end - start < 3 or (k >= 0 and tokens[k][0] not in _NOT_NAME):
        return  # not at a clause's start: 某某的…研发的
    add(base + start, base + end, company, sentence, f"maker of a product ({tokens[j][0]}的…)",
        SCORES["maker"])


def _noun_phrase(text: str, base: int, tokens: list[tuple[str, str, int]], k: int,
                 start: int | None, sentence: Sentence, rules: Rules, add: Add,
                 how: str) -> None:
    """Tokens from k while they may be part of a product's name (nouns, unknown words,
    a verb between nouns: 3D打印矫形鞋垫); proposed when it holds a noun."""
    end, m, nouns = None, k, 0
    while m < len(tokens):
        word, flag, at = tokens[m]
        if word in _OPEN or word in _CLOSE:  # 首家“独角兽”企业: quotes inside the phrase
            m += 1
            continue
        if flag == "v" and m + 1 < len(tokens) and tokens[m + 1][1] in _PRODUCT_TAGS \
                and word not in rules.name_breaks and len(word) > 1:
            m += 1
            continue
        if flag not in _PRODUCT_TAGS or (not _HAN.search(word) and flag != "eng") or \
                word in rules.name_breaks:
            break
        end, nouns, m = at + len(word), nouns + (flag != "vn"), m + 1
    if end is None or not nouns:
        return
    first = start if start is not None else tokens[k][2]
    if 2 <= end - first <= rules.product_max:
        add(base + first, base + end, rules.product, sentence, how,  # type: ignore[arg-type]
            SCORES["product"])


def _people(text: str, base: int, sentence: Sentence, rules: Rules, add: Add) -> None:
    for pattern in _person_patterns(rules):
        for match in pattern.finditer(text):
            add(base + match.start(1), base + match.end(1), rules.person, sentence,
                "person title+name", SCORES["person"])


def _places(base: int, tokens: list[tuple[str, str, int]], sentence: Sentence, rules: Rules,
            add: Add) -> None:
    """Words tagged as place names, or unknown words ending in 省/市/区/县: a place. A bare
    place name followed by more of a name (北湖 in 北湖科技开发区) waits for the reviewer."""
    for j, (word, flag, start) in enumerate(tokens):
        if flag not in ("ns", "x", "j") or len(word) < 2 or word in rules.not_places or \
                not _HAN.fullmatch(word) or any(word == p.suffix for p in rules.places):
            continue  # 新区 alone is a word, not a place
        rule = next((p for p in rules.places if word.endswith(p.suffix)
                     and len(word) > len(p.suffix) + 1), None)
        if flag != "ns" and not (flag in ("x", "j") and rule):  # 通化市 is tagged j
            continue
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        inside = nxt is not None and _HAN.fullmatch(nxt[0]) is not None and (
            nxt[0] in rules.name_verbs or (nxt[1] not in rules.stop_pos and nxt[1] != "v"))
        how = "place word" + (f" …{rule.suffix}" if rule else "")
        score = SCORES["place_inside"] if inside else SCORES["place" if rule else "place_plain"]
        add(base + start, base + start + len(word), rule or rules.place_plain, sentence, how,
            score)


def _suffix_at(text: str, end: int, rules: Rules) -> Suffix | None:
    index, lengths, last = _suffix_index(rules)
    if end < 1 or text[end - 1] not in last:
        return None
    for n in lengths:
        rule = index.get(text[max(0, end - n):end]) if end >= n else None
        if rule is not None:
            return rule
    return None


def _continues(next_word: str, rules: Rules) -> bool:
    """The name goes on after this token (…中心 followed by 主任 is not a centre's name)."""
    index, lengths, _ = _suffix_index(rules)
    return any(next_word[:n] in index for n in lengths)


_ORDINAL = re.compile(r"第[一二三四五六七八九十\d]+")


def _extend_left(tokens: list[tuple[str, str, int]], j: int, suffix_start: int,
                 rules: Rules, known: Sequence[tuple[int, int]] = ()) -> int:
    """The start of the name ending with token j: tokens are taken leftwards while they may
    be part of a name; a quoted “…” is taken whole. ``known``: spans of known names; a
    token that is a piece of one (智能网|联 of 智能网联) is a name word whatever its tag."""
    start = tokens[j][2]
    if start < suffix_start:  # the token holds more than the suffix (吉林大学): its stem too
        word = tokens[j][0]
        if any(word.startswith(b) for b in rules.name_breaks):
            return suffix_start
    k = j - 1
    slogan = False
    while k >= 0 and tokens[k][2] >= suffix_start:  # the suffix spans tokens (对接|会)
        start, k = tokens[k][2], k - 1
    while k >= 0:
        word, flag, tstart = tokens[k]
        if tstart + len(word) == suffix_start and (
                word in rules.suffix_compounds or _ORDINAL.fullmatch(word)):
            # 联合|实验室, 投资|基金: one word with the suffix; 吉林大学|第一|医院: a
            # numbered unit of its own
            start, k = tstart, k - 1
            continue
        if flag not in rules.stop_pos and any(
                a <= tstart and tstart + len(word) <= b and b - a > len(word) for a, b in known):
            # 智能网|联 (智能网联汽车联合实验室): a known name the segmenter cut, not at a
            # one-character verb (a number or a conjunction in one still ends a name:
            # 中科院一院|三|所战略合作 names no strategy)
            start, k = tstart, k - 1
            continue
        if word == "中" and k + 1 <= j and start == tokens[k + 1][2] and \
                len(tokens[k + 1][0]) == 1 and \
                tokens[k + 1][1] in ("j", "ns"):
            start, k = tstart, k - 1  # 中俄科技合作园区: China and a country's one-letter name
            continue
        if word == "）" and k >= 2 and tokens[k - 2][0] == "（" and tokens[k - 1][1] == "ns":
            start, k = tokens[k - 2][2], k - 3  # 博世汽车部件（长春）有限公司: one name
            continue
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
            if slogan:
                break  # the slogan opens the name
            continue
        if not _name_word(word, flag, rules) and not (
                tstart < suffix_start and tokens[j][0] in _PLAN_NOUNS
                and all(tokens[m][0] in _PLAN_VERBS for m in range(k, j))):
            # (建设 in 某中心建设(运行)方案 is part of the name, not a trigger; nor 培育 in
            # “微成长、小升高”梯次培育机制: a quoted slogan names what follows it, and opens it)
            if not (len(word) > 1 and _HAN.fullmatch(word) and _after_quote(tokens, k)
                    and not any(word in t.words for t in rules.triggers)):
                break
            slogan = True
        if flag == "x" and len(word) >= 2 and word[0] in _PREPOSED:
            start = tstart + 1  # 为海|普润斯: the HMM glued a preposition to a name's start
            break
        if flag == "x" and len(word) == 2 and word[1] in _PREPOSED + "以":
            break  # 构建|起以|长兴基金: a verb's particle and a preposition glued together
        if tokens[k + 1][1] == "ns" and flag in _COMMON and k + 1 < j and \
                len(tokens[k + 1][0]) > 1:
            break  # 车间|长春…有限公司: a name starts at its place, not at a common noun
        start, k = tstart, k - 1
    return start


def _after_quote(tokens: list[tuple[str, str, int]], k: int) -> bool:
    """Whether a closing quotation mark stands two words before token k with a noun between
    (“…”梯次|培育 机制; not “吉林一号”|成为…卫星, a verb right after the quote)."""
    return k >= 2 and tokens[k - 2][0][-1:] in tuple(_CLOSE) and \
        tokens[k - 1][1] in ("n", "vn", "nz", "x") and _HAN.fullmatch(tokens[k - 1][0]) is not None


def _name_word(word: str, flag: str, rules: Rules) -> bool:
    if word in rules.name_breaks or (word[0] in _TRAILING_FUNCTION and len(word) == 1):
        return False
    if not all("\u4e00" <= ch <= "\u9fff" or ch.isalnum() for ch in word):
        return False
    if word in rules.name_verbs:
        return True
    if flag == "v" and len(word) == 1:  # 构建|起|“1+N”政策: a one-character verb ends a name
        return False
    if any(t for t in rules.triggers if word in t.words):
        return False
    return flag not in rules.stop_pos


def similar_known(name: str, gazetteer: Gazetteer, threshold: float,
                  limit: int = 3) -> list[tuple[str, str, float]]:
    """Known entities whose name or alias is close to ``name`` (simplified, as the
    gazetteer's names are): (id, that name, score 0-100), best first, one per entity."""
    out: dict[str, tuple[str, str, float]] = {}
    for choice, score, _ in process.extract(name, gazetteer.names, scorer=fuzz.ratio,
                                             limit=limit * 3, score_cutoff=threshold):
        for node_id in gazetteer.owners[choice]:
            if node_id not in out:
                out[node_id] = (node_id, choice, round(float(score), 1))
    return sorted(out.values(), key=lambda s: -s[2])[:limit]
