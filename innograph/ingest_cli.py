"""The ingestion subcommands: ingest, review, accept, retract (loaders/ingest/)."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from loaders.dataset import default_data_dir
from loaders.ingest.errors import IngestError


def _data(args: argparse.Namespace) -> Path:
    return Path(args.data) if args.data else default_data_dir()


def cmd_ingest(args: argparse.Namespace) -> int:
    from loaders.ingest.pipeline import ingest_many
    from loaders.ingest.propose import SourceMeta

    files = [Path(f) for f in args.files]
    if len(files) > 1 and (args.out or args.title or args.url):
        print("error: --out, --title and --url name one article: give them with one FILE",
              file=sys.stderr)
        return 2
    meta = SourceMeta(args.date, args.title, args.outlet, args.url)
    failed: list[IngestError] = []
    written: list[Path] = []
    with tqdm(total=len(files), unit="article", desc="ingest", file=sys.stderr,
              disable=len(files) < 2 or not sys.stderr.isatty()) as bar:
        for _, result, review in ingest_many(files, _data(args), meta,
                                        Path(args.out) if args.out else None):
            bar.update()
            if not gc.get_freeze_count():
                # what the first article loaded (the graph, the rules and their indexes,
                # jieba's dictionary) lives as long as the batch: frozen, the collector stops
                # walking it, as `serve` does with its graph (full collections over it were a
                # fifth of a 120-article batch)
                gc.freeze()
            if isinstance(result, IngestError):
                failed.append(result)
                bar.write(f"error: {result}", file=sys.stderr)
                continue
            counts = ", ".join(f"{len(review.get(s) or [])} {s}"
                               for s in ("mentions", "entities", "relations", "figures"))
            bar.write(f"wrote {result}: {counts}")
            written.append(result)
    if len(written) == 1:
        print(f"review it (innograph review {written[0]} or an editor), then: "
              f"innograph accept {written[0]}")
    elif written:
        print("review them (innograph review FILE or an editor), then: innograph accept FILE "
              "for each")
    if len(files) > 1 and failed:
        print(f"{len(failed)} of {len(files)} articles not ingested", file=sys.stderr)
    return max((e.exit_code for e in failed), default=0)


def cmd_accept(args: argparse.Namespace) -> int:
    from loaders.ingest.accept import accept

    counts = accept(Path(args.review), _data(args))
    print("accepted: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
    print("next: innograph sync (Neo4j) or restart innograph serve")
    return 0


def cmd_retract(args: argparse.Namespace) -> int:
    from loaders.ingest.retract import retract

    for line in retract(_data(args), args.source):
        print(line)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from loaders.ingest.review import read_review, write_review

    path = Path(args.review)
    review, _ = read_review(path)
    walk(review, sys.stdin, sys.stdout, only_pending=args.only_rejected)
    write_review(review, path)
    print(f"saved {path}")
    return 0


def _describe(section: str, p: dict[str, Any]) -> str:
    if section == "mentions":
        return f"mention of {p['entity']} as {p['name']}"
    if section == "entities":
        similar = "; ".join(f"{s['id']} {s['name']} {s['score']}" for s in p.get("similar", []))
        return (f"new {p['kind']}/{p['subtype']} {p['name_zh']} ({p['name_en']})"
                + (f"  close to: {similar}" if similar else ""))
    if section == "relations":
        return f"{p['from']} -{p['rel']}-> {p['to']} (trigger {p['trigger']})"
    also = (f"  already {p['existing']}: accept adds the quote" if p.get("existing") else
            f"  conflicts with {p['conflicts']['id']} = {p['conflicts']['value']}"
            if isinstance(p.get("conflicts"), dict) else "")
    return (f"figure {p.get('subject')} {p.get('metric')} = {p.get('value')} {p.get('unit')} "
            f"({p.get('period_end')}, {p.get('status')})" + also)


def walk(review: dict[str, Any], inp: TextIO, out: TextIO, only_pending: bool = False) -> None:
    """Ask about each proposal: a(ccept) r(eject) k KIND SUBTYPE, m ID (merge), e NAME
    (English name), enter keeps the decision, q saves and stops. Reads lines, so it is
    scriptable through stdin."""
    from graph.schema import load_schema

    schema = load_schema()
    for section in ("entities", "relations", "figures", "mentions"):
        for p in review.get(section) or []:
            if only_pending and p["decision"] == "accept":
                continue
            while True:
                out.write(f"[{p['key']}] {_describe(section, p)}\n  quote: {p['quote']}\n"
                          f"  decision {p['decision']} (score {p.get('score')}) > ")
                out.flush()
                line = inp.readline()
                if not line or line.strip() == "q":
                    return
                answer = line.strip()
                command, _, rest = answer.partition(" ")
                if answer == "":
                    break
                if command == "a":
                    p["decision"] = "accept"
                    break
                if command == "r":
                    p["decision"] = "reject"
                    break
                if command == "m" and section == "entities" and rest:
                    p["decision"], p["merge_into"] = "merge", rest.strip()
                    break
                if command == "e" and section == "entities" and rest:
                    p["name_en"] = rest.strip()
                    continue
                if command == "k" and section == "entities":
                    kind, _, subtype = rest.strip().partition(" ")
                    spec = schema.node_kinds.get(kind)
                    if spec and (subtype or spec.subtypes[0]) in spec.subtypes:
                        p["kind"], p["subtype"] = kind, subtype or spec.subtypes[0]
                        continue
                    out.write(f"  unknown kind or subtype; kinds: {', '.join(schema.node_kinds)}\n")
                    continue
                out.write("  a = accept, r = reject, k KIND [SUBTYPE], m ID (merge), "
                          "e NAME (English name), enter = keep, q = save and quit\n")


def register(sub: Any) -> None:
    """Add the subcommands to the main parser's subparsers."""
    def data_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", help="data directory (default: data/ or $INNOGRAPH_DATA)")

    p = sub.add_parser("ingest", help="propose entities, relations and figures from an article",
                       description="Read a UTF-8 text or HTML article and write a review file "
                       "of proposals with verbatim quotes (docs/ingest.md); data/ is unchanged.")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="articles; several are read with the graph loaded once, each to "
                   "its own review file")
    p.add_argument("--date", help="publication date, YYYY-MM-DD or YYYY")
    p.add_argument("--title", help="headline")
    p.add_argument("--outlet", help="newspaper or outlet")
    p.add_argument("--url", help="where the article was found")
    p.add_argument("--out", help="review file of a single FILE (default: FILE's name + "
                   ".review.yaml)")
    data_option(p)
    p.set_defaults(func=_guard(cmd_ingest))
    p = sub.add_parser("review", help="walk the proposals of a review file in the terminal")
    p.add_argument("review")
    p.add_argument("--only-rejected", action="store_true",
                   help="ask only about proposals not marked accept")
    p.set_defaults(func=_guard(cmd_review))
    p = sub.add_parser("accept", help="add the accepted proposals of a review file to data/")
    p.add_argument("review")
    data_option(p)
    p.set_defaults(func=_guard(cmd_accept))
    p = sub.add_parser("retract", help="remove a source and what rests only on it from data/")
    p.add_argument("source", help="source file name (data/sources/...) or Source id")
    data_option(p)
    p.set_defaults(func=_guard(cmd_retract))


def _guard(command: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except IngestError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return exc.exit_code
    return run
