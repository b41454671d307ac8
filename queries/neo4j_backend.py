"""``QueryBackend`` over Neo4j: the same questions as the embedded backend, answered with Cypher.

The graph in Neo4j is the one ``innograph sync`` writes (see docs/neo4j.md): ``:Entity`` nodes
with their kind label, typed properties, provenance lists and centrality scores; relationships
typed by relation kind; derived ``(:Source)-[:MENTIONS]->`` links; and an ``InnographMeta`` node
holding the synced graph's version. Every read leaves ``MENTIONS`` out, so answers match the
embedded graph's. Answers have the embedded backend's JSON shapes: the search, traversal and
path finding run in Neo4j, and the nodes and edges they return are rendered by the same view
code (``queries.views``, ``queries.backing``) the embedded backend uses.

Differences, all in order or cost, none in content: ties in name search and ambiguous-name
candidates are ordered by id (the embedded graph uses load order, which Neo4j does not keep);
when more paths exist than asked for, Neo4j keeps the smallest by node ids; path enumeration is
bounded by a transaction timeout (``path_timeout``). Connection failures raise
``BackendUnavailable`` (HTTP 503) with a message naming the server and the cause.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, LiteralString, cast

from neo4j import READ_ACCESS, Driver, GraphDatabase, Query, Record
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    ServiceUnavailable,
    SessionExpired,
)

from graph.neo4j_rows import META_KEY, META_LABEL
from graph.schema import load_schema
from queries import neo4j_paths
from queries.backend import BACKING_MAX_LENGTH, Json
from queries.centrality import check_measure, distribution
from queries.embedded_backend import PATH_MODES, _node_kinds, _relations
from queries.errors import (
    AmbiguousName,
    BackendUnavailable,
    GraphChanging,
    InvalidQuery,
    NoAnswer,
    NodeNotFound,
)
from queries.explore import DEFAULT_EDGE_LIMIT, MAX_RADIUS, check_edge_page, edge_page
from queries.neo4j_records import (
    STATE_FIELDS,
    SUMMARY_PROJECTION,
    SyncState,
    edge_attrs,
    node_view,
    relation_pattern,
    summary,
)

ENV_VARS = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")
DEFAULT_USER = "neo4j"
#: Fail fast when the server is down, so the API answers 503 instead of waiting (reads are
#: auto-commit: the driver does not retry them either).
DRIVER_DEFAULTS = {"connection_timeout": 5.0}
TIMED_OUT_CODES = ("Neo.ClientError.Transaction.TransactionTimedOut",
                   "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration")
#: Every stored name of a node, lower-cased, for search and name resolution.
NAMES = "[s IN [n.id, n.name_zh, n.name_en] + coalesce(n.aliases, []) | toLower(s)]"
#: How long a read of the sync state serves lookups (the ``Innograph-Sync-State`` header);
#: whole-graph answers always read it afresh, before and after.
STATE_MAX_AGE = 1.0
#: Retry-After of a whole-graph answer refused while a sync runs, in seconds.
RETRY_AFTER = 10


class QueryTimedOut(Exception):
    """A Cypher statement ran past its transaction timeout."""


class Neo4jBackend:
    name = "neo4j"

    def __init__(self, driver: Driver, *, database: str | None = None, uri: str | None = None,
                 user: str | None = None, path_timeout: float = neo4j_paths.DEFAULT_TIMEOUT,
                 owns_driver: bool = False):
        self.driver = driver
        self.database = database
        self.uri = uri or "the configured server"
        self.user = user
        self.path_timeout = path_timeout
        self._owns_driver = owns_driver
        self._cache: dict[tuple, Any] = {}
        self._cache_lock = threading.Lock()
        self._state: tuple[float, SyncState] | None = None  # (monotonic time read, state)

    @classmethod
    def connect(cls, uri: str, *, user: str | None = None, password: str | None = None,
                database: str | None = None, **options: Any) -> Neo4jBackend:
        """A backend with its own driver (no connection is made until the first query)."""
        auth = (user or DEFAULT_USER, password) if password is not None else None
        try:
            driver = GraphDatabase.driver(uri, auth=auth, **{**DRIVER_DEFAULTS, **options})
        except (ValueError, ConfigurationError) as exc:  # e.g. an unsupported URI scheme
            raise BackendUnavailable(f"cannot use NEO4J_URI {uri!r}: {exc}") from None
        return cls(driver, database=database, uri=uri, user=auth[0] if auth else None,
                   owns_driver=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Neo4jBackend:
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
        """Run one read statement; driver failures become ``BackendUnavailable`` and a
        transaction timeout ``QueryTimedOut``."""
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
        fields = ", ".join(f"{name}: m.{name}" for name in STATE_FIELDS)
        records = self.run(f"MATCH (m:{META_LABEL} {{key: $key}}) RETURN {{{fields}}} AS meta",
                           key=META_KEY)
        state = SyncState.from_meta(records[0]["meta"] if records else {})
        with self._cache_lock:
            self._state = (now, state)
        return state

    def _settled(self) -> SyncState:
        """The state read now; ``GraphChanging`` unless the last sync completed."""
        state = self.sync_state(max_age=0)
        if not state.complete:
            self._no_graph(state)
            raise GraphChanging(f"Neo4j at {self.uri}: {state.reason()}", state, RETRY_AFTER)
        return state

    def _whole_graph(self, compute: Callable[[], Any], key: tuple | None = None) -> Any:
        """An answer about the whole graph, only from settled content: the state is read
        before and after ``compute`` (every sync that writes bumps the generation first, so
        the same complete generation both times means no write came in between). With a
        ``key``, cached per generation: no cached answer outlives a change of the content."""
        state = self._settled()
        if key is not None:
            key = (state.generation, state.version, *key)
            with self._cache_lock:
                if key in self._cache:
                    return self._cache[key]
        value = compute()
        self._still(state)
        if key is None:
            return value
        with self._cache_lock:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = value
        return value

    def _still(self, state: SyncState) -> None:
        """``GraphChanging`` if a sync began since ``state`` was read."""
        if self._settled() != state:
            raise GraphChanging(f"Neo4j at {self.uri}: a sync changed the graph while this "
                                f"answer was computed; ask again", state, RETRY_AFTER)

    def _no_graph(self, state: SyncState) -> None:
        if state.version is None and state.status is None:
            raise BackendUnavailable(f"Neo4j at {self.uri} holds no innograph graph (no "
                                     f"InnographMeta node): run `innograph sync` first")

    # -- the protocol -----------------------------------------------------------------------

    def version(self) -> str:
        state = self.sync_state()
        if state.version is None:
            raise BackendUnavailable(f"Neo4j at {self.uri} holds no innograph graph (no "
                                     f"InnographMeta node): run `innograph sync` first")
        return state.version

    def health(self) -> Json:
        """``ok``, or ``degraded`` with the reason while the last sync is not complete (the
        counts are then of what the database holds at the moment)."""
        state = self.sync_state(max_age=0)
        self._no_graph(state)
        record = self.run(
            f"CALL () {{ MATCH (n:Entity) RETURN count(n) AS nodes }} "
            f"CALL () {{ MATCH ()-[r{relation_pattern(None)}]->() RETURN count(r) AS edges }} "
            f"RETURN nodes, edges")[0]
        answer: Json = {"status": "ok", "backend": self.name, "version": state.version,
                        "nodes": record["nodes"], "edges": record["edges"]}
        if state.version is None:  # the first sync into an empty database is running
            del answer["version"]
        if not state.complete:
            answer.update(status="degraded", reason=state.reason(), sync=state.view())
        return answer

    def statistics(self) -> Json:
        return self._whole_graph(self._statistics, ("statistics",))

    def _statistics(self) -> Json:
        rels = relation_pattern(None)
        by_kind = {r["kind"]: r["n"] for r in self.run(
            "MATCH (n:Entity) RETURN n.kind AS kind, count(*) AS n")}
        by_rel = {r["rel"]: r["n"] for r in self.run(
            f"MATCH ()-[r{rels}]->() RETURN type(r) AS rel, count(*) AS n")}
        quotes = {r["source"]: r["n"] for r in self.run(
            f"CALL () {{ MATCH (n:Entity) UNWIND n.prov_sources AS source RETURN source "
            f"UNION ALL MATCH ()-[r{rels}]->() UNWIND r.prov_sources AS source RETURN source }} "
            f"RETURN source, count(*) AS n")}
        isolated = self.run(f"MATCH (n:Entity) WHERE NOT EXISTS {{ (n)-[{rels}]-() }} "
                            f"RETURN count(n) AS n")[0]["n"]

        def by_count(counts: dict[str, int]) -> dict[str, int]:
            return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

        nodes = sum(by_kind.values())
        return {"version": self.version(), "nodes": nodes, "edges": sum(by_rel.values()),
                "nodes_by_kind": by_count(by_kind), "edges_by_relation": by_count(by_rel),
                "quotes_by_source": dict(sorted(quotes.items())), "isolated_nodes": isolated,
                "weakly_connected_components": self._components(nodes)}

    def _components(self, nodes: int) -> int:
        """Weakly connected components by union-find over the edge list (no GDS in
        Community): nodes minus the unions that joined two components."""
        parent: dict[str, str] = {}

        def root(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        joined = 0
        for record in self.run(f"MATCH (u:Entity)-[{relation_pattern(None)}]->(v:Entity) "
                               f"WHERE u <> v RETURN DISTINCT u.id AS u, v.id AS v"):
            a, b = root(record["u"]), root(record["v"])
            if a != b:
                parent[a] = b
                joined += 1
        return nodes - joined

    def entity(self, entity: str, *, edge_limit: int = DEFAULT_EDGE_LIMIT,
               edge_offset: int = 0) -> Json:
        check_edge_page(edge_limit, edge_offset)  # before the round trip
        node_id = self._resolve(entity)["id"]
        rels = relation_pattern(None)
        side = ("{rel: type(r), other: o " + SUMMARY_PROJECTION
                + ", props: properties(r)}")
        # The page is cut on the server, in the embedded backend's order (relation, then the
        # other end's id; ids and relation types are ASCII, so Cypher and Python agree): a
        # hub's other relations never leave it.
        page = ("WITH r, o ORDER BY type(r), o.id SKIP $offset LIMIT $limit "
                f"RETURN {side}")
        record = self.run(
            f"MATCH (n:Entity {{id: $id}}) RETURN n {{.*}} AS node, "
            f"COUNT {{ (n)-[{rels}]->(:Entity) }} AS out_total, "
            f"COUNT {{ (n)<-[{rels}]-(:Entity) }} AS in_total, "
            f"COLLECT {{ MATCH (n)-[r{rels}]->(o:Entity) {page} }} AS out, "
            f"COLLECT {{ MATCH (n)<-[r{rels}]-(o:Entity) {page} }} AS in",
            id=node_id, offset=edge_offset, limit=edge_limit)[0]

        def edges(found: list[Json]) -> list[Json]:
            views = []
            for e in found:
                attrs = edge_attrs(e["rel"], e["props"])
                views.append({"rel": e["rel"], "other": summary(e["other"]),
                              "properties": {k: v for k, v in attrs.items()
                                             if k not in ("rel", "provenance")},
                              "provenance": attrs["provenance"]})
            return views

        totals = {"out": record["out_total"], "in": record["in_total"]}
        return {**node_view(record["node"]),
                **edge_page(edges(record["out"]), edges(record["in"]), totals,
                            edge_limit, edge_offset)}

    def search(self, text: str | None, *, kinds: Sequence[str] | None = None,
               limit: int = 20, offset: int = 0) -> Json:
        if limit < 1:
            raise InvalidQuery("limit", f"must be at least 1, got {limit}")
        if offset < 0:
            raise InvalidQuery("offset", f"must not be negative, got {offset}")
        kinds = _node_kinds("kinds", kinds)
        wanted = text.strip().casefold() if text is not None else ""
        if wanted:  # exact, then prefix, then partial matches; ties by id
            match = (f"MATCH (n:Entity) WHERE $kinds IS NULL OR n.kind IN $kinds "
                     f"WITH n, {NAMES} AS names "
                     f"WITH n, CASE WHEN $q IN names THEN 0 "
                     f"WHEN any(s IN names WHERE s STARTS WITH $q) THEN 1 "
                     f"WHEN any(s IN names WHERE s CONTAINS $q) THEN 2 END AS rank "
                     f"WHERE rank IS NOT NULL ")
            order = "rank, n.id"
        else:
            match = "MATCH (n:Entity) WHERE $kinds IS NULL OR n.kind IN $kinds "
            order = "n.id"
        record = self.run(
            f"CALL () {{ {match} RETURN count(n) AS total }} "
            f"CALL () {{ {match} WITH n ORDER BY {order} SKIP $offset LIMIT $limit "
            f"RETURN collect(n {SUMMARY_PROJECTION}) AS items }} RETURN total, items",
            q=wanted, kinds=kinds, offset=offset, limit=limit)[0]
        return {"total": record["total"], "offset": offset, "limit": limit,
                "items": [summary(item) for item in record["items"]]}

    def neighbourhood(self, entity: str, *, radius: int = 1,
                      node_kinds: Sequence[str] | None = None,
                      relations: Sequence[str] | None = None, limit: int = 200) -> Json:
        center = self._resolve(entity)
        if not 1 <= radius <= MAX_RADIUS:
            raise InvalidQuery("radius", f"must be between 1 and {MAX_RADIUS}, got {radius}")
        if limit < 1:
            raise InvalidQuery("limit", f"must be at least 1, got {limit}")
        kinds = _node_kinds("node_kinds", node_kinds)
        rels = relation_pattern(_relations(relations))
        # Breadth-first, one statement per level; each level's new nodes are taken in the
        # embedded order (frontier order, then neighbour id), so ``limit`` cuts the same nodes.
        nodes = {center["id"]: summary(center)}
        distance = {center["id"]: 0}
        frontier = [center["id"]]
        truncated = False
        for depth in range(1, radius + 1):
            found = {r["id"]: r["neighbours"] for r in self.run(
                f"UNWIND $frontier AS id MATCH (u:Entity {{id: id}})-[{rels}]-(w:Entity) "
                f"WHERE w <> u AND ($kinds IS NULL OR w.kind IN $kinds OR w.id = $center) "
                f"RETURN id, collect(DISTINCT w {SUMMARY_PROJECTION}) AS neighbours",
                frontier=frontier, kinds=kinds, center=center["id"])}
            nxt = []
            for u in frontier:
                for w in sorted(found.get(u, ()), key=lambda s: s["id"]):
                    if w["id"] in distance:
                        continue
                    if len(distance) == limit:
                        truncated = True
                        break
                    distance[w["id"]] = depth
                    nodes[w["id"]] = summary(w)
                    nxt.append(w["id"])
                if truncated:
                    break
            if truncated or not nxt:
                break
            frontier = nxt
        edges = []
        for r in self.run(f"UNWIND $ids AS id MATCH (u:Entity {{id: id}})-[r{rels}]->(v:Entity) "
                          f"WHERE v.id IN $ids RETURN u.id AS u, v.id AS v, type(r) AS rel, "
                          f"properties(r) AS props", ids=list(distance)):
            attrs = edge_attrs(r["rel"], r["props"])
            edges.append({"from": r["u"], "to": r["v"], "rel": r["rel"],
                          "properties": {k: v for k, v in attrs.items()
                                         if k not in ("rel", "provenance")},
                          "provenance": attrs["provenance"]})
        edges.sort(key=lambda e: (e["from"], e["to"], e["rel"]))
        return {"center": center["id"], "radius": radius,
                "nodes": [{**nodes[n], "distance": d} for n, d in distance.items()],
                "edges": edges, "truncated": truncated}

    def paths(self, source: str, target: str, *, mode: str = "shortest", k: int = 5,
              max_length: int = 6, relations: Sequence[str] | None = None,
              node_kinds: Sequence[str] | None = None, directed: bool = False,
              limit: int = 20) -> Json:
        if mode not in PATH_MODES:
            raise InvalidQuery("mode", f"unknown mode {mode!r}; one of " + ", ".join(PATH_MODES))
        a = self._resolve(source, "source")["id"]
        b = self._resolve(target, "target")["id"]
        if a == b:
            raise InvalidQuery("target", f"source and target are the same entity ({a})")
        search = neo4j_paths.PathSearch(self, a, b, relations=_relations(relations),
                                        node_kinds=_node_kinds("node_kinds", node_kinds),
                                        directed=directed, max_length=max_length)
        if mode == "shortest":
            return search.shortest(limit)
        if mode == "k_shortest":
            return search.k_shortest(k, timeout=self.path_timeout)
        return search.all_simple(limit, timeout=self.path_timeout)

    def backing(self, *, fund: str | None = None, lab: str | None = None,
                max_length: int = BACKING_MAX_LENGTH, limit: int = 100) -> Json:
        def answer() -> Json:
            fund_node = self._resolve(fund, "fund") if fund is not None else None
            lab_node = self._resolve(lab, "lab") if lab is not None else None
            for field, node, kind in (("fund", fund_node, "Fund"), ("lab", lab_node, "Lab")):
                if node is not None and node["kind"] != kind:
                    raise InvalidQuery(field, f"{node['id']} is a {node['kind']}, not a {kind}")
            return neo4j_paths.backing(
                self, fund=fund_node["id"] if fund_node else None,
                lab=lab_node["id"] if lab_node else None, max_length=max_length, limit=limit)

        # chains ranked over every fund and lab: from settled content only, not cached
        return self._whole_graph(answer)

    def centrality(self, measure: str, *, kind: str | None = None, top: int = 10) -> Json:
        check_measure(measure)
        if kind is not None and kind not in load_schema().node_kinds:
            raise InvalidQuery("kind", f"unknown node kind {kind!r}")
        if top < 1:
            raise InvalidQuery("top", f"must be at least 1, got {top}")
        state = self._settled()  # scores half rewritten by a sync would rank wrongly
        version = state.version
        scope = "MATCH (n:Entity) WHERE $kind IS NULL OR n.kind = $kind"
        # the property names the sync writes are the measure names; one statement text for
        # every measure, so Neo4j plans it once
        check = self.run(f"{scope} RETURN count(n) AS n, count(n[$measure]) AS scored, "
                         f"collect(DISTINCT n.centrality_version) AS versions",
                         kind=kind, measure=measure)[0]
        if check["scored"] < check["n"]:
            raise NoAnswer(f"Neo4j at {self.uri}: {check['n'] - check['scored']} entities have "
                           f"no {measure} score; run `innograph sync` to write centrality back")
        if any(v != version for v in check["versions"]):
            raise NoAnswer(f"Neo4j at {self.uri}: the centrality scores are from another graph "
                           f"version than {version}; run `innograph sync` to refresh them")
        items = [{"rank": i + 1, "score": float(r["score"]), **summary(r["node"])}
                 for i, r in enumerate(self.run(
                     f"{scope} RETURN n {SUMMARY_PROJECTION} AS node, n[$measure] AS score "
                     f"ORDER BY score DESC, n.id LIMIT $top", kind=kind, top=top,
                     measure=measure))]
        values = self._whole_graph(lambda: [
            float(r["score"]) for r in self.run(f"{scope} RETURN n[$measure] AS score",
                                                kind=kind, measure=measure)],
            ("centrality", measure, kind))
        answer = {"measure": measure, "kind": kind, "top": top, "version": version,
                  "method": self._centrality_method(measure), "count": len(values),
                  "items": items, "distribution": distribution(values)}
        self._still(state)  # the ranking was read after the state: no sync began since
        return answer

    def _centrality_method(self, measure: str) -> Json:
        """How the scores were computed, as the sync recorded it on the metadata node."""
        records = self.run(f"MATCH (m:{META_LABEL} {{key: $key}}) "
                           "RETURN m.centrality_methods AS methods", key=META_KEY)
        raw = records[0]["methods"] if records else None
        return json.loads(raw).get(measure, {}) if raw else {}

    # -- entity arguments -------------------------------------------------------------------

    def _resolve(self, query: str | None, field: str = "entity") -> Json:
        """The summary of the node named by ``query``: an id, or an exact (case-insensitive)
        zh/en name or alias, as ``graph.embedded.resolve_node``."""
        if not isinstance(query, str) or not query.strip():
            raise InvalidQuery(field, "give an entity id or name")
        query = query.strip()
        by_id = self.run(f"MATCH (n:Entity {{id: $q}}) RETURN n {SUMMARY_PROJECTION} AS node",
                         q=query)
        if by_id:
            return by_id[0]["node"]
        found = [r["node"] for r in self.run(
            f"MATCH (n:Entity) WHERE $q IN {NAMES} "
            f"RETURN n {SUMMARY_PROJECTION} AS node ORDER BY n.id", q=query.casefold())]
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousName(query, [n["id"] for n in found])
        raise NodeNotFound(query)
