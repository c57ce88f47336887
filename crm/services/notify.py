"""Notify a user: an in-app notification now, and an email copy through the outbox."""
from __future__ import annotations

from crm.extensions import db
from crm.models import Notification, User
from crm.services import outbox


def notify(user: User, *, kind: str, title: str, body: str = "", url: str | None = None,
           target=None, email: bool = True) -> Notification:
    """Add the notification to the current transaction; the email goes once it commits."""
    note = Notification(user_id=user.id, kind=kind, title=str(title)[:200], body=str(body or ""), url=url,
                        target_type=type(target).__name__ if target is not None else None,
                        target_id=getattr(target, "id", None))
    db.session.add(note)
    db.session.flush()
    if email and user.email:
        outbox.enqueue("mail.notification", notification_id=note.id)
    return note


def unread_count(user_id: int) -> int:
    return Notification.query.filter_by(user_id=user_id, read_at=None).count()
