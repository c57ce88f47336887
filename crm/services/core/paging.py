"""Pagination for list pages: one query per page, and a total where the page shows one.

A page fetches one row more than it shows, so "is there a next page" costs nothing extra
and the page runs the same statements whatever the table size.  List pages that show "第 21–40
条，共 1,234 条" set `total` from one COUNT of the same filtered query (services/core/listing.py).  Pair it with an ORDER BY
that an index serves (e.g. a unique column), so deep pages stay cheap.  The Page object is
what the `pager` macro in _macros.html reads: number, has_prev, has_next, url(n).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from crm.extensions import db
from crm.services.core import index_order

MAX_PAGE = 100_000  # a guard against absurd offsets typed into the URL


@dataclass
class Page:
    number: int
    per_page: int
    items: list = field(default_factory=list)
    has_next: bool = False
    url: Callable[[int], str] = lambda n: f"?page={n}"
    total: int | None = None  # rows matching the filters, on pages that count them
    total_more: bool = False  # the count stopped at `total`: there are more ("共 200 多条")
    keyset: bool = False  # next/previous links carry the id they continue from (index_order.py)

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def prev_url(self) -> str:
        """The previous page's link: from the first row shown, back, on keyset pages."""
        return self.url(self.number - 1, before=self.items[0].id) if self.keyset and self.items \
            else self.url(self.number - 1)

    @property
    def next_url(self) -> str:
        """The next page's link: on from the last row shown, on keyset pages."""
        return self.url(self.number + 1, after=self.items[-1].id) if self.keyset and self.items \
            else self.url(self.number + 1)

    @property
    def first_index(self) -> int:
        """1-based position of the first row on this page (for "第 x–y 条")."""
        return (self.number - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        """1-based position of the last row on this page."""
        return self.first_index + len(self.items) - 1


def page_number(raw) -> int:
    """The page asked for in the query string; anything unusable means page 1."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate_with(fetch: Callable[[int, int], list], number, per_page: int, url: Callable[[int], str]) -> Page:
    """One page from fetch(limit, offset), asked for one row more than it shows: for a page whose
    rows are built by a query that must apply the LIMIT itself (e.g. inside a subquery)."""
    number = page_number(number)
    rows = fetch(per_page + 1, (number - 1) * per_page)
    return Page(number=number, per_page=per_page, items=rows[:per_page], has_next=len(rows) > per_page,
                url=url)


def paginate(query, number: int, per_page: int, url: Callable[[int], str]) -> Page:
    """Run a select (with its ORDER BY and eager loads) for one page."""
    return paginate_with(lambda limit, offset: db.session.scalars(query.limit(limit).offset(offset)).unique().all(),
                         number, per_page, url)


def paginate_ids(ids_query, model, number: int, per_page: int, url: Callable[..., str], options=(),
                 cursor: index_order.Cursor | None = None) -> Page:
    """Page in two steps: the ids of one page from an id-only select (an index answers it, even
    at a deep offset, without reading a table row), then just those rows with `options`.

    `ids_query` may be an index_order.Window instead (a sorted list read from indexes): then the
    page continues from `cursor` (?after=/?before=, keyset pagination) when there is one, and its
    links carry theirs; `url` then takes the cursor as keywords (url(n, after=id)).
    Two statements (plus the eager loads, and a lookup of the cursor's row) whatever the page
    number or table size.
    """
    number = page_number(number)
    if isinstance(ids_query, index_order.Window):
        ids, number = ids_query.page(number, per_page, cursor)
    else:
        ids = db.session.scalars(ids_query.limit(per_page + 1).offset((number - 1) * per_page)).all()
    shown = ids[:per_page]
    rows = {row.id: row for row in db.session.scalars(
        sa.select(model).options(*options).where(model.id.in_(shown))).unique()} if shown else {}
    return Page(number=number, per_page=per_page, items=[rows[i] for i in shown if i in rows],
                has_next=len(ids) > per_page, url=url, keyset=isinstance(ids_query, index_order.Window))
