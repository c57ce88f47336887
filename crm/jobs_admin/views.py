"""Admin operations: background jobs (queues, failed jobs with requeue, digests whose sending
was interrupted or failed, with resend) and the reminder rules.

Redis may be down while an admin looks: the jobs page then says so instead of failing.
"""
from __future__ import annotations

import redis
from flask import Blueprint, flash, redirect, render_template, request, url_for

from crm.extensions import db
from crm.i18n import gettext as _
from crm.jobs_admin.forms import ReminderSettingsForm
from crm.models import DigestDelivery
from crm.redis_conn import get_redis
from crm.services.liaison import digest
from crm.services.messaging import outbox
from crm.services.pipeline import STAGE_LABELS
from crm.services.routines import reminders
from crm.web import app_settings, attach, roles_required

bp = Blueprint("jobs_admin", __name__, url_prefix="/admin")

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


@bp.route("/jobs/")
@roles_required("admin")
def index():
    """Queue lengths, outbox rows waiting for Redis, and the failed jobs with their error."""
    try:
        conn = get_redis(app_settings())
        stats, jobs = outbox.queue_stats(conn), outbox.failed_jobs(conn)
    except REDIS_DOWN:
        stats, jobs = None, []
    return render_template("jobs_admin/index.html", stats=stats, jobs=jobs, pending=outbox.pending_count(),
                           digests=digest.needs_attention(), queue_labels=outbox.QUEUE_LABELS)


@bp.route("/jobs/digests/<int:delivery_id>/resend", methods=["POST"])
@roles_required("admin")
def resend_digest(delivery_id: int):
    """Send a digest again whose first sending ended unknown or failed: the admin's decision."""
    db.get_or_404(DigestDelivery, delivery_id)
    try:
        digest.resend(delivery_id)
    except digest.ResendError as error:
        db.session.rollback()
        attach(None, error)
    else:
        db.session.commit()
        flash(_("周报已重新排队发送。"), "success")
    return redirect(url_for("jobs_admin.index"))


@bp.route("/jobs/<job_id>/requeue", methods=["POST"])
@roles_required("admin")
def requeue(job_id: str):
    try:
        done = outbox.requeue(get_redis(app_settings()), job_id)
    except REDIS_DOWN:
        flash(_("任务队列（Redis）暂时无法连接，请稍后再试。"), "danger")
        return redirect(url_for("jobs_admin.index"))
    if done:
        flash(_("任务 %(id)s 已重新排队。", id=job_id), "success")
    else:
        flash(_("任务 %(id)s 不存在或已不在失败列表中。", id=job_id), "warning")
    return redirect(url_for("jobs_admin.index"))


@bp.route("/reminders", methods=["GET", "POST"])
@roles_required("admin")
def reminder_settings():
    form = ReminderSettingsForm()
    if request.method == "GET":
        form.fill(reminders.stage_settings())
    elif form.validate_on_submit():
        try:
            reminders.save_settings(form.values())
        except reminders.SettingsError as error:
            attach(form, error)
        else:
            db.session.commit()
            flash(_("联系提醒规则已保存，下次扫描起生效。"), "success")
            return redirect(url_for("jobs_admin.reminder_settings"))
    return render_template("jobs_admin/reminder_settings.html", form=form,
                           stages=[(stage, STAGE_LABELS[stage]) for stage in reminders.DEFAULT_STALE_DAYS])
