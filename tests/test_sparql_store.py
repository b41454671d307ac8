"""The SPARQL store's lifecycle: queries that really stop (the worker that runs a query past
the limit is killed, the pool recovers, nothing is left to join at exit, a worker outlives no
server: queries/sparql_pool.py) and stores kept on disk per graph version
(queries/sparql_store.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import networkx as nx
import pytest

from api.app import create_app
from api.routes.sparql import KEEPER, POOL
from queries.embedded_backend import EmbeddedBackend
from queries.sparql_pool import query_form
from queries.sparql_store import StoreKeeper, open_store, prune, store_key

ROOT = Path(__file__).resolve().parents[1]
# Nothing to stream: Oxigraph counts the whole cross product before its first (only) row.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIMIT = 1.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (killed, not yet reaped by its parent) is not running either
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return not _alive(pid)


def test_a_runaway_query_is_stopped_at_the_limit_and_its_worker_killed(
        data_graph: nx.MultiDiGraph, tmp_path: Path):
    app = create_app(EmbeddedBackend(data_graph),
                     config={"SPARQL_TIME_LIMIT_SECONDS": LIMIT, "SPARQL_WORKERS": 1,
                             "SPARQL_STORE_DIR": str(tmp_path)})
    client = app.test_client()
    app.extensions[KEEPER].get(120)  # built: the limit is the query's alone
    # the one worker is started and proven to answer
    assert client.get("/api/v1/sparql", query_string={"query": "ASK {}"}).status_code == 200
    (worker,) = app.extensions[POOL].pids()
    started = time.monotonic()
    response = client.get("/api/v1/sparql", query_string={"query": RUNAWAY})
    took = time.monotonic() - started
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/query-timeout")
    # at the limit (plus a loaded machine's slack), not when Oxigraph is done (minutes)
    assert took < LIMIT + 3.0, took
    assert _wait_gone(worker, 5), "the worker still evaluates the runaway query"
    # the pool has a fresh worker: the next query is answered
    response = client.get("/api/v1/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?k }"})
    assert response.status_code == 200
    assert int(response.get_json()["results"]["bindings"][0]["n"]["value"]) > 0
    assert worker not in app.extensions[POOL].pids()


SCRIPT = """
import sys, time
from api.app import create_app
from api.routes.sparql import KEEPER, POOL
from loaders.dataset import load_graph
from queries.embedded_backend import EmbeddedBackend

app = create_app(EmbeddedBackend(load_graph(progress=False)),
                 config={{"SPARQL_TIME_LIMIT_SECONDS": {limit}, "SPARQL_STORE_DIR": {store!r}}})
