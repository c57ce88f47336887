"""问题台账: problems raised on a project, from a monthly report or from a leader's 批示.

Each problem has an owner department, a 整改时限 (deadline), a status (open → in_progress →
resolved/销号, which needs a resolution note) and an escalation level (0 none … 3 领导小组).
Overdue is computed, never stored: deadline < today and not resolved.  A problem is closed
on time when resolved_on ≤ deadline.  Officers raise and handle only their own department's
problems, on projects their department leads or shares; admins and staff handle any.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import Department, Instruction, Problem, ProgressReport, Project, User
from crm.models.routines import MAX_ESCALATION, PROBLEM_STATUS
from crm.services.core import access, audit, versions
from crm.services.core.clock import local_today
from crm.services.routines.dispatch import RoutineError, routine_settings

STATUS_LABELS = PROBLEM_STATUS  # defined with its column (crm/models/routines.py)
ESCALATION_LABELS = {0: _l("未升级"), 1: _l("牵头部门主要负责同志"), 2: _l("牵头市级领导"), 3: _l("领导小组")}
SOURCE_LABELS = {"project": _l("项目"), "report": _l("月度调度"), "instruction": _l("领导批示")}
# The problem's operation log names fields and coded values as the page does.
FIELD_LABELS = {"project_id": _l("项目"), "department_id": _l("责任部门"), "description": _l("问题描述"),
                "raised_on": _l("提出日期"), "deadline": _l("整改时限"), "status": _l("状态"),
                "resolved_on": _l("销号日期"), "resolution": _l("整改情况"), "escalation_level": _l("升级"),
                "source": _l("来源"), "progress_report_id": _l("月度调度"), "instruction_id": _l("领导批示"),
                "created_by_id": _l("登记人")}
VALUE_LABELS = {"status": STATUS_LABELS, "escalation_level": ESCALATION_LABELS, "source": SOURCE_LABELS}
# The ids the audit log keeps, named (see audit.reference_labels).
REFERENCES = {"project_id": Project, "department_id": Department, "progress_report_id": ProgressReport,
              "instruction_id": Instruction, "created_by_id": User}
MAX_TEXT = 4000


class ProblemError(RoutineError):
    """A problem-ledger change the rules refuse."""


def is_overdue(problem: Problem, today: date) -> bool:
    return problem.status != "resolved" and problem.deadline < today


def overdue_clause(today: date):
    return sa.and_(Problem.status != "resolved", Problem.deadline < today)


def on_time_clause():
    return sa.and_(Problem.status == "resolved", Problem.resolved_on <= Problem.deadline)


def can_manage(user: User, problem: Problem) -> bool:
    """Edit and 销号: admins and staff any problem, an officer its own department's."""
    if user.role in ("admin", "staff"):
        return True
    return user.role == "officer" and user.department_id is not None and user.department_id == problem.department_id


def can_raise(user: User, project: Project) -> bool:
    if user.role in ("admin", "staff"):
        return True
    return user.role == "officer" and access.can_edit_project(user, project)


