"""The 批示 loop through the pages: the officer's 本单位批示, replying, the leader's accept and
send back on 我的包联, and who gets 404."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from crm.extensions import db
from crm.services.liaison import instructions
from tests import factories

NOON = datetime(2026, 11, 25, 4, 0)
TODAY = date(2026, 11, 25)


def _order(leader, unit, name="俄粮油脂化工厂项目", deadline=TODAY + timedelta(days=10), text="请协调铁路专用线。"):
    project = factories.project(name=name, liaison_leader_id=leader.id, lead_department=unit)
    order = instructions.add_instruction(leader, project, text, False, unit_ids=[unit.id], deadline=deadline,
                                         today=TODAY)
    db.session.commit()
    return order


@pytest.fixture
def order(app, users):
    return _order(users["leader"], users["officer"].department)


@time_machine.travel(NOON, tick=False)
def test_the_officer_replies_and_the_leader_sends_back_then_accepts(client, login, users, order):
    login("officer")
    page = client.get("/leaders/instructions").get_data(as_text=True)
    assert "请协调铁路专用线。" in page and f"/leaders/instructions/{order.id}/reply" in page
    resp = client.post(f"/leaders/instructions/{order.id}/reply", data={"text": "已对接铁路部门。"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/leaders/instructions")
    assert order.state == "doing"
    assert client.post(f"/leaders/instructions/{order.id}/accept", data={}).status_code == 403

    login("leader")
    page = client.get("/leaders/").get_data(as_text=True)
    assert "已对接铁路部门。" in page and f"/leaders/instructions/{order.id}/accept" in page
    resp = client.post(f"/leaders/instructions/{order.id}/send-back", data={"note": " "}, follow_redirects=True)
    assert "退回时请写明原因" in resp.get_data(as_text=True) and order.state == "doing"
    client.post(f"/leaders/instructions/{order.id}/send-back", data={"note": "请写明接轨时间。"})
    db.session.refresh(order)
    assert (order.state, order.returned_note) == ("todo", "请写明接轨时间。")

    login("officer")
    assert "请写明接轨时间。" in client.get("/leaders/instructions").get_data(as_text=True)
    client.post(f"/leaders/instructions/{order.id}/reply", data={"text": "12月18日接轨。"})
    login("leader")
    resp = client.post(f"/leaders/instructions/{order.id}/accept", data={}, follow_redirects=True)
    assert "批示已办结" in resp.get_data(as_text=True)
    db.session.refresh(order)
    assert order.state == "done"
    page = client.get(f"/projects/{order.project_id}").get_data(as_text=True)
    assert "12月18日接轨。" in page and "已办结" in page


@time_machine.travel(NOON, tick=False)
def test_an_officer_of_another_unit_gets_404_and_sees_nothing(client, login, users, order):
    stranger = factories.user("officer", department_obj=factories.department("商务局"))
    login(stranger)
    assert client.post(f"/leaders/instructions/{order.id}/reply", data={"text": "越权"}).status_code == 404
    assert "请协调铁路专用线。" not in client.get("/leaders/instructions").get_data(as_text=True)
    other_leader = factories.leader()
    login(other_leader)
    assert client.post(f"/leaders/instructions/{order.id}/accept", data={}).status_code == 404
    assert order.state == "todo" and order.replies == []


@time_machine.travel(NOON, tick=False)
def test_an_overdue_instruction_shows_on_my_projects_and_the_project_page(client, login, users):
    late = _order(users["leader"], users["officer"].department, deadline=TODAY)
    with time_machine.travel(NOON + timedelta(days=3), tick=False):
        login("leader")
        page = client.get("/leaders/").get_data(as_text=True)
        assert "逾期 3 天" in page and "批示待回复 1 件（逾期 1 件）" in page
        assert "逾期 3 天" in client.get(f"/projects/{late.project_id}").get_data(as_text=True)


@time_machine.travel(NOON, tick=False)
def test_the_pages_run_a_constant_number_of_statements(client, login, users, page_statements):
    unit = users["officer"].department

    def count(n, url, who):
        for i in range(n):
            order = _order(users["leader"], unit, name=f"项目{factories._n()}")
            instructions.reply(users["officer"], order, f"回复{i}")
            db.session.commit()
        login(who)
        return page_statements(client, url)

    assert count(1, "/leaders/instructions", "officer") == count(8, "/leaders/instructions", "officer")
    assert count(1, "/leaders/", "leader") == count(8, "/leaders/", "leader")