app.extensions[KEEPER].get(120)
response = app.test_client().get("/api/v1/sparql", query_string={{"query": {query!r}}})
print(response.status_code, response.get_json()["type"], flush=True)
print("workers", *app.extensions[POOL].pids(), flush=True)
{then}
"""


def _script(tmp_path: Path, then: str) -> list[str]:
    code = SCRIPT.format(limit=LIMIT, store=str(tmp_path), query=RUNAWAY, then=then)
    return [sys.executable, "-c", textwrap.dedent(code)]


def test_a_process_that_ran_a_runaway_query_exits_promptly(tmp_path: Path):
    """Before: the query's thread was joined at exit and the process never ended."""
    started = time.monotonic()
    done = subprocess.run(_script(tmp_path, "raise SystemExit(0)"), cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("503 ") and first.endswith("/query-timeout")
    assert time.monotonic() - started < 60
    workers = [int(p) for p in done.stdout.splitlines()[1].split()[1:]]
    assert all(_wait_gone(pid, 5) for pid in workers)  # killed at exit, none left behind


def test_workers_of_a_killed_server_exit_by_themselves(tmp_path: Path):
    """A server killed outright (no atexit) leaves no worker running, even one mid-query."""
    then = (f"import threading\nthreading.Thread(target=lambda: app.test_client().get("
            f"'/api/v1/sparql', query_string={{'query': {RUNAWAY!r}}}), daemon=True).start()\n"
            "time.sleep(0.3)\nprint('busy', *app.extensions[POOL].pids(), flush=True)\n"
            "time.sleep(600)")
    server = subprocess.Popen(_script(tmp_path, then), cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        lines = [server.stdout.readline() for _ in range(3)]
        assert lines[2].startswith("busy"), lines
        workers = {int(p) for line in lines[1:] for p in line.split()[1:]}
        assert workers
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    assert all(_wait_gone(pid, 10) for pid in workers)


def test_stores_are_kept_per_version_and_opened_again(data_graph: nx.MultiDiGraph,
                                                      tmp_path: Path):
    from graph.rdf.export import iter_serialized
    ontology = ("@prefix ex: <https://example.org/> . ex:a ex:b ex:c .", "https://example.org/o")
    version = data_graph.graph["version"]

    def keeper() -> StoreKeeper:
        return StoreKeeper(lambda: (version, iter_serialized(data_graph, "nq")),
                           lambda: version, ontology=lambda: ontology, directory=tmp_path)

    first = keeper().get(120)
    again = keeper().get(120)  # a new server on the same graph
    assert first.built and not again.built
    assert again.path == first.path and again.quads == first.quads > 0
    assert again.store.query("ASK { GRAPH <https://example.org/o> { ?s ?p ?o } }")
    assert store_key(version + "x", *ontology) != first.path.name
    assert open_store(tmp_path, store_key(version + "x", *ontology)) is None
    assert prune(tmp_path, keep=[first.path.name]) == []  # in use, and recent


@pytest.mark.parametrize(("text", "form"), [
    ("PREFIX s: <http://x/SELECT> ASK { ?s ?p 'CONSTRUCT' }", "ask"),
    ("# DESCRIBE in a comment\nSELECT * WHERE { ?s ?p ?o }", "select"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { SELECT ?s ?p ?o WHERE { ?s ?p ?o } }", "graph"),
    ("describe <urn:x>", "graph"), ("PREFIX ex: <urn:x>", None)])
def test_query_form_is_read_from_the_text(text: str, form: str | None):
    assert query_form(text) == form


def test_an_unwritable_store_directory_falls_back_to_a_temporary_one(
        data_graph: nx.MultiDiGraph, tmp_path: Path, capsys: pytest.CaptureFixture):
    from graph.rdf.export import iter_serialized
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    version = data_graph.graph["version"]
    keeper = StoreKeeper(lambda: (version, iter_serialized(data_graph, "nq")),
                         lambda: version, directory=blocked / "stores")
    store = keeper.get(120)
    assert store.built and store.quads > 0
    assert not str(store.path).startswith(str(blocked))
    assert "cannot keep SPARQL stores" in capsys.readouterr().err


def test_answers_are_kept_per_store_query_and_format(data_graph: nx.MultiDiGraph,
                                                     tmp_path: Path):
    app = create_app(EmbeddedBackend(data_graph), config={"SPARQL_STORE_DIR": str(tmp_path)})
    client = app.test_client()
    app.extensions[KEEPER].get(120)
    pool = app.extensions[POOL]
    runs: list[str] = []
    evaluate = pool.run

    def counted(path: Path, text: str, **kwargs):
        runs.append(text)
        return evaluate(path, text, **kwargs)

    pool.run = counted  # the instance's attribute: what the route calls

    def ask(query: str, accept: str = "application/sparql-results+json") -> bytes:
        response = client.get("/api/v1/sparql", query_string={"query": query},
                              headers={"Accept": accept})
        assert response.status_code == 200
        return response.data

    query = "SELECT ?k (COUNT(*) AS ?n) WHERE { ?s a ?k } GROUP BY ?k ORDER BY ?k"
    first = ask(query)
    assert ask(query) == first and len(runs) == 1  # the second is the kept answer
    assert ask(query, "text/csv").startswith(b"k,n") and len(runs) == 2  # another format
    volatile = "SELECT (STRUUID() AS ?u) WHERE {}"
    assert ask(volatile) != ask(volatile) and len(runs) == 4  # never kept
    quoted = "SELECT ?x WHERE { BIND ('RAND()' AS ?x) }"  # in a string: not a call
    assert ask(quoted) == ask(quoted) and len(runs) == 5


def test_the_answer_cache_drops_the_least_recently_used():
    from queries.sparql_pool import Answer, AnswerCache, Formats
    cache, formats = AnswerCache(4000), Formats()
    answers = [Answer("select", "text/csv", bytes([i]) * 500) for i in range(6)]

    def put(store: str, text: str, answer: Answer) -> None:  # evaluated: ``answer``
        assert cache.answer(Path(store), text, formats, lambda: answer) is answer

    def kept(store: str, text: str) -> Answer | None:  # the kept answer, None if evaluated
        evaluated = Answer("select", "text/csv", b"")
        found = cache.answer(Path(store), text, formats, lambda: evaluated)
        return None if found is evaluated else found

    for i, answer in enumerate(answers[:5]):
        put("/store/a", f"q{i}", answer)
    assert kept("/store/a", "q0") is answers[0]  # used: kept longer
    put("/store/a", "q5", answers[5])  # 6 x 700 bytes > 4000
    assert kept("/store/a", "q1") is None
    assert kept("/store/a", "q0") is answers[0]
    assert kept("/store/b", "q0") is None  # another graph version's store
    put("/store/a", "big", Answer("select", "text/csv", b"x" * 2000))
    assert kept("/store/a", "big") is None  # over a quarter: not kept


def test_concurrent_requests_for_one_answer_evaluate_it_once():
    import threading

    from queries.sparql_pool import Answer, AnswerCache, Formats
    cache, runs = AnswerCache(1 << 20), []

    def evaluate() -> Answer:
        runs.append(1)
        time.sleep(0.3)  # the others arrive meanwhile
        return Answer("select", "text/csv", b"n\r\n1\r\n")

    got: list[Answer] = []
    threads = [threading.Thread(target=lambda: got.append(
        cache.answer(Path("/store/a"), "q", Formats(), evaluate))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(runs) == 1 and len(got) == 4 and all(a is got[0] for a in got)
