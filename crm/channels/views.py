"""The channels page (管理 → 消息渠道): add a 企业微信 / 钉钉 robot, subscribe it to events for a
department, a leader or a 专班, resume a paused one, remove one.  Administrators only."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy.orm import joinedload, selectinload

from crm.channels.forms import EVENT_LABELS, KIND_LABELS, ChannelForm, SubscriptionForm
from crm.extensions import db
from crm.i18n import gettext as _
from crm.models import (
    Channel,
    ChannelDelivery,
    ChannelSubscription,
    Department,
    TaskForce,
    User,
)
from crm.models.channels import DELIVERY_STATUS
from crm.web import flash_errors, get_or_404, roles_required

bp = Blueprint("channels", __name__, url_prefix="/admin/channels")


@bp.app_context_processor
def _paused():
    """paused_channels() for the jobs page's list of paused channels."""
    from crm.services.messaging.channels.deliveries import paused_channels
    return {"paused_channels": paused_channels}


@bp.before_request
@roles_required("admin")
def _admins_only():
    return None


def _subscription_form() -> SubscriptionForm:
    def pairs(model, label, *where):
        return [(i, n) for i, n in db.session.execute(sa.select(model.id, label).where(*where).order_by(model.id))]
    return SubscriptionForm().load_choices(pairs(Department, Department.label_column()),
                                           pairs(User, User.display_name, User.role == "leader"),
                                           pairs(TaskForce, TaskForce.label_column()))


def _target(form: ChannelForm) -> str | None:
    """Where the channel sends (a webhook, or mailto:address), or None with the field's error."""
    value = form.url.data.strip()
    if form.kind.data == "email":
        try:
            return "mailto:" + validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            form.url.errors.append(_("请填写有效的邮箱地址。"))
            return None
    if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
        form.url.errors.append(_("请填写有效的网址。"))
        return None
    if form.kind.data == "dingtalk" and not (form.secret.data or "").strip():
        form.secret.errors.append(_("钉钉机器人须填写加签密钥。"))
        return None
    return value


@bp.route("/", methods=["GET", "POST"])
def index():
    form = ChannelForm()
    if form.validate_on_submit():
        url = _target(form)
        if url is not None:
            db.session.add(Channel(name=form.name.data.strip(), kind=form.kind.data, url=url,
                                   secret=(form.secret.data or "").strip() or None))
            db.session.commit()
            flash(_("已添加渠道。"), "success")
            return redirect(url_for("channels.index"))
    channels = db.session.scalars(sa.select(Channel).options(selectinload(Channel.subscriptions))
                                  .order_by(Channel.id)).all()
    recent = db.session.scalars(sa.select(ChannelDelivery).options(joinedload(ChannelDelivery.channel))
                                .order_by(ChannelDelivery.id.desc()).limit(20)).all()
    sub_form = _subscription_form()
    names = {key: dict(getattr(sub_form, key).choices) for key in ("department_id", "leader_id", "task_force_id")}
    return render_template("channels/index.html", form=form, sub_form=sub_form, channels=channels, recent=recent,
                           names=names, KIND_LABELS=KIND_LABELS, EVENT_LABELS=EVENT_LABELS,
                           DELIVERY_STATUS=DELIVERY_STATUS)


@bp.route("/<int:channel_id>/subscriptions", methods=["POST"])
def subscribe(channel_id: int):
    channel = get_or_404(Channel, channel_id)
    form = _subscription_form()
    if form.validate_on_submit():
        db.session.add(ChannelSubscription(channel_id=channel.id, event=form.event.data,
                                           department_id=form.department_id.data or None,
                                           leader_id=form.leader_id.data or None,
                                           task_force_id=form.task_force_id.data or None))
        db.session.commit()
        flash(_("已订阅。"), "success")
    else:
        flash_errors(form)
    return redirect(url_for("channels.index"))


@bp.route("/<int:channel_id>/resume", methods=["POST"])
def resume(channel_id: int):
    channel = get_or_404(Channel, channel_id)
    channel.paused_at, channel.failures = None, 0
    db.session.commit()
    flash(_("已恢复渠道“%(name)s”。", name=channel.name), "success")
    return redirect(url_for("channels.index"))


@bp.route("/<int:channel_id>/delete", methods=["POST"])
def delete(channel_id: int):
    channel = get_or_404(Channel, channel_id)
    db.session.delete(channel)
    db.session.commit()
    flash(_("已删除渠道。"), "success")
    return redirect(url_for("channels.index"))
