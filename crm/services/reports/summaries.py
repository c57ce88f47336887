"""Stored aggregates: the dashboard's figures that scan the data (stage funnel, investment by
sector, stage moves by month, problem totals, the computed goals) are read from one `summaries`
row instead of being counted on every request.

Freshness, in two ways:
- the cron schedule recomputes them every REFRESH_SECONDS (workers/schedule.py), so a figure is
  never older than that plus one job's run, and the page says when it was computed;
- a transaction that changes what they count (a project, a stage move, a tag, a problem …) marks
  them stale before it commits; the next read that finds them stale and older than
  SUMMARY_DEBOUNCE_SECONDS computes them again.  Under a stream of writes that is at most once
  per debounce interval, not once per request.
A read that finds no row, or one older than SUMMARY_MAX_AGE_SECONDS (the cron has stopped),
computes it too: the page is never wrong for long, only its speed depends on the cron.

Rows are keyed by what they depend on besides the data: the day and the UI language (sector
names), e.g. "dashboard:zh:2026-12-07".
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm.extensions import db
from crm.models import (
    Enterprise,
    EnterpriseTag,
    InnovationPlatform,
    Problem,
    ProgressReport,
    Project,
    ReminderSetting,
    RoutineSettings,
    StageEvent,
    Summary,
)
from crm.services.core.clock import utcnow

REFRESH_SECONDS = 60  # the cron's interval for summaries.refresh in workers/schedule.py (a test keeps them equal)
# What the stored figures count: a change to any of these marks them stale.  The workbench's late
# counts (services/workbench/admin.py) add the monthly reports and the rules' thresholds.
WATCHED = (Project, StageEvent, Enterprise, EnterpriseTag, Problem, InnovationPlatform, ProgressReport,
           ReminderSetting, RoutineSettings)


@dataclass
class Stored:
    value: Any
    computed_at: datetime  # naive UTC


def _setting(name: str, default: int) -> int:
    settings = current_app.extensions.get("settings") if has_app_context() else None
    return int(getattr(settings, name, default))


def _encode(value) -> str:
    def default(obj):
        if isinstance(obj, Decimal):
            return str(obj)
        if isinstance(obj, (date, datetime)):
            return obj.isoformat()
        raise TypeError(type(obj).__name__)
    return json.dumps(value, ensure_ascii=False, default=default, separators=(",", ":"))


def _fresh(row: Summary | None, now: datetime) -> bool:
    if row is None or now - row.computed_at > timedelta(seconds=_setting("SUMMARY_MAX_AGE_SECONDS", 300)):
        return False
    return not (row.stale and now - row.computed_at >= timedelta(seconds=_setting("SUMMARY_DEBOUNCE_SECONDS", 10)))


def read(key: str, compute: Callable[[], Any], now: datetime | None = None) -> Stored:
    """The stored value of `key`, computed (and stored) first when it is missing, too old, or stale
    past the debounce.  `compute` returns plain JSON values (Decimal and dates become strings)."""
    now = now or utcnow()
    row = db.session.get(Summary, key)
    if _fresh(row, now):
        return Stored(json.loads(row.payload), row.computed_at)
    return store(key, compute(), now)


def store(key: str, value, now: datetime | None = None) -> Stored:
    """Write `value` under `key` as computed now, not stale; committed by the caller.  An upsert:
    two requests that find the row missing at once both store it, neither fails."""
    now = now or utcnow()
    payload = _encode(value)
    values = {"key": key, "payload": payload, "computed_at": now, "stale": False}
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(Summary)
    db.session.execute(insert.values(**values).on_conflict_do_update(
        index_elements=[Summary.key], set_={k: v for k, v in values.items() if k != "key"}))
    cached = db.session.identity_map.get(sa.orm.util.identity_key(Summary, key))
    if cached is not None:  # the row read() loaded is now out of date
        db.session.expire(cached)
    return Stored(json.loads(payload), now)


def purge(before: date) -> int:
    """Drop the rows of days before `before` (keys end with the day)."""
    keys = db.session.scalars(sa.select(Summary.key)).all()
    old = [k for k in keys if k.rsplit(":", 1)[-1] < before.isoformat()]
    if old:
        db.session.execute(sa.delete(Summary).where(Summary.key.in_(old)))
    return len(old)


@event.listens_for(Session, "after_flush")
def _note_changes(session, _flush_context):
    if any(isinstance(obj, WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info["summaries_stale"] = True


@event.listens_for(Session, "before_commit")
def _mark_stale(session):
    """One UPDATE in the writer's own transaction, only of rows not yet stale: concurrent
    writers do not queue on a row another has already marked.  before_commit runs before the
    commit's last flush, so objects still pending count too (the UPDATE flushes them first)."""
    pending = any(isinstance(obj, WATCHED) for obj in (*session.new, *session.dirty, *session.deleted))
    if session.info.get("summaries_stale") or pending:
        session.execute(sa.update(Summary).where(Summary.stale.is_(False)).values(stale=True))
    session.info.pop("summaries_stale", None)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop("summaries_stale", None)
