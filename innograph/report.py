"""The ecosystem report: one self-contained HTML page (``innograph report --out report.html``).

Sizes, the top actors per centrality measure, communities, triple-helix figures, gaps,
suggested links with their quotes, and what changed between the sources' publication years
(graph/timeline.py: a record is known in a year when a source it cites was published by
then). Every figure comes from the query service the API serves (so the page's numbers are
the API's); charts are matplotlib's SVG backend, inlined with their text kept as text (the
browser's CJK fonts draw Chinese names): no script, no CDN, nothing fetched.

``--as-of YEAR`` builds the whole page over the graph as the sources up to that year report it.
"""

from __future__ import annotations

import html
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from string import Template
from typing import Any

import matplotlib

matplotlib.use("svg")  # no display, no GUI toolkit
import itertools

import matplotlib.pyplot as plt
from matplotlib import font_manager

from graph.timeline import source_years
from queries.backend import QueryBackend

logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # weight fallbacks
Json = dict[str, Any]
TEMPLATE = Path(__file__).with_name("report.html")
MEASURES = ("degree", "pagerank", "betweenness", "eigenvector")
TOP = 5
LANGS = ("zh", "en")
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC", "SimHei")

TEXT: dict[str, dict[str, str]] = {
    "title": {"zh": "长春创新生态报告", "en": "Changchun innovation ecosystem report"},
    "lead": {"zh": "由知识图谱生成；每个事实都有来源与原文引语。推测的联系已明确标注，并非事实。",
             "en": "Generated from the knowledge graph; every fact has its source and verbatim "
                   "quote. Suggested links are marked as such and are not facts."},
    "as_of": {"zh": "截至 {year} 年发表的来源", "en": "As the sources published up to {year} "
                                                     "report it"},
    "version": {"zh": "图谱版本", "en": "Graph version"},
    "sizes": {"zh": "规模", "en": "Sizes"},
    "nodes": {"zh": "实体", "en": "Entities"},
    "edges": {"zh": "关系", "en": "Relations"},
    "kind": {"zh": "类型", "en": "Kind"},
    "count": {"zh": "数量", "en": "Count"},
    "centrality": {"zh": "核心行动者", "en": "Top actors per measure"},
    "measure": {"zh": "指标", "en": "Measure"},
    "rank": {"zh": "名次", "en": "Rank"},
    "score": {"zh": "得分", "en": "Score"},
    "communities": {"zh": "社群", "en": "Communities"},
    "communities_lead": {"zh": "Leiden 社群（模块度 Q = {q}，共 {n} 个）",
                         "en": "Leiden communities (modularity Q = {q}, {n} in all)"},
    "size": {"zh": "规模", "en": "Size"},
    "label": {"zh": "主要成员", "en": "Top members"},
    "kinds": {"zh": "主要类型", "en": "Main kinds"},
    "helix": {"zh": "三螺旋", "en": "Triple helix"},
    "helix_lead": {"zh": "总体协同 T(uig) = {t} 比特（负值表示协同；Leydesdorff 2003）",
                   "en": "Overall synergy T(uig) = {t} bits (negative: synergy; Leydesdorff "
                         "2003)"},
    "sphere": {"zh": "领域", "en": "Sphere"},
    "actors": {"zh": "行动者", "en": "Actors"},
    "spheres": {"zh": "领域对", "en": "Spheres"},
    "ties": {"zh": "联系", "en": "Ties"},
    "sector": {"zh": "产业", "en": "Sector"},
    "units": {"zh": "单元", "en": "Units"},
    "gaps": {"zh": "缺口", "en": "Gaps"},
    "gap": {"zh": "缺口类型", "en": "Gap"},
    "subject": {"zh": "对象", "en": "Subject"},
    "missing": {"zh": "缺少", "en": "Missing"},
    "suggestions": {"zh": "推测的联系（非事实）", "en": "Suggested links (not facts)"},
    "fund_lab": {"zh": "基金 → 实验室", "en": "Fund → lab"},
    "lab_company": {"zh": "实验室 → 企业", "en": "Lab → company"},
    "none": {"zh": "无", "en": "None"},
    "changes": {"zh": "来源年份之间的变化", "en": "What changed between the source years"},
    "changes_lead": {"zh": "某年的图谱：该年及以前发表的来源所报道的实体与关系。",
                     "en": "A year's graph: the entities and relations reported by sources "
                           "published up to that year."},
    "year": {"zh": "年份", "en": "Year"},
    "new": {"zh": "{year} 年新出现的实体", "en": "Entities first reported in {year}"},
    "one_year": {"zh": "只有一个来源年份，无从比较。", "en": "Only one source year: nothing to "
                                                      "compare."},
    "synergy": {"zh": "协同 T(uig)", "en": "Synergy T(uig)"},
    "footer": {"zh": "innograph 生成；数据与引语见 data/。", "en": "Made by innograph; data and "
                                                          "quotes in data/."},
}


