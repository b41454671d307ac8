"""bench/thin_api (bench/time_queries' thin-API floor) against the session's Neo4j: its
route runs a recorded request's statements and answers their records."""

from __future__ import annotations

import pytest

from bench.thin_api import thin_app


@pytest.mark.neo4j
def test_thin_api_answers_a_recorded_requests_records(neo4j_target) -> None:
    """bench/thin_api's route runs request i of a kind (its statements in turn) and answers
    their records as JSON, Neo4j's dates as ISO text."""
    statements = {"entity": [[["RETURN $x AS x", None, {"x": 1}],
                              ["UNWIND [2, 3] AS y RETURN y, date('2025-01-02') AS d", 5.0,
                               {}]]]}
    client = thin_app(statements, neo4j_target.uri, neo4j_target.auth).test_client()
    answer = client.get("/s/entity/0")
    assert answer.status_code == 200
    assert answer.get_json() == [{"x": 1}, {"y": 2, "d": "2025-01-02"},
                                 {"y": 3, "d": "2025-01-02"}]
