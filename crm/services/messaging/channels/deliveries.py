"""Events to channels: who hears what, one delivery per (channel, event), sent at most once,
retried with back-off inside its job, and a channel that keeps failing is paused.

announce() runs in the caller's transaction: it writes the delivery rows and their outbox rows
(so a Redis outage loses nothing); the `channels.deliver` job claims a row (pending → sending,
committed) before it calls the robot, so a second run, or a run after a worker died mid-send,
never sends again.
"""
from __future__ import annotations

import smtplib
import time
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale

from crm.config import Settings
from crm.extensions import db
from crm.models import (
    Channel,
    ChannelDelivery,
    ChannelSubscription,
    Project,
    StageEvent,
)
from crm.services.core import access, signals
from crm.services.core.clock import utcnow
from crm.services.messaging import mail, outbox
from crm.services.messaging.channels import formats, robots


def matching_channels(event: str, project: Project) -> list[Channel]:
    """The active channels subscribed to `event` for this project (its departments, liaison
    leader or 专班), or for all projects.  One statement."""
    sub = ChannelSubscription
    departments = list(access.department_ids_of(project)) or [0]
    return db.session.scalars(
        sa.select(Channel).join(sub, sub.channel_id == Channel.id)
        .where(sub.event == event, Channel.paused_at.is_(None),
               sa.or_(sub.department_id.is_(None), sub.department_id.in_(departments)),
               sa.or_(sub.leader_id.is_(None), sub.leader_id == project.liaison_leader_id),
               sa.or_(sub.task_force_id.is_(None), sub.task_force_id == project.task_force_id))
        .distinct().order_by(Channel.id)).all()


def announce(event: str, event_key: str, channels: list[Channel], title: str, body: str) -> list[ChannelDelivery]:
    """A delivery (and its job) per channel that has not had this event yet; flushes."""
    if not channels:
        return []
    known = set(db.session.scalars(sa.select(ChannelDelivery.channel_id).where(
        ChannelDelivery.event_key == event_key, ChannelDelivery.channel_id.in_([c.id for c in channels]))))
    made = []
    for channel in channels:
        if channel.id not in known:
            delivery = ChannelDelivery(channel_id=channel.id, event_key=event_key, title=title, body=body)
            db.session.add(delivery)
            made.append(delivery)
    db.session.flush()
    for delivery in made:
        outbox.enqueue("channels.deliver", delivery_id=delivery.id)
    return made


def stage_move_message(project: Project, event: StageEvent, base_url: str) -> tuple[str, str]:
    """(title, markdown body) of a key project's stage move, in Chinese (the groups' language)."""
    from crm.services.pipeline import STAGE_LABELS
    with force_locale("zh_Hans_CN"):
        stages = f"{STAGE_LABELS.get(event.from_stage, '')} → {STAGE_LABELS[event.to_stage]}"
    lines = [f"**项目**：{formats.escape(project.name)}", f"**阶段**：{stages}（{event.occurred_on:%Y-%m-%d}）"]
    if event.contract_amount is not None:
        lines.append(f"**签约金额**：{event.contract_amount} 万元")
    if event.evidence:
        lines.append(f"**依据**：{formats.escape(event.evidence)}")
    lines.append(f"[查看项目]({base_url.rstrip('/')}/projects/{project.id})")
    return "重点项目阶段变更", "\n".join(lines)


def on_stage_moved(project: Project, event: StageEvent | None = None, **_kw) -> None:
    if event is None or not project.is_key:
        return
    channels = matching_channels("key_stage_moved", project)
    if channels:
        from flask import current_app
        title, body = stage_move_message(project, event, current_app.extensions["settings"].BASE_URL)
        announce("key_stage_moved", f"stage:{event.id}", channels, title, body)


signals.stage_moved.connect(on_stage_moved)


def _claim(delivery_id: int) -> bool:
    """pending → sending, committed before the robot is called: whoever wins sends, once."""
    done = db.session.execute(sa.update(ChannelDelivery).where(
        ChannelDelivery.id == delivery_id, ChannelDelivery.status == "pending").values(status="sending"))
    db.session.commit()
    return done.rowcount == 1


def _retry_delays(settings: Settings) -> list[float]:
    return [float(part) for part in settings.CHANNEL_RETRY_SECONDS.split(",") if part.strip()]


def _sender(channel: Channel, delivery: ChannelDelivery, settings: Settings):
    """One try at sending: a robot call, or an email (SMTP, or the local outbox when none is set)."""
    if channel.kind == "email":
        message = mail.build_message(channel.url.removeprefix("mailto:"), f"【招商项目管家】{delivery.title}",
                                     formats.plain(delivery.title, delivery.body), sender=settings.MAIL_FROM)
        return lambda: mail.deliver(message, settings)
    body = formats.payload(channel.kind, delivery.title, delivery.body)
    secret = channel.secret if channel.kind == "dingtalk" else None
    # Signed at each try: 钉钉 refuses a timestamp more than an hour old.
    return lambda: robots.post(robots.signed_url(channel.url, secret), body, timeout=settings.CHANNEL_TIMEOUT_SECONDS)


def deliver(delivery_id: int, settings: Settings, now: datetime | None = None) -> str:
    """Send one delivery: the first try and one per retry delay; then sent, or failed (and the
    channel paused after CHANNEL_PAUSE_AFTER failed deliveries in a row).  Flushes."""
    if not _claim(delivery_id):
        return "already claimed"
    delivery = db.session.get(ChannelDelivery, delivery_id)
    channel = delivery.channel
    if channel.paused_at is not None:
        delivery.status, delivery.error = "failed", "channel paused"
        db.session.flush()
        return "paused"
    send = _sender(channel, delivery, settings)
    error = None
    for delay in [0.0, *_retry_delays(settings)]:
        time.sleep(delay)
        delivery.attempts += 1
        try:
            send()
        except (robots.RobotError, smtplib.SMTPException, OSError) as failure:
            error = (str(failure) or type(failure).__name__)[:300]
            continue
        delivery.status, delivery.sent_at, delivery.error = "sent", now or utcnow(), None
        channel.failures = 0
        db.session.flush()
        return "sent"
    delivery.status, delivery.error = "failed", error
    channel.failures += 1
    channel.last_error = error
    if channel.failures >= settings.CHANNEL_PAUSE_AFTER:
        channel.paused_at = now or utcnow()
    db.session.flush()
    return "failed"


def paused_channels() -> list[Channel]:
    return db.session.scalars(sa.select(Channel).where(Channel.paused_at.is_not(None)).order_by(Channel.id)).all()
