"""Whose follow-ups a calendar holds, and the periods it shows."""
from __future__ import annotations

from datetime import date

from crm.services import calendar
from crm.services.calendar import grid
from tests import factories


def _follow_up(author, project=None, day=date(2026, 12, 9), done=False, **kw):
    firm = factories.enterprise()
    return factories.interaction(firm, project=project, created_by=author, next_follow_up=day,
                                 follow_up_done=done, **kw)


def test_each_role_sees_its_own_scope_of_open_follow_ups(app, users):
    other_staff = factories.user("staff")
    own_dept = factories.project(lead_department=users["officer"].department)
    shared = factories.project(lead_department=factories.department("农业农村局"))
    shared.departments = [users["officer"].department]
    liaison = factories.project(liaison_leader=users["leader"], lead_department=factories.department("农业农村局"))
    mine = _follow_up(users["staff"])
    mine_done = _follow_up(users["staff"], done=True)
    dept = _follow_up(other_staff, project=own_dept)
    dept_shared = _follow_up(other_staff, project=shared)
    led = _follow_up(other_staff, project=liaison, day=date(2026, 12, 1))
    no_date = factories.interaction(created_by=users["staff"])

    def ids(role):
        return {i.id for i in calendar.open_follow_ups(users[role])}
    assert ids("staff") == {mine.id}
    assert ids("officer") == {dept.id, dept_shared.id}
    assert ids("leader") == {led.id}
    assert ids("admin") == {mine.id, dept.id, dept_shared.id, led.id}
    assert mine_done.id not in ids("admin") and no_date.id not in ids("admin")
    window = calendar.open_follow_ups(users["admin"], date(2026, 12, 2), date(2026, 12, 9))
    assert [i.id for i in window] == [mine.id, dept.id, dept_shared.id]
    assert [i.id for i in calendar.overdue_before(users["leader"], date(2026, 12, 7))] == [led.id]


def test_a_month_is_laid_out_in_whole_weeks_and_a_week_runs_monday_to_sunday():
    month = grid.period("month", date(2026, 12, 17))
    assert (month.first, month.last) == (date(2026, 11, 30), date(2027, 1, 3))
    assert len(month.weeks) == 5 and all(len(w) == 7 for w in month.weeks)
    assert (month.previous, month.next) == (date(2026, 11, 1), date(2027, 1, 1))
    assert month.in_period(date(2026, 12, 1)) and not month.in_period(date(2026, 11, 30))
    week = grid.period("week", date(2026, 12, 10))
    assert (week.first, week.last, week.previous, week.next) == (
        date(2026, 12, 7), date(2026, 12, 13), date(2026, 11, 30), date(2026, 12, 14))
    assert grid.period(None, date(2026, 1, 1)).view == "month"
    today = date(2026, 12, 7)
    assert grid.parse_day("2026-12-01", today) == date(2026, 12, 1)
    assert grid.parse_day("0001-01-01", today) == today and grid.parse_day("nonsense", today) == today


def test_everyones_period_walks_each_days_first_follow_ups_as_a_ranking_would(app, users):
    """An administrator's period reads each day's first `per_day` by its own walk (a UNION ALL
    on SQLite, a LATERAL join on PostgreSQL); a staff member's ranks theirs in one window: both
    keep the same follow-ups, the open ones of the period only, the earliest written first."""
    first, last = date(2026, 11, 30), date(2026, 12, 6)
    made = {day: [_follow_up(users["staff"], day=day) for _ in range(3)] for day in (first, date(2026, 12, 2), last)}
    _follow_up(users["staff"], day=first, done=True)
    _follow_up(users["staff"], day=date(2026, 12, 7))  # after the period
    expected = [i.id for day in sorted(made) for i in made[day][:2]]
    for role in ("admin", "staff"):
        shown, counts = calendar.period_follow_ups(users[role], first, last, per_day=2)
        assert [i.id for i in shown] == expected, role
        assert counts == {first: 3, date(2026, 12, 2): 3, last: 3}, role
