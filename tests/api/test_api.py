"""The JSON API v1: token-only auth, scopes, problem+json errors in the user's language, cursor
pages with the list pages' filters, ETags and If-Match, writes through the web forms' rules,
the per-token rate limit and the per-call audit row."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, Interaction, Project, StageEvent
from tests import factories


def _auth(secret: str, **headers) -> dict:
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.fixture
def token(users):
    """token(role, scope="write") -> the secret of a fresh token of that role's user."""
    def _make(role: str = "staff", scope: str = "write") -> str:
        return factories.api_token(users[role], scope=scope)[1]
    return _make


def test_no_token_or_a_session_or_a_revoked_token_gets_401_as_problem_json(client, login, users):
    resp = client.get("/api/v1/projects")
    assert resp.status_code == 401 and resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == 401 and body["title"] == "需要接口令牌" and body["type"].endswith("/unauthorized")
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    login("admin")  # a signed-in browser session does not open the API
    assert client.get("/api/v1/projects").status_code == 401
    token, secret = factories.api_token(users["staff"])
    token.revoked_at = token.created_at
    db.session.commit()
    assert client.get("/api/v1/projects", headers=_auth(secret)).status_code == 401
    assert client.get("/api/v1/projects", headers=_auth(secret + "x")).status_code == 401


def test_a_read_token_reads_but_may_not_write(client, token):
    project = factories.project()
    secret = token("staff", "read")
    assert client.get(f"/api/v1/projects/{project.id}", headers=_auth(secret)).status_code == 200
    resp = client.post(f"/api/v1/projects/{project.id}/stage-moves", headers=_auth(secret),
                       json={"to_stage": "contact", "occurred_on": date.today().isoformat()})
    assert resp.status_code == 403 and resp.get_json()["detail"] == "该令牌为只读，不能修改数据。"
    assert db.session.get(Project, project.id).stage == "planned"


def test_the_project_list_pages_by_cursor_with_the_list_pages_filters(client, token, statements):
    sector = factories.sector("biomed")
    made = [factories.project(sector=sector, stage="contact" if i % 2 else "planned") for i in range(7)]
    secret = token("leader", "read")
    seen, cursor = [], None
    for _page in range(3):
        url = "/api/v1/projects?stage=contact&limit=2" + (f"&cursor={cursor}" if cursor else "")
        with statements() as counted:
            body = client.get(url, headers=_auth(secret)).get_json()
        seen += [p["id"] for p in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [p.id for p in reversed(made) if p.stage == "contact"]
    assert len(counted) <= 8  # token, page, its investors, the audit row: whatever the data size
    first = client.get("/api/v1/projects?limit=1", headers=_auth(secret)).get_json()["items"][0]
    assert first["id"] == made[-1].id and first["sector"]["name"] == sector.name
    assert first["total_investment"] == "5000.00"
    bad = client.get("/api/v1/projects?cursor=%%%", headers=_auth(secret))
    assert bad.status_code == 400 and "游标" in bad.get_json()["detail"]


def test_a_project_has_its_stage_history_and_an_etag_that_answers_304(client, token, users):
    project = factories.project()
    secret = token("staff")
    client.post(f"/api/v1/projects/{project.id}/stage-moves", headers=_auth(secret),
                json={"to_stage": "contact", "occurred_on": date.today().isoformat(), "evidence": "首次洽谈"})
    resp = client.get(f"/api/v1/projects/{project.id}", headers=_auth(secret))
    body = resp.get_json()
    assert [(e["from_stage"], e["to_stage"], e["evidence"]) for e in body["stage_events"]] == [
        ("planned", "contact", "首次洽谈")]
    assert body["stage_events"][0]["recorded_by"]["id"] == users["staff"].id
    again = client.get(f"/api/v1/projects/{project.id}", headers=_auth(secret, **{"If-None-Match": resp.headers["ETag"]}))
    assert again.status_code == 304


def test_an_update_needs_the_current_etag_and_a_stale_one_gets_412(client, token):
    project = factories.project(name="旧名称项目")
    staff, admin = token("staff"), token("admin")
    etag = client.get(f"/api/v1/projects/{project.id}", headers=_auth(staff)).headers["ETag"]
    assert client.patch(f"/api/v1/projects/{project.id}", headers=_auth(staff), json={"name": "x"}).status_code == 428
    resp = client.patch(f"/api/v1/projects/{project.id}", headers=_auth(admin, **{"If-Match": etag}),
                        json={"name": "管理员改的名称", "total_investment": 8000})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["total_investment"] == "8000.00" and resp.headers["ETag"] != etag
    stale = client.patch(f"/api/v1/projects/{project.id}", headers=_auth(staff, **{"If-Match": etag}),
                         json={"name": "覆盖别人的修改"})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert db.session.get(Project, project.id).name == "管理员改的名称"
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "Project",
                                                           AuditEvent.action == "update")).one()
    assert audit.changes["name"] == ["旧名称项目", "管理员改的名称"]