class Page:
    def __init__(self, lang: str):
        self.lang = lang
        self.parts: list[str] = []
        self.charts = 0

    def t(self, key: str, **values: object) -> str:
        return TEXT[key][self.lang].format(**values)

    def name(self, summary: Json) -> str:
        return summary.get(f"name_{self.lang}") or summary["id"]

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def section(self, key: str, lead: str | None = None) -> None:
        self.add(f'<h2 id="{key}">{esc(self.t(key))}</h2>')
        if lead:
            self.add(f'<p class="lead">{esc(lead)}</p>')

    def table(self, head: Iterable[str], rows: Iterable[Iterable[object]], cls: str) -> None:
        cells = "".join(f"<th>{esc(h)}</th>" for h in head)
        body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
        self.add(f'<table class="{cls}"><thead><tr>{cells}</tr></thead>'
                 f"<tbody>{body}</tbody></table>")

    def chart(self, title: str, draw: Callable[[Any], None], height: float = 3.2) -> str:
        self.charts += 1
        with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"c{self.charts}",
                             "font.family": ["sans-serif"], "font.sans-serif": fonts(),
                             "axes.spines.top": False,
                             "axes.spines.right": False}):
            fig, ax = plt.subplots(figsize=(6.4, height))
            draw(ax)
            ax.set_title(title)
            fig.tight_layout()
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None})
            plt.close(fig)
        svg = out.getvalue()
        svg = svg[svg.index("<svg"):]  # drop the XML declaration and doctype
        return f'<figure class="figure" aria-label="{esc(title)}">{svg}</figure>'


def fonts() -> list[str]:
    """Sans-serif fonts for measuring the labels, a CJK one first if installed (the SVG keeps
    its text as text: the browser draws it with its own fonts)."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in CJK_FONTS if f in installed] + ["DejaVu Sans"]


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def cell(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"<td>{esc(value)}</td>"
    shown = f"{value:.3f}" if isinstance(value, float) else str(value)
    return f'<td class="num" data-value="{value!r}">{shown}</td>'


def bars(labels: list[str], values: list[float], colour: str = "#3465a4"
         ) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        ax.barh(labels[::-1], values[::-1], color=colour)
        ax.tick_params(labelsize=8)
    return draw


def build(service: QueryBackend, *, lang: str = "en", as_of: str | int | None = None,
          progress: Callable[[str], None] = lambda step: None) -> str:
    """The report's HTML over ``service`` (as of ``as_of``, if given)."""
    if lang not in LANGS:
        raise ValueError(f"--lang must be one of {', '.join(LANGS)}, got {lang!r}")
    original = service
    whole = service.snapshot()
    years = sorted(set(source_years(whole).values()))
    if as_of is not None:
        from queries.embedded_backend import EmbeddedBackend

        progress(f"the graph as of {as_of}")
        then = service.snapshot(as_of=as_of)  # checks the date
        service = EmbeddedBackend(then)  # every section over that snapshot
        years = [y for y in years if y <= then.graph["as_of"]]
    page = Page(lang)
    page.add(f"<h1>{esc(page.t('title'))}</h1>")
    page.add(f'<p class="lead">{esc(page.t("lead"))}</p>')
    meta = f"{page.t('version')}: {service.version()}"
    if as_of is not None:
        meta = f"{page.t('as_of', year=as_of)} · {meta}"
    page.add(f'<p class="lead" id="meta">{esc(meta)}</p>')
    for step, write in (("sizes", _sizes), ("centrality", _centrality),
                        ("communities", _communities), ("triple helix", _helix),
                        ("gaps", _gaps), ("suggestions", _suggestions)):
        progress(step)
        write(page, service)
    progress("changes between source years")
    _changes(page, original, years)
    page.add(f"<footer>{esc(page.t('footer'))}</footer>")
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        lang="zh-Hans" if lang == "zh" else "en", title=esc(page.t("title")),
        body="\n".join(page.parts))


