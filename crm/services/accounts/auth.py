"""Login with lockout: after N failed tries in a window the account is refused.

An unknown username gets exactly the same answer as a locked or wrong one, so the form
never tells an attacker which accounts exist.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import LoginAttempt, User


class LoginRefused(Exception):
    pass


def recent_failures(username: str, now: datetime, window_minutes: int) -> int:
    since = now - timedelta(minutes=window_minutes)
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt)
        .where(LoginAttempt.username == username, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    )


def authenticate(username: str, password: str, *, now: datetime, max_failures: int = 5,
                 window_minutes: int = 15, remote_addr: str | None = None) -> User:
    """Return the user, or record the failure and raise LoginRefused (one message for all cases)."""
    username = (username or "").strip()
    locked = recent_failures(username, now, window_minutes) >= max_failures
    user = db.session.scalar(sa.select(User).where(User.username == username))
    ok = not locked and user is not None and user.is_enabled and user.check_password(password or "")
    db.session.add(LoginAttempt(username=username[:80], at=now, success=ok, remote_addr=remote_addr))
    db.session.commit()
    if not ok:
        raise LoginRefused()
    return user
