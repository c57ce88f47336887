"""Reference data (the choices of sectors, parks, departments, task forces, pool reviews and
chains) kept per process, as long as the database says it has not changed.

The filter bar of the board and the lists read these small tables on every request: six
statements for rows that change a few times a year.  Each process keeps what it built under the
version it read from the one-row `ref_versions` table; a request reads that version once (one
key lookup) and rebuilds only when it moved.  Every write of a watched table raises the version
in the writer's own transaction (before its commit), whichever code wrote it: ORM objects are
seen at flush, Core INSERT/UPDATE/DELETE through the session at execution.  So the version and
the rows commit together, and the next request of every worker sees the new rows.  A request
that wrote a watched table builds afresh until it ends (it reads its own uncommitted rows).

Writes that bypass the session (a raw connection, another program) must raise the version
themselves: `bump(connection)`.  settings.REF_CACHE = False builds on every request.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from crm.extensions import db
from crm.i18n import current_lang
from crm.models import Chain, Department, Park, PoolReview, RefVersion, Sector, TaskForce

T = TypeVar("T")
WATCHED = (Sector, Park, Department, TaskForce, PoolReview, Chain)
_TABLES = frozenset(model.__table__ for model in WATCHED)
_CHANGED = "ref_data_changed"
_kept: dict[tuple[str, str], tuple[int, object]] = {}  # (name, language) -> (version, value)


def _enabled() -> bool:
    return has_app_context() and current_app.extensions["settings"].REF_CACHE


def version() -> int | None:
    """The committed version, read once per request (every time outside one: a long-lived app
    context, as the cron's, must not keep it); None: no row, so nothing is kept."""
    read = sa.select(RefVersion.version).where(RefVersion.id == 1)
    if not has_request_context():
        return db.session.scalar(read)
    if "_crm_ref_version" not in g:
        g._crm_ref_version = db.session.scalar(read)
    return g._crm_ref_version


def cached(name: str, build: Callable[[], T]) -> T:
    """build(), or what this process built for `name` in the UI language at the current version.
    The value is shared by every request of the process: callers must not change it."""
    if not _enabled() or db.session().info.get(_CHANGED):
        return build()
    current = version()
    if current is None:
        return build()
    key = (name, current_lang())
    kept = _kept.get(key)
    if kept is not None and kept[0] == current:
        return kept[1]
    value = build()
    _kept[key] = (current, value)
    return value


def clear() -> None:
    """Forget what this process kept (a test starting from an emptied database)."""
    _kept.clear()


def bump(connection) -> None:
    """Raise the version in the connection's transaction."""
    connection.execute(sa.update(RefVersion).where(RefVersion.id == 1).values(version=RefVersion.version + 1))


@event.listens_for(Session, "before_flush")
def _watch_objects(session: Session, flush_context, instances) -> None:
    if any(isinstance(obj, WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _watch_statements(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and getattr(state.statement, "table", None) in _TABLES:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _raise_version(session: Session) -> None:
    if any(isinstance(obj, WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True  # still to be flushed by this commit
    if session.info.pop(_CHANGED, False):
        bump(session.connection())
        if has_app_context():
            g.pop("_crm_ref_version", None)  # read again after the commit, by this request too


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    """Committed (the commit's own flush of watched rows marked them again, after the version was
    raised for them) or rolled back: nothing of this session is unknown to other requests any more."""
    session.info.pop(_CHANGED, None)
