"""One risk picture of liaison projects: the score, its reasons and the sections that list them.

我的包联, the leaders' weekly digest and the project page all read `assess()`, so they never
disagree.  It takes many projects at once and costs a fixed number of statements (one per
kind of fact below), whatever the number of projects or leaders.

Score (each reason is shown with it, so a leader sees why a project is on top):
- +3 per overdue follow-up (next follow-up date before today, not done), at most 15;
- +5 for each full stage threshold passed without contact: days since the last interaction (or,
  if none, since the stage was reached) ÷ STALE_DAYS[stage], rounded down, at most 20;
- +4 per open problem (问题台账) and +2 more if it is past its 整改时限, at most 24;
- +5 when the latest monthly report (月度调度) is past due and not filed;
- +3 per 批示 waiting for its unit's reply (待办) and +2 per 批示 past its deadline and not
  已办结, at most 15;
- +5 when the project is paused (暂缓).
Projects that are 投产 or 终止 score 0 and sort last.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.i18n import lazy_gettext as _l
from crm.models import Interaction, Problem, Project
from crm.services.core.clock import local_today
from crm.services.liaison import instructions
from crm.services.liaison.assignment import INACTIVE_STAGES

# Days without contact that count as one "threshold" per stage (the reminders use the same idea).
STALE_DAYS = {"planned": 60, "contact": 14, "signed": 30, "started": 30, "paused": 60}
# The sections 我的包联 and the leader's digest show, in this order: (key, heading).
SECTIONS = (("follow_ups", _l("逾期未跟进")), ("problems", _l("未销号问题")),
            ("instructions", _l("未办结批示")), ("reports", _l("月度调度未报")), ("stale", _l("久未对接")))


@dataclass
class RiskRow:
    project: Project
    days_since_contact: int | None
    next_follow_up: date | None = None
    overdue_follow_ups: int = 0
    open_follow_ups: int = 0
    open_problems: int = 0
    overdue_problems: int = 0
    report_missing: bool = False
    open_instructions: int = 0
    unanswered_instructions: int = 0
    overdue_instructions: int = 0
    reviewed: bool = False
    stale_days: int | None = None  # days without contact when past the stage's threshold
    risk: int = 0
    reasons: list[str] = field(default_factory=list)


def score(row: RiskRow, today: date) -> tuple[int, list[str]]:
    """The score and its reasons (see the module docstring); sets row.stale_days."""
    project = row.project
    if project.stage in INACTIVE_STAGES:
        return 0, []
    points, reasons = 0, []
    if row.overdue_follow_ups:
        points += min(3 * row.overdue_follow_ups, 15)
        reasons.append(_("逾期跟进 %(n)s 项", n=row.overdue_follow_ups))
    threshold = STALE_DAYS.get(project.stage)
    days = row.days_since_contact
    if days is None and project.stage_on:
        days = (today - project.stage_on).days
    if threshold and days is not None and days >= threshold:
        row.stale_days = days
        points += min(5 * (days // threshold), 20)
        reasons.append(_("%(d)s 天未对接（本阶段阈值 %(t)s 天）", d=days, t=threshold))
    if row.open_problems:
        points += min(4 * row.open_problems + 2 * row.overdue_problems, 24)
        reasons.append(_("未销号问题 %(n)s 个", n=row.open_problems) + (
            _("（其中逾期 %(n)s 个）", n=row.overdue_problems) if row.overdue_problems else ""))
    if row.report_missing:
        points += 5
        reasons.append(_("月度调度逾期未报"))
    if row.unanswered_instructions or row.overdue_instructions:
        points += min(3 * row.unanswered_instructions + 2 * row.overdue_instructions, 15)
        reasons.append(_("批示待回复 %(n)s 件", n=row.unanswered_instructions) + (
            _("（逾期 %(n)s 件）", n=row.overdue_instructions) if row.overdue_instructions else ""))
    if project.stage == "paused":
        points += 5
        reasons.append(_("项目暂缓"))
    return points, reasons


def _follow_up_stats(project_ids, today: date) -> dict[int, tuple]:
    """project_id → (earliest open follow-up from today on, overdue count, open count)."""
    open_ = sa.and_(Interaction.next_follow_up.is_not(None), Interaction.follow_up_done.is_(False))
    rows = db.session.execute(
        sa.select(Interaction.project_id,
                  sa.func.min(sa.case((Interaction.next_follow_up >= today, Interaction.next_follow_up))),
                  sa.func.sum(sa.case((Interaction.next_follow_up < today, 1), else_=0)),
                  sa.func.count())
        .where(open_, Interaction.project_id.in_(project_ids)).group_by(Interaction.project_id))
    return {pid: (nxt, int(overdue or 0), int(count)) for pid, nxt, overdue, count in rows}


def _problem_stats(project_ids, today: date) -> dict[int, tuple[int, int]]:
    rows = db.session.execute(
        sa.select(Problem.project_id, sa.func.count(),
                  sa.func.sum(sa.case((Problem.deadline < today, 1), else_=0)))
        .where(Problem.status != "resolved", Problem.project_id.in_(project_ids))
        .group_by(Problem.project_id))
    return {pid: (int(n), int(overdue or 0)) for pid, n, overdue in rows}


def _missing_reports(project_ids, today: date) -> set[int]:
    """Projects owing the latest past-due monthly report: the reminders' rule (reminders.report_month)."""
    from crm.services.routines import reminders
    month, _due = reminders.report_month(today)
    return set(db.session.scalars(sa.select(Project.id).where(Project.id.in_(project_ids), reminders._owing(month))))


