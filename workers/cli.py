"""`flask --app wsgi jobs run|status|relay`: the jobs by hand, for setups without cron and for tests."""
from __future__ import annotations

from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from crm.extensions import db
from crm.services.core import audit
from crm.services.core.clock import from_local_iso
from crm.services.messaging import outbox

jobs_cli = AppGroup("jobs", help="Run and inspect background jobs.")

RUNNABLE = {"reminders": "reminders.scan", "liaison": "liaison.all", "digest": "digest.weekly",
            "chains": "chains.coverage"}


def drain_inline() -> int:
    """Run every pending outbox row here and now (mail included), without Redis.

    A row that fails goes back to pending, for a worker (with its retries) to take later.
    """
    from workers.jobs import execute_row
    done = 0
    for row_id in outbox.claim_pending():
        try:
            with audit.acting_as(label="cli"):
                execute_row(row_id)
                db.session.commit()
        except Exception as exc:  # noqa: BLE001  report, keep the row, carry on with the rest
            db.session.rollback()
            outbox.release(row_id)
            click.echo(f"job {row_id} failed, left for the workers: {exc}", err=True)
            continue
        done += 1
    return done


def _check_now(ctx, param, value):
    if value is None:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("expected an ISO date-time such as 2026-11-30T07:30") from None
    return value


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(RUNNABLE)))
@click.option("--now", default=None, callback=_check_now,
              help="ISO datetime in Asia/Shanghai, e.g. 2026-11-30T08:00")
@click.option("--no-drain", is_flag=True, help="Leave the jobs it queues (mail) to the workers.")
def run(name, now, no_drain):
    """Run a periodic job synchronously, then the jobs it queued (e.g. its emails)."""
    from workers.jobs import JOBS
    job = RUNNABLE[name]
    with audit.acting_as(label="cli"):
        # The digest sends inline here (the weekly job fans out to workers instead).
        result = _digest(now) if name == "digest" else JOBS[job](now=now)
        db.session.commit()
    click.echo(f"{name}: {result}")
    if not no_drain:
        click.echo(f"ran {drain_inline()} queued job(s) (mail and notifications)")


def _digest(now):
    from crm.services.liaison import digest
    return digest.run_weekly(from_local_iso(now), send=True)


@jobs_cli.command("relay")
def relay():
    """Push pending outbox rows to Redis."""
    from crm.redis_conn import get_redis
    click.echo(f"relayed {outbox.relay(get_redis(current_app.extensions['settings']))}")


@jobs_cli.command("status")
def status():
    """Queue lengths, workers, failed jobs and pending outbox rows."""
    from crm.redis_conn import get_redis
    conn = get_redis(current_app.extensions["settings"])
    stats = outbox.queue_stats(conn)
    click.echo(f"outbox pending: {stats['pending']}")
    for name, counts in stats["queues"].items():
        click.echo(f"queue {name}: {counts['queued']} queued, {counts['failed']} failed")
    for job in outbox.failed_jobs(conn, limit=20):
        click.echo(f"  failed {job.id} [{job.queue}] {job.description[:60]}: {job.error}")
    click.echo(f"workers: {len(stats['workers'])}")
    for worker in stats["workers"]:
        click.echo(f"  {worker['name']} {worker['state']} queues={','.join(worker['queues'])}")


def register(app: Flask) -> None:
    app.cli.add_command(jobs_cli)
