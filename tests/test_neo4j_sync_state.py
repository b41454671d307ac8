"""A sync that is running or was killed is visible to the API, and the next sync repairs it.

``innograph sync`` of a generated graph replacing a smaller one is killed with SIGKILL while it
writes; the API (Flask's test client on a backend of this process, and ``innograph serve`` over
real HTTP) must then say so: ``/health`` is ``degraded`` with the reason, whole-graph answers
(``/statistics``, ``/centrality``, ``/backing``) are 503 ``graph-changing`` problems with
``Retry-After``, entity lookups answer with the ``Innograph-Sync-State`` header, and no cache
filled before the sync answers after it. A second ``innograph sync`` completes the graph and
everything is ``ok`` and about the new graph.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from neo4j import Driver
from neo4j_fixture import Neo4jTarget

from api.app import create_app
from graph import neo4j_sync
from graph.embedded import stamp_version
from graph.neo4j_rows import iter_mentions
from graph.neo4j_sync import sync_graph
from loaders.dataset import load_graph
from loaders.generate import generate_dataset
from queries.centrality import centrality, for_sync
from queries.errors import GraphChanging
from queries.neo4j_backend import Neo4jBackend

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]
GENERATED_NODES = 10_000  # 40k relationships: written in 20 batches
STATE_HEADER = "Innograph-Sync-State"


def generate(out: Path, nodes: int, seed: int) -> tuple[Path, nx.MultiDiGraph]:
    # the kind mix from the schema alone (like=None): independent of data/
    generate_dataset(out, nodes=nodes, seed=seed, like=None, progress=False)
    return out, load_graph(out, progress=False)


@pytest.fixture(scope="module")
def old(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, nx.MultiDiGraph]:
    return generate(tmp_path_factory.mktemp("old") / "data", 300, seed=7)


@pytest.fixture(scope="module")
def new(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, nx.MultiDiGraph]:
    return generate(tmp_path_factory.mktemp("new") / "data", GENERATED_NODES, seed=42)


@pytest.fixture(scope="module")
def http_api(neo4j_target: Neo4jTarget) -> Iterator[str]:
    """``innograph serve`` on the test Neo4j, as a user starts it; yields the API base URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["NEO4J_URI"] = neo4j_target.uri
    if neo4j_target.auth:
        env["NEO4J_USER"], env["NEO4J_PASSWORD"] = neo4j_target.auth
    if neo4j_target.database:
        env["NEO4J_DATABASE"] = neo4j_target.database
    server = subprocess.Popen(
        [sys.executable, "-m", "innograph.cli", "serve", "--port", "0", "--no-warm-up"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = server.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/api/v1", line)
    if not match:
        server.kill()
        pytest.fail(f"innograph serve did not start: {line}{server.stderr.read()}")
    try:
        yield match.group(0)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0]


def over_http(base: str, path: str) -> Answer:
    try:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()},
                          response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()},
                      error.read())


def over_flask(client, path: str) -> Answer:
    response = client.get("/api/v1" + path)
    return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                  response.data)


def sync_command(target: Neo4jTarget, data: Path) -> list[str]:
    command = [sys.executable, "-m", "innograph.cli", "sync", "--data", str(data),
               "--uri", target.uri, "--replace", "--batch-size", "1000"]
    if target.auth:
        command += ["--user", target.auth[0], "--password", target.auth[1]]
    if target.database:
        command += ["--database", target.database]
    return command


def relationship_count(driver: Driver, target: Neo4jTarget) -> int:
    records, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n",
                                         database_=target.database)
    return records[0]["n"]


