"""The fixes the benchmark led to keep their behaviour: short-term search through the
two-character index or its covering index, two-step paging, the board's newest cards per stage
from one UNION ALL, and the home page's newest contacts from the time index."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Enterprise
from crm.services import search
from crm.services.board import board_cards
from crm.services.core import paging, queries
from tests import factories


def _ids_page(q: str, number: int = 1, per_page: int = 2):
    return paging.paginate_ids(search.enterprise_ids(q), Enterprise, number, per_page, url=lambda n: f"?page={n}")


def test_a_short_term_matches_anywhere_in_name_short_name_or_credit_code(app):
    start = factories.enterprise(name="绥芬河龙江药业有限公司")
    end = factories.enterprise(name="哈尔滨百草有限公司", short_name="龙江")
    code = factories.enterprise(name="牡丹江宏远食品有限公司", credit_code="91231081MA00000017")
    factories.enterprise(name="大庆新能源有限公司")

    assert [e.id for e in _ids_page("龙江", per_page=10).items] == sorted(
        [start.id, end.id], key=lambda i: db.session.get(Enterprise, i).name_norm)
    assert [e.id for e in _ids_page("ma", per_page=10).items] == [code.id]  # codes ignore case too


def test_two_step_paging_keeps_the_list_order_and_knows_the_next_page(app):
    names = ["齐齐哈尔丙农业有限公司", "齐齐哈尔甲农业有限公司", "齐齐哈尔乙农业有限公司"]
    for name in names:
        factories.enterprise(name=name)
    expected = sorted(names, key=search.normalize_name)

    first, second = _ids_page("农业", 1), _ids_page("农业", 2)

    assert [e.name for e in first.items] == expected[:2] and first.has_next
    assert [e.name for e in second.items] == expected[2:] and not second.has_next


def _plan_of(statement) -> str:
    sql = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    return " ".join(str(row) for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")))


def _plan(q: str) -> str:
    return _plan_of(search.enterprise_ids(q).limit(21))


@pytest.mark.sqlite_only
def test_a_two_character_term_reads_one_range_of_its_index_already_in_list_order(app):
    plan = _plan("绥芬")
    assert "SEARCH enterprise_fts_grams USING PRIMARY KEY (gram=?)" in plan
    assert "TEMP B-TREE" not in plan  # no sort: a page stops after its own rows


@pytest.mark.sqlite_only
@pytest.mark.parametrize("q", ["药", "ma", "91"])
def test_other_short_terms_scan_the_covering_index_not_the_table(app, q):
    assert "COVERING INDEX ix_enterprises_search_like" in _plan(q)


def test_the_board_shows_the_most_recently_moved_cards_of_each_stage(app):
    old = factories.project(stage="contact", stage_on=date(2025, 1, 1))
    new = factories.project(stage="contact", stage_on=date(2026, 6, 1))
    undated = factories.project(stage="contact", stage_on=None)
    signed = factories.project(stage="signed", stage_on=date(2024, 1, 1))

    cards = board_cards([], per_stage=2)

    assert [p.id for p in cards["contact"]] == [new.id, old.id]  # undated cards sort last
    assert [p.id for p in cards["signed"]] == [signed.id]
    assert undated.id not in {p.id for column in cards.values() for p in column}


def test_a_leaders_recent_contacts_are_the_newest_of_everyone_s(app):
    leader = factories.leader()
    times = [datetime(2026, 11, day, 9) for day in (3, 20, 11)]
    logged = [factories.interaction(occurred_at=at) for at in times]

    recent = queries.recent_interactions(leader, limit=2)

    assert [i.id for i in recent] == [logged[1].id, logged[2].id]


def test_a_staff_members_due_follow_ups_are_their_own_and_their_firms_open_ones_soonest_first(app):
    staff, other = factories.user("staff"), factories.user("staff")
    mine, theirs = factories.enterprise(owner=staff), factories.enterprise(owner=other)
    due = {day: date(2026, 11, day) for day in (5, 9, 12, 30)}
    on_my_firm = factories.interaction(mine, created_by=other, next_follow_up=due[9])
    logged_by_me = factories.interaction(theirs, created_by=staff, next_follow_up=due[5])
    factories.interaction(mine, created_by=staff, next_follow_up=due[12], follow_up_done=True)  # done
    factories.interaction(mine, created_by=staff, next_follow_up=due[30])  # not due yet
    factories.interaction(theirs, created_by=other, next_follow_up=due[5])  # someone else's

    found = queries.due_follow_ups(staff, date(2026, 11, 28))

    assert [i.id for i in found] == [logged_by_me.id, on_my_firm.id]


def test_a_contact_logged_on_ones_own_firm_is_listed_once(app):
    staff = factories.user("staff")
    mine = factories.enterprise(owner=staff)
    both = factories.interaction(mine, created_by=staff, next_follow_up=date(2026, 11, 9))
    other = factories.interaction(mine, next_follow_up=date(2026, 11, 9))

    assert [i.id for i in queries.recent_interactions(staff)] == [other.id, both.id]  # same time: newer id first
    assert [i.id for i in queries.due_follow_ups(staff, date(2026, 11, 28))] == [both.id, other.id]


def test_a_staff_members_recent_contacts_are_the_newest_of_what_they_logged_and_their_firms(app):
    """Only the first `limit` of their own are read before the union; the firms' side is whole."""
    staff, other = factories.user("staff"), factories.user("staff")
    mine, theirs = factories.enterprise(owner=staff), factories.enterprise(owner=other)
    at = {day: datetime(2026, 11, day, 9) for day in (1, 3, 20, 22, 25)}
    logged = {day: factories.interaction(theirs, created_by=staff, occurred_at=at[day]) for day in (1, 20, 25)}
    on_mine = {day: factories.interaction(mine, created_by=other, occurred_at=at[day]) for day in (3, 22)}
    factories.interaction(theirs, created_by=other, occurred_at=datetime(2026, 11, 28, 9))  # not theirs to see

    assert [i.id for i in queries.recent_interactions(staff, limit=2)] == [logged[25].id, on_mine[22].id]
    assert [i.id for i in queries.recent_interactions(staff, limit=4)] == [
        logged[25].id, on_mine[22].id, logged[20].id, on_mine[3].id]


@pytest.mark.sqlite_only
def test_a_leaders_recent_contacts_read_the_time_index_newest_first_without_sorting(app):
    plan = _plan_of(queries.recent_interactions_select(factories.leader(), limit=10))
    assert "ix_interactions_at" in plan and "TEMP B-TREE" not in plan  # 3 s at province scale when it sorted


@pytest.mark.sqlite_only
def test_a_staff_members_due_follow_ups_read_only_the_open_ones(app):
    plan = _plan_of(queries.due_follow_ups_select(factories.user("staff"), date(2026, 11, 28), limit=20))
    assert "ix_interactions_open_author" in plan and "ix_interactions_open_enterprise" in plan
