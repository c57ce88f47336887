"""Operations: the job outbox, in-app notifications, reminders and their settings, and the reference
data's version."""
from __future__ import annotations

from sqlalchemy import event

from crm.extensions import db
from crm.models.base import utcnow
from crm.models.choices import Choices

# pending → enqueued by the relay, or inline (run by the request's eager relay) → done by its job.
OUTBOX_STATUS = Choices({"pending": "pending", "enqueued": "enqueued", "inline": "inline", "done": "done"})


class OutboxMessage(db.Model):
    """A job to run, written in the same transaction as the change that needs it.

    The relay moves pending rows into RQ with job id "outbox-<id>"; the job marks the row
    done in the transaction of its own work, so a row runs at most once even if relayed twice.
    """
    __tablename__ = "outbox_messages"
    __table_args__ = (db.Index("ix_outbox_status_id", "status", "id"), OUTBOX_STATUS.check("status"))
    id = db.Column(db.Integer, primary_key=True)
    job = db.Column(db.String(40), nullable=False)
    payload = db.Column(db.JSON, nullable=False, default=dict)
    status = db.Column(db.String(10), nullable=False, default="pending")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    enqueued_at = db.Column(db.DateTime)
    done_at = db.Column(db.DateTime)
    attempts = db.Column(db.Integer, nullable=False, default=0)


class Notification(db.Model):
    """An in-app message (提醒/通知) to one user; email copies go through the outbox."""
    __tablename__ = "notifications"
    __table_args__ = (db.Index("ix_notifications_user_read", "user_id", "read_at", "id"),)
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(30), nullable=False)
    title = db.Column(db.String(200), nullable=False)
    body = db.Column(db.Text)
    url = db.Column(db.String(300))
    target_type = db.Column(db.String(40))
    target_id = db.Column(db.Integer)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    read_at = db.Column(db.DateTime)
    user = db.relationship("User")


class Reminder(db.Model):
    """One reminder per (target, reason, day, user): the unique key keeps re-runs silent."""
    __tablename__ = "reminders"
    __table_args__ = (
        db.UniqueConstraint("target_type", "target_id", "reason", "day", "user_id", name="uq_reminders_once"),
    )
    id = db.Column(db.Integer, primary_key=True)
    target_type = db.Column(db.String(20), nullable=False)  # interaction | project | problem | report
    target_id = db.Column(db.Integer, nullable=False)
    reason = db.Column(db.String(30), nullable=False)  # follow_up_due | stale | stale_escalated | …
    day = db.Column(db.Date, nullable=False)  # local date of the scan
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    notification_id = db.Column(db.ForeignKey("notifications.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class ReminderSetting(db.Model):
    """Days without contact before a project at `stage` is stale, and before it escalates."""
    __tablename__ = "reminder_settings"
    __audited__ = True
    stage = db.Column(db.String(10), primary_key=True)
    stale_days = db.Column(db.Integer, nullable=False)
    escalate_days = db.Column(db.Integer, nullable=False)


class RefVersion(db.Model):
    """One row whose number every committed write of the cached reference tables raises
    (services/core/refcache): each process keeps those tables' choices until it changes."""
    __tablename__ = "ref_versions"
    id = db.Column(db.Integer, primary_key=True)
    version = db.Column(db.BigInteger, nullable=False, default=0)


@event.listens_for(RefVersion.__table__, "after_create")
def _first_version(target, connection, **kw) -> None:
    connection.execute(target.insert().values(id=1, version=0))
