"""Health of the installation for /healthz: the database, Redis, the workers and the cron.

Each part says ok and a detail.  A part that is down must not make the check slow (a monitor
polls it, and a check that hangs looks like a dead web server), so Redis is asked over its own
connection with one-second timeouts and no retries, and the worker and cron parts, which live
in Redis, are not asked at all when Redis is down.

The worker part reads rq's worker registry (last_heartbeat); the cron part reads the time the
cron's frequent job (the outbox relay, every 15 s) last ran, which workers.jobs records here.
"""
from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

import redis
import sqlalchemy as sa
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.exc import SQLAlchemyError

from crm.config import Settings
from crm.extensions import db

CRON_TICK_KEY = "crm:cron:last_tick"
JOB_RUNS_KEY = "crm:cron:last_runs"  # hash: scheduled job name → when it last finished (UTC ISO)
CRON_TICK_MAX_AGE = 60  # seconds: four missed 15-second ticks
# Workers run with --worker-ttl 60, so even an idle one heartbeats every 45 s.
WORKER_MAX_AGE = 90
TIMEOUT = 1.0  # seconds, for each Redis call
REDIS_DOWN = (redis.exceptions.RedisError, OSError)


@lru_cache(maxsize=4)
def _connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT,
                                retry=Retry(NoBackoff(), 0))


def record_cron_tick(conn: redis.Redis, now: datetime | None = None) -> None:
    """Called by the cron's frequent job: the cron process and a worker are both alive."""
    conn.set(CRON_TICK_KEY, (now or datetime.now(UTC)).isoformat(), ex=24 * 3600)


def record_job_run(conn: redis.Redis, name: str, now: datetime | None = None) -> None:
    """Called when a scheduled job (workers/schedule.py) has finished: the administrator's
    workbench shows each job's last run."""
    conn.hset(JOB_RUNS_KEY, name, (now or datetime.now(UTC)).isoformat())


def last_job_runs(conn: redis.Redis) -> dict[str, datetime]:
    """{job name: when it last finished, naive UTC} for the scheduled jobs that ever ran."""
    return {name.decode(): datetime.fromisoformat(when.decode()).astimezone(UTC).replace(tzinfo=None)
            for name, when in conn.hgetall(JOB_RUNS_KEY).items()}


def failed_job_count(conn: redis.Redis) -> int:
    """Jobs in the failed registries of every queue (the jobs page lists them)."""
    from rq.registry import FailedJobRegistry

    from crm.services.messaging import outbox
    return sum(len(FailedJobRegistry(queue=outbox.queue(name, conn))) for name in outbox.QUEUES)


def _part(ok: bool, detail: str) -> dict:
    return {"ok": ok, "detail": detail}


def _age(when: datetime, now: datetime) -> int:
    return int((now - when).total_seconds())


def database() -> dict:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return _part(True, db.engine.dialect.name)
    except SQLAlchemyError as exc:
        db.session.rollback()
        return _part(False, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")


def workers(conn: redis.Redis, now: datetime) -> dict:
    from rq import Worker

    from crm.services.messaging.outbox import SERIALIZER
    beats = [w.last_heartbeat for w in Worker.all(connection=conn, serializer=SERIALIZER) if w.last_heartbeat]
    fresh = [b for b in beats if _age(b, now) <= WORKER_MAX_AGE]
    if not beats:
        return _part(False, "no worker registered")
    detail = f"{len(fresh)} of {len(beats)} worker(s) alive, last heartbeat {_age(max(beats), now)} s ago"
    return _part(bool(fresh), detail)


def cron(conn: redis.Redis, now: datetime) -> dict:
    raw = conn.get(CRON_TICK_KEY)
    if raw is None:
        return _part(False, "no cron tick recorded")
    age = _age(datetime.fromisoformat(raw.decode()), now)
    return _part(age <= CRON_TICK_MAX_AGE, f"last tick {age} s ago")


def connection(settings: Settings) -> redis.Redis:
    """Redis for health checks: one-second timeouts, no retries (a page that shows health must
    not hang while Redis is down)."""
    from crm.redis_conn import redis_url
    return _connect(redis_url(settings))


def check(settings: Settings) -> dict:
    """{part: {ok, detail}} for database, redis, worker and cron."""
    parts = {"database": database()}
    now = datetime.now(UTC)
    try:
        conn = connection(settings)
        conn.ping()
    except REDIS_DOWN as exc:
        parts["redis"] = _part(False, f"{type(exc).__name__}: {exc}"[:200])
        parts["worker"] = parts["cron"] = _part(False, "unknown: Redis is down")
        return parts
    parts["redis"] = _part(True, "ping ok")
    try:
        parts["worker"], parts["cron"] = workers(conn, now), cron(conn, now)
    except REDIS_DOWN as exc:  # Redis went away between the calls
        parts["worker"] = parts["cron"] = _part(False, f"{type(exc).__name__}: {exc}"[:200])
    return parts
