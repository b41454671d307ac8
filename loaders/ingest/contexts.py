"""Candidates read from their context rather than from their own shape (the tables are
`context_rules` in graph/ingest_rules.yaml):

- achievements named by what was done: 创造…纪录, 跻身…百强城市, 取得…证;
- sectors before a compound head: …服务业集聚区, “…业营业收入” (a metric's name);
- programmes brought under a known one: 将A纳入B (B a known programme);
- generic names made one thing by their context: 成立工作专班, 委员会搭建的…平台, 某公司依托
  …基地, 以A、B为核心的…体系 (a generic name alone waits for the reviewer);
- items of a 、-list whose other items are known entities of one kind (吉大、师大、中科院):
  they are of that kind; an item opening with a known organisation (某公司某产品) names what
  follows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise

from loaders.ingest.mentions import Mention
from loaders.ingest.rules import Suffix
from loaders.ingest.sentences import Compact, Sentence

Add = Callable[[int, int, Suffix, Sentence, str, float], None]
_HAN_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
_CLAUSE = "，,。；;：:！!？?（）()《》…"  # quotes stay: “吉林一号”卫星 is one item
_LEADING = "与和及同跟对向为将把在由"  # prepositions glued to a list's first item


@dataclass(frozen=True)
class ContextRules:
    achievements: tuple[tuple[tuple[str, ...], tuple[str, ...], Suffix], ...]  # verbs, heads
    sector_ends: tuple[str, ...]  # what a sector's name ends with (服务业, 产业)
    sector_heads: tuple[str, ...]  # compound heads after a sector (集聚区, 集群)
    sector_metrics: tuple[str, ...]  # metric words after a quoted sector (营业收入)
    included: tuple[str, ...]  # 纳入 and the like: 将A纳入B
    founding: tuple[str, ...]  # 成立 + a generic name: the body founded
    made_by: tuple[str, ...]  # …搭建的 + a generic name: the maker's own
    agent_ends: str  # last characters of an organisation word before made_by (委员会)
    relied_on: tuple[str, ...]  # 依托 after a known organisation
    cores: tuple[str, ...]  # 为核心的 / 为主体的 after 以A、B
    described: tuple[str, ...]  # 于一体的 after 集A、B
    becoming: tuple[str, ...]  # 成为: what follows describes the subject
    subsidies: tuple[tuple[str, ...], tuple[str, ...], Suffix]  # 给予 N万元 补助
    procedures: tuple[tuple[str, ...], tuple[str, ...], Suffix]  # 通过 <body> …审定
    rank_ends: tuple[str, ...]  # 位列首位: a clause ending so names a ranking
    ranking: Suffix
    set_counts: str  # numerals of “N大…” named sets
    sibling_kinds: dict[str, Suffix]  # kind -> subtype and English word of a list item
    item_max: int


def parse_context_rules(raw: dict, kinded: Callable[[str, dict], Suffix]) -> ContextRules:
    return ContextRules(
        tuple((tuple(a["verbs"]), tuple(a["heads"]), kinded(f"achievements[{i}]", a))
              for i, a in enumerate(raw["achievements"], 1)),
        tuple(raw["sector_ends"]), tuple(raw["sector_heads"]), tuple(raw["sector_metrics"]),
        tuple(raw["included"]),
        tuple(raw["founding"]), tuple(raw["made_by"]), "".join(raw["agent_ends"]),
        tuple(raw["relied_on"]), tuple(raw["cores"]), tuple(raw["described"]),
        tuple(raw["becoming"]),
        (tuple(raw["subsidies"]["verbs"]), tuple(raw["subsidies"]["heads"]),
         kinded("subsidies", raw["subsidies"])),
        (tuple(raw["procedures"]["verbs"]), tuple(raw["procedures"]["heads"]),
         kinded("procedures", raw["procedures"])),
        tuple(raw["rankings"]["ends"]), kinded("rankings", raw["rankings"]),
        "".join(raw["set_counts"]),
        {k: kinded(f"sibling_kinds.{k}", {**v, "kind": k})
         for k, v in raw["sibling_kinds"].items()},
        int(raw["item_max"]))


def achievements(text: str, base: int, sentence: Sentence, rules: ContextRules,
                 add: Add, score: float) -> None:
    """创造…世界纪录 / 跻身…百强城市 / 取得…证: the words between the verb and the head
    (with it) name the achievement, when no punctuation lies between and a boundary
    follows."""
    for verbs, heads, kind in rules.achievements:
        pattern = _achievement_pattern(verbs, heads)
        for match in pattern.finditer(text):
            start, end = match.start(1), match.end(1)
            if text.startswith("了", start):
                start += 1
            if end - start > len(match.group(2)):
                add(base + start, base + end, kind, sentence,
                    f"record {match.group(0)[:len(match.group(0)) - len(match.group(1))]}…"
                    f"{match.group(2)}", score)


_PATTERNS: dict[tuple[tuple[str, ...], tuple[str, ...]], re.Pattern[str]] = {}


def _achievement_pattern(verbs: tuple[str, ...], heads: tuple[str, ...]) -> re.Pattern[str]:
    key = (verbs, heads)
    if key not in _PATTERNS:
        v = "|".join(map(re.escape, verbs))
        h = "|".join(map(re.escape, sorted(heads, key=len, reverse=True)))
        _PATTERNS[key] = re.compile(
            rf"(?:{v})([\u4e00-\u9fffA-Za-z0-9]{{0,30}}?({h}))(?=[^\u4e00-\u9fffA-Za-z0-9]|"
            rf"[的和及与等]|$)")
    return _PATTERNS[key]


def quoted_named(name: str, titles: list[str], rules: ContextRules) -> str | None:
    """Why a quoted word is a name: a policy's title names it (“科技创新城” and 《…科技创新城
    发展规划》), or it counts a named set (“四大板块”, “三大工程”)."""
    if any(name in title and name != title for title in titles):
        return "named by a title"
    if re.match(rf"[{rules.set_counts}]+大[\u4e00-\u9fff]{{2,}}$", name):
        return "a named set (N大…)"
    return None


def rankings(text: str, base: int, sentence: Sentence, rules: ContextRules, add: Add,
             score: float) -> None:
    """增速在全国15个副省级城市中位列首位: a clause that ends in a first place names the
    ranking achieved (the whole clause: what ranks where)."""
    kind = rules.ranking
    for end_word in rules.rank_ends:
        at = text.find(end_word)
        while at >= 0:
            end = at + len(end_word)
            start = max(text.rfind(ch, 0, at) for ch in "，。；：,;:！？") + 1
            if end - start <= rules.item_max * 3 and end - start > len(end_word) + 2 and \
                    (end == len(text) or text[end] in "，。；：,;:！？、"):
                add(base + start, base + end, kind, sentence, f"ranking ({end_word})", score)
            at = text.find(end_word, end)


def subsidies(text: str, base: int, sentence: Sentence, rules: ContextRules, add: Add,
              score: float) -> None:
    """给予200万元补助: a subsidy named by its amount (the amount is the figure too)."""
    verbs, heads, kind = rules.subsidies
    v, h = "|".join(map(re.escape, verbs)), "|".join(map(re.escape, heads))
    for match in re.finditer(rf"(?:{v})(?:最高|不超过|一次性)?(\d+(?:\.\d+)?[万亿]?元(?:{h}))",
                             text):
        add(base + match.start(1), base + match.end(1), kind, sentence,
            f"subsidy {match.group(1)[-2:]}", score)


def procedures(text: str, base: int, sentence: Sentence, covered: list[bool],
               rules: ContextRules, add: Add, score: float) -> None:
    """通过中国民航局适航审定: the procedure a body runs (the words between the body's name,
    known or ending in an organisation word, and the head, with it)."""
    verbs, heads, kind = rules.procedures
    head = re.compile(rf"[\u4e00-\u9fff]{{0,4}}?(?:{'|'.join(map(re.escape, heads))})"
                      rf"(?![\u4e00-\u9fff])")
    for match in re.finditer("|".join(map(re.escape, verbs)), text):
        # the body: a known name or an organisation word (…局, …委) right after the verb
        for start in range(match.end() + 2, min(match.end() + 12, len(text))):
            if not _HAN_NAME.fullmatch(text[match.end():start]):
                break
            body_end = (covered[base + start - 1] and not covered[base + start]) or (
                text[start - 1] in rules.agent_ends and not covered[base + start])
            found = head.match(text, start) if body_end else None
            if found and found.end() - start > 2:
                add(base + start, base + found.end(), kind, sentence,
                    f"procedure of a body ({found.group()[-2:]})", score)
                break


def sectors(text: str, base: int, tokens: list[tuple[str, str, int]], sentence: Sentence,
            rules: ContextRules, kind: Suffix, stop_tags: Iterable[str], add: Add,
            score: float) -> None:
    """高端服务业集聚区 (a compound head: the sector runs back to the last list word, verb or
    punctuation), “科学研究和技术服务业营业收入” (a metric's name in quotes: the sector runs
    from the quote)."""
    stops = frozenset(stop_tags)
    for head in (*rules.sector_heads, *rules.sector_metrics):
        quoted_only = head in rules.sector_metrics
        at = text.find(head)
        while at >= 0:
            if text[:at].endswith(rules.sector_ends):
                opened = text.rfind("“", 0, at)
                if opened >= 0 and "”" not in text[opened:at] and \
                        text.startswith("”", at + len(head)):
                    start = opened + 1
                else:
                    start = -1 if quoted_only else _run_start(text, tokens, at, stops)
                name = text[start:at] if start >= 0 else ""
                if _HAN_NAME.fullmatch(name) and name not in rules.sector_ends and \
                        len(name) <= rules.item_max + 4:
                    add(base + start, base + at, kind, sentence, f"sector before {head}",
                        score)
            at = text.find(head, at + 1)


def _run_start(text: str, tokens: list[tuple[str, str, int]], end: int,
               stops: frozenset[str]) -> int:
    """Where a name ending at ``end`` starts: after the last punctuation, list word (和, 、)
    or word of a stop tag (a verb, a preposition) before it."""
    start = 0
    for word, tag, at in tokens:
        if at >= end:
            break
        if tag in stops or word in "和与及、的" or not _HAN_NAME.fullmatch(word):
            start = at + len(word)
    return start


def included(text: str, base: int, sentence: Sentence, rules: ContextRules,
             programme_at: Callable[[int, int], bool], kind: Suffix, add: Add,
             score: float) -> None:
    """将A纳入B, B a known or proposed programme (within a few characters: 纳入长春市“…行动”):
    A is a programme brought under it."""
    for word in rules.included:
        for match in re.finditer(rf"将([\u4e00-\u9fff]{{3,20}}){re.escape(word)}", text):
            if programme_at(base + match.end(), base + match.end() + 8):
                add(base + match.start(1), base + match.end(1), kind, sentence,
                    f"brought under a programme ({word})", score)


_SIZE = re.compile(r"(?:总)?规模(?:达|为|超|约)?[\d.零一二两三四五六七八九十百千]+[万亿]*元的$")


def specific(text: str, start: int, end: int, covered: list[bool], base: int,
             rules: ContextRules, named: Callable[[int, int], bool]) -> str | None:
    """The context that makes a generic name (工作专班, 成果对接平台) one named thing, or
    None. ``start``/``end``: sentence offsets; ``named(a, b)``: whether the sentence span
    holds a known entity or an accepted candidate."""
    before = text[:start]
    # 设立规模5亿元的天使投资基金: a figure of the thing founded stands between
    sized = _SIZE.sub("", before)
    for word in rules.founding:
        if before.endswith(word) or sized.endswith(word):
            return f"founded ({word})"
    for word in rules.made_by:
        if before.endswith(word):
            agent = len(before) - len(word)
            if agent > 0 and (covered[base + agent - 1] or text[agent - 1] in rules.agent_ends):
                return f"made by a body ({word})"
    for word in rules.relied_on:
        if before.endswith(word) and len(before) > len(word) and \
                covered[base + len(before) - len(word) - 1]:
            return f"a known organisation's ({word})"
    for word in rules.described:  # 打造集A、B于一体的…平台 (成为…: the subject described)
        if before.endswith(word):
            opening = before.rfind("集")
            if opening >= 0 and not any(v in before[:opening] for v in rules.becoming):
                return f"described ({word})"
    for word in rules.cores:  # 以A、B为核心的(差异化)资金保障体系: a modifier may come between
        if word in before[-len(word) - 4:]:
            opening = before.rfind("以")
            if opening >= 0 and "、" in before[opening:] and named(opening, len(before)):
                return f"named members ({word})"
    return None


def list_items(c: Compact, sentence: Sentence, mentions: list[Mention],
               kinds: dict[str, str], spans: dict[tuple[int, int], tuple[str, bool]],
               rules: ContextRules, common: Callable[[str], bool]
               ) -> list[tuple[int, int, str, str]]:
    """Items of a 、-list whose other items are known entities of one kind: (start, end,
    kind, how), compact offsets. ``spans``: (start, end) -> (kind, accepted) of the
    candidates so far. An item whose edge lies inside a longer clause (以A、B为核心) counts
    only as a candidate that starts (or ends) at its 、. An item opening with a known
    organisation names what follows it (某公司某产品) in a list of achievements."""
    text = c.simplified
    s, e = sentence.start, sentence.end
    known = {(m.start, m.end): kinds.get(m.ids[0]) for m in mentions if s <= m.start < e}
    bounds = [s - 1] + [i for i in range(s, e) if text[i] in _CLAUSE] + [e]
    out: list[tuple[int, int, str, str]] = []
    for a, b in pairwise(bounds):
        seps = [i for i in range(a + 1, b) if text[i] == "、"]
        if seps:
            out += _list(text, a + 1, b, seps, known, spans, mentions, kinds, rules, common)
    return out


def _list(text: str, a: int, b: int, seps: list[int],
          known: dict[tuple[int, int], str | None],
          spans: dict[tuple[int, int], tuple[str, bool]], mentions: list[Mention],
          kinds: dict[str, str], rules: ContextRules, common: Callable[[str], bool]
          ) -> list[tuple[int, int, str, str]]:
    edges, ends = [a, *[i + 1 for i in seps]], [*seps, b]
    items = []  # (start, end, kind of a known item, open start, open end)
    for k, (i, j) in enumerate(zip(edges, ends, strict=True)):
        first, last = k == 0, k == len(edges) - 1
        while first and i < j and text[i] in _LEADING:
            i += 1
        for tail in ("……", "…", "等"):
            if last and text[i:j].endswith(tail):
                j -= len(tail)
        kind = known.get((i, j))
        if kind is None and first:  # 构建与吉大、…: the known name at the 、
            kind = next((known[(x, j)] for x in range(i, j) if (x, j) in known), None)
        if kind is None and last:  # …、中科院一院三所战略合作 (not a place opening a name)
            kind = next((known[(i, y)] for y in range(j, i, -1)
                         if known.get((i, y)) not in (None, "Place")), None)
        items.append((i, j, kind, first, last))
    kinds_seen = {k for _, _, k, _, _ in items if k}
    accepted = {spans[(i, j)][0] for i, j, k, _, _ in items
                if k is None and (i, j) in spans and spans[(i, j)][1]}
    if len(kinds_seen) != 1 or (accepted - kinds_seen):
        return []
    (kind,) = kinds_seen
    if kind not in rules.sibling_kinds:
        return []
    out = []
    for i, j, k, open_start, open_end in items:
        if k is not None:
            continue
        how = f"listed with known {kind}"
        if open_start or open_end:  # the list's first or last item: a candidate at the 、
            edge = next((span for span, (sk, _) in spans.items() if sk == kind and (
                (open_end and span[0] == i and span[1] < j)
                or (open_start and span[1] == j and span[0] > i))), None)
            if edge:  # 以A、B为核心: B is the candidate that starts at the 、
                out.append((*edge, kind, how))
                continue
            if (open_start and i != a) or (open_end and j != b):
                continue  # its other edge lies inside a longer clause: unknown
        opener = next((m for m in mentions if m.start == i and m.end < j
                       and kinds.get(m.ids[0]) in ("Company", "Institution")), None)
        if "的" in text[i:j] or any(
                i <= x and y <= j for x, y in (*known, *spans)
                if (opener is None or (x, y) != (opener.start, opener.end))
                and "Place" not in (known.get((x, y)), spans.get((x, y), ("",))[0])):
            # (a place inside is no name read already: 长春国际影都 opens with one)
            continue  # a phrase (…间的壁垒), or an item holding a name read already
        if opener is not None:
            if kind != "Achievement":
                continue
            i = opener.end  # 某公司某产品: the product
        name = text[i:j]
        if 2 <= len(name) <= rules.item_max and _HAN_NAME.fullmatch(name) and not common(name):
            out.append((i, j, kind, how))
    return out