def test_an_update_is_refused_with_the_forms_messages_and_changes_nothing(client, token):
    project = factories.project()
    secret = token("staff")
    etag = client.get(f"/api/v1/projects/{project.id}", headers=_auth(secret)).headers["ETag"]
    resp = client.patch(f"/api/v1/projects/{project.id}", headers=_auth(secret, **{"If-Match": etag}),
                        json={"total_investment": "-5", "sector_id": 999999, "colour": "red"})
    assert resp.status_code == 422 and resp.get_json()["errors"] == {"colour": "不认识的字段。"}
    resp = client.patch(f"/api/v1/projects/{project.id}", headers=_auth(secret, **{"If-Match": etag}),
                        json={"total_investment": "-5", "sector_id": 999999})
    errors = resp.get_json()["errors"]
    assert resp.status_code == 422 and errors["total_investment"] == "不能为负数。" and "sector_id" in errors
    assert db.session.get(Project, project.id).total_investment == 5000


def test_an_officer_may_not_update_another_departments_project(client, token):
    project = factories.foreign_project()
    secret = token("officer")
    etag = client.get(f"/api/v1/projects/{project.id}", headers=_auth(secret)).headers["ETag"]
    resp = client.patch(f"/api/v1/projects/{project.id}", headers=_auth(secret, **{"If-Match": etag}), json={"name": "x"})
    assert resp.status_code == 403


def test_stage_moves_follow_the_pipeline_rules_in_the_users_language(client, token, users):
    project = factories.project()
    secret = token("staff")
    today = date.today().isoformat()
    skip = client.post(f"/api/v1/projects/{project.id}/stage-moves", headers=_auth(secret),
                       json={"to_stage": "started", "occurred_on": today})
    assert skip.status_code == 422
    assert skip.get_json()["detail"] == "只能逐级推进一个阶段；跳级或回退须由管理员操作并说明原因。"
    users["staff"].locale = "en"
    db.session.commit()
    ok = client.post(f"/api/v1/projects/{project.id}/stage-moves", headers=_auth(secret),
                     json={"to_stage": "contact", "occurred_on": today})
    assert ok.status_code == 201 and ok.get_json()["stage"] == "contact"
    signed = client.post(f"/api/v1/projects/{project.id}/stage-moves", headers=_auth(secret),
                         json={"to_stage": "signed", "occurred_on": today})
    assert signed.status_code == 422 and signed.get_json()["title"] == "Input refused"
    assert "supporting document" in signed.get_json()["detail"]  # the contract file it needs
    assert db.session.scalars(sa.select(StageEvent.to_stage)).all() == ["contact"]


def test_a_contact_is_logged_with_its_follow_up_and_the_follow_up_closed(client, token, users):
    enterprise = factories.enterprise(owner_id=users["staff"].id)
    secret = token("staff")
    today = date.today()
    resp = client.post("/api/v1/interactions", headers=_auth(secret), json={
        "enterprise_id": enterprise.id, "kind": "visit_in", "summary": "来访洽谈冷链物流项目",
        "occurred_at": f"{today.isoformat()}T00:30:00+08:00", "next_follow_up": today.isoformat()})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["occurred_at"] == f"{(today - timedelta(days=1)).isoformat()}T16:30:00Z"
    due = client.get("/api/v1/follow-ups", headers=_auth(secret)).get_json()["items"]
    assert [i["id"] for i in due] == [body["id"]]
    done = client.post(f"/api/v1/follow-ups/{body['id']}/done", headers=_auth(secret))
    assert done.status_code == 200 and done.get_json()["follow_up_done"] is True
    refused = client.post("/api/v1/interactions", headers=_auth(secret), json={
        "enterprise_id": enterprise.id, "kind": "phone", "summary": ""})
    assert refused.status_code == 422 and refused.get_json()["errors"] == {"summary": "请填写对接内容。"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) == 1
    assert client.post("/api/v1/interactions", headers=_auth(token("leader")), json={
        "enterprise_id": enterprise.id, "kind": "phone", "summary": "电话"}).status_code == 403


