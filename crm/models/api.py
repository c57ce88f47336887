"""Personal access tokens of the JSON API (接口令牌).

A token is shown to its owner once, when it is made; only its SHA-256 digest is stored (a
random 256-bit secret needs no slow hash: nobody can guess it from the digest).  `prefix`
keeps its first characters so the owner can tell tokens apart on the settings page.
"""
from __future__ import annotations

from crm.extensions import db
from crm.models.base import utcnow

TOKEN_SCOPES = ("read", "write")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __audited__ = True
    # The digest is a secret's stand-in, and last use changes on every call (each call has its own audit row).
    __audit_exclude__ = ("token_hash", "last_used_at")
    __table_args__ = (db.Index("ix_api_tokens_user", "user_id", "id"),)
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    name = db.Column(db.String(60), nullable=False)
    scope = db.Column(db.String(10), nullable=False, default="read")  # read | write (write includes read)
    prefix = db.Column(db.String(12), nullable=False)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime)
    revoked_at = db.Column(db.DateTime)
    user = db.relationship("User")

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __str__(self) -> str:
        return self.name
