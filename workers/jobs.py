"""Job entry points: thin, taking ids and plain values, each run in one transaction.

RQ runs `run_outbox(row_id)` for outbox rows and `scheduled(name)` for the cron schedule;
both look the work up in JOBS.  A JOBS function does its work through the services and
does not commit: the job context commits it together with the outbox row's done mark.
"""
from __future__ import annotations

from crm.services.core.clock import from_local_iso
from workers.app import job_context


def _settings():
    from flask import current_app
    return current_app.extensions["settings"]


def mail_notification(notification_ids: list[int] | None = None, html: str | None = None,
                      notification_id: int | None = None, more: int = 0) -> str:
    """Email one user their notifications (HTML and text); RQ retries it with back-off."""
    from crm.services.messaging import notify
    ids = list(notification_ids or []) + ([notification_id] if notification_id else [])
    return notify.send_email(ids, _settings(), html, more)


def interaction_logged(interaction_id: int) -> int:
    """A new contact: settle the follow-ups it fulfils, tell the owner and the liaison leader."""
    from crm.services.routines import reminders
    return reminders.on_interaction_logged(interaction_id)


def reminders_scan(now: str | None = None) -> dict:
    from crm.services.routines import reminders
    return reminders.scan(from_local_iso(now))


def liaison_assign(project_id: int) -> str:
    """Assign a liaison leader to one project if it needs one (idempotent)."""
    from crm.services.liaison import assignment
    return assignment.assign(project_id)


def liaison_all(now: str | None = None):
    from crm.services.liaison import assignment
    return assignment.run_all(from_local_iso(now))


def digest_weekly(now: str | None = None) -> dict:
    """Claim this ISO week's digests and queue one digest.send_one per recipient."""
    from crm.services.liaison import digest
    return digest.run_weekly(from_local_iso(now), send=False)


def digest_send_one(delivery_id: int) -> str:
    """Send one claimed digest (claimed → sending → sent; never twice)."""
    from crm.services.liaison import digest
    return digest.send_one(delivery_id)


def digest_reconcile(now: str | None = None) -> int:
    """Every few minutes: digests left 'sending' by a dead worker become 'unknown' for the admin."""
    from crm.services.liaison import digest
    return digest.reconcile_stale(from_local_iso(now))


def chains_coverage(now: str | None = None) -> int:
    """Record every chain's coverage for today (the goals dashboard's history)."""
    from crm.services.chains import coverage
    from crm.services.core.clock import local_today
    return coverage.record(local_today(from_local_iso(now)))


def summaries_refresh(now: str | None = None) -> int:
    """Every minute: recompute the dashboard's and the administrator's workbench's stored
    aggregates for today."""
    from crm.services.core.clock import local_today
    from crm.services.reports import dashboard
    from crm.services.workbench import admin
    today = local_today(from_local_iso(now))
    admin.refresh(today)
    return dashboard.refresh(today)


def outbox_relay() -> int:
    """Every 15 s from the cron process: rows whose eager relay found Redis down.

    It first records the cron tick /healthz reads: the cron process and a worker are alive.
    """
    from crm.redis_conn import get_redis
    from crm.services.core import health
    from crm.services.messaging import outbox
    conn = get_redis(_settings())
    health.record_cron_tick(conn)
    return outbox.relay(conn)


def _live_progress():
    """A report(percent) that keeps the running RQ job's meta["progress"] (the polling pages read
    it through services/core/progress); does nothing outside RQ (tests, the bench)."""
    from rq import get_current_job
    job = get_current_job()

    def report(percent: int) -> None:
        if job is not None:
            job.meta["progress"] = percent
            job.save_meta()
    return report


def brochure_catalog(build_id: int) -> str:
    """Render a requested catalog (招商项目册) with live progress for the page.

    Its timeout is outbox.TIMEOUTS["brochure.catalog"]; the service commits the row's progress
    as it goes and marks it failed, with the reason, if rendering raises.
    """
    from crm.services.brochures import catalog_builds
    build = catalog_builds.run_build(build_id, _settings(), report=_live_progress())
    return build.status if build is not None else "missing"


