"""The leaders' view (我的包联项目): their liaison projects ranked by risk, and the weekly review.

The risk score and its reasons are services/liaison/risk.py (shared with the digest and the
project page); 批示 are services/liaison/instructions.py.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from crm.extensions import db
from crm.models import LiaisonReview, Project, User
from crm.services.core import access
from crm.services.core.clock import local_today
from crm.services.liaison import risk
from crm.services.liaison.risk import STALE_DAYS, RiskRow

LeaderRow = RiskRow  # the name the leader's workbench knows
__all__ = ["STALE_DAYS", "LeaderRow", "iso_week", "my_projects", "liaison_project", "mark_reviewed"]


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def my_projects(leader: User, today: date | None = None) -> list[RiskRow]:
    """The leader's liaison projects, riskiest first, with their risk and reasons, in a fixed
    number of statements."""
    today = today or local_today()
    rows = risk.for_leaders(today, leader.id).get(leader.id, [])
    reviewed = set(db.session.scalars(sa.select(LiaisonReview.project_id).where(
        LiaisonReview.leader_id == leader.id, LiaisonReview.iso_week == iso_week(today))))
    for row in rows:
        row.reviewed = row.project.id in reviewed
    return rows


def liaison_project(leader: User, project: Project) -> Project:
    """Only the project's own liaison leader may write on it; others are refused (404)."""
    access.require(project.liaison_leader_id == leader.id and leader.role == "leader")
    return project


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
