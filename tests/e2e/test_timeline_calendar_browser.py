"""In chromium: a project's timeline filters as a kind is unticked (no button press), and on a
phone the follow-up calendar is a list of the days that hold follow-ups, each opening the contact
form for its enterprise and project."""
from __future__ import annotations

from datetime import timedelta

from crm.services.core.clock import local_today
from tests import factories
from tests.services.timeline.busy import busy_project

PHONE = {"width": 390, "height": 844}


def test_unticking_a_kind_filters_the_timeline_at_once(visit, users):
    project, _investor = busy_project(2)
    v = visit()
    v.sign_in(users["staff"])
    v.go(f"/projects/{project.id}")
    assert v.page.locator("#timeline .timeline-contact").count() == 2
    v.page.locator("#timeline input[value=contact]").uncheck()
    v.page.wait_for_url(lambda url: "kind=" in url)
    assert v.page.locator("#timeline .timeline-contact").count() == 0
    assert v.page.locator("#timeline .timeline-stage").count() == 2
    assert not v.page.locator("#timeline input[value=contact]").is_checked()
    v.assert_clean()


def test_on_a_phone_the_calendar_lists_the_days_and_opens_the_contact_form(visit, users):
    today = local_today()
    project = factories.project(name="日历浏览器项目")
    firm = factories.enterprise(name="日历浏览器企业")
    factories.interaction(firm, project=project, created_by=users["staff"], next_follow_up=today)
    factories.interaction(factories.enterprise(name="逾期浏览器企业"), created_by=users["staff"],
                          next_follow_up=today - timedelta(days=40))
    v = visit(PHONE)
    v.sign_in(users["staff"])
    v.go("/calendar/?view=week")
    assert v.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shown = v.page.locator(".cal-day:visible")
    assert shown.count() == 1 and "日历浏览器企业" in shown.inner_text()
    assert f"{today.month}月{today.day}日" in shown.locator(".cal-full").inner_text()
    assert "逾期浏览器企业" in v.page.locator("#overdue").inner_text()
    shown.locator(".cal-item").click()
    v.page.wait_for_url(lambda url: "/interactions/new" in url)
    assert v.page.locator("input[name=enterprise]").input_value() == "日历浏览器企业"
    assert v.page.locator("select[name=project_id]").input_value() == str(project.id)
    v.assert_clean()
