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
    """A sort by a reference's column: the row's foreign key `fk` names a row of the model `ref`,
    whose `value` (e.g. User.name_pinyin) orders the list; rows of one referenced row stay
    together (the reference's id breaks ties of `value`), rows without a reference come last."""
    fk: object
    ref: type
    value: object
    few: bool = False  # a handful of rows (sectors): index_order reads each one's rows as a part

    @property
    def looked_up(self):
        """The value as a correlated subquery (for a plain ORDER BY: no join changes the rows)."""
        return sa.select(self.value).where(self.ref.id == self.fk).scalar_subquery()


@dataclass(frozen=True)
class InOrder:
    """A code column sorted as `labels` lists its codes (stages, statuses), not alphabetically."""
    labels: tuple
    column: object

    @property
    def rank(self):
        return sa.case({code: n for n, code in enumerate(self.labels)}, value=self.column, else_=len(self.labels))


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
        terms += _terms(expression, sort.descending)
    return query.order_by(None).order_by(*terms, id_column.desc() if sort.descending else id_column)


def _terms(expression, descending: bool) -> list:
    """ORDER BY terms of one sort key: empty values last, then the value in the sort's direction."""
    def way(term):
        return term.desc() if descending else term
    if isinstance(expression, Via):  # empty exactly when its foreign key is: test that, not the subquery
        return [expression.fk.is_(None), way(expression.looked_up), way(expression.fk)]
    if isinstance(expression, InOrder):
        return [expression.column.is_(None), way(expression.rank)] if _may_be_null(expression.column) \
            else [way(expression.rank)]
    return ([expression.is_(None)] if _may_be_null(expression) else []) + [way(expression)]


def _may_be_null(expression) -> bool:
    """Whether an expression can be NULL: a NOT NULL column cannot, and leaving its IS NULL term
    out lets its index serve the order (name_pinyin, id)."""
    column = getattr(expression, "expression", expression)
    return not (isinstance(column, sa.Column) and not column.nullable)


def in_order(labels: Sequence[str], column) -> InOrder:
    """A sort key that orders `column`'s codes as `labels` lists them (stages, statuses)."""
    return InOrder(tuple(labels), column)


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