def kill_mid_write(driver: Driver, target: Neo4jTarget, data: Path, total: int) -> int:
    """Start ``innograph sync`` and SIGKILL it once it has written some of the relationships
    of the new graph; returns how many relationships the database holds then."""
    sync = subprocess.Popen(sync_command(target, data), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            if sync.poll() is not None:
                pytest.fail(f"the sync ended (exit {sync.returncode}) before it could be killed "
                            f"mid-write: {sync.stderr.read()[-2000:]}")
            # Wait past the deletions of data/ and the new nodes, into the relationships
            if relationship_count(driver, target) > 8_000:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the sync wrote no relationships within 10 minutes")
        sync.send_signal(signal.SIGKILL)
    finally:
        sync.kill()
        sync.wait(timeout=30)
        sync.stderr.close()
    assert sync.returncode == -signal.SIGKILL
    held = relationship_count(driver, target)
    assert held < total, "the sync had finished: the test needs a bigger graph"
    return held


def check_degraded(ask, entity: str) -> None:
    health = ask("/health")
    assert health.status == 200, health.body
    body = health.json
    assert body["status"] == "degraded"
    assert body["sync"]["status"] == "in_progress"
    assert "innograph sync" in body["reason"] and "not complete" in body["reason"]
    assert health.headers[STATE_HEADER.lower()].startswith("in_progress")

    for path in ("/statistics", "/centrality?measure=pagerank", "/backing"):
        answer = ask(path)
        assert answer.status == 503, (path, answer.body)
        assert answer.media_type == "application/problem+json"
        problem = answer.json
        assert problem["type"].endswith("/graph-changing"), problem
        assert "innograph sync" in problem["detail"]
        assert int(answer.headers["retry-after"]) > 0
        assert answer.headers[STATE_HEADER.lower()].startswith("in_progress")

    lookup = ask(f"/entities/{entity}")
    assert lookup.status == 200, lookup.body
    assert lookup.json["id"] == entity
    assert lookup.headers[STATE_HEADER.lower()].startswith("in_progress")


def check_complete(ask, g: nx.MultiDiGraph) -> None:
    health = ask("/health")
    assert health.status == 200
    assert health.json == {"status": "ok", "backend": "neo4j", "version": g.graph["version"],
                           "nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    assert STATE_HEADER.lower() not in health.headers
    stats = ask("/statistics")
    assert stats.status == 200, stats.body
    assert (stats.json["version"], stats.json["nodes"], stats.json["edges"]) == (
        g.graph["version"], g.number_of_nodes(), g.number_of_edges())
    ranking = ask("/centrality?measure=pagerank&top=5")
    assert ranking.status == 200, ranking.body
    assert ranking.json["version"] == g.graph["version"]
    assert ranking.json["count"] == g.number_of_nodes()
    expected = [item["id"] for item in centrality(g, "pagerank", top=5)["items"]]
    assert [item["id"] for item in ranking.json["items"]] == expected
    assert STATE_HEADER.lower() not in ranking.headers


def test_a_killed_sync_is_visible_to_the_api_until_the_next_sync_repairs_it(
        neo4j_driver: Driver, neo4j_target: Neo4jTarget, old: tuple[Path, nx.MultiDiGraph],
        new: tuple[Path, nx.MultiDiGraph], http_api: str):
    data, new_graph = new
    sync_graph(old[1], neo4j_driver, centrality=for_sync,
               database=neo4j_target.database, replace=True,
               progress=False)
    backend = Neo4jBackend(neo4j_driver, database=neo4j_target.database, uri=neo4j_target.uri)
    # the served default limit is 10 s: statistics of 10k nodes can near it on a busy machine
    client = create_app(backend, config={"QUERY_TIME_LIMIT_SECONDS": 120}).test_client()
    askers = {"flask": lambda path: over_flask(client, path),
              "http": lambda path: over_http(http_api, path)}
    for ask in askers.values():  # fill the caches with the old graph's answers
        check_complete(ask, old[1])

    total = new_graph.number_of_edges() + sum(1 for _ in iter_mentions(new_graph))
    kill_mid_write(neo4j_driver, neo4j_target, data, total)
    entity = next(iter(new_graph.nodes))  # a node of the new graph: the nodes came first
    for name, ask in askers.items():
        try:
            check_degraded(ask, entity)
        except AssertionError as exc:
            raise AssertionError(f"over {name}: {exc}") from exc

    resumed = subprocess.run(sync_command(neo4j_target, data), cwd=ROOT, capture_output=True,
                             text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr
    time.sleep(1.1)  # past the backends' short state cache (STATE_MAX_AGE)
    for name, ask in askers.items():
        try:
            check_complete(ask, new_graph)
        except AssertionError as exc:
            raise AssertionError(f"over {name}: {exc}") from exc


# -- the state a sync writes, and how the backend reads it ------------------------------------

def meta(driver: Driver, target: Neo4jTarget) -> dict:
    records, _, _ = driver.execute_query("MATCH (m:InnographMeta) RETURN properties(m) AS m",
                                         database_=target.database)
    return records[0]["m"] if records else {}


def entity_count(driver: Driver, target: Neo4jTarget) -> int:
    records, _, _ = driver.execute_query("MATCH (n:Entity) RETURN count(n) AS n",
                                         database_=target.database)
    return records[0]["n"]


def test_every_sync_that_writes_says_so_before_its_first_write_and_bumps_the_generation(
        neo4j_driver: Driver, neo4j_target: Neo4jTarget, old: tuple[Path, nx.MultiDiGraph],
        monkeypatch: pytest.MonkeyPatch):
    g = old[1]
    sync_graph(g, neo4j_driver, centrality=for_sync,
               database=neo4j_target.database, replace=True, progress=False)
    first = meta(neo4j_driver, neo4j_target)
    assert first["status"] == "complete" and first["generation"] >= 1

    unchanged = sync_graph(g, neo4j_driver, centrality=for_sync,
                           database=neo4j_target.database, progress=False)
    assert unchanged.mode == "unchanged (fast path)"
    assert meta(neo4j_driver, neo4j_target)["generation"] == first["generation"]

    seen: list[tuple[dict, int]] = []  # what another session sees when the writes begin
    real_apply, real_centrality = neo4j_sync._apply, neo4j_sync.write_centrality

    def watched_apply(*args, **kwargs):
        seen.append((meta(neo4j_driver, neo4j_target), entity_count(neo4j_driver, neo4j_target)))
        return real_apply(*args, **kwargs)

    def watched_centrality(*args, **kwargs):
        seen.append((meta(neo4j_driver, neo4j_target), entity_count(neo4j_driver, neo4j_target)))
        return real_centrality(*args, **kwargs)

    monkeypatch.setattr(neo4j_sync, "_apply", watched_apply)
    monkeypatch.setattr(neo4j_sync, "write_centrality", watched_centrality)
    smaller = g.copy()
    smaller.remove_nodes_from([n for n, kind in list(smaller.nodes(data="kind"))[:20]
                               if kind != "Source"])
    stamp_version(smaller)
    report = sync_graph(smaller, neo4j_driver, centrality=for_sync,
                        database=neo4j_target.database, replace=True,
                        batch_size=25, progress=False)
    assert report.mode == "batched"
    (before_batches, held), (before_scores, _) = seen
    assert held == g.number_of_nodes()  # nothing written yet ...
    assert before_batches["status"] == "in_progress"  # ... and the state already says so
    assert before_batches["generation"] == first["generation"] + 1
    assert before_batches["target_version"] == smaller.graph["version"]
    assert before_scores["status"] == "in_progress"  # the scores are writes too
    after = meta(neo4j_driver, neo4j_target)
    assert after["status"] == "complete" and after["generation"] == first["generation"] + 1
    assert after["version"] == after["centrality_version"] == smaller.graph["version"]

    seen.clear()  # one transaction for the data: the state goes with it
    sync_graph(g, neo4j_driver, centrality=for_sync,
               database=neo4j_target.database, replace=True, progress=False)
    (in_transaction, _), (before_scores, held) = seen
    assert in_transaction["status"] == "complete"  # others see nothing until it commits
    assert held == g.number_of_nodes()  # the data is committed, the scores are not yet
    assert before_scores["status"] == "in_progress"
    assert before_scores["generation"] == first["generation"] + 2
    assert meta(neo4j_driver, neo4j_target)["status"] == "complete"


def test_a_failed_sync_says_why_and_the_api_repeats_it(
        neo4j_driver: Driver, neo4j_target: Neo4jTarget, old: tuple[Path, nx.MultiDiGraph]):
    g = old[1]
    sync_graph(g, neo4j_driver, centrality=for_sync,
               database=neo4j_target.database, replace=True, progress=False)
    victim = next(n for n, a in g.nodes(data=True) if a["kind"] == "Lab" and g.degree(n) > 1)
    # a foreign node with the kind label takes the id the sync needs: the per-kind constraint
    neo4j_driver.execute_query("MATCH (n:Entity {id: $id}) DETACH DELETE n", id=victim,
                               database_=neo4j_target.database)
    neo4j_driver.execute_query("CREATE (:Lab {id: $id})", id=victim,
                               database_=neo4j_target.database)
    with pytest.raises(neo4j_sync.SyncError, match="partially updated"):
        sync_graph(g, neo4j_driver, centrality=for_sync,
                   database=neo4j_target.database, batch_size=1,
                   progress=False)
    state = meta(neo4j_driver, neo4j_target)
    assert state["status"] == "incomplete" and "constraint" in state["failure"].lower()

    backend = Neo4jBackend(neo4j_driver, database=neo4j_target.database, uri=neo4j_target.uri)
    health = create_app(backend).test_client().get("/api/v1/health")
    assert health.status_code == 200
    assert health.get_json()["status"] == "degraded"
    assert "failed" in health.get_json()["reason"]
    assert health.headers[STATE_HEADER].startswith("incomplete;")

    neo4j_driver.execute_query("MATCH (n:Lab {id: $id}) WHERE NOT n:Entity DELETE n",
                               id=victim, database_=neo4j_target.database)
    sync_graph(g, neo4j_driver, centrality=for_sync, database=neo4j_target.database, progress=False)
    assert backend.health()["status"] == "ok"


def test_an_answer_computed_while_a_sync_began_is_refused_and_not_cached(
        neo4j_driver: Driver, neo4j_target: Neo4jTarget, old: tuple[Path, nx.MultiDiGraph]):
    g = old[1]
    sync_graph(g, neo4j_driver, centrality=for_sync,
               database=neo4j_target.database, replace=True, progress=False)
    backend = Neo4jBackend(neo4j_driver, database=neo4j_target.database, uri=neo4j_target.uri)
    real = backend.store.statistics

    def racing(*args: object) -> dict:  # a sync begins (and even ends) meanwhile
        answer = real(*args)
        neo4j_driver.execute_query("MATCH (m:InnographMeta) SET m.generation = m.generation + 1",
                                   database_=neo4j_target.database)
        return answer

    backend.store.statistics = racing  # type: ignore[method-assign]
    with pytest.raises(GraphChanging, match="changed the graph while this answer"):
        backend.statistics()
    backend.store.statistics = real  # type: ignore[method-assign]
    assert backend.statistics()["nodes"] == g.number_of_nodes()
