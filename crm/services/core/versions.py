"""Lost updates: a save made from a form filled before someone else's save is refused.

Every record edited through a form carries a row version (models.base.Versioned) and its form
sends back the version it was filled from.  check() compares the two before the service changes
anything; SQLAlchemy's version_id_col catches the narrower race of two saves of the same version
at the same moment (saved()).  Both raise StaleEdit, which the views answer with a 409 page that
lists what the other person changed and keeps what this person typed (crm/web/versioning.py).
"""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.models import AuditEvent
from crm.services.core.ids import parse_id

CHANGES_SHOWN = 50  # a form left open for a week can meet many saves; the latest are what matter


class StaleEdit(Exception):
    """Someone saved `record` after the form was filled from version `submitted`."""

    def __init__(self, record, submitted: int):
        super().__init__(f"{type(record).__name__} {record.id}: version {submitted} is stale")
        self.record, self.submitted = record, submitted


def submitted_version(data) -> int | None:
    """The version a form was filled from; None when it sent none (a sheet import, a script)."""
    value = data.get("version") if hasattr(data, "get") else None
    return (parse_id(value) or 0) if value not in (None, "") else None  # junk: stale, never a pass


def check(record, data) -> None:
    """Raise StaleEdit when `data` was filled from an older version of `record` (None: a new one)."""
    submitted = submitted_version(data)
    if record is not None and submitted is not None and submitted != record.version:
        raise StaleEdit(record, submitted)


@contextmanager
def saved(record, data):
    """Around the service's flush: an UPDATE that lost the race to another save is a StaleEdit too."""
    try:
        yield
    except StaleDataError:
        db.session.rollback()  # the failed flush left the transaction unusable; nothing of it is kept
        raise StaleEdit(record, submitted_version(data) or record.version) from None


def changes_since(record, version: int) -> list[AuditEvent]:
    """The audit rows of changes made to `record` from `version` on, oldest first, actors loaded
    (its creation, at version 1, is not a change to show)."""
    rows = db.session.scalars(
        sa.select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.object_type == type(record).__name__, AuditEvent.object_id == record.id,
               AuditEvent.object_version >= version, AuditEvent.action != "create")
        .order_by(AuditEvent.id.desc()).limit(CHANGES_SHOWN)).all()
    return rows[::-1]
