"""The outbox: jobs are written as rows in the caller's transaction, then relayed to RQ.

A Redis outage therefore loses nothing: requests commit their rows, and the relay (run
right after each request that wrote rows, every 2 s by `python -m workers serve|relay` and
every 15 s by the cron schedule) delivers them once Redis is back.  The RQ job id is "outbox-<row id>", and the job marks the row done in the
transaction of its own work, so a row relayed twice still runs once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
import sqlalchemy as sa
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

from crm.extensions import db
from crm.i18n import lazy_gettext as _l
from crm.models import OutboxMessage
from crm.services.core.clock import utcnow

log = logging.getLogger(__name__)

QUEUES = ("default", "mail")
# What the jobs page calls each queue: its readers never see RQ's names.
QUEUE_LABELS = {"default": _l("常规任务"), "mail": _l("邮件发送")}
# Every job runs with an explicit timeout (seconds); mail sends retry with back-off.
TIMEOUTS = {"mail.": 60, "digest.weekly": 600, "brochure.catalog": 900, "sheets.export": 600,
            "sheets.import_": 900}
DEFAULT_TIMEOUT = 300
MAIL_RETRY = Retry(max=4, interval=[10, 60, 300, 900])
# Jobs take ids and plain values, so JSON carries them all; with RQ's default (pickle), anyone
# who can write to Redis could make a worker run code.  Every queue, job fetch, worker, the
# scheduler and cron use this one serializer.
SERIALIZER = JSONSerializer


def queue(name: str, conn: redis.Redis) -> Queue:
    return Queue(name, connection=conn, serializer=SERIALIZER)


def fetch_job(rq_job_id: str, conn: redis.Redis) -> Job:
    return Job.fetch(rq_job_id, connection=conn, serializer=SERIALIZER)


def enqueue(job: str, **payload) -> OutboxMessage:
    """Queue `job` with `payload` (ids and plain values) when the current transaction commits."""
    row = OutboxMessage(job=job, payload=payload)
    db.session.add(row)
    db.session.info.setdefault("outbox_new", True)
    return row


def job_id(row_id: int) -> str:
    return f"outbox-{row_id}"


def timeout_for(job: str) -> int:
    for prefix, seconds in TIMEOUTS.items():
        if job.startswith(prefix):
            return seconds
    return DEFAULT_TIMEOUT


def queue_for(job: str) -> str:
    return "mail" if job.startswith("mail.") or job == "digest.send_one" else "default"


def _push(conn: redis.Redis, row) -> None:
    jid = job_id(row.id)
    if Job.exists(jid, connection=conn):
        return  # relayed before (the mark below was lost): never push twice
    mail = queue_for(row.job) == "mail"
    queue(queue_for(row.job), conn).enqueue(
        "workers.jobs.run_outbox", row.id, job_id=jid, job_timeout=timeout_for(row.job),
        retry=MAIL_RETRY if mail else None, result_ttl=86400, failure_ttl=7 * 86400,
        description=f"{row.job} {row.payload}")


def _claim(row_id: int, from_status: str, to_status: str) -> bool:
    """Atomically move a row between states; False when someone else got there first."""
    result = db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.status == from_status,
                                       OutboxMessage.done_at.is_(None))
        .values(status=to_status, enqueued_at=utcnow()))
    db.session.commit()
    return result.rowcount == 1


def relay(conn: redis.Redis, limit: int = 500, stale_after: timedelta = timedelta(minutes=10)) -> int:
    """Push pending rows to RQ; return how many went.  Redis down: 0, and the rows wait.

    A row is claimed (pending → enqueued) before it is pushed, so two relays never push the
    same row; a row claimed by a relay (or an inline `jobs run` drain) that then died is
    pushed again after `stale_after` unless RQ already holds its job.
    """
    stale = utcnow() - stale_after
    rows = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.job, OutboxMessage.status, OutboxMessage.payload)
        .where(sa.or_(OutboxMessage.status == "pending",
                      sa.and_(OutboxMessage.status.in_(("enqueued", "inline")), OutboxMessage.done_at.is_(None),
                              OutboxMessage.enqueued_at < stale)))
        .order_by(OutboxMessage.id).limit(limit)).all()
    db.session.commit()
    sent = 0
    for row in rows:
        if not _claim(row.id, row.status, "enqueued"):
            continue
        try:
            _push(conn, row)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
            _claim(row.id, "enqueued", "pending")
            log.warning("outbox relay stopped, Redis unreachable: %s", exc)
            break
        sent += 1
    return sent


def claim_pending(limit: int = 1000) -> list[int]:
    """Take pending rows for running in this process (jobs CLI without workers)."""
    ids = db.session.scalars(sa.select(OutboxMessage.id).where(OutboxMessage.status == "pending")
                             .order_by(OutboxMessage.id).limit(limit)).all()
    return [i for i in ids if _claim(i, "pending", "inline")]


def release(row_id: int) -> bool:
    """Give an inline-claimed row back to the relay (its inline run failed)."""
    return _claim(row_id, "inline", "pending")


STUCK_AFTER = timedelta(minutes=10)  # mail not sent this long after it was written is stuck
UNSENT = ("pending", "enqueued", "inline")


def stuck_mail_count(now: datetime | None = None) -> int:
    """Mail jobs (queue "mail") written more than STUCK_AFTER ago and not yet done: Redis, the
    workers or the mail server are not keeping up.  Reads the (status, id) index's unsent rows."""
    mail = sa.or_(OutboxMessage.job.startswith("mail."), OutboxMessage.job == "digest.send_one")
    return db.session.scalar(sa.select(sa.func.count()).where(
        OutboxMessage.status.in_(UNSENT), OutboxMessage.created_at < (now or utcnow()) - STUCK_AFTER, mail))


def pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == "pending"))


# --- inspecting the queues (jobs status, the failed-jobs page) -------------------------------

@dataclass
class FailedJob:
    id: str
    queue: str
    description: str
    error: str  # the last line of the traceback
    traceback: str
    ended_at: object


def _last_line(text: str) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def queue_stats(conn: redis.Redis) -> dict:
    """Queue lengths, failed counts and workers: what `jobs status` prints and the admin page shows."""
    from rq import Worker
    from rq.registry import FailedJobRegistry
    queues = {}
    for name in QUEUES:
        jobs = queue(name, conn)
        queues[name] = {"queued": len(jobs), "failed": len(FailedJobRegistry(queue=jobs))}
    workers = [{"name": w.name, "state": w.get_state(), "queues": w.queue_names()}
               for w in Worker.all(connection=conn, serializer=SERIALIZER)]
    return {"queues": queues, "workers": workers, "pending": pending_count()}


def failed_jobs(conn: redis.Redis, limit: int = 100) -> list[FailedJob]:
    """The newest failed jobs of every queue, with their error."""
    from rq.registry import FailedJobRegistry
    found = []
    for name in QUEUES:
        ids = FailedJobRegistry(queue=queue(name, conn)).get_job_ids(0, limit - 1, desc=True)
        for job in Job.fetch_many(ids, connection=conn, serializer=SERIALIZER):
            if job is None:
                continue
            result = job.latest_result()
            trace = (result.exc_string if result is not None else None) or ""
            found.append(FailedJob(job.id, name, job.description or "", _last_line(trace), trace, job.ended_at))
    found.sort(key=lambda j: j.ended_at or datetime.min, reverse=True)
    return found[:limit]


def requeue(conn: redis.Redis, rq_job_id: str) -> bool:
    """Put a failed job back on its queue; False if it is not (or no longer) failed."""
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    try:
        job = fetch_job(rq_job_id, conn)
        job.requeue()
    except (NoSuchJobError, InvalidJobOperation):
        return False
    return True
