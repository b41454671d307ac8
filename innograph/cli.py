"""The ``innograph`` command line: validate, stats, show, generate, serve (and more to come).

Exit codes: 0 success, 1 the data or the request failed (the message says where), 2 usage.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph.embedded import AmbiguousName, NodeNotFound
from graph.neo4j_rows import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS
from loaders.dataset import default_data_dir, load_graph
from loaders.problems import LoadError
from queries import checks
from queries.changes import CHANGE_KINDS
from queries.errors import BackendUnavailable, InvalidQuery

if TYPE_CHECKING:  # the query service imports igraph: 0.9 s an ingest batch need not pay
    from queries.backend import QueryBackend

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SHOW_ALL_EDGES = 10**9  # `show` lists every relation of the entity


class CommandError(Exception):
    """A failure to report on stderr with exit code 1."""


BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
#: How long `serve` retries at start while Neo4j throttles logins (it does so for 5 s).
LOGIN_RETRY_SECONDS = 15.0


def check_neo4j_target(uri: str, database: str | None) -> None:
    """Refuse a URI or database the driver would answer with an obscure error."""
    scheme = uri.partition("://")[0].lower() if "://" in uri else ""
    if scheme in ("http", "https"):
        raise CommandError(f"{uri} is an HTTP address (the Neo4j Browser's); innograph talks "
                           "to Neo4j over Bolt: use bolt://HOST:7687 or neo4j://HOST:7687")
    if scheme not in BOLT_SCHEMES:
        raise CommandError(f"{uri!r} is not a Bolt URI: use bolt://HOST:PORT or "
                           "neo4j://HOST:PORT")
    if database is not None and database.lower() == "system":
        raise CommandError("database 'system' holds Neo4j's users and settings, not a graph: "
                           "use a user database such as 'neo4j' (NEO4J_DATABASE / --database)")


def neo4j_failure(exc: Exception, uri: str, database: str | None, user: str,
                  password_given: bool) -> str:
    """One line saying what a driver error means for the user."""
    from neo4j.exceptions import AuthError

    from api.problems import login_throttled
    from graph.neo4j_sync import describe_connection_error

    if login_throttled(exc):
        return (f"Neo4j at {uri} refuses logins for a few seconds after repeated failed ones "
                f"(authentication rate limit): check the password of user {user!r}, then retry")
    if isinstance(exc, AuthError) and not password_given:
        return (f"Neo4j at {uri} requires a login and no password was given: set "
                "NEO4J_PASSWORD or pass --password (the local server's is found by itself: "
                "python -m innograph.neo4j_server password)")
    return describe_connection_error(exc, uri, database, user) or f"Neo4j at {uri}: {exc}"


def _load(args: argparse.Namespace) -> nx.MultiDiGraph:
    try:
        return load_graph(args.data, check_quotes=not getattr(args, "no_quotes", False))
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from None
    except LoadError as exc:
        raise CommandError(f"{args.data}: the data is invalid, nothing was loaded.\n"
                           f"{exc.report.summary()}") from None


def cmd_validate(args: argparse.Namespace) -> int:
    if args.path is not None and args.data is not None:
        print("innograph validate: error: give the data directory once: PATH or --data",
              file=sys.stderr)
        return EXIT_USAGE
    args.path = args.path or args.data or default_data_dir()
    try:
        g = load_graph(args.path, check_quotes=not args.no_quotes, sources_dir=args.sources)
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from None
    except LoadError as exc:
        print(f"{args.path}: INVALID, nothing was loaded", file=sys.stderr)
        print(exc.report.full() if args.all_errors else exc.report.summary(), file=sys.stderr)
        if not args.all_errors and exc.report.total > 3:
            print("(run with --all-errors for the full list)", file=sys.stderr)
        if exc.report.counts["unknown-source"] and args.sources is None:
            print("(quotes are checked against sources/ beside the data; "
                  "name another folder with --sources DIR)", file=sys.stderr)
        return EXIT_FAILED
    print(f"{args.path}: valid: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    return EXIT_OK


def format_statistics(stats: dict, as_of: str | None = None) -> str:
    within = f" as reported up to {as_of}" if as_of is not None else ""
    lines = [f"innograph: {stats['nodes']} nodes, {stats['edges']} edges{within} "
             f"(version {stats['version']})", "", "Nodes by kind:"]
    lines += [f"  {kind:<14}{count:>7}" for kind, count in stats["nodes_by_kind"].items()]
    lines += ["", "Edges by relation:"]
    lines += [f"  {rel:<18}{count:>7}" for rel, count in stats["edges_by_relation"].items()]
    lines += ["", "Quotes by source:"]
    lines += [f"  {src:<28}{count:>7}" for src, count in stats["quotes_by_source"].items()]
    lines += ["", f"Weakly connected components: {stats['weakly_connected_components']}",
              f"Isolated nodes: {stats['isolated_nodes']}"]
    return "\n".join(lines)


def _served(args: argparse.Namespace) -> QueryBackend:
    """The store in use: Neo4j when ``NEO4J_URI`` is set, else the data directory."""
    if os.environ.get("NEO4J_URI"):
        from queries.neo4j_backend import Neo4jBackend

        # as serve does: the local server's kept password when none is given (make
        # run-neo4j runs `innograph stats` on it first)
        _neo4j_environment()
        return Neo4jBackend.from_env()
    from queries.embedded_backend import EmbeddedBackend

    return EmbeddedBackend(_load(args))


def cmd_stats(args: argparse.Namespace) -> int:
    try:
        stats = _served(args).statistics(as_of=args.as_of)
    except InvalidQuery as exc:  # e.g. a date before the earliest source
        return _usage(args, exc)
    except BackendUnavailable as exc:
        raise CommandError(str(exc)) from None
    print(json.dumps(stats, ensure_ascii=False, indent=2) if args.json
          else format_statistics(stats, args.as_of))
    return EXIT_OK


#: Options of the time-aware commands, by the query parameter they carry.
DATE_OPTIONS = {"as_of": "--as-of", "from": "--from", "to": "--to"}


def date_option(value: str) -> str:
    """An argparse type: a date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (argparse names the
    option and exits 2 otherwise); whether it is after the earliest source is the query's."""
    try:
        checks.as_of("date", value)
    except InvalidQuery as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("date: ")) from None
    return value


