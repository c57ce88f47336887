"""Notify a user: an in-app notification now, and an email copy through the outbox.

The email is a "mail.notification" job naming notification ids, written in the caller's transaction,
so it goes out only if the notification commits, and goes out even if Redis is down now.
One email may carry several notifications of one user (the daily reminders).
"""
from __future__ import annotations

from email.message import EmailMessage

import sqlalchemy as sa
from flask import render_template

from crm.config import Settings
from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Notification, User
from crm.services.core.clock import utcnow
from crm.services.messaging import bell, mail, outbox

BELL_CAP = 100  # the bell counts this far and shows 99+ from here on


def notify(user: User, *, kind: str, title: str, body: str = "", url: str | None = None,
           target=None, email: bool = True, html: str | None = None) -> Notification:
    """Add the notification to the current transaction; the email goes once it commits.

    `html` replaces the standard HTML part of the email (the text part stays the standard one).
    """
    note = Notification(user_id=user.id, kind=kind, title=str(title)[:200], body=str(body or ""), url=url,
                        target_type=type(target).__name__ if target is not None else None,
                        target_id=getattr(target, "id", None))
    db.session.add(note)
    db.session.flush()
    if email and user.email:
        email_notifications([note.id], html=html)
    return note


def email_notifications(notification_ids: list[int], html: str | None = None, more: int = 0):
    """Queue one email (to the notifications' one user) carrying these notifications, and
    saying that `more` others wait in the app."""
    payload = {"notification_ids": list(notification_ids)}
    if html is not None:
        payload["html"] = html
    if more:
        payload["more"] = more
    return outbox.enqueue("mail.notification", **payload)


def _absolute(url: str | None, settings: Settings) -> str | None:
    if url and url.startswith("/"):
        return settings.BASE_URL.rstrip("/") + url
    return url


def render_email(notification_ids: list[int], settings: Settings, html: str | None = None,
                 more: int = 0) -> EmailMessage | None:
    """The email for these notifications (HTML and text, Chinese); None if nobody to send to."""
    notes = db.session.scalars(sa.select(Notification).where(Notification.id.in_(notification_ids))
                               .order_by(Notification.id)).all()
    if not notes:
        return None
    user = db.session.get(User, notes[0].user_id)
    if user is None or not user.email or not user.is_enabled:
        return None
    items = [{"note": n, "link": _absolute(n.url, settings)} for n in notes]
    if len(notes) == 1 and not more:
        subject = _("【招商项目管家】%(title)s", title=notes[0].title)
    else:
        subject = _("【招商项目管家】您有 %(n)s 条新提醒", n=len(notes) + more)
    ctx = {"user": user, "items": items, "more": more, "inbox": _absolute("/notifications/", settings)}
    return mail.build_message(mail.address(user.display_name, user.email), subject,
                              render_template("mail/notification.txt", **ctx),
                              html if html is not None else render_template("mail/notification.html", **ctx),
                              sender=settings.MAIL_FROM)


def send_email(notification_ids: list[int], settings: Settings, html: str | None = None, more: int = 0) -> str:
    """Render and deliver (SMTP or .eml); returns where it went."""
    msg = render_email(notification_ids, settings, html, more)
    return "skipped" if msg is None else mail.deliver(msg, settings)


# --- reading ---------------------------------------------------------------------------------

def inbox_select(user_id: int, unread_only: bool = False) -> sa.Select:
    """The user's notifications, newest first (only the unread ones if asked): the list page
    shows these, and the bell counts the unread ones from this same select."""
    query = sa.select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc())
    return query.where(Notification.read_at.is_(None)) if unread_only else query


def unread_count(user_id: int, cap: int | None = None) -> int:
    """The user's unread notifications, counted no further than `cap` when given.

    The bell counts on every page and shows 99+ from BELL_CAP on: an exact count walked the
    user's whole unread backlog in the index, which daily reminders grow by ~30 a day for a
    user who never reads them, so its cost grew without bound on every page.
    """
    unread = inbox_select(user_id, unread_only=True).with_only_columns(Notification.id)
    if cap is not None:
        unread = unread.limit(cap)
    return db.session.scalar(sa.select(sa.func.count()).select_from(unread.subquery()))


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of the user read; returns how many."""
    stmt = sa.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    bell.changed([user_id])
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount
