"""Login with lockout, and the password changes that end a user's sessions.

Failures are counted per (username, client address) and per client address, never per username
alone: five wrong guesses from one machine lock that name on that machine only, and one machine
guessing many names is stopped as a whole.  A try during a lock is refused without being
counted, so neither a wrong nor a right password extends it.  The counts come from the
login_attempts rows, which also keep the record of who tried what from where.

An unknown username gets the same answer as a locked or wrong one, and costs the same password
hash, so neither the message nor the time tells an attacker which accounts exist.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import LoginAttempt, User
from crm.services.accounts.passwords import password_problem
from crm.services.core.errors import RuleError


class LoginRefused(RuleError):
    """One message for a wrong name, a wrong password and a lock alike."""

    def __init__(self, window_minutes: int, max_failures: int):
        super().__init__(_("用户名或密码错误，或账户因多次失败已被暂时锁定（%(m)s 分钟内最多 %(n)s 次）。",
                           m=window_minutes, n=max_failures), code="login_refused")


class PasswordRefused(RuleError):
    """The new password breaks the rule, or the current one was wrong; `field` says which
    ("current_password" or "new_password", the fields of the password form)."""

    def __init__(self, message: str, field: str = "new_password"):
        super().__init__(message, field=field, code="password_refused")


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash made like every user's, checked for unknown names so they take as long."""
    return generate_password_hash("no such user: the time of a real check")


def recent_failures(now: datetime, window_minutes: int, *, remote_addr: str | None,
                    username: str | None = None) -> int:
    """Failed tries from this address in the window (of this username, when one is given)."""
    since = now - timedelta(minutes=window_minutes)
    query = (sa.select(sa.func.count()).select_from(LoginAttempt)
             .where(LoginAttempt.remote_addr.is_(None) if remote_addr is None
                    else LoginAttempt.remote_addr == remote_addr,
                    LoginAttempt.success.is_(False), LoginAttempt.at >= since))
    if username is not None:
        query = query.where(LoginAttempt.username == username)
    return db.session.scalar(query)


def is_locked(username: str, now: datetime, *, remote_addr: str | None, max_failures: int,
              ip_max_failures: int, window_minutes: int) -> bool:
    return (recent_failures(now, window_minutes, remote_addr=remote_addr, username=username) >= max_failures
            or recent_failures(now, window_minutes, remote_addr=remote_addr) >= ip_max_failures)


def authenticate(username: str, password: str, *, now: datetime, max_failures: int = 5,
                 window_minutes: int = 15, ip_max_failures: int = 50, remote_addr: str | None = None) -> User:
    """Return the user, or record the failure and raise LoginRefused (one message for all cases)."""
    username = (username or "").strip()[:80]
    if is_locked(username, now, remote_addr=remote_addr, max_failures=max_failures,
                 ip_max_failures=ip_max_failures, window_minutes=window_minutes):
        raise LoginRefused(window_minutes, max_failures)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    password_ok = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    ok = password_ok and user is not None and user.is_enabled
    db.session.add(LoginAttempt(username=username, at=now, success=ok, remote_addr=remote_addr))
    db.session.commit()
    if not ok:
        raise LoginRefused(window_minutes, max_failures)
    return user


def check_new_password(user: User, password: str) -> None:
    """Raise PasswordRefused unless `password` meets the rule for this user."""
    problem = password_problem(password, username=user.username, names=(user.display_name, user.email))
    if problem:
        raise PasswordRefused(problem)


def set_password(user: User, password: str) -> None:
    """Set a password a person chose (rule checked) and end every session of the user."""
    check_new_password(user, password)
    user.set_password(password)
    user.end_sessions()


def change_own_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password first, then the rule; flushes."""
    if not user.check_password(current or ""):
        raise PasswordRefused(_("当前密码不正确。"), field="current_password")
    set_password(user, new)
    db.session.flush()
