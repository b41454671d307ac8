"""The ecosystem subcommands: ``innograph analytics communities|brokers|helix|gaps|suggest``
and ``innograph report`` (innograph/report.py). Both ask the query service the API serves
(Neo4j when ``NEO4J_URI`` is set, else the data directory)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from queries.ecosystem.brokers import SORTS
from queries.ecosystem.gaps import GAP_KINDS
from queries.ecosystem.scoring import METHODS
from queries.ecosystem.suggest import TASKS

Json = dict[str, Any]


def _name(summary: Json) -> str:
    return f"{summary['name_zh']} ({summary['id']})"


def _text(what: str, answer: Json) -> list[str]:
    """A terminal rendering of an answer (``--json`` prints the answer itself)."""
    if what == "communities":
        lines = [f"{answer['total']} communities, modularity {answer['modularity']:.3f}"]
        lines += [f"{c['rank']:>3}. {c['size']:>5} members  {c['label']['zh']}  "
                  f"({', '.join(k['name'] for k in c['kinds'][:3])})"
                  for c in answer["communities"]]
        return lines
    if what == "brokers":
        lines = [f"{answer['total']} actors by {answer['sort']}"]
        for i in answer["items"]:
            constraint = "-" if i["constraint"] is None else f"{i['constraint']:.3f}"
            size = "-" if i["effective_size"] is None else f"{i['effective_size']:.1f}"
            lines.append(f"{i['rank']:>3}. {_name(i)} [{i['sphere']}]  brokerage "
                         f"{i['brokerage_total']}, constraint {constraint}, "
                         f"effective size {size}")
        return lines
    if what == "helix":
        t = answer["synergy"]["T_uig"]
        lines = [f"T(uig) overall: {'-' if t is None else f'{t:.3f}'} bits "
                 f"({answer['synergy']['units']} units)",
                 "actors: " + ", ".join(f"{s} {c}" for s, c in answer["actors"].items())]
        lines += [f"  {' - '.join(link['spheres'])}: {link['ties']} ties"
                  for link in answer["linkage"]]
        for s in answer["sectors"]:
            st = s["synergy"]["T_uig"]
            lines.append(f"  {_name(s)}: T(uig) {'-' if st is None else f'{st:.3f}'}, "
                         f"{s['synergy']['units']} units")
        return lines
    if what == "gaps":
        lines = ["totals: " + ", ".join(f"{k} {v}" for k, v in answer["totals"].items())]
        lines += [f"  {i['gap']}: {_name(i['subject'])}: {i['missing']['en']}"
                  for i in answer["items"]]
        return lines
    lines = [f"SUGGESTIONS, not facts: {answer['total']} candidate pairs ({answer['task']}, "
             f"by {answer['method']})"]
    for i in answer["items"]:
        lines.append(f"{i['rank']:>3}. {_name(i['from'])} -> {_name(i['to'])}  "
                     f"{i['scores'][answer['method']]:.3g}")
        for path in i["evidence"]:
            for hop in path["edges"]:
                for edge in hop:
                    for p in edge["provenance"][:1]:
                        lines.append(f"       {edge['from']} {edge['rel']} {edge['to']}: "
                                     f"“{p['quote']}” ({p['source']})")
    return lines


def cmd_analytics(args: argparse.Namespace) -> int:
    from graph.embedded import AmbiguousName, NodeNotFound
    from innograph.cli import CommandError, _served, _usage
    from queries.errors import BackendUnavailable, InvalidQuery

    arguments: Json = {"as_of": args.as_of, "limit": args.limit}
    if args.what == "brokers":
        arguments.update(sort=args.sort, sphere=args.sphere, kind=args.kind)
    elif args.what == "gaps":
        arguments.update(kind=args.kind)
    elif args.what == "suggest":
        arguments.update(task=args.task, score=args.method, node=args.node)
    arguments = {k: v for k, v in arguments.items() if v is not None}
    service = _served(args)
    try:
        answer = getattr(service, args.what)(**arguments)
    except InvalidQuery as exc:  # a value the query refused: a usage error, like argparse's
        return _usage(args, exc)
    except NodeNotFound as exc:
        raise CommandError(f"--node: {exc}") from None
    except (AmbiguousName, BackendUnavailable) as exc:
        raise CommandError(str(exc)) from None
    print(json.dumps(answer, ensure_ascii=False, indent=2) if args.json
          else "\n".join(_text(args.what, answer)))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from innograph import report
    from innograph.cli import CommandError, _served
    from queries.errors import BackendUnavailable

    out = Path(args.out)
    if not out.parent.is_dir():
        raise CommandError(f"--out {out}: the directory {out.parent} does not exist")
    service = _served(args)
    try:
        page = report.build(service, lang=args.lang, as_of=args.as_of,
                            progress=lambda step: print(f"report: {step}", file=sys.stderr,
                                                        flush=True))
    except BackendUnavailable as exc:
        raise CommandError(str(exc)) from None
    try:
        report.write(page, out)
    except OSError as exc:
        raise CommandError(f"--out {out}: {exc.strerror or exc}") from None
    print(f"wrote {out} ({len(page.encode()) // 1024} KiB)")
    return 0


def date(text: str) -> str:
    """An argparse type: a date as the API takes it (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``)."""
    from queries import checks
    from queries.errors import InvalidQuery

    try:
        checks.as_of("date", text)
    except InvalidQuery as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("date: ")) from None
    return text


def register(sub: Any, data_option: Any) -> None:
    """Add ``analytics`` and ``report`` to the main parser's subparsers."""
    p = sub.add_parser("analytics", help="communities, brokers, triple helix, gaps, suggested "
                                         "links",
                       description="Ecosystem analytics over the served graph (docs/analytics.md)"
                                   ". Suggestions are never facts: each comes with the "
                                   "relations and quotes it rests on.")
    p.add_argument("what", choices=("communities", "brokers", "helix", "gaps", "suggest"))
    data_option(p)
    p.add_argument("--as-of", type=date, metavar="DATE",
                   help="over the graph as reported up to DATE (YYYY, YYYY-MM, YYYY-MM-DD)")
    p.add_argument("--limit", type=int, help="at most this many items")
    p.add_argument("--json", action="store_true", help="print the API's JSON answer")
    p.add_argument("--sort", choices=SORTS, help="brokers: rank by")
    p.add_argument("--sphere", help="brokers: only this sphere")
    p.add_argument("--kind", help=f"brokers: only this node kind; gaps: one of "
                                  f"{', '.join(GAP_KINDS)}")
    p.add_argument("--task", choices=tuple(TASKS), help="suggest: which links")
    p.add_argument("--method", choices=METHODS, help="suggest: rank by")
    p.add_argument("--node", help="suggest: only from or to this entity (id or name)")
    p.set_defaults(func=cmd_analytics)

    p = sub.add_parser("report", help="write the ecosystem report (one self-contained HTML "
                                      "page)",
                       description="Sizes, top actors, communities, triple helix, gaps, "
                                   "suggested links and the changes between source years, as "
                                   "one HTML page with inline SVG charts (no script, no CDN).")
    data_option(p)
    p.add_argument("--out", required=True, help="the HTML file to write")
    p.add_argument("--as-of", type=date, metavar="DATE",
                   help="the graph as reported up to DATE (YYYY, YYYY-MM, YYYY-MM-DD)")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="page language")
    p.set_defaults(func=cmd_report)
