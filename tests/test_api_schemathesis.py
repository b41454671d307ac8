"""Property-based run of schemathesis against the served OpenAPI document: generated requests
for every operation, no 5xx, and every response (status, content type, headers, body)
conforms to the spec.

The schema is loaded at import, because ``schemathesis.pytest.from_fixture`` does not work
with pytest 9 (it sets ``request.node._nodeid``); the app serves the real data.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from api.app import create_app
from loaders.dataset import load_graph
from queries.embedded_backend import EmbeddedBackend

MAX_EXAMPLES = 15  # per operation and phase: bounded so the run takes seconds
APP = create_app(EmbeddedBackend(load_graph(check_quotes=False, progress=False)))
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
# An oversize request is rejected before its parameters are read: 413/414 are rejections too.
schema.config.checks.negative_data_rejection.expected_statuses += ["413", "414"]


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_conforms_to_its_spec(case):
    # A cursor must be one this API issued (for the same filters, without `offset`): JSON
    # Schema cannot say that, so a schema-valid cursor may rightly get 400.
    cursor = case.query is not None and "cursor" in case.query
    case.call_and_validate(excluded_checks=[positive_data_acceptance] if cursor else None)
