"""我的包联项目: what a leader sees, the risk order, 批示 and the weekly review."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
import time_machine

from crm.extensions import db
from crm.models import Instruction, LiaisonReview
from crm.services.liaison import leaders as svc
from tests import factories

TODAY = date(2026, 11, 25)  # a Wednesday of ISO week 2026-W48
NOON = datetime(2026, 11, 25, 4, 0)  # 12:00 in Shanghai


def _project(leader, **kw):
    return factories.project(liaison_leader_id=leader.id, owner_id=kw.pop("owner_id", None), **kw)


def _order(text, unit=None, **extra) -> dict:
    """A 批示 form's fields: the text, one unit (the project's lead department by default) and a deadline."""
    unit = unit or factories.department("发改局")
    return {"text": text, "unit_ids": [unit.id], "deadline": (TODAY + timedelta(days=20)).isoformat(), **extra}


def _follow_up(project, day: date, done=False):
    return factories.interaction(project_id=project.id, next_follow_up=day, follow_up_done=done,
                                 occurred_at=datetime(2026, 11, 1, 2, 0))


def test_risk_score_adds_overdue_follow_ups_staleness_and_pause(app):
    leader = factories.leader()
    calm = _project(leader, stage="contact", last_interaction_at=NOON - timedelta(days=3))
    stale = _project(leader, stage="contact", last_interaction_at=NOON - timedelta(days=30))
    paused = _project(leader, stage="paused", last_interaction_at=NOON - timedelta(days=1))
    late = _project(leader, stage="signed", last_interaction_at=NOON - timedelta(days=2))
    for day in (TODAY - timedelta(days=1), TODAY - timedelta(days=9)):
        _follow_up(late, day)
    _follow_up(late, TODAY - timedelta(days=5), done=True)
    _follow_up(late, TODAY + timedelta(days=4))
    done = _project(leader, stage="operating")
    rows = svc.my_projects(leader, TODAY)
    by_id = {r.project.id: r for r in rows}
    assert by_id[calm.id].risk == 0
    assert by_id[stale.id].risk == 10  # 30 days ÷ 14-day threshold = 2 → 2 × 5
    assert by_id[paused.id].risk == 5
    assert by_id[late.id].risk == 6 and by_id[late.id].overdue_follow_ups == 2
    assert by_id[late.id].next_follow_up == TODAY + timedelta(days=4)
    assert by_id[late.id].open_follow_ups == 3
    assert [r.project.id for r in rows] == [stale.id, late.id, paused.id, calm.id, done.id]
    assert any("逾期跟进 2 项" in reason for reason in by_id[late.id].reasons)


def test_open_problems_raise_the_risk_when_the_ledger_exists(app):
    from crm.models.routines import Problem
    leader = factories.leader()
    project = _project(leader, stage="contact", last_interaction_at=NOON)
    dept = factories.department()
    for deadline, status in ((TODAY - timedelta(days=1), "open"), (TODAY + timedelta(days=9), "in_progress"),
                             (TODAY - timedelta(days=9), "resolved")):
        db.session.add(Problem(project_id=project.id, department_id=dept.id, description="用地指标未落实",
                               raised_on=TODAY - timedelta(days=20), deadline=deadline, status=status))
    db.session.commit()
    row = svc.my_projects(leader, TODAY)[0]
    assert (row.open_problems, row.overdue_problems, row.risk) == (2, 1, 10)


@time_machine.travel(NOON, tick=False)
def test_the_page_lists_only_the_leaders_own_projects(client, login, users):
    mine = _project(users["leader"], name="我的包联项目甲")
    _project(factories.leader(), name="别人的包联项目乙")
    login("leader")
    html = client.get("/leaders/").get_data(as_text=True)
    assert mine.name in html and "别人的包联项目乙" not in html


@time_machine.travel(NOON, tick=False)
def test_the_page_runs_a_constant_number_of_statements(client, login, users, page_statements):
    login("leader")
    owner = users["staff"]

    def count(n):
        for _ in range(n):
            p = _project(users["leader"], owner_id=owner.id, stage="contact")
            _follow_up(p, TODAY - timedelta(days=1))
        return page_statements(client, "/leaders/")

    assert count(2) == count(18)


@time_machine.travel(NOON, tick=False)
def test_an_instruction_shows_on_the_project_page_and_notifies_the_owner(client, login, users):
    from crm.models import Notification
    project = _project(users["leader"], owner_id=users["staff"].id)
    login("leader")
    resp = client.post(f"/leaders/projects/{project.id}/instructions",
                       data=_order("<script>alert(1)</script>尽快协调用地", next=f"/projects/{project.id}"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/projects/{project.id}")
    instruction = db.session.scalars(sa.select(Instruction)).one()
    assert instruction.leader_id == users["leader"].id and not instruction.follow_up_required
    note = db.session.scalars(sa.select(Notification).where(Notification.user_id == users["staff"].id)).one()
    assert note.kind == "instruction"
    from flask import render_template_string
    with client.application.test_request_context(f"/projects/{project.id}"):
        from flask_login import login_user
        login_user(users["leader"])
        html = render_template_string('{% include "leaders/_instructions.html" %}', project=project, today=TODAY,
                                      unit_choices=[])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;尽快协调用地" in html and "<script>alert" not in html
    assert 'name="text"' in html  # the liaison leader gets the form on the project page


@time_machine.travel(NOON, tick=False)
def test_a_follow_up_instruction_opens_a_problem_for_its_unit_with_its_deadline(client, login, users):
    from crm.models.routines import Problem
    project = _project(users["leader"], lead_department=factories.department("工信科局"))
    unit = factories.department("发改局")
    login("leader")
    client.post(f"/leaders/projects/{project.id}/instructions",
                data=_order("请发改局牵头…12月20日前报我", unit, follow_up_required="y", deadline="2026-12-20"))
    problem = db.session.scalars(sa.select(Problem)).one()
    instruction = db.session.scalars(sa.select(Instruction)).one()
    assert problem.instruction_id == instruction.id
    assert (problem.department_id, problem.deadline) == (unit.id, date(2026, 12, 20))
    assert [d.id for d in instruction.units] == [unit.id] and instruction.state == "todo"


def test_only_the_liaison_leader_may_write_and_bad_input_saves_nothing(client, login, users):
    other = factories.leader()
    project = _project(other)
    login("leader")
    assert client.post(f"/leaders/projects/{project.id}/instructions", data={"text": "越权"}).status_code == 404
    assert client.post(f"/leaders/projects/{project.id}/reviewed", data={}).status_code == 404
    own = _project(users["leader"])
    resp = client.post(f"/leaders/projects/{own.id}/instructions", data=_order("   "), follow_redirects=True)
    assert "请填写批示内容" in resp.get_data(as_text=True)
    resp = client.post(f"/leaders/projects/{own.id}/instructions", data=_order("长" * 2001), follow_redirects=True)
    assert "2000" in resp.get_data(as_text=True)
    resp = client.post(f"/leaders/projects/{own.id}/instructions", data={"text": "无承办单位"}, follow_redirects=True)
    assert "请选择承办单位" in resp.get_data(as_text=True) and "请填写办理时限" in resp.get_data(as_text=True)
    resp = client.post(f"/leaders/projects/{own.id}/instructions", data=_order("x", next="//evil.example/"))
    assert resp.headers["Location"].endswith("/leaders/")
    assert len(db.session.scalars(sa.select(Instruction)).all()) == 1
    login("staff")
    assert client.post(f"/leaders/projects/{own.id}/instructions", data={"text": "x"}).status_code == 403


@time_machine.travel(NOON, tick=False)
def test_marking_reviewed_is_once_per_iso_week(client, login, users):
    project = _project(users["leader"])
    login("leader")
    for _ in range(2):
        assert client.post(f"/leaders/projects/{project.id}/reviewed", data={}).status_code == 302
    review = db.session.scalars(sa.select(LiaisonReview)).one()
    assert review.iso_week == "2026-W48"
    assert "标记本周已阅" not in client.get("/leaders/").get_data(as_text=True)
    with time_machine.travel(NOON + timedelta(days=7), tick=False):
        assert "标记本周已阅" in client.get("/leaders/").get_data(as_text=True)


def test_the_liaison_leader_can_write_an_instruction_from_the_project_page(client, login, users):
    project = factories.project(name="包联测试项目", liaison_leader_id=users["leader"].id)
    login("leader")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "领导批示" in page and f"/leaders/projects/{project.id}/instructions" in page
    login("staff")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "领导批示" in page and f"/leaders/projects/{project.id}/instructions" not in page
