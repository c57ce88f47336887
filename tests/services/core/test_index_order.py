"""Sorted list pages read from indexes (services/core/index_order.py), without HTTP: every sort of
the enterprise list orders rows exactly as the plain ORDER BY of listing.ordered does (empty
values last both ways, ties by id, two people of one name kept apart), with and without a filter,
at any offset; and keyset pages (?after=, ?before=) cover every row once, in that order."""
import random
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise, Project
from crm.services import search
from crm.services.core import index_order, listing
from crm.services.lists import sorts
from tests import factories

pytestmark = pytest.mark.usefixtures("app")

PER_PAGE = 7
SORT_ARGS = [arg for key in sorts.ENTERPRISES for arg in (key, "-" + key)]


@pytest.fixture
def firms():
    """300 enterprises with owners (two of them of one name, so of one pinyin), sectors (one
    without a 专栏 number), statuses, regions and last contacts, each empty for some rows and
    repeated across many, so every sort has ties and empty values."""
    rng = random.Random(29)
    owners = [factories.user(display_name=name) for name in ("张伟", "张伟", "安娜", "赵敏")]
    sectors = [factories.sector(column_no=n) for n in (2, 1, None)]
    base = datetime(2026, 11, 1, 9, 0)
    for n in range(300):
        factories.enterprise(
            commit=False, name=f"测试{rng.choice('安北中哈绥')}企业{n:03d}",
            owner_id=rng.choice([*(o.id for o in owners), None]),
            sector_id=rng.choice([*(s.id for s in sectors), None]),
            status=rng.choice(["prospect", "engaged", "invested", "dormant"]),
            region=rng.choice(["黑龙江省", "北京市", "广东省", None]),
            last_interaction_at=rng.choice([base, base + timedelta(days=rng.randrange(30)), None]))
    db.session.commit()
    return owners


def _window(arg: str, **filters):
    sort = listing.parse_sort(arg, sorts.ENTERPRISES)
    query = search.enterprise_ids(**filters)
    reference = db.session.scalars(listing.ordered(query, sort, sorts.ENTERPRISES, Enterprise.id)).all()
    return index_order.window(query, sort, sorts.ENTERPRISES, Enterprise.id), reference


@pytest.mark.parametrize("arg", SORT_ARGS)
def test_every_sort_orders_offset_and_keyset_pages_as_the_plain_order_by_does(firms, arg):
    for filters in ({}, {"status": "engaged"}, {"owner_id": firms[0].id}):
        window, reference = _window(arg, **filters)
        assert window is not None
        pages = len(reference) // PER_PAGE + 1
        for number in range(1, pages + 1):
            ids, shown = window.page(number, PER_PAGE, None)
            assert shown == number
            assert ids == reference[(number - 1) * PER_PAGE:number * PER_PAGE + 1], (arg, filters, number)
        _walk_keyset_pages(window, reference, arg, filters)


def _walk_keyset_pages(window, reference, arg, filters):
    """Next links from page 1 cover every row once in order; previous links walk back to page 1."""
    forward, cursor, number = [], None, 1
    while True:
        ids, number = window.page(number, PER_PAGE, cursor)
        forward += ids[:PER_PAGE]
        if len(ids) <= PER_PAGE:
            break
        cursor, number = index_order.Cursor(ids[PER_PAGE - 1]), number + 1
    assert forward == reference, (arg, filters)
    page_first = forward[(number - 1) * PER_PAGE]
    while number > 1:  # back from the last page: each page, then the row it came back from
        ids, number = window.page(number - 1, PER_PAGE, index_order.Cursor(page_first, backward=True))
        assert ids == reference[(number - 1) * PER_PAGE:number * PER_PAGE] + [page_first], (arg, filters)
        page_first = ids[0]


def test_a_cursor_whose_row_left_the_list_falls_back_to_the_page_number(firms):
    window, reference = _window("owner", status="engaged")
    gone = db.session.scalar(sa.select(Enterprise.id).where(Enterprise.status != "engaged").limit(1))
    ids, number = window.page(2, PER_PAGE, index_order.Cursor(gone))
    assert (ids, number) == (reference[PER_PAGE:2 * PER_PAGE + 1], 2)


def test_a_previous_link_that_reaches_the_start_shows_page_one(firms):
    window, reference = _window("-last")
    ids, number = window.page(5, PER_PAGE, index_order.Cursor(reference[3], backward=True))
    assert (ids, number) == (reference[:PER_PAGE + 1], 1)


def test_cursors_come_only_from_ids_in_the_address():
    assert index_order.parse_cursor({"after": "12"}) == index_order.Cursor(12)
    assert index_order.parse_cursor({"before": "7"}) == index_order.Cursor(7, backward=True)
    for junk in ({}, {"after": "x"}, {"after": "-3"}, {"before": "0"}, {"after": "99999999999"}):
        assert index_order.parse_cursor(junk) is None


def test_a_computed_sort_keeps_its_plain_order_by():
    sort = listing.Sort("investors")
    assert index_order.window(sa.select(Enterprise.id), sort, sorts.PROJECTS, Enterprise.id) is None
    assert index_order.window(sa.select(Enterprise.id), listing.Sort(), sorts.ENTERPRISES, Enterprise.id) is None


def test_a_deep_page_typed_into_the_address_is_read_by_the_plain_order_by(firms, monkeypatch):
    monkeypatch.setattr(index_order, "WALK_ROWS", PER_PAGE)
    window, reference = _window("-owner", status="engaged")
    ids, number = window.page(3, PER_PAGE, None)
    assert (ids, number) == (reference[2 * PER_PAGE:3 * PER_PAGE + 1], 3)


def test_the_project_list_newest_first_walks_every_project_once_by_next_links():
    factories.many_projects(23)
    query = sa.select(Project.id).order_by(Project.id.desc())
    window = index_order.window(query, listing.Sort(), sorts.PROJECTS, Project.id, newest_first=True)
    _walk_keyset_pages(window, db.session.scalars(query).all(), "newest", {})
