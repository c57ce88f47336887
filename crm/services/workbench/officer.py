"""A department officer's workbench: this month's 调度 reports the department owes (the dispatch
page's own 本部门本月待报), its open problems by deadline (the ledger's query), and its projects
that need an update (久未联系 by the reminder rule, as the project list filters them), and the
批示 waiting for its reply."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from crm.extensions import db
from crm.models import User
from crm.services.liaison import instructions
from crm.services.routines import dispatch, problems
from crm.services.workbench import SHOWN, Section, instruction_section
from crm.services.workbench.staff import project_section


def owed_reports(user: User, today: date) -> Section:
    if not user.department_id:
        return Section("owed_reports", [], 0)
    owed = dispatch.owed_summary(today, today, user.department_id, limit=SHOWN)
    due = dispatch.due_date(owed.month, dispatch.routine_settings().report_due_day)
    return Section("owed_reports", owed.rows, owed.total,
                   link=("routines.dispatch", {"month": f"{owed.month:%Y-%m}", "department": user.department_id,
                                               "status": owed.status}),
                   extra={"month": owed.month, "due": due, "status": owed.status})


def open_problems(user: User, today: date) -> Section:
    """Unresolved problems owned by my department, earliest 整改时限 first (the ledger's order)."""
    if not user.department_id:
        return Section("open_problems", [], 0)
    filters = {"today": today, "department_id": user.department_id, "unresolved": True}
    query = problems.ledger_query(**filters)
    rows = db.session.scalars(query.limit(SHOWN)).all()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    return Section("open_problems", rows, count,
                   link=("routines.problems", {"department": user.department_id, "unresolved": "1"}),
                   extra={"today": today})


def stale_projects(user: User, today: date) -> Section:
    if not user.department_id:
        return Section("department_projects", [], 0)
    return project_section("department_projects", {"department": str(user.department_id), "stale": "1"}, today)


def instructions_to_answer(user: User, today: date) -> Section:
    """批示 addressed to my department that wait for its reply (待办)."""
    rows = instructions.awaiting_reply([user.department_id]) if user.department_id else []
    return instruction_section("instructions_to_answer", rows, ("leaders.unit_instructions", {}), today)


SECTIONS = (owed_reports, instructions_to_answer, open_problems, stale_projects)
