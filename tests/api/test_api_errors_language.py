"""The API's edges: an unknown URL or a wrong method under /api/v1/ is answered as problem+json
like every other API error (not the app's HTML pages), and the API speaks the language the caller
asks for in Accept-Language (zh / en), else its token owner's, never the browser session's."""
from __future__ import annotations

import pytest

from crm.extensions import db
from tests import factories


def _auth(secret: str, **headers) -> dict:
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.fixture
def secret(users):
    return factories.api_token(users["staff"], scope="write")[1]


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/projects/1/nothing", "/api/v1/projects/abc",
                                  "/api/v1", "/api/v1/"])
def test_an_unknown_api_url_gets_404_as_problem_json(client, secret, path):
    resp = client.get(path, headers=_auth(secret))
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body == {"type": "https://crm.invalid/problems/not-found", "title": "未找到", "status": 404,
                    "instance": path}
    assert client.get(path).status_code == 404 and client.get(path).mimetype == "application/problem+json"


def test_a_signed_in_browser_gets_problem_json_under_the_api_and_html_pages_elsewhere(client, login):
    login("staff")
    assert client.get("/api/v1/nothing-here").mimetype == "application/problem+json"
    page = client.get("/nothing-here")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert client.get("/api/v1nothing").mimetype == "text/html"  # not under the API's prefix


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("delete", "/api/v1/projects/1", {"GET", "PATCH"}),
    ("post", "/api/v1/projects", {"GET"}),
    ("put", "/api/v1/interactions", {"GET", "POST"}),
    ("get", "/api/v1/follow-ups/1/done", {"POST"}),
])
def test_a_wrong_method_gets_405_as_problem_json_with_allow(client, secret, method, path, allowed):
    resp = getattr(client, method)(path, headers=_auth(secret))
    assert resp.status_code == 405 and resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert (body["status"], body["title"], body["type"]) == (405, "方法不允许",
                                                             "https://crm.invalid/problems/method-not-allowed")
    assert allowed <= {m.strip() for m in resp.headers["Allow"].split(",")}


def test_accept_language_chooses_the_language_else_the_token_owners(client, users):
    staff = users["staff"]
    secret = factories.api_token(staff)[1]
    missing = "/api/v1/projects/999999"
    zh = {"title": "未找到", "detail": "记录不存在。"}
    en = {"title": "Not found", "detail": "No such record."}

    def said(**headers):
        resp = client.get(missing, headers=_auth(secret, **headers))
        assert resp.status_code == 404 and "Accept-Language" in resp.headers["Vary"]
        body = resp.get_json()
        return {"title": body["title"], "detail": body["detail"]}, resp.headers["Content-Language"]

    assert said() == (zh, "zh-CN")  # the owner's language: Chinese
    assert said(**{"Accept-Language": "en-US,en;q=0.9"}) == (en, "en")
    assert said(**{"Accept-Language": "fr, en;q=0.5"}) == (en, "en")  # the first one the API speaks
    assert said(**{"Accept-Language": "en;q=0, zh"}) == (zh, "zh-CN")  # q=0: "not English"
    staff.locale = "en"
    db.session.commit()
    assert said() == (en, "en")
    assert said(**{"Accept-Language": "zh-CN"}) == (zh, "zh-CN")
    assert said(**{"Accept-Language": "zh-TW,zh;q=0.8"}) == (zh, "zh-CN")
    assert said(**{"Accept-Language": "fr"}) == (en, "en")  # nothing the API speaks: the owner's
    assert said(**{"Accept-Language": "*"}) == (en, "en")


def test_field_messages_follow_accept_language_and_the_browser_sessions_language_is_ignored(client, users):
    secret = factories.api_token(users["staff"], scope="write")[1]
    enterprise = factories.enterprise(owner_id=users["staff"].id)
    empty = {"enterprise_id": enterprise.id, "kind": "phone", "summary": ""}
    resp = client.post("/api/v1/interactions", headers=_auth(secret, **{"Accept-Language": "en"}), json=empty)
    assert resp.status_code == 422 and resp.get_json()["title"] == "Input refused"
    assert resp.get_json()["errors"]["summary"] != "请填写对接内容。"
    with client.session_transaction() as session:  # the top bar's switch, in a browser that also calls the API
        session["lang"] = "en"
    resp = client.post("/api/v1/interactions", headers=_auth(secret), json=empty)
    assert resp.get_json()["errors"] == {"summary": "请填写对接内容。"}
    # Unknown URLs too: there is no token to ask, so Accept-Language, else Chinese.
    assert client.get("/api/v1/nothing-here").get_json()["title"] == "未找到"
    assert client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"}).get_json()["title"] == "Not found"
    # A refused query string is said in the owner's language.
    users["staff"].locale = "en"
    db.session.commit()
    bad = client.get("/api/v1/projects?cursor=%%%", headers=_auth(secret))
    assert bad.status_code == 400 and bad.get_json()["detail"] == "Invalid page cursor: start again from the first page."


def test_an_unknown_url_or_wrong_method_with_a_token_is_audited_and_in_the_owners_language(client, users):
    import sqlalchemy as sa

    from crm.models import AuditEvent
    users["staff"].locale = "en"
    db.session.commit()
    secret = factories.api_token(users["staff"], name="大屏看板")[1]
    assert client.get("/api/v1/nothing-here", headers=_auth(secret)).get_json()["title"] == "Not found"
    assert client.delete("/api/v1/projects", headers=_auth(secret)).get_json()["title"] == "Method not allowed"
    client.get("/api/v1/nothing-here")  # no token: nobody to name
    client.get("/api/v1/nothing-here", headers=_auth(secret + "x"))
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "api_call").order_by(AuditEvent.id)).all()
    assert [(r.note, r.actor_id, r.changes["request"][1], r.changes["status"][1]) for r in rows] == [
        ("大屏看板", users["staff"].id, "GET /api/v1/nothing-here", 404),
        ("大屏看板", users["staff"].id, "DELETE /api/v1/projects", 405)]


def test_the_reference_page_is_a_page_in_the_sessions_language_not_accept_languages(client):
    page = client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<title>招商项目管家 · 接口文档</title>" in page  # Chinese first, whatever the browser says
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get("/api/v1/docs", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "接口文档" not in page.split("<title>")[1].split("</title>")[0]
