"""API tokens on the settings page: made with a name and a scope, shown once, stored hashed,
revoked by their owner only, every change audited."""
from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent
from crm.models.api import ApiToken
from tests import factories


def _secret(html: str) -> str:
    match = re.search(r'id="new-token">(zs_[A-Za-z0-9_-]+)<', html)
    assert match, html[:2000]
    return match.group(1)


def test_a_new_token_is_shown_once_and_stored_only_as_its_digest(client, login):
    user = login("staff")
    resp = client.post("/settings/tokens/", data={"name": "重点项目调度平台", "scope": "write"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请立即复制" in html
    secret = _secret(html)
    token = db.session.scalar(sa.select(ApiToken))
    assert (token.user_id, token.name, token.scope) == (user.id, "重点项目调度平台", "write")
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = db.session.execute(sa.text("SELECT * FROM api_tokens")).mappings().one()
    assert secret not in {str(v) for v in stored.values()}
    assert secret[:10] == token.prefix and len(secret) > 40
    page = client.get("/settings/tokens/").get_data(as_text=True)
    assert secret not in page and token.prefix in page and "重点项目调度平台" in page
    created = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_type == "ApiToken"))
    assert created.action == "create" and created.actor_id == user.id
    assert "token_hash" not in created.changes and created.changes["name"] == [None, "重点项目调度平台"]


def test_a_token_needs_a_name_and_a_known_scope(client, login):
    login("officer")
    html = client.post("/settings/tokens/", data={"name": " ", "scope": "read"}).get_data(as_text=True)
    assert "请填写令牌名称。" in html
    html = client.post("/settings/tokens/", data={"name": "大屏", "scope": "admin"}).get_data(as_text=True)
    assert "new-token" not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_the_owner_revokes_a_token_and_the_change_is_audited(client, login):
    user = login("leader")
    token, _secret_value = factories.api_token(user)
    resp = client.post(f"/settings/tokens/{token.id}/revoke", follow_redirects=True)
    assert "已吊销令牌" in resp.get_data(as_text=True)
    db.session.refresh(token)
    assert token.revoked_at is not None
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "ApiToken",
                                                           AuditEvent.action == "update")).one()
    assert audit.changes["revoked_at"][0] is None and audit.changes["revoked_at"][1]


def test_nobody_revokes_another_users_token(client, login):
    token, _secret_value = factories.api_token()
    login("admin")
    assert client.post(f"/settings/tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None
