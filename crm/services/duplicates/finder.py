"""Groups of likely duplicate enterprises, one page at a time.

Each reason is one key column of enterprises (services/core/namekeys.py), so a group is one
GROUP BY … HAVING COUNT(*) > 1 over that column's index.  A page is one UNION ALL of the three,
ordered by (reason, key) with LIMIT/OFFSET, then one statement for the firms of the page's keys:
a constant number of statements whatever the number of firms.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import Enterprise
from crm.services.core.paging import Page, paginate_with

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


def _keys_query():
    parts = [sa.select(sa.literal(ORDER[reason]).label("rank"), sa.literal(reason).label("reason"),
                       column.label("key"))
             .where(column.is_not(None), column != "").group_by(column).having(sa.func.count() > 1)
             for reason, column in COLUMNS.items()]
    keys = sa.union_all(*parts).subquery()
    return sa.select(keys.c.reason, keys.c.key).order_by(keys.c.rank, keys.c.key)


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


def group_page(number, per_page: int, url) -> Page:
    """One page of duplicate groups (Page.items are Group objects).  A page may show fewer groups
    than keys when two keys name the same firms."""
    page = paginate_with(lambda limit, offset: [tuple(row) for row in db.session.execute(
        _keys_query().limit(limit).offset(offset))], number, per_page, url)
    page.items = _groups(page.items)
    return page


def reasons_between(a: Enterprise, b: Enterprise) -> list[str]:
    """Why two firms look alike (the merge page repeats it)."""
    return [reason for reason, column in COLUMNS.items()
            if getattr(a, column.key) and getattr(a, column.key) == getattr(b, column.key)]
