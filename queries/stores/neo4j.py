"""``GraphStore`` over Neo4j: primitive reads, each one Cypher statement from
``queries.stores.cypher``, records turned into the embedded graph's shapes by
``queries.stores.records``.

Differences from the embedded store, all in order or cost, none in content: ties in name
search and ambiguous-name candidates are ordered by id (the embedded graph uses load order,
which Neo4j does not keep); when more paths exist than asked for, Neo4j keeps the smallest by
node ids; path enumeration is bounded by a transaction timeout (``path_timeout``). Backing
reads only the relations its chains may use, level by level from the funds
(``backing_subgraph``). The snapshot (whole-graph work: RDF export, analytics) is read once
per synced generation; counts and centrality rankings are read without it.

As of a year (``Filter.as_of``): lookups and walks add ``reported_from <= $as_of`` to their
Cypher (``cypher.seen``; range-indexed on nodes) and cut the provenance they read to the
sources published by then (``records.as_of``); whole-graph answers as of a year (statistics,
centrality, changes) are computed on ``graph.timeline.dated_view`` of the snapshot (no copy
per year), as the embedded store computes them, and kept per generation and year.
Connection failures raise ``BackendUnavailable`` (HTTP 503) naming the server and the cause.

Whether the content is settled: ``innograph sync`` (graph.neo4j_sync) bumps the metadata
node's generation and marks it ``in_progress`` before its first write and ``complete`` after
its last. ``settled`` reads that state before and after a whole-graph computation and refuses
(``GraphChanging``, 503 with Retry-After) unless both say the same complete generation;
answers it keeps are keyed by generation, so none outlives a change of the content.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any, LiteralString, TypeVar, cast

import networkx as nx
from neo4j import READ_ACCESS, Driver, GraphDatabase, Query, Record
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    ServiceUnavailable,
    SessionExpired,
)

from graph.embedded import phrase_terms, search_phrases
from graph.embedded import statistics as graph_statistics
from graph.neo4j_rows import META_KEY
from graph.timeline import dated_view
from queries import backing, centrality
from queries.errors import (
    AmbiguousName,
    BackendUnavailable,
    GraphChanging,
    NoAnswer,
    NodeNotFound,
    QueryTimedOut,
)
from queries.kept import KEPT_KIB, KeptValues, Weigh
from queries.store import NOW, Filter, FoundPaths, Json, Scores
from queries.stores import cypher
from queries.stores.records import (
    STATE_FIELDS,
    SyncState,
    as_of,
    edge_attrs,
    local_graph,
    node_view,
    summary,
)
from queries.time_limit import seconds_left

T = TypeVar("T")
ENV_VARS = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")
DEFAULT_USER = "neo4j"
#: Fail fast when the server is down, so the API answers 503 instead of waiting (reads are
#: auto-commit: the driver does not retry them either).
DRIVER_DEFAULTS = {"connection_timeout": 5.0}
TIMED_OUT_CODES = ("Neo.ClientError.Transaction.TransactionTimedOut",
                   "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration")
#: How long a read of the sync state serves lookups (the ``Innograph-Sync-State`` header);
#: whole-graph answers always read it afresh, before and after.
STATE_MAX_AGE = 1.0
#: Retry-After of a whole-graph answer refused while a sync runs, in seconds.
RETRY_AFTER = 10
DEFAULT_PATH_TIMEOUT = 5.0  # seconds a path enumeration may run (includes query planning)
#: Nodes per statement when the whole graph is read (``cypher.nodes_and_edges``).
SNAPSHOT_CHUNK = 5000


class Neo4jStore:
    name = "neo4j"

    def __init__(self, driver: Driver, *, database: str | None = None, uri: str | None = None,
                 user: str | None = None, path_timeout: float = DEFAULT_PATH_TIMEOUT,
                 owns_driver: bool = False):
        self.driver = driver
        self.database = database
        self.uri = uri or "the configured server"
        self.user = user
        self.path_timeout = path_timeout
        self._owns_driver = owns_driver
        self._cache: dict[tuple, Any] = {}  # source years by version
        self._cache_lock = threading.Lock()
        self._kept = KeptValues(KEPT_KIB)  # what ``settled`` keeps
        self._state: tuple[float, SyncState] | None = None  # (monotonic time read, state)

    @classmethod
    def connect(cls, uri: str, *, user: str | None = None, password: str | None = None,
                database: str | None = None, **options: Any) -> Neo4jStore:
        """A store with its own driver (no connection is made until the first read)."""
        auth = (user or DEFAULT_USER, password) if password is not None else None
        try:
            driver = GraphDatabase.driver(uri, auth=auth, **{**DRIVER_DEFAULTS, **options})
        except (ValueError, ConfigurationError) as exc:  # e.g. an unsupported URI scheme
            raise BackendUnavailable(f"cannot use NEO4J_URI {uri!r}: {exc}") from None
        return cls(driver, database=database, uri=uri, user=auth[0] if auth else None,
                   owns_driver=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Neo4jStore:
        """From ``NEO4J_URI`` (required), ``NEO4J_USER`` (default neo4j), ``NEO4J_PASSWORD``
        (unset: no auth) and ``NEO4J_DATABASE`` (unset: the server's default database)."""
        uri = environ.get("NEO4J_URI", "").strip()
        if not uri:
            raise BackendUnavailable("NEO4J_URI is not set: give the Bolt URI of the Neo4j "
                                     "server, e.g. bolt://127.0.0.1:7687")
        return cls.connect(uri, user=environ.get("NEO4J_USER") or None,
                           password=environ.get("NEO4J_PASSWORD"),
                           database=environ.get("NEO4J_DATABASE") or None)

    def close(self) -> None:
        if self._owns_driver:
            self.driver.close()

    # -- running Cypher ---------------------------------------------------------------------

    def run(self, text: str, timeout: float | None = None, **params: Any) -> list[Record]:
        """Run one read statement within ``timeout`` seconds and the request's time limit
        (``queries.time_limit``: Neo4j stops the statement there, a transaction timeout);
        driver failures become ``BackendUnavailable`` and a timeout ``QueryTimedOut``."""
        left = seconds_left()
        if left is not None:
            if left <= 0:
                raise QueryTimedOut("the request's time limit was reached")
            timeout = left if timeout is None else min(timeout, left)
        query = Query(cast(LiteralString, text), timeout=timeout)
        try:
            # auto-commit: a read need not be retried, and a down server must fail fast;
            # notifications off: e.g. a schema relation kind the data does not use yet
            with self.driver.session(database=self.database, default_access_mode=READ_ACCESS,
                                     notifications_min_severity="OFF") as session:
                return list(session.run(query, params))
        except AuthError as exc:
            if self.user is None:  # no password given: the driver sent no credentials
                raise BackendUnavailable(
                    f"Neo4j at {self.uri} requires a login and none was given (set "
                    f"NEO4J_PASSWORD): {exc.message}") from None
            raise BackendUnavailable(
                f"Neo4j at {self.uri} refused the credentials of user {self.user!r} "
                f"(check NEO4J_USER and NEO4J_PASSWORD): {exc.message}") from None
        except (ServiceUnavailable, SessionExpired) as exc:
            raise BackendUnavailable(f"Neo4j at {self.uri} cannot be reached: {exc}") from None
        except ClientError as exc:
            if exc.code in TIMED_OUT_CODES:
                raise QueryTimedOut(str(exc.message)) from None
            if exc.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise BackendUnavailable(
                    f"Neo4j at {self.uri} has no database {self.database!r} "
                    f"(check NEO4J_DATABASE): {exc.message}") from None
            raise

    # -- the sync state: is the content settled? ------------------------------------------

    def sync_state(self, max_age: float = STATE_MAX_AGE) -> SyncState:
        """What the metadata node says about the content: one read of one node by its unique
        key, reused for ``max_age`` seconds (0: read now)."""
        now = time.monotonic()
        with self._cache_lock:
            held = self._state
        if held is not None and now - held[0] <= max_age:
            return held[1]
        records = self.run(cypher.sync_state(STATE_FIELDS), key=META_KEY)
        state = SyncState.from_meta(records[0]["meta"] if records else {})
        if records:  # no graph yet: read again next time, so the first sync shows at once
            with self._cache_lock:
                self._state = (now, state)
        return state

    def _settled_state(self) -> SyncState:
        """The state read now; ``GraphChanging`` unless the last sync completed."""
        state = self.sync_state(max_age=0)
        if not state.complete:
            self._no_graph(state)
            raise GraphChanging(f"Neo4j at {self.uri}: {state.reason()}", state, RETRY_AFTER)
        return state

    def settled(self, compute: Callable[[], T], key: tuple | None = None,
                weigh: Weigh | None = None) -> T:
        """``compute()`` from settled content only: the state is read before and after (every
        sync that writes bumps the generation first, so the same complete generation both
        times means no write came in between). With a ``key``, kept for the generation
        (``queries.kept``: within the store's budget when ``weigh`` is given); a kept value
        costs the one read before."""
        state = self._settled_state()
        if key is None:
            return self._checked(compute, state)
        return self._kept.value((state.generation, state.version), key,
                                lambda: self._checked(compute, state), weigh)

    def _checked(self, compute: Callable[[], T], state: SyncState) -> T:
        """``compute()``, refused if the settled state read after it is not ``state``."""
        value = compute()
        if self._settled_state() != state:
            raise GraphChanging(f"Neo4j at {self.uri}: a sync changed the graph while this "
                                f"answer was computed; ask again", state, RETRY_AFTER)
        return value

    def _no_graph(self, state: SyncState) -> None:
        if state.version is None and state.status is None:
            raise BackendUnavailable(f"Neo4j at {self.uri} holds no innograph graph (no "
                                     f"InnographMeta node): run `innograph sync` first")

    # -- the primitives ---------------------------------------------------------------------

    def version(self) -> str:
        state = self.sync_state()
        self._no_graph(state)
        if state.version is None:
            raise BackendUnavailable(f"Neo4j at {self.uri} holds no innograph graph yet: the "
                                     f"first `innograph sync` into it has not completed")
        return state.version

    def health(self) -> Json:
        """``ok``, or ``degraded`` with the reason while the last sync is not complete (the
        counts are then of what the database holds at the moment)."""
        state = self.sync_state(max_age=0)
        self._no_graph(state)
        record = self.run(cypher.counts())[0]
        answer: Json = {"status": "ok", "backend": self.name, "version": state.version,
                        "nodes": record["nodes"], "edges": record["edges"]}
        if state.version is None:  # the first sync into an empty database is running
            del answer["version"]
        if not state.complete:
            answer.update(status="degraded", reason=state.reason(), sync=state.view())
        return answer

    def source_years(self) -> dict[str, int]:
        """Publication year by source file, read once per graph version."""
        version = self.sync_state().version
        with self._cache_lock:
            kept = self._cache.get(("source_years", version))
        if kept is None:
            kept = {r["file"]: r["year"] for r in self.run(cypher.source_years())}
            with self._cache_lock:
                self._cache[("source_years", version)] = kept
        return kept

    def _dated(self, props: Mapping[str, Any], within: Filter, edge: bool = False
               ) -> Mapping[str, Any]:
        """A read record's properties as of the filter's year (provenance cut, status)."""
        if within.as_of is None:
            return props
        return as_of(props, self.source_years(), within.as_of, edge)

    def resolve(self, text: str, within: Filter = NOW) -> str:
        """As ``graph.embedded.resolve_node``: an id, or an exact (case-insensitive) name."""
        dated = within.as_of is not None
        if self.run(cypher.node_by_id(dated), q=text, as_of=within.as_of):
            return text
        found = [r["id"] for r in self.run(cypher.nodes_by_name(dated),
                                           phrases=search_phrases(text), as_of=within.as_of)]
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousName(text, found)
        raise NodeNotFound(text)

    def summaries(self, ids: Iterable[str], within: Filter = NOW) -> dict[str, Json]:
        ids = list(dict.fromkeys(ids))
        found = {r["node"]["id"]: summary(r["node"]) for r in self.run(
            cypher.summaries(within.as_of is not None), ids=ids, as_of=within.as_of)}
        return {n: found[n] for n in ids if n in found}

    def node(self, node_id: str, within: Filter = NOW) -> Json:
        records = self.run(cypher.nodes(within.as_of is not None), ids=[node_id],
                           as_of=within.as_of)
        if not records:
            raise NodeNotFound(node_id)
        return node_view(self._dated(records[0]["node"], within))

    def edge_page(self, node_id: str, limit: int, offset: int, within: Filter = NOW
                  ) -> tuple[Json, list[Json], list[Json], dict[str, int]]:
        records = self.run(cypher.edge_page(within.as_of is not None), id=node_id,
                           offset=offset, limit=limit, as_of=within.as_of)
        if not records:
            raise NodeNotFound(node_id)
        record = records[0]

        def edges(found: list[Json]) -> list[Json]:
            return [{"rel": e["rel"], "other": summary(e["other"]),
                     **_edge_view(e["rel"], self._dated(e["props"], within, edge=True))}
                    for e in found]

        return (node_view(self._dated(record["node"], within)), edges(record["out"]),
                edges(record["in"]),
                {"out": record["out_total"], "in": record["in_total"]})

    def search(self, text: str, kinds: Sequence[str] | None, offset: int, limit: int,
               within: Filter = NOW) -> tuple[int, list[Json]]:
        phrases = [{"phrase": p, "terms": phrase_terms(p)} for p in search_phrases(text)]
        several = len(phrases) != 1
        found = {"phrases": phrases} if several else {"q": phrases[0]["phrase"],
                                                      "terms": phrases[0]["terms"]}
        record = self.run(cypher.search(bool(text), within.as_of is not None, several),
                          **found, kinds=kinds, offset=offset, limit=limit,
                          as_of=within.as_of)[0]
        return record["total"], [summary(item) for item in record["items"]]

    def expand(self, frontier: list[str], walk: Filter) -> dict[str, list[Json]]:
        return {r["id"]: sorted((summary(w) for w in r["neighbours"]), key=lambda s: s["id"])
                for r in self.run(cypher.expand(walk.relations, walk.directed,
                                                walk.as_of is not None),
                                  frontier=frontier, kinds=_kinds(walk),
                                  keep=sorted(walk.endpoints), as_of=walk.as_of)}

    def edges_among(self, ids: list[str], walk: Filter) -> list[Json]:
        return [{"from": r["u"], "to": r["v"], "rel": r["rel"],
                 **_edge_view(r["rel"], self._dated(r["props"], walk, edge=True))}
                for r in self.run(cypher.edges_among(walk.relations, walk.as_of is not None),
                                  ids=ids, as_of=walk.as_of)]

    def find_paths(self, a: str, b: str, mode: str, walk: Filter, *, max_length: int,
                   wanted: int) -> FoundPaths | None:
        """All shortest paths: one statement (the ends by id, the paths, their nodes and
        edges). Simple paths: shortest first, one length at a time from the distance between
        the ends (the smallest node-id sequences of the last length), within the timeout,
        then their nodes and edges."""
        shape = (walk.relations, walk.node_kinds, walk.directed, walk.as_of is not None)
        params = {"a": a, "b": b, "as_of": walk.as_of}
        if mode == "shortest":
            records = self.run(cypher.shortest_paths(max_length, *shape), cap=wanted,
                               **params)
            if not records:
                return None
            record = records[0]
            # node summaries: nothing in them is cut as of a year
            return FoundPaths(record["paths"], False,
                              self._hop_graph(record["nodes"], record["edges"], walk))
        deadline = time.monotonic() + self.path_timeout
        found: list[list[str]] = []
        timed_out = False
        try:
            shortest = self.run(cypher.shortest_length(max_length, *shape),
                                timeout=self.path_timeout, **params)
            if not shortest:
                return None
            distance = shortest[0]["n"]  # null: no path
            lengths = range(distance, max_length + 1) if distance is not None else range(0)
            for length in lengths:
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                found += [r["ids"] for r in self.run(
                    cypher.simple_paths_of_length(length, *shape), timeout=left,
                    cap=wanted - len(found), **params)]
                if len(found) >= wanted:
                    break
        except QueryTimedOut:
            if not found and len(self.summaries([a, b], walk)) < 2:
                return None  # not both ids: the distance was never read
            timed_out = True
        return FoundPaths(found, timed_out, self.subgraph(found or [[a, b]], walk))

    def subgraph(self, node_paths: list[list[str]], within: Filter = NOW
                 ) -> nx.MultiDiGraph:
        """The nodes on ``node_paths`` and every stored edge (any relation, either direction)
        between two consecutive nodes of a path: what ``queries.views`` renders hops from."""
        ids = list(dict.fromkeys(n for p in node_paths for n in p))
        pairs = sorted({pair for p in node_paths for u, v in pairwise(p)
                        for pair in ((u, v), (v, u))})
        record = self.run(cypher.path_subgraph(within.as_of is not None), ids=ids,
                          pairs=[list(p) for p in pairs], as_of=within.as_of)[0]
        return self._hop_graph([self._dated(node, within) for node in record["nodes"]],
                               record["edges"], within)

    def _hop_graph(self, nodes: Iterable[Mapping[str, Any]], edges: list[Mapping[str, Any]],
                   within: Filter) -> nx.MultiDiGraph:
        """A local graph of read nodes and ``{u, v, rel, props}`` edges (these as of the
        year)."""
        return local_graph(nodes, ((e["u"], e["v"], e["rel"],
                                    self._dated(e["props"], within, edge=True)) for e in edges))

    def backing_subgraph(self, fund: str | None, max_length: int, within: Filter = NOW
                         ) -> nx.MultiDiGraph:
        """What ``queries.backing`` needs from ``fund`` (None: every fund): the nodes and
        relationships a chain may use, read level by level (one statement each) along
        ``backing.links_out`` from the funds, ``max_length - 1`` levels deep; a hub's other
        relations and the rest of the graph stay on the server."""
        dated = within.as_of is not None
        nodes = {r["node"]["id"]: r["node"] for r in self.run(
            cypher.funds(dated), id=fund, as_of=within.as_of)}
        edges: dict[tuple[str, str, str], Mapping[str, Any]] = {}
        frontier, statement = sorted(nodes), cypher.links_out(backing.RELATIONS, dated)
        for depth in range(max_length):
            asked = []
            for node_id in frontier:
                out, into = backing.links_out(nodes[node_id], depth)
                if out or into:
                    asked.append({"id": node_id, "out": out, "in": into})
            if not asked:
                break
            frontier = []
            for r in self.run(statement, frontier=asked, kinds=sorted(backing.NODE_KINDS),
                              as_of=within.as_of):
                edges[(r["u"], r["v"], r["rel"])] = r["props"]
                if r["node"]["id"] not in nodes:
                    nodes[r["node"]["id"]] = r["node"]
                    frontier.append(r["node"]["id"])
        g = local_graph((self._dated(n, within) for n in nodes.values()),
                        ((u, v, rel, self._dated(props, within, edge=True))
                         for (u, v, rel), props in edges.items()))
        # a version of its own: the any-lab index is kept on this graph while it is kept
        g.graph["version"] = f"backing:{fund}:{max_length}:{within.as_of}"
        return g

    def snapshot(self, within: Filter = NOW) -> nx.MultiDiGraph:
        """The whole graph, read once per synced generation (as of a year: its dated view,
        kept per generation and year)."""
        if within.as_of is not None:
            year = within.as_of
            return self.settled(lambda: dated_view(self.snapshot(), year), ("snapshot", year))

        def read() -> nx.MultiDiGraph:
            nodes: list[Mapping[str, Any]] = []
            edges: list[tuple[str, str, str, Mapping[str, Any]]] = []
            ids = self.run(cypher.all_ids())[0]["ids"]
            for start in range(0, len(ids), SNAPSHOT_CHUNK):
                record = self.run(cypher.nodes_and_edges(),
                                  ids=ids[start:start + SNAPSHOT_CHUNK])[0]
                nodes += record["nodes"]
                edges += map(tuple, record["edges"])
            g = local_graph(nodes, edges)
            g.graph["version"] = self.sync_state(max_age=0).version
            return g

        return self.settled(read, ("snapshot",))

    def scores(self, measure: str, within: Filter = NOW) -> Scores:
        """The scores the sync wrote back, if they are complete and of this graph version;
        as of a year, computed on that year's snapshot as the embedded store does. Kept per
        generation, measure and year: a ranking by each kind reads them once, not once per
        kind (every node's score: seconds at 100k nodes on a busy machine)."""
        return self.settled(lambda: self._scores(measure, within),
                            ("scores", measure, within.as_of))

    def _scores(self, measure: str, within: Filter) -> Scores:
        if within.as_of is not None:
            g = self.snapshot(within)
            values, method = centrality.measured(g, measure)
            return Scores(values, dict(g.nodes(data="kind")), method)
        version = self.sync_state().version
        check = self.run(cypher.score_check(), measure=measure)[0]
        if check["scored"] < check["n"]:
            raise NoAnswer(f"Neo4j at {self.uri}: {check['n'] - check['scored']} entities have "
                           f"no {measure} score; run `innograph sync` to write centrality back")
        if any(v != version for v in check["versions"]):
            raise NoAnswer(f"Neo4j at {self.uri}: the centrality scores are from another graph "
                           f"version than {version}; run `innograph sync` to refresh them")
        records = self.run(cypher.centrality_methods(), key=META_KEY)
        raw = records[0]["methods"] if records else None
        records = self.run(cypher.scores(), measure=measure)
        return Scores({r["id"]: float(r["score"]) for r in records},
                      {r["id"]: r["kind"] for r in records},
                      json.loads(raw).get(measure, {}) if raw else {})

    def statistics(self, within: Filter = NOW) -> Json:
        """As ``graph.embedded.statistics``, aggregated in Neo4j (shipping the whole graph
        to count it would take far longer); as of a year, counted on that year's snapshot."""
        if within.as_of is not None:
            return graph_statistics(self.snapshot(within))
        by_kind = {r["kind"]: r["n"] for r in self.run(cypher.nodes_by_kind())}
        by_rel = {r["rel"]: r["n"] for r in self.run(cypher.edges_by_relation())}
        quotes = {r["source"]: r["n"] for r in self.run(cypher.quotes_by_source())}
        nodes = sum(by_kind.values())
        return {"version": self.version(), "nodes": nodes, "edges": sum(by_rel.values()),
                "nodes_by_kind": _by_count(by_kind), "edges_by_relation": _by_count(by_rel),
                "quotes_by_source": dict(sorted(quotes.items())),
                "isolated_nodes": self.run(cypher.isolated())[0]["n"],
                "weakly_connected_components": self._components(nodes)}

    def _components(self, nodes: int) -> int:
        """Weakly connected components by union-find over the linked pairs (no GDS in
        Community): nodes minus the unions that joined two components."""
        parent: dict[str, str] = {}

        def root(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        joined = 0
        for record in self.run(cypher.linked_pairs()):
            a, b = root(record["u"]), root(record["v"])
            if a != b:
                parent[a] = b
                joined += 1
        return nodes - joined


def _by_count(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _kinds(walk: Filter) -> list[str] | None:
    return sorted(walk.node_kinds) if walk.node_kinds is not None else None


def _edge_view(rel: str, props: Mapping[str, Any]) -> Json:
    attrs = edge_attrs(rel, props)
    return {"properties": {k: v for k, v in attrs.items() if k not in ("rel", "provenance")},
            "provenance": attrs["provenance"]}
