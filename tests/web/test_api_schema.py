"""Schemathesis over the OpenAPI of the REST API: generated requests to every read endpoint never make a
server error (500) and answer with a documented status code; generated writes (corrections, approvals,
decisions, verification) never make a server error either, whatever role sends them."""

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


def _fuzz(op, token: str, checks: list, *, examples: int) -> None:  # noqa: ANN001
    """Generated requests to one operation, sent with ``token``, each passing ``checks``."""

    @given(case=op.as_strategy())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # noqa: ANN001
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)

    run()


def test_read_endpoints(web_app, auditor_token, review_docs) -> None:  # noqa: ANN001
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", web_app)
    checked = []
    for found in schema.get_all_operations():
        op = found.ok()
        if op.method.upper() != "GET":
            continue

        _fuzz(
            op,
            auditor_token,
            [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance],
            examples=8,
        )
        checked.append(op.path)
    assert "/api/documents/{doc_id}" in checked


# Uploads start an ingest in the background: covered by tests/web/test_uploads.py instead.
NOT_GENERATED = {"/api/uploads"}


@pytest.fixture(scope="module")
def role_tokens(web_app, web_runtime) -> dict[str, str]:  # noqa: ANN001
    with web_runtime.db.session() as s:
        return {role: new_token(s, user, "schemathesis") for role, user in ROLE_USERS.items()}


def test_write_endpoints(web_app, role_tokens, review_docs) -> None:  # noqa: ANN001
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", web_app)
    checked = []
    for found in schema.get_all_operations():
        op = found.ok()
        if op.method.upper() == "GET" or op.path in NOT_GENERATED:
            continue
        for role in ("officer", "signer", "auditor"):
            _fuzz(op, role_tokens[role], [schemathesis.checks.not_a_server_error], examples=5)
        checked.append(op.path)
    assert "/api/documents/{doc_id}/approve" in checked and "/api/verify" in checked
