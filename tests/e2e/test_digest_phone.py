"""The weekly digest email read in a phone mail client: its HTML part rendered at 390 px wide
runs off no edge and squeezes no column to a character a line, for each role's digest, with long
project and enterprise names and an overdue follow-up in it."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import StageEvent
from crm.services.liaison import digest
from tests import factories
from tests.e2e.test_phone_tables import PHONE, SQUEEZED

MONDAY_8AM = datetime(2026, 11, 23, 0, 0)  # 08:00 in Shanghai


@pytest.fixture
def busy_week(users):
    staff, leader = users["staff"], users["leader"]
    firm = factories.enterprise(name="黑龙江省绥芬河市东北亚生物科技发展股份有限公司", owner_id=staff.id)
    for n in range(3):
        project = factories.project(name=f"年产十万吨大豆蛋白及生物发酵饲料精深加工建设项目{n}", is_key=True,
                                    total_investment=Decimal("125000"), liaison_leader_id=leader.id,
                                    owner_id=staff.id, stage="contact")
        db.session.add(StageEvent(project=project, from_stage="planned", to_stage="contact",
                                  occurred_on=date(2026, 11, 19), recorded_at=MONDAY_8AM - timedelta(days=3)))
        factories.interaction(firm, project_id=project.id, created_by_id=staff.id,
                              summary="与企业董事长就用地、水电汽价格及俄方原料供应进行深入洽谈" * 2,
                              occurred_at=MONDAY_8AM - timedelta(days=2), next_follow_up=date(2026, 11, 10))
    db.session.commit()


@pytest.mark.parametrize("role", ("leader", "staff", "admin"))
def test_the_digest_email_reads_on_a_phone(browser, users, busy_week, role):
    html = digest.render(users[role], MONDAY_8AM).get_body(("html",)).get_content()
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_content(html)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate(SQUEEZED.replace("main td, main th", "td, th")) == 0
        assert "年产十万吨大豆蛋白" in page.inner_text("body") or role == "admin"
    finally:
        context.close()


def test_the_width_check_catches_a_page_wider_than_the_phone(browser):
    """The sweeps' checks can fail: a fixed-width table and a one-character column are caught."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.set_content("<!doctype html><div style='width:900px'>宽</div><table style='width:100%'><tr>"
                         "<td style='width:100%'>这一列占满</td><td>牵头部门</td></tr></table>")
        assert page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]
        assert page.evaluate(SQUEEZED.replace("main td, main th", "td, th")) >= 1
    finally:
        context.close()
