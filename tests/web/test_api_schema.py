"""Schemathesis over the OpenAPI of the REST API: generated requests to every read endpoint never make a
server error (500) and answer with a documented status code."""

from __future__ import annotations

import pytest

from sohoa.web.auth import new_token
from tests.web.conftest import ROLE_USERS

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402


@pytest.fixture(scope="module")
def auditor_token(web_app, web_runtime) -> str:  # noqa: ANN001
    with web_runtime.db.session() as s:
        return new_token(s, ROLE_USERS["auditor"], "schemathesis")


def test_read_endpoints(web_app, auditor_token, review_docs) -> None:  # noqa: ANN001
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", web_app)
    checked = []
    for found in schema.get_all_operations():
        op = found.ok()
        if op.method.upper() != "GET":
            continue

        @given(case=op.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case) -> None:  # noqa: ANN001
            case.call_and_validate(
                headers={"Authorization": f"Bearer {auditor_token}"},
                checks=[schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance],
            )

        run()
        checked.append(op.path)
    assert "/api/documents/{doc_id}" in checked