def raisable_projects(user: User, *, q: str = "", ids=(), limit: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the projects the user may raise problems about (can_raise as SQL), in 专栏
    order: those whose name in any language holds `q`, or those among `ids`.  One statement."""
    from crm.services import projects
    from crm.services.routines import dispatch
    query = (sa.select(Project.id, Project.label_column().label("name")).where(access.editable_projects(user))
             .order_by(*dispatch.column_order()))
    if q:
        query = query.where(projects.name_contains(q))
    if ids:
        query = query.where(Project.id.in_(list(ids)))
    return [(row.id, row.name) for row in db.session.execute(query.limit(limit))]


def can_escalate(user: User) -> bool:
    return user.role in ("admin", "staff")


def _text(value, field: str, *, required: bool, message=None) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise ProblemError(message or _l("请填写问题描述。"), field)
    if len(text) > MAX_TEXT:
        raise ProblemError(_l("内容过长（最多 %(n)s 字）。", n=MAX_TEXT), field)
    return text or None


def _check_department(actor: User, department_id) -> int:
    if not department_id:
        raise ProblemError(_l("请选择责任部门。"), "department_id")
    if actor.role == "officer" and department_id != actor.department_id:
        raise ProblemError(_l("部门联络员只能登记本部门的问题。"), "department_id")
    return department_id


def _check_deadline(deadline: date | None, raised_on: date) -> date:
    if deadline is None:
        raise ProblemError(_l("请填写整改时限。"), "deadline")
    if deadline < raised_on:
        raise ProblemError(_l("整改时限不能早于提出日期（%(d)s）。", d=raised_on.isoformat()), "deadline")
    return deadline


def open_problem(actor: User, project: Project, *, description: str, department_id: int | None,
                 deadline: date | None, today: date | None = None, source: str = "project",
                 report: ProgressReport | None = None, instruction_id: int | None = None) -> Problem:
    """Raise a problem; raise ProblemError/access.Denied and save nothing if refused."""
    access.require(can_raise(actor, project), _l("无权为该项目登记问题。"))
    today = today or local_today()
    return _add(actor, project_id=project.id, department_id=_check_department(actor, department_id),
                description=_text(description, "description", required=True), raised_on=today,
                deadline=_check_deadline(deadline, today), source=source,
                progress_report_id=report.id if report is not None else None, instruction_id=instruction_id)


def _add(actor: User, **values) -> Problem:
    problem = Problem(status="open", escalation_level=0, created_by_id=actor.id, **values)
    with audit.acting_as(actor):
        db.session.add(problem)
        db.session.flush()
    return problem


def update_problem(actor: User, problem: Problem, *, description: str, deadline: date | None,
                   status: str, department_id: int | None = None, version=None) -> Problem:
    """Edit an unresolved problem; only admins/staff move it to another department.  `version`:
    the one the form was filled from (services/versions)."""
    access.require(can_manage(actor, problem), _l("无权修改该问题。"))
    versions.check(problem, {"version": version})
    if problem.status == "resolved":
        raise ProblemError(_l("已销号的问题不能再修改。"))
    if status not in ("open", "in_progress"):
        raise ProblemError(_l("请选择有效的状态；销号请使用“销号”操作。"), "status")
    values = {"description": _text(description, "description", required=True),
              "deadline": _check_deadline(deadline, problem.raised_on), "status": status}
    if department_id and department_id != problem.department_id:
        if actor.role == "officer":
            raise ProblemError(_l("部门联络员不能把问题转给其他部门。"), "department_id")
        values["department_id"] = department_id
    with audit.acting_as(actor), versions.saved(problem, {"version": version}):
        for key, value in values.items():
            setattr(problem, key, value)
        db.session.flush()
    return problem


def resolve(actor: User, problem: Problem, *, resolution: str, resolved_on: date | None = None,
            today: date | None = None) -> Problem:
    """销号: needs a resolution note and a date between raising and today."""
    access.require(can_manage(actor, problem), _l("无权为该问题销号。"))
    today = today or local_today()
    if problem.status == "resolved":
        raise ProblemError(_l("该问题已销号。"))
    resolved_on = resolved_on or today
    if resolved_on > today or resolved_on < problem.raised_on:
        raise ProblemError(_l("销号日期须在提出日期（%(a)s）与今天（%(b)s）之间。",
                              a=problem.raised_on.isoformat(), b=today.isoformat()), "resolved_on")
    resolution = _text(resolution, "resolution", required=True, message=_l("销号必须填写整改结果。"))
    with audit.acting_as(actor):
        problem.status, problem.resolution, problem.resolved_on = "resolved", resolution, resolved_on
        db.session.flush()
    return problem


def escalate(actor: User, problem: Problem, note: str | None = None) -> Problem:
    """Raise the escalation level by one (to 3, 领导小组 at most); the note goes to the audit."""
    access.require(can_escalate(actor), _l("无权升级该问题。"))
    if problem.status == "resolved":
        raise ProblemError(_l("已销号的问题无需升级。"))
    if problem.escalation_level >= MAX_ESCALATION:
        raise ProblemError(_l("该问题已升级至最高级别。"))
    with audit.acting_as(actor, note=_text(note, "note", required=False)):
        problem.escalation_level += 1
        db.session.flush()
    return problem


def open_from_instruction(actor: User, instruction, *, today: date | None = None,
                          deadline: date | None = None) -> Problem:
    """Open a problem from a leader's 批示 (once per instruction: a second call returns it).

    Owner: the 批示's responsible unit (liaison/instructions.problem_owner), else the project's
    牵头部门; deadline: the 批示's own, else today + the settings' default 整改时限."""
    existing = db.session.scalar(sa.select(Problem).where(Problem.instruction_id == instruction.id))
    if existing is not None:
        return existing
    project = instruction.project
    if not (actor.role in ("admin", "staff") or actor.id == instruction.leader_id):
        raise access.Denied(_l("无权根据该批示登记问题。"))
    from crm.services.liaison.instructions import problem_owner
    department_id = problem_owner(instruction) or project.lead_department_id
    if not department_id:
        raise ProblemError(_l("该项目尚未设置牵头部门，无法自动登记问题。"))
    today = today or local_today()
    deadline = deadline or instruction.deadline or today + timedelta(days=routine_settings().problem_deadline_days)
    return _add(actor, project_id=project.id, department_id=department_id,
                description=_text(instruction.text, "description", required=True), raised_on=today,
                deadline=_check_deadline(deadline, today), source="instruction", instruction_id=instruction.id)


def ledger_query(*, today: date, department_id: int | None = None, project_id: int | None = None,
                 status: str | None = None, overdue: bool = False, unresolved: bool = False):
    """The ledger's select: filters, eager loads for the list template, overdue first.
    `unresolved`: open and in progress (未销号), what an officer's workbench lists."""
    query = sa.select(Problem).options(joinedload(Problem.project), joinedload(Problem.department))
    if department_id:
        query = query.where(Problem.department_id == department_id)
    if project_id:
        query = query.where(Problem.project_id == project_id)
    if status in STATUS_LABELS:
        query = query.where(Problem.status == status)
    if overdue:
        query = query.where(overdue_clause(today))
    if unresolved:
        query = query.where(Problem.status != "resolved")
    return query.order_by((Problem.status == "resolved"), Problem.deadline, Problem.id)


def stats(department_id: int | None = None, today: date | None = None) -> dict:
    """Counts for the dashboard, in one statement: total, resolved, resolved_on_time, overdue and
    close_rate (办结率 = resolved / total, a float 0..1, None when there are no problems)."""
    today = today or local_today()
    query = sa.select(
        sa.func.count(Problem.id),
        sa.func.count(sa.case((Problem.status == "resolved", 1))),
        sa.func.count(sa.case((on_time_clause(), 1))),
        sa.func.count(sa.case((overdue_clause(today), 1))),
    )
    if department_id:
        query = query.where(Problem.department_id == department_id)
    total, resolved, on_time, overdue = db.session.execute(query).one()
    return {"total": total, "resolved": resolved, "resolved_on_time": on_time, "overdue": overdue,
            "close_rate": round(resolved / total, 4) if total else None}
