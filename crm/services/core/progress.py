"""Progress of a long background job whose row a page polls (catalog builds, Excel exports).

Such a row has ``status`` (queued → running → done | failed), ``progress`` (0–100), ``job_id``
(the RQ job the outbox relay made), ``error``, ``started_at``/``finished_at`` and, when it makes a
file, ``file_name``.  The job reports each percent through a ``Tracker``: the RQ job's meta hears
every new percent (cheap, live), the row only every ROW_STEP percent (the fallback when Redis is
away).  ``state`` answers the polling page, preferring the live job and turning a job RQ gave up
on (killed at its timeout, say) into "failed" although the row could not say so.  Files are
written beside their final name and renamed over it, and ``cleanup`` removes expired ones.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from crm.extensions import db
from crm.services.core.clock import utcnow

ACTIVE = ("queued", "running")
ROW_STEP = 5  # write progress to the row every 5 percent
# RQ job states that mean the job will not finish (a timeout kills the work horse: "failed").
_DEAD_JOB_STATES = {"failed", "stopped", "canceled"}


def enqueue(row, job: str, **ids) -> None:
    """The outbox row of `job` for the flushed `row` (ids name it to the job), in the caller's
    transaction; the row keeps the id the relay will give the RQ job, which ``state`` reads."""
    from crm.services.messaging import outbox  # outbox imports the models; progress stays light
    message = outbox.enqueue(job, **ids)
    db.session.flush()
    row.job_id = outbox.job_id(message.id)


def start(row) -> None:
    """Mark the row running from 0 and commit, so the polling page sees it at once."""
    row.status, row.progress, row.error = "running", 0, None
    row.started_at, row.finished_at = utcnow(), None
    db.session.commit()


def fail(model, row_id: int, error: BaseException):
    """After a failure: roll the work back, mark the row failed with the reason, commit."""
    db.session.rollback()
    row = db.session.get(model, row_id)
    row.status, row.finished_at = "failed", utcnow()
    row.error = f"{type(error).__name__}: {error}"[:1000]
    db.session.commit()
    return row


class Tracker:
    """Called with each percent (or done/total): Redis hears each new percent once, the row
    every ROW_STEP percent (committed, so the page sees it while the job works)."""

    def __init__(self, model, row_id: int, report: Callable[[int], None] | None = None):
        self.model, self.row_id, self.report = model, row_id, report
        self.reported = self.written = 0

    def __call__(self, percent: int) -> None:
        if percent > self.reported:
            self.reported = percent
            if self.report is not None:
                self.report(percent)
        if percent - self.written >= ROW_STEP:
            self.written = percent
            session = db.session()
            db.session.execute(sa.update(self.model).where(self.model.id == self.row_id).values(progress=percent))
            # the rows the job has loaded stay loaded: expired by each commit, the export's current
            # chunk of projects would be read again one by one (10,000 projects: 93 s instead of 5)
            session.expire_on_commit = False
            try:
                session.commit()
            finally:
                session.expire_on_commit = True

    def part(self, start: int, end: int) -> Callable[[int, int], None]:
        """A (done, total) callback that maps onto start … end percent."""
        return lambda done, total: self(start + done * (end - start) // max(total, 1))


def counted(rows, total: int, progress: Callable[[int, int], None] | None, every: int = 100) -> Iterator:
    """`rows`, calling progress(done, total) every `every` rows and at the end."""
    done = 0
    for done, row in enumerate(rows, start=1):
        if progress is not None and done % every == 0:
            progress(done, total)
        yield row
    if progress is not None:
        progress(done, total)


@contextmanager
def atomic_path(path: Path):
    """A path to write a file at; on success it is renamed over `path`: readers never see half
    a file, and a killed job leaves only a ``.part`` that cleanup removes by its age."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    yield partial
    os.replace(partial, path)


def _live_job(row, redis):
    """The row's RQ job and its state, or None when Redis is unreachable or has forgotten it."""
    if redis is None or not row.job_id:
        return None
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError

    from crm.services.messaging.outbox import fetch_job
    try:
        job = fetch_job(row.job_id, redis)
        return job, job.get_status(refresh=False)
    except (NoSuchJobError, RedisError, OSError):
        return None


def state(row, redis, interrupted: str) -> dict:
    """{status, progress, error} for the polling page; `interrupted` is the message of a job RQ
    reports dead.  Without Redis (None or unreachable) the row answers alone."""
    status, progress, error = row.status, row.progress or 0, row.error
    live = _live_job(row, redis) if status in ACTIVE else None
    if live is not None:
        job, job_state = live
        job_state = getattr(job_state, "value", job_state)
        progress = max(progress, int(job.meta.get("progress") or 0))
        if job_state == "started":
            status = "running"
        elif job_state in _DEAD_JOB_STATES:
            status, error = "failed", error or interrupted
    return {"status": status, "progress": min(progress, 100), "error": error}


def cleanup(model, folder: Path, expired, cutoff: datetime) -> int:
    """Delete the files of `model` rows matching `expired` (a where clause) and files no row
    points at older than `cutoff` (leftovers of a killed job); returns how many went.

    Rows keep their history but lose ``file_name``.  Flushes; the job commits."""
    removed = 0
    for row in db.session.scalars(sa.select(model).where(model.file_name.isnot(None), expired)):
        path = folder / row.file_name
        if path.exists():
            path.unlink()
            removed += 1
        row.file_name = None
    db.session.flush()
    if folder.is_dir():
        kept = set(db.session.scalars(sa.select(model.file_name).where(model.file_name.isnot(None))))
        oldest = cutoff.replace(tzinfo=UTC).timestamp()
        for path in folder.iterdir():
            if path.is_file() and path.name not in kept and path.stat().st_mtime < oldest:
                path.unlink()
                removed += 1
    return removed
