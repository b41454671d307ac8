"""Candidate figures: a number with a unit of the rules (元/万元/亿元, 个/家/户/人/颗, %, …),
its value parsed (cn2an for Chinese numerals), a metric of the catalogue named before it in
the sentence, a subject, a period and a status (plan/target when the sentence says so)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from graph.schema import Schema
from loaders.ingest.rules import Rules, per_object
from loaders.ingest.sentences import Sentence, clause_end
from loaders.ingest.text import to_simplified

_NUMBER = r"(\d+(?:[.,]\d+)*|[零一二两三四五六七八九十百千]+)(万|亿)?"
_YEAR = re.compile(r"(?<![\d—–-])((?:19|20)\d\d)年")  # not the end of 2025—2027年
_TARGET = re.compile(r"到((?:19|20)\d\d)年")
_RECENT = re.compile(r"近(\d+|[一二两三四五六七八九十]+)年")
_SINCE = re.compile(r"(?<!\d)((?:19|20)\d\d)年(?:以来|来|起)")
_AT_LEAST = ("超过", "超", "逾", "以上", "突破")


@dataclass(frozen=True)
class FigureCandidate:
    start: int  # compact offsets of the number and unit
    end: int
    written: str
    value: float
    unit: str
    metric: str | None
    metric_word: str | None
    subject_kinds: tuple[str, ...]
    period_start: int | None
    period_end: int | None
    period_zh: str | None
    status: str
    bound: str | None
    sentence: Sentence
    score: float


@cache
def _pattern(unit_words: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in unit_words)
    return re.compile(rf"{_NUMBER}({words})")


@per_object
def _metric_aliases(schema: Schema) -> list[tuple[str, str]]:
    """(simplified alias, metric), longest alias first."""
    pairs = []
    for metric in schema.metrics.values():
        for alias in (metric.zh, *metric.aliases):
            if any("\u4e00" <= ch <= "\u9fff" for ch in alias):
                pairs.append((to_simplified(alias), metric.name))
    return sorted(set(pairs), key=lambda p: -len(p[0]))


def _value(number: str, multiplier: str | None) -> float | None:
    if number[0].isdigit():
        value = float(number.replace(",", ""))
    else:
        import cn2an

        if number[0] in "百千":  # 千亿元, 百万人: a leading 百/千 is 一百/一千
            number = "一" + number
        try:
            value = float(cn2an.cn2an(number, "strict"))
        except (ValueError, KeyError):
            return None
    return value * {"万": 1e4, "亿": 1e8}.get(multiplier or "", 1)


def count_number(text: str) -> int | None:
    """A count written in digits or Chinese numerals (12, 十二, 两), or None."""
    if text.isdigit():
        return int(text)
    import cn2an

    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def period_of(text: str, at: int, rules: Rules, default: int | None,
              context_year: int | None = None, published: int | None = None
              ) -> tuple[int | None, int | None, str | None, bool]:
    """(start, end, the words that date it, a target) of a figure at ``at`` in a sentence:
    到N年 -> a target for N; a plan period (十四五) -> its years; 近N年 -> the N years before
    publication; N年以来 -> N to publication; 截至N年 or a year earlier in the sentence -> N;
    else the closest year earlier in the paragraph (``context_year``), else publication."""
    head = text[:at]
    target = _TARGET.search(text)
    if target and (target.start() < at or not _YEAR.search(head)):
        year = int(target.group(1))
        return year, year, target.group(), True
    clause = text[:clause_end(text, at)]  # the period words before the figure or in its clause
    for word, (start, end) in rules.plan_periods.items():
        if word in clause:
            return start, end, word, False
    recent = _RECENT.search(clause)
    published = published or default
    if recent and published is not None and (n := count_number(recent.group(1))):
        return published - n, published - 1, recent.group(), False
    since = _SINCE.search(head) or _SINCE.search(text)
    if since:
        return int(since.group(1)), published, since.group(), False
    years = [int(y) for y in _YEAR.findall(head)] or [int(y) for y in _YEAR.findall(text)]
    if years:
        return years[-1], years[-1], f"{years[-1]}年", False
    if context_year is not None:
        return context_year, context_year, f"{context_year}年", False
    return default, default, None, False


_CLOSING = "”」』’\"'"


def _metric_before(clause: str, aliases: list[tuple[str, str]], schema: Schema, unit: str
                   ) -> tuple[str | None, str | None]:
    """(metric, the word naming it) of a figure, from the catalogue words of its clause
    before it: the one whose phrase ends last, a phrase being a word and the catalogue
    words right after it (高新技术企业|数量: the count of high-tech enterprises, not the
    generic 数量 of a group's members; “…工资总额”|增速: the wage bill's growth, not any
    growth); of two ending alike, the one that opens the phrase."""
    found = {}  # start -> (end, metric, word): the last place of each word, longest first
    for alias, name in aliases:
        at = clause.rfind(alias)
        if at >= 0:
            found.setdefault(at, (at + len(alias), name, alias))
    ends = {at: end for at, (end, _, _) in found.items()}
    best: tuple[int, int] | None = None
    chosen: tuple[str | None, str | None] = (None, None)
    for at, (end, name, alias) in found.items():
        if schema.metrics[name].unit != unit:
            continue
        while True:  # another catalogue word right after (a closing quote between): one phrase
            gap = end + 1 if clause[end:end + 1] in _CLOSING else end
            if gap not in ends:
                break
            end = ends[gap]
        if best is None or (end, -at) > best:
            best, chosen = (end, -at), (name, alias)
    return chosen


def _metric_after(rest: str, aliases: list[tuple[str, str]], schema: Schema, unit: str
                  ) -> tuple[str | None, str | None]:
    """(metric, word) of a count whose catalogue word follows it in its clause (the first
    such word; the longest at one place)."""
    best: tuple[int, str, str] | None = None
    for alias, name in aliases:
        at = rest.find(alias)
        if at >= 0 and schema.metrics[name].unit == unit and (best is None or at < best[0]):
            best = (at, name, alias)
    return (best[1], best[2]) if best else (None, None)


def find_figures(simplified: str, sentence: Sentence, rules: Rules, schema: Schema,
                 default_year: int | None,
                 context_year: int | None = None,
                 published: int | None = None,
                 names: tuple[tuple[int, int], ...] = ()) -> list[FigureCandidate]:
    """``context_year``: the closest year named earlier in the sentence's paragraph;
    ``names``: spans of the sentence's entity names (status words inside them say nothing:
    计划 in 重点研发计划 names a programme, it does not make a figure a plan)."""
    masked = list(simplified)
    for start, end in names:
        masked[start:end] = "□" * (end - start)
    unnamed = "".join(masked)
    units = {u.word: u for u in rules.units}
    aliases = _metric_aliases(schema)
    out = []
    for match in _pattern(tuple(u.word for u in rules.units)).finditer(simplified):
        number, multiplier, word = match.group(1), match.group(2), match.group(3)
        after = simplified[match.end():match.end() + 1]
        if not number[0].isdigit() and ((len(number) == 1 and number in "一两") or
                                        after in "个批"):
            continue  # 一个个, 两家 as words, not figures
        if match.start() > 0 and simplified[match.start() - 1] in "第":
            continue  # an ordinal
        value = _value(number, multiplier)
        if value is None:
            continue
        unit = units[word]
        value *= unit.factor
        head = simplified[:match.start()]
        clause = head[max(head.rfind(p) for p in "，,；;：:、") + 1:]
        metric, metric_word = _metric_before(clause, aliases, schema, unit.unit)
        if metric is None:  # 12项成果荣获2023年度国家科学技术奖: named after the count
            rest = simplified[match.end():clause_end(simplified, match.end())]
            metric, metric_word = _metric_after(rest, aliases, schema, unit.unit)
        start_year, end_year, period_zh, target = period_of(
            simplified, match.start(), rules, default_year, context_year, published)
        status = "target" if target else "actual"
        said = unnamed[:match.start()]  # without names: 计划 in 科技计划项目 is no plan
        for alias, _ in aliases:
            if alias in said:
                said = said.replace(alias, "")
        for words, figure_status, _ in rules.status_words:
            if any(w in said for w in words):
                status = figure_status
                break
        bound = "at_least" if any(w in simplified[max(0, match.start() - 3):match.start()]
                                  for w in _AT_LEAST) else None
        kinds = schema.metrics[metric].kinds if metric else ()
        value = int(value) if value == int(value) else value
        out.append(FigureCandidate(
            sentence.start + match.start(), sentence.start + match.end(),
            sentence.quote[match.start():match.end()], value, unit.unit, metric, metric_word,
            tuple(kinds), start_year, end_year, period_zh, status, bound, sentence,
            0.8 if metric else 0.4))
    return out
