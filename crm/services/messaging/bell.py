"""The bell's unread count, kept in Redis per user so that a page does not count it in SQL.

Every page shows the bell, and its COUNT was a third of the bare signed-in page.  The count is
stored with the user's generation token; whatever changes a user's unread notifications makes
the user "changed" in its session (ORM writes of Notification are seen by the session; the bulk
writes, the reminder scan and marking read, say so with `changed`), and once that transaction
commits each changed user gets a new token, so every worker's next read misses and counts again.

A reader stores the count under the token it read *before* counting: a write committed while it
counted leaves that count under an old token, never the new one.  A request that changed the
user's notifications itself counts in SQL (it sees its own uncommitted rows).  With Redis down
the bell is counted in SQL, as before; a token change lost to a Redis failure right after a
commit is bounded by the stored count's expiry (settings.BELL_CACHE_SECONDS; 0 turns the cache off).
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable

from flask import current_app, has_app_context
from redis import Redis, RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from crm.extensions import db
from crm.models import Notification

GENERATION = "crm:bell:gen:{}"
COUNT = "crm:bell:count:{}"
_CHANGED = "bell_changed_users"
log = logging.getLogger(__name__)


def changed(user_ids: Iterable[int], session: Session | None = None) -> None:
    """These users' unread notifications change in this transaction: renew their tokens on commit."""
    (session or db.session()).info.setdefault(_CHANGED, set()).update(user_ids)


def _generation(conn: Redis, user_id: int) -> tuple[bytes, bytes | None]:
    """(the user's token, the stored "token:count" or None), making a token if there is none."""
    token, stored = conn.mget(GENERATION.format(user_id), COUNT.format(user_id))
    if token is None:  # never changed, or Redis lost it: start one (the first to set it wins)
        pipe = conn.pipeline(transaction=False)
        pipe.set(GENERATION.format(user_id), secrets.token_hex(8), nx=True).get(GENERATION.format(user_id))
        token = pipe.execute()[1]
    return token, stored


def unread(conn: Redis | None, user_id: int, count: Callable[[], int], ttl: int = 60) -> int:
    """The user's unread count: the stored one while the user's token is unchanged, else count()
    (stored for the next page, for `ttl` seconds at most)."""
    if conn is None or user_id in db.session().info.get(_CHANGED, ()):
        return count()
    try:
        token, stored = _generation(conn, user_id)
    except RedisError:
        return count()
    if stored is not None:
        stored_token, _sep, number = stored.partition(b":")
        if stored_token == token:
            return int(number)
    number = count()
    try:
        conn.set(COUNT.format(user_id), b"%s:%d" % (token, number), ex=ttl)
    except RedisError:
        pass
    return number


def cache_seconds() -> int:
    """settings.BELL_CACHE_SECONDS (0, the cache off, outside an app)."""
    return current_app.extensions["settings"].BELL_CACHE_SECONDS if has_app_context() else 0


def redis_or_none() -> Redis | None:
    """The app's Redis, or None when the cache is off."""
    if cache_seconds() <= 0:
        return None
    from crm.redis_conn import get_redis
    return get_redis(current_app.extensions["settings"])


@event.listens_for(Session, "before_flush")
def _watch(session: Session, flush_context, instances) -> None:
    """Notifications added, changed or deleted through the ORM, whichever code wrote them."""
    touched = {obj.user_id if obj.user_id is not None else getattr(obj.user, "id", None)
               for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, Notification)}
    touched.discard(None)
    if touched:
        changed(touched, session)


@event.listens_for(Session, "after_commit")
def _renew(session: Session) -> None:
    users = session.info.pop(_CHANGED, None)
    conn = redis_or_none() if users else None
    if conn is None:
        return
    try:
        pipe = conn.pipeline(transaction=False)
        for user_id in users:
            pipe.set(GENERATION.format(user_id), secrets.token_hex(8))
        pipe.execute()
    except RedisError:
        log.warning("the bell's counts of %d users could not be renewed; they expire within %d s",
                    len(users), cache_seconds(), exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
