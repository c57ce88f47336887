"""经合中心 staff's workbench: my follow-ups (overdue, today, the next 7 days) with 完成 and 改期
in place; my enterprises with no contact for the reminder rule's N days; my projects whose stage
has gone stale by the same rule (the project list's 久未联系 filter counts them the same way)."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Enterprise, Project, User
from crm.services import projects
from crm.services.core import queries
from crm.services.liaison import instructions
from crm.services.routines import reminders
from crm.services.workbench import SHOWN, Section, instruction_section

FOLLOW_UP_DAYS = 7  # follow-ups due up to this many days ahead are listed


def follow_ups(user: User, today: date) -> Section:
    """Open follow-ups due by today + FOLLOW_UP_DAYS, soonest (most overdue) first."""
    until = today + timedelta(days=FOLLOW_UP_DAYS)
    rows = queries.due_follow_ups(user, until, limit=SHOWN)
    return Section("follow_ups", rows, queries.due_follow_ups_count(user, until),
                   extra={"today": today, "until": until})


def quiet_enterprises(user: User, today: date) -> Section:
    """The enterprises I own with no contact for N days, never-contacted first, then longest silent."""
    days = reminders.quiet_days()
    mine = sa.and_(Enterprise.owner_id == user.id, reminders.quiet_enterprise_clause(today, days))
    rows = db.session.scalars(
        sa.select(Enterprise).where(mine)
        .order_by(Enterprise.last_interaction_at.is_not(None), Enterprise.last_interaction_at, Enterprise.id)
        .limit(SHOWN)).all()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise).where(mine))
    return Section("quiet_enterprises", rows, count, extra={"days": days, "today": today})


def project_section(key: str, args: dict, today: date) -> Section:
    """Projects of the project list filtered by `args` (its query string), longest silent first:
    the list's own conditions, so the count is what the linked list shows."""
    conditions = projects.project_filters(args)
    rows = db.session.scalars(
        sa.select(Project).options(joinedload(Project.owner), joinedload(Project.lead_department))
        .where(*conditions)
        .order_by(Project.last_interaction_at.is_not(None), Project.last_interaction_at, Project.id)
        .limit(SHOWN)).all()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(*conditions))
    return Section(key, rows, count, link=("projects.index", args), extra={"today": today})


def stale_projects(user: User, today: date) -> Section:
    return project_section("stale_projects", {"owner": str(user.id), "stale": "1"}, today)


def instructions_unanswered(user: User, today: date) -> Section:
    """批示 on my projects that no unit has answered yet: I chase the unit."""
    return instruction_section("instructions_unanswered", instructions.awaiting_reply_on_projects(user), None, today)


SECTIONS = (follow_ups, instructions_unanswered, quiet_enterprises, stale_projects)
