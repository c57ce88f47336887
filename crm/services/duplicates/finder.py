"""Groups of likely duplicate enterprises, one page at a time.

Each reason is one key column of enterprises (services/core/namekeys.py), so a group is one
GROUP BY … HAVING COUNT(*) > 1 over that column's index.  A page is at most one such statement per
reason, from the cursor on with a LIMIT, then one statement for the firms of the page's keys: a
constant number of statements whatever the number of firms, and no walk past what the page shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import Enterprise

# reason -> its words; the order is the page's (the surest reason first).
REASONS = {"credit": _l("同一信用代码"), "name": _l("名称相同（去掉后缀）"), "short": _l("简称相同")}
COLUMNS = {"credit": Enterprise.credit_key, "name": Enterprise.name_key, "short": Enterprise.short_key}
ORDER = {reason: n for n, reason in enumerate(REASONS)}


@dataclass
class Group:
    """Firms sharing a key: `reasons` are every reason they share (the same two firms often share
    their name and their short name), `firms` ordered by id (the older record first)."""
    reasons: list[str]
    firms: list[Enterprise] = field(default_factory=list)

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]


def _keys(reason: str, after: str | None, limit: int) -> list[str]:
    """The next `limit` shared keys of one reason after `after`, in key order.  GROUP BY over the
    key's index streams in key order, so the LIMIT stops the walk as soon as enough are found."""
    column = COLUMNS[reason]
    query = sa.select(column).where(column.is_not(None), column != "")
    if after is not None:
        query = query.where(column > after)
    if reason == "credit":  # only codes stored as typed can share a key (models/enterprise.py)
        loose = sa.select(Enterprise.credit_key).where(Enterprise.credit_key != Enterprise.credit_code)
        query = query.where(column.in_(loose))
    return db.session.scalars(query.group_by(column).having(sa.func.count() > 1).order_by(column).limit(limit)).all()


def _page_keys(cursor: tuple[str, str | None], limit: int) -> list[tuple[str, str]]:
    """(reason, key) pairs from `cursor` on, the reasons in order: at most one statement per reason."""
    found: list[tuple[str, str]] = []
    reasons = list(REASONS)
    for reason in reasons[reasons.index(cursor[0]):]:
        after = cursor[1] if reason == cursor[0] else None
        found += [(reason, key) for key in _keys(reason, after, limit - len(found))]
        if len(found) >= limit:
            break
    return found


def _firms(keys: list[tuple[str, str]]) -> list[Enterprise]:
    wanted = [COLUMNS[reason].in_([k for r, k in keys if r == reason]) for reason in REASONS
              if any(r == reason for r, _k in keys)]
    return db.session.scalars(sa.select(Enterprise).options(joinedload(Enterprise.sector), joinedload(Enterprise.owner))
                              .where(sa.or_(*wanted)).order_by(Enterprise.id)).unique().all()


def _groups(keys: list[tuple[str, str]]) -> list[Group]:
    """The page's keys as groups; keys naming the same firms become one group with both reasons."""
    firms = _firms(keys) if keys else []
    groups: dict[tuple, Group] = {}
    for reason, key in keys:
        members = [f for f in firms if getattr(f, COLUMNS[reason].key) == key]
        ids = tuple(f.id for f in members)
        if len(ids) < 2:  # merged or edited between the two statements
            continue
        group = groups.setdefault(ids, Group([], members))
        group.reasons.append(reason)
    return list(groups.values())


@dataclass
class GroupPage:
    """One page of groups; `next_after` the cursor of the next page (None on the last)."""
    groups: list[Group]
    next_after: str | None
    first: bool


def parse_cursor(after: str | None) -> tuple[str, str | None]:
    """"reason:key" from the URL; anything else means the first page."""
    reason, _sep, key = (after or "").partition(":")
    return (reason, key) if reason in REASONS and key else (next(iter(REASONS)), None)


def group_page(after: str | None, per_page: int) -> GroupPage:
    """The groups after the cursor `after` ("reason:key" of the previous page's last key).

    Paged by key rather than by offset: a deep page walks no further than the keys it shows, and a
    page may show fewer groups than keys when two keys name the same firms."""
    cursor = parse_cursor(after)
    keys = _page_keys(cursor, per_page + 1)
    shown = keys[:per_page]
    next_after = ":".join(shown[-1]) if len(keys) > per_page else None
    return GroupPage(_groups(shown), next_after, first=cursor[1] is None)


def reasons_between(a: Enterprise, b: Enterprise) -> list[str]:
    """Why two firms look alike (the merge page repeats it)."""
    return [reason for reason, column in COLUMNS.items()
            if getattr(a, column.key) and getattr(a, column.key) == getattr(b, column.key)]