def assess(projects: list[Project], scope, today: date) -> dict[int, RiskRow]:
    """project_id → its RiskRow, for `projects` (loaded) whose ids `scope` selects (a SELECT of
    Project.id, so no id list grows with the data)."""
    follow = _follow_up_stats(scope, today)
    problems = _problem_stats(scope, today)
    missing = _missing_reports(scope, today)
    orders = instructions.project_stats(scope, today)
    found = {}
    for p in projects:
        nxt, overdue, open_count = follow.get(p.id, (None, 0, 0))
        n_problems, n_overdue = problems.get(p.id, (0, 0))
        n_orders, n_todo, n_late = orders.get(p.id, (0, 0, 0))
        contact_days = (today - local_today(p.last_interaction_at)).days if p.last_interaction_at else None
        row = RiskRow(p, contact_days, nxt, overdue, open_count, n_problems, n_overdue, p.id in missing,
                      n_orders, n_todo, n_late)
        row.risk, row.reasons = score(row, today)
        found[p.id] = row
    return found


def ranked(rows) -> list[RiskRow]:
    """Riskiest first; 投产/终止 last."""
    return sorted(rows, key=lambda r: (r.project.stage in INACTIVE_STAGES, -r.risk, r.project.id))


def for_leaders(today: date, leader_id: int | None = None) -> dict[int, list[RiskRow]]:
    """leader id → their liaison projects' rows, ranked; one leader's or every leader's, in
    the same fixed number of statements."""
    where = (Project.liaison_leader_id == leader_id if leader_id is not None
             else Project.liaison_leader_id.is_not(None))
    projects = db.session.scalars(
        sa.select(Project).options(joinedload(Project.sector), joinedload(Project.owner))
        .where(where).order_by(Project.id)).all()
    rows = assess(projects, sa.select(Project.id).where(where).scalar_subquery(), today)
    by_leader: dict[int, list[RiskRow]] = {}
    for p in projects:
        by_leader.setdefault(p.liaison_leader_id, []).append(rows[p.id])
    return {leader: ranked(found) for leader, found in by_leader.items()}


def for_project(project: Project, today: date) -> RiskRow:
    return assess([project], sa.select(Project.id).where(Project.id == project.id).scalar_subquery(), today)[project.id]


def sections(rows: list[RiskRow]) -> list[dict]:
    """The SECTIONS over these rows: key, heading, count, and the rows that count (riskiest first)."""
    counted = {
        "follow_ups": lambda r: r.overdue_follow_ups,
        "problems": lambda r: r.open_problems,
        "instructions": lambda r: r.open_instructions,
        "reports": lambda r: int(r.report_missing),
        "stale": lambda r: int(r.stale_days is not None),
    }
    overdue = {"problems": lambda r: r.overdue_problems, "instructions": lambda r: r.overdue_instructions}
    found = []
    for key, heading in SECTIONS:
        listed = [r for r in rows if counted[key](r)]
        found.append({"key": key, "heading": heading, "rows": listed, "count": sum(counted[key](r) for r in listed),
                      "overdue": sum(overdue[key](r) for r in listed) if key in overdue else None})
    return found
