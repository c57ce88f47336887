"""The calendar page: the user's follow-ups of a month or week, overdue ones marked, each
opening the contact form (a leader's: the enterprise), in a constant number of statements."""
from __future__ import annotations

from datetime import date

import time_machine

from tests import factories

NOW = "2026-12-07 10:00:00+08:00"


@time_machine.travel(NOW, tick=False)
def test_the_month_shows_my_follow_ups_marks_overdue_and_opens_the_contact_form(client, login, users):
    project = factories.project(name="跟进日历项目")
    firm = factories.enterprise(name="日历测试企业")
    due = factories.interaction(firm, project=project, created_by=users["staff"], next_follow_up=date(2026, 12, 9))
    factories.interaction(factories.enterprise(name="逾期企业"), created_by=users["staff"],
                          next_follow_up=date(2026, 12, 2))
    factories.interaction(factories.enterprise(name="更早逾期企业"), created_by=users["staff"],
                          next_follow_up=date(2026, 10, 2))
    factories.interaction(factories.enterprise(name="别人的企业"), created_by=factories.user("staff"),
                          next_follow_up=date(2026, 12, 9))
    login("staff")
    html = client.get("/calendar/").get_data(as_text=True)
    assert "2026年12月" in html and "2026年12月9日" in html
    assert "日历测试企业" in html and "跟进日历项目" in html and "别人的企业" not in html
    assert f"/interactions/new?enterprise_id={firm.id}&amp;project_id={project.id}" in html
    assert html.count("cal-item cal-overdue") == 2  # 12月2日 in the grid, 10月2日 in the list above it
    assert 'id="overdue"' in html and "更早逾期企业" in html
    week = client.get("/calendar/?view=week&date=2026-12-10").get_data(as_text=True)
    assert "2026年第50周" in week and "日历测试企业" in week and "逾期企业" in week
    later = client.get("/calendar/?view=month&date=2027-01-05").get_data(as_text=True)
    assert "日历测试企业" not in later and 'id="overdue"' not in later
    assert due.id


@time_machine.travel(NOW, tick=False)
def test_a_leaders_follow_ups_open_the_enterprise_page(client, login, users):
    project = factories.project(liaison_leader=users["leader"])
    firm = factories.enterprise(name="包联企业")
    factories.interaction(firm, project=project, created_by=users["staff"], next_follow_up=date(2026, 12, 8))
    login("leader")
    html = client.get("/calendar/?view=week").get_data(as_text=True)
    assert "包联企业" in html and f'href="/enterprises/{firm.id}"' in html and "/interactions/new" not in html


@time_machine.travel(NOW, tick=False)
def test_statements_do_not_grow_with_the_follow_ups(client, login, users, page_statements):
    authors = (users["admin"].id, users["staff"].id)

    def add(n):
        for k in range(n):
            factories.interaction(factories.enterprise(commit=False), project=factories.project(commit=False),
                                  created_by_id=authors[k % 2], next_follow_up=date(2026, 12, 1 + k % 28),
                                  commit=False)
        factories.interaction(created_by_id=authors[0], next_follow_up=date(2026, 11, 1))
    login("admin")
    add(3)
    urls = ("/calendar/", "/calendar/?view=week")
    small = [page_statements(client, url, fresh=True) for url in urls]
    add(120)
    assert [page_statements(client, url, fresh=True) for url in urls] == small


@time_machine.travel(NOW, tick=False)
def test_the_english_calendar_names_months_days_and_weeks_in_english(client, login, users):
    factories.interaction(factories.enterprise(name="英文日历企业", name_en="English Calendar Co."),
                          created_by=users["staff"], next_follow_up=date(2026, 12, 9))
    login("staff")
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    html = client.get("/calendar/").get_data(as_text=True)
    assert "Follow-up calendar" in html and "December 2026" in html and "9 Dec 2026" in html
    assert "English Calendar Co." in html and "Wed" in html and "周三" not in html


@time_machine.travel(NOW, tick=False)
def test_a_busy_day_lists_its_first_follow_ups_and_counts_the_rest(client, login, users):
    """An administrator's month at province scale has thousands of follow-ups: each day's cell
    lists six (the week view twenty) and says how many more there are, so the page renders the
    same few rows whatever the data size."""
    for n in range(9):
        factories.interaction(factories.enterprise(name=f"忙碌企业{n}"), created_by=users["staff"],
                              next_follow_up=date(2026, 12, 15))
    login("admin")
    month = client.get("/calendar/").get_data(as_text=True)
    assert sum(f"忙碌企业{n}" in month for n in range(9)) == 6 and "另有 3 项" in month
    assert "/calendar/?view=week&amp;date=2026-12-15" in month  # the rest are a click away
    week = client.get("/calendar/?view=week&date=2026-12-15").get_data(as_text=True)
    assert sum(f"忙碌企业{n}" in week for n in range(9)) == 9 and "另有" not in week
