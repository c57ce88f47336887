"""The 批示 loop: write to units with a deadline, reply, send back, accept; audited; the lists
other pages use; and the problem a 批示 opens."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.models import Instruction, Notification, Problem
from crm.services.core import access, audit
from crm.services.enterprises import ValidationError
from crm.services.liaison import instructions
from crm.services.routines import problems
from tests import factories

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 4, 0)


@pytest.fixture
def setting(app, users):
    leader, officer = users["leader"], users["officer"]  # officer of 工信科局
    project = factories.project(name="俄粮油脂化工厂项目", liaison_leader_id=leader.id,
                                lead_department=factories.department("农业农村局"), owner_id=users["staff"].id)
    order = instructions.add_instruction(
        leader, project, "请工信科局会同交通局协调铁路专用线，12月20日前报我。", True,
        unit_ids=[officer.department_id, factories.department("交通局").id], deadline=date(2026, 12, 20),
        today=TODAY, now=NOW)
    db.session.commit()
    return leader, officer, project, order


def _states(order) -> list:
    """The audited state changes of the 批示, oldest first: (old, new, note)."""
    rows = reversed(audit.history("Instruction", order.id))
    return [[*row.changes["state"], row.note] for row in rows if row.changes and "state" in row.changes
            and row.action == "update"]


def test_a_new_instruction_names_its_units_and_deadline_and_tells_them(setting, users):
    leader, officer, project, order = setting
    assert order.state == "todo" and order.deadline == date(2026, 12, 20)
    assert sorted(d.name for d in order.units) == ["交通局", "工信科局"]
    told = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "instruction")))
    assert told == {users["staff"].id, officer.id}


def test_bad_input_names_every_field_and_saves_nothing(setting):
    leader, _officer, project, _order = setting
    with pytest.raises(ValidationError) as error:
        instructions.add_instruction(leader, project, " ", False, unit_ids=[], deadline=TODAY - timedelta(days=1),
                                     today=TODAY)
    assert set(error.value.errors) == {"text", "unit_ids", "deadline"}
    assert "早于今天" in str(error.value.errors["deadline"])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Instruction.id))) == 1


def test_reply_send_back_reply_accept_is_audited_step_by_step(setting):
    leader, officer, _project, order = setting
    instructions.reply(officer, order, "已与铁路部门对接，方案待批。", now=NOW + timedelta(days=1))
    db.session.commit()
    assert order.state == "doing" and [r.text for r in order.replies] == ["已与铁路部门对接，方案待批。"]
    assert order.replies[0].department_id == officer.department_id
    assert leader.id in set(db.session.scalars(sa.select(Notification.user_id).where(
        Notification.kind == "instruction.reply")))
    assert [o.id for o in instructions.awaiting_my_decision(leader)] == [order.id]
    assert instructions.awaiting_reply([officer.department_id]) == []

    instructions.send_back(leader, order, "请写明接轨时间。")
    db.session.commit()
    assert (order.state, order.returned_note) == ("todo", "请写明接轨时间。")
    assert [o.id for o in instructions.awaiting_reply([officer.department_id])] == [order.id]
    assert officer.id in set(db.session.scalars(sa.select(Notification.user_id).where(
        Notification.kind == "instruction.returned")))

    instructions.reply(officer, order, "接轨时间定于12月18日。", now=NOW + timedelta(days=2))
    instructions.accept(leader, order)
    db.session.commit()
    assert order.state == "done" and len(order.replies) == 2
    assert _states(order) == [["todo", "doing", None], ["doing", "todo", "请写明接轨时间。"],
                              ["todo", "doing", None], ["doing", "done", None]]
    assert len(audit.history("InstructionReply", order.replies[0].id)) == 1  # the reply's creation
    assert [r.text for r in instructions.replies_since(leader, NOW + timedelta(days=2))] == ["接轨时间定于12月18日。"]
    with pytest.raises(access.Denied):  # closed: nobody replies any more
        instructions.reply(officer, order, "补充")


def test_only_the_units_reply_and_only_its_leader_decides(setting, users):
    leader, _officer, _project, order = setting
    stranger = factories.user("officer", department_obj=factories.department("商务局"))
    with pytest.raises(access.Denied):
        instructions.reply(stranger, order, "越权回复")
    with pytest.raises(access.Denied):
        instructions.accept(factories.leader(), order)
    with pytest.raises(ValidationError):  # nothing to accept before a reply
        instructions.accept(leader, order)
    with pytest.raises(ValidationError):  # a send back needs its reason
        instructions.reply(users["officer"], order, "已办理")
        instructions.send_back(leader, order, "  ")
    assert not instructions.can_see(stranger, order) and instructions.can_see(users["officer"], order)


def test_the_problem_a_instruction_opens_goes_to_its_unit_with_its_deadline(setting, users):
    leader, officer, project, order = setting
    problem = problems.open_from_instruction(leader, order, today=TODAY)
    # The project's 牵头部门 (农业农村局) is not a unit: the first unit (by id) owns it.
    assert problem.department_id == min(d.id for d in order.units)
    assert problem.deadline == date(2026, 12, 20) and problem.source == "instruction"
    led = instructions.add_instruction(leader, project, "请农业农村局牵头办理。", True,
                                       unit_ids=[officer.department_id, project.lead_department_id],
                                       deadline=date(2026, 12, 31), today=TODAY)
    assert problems.open_from_instruction(leader, led, today=TODAY).department_id == project.lead_department_id
    assert db.session.scalar(sa.select(sa.func.count(Problem.id))) == 2


def test_overdue_is_past_the_deadline_and_not_closed(setting):
    _leader, _officer, project, order = setting
    late = date(2026, 12, 21)
    assert instructions.is_overdue(order, late) and not instructions.is_overdue(order, date(2026, 12, 20))
    assert instructions.project_stats(sa.select(sa.literal(project.id)).scalar_subquery(), late) == {project.id: (1, 1, 1)}
    assert db.session.scalars(sa.select(Instruction.id).where(instructions.overdue_clause(late))).all() == [order.id]
