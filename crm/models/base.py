"""Shared column types and helpers for all model modules.

Datetimes are stored as naive UTC; dates (follow-ups, stage dates) are local
Asia/Shanghai calendar dates.  Money is Decimal 万元 (Numeric(14, 2)).
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from crm.extensions import db

Money = sa.Numeric(14, 2, asdecimal=True)


def utcnow() -> datetime:
    """Naive UTC now: what every DateTime column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class TimestampMixin:
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
