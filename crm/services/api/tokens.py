"""Personal access tokens: made, named, scoped, shown once, stored hashed, revoked.

The secret is `zs_` + 43 URL-safe characters (256 random bits).  Only its SHA-256 digest is
kept, so a leaked database gives no usable token; the owner sees the secret once, on the page
that made it.  Every change is audited through the ApiToken model's audit flag, and every API
call adds its own audit row naming the token (record_call).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import AuditEvent, User
from crm.models.api import TOKEN_SCOPES, ApiToken
from crm.services.core import access
from crm.services.enterprises import ValidationError, clean_text

PREFIX = "zs_"
SHOWN_PREFIX = 10  # "zs_" and 7 characters: enough to tell a user's tokens apart, useless to an attacker
MAX_ACTIVE = 20  # per user: a token per system that reads the pipeline is plenty


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def user_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (they show as revoked)."""
    return db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.id.desc())).all()


def create_token(actor: User, name, scope) -> tuple[ApiToken, str]:
    """A new token for `actor` and its secret (to show once).  Raises ValidationError; flushes."""
    name = clean_text(name)
    errors = {}
    if not name:
        errors["name"] = _("请填写令牌名称。")
    elif len(name) > ApiToken.name.type.length:
        errors["name"] = _("令牌名称不能超过 %(n)s 个字。", n=ApiToken.name.type.length)
    if scope not in TOKEN_SCOPES:
        errors["scope"] = _("请选择令牌权限。")
    active = db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(
        ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None)))
    if active >= MAX_ACTIVE:
        errors["name"] = _("有效令牌已达 %(n)s 个，请先吊销不用的令牌。", n=MAX_ACTIVE)
    if errors:
        raise ValidationError(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, scope=scope, prefix=secret[:SHOWN_PREFIX],
                     token_hash=digest(secret))
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(actor: User, token: ApiToken, now: datetime) -> None:
    """Only the owner revokes a token (an administrator disables the user instead)."""
    access.require(token.user_id == actor.id)
    if token.revoked_at is None:
        token.revoked_at = now
        db.session.flush()


def authenticate(secret: str | None) -> ApiToken | None:
    """The active token with this secret whose user may still sign in; None otherwise.  One statement."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(sa.select(ApiToken).options(sa.orm.joinedload(ApiToken.user))
                              .where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return token


def allows(token: ApiToken, method: str) -> bool:
    """Read tokens may only read; write tokens may do both."""
    return method in ("GET", "HEAD", "OPTIONS") or token.scope == "write"


def record_call(token: ApiToken, method: str, path: str, status: int, now: datetime) -> None:
    """One audit row per API call, naming the token (who, when, which call, its answer); flushes."""
    token.last_used_at = now
    db.session.add(AuditEvent(actor_id=token.user_id, actor_label=token.user.username, object_type="ApiToken",
                              object_id=token.id, action="api_call", note=token.name,
                              changes={"request": [None, f"{method} {path}"[:300]], "status": [None, status]}))
    db.session.flush()