def write(html_text: str, out: Path) -> None:
    """Write ``out`` whole or not at all (a temporary file beside it, then renamed)."""
    out = Path(out)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(html_text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sizes(page: Page, service: QueryBackend) -> None:
    stats = service.statistics()
    page.section("sizes")
    page.add('<div class="cards">'
             f'<div class="card" id="size-nodes">{esc(page.t("nodes"))}'
             f'<b>{stats["nodes"]}</b></div>'
             f'<div class="card" id="size-edges">{esc(page.t("edges"))}'
             f'<b>{stats["edges"]}</b></div></div>')
    kinds = sorted(stats["nodes_by_kind"].items(), key=lambda kv: (-kv[1], kv[0]))
    page.add('<div class="figures">')
    page.table((page.t("kind"), page.t("count")), kinds, "sizes")
    page.add(page.chart(page.t("nodes"), bars([k for k, _ in kinds], [c for _, c in kinds])))
    page.add("</div>")


def _centrality(page: Page, service: QueryBackend) -> None:
    page.section("centrality")
    rows = []
    for measure in MEASURES:
        answer = service.centrality(measure, top=TOP)
        rows.extend((measure, item["rank"], page.name(item), item["kind"], item["score"])
                    for item in answer["items"])
    page.table((page.t("measure"), page.t("rank"), page.t("nodes"), page.t("kind"),
                page.t("score")), rows, "centrality")


def _communities(page: Page, service: QueryBackend) -> None:
    answer = service.communities(limit=10)
    page.section("communities", page.t("communities_lead", q=f"{answer['modularity']:.3f}",
                                        n=answer["total"]))
    rows = [(c["rank"], c["size"], c["label"][page.lang],
             "、".join(f"{k['name']} {k['count']}" for k in c["kinds"][:3]), c["modularity"])
            for c in answer["communities"]]
    page.add('<div class="figures">')
    page.table(("#", page.t("size"), page.t("label"), page.t("kinds"), "Q"), rows,
               "communities")
    page.add(page.chart(page.t("communities"),
                        bars([f"#{c['rank']}" for c in answer["communities"]],
                             [c["size"] for c in answer["communities"]], "#4e9a06")))
    page.add("</div>")


def _helix(page: Page, service: QueryBackend) -> None:
    answer = service.helix(limit=10)
    overall = answer["synergy"]["T_uig"]
    page.section("helix", page.t("helix_lead", t="–" if overall is None else f"{overall:.3f}"))
    page.add(f'<p id="t-uig" data-value="{overall!r}" hidden></p>')
    actors = sorted(answer["actors"].items(), key=lambda kv: (-kv[1], kv[0]))
    page.add('<div class="figures">')
    page.table((page.t("sphere"), page.t("actors")), actors, "helix-actors")
    page.add(page.chart(page.t("actors"), bars([s for s, _ in actors], [c for _, c in actors],
                                               "#75507b")))
    page.add("</div>")
    page.table((page.t("spheres"), page.t("ties")),
               [(" – ".join(link["spheres"]), link["ties"]) for link in answer["linkage"]],
               "helix-linkage")
    page.table((page.t("sector"), page.t("units"), "T(uig)"),
               [(page.name(s), s["synergy"]["units"],
                 "–" if s["synergy"]["T_uig"] is None else s["synergy"]["T_uig"])
                for s in answer["sectors"]], "helix-sectors")


def _gaps(page: Page, service: QueryBackend) -> None:
    answer = service.gaps(limit=10, evidence=1)
    page.section("gaps")
    page.table((page.t("gap"), page.t("count")), answer["totals"].items(), "gaps-totals")
    page.table((page.t("gap"), page.t("subject"), page.t("missing")),
               [(i["gap"], page.name(i["subject"]), i["missing"][page.lang])
                for i in answer["items"]], "gaps")


def _suggestions(page: Page, service: QueryBackend) -> None:
    page.section("suggestions")
    for task in ("fund_lab", "lab_company"):
        answer = service.suggest(task=task, limit=TOP, evidence=2)
        page.add(f'<h3 id="suggest-{task}">{esc(page.t(task))} '
                 f'<span class="count" data-value="{answer["total"]}">({answer["total"]})'
                 "</span></h3>")
        if not answer["items"]:
            page.add(f"<p>{esc(page.t('none'))}</p>")
        for item in answer["items"]:
            quotes = []
            for path in item["evidence"]:
                for hop in path["edges"]:
                    for edge in hop:
                        for p in edge["provenance"][:1]:
                            quotes.append(f'<blockquote>{esc(p["quote"])} <span class="source">'
                                          f'{esc(edge["from"])} {esc(edge["rel"])} '
                                          f'{esc(edge["to"])} · {esc(p["source"])}</span>'
                                          "</blockquote>")
            scores = ", ".join(f"{k} {v:.3g}" for k, v in item["scores"].items())
            page.add(f'<div class="suggestion" data-from="{esc(item["from"]["id"])}" '
                     f'data-to="{esc(item["to"]["id"])}"><b>{item["rank"]}. '
                     f'{esc(page.name(item["from"]))} → {esc(page.name(item["to"]))}</b> '
                     f'<span class="source">({esc(scores)})</span>'
                     f'<p>{esc(item["explanation"][page.lang])}</p>{"".join(quotes)}</div>')


def _changes(page: Page, service: QueryBackend, years: list[int]) -> None:
    from queries.embedded_backend import EmbeddedBackend

    page.section("changes", page.t("changes_lead"))
    if len(years) < 2:
        page.add(f"<p>{esc(page.t('one_year'))}</p>")
        return
    graphs = {y: service.snapshot(as_of=y) for y in years}
    services = {y: EmbeddedBackend(g) for y, g in graphs.items()}
    stats = {y: s.statistics() for y, s in services.items()}
    kinds = sorted({k for s in stats.values() for k in s["nodes_by_kind"]})
    rows: list[list[object]] = [[page.t("nodes"), *(stats[y]["nodes"] for y in years)],
                                [page.t("edges"), *(stats[y]["edges"] for y in years)]]
    rows += [[k, *(stats[y]["nodes_by_kind"].get(k, 0) for y in years)] for k in kinds]
    rows.append([page.t("communities"),
                 *(services[y].communities(limit=1)["total"] for y in years)])
    synergy = [services[y].helix(limit=1)["synergy"]["T_uig"] for y in years]
    rows.append([page.t("synergy"), *("–" if t is None else t for t in synergy)])
    gaps = {y: services[y].gaps(limit=1, evidence=0)["totals"] for y in years}
    rows += [[f"{page.t('gaps')}: {k}", *(gaps[y][k] for y in years)] for k in gaps[years[0]]]
    page.add('<div class="figures">')
    page.table(("", *map(str, years)), rows, "changes")

    def grouped(ax: Any) -> None:
        width = 0.8 / len(years)
        for i, y in enumerate(years):
            ax.barh([j + i * width for j in range(len(kinds))],
                    [stats[y]["nodes_by_kind"].get(k, 0) for k in kinds], height=width,
                    label=str(y))
        ax.set_yticks([j + 0.4 - width / 2 for j in range(len(kinds))], kinds)
        ax.tick_params(labelsize=8)
        ax.legend()
    page.add(page.chart(page.t("nodes"), grouped, height=4.2))
    page.add("</div>")
    for before, after in itertools.pairwise(years):
        new = sorted(set(graphs[after]) - set(graphs[before]))
        named = [page.name({"id": n, **graphs[after].nodes[n]}) for n in new
                 if graphs[after].nodes[n].get("kind") not in ("Source", "Observation")]
        page.add(f'<h3 id="new-{after}">{esc(page.t("new", year=after))} '
                 f'<span class="count" data-value="{len(named)}">({len(named)})</span></h3>')
        page.add(f"<p>{esc('、'.join(named[:40]) + ('…' if len(named) > 40 else ''))}</p>")
