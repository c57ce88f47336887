"""The daily messages to the robots subscribed to them: overdue problems (问题台账 past 整改
时限), monthly reports past due (月度调度), due follow-ups and stale projects (no contact for the
reminder rules' days of their stage).
Each subscription gets its share (a department's, a leader's liaison projects', a 专班's, or all),
once per (subscription, event, day).  The rules are the reminders' and the ledger's own."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Channel, ChannelSubscription, Interaction, Problem, Project
from crm.services.core import access
from crm.services.messaging.channels import formats
from crm.services.messaging.channels.deliveries import announce
from crm.services.routines import reminders
from crm.services.routines.problems import overdue_clause

LISTED = 15


@dataclass(frozen=True)
class Daily:
    title: str
    count_label: str
    select: Callable[[date], sa.Select]  # the rows of the day, joined to Project where they have one
    line: Callable[[object], str]
    link: str  # path of the page that lists them all


def _problems(today: date) -> sa.Select:
    return (sa.select(Problem).join(Project, Project.id == Problem.project_id)
            .options(joinedload(Problem.project), joinedload(Problem.department))
            .where(overdue_clause(today)).order_by(Problem.deadline, Problem.id))


def _follow_ups(today: date) -> sa.Select:
    return (sa.select(Interaction).outerjoin(Project, Project.id == Interaction.project_id)
            .options(joinedload(Interaction.enterprise))
            .where(Interaction.next_follow_up <= today, Interaction.follow_up_done.is_(False))
            .order_by(Interaction.next_follow_up, Interaction.id))


def _stale(today: date) -> sa.Select:
    return (sa.select(Project).where(reminders.stale_clause(today))
            .order_by(Project.last_interaction_at.is_not(None), Project.last_interaction_at, Project.id))


def _missing_reports(today: date) -> sa.Select:
    month, _due = reminders.report_month(today)
    return (sa.select(Project).options(joinedload(Project.lead_department)).where(reminders._owing(month))
            .order_by(Project.lead_department_id, Project.id))


def _stage(stage: str) -> str:
    from crm.services.pipeline import STAGE_LABELS
    with force_locale("zh_Hans_CN"):
        return str(STAGE_LABELS[stage])


DAILY = {
    "overdue_problems": Daily(
        "逾期问题", "逾期未销号", _problems,
        lambda p: (f"- {formats.escape(p.project.name)}：{formats.escape(p.description)}"
                   f"（{formats.escape(p.department.name)}，整改时限 {p.deadline:%Y-%m-%d}）"),
        "/routines/problems?overdue=1"),
    "missing_reports": Daily(
        "月度调度逾期未报", "逾期未报的项目", _missing_reports,
        lambda p: f"- {formats.escape(p.name)}（{formats.escape(p.lead_department.name if p.lead_department else '')}）",
        "/routines/dispatch"),
    "due_follow_ups": Daily(
        "到期跟进", "到期未跟进", _follow_ups,
        lambda i: f"- {formats.escape(i.enterprise.name)}：{formats.escape(i.next_step or i.summary)}"
                  f"（跟进日期 {i.next_follow_up:%Y-%m-%d}）",
        "/"),
    "stale_projects": Daily(
        "久未联系的项目", "超过提醒天数未联系", _stale,
        lambda p: f"- {formats.escape(p.name)}（{_stage(p.stage)}，最近对接 "
                  f"{p.last_interaction_at:%Y-%m-%d}）" if p.last_interaction_at else
                  f"- {formats.escape(p.name)}（{_stage(p.stage)}，尚无对接记录）",
        "/projects/"),
}


def _scope(select: sa.Select, event: str, sub: ChannelSubscription) -> sa.Select:
    if sub.department_id:  # problems: their owner department; reports: the 牵头部门 that files them
        select = select.where({"overdue_problems": Problem.department_id == sub.department_id,
                               "missing_reports": Project.lead_department_id == sub.department_id}.get(
                                   event, access.department_projects(sub.department_id)))
    if sub.leader_id:
        select = select.where(Project.liaison_leader_id == sub.leader_id)
    if sub.task_force_id:
        select = select.where(Project.task_force_id == sub.task_force_id)
    return select


def message(daily: Daily, rows: list, total: int, today: date, link: str) -> tuple[str, str]:
    lines = [f"**{daily.count_label}**：{total} 条", *(daily.line(row) for row in rows[:LISTED])]
    if total > LISTED:
        lines.append(f"- 另有 {total - LISTED} 条")
    lines.append(f"[查看全部]({link})")
    return f"{daily.title} {today:%Y-%m-%d}", "\n".join(lines)


def announce_day(today: date, base_url: str) -> int:
    """Queue today's messages for each subscription with something to say; how many were queued.
    Two statements per subscription (an office has a handful)."""
    subs = db.session.scalars(
        sa.select(ChannelSubscription).join(Channel, Channel.id == ChannelSubscription.channel_id)
        .options(joinedload(ChannelSubscription.channel))
        .where(ChannelSubscription.event.in_(list(DAILY)), Channel.paused_at.is_(None))
        .order_by(ChannelSubscription.id)).all()
    queued = 0
    for sub in subs:
        daily = DAILY[sub.event]
        select = _scope(daily.select(today), sub.event, sub)
        total = db.session.scalar(select.with_only_columns(sa.func.count()).order_by(None))
        if not total:
            continue
        rows = db.session.scalars(select.limit(LISTED)).unique().all()
        link = base_url.rstrip("/") + daily.link
        if sub.event == "overdue_problems" and sub.department_id:
            link += f"&department={sub.department_id}"
        title, body = message(daily, rows, total, today, link)
        queued += len(announce(sub.event, f"{sub.event}:{today:%Y-%m-%d}:{sub.id}", [sub.channel], title, body))
    return queued