def test_every_call_is_audited_with_the_tokens_name(client, users):
    _token, secret = factories.api_token(users["staff"], name="发改局项目库")
    client.get("/api/v1/projects?stage=planned", headers=_auth(secret))
    client.get("/api/v1/projects/999999", headers=_auth(secret))
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "api_call")
                              .order_by(AuditEvent.id)).all()
    assert [(r.note, r.actor_id, r.changes["request"][1], r.changes["status"][1]) for r in rows] == [
        ("发改局项目库", users["staff"].id, "GET /api/v1/projects?stage=planned", 200),
        ("发改局项目库", users["staff"].id, "GET /api/v1/projects/999999", 404)]


def test_each_token_has_its_own_rate_limit_with_retry_after(app, client, users, redis):
    settings = app.extensions["settings"]
    old, settings.API_RATE_LIMIT = settings.API_RATE_LIMIT, "3 per minute"
    try:
        first, other = factories.api_token(users["staff"])[1], factories.api_token(users["staff"])[1]
        answers = [client.get("/api/v1/follow-ups", headers=_auth(first)).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        limited = client.get("/api/v1/follow-ups", headers=_auth(first))
        assert limited.mimetype == "application/problem+json" and int(limited.headers["Retry-After"]) > 0
        assert client.get("/api/v1/follow-ups", headers=_auth(other)).status_code == 200
    finally:
        settings.API_RATE_LIMIT = old


def test_the_openapi_document_and_its_reference_page_are_open_and_served_from_vendored_assets(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0" and doc["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert {"/api/v1/projects", "/api/v1/projects/{project_id}", "/api/v1/projects/{project_id}/stage-moves",
            "/api/v1/interactions"} <= set(doc["paths"])
    assert "412" in doc["paths"]["/api/v1/projects/{project_id}"]["patch"]["responses"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/redoc/redoc.standalone.js" in page and "http" not in page.split("<body>")[1]
    assert client.get("/static/vendor/redoc/redoc.standalone.js").status_code == 200


def test_a_project_reads_a_constant_number_of_statements(client, token, statements, users):
    project = factories.project(investors=[factories.enterprise()])
    secret = token("admin")

    def counted() -> int:
        with statements() as c:
            assert client.get(f"/api/v1/projects/{project.id}", headers=_auth(secret)).status_code == 200
        return len(c)

    few = counted()
    more = [factories.enterprise() for _ in range(3)]
    db.session.get(Project, project.id).investors.extend(more)
    db.session.commit()
    for stage in ("contact", "paused"):
        _move = {"to_stage": stage, "occurred_on": date.today().isoformat(), "reason": "等待用地指标"}
        assert client.post(f"/api/v1/projects/{project.id}/stage-moves", headers=_auth(secret), json=_move).status_code == 201
    assert counted() == few


def test_an_api_move_into_a_stage_that_needs_an_evidence_file_is_refused(client, token):
    """The API sends no files, so the project page's evidence rule refuses a signing (签约 needs the
    contract by default) however complete the rest is, and nothing is written."""
    project = factories.project(stage="contact", contacted_on=date(2025, 1, 1))
    resp = client.post(f"/api/v1/projects/{project.id}/stage-moves", headers=_auth(token("staff")),
                       json={"to_stage": "signed", "occurred_on": date.today().isoformat(),
                             "contract_amount": "8000", "evidence": "合同编号 SFH-2026-001"})
    assert resp.status_code == 422 and "须上传佐证材料" in resp.get_json()["detail"]
    assert db.session.scalars(sa.select(StageEvent)).all() == []
    assert db.session.get(Project, project.id).stage == "contact"
