"""User accounts: the rules for creating and changing one, shared by the admin pages and
`flask users create`, so both refuse the same things with the same words."""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import User
from crm.services.accounts.passwords import password_problem
from crm.services.core.errors import RuleError

# The attributes an administrator sets; the password goes through User.set_password().
FIELDS = ("username", "display_name", "title", "email", "phone", "role", "leader_rank", "department_id",
          "is_enabled")


class AccountError(RuleError):
    """An account change the rules refuse."""


def save(user: User, values: dict, password: str | None = None) -> User:
    """Check the rules against the new values, then apply them (FIELDS only) and the password, and
    flush.  Refusals raise AccountError before anything is changed."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"not account fields: {sorted(unknown)}")
    new = {name: values.get(name, getattr(user, name)) for name in FIELDS}
    clash = db.session.scalar(sa.select(User.id).where(User.username == new["username"],
                                                       User.id != (user.id or 0)))
    if clash:
        raise AccountError(_("用户名已被使用。"), field="username", code="username_taken")
    if new["role"] == "officer" and not new["department_id"]:
        raise AccountError(_("部门联络员必须选择所属部门。"), field="department_id", code="department_required")
    if user.id is None and not password:
        raise AccountError(_("新建用户必须设置密码。"), field="password", code="password_required")
    if password:
        problem = password_problem(password, username=new["username"], names=(new["display_name"], new["email"]))
        if problem:
            raise AccountError(problem, field="password", code="password_weak")
    was_enabled = user.id is not None and user.is_enabled
    for name, value in values.items():
        setattr(user, name, value)
    if password:
        user.set_password(password)
    if password and user.id is not None or (was_enabled and not user.is_enabled):
        user.end_sessions()  # a reset or a disabling signs the user out everywhere
    db.session.add(user)
    db.session.flush()
    return user
