"""A user's private calendar feed (.ics) of follow-ups: one secret link per user.

As with API tokens, only the SHA-256 digest of the secret in the link is stored (a random
256-bit secret needs no slow hash), so the link is shown once, when it is made or reset.  A
reset replaces the digest: the old link stops working at once.  The row is audited, the
digest never (`__audit_secret__`: the log says the link changed, not to what).
"""
from __future__ import annotations

from crm.extensions import db
from crm.models.base import utcnow


class CalendarFeed(db.Model):
    __tablename__ = "calendar_feeds"
    __audited__ = True
    __audit_exclude__ = ("token_hash",)
    __audit_secret__ = {"token_hash": "token"}
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    reset_at = db.Column(db.DateTime)  # the last reset; None while the first link is in use
    user = db.relationship("User")
