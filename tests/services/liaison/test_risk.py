"""One risk picture: 我的包联 and the leader's digest show the same sections, in the same order,
with the same counts on the same day; and the reasons the score adds for reports and 批示."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine

from crm.extensions import db
from crm.models import Problem
from crm.services.liaison import digest, instructions, risk
from crm.services.liaison.leaders import my_projects
from tests import factories

MONDAY_8AM = datetime(2026, 11, 23, 0, 0)  # 08:00 in Shanghai, when the digest goes out
TODAY = date(2026, 11, 23)
SECTION = re.compile(r'data-section="(\w+)" data-count="(\d+)"')


def _follow_up(project, day: date):
    return factories.interaction(project_id=project.id, next_follow_up=day, follow_up_done=False,
                                 occurred_at=datetime(2026, 11, 1, 2, 0))


@pytest.fixture
def picture(app, users):
    """A leader's projects with something in every section, one of them out of the pool (the old
    digest forgot those), and another leader's project that must count for nobody here."""
    leader, dept = users["leader"], users["officer"].department

    def mine(name, **kw):
        kw.setdefault("lead_department", dept)
        kw.setdefault("last_interaction_at", MONDAY_8AM - timedelta(days=1))
        return factories.project(name=name, liaison_leader_id=leader.id, stage=kw.pop("stage", "contact"), **kw)

    late = mine("逾期跟进项目")
    for days in (1, 9):
        _follow_up(late, TODAY - timedelta(days=days))
    out = mine("已出库项目", in_pool=False)
    _follow_up(out, TODAY - timedelta(days=3))
    troubled = mine("俄粮油脂化工厂项目")
    for deadline in (TODAY - timedelta(days=2), TODAY + timedelta(days=10)):
        db.session.add(Problem(project_id=troubled.id, department_id=dept.id, description="用地指标未落实",
                               raised_on=TODAY - timedelta(days=20), deadline=deadline, status="open"))
    mine("久未对接项目", last_interaction_at=MONDAY_8AM - timedelta(days=40))
    ordered = mine("批示项目", lead_department=None)
    for deadline in (TODAY - timedelta(days=3), TODAY + timedelta(days=5)):
        db.session.add(instructions.add_instruction(
            leader, ordered, "请工信科局协调。", False, unit_ids=[dept.id], deadline=deadline,
            today=deadline - timedelta(days=10)))
    other = factories.project(name="别人的项目", liaison_leader_id=factories.leader().id, lead_department=dept)
    _follow_up(other, TODAY - timedelta(days=1))
    db.session.commit()
    return leader


def _counts(html: str) -> list[tuple[str, int]]:
    return [(key, int(n)) for key, n in SECTION.findall(html)]


@time_machine.travel(MONDAY_8AM, tick=False)
def test_the_digest_and_my_projects_agree_section_by_section(picture, client, login):
    login("leader")
    page = client.get("/leaders/").get_data(as_text=True)
    message = digest.render(picture, MONDAY_8AM)
    mail = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    on_page, in_mail = _counts(page), _counts(mail)
    assert [key for key, _n in on_page] == [key for key, _h in risk.SECTIONS]
    assert in_mail == on_page
    assert dict(on_page) == {"follow_ups": 3, "problems": 2, "instructions": 2, "reports": 3, "stale": 1}
    for key, heading in risk.SECTIONS:  # the plain-text part says the same
        assert f"[{heading}（{dict(on_page)[key]}" in text
    assert "没有逾期事项" not in text and "别人的项目" not in mail
    assert "未销号问题 2 个（其中逾期 1 个）" in mail and "未销号问题 2 个（其中逾期 1 个）" in page


def test_reports_and_instructions_add_to_the_score_with_their_reasons(picture):
    rows = {r.project.name: r for r in my_projects(picture, TODAY)}
    ordered = rows["批示项目"]
    assert (ordered.open_instructions, ordered.unanswered_instructions, ordered.overdue_instructions) == (2, 2, 1)
    assert ordered.risk == 8 and "批示待回复 2 件（逾期 1 件）" in ordered.reasons
    assert not ordered.report_missing  # no 牵头部门: it owes no monthly report
    late = rows["逾期跟进项目"]
    assert late.report_missing and "月度调度逾期未报" in late.reasons and late.risk == 6 + 5
    assert rows["已出库项目"].report_missing is False


@time_machine.travel(MONDAY_8AM, tick=False)
def test_the_project_page_shows_the_same_score_and_reasons(picture, client, login):
    troubled = next(r for r in my_projects(picture, TODAY) if r.project.name == "俄粮油脂化工厂项目")
    login("staff")
    page = client.get(f"/projects/{troubled.project.id}").get_data(as_text=True)
    assert f"风险 {troubled.risk}" in page
    for reason in troubled.reasons:
        assert reason in page


def test_the_leaders_digests_and_the_project_page_run_a_bounded_number_of_statements(app, users, statements,
                                                                                        client, login, page_statements):
    from crm.models import Department, Project, User
    ids = {"unit": users["officer"].department_id, "leader": users["leader"].id, "officer": users["officer"].id}
    project_id = factories.project(name="批示多的项目", liaison_leader_id=ids["leader"],
                                   lead_department_id=ids["unit"]).id

    def grow(n):  # by id: the page count empties the session
        unit, project = db.session.get(Department, ids["unit"]), db.session.get(Project, project_id)
        users = {"leader": db.session.get(User, ids["leader"]), "officer": db.session.get(User, ids["officer"])}
        for _ in range(n):
            leader = factories.leader()
            mine = factories.project(liaison_leader_id=leader.id, lead_department=unit)
            _follow_up(mine, TODAY - timedelta(days=1))
            for where, by in ((mine, leader), (project, users["leader"])):
                order = instructions.add_instruction(by, where, "请协调。", False, unit_ids=[unit.id],
                                                     deadline=TODAY + timedelta(days=5), today=TODAY)
                instructions.reply(users["officer"], order, "已办理。")
        db.session.commit()

    def count():
        recipients = digest.recipients()
        with statements() as counter:
            week = digest.load_week(MONDAY_8AM)
            for user in recipients:
                digest.digest_for(user, week)
        client.get(f"/projects/{project_id}")  # a first request relays the notifications' outbox rows
        return len(counter), page_statements(client, f"/projects/{project_id}", fresh=True)

    login("leader")
    grow(2)
    few = count()
    grow(12)
    assert count() == few
