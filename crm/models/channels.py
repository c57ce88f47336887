"""Messaging channels (消息渠道): 企业微信 and 钉钉 group robots or an email address, the events
they are subscribed to, and one delivery row per (channel, event), the at-most-once key."""
from __future__ import annotations

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models.base import TimestampMixin, utcnow
from crm.models.choices import Choices

CHANNEL_KIND = Choices({"wecom": _l("企业微信群机器人"), "dingtalk": _l("钉钉自定义机器人"), "email": _l("电子邮件")})
CHANNEL_KINDS = CHANNEL_KIND.codes
DELIVERY_STATUS = Choices({"pending": _l("待发送"), "sending": _l("发送中"), "sent": _l("已发送"), "failed": _l("发送失败")})
CHANNEL_EVENTS = ("key_stage_moved", "new_instruction", "overdue_problems", "missing_reports", "due_follow_ups", "stale_projects",
                  "weekly_digest")


class Channel(TimestampMixin, db.Model):
    __tablename__ = "channels"
    __audited__ = True
    __audit_exclude__ = ("secret",)  # the signing secret stays out of the audit trail
    __table_args__ = (CHANNEL_KIND.check("kind"),)
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(60), nullable=False)
    kind = db.Column(db.String(10), nullable=False)  # wecom | dingtalk | email
    url = db.Column(db.String(500), nullable=False)  # the robot's webhook, or mailto:address
    secret = db.Column(db.String(200))  # 钉钉 加签 secret (SEC…)
    failures = db.Column(db.Integer, nullable=False, default=0)  # consecutive failed deliveries
    paused_at = db.Column(db.DateTime)  # set after too many failures; an admin resumes it
    last_error = db.Column(db.String(300))
    subscriptions = db.relationship("ChannelSubscription", cascade="all, delete-orphan",
                                    order_by="ChannelSubscription.id")

    def __str__(self) -> str:
        return self.name


class ChannelSubscription(db.Model):
    """A channel hears an event, for the projects of a department, a leader or a 专班 (none: all)."""
    __tablename__ = "channel_subscriptions"
    __audited__ = True
    __table_args__ = (db.Index("ix_channel_subscriptions_event", "event", "channel_id"),)
    id = db.Column(db.Integer, primary_key=True)
    channel_id = db.Column(db.ForeignKey("channels.id", ondelete="CASCADE"), nullable=False)
    event = db.Column(db.String(30), nullable=False)
    department_id = db.Column(db.ForeignKey("departments.id", ondelete="CASCADE"))
    leader_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"))
    task_force_id = db.Column(db.ForeignKey("task_forces.id", ondelete="CASCADE"))
    channel = db.relationship("Channel", back_populates="subscriptions")


class ChannelDelivery(db.Model):
    """One message for one channel about one event: pending → sending → sent | failed.

    The unique (channel, event key) row is claimed before the robot is called, so a message is
    never sent twice, even when a job runs twice or a worker dies mid-send.
    """
    __tablename__ = "channel_deliveries"
    __table_args__ = (db.UniqueConstraint("channel_id", "event_key"), DELIVERY_STATUS.check("status"))
    id = db.Column(db.Integer, primary_key=True)
    channel_id = db.Column(db.ForeignKey("channels.id", ondelete="CASCADE"), nullable=False)
    event_key = db.Column(db.String(80), nullable=False)
    title = db.Column(db.String(200), nullable=False)
    body = db.Column(db.Text, nullable=False)  # markdown, user text escaped (services/channels/formats.py)
    status = db.Column(db.String(10), nullable=False, default="pending")
    attempts = db.Column(db.Integer, nullable=False, default=0)
    error = db.Column(db.String(300))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime)
    channel = db.relationship("Channel")
