"""The leaders' view (我的包联项目): their liaison projects ranked by risk, 批示 and weekly review.

Risk score (shown on the page with its reasons, so a leader can see why a project is on top):
- +3 per overdue follow-up (next follow-up date before today, not done), at most 15;
- +5 for each full stage threshold passed without contact: days since the last interaction (or,
  if none, since the stage was reached) ÷ STALE_DAYS[stage], rounded down, at most 20;
- +4 per open problem (问题台账) and +2 more if it is past its 整改时限, at most 24 — only when the
  routines' Problem model is installed;
- +5 when the project is paused (暂缓).
Projects that are 投产 or 终止 score 0 and sort last.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import Instruction, Interaction, LiaisonReview, Problem, Project, User
from crm.services.core import access, audit
from crm.services.core.clock import local_today, utcnow
from crm.services.enterprises import ValidationError
from crm.services.liaison.assignment import INACTIVE_STAGES

# Days without contact that count as one "threshold" per stage (the reminders use the same idea).
STALE_DAYS = {"planned": 60, "contact": 14, "signed": 30, "started": 30, "paused": 60}
INSTRUCTION_MAX = 2000


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class LeaderRow:
    project: Project
    days_since_contact: int | None
    next_follow_up: date | None
    overdue_follow_ups: int
    open_follow_ups: int
    open_problems: int
    overdue_problems: int
    reviewed: bool
    risk: int = 0
    reasons: list[str] = field(default_factory=list)


def risk(row: LeaderRow, today: date) -> tuple[int, list[str]]:
    """The score and its reasons (see the module docstring)."""
    project = row.project
    if project.stage in INACTIVE_STAGES:
        return 0, []
    score, reasons = 0, []
    if row.overdue_follow_ups:
        score += min(3 * row.overdue_follow_ups, 15)
        reasons.append(_("逾期跟进 %(n)s 项", n=row.overdue_follow_ups))
    threshold = STALE_DAYS.get(project.stage)
    days = row.days_since_contact
    if days is None and project.stage_on:
        days = (today - project.stage_on).days
    if threshold and days is not None and days >= threshold:
        score += min(5 * (days // threshold), 20)
        reasons.append(_("%(d)s 天未对接（本阶段阈值 %(t)s 天）", d=days, t=threshold))
    if row.open_problems:
        score += min(4 * row.open_problems + 2 * row.overdue_problems, 24)
        reasons.append(_("未销号问题 %(n)s 个", n=row.open_problems) + (
            _("（其中逾期 %(n)s 个）", n=row.overdue_problems) if row.overdue_problems else ""))
    if project.stage == "paused":
        score += 5
        reasons.append(_("项目暂缓"))
    return score, reasons


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


def my_projects(leader: User, today: date | None = None) -> list[LeaderRow]:
    """The leader's liaison projects, riskiest first, in a fixed number of statements."""
    today = today or local_today()
    ids = sa.select(Project.id).where(Project.liaison_leader_id == leader.id).scalar_subquery()
    projects = db.session.scalars(
        sa.select(Project).options(joinedload(Project.sector), joinedload(Project.owner))
        .where(Project.liaison_leader_id == leader.id).order_by(Project.id)).all()
    follow = _follow_up_stats(ids, today)
    problems = _problem_stats(ids, today)
    reviewed = set(db.session.scalars(sa.select(LiaisonReview.project_id).where(
        LiaisonReview.leader_id == leader.id, LiaisonReview.iso_week == iso_week(today))))
    rows = []
    for p in projects:
        nxt, overdue, open_count = follow.get(p.id, (None, 0, 0))
        n_problems, n_overdue = problems.get(p.id, (0, 0))
        contact_days = (today - local_today(p.last_interaction_at)).days if p.last_interaction_at else None
        row = LeaderRow(p, contact_days, nxt, overdue, open_count, n_problems, n_overdue, p.id in reviewed)
        row.risk, row.reasons = risk(row, today)
        rows.append(row)
    rows.sort(key=lambda r: (r.project.stage in INACTIVE_STAGES, -r.risk, r.project.id))
    return rows


def liaison_project(leader: User, project: Project) -> Project:
    """Only the project's own liaison leader may write on it; others are refused (404)."""
    access.require(project.liaison_leader_id == leader.id and leader.role == "leader")
    return project


def add_instruction(leader: User, project: Project, text: str, follow_up_required: bool,
                    now: datetime | None = None) -> Instruction:
    """Write a 批示; tells the project's owner.  Flushes; the view commits."""
    liaison_project(leader, project)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写批示内容。")})
    if len(text) > INSTRUCTION_MAX:
        raise ValidationError({"text": _("批示内容不能超过 %(n)s 个字符。", n=INSTRUCTION_MAX)})
    with audit.acting_as(leader):
        instruction = Instruction(project=project, leader_id=leader.id, text=text,
                                  follow_up_required=bool(follow_up_required), created_at=now or utcnow())
        db.session.add(instruction)
        db.session.flush()
    if project.owner is not None:
        from crm.services.messaging.notify import notify
        notify(project.owner, kind="instruction", title=_("%(leader)s对项目“%(name)s”作出批示",
                                                          leader=leader.display_name, name=project.name),
               body=text, url=f"/projects/{project.id}", target=project)
    return instruction


def mark_reviewed(leader: User, project: Project, today: date | None = None) -> bool:
    """Mark the project reviewed this ISO week; False when it already was (nothing changes)."""
    liaison_project(leader, project)
    week = iso_week(today or local_today())
    exists = db.session.scalar(sa.select(LiaisonReview.id).where(
        LiaisonReview.project_id == project.id, LiaisonReview.leader_id == leader.id,
        LiaisonReview.iso_week == week))
    if exists:
        return False
    db.session.add(LiaisonReview(project_id=project.id, leader_id=leader.id, iso_week=week))
    db.session.flush()
    return True
