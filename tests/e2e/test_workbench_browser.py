"""Each demo role signs in and finds its own items on its workbench (issue 24), with the demo
data the office sees in a trial; staff then completes a follow-up from it in place."""
from __future__ import annotations

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Interaction, User
from crm.services.core.clock import local_today
from crm.services.workbench import admin, leader, officer, staff
from seeds import seeding
from seeds.demo import DEMO_PASSWORD


def _sign_in(visit, username: str):
    """A fresh browser session signed in as the demo user."""
    v = visit()
    v.go("/auth/login")
    v.page.fill("input[name=username]", username)
    v.page.fill("input[name=password]", DEMO_PASSWORD)
    v.page.click("main form button[type=submit]")
    v.page.wait_for_url(lambda url: "/auth/login" not in url)
    return v


def _section_text(v, key: str) -> str:
    return v.page.locator(f"#wb-{key}").inner_text()


def _count(v, key: str) -> int:
    return int(v.page.locator(f"#wb-{key} .wb-count").inner_text())


def test_each_demo_role_finds_its_items_and_staff_completes_a_follow_up(app, visit):
    seeding.load_plan()
    seeding.load_demo(local_today())
    db.session.commit()
    today = local_today()
    user = {name: db.session.scalar(sa.select(User).where(User.username == name))
            for name in ("staff", "officer", "leader", "admin")}
    expected = {
        "follow_ups": staff.follow_ups(user["staff"], today),
        "owed_reports": officer.owed_reports(user["officer"], today),
        "liaison_projects": leader.liaison_projects(user["leader"], today),
        "late_by_department": admin.late_by_department(user["admin"], today),
    }
    assert all(section.count for section in expected.values()), {k: s.count for k, s in expected.items()}
    db.session.commit()  # the administrator's late counts are stored as they are made: end that write here
    v = _sign_in(visit, "officer")
    text = _section_text(v, "owed_reports")
    assert _count(v, "owed_reports") == expected["owed_reports"].count
    assert all(row.project.name in text for row in expected["owed_reports"].rows)

    v.assert_clean()
    v = _sign_in(visit, "leader")
    names = v.page.locator("#wb-liaison_projects li.wb-liaison a[href^='/projects/']").all_inner_texts()
    assert names == [row.project.display_name for row in expected["liaison_projects"].rows]  # riskiest first
    assert "本周" in _section_text(v, "liaison_projects")

    v.assert_clean()
    v = _sign_in(visit, "admin")
    text = _section_text(v, "late_by_department")
    assert all(row.department.name in text for row in expected["late_by_department"].rows)
    assert "系统运行状况" in v.page.locator("#wb-system_health").inner_text()

    v.assert_clean()
    v = _sign_in(visit, "staff")
    follow_ups = expected["follow_ups"]
    assert _count(v, "follow_ups") == follow_ups.count
    first = follow_ups.rows[0]
    row = v.page.locator("#wb-follow_ups li.wb-follow-up").first
    assert first.enterprise.display_name in row.inner_text()
    row.get_by_role("button", name="完成").click()
    v.page.wait_for_load_state()
    assert "已标记为已跟进" in v.page.inner_text("body")
    assert _count(v, "follow_ups") == follow_ups.count - 1
    db.session.expire_all()
    assert db.session.get(Interaction, first.id).follow_up_done
    v.assert_clean()
