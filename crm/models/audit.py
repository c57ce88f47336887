"""Audit trail (操作日志): who changed what, when, old → new."""
from __future__ import annotations

from crm.extensions import db
from crm.models.base import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        db.Index("ix_audit_object", "object_type", "object_id", "id"),
        db.Index("ix_audit_actor_at", "actor_id", "at"),
    )
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)  # UTC
    actor_id = db.Column(db.ForeignKey("users.id", ondelete="SET NULL"))
    actor_label = db.Column(db.String(60))  # kept when the user is gone, or "system"/"worker"
    object_type = db.Column(db.String(40), nullable=False)
    object_id = db.Column(db.Integer)
    action = db.Column(db.String(20), nullable=False)  # create | update | delete | stage | …
    changes = db.Column(db.JSON, nullable=False, default=dict)  # {field: [old, new]}
    note = db.Column(db.Text)
    # The row version the change was made to (models.base.Versioned): a stale form's save lists
    # the changes made since the version it was filled from.
    object_version = db.Column(db.Integer)
    actor = db.relationship("User")
