"""A sorted list page read from indexes, whatever the sort and however deep the page.

ORDER BY over a reference (the owner's pinyin), a code's lifecycle order (status) or a nullable
column (NULLS LAST spelled portably) cannot be served by an index: the database sorts every
matching row to hand out 20 (100,000 enterprises: 35 ms on SQLite, 193 ms on PostgreSQL).  The
same order is a concatenation of "arms", each of which an index walks in order and stops:

- a reference (services/core/listing.Via): the rows joined to the referenced table, walked by
  the referenced table's (value, id) index, each one's rows by (foreign key, id) (or, for a
  reference of a few rows, one arm per referenced row); then the rows without a reference, by id;
- a code's order (listing.InOrder): one arm per code, by (code, id) (a CHECK keeps the codes
  to the list), then NULLs if the column allows them;
- a nullable column: its non-empty rows by (column, id); then the empty ones, by id;
- a NOT NULL column: one arm.

Each arm reads at most offset + limit rows; the page is the merge of the arms (one statement).
Pages reached through next/previous links carry the id of the row they continue from (?after=,
?before=): the arm holding that row restarts just past it by index (keyset pagination), so a
deep page costs what page 1 costs.  A page number typed into the address falls back to an offset.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, aliased

from crm.extensions import db
from crm.services.core import listing


@dataclass(frozen=True)
class Arm:
    """One part of the order: `query`'s rows (with its own conditions), ordered by `keys` and then
    id, every term in the list's direction."""
    query: sa.Select
    keys: tuple = ()
    # Columns the arm holds constant (status = 'engaged', owner_id IS NULL), first in its ORDER BY:
    # then the planner walks their (column, id) index, not the index of a filter's column.
    constant: tuple = ()


@dataclass(frozen=True)
class Cursor:
    """Where a keyset page starts: just past the row `row_id`, forward (?after=) or back (?before=)."""
    row_id: int
    backward: bool = False


def parse_cursor(args) -> Cursor | None:
    """The cursor of ?after= or ?before=, if it is a usable id."""
    for name, backward in (("after", False), ("before", True)):
        raw = str(args.get(name) or "")
        if raw.isdigit() and 0 < int(raw) < 2**31:
            return Cursor(int(raw), backward)
    return None


def arms(query: sa.Select, expression, id_column, descending: bool) -> list[Arm] | None:
    """The arms of `query` ordered by `expression` (one sort key), in list order; None when no
    index can serve the expression (a computed value): then the list keeps its plain ORDER BY."""
    if isinstance(expression, listing.Via) and expression.few:
        return _per_reference(query, expression, descending)
    if isinstance(expression, listing.Via):
        ref = aliased(expression.ref)
        value, key = getattr(ref, expression.value.key), ref.id
        joined = query.join(ref, key == expression.fk)
        return [Arm(joined, (value, key)), _empty(query, expression.fk)]
    if isinstance(expression, listing.InOrder):
        codes = list(reversed(expression.labels)) if descending else list(expression.labels)
        found = [Arm(query.where(expression.column == code), constant=(expression.column,)) for code in codes]
        return found + ([_empty(query, expression.column)] if _nullable(expression.column) else [])
    if isinstance(expression, InstrumentedAttribute):
        if not _nullable(expression):
            return [Arm(query, (expression,))]
        return [Arm(query.where(expression.is_not(None)), (expression,)), _empty(query, expression)]
    return None


def _per_reference(query: sa.Select, via, descending: bool) -> list[Arm]:
    """One arm per referenced row (a reference with a handful of rows: the plan's sectors), in
    the reference's order: each is one range of the (foreign key, id) index, which PostgreSQL
    otherwise trades for a scan of the whole table when a filter is added."""
    order = [via.value, via.ref.id]
    refs = db.session.scalars(sa.select(via.ref.id).order_by(*(c.desc() if descending else c for c in order))).all()
    return [Arm(query.where(via.fk == ref_id), constant=(via.fk,)) for ref_id in refs] + [_empty(query, via.fk)]


def _empty(query: sa.Select, column) -> Arm:
    """The rows whose `column` is empty, by id: the last arm."""
    return Arm(query.where(column.is_(None)), constant=(column,))


def _nullable(column) -> bool:
    return bool(getattr(getattr(column, "expression", column), "nullable", True))


# A page number typed into the address beyond this many rows is read by the plain ORDER BY (one
# sort of the matching rows, as before): walking each arm that far, with a broad filter dropping
# most of what it reads, costs more.  Links reach deep pages by keyset, at page 1's cost.
WALK_ROWS = 2000


