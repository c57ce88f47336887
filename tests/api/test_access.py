"""Each role's token against every API route, by the web's access policy (tests/access_policy.py).

Reads are for every role, as the list and detail pages are.  A write is allowed to the roles
the matching web form allows; a role the form refuses gets 403, and so does a record rule (the
web answers 404 there to hide the record, but every role may read it through the API).
"""
from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from tests.access_policy import POLICY

ROLES = ("admin", "staff", "officer", "leader")
READS = ("/api/v1/projects", "/api/v1/projects/{project}", "/api/v1/enterprises", "/api/v1/enterprises/{enterprise}",
         "/api/v1/enterprises/{enterprise}/contacts", "/api/v1/interactions", "/api/v1/follow-ups", "/api/v1/problems",
         "/api/v1/progress-reports", "/api/v1/goals", "/api/v1/dashboard")


def _allowed(endpoint: str, role: str) -> bool:
    rule = POLICY[endpoint]
    return role in rule.post and role not in rule.hidden


def _write(client, kind: str, secret: str, users):
    """One write of each kind: a contact about a project of the officer's department (officers log
    only about those), the other writes on records of another department."""
    headers = {"Authorization": f"Bearer {secret}"}
    if kind == "interactions.quick":
        own = factories.project(lead_department=users["officer"].department)
        return client.post("/api/v1/interactions", headers=headers, json={
            "enterprise_id": factories.sample_enterprise().id, "project_id": own.id, "kind": "phone",
            "summary": "电话沟通"})
    if kind == "interactions.done":
        return client.post(f"/api/v1/follow-ups/{factories.foreign_interaction().id}/done", headers=headers)
    project = factories.foreign_project()
    if kind == "projects.move_stage":
        return client.post(f"/api/v1/projects/{project.id}/stage-moves", headers=headers,
                           json={"to_stage": "contact", "occurred_on": date.today().isoformat()})
    etag = client.get(f"/api/v1/projects/{project.id}", headers=headers).headers["ETag"]
    return client.patch(f"/api/v1/projects/{project.id}", headers={**headers, "If-Match": etag},
                        json={"name": "新的项目名称"})


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_everything(client, users, role):
    secret = factories.api_token(users[role], scope="read")[1]
    ids = {"project": factories.foreign_project().id, "enterprise": factories.sample_enterprise().id}
    for url in READS:
        resp = client.get(url.format(**ids), headers={"Authorization": f"Bearer {secret}"})
        assert resp.status_code == 200, (url, resp.get_json())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["interactions.quick", "interactions.done", "projects.move_stage", "projects.edit"])
def test_writes_follow_the_web_forms_policy(client, users, role, kind):
    secret = factories.api_token(users[role], scope="write")[1]
    resp = _write(client, kind, secret, users)
    if _allowed(kind, role):
        assert resp.status_code in (200, 201), (kind, role, resp.get_json())
    else:
        assert resp.status_code == 403, (kind, role, resp.status_code, resp.get_json())
        assert resp.mimetype == "application/problem+json"
