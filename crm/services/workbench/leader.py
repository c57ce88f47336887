"""A leader's workbench: my liaison projects by risk exactly as 我的包联 ranks them (its own
function), with this week's review state, and the problems escalated to me: unresolved ones on
my liaison projects raised to 牵头市级领导 or above (the ledger's escalation levels), and the
replies to my 批示 that wait for my decision."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Problem, Project, User
from crm.services.liaison import instructions, leaders
from crm.services.workbench import SHOWN, Section, instruction_section

LEADER_LEVEL = 2  # 牵头市级领导 in problems.ESCALATION_LABELS: from here on a leader must act


def liaison_projects(user: User, today: date) -> Section:
    rows = leaders.my_projects(user, today)
    return Section("liaison_projects", rows[:SHOWN], len(rows), link=("leaders.my_projects", {}), alert=False,
                   extra={"week": today, "unreviewed": sum(1 for row in rows if not row.reviewed)})


def escalated_problems(user: User, today: date) -> Section:
    escalated = sa.and_(Project.liaison_leader_id == user.id, Problem.status != "resolved",
                        Problem.escalation_level >= LEADER_LEVEL)
    base = sa.select(Problem).join(Project, Project.id == Problem.project_id).where(escalated)
    rows = db.session.scalars(base.options(joinedload(Problem.project), joinedload(Problem.department))
                              .order_by(Problem.deadline, Problem.id).limit(SHOWN)).all()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    return Section("escalated_problems", rows, count, extra={"today": today})


def instructions_to_decide(user: User, today: date) -> Section:
    """My 批示 a unit has answered, waiting for me to accept (已办结) or send back (办理中)."""
    return instruction_section("instructions_to_decide", instructions.awaiting_my_decision(user),
                               ("leaders.my_projects", {}), today)


SECTIONS = (liaison_projects, instructions_to_decide, escalated_problems)