class Window:
    """The ids of one page of a sorted list, read arm by arm (see the module's docstring)."""

    def __init__(self, arm_list: list[Arm], id_column, descending: bool, plain: sa.Select | None = None):
        self.arms, self.id_column, self.descending, self.plain = arm_list, id_column, descending, plain
        width = max(len(arm.keys) for arm in arm_list)
        self.types = next(tuple(k.type for k in arm.keys) for arm in arm_list if len(arm.keys) == width)

    def backwards(self) -> Window:
        """The same list read from its end: arms in reverse order, each walked the other way."""
        return Window(list(reversed(self.arms)), self.id_column, not self.descending)

    def page(self, number: int, per_page: int, cursor: Cursor | None) -> tuple[list[int], int]:
        """(up to per_page + 1 ids from the page's first row, the page number shown).  A cursor
        whose row has left the list falls back to the page number (an offset)."""
        window = self.backwards() if cursor and cursor.backward else self
        start = window.position(cursor.row_id) if cursor else None
        if start is None and (number - 1) * per_page > WALK_ROWS and self.plain is not None:
            return db.session.scalars(self.plain.limit(per_page + 1).offset((number - 1) * per_page)).all(), number
        if start is None:
            return self.ids(list(enumerate(self.arms)), per_page + 1, (number - 1) * per_page), number
        ids = window.ids(window.past(*start), per_page + 1)
        if not cursor.backward:
            return ids, max(number, 2)
        if len(ids) <= per_page:  # back at the start of the list: page 1 as it is now
            return self.ids(list(enumerate(self.arms)), per_page + 1), 1
        return [*reversed(ids[:per_page]), cursor.row_id], max(number, 2)

    def position(self, row_id: int):
        """(arm number, key values, id) of the row `row_id`, or None when it is not in the list."""
        parts = [self._select(arm, g, 1, (self.id_column == row_id,)) for g, arm in enumerate(self.arms)]
        row = db.session.execute(sa.select(sa.union_all(*parts).subquery()).limit(1)).first()
        return None if row is None else (row.g, tuple(row)[2:2 + len(self.arms[row.g].keys)], row.id)

    def past(self, g: int, values: tuple, row_id: int) -> list[tuple[int, Arm]]:
        """The numbered arms from just past a row on: its own arm restarted by index (the rest of
        its key value by id, then the later key values), then the later arms whole."""
        def beyond(a, b):
            return a < b if self.descending else a > b
        arm = self.arms[g]
        own = [(g, Arm(arm.query.where(*(k == v for k, v in zip(arm.keys, values)),
                                       beyond(self.id_column, row_id)), arm.keys, arm.constant))]
        if arm.keys:
            own.append((g, Arm(arm.query.where(beyond(sa.tuple_(*arm.keys), sa.tuple_(*values))), arm.keys,
                               arm.constant)))
        return own + [(i, self.arms[i]) for i in range(g + 1, len(self.arms))]

    def ids(self, numbered: list[tuple[int, Arm]], limit: int, offset: int = 0) -> list[int]:
        """One statement: each arm's first offset + limit rows by its index, merged in list order
        (a single arm is read by its index directly: nothing to merge)."""
        if len(numbered) == 1:
            arm = numbered[0][1]
            single = arm.query.with_only_columns(self.id_column).order_by(None).order_by(*self._order(arm))
            return db.session.scalars(single.limit(limit).offset(offset or None)).all()
        merged = sa.union_all(*(self._select(arm, g, offset + limit) for g, arm in numbered)).subquery("arms")
        terms = [c.desc() if self.descending else c for c in (*list(merged.c)[2:], merged.c.id)]
        query = sa.select(merged.c.id).order_by(merged.c.g, *terms).limit(limit).offset(offset or None)
        return db.session.scalars(query).all()

    def _select(self, arm: Arm, g: int, limit: int, extra=()) -> sa.Select:
        """The arm as (id, g, k0, k1 …) padded to the list's width, in its index's order, `limit` rows."""
        pads = [sa.cast(sa.null(), t) for t in self.types[len(arm.keys):]]
        columns = [self.id_column.label("id"), sa.literal_column(str(g)).label("g")]
        columns += [c.label(f"k{i}") for i, c in enumerate([*arm.keys, *pads])]
        inner = arm.query.with_only_columns(*columns).where(*extra).order_by(None).order_by(*self._order(arm))
        return sa.select(*inner.limit(limit).subquery().c)

    def _order(self, arm: Arm) -> list:
        return [c.desc() if self.descending else c for c in (*arm.constant, *arm.keys, self.id_column)]


def window(query: sa.Select, sort: listing.Sort, keys, id_column, newest_first: bool = False) -> Window | None:
    """The Window of `query` in `sort`'s order, or None when an index cannot serve that order (a
    computed key, or the list's own default order unless that is `newest_first`, by id
    descending): the caller pages the plain ORDER BY then."""
    if sort.key is None:
        return Window([Arm(query)], id_column, True, query) if newest_first else None
    if len(keys[sort.key]) != 1:
        return None
    found = arms(query, keys[sort.key][0], id_column, sort.descending)
    plain = listing.ordered(query, sort, keys, id_column)
    return None if found is None else Window(found, id_column, sort.descending, plain)
