"""Sorting and counting for list pages.

A list declares its sort keys: a whitelist from the key a header link puts in ?sort= to the
SQL expressions it orders by, so nothing the user types reaches the SQL.  "-name" sorts the
key descending.  Every order ends with the model's id, so rows that tie keep one order from
page to page.  Empty values sort last either way (NULLS LAST spelled so that SQLite and
PostgreSQL agree).  Chinese names sort by their pinyin key (name_pinyin): 安… before 中….

The total of a filtered list is one COUNT over the same filtered id query the page reads, capped
where counting every match would cost more than the page (a search at province scale).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from crm.extensions import db


@dataclass(frozen=True)
class Sort:
    """The sort a list page applies: `key` (None for the list's own default order) and direction."""
    key: str | None = None
    descending: bool = False

    @property
    def arg(self) -> str:
        """The ?sort= value that asks for this sort."""
        return "" if self.key is None else ("-" if self.descending else "") + self.key

    def toggled(self, key: str) -> str:
        """The ?sort= value of a header link: ascending, or descending when it already sorts ascending."""
        return ("-" + key) if self.key == key and not self.descending else key

    def aria(self, key: str) -> str:
        """The header's aria-sort value."""
        if self.key != key:
            return "none"
        return "descending" if self.descending else "ascending"


@dataclass(frozen=True)
class Via:
    """A sort value read through a foreign key (`value`, e.g. the owner's pinyin), empty exactly
    when `key` is NULL: the NULLS LAST test reads the row's own column instead of running the
    lookup a second time per row."""
    key: object
    value: object


def parse_sort(raw, keys: Mapping[str, Sequence], default: Sort = Sort()) -> Sort:
    """The sort ?sort= asks for, if its key is one of `keys`; anything else is `default`."""
    raw = (raw or "").strip() if isinstance(raw, str) else ""
    descending = raw.startswith("-")
    key = raw[1:] if descending else raw
    return Sort(key, descending) if key in keys else default


def ordered(query: sa.Select, sort: Sort, keys: Mapping[str, Sequence], id_column) -> sa.Select:
    """`query` ordered by `sort` (its ORDER BY replaced), ties broken by id; unchanged for the default sort."""
    if sort.key is None:
        return query
    terms = []
    for expression in keys[sort.key]:
        if isinstance(expression, Via):  # empty exactly when its foreign key is: test that, not the subquery
            terms += [expression.key.is_(None), expression.value.desc() if sort.descending else expression.value]
            continue
        if _may_be_null(expression):
            terms.append(expression.is_(None))
        terms.append(expression.desc() if sort.descending else expression)
    return query.order_by(None).order_by(*terms, id_column.desc() if sort.descending else id_column)


def _may_be_null(expression) -> bool:
    """Whether an expression can be NULL: a NOT NULL column cannot, and leaving its IS NULL term
    out lets its index serve the order (name_pinyin, id)."""
    column = getattr(expression, "expression", expression)
    return not (isinstance(column, sa.Column) and not column.nullable)


def in_order(labels: Sequence[str], column):
    """A sort expression that orders `column`'s codes as `labels` lists them (stages, statuses),
    not alphabetically by code."""
    return sa.case({code: position for position, code in enumerate(labels)}, value=column, else_=len(labels))


def count(query: sa.Select, cap: int | None = None) -> tuple[int, bool]:
    """(how many rows `query` returns, whether there are more than that) in one statement.

    Without a cap its ORDER BY is dropped and every row counted.  With one, the count stops after
    `cap` rows and keeps the ORDER BY, so it walks the index the page itself walks and reads a
    bounded part of it: a search or filter over 100,000 enterprises costs what `cap` rows cost.
    """
    if cap is None:
        inner = query.order_by(None).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(inner)) or 0, False
    found = db.session.scalar(sa.select(sa.func.count()).select_from(query.limit(cap + 1).subquery())) or 0
    return min(found, cap), found > cap