def brochure_cleanup(now: str | None = None) -> int:
    """Daily: delete catalog files older than BROCHURE_MAX_AGE_HOURS."""
    from flask import current_app

    from crm.services.brochures import catalog_builds
    return catalog_builds.cleanup(current_app.extensions["settings"], from_local_iso(now))


def sheets_export(export_id: int) -> str:
    """Build a large Excel export (services/sheets/exports) with live progress for its page;
    timeout outbox.TIMEOUTS["sheets.export"]."""
    from crm.services.sheets import exports
    export = exports.run_export(export_id, _settings(), report=_live_progress())
    return export.status if export is not None else "missing"


def sheets_import_check(import_id: int) -> str:
    """Check a large uploaded sheet (its preview) for its import page (services/sheets/imports)."""
    from crm.services.sheets import imports
    record = imports.run_check(import_id, report=_live_progress())
    return record.status if record is not None else "missing"


def sheets_import_apply(import_id: int) -> str:
    """Import a confirmed large sheet, all rows or none, in this job's one transaction."""
    from crm.services.sheets import imports
    record = imports.run_apply(import_id, report=_live_progress())
    return record.status if record is not None else "missing"


def sheets_cleanup(now: str | None = None) -> int:
    """Daily: delete Excel export files past their day."""
    from crm.services.sheets import exports
    return exports.cleanup(_settings(), from_local_iso(now))


def channels_deliver(delivery_id: int) -> str:
    """Send one message to a 企业微信 / 钉钉 robot, at most once, retrying inside the job."""
    from crm.services.messaging.channels import deliveries
    return deliveries.deliver(delivery_id, _settings())


def channels_weekly(now: str | None = None) -> int:
    """Queue the week's digest for the robots subscribed to it (once per channel and ISO week)."""
    from crm.services.core.clock import utcnow
    from crm.services.messaging.channels import weekly
    return weekly.announce_week(from_local_iso(now) or utcnow(), _settings().BASE_URL)


def channels_daily(now: str | None = None) -> int:
    """Queue today's overdue problems, due follow-ups and stale projects for the robots subscribed
    to them (once per subscription and day)."""
    from crm.services.core.clock import local_today
    from crm.services.messaging.channels import daily
    return daily.announce_day(local_today(from_local_iso(now)), _settings().BASE_URL)


JOBS = {
    "channels.deliver": channels_deliver,
    "channels.daily": channels_daily,
    "channels.weekly": channels_weekly,
    "mail.notification": mail_notification,
    "interactions.logged": interaction_logged,
    "reminders.scan": reminders_scan,
    "liaison.assign": liaison_assign,
    "liaison.all": liaison_all,
    "digest.weekly": digest_weekly,
    "digest.send_one": digest_send_one,
    "digest.reconcile": digest_reconcile,
    "outbox.relay": outbox_relay,
    "brochure.catalog": brochure_catalog,
    "brochure.cleanup": brochure_cleanup,
    "sheets.export": sheets_export,
    "sheets.cleanup": sheets_cleanup,
    "sheets.import_check": sheets_import_check,
    "sheets.import_apply": sheets_import_apply,
    "chains.coverage": chains_coverage,
    "summaries.refresh": summaries_refresh,
}


def execute_row(row_id: int):
    """Run one outbox row unless it already ran; the caller's context commits both."""
    from crm.extensions import db
    from crm.models import OutboxMessage
    from crm.services.core.clock import utcnow
    row = db.session.get(OutboxMessage, row_id)
    if row is None or row.done_at is not None:
        return "already done"
    row.attempts += 1
    result = JOBS[row.job](**row.payload)
    row.status, row.done_at = "done", utcnow()
    return result


def run_outbox(row_id: int):
    """RQ entry point for an outbox row."""
    with job_context():
        return execute_row(row_id)


def scheduled(name: str, **kwargs):
    """RQ entry point for the cron schedule (workers/schedule.py)."""
    with job_context(label="cron"):
        result = JOBS[name](**kwargs)
    _record_run(name)
    return result


def _record_run(name: str) -> None:
    """After the job's transaction committed: its last run, for the administrator's workbench."""
    from crm.redis_conn import get_redis
    from crm.services.core import health
    from workers.app import get_app
    with get_app().app_context():
        health.record_job_run(get_redis(_settings()), name)
