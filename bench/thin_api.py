"""The thinnest API over Neo4j the project's stack allows, for bench/time_queries' floor: a
Flask app served by the same waitress server as ``innograph serve`` (``api.server``, the same
threads and GIL switch interval), whose one route runs a recorded request's Cypher statements
through the official driver and answers the raw records as JSON. No checks, no views, no
provenance cut: what any API on Flask, waitress and this driver pays before its own work.

    python -m bench.thin_api STATEMENTS.json BOLT_URI

STATEMENTS.json: ``{kind: [[[text, timeout, params], ...], ...]}`` (a request is a list of
statements). ``GET /s/{kind}/{i}`` runs request ``i`` of ``kind``. Prints the base URL on its
first line, then serves until killed.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import orjson
from flask import Flask, Response
from neo4j import READ_ACCESS, GraphDatabase, Query

from api.server import GIL_SWITCH_SECONDS, make_server, server_url


def thin_app(statements: dict[str, list[list[list[Any]]]], uri: str,
             auth: tuple[str, str] | None = None) -> Flask:
    driver = GraphDatabase.driver(uri, auth=auth)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20  # what make_server's body limit reads

    @app.get("/s/<kind>/<int:number>")
    def run(kind: str, number: int) -> Response:
        rows = []
        with driver.session(default_access_mode=READ_ACCESS,
                            notifications_min_severity="OFF") as session:
            for text, timeout, params in statements[kind][number]:
                rows += [r.data() for r in session.run(Query(text, timeout=timeout), params)]
        return Response(orjson.dumps(rows, default=str), mimetype="application/json")

    return app


def main() -> None:
    path, uri = sys.argv[1:3]
    with open(path, encoding="utf-8") as file:
        statements = json.load(file)
    sys.setswitchinterval(GIL_SWITCH_SECONDS)  # as innograph serve sets it
    server = make_server(thin_app(statements, uri), "127.0.0.1", 0)
    print(server_url(server), flush=True)
    server.run()


if __name__ == "__main__":
    main()
