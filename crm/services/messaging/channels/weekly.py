"""The weekly digest for the robots: the whole pipeline's week as a markdown summary with a link
(the 领导小组's view of services/liaison/digest.py), once per (channel, ISO week)."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale

from crm.extensions import db
from crm.models import Channel, ChannelSubscription
from crm.models.project import STAGES
from crm.services.messaging.channels import formats
from crm.services.messaging.channels.deliveries import announce

EVENT = "weekly_digest"
MOVES_LISTED = 10


def subscribed_channels(event: str) -> list[Channel]:
    """Active channels subscribed to `event`, whatever the subscription's scope.  One statement."""
    return db.session.scalars(
        sa.select(Channel).join(ChannelSubscription, ChannelSubscription.channel_id == Channel.id)
        .where(ChannelSubscription.event == event, Channel.paused_at.is_(None)).distinct().order_by(Channel.id)).all()


def weekly_message(week, base_url: str) -> tuple[str, str]:
    """(title, markdown body) of the week (a services.digest.Week), in Chinese."""
    from crm.services.pipeline import STAGE_LABELS
    with force_locale("zh_Hans_CN"):
        labels = {stage: str(STAGE_LABELS[stage]) for stage in STAGES}
    by_stage = Counter(p.stage for p in week.projects)
    lines = ["**储备库**：" + "，".join(f"{labels[s]} {by_stage.get(s, 0)}" for s in STAGES),
             (f"**本周阶段变更**：{len(week.moves)} 次；**新增对接**：{len(week.contacts)} 次；"
              f"**逾期未跟进**：{len(week.overdue)} 条")]
    for move in week.moves[:MOVES_LISTED]:
        lines.append(f"- {formats.escape(move.project.name)}：{labels.get(move.from_stage, '')} → "
                     f"{labels[move.to_stage]}（{move.occurred_on:%m-%d}）")
    if len(week.moves) > MOVES_LISTED:
        lines.append(f"- 另有 {len(week.moves) - MOVES_LISTED} 次")
    met = sum(1 for status in week.goals if status.met)
    lines.append(f"**发展目标**：已达成 {met} / {len(week.goals)}")
    lines.append(f"[查看看板]({base_url.rstrip('/')}/pipeline/)")
    return f"招商周报 {week.iso_week}", "\n".join(lines)


def announce_week(now: datetime, base_url: str) -> int:
    """Queue the week's digest for every subscribed channel that has not had it; how many were queued."""
    from crm.services.liaison.digest import load_week
    channels = subscribed_channels(EVENT)
    if not channels:
        return 0
    week = load_week(now)
    title, body = weekly_message(week, base_url)
    return len(announce(EVENT, f"digest:{week.iso_week}", channels, title, body))
