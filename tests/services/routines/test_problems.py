"""问题台账 rules: overdue and close-rate computation, 销号 and escalation, department limits,
and problems opened from a leader's 批示."""
from __future__ import annotations

from datetime import date

import pytest

from crm.extensions import db
from crm.models import AuditEvent, Problem
from crm.services.core import access
from crm.services.routines import problems
from crm.services.routines.problems import ProblemError
from tests import factories

TODAY = date(2026, 11, 20)


@pytest.fixture
def agri(app):
    return factories.department("农业农村局")


def test_overdue_means_deadline_before_today_and_not_resolved(app):
    late = factories.problem(deadline=date(2026, 11, 19))
    due_today = factories.problem(deadline=TODAY)
    resolved = factories.problem(deadline=date(2026, 11, 1), status="resolved", resolved_on=date(2026, 11, 2),
                                 resolution="已办结")
    assert [problems.is_overdue(p, TODAY) for p in (late, due_today, resolved)] == [True, False, False]


def test_stats_count_close_rate_and_overdue_per_department(app, agri, users):
    mine = users["officer"].department
    project = factories.project(lead_department=agri)
    for deadline, status, resolved_on in [
        (date(2026, 11, 10), "resolved", date(2026, 11, 9)),   # on time
        (date(2026, 11, 10), "resolved", date(2026, 11, 12)),  # resolved late
        (date(2026, 11, 10), "in_progress", None),             # overdue
        (date(2026, 11, 30), "open", None),                    # not yet due
    ]:
        factories.problem(project, deadline=deadline, status=status, resolved_on=resolved_on,
                          resolution="已办结" if resolved_on else None)
    factories.problem(project, department_id=mine.id, deadline=date(2026, 11, 1))  # another department, overdue
    assert problems.stats(agri.id, TODAY) == {"total": 4, "resolved": 2, "resolved_on_time": 1, "overdue": 1,
                                              "close_rate": 0.5}
    assert problems.stats(None, TODAY) == {"total": 5, "resolved": 2, "resolved_on_time": 1, "overdue": 2,
                                           "close_rate": 0.4}
    assert problems.stats(9999, TODAY)["close_rate"] is None


def test_resolving_needs_a_resolution_and_a_sensible_date(app):
    problem = factories.problem(raised_on=date(2026, 10, 10))
    admin = factories.user("admin")
    with pytest.raises(ProblemError, match="整改结果"):
        problems.resolve(admin, problem, resolution="  ", today=TODAY)
    with pytest.raises(ProblemError):
        problems.resolve(admin, problem, resolution="已完成", resolved_on=date(2026, 11, 21), today=TODAY)
    with pytest.raises(ProblemError):
        problems.resolve(admin, problem, resolution="已完成", resolved_on=date(2026, 10, 9), today=TODAY)
    problems.resolve(admin, problem, resolution="用地手续已批复", today=TODAY)
    assert (problem.status, problem.resolved_on, problem.resolution) == ("resolved", TODAY, "用地手续已批复")
    with pytest.raises(ProblemError, match="已销号"):
        problems.resolve(admin, problem, resolution="again", today=TODAY)


def test_escalation_goes_up_one_level_to_three_and_is_audited(app, users):
    problem = factories.problem()
    for level in (1, 2, 3):
        problems.escalate(users["staff"], problem, "多次提醒仍未整改")
        assert problem.escalation_level == level
    with pytest.raises(ProblemError, match="最高"):
        problems.escalate(users["staff"], problem)
    with pytest.raises(access.Denied):
        problems.escalate(users["officer"], factories.problem())
    db.session.commit()
    notes = [e.note for e in db.session.query(AuditEvent).filter_by(object_type="Problem", object_id=problem.id,
                                                                      action="update")]
    assert notes == ["多次提醒仍未整改"] * 3


def test_officers_raise_and_handle_only_their_own_departments_problems(app, agri, users):
    officer = users["officer"]
    own_project = factories.project(lead_department=officer.department)
    foreign_project = factories.project(lead_department=agri)
    with pytest.raises(ProblemError, match="本部门"):
        problems.open_problem(officer, own_project, description="缺少配套资金", department_id=agri.id,
                              deadline=date(2026, 12, 31), today=TODAY)
    with pytest.raises(access.Denied):
        problems.open_problem(officer, foreign_project, description="x", department_id=officer.department_id,
                              deadline=date(2026, 12, 31), today=TODAY)
    mine = problems.open_problem(officer, own_project, description="缺少配套资金", department_id=officer.department_id,
                                 deadline=date(2026, 12, 31), today=TODAY)
    assert (mine.status, mine.raised_on, mine.created_by_id) == ("open", TODAY, officer.id)
    assert problems.can_manage(officer, mine)
    assert not problems.can_manage(officer, factories.problem(foreign_project))


def test_deadline_may_not_precede_the_day_it_was_raised(app, users):
    project = factories.project(lead_department=users["officer"].department)
    with pytest.raises(ProblemError) as err:
        problems.open_problem(users["staff"], project, description="x", department_id=project.lead_department_id,
                              deadline=date(2026, 11, 19), today=TODAY)
    assert err.value.field == "deadline"
    assert db.session.query(Problem).count() == 0


def test_an_officer_may_not_move_a_problem_to_another_department(app, agri, users):
    problem = factories.problem(factories.project(lead_department=users["officer"].department))
    with pytest.raises(ProblemError):
        problems.update_problem(users["officer"], problem, description="x", deadline=problem.deadline,
                                status="in_progress", department_id=agri.id)
    problems.update_problem(users["staff"], problem, description="转农业农村局办理", deadline=problem.deadline,
                            status="in_progress", department_id=agri.id)
    assert (problem.department_id, problem.status) == (agri.id, "in_progress")


def test_an_instruction_opens_one_problem_for_the_lead_department(app, users):
    instruction = factories.foreign_instruction()
    first = problems.open_from_instruction(users["staff"], instruction, today=TODAY)
    assert (first.source, first.department_id, first.deadline, first.instruction_id) == (
        "instruction", instruction.project.lead_department_id, date(2026, 12, 20), instruction.id)
    assert first.description == instruction.text
    assert problems.open_from_instruction(users["admin"], instruction, today=TODAY) is first
    other = factories.foreign_instruction()
    with pytest.raises(access.Denied):
        problems.open_from_instruction(users["leader"], other, today=TODAY)  # not their instruction
    assert problems.open_from_instruction(other.leader, other, today=TODAY).created_by_id == other.leader.id
