"""Each user's private .ics feed of open follow-ups (RFC 5545, built with `icalendar`).

The link carries a random secret; the database keeps its SHA-256 digest only
(crm/models/calendar.py).  Making a new link replaces the digest, so the old link answers 403
at once; the change is audited by the row's audit listener (as "token changed", no value).
A phone or Outlook polls the feed without a session: the secret is the whole authentication.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from icalendar import Calendar, Event

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import CalendarFeed, Interaction, User
from crm.services.calendar import open_follow_ups
from crm.services.core.clock import utcnow
from crm.services.interactions import KIND_LABELS

# The feed holds every open follow-up of the user, up to this many (the nearest first).
FEED_LIMIT = 5000


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalars(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id)).first()


def issue(user: User, now: datetime | None = None) -> str:
    """A new secret for the user's feed (made, or reset: the previous one stops working).
    Returns the secret, which is never stored; flushes, never commits."""
    token = secrets.token_urlsafe(32)
    feed = feed_of(user)
    if feed is None:
        db.session.add(CalendarFeed(user_id=user.id, token_hash=digest(token), created_at=now or utcnow()))
    else:
        feed.token_hash, feed.reset_at = digest(token), now or utcnow()
    db.session.flush()
    return token


def user_for(token: str) -> User | None:
    """The enabled user whose feed this secret opens, else None.  One statement."""
    if not token or len(token) > 100:
        return None
    return db.session.scalars(
        sa.select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == digest(token), User.is_enabled.is_(True))).first()


def _description(i: Interaction, link: str) -> str:
    lines = [_("企业") + _("：") + i.enterprise.name]
    if i.project is not None:
        lines.append(_("项目") + _("：") + i.project.name)
    lines.append(_("上次对接") + _("：") + f"{KIND_LABELS.get(i.kind, i.kind)} · {i.summary}")
    if i.next_step:
        lines.append(_("下一步") + _("：") + i.next_step)
    lines.append(link)
    return "\n".join(lines)


def build(user: User, base_url: str, link_of, now: datetime | None = None) -> bytes:
    """The user's open follow-ups as an iCalendar document: one all-day VEVENT each, carrying the
    enterprise, the project and `link_of(interaction)` (a path) made absolute with base_url."""
    base = base_url.rstrip("/")
    host = urlsplit(base).hostname or "localhost"
    stamp = now or utcnow()
    cal = Calendar()
    cal.add("prodid", "-//zhaoshang-crm//follow-ups//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("招商跟进：%(name)s", name=user.display_name))
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for i in open_follow_ups(user, limit=FEED_LIMIT):
        link = base + link_of(i)
        event = Event()
        event.add("uid", f"follow-up-{i.id}@{host}")
        event.add("dtstamp", stamp.replace(tzinfo=UTC))
        event.add("dtstart", i.next_follow_up)
        event.add("dtend", i.next_follow_up + timedelta(days=1))
        title = i.enterprise.name + (f"（{i.project.name}）" if i.project is not None else "")
        event.add("summary", _("跟进：%(title)s", title=title))
        event.add("description", _description(i, link))
        event.add("url", link)
        event.add("categories", [_("招商跟进")])
        cal.add_component(event)
    return cal.to_ical()