def _usage(args: argparse.Namespace, exc: InvalidQuery) -> int:
    """A date the query refused (e.g. before the earliest source): exit 2 naming the option."""
    option = DATE_OPTIONS.get(exc.field, "--" + exc.field.replace("_", "-"))
    message = str(exc).removeprefix(f"{exc.field}: ")
    print(f"innograph {args.command}: error: argument {option}: {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_show(args: argparse.Namespace) -> int:
    service = _served(args)
    try:
        view = service.entity(args.entity, edge_limit=SHOW_ALL_EDGES, as_of=args.as_of)
    except InvalidQuery as exc:
        if exc.field in DATE_OPTIONS:
            return _usage(args, exc)
        raise CommandError(str(exc)) from None
    except AmbiguousName as exc:
        raise CommandError(f"{exc}; give one of these ids") from None
    except NodeNotFound as exc:
        hints = [item["id"] for item in service.search(args.entity, limit=5,
                                                       as_of=args.as_of)["items"]]
        hint = f"; did you mean: {', '.join(hints)}" if hints else ""
        if exc.as_of is not None:  # known, but only to later sources: no other id to guess
            hint = ""
        raise CommandError(f"{exc}{hint}") from None
    except BackendUnavailable as exc:
        raise CommandError(str(exc)) from None
    node_id = view["id"]
    edges = view.pop("edges")
    for key in ("edges_total", "edges_truncated"):
        del view[key]
    view["out"] = [{"rel": e["rel"], "to": e["other"]["id"],
                    "to_name_zh": e["other"]["name_zh"], "properties": e["properties"],
                    "provenance": e["provenance"]} for e in edges["out"]]
    view["in"] = [{"rel": e["rel"], "from": e["other"]["id"],
                   "from_name_zh": e["other"]["name_zh"], "properties": e["properties"],
                   "provenance": e["provenance"]} for e in edges["in"]]
    if args.json:
        print(json.dumps(view, ensure_ascii=False, indent=2))
        return EXIT_OK
    as_of = f"  (as reported up to {args.as_of})" if args.as_of else ""
    print(f"{view['name_zh']} / {view['name_en']}  "
          f"[{view['kind']}:{view['subtype']}]  id={node_id}{as_of}")
    if view["aliases"]:
        print(f"  aliases: {', '.join(view['aliases'])}")
    for name, value in view["properties"].items():
        print(f"  {name}: {value}")
    for p in view["provenance"]:
        print(f"  source {p['source']}: “{p['quote']}”")
    for e in view["out"]:
        _print_relation(f"-{e['rel']}-> {e['to']} ({e['to_name_zh']})", e)
    for e in view["in"]:
        _print_relation(f"<-{e['rel']}- {e['from']} ({e['from_name_zh']})", e)
    return EXIT_OK


def _print_relation(head: str, edge: dict[str, Any]) -> None:
    """One relation of ``show``: its status, every quote it rests on (a relation may need
    several sentences together), and what qualifies it (a group's statement, a note)."""
    props = edge["properties"]
    mark = f" [{props['status']}]" if props.get("status") else ""
    quotes = [f"“{p['quote']}”" for p in edge["provenance"]]
    print(f"  {head}{mark}: {quotes[0]}")
    for quote in quotes[1:]:
        print(f"      {quote}")
    if props.get("collective_of"):
        print(f"      said of the group {props['collective_of']} as a whole, not of each member")
    if props.get("note_en"):
        print(f"      note: {props['note_en']}")


def cmd_generate(args: argparse.Namespace) -> int:
    from loaders.generate import generate_dataset

    if args.nodes < 1:
        raise CommandError("--nodes must be at least 1")
    summary = generate_dataset(args.out, nodes=args.nodes, edges_per_node=args.edges_per_node,
                               seed=args.seed, like=args.like, progress=None)
    print(f"wrote {summary['nodes']} nodes and {summary['edges']} edges to {args.out}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import gc
    import signal
    import threading
    import time

    from api.app import allowed_hosts, create_app
    from api.routes.sparql import KEEPER
    from api.server import (
        GIL_SWITCH_SECONDS,
        make_server,
        server_url,
        warm_backing,
        warm_centrality,
    )
    from queries.errors import BackendUnavailable

    started = time.perf_counter()
    sys.setswitchinterval(GIL_SWITCH_SECONDS)  # a server process: latency under concurrency

    if not 1 <= args.threads <= 64:
        raise CommandError("--threads must be between 1 and 64")
    backend = _served_backend(args)
    try:
        health = _first_health(backend)
        graph = f"{health['nodes']} nodes, {health['edges']} edges"
    except BackendUnavailable as exc:  # keep serving: health answers 503 until it is back
        print(f"innograph serve: warning: {exc}; /api/v1/health answers 503 until the "
              f"{backend.name} backend is reachable", file=sys.stderr, flush=True)
        graph = "unreachable for now"
    # The loaded graph (and later the warm-up's caches) lives as long as the server: frozen,
    # the collector stops scanning it, else a full collection pauses every request ~1 s.
    gc.freeze()
    try:
        hosts = allowed_hosts(args.host, args.allowed_host)
        app = create_app(backend, config={"ALLOWED_HOSTS": hosts})
        # a SPARQL store built on a first query (a graph version not served before) says so
        app.extensions[KEEPER].report = _say
        server = make_server(app, args.host, args.port, args.threads)
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: "
                           f"{exc.strerror or exc}") from None
    url = server_url(server)
    print(f"innograph: explorer at {url}/, API at {url}/api/v1 (docs: {url}/api/docs) over "
          f"the {backend.name} graph ({graph}), {args.threads} threads; Ctrl-C stops",
          flush=True)

    def warm_up() -> None:
        warm_backing(backend)
        seconds = warm_centrality(backend)
        gc.freeze()
        print(f"innograph: centrality ready ({len(seconds)} measures in "
              f"{sum(seconds.values()):.1f} s), {time.perf_counter() - started:.1f} s after "
              "start", flush=True)
        analytics = backend.warm_analytics()  # communities, brokers, helix, gaps, ...
        print(f"innograph: ecosystem analytics ready ({len(analytics)} in "
              f"{sum(analytics.values()):.1f} s), {time.perf_counter() - started:.1f} s after "
              "start", flush=True)

    if not args.no_warm_up:  # in the background: requests are served meanwhile
        threading.Thread(target=warm_up, name="centrality-warm-up", daemon=True).start()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # SIGTERM (docker stop, process managers) stops cleanly like Ctrl-C; SIGINT is set too
    # because a shell that starts us in the background leaves it ignored.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, stop)
    try:
        server.run()  # waitress ends its loop on the KeyboardInterrupt itself and returns
    except KeyboardInterrupt:  # raised outside its loop (before it began)
        pass
    finally:
        server.task_dispatcher.shutdown()
    print("innograph: stopped", flush=True)
    _end_process(EXIT_OK)
    return EXIT_OK  # not reached


def _end_process(code: int) -> None:
    """End a stopped server's process: Python's exit handlers run (SPARQL workers killed,
    temporary stores removed, logs flushed), then the process exits without the native
    libraries' static destructors, one of which aborted 5 of 40 Ctrl-C stops here
    ("terminate called without an active exception", no Python frame left: exit 134)."""
    import atexit
    import os

    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def cmd_sparql_store(args: argparse.Namespace) -> int:
    """Build (or open) the SPARQL store of the graph ``serve`` would serve, with its progress:
    a later ``serve`` of the same graph opens it at once instead of building it on its first
    SPARQL query (as a triple store's offline loader does before its server starts)."""
    import time

    from api.app import create_app
    from api.routes.sparql import KEEPER
    from queries.sparql_store import StoreNotReady

    backend = _served_backend(args)
    keeper = create_app(backend).extensions[KEEPER]
    keeper.report = _say
    started = time.perf_counter()
    keeper.start()
    while True:
        try:
            store = keeper.get(args.progress_seconds)
            break
        except StoreNotReady:
            print(f"innograph: ... building, {time.perf_counter() - started:.0f} s",
                  file=sys.stderr, flush=True)
        except BackendUnavailable as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:  # the build's own failure (disk full, ...): its partial
            # directory is already removed (build_store)
            raise CommandError(f"the SPARQL store could not be built in {keeper.directory}: "
                               f"{exc}") from None
    if store.built:
        phases = ", ".join(f"{name.replace('_', ' ')} {seconds:.1f} s"
                           for name, seconds in store.phases.items())
        print(f"innograph: built {store.quads:,} quads in {store.load_seconds:.1f} s "
              f"({phases}): {store.path}", flush=True)
    else:
        print(f"innograph: already built ({store.quads:,} quads), opened in "
              f"{store.load_seconds * 1000:.1f} ms: {store.path}", flush=True)
    return EXIT_OK


def _served_backend(args: argparse.Namespace) -> QueryBackend:
    """What ``serve`` serves: Neo4j when ``NEO4J_URI`` is set, else ``--data`` loaded."""
    from api.app import default_backend

    if os.environ.get("NEO4J_URI"):
        _neo4j_environment()
    try:
        return default_backend(args.data)
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from None
    except LoadError as exc:
        raise CommandError(f"{args.data}: the data is invalid, nothing was loaded.\n"
                           f"{exc.report.summary()}") from None
    except (RuntimeError, BackendUnavailable) as exc:  # e.g. a NEO4J_URI it cannot use
        raise CommandError(str(exc)) from None


def _say(text: str) -> None:
    print(f"innograph: {text}", file=sys.stderr, flush=True)


def _neo4j_environment() -> None:
    """Check NEO4J_URI and NEO4J_DATABASE, and give NEO4J_PASSWORD the local server's kept
    password when it is unset and NEO4J_URI is that server."""
    from innograph.neo4j_server import stored_login

    uri = os.environ["NEO4J_URI"].strip()
    check_neo4j_target(uri, os.environ.get("NEO4J_DATABASE") or None)
    if os.environ.get("NEO4J_PASSWORD") is None and (login := stored_login(uri)):
        os.environ.setdefault("NEO4J_USER", login[0])
        os.environ["NEO4J_PASSWORD"] = login[1]


def _first_health(backend: object) -> dict:
    """The backend's health at start: while Neo4j throttles logins, retried for a few seconds;
    any other driver error (one the API would answer 500) stops the start with one line."""
    import time

    from neo4j.exceptions import DriverError, Neo4jError

    from api.problems import login_throttled

    deadline = time.monotonic() + LOGIN_RETRY_SECONDS
    while True:
        try:
            return backend.health()  # type: ignore[attr-defined]
        except (Neo4jError, DriverError) as exc:
            uri = os.environ.get("NEO4J_URI", "")
            if login_throttled(exc) and time.monotonic() < deadline:
                print(f"innograph serve: Neo4j at {uri} refuses logins for a few seconds "
                      "(authentication rate limit); retrying", file=sys.stderr, flush=True)
                time.sleep(2.0)
                continue
            user = os.environ.get("NEO4J_USER") or "neo4j"
            raise CommandError(neo4j_failure(exc, uri, os.environ.get("NEO4J_DATABASE"), user,
                                             os.environ.get("NEO4J_PASSWORD") is not None)
                               ) from None


def cmd_schema(args: argparse.Namespace) -> int:
    from graph.schema import load_schema
    from graph.schema_doc import mermaid_diagram, replace_readme_section, schema_markdown

    schema = load_schema()
    if args.update_readme:
        readme = args.update_readme.read_text(encoding="utf-8")
        body = schema_markdown(schema, _load(args))
        args.update_readme.write_text(replace_readme_section(readme, body), encoding="utf-8")
        print(f"updated the data-model section of {args.update_readme}")
    elif args.format == "json":
        print(json.dumps(schema.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "mermaid":
        print(mermaid_diagram(_load(args)))
    else:
        print(schema_markdown(schema, _load(args)))
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from neo4j import GraphDatabase
    from neo4j.exceptions import DriverError, Neo4jError

    from graph.neo4j_sync import SyncError, sync_graph
    from innograph.neo4j_server import stored_login
    from queries.centrality import for_sync

    if args.batch_size < 1:
        raise CommandError("--batch-size must be at least 1")
    if args.workers < 1:
        raise CommandError("--workers must be at least 1")
    database = args.database or None
    if args.bulk_home is None:
        check_neo4j_target(args.uri, database)
    g = _load(args)
    if args.bulk_home is not None:
        return _bulk_import(g, args)
    auth = (args.user, args.password) if args.password else stored_login(args.uri)
    try:
        with GraphDatabase.driver(args.uri, auth=auth, connection_timeout=10.0,
                                  max_transaction_retry_time=15.0) as driver:
            driver.verify_connectivity()
            report = sync_graph(g, driver, database=database, batch_size=args.batch_size,
                                replace=args.replace,
                                centrality=None if args.no_centrality else for_sync,
                                workers=args.workers)
    except SyncError as exc:
        raise CommandError(f"Neo4j at {args.uri}: {exc}") from None
    except (Neo4jError, DriverError) as exc:
        raise CommandError(neo4j_failure(exc, args.uri, database, auth[0] if auth else args.user,
                                         auth is not None)) from None
    print(f"synced {args.data} into {args.uri} (database {database or 'default'})")
    print(report.summary())
    return EXIT_OK


def _bulk_import(g: nx.MultiDiGraph, args: argparse.Namespace) -> int:
    from innograph.bulk import BulkImportError, bulk_import

    try:
        report = bulk_import(g, args.bulk_home, database=args.database or "neo4j")
    except BulkImportError as exc:
        raise CommandError(str(exc)) from None
    print(report.summary())
    print(f"next: python -m innograph.neo4j_server start --home {args.bulk_home}, then "
          "`innograph sync` (creates constraints and indexes, writes centrality and the "
          "ecosystem analytics)")
    return EXIT_OK


# The RDF export formats (graph.rdf.export.FORMATS), named here so that --help needs no import
RDF_FORMATS = ("ttl", "nt", "jsonld", "xml", "trig", "nq")


def cmd_export(args: argparse.Namespace) -> int:
    from graph.rdf.export import FORMATS, ExportError, export_graph, rdf_format
    from graph.rdf.namespaces import resolve_base

    fmt = args.format
    if fmt is None:  # from the output file's extension, else Turtle
        by_extension = {f.extension: name for name, f in FORMATS.items()}
        fmt = by_extension.get(args.out.suffix.lower(), "ttl") if args.out else "ttl"
    spec = rdf_format(fmt)
    what = "ontology" if args.ontology else "shapes" if args.shapes else "data"
    if args.as_of is not None and what != "data":
        print("innograph export: error: argument --as-of: dates the data; the ontology and "
              "the shapes do not change with time", file=sys.stderr)
        return EXIT_USAGE
    try:
        base = resolve_base(args.base)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    out = args.out if args.out else io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8",
                                                       newline="\n")
    try:
        if what == "data":
            try:
                g = _served(args).snapshot(as_of=args.as_of)
            except InvalidQuery as exc:  # a date before the earliest source
                return _usage(args, exc)
            size = export_graph(g, fmt, out, base=base, progress=None)
        else:
            from graph.rdf.ontology import build_ontology, serialize
            from graph.rdf.shapes import build_shapes

            text = serialize(build_ontology() if what == "ontology" else build_shapes(), fmt)
            size = out.write_text(text, encoding="utf-8") if args.out else out.write(text)
    except (ExportError, BackendUnavailable) as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    finally:
        if not args.out:
            out.flush()
            out.detach()  # leave sys.stdout usable
    if args.out:
        print(f"wrote {what} as {spec.label} to {args.out} ({size:,} characters)",
              file=sys.stderr)
    return EXIT_OK


def format_changes(answer: dict) -> str:
    """One line per change, quotes from both sides for status and metric changes."""
    counts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in answer["counts"].items())
    about = f" about {answer['entity']}" if "entity" in answer else ""
    lines = [f"Changes from {answer['from']} to {answer['to']}{about}: {counts} "
             f"(showing {len(answer['items'])} from {answer['offset']})"]

    def quotes(provenance: list[dict]) -> str:
        return " / ".join(f"“{p['quote']}”" for p in provenance[:2])

    def figure(o: dict) -> str:
        value = o.get("value", f"×{o.get('change_factor')}")
        return f"{value} ({o['period_start']}-{o['period_end']}, {o['status']}) " + quotes(
            o["provenance"])

    for item in answer["items"]:
        kind = item["change"].replace("_", " ")
        if item["record"] == "node":
            n = item["node"]
            lines.append(f"  {kind}: {n['id']} ({n['name_zh']}) [{n['kind']}] "
                         + quotes(item["provenance"]))
        elif item["record"] == "edge":
            what = f"{item['from']['id']} -{item['rel']}-> {item['to']['id']}"
            if item["change"] == "status_changed":
                lines.append(f"  {kind}: {what}: {item['status_before']} "
                             f"{quotes(item['provenance_before'])} -> {item['status_after']} "
                             + quotes(item["provenance"]))
            else:
                lines.append(f"  {kind}: {what} " + quotes(item["provenance"]))
        else:
            lines.append(f"  metric: {item['subject']['id']} {item['metric']['zh']} / "
                         f"{item['metric']['en']}")
            lines += [f"    before: {figure(o)}" for o in item["before"]]
            lines += [f"    after:  {figure(o)}" for o in item["after"]]
    return "\n".join(lines)


def _listed(values: list[str] | None) -> list[str] | None:
    """A repeatable option's values, each of which may be comma-separated."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def cmd_changes(args: argparse.Namespace) -> int:
    try:
        answer = _served(args).changes(args.start, args.end, limit=args.limit,
                                       offset=args.offset, changes=_listed(args.change),
                                       kinds=_listed(args.kind), entity=args.entity)
    except InvalidQuery as exc:
        return _usage(args, exc)
    except AmbiguousName as exc:
        raise CommandError(f"{exc}; give one of these ids to --entity") from None
    except (NodeNotFound, BackendUnavailable) as exc:
        raise CommandError(str(exc)) from None
    print(json.dumps(answer, ensure_ascii=False, indent=2) if args.json
          else format_changes(answer))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="innograph",
        description="A knowledge graph of a regional innovation ecosystem (institutions, labs, "
                    "parks, funds, companies, achievements) with provenance for every fact.",
        epilog="Exit codes: 0 success, 1 invalid data or failed request, 2 wrong usage.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def data_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", type=Path, default=default_data_dir(),
                       help="data directory (default: %(default)s, or $INNOGRAPH_DATA)")

    p = sub.add_parser("validate", help="check a data directory against the schema",
                       description="Check every record of a data directory against the schema "
                                   "and every quote against its source; report all problems, "
                                   "grouped by kind.")
    p.add_argument("path", nargs="?", type=Path,
                   help=f"data directory or RDF file (default: {default_data_dir()})")
    # as every other command names it (a user who typed --data got "unrecognized arguments")
    p.add_argument("--data", type=Path, help="the same as PATH")
    p.add_argument("--sources", type=Path, metavar="DIR",
                   help="source documents for the quotes (default: sources/ beside the data)")
    p.add_argument("--all-errors", action="store_true", help="list every problem, not a summary")
    p.add_argument("--no-quotes", action="store_true", help="skip checking quotes against sources")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("stats", help="print graph statistics",
                       description="Build the graph and print counts by kind and relation.")
    data_option(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--as-of", type=date_option, metavar="DATE",
                   help="the graph as reported up to DATE (YYYY, YYYY-MM or YYYY-MM-DD)")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("show", help="show one entity with its relations and quotes",
                       description="Show an entity, by id or by exact zh/en name or alias.")
    p.add_argument("entity", help="an id (e.g. changxing-fund) or a name (e.g. 长兴基金)")
    data_option(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--as-of", type=date_option, metavar="DATE",
                   help="as reported up to DATE (YYYY, YYYY-MM or YYYY-MM-DD)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("changes", help="what changed between two dates",
                       description="Entities and relations that appeared or were not reported "
                                   "since, relations whose status changed (planned -> done), "
                                   "and metrics with values and quotes from both dates.")
    p.add_argument("--from", dest="start", required=True, type=date_option, metavar="DATE",
                   help="the earlier date (YYYY, YYYY-MM or YYYY-MM-DD)")
    p.add_argument("--to", dest="end", required=True, type=date_option, metavar="DATE",
                   help="the later date")
    p.add_argument("--change", action="append", metavar="CHANGE",
                   help="only this kind of change (repeatable or comma-separated): "
                        + ", ".join(CHANGE_KINDS))
    p.add_argument("--kind", action="append", metavar="KIND",
                   help="only changes about entities of this node kind (repeatable or "
                        "comma-separated), e.g. Lab")
    p.add_argument("--entity", metavar="ID-or-NAME",
                   help="only changes about this entity (itself, its relations, its metrics)")
    p.add_argument("--limit", type=int, default=1000, help="at most this many changes")
    p.add_argument("--offset", type=int, default=0, help="changes to skip")
    data_option(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_changes)

    p = sub.add_parser("schema", help="print the schema (JSON, markdown tables, mermaid)",
                       description="Print the one schema: node kinds, relation kinds, "
                                   "properties; the diagram shows the relations used in --data.")
    p.add_argument("--format", choices=("json", "markdown", "mermaid"), default="markdown")
    p.add_argument("--update-readme", type=Path, metavar="README",
                   help="rewrite the generated data-model section of this README instead")
    data_option(p)
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("generate", help="write a synthetic data set of any size",
                       description="Write a seeded, deterministic synthetic ecosystem (nodes, "
                                   "edges, source texts) shaped like the real data.")
    p.add_argument("--nodes", type=int, required=True, help="number of nodes")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--edges-per-node", type=float, default=3.0, help="default: %(default)s")
    p.add_argument("--seed", type=int, default=42, help="random seed (default: %(default)s)")
    p.add_argument("--like", type=Path, default=default_data_dir(),
                   help="data set whose kind and relation mix to copy (default: %(default)s)")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("serve", help="serve the HTTP API (waitress)",
                       description="Serve the HTTP API and its docs (/api/docs) with waitress. "
                                   "Uses Neo4j when NEO4J_URI is set, else loads --data.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default: %(default)s; 0.0.0.0 exposes it)")
    p.add_argument("--port", type=int, default=8000, help="port (default: %(default)s; 0 = any)")
    p.add_argument("--threads", type=int, default=8, help="worker threads (default: %(default)s)")
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="also answer requests whose Host header names NAME (repeatable; '*' "
                        "for any); by default only the bound address and localhost, so a web "
                        "page cannot reach the server through a rebound DNS name")
    p.add_argument("--no-warm-up", action="store_true",
                   help="do not compute every centrality measure (and the backing index) at "
                        "start (in the background)")
    data_option(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("sparql-store", help="build the SPARQL store ahead of serve",
                       description="Build (or open, if built before) the SPARQL endpoint's "
                                   "store of the graph serve would serve (Neo4j when "
                                   "NEO4J_URI is set, else --data): the RDF export, the "
                                   "ontology and the statistics tables in an on-disk "
                                   "Oxigraph store kept per graph version in "
                                   "$INNOGRAPH_SPARQL_STORE_DIR (default ~/.cache/innograph/"
                                   "sparql). A later serve of the same graph opens it at once "
                                   "instead of building it on its first SPARQL query.")
    p.add_argument("--progress-seconds", type=float, default=10.0,
                   help="report progress this often (default: %(default)s)")
    data_option(p)
    p.set_defaults(func=cmd_sparql_store)

    p = sub.add_parser("sync", help="write the graph to Neo4j (idempotent, batched)",
                       description="Write the graph into Neo4j: constraints and indexes from "
                                   "the schema, then only the nodes and edges that changed "
                                   "(content hashes), checked by counts afterwards, then "
                                   "centrality scores as node properties. Additive unless "
                                   "--replace. See docs/neo4j.md.")
    data_option(p)
    p.add_argument("--uri", default=os.environ.get("NEO4J_URI") or "bolt://127.0.0.1:7687",
                   help="Bolt URI (default: $NEO4J_URI or %(default)s)")
    p.add_argument("--user", default=os.environ.get("NEO4J_USER") or "neo4j",
                   help="user (default: $NEO4J_USER or %(default)s)")
    p.add_argument("--password", default=os.environ.get("NEO4J_PASSWORD"),
                   help="password (default: $NEO4J_PASSWORD, else the kept one of the local "
                        "server on that port, else connect without auth)")
    p.add_argument("--database", default=os.environ.get("NEO4J_DATABASE"),
                   help="database (default: $NEO4J_DATABASE or the server's default)")
    p.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                   help="rows per write transaction (default: %(default)s); a sync that fits "
                        "in one batch is one transaction")
    p.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                   help="write transactions in flight at once in a batched sync "
                        "(default: %(default)s)")
    p.add_argument("--replace", action="store_true",
                   help="also delete entities and relationships no longer in the data")
    p.add_argument("--no-centrality", action="store_true",
                   help="do not write centrality scores and ecosystem analytics "
                        "(community, constraint, effective_size, sphere) back")
    p.add_argument("--bulk-home", type=Path, metavar="HOME",
                   help="instead: fill the empty database of the STOPPED local server home "
                        "HOME (innograph.neo4j_server) offline with neo4j-admin import")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("export", help="export the graph (or its ontology, or SHACL shapes) as RDF",
                       description="Write the graph as RDF: every node and edge with all its "
                                   "properties and provenance (PROV-O), in Turtle, N-Triples, "
                                   "JSON-LD, RDF/XML, TriG or N-Quads; streamed, so any size "
                                   "fits. IRIs: {base}id/{node-id}. See docs/rdf.md.")
    data_option(p)
    p.add_argument("--format", choices=RDF_FORMATS,
                   help="RDF format (default: from --out's extension, else ttl)")
    p.add_argument("--out", type=Path, help="output file (default: standard output)")
    p.add_argument("--base", help="base IRI of instance data (default: $INNOGRAPH_BASE or "
                                  "the schema's ontology.base)")
    p.add_argument("--no-quotes", action="store_true", help="skip checking quotes when loading")
    p.add_argument("--as-of", type=date_option, metavar="DATE",
                   help="the graph as reported up to DATE (YYYY, YYYY-MM or YYYY-MM-DD): "
                        "what only later sources report is left out, provenance cut")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--ontology", action="store_true",
                      help="write the ontology (RDFS/OWL, from the schema) instead of the data")
    what.add_argument("--shapes", action="store_true",
                      help="write the SHACL shapes (from the schema) instead of the data")
    p.set_defaults(func=cmd_export)

    from innograph.ingest_cli import register as register_ingest  # ingest, review, accept, ...

    register_ingest(sub)
    from innograph.analytics_cli import register as register_analytics  # analytics, report

    register_analytics(sub, data_option)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CommandError as exc:
        print(f"innograph {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # e.g. `innograph stats | head`
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
