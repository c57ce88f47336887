"""Fewer steps for the office's core tasks (issue 24), counted in a real browser from each role's
home page: one step per click, tap or choice; typing into the field that already has the focus
is free.  Steps counts every action the test takes, so a task that needs another tap fails."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Instruction, Interaction, ProgressReport
from crm.services.core.clock import local_today
from crm.services.routines import dispatch
from tests import factories

PHONE = {"width": 390, "height": 844}


class Steps:
    """Wraps the page's clicks and choices, counting each; typing asserts the focus is already
    in a text field, so it costs nothing."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()

    def select(self, locator, value) -> None:
        self.count += 1
        locator.select_option(value)

    def type(self, text: str) -> None:
        tag = self.page.evaluate("document.activeElement && document.activeElement.tagName")
        assert tag in ("INPUT", "TEXTAREA"), f"typing needs a focused field, the focus is on {tag}"
        self.page.keyboard.type(text)


def from_home(visit, user, viewport=None):
    """A browser signed in as `user` on the home page, and a fresh step count."""
    v = visit(viewport)
    v.sign_in(user)
    v.go("/")
    return v, Steps(v.page)


def test_staff_logs_a_contact_on_a_phone_in_4_steps(visit, users):
    firm = factories.enterprise(name="绥芬河步数测试贸易有限公司", owner_id=users["staff"].id)
    v, steps = from_home(visit, users["staff"], PHONE)
    steps.click(v.page.locator("nav a:visible", has_text="记录对接"))
    v.page.wait_for_url("**/interactions/new")
    steps.type(firm.name)  # the enterprise field has the focus
    steps.click(v.page.locator("textarea[name=summary]"))
    steps.type("电话沟通厂房选址")
    steps.click(v.page.get_by_role("button", name="一周后"))
    save = v.page.get_by_role("button", name="保存对接记录")
    box = save.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], "保存 is not in reach without scrolling"
    steps.click(save)
    v.page.wait_for_url(f"**/enterprises/{firm.id}")
    assert steps.count <= 4, steps.count
    logged = db.session.scalars(sa.select(Interaction).where(Interaction.enterprise_id == firm.id)).one()
    assert logged.summary == "电话沟通厂房选址" and (logged.next_follow_up - local_today()).days == 7
    v.assert_clean()


def test_an_officer_files_this_months_report_in_3_steps(visit, users):
    officer = users["officer"]
    project = factories.project(name="步数测试调度项目", lead_department_id=officer.department_id, stage="signed")
    this_month = dispatch.month_start(local_today())
    factories.progress_report(project, month=dispatch.add_months(this_month, -1))
    v, steps = from_home(visit, officer)
    steps.click(v.page.locator("#wb-owed_reports a", has_text="填报"))
    v.page.wait_for_url("**/routines/reports/**")
    steps.type("120")  # 本月完成投资 has the focus
    steps.click(v.page.locator("input[name=funds_in_place]"))
    steps.type("900")
    steps.click(v.page.get_by_role("button", name="保存", exact=True))
    v.page.wait_for_url("**/routines/dispatch**")
    assert steps.count <= 3, steps.count
    report = db.session.scalars(sa.select(ProgressReport).where(ProgressReport.project_id == project.id,
                                                                ProgressReport.month == this_month)).one()
    assert report.invest_month == Decimal("120") and report.invest_cumulative == Decimal("1120")
    v.assert_clean()


def test_a_leader_writes_an_instruction_on_a_liaison_project_in_3_steps(visit, users):
    leader = users["leader"]
    project = factories.foreign_project(name="步数测试包联项目", liaison_leader_id=leader.id, stage="contact")
    v, steps = from_home(visit, leader)
    steps.click(v.page.locator("#wb-liaison_projects a", has_text="写批示"))
    v.page.wait_for_url("**/leaders/**")
    steps.type("请商务局本周内协调用地事宜")  # the 批示 text has the focus
    steps.click(v.page.locator(f"#project-{project.id}").get_by_role("button", name="发布批示"))
    v.page.wait_for_load_state()
    assert steps.count <= 3, steps.count
    assert db.session.scalars(sa.select(Instruction.text).where(Instruction.project_id == project.id)).one() \
        == "请商务局本周内协调用地事宜"
    v.assert_clean()
