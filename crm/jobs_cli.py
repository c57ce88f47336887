"""`flask --app wsgi jobs run|status|relay`: the jobs by hand, for setups without cron and for tests."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from crm.extensions import db
from crm.services import audit, outbox

jobs_cli = AppGroup("jobs", help="Run and inspect background jobs.")

RUNNABLE = {"reminders": "reminders.scan", "liaison": "liaison.all", "digest": "digest.weekly"}


def drain_inline() -> int:
    """Run every pending outbox row here and now (mail included), without Redis."""
    from workers.jobs import execute_row
    done = 0
    for row_id in outbox.claim_pending():
        with audit.acting_as(label="cli"):
            execute_row(row_id)
            db.session.commit()
        done += 1
    return done


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(RUNNABLE)))
@click.option("--now", default=None, help="ISO datetime in Asia/Shanghai, e.g. 2026-11-30T08:00")
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
    from crm.services import digest
    from workers.jobs import _now
    return digest.run_weekly(_now(now), send=True)


@jobs_cli.command("relay")
def relay():
    """Push pending outbox rows to Redis."""
    from crm.redis_conn import get_redis
    click.echo(f"relayed {outbox.relay(get_redis(current_app.extensions['settings']))}")


@jobs_cli.command("status")
def status():
    """Queue lengths, workers, failed jobs and pending outbox rows."""
    from rq import Queue, Worker
    from rq.registry import FailedJobRegistry

    from crm.redis_conn import get_redis
    conn = get_redis(current_app.extensions["settings"])
    click.echo(f"outbox pending: {outbox.pending_count()}")
    for name in outbox.QUEUES:
        queue = Queue(name, connection=conn)
        failed = FailedJobRegistry(queue=queue)
        click.echo(f"queue {name}: {len(queue)} queued, {len(failed)} failed")
        for job_id in failed.get_job_ids()[:20]:
            job = queue.fetch_job(job_id)
            reason = (job.latest_result().exc_string or "").strip().splitlines()[-1:] if job and job.latest_result() else []
            click.echo(f"  failed {job_id}: {reason[0] if reason else ''}")
    workers = Worker.all(connection=conn)
    click.echo(f"workers: {len(workers)}")
    for worker in workers:
        click.echo(f"  {worker.name} {worker.get_state()} queues={','.join(worker.queue_names())}")


def register(app: Flask) -> None:
    app.cli.add_command(jobs_cli)
