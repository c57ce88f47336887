"""Weekly digest deliveries (周报): one row per (recipient, ISO week), the idempotency key.

Life of a row: claimed (INSERTed with the rendered message; the unique key decides who owns
it) → sending (set, and committed, right before SMTP) → sent.  See services/liaison/digest.py for why
a 'sending' row is never sent again: one left 'sending' too long becomes 'unknown' (the worker
died mid-send), and only an administrator's resend puts it (or a 'failed' one) back to 'claimed'.
"""
from __future__ import annotations

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models.base import utcnow
from crm.models.choices import Choices

# 'sending' left by a dead worker becomes 'unknown': the mail may or may not have gone out.
DELIVERY_STATUS = Choices({"claimed": _l("待发送"), "sending": _l("发送中（状态未知）"), "sent": _l("已发送"),
                           "failed": _l("发送失败"), "unknown": _l("状态不明")})
DELIVERY_STATUSES = DELIVERY_STATUS.codes
RESENDABLE = ("unknown", "failed")


class DigestDelivery(db.Model):
    __tablename__ = "digest_deliveries"
    __table_args__ = (
        db.UniqueConstraint("user_id", "iso_week"),
        db.Index("ix_digest_deliveries_week_status", "iso_week", "status"),
        DELIVERY_STATUS.check("status"),
    )
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    iso_week = db.Column(db.String(8), nullable=False)  # '2026-W48'
    status = db.Column(db.String(10), nullable=False, default="claimed")
    claimed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    sending_at = db.Column(db.DateTime)
    sent_at = db.Column(db.DateTime)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    error = db.Column(db.Text)
    # The message as rendered at claim time (RFC 5322 bytes), so a retry sends the same email.
    message = db.Column(db.LargeBinary)
    user = db.relationship("User")
