"""The columns a user chooses to see on a list, remembered per user.

Each list names its optional columns (the name column is always shown, so a row can always be
opened).  Without a saved choice a list shows all of them.
"""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import ListColumns, User

OPTIONAL = {
    "enterprises": {"region": _l("省市"), "sector": _l("产业"), "status": _l("状态与标签"), "owner": _l("负责人"),
                    "last": _l("最近对接")},
    "projects": {"stage": _l("阶段"), "sector": _l("行业领域"), "investors": _l("投资主体"),
                 "investment": _l("总投资"), "park": _l("园区"), "lead": _l("牵头部门"), "last": _l("最近对接")},
}


def shown(user: User, list_key: str) -> list[str]:
    """The optional columns the user shows on the list, in the list's order (one statement)."""
    keys = list(OPTIONAL[list_key])
    chosen = db.session.scalar(sa.select(ListColumns.shown).where(
        ListColumns.user_id == user.id, ListColumns.list_key == list_key))
    return keys if chosen is None else [k for k in keys if k in chosen]


def choose(user: User, list_key: str, keys) -> list[str]:
    """Remember the user's choice (unknown keys ignored; an empty choice shows the name alone)."""
    picked = [k for k in OPTIONAL[list_key] if k in set(keys)]
    row = db.session.scalar(sa.select(ListColumns).where(
        ListColumns.user_id == user.id, ListColumns.list_key == list_key))
    if row is None:
        row = ListColumns(user_id=user.id, list_key=list_key)
        db.session.add(row)
    row.shown = picked
    db.session.flush()
    return picked
