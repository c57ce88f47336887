"""Saved filter sets: a user keeps a list's current filters and sort under a name and opens
them again from the list.

What is stored is the list's query string, kept to that list's own filter and sort arguments
(a page number or anything else is dropped), so opening a saved set is just opening the list
with it: the list checks every value again as it does for any URL.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import SavedFilter, User
from crm.models.lists import LIST_KEYS
from crm.services.core.errors import RuleError
from crm.services.projects import FILTER_KEYS as PROJECT_FILTERS

# The arguments each list reads from its query string (besides ?page=).
LIST_ARGS = {
    "enterprises": ("q", "sector", "region", "tag", "owner", "status", "chain", "sort"),
    "projects": (*PROJECT_FILTERS, "sort"),
    "problems": ("department", "project", "status", "overdue", "sort"),
}
ENDPOINTS = {"enterprises": "enterprises.index", "projects": "projects.index", "problems": "routines.problems"}
NAME_MAX = 40
VALUE_MAX = 100  # the longest filter value a list reads (the search box)
PER_LIST = 30  # saved sets per user and list: a short menu


class SavedFilterError(RuleError):
    """A filter set that cannot be saved; the message says why."""


def clean_query(list_key: str, query: str) -> str:
    """The query string kept to the list's arguments, each once, non-empty and not over-long."""
    allowed = LIST_ARGS[list_key]
    kept = {}
    for key, value in parse_qsl(query or "", keep_blank_values=False):
        value = value.strip()
        if key in allowed and value and key not in kept:
            kept[key] = value[:VALUE_MAX]
    return urlencode(sorted(kept.items(), key=lambda item: allowed.index(item[0])))


def saved_filters(user: User, list_key: str) -> list[SavedFilter]:
    """The user's saved sets of one list, by name."""
    return db.session.scalars(sa.select(SavedFilter).where(
        SavedFilter.user_id == user.id, SavedFilter.list_key == list_key)
        .order_by(SavedFilter.name, SavedFilter.id)).all()


def save(user: User, list_key: str, name: str, query: str) -> SavedFilter:
    """Save the filter set under `name`; the same name again replaces that set's filters.
    Raises SavedFilterError (nothing saved) for a bad name, an empty set or too many sets."""
    if list_key not in LIST_KEYS:
        raise SavedFilterError(_l("这个列表不能保存筛选条件。"))
    name = " ".join((name or "").split())
    if not name:
        raise SavedFilterError(_l("请为筛选条件起一个名字。"))
    if len(name) > NAME_MAX:
        raise SavedFilterError(_l("名称不能超过 %(n)s 个字。", n=NAME_MAX))
    cleaned = clean_query(list_key, query)
    if not cleaned:
        raise SavedFilterError(_l("当前没有筛选条件，无需保存。"))
    existing = {f.name: f for f in saved_filters(user, list_key)}
    saved = existing.get(name)
    if saved is None:
        if len(existing) >= PER_LIST:
            raise SavedFilterError(_l("每个列表最多保存 %(n)s 组筛选条件，请先删除不用的。", n=PER_LIST))
        saved = SavedFilter(user_id=user.id, list_key=list_key, name=name)
        db.session.add(saved)
    saved.query_string = cleaned
    db.session.flush()
    return saved


def own_filter(user: User, filter_id: int) -> SavedFilter | None:
    """The saved set `filter_id` if it is the user's own (another user's is as good as missing)."""
    saved = db.session.get(SavedFilter, filter_id)
    return saved if saved is not None and saved.user_id == user.id else None


def delete(saved: SavedFilter) -> None:
    db.session.delete(saved)
    db.session.flush()
