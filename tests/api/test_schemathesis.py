"""Fuzz the JSON API from its own OpenAPI document (Schemathesis, bounded examples).

Every operation gets generated calls with a write token of an administrator (the widest
rights), on a small data set.  The checks: no 5xx, every status, content type and body the
document declares.  (Not "schema-valid data is accepted": the services' rules refuse much that
the types allow, e.g. a stage date in the future, and answer 422 as documented.)
"""
from __future__ import annotations

import pytest
import schemathesis
import sqlalchemy as sa
from flask import g
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crm.extensions import db
from crm.models import AuditEvent
from tests import factories

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 30  # per operation: a few seconds each, and enough to reach the refusals


@pytest.fixture
def admin_token(app, users):
    app_settings = app.extensions["settings"]
    old, app_settings.API_RATE_LIMIT = app_settings.API_RATE_LIMIT, "100000 per minute"  # fuzzing, not flooding
    yield factories.api_token(users["admin"], scope="write")[1]
    app_settings.API_RATE_LIMIT = old


def _fuzz(operation, token: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        for key in list(g):  # the test app context outlives requests: start each call with a fresh `g`
            g.pop(key)
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()


def test_the_api_answers_as_its_document_says(app, users, admin_token):
    # (schemathesis.pytest.from_fixture does not run under pytest 9, hence the loop over operations.)
    project = factories.project(lead_department=users["officer"].department)
    factories.foreign_interaction(project=project, created_by_id=users["admin"].id)
    factories.foreign_project()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:
        _fuzz(operation, admin_token)
    calls = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "api_call"))
    assert calls >= 5 * len(operations)  # every operation was really called, each call audited
