"""The daily message of overdue problems (问题台账 past 整改时限) to the robots subscribed to it:
each subscription's share (its department's problems, a leader's liaison projects', a 专班's, or
all), once per (subscription, day)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Channel, ChannelSubscription, Problem, Project
from crm.services.channels import formats
from crm.services.channels.deliveries import announce
from crm.services.problems import overdue_clause

EVENT = "overdue_problems"
LISTED = 15


def _scope(sub: ChannelSubscription) -> list:
    conditions = []
    if sub.department_id:
        conditions.append(Problem.department_id == sub.department_id)
    if sub.leader_id:
        conditions.append(Project.liaison_leader_id == sub.leader_id)
    if sub.task_force_id:
        conditions.append(Project.task_force_id == sub.task_force_id)
    return conditions


def overdue_message(rows: list[Problem], total: int, today: date, link: str) -> tuple[str, str]:
    lines = [f"**逾期未销号**：{total} 条"]
    for problem in rows[:LISTED]:
        lines.append(f"- {formats.escape(problem.project.name)}：{formats.escape(problem.description)}"
                     f"（{formats.escape(problem.department.name)}，整改时限 {problem.deadline:%Y-%m-%d}）")
    if total > LISTED:
        lines.append(f"- 另有 {total - LISTED} 条")
    lines.append(link)
    return f"逾期问题 {today:%Y-%m-%d}", "\n".join(lines)


def announce_overdue_problems(today: date, base_url: str) -> int:
    """Queue today's message for each subscription that has overdue problems; how many were queued.
    Two statements per subscription (an office has a handful)."""
    subs = db.session.scalars(
        sa.select(ChannelSubscription).join(Channel, Channel.id == ChannelSubscription.channel_id)
        .options(joinedload(ChannelSubscription.channel))
        .where(ChannelSubscription.event == EVENT, Channel.paused_at.is_(None)).order_by(ChannelSubscription.id)).all()
    queued = 0
    for sub in subs:
        where = (overdue_clause(today), *_scope(sub))
        total = db.session.scalar(sa.select(sa.func.count(Problem.id)).join(Project, Project.id == Problem.project_id)
                                  .where(*where))
        if not total:
            continue
        rows = db.session.scalars(
            sa.select(Problem).join(Project, Project.id == Problem.project_id)
            .options(joinedload(Problem.project), joinedload(Problem.department))
            .where(*where).order_by(Problem.deadline, Problem.id).limit(LISTED)).all()
        query = f"?overdue=1&department={sub.department_id}" if sub.department_id else "?overdue=1"
        title, body = overdue_message(rows, total, today, f"[问题台账]({base_url.rstrip('/')}/routines/problems{query})")
        queued += len(announce(EVENT, f"problems:{today:%Y-%m-%d}:{sub.id}", [sub.channel], title, body))
    return queued
